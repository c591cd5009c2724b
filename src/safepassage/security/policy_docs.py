"""Render the policy table as Markdown (docs/authorisation.md is generated, never hand-edited)."""

from __future__ import annotations

from safepassage.security.policy import POLICY, SENSITIVE, Action, Role


def render() -> str:
    """The role × action table, with field classes and scope in each cell."""
    lines = [
        "# Authorisation (generated from `security/policy.py` — do not edit)",
        "",
        "Each cell lists the field classes a role may touch with an action; `assigned` means only on cases",
        "assigned to them or unassigned. An empty cell means the action is refused.",
        f"Reads of these classes are audited: {', '.join(sorted(f.value for f in SENSITIVE))}.",
        "",
        "| role | " + " | ".join(a.value for a in Action) + " |",
        "|---|" + "---|" * len(Action),
    ]
    for role in Role:
        cells = []
        for action in Action:
            g = POLICY.get(role, {}).get(action)
            if g is None:
                cells.append("")
                continue
            text = ", ".join(sorted(f.value for f in g.fields))
            cells.append(text + (" (assigned)" if g.scope.value == "assigned" else ""))
        lines.append(f"| {role.value} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
