"""Settings from the environment; production refuses to start without real secrets."""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from safepassage.security.secrets import derive_key

DEFAULT_DATA_DIR = Path("var")


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    """Everything the app reads from its environment."""

    env: str
    database_url: str
    data_dir: Path
    secret_key: bytes
    kek: bytes
    kek_previous: bytes | None
    index_key: bytes
    port: int
    #: Seed of the Ed25519 key that signs referral packages (SAFEPASSAGE_REFERRAL_KEY[_FILE]); when unset,
    #: a subkey of the secret key, never a built-in value.
    referral_key: bytes | None = None

    @property
    def production(self) -> bool:
        """True when running with production safeguards."""
        return self.env == "production"


def _b64_key(value: str, name: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError(f"{name} must be 32 bytes, base64-encoded (e.g. `openssl rand -base64 32`).") from None
    if len(key) != 32:
        raise ConfigError(f"{name} must be 32 bytes, base64-encoded (got {len(key)} bytes).")
    return key


def new_key_file(path: Path) -> None:
    """Write a fresh random key to a new owner-only file (refuses to overwrite)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(secrets.token_bytes(32)).decode() + "\n")


def _key_file(path: Path) -> bytes:
    """Read a key file, creating it with owner-only permissions on first use (embedded mode only)."""
    if not path.exists():
        new_key_file(path)
    if path.stat().st_mode & 0o077:
        raise ConfigError(f"Key file {path} is readable by others: run `chmod 600 {path}`.")
    return _b64_key(path.read_text().strip(), str(path))


def _optional_secret(env: dict[str, str], name: str) -> bytes | None:
    """A 32-byte key from `name` or the file `name_FILE`, or None when neither is set."""
    if env.get(name):
        return _b64_key(env[name], name)
    if env.get(f"{name}_FILE"):
        return _b64_key(Path(env[f"{name}_FILE"]).read_text().strip(), f"{name}_FILE")
    return None


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read settings; in production every secret must come from the environment or a named key file."""
    env = dict(os.environ if environ is None else environ)
    mode = env.get("SAFEPASSAGE_ENV", "development")
    if mode not in {"development", "production", "test"}:
        raise ConfigError("SAFEPASSAGE_ENV must be development, production or test.")
    data_dir = Path(env.get("SAFEPASSAGE_DATA_DIR", str(DEFAULT_DATA_DIR)))
    url = env.get("SAFEPASSAGE_DATABASE_URL") or f"sqlite:///{data_dir / 'safepassage.db'}"
    production = mode == "production"

    def secret(name: str, filename: str) -> bytes:
        if env.get(name):
            return _b64_key(env[name], name)
        if env.get(f"{name}_FILE"):
            return _b64_key(Path(env[f"{name}_FILE"]).read_text().strip(), f"{name}_FILE")
        if production:
            raise ConfigError(f"Refusing to start in production without {name} (or {name}_FILE).")
        return _key_file(data_dir / "keys" / filename)

    secret_key = secret("SAFEPASSAGE_SECRET_KEY", "secret.key")
    kek = secret("SAFEPASSAGE_KEK", "kek.key")
    # During a KEK rotation the previous key is still needed to unwrap what is not yet re-wrapped.
    kek_previous = None
    if env.get("SAFEPASSAGE_KEK_PREVIOUS"):
        kek_previous = _b64_key(env["SAFEPASSAGE_KEK_PREVIOUS"], "SAFEPASSAGE_KEK_PREVIOUS")
    elif not production and (data_dir / "keys" / "kek-previous.key").exists():
        kek_previous = _key_file(data_dir / "keys" / "kek-previous.key")
    if production and secret_key == kek:
        raise ConfigError("SAFEPASSAGE_SECRET_KEY and SAFEPASSAGE_KEK must differ.")
    # Blind-index key: its own secret so it can be rotated (re-index) on its own; in production it
    # defaults to a subkey of the secret key rather than to anything built in.
    if env.get("SAFEPASSAGE_INDEX_KEY"):
        index_key = _b64_key(env["SAFEPASSAGE_INDEX_KEY"], "SAFEPASSAGE_INDEX_KEY")
    elif production:
        index_key = derive_key(secret_key, "blind-index-root")
    else:
        index_key = _key_file(data_dir / "keys" / "index.key")
    try:
        port = int(env.get("SAFEPASSAGE_PORT", "8000"))
    except ValueError:
        raise ConfigError("SAFEPASSAGE_PORT must be a number.") from None
    return Settings(
        env=mode,
        database_url=url,
        data_dir=data_dir,
        secret_key=secret_key,
        kek=kek,
        kek_previous=kek_previous,
        index_key=index_key,
        port=port,
        referral_key=_optional_secret(env, "SAFEPASSAGE_REFERRAL_KEY"),
    )
