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

# The one export table (public name -> the private module that defines it under that name)
# and the renamed names, in their own module to leave room here; the TYPE_CHECKING imports
# and __all__ below are checked against them by a test.
from ._exports_table import DEPRECATED as _DEPRECATED
from ._exports_table import EXPORTS as _EXPORTS

# Not typing.TYPE_CHECKING: importing typing alone would triple the cost of this module.
# Type checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._ciba_receiver import CibaPingReceiver as CibaPingReceiver
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
    from ._error_codes import InvalidClientMetadataError as InvalidClientMetadataError
    from ._error_codes import InvalidDpopProofError as InvalidDpopProofError
    from ._error_codes import InvalidGrantError as InvalidGrantError
    from ._error_codes import InvalidRedirectUriError as InvalidRedirectUriError
    from ._error_codes import InvalidRequestError as InvalidRequestError
    from ._error_codes import InvalidScopeError as InvalidScopeError
    from ._error_codes import InvalidSoftwareStatementError as InvalidSoftwareStatementError
    from ._error_codes import InvalidTargetError as InvalidTargetError
    from ._error_codes import SlowDownError as SlowDownError
    from ._error_codes import UnapprovedSoftwareStatementError as UnapprovedSoftwareStatementError
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
    from ._errors import JARMError as JARMError
    from ._errors import LockTimeoutError as LockTimeoutError
    from ._errors import LoginTimeoutError as LoginTimeoutError
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
    from ._oauth2._ciba import BackchannelAuthentication as BackchannelAuthentication
    from ._oauth2._ciba import CibaGrant as CibaGrant
    from ._oauth2._ciba import (
        build_backchannel_authentication_request as build_backchannel_authentication_request,
    )
    from ._oauth2._ciba import (
        parse_backchannel_authentication_response as parse_backchannel_authentication_response,
    )
    from ._oauth2._ciba_ping import PingNotificationError as PingNotificationError
    from ._oauth2._ciba_ping import new_client_notification_token as new_client_notification_token
    from ._oauth2._ciba_ping import parse_ping_notification as parse_ping_notification
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
    from ._oauth2._jar import RequestObjectSigner as RequestObjectSigner
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
    from ._oauth2._profile import FAPI2 as FAPI2
    from ._oauth2._profile import FAPI2_MESSAGE_SIGNING as FAPI2_MESSAGE_SIGNING
    from ._oauth2._profile import SecurityProfile as SecurityProfile
    from ._oauth2._registration import ClientRegistration as ClientRegistration
    from ._oauth2._registration import build_client_delete_request as build_client_delete_request
    from ._oauth2._registration import build_client_read_request as build_client_read_request
    from ._oauth2._registration import build_client_update_request as build_client_update_request
    from ._oauth2._registration import build_registration_request as build_registration_request
    from ._oauth2._registration import parse_client_delete_response as parse_client_delete_response
    from ._oauth2._registration import parse_registration_response as parse_registration_response
    from ._oauth2._revocation import build_revocation_request as build_revocation_request
    from ._oauth2._revocation import parse_revocation_response as parse_revocation_response
    from ._oauth2._token import Token as Token
    from ._oauth2._token_response import parse_error_body as parse_error_body
    from ._oauth2._token_response import parse_token_response as parse_token_response

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_TIMEOUT",
    "FAPI2",
    "FAPI2_MESSAGE_SIGNING",
    "NO_RETRY",
    "PKCE_METHODS",
    "AccessDeniedError",
    "AuthorizationCallback",
    "AuthorizationCodeGrant",
    "AuthorizationError",
    "AuthorizationPendingError",
    "BackchannelAuthentication",
    "BearerChallenge",
    "CallbackError",
    "Challenge",
    "CibaGrant",
    "CibaPingReceiver",
    "ClientAuth",
    "ClientCertificate",
    "ClientCredentialsGrant",
    "ClientRegistration",
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
    "InvalidClientMetadataError",
    "InvalidDpopProofError",
    "InvalidGrantError",
    "InvalidRedirectUriError",
    "InvalidRequestError",
    "InvalidScopeError",
    "InvalidSoftwareStatementError",
    "InvalidTargetError",
    "IssuerMismatchError",
    "JARMError",
    "JwtBearerGrant",
    "LockTimeoutError",
    "LoginTimeoutError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "NoneAuth",
    "OAuthError",
    "PasswordGrant",
    "PingNotificationError",
    "PkcePair",
    "PrivateKeyJwt",
    "Purpose",
    "RefreshTokenGrant",
    "RequestObjectSigner",
    "RequestPatch",
    "RetryPolicy",
    "SecurityProfile",
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
    "UnapprovedSoftwareStatementError",
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
    "build_backchannel_authentication_request",
    "build_bearer_patch",
    "build_bearer_request",
    "build_client_delete_request",
    "build_client_read_request",
    "build_client_update_request",
    "build_device_authorization_request",
    "build_dpop_proof",
    "build_introspection_request",
    "build_registration_request",
    "build_revocation_request",
    "build_token_request",
    "check_transport",
    "client_auth_for",
    "code_challenge",
    "generate_code_verifier",
    "is_loopback_host",
    "is_token_rejected",
    "metadata_url",
    "new_client_notification_token",
    "parse_authorization_callback",
    "parse_backchannel_authentication_response",
    "parse_client_delete_response",
    "parse_device_authorization_response",
    "parse_error_body",
    "parse_introspection_response",
    "parse_ping_notification",
    "parse_registration_response",
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
