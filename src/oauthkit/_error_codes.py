"""One exception class per registered token-endpoint ``error`` code (RFC 6749 §5.2 and after).

Every class here is a :class:`~oauthkit.TokenEndpointError` (see the tree in
:mod:`oauthkit._errors`) named by its class attribute ``code``; :func:`token_error_class` picks
the class for a code, and unknown codes get :class:`~oauthkit.TokenEndpointError` itself, so
``except TokenEndpointError`` always catches every refusal.
"""

from __future__ import annotations

from ._errors import TokenEndpointError

__all__ = [
    "AccessDeniedError",
    "AuthorizationPendingError",
    "DeviceCodeExpiredError",
    "InvalidAuthorizationDetailsError",
    "InvalidClientError",
    "InvalidClientMetadataError",
    "InvalidDpopProofError",
    "InvalidGrantError",
    "InvalidRedirectUriError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidSoftwareStatementError",
    "InvalidTargetError",
    "SlowDownError",
    "UnapprovedSoftwareStatementError",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedTokenTypeError",
    "UseDpopNonceError",
    "token_error_class",
]


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


class DeviceCodeExpiredError(TokenEndpointError):
    """``expired_token``: the device code expired; start a new device flow (RFC 8628 §3.5).

    Formerly ``ExpiredTokenError``, a name too close to :class:`TokenExpiredError`.
    """

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


class InvalidRedirectUriError(TokenEndpointError):
    """``invalid_redirect_uri``: a registered redirect URI is refused (RFC 7591 §3.2.2)."""

    code = "invalid_redirect_uri"


class InvalidClientMetadataError(TokenEndpointError):
    """``invalid_client_metadata``: a client metadata value is refused (RFC 7591 §3.2.2)."""

    code = "invalid_client_metadata"


class InvalidSoftwareStatementError(TokenEndpointError):
    """``invalid_software_statement``: the software statement is invalid (RFC 7591 §3.2.2)."""

    code = "invalid_software_statement"


class UnapprovedSoftwareStatementError(TokenEndpointError):
    """``unapproved_software_statement``: the software statement is not approved for use
    with this server (RFC 7591 §3.2.2)."""

    code = "unapproved_software_statement"


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
        DeviceCodeExpiredError,
        InvalidTargetError,
        InvalidDpopProofError,
        UseDpopNonceError,
        InvalidAuthorizationDetailsError,
        UnsupportedTokenTypeError,
        InvalidRedirectUriError,
        InvalidClientMetadataError,
        InvalidSoftwareStatementError,
        UnapprovedSoftwareStatementError,
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
