"""``oauthkit login``: sign a user in and keep the token in the store (RFC 8252, RFC 8628).

The login itself is :func:`oauthkit.native.login` on the profile's client (its store, DPoP key
and issuer): this command only draws it. Modes, chosen automatically or with ``--mode``:

* ``loopback``: a redirect receiver on 127.0.0.1 (the profile's ``redirect_port``, or an
  ephemeral one) and the browser opened on the authorization URL (PKCE S256, ``state``);
* ``device`` (RFC 8628): the user code, the verification URL and a QR code of the complete
  URL, with a spinner while the token endpoint is polled;
* ``paste``: the authorization URL is printed and the URL the browser was redirected to is
  read back from stdin.

``auto`` opens a browser when one can be (a display, no SSH session), else uses the device
flow when the server has one, else paste; ``--no-browser`` skips the browser. Progress goes to
stderr; ``--json`` prints a summary of the new token (no secret) on stdout.
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Any

import click

from ._config import load_config
from ._output import CliError, ascii_only, err_console, print_json, relative
from ._session import ProfileSession

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

    from .._oauth2._device import DeviceAuthorization
    from ..httpx import OAuth2Client

__all__ = ["COMMANDS", "LOGIN_TIMEOUT", "MODES", "DeviceScreen", "device_login", "login_command"]

MODES = ("auto", "loopback", "device", "paste")
LOGIN_TIMEOUT = 600.0


@click.command("login")
@click.argument("profile", required=False)
@click.option("--mode", type=click.Choice(MODES), default="auto", show_default=True)
@click.option("--no-browser", is_flag=True, help="Never open a browser (device or paste).")
@click.option("--json", "as_json", is_flag=True, help="Print a summary of the token as JSON.")
def login_command(profile: str | None, mode: str, no_browser: bool, as_json: bool) -> int:
    """Log in to PROFILE and keep its token in the store."""
    from ..native import login

    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    console = err_console()
    screen = DeviceScreen(console)
    try:
        result = login(
            session.client,
            mode=mode,  # type: ignore[arg-type]  # one of MODES, checked by click
            browser=not no_browser,
            port=session.profile.redirect_port,
            redirect_path=session.profile.redirect_path,
            timeout=LOGIN_TIMEOUT,
            authorization_endpoint=session.profile.endpoints.get("authorization_endpoint"),
            token_endpoint=session.profile.endpoints.get("token_endpoint"),
            device_authorization_endpoint=session.profile.endpoints.get(
                "device_authorization_endpoint"
            ),
            on_device_code=screen.show,
            read_input=_read_pasted(console),
            show=lambda text: console.print(text, markup=False, soft_wrap=True),
        )
    finally:
        screen.stop()
        session.close()
    summary = _summary(session.profile.name, result.token, result.mode)
    if as_json:
        print_json(summary)
    else:
        expiry = summary.get("expires_in")
        when = f", expires {relative(expiry)}" if isinstance(expiry, int) else ""
        console.print(f"Logged in to [bold]{session.profile.name}[/bold]{when}.")
    return 0


def _read_pasted(console: Console) -> Any:
    def read(prompt: str) -> str:
        console.print(prompt, markup=False, end="")
        line = sys.stdin.readline()
        if not line:
            raise CliError("no redirect URL was pasted", "paste the address the browser ended on")
        return line

    return read


def _summary(name: str, token: dict[str, Any], mode: str) -> dict[str, Any]:
    summary: dict[str, Any] = {"profile": name, "mode": mode, "token_type": token.get("token_type")}
    expires_at = token.get("expires_at")
    if isinstance(expires_at, (int, float)):
        summary["expires_at"] = expires_at
        summary["expires_in"] = int(expires_at - time.time())
    scope = token.get("scope")
    if scope is not None:
        summary["scope"] = scope if isinstance(scope, list) else str(scope).split()
    summary["refresh_token"] = bool(token.get("refresh_token"))
    return summary


class DeviceScreen:
    """The device flow on a terminal: the URL, the code, a QR code, then a spinner until the
    login ends (RFC 8628 §3.3, §3.3.1)."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.status: Status | None = None

    def show(self, authorization: DeviceAuthorization) -> None:
        console = self.console
        plain = ascii_only(console.file)
        complete = authorization.verification_uri_complete
        console.print(f"To sign in, open [bold]{authorization.verification_uri}[/bold]")
        console.print(
            f"and enter the code  [bold reverse] {authorization.user_code} [/bold reverse]"
        )
        if complete:
            console.print(f"or open {complete}", markup=False)
            if not plain:  # half blocks need Unicode; the URL and code above suffice
                import io

                import segno

                qr = io.StringIO()
                segno.make(complete, error="l").terminal(out=qr, compact=True, border=2)
                console.print(qr.getvalue(), end="", markup=False, highlight=False)
        left = relative(authorization.expires_at - time.time())
        self.status = console.status(
            f"Waiting for approval (the code expires {left})...",
            spinner="line" if plain else "dots",
        )
        self.status.start()

    def stop(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None


def device_login(client: OAuth2Client, device_url: str, token_url: str | None) -> dict[str, Any]:
    """The device flow alone, drawn by :class:`DeviceScreen` (``token --grant device``).

    Returns:
        The token dictionary.
    """
    screen = DeviceScreen(err_console())
    try:
        authorization = client.fetch_device_authorization(device_url)
        screen.show(authorization)
        token: dict[str, Any] = client.poll_device_token(authorization, token_url)
    finally:
        screen.stop()
    return token


COMMANDS = (login_command,)
