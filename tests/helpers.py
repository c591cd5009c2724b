"""Small builders shared by tests (hostile strings included)."""

from __future__ import annotations

from typing import Any

HOSTILE_NAMES = [
    "Ґрицько", "Євгенія", "Їжак", "Ёлкин", "Sеrgеy",  # Latin S/e mixed with Cyrillic е
    "Дми\u200bтрий", "Ян\u202eош", "<script>alert(1)</script>", "{{ 7*7 }}", "Гайдамака" * 30,
]


def person(first: str = "Алексей", last: str = "Петров", **extra: Any) -> dict[str, Any]:
    """A minimal valid person body."""
    return {"first_name": first, "last_name": last, **extra}


def application(**extra: Any) -> dict[str, Any]:
    """A minimal valid application body."""
    body: dict[str, Any] = {"pathways": ["mobilization_evader"], "person": person()}
    body.update(extra)
    return body
