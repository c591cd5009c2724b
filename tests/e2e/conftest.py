"""Real headless Chromium (Debian's `chromium`) driven by Playwright, against a real server on the test database.

With CI=true a missing browser is a failure; elsewhere the browser tests are skipped. The server is
uvicorn in a thread, serving the app on the `env` database (SQLite and PostgreSQL) on a free port.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, Env

CHROMIUM = os.environ.get("SAFEPASSAGE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-output" / "screenshots"
AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"


def _unavailable() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} not found (apt-get install chromium)"
    return ""


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium for the session (each test gets fresh contexts)."""
    missing = _unavailable()
    if missing:
        if IN_CI:
            pytest.fail(f"CI=true requires the browser tests: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(env: Env) -> Iterator[str]:
    """The app on the test database, served by uvicorn in a thread; yields its base URL."""
    import uvicorn

    from safepassage.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(env.db), host="127.0.0.1", port=port, log_level="warning",
                            access_log=False, lifespan="off", server_header=False)
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@dataclass
class Watch:
    """What a page did that it must not: requests elsewhere, console errors (CSP violations among them)."""

    base: str
    foreign: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        """Fail on any third-party request or console error."""
        assert not self.foreign, f"third-party requests: {self.foreign}"
        assert not self.console_errors, f"console errors: {self.console_errors}"


def _is_error(message: Any) -> bool:
    # A page answered with 4xx on purpose (409 conflict, 404) is logged as "Failed to load resource": not a fault.
    return bool(message.type == "error" and "the server responded with a status of 4" not in message.text)


@pytest.fixture
def new_page(browser: Any, server: str) -> Iterator[Any]:
    """new_page(js=True, bypass_csp=False, phone=True) → (page, watch): a fresh context each call, watched."""
    contexts = []
    watches: list[Watch] = []

    def make(js: bool = True, bypass_csp: bool = False, phone: bool = True) -> tuple[Any, Watch]:
        viewport = {"width": 412, "height": 915} if phone else {"width": 1280, "height": 800}
        ctx = browser.new_context(base_url=server, java_script_enabled=js, bypass_csp=bypass_csp, viewport=viewport)
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        watch = Watch(server)
        page.on("request", lambda r: None if r.url.startswith((server, "data:")) else watch.foreign.append(r.url))
        page.on("console", lambda m: watch.console_errors.append(m.text) if _is_error(m) else None)
        watches.append(watch)
        return page, watch

    yield make
    for ctx in contexts:
        ctx.close()
    for w in watches:
        w.check()


def run_axe(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page (the page's context must bypass CSP)."""
    page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map(n => n.target)}))"""
    )
    return found


def shot(page: Any, name: str) -> Path:
    """Save a full-page screenshot under test-output/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
