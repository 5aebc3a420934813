"""OpenID Connect for relying parties: discovery, keys, ID tokens, UserInfo, logout (sans I/O).

* :class:`Provider` is an issuer's metadata (OIDC Discovery 1.0, RFC 8414) and JWK Set, fetched
  once per process (:func:`shared_provider`), cached as ``Cache-Control`` allows, refetched once
  for an unknown ``kid`` and rate-limited after that; both can be given instead of fetched.
* :func:`validate_id_token` checks an ID token (OIDC Core §3.1.3.7) against
  :class:`IDTokenExpectations` and returns its :class:`IDTokenClaims`, or raises the
  :class:`IDTokenError` subclass naming the failed check.
* :func:`parse_userinfo` checks a UserInfo response (§5.3), JSON or signed.
* :func:`jwt_introspection_flow` asks for a JWT introspection response (RFC 9701) and checks it
  with the provider's keys (:func:`parse_jwt_introspection_response`).
* :func:`build_end_session_url` (RP-Initiated Logout 1.0) and :func:`validate_logout_token`
  (Back-Channel Logout 1.0, with a :class:`ReplayWindow` for ``jti``).
* :func:`validate_jarm_response` checks a JWT-secured authorization response (JARM §2.4:
  signature, ``iss``, ``aud``, ``exp``) against :class:`JARMExpectations` and returns its
  parameters, or raises the :class:`JARMError` subclass naming the failed check.
* :class:`RelyingParty` holds a client's settings and login state and runs these as flows;
  the sessions of :mod:`oauthkit.requests` and :mod:`oauthkit.httpx` use it when given
  ``issuer=``.

JOSE work is done by joserfc (the ``jose`` extra), loaded on first use.
"""

from __future__ import annotations

from .._core._exports import lazy_exports

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from .._errors import JARMError as JARMError
    from .._jose._keys import KeySet as KeySet
    from .._oauth2._jarm import JWT_RESPONSE_MODES as JWT_RESPONSE_MODES
    from .._oauth2._jarm import JARMAudienceError as JARMAudienceError
    from .._oauth2._jarm import JARMExpectations as JARMExpectations
    from .._oauth2._jarm import JARMFormatError as JARMFormatError
    from .._oauth2._jarm import JARMIssuerError as JARMIssuerError
    from .._oauth2._jarm import JARMSignatureError as JARMSignatureError
    from .._oauth2._jarm import JARMTimeError as JARMTimeError
    from .._oauth2._jarm import validate_jarm_response as validate_jarm_response
    from .._oauth2._jwt_introspection import (
        parse_jwt_introspection_response as parse_jwt_introspection_response,
    )
    from .._oauth2._metadata import OPENID as OPENID
    from .._oauth2._metadata import RFC8414 as RFC8414
    from ._claims import IDTokenClaims as IDTokenClaims
    from ._errors import IDTokenAcrError as IDTokenAcrError
    from ._errors import IDTokenAudienceError as IDTokenAudienceError
    from ._errors import IDTokenAuthTimeError as IDTokenAuthTimeError
    from ._errors import IDTokenError as IDTokenError
    from ._errors import IDTokenFormatError as IDTokenFormatError
    from ._errors import IDTokenHashError as IDTokenHashError
    from ._errors import IDTokenIssuerError as IDTokenIssuerError
    from ._errors import IDTokenNonceError as IDTokenNonceError
    from ._errors import IDTokenSignatureError as IDTokenSignatureError
    from ._errors import IDTokenSubjectError as IDTokenSubjectError
    from ._errors import IDTokenTimeError as IDTokenTimeError
    from ._errors import LogoutTokenError as LogoutTokenError
    from ._errors import UserinfoError as UserinfoError
    from ._errors import UserinfoSubjectError as UserinfoSubjectError
    from ._id_token import IDTokenExpectations as IDTokenExpectations
    from ._id_token import validate_id_token as validate_id_token
    from ._introspection import jwt_introspection_flow as jwt_introspection_flow
    from ._logout import BACKCHANNEL_LOGOUT_EVENT as BACKCHANNEL_LOGOUT_EVENT
    from ._logout import LogoutTokenClaims as LogoutTokenClaims
    from ._logout import ReplayWindow as ReplayWindow
    from ._logout import build_end_session_url as build_end_session_url
    from ._logout import validate_logout_token as validate_logout_token
    from ._provider import Provider as Provider
    from ._provider import import_jwks as import_jwks
    from ._provider import keys_flow as keys_flow
    from ._provider import metadata_flow as metadata_flow
    from ._provider import shared_provider as shared_provider
    from ._relying_party import PROMPTS as PROMPTS
    from ._relying_party import RelyingParty as RelyingParty
    from ._userinfo import parse_userinfo as parse_userinfo

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "OPENID": ".._oauth2._metadata",
    "RFC8414": ".._oauth2._metadata",
    "JWT_RESPONSE_MODES": ".._oauth2._jarm",
    "JARMAudienceError": ".._oauth2._jarm",
    "JARMError": ".._errors",
    "JARMExpectations": ".._oauth2._jarm",
    "JARMFormatError": ".._oauth2._jarm",
    "JARMIssuerError": ".._oauth2._jarm",
    "JARMSignatureError": ".._oauth2._jarm",
    "JARMTimeError": ".._oauth2._jarm",
    "validate_jarm_response": ".._oauth2._jarm",
    "BACKCHANNEL_LOGOUT_EVENT": "._logout",
    "PROMPTS": "._relying_party",
    "IDTokenAcrError": "._errors",
    "IDTokenAudienceError": "._errors",
    "IDTokenAuthTimeError": "._errors",
    "IDTokenClaims": "._claims",
    "IDTokenError": "._errors",
    "IDTokenExpectations": "._id_token",
    "IDTokenFormatError": "._errors",
    "IDTokenHashError": "._errors",
    "IDTokenIssuerError": "._errors",
    "IDTokenNonceError": "._errors",
    "IDTokenSignatureError": "._errors",
    "IDTokenSubjectError": "._errors",
    "IDTokenTimeError": "._errors",
    "KeySet": ".._jose._keys",
    "LogoutTokenClaims": "._logout",
    "LogoutTokenError": "._errors",
    "Provider": "._provider",
    "RelyingParty": "._relying_party",
    "ReplayWindow": "._logout",
    "UserinfoError": "._errors",
    "UserinfoSubjectError": "._errors",
    "build_end_session_url": "._logout",
    "import_jwks": "._provider",
    "jwt_introspection_flow": "._introspection",
    "keys_flow": "._provider",
    "metadata_flow": "._provider",
    "parse_jwt_introspection_response": ".._oauth2._jwt_introspection",
    "parse_userinfo": "._userinfo",
    "shared_provider": "._provider",
    "validate_id_token": "._id_token",
    "validate_logout_token": "._logout",
}

__all__ = [
    "BACKCHANNEL_LOGOUT_EVENT",
    "JWT_RESPONSE_MODES",
    "OPENID",
    "PROMPTS",
    "RFC8414",
    "IDTokenAcrError",
    "IDTokenAudienceError",
    "IDTokenAuthTimeError",
    "IDTokenClaims",
    "IDTokenError",
    "IDTokenExpectations",
    "IDTokenFormatError",
    "IDTokenHashError",
    "IDTokenIssuerError",
    "IDTokenNonceError",
    "IDTokenSignatureError",
    "IDTokenSubjectError",
    "IDTokenTimeError",
    "JARMAudienceError",
    "JARMError",
    "JARMExpectations",
    "JARMFormatError",
    "JARMIssuerError",
    "JARMSignatureError",
    "JARMTimeError",
    "KeySet",
    "LogoutTokenClaims",
    "LogoutTokenError",
    "Provider",
    "RelyingParty",
    "ReplayWindow",
    "UserinfoError",
    "UserinfoSubjectError",
    "build_end_session_url",
    "import_jwks",
    "jwt_introspection_flow",
    "keys_flow",
    "metadata_flow",
    "parse_jwt_introspection_response",
    "parse_userinfo",
    "shared_provider",
    "validate_id_token",
    "validate_jarm_response",
    "validate_logout_token",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {})
