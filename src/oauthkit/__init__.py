"""oauthkit: an OAuth 1.0a and OAuth 2 client with a sans-I/O core.

This package is the core. It builds requests and parses responses as plain values and imports
nothing outside the standard library, so importing it never pulls in an HTTP client. The
drivers that perform I/O live in :mod:`oauthkit.requests` and :mod:`oauthkit.httpx`.

OAuth 2 names are unprefixed (``build_token_request``, ``parse_token_response``); the OAuth
1.0a flow helpers carry ``oauth1`` in their names.
"""

from ._authorization import AuthorizationCallback as AuthorizationCallback
from ._authorization import FlowState as FlowState
from ._authorization import build_authorization_url as build_authorization_url
from ._authorization import parse_authorization_callback as parse_authorization_callback
from ._bearer import BearerChallenge as BearerChallenge
from ._bearer import Challenge as Challenge
from ._bearer import apply_bearer as apply_bearer
from ._bearer import bearer_error as bearer_error
from ._bearer import parse_www_authenticate as parse_www_authenticate
from ._client_assertion import ClientSecretJwt as ClientSecretJwt
from ._client_assertion import PrivateKeyJwt as PrivateKeyJwt
from ._client_auth import ClientAuth as ClientAuth
from ._client_auth import ClientSecretBasic as ClientSecretBasic
from ._client_auth import ClientSecretPost as ClientSecretPost
from ._client_auth import NoneAuth as NoneAuth
from ._client_auth import client_auth_for as client_auth_for
from ._client_auth import register_client_auth as register_client_auth
from ._device import DeviceAuthorization as DeviceAuthorization
from ._device import build_device_authorization_request as build_device_authorization_request
from ._device import parse_device_authorization_response as parse_device_authorization_response
from ._device import poll_device_token as poll_device_token
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
from ._grants import AuthorizationCodeGrant as AuthorizationCodeGrant
from ._grants import ClientCredentialsGrant as ClientCredentialsGrant
from ._grants import DeviceCodeGrant as DeviceCodeGrant
from ._grants import ExtensionGrant as ExtensionGrant
from ._grants import Grant as Grant
from ._grants import JwtBearerGrant as JwtBearerGrant
from ._grants import PasswordGrant as PasswordGrant
from ._grants import RefreshTokenGrant as RefreshTokenGrant
from ._grants import TokenExchangeGrant as TokenExchangeGrant
from ._grants import build_token_request as build_token_request
from ._http import HttpRequest as HttpRequest
from ._http import HttpResponse as HttpResponse
from ._http import check_transport as check_transport
from ._http import is_loopback_host as is_loopback_host
from ._oauth1 import CONTENT_TYPE_FORM_URLENCODED as CONTENT_TYPE_FORM_URLENCODED
from ._oauth1 import SIGNATURE_TYPE_AUTH_HEADER as SIGNATURE_TYPE_AUTH_HEADER
from ._oauth1 import SIGNATURE_TYPE_BODY as SIGNATURE_TYPE_BODY
from ._oauth1 import SIGNATURE_TYPE_QUERY as SIGNATURE_TYPE_QUERY
from ._oauth1 import OAuth1Signer as OAuth1Signer
from ._oauth1_flow import authorization_url as oauth1_authorization_url
from ._oauth1_flow import build_access_token_request as build_oauth1_access_token_request
from ._oauth1_flow import build_token_request as build_oauth1_token_request
from ._oauth1_flow import parse_authorization_response as parse_oauth1_callback
from ._oauth1_flow import parse_token_response as parse_oauth1_token_response
from ._oauth2_client import OAuth2Client as OAuth2Client
from ._oauth2_client import Renew as Renew
from ._oauth2_client import SendAuthorized as SendAuthorized
from ._oauth2_client import is_token_rejected as is_token_rejected
from ._pkce import PKCE_METHODS as PKCE_METHODS
from ._pkce import PkcePair as PkcePair
from ._pkce import code_challenge as code_challenge
from ._pkce import generate_code_verifier as generate_code_verifier
from ._signature import HMAC_SHA1 as HMAC_SHA1
from ._signature import HMAC_SHA256 as HMAC_SHA256
from ._signature import HMAC_SHA512 as HMAC_SHA512
from ._signature import PLAINTEXT as PLAINTEXT
from ._signature import RSA_SHA1 as RSA_SHA1
from ._signature import RSA_SHA256 as RSA_SHA256
from ._signature import RSA_SHA512 as RSA_SHA512
from ._signature import SigningMaterial as SigningMaterial
from ._signature import register_signature_method as register_signature_method
from ._signature import signature_base_string as signature_base_string
from ._steps import SendRequest as SendRequest
from ._steps import Sleep as Sleep
from ._steps import Step as Step
from ._token import Token as Token
from ._token_management import Introspection as Introspection
from ._token_management import build_introspection_request as build_introspection_request
from ._token_management import build_revocation_request as build_revocation_request
from ._token_management import parse_introspection_response as parse_introspection_response
from ._token_management import parse_revocation_response as parse_revocation_response
from ._token_response import parse_error_body as parse_error_body
from ._token_response import parse_token_response as parse_token_response

__version__ = "0.1.0"

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
