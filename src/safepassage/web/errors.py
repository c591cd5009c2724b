"""One error shape for every failure: {"error": {"code", "message"}} — never a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from safepassage.domain.errors import DomainError

log = logging.getLogger("safepassage.web")


def error_response(status: int, code: str, message: str) -> JSONResponse:
    """The JSON error body every endpoint uses."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    # Name the fields and what is wrong; never echo the submitted values (they may be personal data).
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    return "Invalid request — " + "; ".join(parts)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into the error shape."""

    @app.exception_handler(DomainError)
    async def _domain(_: Request, exc: DomainError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(422, "invalid_input", _validation_message(exc))

    @app.exception_handler(StaleDataError)
    async def _stale(_: Request, __: StaleDataError) -> JSONResponse:
        return error_response(409, "stale_version", "This case was changed by someone else. Reload and retry.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        codes = {
            400: "malformed_request",
            401: "unauthenticated",
            404: "not_found",
            405: "method_not_allowed",
            413: "too_large",
        }
        message = exc.detail if isinstance(exc.detail, str) else "Request refused."
        if exc.status_code == 404 and message == "Not Found":
            message = "No such resource."
        if exc.status_code == 400:  # FastAPI's answer to a body it cannot decode (not UTF-8, say)
            message = "The request body could not be read: send JSON encoded as UTF-8."
        return error_response(exc.status_code, codes.get(exc.status_code, "http_error"), message)

    @app.exception_handler(Exception)
    async def _crash(_: Request, exc: Exception) -> JSONResponse:
        # Log the exception type only: messages and tracebacks can carry personal data.
        log.error("unhandled error", extra={"error_type": type(exc).__name__})
        return error_response(500, "internal_error", "Something went wrong on our side; nothing was changed.")
