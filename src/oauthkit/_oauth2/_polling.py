"""Polling a token endpoint until the user decides (RFC 8628 §3.4, §3.5).

:func:`poll_device_token` is a flow: it yields :class:`~oauthkit._core._steps.Sleep` and
:class:`~oauthkit._core._steps.SendRequest` steps and returns the
:class:`~oauthkit._oauth2._token.Token`. Drivers run it with their executor, so one copy of the
state machine serves blocking and async code; tests drive it with ``next``/``send`` and a fake
clock.

``authorization_pending`` polls again after the interval; ``slow_down`` adds 5 seconds to it for
this and every later poll. An interval the server gives as zero or less is RFC 8628's default of
5 seconds, and no interval is shorter than :data:`MIN_INTERVAL`: a server that asks for none
would otherwise be polled in a tight loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol

from .._core._exchange import Deadline, RetryPolicy, exchange
from .._core._http import HttpRequest, HttpResponse
from .._core._params import ExtraParams, Scope, encode_scope
from .._core._steps import Flow, Purpose, Sleep
from .._core._transport import InsecureAllowance, TransportPolicy
from .._error_codes import AuthorizationPendingError, SlowDownError
from .._errors import DeviceFlowExpiredError, UsageError
from ._backchannel import transport_policy
from ._client_auth import ClientAuth
from ._device import DEFAULT_INTERVAL, SLOW_DOWN_INCREMENT, DeviceAuthorization
from ._grants import DeviceCodeGrant, build_token_request
from ._token import Token
from ._token_response import parse_token_response

if TYPE_CHECKING:
    from ._grants import Grant
    from ._manager import TokenManager

__all__ = [
    "MIN_INTERVAL",
    "Pending",
    "effective_interval",
    "manager_poll",
    "poll_device_token",
    "poll_with",
]

MIN_INTERVAL = 1.0
"""The shortest wait between two polls, whatever the server says."""

_NO_RETRY = RetryPolicy(attempts=1)
# What a poll waits on and what to start again when it expires, in DeviceFlowExpiredError.
_NAMES = {
    Purpose.DEVICE_POLL: ("device code", "device flow"),
    Purpose.CIBA_POLL: ("CIBA request (auth_req_id)", "CIBA request"),
}


def effective_interval(interval: float) -> float:
    """The wait between polls for a server's ``interval`` (RFC 8628 §3.2, §3.5)."""
    if interval <= 0:
        return DEFAULT_INTERVAL
    return max(interval, MIN_INTERVAL)


def poll_device_token(
    authorization: DeviceAuthorization,
    token_endpoint: str,
    auth: ClientAuth,
    *,
    clock: Callable[[], float],
    deadline: float | None = None,
    requested_scope: Scope = None,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
    retry: RetryPolicy = _NO_RETRY,
) -> Flow[Token]:
    """Poll the token endpoint until the user decides (RFC 8628 §3.4, §3.5).

    The generator yields ``Sleep(interval)`` (send back ``None``), then ``SendRequest`` (send
    back the :class:`~oauthkit.HttpResponse`), and repeats. It returns the token
    (``StopIteration.value``) once the user approves.

    Args:
        authorization: The parsed device authorization.
        token_endpoint: The token endpoint URL.
        auth: How the client authenticates (the same as for the device request).
        clock: Returns the current time in seconds since the epoch (``time.time``).
        deadline: A time after which to give up, if earlier than ``expires_at``.
        requested_scope: The scope asked for in the device request, so that the token knows
            its scope when the response omits it (RFC 6749 §5.1).
        extra: Extra parameters for every token request.
        headers: Extra headers for every token request.
        allow_insecure_transport: Permit plain http to non-loopback hosts (all, or these).
        retry: When a poll that never reached the server is sent again (never by default:
            the next poll comes anyway).

    Returns:
        A generator whose return value is the :class:`~oauthkit.Token`.

    Raises:
        UsageError: Raised at once for bad arguments; raised by the generator if the driver
            sends back something that is not an :class:`HttpResponse` after a request.
        InsecureTransportError: Raised at once for a plain-http token endpoint.
        DeviceFlowExpiredError: By the generator, when the next poll could not happen before
            ``expires_at`` (or ``deadline``).
        AccessDeniedError: By the generator, when the user refused (§3.5).
        DeviceCodeExpiredError: By the generator, when the server says the code expired.
        TokenEndpointError: By the generator, for any other refusal.
        MalformedResponseError: By the generator, for a response that is not a token.
        UnexpectedRedirectError: By the generator, when the token endpoint redirects.
    """
    if not isinstance(authorization, DeviceAuthorization):
        raise UsageError("authorization must be a DeviceAuthorization")
    if not callable(clock):
        raise UsageError("clock must be a callable returning seconds since the epoch")
    if deadline is not None and (
        isinstance(deadline, bool) or not isinstance(deadline, int | float)
    ):
        raise UsageError("deadline must be a number of seconds since the epoch")
    policy = transport_policy(allow_insecure_transport)
    policy.check(token_endpoint)
    encode_scope(requested_scope)
    limit = (
        authorization.expires_at if deadline is None else min(deadline, authorization.expires_at)
    )
    grant = DeviceCodeGrant(authorization.device_code)

    def build(now: float) -> HttpRequest:
        return build_token_request(
            token_endpoint,
            grant,
            auth,
            now=now,
            extra=extra,
            headers=headers,
            allow_insecure_transport=policy,
        )

    return poll_with(authorization, build, clock, limit, requested_scope, retry)


class Pending(Protocol):
    """What a poll waits on: a device authorization (RFC 8628 §3.2) or a CIBA
    authentication request (CIBA Core §7.3)."""

    @property
    def expires_at(self) -> float:
        """When the code or ``auth_req_id`` expires, seconds since the epoch."""
        ...

    @property
    def interval(self) -> float:
        """Minimum seconds between polls."""
        ...


def poll_with(
    authorization: Pending,
    build: Callable[[float], HttpRequest],
    clock: Callable[[], float],
    limit: float,
    requested_scope: Scope,
    retry: RetryPolicy,
    answered: Callable[[HttpResponse], bool] | None = None,
    *,
    purpose: Purpose = Purpose.DEVICE_POLL,
    wait_first: bool = True,
) -> Flow[Token]:
    """Poll with requests from ``build`` until a token, a refusal or ``limit``.

    ``answered`` sees every response first; when it returns ``True`` (a DPoP client that
    learnt the nonce a ``use_dpop_nonce`` refusal carried, RFC 9449 §8) the poll is simply
    made again at the next interval. ``purpose`` names the flow: a device flow's polls
    (``DEVICE_POLL``), or CIBA's (``CIBA_POLL``), whose ``authorization_pending``, ``slow_down``,
    ``expired_token`` and ``access_denied`` mean the same (CIBA Core §11). Without
    ``wait_first`` the first request is made at once (a CIBA ping said the user decided,
    CIBA Core §10.2); every later one after the interval.
    """
    what, flow_name = _NAMES.get(purpose, _NAMES[Purpose.DEVICE_POLL])
    interval = effective_interval(authorization.interval)
    wait = interval if wait_first else 0.0
    while True:
        # Waiting past the deadline only to be told expired_token wastes the user's time.
        if clock() + wait >= limit:
            raise DeviceFlowExpiredError(
                f"the {what} expires before the next poll; start a new {flow_name}"
            )
        if wait:
            yield Sleep(wait)
        wait = interval
        if clock() >= limit:
            raise DeviceFlowExpiredError(f"the {what} expired; start a new {flow_name}")
        response = yield from exchange(
            build,
            purpose,
            clock=clock,
            deadline=Deadline(clock, max(0.0, limit - clock())),
            policy=retry,
            one_time=True,
        )
        if answered is not None and answered(response):
            continue
        try:
            return parse_token_response(response, now=clock(), requested_scope=requested_scope)
        except AuthorizationPendingError:
            continue
        except SlowDownError:
            interval += SLOW_DOWN_INCREMENT
            wait = interval


def manager_poll(
    manager: TokenManager,
    pending: Pending,
    grant: Grant,
    endpoint: str,
    *,
    deadline: float | None,
    scope: Scope,
    wait_first: bool = True,
) -> Flow[Token]:
    """Poll with the token requests of ``manager`` (its client authentication, its transport
    policy, a DPoP proof each when it has a key, with the nonce a ``use_dpop_nonce`` refusal
    taught, RFC 9449 §8) until ``pending`` is decided or expires (or ``deadline`` passes).
    The polls have the ``purpose`` of ``grant``; ``wait_first`` as for :func:`poll_with`.

    Raises:
        InsecureTransportError: Raised at once for a plain-http token endpoint.
        DeviceFlowExpiredError, AccessDeniedError, DeviceCodeExpiredError,
        TokenEndpointError, MalformedResponseError: By the generator, as for
        :func:`poll_device_token`.
    """
    from ._dpop_nonces import is_nonce_error
    from ._flows import purpose_of

    manager.transport.check(endpoint)
    limit = pending.expires_at if deadline is None else min(deadline, pending.expires_at)

    def build(now: float) -> HttpRequest:
        return manager.build_grant_request(grant, endpoint=endpoint, now=now)

    answered = None
    if manager.dpop is not None:

        def answered(response: HttpResponse) -> bool:
            fresh = manager.dpop_nonces.learn(endpoint, response)
            return fresh and is_nonce_error(response)

    return poll_with(
        pending,
        build,
        manager.clock,
        limit,
        scope,
        manager.retry,
        answered,
        purpose=purpose_of(grant),
        wait_first=wait_first,
    )
