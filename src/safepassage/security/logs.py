"""Structured logging with an allow-list: personal data cannot reach a log line.

A record is written as one JSON object holding the message *template* (never the interpolated
arguments), the logger, the level, the time, and only those `extra` fields named in ALLOWED.
Third-party loggers go through the same formatter, so a library that logs a value with `%s`
leaks the template, not the value.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

ALLOWED = frozenset({"error_type", "event", "status", "duration_ms", "case_id", "user_id", "count", "route"})


class AllowListFormatter(logging.Formatter):
    """JSON lines with allow-listed fields only."""

    def format(self, record: logging.LogRecord) -> str:
        """Render a record without its arguments, tracebacks or non-allow-listed extras."""
        out = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": str(record.msg)[:200],
        }
        for key in ALLOWED:
            if key in record.__dict__:
                out[key] = str(record.__dict__[key])[:100]
        if record.exc_info and record.exc_info[0] is not None:
            out["error_type"] = record.exc_info[0].__name__  # the type only: messages can hold values
        return json.dumps(out, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    """Route every logger (uvicorn, SQLAlchemy, ours) through the allow-list formatter."""
    handler = logging.StreamHandler()
    handler.setFormatter(AllowListFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access", "sqlalchemy", "alembic"):
        lg = logging.getLogger(name)
        lg.handlers[:] = []
        lg.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # no access log: applicants leave no trace
