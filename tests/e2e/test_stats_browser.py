"""The statistics dashboard and the public statistics page in a real Chromium, in every language.

Strict CSP (not bypassed): the charts must draw with no script, no inline style and no console error.
A screenshot of each goes under test-output/screenshots/.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from safepassage.i18n import LANGUAGES
from safepassage.services import statistics
from safepassage.store.models import Case, StageEvent
from safepassage.store.types import utcnow
from tests.conftest import Env
from tests.e2e import steps
from tests.e2e.conftest import shot
from tests.stats_util import build

pytestmark = [pytest.mark.browser, pytest.mark.db]


def _backdate(env: Env, days: int) -> None:
    shift = timedelta(days=days)
    with env.db.uow() as uow:
        for ev in uow.session.query(StageEvent).all():
            ev.at = ev.at - shift
        for case in uow.session.query(Case).all():
            case.created_at, case.updated_at = case.created_at - shift, case.updated_at - shift
            case.stage_changed_at = case.stage_changed_at - shift
        uow.commit()


@pytest.mark.parametrize("env", ["sqlite"], indirect=True)  # the pages do not depend on the backend
@pytest.mark.parametrize("lang", LANGUAGES)
def test_dashboard_and_public_page_in_chromium(new_page: Any, env: Env, lang: str) -> None:
    build(env)
    build(env)
    page, watch = new_page(phone=False)
    steps.login(page, "supervisor", lang)
    page.click(f"nav.menu a[href='/{lang}/console/stats']")
    page.wait_for_url(f"**/{lang}/console/stats")
    charts = page.locator("figure.chart svg.pygal-chart")
    assert charts.count() == 6
    box = charts.first.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100
    # the stylesheet applied: bars are coloured, not the default black
    fill = page.evaluate("getComputedStyle(document.querySelector('svg.pygal-chart .color-0')).fill")
    assert fill not in ("", "rgb(0, 0, 0)"), fill
    assert page.locator("td.num").count() > 50
    assert page.locator("#by-destination tbody tr").count() == 7  # the steps after a decision
    assert page.locator("#by-destination thead th").count() == 3  # step, EU, other route
    shot(page, f"{lang}-console-stats")
    page.fill("#s-from", "2026-31-01")
    page.click("form.filters button[type=submit]")
    assert page.locator("#e-period").is_visible()
    shot(page, f"{lang}-console-stats-error")
    watch.check()

    _backdate(env, 200)
    public, pwatch = new_page()
    public.goto(f"/{lang}/")
    public.click(f"a[href='/{lang}/stats']")
    quarter = statistics.closed_quarters(utcnow().date())[0]
    assert quarter in public.content()
    assert public.locator("svg.pygal-chart").count() == 1
    shot(public, f"{lang}-public-stats")
    pwatch.check()
