"""Native-app login as one call (RFC 8252): loopback redirect, device flow or pasted URL.

Why a function over a session, in a namespace of its own: a login is not a new client. The
session the application already configured (``oauthkit.requests.OAuth2Session``,
``oauthkit.httpx.OAuth2Client`` or, with :func:`alogin`, ``AsyncOAuth2Client``) holds the
client identity, authentication, scope, issuer (with discovery and ID-token validation), DPoP
key and token store; :func:`login` only adds what a command-line or desktop program needs around
it (a loopback receiver, a browser, fallbacks) and leaves the session holding the token, saved to
its store, ready to make requests and renew. Every protocol step is the session's own
(``authorization_url``, ``fetch_token``, ``fetch_device_authorization``,
``poll_device_token``), so nothing here is a second copy of PKCE, state or token handling.

The modes:

* ``"loopback"`` (RFC 8252 §7.3): listen on ``127.0.0.1`` on an ephemeral port, send the user's
  browser to the authorization URL (PKCE S256, ``state``, and a ``nonce`` for OpenID Connect),
  wait for the redirect, exchange the code.
* ``"device"`` (RFC 8628): when no browser can be opened here but the server has a
  ``device_authorization_endpoint``: the user approves on another device.
* ``"paste"``: otherwise, print the authorization URL and read back the URL the browser was
  redirected to (which fails to load on that other machine; its address bar has the code).

``mode="auto"`` (the default) picks loopback when a browser can be opened, and falls back to
device, then paste, when it cannot or when opening it fails.
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
from .._loopback import LoopbackServer
from ._receiver import RedirectReceiver

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from .._oauth2._metadata import ServerMetadata
    from ..httpx import OAuth2Client
    from ..requests import OAuth2Session

    Session = OAuth2Session | OAuth2Client

__all__ = [
    "MODES",
    "PASTE_PROMPT",
    "LoginResult",
    "Mode",
    "Plan",
    "browser_unavailable",
    "login",
    "plan_login",
]

Mode = Literal["auto", "loopback", "device", "paste"]
MODES: tuple[str, ...] = ("auto", "loopback", "device", "paste")
"""The values of ``mode=``."""

PASTE_PROMPT = "Then paste the address the browser ended on: "
_LOOPBACK_HOST = "127.0.0.1"  # RFC 8252 §8.3: the IP literal, not "localhost"
# A preconnect that sends nothing holds a thread this long, never the login.
_READ_TIMEOUT = 5.0


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
        return f"http://{_LOOPBACK_HOST}:{port}{self.path}"

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((_LOOPBACK_HOST, 0))
        return int(probe.getsockname()[1])


def login(
    session: Session,
    *,
    mode: Mode = "auto",
    browser: bool = True,
    open_browser: Callable[[str], object] | None = None,
    port: int = 0,
    redirect_path: str = "/callback",
    timeout: float = 300.0,
    client_secret: str | None = None,
    authorization_endpoint: str | None = None,
    token_endpoint: str | None = None,
    device_authorization_endpoint: str | None = None,
    authorization_params: Mapping[str, Any] | None = None,
    on_device_code: Callable[[DeviceAuthorization], object] | None = None,
    read_input: Callable[[str], str] | None = None,
    show: Callable[[str], object] | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], object] | None = None,
) -> LoginResult:
    """Sign the user in as a native app (RFC 8252) and leave the token in ``session``.

    Example::

        with OAuth2Session("my-cli", scope=["openid"], issuer="https://id.example",
                           token_store=FileStore(path), token_key="me") as session:
            oauthkit.native.login(session)
            session.get("https://api.example/me")

    Args:
        session: A configured ``oauthkit.requests.OAuth2Session`` or
            ``oauthkit.httpx.OAuth2Client`` (client id, authentication, scope, ``issuer=`` or
            endpoints, ``dpop=``, ``token_store=``/``token_key=``). Its ``redirect_uri`` is
            set to the loopback one and PKCE S256 is turned on (RFC 8252 §8.1).
        mode: ``"auto"``, ``"loopback"``, ``"device"`` or ``"paste"`` (module docstring).
        browser: ``False`` never opens one: ``auto`` then uses device or paste.
        open_browser: Opens a URL; returns ``False`` when it could not (like
            :func:`webbrowser.open`, the default). With it, the environment is not consulted.
        port: The loopback port; ``0`` (the default) takes an ephemeral one, which a server
            following RFC 8252 §7.3 accepts for a registered ``http://127.0.0.1/<path>``.
        redirect_path: The redirect URI's path.
        timeout: Seconds to wait for the user (the redirect, or the device approval).
        client_secret: For a confidential client, sent in a Basic header (most native apps
            are public clients, RFC 8252 §8.4: without it the ``client_id`` goes in the body).
            The session's ``client_auth=``, when given, decides instead.
        authorization_endpoint: Without ``issuer=`` on the session: the endpoint's URL.
        token_endpoint: Without ``issuer=``: the token endpoint's URL.
        device_authorization_endpoint: Overrides (or, without an issuer, supplies) the one the
            server's metadata names.
        authorization_params: More authorization request parameters (``prompt``,
            ``login_hint``, ``resource``...), passed to ``session.authorization_url``.
        on_device_code: Shows the device flow's code (a CLI can draw
            ``verification_uri_complete`` as a QR code); default: a line on stderr.
        read_input: Reads the pasted redirect URL (default :func:`input`).
        show: Shows a line to the user (default: stderr).
        environ: The environment to judge whether a browser can open (default ``os.environ``).
        sleep: Waits between device-flow polls (default :func:`time.sleep`), for UIs and tests.

    Returns:
        The token and the mode that obtained it.

    Raises:
        LoginTimeoutError: The user did not finish within ``timeout``.
        StateMismatchError: The redirect carried another ``state`` (RFC 6749 §10.12).
        AuthorizationError: The server refused in the browser (``access_denied``...).
        AccessDeniedError: The user denied the device authorization.
        DeviceCodeExpiredError: The device code expired at the server.
        CallbackError: The pasted text is not a usable redirect URL.
        TokenEndpointError: The server refused the code or the device code.
        IDTokenError: With an issuer, the ID token failed validation.
        UsageError: Bad arguments; ``mode="device"`` with no device authorization endpoint.
        OSError: ``port`` cannot be bound.
    """
    plan = plan_login(session, dict(locals()))  # the arguments, as given
    if session._oauth.issuer is not None:
        plan.metadata(session.discover())
    plan.deadline = time.time() + plan.timeout
    if plan.mode in ("auto", "loopback") and plan.try_browser():
        result = _via_loopback(plan)
        if result is not None:
            return result
    device_endpoint = plan.fallback()
    if device_endpoint is not None:
        authorization = session.fetch_device_authorization(device_endpoint)
        plan.on_device_code(authorization)
        try:
            token = session.poll_device_token(
                authorization, plan.token_endpoint, deadline=plan.deadline, sleep=sleep
            )
        except DeviceFlowExpiredError as exc:
            raise plan.timed_out(exc) from exc
        return LoginResult(token, "device")
    redirect_uri, url, _ = plan.prepare(plan.port or _free_port())
    plan.show_url(url)
    pasted = plan.pasted(plan.read_input(PASTE_PROMPT))
    token = session.fetch_token(
        plan.token_endpoint, authorization_response=pasted, **plan.token_params
    )
    return LoginResult(token, "paste", redirect_uri)


def _via_loopback(plan: Plan) -> LoginResult | None:
    """The loopback mode; ``None`` when the browser could not be opened (fall back)."""
    receiver = RedirectReceiver(plan.path)
    with LoopbackServer(receiver, _LOOPBACK_HOST, plan.port, read_timeout=_READ_TIMEOUT) as srv:
        redirect_uri, url, state = plan.prepare(srv.port)
        receiver.expect(state, redirect_uri)
        if plan.opener(url) is False:
            if plan.mode == "loopback":
                plan.show_url(url)  # the user may still open it here by hand
            else:
                return None
        callback = receiver.wait(time.monotonic() + plan.timeout)
        try:
            token = plan.session.fetch_token(
                plan.token_endpoint, authorization_response=callback, **plan.token_params
            )
        except BaseException as exc:
            receiver.finish(exc)
            raise
        receiver.finish()
    return LoginResult(token, "loopback", redirect_uri)
