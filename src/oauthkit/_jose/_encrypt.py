"""Encrypting a signed JWT to a server's public key: a nested JWT (RFC 7519 §5.2, RFC 7516).

A client encrypts its signed request object to the authorization server (RFC 9101 §6.1, OIDC
Core §6.3.2): the plaintext is the compact JWS, the header says ``cty: "JWT"``, and the key is
one the server publishes for encryption (``use: "enc"`` in its ``jwks_uri``, kept apart from
its signature keys by :mod:`._keys`).

:func:`choose_encryption` picks the key management algorithm, the content encryption and the
key, in the order of :data:`KEY_MANAGEMENT` and :data:`CONTENT_ENCRYPTION`, among the values
the server lists (``request_object_encryption_alg_values_supported`` and
``..._enc_values_supported``). Only public-key algorithms are used: ``RSA-OAEP-256``, the
``ECDH-ES`` family and ``RSA-OAEP``; never ``RSA1_5`` (RFC 8725 §3.2, FAPI 2.0 Security
Profile §5.4.1), and not the symmetric ones (``dir``, ``A*KW``), which would derive the key
from the client secret. :func:`encrypt_jwt` runs joserfc with exactly the chosen pair.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from .._core._extras import require
from .._errors import UsageError
from ._keys import PublicKey

__all__ = [
    "CONTENT_ENCRYPTION",
    "DEFAULT_CONTENT_ENCRYPTION",
    "KEY_MANAGEMENT",
    "Encryption",
    "choose_encryption",
    "encrypt_jwt",
]

KEY_MANAGEMENT = (
    "RSA-OAEP-256",
    "ECDH-ES+A256KW",
    "ECDH-ES",
    "ECDH-ES+A192KW",
    "ECDH-ES+A128KW",
    "RSA-OAEP",
)
"""The JWE ``alg`` values a client encrypts with, most preferred first (RFC 7518 §4.1)."""
CONTENT_ENCRYPTION = (
    "A256GCM",
    "A128CBC-HS256",
    "A192GCM",
    "A128GCM",
    "A256CBC-HS512",
    "A192CBC-HS384",
)
"""The JWE ``enc`` values, most preferred first (RFC 7518 §5.1)."""
DEFAULT_CONTENT_ENCRYPTION = "A128CBC-HS256"
"""The ``enc`` used when the server lists none: OIDC Dynamic Client Registration §2's default
for ``request_object_encryption_enc``, which a server that decrypts must accept."""
_ECDH_CURVES = frozenset({"P-256", "P-384", "P-521", "X25519", "X448"})


@dataclass(frozen=True, slots=True)
class Encryption:
    """What a JWE is encrypted with.

    Attributes:
        key: The server's public encryption key.
        alg: The key management algorithm.
        enc: The content encryption algorithm.
    """

    key: PublicKey
    alg: str
    enc: str


def _fits(key: PublicKey, alg: str) -> bool:
    if key.alg not in (None, alg):
        return False
    if alg.startswith("RSA-"):
        return key.kty == "RSA"
    return key.kty in ("EC", "OKP") and key.crv in _ECDH_CURVES


def _listed(what: str, ours: Sequence[str], theirs: Collection[str] | None) -> list[str]:
    if theirs is None:
        return list(ours)
    common = [value for value in ours if value in theirs]
    if not common:
        listed = ", ".join(sorted(str(v) for v in theirs)) or "none"
        raise UsageError(
            f"request object encryption: the server's {what} values ({listed}) include none "
            f"oauthkit uses ({', '.join(ours)})"
        )
    return common


def choose_encryption(
    keys: Sequence[PublicKey],
    *,
    alg_values: Collection[str] | None,
    enc_values: Collection[str] | None,
    alg: str | None = None,
    enc: str | None = None,
) -> Encryption:
    """The algorithms and the key to encrypt to (RFC 9101 §6.1).

    Args:
        keys: The server's encryption keys (:attr:`~._keys.KeySet.encryption`).
        alg_values: The server's ``..._encryption_alg_values_supported`` (``None``: not
            listed, so any of :data:`KEY_MANAGEMENT` a key allows).
        enc_values: The server's ``..._encryption_enc_values_supported`` (``None``: not
            listed, so :data:`DEFAULT_CONTENT_ENCRYPTION`).
        alg: The key management algorithm the client insists on, if any.
        enc: The content encryption the client insists on, if any.

    Raises:
        UsageError: The server has no encryption key, lists only algorithms refused here, or
            has no key for any algorithm both sides accept.
    """
    if not keys:
        raise UsageError(
            "request object encryption: the server's JWK Set has no encryption key "
            '(use: "enc"); it cannot receive encrypted request objects'
        )
    algs = _listed("key management (alg)", (alg,) if alg else KEY_MANAGEMENT, alg_values)
    if enc:
        encs = _listed("content encryption (enc)", (enc,), enc_values)
    elif enc_values is None:
        encs = [DEFAULT_CONTENT_ENCRYPTION]
    else:
        encs = _listed("content encryption (enc)", CONTENT_ENCRYPTION, enc_values)
    for candidate in algs:
        for key in keys:
            if _fits(key, candidate):
                return Encryption(key, candidate, encs[0])
    kinds = ", ".join(sorted({f"{k.kty}{f' {k.crv}' if k.crv else ''}" for k in keys}))
    raise UsageError(
        f"request object encryption: no encryption key of the server ({kinds}) suits "
        f"{', '.join(algs)}"
    )


@functools.cache
def _registry(feature: str) -> Any:
    jwe = require("joserfc.jwe", "jose", feature)
    return jwe.JWERegistry(algorithms=(*KEY_MANAGEMENT, *CONTENT_ENCRYPTION))


def encrypt_jwt(jws: str, encryption: Encryption, *, feature: str, what: str) -> str:
    """``jws`` encrypted to the server's key as a compact JWE with ``cty: "JWT"``
    (RFC 7519 §5.2: a nested JWT), naming the key's ``kid`` when it has one.

    Raises:
        MissingExtraError: joserfc is not installed.
        UsageError: joserfc cannot encrypt to this key (the message never quotes the key or
            the plaintext).
    """
    jwe = require("joserfc.jwe", "jose", feature)
    errors = require("joserfc.errors", "jose", feature)
    header: dict[str, Any] = {"alg": encryption.alg, "enc": encryption.enc, "cty": "JWT"}
    if encryption.key.kid is not None:
        header["kid"] = encryption.key.kid
    try:
        token = jwe.encrypt_compact(
            header,
            jws,
            encryption.key.key,
            algorithms=[encryption.alg, encryption.enc],
            registry=_registry(feature),
        )
    except (errors.JoseError, ValueError, TypeError, KeyError) as exc:
        raise UsageError(
            f"{feature}: cannot encrypt {what} with {encryption.alg}/{encryption.enc} "
            f"({type(exc).__name__})"
        ) from None
    return str(token)
