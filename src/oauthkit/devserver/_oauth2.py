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
* ``GET /.well-known/oauth-authorization-server``: metadata (RFC 8414), issuer = base URL.

Plain HTTP: oauthlib's *client* classes refuse ``http://`` URLs unless the process-wide
``OAUTHLIB_INSECURE_TRANSPORT`` variable is set, which would also switch off the check in any
client under test in the same process, so it is never set. The server side does not need it:
oauthlib's endpoints never look at the request's scheme, and the one server-side check, the
metadata issuer's ``https``, is applied to the issuer with its scheme swapped (see
:class:`_LoopbackMetadata`), since the provider only ever listens on loopback (RFC 8252 §8.3).
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

from oauthlib.common import Request, add_params_to_qs, add_params_to_uri, generate_token
from oauthlib.oauth2 import (
    AuthorizationCodeGrant,
    AuthorizationEndpoint,
    BearerToken,
    ClientCredentialsGrant,
    IntrospectEndpoint,
    MetadataEndpoint,
    RefreshTokenGrant,
    ResourceEndpoint,
    ResourceOwnerPasswordCredentialsGrant,
    RevocationEndpoint,
    TokenEndpoint,
)
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant

from .._errors import MissingExtraError
from .._http import HttpRequest, HttpResponse
from ._oauth2_store import (
    AUTH_METHODS,
    DEFAULT_USER,
    DEVICE_CODE_GRANT,
    DeviceRecord,
    OAuth2Store,
    new_user_code,
)
from ._oauth2_validator import DevOAuth2Validator, basic_credentials
from ._server import Router, json_response, text_response

# The device grant's validator contract (validate_device_code returning one of these statuses)
# is oauthlib 4's; an older oauthlib would misread every answer.
if not hasattr(DeviceCodeGrant, "DEVICE_CODE_AUTHORIZED"):  # pragma: no cover
    raise MissingExtraError("oauthlib", "dev", "the dev provider's OAuth 2 side (oauthlib>=4.0)")

__all__ = ["DENY_HINT", "METADATA_PATH", "PREFIX", "OAuth2Endpoints", "deliver"]

PREFIX = "/oauth2"
METADATA_PATH = "/.well-known/oauth-authorization-server"
DENY_HINT = "deny"
_FORM = "application/x-www-form-urlencoded"
_CHALLENGE = 'realm="oauthkit-dev"'
# RFC 7636 §4.1 and §4.2: 43 to 128 unreserved characters.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def _form_post_page(action: str, params: list[tuple[str, str]]) -> str:
    """OAuth 2.0 Form Post Response Mode §2: an auto-submitting form to the redirect URI."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params
    )
    return (
        "<!DOCTYPE html><html><head><title>Submit this form</title></head>"
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(action)}">{fields}'
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
    )


def deliver(
    redirect_uri: str, params: list[tuple[str, str]], response_mode: str | None, issuer: str
) -> tuple[dict[str, str], str | None, int]:
    """An authorization response, success or error, as oauthlib's (headers, body, status).

    ``iss`` is added to every response, errors included (RFC 9207 §2). An unknown
    ``response_mode`` falls back to ``query``, the code flow's default, as oauthlib does.
    """
    params = [(k, str(v)) for k, v in params if v is not None]
    params.append(("iss", issuer))
    if response_mode == "form_post":
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        return headers, _form_post_page(redirect_uri, params), 200
    location = add_params_to_uri(redirect_uri, params, fragment=response_mode == "fragment")
    return {"Location": location, "Cache-Control": "no-store"}, None, 302


class _CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's code grant, with RFC 9207 ``iss``, ``form_post``, and stricter PKCE."""

    def __init__(self, validator: DevOAuth2Validator, issuer: Callable[[], str]) -> None:
        super().__init__(validator, post_auth=[_check_challenge], post_token=[self._check_pkce])
        self._issuer = issuer

    def prepare_authorization_response(
        self, request: Any, token: dict[str, str], headers: Any, body: Any, status: Any
    ) -> tuple[dict[str, str], str | None, int]:
        # oauthlib's hook for placing the grant in the redirect: placed here instead, to add
        # iss and the form_post mode that oauthlib does not offer.
        return deliver(
            request.redirect_uri, list(token.items()), request.response_mode, self._issuer()
        )

    def _check_pkce(self, request: Any) -> None:
        verifier = request.code_verifier
        if verifier is None:
            return
        if not _PKCE_VALUE.fullmatch(verifier):
            raise oauth2_errors.InvalidGrantError(
                description="code_verifier must be 43-128 unreserved characters (RFC 7636 4.1)",
                request=request,
            )
        # A verifier for a code issued without a challenge is a PKCE downgrade (RFC 9700
        # §2.1.1); oauthlib would accept it.
        if self.request_validator.get_code_challenge(request.code, request) is None:
            raise oauth2_errors.InvalidGrantError(
                description="code_verifier sent, but the authorization request had no challenge",
                request=request,
            )


def _check_challenge(request: Any) -> dict[str, str]:
    challenge = request.code_challenge
    if challenge is not None and not _PKCE_VALUE.fullmatch(challenge):
        raise oauth2_errors.InvalidRequestError(
            description="code_challenge must be 43-128 unreserved characters (RFC 7636 4.2)",
            request=request,
        )
    return {}


class _LoopbackMetadata(MetadataEndpoint):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's RFC 8414 metadata, accepting an ``http`` issuer on loopback.

    RFC 8414 §2 wants an ``https`` issuer, and oauthlib enforces it; the provider only listens
    on loopback, where no one else sees the traffic. oauthlib still runs every other issuer
    check (no query, no fragment) on the issuer with its scheme swapped.
    """

    def validate_metadata(self, array: dict[str, Any], key: str, *args: Any, **kwargs: Any) -> None:
        value = array.get(key)
        if kwargs.get("is_issuer") and isinstance(value, str) and value.startswith("http://"):
            array = {key: "https://" + value[len("http://") :]}
        super().validate_metadata(array, key, *args, **kwargs)


class _IssuerBound(NamedTuple):
    """The parts that need the issuer, known only once the server has a port."""

    metadata: Any
    device: Any


def _header(headers: Mapping[str, str], name: str) -> str:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")


def _is_form(request: HttpRequest) -> bool:
    return _header(request.headers, "Content-Type").split(";")[0].strip().lower() == _FORM


def _oauthlib_args(request: HttpRequest) -> tuple[str, str, dict[str, str]]:
    """(uri, body, headers) as oauthlib takes them; only form bodies carry parameters.

    Raises:
        UnicodeDecodeError: A form body is not UTF-8.
    """
    body = request.body.decode("utf-8") if request.body and _is_form(request) else ""
    return request.url, body, dict(request.headers)


def _response(headers: Mapping[str, str], body: str | None, status: int) -> HttpResponse:
    merged = dict(headers)
    if status == 401 and "WWW-Authenticate" in merged:
        # oauthlib challenges with "Bearer" even at the token endpoint; RFC 6749 §5.2 wants the
        # scheme clients authenticate with there, which is Basic.
        merged["WWW-Authenticate"] = f"Basic {_CHALLENGE}"
    return HttpResponse(status, merged, (body or "").encode("utf-8"))


def _error(exc: Any) -> HttpResponse:
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **exc.headers}
    return _response(headers, exc.json, exc.status_code)


def _invalid_request(description: str) -> HttpResponse:
    return json_response(400, {"error": "invalid_request", "error_description": description})


class OAuth2Endpoints:
    """The OAuth 2 half of the dev provider.

    Args:
        store: Clients, users, codes and tokens.
        issuer: Returns the issuer identifier (the provider's base URL) once it is running.
        access_token_ttl: Seconds an access token lives (``expires_in``).
        device_code_ttl: Seconds a device code lives (RFC 8628 ``expires_in``).
        device_interval: Seconds a device must wait between polls (RFC 8628 ``interval``).
    """

    def __init__(
        self,
        store: OAuth2Store,
        issuer: Callable[[], str],
        *,
        access_token_ttl: int,
        device_code_ttl: int,
        device_interval: int,
    ) -> None:
        self._store = store
        self._issuer = issuer
        self._access_token_ttl = access_token_ttl
        self._device_code_ttl = device_code_ttl
        self._device_interval = device_interval
        self._validator = validator = DevOAuth2Validator(store, issuer)
        self._bearer = BearerToken(validator, expires_in=lambda request: access_token_ttl)
        self._authorization = AuthorizationEndpoint(
            "code", self._bearer, {"code": _CodeGrant(validator, issuer)}
        )
        grants = {
            "authorization_code": self._authorization.response_types["code"],
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
        self._bound: dict[str, _IssuerBound] = {}

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

    def _bound_to_issuer(self) -> _IssuerBound:
        issuer = self._issuer()
        with self._bound_lock:
            bound = self._bound.get(issuer)
            if bound is None:
                bound = self._bound[issuer] = self._bind(issuer)
            return bound

    def _bind(self, issuer: str) -> _IssuerBound:
        device = DeviceAuthorizationEndpoint(
            self._validator,
            verification_uri=f"{issuer}{PREFIX}/device",
            expires_in=self._device_code_ttl,
            interval=self._device_interval,
            verification_uri_complete=f"{issuer}{PREFIX}/device?user_code={{user_code}}",
            user_code_generator=new_user_code,
        )
        methods = list(AUTH_METHODS)
        claims = {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}{PREFIX}/authorize",
            "token_endpoint": f"{issuer}{PREFIX}/token",
            "device_authorization_endpoint": f"{issuer}{PREFIX}/device_authorization",
            "revocation_endpoint": f"{issuer}{PREFIX}/revoke",
            "introspection_endpoint": f"{issuer}{PREFIX}/introspect",
            "token_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_methods_supported": methods,
            "introspection_endpoint_auth_methods_supported": methods,
            "response_modes_supported": ["query", "fragment", "form_post"],
            "code_challenge_methods_supported": ["S256", "plain"],
            "authorization_response_iss_parameter_supported": True,
        }
        endpoints = [self._authorization, self._token, self._revocation, self._introspection]
        return _IssuerBound(_LoopbackMetadata(endpoints, claims), device)

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
            return _error(exc)
        except oauth2_errors.OAuth2Error as exc:
            if not exc.redirect_uri:
                return _error(exc)
            args = deliver(exc.redirect_uri, exc.twotuples, exc.response_mode, issuer)
        except ValueError:
            return _invalid_request("the query is not application/x-www-form-urlencoded")
        return _response(*args)

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
        if not _is_form(request):
            return _invalid_request(f"the body must be {_FORM} (RFC 6749 Appendix B)")
        try:
            uri, body, headers = _oauthlib_args(request)
            headers_out, body_out, status = endpoint(uri, request.method, body, headers)
        except oauth2_errors.OAuth2Error as exc:
            return _error(exc)
        except (ValueError, UnicodeDecodeError):
            return _invalid_request(f"the body is not valid {_FORM}")
        return _response(headers_out, body_out, status)

    def metadata(self, request: HttpRequest) -> HttpResponse:
        """Authorization server metadata (RFC 8414 §3)."""
        headers, body, status = self._bound_to_issuer().metadata.create_metadata_response(
            request.url
        )
        return _response(headers, body, status)

    # -- RFC 8628 -----------------------------------------------------------------------------

    def device_authorization(self, request: HttpRequest) -> HttpResponse:
        """Issue a device code and user code (RFC 8628 §3.1, §3.2)."""
        endpoint = self._bound_to_issuer().device
        try:
            uri, body, headers = _oauthlib_args(request)
            basic = basic_credentials(_header(request.headers, "Authorization"))
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
            return _error(exc)
        except (ValueError, UnicodeDecodeError):
            return _invalid_request(f"the body is not valid {_FORM}")
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
            body = request.body.decode("utf-8") if request.body and _is_form(request) else ""
        except UnicodeDecodeError:
            return _invalid_request(f"the body is not valid {_FORM}")
        form = dict(parse_qsl(body))
        deny = form.get("deny", "").lower() in ("1", "true", "yes", "on")
        record = self._store.decide_device(
            form.get("user_code", ""), form.get("username") or DEFAULT_USER, deny=deny
        )
        if record is None:
            return _invalid_request("no pending device authorization has this user_code")
        scope = " ".join(record.scopes)
        return json_response(
            200, {"status": record.status, "client_id": record.client_id, "scope": scope}
        )

    # -- RFC 6750 -----------------------------------------------------------------------------

    def resource(self, request: HttpRequest) -> HttpResponse:
        """A protected resource that reports what it verified; never the token itself."""
        try:
            uri, body, headers = _oauthlib_args(request)
            query = parse_qsl(urlsplit(uri).query, keep_blank_values=True)
            form = parse_qsl(body, keep_blank_values=True)
            required = dict(query).get("require_scope", "").split()
            valid, oreq = self._resource.verify_request(
                uri, request.method, body, headers, required
            )
        except (ValueError, UnicodeDecodeError):
            return _invalid_request("malformed query or form body")
        in_header = _header(request.headers, "Authorization").lower().startswith("bearer ")
        if in_header and any(k == "access_token" for k, _ in query + form):
            return _invalid_request("the token was sent in more than one way (RFC 6750 section 2)")
        if not valid:
            return self._bearer_refusal(oreq.validator_log.get("bearer", "missing"), required)
        echo: dict[str, object] = {
            "method": request.method,
            "client_id": oreq.client_id,
            "user": oreq.user,
            "scopes": list(oreq.scopes or ()),
            "query": [[k, v] for k, v in query if k != "access_token"],
            "form": [[k, v] for k, v in form if k != "access_token"],
        }
        if request.body and not _is_form(request):
            echo["content_type"] = _header(request.headers, "Content-Type")
            echo["body"] = request.body.decode("utf-8", "replace")[:2000]
        return json_response(200, echo)

    @staticmethod
    def _bearer_refusal(problem: str, required: list[str]) -> HttpResponse:
        # RFC 6750 §3: no error code when no token came; invalid_token for a bad one;
        # insufficient_scope, with the scope needed, for a good one that is not enough.
        if problem == "missing":
            challenge, status, payload = f"Bearer {_CHALLENGE}", 401, {"error": "unauthorized"}
        elif problem == "insufficient_scope":
            scope = " ".join(required)
            challenge = f'Bearer {_CHALLENGE}, error="insufficient_scope", scope="{scope}"'
            status, payload = 403, {"error": "insufficient_scope", "scope": scope}
        else:
            description = "The access token expired" if problem == "expired" else "Unknown token"
            challenge = (
                f'Bearer {_CHALLENGE}, error="invalid_token", error_description="{description}"'
            )
            status, payload = 401, {"error": "invalid_token", "error_description": description}
        return json_response(status, payload, {"WWW-Authenticate": challenge})
