"""oauthkit: an OAuth 1.0a and OAuth 2 client with a sans-I/O core.

This package is the core. It builds requests and parses responses as plain values and imports
nothing outside the standard library, so importing it never pulls in an HTTP client. The
drivers that perform I/O live in :mod:`oauthkit.requests` and :mod:`oauthkit.httpx`.

Names are loaded on first use (PEP 562), so ``import oauthkit`` costs almost nothing and
using OAuth 1.0a never loads the OAuth 2 modules, nor the reverse.

OAuth 2 names are unprefixed (``build_token_request``, ``parse_token_response``); the OAuth
1.0a flow helpers carry ``oauth1`` in their names.
"""

from __future__ import annotations

import importlib

# Not typing.TYPE_CHECKING: importing typing alone would triple the cost of this module.
# Type checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._core._http import HttpRequest as HttpRequest
    from ._core._http import HttpResponse as HttpResponse
    from ._core._http import check_transport as check_transport
    from ._core._http import is_loopback_host as is_loopback_host
    from ._core._steps import SendRequest as SendRequest
    from ._core._steps import Sleep as Sleep
    from ._core._steps import Step as Step
    from ._errors import AccessDeniedError as AccessDeniedError
    from ._errors import AuthorizationError as AuthorizationError
    from ._errors import AuthorizationPendingError as AuthorizationPendingError
    from ._errors import CallbackError as CallbackError
    from ._errors import DeviceFlowExpiredError as DeviceFlowExpiredError
    from ._errors import ExpiredTokenError as ExpiredTokenError
    from ._errors import InsecureTransportError as InsecureTransportError
    from ._errors import InvalidAuthorizationDetailsError as InvalidAuthorizationDetailsError
    from ._errors import InvalidClientError as InvalidClientError
    from ._errors import InvalidDpopProofError as InvalidDpopProofError
    from ._errors import InvalidGrantError as InvalidGrantError
    from ._errors import InvalidRequestError as InvalidRequestError
    from ._errors import InvalidScopeError as InvalidScopeError
    from ._errors import InvalidTargetError as InvalidTargetError
    from ._errors import IssuerMismatchError as IssuerMismatchError
    from ._errors import MalformedResponseError as MalformedResponseError
    from ._errors import MissingExtraError as MissingExtraError
    from ._errors import MissingTokenError as MissingTokenError
    from ._errors import MissingVerifierError as MissingVerifierError
    from ._errors import OAuthError as OAuthError
    from ._errors import ServerResponseError as ServerResponseError
    from ._errors import SignatureMethodError as SignatureMethodError
    from ._errors import SlowDownError as SlowDownError
    from ._errors import StateMismatchError as StateMismatchError
    from ._errors import TokenEndpointError as TokenEndpointError
    from ._errors import TokenExpiredError as TokenExpiredError
    from ._errors import TokenRequestDenied as TokenRequestDenied
    from ._errors import UnauthorizedClientError as UnauthorizedClientError
    from ._errors import UnsupportedGrantTypeError as UnsupportedGrantTypeError
    from ._errors import UnsupportedTokenTypeError as UnsupportedTokenTypeError
    from ._errors import UsageError as UsageError
    from ._errors import UseDpopNonceError as UseDpopNonceError
    from ._errors import token_error_class as token_error_class
    from ._oauth2._authorization import FlowState as FlowState
    from ._oauth2._authorization import build_authorization_url as build_authorization_url
    from ._oauth2._bearer import BearerChallenge as BearerChallenge
    from ._oauth2._bearer import Challenge as Challenge
    from ._oauth2._bearer import apply_bearer as apply_bearer
    from ._oauth2._bearer import bearer_error as bearer_error
    from ._oauth2._bearer import parse_www_authenticate as parse_www_authenticate
    from ._oauth2._callback import AuthorizationCallback as AuthorizationCallback
    from ._oauth2._callback import parse_authorization_callback as parse_authorization_callback
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
    from ._oauth2._device import poll_device_token as poll_device_token
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
    from ._oauth2._manager import OAuth2Client as OAuth2Client
    from ._oauth2._manager import Renew as Renew
    from ._oauth2._manager import SendAuthorized as SendAuthorized
    from ._oauth2._manager import is_token_rejected as is_token_rejected
    from ._oauth2._pkce import PKCE_METHODS as PKCE_METHODS
    from ._oauth2._pkce import PkcePair as PkcePair
    from ._oauth2._pkce import code_challenge as code_challenge
    from ._oauth2._pkce import generate_code_verifier as generate_code_verifier
    from ._oauth2._revocation import Introspection as Introspection
    from ._oauth2._revocation import build_introspection_request as build_introspection_request
    from ._oauth2._revocation import build_revocation_request as build_revocation_request
    from ._oauth2._revocation import parse_introspection_response as parse_introspection_response
    from ._oauth2._revocation import parse_revocation_response as parse_revocation_response
    from ._oauth2._token import Token as Token
    from ._oauth2._token_response import parse_error_body as parse_error_body
    from ._oauth2._token_response import parse_token_response as parse_token_response
    from .oauth1._flow import authorization_url as oauth1_authorization_url
    from .oauth1._flow import build_access_token_request as build_oauth1_access_token_request
    from .oauth1._flow import build_token_request as build_oauth1_token_request
    from .oauth1._flow import parse_authorization_response as parse_oauth1_callback
    from .oauth1._flow import parse_token_response as parse_oauth1_token_response
    from .oauth1._signature import HMAC_SHA1 as HMAC_SHA1
    from .oauth1._signature import HMAC_SHA256 as HMAC_SHA256
    from .oauth1._signature import HMAC_SHA512 as HMAC_SHA512
    from .oauth1._signature import PLAINTEXT as PLAINTEXT
    from .oauth1._signature import RSA_SHA1 as RSA_SHA1
    from .oauth1._signature import RSA_SHA256 as RSA_SHA256
    from .oauth1._signature import RSA_SHA512 as RSA_SHA512
    from .oauth1._signature import SigningMaterial as SigningMaterial
    from .oauth1._signature import register_signature_method as register_signature_method
    from .oauth1._signature import signature_base_string as signature_base_string
    from .oauth1._signer import CONTENT_TYPE_FORM_URLENCODED as CONTENT_TYPE_FORM_URLENCODED
    from .oauth1._signer import SIGNATURE_TYPE_AUTH_HEADER as SIGNATURE_TYPE_AUTH_HEADER
    from .oauth1._signer import SIGNATURE_TYPE_BODY as SIGNATURE_TYPE_BODY
    from .oauth1._signer import SIGNATURE_TYPE_QUERY as SIGNATURE_TYPE_QUERY
    from .oauth1._signer import OAuth1Signer as OAuth1Signer

__version__ = "0.1.0"

# public name -> (private module, name there)
_EXPORTS: dict[str, tuple[str, str]] = {
    "CONTENT_TYPE_FORM_URLENCODED": ("oauth1._signer", "CONTENT_TYPE_FORM_URLENCODED"),
    "HMAC_SHA1": ("oauth1._signature", "HMAC_SHA1"),
    "HMAC_SHA256": ("oauth1._signature", "HMAC_SHA256"),
    "HMAC_SHA512": ("oauth1._signature", "HMAC_SHA512"),
    "PKCE_METHODS": ("_oauth2._pkce", "PKCE_METHODS"),
    "PLAINTEXT": ("oauth1._signature", "PLAINTEXT"),
    "RSA_SHA1": ("oauth1._signature", "RSA_SHA1"),
    "RSA_SHA256": ("oauth1._signature", "RSA_SHA256"),
    "RSA_SHA512": ("oauth1._signature", "RSA_SHA512"),
    "SIGNATURE_TYPE_AUTH_HEADER": ("oauth1._signer", "SIGNATURE_TYPE_AUTH_HEADER"),
    "SIGNATURE_TYPE_BODY": ("oauth1._signer", "SIGNATURE_TYPE_BODY"),
    "SIGNATURE_TYPE_QUERY": ("oauth1._signer", "SIGNATURE_TYPE_QUERY"),
    "AccessDeniedError": ("_errors", "AccessDeniedError"),
    "AuthorizationCallback": ("_oauth2._callback", "AuthorizationCallback"),
    "AuthorizationCodeGrant": ("_oauth2._grants", "AuthorizationCodeGrant"),
    "AuthorizationError": ("_errors", "AuthorizationError"),
    "AuthorizationPendingError": ("_errors", "AuthorizationPendingError"),
    "BearerChallenge": ("_oauth2._bearer", "BearerChallenge"),
    "CallbackError": ("_errors", "CallbackError"),
    "Challenge": ("_oauth2._bearer", "Challenge"),
    "ClientAuth": ("_oauth2._client_auth", "ClientAuth"),
    "ClientCredentialsGrant": ("_oauth2._grants", "ClientCredentialsGrant"),
    "ClientSecretBasic": ("_oauth2._client_auth", "ClientSecretBasic"),
    "ClientSecretJwt": ("_oauth2._client_assertion", "ClientSecretJwt"),
    "ClientSecretPost": ("_oauth2._client_auth", "ClientSecretPost"),
    "DeviceAuthorization": ("_oauth2._device", "DeviceAuthorization"),
    "DeviceCodeGrant": ("_oauth2._grants", "DeviceCodeGrant"),
    "DeviceFlowExpiredError": ("_errors", "DeviceFlowExpiredError"),
    "ExpiredTokenError": ("_errors", "ExpiredTokenError"),
    "ExtensionGrant": ("_oauth2._grants", "ExtensionGrant"),
    "FlowState": ("_oauth2._authorization", "FlowState"),
    "Grant": ("_oauth2._grants", "Grant"),
    "HttpRequest": ("_core._http", "HttpRequest"),
    "HttpResponse": ("_core._http", "HttpResponse"),
    "InsecureTransportError": ("_errors", "InsecureTransportError"),
    "Introspection": ("_oauth2._revocation", "Introspection"),
    "InvalidAuthorizationDetailsError": ("_errors", "InvalidAuthorizationDetailsError"),
    "InvalidClientError": ("_errors", "InvalidClientError"),
    "InvalidDpopProofError": ("_errors", "InvalidDpopProofError"),
    "InvalidGrantError": ("_errors", "InvalidGrantError"),
    "InvalidRequestError": ("_errors", "InvalidRequestError"),
    "InvalidScopeError": ("_errors", "InvalidScopeError"),
    "InvalidTargetError": ("_errors", "InvalidTargetError"),
    "IssuerMismatchError": ("_errors", "IssuerMismatchError"),
    "JwtBearerGrant": ("_oauth2._grants", "JwtBearerGrant"),
    "MalformedResponseError": ("_errors", "MalformedResponseError"),
    "MissingExtraError": ("_errors", "MissingExtraError"),
    "MissingTokenError": ("_errors", "MissingTokenError"),
    "MissingVerifierError": ("_errors", "MissingVerifierError"),
    "NoneAuth": ("_oauth2._client_auth", "NoneAuth"),
    "OAuth1Signer": ("oauth1._signer", "OAuth1Signer"),
    "OAuth2Client": ("_oauth2._manager", "OAuth2Client"),
    "OAuthError": ("_errors", "OAuthError"),
    "PasswordGrant": ("_oauth2._grants", "PasswordGrant"),
    "PkcePair": ("_oauth2._pkce", "PkcePair"),
    "PrivateKeyJwt": ("_oauth2._client_assertion", "PrivateKeyJwt"),
    "RefreshTokenGrant": ("_oauth2._grants", "RefreshTokenGrant"),
    "Renew": ("_oauth2._manager", "Renew"),
    "SendAuthorized": ("_oauth2._manager", "SendAuthorized"),
    "SendRequest": ("_core._steps", "SendRequest"),
    "ServerResponseError": ("_errors", "ServerResponseError"),
    "SignatureMethodError": ("_errors", "SignatureMethodError"),
    "SigningMaterial": ("oauth1._signature", "SigningMaterial"),
    "Sleep": ("_core._steps", "Sleep"),
    "SlowDownError": ("_errors", "SlowDownError"),
    "StateMismatchError": ("_errors", "StateMismatchError"),
    "Step": ("_core._steps", "Step"),
    "Token": ("_oauth2._token", "Token"),
    "TokenEndpointError": ("_errors", "TokenEndpointError"),
    "TokenExchangeGrant": ("_oauth2._grants", "TokenExchangeGrant"),
    "TokenExpiredError": ("_errors", "TokenExpiredError"),
    "TokenRequestDenied": ("_errors", "TokenRequestDenied"),
    "UnauthorizedClientError": ("_errors", "UnauthorizedClientError"),
    "UnsupportedGrantTypeError": ("_errors", "UnsupportedGrantTypeError"),
    "UnsupportedTokenTypeError": ("_errors", "UnsupportedTokenTypeError"),
    "UsageError": ("_errors", "UsageError"),
    "UseDpopNonceError": ("_errors", "UseDpopNonceError"),
    "apply_bearer": ("_oauth2._bearer", "apply_bearer"),
    "bearer_error": ("_oauth2._bearer", "bearer_error"),
    "build_authorization_url": ("_oauth2._authorization", "build_authorization_url"),
    "build_device_authorization_request": ("_oauth2._device", "build_device_authorization_request"),
    "build_introspection_request": ("_oauth2._revocation", "build_introspection_request"),
    "build_oauth1_access_token_request": ("oauth1._flow", "build_access_token_request"),
    "build_oauth1_token_request": ("oauth1._flow", "build_token_request"),
    "build_revocation_request": ("_oauth2._revocation", "build_revocation_request"),
    "build_token_request": ("_oauth2._grants", "build_token_request"),
    "check_transport": ("_core._http", "check_transport"),
    "client_auth_for": ("_oauth2._client_auth", "client_auth_for"),
    "code_challenge": ("_oauth2._pkce", "code_challenge"),
    "generate_code_verifier": ("_oauth2._pkce", "generate_code_verifier"),
    "is_loopback_host": ("_core._http", "is_loopback_host"),
    "is_token_rejected": ("_oauth2._manager", "is_token_rejected"),
    "oauth1_authorization_url": ("oauth1._flow", "authorization_url"),
    "parse_authorization_callback": ("_oauth2._callback", "parse_authorization_callback"),
    "parse_device_authorization_response": (
        "_oauth2._device",
        "parse_device_authorization_response",
    ),
    "parse_error_body": ("_oauth2._token_response", "parse_error_body"),
    "parse_introspection_response": ("_oauth2._revocation", "parse_introspection_response"),
    "parse_oauth1_callback": ("oauth1._flow", "parse_authorization_response"),
    "parse_oauth1_token_response": ("oauth1._flow", "parse_token_response"),
    "parse_revocation_response": ("_oauth2._revocation", "parse_revocation_response"),
    "parse_token_response": ("_oauth2._token_response", "parse_token_response"),
    "parse_www_authenticate": ("_oauth2._bearer", "parse_www_authenticate"),
    "poll_device_token": ("_oauth2._device", "poll_device_token"),
    "register_client_auth": ("_oauth2._client_auth", "register_client_auth"),
    "register_signature_method": ("oauth1._signature", "register_signature_method"),
    "signature_base_string": ("oauth1._signature", "signature_base_string"),
    "token_error_class": ("_errors", "token_error_class"),
}

__all__ = [
    "CONTENT_TYPE_FORM_URLENCODED",
    "HMAC_SHA1",
    "HMAC_SHA256",
    "HMAC_SHA512",
    "PKCE_METHODS",
    "PLAINTEXT",
    "RSA_SHA1",
    "RSA_SHA256",
    "RSA_SHA512",
    "SIGNATURE_TYPE_AUTH_HEADER",
    "SIGNATURE_TYPE_BODY",
    "SIGNATURE_TYPE_QUERY",
    "AccessDeniedError",
    "AuthorizationCallback",
    "AuthorizationCodeGrant",
    "AuthorizationError",
    "AuthorizationPendingError",
    "BearerChallenge",
    "CallbackError",
    "Challenge",
    "ClientAuth",
    "ClientCredentialsGrant",
    "ClientSecretBasic",
    "ClientSecretJwt",
    "ClientSecretPost",
    "DeviceAuthorization",
    "DeviceCodeGrant",
    "DeviceFlowExpiredError",
    "ExpiredTokenError",
    "ExtensionGrant",
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
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "NoneAuth",
    "OAuth1Signer",
    "OAuth2Client",
    "OAuthError",
    "PasswordGrant",
    "PkcePair",
    "PrivateKeyJwt",
    "RefreshTokenGrant",
    "Renew",
    "SendAuthorized",
    "SendRequest",
    "ServerResponseError",
    "SignatureMethodError",
    "SigningMaterial",
    "Sleep",
    "SlowDownError",
    "StateMismatchError",
    "Step",
    "Token",
    "TokenEndpointError",
    "TokenExchangeGrant",
    "TokenExpiredError",
    "TokenRequestDenied",
    "UnauthorizedClientError",
    "UnsupportedGrantTypeError",
    "UnsupportedTokenTypeError",
    "UsageError",
    "UseDpopNonceError",
    "apply_bearer",
    "bearer_error",
    "build_authorization_url",
    "build_device_authorization_request",
    "build_introspection_request",
    "build_oauth1_access_token_request",
    "build_oauth1_token_request",
    "build_revocation_request",
    "build_token_request",
    "check_transport",
    "client_auth_for",
    "code_challenge",
    "generate_code_verifier",
    "is_loopback_host",
    "is_token_rejected",
    "oauth1_authorization_url",
    "parse_authorization_callback",
    "parse_device_authorization_response",
    "parse_error_body",
    "parse_introspection_response",
    "parse_oauth1_callback",
    "parse_oauth1_token_response",
    "parse_revocation_response",
    "parse_token_response",
    "parse_www_authenticate",
    "poll_device_token",
    "register_client_auth",
    "register_signature_method",
    "signature_base_string",
    "token_error_class",
]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'oauthkit' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), attr)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
