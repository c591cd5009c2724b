"""Staff authentication: second factor, replay, throttling, timing, session revocation, step-up."""

from __future__ import annotations

import statistics
import time
import uuid
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from safepassage.domain.errors import TooManyAttempts, Unauthenticated
from safepassage.security.policy import Role
from safepassage.services import staff
from safepassage.store.models import StaffSession, User
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from tests.conftest import _PW_HASH, PASSWORD, Env
from tests.helpers import application

LONG_PASSWORD = "a long enough passphrase"


def _enrolled(env: Env, name: str = "olena", role: Role = Role.CASEWORKER) -> tuple[str, str]:
    """Create a user through the service; returns (user id, TOTP seed)."""
    created = staff.create_user(env.db.uow(), actor=Actor.system(), username=name, role=role, password=LONG_PASSWORD)
    seed = pyotp.parse_uri(created.totp_uri).secret
    return created.user_id, seed


def _login(client: TestClient, name: str, password: str, code: str | None) -> int:
    body = {"username": name, "password": password} | ({"totp": code} if code else {})
    return client.post("/api/auth/login", json=body).status_code


def test_second_factor_is_required_and_each_code_works_once(client: TestClient, env: Env) -> None:
    _, seed = _enrolled(env)
    code = pyotp.TOTP(seed).now()
    assert _login(client, "olena", LONG_PASSWORD, None) == 401
    assert _login(client, "olena", LONG_PASSWORD, "000000" if code != "000000" else "111111") == 401
    assert _login(client, "olena", LONG_PASSWORD, code) == 200
    assert _login(client, "olena", LONG_PASSWORD, code) == 401, "a replayed TOTP code was accepted"


def test_enrolment_uri_is_shown_once_and_seed_is_not_stored_in_clear(env: Env) -> None:
    user_id, seed = _enrolled(env)
    with env.db.uow() as uow:
        user = uow.get_user(user_id)
        assert user is not None and user.totp_secret is not None
        assert seed.encode() not in user.totp_secret


def test_account_throttling_after_five_failures_and_it_is_not_global(client: TestClient, env: Env) -> None:
    _enrolled(env, "target")
    _, other_seed = _enrolled(env, "bystander")
    for _ in range(5):
        assert staff_login_status(env, "target", "wrong password!") == 401
    assert staff_login_status(env, "target", "wrong password!") == 429
    # the right password is refused too while throttled: guessing gains nothing
    assert staff_login_status(env, "target", LONG_PASSWORD) == 429
    # another account is unaffected
    assert staff_login_status(env, "bystander", LONG_PASSWORD, pyotp.TOTP(other_seed).now()) == 200


def staff_login_status(env: Env, name: str, password: str, code: str | None = None, client: str = "") -> int:
    """Call the login service the way the route does; the HTTP status it maps to."""
    try:
        staff.login(env.db.uow(), username=name, password=password, code=code, client=client)
    except TooManyAttempts:
        return 429
    except Unauthenticated:
        return 401
    return 200


def test_address_throttling_stops_spraying_across_accounts(env: Env) -> None:
    statuses = [staff_login_status(env, f"nobody-{i}", "x" * 12, client="203.0.113.7") for i in range(32)]
    assert statuses[:30] == [401] * 30 and statuses[30:] == [429, 429]
    assert staff_login_status(env, "nobody-x", "x" * 12, client="203.0.113.8") == 401  # other address


def test_throttled_answer_is_the_same_for_unknown_and_known_accounts(client: TestClient, env: Env) -> None:
    _enrolled(env, "known")
    for name in ("known", "unknown-one"):
        for _ in range(5):
            staff_login_status(env, name, "wrong password!")
    assert staff_login_status(env, "known", "x" * 12) == staff_login_status(env, "unknown-one", "x" * 12) == 429


def test_login_timing_is_the_same_for_unknown_user_and_wrong_password(env: Env) -> None:
    with env.db.uow() as uow:
        for i in range(200):
            uow.session.add(
                User(id=str(uuid.uuid4()), username=f"timing-{i}", role="caseworker", password_hash=_PW_HASH)
            )
        uow.commit()
    known, unknown = [], []
    for i in range(100):  # 200 tries, interleaved, so that drift in machine load hits both equally
        for name, bucket in ((f"timing-{i}", known), (f"ghost-{i}", unknown)):
            t0 = time.perf_counter()
            assert staff_login_status(env, name, "wrong password!") == 401
            bucket.append(time.perf_counter() - t0)
    k, u = statistics.median(known), statistics.median(unknown)
    assert abs(k - u) / max(k, u) < 0.10, f"median known {k * 1000:.1f} ms vs unknown {u * 1000:.1f} ms"


def test_sessions_die_within_one_request_on_password_role_change_or_disable(client: TestClient, env: Env) -> None:
    for change in ({"password": "another long passphrase"}, {"role": Role.SUPERVISOR}, {"disabled": True}):
        user_id, seed = _enrolled(env, f"u{uuid.uuid4().hex[:8]}")
        name = next(u.username for u in [_user(env, user_id)])
        token = client.post(
            "/api/auth/login", json={"username": name, "password": LONG_PASSWORD, "totp": pyotp.TOTP(seed).now()}
        ).json()["token"]
        h = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/cases", headers=h).status_code == 200
        staff.set_user(env.db.uow(), actor=env.actor(Role.ADMIN), user_id=user_id, **change)  # type: ignore[arg-type]
        assert client.get("/api/cases", headers=h).status_code == 401


def _user(env: Env, user_id: str) -> User:
    with env.db.uow() as uow:
        user = uow.get_user(user_id)
        assert user is not None
        uow.session.expunge(user)
        return user


def test_logout_and_idle_and_absolute_timeouts(client: TestClient, env: Env) -> None:
    h = env.headers(Role.CASEWORKER)
    assert client.get("/api/cases", headers=h).status_code == 200
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
        uow.commit()
    assert client.get("/api/cases", headers=h).status_code == 401  # idle
    h2 = env.headers(Role.ADJUDICATOR)
    assert client.get("/api/cases", headers=h2).status_code == 401  # the same update idled every session
    _, seed = _enrolled(env, "late")
    tok = client.post(
        "/api/auth/login", json={"username": "late", "password": LONG_PASSWORD, "totp": pyotp.TOTP(seed).now()}
    ).json()["token"]
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(expires_at=utcnow() - timedelta(seconds=1)))
        uow.commit()
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {tok}"}).status_code == 401  # absolute


def test_logout_ends_the_session(client: TestClient, env: Env) -> None:
    h = env.headers(Role.CASEWORKER)
    assert client.post("/api/auth/logout", headers=h).status_code == 204
    assert client.get("/api/cases", headers=h).status_code == 401


def test_step_up_is_required_to_reveal_identity_after_the_window(client: TestClient, env: Env) -> None:
    rec = client.post("/api/applications", json=application()).json()
    h = env.headers(Role.CASEWORKER)
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(reauth_at=utcnow() - timedelta(minutes=16)))
        uow.commit()
    stale = client.get(f"/api/cases/{rec['case_id']}", headers=h).json()
    assert stale["step_up_required"] is True and stale["principal"] is None and "Петров" not in str(stale)
    assert client.post("/api/auth/step-up", json={"password": "wrong password!"}, headers=h).status_code == 401
    assert client.post("/api/auth/step-up", json={"password": PASSWORD}, headers=h).status_code == 204
    fresh = client.get(f"/api/cases/{rec['case_id']}", headers=h).json()
    assert fresh["step_up_required"] is False and fresh["principal"]["last_name"] == "Петров"


@pytest.mark.parametrize("name", ["", "Олена", "a" * 65, "x\x00y", "<script>"])
def test_odd_usernames_get_the_same_clear_refusal(client: TestClient, name: str) -> None:
    r = client.post("/api/auth/login", json={"username": name, "password": "whatever password"})
    assert r.status_code in (401, 422) and "error" in r.json()
