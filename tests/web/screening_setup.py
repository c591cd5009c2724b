"""Set-up for the generated route tests: a real screening hit, incident flag or possible duplicate."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Env
from tests.screening_support import apply, case_with_duplicate, case_with_flag, case_with_hit

_OURS = ("/screening", "/hits/", "/flags", "/duplicates")


def request_for(client: TestClient, env: Env, method: str, path: str) -> tuple[str, str, dict[str, Any] | None] | None:
    """(method, path, body) for a screening route; None for anyone else's route."""
    if not any(part in path for part in _OURS):
        return None
    body: dict[str, Any] | None = None
    if path.endswith("/dispositions") or "{hit_id}" in path:
        case_id, hit = case_with_hit(client, env)
        path = path.replace("{hit_id}", hit["id"])
        body = {"hit_id": hit["id"], "disposition": "false_positive", "reason": "Другой год рождения {{ x }}",
                "version": hit["version"]}
    elif path.endswith("/acknowledgements") or path.endswith("/flags"):
        case_id, flag = case_with_flag(client, env)
        body = {"flag_id": flag["id"], "note": "Интервью: март 2022 <b>"}
    elif path.endswith("/duplicates/decisions") or (method == "POST" and path.endswith("/duplicates")):
        case_id, link = case_with_duplicate(client, env)
        body = {"link_id": link["id"], "decision": "dismissed"}
    else:
        case_id = apply(client)["case_id"]
    return method, path.replace("{case_id}", case_id), body
