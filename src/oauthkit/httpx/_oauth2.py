"""OAuth 2 on httpx: ``OAuth2Auth``, ``OAuth2Client`` and ``AsyncOAuth2Client``.

``OAuth2Auth`` runs the core's protected-request flow (:meth:`OAuth2Client.protected_flow`) as
an ``httpx.Auth`` flow: renewals are token requests yielded through the same client, made while
holding a lock (``threading.Lock`` for sync clients, ``anyio.Lock`` for async ones) so that
many requests noticing one expired token cause one renewal. The caller's request is sent
outside the lock and its response is never read here.

The clients add requests-oauthlib's session methods; on ``AsyncOAuth2Client`` those that make
requests are awaitable and ``token_updater`` may be a coroutine function.
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping, Sequence
from typing import Any

import anyio
import httpx

from .._device import (
    DeviceAuthorization,
    build_device_authorization_request,
    parse_device_authorization_response,
    poll_device_token,
)
from .._errors import ServerResponseError, UsageError
from .._http import HttpRequest, HttpResponse, check_transport
from .._oauth2_client import OAuth2Client as CoreClient
from .._oauth2_client import Renew
from .._oauth2_session import ExternalAuth, OAuth2SessionState, as_query_request
from .._run import run_flow, run_flow_async
from .._session_attributes import SessionAttributes, TokenUpdater
from .._steps import SendRequest, Sleep
from .._token import Token

__all__ = ["AsyncOAuth2Client", "OAuth2Auth", "OAuth2Client"]


def _to_httpx(request: HttpRequest) -> httpx.Request:
    return httpx.Request(
        request.method, request.url, headers=dict(request.headers), content=request.body
    )


def _neutral(response: httpx.Response, *, body: bool = True) -> HttpResponse:
    return HttpResponse(response.status_code, response.headers, response.content if body else b"")


def _replayable(request: httpx.Request) -> bool:
    return isinstance(request.stream, httpx.ByteStream)


class OAuth2Auth(httpx.Auth):
    """Authorize httpx requests with an :class:`oauthkit.OAuth2Client`'s token.

    Args:
        client: The sans-I/O client holding configuration and token. Alternatively pass
            ``token`` alone for a static bearer token.
        token: A token dictionary or :class:`oauthkit.Token` (when ``client`` is not given).
        token_updater: Called with the new token dictionary once per renewal; a coroutine
            function is awaited on async clients.
        hooks: requests-oauthlib style compliance hooks (used by the clients).

    Raises:
        UsageError: Neither ``client`` nor ``token`` given.
    """

    def __init__(
        self,
        client: CoreClient | None = None,
        *,
        token: Mapping[str, Any] | Token | None = None,
        token_updater: TokenUpdater | None = None,
        hooks: Mapping[str, set[Callable[..., Any]]] | None = None,
    ) -> None:
        if client is None:
            if token is None:
                raise UsageError("OAuth2Auth needs an OAuth2Client or a token")
            client = CoreClient("", auth=ExternalAuth(""), token=token)  # a static token
        self.client = client
        self.token_updater = token_updater
        self.hooks: Mapping[str, set[Callable[..., Any]]] = hooks or {}
        self._lock = threading.Lock()
        self._alock = anyio.Lock()

    def __repr__(self) -> str:
        return f"OAuth2Auth({self.client!r})"

    def _authorize(self, request: httpx.Request, token: Token | None) -> httpx.Request:
        if token is None:
            return request
        url = str(request.url)
        headers = dict(request.headers)
        for hook in self.hooks.get("protected_request", ()):
            url, headers, _ = hook(url, headers, None)
        check_transport(url, allow_insecure=self.client.allow_insecure_transport)
        body = request.content if self.client.placement == "body" else None
        authorized = self.client.authorize(HttpRequest(request.method, url, headers, body), token)
        request.url = httpx.URL(authorized.url)
        request.headers = httpx.Headers(authorized.headers)
        if body is not None and authorized.body is not None:
            request.stream = httpx.ByteStream(authorized.body)
            request.headers["Content-Length"] = str(len(authorized.body))
        return request

    def _token_request(self, request: HttpRequest, refresh: bool) -> httpx.Request:
        url, headers, body = request.url, dict(request.headers), request.body
        if refresh:
            text = (body or b"").decode("utf-8")
            for hook in self.hooks.get("refresh_token_request", ()):
                url, headers, text = hook(url, headers, text)
            body = text.encode("utf-8")
        return httpx.Request(request.method, url, headers=headers, content=body)

    def _token_response(self, response: httpx.Response, refresh: bool) -> HttpResponse:
        if refresh:
            for hook in self.hooks.get("refresh_token_response", ()):
                response = hook(response)
        return _neutral(response)

    def _updated(self, before: Token | None, token: Token) -> dict[str, Any] | None:
        if token is before or self.token_updater is None:
            return None
        return token.to_dict(now=self.client.clock())

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        flow = self.client.protected_flow()
        reply: Token | HttpResponse | None = None
        sent = False
        while True:
            try:
                step = flow.send(reply)
            except StopIteration:
                return
            if isinstance(step, Renew):
                with self._lock:
                    before = self.client.token
                    refresh = before is not None and before.refresh_token is not None
                    renew = self.client.renew_flow(step.stale, force=step.force)
                    token = yield from self._run_renewal(renew, refresh)
                    update = self._updated(before, token)
                    if update is not None and self.token_updater is not None:
                        self.token_updater(update)
                reply = token
                continue
            if sent and not _replayable(request):
                return  # cannot resend a consumed stream; the 401 stands
            response = yield self._authorize(request, step.token)
            sent = True
            reply = _neutral(response, body=False)

    def _run_renewal(
        self, renew: Generator[SendRequest | Sleep, HttpResponse | None, Token], refresh: bool
    ) -> Generator[httpx.Request, httpx.Response, Token]:
        reply: HttpResponse | None = None
        while True:
            try:
                step = renew.send(reply)
            except StopIteration as done:
                token: Token = done.value
                return token
            if isinstance(step, Sleep):
                time.sleep(step.seconds)
                reply = None
                continue
            response = yield self._token_request(step.request, refresh)
            response.read()
            reply = self._token_response(response, refresh)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.client.protected_flow()
        reply: Token | HttpResponse | None = None
        sent = False
        while True:
            try:
                step = flow.send(reply)
            except StopIteration:
                return
            if isinstance(step, Renew):
                async with self._alock:
                    before = self.client.token
                    refresh = before is not None and before.refresh_token is not None
                    renew = self.client.renew_flow(step.stale, force=step.force)
                    answer: HttpResponse | None = None
                    while True:
                        try:
                            token_step = renew.send(answer)
                        except StopIteration as done:
                            token: Token = done.value
                            break
                        if isinstance(token_step, Sleep):
                            await anyio.sleep(token_step.seconds)
                            answer = None
                            continue
                        response = yield self._token_request(token_step.request, refresh)
                        await response.aread()
                        answer = self._token_response(response, refresh)
                    update = self._updated(before, token)
                    if update is not None and self.token_updater is not None:
                        result = self.token_updater(update)
                        if inspect.isawaitable(result):
                            await result
                reply = token
                continue
            if sent and not _replayable(request):
                return
            response = yield self._authorize(request, step.token)
            sent = True
            reply = _neutral(response, body=False)


class _ClientBase(SessionAttributes):
    """What the sync and async clients share: construction and request building."""

    _oauth: OAuth2SessionState
    _oauth_auth: OAuth2Auth

    def _make_auth(self, token_updater: TokenUpdater | None) -> OAuth2Auth:
        self._oauth_auth = OAuth2Auth(
            self._oauth.core, token_updater=token_updater, hooks=self._oauth.compliance_hook
        )
        return self._oauth_auth

    @property
    def token_updater(self) -> TokenUpdater | None:
        """Called with the new token dictionary once per automatic renewal."""
        return self._oauth_auth.token_updater

    @token_updater.setter
    def token_updater(self, value: TokenUpdater | None) -> None:
        self._oauth_auth.token_updater = value

    def _fetch_request(
        self,
        token_url: str,
        code: str | None,
        authorization_response: str | None,
        body: str,
        auth: Any,
        username: str | None,
        password: str | None,
        method: str,
        force_querystring: bool,
        headers: Mapping[str, str] | None,
        include_client_id: bool | None,
        client_secret: str | None,
        unsupported: Mapping[str, Any],
        kwargs: dict[str, Any],
    ) -> httpx.Request:
        _refuse_client_settings(unsupported)
        if method.upper() not in ("POST", "GET"):
            raise UsageError("the method must be POST or GET")
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
            query = as_query_request(request)
            request = HttpRequest(method.upper(), query.url, query.headers, None)
        url, out_headers = request.url, {**request.headers, **(headers or {})}
        request_kwargs: dict[str, Any] = {"content": request.body}
        for hook in self._oauth.compliance_hook["access_token_request"]:
            url, out_headers, request_kwargs = hook(url, out_headers, request_kwargs)
        return httpx.Request(request.method, url, headers=out_headers, **request_kwargs)

    def _accept_fetch(self, response: httpx.Response) -> dict[str, Any]:
        for hook in self._oauth.compliance_hook["access_token_response"]:
            response = hook(response)
        try:
            self._oauth.accept_token(_neutral(response))
        except ServerResponseError as exc:
            exc.response = response
            raise
        return self.token

    def _refresh_request(
        self,
        token_url: str,
        refresh_token: str | None,
        body: str,
        auth: Any,
        headers: Mapping[str, str] | None,
        unsupported: Mapping[str, Any],
        kwargs: dict[str, Any],
    ) -> httpx.Request:
        _refuse_client_settings(unsupported)
        request = self._oauth.prepare_refresh(
            token_url, refresh_token, body, external_auth=auth is not None, **kwargs
        )
        neutral = self._oauth_auth._token_request(request, refresh=True)
        neutral.headers.update(headers or {})
        return neutral

    def _accept_refresh(self, response: httpx.Response) -> dict[str, Any]:
        try:
            self._oauth.accept_refresh(self._oauth_auth._token_response(response, refresh=True))
        except ServerResponseError as exc:
            exc.response = response
            raise
        return self.token

    def _device_request(
        self, url: str, scope: str | Sequence[str] | None, kwargs: dict[str, Any]
    ) -> httpx.Request:
        core = self._oauth.core
        return _to_httpx(
            build_device_authorization_request(
                url,
                core.auth,
                now=core.clock(),
                scope=scope if scope is not None else self._oauth.scope,
                extra=kwargs or None,
                allow_insecure_transport=core.allow_insecure_transport,
            )
        )

    def _device_flow(
        self, authorization: DeviceAuthorization, token_url: str, deadline: float | None
    ) -> Generator[SendRequest | Sleep, HttpResponse | None, Token]:
        core = self._oauth.core
        return poll_device_token(
            authorization,
            token_url,
            core.auth,
            clock=core.clock,
            deadline=deadline,
            requested_scope=self._oauth.scope,
            allow_insecure_transport=core.allow_insecure_transport,
        )


def _refuse_client_settings(settings: Mapping[str, Any]) -> None:
    given = sorted(name for name, value in settings.items() if value is not None)
    if given:
        raise UsageError(
            f"{', '.join(given)}: httpx sets these on the client, not per request; "
            "pass them to the client's constructor"
        )


def _parse_device(response: httpx.Response, clock: Callable[[], float]) -> DeviceAuthorization:
    try:
        return parse_device_authorization_response(_neutral(response), now=clock())
    except ServerResponseError as exc:
        exc.response = response
        raise


class OAuth2Client(_ClientBase, httpx.Client):
    """An ``httpx.Client`` with requests-oauthlib's ``OAuth2Session`` methods and arguments.

    OAuth arguments are those of ``OAuth2Session``; every other keyword goes to
    ``httpx.Client``. ``verify``, ``proxies`` and ``cert`` belong to the client in httpx, so
    the fetch methods refuse them per call.
    """

    def _start(self, token_updater: TokenUpdater | None) -> None:
        self.auth = self._make_auth(token_updater)

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
        """Obtain a token; see :meth:`oauthkit.requests.OAuth2Session.fetch_token`."""
        with self._oauth_auth._lock:
            request = self._fetch_request(
                token_url,
                code,
                authorization_response,
                body,
                auth,
                username,
                password,
                method,
                force_querystring,
                headers,
                include_client_id,
                client_secret,
                {"verify": verify, "proxies": proxies, "cert": cert},
                kwargs,
            )
            if timeout is not None:
                request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
            return self._accept_fetch(self.send(request, auth=auth))

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
        """Refresh now; see :meth:`oauthkit.requests.OAuth2Session.refresh_token`."""
        with self._oauth_auth._lock:
            request = self._refresh_request(
                token_url,
                refresh_token,
                body,
                auth,
                headers,
                {"verify": verify, "proxies": proxies},
                kwargs,
            )
            if timeout is not None:
                request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
            return self._accept_refresh(self.send(request, auth=auth))

    def fetch_device_authorization(
        self, url: str, scope: str | Sequence[str] | None = None, **kwargs: Any
    ) -> DeviceAuthorization:
        """Start the device flow (RFC 8628 §3.1)."""
        response = self.send(self._device_request(url, scope, kwargs), auth=None)
        return _parse_device(response, self._oauth.core.clock)

    def poll_device_token(
        self,
        authorization: DeviceAuthorization,
        token_url: str,
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Wait for the user's decision (RFC 8628 §3.4, §3.5); see the requests driver."""
        flow = self._device_flow(authorization, token_url, deadline)
        token = run_flow(flow, lambda r: _neutral(self.send(_to_httpx(r), auth=None)), sleep)
        with self._oauth_auth._lock:
            self._oauth.core.token = token
        return self.token

    def request(
        self, method: str, url: httpx.URL | str, *, withhold_token: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; ``withhold_token=True`` sends it without the token."""
        if withhold_token:
            kwargs["auth"] = None
        return super().request(method, url, **kwargs)


class AsyncOAuth2Client(_ClientBase, httpx.AsyncClient):
    """The ``httpx.AsyncClient`` twin of :class:`OAuth2Client`; fetch methods are awaitable."""

    def _start(self, token_updater: TokenUpdater | None) -> None:
        self.auth = self._make_auth(token_updater)

    async def fetch_token(
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
        """Obtain a token; see :meth:`oauthkit.requests.OAuth2Session.fetch_token`."""
        async with self._oauth_auth._alock:
            request = self._fetch_request(
                token_url,
                code,
                authorization_response,
                body,
                auth,
                username,
                password,
                method,
                force_querystring,
                headers,
                include_client_id,
                client_secret,
                {"verify": verify, "proxies": proxies, "cert": cert},
                kwargs,
            )
            if timeout is not None:
                request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
            return self._accept_fetch(await self.send(request, auth=auth))

    async def refresh_token(
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
        """Refresh now; see :meth:`oauthkit.requests.OAuth2Session.refresh_token`."""
        async with self._oauth_auth._alock:
            request = self._refresh_request(
                token_url,
                refresh_token,
                body,
                auth,
                headers,
                {"verify": verify, "proxies": proxies},
                kwargs,
            )
            if timeout is not None:
                request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
            return self._accept_refresh(await self.send(request, auth=auth))

    async def fetch_device_authorization(
        self, url: str, scope: str | Sequence[str] | None = None, **kwargs: Any
    ) -> DeviceAuthorization:
        """Start the device flow (RFC 8628 §3.1)."""
        response = await self.send(self._device_request(url, scope, kwargs), auth=None)
        return _parse_device(response, self._oauth.core.clock)

    async def poll_device_token(
        self,
        authorization: DeviceAuthorization,
        token_url: str,
        *,
        deadline: float | None = None,
        sleep: Callable[[float], Any] = anyio.sleep,
    ) -> dict[str, Any]:
        """Wait for the user's decision (RFC 8628 §3.4, §3.5)."""

        async def send(request: HttpRequest) -> HttpResponse:
            return _neutral(await self.send(_to_httpx(request), auth=None))

        flow = self._device_flow(authorization, token_url, deadline)
        token = await run_flow_async(flow, send, sleep)
        async with self._oauth_auth._alock:
            self._oauth.core.token = token
        return self.token

    async def request(
        self, method: str, url: httpx.URL | str, *, withhold_token: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; ``withhold_token=True`` sends it without the token."""
        if withhold_token:
            kwargs["auth"] = None
        return await super().request(method, url, **kwargs)
