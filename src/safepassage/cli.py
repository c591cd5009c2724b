"""The `safepassage` command: demo, serve, database, users, screening, audit, policy docs."""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from safepassage.cli_console import err, out
from safepassage.cli_referral import referral_app
from safepassage.config import ConfigError, Settings, load_settings
from safepassage.domain.errors import DomainError
from safepassage.screening.cli import screen as screen_command
from safepassage.security.policy import Role
from safepassage.stats_cli import report as report_command

# Never print local variables in tracebacks: they can hold personal data.
app = typer.Typer(
    help="Safe Passage: intake, case management and exclusion screening.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
users_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
policy_app = typer.Typer(help="The authorisation policy.", no_args_is_help=True)
keys_app = typer.Typer(help="Encryption keys.", no_args_is_help=True)
retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(keys_app, name="keys")
app.add_typer(retention_app, name="retention")
app.add_typer(referral_app, name="referral")


def _settings(environ: dict[str, str] | None = None) -> Settings:
    try:
        return load_settings(environ)
    except ConfigError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def _database(settings: Settings):  # type: ignore[no-untyped-def]
    from safepassage.web.app import database_from

    return database_from(settings)


def _serve(settings: Settings, host: str, port: int) -> None:
    import threading

    import uvicorn

    from safepassage.security import logs
    from safepassage.services.watchlist_index import warm_index
    from safepassage.web.app import create_app

    logs.configure(os.environ.get("SAFEPASSAGE_LOG_LEVEL", "INFO"))
    web_app = create_app(settings=settings)
    # Build the watchlist index while the server starts answering, so the first case entering screening
    # or the first match query does not wait for it (13 s at 100k listed persons, ~90 s at 1M).
    threading.Thread(target=warm_index, args=(web_app.state.db,), name="watchlist-index", daemon=True).start()
    # No access log (applicants' requests must leave no trace), no Server header, our log format.
    uvicorn.run(web_app, host=host, port=port, access_log=False, server_header=False, log_config=None)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option(help="Port (default: $SAFEPASSAGE_PORT or 8000).")] = None,
) -> None:
    """Serve the API on the configured database (run `safepassage db upgrade` first)."""
    from safepassage.store import schema

    settings = _settings()
    if not schema.is_current(_database(settings).engine):
        err.print("[red]The database schema is not current:[/red] run `safepassage db upgrade` first.")
        raise typer.Exit(2)
    _serve(settings, host, port or settings.port)


@app.command()
def demo(
    cases: Annotated[int, typer.Option(min=1, max=100_000, help="How many applications to seed.")] = 200,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Serve after seeding.")] = True,
    data_dir: Annotated[Path, typer.Option(help="Where the demo database and keys go.")] = Path("var/demo"),
) -> None:
    """Create a fresh demo database with hostile-Unicode demo data and one user per role, then serve."""
    from safepassage.demo import create_demo_users, seed
    from safepassage.store import schema

    db_file = data_dir / "safepassage-demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAFEPASSAGE_")}
    env |= {
        "SAFEPASSAGE_ENV": "development",
        "SAFEPASSAGE_DATA_DIR": str(data_dir),
        "SAFEPASSAGE_DATABASE_URL": f"sqlite:///{db_file}",
        "SAFEPASSAGE_PORT": os.environ.get("SAFEPASSAGE_PORT", "8000"),
    }
    settings = _settings(env)
    db = _database(settings)
    schema.upgrade(db.engine)
    logins = list(create_demo_users(db))
    with err.status(f"Seeding {cases} demo cases…"):
        made = seed(db, cases=cases)
    out.print(f"[green]Demo database[/green] {db_file} with {made} cases (all names fictional).")
    out.print("Demo logins (passwords are new on every run):")
    for role, username, password in logins:
        out.print(f"  {role:<18} {username:<18} {password}")
    out.print("Second factor (TOTP): `.venv/bin/safepassage users code --demo --username caseworker` prints the code.")
    url = f"http://127.0.0.1:{settings.port}"
    out.print(f"Portal: {url}/ru/ (/uk/ /en/ /be/)   Console: {url}/ru/console   API: {url}/api (docs: /api/docs)")
    if serve_after:
        _serve(settings, "127.0.0.1", settings.port)


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Migrate the database to the latest schema."""
    from safepassage.store import schema

    db = _database(_settings())
    schema.upgrade(db.engine, revision)
    out.print(f"Database at revision {revision}.")
    if revision == "head":
        from safepassage.services.decisions import fill_destinations

        filled, unreadable = fill_destinations(db)
        if filled or unreadable:
            out.print(f"Destinations copied into {filled} earlier decisions; {unreadable} of erased cases "
                      "stay without one (counted as not recorded).")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument(help="Target revision, e.g. base.")]) -> None:
    """Migrate the database down to an earlier revision."""
    from safepassage.store import schema

    schema.downgrade(_database(_settings()).engine, revision)
    out.print(f"Database at revision {revision}.")


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        err.print("[red]The passwords differ.[/red]")
        raise typer.Exit(2)
    return first


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[Role, typer.Option(help="Staff role.", case_sensitive=False)],
) -> None:
    """Create a staff user; the password is read from stdin or prompted (never from arguments)."""
    from safepassage.services.staff import create_user
    from safepassage.store.uow import Actor

    password = _read_password()
    try:
        created = create_user(
            _database(_settings()).uow(), actor=Actor.system(), username=username, role=role, password=password
        )
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    out.print(f"Created {role.value} {username.strip().lower()} ({created.user_id}).")
    out.print("Enrol the second factor now; this URI is not shown again:")
    print(created.totp_uri)  # plain print: scripts read it, and Rich must not wrap it


@users_app.command("code")
def users_code(
    username: Annotated[str, typer.Option(help="Login name.")],
    demo: Annotated[bool, typer.Option(help="Use the demo database under var/demo.")] = False,
) -> None:
    """Print a user's current TOTP code — development and demo only, refused in production."""
    from safepassage.security import totp

    env = dict(os.environ)
    if demo:
        env |= {
            "SAFEPASSAGE_DATA_DIR": "var/demo",
            "SAFEPASSAGE_DATABASE_URL": "sqlite:///var/demo/safepassage-demo.db",
        }
    settings = _settings(env)
    if settings.production:
        err.print("[red]Refused in production: use an authenticator app.[/red]")
        raise typer.Exit(2)
    db = _database(settings)
    with db.uow(readonly=True) as uow:
        user = uow.get_user_by_name(username.strip().lower())
        if user is None or user.totp_secret is None:
            err.print("[red]No such user with a second factor.[/red]")
            raise typer.Exit(2)
        print(totp.current_code(totp.open_seed(uow.secret_key, user.id, user.totp_secret)))


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[Path | None, typer.Option(help="A file of anchors kept outside the database.")] = None,
) -> None:
    """Check the audit log's hash chain (and kept anchors); exit 1 naming the first broken entry."""
    import json

    from safepassage.services.auditing import check_anchors, verify_chain

    db = _database(_settings())
    broken, count = verify_chain(db.uow(readonly=True))
    if broken is not None:
        err.print(f"[red]Audit chain broken at entry {broken}[/red] ({count} entries checked).")
        raise typer.Exit(1)
    if anchors is not None:
        kept = [json.loads(line) for line in anchors.read_text().splitlines() if line.strip()]
        problems = check_anchors(db.uow(readonly=True), kept)
        if problems:
            for problem in problems:
                err.print(f"[red]{problem}[/red]")
            raise typer.Exit(1)
        out.print(f"{len(kept)} anchors hold.")
    out.print(f"[green]Audit chain intact[/green]: {count} entries.")


@audit_app.command("anchor")
def audit_anchor(
    out_file: Annotated[Path, typer.Option("--out", help="Append the anchor here — keep it off this host.")],
) -> None:
    """Sign the newest entry and append the anchor to a file (run periodically, e.g. hourly)."""
    import json

    from safepassage.services.auditing import anchor

    signed = anchor(_database(_settings()).uow(readonly=True))
    if signed is None:
        out.print("The audit log is empty; nothing to anchor.")
        return
    with out_file.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(signed) + "\n")
    out.print(f"Anchored entry {signed['seq']}.")


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-wrap every data key under a new key-encryption key; the service keeps working throughout.

    Production: set SAFEPASSAGE_KEK to the new key and SAFEPASSAGE_KEK_PREVIOUS to the old one on every
    app server, run this, then remove SAFEPASSAGE_KEK_PREVIOUS. Development (key files): the new key is
    made here, and the old key file is deleted once nothing is wrapped by it.
    """
    from safepassage.config import new_key_file
    from safepassage.services.keys import keys_not_under_current, rotate_kek
    from safepassage.store.uow import Actor

    settings = _settings()
    keys_dir = settings.data_dir / "keys"
    file_mode = not settings.production and not os.environ.get("SAFEPASSAGE_KEK")
    if file_mode and settings.kek_previous is None:
        (keys_dir / "kek.key").rename(keys_dir / "kek-previous.key")
        new_key_file(keys_dir / "kek.key")
        settings = _settings()
    elif settings.kek_previous is None:
        err.print("[red]Set SAFEPASSAGE_KEK_PREVIOUS to the old key and SAFEPASSAGE_KEK to the new one.[/red]")
        raise typer.Exit(2)
    db = _database(settings)
    with err.status("Re-wrapping data keys…"):
        count = rotate_kek(db, actor=Actor.system())
    left = keys_not_under_current(db)
    if left:
        err.print(f"[red]{left} data keys are still under an old KEK; run again.[/red]")
        raise typer.Exit(1)
    if file_mode:
        (keys_dir / "kek-previous.key").unlink()
    out.print(f"Re-wrapped {count} data keys under {db.ring.kek_id}; nothing is left under the old key.")
    if not file_mode:
        out.print("Now remove SAFEPASSAGE_KEK_PREVIOUS from every app server.")


@keys_app.command("reindex")
def keys_reindex() -> None:
    """Recompute every blind index under the current index key (run after changing the index key)."""
    from safepassage.services.identity import reindex, rows_not_under_current

    db = _database(_settings())
    with err.status("Re-indexing…"):
        count = reindex(db)
    left = rows_not_under_current(db)
    if left:
        err.print(f"[red]{left} index rows remain under an old key; run again.[/red]")
        raise typer.Exit(1)
    out.print(f"Re-indexed {count} cases; no index row is left under an old key.")


@retention_app.command("run")
def retention_run(
    requested_by: Annotated[str, typer.Option(help="The data-protection officer running retention.")],
    approved_by: Annotated[str, typer.Option(help="A second person who approves the erasures.")],
) -> None:
    """Erase the personal data of closed cases past their retention period, with two people's approval.

    Reads four lines on stdin (or prompts): the requester's password and TOTP code, then the approver's.
    """
    from safepassage.services.erasure import approve_erasure, plan_retention
    from safepassage.services.staff import confirm_identity

    db = _database(_settings())
    try:
        first = confirm_identity(
            db.uow(), username=requested_by, password=_secret_line("Password"), code=_secret_line("TOTP code")
        )
        second = confirm_identity(
            db.uow(),
            username=approved_by,
            password=_secret_line("Approver password"),
            code=_secret_line("Approver TOTP code"),
        )
        request_id, count = plan_retention(db.uow(), actor=first)
        if request_id is None:
            out.print("Nothing is past its retention period.")
            return
        erased = approve_erasure(db.uow(), actor=second, request_id=request_id)
    except DomainError as exc:
        err.print(f"[red]{exc.message}[/red]")
        raise typer.Exit(2) from None
    out.print(f"Erased the personal data of {erased} of {count} cases past retention (request {request_id}).")


def _secret_line(prompt: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"{prompt}: ")


@policy_app.command("check")
def policy_check(file: Annotated[Path, typer.Argument(help="An eligibility policy (TOML).")]) -> None:
    """Validate an eligibility policy file; errors name the place in the file."""
    from safepassage.domain.eligibility import load_policy

    try:
        policy = load_policy(file)
    except (DomainError, OSError) as exc:
        err.print(f"[red]{getattr(exc, 'message', exc)}[/red]")
        raise typer.Exit(2) from None
    out.print(f"Policy {policy.version}: {len(policy.rules)} rules, every pathway covered.")


@policy_app.command("simulate")
def policy_simulate(file: Annotated[Path, typer.Argument(help="A candidate eligibility policy (TOML).")]) -> None:
    """What would change (priority, legal bases, evidence, flags) for every case in the database under FILE."""
    from safepassage.domain.eligibility import load_policy
    from safepassage.rendering.simulation import print_simulation
    from safepassage.services.evaluations import simulate
    from safepassage.store.uow import Actor

    try:
        candidate = load_policy(file)
    except (DomainError, OSError) as exc:
        err.print(f"[red]{getattr(exc, 'message', exc)}[/red]")
        raise typer.Exit(2) from None
    print_simulation(simulate(_database(_settings()), actor=Actor.system(), candidate=candidate), out)


@policy_app.command("docs")
def policy_docs(
    output: Annotated[Path, typer.Option(help="Markdown file to write.")] = Path("docs/authorisation.md"),
) -> None:
    """Write the authorisation table as Markdown, generated from the policy table itself."""
    from safepassage.security.policy_docs import render

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render(), encoding="utf-8")
    out.print(f"Wrote {output}.")


# The screening command lives with the screening library.
app.command("screen")(screen_command)
app.command("report")(report_command)

# Case screening: documented incidents and re-screening (issue 6).
from safepassage.cli_screening import incidents_app, rescreen  # noqa: E402

app.add_typer(incidents_app, name="incidents")
app.command("rescreen")(rescreen)


def main() -> None:
    """Console-script entry point."""
    app()

# Watchlists and match-API tokens (issue 6).
from safepassage.cli_watchlists import tokens_app, watchlist_app  # noqa: E402

app.add_typer(watchlist_app, name="watchlist")
app.add_typer(tokens_app, name="tokens")
