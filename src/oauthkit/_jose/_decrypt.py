"""Decrypting a compact JWE with the client's own keys (RFC 7516 §5.2; OIDC Core §10.2).

Providers encrypt ID tokens and UserInfo responses to a client that registered an encryption
key: the plaintext is then a signed JWT (a nested JWT, RFC 7519 §5.2), verified as usual.
joserfc does the decryption, with its default set of algorithms (``RSA1_5`` is not among
them, RFC 8725 §3.2).
"""

from __future__ import annotations

import zlib
from typing import Any

from .._core._extras import require
from ._compact import MAX_TOKEN_SIZE, Rejected

__all__ = ["decrypt", "import_private_keys"]


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
        plaintext = jwe.decrypt_compact(token, import_private_keys(keys)).plaintext
    except (errors.JoseError, ValueError, TypeError, KeyError, zlib.error):  # zip: not DEFLATE
        raise Rejected(
            "decryption", f"the {what} does not decrypt with the client's keys"
        ) from None
    if plaintext is None or len(plaintext) > MAX_TOKEN_SIZE:
        raise Rejected("decryption", f"the decrypted {what} is empty or too long")
    try:
        return str(plaintext.decode("ascii"))
    except UnicodeDecodeError:
        raise Rejected("decryption", f"the decrypted {what} is not a compact JWS") from None
