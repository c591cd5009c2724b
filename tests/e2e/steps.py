"""Browser steps shared by the end-to-end tests: what a person does, click by click."""

from __future__ import annotations

from typing import Any

from safepassage.domain.pathways import MILITARY_PATHWAYS
from tests.conftest import PASSWORD


def apply(page: Any, lang: str, pathways: tuple[str, ...] = ("mobilization_evader",), first: str = "Алексей",
          last: str = "Петров", shots: Any = None) -> tuple[str, str]:
    """Fill in the application from the start page to the receipt; returns (receipt, passphrase)."""
    page.goto(f"/{lang}/")
    page.click(f"main a[href='/{lang}/apply']")
    _snap(shots, page, "apply-1-pathways")
    for p in pathways:
        page.check(f"#p-{p}")
    page.click("button[value=next]")
    page.fill("#f-first_name", first)
    page.fill("#f-last_name", last)
    page.fill("#f-birth_date", "23.04.1990")
    page.select_option("#f-citizenship", "ru")
    _snap(shots, page, "apply-2-person")
    page.click("button[value=next]")
    if set(pathways) & set(MILITARY_PATHWAYS):
        page.select_option("#f-service_status", "mobilised")
        page.fill("#f-unit", "в/ч 00000")
        _snap(shots, page, "apply-3-service")
        page.click("button[value=next]")
    page.select_option("#f-fam0_relationship", "child")
    page.fill("#f-fam0_first", "Оля")
    page.fill("#f-fam0_birth", "2016")
    _snap(shots, page, "apply-4-family")
    page.click("button[value=next]")
    page.fill("#f-narrative", "Получил повестку. {{ 7*7 }} <script>alert(1)</script>")
    _snap(shots, page, "apply-5-story")
    page.click("button[value=next]")
    _snap(shots, page, "apply-6-review")
    page.click("button[value=send]")
    receipt = page.text_content("#receipt")
    passphrase = page.text_content("#passphrase")
    _snap(shots, page, "apply-7-receipt")
    assert receipt and passphrase
    return receipt.strip(), passphrase.strip()


def status(page: Any, lang: str, receipt: str, passphrase: str) -> str:
    """Check the status; returns the stage code shown."""
    page.goto(f"/{lang}/status")
    page.fill("#f-receipt", receipt)
    page.fill("#f-passphrase", passphrase)
    page.click("main button[type=submit]")
    stage = page.get_attribute("#stage", "data-stage")
    assert stage
    return stage


def login(page: Any, username: str, lang: str = "en") -> None:
    """Log in on the console's login page."""
    page.goto(f"/{lang}/console/login")
    page.fill("#f-username", username)
    page.fill("#f-password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"**/{lang}/console")


def _snap(shots: Any, page: Any, name: str) -> None:
    if shots is not None:
        shots(page, name)
