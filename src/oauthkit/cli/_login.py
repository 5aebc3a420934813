"""``oauthkit login``: sign a user in and keep the token in the store (RFC 8252, RFC 8628).

Modes, chosen automatically or with ``--mode``:

* ``device`` (RFC 8628): the user code, the verification URL and a QR code of the complete URL
  are shown, and a spinner runs while the token endpoint is polled;
* ``paste``: the authorization URL (PKCE S256, a ``state``) is printed, and the URL the
  browser was redirected to is read back from stdin;
* ``loopback``: a redirect receiver on 127.0.0.1 with the browser opened; it comes with the
  native-app login library call (issue #12), and until then ``auto`` picks ``device`` when the
  server offers it, else ``paste``.

Progress goes to stderr; ``--json`` prints a summary of the new token (no secret) on stdout.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ._config import load_config
from ._output import EXIT_USAGE, CliError, ascii_only, err_console, print_json, relative
from ._session import ProfileSession

if TYPE_CHECKING:
    from ..httpx import OAuth2Client

__all__ = ["COMMANDS", "MODES", "device_login", "login_command", "paste_login"]

MODES = ("auto", "loopback", "device", "paste")


@click.command("login")
@click.argument("profile", required=False)
@click.option("--mode", type=click.Choice(MODES), default="auto", show_default=True)
@click.option("--no-browser", is_flag=True, help="Never open a browser (device or paste).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary of the token as JSON.")
def login_command(profile: str | None, mode: str, no_browser: bool, as_json: bool) -> int:
    """Log in to PROFILE and keep its token in the store."""
    config = load_config()
    session = ProfileSession(config, config.profile(profile), login=True)
    try:
        device_url = session.endpoint("device_authorization_endpoint", required=False)
        token_url = session.endpoint("token_endpoint")
        if mode == "loopback":
            raise CliError(
                "the loopback login is not available in this version",
                "use --mode device or --mode paste",
                EXIT_USAGE,
            )
        if mode == "auto":
            mode = "device" if device_url else "paste"
        if mode == "device":
            if device_url is None:
                raise CliError(
                    "the server offers no device flow (no device_authorization_endpoint)",
                    "use --mode paste",
                    EXIT_USAGE,
                )
            token = device_login(session.client, device_url, token_url)
        else:
            auth_url = session.endpoint("authorization_endpoint")
            token = paste_login(session.client, auth_url or "", token_url or "")
    finally:
        session.close()
    summary = _summary(session.profile.name, token)
    if as_json:
        print_json(summary)
    else:
        expiry = summary.get("expires_in")
        when = f", expires {relative(expiry)}" if isinstance(expiry, int) else ""
        err_console().print(f"Logged in to [bold]{session.profile.name}[/bold]{when}.")
    return 0


def _summary(name: str, token: dict[str, Any]) -> dict[str, Any]:
    summary: dict[str, Any] = {"profile": name, "token_type": token.get("token_type")}
    expires_at = token.get("expires_at")
    if isinstance(expires_at, (int, float)):
        summary["expires_at"] = expires_at
        summary["expires_in"] = int(expires_at - time.time())
    scope = token.get("scope")
    if scope is not None:
        summary["scope"] = scope if isinstance(scope, list) else str(scope).split()
    summary["refresh_token"] = bool(token.get("refresh_token"))
    return summary


def device_login(client: OAuth2Client, device_url: str, token_url: str | None) -> dict[str, Any]:
    """Run the device flow (RFC 8628 §3): show the code, URL and QR code, poll with a spinner.

    Returns:
        The token dictionary.
    """
    authorization = client.fetch_device_authorization(device_url)
    console = err_console()
    plain = ascii_only(console.file)
    complete = authorization.verification_uri_complete
    console.print(f"To sign in, open [bold]{authorization.verification_uri}[/bold]")
    console.print(f"and enter the code  [bold reverse] {authorization.user_code} [/bold reverse]")
    if complete:
        console.print(f"or open {complete}")
        if not plain:
            import io

            import segno

            qr = io.StringIO()
            segno.make(complete, error="l").terminal(out=qr, compact=True, border=2)
            console.print(qr.getvalue(), end="", markup=False, highlight=False)
    left = relative(authorization.expires_at - time.time())
    with console.status(
        f"Waiting for approval (the code expires {left})...",
        spinner="line" if plain else "dots",
    ):
        token: dict[str, Any] = client.poll_device_token(authorization, token_url)
    return token


def paste_login(client: OAuth2Client, auth_url: str, token_url: str) -> dict[str, Any]:
    """The authorization code flow with PKCE, the redirect read back from stdin (RFC 8252 §7
    without a receiver: for a machine where nothing can listen for the browser).

    Returns:
        The token dictionary.
    """
    url, _ = client.authorization_url(auth_url)
    console = err_console()
    console.print("Open this URL in a browser and sign in:\n", markup=False)
    console.print(url, markup=False, soft_wrap=True)
    console.print(
        "\nThe browser then goes to a page that does not load; paste its whole address here:",
        markup=False,
    )
    pasted = sys.stdin.readline().strip()
    if not pasted:
        raise CliError("no redirect URL was pasted", "paste the address the browser ended on")
    token: dict[str, Any] = client.fetch_token(token_url, authorization_response=pasted)
    return token


COMMANDS = (login_command,)
