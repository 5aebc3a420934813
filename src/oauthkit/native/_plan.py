"""The settings of one native-app login, checked, and its result (RFC 8252).

:func:`~oauthkit.native.login` and :func:`~oauthkit.native.alogin` take the same arguments;
:func:`plan_login` checks them once into a :class:`Plan`, which holds every decision of the
login that is not I/O (which mode to try, which fallback, what to show the user), so the one
login flow (:mod:`._flow`) reads the same under either driver.
"""

from __future__ import annotations

import inspect
import math
import os
import socket
import sys
import time
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .._errors import CallbackError, DeviceFlowExpiredError, LoginTimeoutError, UsageError

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from .._oauth2._metadata import ServerMetadata

__all__ = [
    "LOOPBACK_HOST",
    "MODES",
    "PASTE_PROMPT",
    "READ_TIMEOUT",
    "LoginResult",
    "Mode",
    "Plan",
    "browser_unavailable",
    "free_port",
    "plan_login",
]

Mode = Literal["auto", "loopback", "device", "paste"]
MODES: tuple[str, ...] = ("auto", "loopback", "device", "paste")
"""The values of ``mode=``."""

PASTE_PROMPT = "Then paste the address the browser ended on: "
LOOPBACK_HOST = "127.0.0.1"  # RFC 8252 §8.3: the IP literal, not "localhost"
# A preconnect that sends nothing holds a thread this long, never the login.
READ_TIMEOUT = 5.0


@dataclass(frozen=True, slots=True)
class LoginResult:
    """What :func:`login` did.

    Attributes:
        token: The session's token dictionary (also in ``session.token``, and saved to the
            session's token store if it has one). Kept out of ``repr``.
        mode: The mode that obtained it: ``"loopback"``, ``"device"`` or ``"paste"``.
        redirect_uri: The redirect URI used (``None`` in the device flow).
    """

    token: dict[str, Any] = field(repr=False)
    mode: str
    redirect_uri: str | None = None


def browser_unavailable(
    environ: Mapping[str, str] | None = None, platform: str | None = None
) -> str | None:
    """Why no browser can be opened from here, or ``None`` if one probably can.

    An SSH session (``SSH_CONNECTION``, ``SSH_TTY``) has its browser on the other end, and a
    Linux or BSD process without ``DISPLAY`` or ``WAYLAND_DISPLAY`` has none at all; Python's
    :mod:`webbrowser` would fall back to a text browser in the terminal, or fail.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return "this is an SSH session"
    if platform.startswith(("linux", "freebsd", "openbsd", "netbsd")) and not (
        env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")
    ):
        return "there is no display (DISPLAY and WAYLAND_DISPLAY are unset)"
    return None


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass
class Plan:
    """The settings of one login, checked, shared by :func:`login` and :func:`alogin`."""

    session: Any
    mode: str
    browser: bool
    port: int
    path: str
    timeout: float
    opener: Callable[[str], object]
    env_blocks_browser: bool
    authorization_endpoint: str | None
    token_endpoint: str | None
    device_endpoint: str | None
    on_device_code: Callable[[DeviceAuthorization], object]
    read_input: Callable[[str], str]
    show: Callable[[str], object]
    params: dict[str, Any]
    token_params: dict[str, Any]
    deadline: float = 0.0

    def uri(self, port: int) -> str:
        return f"http://{LOOPBACK_HOST}:{port}{self.path}"

    def prepare(self, port: int) -> tuple[str, str, str]:
        """Point the session at the redirect URI; it, the authorization URL and its state.

        PKCE S256 is required of native apps (RFC 8252 §8.1), whatever the session was given.
        """
        self.session._oauth.pkce = "S256"
        self.session.redirect_uri = redirect_uri = self.uri(port)
        url, state = self.session.authorization_url(self.authorization_endpoint, **self.params)
        return redirect_uri, url, state

    def metadata(self, metadata: ServerMetadata) -> None:
        """Take the device authorization endpoint from the server's metadata, unless given."""
        if self.device_endpoint is None:
            self.device_endpoint = metadata.endpoint("device_authorization_endpoint")

    def try_browser(self) -> bool:
        if self.mode == "loopback":
            return True
        return self.mode == "auto" and self.browser and not self.env_blocks_browser

    def fallback(self) -> str | None:
        """Without a browser: the device authorization endpoint, or ``None`` to paste."""
        if self.mode == "paste":
            return None
        if self.mode == "device" and self.device_endpoint is None:
            raise UsageError(
                "mode='device' needs a device_authorization_endpoint: the server's metadata "
                "names none; pass device_authorization_endpoint="
            )
        return self.device_endpoint

    def show_url(self, url: str) -> None:
        self.show(f"Open this URL in a browser to sign in:\n\n    {url}\n")

    def pasted(self, text: str) -> str:
        text = text.strip()
        if not text:
            raise CallbackError("nothing was pasted: expected the URL the browser was sent to")
        return text

    def timed_out(self, error: DeviceFlowExpiredError) -> Exception:
        if time.time() >= self.deadline:
            return LoginTimeoutError("the device authorization was not approved in time")
        return error


def plan_login(session: Any, options: dict[str, Any], *, awaitable: bool = False) -> Plan:
    """Check the arguments of :func:`login` (or, ``awaitable``, :func:`alogin`): a plan.

    Raises:
        UsageError: A bad argument, or a session of the other kind (async for ``login``).
    """
    fetch = getattr(session, "fetch_token", None)
    if fetch is None or not hasattr(session, "_oauth"):
        raise UsageError("login() takes an oauthkit.requests or oauthkit.httpx OAuth 2 session")
    if inspect.iscoroutinefunction(fetch) != awaitable:
        raise UsageError(
            "an AsyncOAuth2Client logs in with alogin(), a blocking session with login()"
        )
    mode = options["mode"]
    if mode not in MODES:
        raise UsageError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    path = options["redirect_path"]
    if not isinstance(path, str) or not path.startswith("/") or "?" in path or "#" in path:
        raise UsageError(f"redirect_path must be an absolute path like '/callback', not {path!r}")
    port, timeout = options["port"], options["timeout"]
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(f"port must be 0 (ephemeral) or a port number, not {port!r}")
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, int | float)
        or not (math.isfinite(timeout) and timeout > 0)
    ):
        raise UsageError(f"timeout must be a positive number of seconds, not {timeout!r}")
    opener = options["open_browser"]
    show = options["show"] or _stderr
    return Plan(
        session=session,
        mode=mode,
        browser=bool(options["browser"]),
        port=port,
        path=path,
        timeout=float(timeout),
        opener=opener or webbrowser.open,
        # a given opener knows what it can do; the environment only rules out webbrowser's
        env_blocks_browser=opener is None and browser_unavailable(options["environ"]) is not None,
        authorization_endpoint=options["authorization_endpoint"],
        token_endpoint=options["token_endpoint"],
        device_endpoint=options["device_authorization_endpoint"],
        on_device_code=options["on_device_code"] or _show_device_code(show),
        read_input=options["read_input"] or input,
        show=show,
        params=dict(options["authorization_params"] or {}),
        # a native app is a public client unless told otherwise (RFC 8252 §8.4): it names itself
        # in the body (RFC 6749 §3.2.1); a session's client_auth= takes precedence over both
        token_params=(
            {"include_client_id": True}
            if options["client_secret"] is None
            else {"client_secret": options["client_secret"]}
        ),
    )


def _show_device_code(show: Callable[[str], object]) -> Callable[[DeviceAuthorization], object]:
    def tell(authorization: DeviceAuthorization) -> None:
        where = authorization.verification_uri_complete or authorization.verification_uri
        show(f"To sign in, open {where} on any device and enter the code {authorization.user_code}")

    return tell


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK_HOST, 0))
        return int(probe.getsockname()[1])
