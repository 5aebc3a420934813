"""DPoP server nonces and the requests that carry proofs (RFC 9449 §7, §8, §9).

A server may ask for a nonce of its own choosing in every proof: it sends one in a
``DPoP-Nonce`` response header, and refuses a proof without it (or with a stale one) with
``use_dpop_nonce``: an error response of the token endpoint (§8) or a ``DPoP`` challenge of a
resource server (§9). :class:`DPoPNonces` remembers the latest nonce of each origin from every
response the flows see; :func:`nonce_retry` sends a token request once more after such a
refusal (the refusal consumed nothing, §8, so even an authorization code may be sent again);
:func:`build_dpop_patch` puts a DPoP-bound access token and its proof on a resource request
(§7.1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from .._core._http import HttpRequest, HttpResponse, origin_of
from .._core._patch import RequestPatch
from .._core._run import log
from .._core._steps import Flow
from .._errors import UnusableTokenError, UsageError
from ._bearer import sendable
from ._dpop import DPoPKey, build_dpop_proof

if TYPE_CHECKING:
    from ._token import Token

__all__ = [
    "MAX_ORIGINS",
    "USE_DPOP_NONCE",
    "DPoPNonces",
    "build_dpop_patch",
    "is_nonce_challenge",
    "is_nonce_error",
    "nonce_retry",
    "with_proof",
]

USE_DPOP_NONCE = "use_dpop_nonce"
MAX_ORIGINS = 64
"""The most origins whose nonce is remembered; the oldest is forgotten first."""
_MAX_NONCE = 1024


class DPoPNonces:
    """The latest ``DPoP-Nonce`` of each origin (scheme, host and port) a client talked to."""

    __slots__ = ("_nonces",)

    def __init__(self) -> None:
        self._nonces: dict[tuple[str, str, int], str] = {}

    def __repr__(self) -> str:
        return f"DPoPNonces({len(self._nonces)} origins)"

    def get(self, url: str) -> str | None:
        """The nonce to put in a proof for ``url``, if its origin sent one."""
        try:
            return self._nonces.get(origin_of(url))
        except (UsageError, ValueError):
            return None

    def learn(self, url: str, response: HttpResponse) -> bool:
        """Remember the ``DPoP-Nonce`` of ``response`` (to a request to ``url``).

        Returns:
            Whether it is a nonce this origin had not sent before.
        """
        value = response.header("dpop-nonce")
        if value is None:
            return False
        value = value.strip()
        # RFC 9449 §8.1: NQCHAR, 1 or more; anything else is not put in a proof.
        if not value or len(value) > _MAX_NONCE or not value.isascii() or not value.isprintable():
            return False
        if '"' in value or "\\" in value:
            return False
        try:
            origin = origin_of(url)
        except (UsageError, ValueError):
            return False
        nonces = self._nonces
        if nonces.get(origin) == value:
            return False
        nonces.pop(origin, None)
        if len(nonces) >= MAX_ORIGINS:
            nonces.pop(next(iter(nonces)))
        nonces[origin] = value
        return True


def is_nonce_error(response: HttpResponse) -> bool:
    """Whether a token endpoint asked for a (new) nonce: ``400`` with ``error`` set to
    ``use_dpop_nonce`` (RFC 9449 §8)."""
    if response.status_code != 400:
        return False
    from .._error_codes import UseDpopNonceError
    from ._token_response import parse_error_body

    return isinstance(parse_error_body(response), UseDpopNonceError)


def is_nonce_challenge(response: HttpResponse) -> bool:
    """Whether a resource server asked for a (new) nonce: ``401`` with a ``DPoP`` challenge
    whose ``error`` is ``use_dpop_nonce`` (RFC 9449 §9)."""
    if response.status_code != 401:
        return False
    value = response.header("www-authenticate")
    if not value:
        return False
    from ._challenges import bearer_error

    challenge = bearer_error(value, ("DPoP",))
    return challenge is not None and challenge.error == USE_DPOP_NONCE


def nonce_retry(
    nonces: DPoPNonces,
    build: Callable[[float], HttpRequest],
    send: Callable[[Callable[[float], HttpRequest]], Flow[HttpResponse]],
) -> Flow[HttpResponse]:
    """Send a token request; after ``use_dpop_nonce`` with a new nonce, once more (§8).

    Args:
        nonces: Where the nonce of every answer is remembered.
        build: Makes the request (with its proof, which reads ``nonces``) for a given time.
        send: Runs one exchange of requests made by the builder it is given.

    Returns:
        The last response.
    """
    sent: list[HttpRequest] = []

    def building(now: float) -> HttpRequest:
        request = build(now)
        sent.append(request)
        return request

    response = yield from send(building)
    url = sent[-1].url
    fresh = nonces.learn(url, response)
    if fresh and is_nonce_error(response) and "DPoP" in sent[-1].headers:
        log.debug("the token endpoint asked for a DPoP nonce; sending once more")
        response = yield from send(building)
        nonces.learn(url, response)
    return response


def with_proof(
    key: DPoPKey | None,
    nonces: DPoPNonces,
    url: str,
    headers: Mapping[str, str] | None,
    *,
    now: float,
) -> Mapping[str, str] | None:
    """``headers`` plus a fresh ``DPoP`` proof for a POST to an authorization server's ``url``
    (its token or pushed authorization request endpoint, RFC 9449 §5, §10.1), with the nonce
    that origin sent last; ``headers`` unchanged without a key.

    Raises:
        UsageError: See :func:`build_dpop_proof`.
    """
    if key is None:
        return headers
    proof = build_dpop_proof(key, "POST", url, now=now, nonce=nonces.get(url))
    return {**(headers or {}), "DPoP": proof}


def build_dpop_patch(
    key: DPoPKey, token: Token, method: str, url: str, *, now: float, nonce: str | None
) -> RequestPatch:
    """The patch for a request with a DPoP-bound token (RFC 9449 §7.1): ``Authorization: DPoP``
    and a fresh proof with ``ath``.

    Raises:
        UnusableTokenError: The access token cannot travel in a header.
        UsageError: See :func:`build_dpop_proof`.
    """
    value = token.access_token
    if not value or not sendable(value):
        raise UnusableTokenError(
            "the access token cannot be sent as a DPoP credential: it holds a space or a "
            "character outside printable ASCII; the server issued a token this client cannot use"
        )
    proof = build_dpop_proof(key, method, url, now=now, nonce=nonce, access_token=value)
    return RequestPatch(headers=(("Authorization", f"DPoP {value}"), ("DPoP", proof)))
