"""JWT Secured Authorization Response Mode (JARM): the authorization response as a signed JWT.

With ``response_mode=jwt`` (or ``query.jwt``, ``fragment.jwt``, ``form_post.jwt``; JARM §2.3)
the authorization server returns one parameter, ``response``: a JWT signed with the server's
keys (or, with an HMAC algorithm, the client secret), possibly encrypted to the client's keys
(§2.2, §2.4). Its claims are the authorization response parameters (``code``, ``state``,
``iss``, or ``error``...) plus ``iss``, ``aud`` and ``exp`` (§2.1).

:func:`check_jarm_response` is the sans-I/O check, in this order (§2.4):

1. a JWE is decrypted with the client's own keys;
2. ``typ``, when present, is a JWT's (a logout token or an access token is not a response);
3. the signature, with an algorithm of the allow-list (never ``none``), by a key of the
   issuer's set (or the client secret for HS256/384/512): no claim of a forged response is
   looked at;
4. ``iss`` is the expected issuer, exactly;
5. ``aud`` names the client;
6. ``exp`` has not passed (with the leeway).

Only then are the parameters handed back, for :func:`~oauthkit.parse_authorization_callback`
to check ``state`` (in constant time), RFC 9207 ``iss``, and report an ``error``. The JWT
carries the authorization code: it is a secret, never shown in a message or ``repr``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import IssuerMismatchError, JARMError, UsageError
from .._jose._compact import MAX_TIME, Rejected, is_jwe, parse_jws
from .._jose._decrypt import decrypt
from .._jose._keys import KeySet, import_jwks
from .._jose._verify import check_algorithms, verify_jws
from ._callback import callback_params

__all__ = [
    "JWT_RESPONSE_MODES",
    "JARMAudienceError",
    "JARMExpectations",
    "JARMFormatError",
    "JARMIssuerError",
    "JARMSignatureError",
    "JARMTimeError",
    "check_jarm_response",
    "is_jarm_mode",
    "jarm_error",
    "read_jarm_response",
    "validate_jarm_response",
]

JWT_RESPONSE_MODES = frozenset({"jwt", "query.jwt", "fragment.jwt", "form_post.jwt"})
"""The response modes of JARM §2.3."""

_JWT_TYPES = frozenset({"jwt", "application/jwt"})
# The parameters of an authorization response (RFC 6749 §4.1.2, §4.2.2, §4.1.2.1; OIDC Core
# §3.2.2.5): next to ``response`` they would be unsigned values a forger chose.
_RESPONSE_PARAMETERS = frozenset(
    {"code", "state", "iss", "error", "error_description", "error_uri", "access_token",
     "id_token", "token_type", "expires_in", "scope", "session_state"}
)  # fmt: skip
# The JWT's own claims, not parameters of the response (JARM §2.1; RFC 7519 §4.1).
_JWT_CLAIMS = frozenset({"aud", "exp", "iat", "nbf", "jti"})


class JARMFormatError(JARMError):
    """No ``response`` (also a plain response when a JWT one was asked for: a downgrade),
    unsigned parameters beside it, not a compact JWT, or claims that are not parameters."""


class JARMSignatureError(JARMError):
    """``alg`` is ``none`` or not allowed, no key verifies it, or it cannot be decrypted."""


class JARMIssuerError(JARMError, IssuerMismatchError):
    """``iss`` is not the expected issuer (JARM §2.4 step 2; a mix-up attack looks so)."""


class JARMAudienceError(JARMError):
    """``aud`` does not name this client (JARM §2.4 step 3)."""


class JARMTimeError(JARMError):
    """``exp`` is missing or has passed (JARM §2.4 step 4)."""


_BY_CHECK: dict[str, type[JARMError]] = {
    "response": JARMFormatError,
    "format": JARMFormatError,
    "crit": JARMFormatError,
    "alg": JARMSignatureError,
    "kid": JARMSignatureError,
    "signature": JARMSignatureError,
    "decryption": JARMSignatureError,
    "iss": JARMIssuerError,
    "aud": JARMAudienceError,
    "exp": JARMTimeError,
}


def jarm_error(check: str, message: str) -> JARMError:
    """The :class:`JARMError` subclass for ``check``, with ``message``."""
    return _BY_CHECK.get(check, JARMError)(
        f"JWT authorization response rejected ({check}): {message}", check
    )


def is_jarm_mode(response_mode: object) -> bool:
    """Whether ``response_mode`` asks for a JWT-secured response (JARM §2.3)."""
    return isinstance(response_mode, str) and response_mode in JWT_RESPONSE_MODES


@dataclass(frozen=True, slots=True)
class JARMExpectations:
    """What the client expects of a JWT-secured authorization response.

    Attributes:
        issuer: The issuer, exactly as configured.
        client_id: The client's ID (the audience).
        algorithms: Accepted JWS algorithms: the registered
            ``authorization_signed_response_alg`` (RS256 by default, JARM §3), or the
            server's ``authorization_signing_alg_values_supported``. ``none`` is refused.
        leeway: Seconds of clock skew allowed on ``exp``.
        client_secret: The HMAC key for HS256/384/512 responses; never a published key.
        decryption_keys: The client's private keys, for encrypted responses.
    """

    issuer: str
    client_id: str
    algorithms: Collection[str] = ("RS256",)
    leeway: float = 30.0
    client_secret: str | None = field(default=None, repr=False)
    decryption_keys: Any = field(default=None, repr=False)
    allowed: frozenset[str] = field(init=False, repr=False, default=frozenset())

    def __post_init__(self) -> None:
        if not isinstance(self.issuer, str) or not self.issuer:
            raise UsageError("JARMExpectations needs the issuer")
        if not isinstance(self.client_id, str) or not self.client_id:
            raise UsageError("JARMExpectations needs the client_id")
        try:
            allowed = check_algorithms(self.algorithms, "JWT authorization responses")
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        object.__setattr__(self, "allowed", allowed)


def read_jarm_response(response: str | bytes | Mapping[str, Any]) -> str | None:
    """The ``response`` JWT of a callback (URL, ``form_post`` body or parameters), or
    ``None`` when it carries none (a plain response).

    Raises:
        JARMFormatError: ``response`` comes with unsigned response parameters beside it
            (``code``, ``state``...), which could be a forger's (check ``"response"``).
        CallbackError: The callback cannot be parsed (a repeated parameter...).
        UsageError: ``response`` is not a URL, a body or a mapping.
    """
    params = callback_params(response)
    token = params.get("response")
    if token is None:
        return None
    beside = sorted(set(params) & _RESPONSE_PARAMETERS)
    if beside:
        raise jarm_error(
            "response", f"unsigned parameters {beside} come with the JWT response (JARM §2.3)"
        )
    return token


def check_jarm_response(
    token: object, keys: KeySet | None, expect: JARMExpectations, now: float
) -> dict[str, str]:
    """:func:`validate_jarm_response` of the JWT alone, raising the internal verdict.

    Raises:
        Rejected: A failed check (``UnknownKey`` when no key has the ``kid``).
    """
    if not isinstance(token, str) or not token:
        raise Rejected("response", "the authorization response has no response JWT")
    if is_jwe(token):
        token = decrypt(token, expect.decryption_keys, "authorization response")
    compact = parse_jws(token)
    typ = compact.header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in _JWT_TYPES):
        raise Rejected("format", f"typ {str(typ)[:40]!r} is not an authorization response's")
    verify_jws(compact, keys=keys, algorithms=expect.allowed, secret=expect.client_secret)
    claims = compact.claims()
    iss = claims.get("iss")
    if iss != expect.issuer:
        raise Rejected("iss", f"iss {str(iss)[:200]!r} is not {expect.issuer!r}")
    aud = claims.get("aud")
    named = (aud,) if isinstance(aud, str) else tuple(aud) if isinstance(aud, list) else ()
    if expect.client_id not in named:
        raise Rejected("aud", f"aud does not name this client ({expect.client_id!r})")
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)) or not abs(exp) <= MAX_TIME:
        raise Rejected("exp", "the exp claim is missing or not a time")
    if now > exp + expect.leeway:
        raise Rejected("exp", f"it expired {now - exp:.0f} s ago")
    return _parameters(claims)


def _parameters(claims: Mapping[str, Any]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, value in claims.items():
        if name in _JWT_CLAIMS:
            continue
        if isinstance(value, int) and not isinstance(value, bool):
            params[name] = str(value)  # expires_in of an implicit response, as a number
        elif isinstance(value, str):
            params[name] = value
        else:
            raise Rejected("format", f"the claim {name[:50]!r} is not a string parameter")
    return params


def validate_jarm_response(
    response: str | bytes | Mapping[str, Any],
    *,
    jwks: KeySet | Mapping[str, Any] | None,
    expect: JARMExpectations,
    now: float,
) -> dict[str, str]:
    """Check a JWT-secured authorization response (JARM §2.4); return its parameters.

    Pass what is returned to :func:`~oauthkit.parse_authorization_callback` (with the flow or
    the expected ``state``): the JWT vouches for who sent the parameters, ``state`` still
    says whether they answer this user's request.

    Args:
        response: The callback URL (``query.jwt``, ``fragment.jwt``), the ``form_post.jwt``
            body or its parameters, or the ``response`` JWT itself.
        jwks: The issuer's JWK Set (as parsed JSON, or imported); ``None`` for HMAC only.
        expect: What the client expects.
        now: Seconds since the epoch.

    Returns:
        The authorization response parameters (``code``, ``state``, ``iss``, or ``error``,
        ``error_description``...), not yet checked against the flow.

    Raises:
        JARMError: The subclass naming the failed check (``err.check``).
        CallbackError: The callback cannot be parsed.
        MissingExtraError: joserfc is not installed (the ``jose`` extra).
    """
    token = response if _is_bare_jwt(response) else read_jarm_response(response)
    try:
        keys = jwks if isinstance(jwks, KeySet) or jwks is None else import_jwks(jwks)
        return check_jarm_response(token, keys, expect, now)
    except Rejected as exc:
        raise jarm_error(exc.check, str(exc)) from None


_COMPACT = re.compile(r"[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){2}(?:\.[A-Za-z0-9_-]*){0,2}")


def _is_bare_jwt(response: object) -> bool:
    return isinstance(response, str) and _COMPACT.fullmatch(response.strip()) is not None
