"""The FastAPI application: JSON API, health check, self-hosted API docs."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text

from safepassage import __version__
from safepassage.config import Settings, load_settings
from safepassage.security.crypto import KeyRing
from safepassage.services import case_screening
from safepassage.store.db import make_engine
from safepassage.store.uow import Database
from safepassage.web import (
    api,
    api_decisions,
    api_documents,
    api_exclusion,
    api_screening,
    api_stats,
    api_watchlists,
    errors,
    pages,
)
from safepassage.web.middleware import BodyLimit, SecurityHeaders

STATIC = Path(__file__).with_name("static")

DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Safe Passage API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>"""


def database_from(settings: Settings) -> Database:
    """The database handle for these settings."""
    return Database(
        make_engine(settings.database_url),
        ring=KeyRing.of(settings.kek, *([settings.kek_previous] if settings.kek_previous else [])),
        secret_key=settings.secret_key,
        index_key=settings.index_key,
        cache_dir=settings.data_dir / "cache",
    )


def create_app(db: Database | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the app around a database (or the one the environment names)."""
    if db is None:
        db = database_from(settings or load_settings())
    app = FastAPI(
        title="Safe Passage API",
        version=__version__,
        description='Intake, case management and exclusion screening. Errors: {"error": {"code", "message"}}.',
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.db = db
    case_screening.register_database(db)  # a case entering screening shares this handle's watchlist index
    errors.install(app)
    app.include_router(api.router)
    app.include_router(api_stats.router)
    app.include_router(api_exclusion.router)
    app.include_router(api_watchlists.router)
    app.include_router(api_screening.router)
    app.include_router(api_decisions.router)
    app.include_router(api_documents.router)
    pages.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_HTML)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers and the database is reachable."""
        with db.uow(readonly=True) as uow:
            uow.session.execute(text("SELECT 1"))
        return {"status": "ok"}

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app
