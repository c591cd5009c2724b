"""ASGI middleware: security headers on every response and a hard cap on request body size."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from safepassage.web.too_large import too_large_page

MAX_BODY = 1_000_000  # bytes; the largest legitimate request (an application) is far smaller
#: Document uploads (10 MiB per file, see services/documents.py) plus room for the form's other fields.
MAX_UPLOAD_BODY = 10 * 1024 * 1024 + 256 * 1024
UPLOAD_PATHS = re.compile(
    r"^(/(ru|uk|en|be))?(/api|/console)?(/cases/[0-9a-fA-F-]{36}/documents|/status/answer)$"
)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cache-control": "no-store",
}


class SecurityHeaders:
    """Adds the headers above to every response and removes any `server` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for key, value in HEADERS.items():
                    if key == "content-security-policy" and "sandbox" in headers.get(key, ""):
                        continue  # a download's stricter policy (services/documents.py) stays
                    if key == "cache-control" and scope["path"].startswith("/static/"):
                        headers[key] = "public, max-age=86400"
                        continue
                    headers[key] = value
                if "server" in headers:
                    del headers["server"]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses bodies over MAX_BODY with 413 before the app reads them."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_UPLOAD_BODY if UPLOAD_PATHS.match(scope["path"]) else self.limit
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, scope)
            return
        seen, too_large, started = 0, False, False

        async def counting_receive() -> Message:
            nonlocal seen, too_large
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    too_large = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            # The framework may catch _TooLarge and answer for itself (FastAPI says 400, "error parsing the
            # body"): once the cap is hit, whatever the app sends is dropped and 413 goes out instead.
            if too_large and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except _TooLarge:
            pass
        if too_large and not started:
            await _too_large(send, scope)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, scope: Scope) -> None:
    page = too_large_page(scope)  # a browser's upload gets a page in its language
    body = page or b'{"error":{"code":"too_large","message":"The request is too large."}}'
    kind = b"text/html; charset=utf-8" if page else b"application/json"
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
