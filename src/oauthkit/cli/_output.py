"""What every command prints with: consoles, JSON, times, and the exit statuses.

Exit statuses (stable, documented in ``docs/cli.md``):

==  =====================================================================================
0   success
1   an error (network, configuration, a malformed answer, ...)
2   a usage error (unknown option, missing argument, bad configuration value)
3   login needed: no stored token, or one that cannot be renewed (run ``oauthkit login``)
4   the server refused: an OAuth error response, or an API answering 4xx/5xx
==  =====================================================================================

Colour follows rich's rules: off when ``NO_COLOR`` is set or the output is not a terminal.
An ASCII-only terminal gets ASCII tables and spinners, and characters it cannot show are
escaped instead of raising.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from rich.console import Console

__all__ = [
    "EXIT_ERROR",
    "EXIT_LOGIN",
    "EXIT_OK",
    "EXIT_REFUSED",
    "EXIT_USAGE",
    "CliError",
    "ascii_only",
    "err_console",
    "local_time",
    "out_console",
    "print_json",
    "relative",
    "shown",
]

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_LOGIN = 3
EXIT_REFUSED = 4


class CliError(Exception):
    """An error the CLI reports as one line, with a hint and an exit status."""

    def __init__(self, message: str, hint: str = "", status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.hint = hint
        self.status = status


def ascii_only(stream: Any = None) -> bool:
    """Whether ``stream`` (stdout) cannot carry Unicode."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "ascii"
    return not encoding.lower().replace("-", "").startswith("utf")


class _Console(Console):
    """rich's console, but a closed pipe ends the command like any other (see ``run``)."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError  # rich's own handler exits with status 1


def out_console() -> Console:
    """The console for results (stdout)."""
    return _Console(highlight=False, soft_wrap=True)


def err_console() -> Console:
    """The console for progress and messages (stderr)."""
    return _Console(stderr=True, highlight=False)


def print_json(data: object, *, pretty: bool | None = None) -> None:
    """Print ``data`` as JSON on stdout: highlighted on a terminal, plain (indented) otherwise;
    always ASCII-safe (``\\u`` escapes) so that any terminal shows it."""
    text = json.dumps(data, indent=2, ensure_ascii=True, default=str)
    if pretty is None:
        pretty = sys.stdout.isatty()
    if pretty:
        out_console().print_json(text)
    else:
        sys.stdout.write(text + "\n")


def shown(value: object) -> str:
    """A JSON value for a table cell: strings as they are, lists space-separated, the rest as
    JSON (``true``, ``null``, objects)."""
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return " ".join(shown(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


def relative(seconds: float) -> str:
    """``"in 4 min"``, ``"12 s ago"``, ``"in 2 h 5 min"``: a span from now, for people."""
    future = seconds >= 0
    left = abs(int(seconds))
    if left < 60:
        span = f"{left} s"
    elif left < 3600:
        span = f"{left // 60} min"
    elif left < 86400:
        hours, minutes = divmod(left // 60, 60)
        span = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        span = f"{left // 86400} d"
    return f"in {span}" if future else f"{span} ago"


def local_time(epoch: float, now: float | None = None) -> str:
    """``2026-11-30 03:12:45 CET (in 4 min)``: a timestamp in local time, and how far it is."""
    now = time.time() if now is None else now
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %Z", time.localtime(epoch))
    return f"{stamp} ({relative(epoch - now)})"
