"""CLI for the case-screening flow: `safepassage incidents import FILE` and `safepassage rescreen [--watch]`.

Output names no person: only counts, line numbers and reasons.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from safepassage.cli_console import err, out
from safepassage.domain.errors import DomainError
from safepassage.store.uow import Database

incidents_app = typer.Typer(help="Documented incidents (unit, place, dates, source) for unit–incident flags.",
                            no_args_is_help=True)


def _db() -> Database:
    """The configured database, without importing the web app (a batch job starts faster)."""
    from safepassage.cli import _settings
    from safepassage.security.crypto import KeyRing
    from safepassage.store.db import make_engine

    s = _settings()
    ring = KeyRing.of(s.kek, *([s.kek_previous] if s.kek_previous else []))
    return Database(make_engine(s.database_url), ring=ring, secret_key=s.secret_key, index_key=s.index_key)


@incidents_app.command("import")
def incidents_import(
    file: Annotated[Path, typer.Argument(help="CSV with columns ref, unit, place, start, end, summary, source.")],
    strict: Annotated[bool, typer.Option(help="Refuse the whole file if any line is bad.")] = False,
) -> None:
    """Add or update documented incidents from a CSV file (by `ref`); bad lines are reported by number."""
    from safepassage.services import incidents
    from safepassage.store.uow import Actor

    if not file.is_file():
        err.print(f"[red]No such file:[/red] {file.name}")
        raise typer.Exit(2)
    try:
        result = incidents.import_incidents(_db().uow(), actor=Actor.system(), rows=incidents.read_csv(file),
                                            strict=strict)
    except DomainError as exc:
        err.print(f"[red]Refused:[/red] {exc.message}")
        raise typer.Exit(2) from None
    out.print(f"incidents: {result.added} added, {result.updated} updated, {len(result.issues)} bad lines")
    for line, reason in result.issues[:50]:
        err.print(f"  line {line}: {reason}")


def rescreen(
    watch: Annotated[bool, typer.Option(help="Keep running: re-screen whenever a watchlist version changes.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between checks with --watch.", min=1)] = 60.0,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Screen every open or granted case against what changed in the watchlists since it was last screened.

    Safe to stop at any moment (each case commits with its progress marker) and to run again: it
    resumes where it stopped, screening nobody twice and missing nobody.
    """
    from safepassage.services import rescreen as service

    db = _db()
    while True:
        with Progress(TextColumn("re-screening"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, disable=quiet, transient=False) as bar:
            task = bar.add_task("cases", total=None)

            def progress(done: int, total: int, bar: Progress = bar, task: TaskID = task) -> None:
                bar.update(task, completed=done, total=total)

            report = service.rescreen(db, progress=progress)
        versions = ", ".join(f"{k} v{v}" for k, v in sorted(report.versions.items())) or "no watchlist"
        out.print(f"re-screened {report.screened} of {report.due} due cases against {versions}: "
                  f"{report.new_hits} new hits on {len(report.cases_with_new_hits)} cases, "
                  f"{report.new_flags} new incident flags ({report.seconds:.1f} s)")
        if not watch:
            return
        time.sleep(interval)
