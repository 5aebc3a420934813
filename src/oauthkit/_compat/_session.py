"""requests-oauthlib's ``OAuth2Session`` semantics, as pure state shared by every driver.

``OAuth2Session`` (requests), ``OAuth2Client`` and ``AsyncOAuth2Client`` (httpx) take the same
arguments as requests-oauthlib and behave the same, except where requests-oauthlib is wrong:

* a client without a secret is public: its ``client_id`` goes in the body, never in a Basic
  header with an empty password (RFC 6749 §2.3.1, §3.2.1), so a strict server accepts it;
* a scope different from the requested one is recorded on the token, never raised;
* client-credentials sessions fetch a new token when theirs expires;
* auto-refresh sends only what the client configured, never the caller's request arguments;
* the PKCE verifier can be handed to a new session (``code_verifier=``) for web apps that
  build one session per HTTP request.

This module turns those arguments into core requests and reads the answers; drivers only
send. oauthlib client objects passed as ``client=`` are recognised by class name, so oauthlib
is never imported.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._core._http import HttpRequest, HttpResponse, check_transport
from .._errors import UsageError
from .._oauth2._authorization import build_authorization_url
from .._oauth2._callback import parse_authorization_callback
from .._oauth2._client_auth import ClientAuth, ClientSecretBasic, ClientSecretPost, NoneAuth
from .._oauth2._grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    DeviceCodeGrant,
    Grant,
    PasswordGrant,
    RefreshTokenGrant,
)
from .._oauth2._manager import RENEW_CLIENT_CREDENTIALS, OAuth2Client
from .._oauth2._token import Token

__all__ = [
    "CLIENT_KINDS",
    "COMPLIANCE_HOOKS",
    "ExternalAuth",
    "OAuth2SessionState",
    "as_query_request",
    "client_kind",
]

COMPLIANCE_HOOKS = (
    "access_token_request",
    "access_token_response",
    "protected_request",
    "refresh_token_request",
    "refresh_token_response",
)

# oauthlib client class -> the grant its sessions use.
CLIENT_KINDS = {
    "WebApplicationClient": "authorization_code",
    "LegacyApplicationClient": "password",
    "BackendApplicationClient": "client_credentials",
    "MobileApplicationClient": "implicit",
    "DeviceClient": "device_code",
}


def client_kind(client: object) -> str:
    """The grant an oauthlib client object stands for, found by class name (no import).

    Raises:
        UsageError: An oauthlib client class oauthkit does not map.
    """
    for cls in type(client).__mro__:
        if cls.__name__ in CLIENT_KINDS:
            return CLIENT_KINDS[cls.__name__]
    raise UsageError(
        f"unsupported client object {type(client).__name__}: pass one of oauthlib's "
        + ", ".join(sorted(CLIENT_KINDS))
    )


@dataclass(frozen=True, slots=True)
class ExternalAuth:
    """The caller authenticates the token request itself (requests-oauthlib's ``auth=``).

    Adds nothing but, when asked, the ``client_id`` to the body.
    """

    client_id: str
    include_client_id: bool = False
    client_secret: str | None = field(default=None, repr=False)
    method: str = "external"

    def apply(
        self,
        form: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        *,
        endpoint: str,
        now: float,
    ) -> tuple[list[tuple[str, str]], dict[str, str]]:
        del endpoint, now
        out = list(form)
        if self.include_client_id and not any(k == "client_id" for k, _ in out):
            out.append(("client_id", self.client_id))
            if self.client_secret is not None:  # requests-oauthlib posts it alongside
                out.append(("client_secret", self.client_secret))
        return out, dict(headers)


def _session_auth(
    client_id: str, client_secret: str | None, include_client_id: bool | None
) -> ClientAuth:
    # requests-oauthlib sends Basic with an empty password for a client without a secret; a
    # public client must instead identify itself in the body (RFC 6749 §3.2.1).
    if not client_secret:
        return NoneAuth(client_id)
    if include_client_id:
        return ClientSecretPost(client_id, client_secret)
    return ClientSecretBasic(client_id, client_secret)


def _form_params(body: str | Mapping[str, Any] | None, kwargs: Mapping[str, Any]) -> dict[str, str]:
    params: dict[str, str] = {}
    if isinstance(body, Mapping):
        params.update({str(k): str(v) for k, v in body.items()})
    elif body:
        params.update(parse_qsl(body, keep_blank_values=True))
    for key, value in kwargs.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)) and key == "scope":
            params[key] = " ".join(str(v) for v in value)
        else:
            params[key] = value if isinstance(value, str) else str(value)
    return params


class OAuth2SessionState:
    """The pure half of an ``OAuth2Session``: arguments in, core requests out.

    Args: requests-oauthlib's ``OAuth2Session`` arguments, plus ``code_verifier`` (a PKCE
    verifier kept from the request that built the authorization URL), ``leeway`` and ``clock``.

    Raises:
        UsageError: ``pkce`` is not ``S256``, ``plain`` or ``None``, or the client object is
            not one oauthkit maps.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client: object = None,
        auto_refresh_url: str | None = None,
        auto_refresh_kwargs: Mapping[str, Any] | None = None,
        scope: str | Sequence[str] | None = None,
        redirect_uri: str | None = None,
        token: Token | Mapping[str, Any] | None = None,
        state: str | Callable[[], str] | None = None,
        pkce: str | None = None,
        *,
        code_verifier: str | None = None,
        client_auth: ClientAuth | None = None,
        issuer: str | None = None,
        allow_insecure_transport: bool = False,
        leeway: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if pkce not in ("S256", "plain", None):
            raise UsageError(f"pkce must be 'S256', 'plain' or None, not {pkce!r}")
        self.kind = "authorization_code" if client is None else client_kind(client)
        if client_id is None and client is not None:
            client_id = getattr(client, "client_id", None)
        if scope is None and client is not None:
            scope = getattr(client, "scope", None)
        if token is None and client is not None:
            token = getattr(client, "token", None) or None
        self.auto_refresh_kwargs = dict(auto_refresh_kwargs or {})
        # requests-oauthlib sends auto_refresh_kwargs' client credentials in the refresh body:
        # client_secret_post, which servers configured that way rely on.
        refresh_secret = self.auto_refresh_kwargs.get("client_secret")
        self._refresh_auth_pinned = client_auth is not None or bool(refresh_secret)
        self.core = OAuth2Client(
            client_id or "",
            auth=client_auth
            or (
                _session_auth(client_id or "", refresh_secret, True if refresh_secret else None)
                if client_id
                else ExternalAuth("")
            ),
            token_endpoint=auto_refresh_url,
            scope=scope,
            redirect_uri=redirect_uri,
            token=token or None,
            renew_params=self._refresh_params({}),
            leeway=leeway,
            allow_insecure_transport=allow_insecure_transport,
            clock=clock,
        )
        self.client_auth = client_auth
        self.issuer = issuer
        self.scope = scope
        self.redirect_uri = redirect_uri
        self.state = state
        self.pkce = pkce
        self.code_verifier = code_verifier
        self.nonce: str | None = None
        self._state: str | None = state if isinstance(state, str) else None
        self.compliance_hook: dict[str, set[Callable[..., Any]]] = {
            name: set() for name in COMPLIANCE_HOOKS
        }

    # -- attributes requests-oauthlib exposes ----------------------------------------------

    @property
    def client_id(self) -> str:
        """The client identifier."""
        return self.core.client_id

    @property
    def auto_refresh_url(self) -> str | None:
        """Where an expired token is refreshed; ``None`` disables refreshing."""
        return self.core.token_endpoint

    @auto_refresh_url.setter
    def auto_refresh_url(self, value: str | None) -> None:
        self.core.token_endpoint = value

    @property
    def token_dict(self) -> dict[str, Any]:
        """The token as requests-oauthlib's ``session.token`` dictionary (``{}`` when none)."""
        token = self.core.token
        return {} if token is None else token.to_dict(now=self.core.clock())

    def register_compliance_hook(self, hook_type: str, hook: Callable[..., Any]) -> None:
        """Register a provider fix at one of the five hook points.

        Raises:
            UsageError: Unknown hook type.
        """
        if hook_type not in self.compliance_hook:
            raise UsageError(f"hook type {hook_type!r} is not one of {', '.join(COMPLIANCE_HOOKS)}")
        self.compliance_hook[hook_type].add(hook)

    def new_state(self) -> str:
        """A fresh ``state`` (the ``state`` callable's, or from :mod:`secrets`), kept for later."""
        if callable(self.state):
            self._state = self.state()
        elif isinstance(self.state, str):
            self._state = self.state
        else:
            self._state = secrets.token_urlsafe(24)
        return self._state

    # -- authorization ------------------------------------------------------------------------

    def authorization_url(
        self, url: str, state: str | None = None, **kwargs: Any
    ) -> tuple[str, str]:
        """The authorization URL and its ``state`` (RFC 6749 §4.1.1); PKCE when enabled.

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
            UsageError: Invalid parameters.
        """
        state = state or self.new_state()
        self._state = state
        response_type = "token" if self.kind == "implicit" else "code"
        response_type = str(kwargs.pop("response_type", response_type))
        link, flow = build_authorization_url(
            url,
            client_id=self.client_id,
            redirect_uri=self.redirect_uri,
            scope=self.scope,
            state=state,
            pkce=self.pkce,
            response_type=response_type,
            nonce=kwargs.pop("nonce", None),
            extra={k: str(v) for k, v in kwargs.items()} or None,
            allow_insecure_transport=self.core.allow_insecure_transport,
        )
        self.code_verifier = flow.code_verifier
        self.nonce = flow.nonce
        return link, state

    # -- token requests -----------------------------------------------------------------------

    def prepare_fetch_token(
        self,
        token_url: str,
        code: str | None = None,
        authorization_response: str | None = None,
        body: str | Mapping[str, Any] | None = "",
        *,
        external_auth: bool = False,
        username: str | None = None,
        password: str | None = None,
        include_client_id: bool | None = None,
        client_secret: str | None = None,
        **kwargs: Any,
    ) -> HttpRequest:
        """Build the token request ``fetch_token`` sends.

        Raises:
            StateMismatchError: ``authorization_response`` carries another ``state``.
            AuthorizationError: ``authorization_response`` is an error response.
            UsageError: No code for the code grant; password grant without credentials.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
        """
        check_transport(token_url, allow_insecure=self.core.allow_insecure_transport)
        if not code and authorization_response:
            callback = parse_authorization_callback(
                authorization_response, expected_state=self._state, issuer=self.issuer
            )
            code = callback.code
        params = _form_params(body, kwargs)
        params.pop("client_id", None)  # requests-oauthlib also ignores it: the session's wins
        verifier = params.pop("code_verifier", None) or self.code_verifier
        explicit = kwargs.get("grant")
        if explicit is not None and callable(getattr(explicit, "params", None)):
            params.pop("grant", None)  # a core grant value: JWT bearer, token exchange, ...
            grant: Grant = explicit
        else:
            grant = self._grant(code, username, password, verifier, params)
        auth: ClientAuth
        if external_auth:
            auth = ExternalAuth(self.client_id, include_client_id is True, client_secret)
        elif self.client_auth is not None:
            auth = self.client_auth
        elif client_secret is not None or include_client_id is not None:
            auth = _session_auth(self.client_id, client_secret, include_client_id)
        else:
            auth = self.core.auth  # as configured (or assigned to session.oauth_client.auth)
        request = self.core.build_grant_request(grant, endpoint=token_url, auth=auth, extra=params)
        if self.kind == "client_credentials" or isinstance(grant, ClientCredentialsGrant):
            # Remember how to get the next one: the token has no refresh token (RFC 6749 §4.4.3).
            self.core.renew = RENEW_CLIENT_CREDENTIALS
            self.core.token_endpoint = self.core.token_endpoint or token_url
            if not external_auth:
                self.core.auth = auth
            self.core.renew_params = params
        elif not external_auth and not self._refresh_auth_pinned:
            self.core.auth = auth  # refreshes authenticate the same way
        return request

    def _grant(
        self,
        code: str | None,
        username: str | None,
        password: str | None,
        verifier: str | None,
        params: dict[str, str],
    ) -> Grant:
        kind = self.kind
        if kind == "authorization_code" and not code and username is not None:
            kind = "password"  # requests-oauthlib needs LegacyApplicationClient for this
        if kind == "password":
            if username is None or password is None:
                raise UsageError("the password grant needs both username and password")
            return PasswordGrant(
                username=username, password=password, scope=params.pop("scope", None) or self.scope
            )
        if kind == "client_credentials":
            return ClientCredentialsGrant(scope=params.pop("scope", None) or self.scope)
        if kind == "device_code":
            device_code = params.pop("device_code", None)
            if not device_code:
                raise UsageError("the device grant needs device_code=")
            return DeviceCodeGrant(device_code=device_code)
        if kind == "implicit":
            raise UsageError("implicit-grant clients get tokens from token_from_fragment()")
        if not code:
            raise UsageError("supply either code or authorization_response")
        redirect_uri = params.pop("redirect_uri", None) or self.redirect_uri
        return AuthorizationCodeGrant(code=code, redirect_uri=redirect_uri, code_verifier=verifier)

    def accept_token(self, response: HttpResponse) -> Token:
        """Read a ``fetch_token`` response and make its token current.

        Raises:
            TokenEndpointError: The server refused (one subclass per ``error`` code).
            MalformedResponseError: The body is not a token response.
        """
        return self.core.accept_token_response(response, requested_scope=self.scope)

    def _refresh_params(self, kwargs: Mapping[str, Any]) -> dict[str, str]:
        merged = {**dict(kwargs), **self.auto_refresh_kwargs}
        # Client credentials in auto_refresh_kwargs configure authentication, never the body.
        for name in ("client_id", "client_secret"):
            merged.pop(name, None)
        return _form_params(None, merged)

    def prepare_refresh(
        self,
        token_url: str | None,
        refresh_token: str | None = None,
        body: str | Mapping[str, Any] | None = "",
        *,
        external_auth: bool = False,
        **kwargs: Any,
    ) -> HttpRequest:
        """Build the request of an explicit ``refresh_token()`` call (RFC 6749 §6).

        Raises:
            UsageError: No token endpoint, or no refresh token.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
        """
        if not token_url:
            raise UsageError("no token endpoint set for refreshing")
        check_transport(token_url, allow_insecure=self.core.allow_insecure_transport)
        current = self.core.token
        refresh_token = refresh_token or (current.refresh_token if current else None)
        if not refresh_token:
            raise UsageError("no refresh token to refresh with")
        params = {**_form_params(body, {}), **self._refresh_params(kwargs)}
        auth = ExternalAuth(self.client_id) if external_auth else self.core.auth
        return self.core.build_grant_request(
            RefreshTokenGrant(refresh_token=refresh_token),
            endpoint=token_url,
            auth=auth,
            extra=params,
        )

    def accept_refresh(self, response: HttpResponse) -> Token:
        """Read a refresh response; keep the old refresh token if none was issued (§6).

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The body is not a token response.
        """
        previous = self.core.token
        return self.core.accept_token_response(
            response, requested_scope=self.scope, previous=previous
        )

    def token_from_fragment(self, authorization_response: str) -> Token:
        """Read an implicit-grant token from the callback's fragment (RFC 6749 §4.2.2).

        Raises:
            StateMismatchError: Another ``state`` than the pending one.
            MalformedResponseError: The fragment carries no token.
        """
        callback = parse_authorization_callback(authorization_response, expected_state=self._state)
        fields = {k: v for k, v in callback.params.items() if k != "state"}
        body = urlencode(fields).encode("ascii")
        response = HttpResponse(200, {"Content-Type": "application/x-www-form-urlencoded"}, body)
        return self.core.accept_token_response(response, requested_scope=self.scope)


def as_query_request(request: HttpRequest) -> HttpRequest:
    """Move a form body into the query, for ``method="GET"`` / ``force_querystring`` calls."""
    parts = urlsplit(request.url)
    body = (request.body or b"").decode("ascii")
    query = "&".join(q for q in (parts.query, body) if q)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    return HttpRequest(request.method, urlunsplit(parts._replace(query=query)), headers, None)
