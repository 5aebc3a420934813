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
    ├── ServerResponseError             a back-channel response we cannot use
    │   ├── TokenEndpointError          the server refused (RFC 6749 §5.2 / RFC 5849 §2)
    │   │   ├── TokenRequestDenied      OAuth 1.0a name, kept for requests-oauthlib code
    │   │   ├── InvalidRequestError              invalid_request               RFC 6749 §5.2
    │   │   ├── InvalidClientError               invalid_client                RFC 6749 §5.2
    │   │   ├── InvalidGrantError                invalid_grant                 RFC 6749 §5.2
    │   │   ├── UnauthorizedClientError          unauthorized_client           RFC 6749 §5.2
    │   │   ├── UnsupportedGrantTypeError        unsupported_grant_type        RFC 6749 §5.2
    │   │   ├── InvalidScopeError                invalid_scope                 RFC 6749 §5.2
    │   │   ├── AuthorizationPendingError        authorization_pending         RFC 8628 §3.5
    │   │   ├── SlowDownError                    slow_down                     RFC 8628 §3.5
    │   │   ├── AccessDeniedError                access_denied                 RFC 8628 §3.5
    │   │   ├── ExpiredTokenError                expired_token                 RFC 8628 §3.5
    │   │   ├── InvalidTargetError               invalid_target                RFC 8707 §2
    │   │   ├── InvalidDpopProofError            invalid_dpop_proof            RFC 9449 §5
    │   │   ├── UseDpopNonceError                use_dpop_nonce                RFC 9449 §8
    │   │   ├── InvalidAuthorizationDetailsError invalid_authorization_details RFC 9396 §5
    │   │   └── UnsupportedTokenTypeError        unsupported_token_type        RFC 7009 §2.2.1
    │   └── MalformedResponseError      HTML error pages, bad JSON, missing fields
    │       └── MissingTokenError       a 2xx body without the token it must carry
    ├── DeviceFlowExpiredError          our own deadline for a device flow (RFC 8628) passed
    └── TokenExpiredError               the access token expired and cannot be renewed

:func:`token_error_class` maps an RFC 6749 §5.2 ``error`` code (or one registered by an extension)
to its class; unknown codes map to :class:`TokenEndpointError` itself, so ``except
TokenEndpointError`` always catches every refusal.

Transport exceptions (``requests.ConnectionError``, ``httpx.TransportError``) are deliberately
not wrapped: they are not OAuth problems, and callers already know how to handle them.

Errors that carry response bodies keep only a short excerpt, with anything that looks like a
credential removed, so that logging an exception never leaks a token.
"""

from __future__ import annotations

import re

# typing costs milliseconds at import; annotations are strings here, so it is type-time only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

__all__ = [
    "AccessDeniedError",
    "AuthorizationError",
    "AuthorizationPendingError",
    "CallbackError",
    "DeviceFlowExpiredError",
    "ExpiredTokenError",
    "InsecureTransportError",
    "InvalidAuthorizationDetailsError",
    "InvalidClientError",
    "InvalidDpopProofError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidTargetError",
    "IssuerMismatchError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "OAuthError",
    "ServerResponseError",
    "SignatureMethodError",
    "SlowDownError",
    "StateMismatchError",
    "TokenEndpointError",
    "TokenExpiredError",
    "TokenRequestDenied",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedTokenTypeError",
    "UsageError",
    "UseDpopNonceError",
    "excerpt",
    "token_error_class",
]

_EXCERPT_LIMIT = 200
# Field names whose values must never reach an exception message or a log line.
_SECRET_FIELD = re.compile(
    r"""(?ix)
    (["']?(?<!\w)(?:access_token|refresh_token|id_token|oauth_token_secret|oauth_token|
    client_secret|device_code|code|password|assertion|client_assertion|subject_token|
    actor_token|token)["']?\s*[=:]\s*(?:\[\s*)?)  # a JSON array opener too: ["secret"
    ("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^"'&,\s}\]]+)  # a whole quoted string
    """
)


def _redact(match: re.Match[str]) -> str:
    value = match.group(2)
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group(1)}{quote}***{quote}"


def excerpt(body: bytes | str, limit: int = _EXCERPT_LIMIT) -> str:
    """Return a short, single-line, credential-free excerpt of a response body.

    Args:
        body: The raw body as received.
        limit: Maximum number of characters kept.

    Returns:
        The excerpt, with secret-looking values replaced by ``***``.
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = _SECRET_FIELD.sub(_redact, text)
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

    Subclasses stand for one registered ``error`` code each, named by their class attribute
    ``code``; :func:`token_error_class` picks the class for a code.

    Attributes:
        code: The ``error`` code this class stands for; ``None`` on this base class, which
            is raised for unregistered codes and for refusals without a usable error body.
        error: RFC 6749 §5.2 error code as sent, or ``None`` for an OAuth 1.0a refusal or a
            body without one. Defaults to the class's ``code``.
        description: ``error_description``, if any.
        uri: ``error_uri``, if any.
    """

    code: ClassVar[str | None] = None

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
        self.error = error if error is not None else self.code
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


class InvalidRequestError(TokenEndpointError):
    """``invalid_request``: a parameter is missing, repeated or malformed (RFC 6749 §5.2)."""

    code = "invalid_request"


class InvalidClientError(TokenEndpointError):
    """``invalid_client``: client authentication failed (RFC 6749 §5.2).

    Usually a wrong ``client_secret`` or an authentication method the server does not accept
    for this client; servers often answer it with HTTP 401.
    """

    code = "invalid_client"


class InvalidGrantError(TokenEndpointError):
    """``invalid_grant``: the code, refresh token or credentials are invalid (RFC 6749 §5.2).

    Also the answer to an expired or already used authorization code, a revoked refresh
    token, a ``redirect_uri`` that differs from the authorization request, or a wrong PKCE
    ``code_verifier``. A refresh that fails with it needs a new authorization.
    """

    code = "invalid_grant"


class UnauthorizedClientError(TokenEndpointError):
    """``unauthorized_client``: this client may not use this grant type (RFC 6749 §5.2)."""

    code = "unauthorized_client"


class UnsupportedGrantTypeError(TokenEndpointError):
    """``unsupported_grant_type``: the server does not support the grant type (RFC 6749 §5.2)."""

    code = "unsupported_grant_type"


class InvalidScopeError(TokenEndpointError):
    """``invalid_scope``: the requested scope is invalid, unknown or too wide (RFC 6749 §5.2)."""

    code = "invalid_scope"


class AuthorizationPendingError(TokenEndpointError):
    """``authorization_pending``: the user has not finished yet; poll again (RFC 8628 §3.5)."""

    code = "authorization_pending"


class SlowDownError(TokenEndpointError):
    """``slow_down``: poll again, with the interval raised by 5 seconds (RFC 8628 §3.5)."""

    code = "slow_down"


class AccessDeniedError(TokenEndpointError):
    """``access_denied`` at the token endpoint: the user declined (RFC 8628 §3.5).

    The front-channel ``access_denied`` of a redirect flow is an :class:`AuthorizationError`
    instead, because it never reaches a token endpoint.
    """

    code = "access_denied"


class ExpiredTokenError(TokenEndpointError):
    """``expired_token``: the device code expired; start a new device flow (RFC 8628 §3.5)."""

    code = "expired_token"


class InvalidTargetError(TokenEndpointError):
    """``invalid_target``: a ``resource`` indicator is invalid or not allowed (RFC 8707 §2)."""

    code = "invalid_target"


class InvalidDpopProofError(TokenEndpointError):
    """``invalid_dpop_proof``: the server rejected the DPoP proof (RFC 9449 §5)."""

    code = "invalid_dpop_proof"


class UseDpopNonceError(TokenEndpointError):
    """``use_dpop_nonce``: retry with the nonce from the ``DPoP-Nonce`` header (RFC 9449 §8)."""

    code = "use_dpop_nonce"


class InvalidAuthorizationDetailsError(TokenEndpointError):
    """``invalid_authorization_details``: rejected ``authorization_details`` (RFC 9396 §5)."""

    code = "invalid_authorization_details"


class UnsupportedTokenTypeError(TokenEndpointError):
    """``unsupported_token_type``: the server cannot revoke this token type (RFC 7009 §2.2.1)."""

    code = "unsupported_token_type"


_TOKEN_ERROR_CLASSES: dict[str, type[TokenEndpointError]] = {
    cls.code: cls
    for cls in (
        InvalidRequestError,
        InvalidClientError,
        InvalidGrantError,
        UnauthorizedClientError,
        UnsupportedGrantTypeError,
        InvalidScopeError,
        AuthorizationPendingError,
        SlowDownError,
        AccessDeniedError,
        ExpiredTokenError,
        InvalidTargetError,
        InvalidDpopProofError,
        UseDpopNonceError,
        InvalidAuthorizationDetailsError,
        UnsupportedTokenTypeError,
    )
    if cls.code is not None
}


def token_error_class(code: str) -> type[TokenEndpointError]:
    """Return the exception class for a token-endpoint ``error`` code (RFC 6749 §5.2).

    Registered codes are ASCII lower case; a server that upper-cases one still gets the
    specific class, while the exception keeps the code exactly as sent.

    Args:
        code: The ``error`` value of the response.

    Returns:
        The subclass registered for ``code``, or :class:`TokenEndpointError` for any other
        code, so that unknown extension codes are still caught as token-endpoint refusals.
    """
    if not isinstance(code, str):
        return TokenEndpointError
    return _TOKEN_ERROR_CLASSES.get(code.strip().lower(), TokenEndpointError)


class DeviceFlowExpiredError(OAuthError):
    """The client-side deadline of a device authorization flow passed (RFC 8628 §3.2, §3.5).

    Raised when ``expires_in`` of the device authorization response has run out while still
    polling, before (or instead of) the server answering ``expired_token``. Start a new flow.
    """


class TokenExpiredError(OAuthError):
    """The access token has expired and the client has no way to renew it.

    Raised before a protected request is sent, when there is neither a refresh token nor a
    client-credentials grant to fall back on. oauthlib has an exception of the same name.
    """
