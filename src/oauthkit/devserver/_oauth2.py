"""The dev provider's OAuth 2 endpoints, on oauthlib's server (RFC 6749 and its extensions).

Routes, under ``/oauth2`` unless noted:

* ``GET authorize``: the authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636; required
  of public clients). There is no user to ask: the request is approved at once for the user
  named by ``login_hint`` (``dev-user`` if none), unless ``login_hint=deny``, which answers
  ``access_denied``. Responses carry ``iss`` (RFC 9207) and honour ``response_mode`` ``query``,
  ``fragment`` and ``form_post`` (an auto-submitting HTML form).
* ``POST token``: the ``authorization_code``, ``refresh_token`` (rotated on every use),
  ``client_credentials``, ``password`` and device code (RFC 8628 §3.4) grants.
* ``POST device_authorization``: RFC 8628 §3.1; ``GET device`` is the verification page and
  ``POST device/approve`` (form ``user_code``, optional ``deny=1`` and ``username``) decides.
* ``POST revoke`` (RFC 7009): a client revokes only its own tokens; a refresh token takes the
  access tokens of its grant with it. ``POST introspect`` (RFC 7662): any authenticated client
  may introspect any token, as a resource server would.
* ``GET|POST|PUT|PATCH|DELETE resource``: a protected resource (RFC 6750) echoing as JSON what
  it verified; ``?require_scope=a+b`` makes it demand scopes (403 ``insufficient_scope``).
* ``GET /.well-known/oauth-authorization-server``: metadata (RFC 8414), issuer = base URL, with
  the OpenID Provider members; a request with ``openid`` in its scope gets an ID token from the
  code and refresh grants (OpenID Connect Core §3.1, §12), see :mod:`._oidc` for the rest.

Plain HTTP: oauthlib's *client* classes refuse ``http://`` URLs unless the process-wide
``OAUTHLIB_INSECURE_TRANSPORT`` variable is set, which would also switch off the check in any
client under test in the same process, so it is never set. The server side does not need it:
oauthlib's endpoints never look at the request's scheme, and the one server-side check, the
metadata issuer's ``https``, is applied to the issuer with its scheme swapped (see
:class:`~oauthkit.devserver._oauth2_grants.LoopbackMetadata`), since the provider only ever
listens on loopback (RFC 8252 §8.3).

This module routes requests and adapts them to oauthlib; what the provider changes in
oauthlib's grants and endpoints lives in :mod:`oauthkit.devserver._oauth2_grants`.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from oauthlib.common import Request, add_params_to_qs, generate_token, urldecode
from oauthlib.oauth2 import (
    AuthorizationEndpoint,
    BearerToken,
    ClientCredentialsGrant,
    IntrospectEndpoint,
    ResourceEndpoint,
    ResourceOwnerPasswordCredentialsGrant,
    RevocationEndpoint,
    TokenEndpoint,
)
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant
from oauthlib.openid.connect.core.grant_types import RefreshTokenGrant
from oauthlib.openid.connect.core.grant_types.dispatchers import (
    AuthorizationCodeGrantDispatcher,
    AuthorizationTokenGrantDispatcher,
)

from .._core._http import HttpRequest, HttpResponse
from .._errors import MissingExtraError
from ._oauth2_clients import DEFAULT_USER, DEVICE_CODE_GRANT
from ._oauth2_grants import CodeGrant, IssuerBound, OpenIDCodeGrant, bind_issuer, deliver
from ._oauth2_http import (
    FORM,
    bearer_refusal,
    header,
    invalid_request,
    is_form,
    oauthlib_args,
    oauthlib_error,
    oauthlib_response,
)
from ._oauth2_store import DeviceRecord, OAuth2Store
from ._oauth2_validator import basic_credentials
from ._oidc_keys import SigningKeys
from ._oidc_metadata import DOCUMENT_MAX_AGE
from ._oidc_validator import DevOIDCValidator
from ._server import Router, json_response, text_response

# The device grant's validator contract (validate_device_code returning one of these statuses)
# is oauthlib 4's; an older oauthlib would misread every answer.
if not hasattr(DeviceCodeGrant, "DEVICE_CODE_AUTHORIZED"):  # pragma: no cover
    raise MissingExtraError("oauthlib", "dev", "the dev provider's OAuth 2 side (oauthlib>=4.0)")

__all__ = ["DENY_HINT", "METADATA_PATH", "PREFIX", "OAuth2Endpoints"]

PREFIX = "/oauth2"
METADATA_PATH = "/.well-known/oauth-authorization-server"
DENY_HINT = "deny"
_CACHEABLE = f"public, max-age={DOCUMENT_MAX_AGE}"


class OAuth2Endpoints:
    """The OAuth 2 half of the dev provider.

    Args:
        store: Clients, users, codes and tokens.
        issuer: Returns the issuer identifier (the provider's base URL) once it is running.
        access_token_ttl: Seconds an access token lives (``expires_in``).
        device_code_ttl: Seconds a device code lives (RFC 8628 ``expires_in``).
        device_interval: Seconds a device must wait between polls (RFC 8628 ``interval``).
        keys: The ID token signing keys; new ones, generated when first needed, if omitted.
            ID tokens live as long as access tokens.
    """

    def __init__(
        self,
        store: OAuth2Store,
        issuer: Callable[[], str],
        *,
        access_token_ttl: int,
        device_code_ttl: int,
        device_interval: int,
        keys: SigningKeys | None = None,
    ) -> None:
        self._store = store
        self._issuer = issuer
        self._access_token_ttl = access_token_ttl
        self._device_code_ttl = device_code_ttl
        self._device_interval = device_interval
        keys = SigningKeys() if keys is None else keys
        self.validator = validator = DevOIDCValidator(
            store, issuer, keys, id_token_ttl=access_token_ttl
        )
        self._bearer = BearerToken(validator, expires_in=lambda request: access_token_ttl)
        # As oauthlib.openid.Server composes them: requests with openid in scope take the
        # OpenID Connect grant, the others the plain one.
        code, openid_code = CodeGrant(validator, issuer), OpenIDCodeGrant(validator, issuer)
        self._authorization = AuthorizationEndpoint(
            "code", self._bearer, {"code": AuthorizationCodeGrantDispatcher(code, openid_code)}
        )
        grants = {
            "authorization_code": AuthorizationTokenGrantDispatcher(validator, code, openid_code),
            "refresh_token": RefreshTokenGrant(validator),
            "client_credentials": ClientCredentialsGrant(validator),
            "password": ResourceOwnerPasswordCredentialsGrant(validator),
            DEVICE_CODE_GRANT: DeviceCodeGrant(validator),
        }
        self._token = TokenEndpoint("authorization_code", self._bearer, grants)
        self._resource = ResourceEndpoint("Bearer", {"Bearer": self._bearer})
        self._revocation = RevocationEndpoint(validator)
        self._introspection = IntrospectEndpoint(validator)
        # Checking a code or refresh token and retiring it must be one step, or two racing
        # requests could both use it (RFC 6749 §4.1.2, §10.4).
        self._token_lock = threading.Lock()
        self._bound_lock = threading.Lock()
        self._bound: dict[str, IssuerBound] = {}

    def mount(self, router: Router) -> None:
        """Add the OAuth 2 routes to ``router``."""
        router.add(f"{PREFIX}/authorize", self.authorize, ("GET",))
        router.add(f"{PREFIX}/token", self.token, ("POST",))
        router.add(f"{PREFIX}/device_authorization", self.device_authorization, ("POST",))
        router.add(f"{PREFIX}/device", self.device_page, ("GET",))
        router.add(f"{PREFIX}/device/approve", self.device_approve, ("POST",))
        router.add(f"{PREFIX}/revoke", self.revoke, ("POST",))
        router.add(f"{PREFIX}/introspect", self.introspect, ("POST",))
        router.add(f"{PREFIX}/resource", self.resource, ("GET", "POST", "PUT", "PATCH", "DELETE"))
        router.add(METADATA_PATH, self.metadata, ("GET",))

    def issue_token(
        self, client_id: str, scopes: tuple[str, ...], user: str | None
    ) -> dict[str, object]:
        """Mint tokens for ``client_id`` without a grant; a token response (RFC 6749 §5.1)."""
        access, refresh = generate_token(), generate_token()
        self._store.save_tokens(
            access_token=access,
            expires_in=self._access_token_ttl,
            client_id=client_id,
            scopes=scopes,
            user=user,
            refresh_token=refresh,
        )
        return {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self._access_token_ttl,
            "refresh_token": refresh,
            "scope": " ".join(scopes),
        }

    def _bound_to_issuer(self) -> IssuerBound:
        issuer = self._issuer()
        with self._bound_lock:
            bound = self._bound.get(issuer)
            if bound is None:
                bound = self._bound[issuer] = bind_issuer(
                    issuer,
                    PREFIX,
                    self.validator,
                    [self._authorization, self._token, self._revocation, self._introspection],
                    device_code_ttl=self._device_code_ttl,
                    device_interval=self._device_interval,
                )
            return bound

    # -- RFC 6749 §4.1 ----------------------------------------------------------------------

    def authorize(self, request: HttpRequest) -> HttpResponse:
        """Approve (or, with ``login_hint=deny``, refuse) an authorization request at once."""
        issuer = self._issuer()
        try:
            scopes, info = self._authorization.validate_authorization_request(request.url)
            oreq = info["request"]
            if oreq.login_hint == DENY_HINT:
                denial = [("error", "access_denied"), ("error_description", "login_hint=deny")]
                args = deliver(
                    oreq.redirect_uri, [*denial, ("state", oreq.state)], oreq.response_mode, issuer
                )
            else:
                user = oreq.login_hint or DEFAULT_USER
                args = self._authorization.create_authorization_response(
                    request.url, scopes=scopes, credentials={"user": user}
                )
        except oauth2_errors.FatalClientError as exc:
            # The client or redirect URI is not trusted: never redirect, say it here (§4.1.2.1).
            return oauthlib_error(exc)
        except oauth2_errors.OAuth2Error as exc:
            if not exc.redirect_uri:
                return oauthlib_error(exc)
            args = deliver(exc.redirect_uri, exc.twotuples, exc.response_mode, issuer)
        except ValueError:
            return invalid_request("the query is not application/x-www-form-urlencoded")
        return oauthlib_response(*args)

    # -- token, revocation, introspection -----------------------------------------------------

    def token(self, request: HttpRequest) -> HttpResponse:
        """The token endpoint (RFC 6749 §3.2) for every grant."""
        with self._token_lock:
            return self._call(request, self._token.create_token_response)

    def revoke(self, request: HttpRequest) -> HttpResponse:
        """Token revocation (RFC 7009 §2)."""
        return self._call(request, self._revocation.create_revocation_response)

    def introspect(self, request: HttpRequest) -> HttpResponse:
        """Token introspection (RFC 7662 §2)."""
        return self._call(request, self._introspection.create_introspect_response)

    @staticmethod
    def _call(request: HttpRequest, endpoint: Callable[..., Any]) -> HttpResponse:
        if not is_form(request):
            return invalid_request(f"the body must be {FORM} (RFC 6749 Appendix B)")
        try:
            uri, body, headers = oauthlib_args(request)
            # Parsed once here: oauthlib's OpenID grant dispatcher would fail on what it cannot.
            urldecode(body)
            headers_out, body_out, status = endpoint(uri, request.method, body, headers)
        except oauth2_errors.OAuth2Error as exc:
            return oauthlib_error(exc)
        except (ValueError, UnicodeDecodeError):
            return invalid_request(f"the body is not valid {FORM}")
        return oauthlib_response(headers_out, body_out, status)

    def metadata(self, request: HttpRequest) -> HttpResponse:
        """Authorization server metadata (RFC 8414 §3), which is also the OpenID Provider
        configuration (OpenID Connect Discovery 1.0 §4.2); cacheable for a while."""
        headers, body, status = self._bound_to_issuer().metadata.create_metadata_response(
            request.url
        )
        return oauthlib_response({**headers, "Cache-Control": _CACHEABLE}, body, status)

    # -- RFC 8628 -----------------------------------------------------------------------------

    def device_authorization(self, request: HttpRequest) -> HttpResponse:
        """Issue a device code and user code (RFC 8628 §3.1, §3.2)."""
        endpoint = self._bound_to_issuer().device
        try:
            uri, body, headers = oauthlib_args(request)
            basic = basic_credentials(header(request.headers, "Authorization"))
            if basic is not None and "client_id" not in dict(parse_qsl(body)):
                # oauthlib wants client_id even from a client authenticating with HTTP Basic,
                # where RFC 8628 §3.1 requires it only of clients that do not authenticate.
                body = add_params_to_qs(body, [("client_id", basic[0])])
            # oauthlib builds the response but keeps nothing, and does not say whose codes it
            # made; validating once more on a request of our own tells us.
            oreq = Request(uri, "POST", body, headers)
            endpoint.validate_device_authorization_request(oreq)
            _, data, status = endpoint.create_device_authorization_response(
                uri, "POST", body, headers
            )
        except oauth2_errors.OAuth2Error as exc:
            return oauthlib_error(exc)
        except (ValueError, UnicodeDecodeError):
            return invalid_request(f"the body is not valid {FORM}")
        record = DeviceRecord(
            client_id=oreq.client_id,
            user_code=data["user_code"],
            scopes=tuple(oreq.scopes or ()),
            expires_at=self._store.clock() + self._device_code_ttl,
            interval=self._device_interval,
        )
        self._store.add_device(data["device_code"], record)
        return json_response(status, data)

    def device_page(self, request: HttpRequest) -> HttpResponse:
        """The verification URI (RFC 8628 §3.3): a form to approve or deny a user code."""
        user_code = dict(parse_qsl(urlsplit(request.url).query)).get("user_code", "")
        page = (
            "<!DOCTYPE html><html><head><title>Device sign-in</title></head><body>"
            f'<form method="post" action="{PREFIX}/device/approve">'
            f'<label>Code <input name="user_code" value="{html.escape(user_code)}"></label>'
            '<button type="submit">Approve</button>'
            '<button type="submit" name="deny" value="1">Deny</button></form></body></html>'
        )
        return text_response(200, page, "text/html; charset=utf-8")

    def device_approve(self, request: HttpRequest) -> HttpResponse:
        """Record the user's decision on a user code: the headless stand-in for §3.3."""
        try:
            body = request.body.decode("utf-8") if request.body and is_form(request) else ""
        except UnicodeDecodeError:
            return invalid_request(f"the body is not valid {FORM}")
        form = dict(parse_qsl(body))
        deny = form.get("deny", "").lower() in ("1", "true", "yes", "on")
        record = self._store.decide_device(
            form.get("user_code", ""), form.get("username") or DEFAULT_USER, deny=deny
        )
        if record is None:
            return invalid_request("no pending device authorization has this user_code")
        scope = " ".join(record.scopes)
        return json_response(
            200, {"status": record.status, "client_id": record.client_id, "scope": scope}
        )

    # -- RFC 6750 -----------------------------------------------------------------------------

    def resource(self, request: HttpRequest) -> HttpResponse:
        """A protected resource that reports what it verified; never the token itself."""
        try:
            uri, body, headers = oauthlib_args(request)
            query = parse_qsl(urlsplit(uri).query, keep_blank_values=True)
            form = parse_qsl(body, keep_blank_values=True)
            required = dict(query).get("require_scope", "").split()
            valid, oreq = self._resource.verify_request(
                uri, request.method, body, headers, required
            )
        except (ValueError, UnicodeDecodeError):
            return invalid_request("malformed query or form body")
        in_header = header(request.headers, "Authorization").lower().startswith("bearer ")
        if in_header and any(k == "access_token" for k, _ in query + form):
            return invalid_request("the token was sent in more than one way (RFC 6750 section 2)")
        if not valid:
            return bearer_refusal(oreq.validator_log.get("bearer", "missing"), required)
        echo: dict[str, object] = {
            "method": request.method,
            "client_id": oreq.client_id,
            "user": oreq.user,
            "scopes": list(oreq.scopes or ()),
            "query": [[k, v] for k, v in query if k != "access_token"],
            "form": [[k, v] for k, v in form if k != "access_token"],
        }
        if request.body and not is_form(request):
            echo["content_type"] = header(request.headers, "Content-Type")
            echo["body"] = request.body.decode("utf-8", "replace")[:2000]
        return json_response(200, echo)
