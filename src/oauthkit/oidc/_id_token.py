"""ID token validation (OpenID Connect Core 1.0 §3.1.3.7, §3.1.3.8, §2, §12.2).

:func:`validate_id_token` is the whole check, pure: given the token, the issuer's keys, what
the client expects (:class:`IDTokenExpectations`) and the time, it returns the claims or raises
the :class:`~oauthkit.oidc.IDTokenError` subclass that names the failed check. The signature is
checked first, so no claim of a forged token is ever looked at, then:

1. a JWE is decrypted first with the client's own keys (step 1);
2. ``iss`` equals the issuer exactly (step 2);
3. ``aud`` names the client; other audiences only when trusted, and then ``azp`` must name the
   client (steps 3 to 5);
4. ``exp``, ``iat`` and ``nbf`` against the injected clock and leeway (steps 9, 10);
5. ``nonce`` equals the one sent, compared in constant time (step 11);
6. ``acr`` when ``acr_values`` were essential, ``auth_time`` when ``max_age`` was sent or it is
   required (steps 12, 13);
7. ``at_hash`` and ``c_hash`` when present (§3.2.2.9, §3.3.2.11), ``sub`` present (§2);
8. on refresh, ``iss``, ``sub``, ``aud``, ``azp`` and ``auth_time`` as before (§12.2).

A ``typ`` header naming another kind of JWT (a logout token, an access token...) is refused
(RFC 8725 §3.11), so one kind of token cannot pass for another.
"""

from __future__ import annotations

import functools
import hmac
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from .._errors import UsageError
from .._jose._compact import Compact, Rejected, is_jwe, parse_jws
from .._jose._decrypt import decrypt
from .._jose._keys import KeySet, import_jwks
from .._jose._verify import check_algorithms, verify_jws
from ._claims import IDTokenClaims, audiences, check_hash, check_times, number, string
from ._errors import id_token_error

__all__ = ["JWT_TYPES", "IDTokenExpectations", "check_id_token", "validate_id_token"]

JWT_TYPES = frozenset({"jwt", "application/jwt"})
"""The ``typ`` values an ID token may carry (or none at all)."""


@dataclass(frozen=True, slots=True)
class IDTokenExpectations:
    """What the client expects of an ID token.

    Attributes:
        issuer: The issuer, exactly as configured.
        client_id: The client's ID (the audience).
        algorithms: Accepted JWS algorithms: the client's registered
            ``id_token_signed_response_alg``, or the provider's
            ``id_token_signing_alg_values_supported``; RS256 by default. ``none`` is refused.
        nonce: The ``nonce`` sent with the authorization request; ``None`` when none was sent
            (a refresh).
        max_age: The ``max_age`` sent, in seconds.
        require_auth_time: Require ``auth_time`` even without ``max_age``.
        acr_values: ``acr`` values requested as essential.
        trusted_audiences: Audiences besides the client's that may appear in ``aud``.
        leeway: Seconds of clock skew allowed on ``exp``, ``iat``, ``nbf`` and ``max_age``.
        client_secret: The HMAC key for HS256/384/512 ID tokens; never a published key.
        access_token: The access token it came with, for ``at_hash``.
        code: The authorization code, for ``c_hash``.
        previous: The claims of the ID token it replaces (a refresh, §12.2).
    """

    issuer: str
    client_id: str
    algorithms: Collection[str] = ("RS256",)
    nonce: str | None = field(default=None, repr=False)  # binds the login: as secret as state
    max_age: int | None = None
    require_auth_time: bool = False
    acr_values: tuple[str, ...] | None = None
    trusted_audiences: frozenset[str] = frozenset()
    leeway: float = 30.0
    client_secret: str | None = field(default=None, repr=False)
    access_token: str | None = field(default=None, repr=False)
    code: str | None = field(default=None, repr=False)
    previous: IDTokenClaims | None = None
    allowed: frozenset[str] = field(init=False, repr=False, default=frozenset())

    def __post_init__(self) -> None:
        if not isinstance(self.issuer, str) or not self.issuer:
            raise UsageError("IDTokenExpectations needs the issuer")
        if not isinstance(self.client_id, str) or not self.client_id:
            raise UsageError("IDTokenExpectations needs the client_id")
        algorithms = self.algorithms
        try:
            allowed = (
                _allowed(algorithms)
                if type(algorithms) is tuple
                else check_algorithms(algorithms, "ID tokens")
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        object.__setattr__(self, "allowed", allowed)


@functools.lru_cache(maxsize=32)
def _allowed(algorithms: tuple[str, ...]) -> frozenset[str]:
    # A client builds expectations per login from the same few lists (a RelyingParty's tuple,
    # the default): check each once.
    return check_algorithms(algorithms, "ID tokens")


def _open(
    token: object, keys: KeySet | None, expect: IDTokenExpectations, decryption_keys: Any
) -> tuple[Compact, str]:
    if is_jwe(token):
        token = decrypt(str(token), decryption_keys, "ID token")
    compact = parse_jws(token)
    typ = compact.header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in JWT_TYPES):
        raise Rejected("format", f"typ {str(typ)[:40]!r} is not an ID token's")
    alg = verify_jws(compact, keys=keys, algorithms=expect.allowed, secret=expect.client_secret)
    return compact, alg


def check_id_token(
    token: object,
    keys: KeySet | None,
    expect: IDTokenExpectations,
    now: float,
    decryption_keys: Any = None,
) -> IDTokenClaims:
    """:func:`validate_id_token` with imported keys, raising the internal verdict.

    Raises:
        Rejected: A failed check (``UnknownKey`` when no key has the ``kid``).
    """
    compact, alg = _open(token, keys, expect, decryption_keys)
    claims = compact.claims()
    if claims.get("iss") != expect.issuer:
        raise Rejected("iss", f"iss {str(claims.get('iss'))[:200]!r} is not {expect.issuer!r}")
    audience = audiences(claims)
    if expect.client_id not in audience:
        raise Rejected("aud", f"aud does not name this client ({expect.client_id!r})")
    azp = string(claims, "azp", required=len(audience) > 1)
    if azp is not None and azp != expect.client_id:
        raise Rejected("azp", f"azp names another client ({azp[:100]!r})")
    # One audience is the client's (checked above): nothing else to trust.
    untrusted = (
        set(audience) - {expect.client_id} - expect.trusted_audiences if len(audience) > 1 else ()
    )
    if untrusted:
        raise Rejected(
            "aud", f"aud also names {len(untrusted)} audience(s) this client does not trust"
        )
    check_times(claims, now, expect.leeway)
    subject = string(claims, "sub", required=True)
    if expect.nonce is not None:
        _check_nonce(claims, expect.nonce)
    if expect.acr_values is not None and claims.get("acr") not in expect.acr_values:
        raise Rejected("acr", f"acr is not one of the essential values {list(expect.acr_values)}")
    auth_time = number(
        claims, "auth_time", required=expect.max_age is not None or expect.require_auth_time
    )
    if (
        expect.max_age is not None
        and auth_time is not None
        and now - expect.leeway > auth_time + expect.max_age
    ):
        raise Rejected(
            "auth_time", f"the user authenticated more than max_age={expect.max_age} s ago"
        )
    check_hash(claims, "at_hash", expect.access_token, alg)
    if expect.code is not None:
        check_hash(claims, "c_hash", expect.code, alg)
    previous = expect.previous
    if previous is not None:
        _check_refresh(claims, subject, previous)
    return IDTokenClaims._of_parsed(claims, compact.header)


def _check_nonce(claims: Mapping[str, Any], sent: str) -> None:
    got = claims.get("nonce")
    if not isinstance(got, str):
        raise Rejected("nonce", "the nonce sent with the authorization request is missing")
    if not hmac.compare_digest(got.encode("utf-8", "surrogatepass"), sent.encode("utf-8")):
        raise Rejected("nonce", "nonce is not the one sent with the authorization request")


def _check_refresh(claims: Mapping[str, Any], subject: str | None, previous: IDTokenClaims) -> None:
    if subject != previous.subject:
        raise Rejected("sub", "a refreshed ID token names another subject (OIDC Core §12.2)")
    if audiences(claims) != previous.audience:
        raise Rejected("aud", "a refreshed ID token names other audiences (§12.2)")
    if claims.get("azp") != previous.azp:
        raise Rejected("azp", "a refreshed ID token names another azp (§12.2)")
    if previous.auth_time is not None and claims.get("auth_time") not in (
        None,
        previous.claims.get("auth_time"),
    ):
        raise Rejected("auth_time", "a refreshed ID token changed auth_time (§12.2)")


def validate_id_token(
    id_token: str,
    *,
    jwks: KeySet | Mapping[str, Any] | None,
    expect: IDTokenExpectations,
    now: float,
    decryption_keys: Any = None,
) -> IDTokenClaims:
    """Validate an ID token (OIDC Core §3.1.3.7) and return its claims.

    The sans-I/O check: keys must be at hand. The sessions fetch and cache the issuer's keys,
    refetch them once for an unknown ``kid``, and call this.

    Args:
        id_token: The compact JWS (or JWE) from the token response.
        jwks: The issuer's JWK Set (as parsed JSON, or already imported).
        expect: What the client expects.
        now: Seconds since the epoch.
        decryption_keys: The client's private keys (a JWK Set, JWK, or joserfc key) for
            encrypted ID tokens.

    Raises:
        IDTokenError: The subclass naming the check that failed.
        MissingExtraError: joserfc is not installed (the ``jose`` extra).
    """
    try:
        keys = jwks if isinstance(jwks, KeySet) or jwks is None else import_jwks(jwks)
        return check_id_token(id_token, keys, expect, now, decryption_keys)
    except Rejected as exc:
        raise id_token_error(exc.check, str(exc)) from None
