"""The answer a browser gets when an upload is over the body limit: a short page in its language, not JSON.

The limit is enforced by the BodyLimit middleware before any route runs, so this page is built from the
request line alone: the language prefix and where to go back to (never anything that was sent).
Its two messages are extracted for translation from `web/pages/documents.py`.
"""

from __future__ import annotations

import re
from html import escape

from starlette.types import Scope

from safepassage.i18n import DEFAULT, LANGUAGES, translations

MAX_MB = 10
_UPLOAD = re.compile(
    r"^(?:/(?P<lang>ru|uk|en|be))?(?P<page>/console/cases/[0-9a-fA-F-]{36})?(?:/documents|/status/answer)$"
)


def too_large_page(scope: Scope) -> bytes | None:
    """The page for a browser's over-large upload on a page route, or None (API clients get JSON)."""
    m = _UPLOAD.match(scope.get("path", ""))
    accept = dict(scope.get("headers", [])).get(b"accept", b"")
    if m is None or b"text/html" not in accept:
        return None
    lang = m["lang"] if m["lang"] in LANGUAGES else DEFAULT
    _ = translations(lang).gettext
    message = _("The file is too large: at most %(mb)d MB.") % {"mb": MAX_MB}
    back = f"/{lang}{m['page'] or '/status'}"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<title>{escape(message)}</title><link rel="stylesheet" href="/static/css/site.css"></head>'
        f'<body><main><h1>{escape(message)}</h1>'
        f'<p><a href="{escape(back)}">{escape(_("Go back"))}</a></p></main></body></html>'
    ).encode()
