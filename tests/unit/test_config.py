"""Configuration: production refuses to start without real secrets; development keeps keys in files."""

from __future__ import annotations

import base64
import os
import secrets
import stat
from pathlib import Path

import pytest

from safepassage.config import ConfigError, load_settings


def _b64() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_production_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="production"):
        load_settings({"SAFEPASSAGE_ENV": "production", "SAFEPASSAGE_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError, match="SAFEPASSAGE_KEK"):
        load_settings(
            {"SAFEPASSAGE_ENV": "production", "SAFEPASSAGE_SECRET_KEY": _b64(), "SAFEPASSAGE_DATA_DIR": str(tmp_path)}
        )
    assert not (tmp_path / "keys").exists(), "production must not invent keys"


def test_production_refuses_the_same_key_twice_and_malformed_keys() -> None:
    key = _b64()
    with pytest.raises(ConfigError, match="differ"):
        load_settings({"SAFEPASSAGE_ENV": "production", "SAFEPASSAGE_SECRET_KEY": key, "SAFEPASSAGE_KEK": key})
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings(
            {"SAFEPASSAGE_ENV": "production", "SAFEPASSAGE_SECRET_KEY": "c2hvcnQ=", "SAFEPASSAGE_KEK": _b64()}
        )


def test_production_starts_with_real_secrets() -> None:
    s = load_settings(
        {
            "SAFEPASSAGE_ENV": "production",
            "SAFEPASSAGE_SECRET_KEY": _b64(),
            "SAFEPASSAGE_KEK": _b64(),
            "SAFEPASSAGE_DATABASE_URL": "postgresql://db/sp",
        }
    )
    assert s.production and s.database_url == "postgresql://db/sp"


def test_development_creates_owner_only_key_files_outside_the_database(tmp_path: Path) -> None:
    s1 = load_settings({"SAFEPASSAGE_DATA_DIR": str(tmp_path)})
    s2 = load_settings({"SAFEPASSAGE_DATA_DIR": str(tmp_path)})
    assert s1.kek == s2.kek and s1.secret_key == s2.secret_key and s1.kek != s1.secret_key
    for name in ("kek.key", "secret.key"):
        mode = stat.S_IMODE(os.stat(tmp_path / "keys" / name).st_mode)
        assert mode == 0o600


def test_world_readable_key_file_is_refused(tmp_path: Path) -> None:
    load_settings({"SAFEPASSAGE_DATA_DIR": str(tmp_path)})
    os.chmod(tmp_path / "keys" / "kek.key", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_settings({"SAFEPASSAGE_DATA_DIR": str(tmp_path)})
