"""Server-rendered pages: the applicant portal (public) and the staff console, as separate routers."""

from __future__ import annotations

from fastapi import FastAPI

from safepassage.web.pages.common import LanguagePrefix


def install(app: FastAPI) -> None:
    """Add the portal and console routers and the language-prefix middleware to the app."""
    from safepassage.web.pages import console, console_intake, decisions, documents, portal, portal_answers

    # Added as plain routes (not an included router) so the app's route list — and the route-inventory
    # test that reads it — shows every page; they stay out of the OpenAPI document.
    for router in (portal.router, console.router, console_intake.router, documents.router, portal_answers.router,
                   decisions.console, decisions.portal):
        app.router.routes.extend(router.routes)
    from safepassage.web.pages import screening  # queue, hit page, case-page panels (issue 6)

    app.router.routes.extend(screening.router.routes)
    from safepassage.web.pages import watchlists

    app.router.routes.extend(watchlists.router.routes)
    from safepassage.web.pages import exclusion  # Art. 1F records, referrals: forms, case-page panel

    app.router.routes.extend(exclusion.router.routes)
    from safepassage.web.pages import stats  # dashboard, public statistics, arrival panel (issue 8)

    app.router.routes.extend([*stats.console_router.routes, *stats.public_router.routes])
    app.add_middleware(LanguagePrefix)
