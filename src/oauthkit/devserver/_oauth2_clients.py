"""OAuth 2 client registrations of the dev provider (RFC 6749 §2, RFC 7591 §2).

:class:`DevOAuth2Client` is what a test registers; the constants are the vocabulary it is
checked against: the grant types the provider serves, the RFC 7591 client authentication
methods, the loopback redirect URIs every default client gets, the RFC 6749 §3.3 scope-token
syntax, and the resource owner who approves when a request names nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .._errors import UsageError

__all__ = [
    "ALL_GRANT_TYPES",
    "AUTH_METHODS",
    "DEFAULT_USER",
    "DEVICE_CODE_GRANT",
    "LOOPBACK_REDIRECT_URIS",
    "SCOPE_TOKEN",
    "DevOAuth2Client",
]

DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
ALL_GRANT_TYPES = frozenset(
    {"authorization_code", "refresh_token", "client_credentials", "password", DEVICE_CODE_GRANT}
)
# RFC 7591 §2 names for how a client authenticates at the token endpoint.
AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")
# Native apps redirect to a loopback listener on any free port (RFC 8252 §7.3); the provider's
# own /callback page is on loopback too, so these registrations cover it whatever its port.
LOOPBACK_REDIRECT_URIS = (
    "http://127.0.0.1/callback",
    "http://[::1]/callback",
    "http://localhost/callback",
)
# The resource owner who approves when a request names nobody.
DEFAULT_USER = "dev-user"
# RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")
_CLIENT_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


@dataclass(frozen=True, slots=True)
class DevOAuth2Client:
    """An OAuth 2 client registered with the dev provider (RFC 6749 §2).

    Attributes:
        client_id: The client identifier.
        client_secret: The secret of a confidential client; ``None`` for a public client.
        token_endpoint_auth_method: ``client_secret_basic``, ``client_secret_post`` or ``none``
            (RFC 7591 §2). A confidential client must use the method it registered.
        redirect_uris: Registered redirection URIs. Loopback ``http`` URIs match any port
            (RFC 8252 §7.3).
        grant_types: The grant types the client may use.
        scopes: The scopes it may ask for; ``None`` allows any well-formed scope.
        default_scopes: Granted when a request names no scope.
        post_logout_redirect_uris: Where RP-initiated logout may return the user
            (OpenID Connect RP-Initiated Logout 1.0 §3); matched like ``redirect_uris``.

    Raises:
        UsageError: A field is malformed or the fields contradict each other.
    """

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    token_endpoint_auth_method: str = "client_secret_basic"
    redirect_uris: tuple[str, ...] = ()
    grant_types: frozenset[str] = ALL_GRANT_TYPES
    scopes: frozenset[str] | None = None
    default_scopes: tuple[str, ...] = ("read",)
    post_logout_redirect_uris: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _CLIENT_ID.fullmatch(self.client_id):
            raise UsageError("client_id must be 8 to 64 letters, digits, '-', '_' or '.'")
        if self.token_endpoint_auth_method not in AUTH_METHODS:
            raise UsageError(f"token_endpoint_auth_method must be one of {AUTH_METHODS}")
        if self.is_public != (self.client_secret is None):
            raise UsageError("a client has a secret exactly when it is not public ('none')")
        if not self.grant_types <= ALL_GRANT_TYPES:
            raise UsageError(f"unknown grant types: {sorted(self.grant_types - ALL_GRANT_TYPES)}")
        if self.is_public and "client_credentials" in self.grant_types:
            raise UsageError("a public client cannot use client_credentials (RFC 6749 §4.4)")
        for uri in (*self.redirect_uris, *self.post_logout_redirect_uris):
            parts = urlsplit(uri)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
                raise UsageError(f"redirect URI {uri!r} is not absolute or has a fragment")
        scopes = {*self.default_scopes, *(self.scopes or ())}
        if not all(SCOPE_TOKEN.fullmatch(scope) for scope in scopes):
            raise UsageError("scopes must be RFC 6749 §3.3 scope tokens (no spaces or quotes)")

    @property
    def is_public(self) -> bool:
        """Whether the client has no secret and identifies itself by ``client_id`` alone."""
        return self.token_endpoint_auth_method == "none"
