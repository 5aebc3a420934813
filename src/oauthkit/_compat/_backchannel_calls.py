"""The sessions' methods for dynamic registration (RFC 7591, RFC 7592) and CIBA, written once.

Like :mod:`oauthkit._compat._calls`, each function returns a :class:`~._calls.Call` that the
blocking sessions (requests, httpx) run and the async httpx client awaits. Without a URL, a
session with an issuer finds the endpoint in the issuer's metadata (``registration_endpoint``,
``backchannel_authentication_endpoint``, ``token_endpoint``), discovered first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._calls import Call, at, same, token_of

if TYPE_CHECKING:
    from .._oauth2._ciba import BackchannelAuthentication
    from .._oauth2._registration import ClientRegistration
    from ._attributes import SessionAttributes

__all__ = [
    "backchannel_authenticate",
    "delete_client_registration",
    "poll_backchannel_token",
    "read_client_registration",
    "register_client",
    "update_client_registration",
]


def register_client(
    session: SessionAttributes,
    /,
    metadata: Mapping[str, Any],
    url: str | None = None,
    *,
    initial_access_token: str | None = None,
    software_statement: str | None = None,
    timeout: Any = None,
) -> Call[ClientRegistration]:
    """Register a client (RFC 7591 §3) with ``metadata`` at ``url`` (or the issuer's
    ``registration_endpoint``).

    The session's own ``client_id`` is not changed: open a session for the new client with
    the registration's ``client_id`` and ``client_secret``.

    Returns:
        The :class:`~oauthkit.ClientRegistration` (credentials hidden from ``repr``).

    Raises:
        InvalidRedirectUriError, InvalidClientMetadataError, InvalidSoftwareStatementError,
        UnapprovedSoftwareStatementError: The server refused the metadata (RFC 7591 §3.2.2).
        TokenEndpointError: Another refusal.
        MalformedResponseError: The answer is not a registration.
        UsageError: Metadata that is not a JSON object.
    """
    core = session._oauth.core
    flow = at(
        session,
        url,
        "registration_endpoint",
        lambda where: core.register_client_flow(
            where,
            metadata,
            initial_access_token=initial_access_token,
            software_statement=software_statement,
            timeout=session._seconds(timeout),
        ),
    )
    return Call(flow, same)


def read_client_registration(
    session: SessionAttributes, /, registration: ClientRegistration, *, timeout: Any = None
) -> Call[ClientRegistration]:
    """Read a registration (RFC 7592 §2.1); keep the one returned: its registration access
    token may be a new one.

    Raises:
        TokenEndpointError: The server refused (a 401 when the token is not valid).
        MalformedResponseError: The answer is not this client's registration.
    """
    seconds = session._seconds(timeout)
    return Call(session._oauth.core.read_client_flow(registration, timeout=seconds), same)


def update_client_registration(
    session: SessionAttributes,
    /,
    registration: ClientRegistration,
    metadata: Mapping[str, Any],
    *,
    timeout: Any = None,
) -> Call[ClientRegistration]:
    """Replace a registration's metadata with ``metadata`` (RFC 7592 §2.2), for example
    ``{**registration.metadata, "client_name": "new"}``; keep the registration returned.

    Raises:
        InvalidRedirectUriError, InvalidClientMetadataError: The server refused the metadata.
        TokenEndpointError: Another refusal.
        MalformedResponseError: The answer is not this client's registration.
    """
    core = session._oauth.core
    flow = core.update_client_flow(registration, metadata, timeout=session._seconds(timeout))
    return Call(flow, same)


def delete_client_registration(
    session: SessionAttributes, /, registration: ClientRegistration, *, timeout: Any = None
) -> Call[None]:
    """Delete a registration (RFC 7592 §2.3).

    Raises:
        TokenEndpointError: The server refused.
    """
    seconds = session._seconds(timeout)
    return Call(session._oauth.core.delete_client_flow(registration, timeout=seconds), same)


def backchannel_authenticate(
    session: SessionAttributes,
    /,
    url: str | None = None,
    *,
    timeout: Any = None,
    **params: Any,
) -> Call[BackchannelAuthentication]:
    """Ask the provider to authenticate a user on their own device (CIBA Core §7.1).

    ``params``: ``login_hint``, ``id_token_hint`` or ``login_hint_token`` (exactly one),
    ``binding_message``, ``requested_expiry``, ``acr_values``, ``user_code``, ``scope``
    (default: the session's; must include ``openid``), ``extra``, and in ping mode (§10.2)
    ``client_notification_token`` (a fresh :func:`oauthkit.new_client_notification_token`).

    Returns:
        The :class:`~oauthkit.BackchannelAuthentication` to poll with (in ping mode holding
        the ``client_notification_token`` its ping must carry).

    Raises:
        UsageError: No ``openid`` scope, or not exactly one hint.
        TokenEndpointError: The provider refused (CIBA Core §13).
        MalformedResponseError: The answer is not a CIBA acknowledgement.
    """
    core = session._oauth.core
    if params.get("scope") is None:
        params["scope"] = session._oauth.scope
    flow = at(
        session,
        url,
        "backchannel_authentication_endpoint",
        lambda where: core.backchannel_authentication_flow(
            where, timeout=session._seconds(timeout), **params
        ),
    )
    return Call(flow, same)


def poll_backchannel_token(
    session: SessionAttributes,
    /,
    authentication: BackchannelAuthentication,
    token_url: str | None = None,
    *,
    deadline: float | None = None,
    sleep: Callable[[float], Any] | None = None,
    pinged: bool = False,
) -> Call[dict[str, Any]]:
    """Wait for the user to approve a CIBA request (CIBA Core §10.1, poll mode), or fetch
    its token once the provider pinged (``pinged=True``, ping mode, §10.2).

    With an issuer, the ID token is validated before the token is kept. DPoP-bound when the
    session has a DPoP key. ``sleep`` replaces the wait between polls, as for
    ``poll_device_token``. After a ping the token request is made at once; should the
    provider still answer ``authorization_pending`` (or the ping never came and ``pinged`` is
    false), it is polled for until the request expires.

    Returns:
        The token dictionary.

    Raises:
        AccessDeniedError: The user refused.
        DeviceCodeExpiredError: The provider says the request expired.
        DeviceFlowExpiredError: It expires (or ``deadline`` passes) before the next poll.
        IDTokenError: The ID token failed validation.
    """
    core = session._oauth.core
    flow = at(
        session,
        token_url or core.token_endpoint,
        "token_endpoint",
        lambda where: core.ciba_token_flow(
            authentication,
            where,
            deadline=deadline,
            requested_scope=session._oauth.scope,
            pinged=pinged,
        ),
    )
    return Call(flow, token_of(session), {"sleep": sleep})
