"""Single-flight renewal and the protected request (RFC 6749 §6, RFC 6750 §2, §3.1).

:func:`protected` authorizes one of the caller's requests: it renews the token before use when
it is (nearly) expired, sends, and on ``401`` with ``error="invalid_token"`` renews once and
sends once more. Renewals run under the token's lock (:class:`~oauthkit._core._steps.Exclusive`)
and look first at what happened while they waited (:mod:`oauthkit._oauth2._renewal`): a token
issued meanwhile is used, a failure meanwhile is shared, so one expiry costs one token request.
The new token is handed to the caller's updater (:class:`~oauthkit._core._steps.TokenIssued`)
outside the lock, once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core._exchange import Deadline
from .._core._http import HttpRequest, HttpResponse
from .._core._run import log
from .._core._steps import Exclusive, Flow, Purpose, TokenIssued
from ._flows import deadline_for, purpose_of, send
from ._grants import ClientCredentialsGrant, Grant, RefreshTokenGrant
from ._renewal import RENEW_CLIENT_CREDENTIALS, RENEW_REFRESH_TOKEN
from ._stored import load_stored, save_stored
from ._token import Token
from ._token_response import parse_token_response

if TYPE_CHECKING:
    from ._manager import TokenManager

__all__ = ["build_renewal_request", "current", "protected", "renew", "renewal_grant"]


def renewal_grant(manager: TokenManager, token: Token | None) -> Grant:
    """The grant that replaces ``token``: a refresh, or the client-credentials grant again.

    Raises:
        TokenExpiredError: The token cannot be renewed (no refresh token or endpoint).
    """
    kind = manager.renewal_kind(token)
    if kind == RENEW_REFRESH_TOKEN and token is not None and token.refresh_token:
        return RefreshTokenGrant(refresh_token=token.refresh_token)
    if kind == RENEW_CLIENT_CREDENTIALS:
        # The grant last fetched, so a renewal asks for what the first request asked for.
        return manager.client_credentials_grant or ClientCredentialsGrant(scope=manager.scope)
    raise manager.cannot_renew()


def build_renewal_request(
    manager: TokenManager, token: Token | None, now: float | None = None
) -> HttpRequest:
    """The request that replaces ``token``.

    Raises:
        TokenExpiredError: The token cannot be renewed.
    """
    return manager.build_grant_request(
        renewal_grant(manager, token),
        extra=manager.renew_params,
        resource=manager.resource,
        now=now,
    )


def _renewal(
    manager: TokenManager, stale: Token | None, *, force: bool, seen: int, deadline: Deadline
) -> Flow[tuple[Token, bool]]:
    """Under the token's lock: reuse what a concurrent renewal did, or renew."""
    current = yield from load_stored(manager)  # another process may have renewed it
    state = manager.renewals
    if state.generation != seen and state.failure is None and current is not None:
        return current, False  # issued while we waited: used, even if already near expiry
    failure = state.shared_failure(seen, manager.clock)
    if failure is not None:
        raise failure
    if (
        current is not None
        and not manager.should_renew(current)
        and (current is not stale or not force)
    ):
        return current, False  # someone renewed it, or it is not due
    if manager.before_renewal is not None:  # a FAPI 2.0 session checks the token endpoint here
        yield from manager.before_renewal()
    grant = renewal_grant(manager, current)
    purpose = purpose_of(grant)
    if purpose is not Purpose.REFRESH:
        purpose = Purpose.CLIENT_CREDENTIALS_RENEWAL
    log.debug("renewing the access token (%s)", purpose.value)
    try:
        response = yield from send(
            manager,
            lambda now: build_renewal_request(manager, current, now),
            purpose,
            deadline,
            one_time=purpose is Purpose.REFRESH,
        )
        token = parse_token_response(
            response,
            now=manager.clock(),
            requested_scope=current.scope if current is not None else manager.scope,
        )
        if purpose is Purpose.REFRESH and current is not None:
            token = current.with_refresh(token)
        if manager.accept is not None:
            token = yield from manager.accept(token, current)
    except Exception as exc:
        state.failed(exc, manager.clock())
        raise
    state.succeeded()
    manager.adopt(token)
    saved = yield from save_stored(manager, token, overwrite=False)
    return saved, saved is token  # another process's newer token wins over ours


def renew(
    manager: TokenManager,
    stale: Token | None,
    *,
    force: bool,
    seen: int,
    timeout: float | None = None,
) -> Flow[Token]:
    """Replace ``stale`` unless another caller already did (run it under the token's lock).

    Args:
        manager: The client.
        stale: The token the caller saw.
        force: The server rejected ``stale``: renew it even though it has not expired.
        seen: The renewal generation the caller saw before waiting for the lock.
        timeout: Seconds for the renewal.

    Returns:
        The current token: the one another caller obtained, or a new one.

    Raises:
        TokenExpiredError: Renewal is needed and impossible.
        TokenEndpointError: The server refused the renewal (also raised, as a fresh copy, to the
            callers that waited for it, and to new callers during the backoff that follows).
        MalformedResponseError: The renewal response is not a token response.
    """
    token, _ = yield from _renewal(
        manager, stale, force=force, seen=seen, deadline=deadline_for(manager, timeout)
    )
    return token


def _renew_locked(
    manager: TokenManager, token: Token | None, *, force: bool, deadline: Deadline
) -> Flow[Token]:
    if manager.renewal_kind(token) is None:
        raise manager.cannot_renew()
    seen = manager.renewals.generation
    renewal = _renewal(manager, token, force=force, seen=seen, deadline=deadline)
    new: Token
    renewed: bool
    new, renewed = yield Exclusive(
        manager.lock_key, renewal, deadline.remaining(), shared=manager.store_key is not None
    )
    if renewed:
        yield TokenIssued(new)  # outside the lock: an updater may use the client
    return new


def current(
    manager: TokenManager, *, force: bool = False, timeout: float | None = None
) -> Flow[Token | None]:
    """The token to send now: the current one, renewed first when due (or when ``force``:
    a server rejected it), under its lock, as the protected flow renews.

    Raises:
        TokenExpiredError: Renewal is needed and impossible.
    """
    token = manager.token
    if token is None and manager.store_key is not None:
        token = yield from load_stored(manager)
    if force or manager.should_renew(token):
        deadline = deadline_for(manager, timeout)
        token = yield from _renew_locked(manager, token, force=force, deadline=deadline)
    return token


def _rejected(response: HttpResponse, bare_too: bool) -> bool:
    from ._challenges import bearer_error, is_token_rejected

    if is_token_rejected(response):
        return True
    if not bare_too:
        return False
    value = response.header("www-authenticate")
    if not value:
        return True  # a bare 401
    challenge = bearer_error(value)  # a Bearer challenge that names no other error
    return challenge is not None and not challenge.error


def protected(
    manager: TokenManager,
    method: str,
    url: str,
    *,
    replayable: bool,
    timeout: float | None,
    answered: tuple[Token, HttpResponse] | None = None,
) -> Flow[None]:
    """Authorize one protected request (RFC 6750 §2), renewing as needed (RFC 6749 §6).

    Renews before use when the token is (nearly) expired; sends; and on ``401`` with
    ``error="invalid_token"`` (§3.1) renews once and sends once more, if the request can be
    sent again (``replayable``). The driver answers ``SendProtected`` with the response's
    status and headers and keeps the response itself for the caller.

    ``answered`` resumes the flow after its first send, which a driver made itself with
    :meth:`TokenManager.ready_step`: the token it sent and the response it got.

    Raises:
        TokenExpiredError: The token expired and cannot be renewed.
        InsecureTransportError: ``url`` is plain http to a non-loopback host.
        LockTimeoutError: A renewal in progress did not finish within the timeout.
    """
    deadline: Deadline | None = None
    if answered is None:
        token = manager.token
        if token is None and manager.store_key is not None:
            token = yield from load_stored(manager)  # the first request of this process
        if manager.should_renew(token):
            deadline = deadline_for(manager, timeout)
            token = yield from _renew_locked(manager, token, force=False, deadline=deadline)
        response = yield manager.protected_step(token, method, url)
    else:
        token, response = answered
    if manager.dpop is not None and isinstance(response, HttpResponse):
        response = yield from _dpop_nonce(manager, token, method, url, response, replayable)
    if (
        replayable
        and token is not None
        and isinstance(response, HttpResponse)
        and response.status_code == 401  # before loading the WWW-Authenticate parser
        and _rejected(response, manager.renew_on_401)
        and manager.renewal_kind(token) is not None
    ):
        log.debug("the resource server rejected the access token; renewing once")
        deadline = deadline or deadline_for(manager, timeout)
        token = yield from _renew_locked(manager, token, force=True, deadline=deadline)
        response = yield manager.protected_step(token, method, url)
        if manager.dpop is not None and isinstance(response, HttpResponse):
            manager.dpop_nonces.learn(url, response)


def _dpop_nonce(
    manager: TokenManager,
    token: Token | None,
    method: str,
    url: str,
    response: HttpResponse,
    replayable: bool,
) -> Flow[HttpResponse]:
    """Remember the resource server's ``DPoP-Nonce``; after ``use_dpop_nonce``, send once more
    with a proof that carries it (RFC 9449 §9)."""
    from ._dpop_nonces import is_nonce_challenge

    fresh = manager.dpop_nonces.learn(url, response)
    if (
        fresh
        and replayable
        and token is not None
        and token.token_type.lower() == "dpop"
        and is_nonce_challenge(response)
    ):
        log.debug("the resource server asked for a DPoP nonce; sending once more")
        response = yield manager.protected_step(token, method, url)
        if isinstance(response, HttpResponse):
            manager.dpop_nonces.learn(url, response)
    return response
