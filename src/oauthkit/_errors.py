"""The exception tree of oauthkit.

Every error oauthkit raises on purpose derives from :class:`OAuthError`. The tree is split by who
is at fault, because that decides what a caller can do about it::

    OAuthError
    ├── UsageError                      the caller misused the API (fix the code)
    │   ├── InsecureTransportError      plain http to a non-loopback host
    │   ├── UnsafeUrlError              a URL whose host HTTP libraries read differently
    │   ├── MissingExtraError           an optional extra is not installed (also ImportError)
    │   └── SignatureMethodError        unknown method, wrong key, GET with body placement
    ├── CallbackError                   the redirect back to us is not acceptable
    │   ├── StateMismatchError          state / oauth_token does not match what we sent
    │   ├── IssuerMismatchError         RFC 9207 ``iss`` differs from the expected issuer
    │   ├── JARMError                   a JWT-secured authorization response failed a check
    │   │                               (``err.check``; JARMFormat/Signature/Issuer/Audience/
    │   │                               TimeError, in oauthkit.oidc; JARMIssuerError is also
    │   │                               an IssuerMismatchError)
    │   └── MissingVerifierError        OAuth 1.0a callback without ``oauth_verifier``
    │                                   (also ValueError, as requests-oauthlib's)
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
    │   │   ├── DeviceCodeExpiredError           expired_token                 RFC 8628 §3.5
    │   │   ├── InvalidTargetError               invalid_target                RFC 8707 §2
    │   │   ├── InvalidDpopProofError            invalid_dpop_proof            RFC 9449 §5
    │   │   ├── UseDpopNonceError                use_dpop_nonce                RFC 9449 §8
    │   │   ├── InvalidAuthorizationDetailsError invalid_authorization_details RFC 9396 §5
    │   │   ├── UnsupportedTokenTypeError        unsupported_token_type        RFC 7009 §2.2.1
    │   │   ├── InvalidRedirectUriError          invalid_redirect_uri          RFC 7591 §3.2.2
    │   │   ├── InvalidClientMetadataError       invalid_client_metadata       RFC 7591 §3.2.2
    │   │   ├── InvalidSoftwareStatementError    invalid_software_statement    RFC 7591 §3.2.2
    │   │   └── UnapprovedSoftwareStatementError unapproved_software_statement RFC 7591 §3.2.2
    │   ├── MalformedResponseError      HTML error pages, bad JSON, missing fields
    │   │   └── MissingTokenError       a 2xx body without the token it must carry
    │   └── UnexpectedRedirectError     a back-channel endpoint answered 3xx (never followed)
    ├── UnusableTokenError              the server issued a token that cannot be sent as its
    │                                   type requires (a space in a Bearer token, say)
    ├── DeviceFlowExpiredError          our own deadline for a device flow (RFC 8628) passed
    ├── LockTimeoutError                waited longer than the caller's timeout for a renewal
    │                                   in progress (also a TimeoutError)
    ├── LoginTimeoutError               a native-app login's user did not come back in time
    │                                   (also a TimeoutError)
    ├── StoreError                      a token store failed (names the store and the key)
    │   ├── StoreConflictError          a save found a newer version than the one loaded
    │   └── CorruptEntryError           a stored entry is not a token record oauthkit wrote
    └── TokenExpiredError               the access token expired and cannot be renewed

:mod:`oauthkit._error_codes` holds one class per registered ``error`` code, and its
``token_error_class`` maps an RFC 6749 §5.2 ``error`` code (or one registered by an extension)
to its class; unknown codes map to :class:`TokenEndpointError` itself, so ``except
TokenEndpointError`` always catches every refusal.

Transport exceptions (``requests.ConnectionError``, ``httpx.TransportError``) are deliberately
not wrapped: they are not OAuth problems, and callers already know how to handle them.

Errors that carry response bodies keep only a short excerpt, redacted by
:mod:`oauthkit._core._redact`, so that logging an exception never leaks a token.

``ExpiredTokenError`` is the old name of :class:`DeviceCodeExpiredError`; it read too much
like :class:`TokenExpiredError` (the access token), which means something else entirely.
"""

from __future__ import annotations

from ._core._redact import excerpt, scrub

# typing costs milliseconds at import; annotations are strings here, so it is type-time only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

__all__ = [
    "AuthorizationError",
    "CallbackError",
    "CorruptEntryError",
    "DeviceFlowExpiredError",
    "InsecureTransportError",
    "IssuerMismatchError",
    "JARMError",
    "LockTimeoutError",
    "LoginTimeoutError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "OAuthError",
    "ServerResponseError",
    "SignatureMethodError",
    "StateMismatchError",
    "StoreConflictError",
    "StoreError",
    "TokenEndpointError",
    "TokenExpiredError",
    "TokenRequestDenied",
    "UnexpectedRedirectError",
    "UnsafeUrlError",
    "UnusableTokenError",
    "UsageError",
]


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
        where = url.partition("?")[0].partition("#")[0]  # a query may carry the credential
        super().__init__(
            f"refusing to send OAuth credentials over plain http to {where!r}: use https, "
            "or allow it for this client with allow_insecure_transport= (loopback hosts "
            "are always allowed)"
        )


class UnsafeUrlError(UsageError):
    """A URL whose host HTTP libraries and URL parsers read differently.

    ``http://evil.example\\@127.0.0.1/`` is loopback to :func:`urllib.parse.urlsplit` and
    ``evil.example`` to urllib3; oauthkit refuses to guess which host it names.
    """


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


class JARMError(CallbackError):
    """A JWT-secured authorization response (JARM) failed a check; ``check`` names it.

    Its subclasses, one per family of checks, live with the validator
    (:mod:`oauthkit.oidc`). The message never holds the JWT (it carries the authorization
    code).
    """

    def __init__(self, message: str, check: str = "") -> None:
        super().__init__(message)
        self.check = check


class MissingVerifierError(CallbackError, ValueError):
    """An OAuth 1.0a callback, or an access-token request, lacks ``oauth_verifier``.

    Also a :class:`ValueError`, as requests-oauthlib's ``VerifierMissing`` is, so existing
    ``except`` clauses match.
    """


class AuthorizationError(OAuthError):
    """The authorization server refused the request in the front channel (RFC 6749 §4.1.2.1).

    The message shows ``error`` and ``description`` through the redacted excerpt of
    :mod:`oauthkit._core._redact`; the attributes keep them as sent.

    Attributes:
        error: The RFC 6749 error code, such as ``access_denied``.
        description: ``error_description``, if the server sent one.
        uri: ``error_uri``, if the server sent one.
    """

    def __init__(self, error: str, description: str | None = None, uri: str | None = None) -> None:
        self.error = error
        self.description = description
        self.uri = uri
        # Front-channel text is server text: the message shows it redacted and cut short.
        message = excerpt(error, 80)
        if description is not None:
            message += f": {excerpt(description)}"
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

    def __init__(self, message: str, status_code: int, body: object = b"") -> None:
        self.status_code = status_code
        self.body_excerpt = excerpt(body)
        detail = f" (HTTP {status_code}"
        detail += f": {self.body_excerpt!r})" if self.body_excerpt else ")"
        super().__init__(message + detail)

    def scrub(self, secrets: frozenset[str]) -> None:
        """Remove from the message and the excerpt every value in ``secrets``: the
        credentials of the request this answers, in case the server echoed them in a shape
        redaction does not recognise."""
        if secrets:
            self.body_excerpt = scrub(self.body_excerpt, secrets)
            self.args = tuple(scrub(a, secrets) if isinstance(a, str) else a for a in self.args)


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
        body: object = b"",
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


class UnexpectedRedirectError(ServerResponseError):
    """A back-channel endpoint answered with a redirect, which oauthkit never follows.

    Following it would re-send the request's credentials (the code, the client secret, a
    refresh token) to wherever the ``Location`` points, and adopt whatever comes back.

    Attributes:
        location_origin: ``scheme://host:port`` of the ``Location`` header, or ``None``.
    """

    def __init__(self, status_code: int, location_origin: str | None, what: str) -> None:
        self.location_origin = location_origin
        target = f" to {location_origin}" if location_origin else ""
        super().__init__(
            f"the {what} answered with a redirect{target}; back-channel requests never follow "
            "redirects (nothing was re-sent); configure the endpoint's final URL",
            status_code,
        )


class DeviceFlowExpiredError(OAuthError):
    """The client-side deadline of a device authorization flow passed (RFC 8628 §3.2, §3.5).

    Raised when ``expires_in`` of the device authorization response has run out while still
    polling, before (or instead of) the server answering ``expired_token``. Start a new flow.
    """


class UnusableTokenError(OAuthError):
    """The server issued a token that cannot be sent the way its type requires.

    An access token may hold any visible ASCII character (RFC 6749 Appendix A.12), but a Bearer
    credential is a ``b64token`` (RFC 6750 §2.1): a token with a space cannot go in an
    ``Authorization: Bearer`` header. The fault is the server's, not the caller's.
    """


class LockTimeoutError(OAuthError, TimeoutError):
    """The caller's timeout ran out while waiting for a renewal that another caller runs."""


class LoginTimeoutError(OAuthError, TimeoutError):
    """A native-app login (:func:`oauthkit.native.login`) ran out of time (RFC 8252 §7.3).

    The browser never brought the authorization response back to the loopback redirect URI,
    or the device flow was not approved, within the login's ``timeout``.
    """


class StoreError(OAuthError):
    """A token store could not load, save or lock a token.

    Attributes:
        store: The store's description (its kind and where it keeps tokens).
        key: The token's key in the store.
    """

    def __init__(self, message: str, *, store: str, key: str) -> None:
        self.store = store
        self.key = key
        super().__init__(f"{store}, key {key!r}: {message}")


class StoreConflictError(StoreError):
    """A save found a newer version than the one it was based on: another process saved first.

    The stored token is left as it is; load it again.
    """


class CorruptEntryError(StoreError):
    """A stored entry is not a token record oauthkit wrote (damaged, foreign, or of a newer
    schema). It is left untouched."""


class TokenExpiredError(OAuthError):
    """The access token has expired and the client has no way to renew it.

    Raised before a protected request is sent, when there is neither a refresh token nor a
    client-credentials grant to fall back on. oauthlib has an exception of the same name.
    """
