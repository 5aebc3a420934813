"""The one source of randomness for protocol values: state, nonces, verifiers, ``jti``.

Every value comes from :func:`os.urandom` (the operating system's CSPRNG, which is what
:mod:`secrets` uses) and is encoded without padding. Importing :mod:`secrets` would also pull
in :mod:`random`, which nothing here needs, on the OAuth 1.0a signing path.

Callers that need reproducible values inject factories instead (``state_factory=``,
``nonce_factory=``, ``jti_factory=``); these are the defaults behind them.
"""

from __future__ import annotations

import base64
import os

__all__ = ["generate_jti", "generate_nonce", "generate_state", "random_hex", "random_urlsafe"]


def random_urlsafe(nbytes: int = 32) -> str:
    """``nbytes`` random bytes as base64url without padding (``secrets.token_urlsafe``)."""
    return base64.urlsafe_b64encode(os.urandom(nbytes)).rstrip(b"=").decode("ascii")


def random_hex(nbytes: int = 16) -> str:
    """``nbytes`` random bytes as lower-case hex (``secrets.token_hex``)."""
    return os.urandom(nbytes).hex()


def generate_state() -> str:
    """A fresh ``state``: 256 bits, base64url (RFC 6749 §10.10, §10.12)."""
    return random_urlsafe(32)


def generate_nonce() -> str:
    """A fresh OpenID Connect ``nonce``: 256 bits, base64url (OIDC Core §15.5.2)."""
    return random_urlsafe(32)


def generate_jti() -> str:
    """A fresh JWT ID for an assertion or proof: 256 bits, base64url (RFC 7519 §4.1.7)."""
    return random_urlsafe(32)
