"""Security headers on every response of every route in the inventory (success or error)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from safepassage.security.policy import Role
from safepassage.web.inventory import ROUTES
from safepassage.web.middleware import HEADERS
from tests.conftest import Env

SOME_ID = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("route", sorted(ROUTES), ids=lambda r: f"{r[0]} {r[1]}")
def test_every_route_sends_the_security_headers(client: TestClient, env: Env, route: tuple[str, str]) -> None:
    method, path = route
    path = path.replace("{case_id}", SOME_ID).replace("{request_id}", SOME_ID)
    for headers in ({}, env.headers(Role.CASEWORKER)):
        r = client.request(method, path, headers=headers, follow_redirects=False)
        for name, value in HEADERS.items():
            if name == "cache-control" and path.startswith("/static/"):
                continue
            assert r.headers.get(name) == value, (route, name, r.status_code)
        assert "server" not in r.headers and "x-powered-by" not in r.headers


def test_unknown_paths_and_methods_get_headers_and_the_error_shape(client: TestClient) -> None:
    for method, path in (("GET", "/nope"), ("DELETE", "/api/cases"), ("PUT", "/api/status")):
        r = client.request(method, path)
        assert (
            r.status_code in (404, 405) and r.headers["content-security-policy"] == HEADERS["content-security-policy"]
        )


def test_api_docs_load_nothing_from_third_parties(client: TestClient) -> None:
    html = client.get("/api/docs").text
    assert "http://" not in html and "https://" not in html and "<script>" not in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
