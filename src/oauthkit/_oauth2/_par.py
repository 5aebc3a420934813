"""Pushed authorization requests (RFC 9126): the authorization request by back channel.

Instead of putting the authorization parameters in the URL the browser carries, the client
POSTs them to the ``pushed_authorization_request_endpoint`` (RFC 9126 §5, from the server's
metadata), authenticated as at the token endpoint (§2), and receives a one-time ``request_uri``
(§2.2). The browser then carries only ``client_id`` and ``request_uri`` (§4), so the
parameters can be neither read nor changed on the way, and the server knows the client before
the user sees anything.

* :func:`build_par_request` makes the POST (RFC 9126 §2.1); :func:`parse_par_response` reads
  the ``201`` answer into :class:`PushedAuthorization` (§2.2), or the error (§2.3) into the
  typed :class:`~oauthkit.TokenEndpointError` of its ``error`` code;
* :func:`push` is the flow a client runs: with a DPoP key, every attempt carries a fresh proof
  (RFC 9449 §10.1), retried once after ``use_dpop_nonce`` (§8);
* :func:`pushed_authorization_url` is the front-channel URL (§4).

The ``state``, PKCE verifier and nonce stay exactly where they are without PAR: in the
:class:`~oauthkit.FlowState` the client keeps for the callback.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .._core._http import HttpRequest, HttpResponse
from .._core._steps import Flow, Purpose
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import UsageError
from ._authorization import authorization_endpoint_url
from ._backchannel import build_form_request, malformed, read_answer
from ._client_auth import ClientAuth

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._manager import TokenManager

__all__ = [
    "MAX_EXPIRES_IN",
    "MAX_REQUEST_URI",
    "PushedAuthorization",
    "build_par_request",
    "parse_par_response",
    "push",
    "pushed_authorization_url",
]

MAX_REQUEST_URI = 2048
"""The longest ``request_uri`` accepted: it travels in a URL the browser carries."""
MAX_EXPIRES_IN = 366 * 24 * 3600
"""The longest lifetime accepted for a ``request_uri`` (RFC 9126 §2.2 expects seconds)."""
_WHAT = "pushed authorization response"


@dataclass(frozen=True, slots=True)
class PushedAuthorization:
    """A pushed authorization response (RFC 9126 §2.2), with an absolute expiry.

    Attributes:
        request_uri: The reference to the pushed request, for the authorization URL; one
            use, short-lived.
        expires_in: Its lifetime in seconds, as the server sent it.
        expires_at: When it expires, seconds since the epoch (``now`` plus ``expires_in``).
    """

    request_uri: str
    expires_in: int
    expires_at: float

    def __post_init__(self) -> None:
        if not isinstance(self.request_uri, str) or not self.request_uri:
            raise UsageError("PushedAuthorization.request_uri must be a non-empty string")
        value = self.expires_in
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise UsageError("PushedAuthorization.expires_in must be a positive integer")
        at = self.expires_at
        if isinstance(at, bool) or not isinstance(at, int | float) or not math.isfinite(at):
            raise UsageError("PushedAuthorization.expires_at must be a finite number")


def build_par_request(
    endpoint: str,
    params: Sequence[tuple[str, str]],
    auth: ClientAuth,
    *,
    now: float,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build the pushed authorization request (RFC 9126 §2.1).

    Args:
        endpoint: The ``pushed_authorization_request_endpoint``.
        params: The authorization request's parameters
            (:func:`~oauthkit._oauth2._authorization.authorization_params`), or ``client_id``
            and a signed ``request`` (RFC 9126 §3).
        auth: The client authentication, as at the token endpoint (§2); a public client
            sends its ``client_id`` alone.
        now: The current time, for JWT client assertions.
        headers: Extra headers, e.g. ``DPoP`` (RFC 9449 §10.1).
        allow_insecure_transport: Plain http to non-loopback hosts (all, or these).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: ``request_uri`` among the parameters (§2.1 forbids it), a ``client_id``
            other than the authentication's, or a parameter given twice.
    """
    if any(name == "request_uri" for name, _ in params):
        raise UsageError("a pushed authorization request must not carry request_uri (RFC 9126)")
    return build_form_request(
        endpoint,
        list(params),
        auth,
        now=now,
        headers=headers,
        allow_insecure_transport=allow_insecure_transport,
    )


def parse_par_response(response: HttpResponse, *, now: float) -> PushedAuthorization:
    """Read a pushed authorization response (RFC 9126 §2.2, §2.3).

    Args:
        response: The endpoint's answer.
        now: The current time, to make ``expires_in`` absolute.

    Returns:
        The ``request_uri`` and its expiry.

    Raises:
        TokenEndpointError: An error response (§2.3): the subclass of its ``error`` code
            (``invalid_request``, ``invalid_client``, ``use_dpop_nonce``...).
        MalformedResponseError: A success that is not a JSON object, lacks a string
            ``request_uri`` (or one longer than :data:`MAX_REQUEST_URI`, or with characters
            outside printable ASCII), or has an ``expires_in`` that is not a positive integer
            up to :data:`MAX_EXPIRES_IN`.
    """
    data = read_answer(response, _WHAT)
    request_uri = data.get("request_uri")
    if not isinstance(request_uri, str) or not request_uri:
        raise malformed(f"{_WHAT}: request_uri is missing or not a string", response)
    if (
        len(request_uri) > MAX_REQUEST_URI
        or not request_uri.isascii()
        or not request_uri.isprintable()
        or " " in request_uri
    ):
        raise malformed(f"{_WHAT}: request_uri is not a URI", response)
    expires_in = data.get("expires_in")
    if isinstance(expires_in, bool) or not isinstance(expires_in, int) or expires_in <= 0:
        raise malformed(f"{_WHAT}: expires_in is not a positive integer", response)
    if expires_in > MAX_EXPIRES_IN:  # a JSON integer may have any size; a float has not
        raise malformed(f"{_WHAT}: expires_in is out of range", response)
    return PushedAuthorization(request_uri, expires_in, now + expires_in)


def pushed_authorization_url(
    authorization_endpoint: str,
    client_id: str,
    request_uri: str,
    *,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> str:
    """The authorization URL of a pushed request: ``client_id`` and ``request_uri`` only
    (RFC 9126 §4).

    Raises:
        InsecureTransportError: ``authorization_endpoint`` is plain http, not loopback.
        UsageError: A malformed endpoint, or an empty ``client_id`` or ``request_uri``.
    """
    for name, value in (("client_id", client_id), ("request_uri", request_uri)):
        if not isinstance(value, str) or not value:
            raise UsageError(f"{name} must be a non-empty string")
    return authorization_endpoint_url(
        authorization_endpoint,
        [("client_id", client_id), ("request_uri", request_uri)],
        allow_insecure_transport=allow_insecure_transport,
    )


def push(
    manager: TokenManager,
    endpoint: str,
    params: Sequence[tuple[str, str]],
    *,
    timeout: float | None = None,
) -> Flow[PushedAuthorization]:
    """Push an authorization request (RFC 9126 §2) with the manager's client authentication.

    With a DPoP key each attempt carries a fresh proof for the endpoint (RFC 9449 §10.1), and
    a ``use_dpop_nonce`` refusal is answered once with the nonce it brought (§8). The request
    carries no one-time credential, so the manager's retry policy may send it again.

    Raises:
        TokenEndpointError: The server refused (the subclass of its ``error`` code).
        MalformedResponseError: The answer is not a pushed authorization response.
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
    """
    from ._dpop_nonces import with_proof
    from ._flows import ask

    manager.transport.check(endpoint)

    def build(now: float) -> HttpRequest:
        headers = with_proof(manager.dpop, manager.dpop_nonces, endpoint, None, now=now)
        return build_par_request(
            endpoint,
            params,
            manager.auth,
            now=now,
            headers=headers,
            allow_insecure_transport=manager.transport,
        )

    response = yield from ask(manager, build, Purpose.PUSHED_AUTHORIZATION, timeout)
    return parse_par_response(response, now=manager.clock())
