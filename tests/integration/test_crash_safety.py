"""Crash safety: a real server process SIGKILLed at random moments loses no acknowledged application.

Each round starts `safepassage serve` on the same database, checks that every application
acknowledged in the previous round (201 with receipt and passphrase) is there (POST /api/status on
the restarted server), then lets three clients submit applications — hostile names, sometimes
with family members — until the process is SIGKILLed at a moment drawn from a seeded RNG
(counted from the round's first acknowledgement, so every round has something to lose).

So every acknowledged application is checked through the API once, right after the first crash
that followed its acknowledgement (the last round's after one more restart). Then the database
holds no torn write: each case has exactly its principal and the family members that were sent,
every payload decrypts to what was sent, each case has its one `application.submitted` audit
entry, the audit chain verifies, and no more cases exist than were attempted. On SQLite,
`PRAGMA integrity_check` says ok and `PRAGMA foreign_key_check` finds nothing.
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from safepassage.services.auditing import verify_chain
from safepassage.store.models import AuditEntry, Case, DataKeyRow, PersonRow
from tests.conftest import KEK, SECRET, Env
from tests.helpers import HOSTILE_NAMES, application, person
from tests.serverproc import LEAK_MARKERS, ServerProcess

pytestmark = pytest.mark.db

SEED = 4242
CLIENTS = 3


def nfc(text: str) -> str:
    """What the server stores for a name: NFC-normalised and stripped."""
    return unicodedata.normalize("NFC", text).strip()


@dataclass
class Ledger:
    """What the clients know: acknowledged applications, and attempts whose outcome is unknown."""

    acked: dict[str, dict[str, Any]] = field(default_factory=dict)  # case id -> receipt, passphrase, sent body
    first_ack: threading.Event = field(default_factory=threading.Event)  # set at the round's first 201
    unknown: int = 0  # connection lost after the request may have reached the server
    refused: int = 0  # connection refused: the request never reached a server
    bad: list[str] = field(default_factory=list)  # any answer other than 201
    lock: threading.Lock = field(default_factory=threading.Lock)


def _body(rng: random.Random, tag: str) -> dict[str, Any]:
    first = rng.choice(HOSTILE_NAMES)
    last = f"{rng.choice(HOSTILE_NAMES)[:80]} {tag}"
    family = [
        {"relationship": rng.choice(["spouse", "child", "parent", "sibling"]),
         "person": person(rng.choice(HOSTILE_NAMES), f"{tag} f{j}")}
        for j in range(rng.choice([0, 0, 1, 2]))
    ]
    return application(person=person(first, last), family=family)


def _client(n: int, base_url: str, rng: random.Random, stop: threading.Event, ledger: Ledger, round_no: int) -> None:
    try:
        _submit(n, base_url, rng, stop, ledger, round_no)
    except Exception as exc:  # a thread's exception would otherwise vanish
        with ledger.lock:
            ledger.bad.append(f"client {n} crashed: {type(exc).__name__}: {exc}")


def _submit(n: int, base_url: str, rng: random.Random, stop: threading.Event, ledger: Ledger, round_no: int) -> None:
    with httpx.Client(base_url=base_url, timeout=30.0) as c:
        k = 0
        while not stop.is_set():
            body = _body(rng, f"r{round_no}c{n}k{k}")
            k += 1
            try:
                r = c.post("/api/applications", json=body)
            except httpx.ConnectError:
                with ledger.lock:
                    ledger.refused += 1
                return
            except httpx.TransportError:  # killed mid-request: it may or may not have been committed
                with ledger.lock:
                    ledger.unknown += 1
                return
            with ledger.lock:
                if r.status_code == 201:
                    rec = r.json()
                    ledger.acked[rec["case_id"]] = {**rec, "body": body}
                    ledger.first_ack.set()
                else:
                    ledger.bad.append(f"{r.status_code} {r.text[:300]}")
                    return


def _check_status(base_url: str, recs: list[dict[str, Any]]) -> list[str]:
    """The receipts that do not answer 'received' on the server at base_url."""
    missing = []
    with httpx.Client(base_url=base_url, timeout=30.0) as c:
        for rec in recs:
            r = c.post("/api/status", json={"receipt": rec["receipt"], "passphrase": rec["passphrase"]})
            if r.status_code != 200 or r.json()["stage"] != "received":
                missing.append(f"{rec['receipt']}: {r.status_code} {r.text[:200]}")
    return missing


def _check_database(env: Env, ledger: Ledger) -> int:
    """No torn writes, nothing acknowledged lost, payloads intact; returns the number of cases."""
    with env.db.uow(readonly=True) as uow:
        s = uow.session
        cases = {c.id: c for c in s.scalars(select(Case)).all()}
        persons: dict[str, list[PersonRow]] = {}
        for row in s.scalars(select(PersonRow)).all():
            persons.setdefault(row.case_id, []).append(row)
        submitted = s.scalars(select(AuditEntry.object_id).where(AuditEntry.event == "application.submitted")).all()
        keys = s.scalar(select(func.count()).select_from(DataKeyRow))
        assert set(ledger.acked) <= set(cases), f"{len(set(ledger.acked) - set(cases))} acknowledged cases lost"
        assert len(cases) <= len(ledger.acked) + ledger.unknown, "more cases than attempts"
        assert sorted(submitted) == sorted(cases), "a case without its audit entry, or an entry without its case"
        assert keys == len(cases), "a data key without its case (or the reverse)"
        for case_id, case in cases.items():
            rows = persons.get(case_id, [])
            assert sum(r.is_principal for r in rows) == 1, f"case {case_id} has no single principal"
            dk = uow.keys.for_case(case)
            opened: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
            for r in rows:
                opened[r.is_principal].append(dk.open_json(r.payload, table="persons", column="payload", row_id=r.id))
            if case_id in ledger.acked:
                sent = ledger.acked[case_id]["body"]
                name = opened[True][0]["person"]["name"]
                assert (name["first"], name["last"]) == (nfc(sent["person"]["first_name"]),
                                                         nfc(sent["person"]["last_name"]))
                got_family = sorted(p["person"]["name"]["last"] for p in opened[False])
                assert got_family == sorted(nfc(m["person"]["last_name"]) for m in sent["family"])
    broken, count = verify_chain(env.db.uow(readonly=True))
    assert broken is None, f"audit chain broken at entry {broken} of {count}"
    return len(cases)


def _sqlite_checks(env: Env) -> None:
    path = env.db.engine.url.database
    assert path
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


def run_crashes(env: Env, tmp_path: Path, *, rounds: int, max_delay: float) -> dict[str, Any]:
    """SIGKILL the server `rounds` times while clients submit; assert everything; return numbers."""
    rng = random.Random(SEED)
    url = env.db.engine.url.render_as_string(hide_password=False)
    srv = ServerProcess(url, kek=KEK, secret_key=SECRET, data_dir=tmp_path / "server")
    ledger = Ledger()
    previous: list[dict[str, Any]] = []
    t0 = time.monotonic()
    threads: list[threading.Thread] = []
    spent = {"start": 0.0, "status": 0.0}
    try:
        for round_no in range(rounds):
            t1 = time.monotonic()
            srv.start()
            t2 = time.monotonic()
            missing = _check_status(srv.base_url, previous)
            spent["start"] += t2 - t1
            spent["status"] += time.monotonic() - t2
            assert not missing, f"round {round_no}: acknowledged applications lost after SIGKILL: {missing[:5]}"
            before = set(ledger.acked)
            stop = threading.Event()
            ledger.first_ack.clear()
            threads = [
                threading.Thread(target=_client, daemon=True,
                                 args=(n, srv.base_url, random.Random(rng.random()), stop, ledger, round_no))
                for n in range(CLIENTS)
            ]
            for t in threads:
                t.start()
            # Kill at a random moment after the round's first acknowledgement (however slow the machine).
            assert ledger.first_ack.wait(timeout=120), f"round {round_no}: no application acknowledged in 120 s"
            time.sleep(rng.uniform(0.0, max_delay))
            srv.kill()
            stop.set()
            for t in threads:
                t.join(timeout=60)
            assert not any(t.is_alive() for t in threads), "a client hung after the server was killed"
            assert not ledger.bad, ledger.bad[:5]
            previous = [ledger.acked[k] for k in set(ledger.acked) - before]
        srv.start()  # the last round's applications; earlier ones were checked after the crash that followed them
        missing = _check_status(srv.base_url, previous)
        assert not missing, f"acknowledged applications lost after the last SIGKILL: {missing[:5]}"
        srv.stop()
    finally:
        for t in threads:
            t.join(timeout=5)
        srv.close()
    assert not srv.leaks(), srv.stderr_text()[-4000:]
    assert not [m for m in LEAK_MARKERS for r in ledger.bad if m.lower() in r.lower()]
    cases = _check_database(env, ledger)
    if env.backend == "sqlite":
        _sqlite_checks(env)
    return {"elapsed": round(time.monotonic() - t0, 1), "acked": len(ledger.acked), "cases": cases,
            "unknown": ledger.unknown, "refused": ledger.refused, "starts": srv.starts,
            **{f"{k}_s": round(v, 1) for k, v in spent.items()}}


def test_sigkill_loses_no_acknowledged_application(env: Env, tmp_path: Path) -> None:
    stats = run_crashes(env, tmp_path, rounds=20, max_delay=0.6)
    print(f"\n[{env.backend}] 20 SIGKILL rounds: {stats}")
    assert stats["acked"] >= 20 and stats["unknown"] > 0  # the kills really came while clients were writing


@pytest.mark.slow
def test_soak_sigkill_many_rounds(env: Env, tmp_path: Path) -> None:
    stats = run_crashes(env, tmp_path, rounds=100, max_delay=2.0)
    print(f"\n[{env.backend}] 100 SIGKILL rounds: {stats}")
