"""`safepassage report`: the same figures as the dashboard in CSV, JSON and PDF; bad input writes nothing."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.config import load_settings
from safepassage.domain.case import Application, FamilyMember, Relationship
from safepassage.domain.pathways import Pathway
from safepassage.domain.person import Person, PersonName
from safepassage.services import intake
from safepassage.store.types import utcnow
from safepassage.store.uow import Actor
from safepassage.web.app import database_from

runner = CliRunner()


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    """A migrated SQLite database with three applications (five people) made through the services."""
    env = {"SAFEPASSAGE_DATA_DIR": str(tmp_path), "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}"}
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    db = database_from(load_settings(env))
    child = FamilyMember(Relationship.CHILD, Person(PersonName("Їжачок", "Петров")))
    cases = (({Pathway.DESERTER}, (child, child)), ({Pathway.DISSIDENT}, ()), ({Pathway.WAR_REFUGEE}, ()))
    for pathways, family in cases:
        app_ = Application(frozenset(pathways), Person(PersonName("<script>", "{{ 7*7 }}")), family=family)
        intake.submit_application(db.uow(), actor=Actor.applicant(), application=app_)
    db.engine.dispose()
    return env


def _period() -> list[str]:
    today = utcnow().date().isoformat()
    return ["--from", "2020-01-01", "--to", today]


def test_csv_json_pdf_carry_the_same_figures(cli_env: dict[str, str], tmp_path: Path) -> None:
    r = runner.invoke(app, ["report", *_period(), "--format", "csv"], env=cli_env)
    assert r.exit_code == 0, r.output
    rows = list(csv.reader(io.StringIO(r.stdout.lstrip("\ufeff"))))
    assert ["People reaching each step", "Applications", "Everyone", "5"] in rows
    assert ["People reaching each step", "Applications", "Deserters", "3"] in rows
    assert ["After the decision, by destination", "Granted", "EU member state", "0"] in rows

    out = tmp_path / "r.json"
    assert runner.invoke(app, ["report", *_period(), "--format", "json", "--out", str(out)], env=cli_env).exit_code == 0
    data = json.loads(out.read_text())
    assert data["funnel"]["applications"]["all"] == 5 and data["funnel"]["contacts"]["deserter"] == 3
    assert data["not_available"] == [] and data["destinations"]["granted"] == {}
    assert data["destination_names"]["eu"] == "EU member state"

    pdf = tmp_path / "r.pdf"
    r = runner.invoke(app, ["report", *_period(), "--format", "pdf", "--lang", "uk", "--out", str(pdf)], env=cli_env)
    assert r.exit_code == 0, r.output
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Статистика Safe Passage" in text and "2020-01-01" in text
    assert "Заяви" in text and "Дезертири" in text
    for leaked in ("<script>", "7*7", "Їжачок"):  # statistics never read personal data
        assert leaked not in text and leaked not in out.read_text()


@pytest.mark.parametrize(
    "args",
    [["--from", "2026-02-30", "--to", "2026-03-01"], ["--from", "2026-05-01", "--to", "2026-01-01"],
     ["--from", "2026-01-01", "--to", "2026-02-01", "--format", "xls"],
     ["--from", "2026-01-01", "--to", "2026-02-01", "--lang", "de"]],
)
def test_bad_input_exits_2_and_writes_nothing(cli_env: dict[str, str], tmp_path: Path, args: list[str]) -> None:
    out = tmp_path / "never.csv"
    r = runner.invoke(app, ["report", *args, "--out", str(out)], env=cli_env)
    assert r.exit_code == 2
    assert not out.exists() and not (tmp_path / "never.csv.part").exists()
