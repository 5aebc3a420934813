"""requests-oauthlib's ``fetch_token`` and ``refresh_token``, as core flows.

:class:`TokenRequests` turns requests-oauthlib's arguments (``code`` or
``authorization_response``, ``body``, ``username``/``password``, ``include_client_id``,
``client_secret``, an ``auth=`` of the caller's, ``method="GET"``, ``force_querystring``...) into
a core grant and a request builder, and the builder into a token flow. It is the token-request
half of :class:`~oauthkit._compat._session.OAuth2SessionState`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .._core._http import HttpRequest
from .._core._steps import Flow, Purpose
from .._errors import UsageError
from .._oauth2._client_auth import ClientAuth
from .._oauth2._flows import purpose_of, token_flow
from .._oauth2._grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    DeviceCodeGrant,
    Grant,
    PasswordGrant,
    RefreshTokenGrant,
)
from .._oauth2._manager import TokenManager
from .._oauth2._token import Token
from ._callbacks import Callback, CallbackChecks
from ._clients import ExternalAuth, renews_with, session_auth

if TYPE_CHECKING:
    from ..oidc._relying_party import RelyingParty

__all__ = ["TokenRequests", "as_query_request", "asks_openid"]


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


def _targets(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Take ``resource`` and ``authorization_details`` out of a call's keyword arguments: a
    list of resources is several parameters (RFC 8707 §2), details are JSON (RFC 9396 §6)."""
    return {name: kwargs.pop(name) for name in _TARGETS if kwargs.get(name) is not None}


_TARGETS = ("resource", "authorization_details")


class _BareRefresh:
    """A refresh request without a refresh token (``grant_type`` alone)."""

    grant_type = "refresh_token"
    purpose = Purpose.REFRESH
    one_time = True

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` only."""
        return [("grant_type", self.grant_type)]


def asks_openid(scope: str | Sequence[str] | None, params: Mapping[str, str]) -> bool:
    """Whether the scope (the session's, or the call's) asks for ``openid``."""
    asked = params.get("scope") or scope
    words = asked.split() if isinstance(asked, str) else list(asked or ())
    return "openid" in words


def as_query_request(request: HttpRequest, method: str = "GET") -> HttpRequest:
    """Move a form body into the query, for ``method="GET"`` / ``force_querystring`` calls."""
    parts = urlsplit(request.url)
    body = (request.body or b"").decode("ascii")
    query = "&".join(q for q in (parts.query, body) if q)
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    return HttpRequest(method, urlunsplit(parts._replace(query=query)), headers, None)


class TokenRequests(CallbackChecks):
    """``fetch_token`` and ``refresh_token`` of a requests-oauthlib session, as core flows.

    A mixin: the session state supplies the attributes declared here.
    """

    core: TokenManager
    kind: str
    client_auth: ClientAuth | None
    code_verifier: str | None
    oidc: RelyingParty | None
    scope: str | Sequence[str] | None
    redirect_uri: str | None
    auto_refresh_kwargs: dict[str, Any]
    _refresh_auth_pinned: bool
    _own_auth: ClientAuth
    code: str | None

    @property
    def client_id(self) -> str:
        """The client identifier."""
        return self.core.client_id

    def _after_jarm(
        self,
        token: str,
        token_url: str,
        body: str | Mapping[str, Any] | None,
        options: dict[str, Any],
    ) -> Flow[Token]:
        """Check the JWT (signature, ``iss``, ``aud``, ``exp``), then the parameters it
        carries as any callback's (``state`` first), then exchange the code."""
        from ..oidc._jarm import jarm_flow

        assert self.oidc is not None  # noqa: S101 - _jarm_token refused a session without one
        params = yield from jarm_flow(self.oidc, self.core, token, options.get("client_secret"))
        code = self.code = self._callback_code(params)
        return (yield from self._code_flow(token_url, code, body, True, **options))

    def _builder(
        self,
        grant: Grant,
        token_url: str,
        auth: ClientAuth,
        params: dict[str, str],
        headers: Mapping[str, str] | None,
        query: str | None = None,
        targets: Mapping[str, Any] | None = None,
    ) -> Callable[[float], HttpRequest]:
        # requests-oauthlib's headers win over the form's own; ``query`` sends the form in the
        # URL with that method instead. ``targets``: ``resource`` (RFC 8707, one parameter per
        # URI) and ``authorization_details`` (RFC 9396, JSON), encoded by their one rule.
        def build(now: float) -> HttpRequest:
            request = self.core.build_grant_request(
                grant, endpoint=token_url, auth=auth, extra=params, now=now, **(targets or {})
            )
            if headers:
                request = HttpRequest(
                    request.method, request.url, {**request.headers, **headers}, request.body
                )
            return request if query is None else as_query_request(request, query)

        return build

    def fetch_token_flow(
        self,
        token_url: str,
        code: str | None = None,
        authorization_response: Callback | None = None,
        body: str | Mapping[str, Any] | None = "",
        *,
        external_auth: bool = False,
        username: str | None = None,
        password: str | None = None,
        include_client_id: bool | None = None,
        client_secret: str | None = None,
        method: str = "POST",
        force_querystring: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Flow[Token]:
        """Obtain a token at ``token_url`` (RFC 6749 §4.1.3, §4.3.2, §4.4.2).

        ``authorization_response`` is the callback URL, or the ``form_post`` body (a string,
        bytes, or the mapping of its fields). A JWT-secured one (JARM: a ``response``
        parameter) is checked with the issuer's keys before its ``state`` and code are read.

        Raises:
            StateMismatchError: ``authorization_response`` carries another ``state``, or one
                already exchanged.
            AuthorizationError: ``authorization_response`` is an error response.
            JARMError: The response JWT failed a check, or a plain response came back where
                the session asked for a JWT one.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
            UsageError: Missing arguments for the grant.
        """
        if method.upper() not in ("POST", "GET"):
            raise UsageError("the method must be POST or GET")
        self.core.transport.check(token_url)
        options: dict[str, Any] = {
            "external_auth": external_auth,
            "username": username,
            "password": password,
            "include_client_id": include_client_id,
            "client_secret": client_secret,
            "method": method,
            "force_querystring": force_querystring,
            "headers": headers,
            "timeout": timeout,
            **kwargs,
        }
        consumes = authorization_response is not None
        if not code and authorization_response:
            jwt = self._jarm_token(authorization_response)
            if jwt is not None:
                return self._after_jarm(jwt, token_url, body, options)
            code = self.code = self._callback_code(authorization_response)
        return self._code_flow(token_url, code, body, consumes, **options)

    def _code_flow(
        self,
        token_url: str,
        code: str | None,
        body: str | Mapping[str, Any] | None,
        consumes_state: bool,
        *,
        external_auth: bool,
        username: str | None,
        password: str | None,
        include_client_id: bool | None,
        client_secret: str | None,
        method: str,
        force_querystring: bool,
        headers: Mapping[str, str] | None,
        timeout: float | None,
        **kwargs: Any,
    ) -> Flow[Token]:
        code = code or self.code  # the client object's, or the last callback's (as oauthlib)
        targets = _targets(kwargs)
        params = _form_params(body, kwargs)
        params.pop("client_id", None)  # requests-oauthlib also ignores it: the session's wins
        verifier = params.pop("code_verifier", None) or self.code_verifier
        explicit = kwargs.get("grant")
        if explicit is not None and callable(getattr(explicit, "params", None)):
            params.pop("grant", None)  # a core grant value: JWT bearer, token exchange, ...
            grant: Grant = explicit
        else:
            grant = self._grant(code, username, password, verifier, params)
        auth = self._fetch_auth(external_auth, include_client_id, client_secret)
        if self.kind == "client_credentials" or isinstance(grant, ClientCredentialsGrant):
            # Remember how to get the next one: the token has no refresh token (RFC 6749 §4.4.3).
            if isinstance(grant, ClientCredentialsGrant):
                self.core.remember_client_credentials(
                    grant, token_url, None if external_auth else auth
                )
            self.core.renew_params = params
        elif not external_auth and not self._refresh_auth_pinned and renews_with(auth):
            self.core.auth = self._own_auth = auth  # refreshes authenticate the same way
        oidc = self.oidc
        if (
            oidc is not None
            and isinstance(grant, AuthorizationCodeGrant)
            and asks_openid(self.scope, params)
        ):
            oidc.login_started()
        verb = method.upper()
        query = verb if verb == "GET" or force_querystring else None
        build = self._builder(grant, token_url, auth, params, headers, query, targets)
        return self._fetched(
            token_flow(
                self.core,
                build,
                purpose_of(grant),
                one_time=getattr(grant, "one_time", True),
                requested_scope=self.scope,
                timeout=timeout,
            ),
            consumes_state=consumes_state,
        )

    def _fetch_auth(
        self, external_auth: bool, include_client_id: bool | None, client_secret: str | None
    ) -> ClientAuth:
        if external_auth:
            return ExternalAuth(self.client_id, include_client_id is True, client_secret)
        if self.client_auth is not None:
            return self.client_auth
        if self.core.auth is not self._own_auth and client_secret is None:
            return self.core.auth  # assigned to session.oauth_client.auth by the caller
        return session_auth(self.client_id, client_secret, include_client_id)

    def _fetched(self, flow: Flow[Token], *, consumes_state: bool) -> Flow[Token]:
        token = yield from flow
        if consumes_state:
            # Single-use (RFC 6749 §10.12): the same callback cannot be exchanged again.
            self._used_state, self._state = self._state, None
        return token

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
        # requests-oauthlib adds a given username and password to any grant's body.
        for name, value in (("username", username), ("password", password)):
            if value is not None:
                params[name] = value
        if verifier:
            # Sent as given, as requests-oauthlib sends it: the server judges it (RFC 7636 §4.6).
            params["code_verifier"] = verifier
        return AuthorizationCodeGrant(code=code, redirect_uri=redirect_uri)

    def _refresh_params(self, kwargs: Mapping[str, Any]) -> dict[str, str]:
        merged = {**dict(kwargs), **self.auto_refresh_kwargs}
        # Client credentials in auto_refresh_kwargs configure authentication, never the body.
        for name in ("client_id", "client_secret"):
            merged.pop(name, None)
        return _form_params(None, merged)

    def refresh_token_flow(
        self,
        token_url: str | None,
        refresh_token: str | None = None,
        body: str | Mapping[str, Any] | None = "",
        *,
        external_auth: bool = False,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Flow[Token]:
        """Refresh now (RFC 6749 §6); the old refresh token is kept if the server keeps it.

        Raises:
            UsageError: No endpoint or no refresh token.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
        """
        if not token_url:
            raise UsageError("no token endpoint set for refreshing")
        self.core.transport.check(token_url)
        current = self.core.token
        value = refresh_token or (current.refresh_token if current else None)
        targets = _targets(kwargs)
        params = {**_form_params(body, {}), **self._refresh_params(kwargs)}
        auth = ExternalAuth(self.client_id) if external_auth else self.core.auth
        client_id, secret = kwargs.get("client_id"), kwargs.get("client_secret")
        if not external_auth and self.client_auth is None and (client_id or secret is not None):
            # requests-oauthlib posts the call's client_id and client_secret in the body
            auth = ExternalAuth(
                str(client_id or self.client_id), True, None if secret is None else str(secret)
            )
        # Without a refresh token the request still goes out, as requests-oauthlib sends it:
        # the server answers (a provider fix may turn its answer into a token).
        grant: Grant = RefreshTokenGrant(refresh_token=value) if value else _BareRefresh()
        build = self._builder(grant, token_url, auth, params, headers, None, targets)
        return token_flow(
            self.core,
            build,
            Purpose.REFRESH,
            one_time=True,
            requested_scope=self.scope,
            previous=self.core.token,
            timeout=timeout,
        )
