"""The dev provider's OpenID Connect endpoints, on oauthlib's ``oauthlib.openid`` server side.

The authorization code flow itself is the OAuth 2 one (:mod:`~oauthkit.devserver._oauth2`):
with ``openid`` in its scope, the token response carries an ID token (OpenID Connect Core
§3.1.3.3). The routes here serve what a relying party needs around it:

* ``GET /.well-known/openid-configuration``: OpenID Connect Discovery 1.0 §4, the same document
  as the RFC 8414 metadata (issuer = the provider's base URL, exactly as a client reaches it),
  with ``Cache-Control: public, max-age=300``.
* ``GET /oidc/jwks``: the JWK Set (RFC 7517 §5) of the ID token signing keys, every key ever
  used by this provider, newest first, with ``kid``, ``use=sig`` and ``alg=RS256``; cacheable
  like the discovery document.
* ``GET|POST /oidc/userinfo``: Core §5.3, with a Bearer access token (RFC 6750 §2) whose scope
  includes ``openid``; answers ``sub`` and the claims of the ``profile`` and ``email`` scopes
  (§5.4), or an RFC 6750 §3 challenge: 401 ``invalid_token``, 403 ``insufficient_scope``.
* ``GET|POST /oidc/logout``: the ``end_session_endpoint`` of OpenID Connect RP-Initiated
  Logout 1.0 §2, without asking the user to confirm (there is none). See
  :meth:`OIDCEndpoints.logout`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauthlib.common import Request, add_params_to_uri
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors
from oauthlib.openid import UserInfoEndpoint

from .._core._http import HttpRequest, HttpResponse
from ._oauth2 import OAuth2Endpoints
from ._oauth2_http import bearer_refusal, invalid_request, is_form, oauthlib_args
from ._oauth2_store import OAuth2Store
from ._oauth2_validator import redirect_uri_matches
from ._oidc_metadata import DISCOVERY_PATH, DOCUMENT_MAX_AGE, JWKS_PATH, LOGOUT_PATH, USERINFO_PATH
from ._server import Router, json_response

__all__ = ["OIDCEndpoints"]

_OPENID = ["openid"]


class OIDCEndpoints:
    """The OpenID Connect half of the dev provider.

    Args:
        oauth2: The OAuth 2 endpoints, whose validator issues the ID tokens and whose metadata
            is the discovery document.
        store: Clients, sessions and tokens.
        issuer: Returns the issuer identifier once the provider is running.
    """

    def __init__(
        self, oauth2: OAuth2Endpoints, store: OAuth2Store, issuer: Callable[[], str]
    ) -> None:
        self._oauth2 = oauth2
        self._validator = oauth2.validator
        self._store = store
        self._issuer = issuer
        self._userinfo = UserInfoEndpoint(self._validator)

    def mount(self, router: Router) -> None:
        """Add the discovery document and the ``/oidc/...`` routes to ``router``."""
        router.add(DISCOVERY_PATH, self._oauth2.metadata, ("GET",))
        router.add(JWKS_PATH, self.jwks, ("GET",))
        router.add(USERINFO_PATH, self.userinfo, ("GET", "POST"))
        router.add(LOGOUT_PATH, self.logout, ("GET", "POST"))

    def jwks(self, request: HttpRequest) -> HttpResponse:
        """The public signing keys (Core §10.1.1: rotated keys stay published)."""
        cacheable = {"Cache-Control": f"public, max-age={DOCUMENT_MAX_AGE}"}
        return json_response(200, self._validator.keys.jwks(), cacheable)

    # -- Core §5.3 --------------------------------------------------------------------------

    def userinfo(self, request: HttpRequest) -> HttpResponse:
        """Claims about the user an access token was issued for (Core §5.3.1, §5.3.2)."""
        try:
            oreq = Request(*_oauthlib_request(request))
        except (ValueError, UnicodeDecodeError):
            return invalid_request("malformed query or form body")
        # oauthlib's check, run on a request of our own: create_userinfo_response would keep
        # the validator's reason for a refusal to itself, and RFC 6750 §3 wants it said.
        oreq.scopes = list(_OPENID)
        try:
            self._userinfo.validate_userinfo_request(oreq)
        except oauth2_errors.OAuth2Error:
            return bearer_refusal(oreq.validator_log.get("bearer", "missing"), _OPENID)
        claims = self._validator.get_userinfo_claims(oreq)
        if claims is None:
            return bearer_refusal("no_user", _OPENID)
        return json_response(200, claims)

    # -- RP-Initiated Logout 1.0 §2, §3 -----------------------------------------------------

    def logout(self, request: HttpRequest) -> HttpResponse:
        """End the user's session, then return them to the relying party if it asked.

        Parameters (§2) come in the query of a GET or the form of a POST:
        ``id_token_hint`` must be an ID token this provider signed (with any of its keys,
        expired or not), and names the user; ``logout_hint`` may name them instead;
        ``client_id`` must be an audience of the hint; ``post_logout_redirect_uri`` must be
        registered for that client (by ``client_id`` or the hint's ``aud``), and gets
        ``state`` back (§3). Anything else is refused with 400 ``invalid_request`` and no
        redirect, so the endpoint redirects nowhere it was not told to.

        The user's session ends, and every code and token issued to them is forgotten, for
        every client: the dev provider has one session per user, as one browser would.
        Answers 302 to the post-logout URI, or 200 with ``{"signed_out": user}``.
        """
        try:
            pairs = parse_qsl(_oauthlib_request(request)[2] or urlsplit(request.url).query)
        except (ValueError, UnicodeDecodeError):
            return invalid_request("malformed query or form body")
        params = dict(pairs)
        if len(params) != len(pairs):
            return invalid_request("a parameter was sent more than once")
        hint = self._verified_hint(params.get("id_token_hint"))
        if isinstance(hint, HttpResponse):
            return hint
        audience = _audience(hint)
        client_id = params.get("client_id") or (audience[0] if len(audience) == 1 else None)
        if hint is not None and client_id is not None and client_id not in audience:
            return invalid_request("client_id is not an audience of id_token_hint")
        user = hint["sub"] if hint is not None else params.get("logout_hint")
        if hint is not None and params.get("logout_hint", user) != user:
            return invalid_request("logout_hint names another user than id_token_hint")
        target = params.get("post_logout_redirect_uri")
        if target is not None:
            refusal = self._check_target(client_id, target)
            if refusal is not None:
                return refusal
        if user:
            self._store.sign_out(user)
        if target is None:
            return json_response(200, {"signed_out": user or None})
        state = params.get("state")
        location = add_params_to_uri(target, [("state", state)]) if state else target
        return HttpResponse(302, {"Location": location, "Cache-Control": "no-store"}, b"")

    def _verified_hint(self, token: str | None) -> dict[str, Any] | HttpResponse | None:
        if token is None:
            return None
        claims = self._validator.verify_id_token(token)
        if claims is None:
            return invalid_request(
                "id_token_hint is not an ID token this provider issued (its signature, alg, "
                "kid or iss does not match)"
            )
        return claims

    def _check_target(self, client_id: str | None, target: str) -> HttpResponse | None:
        if client_id is None:
            return invalid_request(
                "post_logout_redirect_uri needs client_id or id_token_hint to say whose it is"
            )
        client = self._store.client(client_id)
        if client is None:
            return invalid_request("no client is registered under client_id")
        if not any(redirect_uri_matches(uri, target) for uri in client.post_logout_redirect_uris):
            return invalid_request("post_logout_redirect_uri is not registered for this client")
        return None


def _oauthlib_request(request: HttpRequest) -> tuple[str, str, str, dict[str, str]]:
    """(uri, method, body, headers) for oauthlib: a form body only where the method has one."""
    uri, body, headers = oauthlib_args(request)
    if request.method == "GET" or not is_form(request):
        body = ""
    return uri, request.method, body, headers


def _audience(claims: dict[str, Any] | None) -> list[str]:
    if claims is None:
        return []
    aud = claims.get("aud")
    values = aud if isinstance(aud, list) else [aud]
    return [value for value in values if isinstance(value, str)]
