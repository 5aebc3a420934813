"""The dev provider's answers to oauthlib's OAuth 1.0a questions (RFC 5849).

oauthlib's server endpoints parse and verify requests but keep no state: they ask a
``RequestValidator`` whether a client, token, nonce or verifier is acceptable and where to
store what they issue. :class:`DevRequestValidator` answers from an :class:`OAuth1Store`.

The format limits are widened from oauthlib's defaults (20 to 30 letters and digits) so that
every mainstream client is accepted: requests-oauthlib's nonces are 11 to 30 digits, oauthkit's
are 30 hex characters, and the provider's own keys contain ``-``. ``enforce_ssl`` is off: the
provider only listens on loopback (RFC 5849 §4.1 worries about the network, and there is none).

This module imports oauthlib at the top; :mod:`oauthkit.devserver` only imports it after
checking that the ``dev`` extra is installed.
"""

from __future__ import annotations

import hmac
import string
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from oauthlib.oauth1 import RequestValidator

from ._store import AccessTokenRecord, OAuth1Store, RequestTokenRecord

__all__ = ["SAFE_CHARACTERS", "TIMESTAMP_LIFETIME", "DevRequestValidator", "is_safe_credential"]

SAFE_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.")
TIMESTAMP_LIFETIME = 600
_DUMMY_SECRET = "dummy-secret-of-thirty-chars-0"


def is_safe_credential(value: str, lower: int = 8, upper: int = 64) -> bool:
    """Whether ``value`` passes the provider's format check for keys, tokens and verifiers."""
    return lower <= len(value) <= upper and set(value) <= SAFE_CHARACTERS


class DevRequestValidator(RequestValidator):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's validator, backed by the in-memory store.

    Unknown clients and tokens are replaced by oauthlib with the ``dummy_*`` values, for which
    the lookups below return a dummy secret, so a forged request runs the same code path as a
    real one and fails only on the signature (the timing advice of oauthlib's documentation).
    """

    def __init__(self, store: OAuth1Store) -> None:
        super().__init__()
        self._store = store

    # -- format limits ----------------------------------------------------------------------

    @property
    def safe_characters(self) -> set[str]:
        return set(SAFE_CHARACTERS)

    @property
    def client_key_length(self) -> tuple[int, int]:
        return 8, 64

    @property
    def request_token_length(self) -> tuple[int, int]:
        return 20, 64

    @property
    def access_token_length(self) -> tuple[int, int]:
        return 20, 64

    @property
    def nonce_length(self) -> tuple[int, int]:
        return 8, 64

    @property
    def verifier_length(self) -> tuple[int, int]:
        return 20, 64

    @property
    def timestamp_lifetime(self) -> int:
        return TIMESTAMP_LIFETIME

    @property
    def enforce_ssl(self) -> bool:
        return False

    @property
    def dummy_client(self) -> str:
        return "dummy-client"

    @property
    def dummy_request_token(self) -> str:
        return "dummy-request-token"

    @property
    def dummy_access_token(self) -> str:
        return "dummy-access-token"

    def check_realms(self, realms: Iterable[str]) -> bool:
        # Any realm is acceptable here; a realm is the OAuth 1.0a stand-in for a scope and
        # the provider grants whatever was asked for.
        return all(is_safe_credential(realm, 1, 64) for realm in realms)

    # -- clients ----------------------------------------------------------------------------

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return self._store.client(client_key) is not None

    def get_client_secret(self, client_key: str, request: Any) -> str:
        client = self._store.client(client_key)
        return _DUMMY_SECRET if client is None else client.client_secret

    def get_rsa_key(self, client_key: str, request: Any) -> str | None:
        client = self._store.client(client_key)
        return None if client is None else client.rsa_public_key_pem

    # -- replay protection (RFC 5849 §3.3) --------------------------------------------------

    def validate_timestamp_and_nonce(
        self,
        client_key: str,
        timestamp: str,
        nonce: str,
        request: Any,
        request_token: str | None = None,
        access_token: str | None = None,
    ) -> bool:
        fresh = self._store.use_nonce(client_key, timestamp, nonce, request_token or access_token)
        # oauthlib returns before filling validator_log when this fails; record why, so the
        # 401 can say "nonce_used" instead of a bare refusal.
        request.validator_log["nonce"] = fresh
        return fresh

    # -- temporary credentials (§2.1, §2.2) -------------------------------------------------

    def validate_redirect_uri(self, client_key: str, redirect_uri: str, request: Any) -> bool:
        if redirect_uri == "oob":
            return True
        parts = urlsplit(redirect_uri)
        return parts.scheme in ("http", "https") and bool(parts.netloc)

    def get_default_realms(self, client_key: str, request: Any) -> list[str]:
        return []

    def validate_requested_realms(self, client_key: str, realms: list[str], request: Any) -> bool:
        return True

    def save_request_token(self, token: dict[str, str], request: Any) -> None:
        record = RequestTokenRecord(
            client_key=request.client_key,
            secret=token["oauth_token_secret"],
            callback=request.redirect_uri,
            realms=tuple(request.realms or ()),
        )
        self._store.add_request_token(token["oauth_token"], record)

    def verify_request_token(self, token: str, request: Any) -> bool:
        record = self._store.request_token(token)
        return record is not None and record.verifier is None

    def verify_realms(self, token: str, realms: list[str], request: Any) -> bool:
        record = self._store.request_token(token)
        return record is not None and set(realms) <= set(record.realms)

    def get_realms(self, token: str, request: Any) -> list[str]:
        record = self._store.request_token(token)
        return [] if record is None else list(record.realms)

    def get_redirect_uri(self, token: str, request: Any) -> str:
        record = self._store.request_token(token)
        return "oob" if record is None else record.callback

    def save_verifier(self, token: str, verifier: dict[str, str], request: Any) -> None:
        self._store.attach_verifier(token, verifier["oauth_verifier"])

    # -- token credentials (§2.3) -----------------------------------------------------------

    def _request_token_of(self, client_key: str, token: str) -> RequestTokenRecord | None:
        record = self._store.request_token(token)
        if record is None or record.client_key != client_key:
            return None
        return record

    def validate_request_token(self, client_key: str, token: str, request: Any) -> bool:
        return self._request_token_of(client_key, token) is not None

    def get_request_token_secret(self, client_key: str, token: str, request: Any) -> str:
        record = self._request_token_of(client_key, token)
        return _DUMMY_SECRET if record is None else record.secret

    def validate_verifier(self, client_key: str, token: str, verifier: str, request: Any) -> bool:
        record = self._request_token_of(client_key, token)
        if record is None or record.verifier is None:
            return False
        return hmac.compare_digest(record.verifier, verifier)

    def invalidate_request_token(self, client_key: str, request_token: str, request: Any) -> None:
        self._store.discard_request_token(request_token)

    def save_access_token(self, token: dict[str, str], request: Any) -> None:
        record = AccessTokenRecord(
            client_key=request.client_key,
            secret=token["oauth_token_secret"],
            realms=tuple(request.realms or ()),
        )
        self._store.add_access_token(token["oauth_token"], record)

    # -- protected resources (§3.2) ---------------------------------------------------------

    def _access_token_of(self, client_key: str, token: str) -> AccessTokenRecord | None:
        record = self._store.access_token(token)
        if record is None or record.client_key != client_key:
            return None
        return record

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return self._access_token_of(client_key, token) is not None

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        record = self._access_token_of(client_key, token)
        return _DUMMY_SECRET if record is None else record.secret

    def validate_realms(
        self,
        client_key: str,
        token: str,
        request: Any,
        uri: str | None = None,
        realms: list[str] | None = None,
    ) -> bool:
        # The echo resource is not restricted to any realm; the token's realms are reported
        # by the access-token response (oauth_authorized_realms) instead.
        return True
