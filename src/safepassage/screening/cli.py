"""``safepassage screen``: screen FtM queries against a watchlist, one JSON line per query.

Registered by the main app with ``app.command("screen")(screen)``.  Nothing about persons
is printed to the terminal: names and scores go to the output file only; the terminal gets
counts, line numbers and error reasons.
"""

from __future__ import annotations

import json
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from safepassage.screening.build import default_workers
from safepassage.screening.index import Screener
from safepassage.screening.match import MATCH_THRESHOLD, REVIEW_THRESHOLD
from safepassage.screening.readers import Issue, MalformedLineError, read_entities, read_ftm_jsonl

EXIT_USAGE = 2
PARALLEL_FROM = 5000  # watchlist lines from which indexing uses several processes
PARALLEL_QUERIES_FROM = 1_000  # query lines from which screening forks workers (idle: 2.3x faster at 3,000)


def _count_lines(path: Path) -> int:
    count = 0
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            count += chunk.count(b"\n")
    return count


def _progress(console: Console, quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=False,
    )


class _Issues:
    """Collects skipped lines per file and reports them without their content."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.items: list[Issue] = []

    def __call__(self, issue: Issue) -> None:
        self.items.append(issue)

    def report(self, console: Console) -> None:
        """Print how many lines were skipped and why (never their content)."""
        if not self.items:
            return
        first = ", ".join(f"line {i.line}: {i.message}" for i in self.items[:5])
        more = f" (and {len(self.items) - 5} more)" if len(self.items) > 5 else ""
        console.print(f"[yellow]{self.name}: skipped {len(self.items)} malformed line(s): {first}{more}[/]")


def result_line(query: dict[str, Any], hits: list[Any]) -> str:
    """One output JSON line: the query id and its ranked matches with explanations."""
    matches = [
        {
            "entity_id": h.entity_id,
            "score": round(h.score, 4),
            "match": h.score >= MATCH_THRESHOLD,
            "review": h.score >= REVIEW_THRESHOLD,
            "explanation": str(h.result.explanation),
        }
        for h in hits
    ]
    return json.dumps({"query_id": query["id"], "matches": matches}, ensure_ascii=False)


def screen(
    watchlist: Annotated[Path, typer.Option("--watchlist", "-w", help="Watchlist: FtM JSON lines or .csv")],
    queries: Annotated[Path, typer.Option("--queries", "-q", help="Queries: FtM JSON lines")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output JSON lines, one per query")],
    top: Annotated[int, typer.Option("--top", "-k", min=1, max=100, help="Results per query")] = 5,
    strict: Annotated[bool, typer.Option("--strict", help="Reject input with a malformed line")] = False,
    index: Annotated[
        Path | None,
        typer.Option("--index", help="Index file: loaded if it exists, else built from the watchlist and saved"),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=32, help="Processes for indexing and screening (default: CPUs)")
    ] = default_workers(),
) -> None:
    """Screen every query against the watchlist; write ranked matches with explanations."""
    console = Console(stderr=True)
    for label, path in (("watchlist", watchlist), ("queries", queries)):
        if not path.is_file() and not (label == "watchlist" and index is not None and index.is_file()):
            console.print(f"[red]error:[/] {label} file not found: {path}")
            raise typer.Exit(EXIT_USAGE)
    wl_issues, q_issues = _Issues(watchlist.name), _Issues(queries.name)
    try:
        with _progress(console, quiet) as progress:
            if index is not None and index.is_file():
                screener = Screener.load(index)
            else:
                wl_lines = _count_lines(watchlist)
                task = progress.add_task("indexing watchlist", total=wl_lines or None)
                screener = Screener.build(
                    read_entities(watchlist, strict, wl_issues),
                    progress=lambda n: progress.advance(task, n),
                    workers=workers if wl_lines >= PARALLEL_FROM else 1,  # forking costs ~0.1 s
                )
                if index is not None:
                    screener.save(index)
            q_lines = _count_lines(queries)
            qtask = progress.add_task("screening queries", total=q_lines or None)
            n_queries = n_match = n_review = 0
            out.parent.mkdir(parents=True, exist_ok=True)
            with out.open("w", encoding="utf-8") as fh:
                stream = read_ftm_jsonl(queries, strict, q_issues)
                # Screening workers start with cold caches: they pay off on long query files only.
                q_workers = workers if q_lines >= PARALLEL_QUERIES_FROM else 1
                for line, best in screen_lines(screener, stream, top, q_workers):
                    fh.write(line + "\n")
                    n_queries += 1
                    n_match += best >= MATCH_THRESHOLD
                    n_review += REVIEW_THRESHOLD <= best < MATCH_THRESHOLD
                    progress.advance(qtask)
    except MalformedLineError as exc:
        console.print(f"[red]error:[/] {exc} (run without --strict to skip such lines)")
        raise typer.Exit(EXIT_USAGE) from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        console.print(f"[red]error:[/] {type(exc).__name__}: {exc}")
        raise typer.Exit(EXIT_USAGE) from exc
    wl_issues.report(console)
    q_issues.report(console)
    console.print(
        f"screened {n_queries} queries against {len(screener)} persons: "
        f"{n_match} likely match, {n_review} for review; results in {out}"
    )


_SCREENER: list[Screener] = []  # set in the parent before forking workers


def _screen_batch(batch: list[dict[str, Any]], top: int) -> list[tuple[str, float]]:
    screener = _SCREENER[0]
    out = []
    for query in batch:
        hits = screener.screen(query, top=top)
        out.append((result_line(query, hits), hits[0].score if hits else 0.0))
    return out


def screen_lines(
    screener: Screener, queries: Iterable[dict[str, Any]], top: int, workers: int = 1
) -> Iterator[tuple[str, float]]:
    """Output lines (and best scores) for queries, in input order, on ``workers`` processes."""
    if workers <= 1:
        for query in queries:
            hits = screener.screen(query, top=top)
            yield result_line(query, hits), hits[0].score if hits else 0.0
        return
    _SCREENER[:] = [screener]  # forked workers inherit the index without copying it
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pending: deque[AsyncResult[list[tuple[str, float]]]] = deque()
        batch: list[dict[str, Any]] = []
        for query in queries:
            batch.append(query)
            if len(batch) == QUERY_BATCH:
                pending.append(pool.apply_async(_screen_batch, (batch, top)))
                batch = []
                while len(pending) > 2 * workers:
                    yield from pending.popleft().get()
        if batch:
            pending.append(pool.apply_async(_screen_batch, (batch, top)))
        while pending:
            yield from pending.popleft().get()


QUERY_BATCH = 64
