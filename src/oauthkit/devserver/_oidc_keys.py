"""The dev provider's ID token signing keys: RS256 over joserfc, published as a JWK Set.

One :class:`SigningKeys` belongs to one provider. Its first key is generated on first use (an
RSA key takes tens of milliseconds, and most providers a test suite starts never sign an ID
token), and each key is named by its RFC 7638 thumbprint, so a ``kid`` is stable for as long as
the key lives and says nothing a test could mistake for a secret.

:meth:`SigningKeys.rotate` adds a key and signs with it from then on, while every older key
stays published, the way a provider rotates without breaking tokens already issued
(OpenID Connect Core §10.1.1): a client that cached the JWK Set meets an unknown ``kid`` and
must fetch the set again.

This module imports joserfc at the top; the provider imports it only once the ``dev`` extra is
known to be installed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeyParameters, KeySet, RSAKey

__all__ = ["ALGORITHM", "SigningKeys"]

ALGORITHM = "RS256"
# RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3) wants at least 2048 bits; joserfc warns below.
_KEY_SIZE = 2048


class SigningKeys:
    """An RS256 key ring: the newest key signs, every key is published and verifies.

    Thread-safe: the provider answers each request on its own thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: list[RSAKey] = []  # oldest first; the last one signs

    def __repr__(self) -> str:
        with self._lock:
            kids = [key.kid for key in self._keys]
        return f"<SigningKeys kids={kids}>"

    def _signing_key(self) -> RSAKey:
        with self._lock:
            if not self._keys:
                self._keys.append(_new_key())
            return self._keys[-1]

    @property
    def kid(self) -> str:
        """The ``kid`` (RFC 7638 thumbprint) of the key that signs now."""
        return str(self._signing_key().kid)

    def rotate(self) -> str:
        """Sign with a new key from now on; keep publishing the old ones.

        Returns:
            The new key's ``kid``.
        """
        self._signing_key()  # the first key must exist to be kept
        key = _new_key()
        with self._lock:
            self._keys.append(key)
        return str(key.kid)

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set (RFC 7517 §5), newest key first, each with ``kid``, ``use`` and
        ``alg``; never a private member."""
        self._signing_key()
        with self._lock:
            keys = list(reversed(self._keys))
        return dict(KeySet(list(keys)).as_dict(private=False))

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWS (RFC 7515 §7.1) of ``claims``, signed RS256 with the newest key.

        The header names the key (``kid``) so that a verifier can pick it from the JWK Set.
        """
        key = self._signing_key()
        return jwt.encode({"alg": ALGORITHM, "kid": key.kid}, dict(claims), key, [ALGORITHM])

    def verify(self, token: str) -> dict[str, Any] | None:
        """The claims of ``token`` if one of these keys signed it with RS256.

        Only the signature is checked; what the claims say is for the caller to judge.

        Returns:
            ``None`` for anything else: malformed, another algorithm, an unknown ``kid``, a
            bad signature.
        """
        self._signing_key()
        with self._lock:
            keys = KeySet(list(self._keys))
        try:
            return dict(jwt.decode(token, keys, [ALGORITHM]).claims)
        except (JoseError, ValueError):
            return None


def _new_key() -> RSAKey:
    # auto_kid names the key by its RFC 7638 thumbprint.
    parameters: KeyParameters = {"use": "sig", "alg": ALGORITHM}
    key: RSAKey = RSAKey.generate_key(_KEY_SIZE, parameters, auto_kid=True)
    return key
