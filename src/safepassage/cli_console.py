"""The consoles every command prints through.

On a terminal Rich fits tables and messages to its width. Sent to a file, a pipe or a CI log, output
would otherwise be wrapped at 80 columns — splitting case ids, paths and table cells across lines — so
there it is printed wide, unless `$COLUMNS` says how wide to be.
"""

from __future__ import annotations

import os
import sys

from rich.console import Console

#: Width when the output is not a terminal and $COLUMNS is unset.
UNWRAPPED = 240


def console(*, stderr: bool = False) -> Console:
    """A console for stdout (or stderr), measured now: the terminal's width, or wide when redirected."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = hasattr(stream, "isatty") and stream.isatty()
    return Console(stderr=stderr, width=None if terminal or os.environ.get("COLUMNS") else UNWRAPPED)


out = console()
err = console(stderr=True)
