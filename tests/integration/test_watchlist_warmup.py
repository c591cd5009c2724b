"""A real server builds the watchlist index as it starts, before any request needs it.

Without the warm-up, the first case entering screening (or the first match query) after a restart
waits for the whole index to be built — seconds at 100k listed persons, a minute and more at 1M.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from safepassage.services import watchlists
from safepassage.store.uow import Actor
from tests.conftest import KEK, SECRET, Env
from tests.serverproc import ServerProcess

pytestmark = pytest.mark.db


def _listed(path: Path) -> Path:
    rows = [
        {"id": "wl-1", "schema": "Person", "properties": {"name": ["Фёдор Ёжиков"], "birthDate": ["1980-01-02"]}},
        {"id": "wl-2", "schema": "Person", "properties": {"name": ["Ґанна Їжак\u200b"], "alias": ["<b>{{ x }}</b>"]}},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_server_builds_the_index_at_start_without_a_request(env: Env, tmp_path: Path) -> None:
    watchlists.import_watchlist(env.db, actor=Actor.system(), name="warm", path=_listed(tmp_path / "l.jsonl"))
    url = env.db.engine.url.render_as_string(hide_password=False)
    with ServerProcess(url, kek=KEK, secret_key=SECRET, data_dir=tmp_path / "server") as srv:
        assert httpx.get(srv.base_url + "/healthz", timeout=30).status_code == 200
        deadline = time.monotonic() + 60
        while "watchlist.index_ready" not in srv.stderr_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        logged = srv.stderr_text()
    assert "watchlist.index_ready" in logged, logged[-2000:]
    assert "Ёжиков" not in logged and "Їжак" not in logged  # the log line names no listed person
