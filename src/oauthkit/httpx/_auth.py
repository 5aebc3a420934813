"""``OAuth2Auth``: the core's protected-request flow as one ``httpx.Auth`` for sync and async.

Renewals are token requests yielded through the same client while holding a lock
(``threading.Lock`` for sync clients, ``anyio.Lock`` for async ones), so that many requests
noticing one expired token cause one renewal (RFC 6749 §6). The caller's request is sent
outside the lock and its response is never read here (RFC 6750 §3.1 needs only the headers).
"""

from __future__ import annotations

import inspect
import threading
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any

import anyio
import httpx

from .._compat._attributes import TokenUpdater
from .._compat._session import ExternalAuth
from .._core._http import HttpRequest, HttpResponse, check_transport
from .._core._steps import SendRequest, Sleep
from .._errors import UsageError
from .._oauth2._manager import OAuth2Client as CoreClient
from .._oauth2._manager import Renew
from .._oauth2._token import Token

__all__ = ["OAuth2Auth", "neutral", "to_httpx"]


def to_httpx(request: HttpRequest) -> httpx.Request:
    """An ``httpx.Request`` for a core request."""
    return httpx.Request(
        request.method, request.url, headers=dict(request.headers), content=request.body
    )


def neutral(response: httpx.Response, *, body: bool = True) -> HttpResponse:
    """The core's view of an httpx response; ``body=False`` leaves the caller's body unread."""
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
        if not self.hooks.get("protected_request"):
            value = self.client.authorization_header(token)
            if value is not None:
                # httpx.URL and httpx.Headers are costly to rebuild; the URL does not change.
                check_transport(
                    str(request.url), allow_insecure=self.client.allow_insecure_transport
                )
                request.headers["Authorization"] = value
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
        return neutral(response)

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
            reply = neutral(response, body=False)

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
            reply = neutral(response, body=False)
