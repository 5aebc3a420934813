"""OAuth 2 on httpx: ``OAuth2Client`` and ``AsyncOAuth2Client``, requests-oauthlib's methods.

Protected requests go through :class:`~oauthkit.httpx._oauth2_auth.OAuth2Auth`, installed as
the client's auth; this module adds the session methods (``fetch_token``, ``refresh_token``,
the device flow). On ``AsyncOAuth2Client`` those that make requests are awaitable and
``token_updater`` may be a coroutine function.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

import anyio
import httpx

from .._compat._attributes import SessionAttributes, TokenUpdater
from .._compat._session import OAuth2SessionState, as_query_request
from .._core._http import HttpRequest, HttpResponse
from .._core._run import run_flow, run_flow_async
from .._core._steps import SendRequest, Sleep
from .._errors import ServerResponseError, UsageError
from .._oauth2._device import (
    DeviceAuthorization,
    build_device_authorization_request,
    parse_device_authorization_response,
    poll_device_token,
)
from .._oauth2._token import Token
from ._auth import OAuth2Auth, neutral, to_httpx

__all__ = ["AsyncOAuth2Client", "OAuth2Client"]


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
        timeout: Any,
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
        out = httpx.Request(request.method, url, headers=out_headers, **request_kwargs)
        return _with_timeout(out, timeout)

    def _accept_fetch(self, response: httpx.Response) -> dict[str, Any]:
        for hook in self._oauth.compliance_hook["access_token_response"]:
            response = hook(response)
        try:
            self._oauth.accept_token(neutral(response))
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
        timeout: Any,
        unsupported: Mapping[str, Any],
        kwargs: dict[str, Any],
    ) -> httpx.Request:
        _refuse_client_settings(unsupported)
        request = self._oauth.prepare_refresh(
            token_url, refresh_token, body, external_auth=auth is not None, **kwargs
        )
        neutral = self._oauth_auth._token_request(request, refresh=True)
        neutral.headers.update(headers or {})
        return _with_timeout(neutral, timeout)

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
        return to_httpx(
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


def _with_timeout(request: httpx.Request, timeout: Any) -> httpx.Request:
    """Give a token request the caller's ``timeout=`` (requests-oauthlib takes it per call)."""
    if timeout is not None:
        request.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    return request


def _refuse_client_settings(settings: Mapping[str, Any]) -> None:
    given = sorted(name for name, value in settings.items() if value is not None)
    if given:
        raise UsageError(
            f"{', '.join(given)}: httpx sets these on the client, not per request; "
            "pass them to the client's constructor"
        )


def _parse_device(response: httpx.Response, clock: Callable[[], float]) -> DeviceAuthorization:
    try:
        return parse_device_authorization_response(neutral(response), now=clock())
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
                timeout,
                include_client_id,
                client_secret,
                {"verify": verify, "proxies": proxies, "cert": cert},
                kwargs,
            )
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
                timeout,
                {"verify": verify, "proxies": proxies},
                kwargs,
            )
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
        token = run_flow(flow, lambda r: neutral(self.send(to_httpx(r), auth=None)), sleep)
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
                timeout,
                include_client_id,
                client_secret,
                {"verify": verify, "proxies": proxies, "cert": cert},
                kwargs,
            )
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
                timeout,
                {"verify": verify, "proxies": proxies},
                kwargs,
            )
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
            return neutral(await self.send(to_httpx(request), auth=None))

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
