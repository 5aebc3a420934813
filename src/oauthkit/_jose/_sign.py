"""Signing compact JWTs with a key the client holds (RFC 7515 §7.1, RFC 7519 §7.1).

:func:`sign_jwt` signs a header and claims with joserfc, allowing exactly the header's
``alg``; a failure becomes a :class:`~oauthkit.UsageError` naming the algorithm and what was
being signed, never the JOSE library's text, which can quote key material. :func:`hmac_key`
makes the HMAC key of a client secret (OIDC Core §10.1: the secret's UTF-8 octets, whatever
their length); :func:`import_private_key` reads the client's private key in any form it may
come in, and :func:`signing_algs` / :func:`default_alg` say what it can sign with. JWT client
assertions (RFC 7523) and request objects (RFC 9101) sign here.

joserfc (the ``jose`` extra) loads on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core._extras import require
from .._errors import UsageError

__all__ = ["default_alg", "hmac_key", "import_private_key", "sign_jwt", "signing_algs"]

_RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
# RFC 7518 §3.4, RFC 8812 §3.2, RFC 9864 §2: the curve fixes the algorithm.
_EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512", "secp256k1": "ES256K"}
_OKP_ALGS = {"Ed25519": frozenset({"Ed25519", "EdDSA"}), "Ed448": frozenset({"Ed448", "EdDSA"})}


def sign_jwt(
    header: Mapping[str, object], claims: Mapping[str, object], key: Any, *, feature: str, what: str
) -> str:
    """Sign ``claims`` under ``header`` with ``key`` (only ``header["alg"]`` is allowed).

    Args:
        header: The protected header; its ``alg`` is the only algorithm joserfc may use.
        claims: The JWT claims set.
        key: A joserfc key (private, or an HMAC key from :func:`hmac_key`).
        feature: What needs the ``jose`` extra, for the missing-extra message.
        what: What is signed, for messages ("the client assertion").

    Raises:
        MissingExtraError: joserfc is not installed.
        UsageError: joserfc cannot sign with this key and algorithm.
    """
    jwt = require("joserfc.jwt", "jose", feature)
    errors = require("joserfc.errors", "jose", feature)
    alg = header.get("alg")
    try:
        token = jwt.encode(dict(header), dict(claims), key, algorithms=[alg])
    except (errors.JoseError, ValueError, TypeError) as exc:
        # The exception text of the JOSE library can quote key material; keep only its type.
        raise UsageError(
            f"{feature}: cannot sign {what} with alg {alg!r} ({type(exc).__name__})"
        ) from None
    return str(token)


def hmac_key(secret: str, *, feature: str) -> Any:
    """The HMAC key of a client secret (OIDC Core §10.1).

    Built directly rather than through joserfc's ``import_key``: a server-issued secret is the
    key whatever its length, and the caller cannot act on a key-size warning.

    Raises:
        MissingExtraError: joserfc is not installed.
    """
    keys = require("joserfc.jwk", "jose", feature)
    data = secret.encode("utf-8")
    return keys.OctKey(data, data)


def _key_errors(feature: str) -> tuple[type[Exception], ...]:
    errors = require("joserfc.errors", "jose", feature)
    return (errors.JoseError, ValueError, TypeError, KeyError)


def import_private_key(key: object, feature: str) -> Any:
    """A private asymmetric joserfc key from a JWK ``dict``, PEM text or bytes, a
    ``cryptography`` private key or a joserfc key (RSA, EC, Ed25519/Ed448).

    Args:
        key: The key.
        feature: What the key is for (``private_key_jwt``...), named in messages.

    Raises:
        MissingExtraError: joserfc or cryptography is not installed.
        UsageError: A symmetric, public or unsupported key, or one that does not parse; the
            message never quotes the key.
    """
    keys = require("joserfc.jwk", "jose", feature)
    if isinstance(key, keys.OctKey):
        raise UsageError(
            f"{feature} needs an asymmetric key: a shared secret signs with HS256 "
            "(client_secret_jwt, or a RequestObjectSigner's secret=)"
        )
    if isinstance(key, keys.RSAKey | keys.ECKey | keys.OKPKey):
        parsed = key
    elif isinstance(key, Mapping):
        kty = key.get("kty")
        if kty not in ("RSA", "EC", "OKP"):
            raise UsageError(f"{feature} needs an RSA, EC or OKP JWK, not kty {kty!r}")
        try:
            parsed = keys.import_key(dict(key), kty)
        except _key_errors(feature):  # the library's message may quote the key
            raise UsageError(f"{feature}: the JWK is not a valid key") from None
    else:
        serialization = require("cryptography.hazmat.primitives.serialization", "jose", feature)
        if isinstance(key, str | bytes):
            data = key.encode("utf-8") if isinstance(key, str) else key
            crypto_errors = require("cryptography.exceptions", "jose", feature)
            try:
                native = serialization.load_pem_private_key(data, password=None)
            except (ValueError, TypeError, crypto_errors.UnsupportedAlgorithm):
                raise UsageError(f"{feature}: key is not an unencrypted PEM private key") from None
        else:
            native = key
        parsed = _from_native(keys, serialization, native, feature)
    if not parsed.is_private:
        raise UsageError(f"{feature} needs a private key, not a public one")
    return parsed


def _from_native(keys: Any, serialization: Any, native: Any, feature: str) -> Any:
    asymmetric = "cryptography.hazmat.primitives.asymmetric"
    rsa = require(f"{asymmetric}.rsa", "jose", feature)
    ec = require(f"{asymmetric}.ec", "jose", feature)
    ed25519 = require(f"{asymmetric}.ed25519", "jose", feature)
    ed448 = require(f"{asymmetric}.ed448", "jose", feature)
    if isinstance(native, rsa.RSAPrivateKey):
        kty = "RSA"
    elif isinstance(native, ec.EllipticCurvePrivateKey):
        kty = "EC"
    elif isinstance(native, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey):
        kty = "OKP"
    else:
        raise UsageError(f"{feature} needs an RSA, EC, Ed25519 or Ed448 private key")
    pem = native.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        return keys.import_key(pem, kty)
    except _key_errors(feature):  # the library's message may quote the key
        raise UsageError(f"{feature}: this {kty} key is not supported") from None


def signing_algs(key: Any, feature: str) -> frozenset[str]:
    """The JWS algorithms ``key`` can sign with (RFC 7518 §3.3-3.5, RFC 8037, RFC 9864).

    Raises:
        UsageError: A curve joserfc has no name for.
    """
    if key.key_type == "RSA":
        return _RSA_ALGS
    try:
        curve = key.curve_name
    except (KeyError, ValueError, AttributeError):  # a curve joserfc has no name for
        raise UsageError(
            f"{feature}: the curve of this {key.key_type} key is not supported"
        ) from None
    if key.key_type == "EC":
        return frozenset({_EC_ALG[curve]}) if curve in _EC_ALG else frozenset()
    return _OKP_ALGS.get(curve, frozenset())


def default_alg(key: Any, allowed: frozenset[str]) -> str:
    """The algorithm a key signs with unless told: its JWK ``alg``, RS256 for RSA, the
    curve's algorithm for EC and OKP keys."""
    if key.alg:
        return str(key.alg)
    if key.key_type == "RSA":
        return "RS256"
    if key.key_type == "OKP" and key.curve_name in allowed:
        return str(key.curve_name)  # RFC 9864: the fully specified name
    return min(allowed) if allowed else ""
