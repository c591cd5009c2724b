"""Gettext catalogs for the pages (ru, uk, en, be) and a small loader.

The `.po` files under `locales/` are the source of truth. They are compiled in memory when first
used (Babel's `write_mo`), so a fresh checkout or `pip install -e .` never serves a stale `.mo`.
`python -m safepassage.i18n.catalogs` extracts new messages and checks that none is missing.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).with_name("locales")
LANGUAGES = ("ru", "uk", "en", "be")
DEFAULT = "ru"
#: Each language's name in itself, for the language switch.
NATIVE_NAMES = {"ru": "Русский", "uk": "Українська", "en": "English", "be": "Беларуская"}


def po_path(lang: str) -> Path:
    """Where a language's catalog lives."""
    return LOCALES / lang / "LC_MESSAGES" / "messages.po"


@cache
def translations(lang: str) -> Translations:
    """The compiled catalog for `lang` (compiled once per process from its `.po`)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf, domain="messages")
