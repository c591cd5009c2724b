"""`safepassage incidents import` as an operator runs it: bad lines named by number, --strict refuses the file,
nothing personal on the terminal; `safepassage rescreen` reports counts only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from safepassage.cli import app

runner = CliRunner()
HEADER = "ref,unit,place,start,end,summary,source\n"
GOOD = 'bucha-1,"234-й дшп","Буча",2022-03-03,2022-03-30,"Yablunska Street","NYT, 22 Dec 2022"\n'


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SAFEPASSAGE_DATA_DIR": str(tmp_path), "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}"}


def _count(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / "sp.db") as conn:
        return int(conn.execute("SELECT count(*) FROM incidents").fetchone()[0])


def test_incidents_import_reports_bad_lines_by_number_and_strict_refuses(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    csv = tmp_path / "incidents.csv"
    csv.write_text(HEADER + GOOD + 'bad-date,"в/ч 1","Ізюм",2022-13-01,2022-09-01,"x","src"\n'
                   + 'no-source,"в/ч 2","Ізюм",2022-04-01,2022-09-01,"x",""\n'
                   + 'backwards,"в/ч 3","",2022-09-01,2022-04-01,"<script>","src"\n', encoding="utf-8")
    strict = runner.invoke(app, ["incidents", "import", str(csv), "--strict"], env=env)
    assert strict.exit_code == 2 and "line 3" in strict.output and _count(tmp_path) == 0
    loose = runner.invoke(app, ["incidents", "import", str(csv)], env=env)
    assert loose.exit_code == 0, loose.output
    assert "1 added, 0 updated, 3 bad lines" in loose.output
    for line, reason in (("line 3", "not a real date"), ("line 4", "source is required"), ("line 5", "after end")):
        assert f"{line}: " in loose.output and reason in loose.output
    again = runner.invoke(app, ["incidents", "import", str(csv)], env=env)
    assert "0 added, 1 updated" in again.output and _count(tmp_path) == 1
    missing = runner.invoke(app, ["incidents", "import", str(tmp_path / "nope.csv")], env=env)
    assert missing.exit_code == 2 and "No such file" in missing.output
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("ref,unit\nx,y\n", encoding="utf-8")
    header = runner.invoke(app, ["incidents", "import", str(wrong)], env=env)
    assert header.exit_code == 2 and "missing columns" in header.output


def test_rescreen_on_an_empty_database_reports_counts(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    out = runner.invoke(app, ["rescreen", "--quiet"], env=env)
    assert out.exit_code == 0, out.output
    assert "re-screened 0 of 0 due cases against no watchlist" in out.output
