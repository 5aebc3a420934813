"""Decrypting a compact JWE with the client's own keys (RFC 7516 §5.2; OIDC Core §10.2).

Providers encrypt ID tokens and UserInfo responses to a client that registered an encryption
key: the plaintext is then a signed JWT (a nested JWT, RFC 7519 §5.2), verified as usual.
joserfc does the decryption, with the algorithms of :data:`ALGORITHMS`: those of RFC 7518
but ``RSA1_5`` (RFC 8725 §3.2) and PBES2 (no client key is a password). joserfc's own default,
RFC 7518's "Recommended" column, leaves out ``RSA-OAEP-256``, the key management algorithm
providers offer most for RSA keys. Header parameters joserfc does not know are ignored, as
RFC 7516 §4 requires unless ``crit`` names them (joserfc still refuses those): providers
replicate claims such as ``iss`` and ``aud`` in the header (RFC 7519 §5.3), and oidc-provider
does, which joserfc's strict default refuses. Compressed JWEs (``zip``) are refused: they
would inflate before any size bound applies, and no provider compresses its tokens.
"""

from __future__ import annotations

import functools
from typing import Any

from .._core._extras import require
from ._compact import MAX_TOKEN_SIZE, Rejected

__all__ = ["ALGORITHMS", "decrypt", "import_private_keys"]

ALGORITHMS = (
    # key management (RFC 7518 §4.1)
    "RSA-OAEP",
    "RSA-OAEP-256",
    "A128KW",
    "A192KW",
    "A256KW",
    "dir",
    "ECDH-ES",
    "ECDH-ES+A128KW",
    "ECDH-ES+A192KW",
    "ECDH-ES+A256KW",
    "A128GCMKW",
    "A192GCMKW",
    "A256GCMKW",
    # content encryption (RFC 7518 §5.1)
    "A128CBC-HS256",
    "A192CBC-HS384",
    "A256CBC-HS512",
    "A128GCM",
    "A192GCM",
    "A256GCM",
)
"""The JWE ``alg`` and ``enc`` values accepted."""


@functools.cache
def _registry() -> Any:
    jwe = require("joserfc.jwe", "jose", "decrypting tokens")
    return jwe.JWERegistry(algorithms=ALGORITHMS, strict_check_header=False)


def import_private_keys(keys: Any, feature: str = "decrypting tokens") -> Any:
    """The client's private keys as a joserfc key or key set.

    Accepts a JWK Set (``{"keys": [...]}``), one JWK (a dict), or a joserfc key or set.

    Raises:
        ValueError: Not a key joserfc can import.
    """
    jwk = require("joserfc.jwk", "jose", feature)
    if isinstance(keys, (jwk.KeySet, jwk.RSAKey, jwk.ECKey, jwk.OKPKey, jwk.OctKey)):
        return keys
    if isinstance(keys, dict) and "keys" in keys:
        return jwk.KeySet.import_key_set(keys)
    if isinstance(keys, dict):
        return jwk.JWKRegistry.import_key(keys)
    raise ValueError("decryption keys must be a JWK Set, a JWK or a joserfc key")


def decrypt(token: str, keys: Any, what: str) -> str:
    """The plaintext of a compact JWE, which must be a compact JWS.

    Args:
        token: The JWE.
        keys: The client's private keys (see :func:`import_private_keys`), or ``None``.
        what: The token, for messages.

    Raises:
        Rejected: No keys, a JWE that does not decrypt, or a plaintext that is not a JWS
            (check ``"decryption"``).
    """
    if keys is None:
        raise Rejected("decryption", f"the {what} is encrypted and no decryption keys are set")
    if len(token) > MAX_TOKEN_SIZE:
        raise Rejected("format", f"the {what} is longer than {MAX_TOKEN_SIZE} characters")
    jwe = require("joserfc.jwe", "jose", "decrypting tokens")
    errors = require("joserfc.errors", "jose", "decrypting tokens")
    try:
        key = import_private_keys(keys)
        plaintext = jwe.decrypt_compact(token, key, registry=_registry()).plaintext
    except (errors.JoseError, ValueError, TypeError, KeyError):
        raise Rejected(
            "decryption", f"the {what} does not decrypt with the client's keys"
        ) from None
    if plaintext is None or len(plaintext) > MAX_TOKEN_SIZE:
        raise Rejected("decryption", f"the decrypted {what} is empty or too long")
    try:
        return str(plaintext.decode("ascii"))
    except UnicodeDecodeError:
        raise Rejected("decryption", f"the decrypted {what} is not a compact JWS") from None
