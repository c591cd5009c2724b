"""A real `safepassage rescreen` process killed with SIGKILL midway and started again: every due case is
screened exactly once — none twice, none missed — because each case commits with its progress marker."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from safepassage.config import load_settings
from safepassage.domain.case import Application
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import PartialDate, Person, PersonName
from safepassage.domain.stages import Stage
from safepassage.services import casework, intake
from safepassage.store import schema
from safepassage.store.uow import Actor
from safepassage.web.app import database_from
from tests.screening_support import listed, load_watchlist

CASES = 100
FIRST = ["Иван", "Ґрицько", "Олена", "Артём", "Пётр", "Мар'яна", "Євген", "Сергей", "Юлія", "Дмитрий",
         "Наталья", "Тарас", "Ольга", "Михаил", "Катерина", "Богдан", "Анна", "Олег", "Ірина", "Павел"]
SURNAMES = ["Петров", "Шевченко", "Коваль", "Ёлкин", "Сидоренко", "Мельник", "Бондаренко", "Ткаченко",
            "Кравченко", "Лысенко", "Руденко", "Гончаренко", "Савченко", "Зайцев", "Морозов"]
CLI = [sys.executable, "-c", "from safepassage.cli import main; main()", "rescreen", "--quiet"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "SAFEPASSAGE_DATA_DIR": str(tmp_path),
            "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}", "SAFEPASSAGE_ENV": "development"}


def _rescreen_runs(path: Path) -> list[str]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
        return [r[0] for r in conn.execute("SELECT case_id FROM screening_runs WHERE kind = 'rescreen'")]


def test_a_killed_rescreen_resumes_and_screens_each_case_exactly_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    db = database_from(load_settings(env))
    schema.upgrade(db.engine)
    load_watchlist(db, [listed("wl-0", "Viktor Kuznetsov", "1961")])
    actor = Actor.system()
    ids = []
    for n in range(CASES):
        name = PersonName(FIRST[n % len(FIRST)], SURNAMES[n // len(FIRST)])
        person = Person(name, PartialDate(1960 + n % 40, None, None))
        r = intake.submit_application(db.uow(), actor=actor,
                                      application=Application(frozenset({Pathway.DESERTER}), person))
        casework.move_case(db.uow(), actor=actor, case_id=r.case_id, to=Stage.SCREENING, expected_version=1)
        ids.append(r.case_id)
    # a new version lists one of the applicants: re-screening must find him, and screen everyone once
    load_watchlist(db, [listed("wl-0", "Viktor Kuznetsov", "1961"), listed("wl-new", "Serhii Petrov", "1967")])
    db.engine.dispose()

    proc = subprocess.Popen(CLI, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(_rescreen_runs(tmp_path / "sp.db")) < 20 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the re-screen finished before it could be killed: make the test data larger"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    partial = _rescreen_runs(tmp_path / "sp.db")
    assert 0 < len(partial) < CASES, len(partial)

    done = subprocess.run(CLI, env=env, capture_output=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    runs = _rescreen_runs(tmp_path / "sp.db")
    assert sorted(runs) == sorted(ids), "each case screened exactly once across the crash"
    assert f"re-screened {CASES - len(partial)} of {CASES - len(partial)} due cases".encode() in done.stdout
    with sqlite3.connect(tmp_path / "sp.db") as conn:
        hits = conn.execute("SELECT case_id, entity_id FROM screening_hits WHERE entity_id = 'wl-new'").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert ids[7] in {case_id for case_id, _ in hits} and len(hits) == len(set(hits))
    again = subprocess.run(CLI, env=env, capture_output=True, timeout=120, check=False)
    assert b"re-screened 0 of 0 due cases" in again.stdout
    assert b"Petrov" not in again.stdout + again.stderr + done.stdout + done.stderr  # no names on the terminal


@pytest.mark.slow
def test_rescreen_watch_mode_is_documented() -> None:
    out = subprocess.run([*CLI[:-2], "rescreen", "--help"], capture_output=True, check=True, timeout=60)
    assert b"--watch" in out.stdout and b"--interval" in out.stdout
