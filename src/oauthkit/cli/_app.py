"""The ``oauthkit`` command group (click), and how errors become one line and an exit status.

Each command group lives in its own module and registers itself on :data:`cli` when imported
here. Errors are printed as ``oauthkit: error: <what>`` and ``  hint: <what to do>`` on stderr,
with the exit statuses of :mod:`._output`; ``--debug`` adds the traceback and the library's
debug log (tokens redacted).
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

import click

from .. import __version__
from .._errors import (
    AuthorizationError,
    CallbackError,
    OAuthError,
    ServerResponseError,
    TokenEndpointError,
    TokenExpiredError,
    UsageError,
)
from ._config import ConfigError
from ._fast import quiet_stdout
from ._output import EXIT_ERROR, EXIT_LOGIN, EXIT_REFUSED, EXIT_USAGE, CliError

__all__ = ["classify", "cli", "run"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="oauthkit", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks and the library's debug log.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """OAuth from the shell: log in, print a token, call an API, inspect a token.

    Profiles live in a TOML file (`oauthkit profiles --path` prints where); see docs/cli.md.
    Exit statuses: 0 ok, 1 error, 2 usage, 3 login needed, 4 server refused.
    """
    ctx.obj = {"debug": debug}
    if debug:
        logging.basicConfig(level=logging.DEBUG, format="%(name)s: %(message)s")


def _register() -> None:
    from . import _devprovider, _discover, _inspect, _login, _profiles, _request, _revoke, _token

    modules = (_token, _login, _request, _inspect, _discover, _profiles, _revoke, _devprovider)
    for module in modules:
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def classify(exc: BaseException) -> tuple[int, str, str]:
    """The exit status, the message and the hint for an error."""
    if isinstance(exc, CliError):
        return exc.status, str(exc), exc.hint
    if isinstance(exc, ConfigError):
        return EXIT_ERROR, str(exc), exc.hint
    if isinstance(exc, TokenExpiredError):
        return EXIT_LOGIN, str(exc), "log in again: oauthkit login [PROFILE]"
    if isinstance(exc, TokenEndpointError) and exc.error == "invalid_grant":
        return EXIT_LOGIN, str(exc), "the grant is gone; log in again: oauthkit login [PROFILE]"
    if isinstance(exc, TokenEndpointError) and exc.error == "invalid_client":
        return EXIT_REFUSED, str(exc), "check the client id, its secret and --auth-method"
    if isinstance(exc, (TokenEndpointError, AuthorizationError)):
        return EXIT_REFUSED, str(exc), "the server refused; check the profile's settings"
    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc), ""
    if isinstance(exc, (ServerResponseError, CallbackError, OAuthError)):
        return EXIT_ERROR, str(exc), ""
    if isinstance(exc, OSError):
        return EXIT_ERROR, f"{exc.strerror or exc}", "is the server running and reachable?"
    name = type(exc).__module__.partition(".")[0]
    if name in ("httpx", "httpcore"):  # transport errors pass through the library unwrapped
        return EXIT_ERROR, f"{type(exc).__name__}: {exc}", "is the server running and reachable?"
    return EXIT_ERROR, f"{type(exc).__name__}: {exc}", "rerun with --debug for the traceback"


def _report(exc: BaseException, debug: bool) -> int:
    status, message, hint = classify(exc)
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    text = f"oauthkit: error: {message}" + (f"\n  hint: {hint}" if hint else "")
    sys.stderr.write(text.encode("ascii", "backslashreplace").decode("ascii") + "\n")
    return status


def run(argv: list[str]) -> int:
    """Run the command group on ``argv``; return the exit status."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # an ASCII terminal gets escapes
    if not argv and "_OAUTHKIT_COMPLETE" not in os.environ:  # as argparse did: usage, 2
        with click.Context(cli, info_name="oauthkit") as ctx:
            sys.stderr.write(ctx.get_usage() + "\nTry 'oauthkit --help' for help.\n")
        raise SystemExit(EXIT_USAGE)
    debug = "--debug" in argv
    stdout = sys.stdout
    try:
        result = cli.main(argv, prog_name="oauthkit", standalone_mode=False)
    except SystemExit:
        if sys.stdout is not stdout:  # click met a closed pipe and wrapped the streams
            quiet_stdout()
            return 0
        raise
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        sys.stderr.write("oauthkit: interrupted\n")
        return 130
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
    except BrokenPipeError:
        quiet_stdout()
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("oauthkit: interrupted\n")
        return 130
    except Exception as exc:
        return _report(exc, debug)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()
    return result if isinstance(result, int) else 0
