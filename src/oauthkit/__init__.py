"""oauthkit: an OAuth 1.0a and OAuth 2 client with a sans-I/O core.

This package is the OAuth 2 core and the error tree. It builds requests and parses responses
as plain values, and hands out flows (generators of steps) that the drivers run; it imports
nothing outside the standard library, so importing it never pulls in an HTTP client. The
drivers that perform I/O live in :mod:`oauthkit.requests` and :mod:`oauthkit.httpx`; OAuth
1.0a lives in :mod:`oauthkit.oauth1`.

Names are loaded on first use (PEP 562), so ``import oauthkit`` costs almost nothing and
using OAuth 1.0a never loads the OAuth 2 modules, nor the reverse. Renamed names keep working
for the 0.x series with a :class:`DeprecationWarning` naming their new home.
"""

from __future__ import annotations

from ._core._exports import lazy_exports

# Not typing.TYPE_CHECKING: importing typing alone would triple the cost of this module.
# Type checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._core._exchange import DEFAULT_TIMEOUT as DEFAULT_TIMEOUT
    from ._core._exchange import NO_RETRY as NO_RETRY
    from ._core._exchange import RetryPolicy as RetryPolicy
    from ._core._http import HttpRequest as HttpRequest
    from ._core._http import HttpResponse as HttpResponse
    from ._core._patch import RequestPatch as RequestPatch
    from ._core._steps import Exclusive as Exclusive
    from ._core._steps import Flow as Flow
    from ._core._steps import Purpose as Purpose
    from ._core._steps import SendFailed as SendFailed
    from ._core._steps import SendProtected as SendProtected
    from ._core._steps import SendRequest as SendRequest
    from ._core._steps import Sleep as Sleep
    from ._core._steps import Step as Step
    from ._core._steps import TokenIssued as TokenIssued
    from ._core._transport import check_transport as check_transport
    from ._core._transport import is_loopback_host as is_loopback_host
    from ._error_codes import AccessDeniedError as AccessDeniedError
    from ._error_codes import AuthorizationPendingError as AuthorizationPendingError
    from ._error_codes import DeviceCodeExpiredError as DeviceCodeExpiredError
    from ._error_codes import InvalidAuthorizationDetailsError as InvalidAuthorizationDetailsError
    from ._error_codes import InvalidClientError as InvalidClientError
    from ._error_codes import InvalidDpopProofError as InvalidDpopProofError
    from ._error_codes import InvalidGrantError as InvalidGrantError
    from ._error_codes import InvalidRequestError as InvalidRequestError
    from ._error_codes import InvalidScopeError as InvalidScopeError
    from ._error_codes import InvalidTargetError as InvalidTargetError
    from ._error_codes import SlowDownError as SlowDownError
    from ._error_codes import UnauthorizedClientError as UnauthorizedClientError
    from ._error_codes import UnsupportedGrantTypeError as UnsupportedGrantTypeError
    from ._error_codes import UnsupportedTokenTypeError as UnsupportedTokenTypeError
    from ._error_codes import UseDpopNonceError as UseDpopNonceError
    from ._error_codes import token_error_class as token_error_class
    from ._errors import AuthorizationError as AuthorizationError
    from ._errors import CallbackError as CallbackError
    from ._errors import CorruptEntryError as CorruptEntryError
    from ._errors import DeviceFlowExpiredError as DeviceFlowExpiredError
    from ._errors import InsecureTransportError as InsecureTransportError
    from ._errors import IssuerMismatchError as IssuerMismatchError
    from ._errors import LockTimeoutError as LockTimeoutError
    from ._errors import MalformedResponseError as MalformedResponseError
    from ._errors import MissingExtraError as MissingExtraError
    from ._errors import MissingTokenError as MissingTokenError
    from ._errors import MissingVerifierError as MissingVerifierError
    from ._errors import OAuthError as OAuthError
    from ._errors import ServerResponseError as ServerResponseError
    from ._errors import SignatureMethodError as SignatureMethodError
    from ._errors import StateMismatchError as StateMismatchError
    from ._errors import StoreConflictError as StoreConflictError
    from ._errors import StoreError as StoreError
    from ._errors import TokenEndpointError as TokenEndpointError
    from ._errors import TokenExpiredError as TokenExpiredError
    from ._errors import TokenRequestDenied as TokenRequestDenied
    from ._errors import UnexpectedRedirectError as UnexpectedRedirectError
    from ._errors import UnsafeUrlError as UnsafeUrlError
    from ._errors import UnusableTokenError as UnusableTokenError
    from ._errors import UsageError as UsageError
    from ._oauth2._authorization import FlowState as FlowState
    from ._oauth2._authorization import build_authorization_url as build_authorization_url
    from ._oauth2._bearer import build_bearer_patch as build_bearer_patch
    from ._oauth2._bearer import build_bearer_request as build_bearer_request
    from ._oauth2._callback import AuthorizationCallback as AuthorizationCallback
    from ._oauth2._callback import UncheckedStateWarning as UncheckedStateWarning
    from ._oauth2._callback import parse_authorization_callback as parse_authorization_callback
    from ._oauth2._challenges import BearerChallenge as BearerChallenge
    from ._oauth2._challenges import Challenge as Challenge
    from ._oauth2._challenges import bearer_error as bearer_error
    from ._oauth2._challenges import is_token_rejected as is_token_rejected
    from ._oauth2._challenges import parse_www_authenticate as parse_www_authenticate
    from ._oauth2._client_assertion import ClientSecretJwt as ClientSecretJwt
    from ._oauth2._client_assertion import PrivateKeyJwt as PrivateKeyJwt
    from ._oauth2._client_auth import ClientAuth as ClientAuth
    from ._oauth2._client_auth import ClientSecretBasic as ClientSecretBasic
    from ._oauth2._client_auth import ClientSecretPost as ClientSecretPost
    from ._oauth2._client_auth import NoneAuth as NoneAuth
    from ._oauth2._client_auth import client_auth_for as client_auth_for
    from ._oauth2._client_auth import register_client_auth as register_client_auth
    from ._oauth2._device import DeviceAuthorization as DeviceAuthorization
    from ._oauth2._device import (
        build_device_authorization_request as build_device_authorization_request,
    )
    from ._oauth2._device import (
        parse_device_authorization_response as parse_device_authorization_response,
    )
    from ._oauth2._dpop import DPoPKey as DPoPKey
    from ._oauth2._dpop import build_dpop_proof as build_dpop_proof
    from ._oauth2._dpop_nonces import DPoPNonces as DPoPNonces
    from ._oauth2._grants import AuthorizationCodeGrant as AuthorizationCodeGrant
    from ._oauth2._grants import ClientCredentialsGrant as ClientCredentialsGrant
    from ._oauth2._grants import DeviceCodeGrant as DeviceCodeGrant
    from ._oauth2._grants import ExtensionGrant as ExtensionGrant
    from ._oauth2._grants import Grant as Grant
    from ._oauth2._grants import JwtBearerGrant as JwtBearerGrant
    from ._oauth2._grants import PasswordGrant as PasswordGrant
    from ._oauth2._grants import RefreshTokenGrant as RefreshTokenGrant
    from ._oauth2._grants import TokenExchangeGrant as TokenExchangeGrant
    from ._oauth2._grants import build_token_request as build_token_request
    from ._oauth2._introspection import Introspection as Introspection
    from ._oauth2._introspection import build_introspection_request as build_introspection_request
    from ._oauth2._introspection import parse_introspection_response as parse_introspection_response
    from ._oauth2._manager import TokenManager as TokenManager
    from ._oauth2._metadata import ServerMetadata as ServerMetadata
    from ._oauth2._metadata import metadata_url as metadata_url
    from ._oauth2._metadata import parse_server_metadata as parse_server_metadata
    from ._oauth2._mtls import ClientCertificate as ClientCertificate
    from ._oauth2._pkce import PKCE_METHODS as PKCE_METHODS
    from ._oauth2._pkce import PkcePair as PkcePair
    from ._oauth2._pkce import code_challenge as code_challenge
    from ._oauth2._pkce import generate_code_verifier as generate_code_verifier
    from ._oauth2._polling import poll_device_token as poll_device_token
    from ._oauth2._revocation import build_revocation_request as build_revocation_request
    from ._oauth2._revocation import parse_revocation_response as parse_revocation_response
    from ._oauth2._token import Token as Token
    from ._oauth2._token_response import parse_error_body as parse_error_body
    from ._oauth2._token_response import parse_token_response as parse_token_response

__version__ = "0.1.0"

# The one export table: public name -> the private module that defines it under that name.
# The TYPE_CHECKING imports above and __all__ below are checked against it by a test.
_EXPORTS = {
    "DEFAULT_TIMEOUT": "._core._exchange",
    "NO_RETRY": "._core._exchange",
    "PKCE_METHODS": "._oauth2._pkce",
    "AccessDeniedError": "._error_codes",
    "AuthorizationCallback": "._oauth2._callback",
    "AuthorizationCodeGrant": "._oauth2._grants",
    "AuthorizationError": "._errors",
    "AuthorizationPendingError": "._error_codes",
    "BearerChallenge": "._oauth2._challenges",
    "CallbackError": "._errors",
    "CorruptEntryError": "._errors",
    "Challenge": "._oauth2._challenges",
    "ClientAuth": "._oauth2._client_auth",
    "ClientCertificate": "._oauth2._mtls",
    "ClientCredentialsGrant": "._oauth2._grants",
    "ClientSecretBasic": "._oauth2._client_auth",
    "ClientSecretJwt": "._oauth2._client_assertion",
    "ClientSecretPost": "._oauth2._client_auth",
    "DeviceAuthorization": "._oauth2._device",
    "DeviceCodeExpiredError": "._error_codes",
    "DeviceCodeGrant": "._oauth2._grants",
    "DeviceFlowExpiredError": "._errors",
    "Exclusive": "._core._steps",
    "ExtensionGrant": "._oauth2._grants",
    "Flow": "._core._steps",
    "FlowState": "._oauth2._authorization",
    "Grant": "._oauth2._grants",
    "HttpRequest": "._core._http",
    "HttpResponse": "._core._http",
    "InsecureTransportError": "._errors",
    "Introspection": "._oauth2._introspection",
    "InvalidAuthorizationDetailsError": "._error_codes",
    "InvalidClientError": "._error_codes",
    "InvalidDpopProofError": "._error_codes",
    "InvalidGrantError": "._error_codes",
    "InvalidRequestError": "._error_codes",
    "InvalidScopeError": "._error_codes",
    "InvalidTargetError": "._error_codes",
    "IssuerMismatchError": "._errors",
    "JwtBearerGrant": "._oauth2._grants",
    "LockTimeoutError": "._errors",
    "MalformedResponseError": "._errors",
    "MissingExtraError": "._errors",
    "MissingTokenError": "._errors",
    "MissingVerifierError": "._errors",
    "NoneAuth": "._oauth2._client_auth",
    "OAuthError": "._errors",
    "PasswordGrant": "._oauth2._grants",
    "PkcePair": "._oauth2._pkce",
    "PrivateKeyJwt": "._oauth2._client_assertion",
    "DPoPKey": "._oauth2._dpop",
    "DPoPNonces": "._oauth2._dpop_nonces",
    "build_dpop_proof": "._oauth2._dpop",
    "Purpose": "._core._steps",
    "RefreshTokenGrant": "._oauth2._grants",
    "RequestPatch": "._core._patch",
    "RetryPolicy": "._core._exchange",
    "ServerMetadata": "._oauth2._metadata",
    "SendFailed": "._core._steps",
    "SendProtected": "._core._steps",
    "SendRequest": "._core._steps",
    "ServerResponseError": "._errors",
    "SignatureMethodError": "._errors",
    "Sleep": "._core._steps",
    "SlowDownError": "._error_codes",
    "StateMismatchError": "._errors",
    "Step": "._core._steps",
    "Token": "._oauth2._token",
    "TokenEndpointError": "._errors",
    "TokenExchangeGrant": "._oauth2._grants",
    "TokenExpiredError": "._errors",
    "TokenIssued": "._core._steps",
    "TokenManager": "._oauth2._manager",
    "StoreConflictError": "._errors",
    "StoreError": "._errors",
    "TokenRequestDenied": "._errors",
    "UnauthorizedClientError": "._error_codes",
    "UncheckedStateWarning": "._oauth2._callback",
    "UnexpectedRedirectError": "._errors",
    "UnsafeUrlError": "._errors",
    "UnsupportedGrantTypeError": "._error_codes",
    "UnsupportedTokenTypeError": "._error_codes",
    "UnusableTokenError": "._errors",
    "UsageError": "._errors",
    "UseDpopNonceError": "._error_codes",
    "bearer_error": "._oauth2._challenges",
    "build_authorization_url": "._oauth2._authorization",
    "build_bearer_patch": "._oauth2._bearer",
    "build_bearer_request": "._oauth2._bearer",
    "build_device_authorization_request": "._oauth2._device",
    "build_introspection_request": "._oauth2._introspection",
    "build_revocation_request": "._oauth2._revocation",
    "build_token_request": "._oauth2._grants",
    "check_transport": "._core._transport",
    "client_auth_for": "._oauth2._client_auth",
    "code_challenge": "._oauth2._pkce",
    "generate_code_verifier": "._oauth2._pkce",
    "is_loopback_host": "._core._transport",
    "is_token_rejected": "._oauth2._challenges",
    "metadata_url": "._oauth2._metadata",
    "parse_authorization_callback": "._oauth2._callback",
    "parse_device_authorization_response": "._oauth2._device",
    "parse_error_body": "._oauth2._token_response",
    "parse_introspection_response": "._oauth2._introspection",
    "parse_revocation_response": "._oauth2._revocation",
    "parse_server_metadata": "._oauth2._metadata",
    "parse_token_response": "._oauth2._token_response",
    "parse_www_authenticate": "._oauth2._challenges",
    "poll_device_token": "._oauth2._polling",
    "register_client_auth": "._oauth2._client_auth",
    "token_error_class": "._error_codes",
}

# Renamed names: old name -> the new name's public path (kept for the 0.x series).
_DEPRECATED = {
    "CONTENT_TYPE_FORM_URLENCODED": "oauthkit.oauth1.CONTENT_TYPE_FORM_URLENCODED",
    "ExpiredTokenError": "oauthkit.DeviceCodeExpiredError",
    "HMAC_SHA1": "oauthkit.oauth1.HMAC_SHA1",
    "HMAC_SHA256": "oauthkit.oauth1.HMAC_SHA256",
    "HMAC_SHA512": "oauthkit.oauth1.HMAC_SHA512",
    "OAuth1Signer": "oauthkit.oauth1.OAuth1Signer",
    "OAuth2Client": "oauthkit.TokenManager",
    "PLAINTEXT": "oauthkit.oauth1.PLAINTEXT",
    "RSA_SHA1": "oauthkit.oauth1.RSA_SHA1",
    "RSA_SHA256": "oauthkit.oauth1.RSA_SHA256",
    "RSA_SHA512": "oauthkit.oauth1.RSA_SHA512",
    "SIGNATURE_TYPE_AUTH_HEADER": "oauthkit.oauth1.SIGNATURE_TYPE_AUTH_HEADER",
    "SIGNATURE_TYPE_BODY": "oauthkit.oauth1.SIGNATURE_TYPE_BODY",
    "SIGNATURE_TYPE_QUERY": "oauthkit.oauth1.SIGNATURE_TYPE_QUERY",
    "SigningMaterial": "oauthkit.oauth1.SigningMaterial",
    "apply_bearer": "oauthkit.build_bearer_request",
    "build_oauth1_access_token_request": "oauthkit.oauth1.build_access_token_request",
    "build_oauth1_token_request": "oauthkit.oauth1.build_token_request",
    "oauth1_authorization_url": "oauthkit.oauth1.build_authorization_url",
    "parse_oauth1_callback": "oauthkit.oauth1.parse_authorization_callback",
    "parse_oauth1_token_response": "oauthkit.oauth1.parse_token_response",
    "register_signature_method": "oauthkit.oauth1.register_signature_method",
    "signature_base_string": "oauthkit.oauth1.signature_base_string",
}

__all__ = [
    "DEFAULT_TIMEOUT",
    "NO_RETRY",
    "PKCE_METHODS",
    "AccessDeniedError",
    "AuthorizationCallback",
    "AuthorizationCodeGrant",
    "AuthorizationError",
    "AuthorizationPendingError",
    "BearerChallenge",
    "CallbackError",
    "Challenge",
    "ClientAuth",
    "ClientCertificate",
    "ClientCredentialsGrant",
    "ClientSecretBasic",
    "ClientSecretJwt",
    "ClientSecretPost",
    "CorruptEntryError",
    "DPoPKey",
    "DPoPNonces",
    "DeviceAuthorization",
    "DeviceCodeExpiredError",
    "DeviceCodeGrant",
    "DeviceFlowExpiredError",
    "Exclusive",
    "ExtensionGrant",
    "Flow",
    "FlowState",
    "Grant",
    "HttpRequest",
    "HttpResponse",
    "InsecureTransportError",
    "Introspection",
    "InvalidAuthorizationDetailsError",
    "InvalidClientError",
    "InvalidDpopProofError",
    "InvalidGrantError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidTargetError",
    "IssuerMismatchError",
    "JwtBearerGrant",
    "LockTimeoutError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "NoneAuth",
    "OAuthError",
    "PasswordGrant",
    "PkcePair",
    "PrivateKeyJwt",
    "Purpose",
    "RefreshTokenGrant",
    "RequestPatch",
    "RetryPolicy",
    "SendFailed",
    "SendProtected",
    "SendRequest",
    "ServerMetadata",
    "ServerResponseError",
    "SignatureMethodError",
    "Sleep",
    "SlowDownError",
    "StateMismatchError",
    "Step",
    "StoreConflictError",
    "StoreError",
    "Token",
    "TokenEndpointError",
    "TokenExchangeGrant",
    "TokenExpiredError",
    "TokenIssued",
    "TokenManager",
    "TokenRequestDenied",
    "UnauthorizedClientError",
    "UncheckedStateWarning",
    "UnexpectedRedirectError",
    "UnsafeUrlError",
    "UnsupportedGrantTypeError",
    "UnsupportedTokenTypeError",
    "UnusableTokenError",
    "UsageError",
    "UseDpopNonceError",
    "bearer_error",
    "build_authorization_url",
    "build_bearer_patch",
    "build_bearer_request",
    "build_device_authorization_request",
    "build_dpop_proof",
    "build_introspection_request",
    "build_revocation_request",
    "build_token_request",
    "check_transport",
    "client_auth_for",
    "code_challenge",
    "generate_code_verifier",
    "is_loopback_host",
    "is_token_rejected",
    "metadata_url",
    "parse_authorization_callback",
    "parse_device_authorization_response",
    "parse_error_body",
    "parse_introspection_response",
    "parse_revocation_response",
    "parse_server_metadata",
    "parse_token_response",
    "parse_www_authenticate",
    "poll_device_token",
    "register_client_auth",
    "token_error_class",
]

__getattr__, __dir__ = lazy_exports(
    __name__, globals(), _EXPORTS, _DEPRECATED, submodules=frozenset({"oauth1"})
)
