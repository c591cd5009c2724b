"""Parsing and checking what people type into the pages: per-field errors in their language.

Nothing here decides anything: it turns form fields into the domain's types, and says clearly, field
by field, what is wrong. The services check everything again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from safepassage.domain.errors import InvalidInput
from safepassage.domain.person import MAX_NARRATIVE, MAX_TEXT, PartialDate
from safepassage.domain.receipt import ALPHABET, BODY_LEN
from safepassage.web.pages.labels import N_

Gettext = Callable[[str], str]
_DOTTED = re.compile(r"^(?:(\d{1,2})\.)?(?:(\d{1,2})\.)?(\d{4})$")


@dataclass
class Checked:
    """Cleaned values and the errors found, by field name."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def text(
    form: dict[str, str], name: str, _: Gettext, errors: dict[str, str], *, limit: int = MAX_TEXT, required: str = ""
) -> str:
    """A free-text field: NFC, trimmed, bounded, no control characters; `required` is the message if empty."""
    value = unicodedata.normalize("NFC", form.get(name, "")).strip()
    if len(value) > limit:
        errors[name] = _("Too long: at most %(limit)d characters (you typed %(count)d).") % {
            "limit": limit,
            "count": len(value),
        }
    elif any(unicodedata.category(ch) == "Cc" and ch not in "\n\t\r" for ch in value):
        errors[name] = _("Contains an invisible control character; please retype it.")
    elif required and not value:
        errors[name] = _(required)
    return value.replace("\r\n", "\n")


def partial_date(form: dict[str, str], name: str, _: Gettext, errors: dict[str, str]) -> str:
    """A full or partial date typed as 1990, 04.1990, 23.04.1990 or 1990-04-23; returns the ISO form."""
    raw = form.get(name, "").strip()
    if not raw:
        return ""
    m = _DOTTED.match(raw)
    if m:
        day, month, year = (m[1], m[2], m[3]) if m[2] else (None, m[1], m[3])
        raw = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if day else "")
    try:
        return str(PartialDate.parse(raw))
    except InvalidInput:
        errors[name] = _("Enter a date like 1990, 04.1990 or 23.04.1990 (not in the future).")
        return form.get(name, "").strip()


def choice(form: dict[str, str], name: str, allowed: Iterable[str], _: Gettext, errors: dict[str, str]) -> str:
    """One of the allowed codes, or empty."""
    value = form.get(name, "")
    if value and value not in set(allowed):
        errors[name] = _("Choose one of the options.")
        return ""
    return value


def receipt(form: dict[str, str], _: Gettext, errors: dict[str, str]) -> str:
    """A receipt code as typed; says whether it is malformed or has a typo (the service checks again)."""
    value = form.get("receipt", "").strip()[:40]
    raw = "".join(ch for ch in value.upper() if ch not in " -\t")
    raw = raw.replace("O", "0").replace("I", "1").replace("L", "1").replace("U", "V")
    if not value:
        errors["receipt"] = _("Enter your receipt code.")
    elif len(raw) != BODY_LEN + 1 or any(ch not in ALPHABET for ch in raw):
        errors["receipt"] = _("A receipt code has 13 characters, like 7KQ4-M2XZ-9PHD-Y.")
    return value


def credentials(form: dict[str, str], _: Gettext) -> Checked:
    """Receipt code and passphrase, as typed."""
    out = Checked()
    out.values["receipt"] = receipt(form, _, out.errors)
    out.values["passphrase"] = form.get("passphrase", "").strip()[:100]
    if not out.values["passphrase"]:
        out.errors["passphrase"] = _("Enter your passphrase.")
    return out


NARRATIVE_LIMIT = MAX_NARRATIVE
REQUIRED_NAME = N_("Enter a first name or a last name.")
