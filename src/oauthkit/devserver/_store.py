"""The dev provider's in-memory state: registered clients, tokens and seen nonces.

Everything lives in dictionaries behind one lock, because the WSGI server answers each request
on its own thread. Nothing is persisted: a provider's state dies with it, which is what tests
want. The OAuth 2 state of issue #3 belongs beside :class:`OAuth1Store`, not inside it, since
OAuth 1.0a consumers and OAuth 2 clients are separate registrations.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .._errors import UsageError

__all__ = [
    "AccessTokenRecord",
    "DevClient",
    "OAuth1Store",
    "RequestTokenRecord",
    "new_secret",
]


def new_secret() -> str:
    """A random 30-character credential, the length oauthlib issues its own tokens with."""
    return secrets.token_hex(15)


@dataclass(frozen=True, slots=True)
class DevClient:
    """An OAuth 1.0a client (consumer) registered with the dev provider.

    Attributes:
        client_key: The consumer key.
        client_secret: The consumer secret, used by the HMAC methods and PLAINTEXT.
        rsa_public_key_pem: The consumer's RSA public key (PEM), for the RSA methods;
            ``None`` for a client that signs only with its secret.
    """

    client_key: str
    client_secret: str = field(repr=False)
    rsa_public_key_pem: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class RequestTokenRecord:
    """A temporary credential (RFC 5849 §2.1) and what the provider knows about it."""

    client_key: str
    secret: str = field(repr=False)
    callback: str
    realms: tuple[str, ...] = ()
    verifier: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True)
class AccessTokenRecord:
    """Token credentials (RFC 5849 §2.3) and the client they were issued to."""

    client_key: str
    secret: str = field(repr=False)
    realms: tuple[str, ...] = ()


class OAuth1Store:
    """Thread-safe storage for the OAuth 1.0a side of the dev provider.

    Args:
        clock: Seconds since the epoch; decides when remembered nonces may be forgotten.
        timestamp_lifetime: How far (in seconds) a timestamp may be from now before oauthlib
            refuses it. A nonce older than that can be forgotten, because its request would be
            refused on the timestamp alone (RFC 5849 §3.3).
    """

    def __init__(self, clock: Callable[[], float], timestamp_lifetime: int) -> None:
        self._clock = clock
        self._lifetime = timestamp_lifetime
        self._lock = threading.Lock()
        self._clients: dict[str, DevClient] = {}
        self._request_tokens: dict[str, RequestTokenRecord] = {}
        self._access_tokens: dict[str, AccessTokenRecord] = {}
        self._nonces: dict[tuple[str, str, str, str], int] = {}
        self._last_prune = clock()

    # -- clients --------------------------------------------------------------------------

    def add_client(self, client: DevClient) -> None:
        """Register ``client``.

        Raises:
            UsageError: The key is already taken.
        """
        with self._lock:
            if client.client_key in self._clients:
                raise UsageError(f"client key {client.client_key!r} is already registered")
            self._clients[client.client_key] = client

    def client(self, client_key: str) -> DevClient | None:
        """The client registered under ``client_key``, if any."""
        with self._lock:
            return self._clients.get(client_key)

    # -- temporary credentials -------------------------------------------------------------

    def add_request_token(self, key: str, record: RequestTokenRecord) -> None:
        """Remember a freshly issued request token."""
        with self._lock:
            self._request_tokens[key] = record

    def request_token(self, key: str) -> RequestTokenRecord | None:
        """The request token ``key``, if it is still pending."""
        with self._lock:
            return self._request_tokens.get(key)

    def attach_verifier(self, key: str, verifier: str) -> bool:
        """Record the verifier of an approved request token.

        Returns:
            ``False`` when the token is unknown or was already approved: a request token is
            approved once (RFC 5849 §2.2).
        """
        with self._lock:
            record = self._request_tokens.get(key)
            if record is None or record.verifier is not None:
                return False
            self._request_tokens[key] = replace(record, verifier=verifier)
            return True

    def discard_request_token(self, key: str) -> None:
        """Forget a request token once it has been exchanged (RFC 5849 §2.3)."""
        with self._lock:
            self._request_tokens.pop(key, None)

    # -- token credentials ------------------------------------------------------------------

    def add_access_token(self, key: str, record: AccessTokenRecord) -> None:
        """Remember issued token credentials."""
        with self._lock:
            self._access_tokens[key] = record

    def access_token(self, key: str) -> AccessTokenRecord | None:
        """The access token ``key``, if it was issued."""
        with self._lock:
            return self._access_tokens.get(key)

    # -- replay protection ------------------------------------------------------------------

    def use_nonce(self, client_key: str, timestamp: str, nonce: str, token: str | None) -> bool:
        """Record a (client, timestamp, nonce, token) combination (RFC 5849 §3.3).

        Returns:
            ``True`` the first time a combination is seen, ``False`` for a replay.
        """
        try:
            stamp = int(timestamp)
        except ValueError:
            return False
        key = (client_key, timestamp, nonce, token or "")
        with self._lock:
            now = self._clock()
            if now - self._last_prune > self._lifetime:
                self._prune(now)
            # Nonces travel in the clear, so a dictionary lookup leaks nothing worth a
            # constant-time scan.
            if key in self._nonces:
                return False
            self._nonces[key] = stamp
            return True

    def _prune(self, now: float) -> None:
        horizon = now - self._lifetime
        self._nonces = {k: stamp for k, stamp in self._nonces.items() if stamp >= horizon}
        self._last_prune = now
