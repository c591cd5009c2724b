"""Concurrent writers on ONE case through a real server process: no 500s, no lost updates.

Eight writer threads, each with its own HTTP client and a staff token, repeatedly read the case
(GET → version, stage, assignee) and then write to it with that version:

* caseworkers link family members (version-checked, bumps the version) — or add a note while the
  case is closed;
* supervisors assign the case to the caseworker / unassign it (version-checked, bumps the version);
* adjudicators turn the case round the cycle decision_pending → refused → appeal → decision_pending
  (version-checked, bumps the version);
* the screening analyst moves refused → appeal → decision_pending, and adds notes otherwise (notes
  are not version-checked and must always succeed).

A writer only sends a write that is legal for the state it read, so the server may answer only
"done" or 409 `stale_version`. Afterwards the final state must equal the serial replay of the
accepted writes, ordered by the version each carried: the accepted version-checked writes carry
exactly the versions v0, v0+1, …, final-1 (one winner per version, no gaps, no lost update), every
stale write lost its version to an accepted one, every accepted family member and note is on the
case, the timeline and the final assignee are the replay's, and the audit log holds exactly one
entry per accepted write, with its hash chain intact.
"""

from __future__ import annotations

import random
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, update

from safepassage.security.policy import Role
from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry, NoteRow, PersonRow, StaffSession
from safepassage.store.types import utcnow
from tests.conftest import KEK, SECRET, Env
from tests.helpers import HOSTILE_NAMES, application, person
from tests.serverproc import LEAK_MARKERS, ServerProcess

pytestmark = pytest.mark.db

# Plain moves only: a decision needs reasons and an appeal a deadline (their own services, tested in
# test_decisions.py / test_appeals.py), so the stage writers move the case review → exclusion review →
# decision pending, then write notes.
CYCLE = {"review": "exclusion_review", "exclusion_review": "decision_pending"}
CLOSED: set[str] = set()  # the case stays open
RELATIONSHIPS = ["spouse", "partner", "child", "parent", "sibling", "other"]
VERSIONED = {"family", "assign", "transition"}
SEED = 20260126
# Writer roles: 4 caseworkers, 1 supervisor, 2 adjudicators, 1 screening analyst. (A supervisor's read is cheap —
# no personal data to decrypt — so supervisors win most races; more of them would starve the others.)
WRITER_ROLES = [Role.CASEWORKER, Role.SUPERVISOR, Role.ADJUDICATOR, Role.CASEWORKER, Role.SCREENING_ANALYST,
                Role.CASEWORKER, Role.ADJUDICATOR, Role.CASEWORKER]


def nfc(text: str) -> str:
    """What the server stores for a name: NFC-normalised and stripped."""
    return unicodedata.normalize("NFC", text).strip()


@dataclass
class Attempt:
    """One write sent by a writer, and the server's answer."""

    writer: int
    op: str  # family | assign | transition | note
    version: int | None  # the case version the write carried (None for notes)
    status: int
    body: Any
    text: str
    sent: dict[str, Any] = field(default_factory=dict)
    read_stage: str = ""


@dataclass
class Outcome:
    """Everything the writers saw."""

    attempts: list[Attempt] = field(default_factory=list)
    reads: int = 0
    failures: list[str] = field(default_factory=list)
    leaked: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(self, msg: str) -> None:
        with self.lock:
            self.failures.append(msg)

    def scan(self, text: str) -> None:
        """Remember any leak marker in a response body."""
        found = [m for m in LEAK_MARKERS if m.lower() in text.lower()]
        if found:
            with self.lock:
                self.leaked.extend(found)


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return None


def _refresh_sessions(env: Env) -> None:
    """Make the template's sessions 5 minutes idle, whenever the template was made.

    Within the idle timeout, so they are valid; past the once-a-minute touch, so the writers' first
    requests race to update the session row they share (several writers use one token).
    """
    with env.db.uow() as uow:
        uow.session.execute(update(StaffSession).values(last_seen_at=utcnow() - timedelta(minutes=5)))
        uow.commit()


def _writer(i: int, role: Role, *, base_url: str, env: Env, case_id: str, updates: int,
            start: threading.Barrier, out: Outcome) -> None:
    try:
        _write(i, role, base_url=base_url, env=env, case_id=case_id, updates=updates, start=start, out=out)
    except Exception as exc:  # a thread's exception would otherwise vanish
        out.fail(f"writer {i} crashed: {type(exc).__name__}: {exc}")


def _write(i: int, role: Role, *, base_url: str, env: Env, case_id: str, updates: int,
           start: threading.Barrier, out: Outcome) -> None:
    rng = random.Random(SEED * 100 + i)
    url = f"/api/cases/{case_id}"
    caseworker_id = env.user_ids[Role.CASEWORKER]
    with httpx.Client(base_url=base_url, headers=env.headers(role), timeout=120.0) as c:
        start.wait(timeout=120)
        for k in range(updates):
            try:
                r = c.get(url)
                out.scan(r.text)
                if r.status_code != 200:
                    out.fail(f"writer {i} GET {r.status_code}: {r.text[:300]}")
                    continue
                case = r.json()
                v, stage = case["version"], case["stage"]
                with out.lock:
                    out.reads += 1
                if role is Role.CASEWORKER and stage not in CLOSED and rng.random() < 0.85:
                    first = HOSTILE_NAMES[(i + k) % len(HOSTILE_NAMES)]
                    last = f"{HOSTILE_NAMES[(3 * k + i) % len(HOSTILE_NAMES)][:60]} w{i}n{k}"
                    sent = {"relationship": rng.choice(RELATIONSHIPS), "person": person(first, last), "version": v}
                    op, r = "family", c.post(f"{url}/family", json=sent)
                elif role is Role.SUPERVISOR:
                    sent = {"assignee_id": None if case["assignee_id"] else caseworker_id, "version": v}
                    op, r = "assign", c.post(f"{url}/assignment", json=sent)
                elif role in (Role.ADJUDICATOR, Role.SCREENING_ANALYST) and stage in CYCLE:
                    sent = {"to": CYCLE[stage], "version": v}
                    op, r = "transition", c.post(f"{url}/transitions", json=sent)
                else:
                    sent = {"text": f"{HOSTILE_NAMES[(i * 7 + k) % len(HOSTILE_NAMES)]} — w{i} n{k}"}
                    op, r = "note", c.post(f"{url}/notes", json=sent)
            except httpx.HTTPError as exc:  # a dropped connection is a failure of the server, never expected
                out.fail(f"writer {i} transport error: {type(exc).__name__}: {exc}")
                continue
            attempt = Attempt(i, op, sent.get("version"), r.status_code, _json(r), r.text, sent, stage)
            with out.lock:
                out.attempts.append(attempt)
            out.scan(r.text)


def _setup_case(c: httpx.Client, env: Env) -> tuple[str, int]:
    """An application moved to review (the start of the moves); returns (case id, version)."""
    r = c.post("/api/applications", json=application(person=person(HOSTILE_NAMES[0], HOSTILE_NAMES[-1][:300])))
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    version, stage = 1, "received"
    while stage != "review":  # screening may move the case on to review by itself (no hits)
        r = c.post(f"/api/cases/{case_id}/transitions", json={"to": "screening", "version": version},
                   headers=env.headers(Role.ADJUDICATOR))
        assert r.status_code == 200, r.text
        version, stage = r.json()["version"], r.json()["stage"]
        if stage == "screening":
            r = c.post(f"/api/cases/{case_id}/transitions", json={"to": "review", "version": version},
                       headers=env.headers(Role.ADJUDICATOR))
            assert r.status_code == 200, r.text
            version, stage = r.json()["version"], r.json()["stage"]
    return case_id, version


def _check_attempt(a: Attempt) -> str | None:
    """Why this answer is wrong for this write, or None if it is one of the allowed answers."""
    if a.status >= 500:
        return f"{a.op} by writer {a.writer}: {a.status} {a.text[:300]}"
    if a.op == "note":
        return None if a.status == 201 else f"note: {a.status} {a.text[:300]}"
    if a.status == 409:
        code = (a.body or {}).get("error", {}).get("code")
        return None if code == "stale_version" else f"{a.op} v{a.version}: 409 {code} (read {a.read_stage})"
    if a.op == "family" and a.status == 201:
        return None
    if a.op in {"assign", "transition"} and a.status == 200:
        b = a.body
        if b["version"] != a.version + 1:
            return f"{a.op} v{a.version} answered version {b['version']}"
        if a.op == "assign" and b["assignee_id"] != a.sent["assignee_id"]:
            return f"assign v{a.version} answered assignee {b['assignee_id']}"
        if a.op == "transition" and b["stage"] != a.sent["to"]:
            return f"transition v{a.version} answered stage {b['stage']}"
        return None
    return f"{a.op} v{a.version}: unexpected {a.status} {a.text[:300]}"


def run_writers(env: Env, tmp_path: Path, *, writers: int, updates: int) -> dict[str, Any]:
    """Run the scenario; assert everything; return a few numbers for the report."""
    _refresh_sessions(env)
    url = env.db.engine.url.render_as_string(hide_password=False)
    srv = ServerProcess(url, kek=KEK, secret_key=SECRET, data_dir=tmp_path / "server")
    out = Outcome()
    t0 = time.monotonic()
    try:
        srv.start()
        with httpx.Client(base_url=srv.base_url, timeout=120.0) as c:
            case_id, v0 = _setup_case(c, env)
            start_timeline = c.get(f"/api/cases/{case_id}", headers=env.headers(Role.ADJUDICATOR)).json()["timeline"]
        prefix = [(t["from_stage"], t["to_stage"]) for t in start_timeline]
        with env.db.uow(readonly=True) as uow:
            moved_at_start = uow.session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.object_id == case_id, AuditEntry.event == "case.transitioned"))
        roles = [WRITER_ROLES[i % len(WRITER_ROLES)] for i in range(writers)]
        start = threading.Barrier(writers)
        threads = [
            threading.Thread(target=_writer, name=f"writer-{i}", daemon=True,
                             kwargs={"i": i, "role": role, "base_url": srv.base_url, "env": env,
                                     "case_id": case_id, "updates": updates, "start": start, "out": out})
            for i, role in enumerate(roles)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        assert not any(t.is_alive() for t in threads), "writers still running after 600 s"
        elapsed = time.monotonic() - t0
        with httpx.Client(base_url=srv.base_url, timeout=120.0, headers=env.headers(Role.CASEWORKER)) as c:
            r = c.get(f"/api/cases/{case_id}")
            assert r.status_code == 200, r.text
            final = r.json()
    finally:
        srv.stop()
        srv.close()

    # -- every answer is an allowed one; nothing leaked ----------------------------------------------
    assert not out.failures, out.failures[:10]
    assert len(out.attempts) == writers * updates
    bad = [m for m in map(_check_attempt, out.attempts) if m]
    assert not bad, bad[:10]
    assert not out.leaked, out.leaked[:5]
    assert not srv.leaks(), srv.stderr_text()[-4000:]

    # -- one winner per version, no gaps: the accepted writes form a serial history ------------------
    accepted = [a for a in out.attempts if a.status in (200, 201)]
    by_op = Counter(a.op for a in accepted)
    won = sorted((a for a in accepted if a.op in VERSIONED), key=lambda a: a.version or 0)
    assert [a.version for a in won] == list(range(v0, v0 + len(won))), "versions accepted twice or skipped"
    assert final["version"] == v0 + len(won)
    won_versions = {a.version for a in won}
    stale = [a for a in out.attempts if a.status == 409]
    assert all(a.version in won_versions for a in stale), "a write was refused as stale though nobody won its version"

    # -- the final state is the serial replay of the accepted writes ---------------------------------
    stage, assignee, moves = "review", None, []
    for a in won:
        assert a.read_stage == stage, f"v{a.version} was decided on stage {a.read_stage}, replay has {stage}"
        if a.op == "transition":
            moves.append((stage, a.sent["to"]))
            stage = a.sent["to"]
        elif a.op == "assign":
            assignee = a.sent["assignee_id"]
    assert final["stage"] == stage and final["assignee_id"] == assignee
    timeline = [(t["from_stage"], t["to_stage"]) for t in final["timeline"]]
    assert timeline == [*prefix, *moves]

    # -- the database agrees (read directly: personal data may need a step-up through the API) -------
    sent_family = {a.body["id"]: a.sent for a in accepted if a.op == "family"}
    sent_notes = {a.body["id"]: nfc(a.sent["text"]) for a in accepted if a.op == "note"}
    with env.db.uow(readonly=True) as uow:
        s = uow.session
        case = uow.get_case(case_id)
        assert case is not None and case.version == final["version"]
        dk = uow.keys.for_case(case)
        family = {
            r.id: dk.open_json(r.payload, table="persons", column="payload", row_id=r.id)
            for r in s.scalars(select(PersonRow).where(PersonRow.case_id == case_id, ~PersonRow.is_principal))
        }
        notes = {
            n.id: dk.decrypt(n.body, table="notes", column="body", row_id=n.id).decode()
            for n in s.scalars(select(NoteRow).where(NoteRow.case_id == case_id))
        }
        events = Counter(dict(s.execute(
            select(AuditEntry.event, func.count()).where(AuditEntry.object_id == case_id).group_by(AuditEntry.event)
        ).all()))
        note_events = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.event == "note.added"))
        noted = set(s.scalars(select(AuditEntry.object_id).where(AuditEntry.event == "note.added")).all())
    assert set(family) == set(sent_family), "family members lost or invented"
    for member_id, sent in sent_family.items():
        got = family[member_id]
        assert got["person"]["name"]["first"] == nfc(sent["person"]["first_name"])
        assert got["person"]["name"]["last"] == nfc(sent["person"]["last_name"])
        assert got["relationship"] == sent["relationship"]
    assert notes == sent_notes, "notes lost or invented"

    # -- the audit log has exactly one entry per accepted write, and its chain holds -----------------
    assert events["family.linked"] == by_op["family"]
    assert events["case.assigned"] == by_op["assign"]
    assert events["case.transitioned"] == moved_at_start + by_op["transition"]
    assert events["application.submitted"] == 1
    assert note_events == by_op["note"] and noted == set(sent_notes)
    broken, count = verify_chain(env.db.uow(readonly=True))
    assert broken is None, f"audit chain broken at entry {broken} of {count}"

    return {"elapsed": round(elapsed, 1), "accepted": dict(by_op), "stale": dict(Counter(a.op for a in stale)),
            "reads": out.reads,
            "version": final["version"]}


def test_eight_writers_on_one_case_lose_nothing(env: Env, tmp_path: Path) -> None:
    stats = run_writers(env, tmp_path, writers=8, updates=100)
    print(f"\n[{env.backend}] 8×100 concurrent writes: {stats}")
    # The scenario is only meaningful if writers really raced and every kind of write got through.
    assert sum(stats["stale"].values()) > 0
    assert all(stats["accepted"].get(op, 0) > 0 for op in ("family", "assign", "transition", "note"))


@pytest.mark.slow
def test_soak_many_writers_on_one_case(env: Env, tmp_path: Path) -> None:
    stats = run_writers(env, tmp_path, writers=16, updates=300)
    print(f"\n[{env.backend}] 16×300 concurrent writes: {stats}")
