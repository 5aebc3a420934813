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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._core._extras import require
from .._core._random import generate_jti
from .._errors import UsageError
from .._jose._sign import hmac_key, sign_jwt
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
_RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
# RFC 7518 §3.4, RFC 8812 §3.2, RFC 9864 §2: the curve fixes the algorithm.
_EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}
_OKP_ALGS = {"Ed25519": frozenset({"Ed25519", "EdDSA"}), "Ed448": frozenset({"Ed448", "EdDSA"})}


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


def _key_errors() -> tuple[type[Exception], ...]:
    errors = require("joserfc.errors", "jose", "private_key_jwt")
    return (errors.JoseError, ValueError, TypeError, KeyError)


def _import_private_key(key: object) -> Any:
    feature = "private_key_jwt"
    keys = require("joserfc.jwk", "jose", feature)
    if isinstance(key, keys.OctKey):
        raise UsageError("private_key_jwt needs an asymmetric key; use client_secret_jwt")
    if isinstance(key, keys.RSAKey | keys.ECKey | keys.OKPKey):
        parsed = key
    elif isinstance(key, Mapping):
        kty = key.get("kty")
        if kty not in ("RSA", "EC", "OKP"):
            raise UsageError(f"private_key_jwt needs an RSA, EC or OKP JWK, not kty {kty!r}")
        try:
            parsed = keys.import_key(dict(key), kty)
        except _key_errors():  # the library's message may quote the key
            raise UsageError("private_key_jwt: the JWK is not a valid key") from None
    else:
        serialization = require("cryptography.hazmat.primitives.serialization", "jose", feature)
        if isinstance(key, str | bytes):
            data = key.encode("utf-8") if isinstance(key, str) else key
            crypto_errors = require("cryptography.exceptions", "jose", feature)
            try:
                native = serialization.load_pem_private_key(data, password=None)
            except (ValueError, TypeError, crypto_errors.UnsupportedAlgorithm):
                raise UsageError(
                    "private_key_jwt: key is not an unencrypted PEM private key"
                ) from None
        else:
            native = key
        parsed = _from_native(keys, serialization, native)
    if not parsed.is_private:
        raise UsageError("private_key_jwt needs a private key, not a public one")
    return parsed


def _from_native(keys: Any, serialization: Any, native: Any) -> Any:
    rsa = require("cryptography.hazmat.primitives.asymmetric.rsa", "jose", "private_key_jwt")
    ec = require("cryptography.hazmat.primitives.asymmetric.ec", "jose", "private_key_jwt")
    ed25519 = require(
        "cryptography.hazmat.primitives.asymmetric.ed25519", "jose", "private_key_jwt"
    )
    ed448 = require("cryptography.hazmat.primitives.asymmetric.ed448", "jose", "private_key_jwt")
    if isinstance(native, rsa.RSAPrivateKey):
        kty = "RSA"
    elif isinstance(native, ec.EllipticCurvePrivateKey):
        kty = "EC"
    elif isinstance(native, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        kty = "OKP"
    else:
        raise UsageError("private_key_jwt needs an RSA, EC, Ed25519 or Ed448 private key")
    pem = native.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        return keys.import_key(pem, kty)
    except _key_errors():  # the library's message may quote the key
        raise UsageError(f"private_key_jwt: this {kty} key is not supported") from None


def _allowed_algs(key: Any) -> frozenset[str]:
    if key.key_type == "RSA":
        return _RSA_ALGS
    try:
        curve = key.curve_name
    except (KeyError, ValueError, AttributeError):  # a curve joserfc has no name for
        raise UsageError(
            f"private_key_jwt: the curve of this {key.key_type} key is not supported"
        ) from None
    if key.key_type == "EC":
        return frozenset({_EC_ALG[curve]}) if curve in _EC_ALG else frozenset()
    return _OKP_ALGS.get(curve, frozenset())


def _default_alg(key: Any, allowed: frozenset[str]) -> str:
    if key.alg:
        return str(key.alg)
    if key.key_type == "RSA":
        return "RS256"
    if key.key_type == "OKP" and key.curve_name in allowed:
        return str(key.curve_name)  # RFC 9864: the fully specified name
    return min(allowed) if allowed else ""


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
        key = _import_private_key(self.key)
        allowed = _allowed_algs(key)
        alg = self.alg or _default_alg(key, allowed)
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
