"""The OAuth 2 flows of :class:`~oauthkit.TokenManager`: every operation that does I/O.

Each flow is a generator of :mod:`~oauthkit._core._steps` steps, written once and run by every
driver's executor. The flows that change the token hold its lock (``Exclusive``) while they
do; the caller's own request is never sent under it.

* :func:`token_flow` / :func:`refresh`: obtain a token, make it current;
* single-flight renewal and the protected request are in :mod:`oauthkit._oauth2._protected`;
* :func:`device_authorization`, :func:`device_token`: RFC 8628;
* revocation and introspection (RFC 7009, RFC 7662) are in :mod:`oauthkit._oauth2._about_token`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .._core._exchange import DEFAULT_TIMEOUT, Deadline, exchange
from .._core._http import HttpRequest, HttpResponse
from .._core._params import ExtraParams, Scope
from .._core._steps import Exclusive, Flow, Purpose
from .._errors import UsageError
from ._client_auth import ClientAuth
from ._grants import ClientCredentialsGrant, Grant, RefreshTokenGrant
from ._stored import save_stored
from ._token import Token
from ._token_response import parse_token_response

if TYPE_CHECKING:
    from ._backchannel import GrantOptions
    from ._device import DeviceAuthorization
    from ._manager import TokenManager

__all__ = [
    "adopt_polled",
    "ask",
    "deadline_for",
    "device_authorization",
    "device_token",
    "fetch",
    "purpose_of",
    "refresh",
    "send",
    "token_flow",
]


def purpose_of(grant: object) -> Purpose:
    """Why a token request for ``grant`` is sent (``TOKEN`` unless the grant says)."""
    purpose = getattr(grant, "purpose", Purpose.TOKEN)
    return purpose if isinstance(purpose, Purpose) else Purpose.TOKEN


def deadline_for(manager: TokenManager, timeout: float | None) -> Deadline:
    """The deadline of one operation: the call's timeout, the manager's, or the default."""
    if timeout is None:
        timeout = manager.timeout if manager.timeout is not None else DEFAULT_TIMEOUT
    return Deadline(manager.clock, timeout)


def send(
    manager: TokenManager,
    build: Callable[[float], HttpRequest],
    purpose: Purpose,
    deadline: Deadline,
    *,
    one_time: bool,
) -> Flow[HttpResponse]:
    """One back-channel exchange of the manager's; with a DPoP key, also the one retry that
    a ``use_dpop_nonce`` refusal allows (RFC 9449 §8)."""

    def once(build: Callable[[float], HttpRequest]) -> Flow[HttpResponse]:
        return exchange(
            build,
            purpose,
            clock=manager.clock,
            deadline=deadline,
            policy=manager.retry,
            one_time=one_time,
        )

    if manager.dpop is None:
        return once(build)
    from ._dpop_nonces import nonce_retry

    return nonce_retry(manager.dpop_nonces, build, once)


def ask(
    manager: TokenManager,
    build: Callable[[float], HttpRequest],
    purpose: Purpose,
    timeout: float | None,
) -> Flow[HttpResponse]:
    """:func:`send` a request that carries no one-time credential (the retry policy may send it
    again), within the operation's timeout (:func:`deadline_for`)."""
    return send(manager, build, purpose, deadline_for(manager, timeout), one_time=False)


def _adopting(manager: TokenManager, token: Token) -> Flow[Token]:
    manager.renewals.succeeded()
    manager.adopt(token)
    # a sign-in, as a fetched token is: it replaces whatever the store holds
    return (yield from save_stored(manager, token, overwrite=True))


def token_flow(
    manager: TokenManager,
    build: Callable[[float], HttpRequest],
    purpose: Purpose,
    *,
    one_time: bool,
    requested_scope: Scope,
    previous: Token | None = None,
    timeout: float | None = None,
) -> Flow[Token]:
    """Send a token request under the token's lock, parse the answer, make it current.

    Args:
        manager: The client.
        build: Makes the request for a given time (called once per attempt).
        purpose: Why it is sent.
        one_time: It carries a one-time credential (see :func:`~oauthkit._core._exchange.exchange`).
        requested_scope: The scope asked for, to record a changed grant.
        previous: For a refresh, the token it replaces (its refresh token is kept when the
            server does not rotate it, RFC 6749 §6).
        timeout: Seconds for the whole operation.

    Raises:
        TokenEndpointError: The server refused; the current token is kept.
        MalformedResponseError: The answer is not a token response; the current token is kept.
        UnexpectedRedirectError: The endpoint redirected; nothing was re-sent.
        LockTimeoutError: A renewal in progress did not finish within the timeout.
    """
    deadline = deadline_for(manager, timeout)

    def locked() -> Flow[Token]:
        response = yield from send(manager, build, purpose, deadline, one_time=one_time)
        token = parse_token_response(response, now=manager.clock(), requested_scope=requested_scope)
        if previous is not None:
            token = previous.with_refresh(token)
        if manager.accept is not None:
            token = yield from manager.accept(token, manager.token)
        manager.renewals.succeeded()
        manager.adopt(token)
        # asked for on purpose: it replaces whatever the store holds
        return (yield from save_stored(manager, token, overwrite=True))

    token: Token = yield Exclusive(
        manager.lock_key, locked(), deadline.remaining(), shared=manager.store_key is not None
    )
    return token


def fetch(
    manager: TokenManager,
    grant: Grant,
    endpoint: str | None,
    auth: ClientAuth | None,
    requested_scope: Scope,
    timeout: float | None,
    options: GrantOptions,
) -> Flow[Token]:
    """Obtain a token with ``grant`` (RFC 6749 §4) and make it current.

    A client-credentials grant is remembered: when its token expires, the same grant fetches
    the next one (RFC 6749 §4.4.3: there is no refresh token).
    """

    def build(now: float) -> HttpRequest:
        return manager.build_grant_request(grant, endpoint=endpoint, auth=auth, now=now, **options)

    scope = requested_scope if requested_scope is not None else getattr(grant, "scope", None)
    if isinstance(grant, ClientCredentialsGrant):
        manager.remember_client_credentials(grant, endpoint, auth)
    return (
        yield from token_flow(
            manager,
            build,
            purpose_of(grant),
            one_time=getattr(grant, "one_time", True),
            requested_scope=scope if scope is not None else manager.scope,
            timeout=timeout,
        )
    )


def refresh(
    manager: TokenManager,
    refresh_token: str | None,
    endpoint: str | None,
    auth: ClientAuth | None,
    timeout: float | None,
    options: GrantOptions,
) -> Flow[Token]:
    """An explicit refresh (RFC 6749 §6); see :meth:`TokenManager.refresh_flow`.

    Raises:
        UsageError: No endpoint, or no refresh token.
    """
    url = endpoint or manager.token_endpoint
    if not url:
        raise UsageError("no token endpoint set for refreshing")
    manager.transport.check(url)
    current = manager.token
    value = refresh_token or (current.refresh_token if current is not None else None)
    if not value:
        raise UsageError("no refresh token to refresh with")
    grant = RefreshTokenGrant(refresh_token=value)

    def build(now: float) -> HttpRequest:
        return manager.build_grant_request(grant, endpoint=url, auth=auth, now=now, **options)

    return (
        yield from token_flow(
            manager,
            build,
            Purpose.REFRESH,
            one_time=True,
            requested_scope=current.scope if current is not None else manager.scope,
            previous=current,
            timeout=timeout,
        )
    )


def device_authorization(
    manager: TokenManager,
    endpoint: str,
    *,
    scope: Scope,
    extra: ExtraParams,
    timeout: float | None,
) -> Flow[DeviceAuthorization]:
    """Ask for a device code (RFC 8628 §3.1, §3.2).

    Raises:
        TokenEndpointError: The server refused.
        MalformedResponseError: The body is not a device authorization response.
    """
    # The device flow, revocation and introspection load when first used: most clients never
    # need them, and every client pays their import otherwise.
    from ._device import build_device_authorization_request, parse_device_authorization_response

    def build(now: float) -> HttpRequest:
        return build_device_authorization_request(
            endpoint,
            manager.auth,
            now=now,
            scope=scope,
            extra=extra,
            allow_insecure_transport=manager.transport,
        )

    response = yield from ask(manager, build, Purpose.DEVICE_AUTHORIZATION, timeout)
    return parse_device_authorization_response(response, now=manager.clock())


def device_token(
    manager: TokenManager,
    authorization: DeviceAuthorization,
    endpoint: str,
    *,
    deadline: float | None,
    scope: Scope,
) -> Flow[Token]:
    """Poll (RFC 8628 §3.4, §3.5), then make the token current under the token's lock.

    The polls are built like every token request of the manager (a DPoP proof each, with the
    nonce a ``use_dpop_nonce`` refusal taught, RFC 9449 §8), and the token passes the
    manager's ``accept`` check (an OpenID Connect session validates its ID token) before it
    becomes current.
    """
    from ._grants import DeviceCodeGrant
    from ._polling import manager_poll, poll_device_token

    if manager.dpop is None:
        token = yield from poll_device_token(
            authorization,
            endpoint,
            manager.auth,
            clock=manager.clock,
            deadline=deadline,
            requested_scope=scope,
            allow_insecure_transport=manager.transport,
        )
    else:
        grant = DeviceCodeGrant(authorization.device_code)
        token = yield from manager_poll(
            manager, authorization, grant, endpoint, deadline=deadline, scope=scope
        )
    return (yield from adopt_polled(manager, token))


def adopt_polled(manager: TokenManager, token: Token) -> Flow[Token]:
    """Check a polled token with the manager's ``accept`` (an OpenID Connect session
    validates its ID token), then make it current under the token's lock."""
    if manager.accept is not None:
        token = yield from manager.accept(token, manager.token)
    adopted: Token = yield Exclusive(
        manager.lock_key, _adopting(manager, token), None, shared=manager.store_key is not None
    )
    return adopted
