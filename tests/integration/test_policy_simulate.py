"""`safepassage policy simulate FILE`: what a new policy version would change, case by case, from the
sealed facts in a real database — and a clear error (exit 2) for a bad file."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.config import load_settings
from safepassage.domain.case import Application
from safepassage.domain.eligibility import DEFAULT_POLICY
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import Person, PersonName
from safepassage.services import evaluations, intake
from safepassage.store.uow import Actor
from safepassage.web.app import database_from

runner = CliRunner()


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "SAFEPASSAGE_DATA_DIR": str(tmp_path),
        "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}",
        "COLUMNS": "200",
    }


def _case(db: object, pathway: Pathway, facts: list[str]) -> str:
    app_ = Application(frozenset({pathway}), Person(PersonName("Ґрицько", "Їжак-Ёлкин")))
    rec = intake.submit_application(db.uow(), actor=Actor.system(), application=app_)  # type: ignore[attr-defined]
    evaluations.record_facts(db.uow(), actor=Actor.system(), case_id=rec.case_id, facts=facts)  # type: ignore[attr-defined]
    return rec.receipt


def test_simulate_lists_exactly_the_cases_a_new_policy_changes(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    db = database_from(load_settings(env))
    summoned = _case(db, Pathway.MOBILIZATION_EVADER, ["summons_received"])
    dissident = _case(db, Pathway.DISSIDENT, [])
    ukrainian = _case(db, Pathway.WAR_REFUGEE, ["ukrainian_citizen"])
    # The candidate: a summons no longer makes a case P1, dissidents may also get subsidiary protection.
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    text = text.replace('version = "2026.11.1"', 'version = "2027.01.1"')
    text = text.replace(
        'then.evidence = ["the summons or proof of call-up (a photo is enough)"]\nthen.priority = "P1"',
        'then.evidence = ["the summons or proof of call-up (a photo is enough)"]\nthen.priority = "P2"',
    )
    text = text.replace(
        'then.bases = { eu = ["conv_political"], other = ["humanitarian_parole"] }',
        'then.bases = { eu = ["conv_political", "eu_subsidiary"], other = ["humanitarian_parole"] }',
    )
    candidate = tmp_path / "candidate.toml"
    candidate.write_text(text, encoding="utf-8")

    result = runner.invoke(app, ["policy", "simulate", str(candidate)], env=env)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "2026.11.1 → 2027.01.1" in out
    lines = [line for line in out.splitlines() if summoned in line]
    assert len(lines) == 1 and "priority" in lines[0] and "P1" in lines[0] and "P2" in lines[0]
    lines = [line for line in out.splitlines() if dissident in line]
    assert len(lines) == 1 and "bases.eu" in lines[0] and "eu_subsidiary" in lines[0]
    assert ukrainian not in out  # unchanged cases are not listed
    assert "2 of 3 cases would change (1 bases, 1 priority)." in out
    for name in ("Ґрицько", "Їжак"):  # no names, only receipts and ids
        assert name not in out

    same = runner.invoke(app, ["policy", "simulate", str(DEFAULT_POLICY)], env=env)
    assert same.exit_code == 0 and "nothing would change" in same.output and "0 of 3 cases" in same.output


def test_simulate_refuses_a_bad_file_with_the_place_of_the_error(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(DEFAULT_POLICY.read_text(encoding="utf-8").replace('then.priority = "P3"', 'then.priority = "P9"'))
    result = runner.invoke(app, ["policy", "simulate", str(bad)], env=env)
    assert result.exit_code == 2
    assert "rules.12.then.priority" in result.output.replace("\n", "")
    missing = runner.invoke(app, ["policy", "simulate", str(tmp_path / "nope.toml")], env=env)
    assert missing.exit_code == 2 and "Traceback" not in missing.output
    broken = tmp_path / "broken.toml"
    broken.write_text("version = [", encoding="utf-8")
    assert runner.invoke(app, ["policy", "simulate", str(broken)], env=env).exit_code == 2
