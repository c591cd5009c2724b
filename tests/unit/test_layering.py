"""House rule 1: domain/ and screening/ import neither web nor database frameworks."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "safepassage"
FORBIDDEN = ("fastapi", "starlette", "sqlalchemy", "alembic", "uvicorn")


@pytest.mark.parametrize("package", ["domain", "screening"])
def test_pure_packages_import_no_framework(package: str) -> None:
    offenders = []
    files = sorted((SRC / package).rglob("*.py"))
    assert files, f"{package} has no modules"
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


@pytest.mark.parametrize("package", ["domain", "screening"])
def test_importing_pure_package_loads_no_framework(package: str) -> None:
    code = (
        f"import sys, importlib, pkgutil, safepassage.{package} as p\n"
        f"[importlib.import_module(m.name) for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.')]\n"
        f"bad = [m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r}]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
