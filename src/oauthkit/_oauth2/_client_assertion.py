"""JWT client assertions: ``client_secret_jwt`` and ``private_key_jwt``.

RFC 7523 §2.2 lets a client authenticate with a signed JWT instead of a password; OpenID
Connect Core §9 names the two variants. Each request gets a fresh assertion with
``iss = sub = client_id``, ``aud`` naming the server, a unique ``jti``, ``iat`` and a short
``exp`` (RFC 7523 §3), sent as ``client_assertion`` with ``client_assertion_type``
``urn:ietf:params:oauth:client-assertion-type:jwt-bearer``.

Signing uses joserfc (the ``jose`` extra), imported when a key is loaded or an assertion is
made, never at import time. The clock (``now``) and the ``jti`` source are injected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._core._random import generate_jti
from .._errors import UsageError
from .._jose._sign import default_alg, hmac_key, import_private_key, sign_jwt, signing_algs
from ._client_auth import ClientAuthBase, check_client_id, check_client_secret

if TYPE_CHECKING:
    from ._client_auth import Credentialed, Pairs

__all__ = [
    "CLIENT_ASSERTION_TYPE_JWT_BEARER",
    "ClientSecretJwt",
    "PrivateKeyJwt",
]

CLIENT_ASSERTION_TYPE_JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_HMAC_ALGS = frozenset({"HS256", "HS384", "HS512"})


def _check_lifetime(lifetime: object) -> None:
    if isinstance(lifetime, bool) or not isinstance(lifetime, int) or lifetime <= 0:
        raise UsageError("lifetime must be a positive whole number of seconds")


def _assertion_form(form: list[tuple[str, str]], assertion: str) -> list[tuple[str, str]]:
    # RFC 7523 §2.2 / RFC 7521 §4.2: client_id in the body is optional; it is not added, so the
    # assertion's iss/sub are the only statement of identity.
    return [
        *form,
        ("client_assertion_type", CLIENT_ASSERTION_TYPE_JWT_BEARER),
        ("client_assertion", assertion),
    ]


def _claims(
    client_id: str, audience: str, jti: str, now: float, lifetime: int
) -> dict[str, object]:
    # RFC 7523 §3 / OIDC Core §9: iss = sub = client_id, aud names the server, exp bounded.
    issued_at = int(now)
    return {
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": jti,
        "iat": issued_at,
        "exp": issued_at + lifetime,
    }


def _sign(header: dict[str, object], claims: dict[str, object], key: Any, method: str) -> str:
    return sign_jwt(header, claims, key, feature=method, what="the client assertion")


def _jti(factory: Callable[[], str]) -> str:
    value = factory()
    if not isinstance(value, str) or not value:
        raise UsageError("jti_factory must return a non-empty string")
    return value


class _JwtAuth(ClientAuthBase):
    """A client that authenticates with a signed JWT (RFC 7523 §2.2): one fresh assertion per
    request; subclasses say how it is signed (:meth:`_signing`)."""

    __slots__ = ()
    method: ClassVar[str]
    audience: str | None
    lifetime: int
    jti_factory: Callable[[], str]

    def _signing(self) -> tuple[dict[str, object], Any]:
        """The JWS header and the key."""
        raise NotImplementedError

    def assertion(self, *, endpoint: str, now: float) -> str:
        """Make one signed assertion for a request to ``endpoint``.

        Raises:
            MissingExtraError: joserfc is not installed.
            UsageError: ``jti_factory`` returned something that is not a non-empty string.
        """
        header, key = self._signing()
        claims = _claims(
            self.client_id, self.audience or endpoint, _jti(self.jti_factory), now, self.lifetime
        )
        return _sign(header, claims, key, self.method)

    def credentials(
        self, form: Pairs, headers: dict[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Add ``client_assertion`` and its type to the body (RFC 7523 §2.2).

        Raises:
            MissingExtraError: joserfc is not installed.
        """
        return _assertion_form(form, self.assertion(endpoint=endpoint, now=now)), headers


@dataclass(frozen=True, slots=True)
class ClientSecretJwt(_JwtAuth):
    """A JWT assertion MAC'd with the client secret (RFC 7523 §2.2, OIDC Core §9).

    Args:
        client_id: The client identifier, used as ``iss`` and ``sub``.
        client_secret: The shared secret, used as the HMAC key.
        alg: ``HS256`` (default), ``HS384`` or ``HS512``.
        lifetime: Seconds between ``iat`` and ``exp``.
        audience: The ``aud`` claim; defaults to the URL of the endpoint the request goes to.
            Some servers want their issuer identifier instead (RFC 7523 §3).
        jti_factory: Makes the unique ``jti`` of each assertion.

    Raises:
        UsageError: Empty ``client_id``, no secret, an unknown ``alg`` or a bad ``lifetime``.
    """

    client_id: str
    client_secret: str = field(repr=False)
    alg: str = "HS256"
    lifetime: int = 60
    audience: str | None = None
    jti_factory: Callable[[], str] = field(default=generate_jti, repr=False)
    method: ClassVar[str] = "client_secret_jwt"

    def __post_init__(self) -> None:
        check_client_id(self.client_id)
        check_client_secret(self.client_secret, self.method)
        if self.alg not in _HMAC_ALGS:
            raise UsageError(f"client_secret_jwt needs HS256, HS384 or HS512, not {self.alg!r}")
        _check_lifetime(self.lifetime)

    def _signing(self) -> tuple[dict[str, object], Any]:
        return {"alg": self.alg, "typ": "JWT"}, hmac_key(self.client_secret, feature=self.method)


@dataclass(frozen=True, slots=True)
class PrivateKeyJwt(_JwtAuth):
    """A JWT assertion signed with the client's private key (RFC 7523 §2.2, OIDC Core §9).

    Args:
        client_id: The client identifier, used as ``iss`` and ``sub``.
        key: The private key: a JWK ``dict``, PEM text or bytes, a ``cryptography`` private key
            or a joserfc key. RSA, EC (P-256, P-384, P-521, secp256k1) and Ed25519/Ed448.
        alg: The JWS algorithm; defaults to the JWK's ``alg``, else ``RS256`` for RSA, the
            curve's ``ES*`` algorithm for EC, ``Ed25519``/``Ed448`` for OKP keys.
        kid: The ``kid`` header; defaults to the JWK's ``kid``, if it has one.
        lifetime: Seconds between ``iat`` and ``exp``.
        audience: The ``aud`` claim; defaults to the URL of the endpoint the request goes to.
            Pass the issuer identifier for servers that want it (RFC 7523 §3).
        jti_factory: Makes the unique ``jti`` of each assertion.

    Raises:
        MissingExtraError: joserfc or cryptography is not installed.
        UsageError: Empty ``client_id``; a key that is not an asymmetric private key; an
            ``alg`` that the key cannot make; a bad ``lifetime``.
    """

    client_id: str
    key: Any = field(repr=False)
    alg: str | None = None
    kid: str | None = None
    lifetime: int = 60
    audience: str | None = None
    jti_factory: Callable[[], str] = field(default=generate_jti, repr=False)
    method: ClassVar[str] = "private_key_jwt"

    def __post_init__(self) -> None:
        check_client_id(self.client_id)
        _check_lifetime(self.lifetime)
        key = import_private_key(self.key, self.method)
        allowed = signing_algs(key, self.method)
        alg = self.alg or default_alg(key, allowed)
        if alg not in allowed:
            raise UsageError(
                f"private_key_jwt: alg {alg!r} does not suit this {key.key_type} key "
                f"(usable: {', '.join(sorted(allowed)) or 'none'})"
            )
        object.__setattr__(self, "key", key)  # parsed once, shared by copies
        object.__setattr__(self, "alg", alg)
        if self.kid is None and key.kid:
            object.__setattr__(self, "kid", str(key.kid))

    def _signing(self) -> tuple[dict[str, object], Any]:
        header: dict[str, object] = {"alg": self.alg, "typ": "JWT"}
        if self.kid:
            header["kid"] = self.kid
        return header, self.key
