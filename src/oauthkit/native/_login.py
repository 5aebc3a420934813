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

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._flow import login_flow, run_login
from ._plan import LoginResult, Mode, plan_login

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from ..httpx import OAuth2Client
    from ..requests import OAuth2Session

    Session = OAuth2Session | OAuth2Client

__all__ = ["login"]


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
    return run_login(login_flow(plan, sleep), session)
