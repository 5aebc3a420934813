"""``OAuth2Auth``: the core's protected-request flow as one ``httpx.Auth`` for sync and async.

The auth flow yields the caller's request with the core's patch; every other step (a renewal
under the token's lock, its token request, the updater) is answered by the executor's
``pump``/``apump`` with the driver's I/O. Token requests go through the client given as
``client=`` (the :class:`~oauthkit.httpx.OAuth2Client` passes itself) or a private one, never
following a redirect, with the time left of the caller's timeout. The caller's response is
never read here, unless the flow retries after ``401 invalid_token``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator, Mapping
from typing import Any

import httpx

from .._compat._hooks import ComplianceHooks
from .._core._run import Stepper, apump, pump
from .._locks import AsyncLocks, ThreadLocks
from .._oauth2._manager import TokenManager
from .._oauth2._token import Token
from .._oauth2._updater import ManagedAuth, TokenUpdater
from ._io import AsyncHttpxIO, HttpxIO, apply_patch, neutral, seconds

__all__ = ["OAuth2Auth", "TokenUpdater"]


def _replayable(request: httpx.Request) -> bool:
    return isinstance(request.stream, httpx.ByteStream)


class OAuth2Auth(ManagedAuth, httpx.Auth):
    """Authorize httpx requests with a :class:`~oauthkit.TokenManager`'s token, renewing it.

    Args:
        manager: The sans-I/O client holding configuration and token. Alternatively pass
            ``token`` alone for a fixed bearer token.
        token: A token dictionary or :class:`oauthkit.Token` (when ``manager`` is not given).
        token_updater: Called with the new token dictionary once per renewal, outside the lock;
            a coroutine function is awaited on async clients.
        client: Sends token requests (an ``httpx.Client`` for sync use, an
            ``httpx.AsyncClient`` for async use); a private one when not given.
        hooks: requests-oauthlib compliance hooks (the clients pass theirs).
        token_store: A :class:`oauthkit.stores.TokenStore` the token is shared through (the
            manager's ``store_key`` names it): one renewal per expiry across processes.

    Raises:
        UsageError: Neither ``manager`` nor ``token`` given.
    """

    def __init__(
        self,
        manager: TokenManager | None = None,
        *,
        token: Mapping[str, Any] | Token | None = None,
        token_updater: TokenUpdater | None = None,
        client: httpx.Client | httpx.AsyncClient | None = None,
        hooks: ComplianceHooks | None = None,
        token_store: Any = None,
    ) -> None:
        super().__init__(manager, token, token_updater, token_store)
        self.client = client
        self.hooks = hooks
        self.locks = ThreadLocks()
        self.alocks = AsyncLocks()
        self._sync_io: HttpxIO | None = None
        self._async_io: AsyncHttpxIO | None = None

    def _io(self) -> HttpxIO:
        io = self._sync_io
        if io is None:
            client = self.client
            if not isinstance(client, httpx.Client):
                client = self.client = httpx.Client()
            io = self._sync_io = HttpxIO(
                client, self.locks, hooks=self.hooks, updater=self._updated, store=self.token_store
            )
        return io

    def _aio(self) -> AsyncHttpxIO:
        io = self._async_io
        if io is None:
            client = self.client
            if not isinstance(client, httpx.AsyncClient):
                client = self.client = httpx.AsyncClient()
            io = AsyncHttpxIO(
                client, self.alocks, hooks=self.hooks, updater=self._updated, store=self.token_store
            )
            self._async_io = io
        return io

    def _flow(self, request: httpx.Request) -> Stepper:
        timeout = seconds(request.extensions.get("timeout"))
        flow = self.manager.protected_flow(
            request.method, str(request.url), replayable=_replayable(request), timeout=timeout
        )
        return Stepper(flow)

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        stepper = self._flow(request)
        io = self._io()
        step = pump(stepper, io)
        while step is not None:
            response = yield apply_patch(request, step.patch)

            def release(response: httpx.Response = response) -> None:
                response.read()  # the retry needs the connection back, and httpx reads it anyway
                response.close()

            step = pump(stepper, io, neutral(response, body=False), release=release)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        stepper = self._flow(request)
        io = self._aio()
        step = await apump(stepper, io)
        while step is not None:
            response = yield apply_patch(request, step.patch)

            async def release(response: httpx.Response = response) -> None:
                await response.aread()
                await response.aclose()

            step = await apump(stepper, io, neutral(response, body=False), release=release)
