"""oauthkit: an OAuth 1.0a and OAuth 2 client with a sans-I/O core.

This package is the core. It builds requests and parses responses as plain values and imports
nothing outside the standard library, so importing it never pulls in an HTTP client. The
drivers that perform I/O live in :mod:`oauthkit.requests` and :mod:`oauthkit.httpx`.
"""

from ._errors import AuthorizationError as AuthorizationError
from ._errors import CallbackError as CallbackError
from ._errors import InsecureTransportError as InsecureTransportError
from ._errors import IssuerMismatchError as IssuerMismatchError
from ._errors import MalformedResponseError as MalformedResponseError
from ._errors import MissingExtraError as MissingExtraError
from ._errors import MissingTokenError as MissingTokenError
from ._errors import MissingVerifierError as MissingVerifierError
from ._errors import OAuthError as OAuthError
from ._errors import ServerResponseError as ServerResponseError
from ._errors import SignatureMethodError as SignatureMethodError
from ._errors import StateMismatchError as StateMismatchError
from ._errors import TokenEndpointError as TokenEndpointError
from ._errors import TokenRequestDenied as TokenRequestDenied
from ._errors import UsageError as UsageError
from ._http import HttpRequest as HttpRequest
from ._http import HttpResponse as HttpResponse
from ._http import check_transport as check_transport
from ._http import is_loopback_host as is_loopback_host
from ._oauth1 import CONTENT_TYPE_FORM_URLENCODED as CONTENT_TYPE_FORM_URLENCODED
from ._oauth1 import SIGNATURE_TYPE_AUTH_HEADER as SIGNATURE_TYPE_AUTH_HEADER
from ._oauth1 import SIGNATURE_TYPE_BODY as SIGNATURE_TYPE_BODY
from ._oauth1 import SIGNATURE_TYPE_QUERY as SIGNATURE_TYPE_QUERY
from ._oauth1 import OAuth1Signer as OAuth1Signer
from ._oauth1_flow import authorization_url as authorization_url
from ._oauth1_flow import build_access_token_request as build_access_token_request
from ._oauth1_flow import build_token_request as build_token_request
from ._oauth1_flow import parse_authorization_response as parse_authorization_response
from ._oauth1_flow import parse_token_response as parse_token_response
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

__version__ = "0.1.0"

__all__ = [
    "CONTENT_TYPE_FORM_URLENCODED",
    "HMAC_SHA1",
    "HMAC_SHA256",
    "HMAC_SHA512",
    "PLAINTEXT",
    "RSA_SHA1",
    "RSA_SHA256",
    "RSA_SHA512",
    "SIGNATURE_TYPE_AUTH_HEADER",
    "SIGNATURE_TYPE_BODY",
    "SIGNATURE_TYPE_QUERY",
    "AuthorizationError",
    "CallbackError",
    "HttpRequest",
    "HttpResponse",
    "InsecureTransportError",
    "IssuerMismatchError",
    "MalformedResponseError",
    "MissingExtraError",
    "MissingTokenError",
    "MissingVerifierError",
    "OAuth1Signer",
    "OAuthError",
    "ServerResponseError",
    "SignatureMethodError",
    "SigningMaterial",
    "StateMismatchError",
    "TokenEndpointError",
    "TokenRequestDenied",
    "UsageError",
    "authorization_url",
    "build_access_token_request",
    "build_token_request",
    "check_transport",
    "is_loopback_host",
    "parse_authorization_response",
    "parse_token_response",
    "register_signature_method",
    "signature_base_string",
]
