"""``safepassage referral``: export an approved referral as a signed package, verify a package, show the key.

Registered by the main app with ``app.add_typer(referral_app, name="referral")``. Nothing personal is
printed: the terminal gets ids, hashes, member names and problems; the package goes to the named file.
"""

from __future__ import annotations

import getpass
import os
import sys
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from safepassage.cli_console import err, out
from safepassage.config import ConfigError, Settings, load_settings
from safepassage.domain.errors import DomainError

referral_app = typer.Typer(help="Referrals for prosecution: signed export packages.", no_args_is_help=True)


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from None


def signing_seed(settings: Settings) -> bytes:
    """The referral signing seed: its own setting, else a subkey of the secret key (never a built-in value)."""
    from safepassage.security.secrets import derive_key

    return settings.referral_key or derive_key(settings.secret_key, "referral-signing")


def _line(prompt: str, *, secret: bool = True) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"{prompt}: ") if secret else input(f"{prompt}: ")


@referral_app.command("export")
def export(
    case: Annotated[str, typer.Argument(help="The case id.")],
    out_file: Annotated[Path, typer.Option("--out", help="Where to write the package (.zip); must not exist.")],
    username: Annotated[str | None, typer.Option(help="The exporting officer (asked for if not given).")] = None,
    referral_id: Annotated[str | None, typer.Option("--referral", help="A referral id (default: the approved one).")]
    = None,
) -> None:
    """Export an approved referral as a signed package; asks for your password and code (step-up).

    Reads the username (unless --username), the password and the TOTP code on stdin, or prompts for them.
    """
    from safepassage.services import referral
    from safepassage.services.staff import confirm_identity
    from safepassage.web.app import database_from

    try:
        case_id = str(UUID(case))
        ref = str(UUID(referral_id)) if referral_id else None
    except ValueError:
        err.print("[red]The case and referral ids are UUIDs, like 0b8c3c1e-….[/red]")
        raise typer.Exit(2) from None
    if out_file.exists():
        err.print(f"[red]{out_file} exists; choose a new file name (nothing was written).[/red]")
        raise typer.Exit(2)
    if not out_file.parent.is_dir():
        err.print(f"[red]The folder {out_file.parent} does not exist (nothing was exported).[/red]")
        raise typer.Exit(2)
    settings = _settings()
    db = database_from(settings)
    name = username or _line("Username", secret=False)
    try:
        actor = confirm_identity(db.uow(), username=name, password=_line("Password"), code=_line("TOTP code"))
        package = referral.export_referral(db.uow(), actor=actor, case_id=case_id, referral_id=ref,
                                           key=referral.signer(signing_seed(settings)))
    except DomainError as exc:
        err.print(f"[red]Export refused:[/red] {exc.message}")
        raise typer.Exit(1) from None
    fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(package.data)
    fp = package.manifest["signature"]["fingerprint"]
    out.print(f"Wrote {out_file} (referral {package.referral_id}, SHA-256 {package.sha256}).")
    out.print(f"Signed with key {fp}; the export is in the audit log.")


@referral_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A referral package (.zip).")],
    public_key: Annotated[str | None, typer.Option(help="The office's published key: hex, or a file (hex/PEM).")]
    = None,
) -> None:
    """Verify a package: the signature over the manifest, and every member's SHA-256. Exit 1 on any problem."""
    from safepassage.services import referral_package

    expected = None
    if public_key:
        text = Path(public_key).read_text() if Path(public_key).is_file() else public_key
        try:
            expected = referral_package.parse_public_key(text)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    try:
        data = file.read_bytes()
    except OSError as exc:
        err.print(f"[red]Cannot read {file}: {exc.strerror}[/red]")
        raise typer.Exit(2) from None
    result = referral_package.verify(data, expected_key=expected)
    if not result.ok:
        err.print(f"[red]NOT VERIFIED[/red]: {len(result.problems)} problem(s) in {file}")
        for problem in result.problems:
            err.print(f"  - {problem}")
        raise typer.Exit(1)
    fp = referral_package.fingerprint(result.public_key)
    out.print(f"[green]Verified[/green] package {result.package_id}: {len(result.checked)} members intact, "
              f"signed by key {fp}.")
    if expected is None:
        out.print("[yellow]Checked against the key the package names: compare its fingerprint with the one the "
                  "exporting office published, or pass --public-key.[/yellow]")


@referral_app.command("public-key")
def public_key() -> None:
    """Print the public key that verifies this office's referral packages (publish it to prosecutors)."""
    from safepassage.services import referral, referral_package

    key = referral.signer(signing_seed(_settings()))
    hexkey = referral_package.public_hex(key)
    out.print(hexkey)
    out.print(f"fingerprint {referral_package.fingerprint(hexkey)}", highlight=False)
