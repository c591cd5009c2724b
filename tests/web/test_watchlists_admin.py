"""Watchlist administration through the API, the console page and the command line."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from safepassage.cli import app
from safepassage.security.policy import Role
from tests.conftest import Env
from tests.web.pages_util import browser, errors, login, summary, token

V1 = "id,first_name,last_name,birth_date\nw1,Ґрицько,Вигаданий,1980-01-02\nw2,Олена,Примерова,\nbroken\n"
V2 = "id,first_name,last_name,birth_date\nw1,Ґрицько,Вигаданий,1980-02-01\nw3,Їржі,Новий,1999\n"


def test_analyst_uploads_versions_and_reads_lists_and_diffs_through_the_api(client: TestClient, env: Env) -> None:
    h = env.headers(Role.SCREENING_ANALYST)
    r = client.post("/api/watchlists/ngo-list/versions", json={"format": "csv", "source": "NGO <b>x</b>",
                                                              "content": V1}, headers=h)
    assert r.status_code == 201, r.text
    bad = [{"line": 4, "message": "expected 4 columns, found 1"}]
    assert (r.json()["version"], r.json()["added"], r.json()["issues"]) == (1, 2, bad)
    r = client.post("/api/watchlists/ngo-list/versions", json={"format": "csv", "content": V2}, headers=h)
    assert (r.json()["version"], r.json()["added"], r.json()["removed"], r.json()["changed"]) == (2, 1, 1, 1)
    lists = client.get("/api/watchlists", headers=h).json()["items"]
    assert [(v["number"], v["status"], v["total"]) for v in lists[0]["versions"]] == [(2, "current", 2),
                                                                                        (1, "superseded", 2)]
    d = client.get("/api/watchlists/ngo-list/diff", headers=h).json()
    assert [e["caption"] for e in d["added"]] == ["Їржі Новий"] and [e["entity_id"] for e in d["removed"]] == ["w2"]
    assert d["changed"][0]["birth_dates"] == ["1980-02-01"]
    d01 = client.get("/api/watchlists/ngo-list/diff", params={"from": 0, "to": 1}, headers=h).json()
    assert {e["entity_id"] for e in d01["added"]} == {"w1", "w2"}
    assert client.get("/api/watchlists/ngo-list/diff", params={"to": 9}, headers=h).status_code == 422
    assert client.get("/api/watchlists/other/diff", headers=h).status_code == 404
    for role in (Role.CASEWORKER, Role.ADJUDICATOR, Role.AUDITOR):
        assert client.get("/api/watchlists", headers=env.headers(role)).status_code == 403
    assert client.get("/api/watchlists").status_code == 401


def test_a_bad_upload_changes_nothing(client: TestClient, env: Env) -> None:
    h = env.headers(Role.ADMIN)
    for payload, status in (
        ({"format": "csv", "content": "name\nx\n"}, 422),  # no id column
        ({"format": "ftm", "content": "{bad\n\n"}, 422),  # no usable person
        ({"format": "xml", "content": "x"}, 422),
        ({"format": "ftm", "content": "x" * 1_100_000}, 413),
    ):
        r = client.post("/api/watchlists/ngo-list/versions", json=payload, headers=h)
        assert r.status_code == status, r.text
        assert client.get("/api/watchlists", headers=h).json()["items"] in (
            [], [{"name": "ngo-list", "source": "", "current_version": 0, "versions": []}])


def test_the_console_page_lists_versions_uploads_a_file_and_shows_a_diff(client: TestClient, env: Env) -> None:
    c = login(browser(client), "screening-analyst", lang="uk")
    page = c.get("/uk/console/watchlists").text
    assert "Watchlists" not in page  # translated
    files = {"file": ("list.csv", V1.encode(), "text/csv")}
    r = c.post("/uk/console/watchlists", data={"csrf": token(page), "name": "ngo-list", "format": "csv",
                                               "source": "NGO"}, files=files)
    assert r.status_code == 200, summary(r.text)
    assert "ngo-list" in r.text and "expected 4 columns" in r.text
    r = c.post("/uk/console/watchlists", data={"csrf": token(page), "name": "ngo-list", "format": "csv"},
               files={"file": ("list.csv", V2.encode(), "text/csv")})
    diff = c.get("/uk/console/watchlists/ngo-list").text
    assert "Їржі Новий" in diff and "Олена Примерова" in diff
    missing = c.post("/uk/console/watchlists", data={"csrf": token(page), "name": "", "format": "csv"})
    assert missing.status_code == 200 and set(errors(missing.text)) == {"name", "file"}
    bad = c.post("/uk/console/watchlists", data={"csrf": token(page), "name": "ngo-list", "format": "ftm"},
                 files={"file": ("x.jsonl", b"{nope\n", "application/json")})
    assert bad.status_code == 200 and any("no usable persons" in m for m in summary(bad.text))
    assert c.get("/uk/console/watchlists/unknown").status_code == 404


def test_pages_are_refused_to_roles_without_the_grant(client: TestClient, env: Env) -> None:
    c = login(browser(client), "caseworker")
    assert c.get("/ru/console/watchlists").status_code == 403
    assert "/console/watchlists" not in c.get("/ru/console").text


runner = CliRunner()


def _env(tmp_path: Path) -> dict[str, str]:
    return {"SAFEPASSAGE_DATA_DIR": str(tmp_path), "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{tmp_path / 'sp.db'}",
            "COLUMNS": "200"}


def test_cli_imports_lists_and_diffs_with_line_numbers(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    v1 = tmp_path / "v1.jsonl"
    v1.write_text("\n".join([
        json.dumps({"id": "a", "schema": "Person", "properties": {"name": ["Ёжик Туманов"]}}, ensure_ascii=False),
        "{broken",
        json.dumps({"id": "b", "schema": "Person", "properties": {"name": ["Заяц Косой"]}}, ensure_ascii=False),
    ]) + "\n", encoding="utf-8")
    r = runner.invoke(app, ["watchlist", "import", str(v1), "--name", "forest", "--source", "tale", "--quiet"], env=env)
    assert r.exit_code == 0, r.output
    assert "line 2: invalid JSON" in r.output and "version 1" in r.output and "2 persons" in r.output
    v2 = tmp_path / "v2.csv"
    v2.write_text("id,name\na,Ёжик Туманов\nc,Медвежонок\n", encoding="utf-8")
    r = runner.invoke(app, ["watchlist", "import", str(v2), "--name", "forest", "--format", "csv", "--quiet"], env=env)
    assert r.exit_code == 0 and "1 added, 1 removed, 0 changed" in r.output, r.output
    listing = runner.invoke(app, ["watchlist", "list"], env=env)
    assert listing.exit_code == 0 and "forest" in listing.output and "superseded" in listing.output
    d = runner.invoke(app, ["watchlist", "diff", "forest", "--from", "1", "--to", "2"], env=env)
    assert d.exit_code == 0 and "Медвежонок" in d.output and "Заяц Косой" in d.output, d.output
    assert "1 added, 1 removed, 0 changed." in d.output
    strict = runner.invoke(app, ["watchlist", "import", str(v1), "--name", "forest", "--strict", "--quiet"], env=env)
    assert strict.exit_code == 2 and "Line 2" in strict.output
    missing = runner.invoke(app, ["watchlist", "import", str(tmp_path / "nope.jsonl"), "--name", "forest"], env=env)
    assert missing.exit_code == 2
    assert runner.invoke(app, ["watchlist", "diff", "nothing"], env=env).exit_code == 2


def test_cli_tokens_are_printed_once_listed_without_secret_and_revoked(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    made = runner.invoke(app, ["tokens", "create", "--name", "partner", "--role", "screening_analyst"], env=env)
    assert made.exit_code == 0, made.output
    secret = made.stdout.strip().splitlines()[-1]
    assert secret.startswith("sptok_") and len(secret) > 40
    listing = runner.invoke(app, ["tokens", "list"], env=env)
    assert "partner" in listing.output and secret not in listing.output
    refused = runner.invoke(app, ["tokens", "create", "--name", "adm", "--role", "admin"], env=env)
    assert refused.exit_code == 2 and "match API" in refused.output
    assert runner.invoke(app, ["tokens", "revoke", "partner"], env=env).exit_code == 0
    assert runner.invoke(app, ["tokens", "revoke", "nobody"], env=env).exit_code == 2


def test_a_diff_is_cut_at_the_limit_but_counts_everyone(client: TestClient, env: Env) -> None:
    h = env.headers(Role.SCREENING_ANALYST)
    rows = "".join(f"x{i},Особа{i} Тестова\n" for i in range(30))
    assert client.post("/api/watchlists/big/versions", json={"format": "csv", "content": "id,name\n" + rows},
                       headers=h).status_code == 201
    d = client.get("/api/watchlists/big/diff", params={"limit": 7}, headers=h).json()
    assert len(d["added"]) == 7 and d["counts"] == {"added": 30, "removed": 0, "changed": 0}
