"""The `screen` command: output format, errors with exit codes, no personal data on the terminal."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from safepassage.screening.cli import screen

REPO = Path(__file__).resolve().parents[3]

app = typer.Typer()
app.command("screen")(screen)


@app.callback()
def _root() -> None:
    """Test app (a callback keeps `screen` a subcommand)."""


WATCHLIST = [
    {"id": "wl-1", "schema": "Person", "properties": {"name": ["Сидоров Павел Ильич"], "birthDate": ["1982-09-05"]}},
    {"id": "wl-2", "schema": "Person", "properties": {"name": ["Петрова Мария Ивановна"], "birthDate": ["1990"]}},
    {"id": "wl-3", "schema": "Person", "properties": {"name": ["Сидоров Павел Андреевич"], "birthDate": ["1970"]}},
]
QUERIES = [
    {"id": "q-1", "schema": "Person", "properties": {"name": ["Pavel Ilyich Sidorov"], "birthDate": ["1982-09-05"]}},
    {"id": "q-2", "schema": "Person", "properties": {"firstName": ["Maria"], "lastName": ["Petrova"]}},
    {"id": "q-3", "schema": "Person", "properties": {"name": ["John Smith"]}},
]


def jsonl(path: Path, rows: list[dict[str, object]], extra: list[str] | None = None) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in rows] + (extra or [])
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path, Path]:
    return jsonl(tmp_path / "w.jsonl", WATCHLIST), jsonl(tmp_path / "q.jsonl", QUERIES), tmp_path / "out.jsonl"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["screen", *args])
    return result.exit_code, result.output


def test_screen_writes_one_ranked_line_per_query(files: tuple[Path, Path, Path]) -> None:
    w, q, out = files
    code, output = run("--watchlist", str(w), "--queries", str(q), "--out", str(out), "--top", "2", "--quiet")
    assert code == 0, output
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [x["query_id"] for x in lines] == ["q-1", "q-2", "q-3"]
    first = lines[0]["matches"]
    assert first[0]["entity_id"] == "wl-1" and first[0]["match"] is True and first[0]["review"] is True
    assert "surname" in first[0]["explanation"]
    assert len(first) <= 2 and first[0]["score"] >= first[-1]["score"]
    assert lines[1]["matches"][0]["entity_id"] == "wl-2"
    assert not any(m["match"] for m in lines[2]["matches"])
    # nothing personal on the terminal
    assert "Sidorov" not in output and "Сидоров" not in output


def test_csv_watchlist_and_saved_index(tmp_path: Path, files: tuple[Path, Path, Path]) -> None:
    _, q, out = files
    csv = tmp_path / "w.csv"
    csv.write_text("id,name,birth_date\nwl-1,Сидоров Павел Ильич,1982-09-05\n", encoding="utf-8")
    index = tmp_path / "w.npz"
    args = ["--watchlist", str(csv), "--queries", str(q), "--out", str(out), "--index", str(index), "--quiet"]
    assert run(*args)[0] == 0
    assert index.is_file()
    first = out.read_text(encoding="utf-8")
    assert run(*args)[0] == 0  # second run loads the index
    assert out.read_text(encoding="utf-8") == first


def test_missing_file_is_a_clear_error(tmp_path: Path, files: tuple[Path, Path, Path]) -> None:
    _, q, out = files
    code, output = run("--watchlist", str(tmp_path / "nope.jsonl"), "--queries", str(q), "--out", str(out))
    assert code == 2
    assert "watchlist file not found" in output


def test_malformed_line_strict_exits_2_naming_the_line(tmp_path: Path, files: tuple[Path, Path, Path]) -> None:
    w, _, out = files
    q = jsonl(tmp_path / "bad.jsonl", QUERIES[:1], ["{oops"])
    code, output = run("--watchlist", str(w), "--queries", str(q), "--out", str(out), "--strict", "--quiet")
    assert code == 2
    assert "line 2" in output


def test_malformed_line_lenient_is_reported_and_skipped(tmp_path: Path, files: tuple[Path, Path, Path]) -> None:
    w, _, out = files
    q = jsonl(tmp_path / "bad.jsonl", QUERIES[:1], ["{oops"])
    code, output = run("--watchlist", str(w), "--queries", str(q), "--out", str(out), "--quiet")
    assert code == 0
    assert "skipped 1 malformed line" in output and "line 2" in output
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1


def test_installed_console_script(files: tuple[Path, Path, Path]) -> None:
    exe = REPO / ".venv" / "bin" / "safepassage"
    if not exe.exists() and shutil.which("safepassage") is None:
        pytest.skip("safepassage console script not installed")
    cmd = str(exe) if exe.exists() else "safepassage"
    w, q, out = files
    proc = subprocess.run(
        [cmd, "screen", "--watchlist", str(w), "--queries", str(q), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode != 0 and "No such command" in proc.stderr:
        pytest.skip("screen command not registered in the main CLI yet")
    assert proc.returncode == 0, proc.stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3
    assert "Сидоров" not in proc.stdout + proc.stderr
