"""The ``oauthkit`` command (the ``cli`` extra: click, rich, segno, platformdirs).

Commands: ``login``, ``token``, ``request``, ``inspect``, ``discover``, ``revoke``,
``logout``, ``profiles``, and ``demo`` and ``dev-provider``; ``docs/cli.md`` describes them,
the configuration file and the exit statuses. ``python -m oauthkit`` is the same command.

This module stays light: ``oauthkit token`` with a fresh stored token is answered by
:mod:`._fast` before click or anything else is imported.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._devprovider import dev_provider as _dev_provider  # noqa: F401 (__getattr__)

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``oauthkit`` command.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns:
        The process exit status (see ``docs/cli.md``).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    from ._fast import token_fast

    status = token_fast(args)
    if status is not None:
        return status
    try:
        from ._app import run
    except ModuleNotFoundError as exc:
        if exc.name not in _EXTRA:
            raise
        print(
            f"oauthkit: the command needs the 'cli' extra ({exc.name} is not installed): "
            "pip install 'oauthkit[cli]'",
            file=sys.stderr,
        )
        return 1
    return run(args)


# What the ``cli`` extra brings that the command imports at start.
_EXTRA = frozenset({"click", "rich", "segno", "platformdirs", "tomli", "httpx", "joserfc"})


def __getattr__(name: str) -> object:
    # The dev provider's runner, for tests that serve it in-process.
    if name == "_dev_provider":
        from ._devprovider import dev_provider

        return dev_provider
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
