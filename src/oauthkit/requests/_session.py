"""OAuth 2 on requests: ``OAuth2Session`` (requests-oauthlib's API) and ``OAuth2`` (an AuthBase).

The protocol lives in the core (:mod:`oauthkit._oauth2_client`, :mod:`oauthkit._oauth2_session`);
this module sends what the core builds and hands back what the server answered. A
``threading.Lock`` serialises renewals only: callers holding an expired token wait for the one
renewal in flight, then send their own requests concurrently.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import parse_qsl, urlencode

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest

from .._compat._attributes import SessionAttributes, TokenUpdater
from .._compat._session import as_query_request
from .._core._http import HttpRequest, HttpResponse, check_transport, same_origin
from .._core._run import run_flow
from .._errors import ServerResponseError, TokenExpiredError, UsageError
from .._oauth2._device import (
    DeviceAuthorization,
    build_device_authorization_request,
    parse_device_authorization_response,
    poll_device_token,
)
from .._oauth2._manager import Renew
from .._oauth2._token import Token

__all__ = ["OAuth2", "OAuth2Session"]


def _no_auth(r: PreparedRequest) -> PreparedRequest:
    # Token requests carry exactly the credentials the core put in them: never a session-wide
    # auth object, never ~/.netrc.
    return r


def _neutral(response: requests.Response, *, body: bool = True) -> HttpResponse:
    return HttpResponse(response.status_code, response.headers, response.content if body else b"")


class OAuth2(AuthBase):
    """Adds a bearer token to requests (RFC 6750 §2.1); requests-oauthlib's ``OAuth2``.

    Args:
        client_id: Accepted for compatibility.
        client: An oauthlib client object, whose ``token`` is used when ``token`` is absent.
        token: The token dictionary (or :class:`oauthkit.Token`).

    Raises:
        UsageError: No token, or a token dictionary without ``access_token``.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client: object = None,
        token: Mapping[str, Any] | Token | None = None,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        del client_id
        token = token or getattr(client, "token", None)
        if not token:
            raise UsageError("OAuth2 needs a token")
        self.token = token if isinstance(token, Token) else Token.from_dict(token, now=clock())
        self._clock = clock

    def __repr__(self) -> str:
        return "OAuth2(<token redacted>)"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        if self.token.is_expired(self._clock()):
            raise TokenExpiredError("the access token has expired; this auth cannot renew it")
        check_transport(r.url or "")
        r.headers["Authorization"] = f"Bearer {self.token.access_token}"
        return r


class OAuth2Session(SessionAttributes, requests.Session):
    """A ``requests.Session`` that fetches, applies and renews OAuth 2 tokens.

    The constructor and methods are requests-oauthlib's (``authorization_url``,
    ``fetch_token``, ``refresh_token``, ``token_from_fragment``, ``register_compliance_hook``,
    ``token``, ``access_token``, ``authorized``). Beyond it:

    * ``code_verifier=``: resume a PKCE flow in a new session (web apps build one per request);
    * ``client_auth=``: any :class:`oauthkit.ClientAuth` (``client_auth_for("private_key_jwt",
      ...)``), used for every token request instead of requests-oauthlib's inference;
    * ``issuer=``: the authorization server's issuer; a callback's ``iss`` must match it
      (RFC 9207), which stops mix-up attacks between several servers;
    * ``allow_insecure_transport=``: plain http beyond loopback, for this session only;
    * ``leeway`` (seconds before expiry to renew) and ``clock``;
    * ``fetch_token(url, grant=...)`` with any core grant (JWT bearer, token exchange, ...);
    * ``fetch_device_authorization`` and ``poll_device_token`` for the device flow.

    Raises:
        UsageError: Invalid ``pkce`` or an unsupported ``client`` object.
    """

    def _start(self, token_updater: TokenUpdater | None) -> None:
        self.token_updater = token_updater
        self._renew_lock = threading.Lock()
        self.auth = _no_auth  # as requests-oauthlib: tokens, not netrc, authorize requests

    def __repr__(self) -> str:
        return f"<oauthkit.requests.OAuth2Session {self._oauth.core!r}>"

    # -- the grant flows --------------------------------------------------------------------

    def fetch_token(
        self,
        token_url: str,
        code: str | None = None,
        authorization_response: str | None = None,
        body: str = "",
        auth: Any = None,
        username: str | None = None,
        password: str | None = None,
        method: str = "POST",
        force_querystring: bool = False,
        timeout: Any = None,
        headers: Mapping[str, str] | None = None,
        verify: Any = None,
        proxies: Any = None,
        include_client_id: bool | None = None,
        client_secret: str | None = None,
        cert: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Obtain a token at ``token_url`` (RFC 6749 §4.1.3, §4.3.2, §4.4.2).

        Raises:
            StateMismatchError: ``authorization_response`` carries another ``state``.
            AuthorizationError: ``authorization_response`` is an error response.
            TokenEndpointError: The server refused (one subclass per ``error`` code).
            MalformedResponseError: The body is not a token response.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
            UsageError: Missing arguments for the grant.
        """
        if method.upper() not in ("POST", "GET"):
            raise UsageError("the method must be POST or GET")
        with self._renew_lock:
            request = self._oauth.prepare_fetch_token(
                token_url,
                code,
                authorization_response,
                body,
                external_auth=auth is not None,
                username=username,
                password=password,
                include_client_id=include_client_id,
                client_secret=client_secret,
                **kwargs,
            )
            if method.upper() == "GET" or force_querystring:
                request = as_query_request(request)
                request = HttpRequest(method.upper(), request.url, request.headers, None)
            response = self._send_token_request(
                request,
                "access_token",
                auth=auth,
                headers=headers,
                timeout=timeout,
                verify=verify,
                proxies=proxies,
                cert=cert,
            )
            with _attach(response):
                self._oauth.accept_token(_neutral(response))
        return self.token

    def refresh_token(
        self,
        token_url: str,
        refresh_token: str | None = None,
        body: str = "",
        auth: Any = None,
        timeout: Any = None,
        headers: Mapping[str, str] | None = None,
        verify: Any = None,
        proxies: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Refresh the token now (RFC 6749 §6); the old refresh token is kept if not rotated.

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The body is not a token response.
            UsageError: No endpoint or no refresh token.
        """
        with self._renew_lock:
            request = self._oauth.prepare_refresh(
                token_url, refresh_token, body, external_auth=auth is not None, **kwargs
            )
            response = self._send_token_request(
                request,
                "refresh_token",
                auth=auth,
                headers=headers,
                timeout=timeout,
                verify=verify,
                proxies=proxies,
            )
            with _attach(response):
                self._oauth.accept_refresh(_neutral(response))
        return self.token

    def fetch_device_authorization(
        self, url: str, scope: str | Sequence[str] | None = None, **kwargs: Any
    ) -> DeviceAuthorization:
        """Start the device flow (RFC 8628 §3.1): show ``user_code`` and ``verification_uri``.

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The body is not a device authorization response.
        """
        core = self._oauth.core
        request = build_device_authorization_request(
            url,
            core.auth,
            now=core.clock(),
            scope=scope if scope is not None else self._oauth.scope,
            extra=kwargs or None,
            allow_insecure_transport=core.allow_insecure_transport,
        )
        response = self._send_token_request(request, "device")
        with _attach(response):
            return parse_device_authorization_response(_neutral(response), now=core.clock())

    def poll_device_token(
        self,
        authorization: DeviceAuthorization,
        token_url: str,
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Wait for the user to approve a device authorization (RFC 8628 §3.4, §3.5).

        Raises:
            AccessDeniedError: The user refused.
            ExpiredTokenError: The device code expired at the server.
            DeviceFlowExpiredError: The deadline passed.
        """
        core = self._oauth.core
        flow = poll_device_token(
            authorization,
            token_url,
            core.auth,
            clock=core.clock,
            deadline=deadline,
            requested_scope=self._oauth.scope,
            allow_insecure_transport=core.allow_insecure_transport,
        )
        token = run_flow(flow, lambda r: _neutral(self._send_token_request(r, "device")), sleep)
        with self._renew_lock:
            core.token = token
        return self.token

    # -- protected requests ------------------------------------------------------------------

    # requests-oauthlib's signature, narrower than requests.Session.request's.
    def request(  # type: ignore[override]
        self,
        method: str | bytes,
        url: str | bytes,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        withhold_token: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        files: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request, authorized with the current token unless ``withhold_token``.

        The token is renewed first when it is (nearly) expired, and once more if the server
        answers ``401`` with ``error="invalid_token"``. ``client_id``/``client_secret`` are
        accepted for compatibility and ignored: renewals use the session's configuration.

        Raises:
            TokenExpiredError: The token expired and cannot be renewed.
            InsecureTransportError: A token would go over plain http to a non-loopback host.
        """
        del client_id, client_secret
        method = method.decode() if isinstance(method, bytes) else method
        url = url.decode() if isinstance(url, bytes) else url
        core = self._oauth.core
        if withhold_token or (core.token is None and not core.should_renew(None)):
            return super().request(method, url, headers=headers, data=data, files=files, **kwargs)
        flow = core.protected_flow()
        response: requests.Response | None = None
        reply: Token | HttpResponse | None = None
        try:
            while True:
                step = flow.send(reply)
                if isinstance(step, Renew):
                    reply = self._renew(step)
                    continue
                if response is not None:  # a retry after a rejected token
                    if not _replayable(data, files):
                        flow.close()
                        return response
                    response.close()
                response = self._send_authorized(
                    step.token, method, url, data, headers, files, kwargs
                )
                reply = _neutral(response, body=False)
        except StopIteration:
            pass
        if response is None:  # pragma: no cover - protected_flow always sends once
            raise UsageError("the protected flow ended without sending the request")
        return response

    def _send_authorized(
        self,
        token: Token | None,
        method: str,
        url: str,
        data: Any,
        headers: Mapping[str, str] | None,
        files: Any,
        kwargs: dict[str, Any],
    ) -> requests.Response:
        core = self._oauth.core
        if token is not None and not self._oauth.compliance_hook["protected_request"]:
            value = core.authorization_header(token)
            if value is not None and "auth" not in kwargs:
                # Set on the prepared request, as an auth hook: no neutral request is built and
                # copied back, and requests merges no second header dictionary.
                check_transport(url, allow_insecure=core.allow_insecure_transport)
                return super().request(
                    method,
                    url,
                    headers=headers,
                    data=data,
                    files=files,
                    auth=_SetAuthorization(value),
                    **kwargs,
                )
        if token is not None:
            for hook in self._oauth.compliance_hook["protected_request"]:
                url, headers, data = hook(url, headers, data)
            check_transport(url, allow_insecure=core.allow_insecure_transport)
            body = None
            if core.placement == "body":  # RFC 6750 §2.2: the token joins a form body
                form = data if isinstance(data, (str, bytes)) else urlencode(data or {}, doseq=True)
                body = form.encode("utf-8") if isinstance(form, str) else form
                headers = {**(headers or {}), "Content-Type": "application/x-www-form-urlencoded"}
            authorized = core.authorize(HttpRequest(method, url, dict(headers or {}), body), token)
            url, headers = authorized.url, authorized.headers
            data = authorized.body if body is not None else data
        return super().request(method, url, headers=headers, data=data, files=files, **kwargs)

    def _renew(self, step: Renew) -> Token:
        core = self._oauth.core
        with self._renew_lock:
            before = core.token
            kind = (
                "refresh_token" if before is not None and before.refresh_token else "access_token"
            )
            token = run_flow(
                core.renew_flow(step.stale, force=step.force),
                lambda r: _neutral(self._send_token_request(r, kind)),
                time.sleep,
            )
            if token is not before and self.token_updater is not None:
                self.token_updater(token.to_dict(now=core.clock()))
        return token

    def _send_token_request(
        self,
        request: HttpRequest,
        kind: str,
        *,
        auth: Any = None,
        headers: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> requests.Response:
        """Send a token-endpoint request with the compliance hooks of ``kind`` around it."""
        url = request.url
        out_headers = {**request.headers, **(headers or {})}
        form = dict(parse_qsl((request.body or b"").decode("utf-8"), keep_blank_values=True))
        if kind == "access_token":
            request_kwargs: dict[str, Any] = {"data": form} if request.body is not None else {}
            for hook in self._oauth.compliance_hook["access_token_request"]:
                url, out_headers, request_kwargs = hook(url, out_headers, request_kwargs)
            data: Any = request_kwargs.pop("data", None)
            settings.update(request_kwargs)
        elif kind == "refresh_token":
            body = (request.body or b"").decode("utf-8")
            for hook in self._oauth.compliance_hook["refresh_token_request"]:
                url, out_headers, body = hook(url, out_headers, body)
            data = dict(parse_qsl(body, keep_blank_values=True))
        else:
            data = form
        settings = {k: v for k, v in settings.items() if v is not None}
        response = super().request(
            request.method,
            url,
            headers=out_headers,
            data=data or None,
            auth=auth if auth is not None else _no_auth,
            **settings,
        )
        if kind in ("access_token", "refresh_token"):
            for hook in self._oauth.compliance_hook[f"{kind}_response"]:
                response = hook(response)
        return response

    def rebuild_auth(self, prepared_request: PreparedRequest, response: requests.Response) -> None:
        """Keep the token on same-origin redirects; send no credential to another origin.

        Unlike ``requests.Session``, never adds ``~/.netrc`` credentials to a redirect.
        """
        previous = response.request.url if response.request is not None else None
        if previous is None or not same_origin(previous, prepared_request.url or ""):
            prepared_request.headers.pop("Authorization", None)


class _SetAuthorization(AuthBase):
    """Put one ``Authorization`` value on a prepared request."""

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Authorization"] = self.value
        return r


def _replayable(data: Any, files: Any) -> bool:
    """Whether a request body can be sent a second time (no files, no one-shot streams)."""
    return files is None and (data is None or isinstance(data, (str, bytes, Mapping, list, tuple)))


class _attach:
    """Attach the driver's response to a server-response error raised in the block."""

    def __init__(self, response: requests.Response) -> None:
        self.response = response

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, ServerResponseError):
            exc.response = self.response
