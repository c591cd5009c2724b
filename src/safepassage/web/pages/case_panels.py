"""Sections that areas add to the console's case page (documents, screening hits, decisions, exclusion…).

An area registers a panel from its own page module: a template under `templates/console/` and a function
that returns the template's context for this case and viewer — or None to leave the panel out (for
example when the role may not see it). The case page renders every registered panel, in registration
order, before the timeline. Panel templates see the page's own context too (`c`, `d`, `who`, `csrf`,
`errors`, `typed`, `message`), so their forms keep what was typed when the page is shown again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from safepassage.store.uow import UnitOfWork
from safepassage.web.pages.common import StaffSession


@dataclass(frozen=True)
class CasePanel:
    """One section of the case page."""

    name: str
    template: str
    context: Callable[[UnitOfWork, StaffSession, str], dict[str, Any] | None]


PANELS: dict[str, CasePanel] = {}


def register_panel(name: str, template: str,
                   context: Callable[[UnitOfWork, StaffSession, str], dict[str, Any] | None]) -> None:
    """Add (or replace, by name) a section of the case page."""
    PANELS[name] = CasePanel(name, template, context)


def panels_for(uow: UnitOfWork, who: StaffSession, case_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The (template, context) of every panel this viewer gets on this case."""
    out = []
    for panel in PANELS.values():
        ctx = panel.context(uow, who, case_id)
        if ctx is not None:
            out.append((panel.template, ctx))
    return out
