"""`safepassage policy simulate`: the differences a candidate policy would make, as a Rich table."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from safepassage.services.evaluations import Simulation


def print_simulation(result: Simulation, out: Console) -> None:
    """One row per changed field per case (receipt and case id, never a name), then the totals."""
    title = f"Policy {result.current_version} → {result.candidate_version}"
    if result.changes:
        table = Table(title=title, show_lines=False)
        for column in ("Receipt", "Case", "What", "Now", "Under the new policy"):
            table.add_column(column, overflow="fold")
        for ch in result.changes:
            table.add_row(ch.receipt, ch.case_id[:8], ch.field, ch.before, ch.after)
        out.print(table)
    else:
        out.print(f"{title}: nothing would change.")
    by_field = Counter(ch.field.split(".")[0] for ch in result.changes)
    parts = ", ".join(f"{n} {name}" for name, n in sorted(by_field.items())) or "no changes"
    out.print(f"{result.changed_cases} of {result.cases} cases would change ({parts}).")
