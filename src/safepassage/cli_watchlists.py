"""`safepassage watchlist …` and `safepassage tokens …`: import and compare lists, manage match-API tokens.

Names of listed persons are published list data and may be shown (`watchlist diff`); applicant data never
appears here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn
from rich.table import Table

from safepassage.cli_console import console, err, out
from safepassage.domain.errors import DomainError
from safepassage.security.policy import Role
from safepassage.store.uow import Actor, Database

watchlist_app = typer.Typer(help="Watchlists: import versions, list them, compare them.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for systems using the match API.", no_args_is_help=True)


def _db() -> Database:
    from safepassage.cli import _database, _settings

    db: Database = _database(_settings())
    return db


def _fail(exc: DomainError) -> typer.Exit:
    err.print(f"[red]{exc.message}[/red]")
    return typer.Exit(2)


@watchlist_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="FtM JSON lines (OpenSanctions export) or CSV with a header.")],
    name: Annotated[str, typer.Option(help="The list's name; an existing name gets a new version.")],
    fmt: Annotated[str, typer.Option("--format", help="ftm or csv.")] = "ftm",
    source: Annotated[str, typer.Option(help="Where the file comes from (URL, publisher, date).")] = "",
    strict: Annotated[bool, typer.Option(help="Abort on the first bad line instead of skipping it.")] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Import a file as the next version of a list: all or nothing, bad lines reported by line number."""
    from safepassage.services import watchlists

    if not file.is_file():
        err.print(f"[red]No such file: {file}[/red]")
        raise typer.Exit(2)
    db = _db()
    progress = Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
        TimeRemainingColumn(), console=err, disable=quiet,
    )
    try:
        with progress:
            task = progress.add_task(f"Importing {name}", total=file.stat().st_size)
            report = watchlists.import_watchlist(
                db, actor=Actor.system(), name=name, path=file, fmt=fmt, source=source,
                progress=lambda n: progress.advance(task, n), strict=strict,
            )
    except DomainError as exc:
        raise _fail(exc) from None
    for issue in report.issues:
        err.print(f"line {issue.line}: {issue.message}")
    if report.skipped > len(report.issues):
        err.print(f"… and {report.skipped - len(report.issues)} more bad lines.")
    out.print(
        f"[green]{report.name} version {report.version}[/green]: {report.total} persons "
        f"({report.added} added, {report.removed} removed, {report.changed} changed, {report.unchanged} unchanged); "
        f"{report.skipped} bad lines skipped, {report.other_schemas} other entities passed over. "
        f"SHA-256 {report.file_sha256}"
    )


@watchlist_app.command("list")
def list_() -> None:
    """Every list and its versions: source, date, counts."""
    from safepassage.services import watchlists

    lists = watchlists.list_watchlists(_db(), actor=Actor.system())
    if not lists:
        out.print("No watchlist has been imported yet.")
        return
    table = Table("list", "version", "status", "imported (UTC)", "persons", "added", "removed", "changed",
                  "bad lines", "source")
    for wl in lists:
        for v in wl.versions:
            table.add_row(wl.name, str(v.number), v.status, f"{v.imported_at:%Y-%m-%d %H:%M}", str(v.total),
                          str(v.added), str(v.removed), str(v.changed), str(v.skipped), v.source)
    console().print(table)  # made now, so that it measures the terminal (or $COLUMNS) it prints to


@watchlist_app.command("diff")
def diff(
    name: Annotated[str, typer.Argument(help="The list's name.")],
    from_version: Annotated[int | None, typer.Option("--from", help="Older version (default: the one before).")] = None,
    to_version: Annotated[int | None, typer.Option("--to", help="Newer version (default: the current one).")] = None,
    limit: Annotated[int, typer.Option(help="At most this many persons per kind of change (0: all).")] = 1000,
) -> None:
    """Persons added, removed and changed between two versions of a list."""
    from safepassage.services import watchlists

    try:
        d = watchlists.diff(_db(), actor=Actor.system(), name=name, from_version=from_version, to_version=to_version,
                            limit=limit or None)
    except DomainError as exc:
        raise _fail(exc) from None
    table = Table("change", "id", "name", "birth dates", title=f"{d.name}: version {d.from_version} → {d.to_version}")
    for kind, items in (("added", d.added), ("removed", d.removed), ("changed", d.changed)):
        for e in items:
            table.add_row(kind, e.entity_id, e.caption, ", ".join(e.birth_dates))
    console().print(table)  # made now, so that it measures the terminal (or $COLUMNS) it prints to
    added, removed, changed = d.counts
    out.print(f"{added} added, {removed} removed, {changed} changed.")
    if max(d.counts) > limit > 0:
        out.print(f"Only the first {limit} of each are listed (--limit 0 lists all).")


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Option(help="Which system holds the token.")],
    role: Annotated[Role, typer.Option(help="The role it acts as (must be allowed to match).", case_sensitive=False)],
    days: Annotated[int, typer.Option(help="Validity in days (at most 366).")] = 90,
) -> None:
    """Create a match-API token; it is printed once and only its hash is kept."""
    from safepassage.services import api_tokens

    try:
        made = api_tokens.create_token(_db(), actor=Actor.system(), name=name, role=role, days=days)
    except DomainError as exc:
        raise _fail(exc) from None
    err.print(f"Token {made.name} ({made.role}) valid until {made.expires_at:%Y-%m-%d %H:%M} UTC. "
              "It is shown once; send it as `Authorization: Bearer <token>` to /api/match.")
    print(made.token)  # plain print: scripts read it, and Rich must not wrap it


@tokens_app.command("revoke")
def tokens_revoke(name: Annotated[str, typer.Argument(help="The token's name.")]) -> None:
    """Revoke a token at once."""
    from safepassage.services import api_tokens

    try:
        api_tokens.revoke_token(_db(), actor=Actor.system(), name=name)
    except DomainError as exc:
        raise _fail(exc) from None
    out.print(f"Revoked {name}.")


@tokens_app.command("list")
def tokens_list() -> None:
    """Every token: role, expiry, revocation, last use (never the secret)."""
    from safepassage.services import api_tokens

    table = Table("name", "role", "created (UTC)", "expires (UTC)", "revoked", "last used")
    for t in api_tokens.list_tokens(_db(), actor=Actor.system()):
        table.add_row(t.name, t.role, f"{t.created_at:%Y-%m-%d}", f"{t.expires_at:%Y-%m-%d}",
                      f"{t.revoked_at:%Y-%m-%d}" if t.revoked_at else "",
                      f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "")
    console().print(table)  # made now, so that it measures the terminal (or $COLUMNS) it prints to
