"""JWT responses to token introspection (RFC 9701).

A client that asks with ``Accept: application/token-introspection+jwt`` (§4) gets the
introspection answer as a JWT signed by the authorization server (§5). Before any of it is
used, :func:`parse_jwt_introspection_response` checks:

* the media type and the ``typ`` header ``token-introspection+jwt`` (§5; the ``application/``
  prefix is allowed, RFC 7515 §4.1.9), so no other JWT of the server's can pass for one;
* the signature, with a key of the server's JWK Set on the caller's algorithm allow-list
  (never ``none``, never a key the token names itself: :func:`~oauthkit._jose._verify.verify_jws`),
  after decrypting an encrypted response (a JWE around the signed JWT, §5) with the client's
  own keys;
* ``iss`` is the issuer and ``aud`` names this client (§5);
* ``iat`` is a number and not in the future (beyond the leeway);

then reads the ``token_introspection`` claim as an RFC 7662 answer into the same
:class:`~oauthkit.Introspection` a JSON answer gives.
"""

from __future__ import annotations

import hmac
from collections.abc import Collection
from typing import Any

from .._core._http import HttpResponse
from .._errors import UsageError
from .._jose._compact import MAX_TIME, Rejected, is_jwe, parse_jws
from .._jose._decrypt import decrypt
from .._jose._keys import KeySet
from .._jose._verify import UnknownKey, check_algorithms, verify_jws
from ._backchannel import malformed, read_answer
from ._introspection import Introspection, introspection_from

__all__ = [
    "JWT_INTROSPECTION_MEDIA_TYPE",
    "JWT_INTROSPECTION_TYPE",
    "check_algorithms_or_usage",
    "parse_jwt_introspection_response",
]

JWT_INTROSPECTION_MEDIA_TYPE = "application/token-introspection+jwt"
"""What the client asks for in ``Accept`` (RFC 9701 §4)."""
JWT_INTROSPECTION_TYPE = "token-introspection+jwt"
"""The ``typ`` header of the response (RFC 9701 §5)."""


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(
        a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass")
    )


def parse_jwt_introspection_response(
    response: HttpResponse,
    *,
    keys: KeySet | None,
    issuer: str,
    client_id: str,
    now: float,
    algorithms: Collection[str] = ("RS256",),
    leeway: float = 30.0,
    decryption_keys: Any = None,
) -> Introspection:
    """Verify a JWT introspection response (RFC 9701 §5) and read it.

    Args:
        response: The answer.
        keys: The authorization server's signing keys.
        issuer: The authorization server's issuer identifier (``iss``).
        client_id: This client's identifier (``aud``).
        now: The current time, seconds since the epoch.
        algorithms: Accepted signature algorithms.
        leeway: Seconds of clock skew allowed for ``iat``.
        decryption_keys: The client's private keys (a JWK Set, a JWK or a joserfc key), for
            an encrypted response.

    Raises:
        TokenEndpointError: The server refused (RFC 7662 §2.3).
        MalformedResponseError: Not a ``token-introspection+jwt``, an encrypted response
            that does not decrypt with ``decryption_keys`` (or none given), a signature that
            does not verify, another ``iss`` or ``aud``, no valid ``iat``, or a
            ``token_introspection`` claim that is not an RFC 7662 answer.
        UnknownKey: No key of ``keys`` has the token's ``kid`` (the caller may refetch them).
        UsageError: ``response`` is not an :class:`HttpResponse`, or a bad argument.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    allowed = check_algorithms_or_usage(algorithms)
    if not 200 <= response.status_code < 300:
        read_answer(response, "introspection response")  # raises the refusal
    if response.media_type != JWT_INTROSPECTION_MEDIA_TYPE:
        raise malformed(
            f"the introspection response is {response.media_type or 'untyped'}, not the "
            f"{JWT_INTROSPECTION_MEDIA_TYPE} asked for",
            response,
        )
    try:
        text = response.body.decode("ascii").strip()
        if is_jwe(text):
            text = decrypt(text, decryption_keys, "introspection response")
        compact = parse_jws(text)
        typ = compact.header.get("typ")
        if not isinstance(typ, str) or typ.lower().removeprefix("application/") != (
            JWT_INTROSPECTION_TYPE
        ):
            raise Rejected("typ", f"typ is not {JWT_INTROSPECTION_TYPE}")
        verify_jws(compact, keys=keys, algorithms=allowed)
        claims = compact.claims()
        iss = claims.get("iss")
        if not isinstance(iss, str) or not _same(iss, issuer):
            raise Rejected("iss", "the response names another issuer")
        aud = claims.get("aud")
        audiences = [aud] if isinstance(aud, str) else aud
        if not isinstance(audiences, list) or not any(
            isinstance(a, str) and _same(a, client_id) for a in audiences
        ):
            raise Rejected("aud", "the response is not addressed to this client")
        iat = claims.get("iat")
        if isinstance(iat, bool) or not isinstance(iat, int | float) or not abs(iat) <= MAX_TIME:
            raise Rejected("iat", "the response has no valid iat")
        if iat > now + leeway:
            raise Rejected("iat", "the response was issued in the future")
    except UnknownKey:
        raise
    except (Rejected, UnicodeDecodeError) as exc:
        reason = str(exc) if isinstance(exc, Rejected) else "not an ASCII JWT"
        raise malformed(f"the JWT introspection response is rejected: {reason}", response) from None
    inner = claims.get("token_introspection")
    if not isinstance(inner, dict):
        raise malformed("the JWT introspection response has no token_introspection", response)
    return introspection_from(inner, response)


def check_algorithms_or_usage(algorithms: Collection[str]) -> frozenset[str]:
    """:func:`~oauthkit._jose._verify.check_algorithms`, raising :class:`UsageError`."""
    try:
        return check_algorithms(algorithms, "JWT introspection")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
