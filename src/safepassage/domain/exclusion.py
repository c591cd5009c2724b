"""Article 1F exclusion records as rules: the fields, the legal tests they answer, and their validation.

Pure: no web or database imports. `services/exclusion.py` runs the workflow (four eyes, sealing, audit)
around these rules; docs/exclusion.md maps each field to Art. 1F and the UNHCR guidelines.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from safepassage.domain.errors import InvalidInput

CATEGORIES = ("1F(a)", "1F(b)", "1F(c)")
#: Where the serious reasons come from (DESIGN.md §2).
BASIS_SOURCES = ("screening_hit", "self_disclosure", "unit_incident_link", "testimony", "documents")
#: Modes of liability (Rome Statute arts. 25 and 28; UNHCR Guidelines on Exclusion, 2003, paras. 18-19).
MODES = (
    "direct_perpetration",
    "co_perpetration",
    "ordering",
    "soliciting_inducing",
    "aiding_abetting",
    "common_purpose",
    "command_responsibility",
    "attempt",
)
EVIDENCE_KINDS = ("screening_hit", "document", "statement", "testimony")
NARRATIVE_REF = "narrative"  # a statement reference to the applicant's own account
STATUSES = ("draft", "submitted", "returned", "approved")
EDITABLE = frozenset({"draft", "returned"})
LONG, SHORT, NOTE = 10_000, 500, 2_000
MAX_EVIDENCE = 50
_REF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")

TEXT_FIELDS: dict[str, int] = {
    "acts": LONG,
    "act_time": SHORT,
    "act_place": SHORT,
    "act_unit": SHORT,
    "legal_characterisation": LONG,
    "mental_element": LONG,
    "duress_finding": LONG,
    "superior_orders_finding": LONG,
    "other_defences": LONG,
    "proportionality": LONG,
    "standard_of_proof": LONG,
}
#: What submission needs (a draft may be incomplete); proportionality is added for 1F(b).
REQUIRED = {
    "acts": "Describe the acts: what was done, to whom.",
    "act_time": "Say when the acts took place (a date, a month or a period).",
    "act_place": "Say where the acts took place.",
    "legal_characterisation": "Characterise the acts in law (e.g. the war crime of wilful killing, "
    "Rome Statute art. 8(2)(a)(i)).",
    "mental_element": "Set out the person's knowledge and intent.",
    "duress_finding": "Record your finding on duress (central for conscripts), even if not raised.",
    "superior_orders_finding": "Record your finding on superior orders, even if not raised.",
    "standard_of_proof": "Explain why the evidence reaches 'serious reasons for considering'.",
}


class RecordInvalid(InvalidInput):
    """A record that fails validation: `errors` maps each field to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("Please correct the record — " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def clean(value: Any, limit: int) -> tuple[str, str | None]:
    """(cleaned text, error or None): NFC, trimmed, bounded, no control characters."""
    if value is None:
        return "", None
    if not isinstance(value, str):
        return "", "Must be text."
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").strip()
    if len(text) > limit:
        return text, f"Too long: at most {limit} characters (got {len(text)})."
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in text):
        return text, "Contains an invisible control character; please retype it."
    return text, None


def _flag(value: Any) -> tuple[bool, str | None]:
    if value in (None, "", False, "no"):
        return False, None
    if value in (True, "yes"):
        return True, None
    return False, "Answer yes or no."


def validate(data: Mapping[str, Any], *, complete: bool) -> tuple[str, dict[str, Any]]:
    """(category, content) of a record, or RecordInvalid naming every field that is wrong.

    A draft (`complete=False`) only has to be well-formed; a submitted record must meet every legal test.
    """
    errors: dict[str, str] = {}
    category = data.get("category") or ""
    if category not in CATEGORIES:
        errors["category"] = "Choose 1F(a), 1F(b) or 1F(c)."
    content: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        content[name], problem = clean(data.get(name), limit)
        if problem:
            errors[name] = problem
    sources = data.get("basis_sources") or []
    if not isinstance(sources, list | tuple) or any(s not in BASIS_SOURCES for s in sources):
        errors["basis_sources"] = f"Choose from: {', '.join(BASIS_SOURCES)}."
        sources = []
    content["basis_sources"] = sorted(set(sources))
    mode = data.get("mode_of_liability") or ""
    if mode and mode not in MODES:
        errors["mode_of_liability"] = f"Choose one of: {', '.join(MODES)}."
    content["mode_of_liability"] = mode if mode in MODES else ""
    for defence in ("duress", "superior_orders"):
        content[f"{defence}_applies"], problem = _flag(data.get(f"{defence}_applies"))
        if problem:
            errors[f"{defence}_applies"] = problem
    content["evidence"] = _evidence(data.get("evidence"), errors)
    if complete:
        _check_complete(category, content, errors)
    if errors:
        raise RecordInvalid(errors)
    return category, content


def _evidence(value: Any, errors: dict[str, str]) -> list[dict[str, str]]:
    refs: list[dict[str, str]] = []
    if value in (None, ""):
        return refs
    if not isinstance(value, list | tuple) or len(value) > MAX_EVIDENCE:
        errors["evidence"] = f"Give at most {MAX_EVIDENCE} evidence references."
        return refs
    for i, item in enumerate(value, 1):
        if not isinstance(item, Mapping):
            errors["evidence"] = f"Reference {i}: give a kind and an id."
            continue
        kind, ref_id = item.get("kind"), item.get("id")
        note, problem = clean(item.get("note"), NOTE)
        if kind not in EVIDENCE_KINDS:
            errors["evidence"] = f"Reference {i}: the kind must be one of {', '.join(EVIDENCE_KINDS)}."
        elif not isinstance(ref_id, str) or not _REF_ID.match(ref_id):
            errors["evidence"] = f"Reference {i}: the id must be 1-64 letters, digits or . _ : -"
        elif problem:
            errors["evidence"] = f"Reference {i}: {problem}"
        else:
            refs.append({"kind": str(kind), "id": ref_id, "note": note})
    return refs


def _check_complete(category: str, content: dict[str, Any], errors: dict[str, str]) -> None:
    for name, message in REQUIRED.items():
        if not content[name] and name not in errors:
            errors[name] = message
    if not content["basis_sources"] and "basis_sources" not in errors:
        errors["basis_sources"] = "Say what the serious reasons rest on (at least one source)."
    if not content["mode_of_liability"] and "mode_of_liability" not in errors:
        errors["mode_of_liability"] = "Choose how the person is individually responsible."
    if category == "1F(b)" and not content["proportionality"] and "proportionality" not in errors:
        errors["proportionality"] = "1F(b) needs a proportionality assessment (gravity of the crime against the "
        "consequences of exclusion)."
    for defence in ("duress", "superior_orders"):
        if content[f"{defence}_applies"] and f"{defence}_applies" not in errors:
            errors[f"{defence}_applies"] = (
                "A defence that succeeds removes individual responsibility: such a record cannot support "
                "exclusion. Leave it as a draft, or record why the defence does not apply."
            )
    if not content["evidence"] and "evidence" not in errors:
        errors["evidence"] = "Cite the evidence: screening hits, documents or statements, by id."
