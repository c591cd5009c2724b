"""Helpers for the page tests: browser-like requests, form tokens, fields and errors read back from HTML."""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import PASSWORD

HTML = {"accept": "text/html,application/xhtml+xml"}


def token(page: str) -> str:
    """The CSRF token of the (first) form on a page."""
    m = re.search(r'name="csrf" value="([^"]+)"', page)
    assert m, "no CSRF token on the page"
    return m.group(1)


def errors(page: str) -> dict[str, str]:
    """Per-field error messages on a page, by field name."""
    return {k: html.unescape(v) for k, v in re.findall(r'<p class="error" id="e-([^"]+)">(.*?)</p>', page, re.S)}


def summary(page: str) -> list[str]:
    """The messages of the error summary."""
    box = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    if not box:
        return []
    return [html.unescape(re.sub(r"<[^>]+>", "", m)) for m in re.findall(r"<li>(.*?)</li>", box.group(0))]


def value(page: str, name: str) -> str | None:
    """The value a text input shows."""
    m = re.search(rf'name="{re.escape(name)}" type="[a-z]+" value="([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


def heading(page: str) -> str:
    """The page's h1, as text."""
    m = re.search(r"<h1>(.*?)</h1>", page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", m.group(1))).strip() if m else ""


def browser(client: TestClient) -> TestClient:
    """The client, sending what a browser sends (Accept: text/html)."""
    client.headers.update(HTML)
    return client


def apply(client: TestClient, lang: str = "ru", pathways: tuple[str, ...] = ("mobilization_evader",),
          **fields: Any) -> tuple[str, str, str]:
    """Go through every step of the application form; returns (receipt, passphrase, last page)."""
    page = client.get(f"/{lang}/apply").text
    data: dict[str, Any] = {"csrf": token(page), "pathway": list(pathways), "first_name": "Алексей",
                            "last_name": "Петров", **fields}
    step = "pathways"
    for _ in range(8):
        r = client.post(f"/{lang}/apply", data={**data, "step": step, "nav": "send" if step == "review" else "next"})
        assert r.status_code == 200, r.text[:500]
        m = re.search(r'name="step" value="(\w+)"', r.text)
        if m is None:
            receipt = re.search(r'id="receipt">([^<]+)<', r.text)
            passphrase = re.search(r'id="passphrase">([^<]+)<', r.text)
            assert receipt and passphrase, (summary(r.text), errors(r.text))
            return receipt.group(1), passphrase.group(1), r.text
        assert m.group(1) != step or step == "review", (step, errors(r.text), summary(r.text))
        step = m.group(1)
    raise AssertionError("the form never ended")


def login(client: TestClient, username: str, lang: str = "ru") -> TestClient:
    """Log a template user in through the console's login page (cookie session)."""
    page = client.get(f"/{lang}/console/login").text
    r = client.post(f"/{lang}/console/login", data={"csrf": token(page), "username": username, "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303, summary(r.text)
    return client
