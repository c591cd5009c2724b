"""Set-up for the generated web tests on watchlist and match routes (authorisation matrix, CSRF)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from safepassage.services import watchlists
from safepassage.store.uow import Actor
from tests.conftest import Env

LIST = "matrix-list"


def seed_list(env: Env) -> None:
    """One small list with two versions, so that diffs and pages have something to show."""
    with tempfile.TemporaryDirectory() as tmp:
        for n, names in enumerate((["Вымысел Примеров", "Ґанна Вигадана"], ["Вымысел Примеров", "Їжак Новий"])):
            path = Path(tmp) / f"v{n}.jsonl"
            path.write_text("".join(json.dumps({"id": f"m-{name}", "schema": "Person", "properties": {
                "name": [name]}}, ensure_ascii=False) + "\n" for name in names), encoding="utf-8")
            watchlists.import_watchlist(env.db, actor=Actor.system(), name=LIST, path=path)


def request_for(client: TestClient, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None] | None:
    """A valid request for a watchlist or match route; None for other routes."""
    if path.startswith("/api/match/"):
        query = {"queries": {"q": {"schema": "Person", "properties": {"name": ["Vymysel Primerov"]}}}}
        return method, path.replace("{dataset}", "default"), query
    if not path.startswith(("/api/watchlists", "/console/watchlists")):
        return None
    if "{name}" in path:
        seed_list(env)
        path = path.replace("{name}", LIST)
    body = None
    if method == "POST" and path.startswith("/api/"):
        body = {"format": "csv", "content": "id,name\nm-1,Остап Вигаданий\n"}
    return method, path, body
