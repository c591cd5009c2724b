"""Regenerate tests/data/yente_match_schema.json from yente's own pydantic models.

yente pins its dependencies exactly (fastapi, cryptography, …) and needs PyICU, so it cannot share the
project's virtualenv; run this in a separate one:

    python3 -m venv /tmp/yv && /tmp/yv/bin/pip install yente==5.5.0     # needs libicu-dev, pkg-config
    /tmp/yv/bin/python tests/data/gen_yente_schema.py > tests/data/yente_match_schema.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import yente.data.common as common
from pydantic import TypeAdapter


def main() -> None:
    """Print the request (validation) and response (serialization) schemas with their provenance."""
    source = Path(common.__file__).read_bytes()
    out = {
        "provenance": {
            "package": "yente",
            "version": metadata.version("yente"),
            "file": "yente/data/common.py",
            "file_sha256": hashlib.sha256(source).hexdigest(),
            "nomenklatura": metadata.version("nomenklatura"),
            "pydantic": metadata.version("pydantic"),
            "generator": "tests/data/gen_yente_schema.py",
        },
        "EntityMatchQuery": TypeAdapter(common.EntityMatchQuery).json_schema(mode="validation", by_alias=True),
        "EntityMatchResponse": TypeAdapter(common.EntityMatchResponse).json_schema(
            mode="serialization", by_alias=True
        ),
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
