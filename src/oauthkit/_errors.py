"""The exception tree of oauthkit.

Every error oauthkit raises on purpose derives from :class:`OAuthError`. The tree is split by who
is at fault, because that decides what a caller can do about it::

    OAuthError
    ├── UsageError                      the caller misused the API (fix the code)
    │   ├── InsecureTransportError      plain http to a non-loopback host
    │   ├── MissingExtraError           an optional extra is not installed (also ImportError)
    │   └── SignatureMethodError        unknown method, wrong key, GET with body placement
    ├── CallbackError                   the redirect back to us is not acceptable
    │   ├── StateMismatchError          state / oauth_token does not match what we sent
    │   ├── IssuerMismatchError         RFC 9207 ``iss`` differs from the expected issuer
    │   └── MissingVerifierError        OAuth 1.0a callback without ``oauth_verifier``
    ├── AuthorizationError              the authorization server refused in the front channel
    │                                   (``error=access_denied`` on the callback)
    └── ServerResponseError             a back-channel response we cannot use
        ├── TokenEndpointError          the server refused (RFC 6749 §5.2 / RFC 5849 §2)
        │   └── TokenRequestDenied      OAuth 1.0a name, kept for requests-oauthlib code
        └── MalformedResponseError      HTML error pages, bad JSON, missing fields
            └── MissingTokenError       a 2xx body without the token it must carry

Transport exceptions (``requests.ConnectionError``, ``httpx.TransportError``) are deliberately
not wrapped: they are not OAuth problems, and callers already know how to handle them.

Errors that carry response bodies keep only a short excerpt, with anything that looks like a
credential removed, so that logging an exception never leaks a token.
"""

from __future__ import annotations

import re

__all__ = [
    "AuthorizationError",
    "CallbackError",
    "InsecureTransportError",
    "IssuerMismatchError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "OAuthError",
    "ServerResponseError",
    "SignatureMethodError",
    "StateMismatchError",
    "TokenEndpointError",
    "TokenRequestDenied",
    "UsageError",
    "excerpt",
]

_EXCERPT_LIMIT = 200
# Field names whose values must never reach an exception message or a log line.
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (["']?(?:access_token|refresh_token|id_token|oauth_token_secret|oauth_token|
    client_secret|device_code|code|password|assertion|client_assertion|subject_token|
    actor_token)["']?\s*[=:]\s*["']?)
    ([^"'&,\s}]+)
    """
)


def excerpt(body: bytes | str, limit: int = _EXCERPT_LIMIT) -> str:
    """Return a short, single-line, credential-free excerpt of a response body.

    Args:
        body: The raw body as received.
        limit: Maximum number of characters kept.

    Returns:
        The excerpt, with secret-looking values replaced by ``***``.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = _SECRET_FIELD.sub(r"\1***", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class OAuthError(Exception):
    """Root of every error oauthkit raises on purpose."""


class UsageError(OAuthError):
    """The caller used the API in a way that cannot work; the fix is in the calling code."""


class InsecureTransportError(UsageError):
    """A credential would travel over plain HTTP to a host that is not loopback.

    Attributes:
        url: The offending URL.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        super().__init__(
            f"refusing to send OAuth credentials over plain http to {url!r}: use https, "
            "or allow it explicitly for this client (loopback hosts are always allowed)"
        )


class MissingExtraError(UsageError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it."""

    def __init__(self, module: str, extra: str, feature: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(f"{feature} needs the {module!r} package: pip install 'oauthkit[{extra}]'")


class SignatureMethodError(UsageError):
    """A signature method cannot be used as configured (unknown name, missing key, ...)."""


class CallbackError(OAuthError):
    """The authorization callback does not belong to the flow we started."""


class StateMismatchError(CallbackError):
    """The callback's ``state`` (OAuth 2) or ``oauth_token`` (OAuth 1.0a) is not the one we sent.

    This is what a forged or replayed callback looks like; never continue the flow.
    """


class IssuerMismatchError(CallbackError):
    """The callback's ``iss`` parameter (RFC 9207) does not name the expected issuer."""


class MissingVerifierError(CallbackError):
    """An OAuth 1.0a callback, or an access-token request, lacks ``oauth_verifier``."""


class AuthorizationError(OAuthError):
    """The authorization server refused the request in the front channel (RFC 6749 §4.1.2.1).

    Attributes:
        error: The RFC 6749 error code, such as ``access_denied``.
        description: ``error_description``, if the server sent one.
        uri: ``error_uri``, if the server sent one.
    """

    def __init__(self, error: str, description: str | None = None, uri: str | None = None) -> None:
        self.error = error
        self.description = description
        self.uri = uri
        message = error if description is None else f"{error}: {description}"
        super().__init__(message)


class ServerResponseError(OAuthError):
    """A back-channel response that oauthkit cannot turn into a result.

    Attributes:
        status_code: HTTP status of the response.
        body_excerpt: A short, redacted excerpt of the body.
        response: The driver's own response object (``requests.Response``, ``httpx.Response``),
            attached by the driver; ``None`` when the core is used directly.
    """

    response: object | None = None

    def __init__(self, message: str, status_code: int, body: bytes | str = b"") -> None:
        self.status_code = status_code
        self.body_excerpt = excerpt(body)
        detail = f" (HTTP {status_code}"
        detail += f": {self.body_excerpt!r})" if self.body_excerpt else ")"
        super().__init__(message + detail)


class TokenEndpointError(ServerResponseError):
    """The token endpoint refused the request.

    Attributes:
        error: RFC 6749 §5.2 error code, or ``None`` for an OAuth 1.0a refusal.
        description: ``error_description``, if any.
        uri: ``error_uri``, if any.
    """

    def __init__(
        self,
        message: str,
        status_code: int,
        body: bytes | str = b"",
        *,
        error: str | None = None,
        description: str | None = None,
        uri: str | None = None,
    ) -> None:
        self.error = error
        self.description = description
        self.uri = uri
        super().__init__(message, status_code, body)


class TokenRequestDenied(TokenEndpointError, ValueError):
    """An OAuth 1.0a token request was refused (requests-oauthlib's name for it).

    Also a :class:`ValueError`, as in requests-oauthlib, so existing ``except`` clauses match.
    """


class MalformedResponseError(ServerResponseError, ValueError):
    """A response body that is not what the protocol requires (HTML, bad JSON, wrong types)."""


class MissingTokenError(MalformedResponseError):
    """A successful token response that lacks the token it must carry."""
