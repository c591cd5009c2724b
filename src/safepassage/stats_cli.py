"""``safepassage report``: the statistics of a period as CSV, JSON or PDF (the dashboard's figures).

Registered by the main app with ``app.command("report")(report)``. Aggregates only: nothing about any
person is read or printed. Bad input (dates, format, language) exits with code 2 and writes nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from safepassage.cli_console import err
from safepassage.config import ConfigError, load_settings
from safepassage.domain.errors import DomainError
from safepassage.i18n import LANGUAGES
from safepassage.store.uow import Actor

EXIT_USAGE = 2


def report(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD (UTC).")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD (UTC), included.")],
    fmt: Annotated[str, typer.Option("--format", help="csv, json or pdf.")] = "csv",
    out: Annotated[Path | None, typer.Option("--out", help="File to write (default: standard output).")] = None,
    lang: Annotated[str, typer.Option(help="Language of the labels: ru, uk, en or be.")] = "en",
    rebuild: Annotated[bool, typer.Option(help="Rebuild the statistics summary from every case first.")] = False,
) -> None:
    """Statistics of a period, counted in people: funnel, removed from the war, operations."""
    from safepassage.rendering import stats_report
    from safepassage.services import statistics, stats_facts
    from safepassage.web.app import database_from

    if fmt not in stats_report.FORMATS:
        err.print(f"[red]Unknown format[/red] '{fmt[:10]}'. Formats: {', '.join(stats_report.FORMATS)}.")
        raise typer.Exit(EXIT_USAGE)
    if lang not in LANGUAGES:
        err.print(f"[red]Unknown language[/red] '{lang[:10]}'. Languages: {', '.join(LANGUAGES)}.")
        raise typer.Exit(EXIT_USAGE)
    try:
        period = statistics.parse_period(start, end)
        settings = load_settings()
    except (DomainError, ConfigError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(EXIT_USAGE) from None
    db = database_from(settings)
    if rebuild:
        stats_facts.refresh(db, full=True)
    data = stats_report.render(statistics.report(db, actor=Actor.system(), period=period), fmt, lang)
    if out is None:
        if fmt == "pdf" and sys.stdout.isatty():
            err.print("[red]A PDF is not for the terminal:[/red] give --out FILE.")
            raise typer.Exit(EXIT_USAGE)
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # never a half-written report under the real name
    err.print(f"Wrote {out} ({len(data):,} bytes).")
