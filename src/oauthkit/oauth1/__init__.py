"""OAuth 1.0a (RFC 5849): request signing and the three-legged flow, sans I/O.

* :class:`OAuth1Signer` signs requests (§3): HMAC-SHA1/256/512, RSA-SHA1/256/512, PLAINTEXT,
  or any method given to :func:`register_signature_method`, in the header, the query or a form
  body.
* :func:`build_token_request`, :func:`build_authorization_url`,
  :func:`parse_authorization_callback`, :func:`build_access_token_request` and
  :func:`parse_token_response` are the three-legged flow's steps (§2);
  :class:`OAuth1FlowState` runs them as flows for the drivers.
* :func:`redirect_hop` is the one rule for redirects: signed again on the same origin,
  stripped of every credential elsewhere.

The drivers are :mod:`oauthkit.requests` (``OAuth1``, ``OAuth1Session``) and
:mod:`oauthkit.httpx` (``OAuth1Auth``, ``OAuth1Client``, ``AsyncOAuth1Client``). Names load on
first use; signing with HMAC loads no crypto library.
"""

from __future__ import annotations

from .._core._exports import lazy_exports

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from ._flow import build_access_token_request as build_access_token_request
    from ._flow import build_authorization_url as build_authorization_url
    from ._flow import build_token_request as build_token_request
    from ._flow import parse_authorization_callback as parse_authorization_callback
    from ._flow import parse_token_response as parse_token_response
    from ._redirects import redirect_hop as redirect_hop
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
    from ._signer import CONTENT_TYPE_FORM_URLENCODED as CONTENT_TYPE_FORM_URLENCODED
    from ._signer import SIGNATURE_TYPE_AUTH_HEADER as SIGNATURE_TYPE_AUTH_HEADER
    from ._signer import SIGNATURE_TYPE_BODY as SIGNATURE_TYPE_BODY
    from ._signer import SIGNATURE_TYPE_QUERY as SIGNATURE_TYPE_QUERY
    from ._signer import OAuth1Signer as OAuth1Signer
    from ._state import OAuth1FlowState as OAuth1FlowState

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "CONTENT_TYPE_FORM_URLENCODED": "._signer",
    "HMAC_SHA1": "._signature",
    "HMAC_SHA256": "._signature",
    "HMAC_SHA512": "._signature",
    "PLAINTEXT": "._signature",
    "RSA_SHA1": "._signature",
    "RSA_SHA256": "._signature",
    "RSA_SHA512": "._signature",
    "SIGNATURE_TYPE_AUTH_HEADER": "._signer",
    "SIGNATURE_TYPE_BODY": "._signer",
    "SIGNATURE_TYPE_QUERY": "._signer",
    "OAuth1FlowState": "._state",
    "OAuth1Signer": "._signer",
    "SigningMaterial": "._signature",
    "build_access_token_request": "._flow",
    "build_authorization_url": "._flow",
    "build_token_request": "._flow",
    "parse_authorization_callback": "._flow",
    "parse_token_response": "._flow",
    "redirect_hop": "._redirects",
    "register_signature_method": "._signature",
    "signature_base_string": "._signature",
}

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
    "OAuth1FlowState",
    "OAuth1Signer",
    "SigningMaterial",
    "build_access_token_request",
    "build_authorization_url",
    "build_token_request",
    "parse_authorization_callback",
    "parse_token_response",
    "redirect_hop",
    "register_signature_method",
    "signature_base_string",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {})
