"""The command line: demo, users, audit verify, policy docs — as an operator would run them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.domain.stages import Stage
from safepassage.security.policy import Role

runner = CliRunner()


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SAFEPASSAGE_DATA_DIR": str(tmp_path), "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}"}


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "db", "users", "audit", "policy", "screen"):
        assert command in result.output


def test_demo_seeds_every_stage_and_pathway_and_one_user_per_role(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--cases", "40", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for role in Role:
        assert role.value in result.output
    db = tmp_path / "safepassage-demo.db"
    with sqlite3.connect(db) as conn:
        stages = {row[0] for row in conn.execute("SELECT DISTINCT stage FROM cases")}
        pathways = "".join(row[0] for row in conn.execute("SELECT pathways FROM cases"))
        families = conn.execute("SELECT count(*) FROM persons WHERE is_principal = 0").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert stages == {s.value for s in Stage}
    assert all(p in pathways for p in ("deserter", "dissident", "war_refugee", "persecuted_other"))
    assert families > 0
    # The demo watchlist is published-list data kept in clear on purpose (docs/threat-model.md), and it
    # deliberately resembles demo applicants. Scan everything else: a copy without the list's rows,
    # vacuumed so no freed page keeps them, must not hold an applicant's name.
    scan = tmp_path / "scan.db"
    src, dst = sqlite3.connect(db), sqlite3.connect(scan)
    src.backup(dst)
    src.close()
    dst.execute("PRAGMA journal_mode=DELETE")  # the copy keeps WAL mode; VACUUM must land in the file itself
    listed = dst.execute("SELECT count(*) FROM watchlist_entries").fetchone()[0]
    dst.execute("DELETE FROM watchlist_entries")
    dst.execute("DELETE FROM watchlist_staging")
    dst.commit()
    dst.execute("VACUUM")
    dst.close()
    assert listed > 0
    raw = scan.read_bytes()
    for name in ("Петров", "Шевченко", "Ґрицько", "Екатеринбург", "Получил повестку"):
        assert name.encode() not in raw, f"{name} stored in plaintext"
    scan.unlink()


def test_users_create_reads_password_from_stdin_never_argv(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    ok = runner.invoke(
        app,
        ["users", "create", "--username", "Olena", "--role", "caseworker"],
        input="a long enough passphrase\n",
        env=env,
    )
    assert ok.exit_code == 0, ok.output
    assert "olena" in ok.output and "passphrase" not in ok.output
    dup = runner.invoke(
        app,
        ["users", "create", "--username", "olena", "--role", "caseworker"],
        input="a long enough passphrase\n",
        env=env,
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
    short = runner.invoke(app, ["users", "create", "--username", "x2", "--role", "admin"], input="short\n", env=env)
    assert short.exit_code == 2 and "at least" in short.output
    argv = runner.invoke(app, ["users", "create", "--username", "x3", "--role", "admin", "--password", "p"], env=env)
    assert argv.exit_code != 0


@pytest.mark.parametrize("role", ["root", "ADMIN2"])
def test_users_create_rejects_unknown_roles(tmp_path: Path, role: str) -> None:
    result = runner.invoke(
        app, ["users", "create", "--username", "u1", "--role", role], input="x" * 20 + "\n", env=_env(tmp_path)
    )
    assert result.exit_code == 2


def test_audit_verify_passes_then_reports_the_broken_entry(tmp_path: Path) -> None:
    env = _env(tmp_path)
    runner.invoke(app, ["db", "upgrade"], env=env)
    for name in ("u-one", "u-two", "u-three"):
        runner.invoke(app, ["users", "create", "--username", name, "--role", "auditor"], input="p" * 14 + "\n", env=env)
    ok = runner.invoke(app, ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and "3 entries" in ok.output
    with sqlite3.connect(tmp_path / "sp.db") as conn:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("UPDATE audit_log SET object_id = 'forged' WHERE seq = 2")
    bad = runner.invoke(app, ["audit", "verify"], env=env)
    assert bad.exit_code == 1 and "entry 2" in bad.output


def test_production_without_secrets_exits_with_a_clear_message(tmp_path: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"], env={**_env(tmp_path), "SAFEPASSAGE_ENV": "production"})
    assert result.exit_code == 2 and "Refusing to start in production" in result.output


def test_policy_docs_are_generated_from_the_table(tmp_path: Path) -> None:
    out = tmp_path / "authorisation.md"
    assert runner.invoke(app, ["policy", "docs", "--output", str(out)]).exit_code == 0
    text = out.read_text()
    assert all(role.value in text for role in Role) and "generated" in text


def test_committed_policy_docs_are_current() -> None:
    from safepassage.security.policy_docs import render

    committed = Path(__file__).resolve().parents[2] / "docs" / "authorisation.md"
    assert committed.read_text(encoding="utf-8") == render(), "run `safepassage policy docs`"


def test_anchors_kept_outside_reveal_a_truncated_log(tmp_path: Path) -> None:
    env = _env(tmp_path)
    runner.invoke(app, ["db", "upgrade"], env=env)
    anchors = tmp_path / "anchors.jsonl"
    for i, name in enumerate(("a-one", "a-two", "a-three")):
        runner.invoke(app, ["users", "create", "--username", name, "--role", "auditor"], input="p" * 14 + "\n", env=env)
        assert runner.invoke(app, ["audit", "anchor", "--out", str(anchors)], env=env).exit_code == 0, i
    ok = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)], env=env)
    assert ok.exit_code == 0 and "3 anchors hold" in ok.output
    with sqlite3.connect(tmp_path / "sp.db") as conn:  # an intruder removes the newest entry
        conn.execute("DROP TRIGGER audit_log_no_delete")
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    plain = runner.invoke(app, ["audit", "verify"], env=env)
    assert plain.exit_code == 0  # a chain cut at its end still verifies on its own …
    anchored = runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)], env=env)
    assert anchored.exit_code == 1 and "truncated" in anchored.output  # … the anchors show it
    forged = anchors.read_text().replace('"seq": 1', '"seq": 2', 1)
    anchors.write_text(forged)
    assert "bad signature" in runner.invoke(app, ["audit", "verify", "--anchors", str(anchors)], env=env).output


def test_serve_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--port", "1"], env=_env(tmp_path))
    assert result.exit_code == 2 and "db upgrade" in result.output
