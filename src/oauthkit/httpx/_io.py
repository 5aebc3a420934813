"""The httpx driver's I/O: answering the core's steps with an ``httpx.Client`` or ``AsyncClient``.

Everything here is mechanical, twice: :class:`HttpxIO` and :class:`AsyncHttpxIO` send the
back-channel requests the core builds (never following a redirect, with the remaining time of
the operation as the request's timeout, running the compliance hooks the core's table names);
:func:`apply_patch` puts a patch on an ``httpx.Request``; :func:`strip_redirect_hop` takes away,
on a redirect hop, what the patch says (:meth:`~oauthkit.RequestPatch.redirect`).
"""

from __future__ import annotations

import inspect
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx

from .._blocking import BlockingIO
from .._compat._hooks import ComplianceHooks
from .._core._http import HttpRequest, HttpResponse, acollect_body, collect_body
from .._core._patch import RequestPatch
from .._core._steps import (
    Exclusive,
    LoadToken,
    SaveToken,
    SendProtected,
    SendRequest,
    Sleep,
    TokenIssued,
)
from .._locks import AsyncLocks, ThreadLocks, process_async_locks

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._blocking import IOOptions
    from ..stores._base import StoredToken

__all__ = [
    "PATCH_KEY",
    "AsyncHttpxIO",
    "HttpxIO",
    "apply_patch",
    "neutral",
    "not_sent",
    "seconds",
    "strip_redirect_hop",
    "to_httpx",
]

PATCH_KEY = "oauthkit.patch"
"""Request extension carrying (patch, first URL); httpx copies it onto redirect hops."""


def to_httpx(request: HttpRequest, timeout: float | None = None) -> httpx.Request:
    """An ``httpx.Request`` for a core request, with ``timeout`` seconds if given."""
    out = httpx.Request(
        request.method, request.url, headers=dict(request.headers), content=request.body
    )
    if timeout is not None:
        out.extensions["timeout"] = httpx.Timeout(timeout).as_dict()
    return out


def neutral(response: httpx.Response, *, body: bool = True) -> HttpResponse:
    """The core's view of a response; ``body=False`` leaves the caller's body unread."""
    return HttpResponse(
        response.status_code, response.headers, response.content if body else b"", response
    )


def not_sent(error: BaseException) -> bool:
    """Whether an httpx exception proves the request never reached the server."""
    return isinstance(error, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))


def seconds(timeout: Any) -> float | None:
    """An httpx timeout (a number, an ``httpx.Timeout`` or a request's timeout extension) as
    one budget in seconds, its read timeout; ``None`` when it sets none."""
    if timeout is None:
        return None
    if isinstance(timeout, (int, float)):
        return float(timeout)
    if isinstance(timeout, httpx.Timeout):
        return timeout.read
    if isinstance(timeout, dict):
        value = timeout.get("read")
        return None if value is None else float(value)
    return None


def _body(request: httpx.Request) -> bytes | None:
    try:
        return request.content
    except httpx.RequestNotRead:
        return None


def _with_body(request: httpx.Request, url: str, content: bytes | None) -> httpx.Request:
    headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
    return httpx.Request(
        request.method, url, headers=headers, content=content, extensions=request.extensions
    )


def apply_patch(request: httpx.Request, patch: RequestPatch) -> httpx.Request:
    """``request`` with ``patch`` on it, marked for redirect hops.

    A header-only patch is set on ``request`` itself; a patch that changes the URL or the body
    gives a new request, so ``request`` stays as the caller built it for a retry.

    Raises:
        UsageError: The patch cannot go on this request (body placement on a GET...).
    """
    out = request
    if patch.query or patch.form:
        url = patch.apply_url(str(request.url))
        content = _body(request)
        if patch.form:
            content, content_type = patch.apply_body(
                request.method, content, request.headers.get("Content-Type")
            )
        out = _with_body(request, url, content)
        if patch.form:
            out.headers["Content-Type"] = content_type
    for name, value in patch.headers:
        out.headers[name] = value
    if (
        patch.query
        or patch.form
        or len(patch.headers) != 1
        or patch.headers[0][0] != ("Authorization")
    ):
        # httpx itself drops Authorization on a hop to another host; anything else is ours.
        out.extensions = {**out.extensions, PATCH_KEY: (patch, str(out.url))}
    return out


def strip_redirect_hop(request: httpx.Request) -> None:
    """On a redirect hop of a patched request, remove what the patch says must not follow.

    httpx builds each hop from the previous one and copies its extensions; the first hop's URL
    is the origin credentials may stay on. Call it from a request event hook, after the body
    of a 307/308 hop has been read.
    """
    marker = request.extensions.get(PATCH_KEY)
    if not isinstance(marker, tuple):
        return
    patch, first_url = marker
    if str(request.url) == first_url:
        return
    strip = patch.redirect(first_url, str(request.url))
    for name in strip.headers:
        request.headers.pop(name, None)
    if strip.query:
        request.url = httpx.URL(strip.strip_url(str(request.url)))
    body = _body(request)
    if strip.form and body:
        kept = strip.strip_body(body)
        request.stream = httpx.ByteStream(kept)
        request.headers["Content-Length"] = str(len(kept))


def _deadline(step: SendRequest) -> float | None:
    return None if step.timeout is None else time.monotonic() + step.timeout


def _received(response: httpx.Response, body: bytes | None, step: SendRequest) -> None:
    """Keep the collected body as the response's content, or time out if it came too late."""
    if body is None:
        raise httpx.ReadTimeout(
            f"the body did not arrive within {step.timeout:.3g} s", request=response.request
        )
    response._content = body  # what read() would have stored, capped at MAX_BODY + 1 bytes


class _Sender:
    """What both I/O twins share: building the back-channel request with the hooks."""

    hooks: ComplianceHooks | None

    def request_for(self, step: SendRequest) -> tuple[httpx.Request, tuple[Any, ...]]:
        if self.hooks:
            step = self.hooks.prepare(step)
        responders = self.hooks.responders(step.purpose) if self.hooks else ()
        return to_httpx(step.request, step.timeout), responders

    def not_sent(self, error: BaseException) -> bool:
        """See :func:`not_sent`."""
        return not_sent(error)


class HttpxIO(_Sender, BlockingIO):
    """Answers the core's steps for one call, through an ``httpx.Client``.

    ``options`` are those of :class:`~oauthkit._blocking.BlockingIO`.
    """

    def __init__(
        self, client: httpx.Client, locks: ThreadLocks, **options: Unpack[IOOptions]
    ) -> None:
        super().__init__(locks, **options)
        self.client = client

    def send(self, step: SendRequest) -> HttpResponse:
        """Send a back-channel request, never following a redirect."""
        request, responders = self.request_for(step)
        deadline = _deadline(step)
        response = self.client.send(request, auth=self.auth, follow_redirects=False, stream=True)
        try:
            body = collect_body(response.iter_bytes(), deadline)
        finally:
            response.close()
        _received(response, body, step)
        for hook in responders:
            response = hook(response)
        return neutral(response)


class AsyncHttpxIO(_Sender):
    """Answers the core's steps for one call, through an ``httpx.AsyncClient``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        locks: AsyncLocks,
        *,
        hooks: ComplianceHooks | None = None,
        auth: Any = None,
        updater: Callable[[Any], object] | None = None,
        sleep: Callable[[float], Awaitable[object]] | None = None,
        store: Any = None,  # a TokenStore (used in worker threads) or an AsyncTokenStore
    ) -> None:
        import anyio

        self.client = client
        self.locks = locks
        self.hooks = hooks
        self.auth = auth
        self.updater = updater
        self._sleep = sleep or anyio.sleep
        self.store = store

    async def send(self, step: SendRequest) -> HttpResponse:
        """Send a back-channel request, never following a redirect."""
        request, responders = self.request_for(step)
        deadline = _deadline(step)
        response = await self.client.send(
            request, auth=self.auth, follow_redirects=False, stream=True
        )
        try:
            body = await acollect_body(response.aiter_bytes(), deadline)
        finally:
            await response.aclose()
        _received(response, body, step)
        for hook in responders:
            response = hook(response)
        return neutral(response)

    async def send_protected(self, step: SendProtected) -> HttpResponse:
        """Never asked: the auth flow answers it by yielding the request."""
        raise TypeError("this call sends no protected request")

    async def sleep(self, step: Sleep) -> None:
        """Wait."""
        await self._sleep(step.seconds)

    def exclusive(self, step: Exclusive) -> AbstractAsyncContextManager[None]:
        """Hold the client's lock for the step's key (the event loop's when ``process``), and
        the store's when ``shared``."""
        if step.process:
            return process_async_locks().hold(step.key, step.timeout)
        locks: AsyncLocks = self.locks
        if not step.shared or self.store is None:
            return locks.hold(step.key, step.timeout)
        return _both(locks, self.store, step)

    async def load_token(self, step: LoadToken) -> StoredToken | None:
        """The store's record (a blocking store's read in a worker thread), or ``None``."""
        import anyio.to_thread

        store: Any = self.store
        if store is None:
            return None
        if _awaits(store):
            record: StoredToken | None = await store.load(step.key)
            return record
        return await anyio.to_thread.run_sync(store.load, step.key)

    async def save_token(self, step: SaveToken) -> int | None:
        """Save to the store (a blocking store in a worker thread); the new version."""
        import anyio.to_thread

        store: Any = self.store
        if store is None:
            return None
        if _awaits(store):
            version: int = await store.save(step.key, step.token, version=step.version)
            return version
        return await anyio.to_thread.run_sync(
            lambda: store.save(step.key, step.token, version=step.version)
        )

    async def token_issued(self, step: TokenIssued) -> None:
        """Hand the new token to the caller's updater, awaiting it if it is a coroutine."""
        if self.updater is not None:
            result = self.updater(step.token)
            if isinstance(result, Awaitable):
                await result


def _awaits(store: Any) -> bool:
    """Whether ``store`` is an asyncio store (``AsyncTokenStore``) rather than a blocking one."""
    return inspect.iscoroutinefunction(store.load)


@asynccontextmanager
async def _both(locks: AsyncLocks, store: Any, step: Exclusive) -> AsyncIterator[None]:
    """This process's lock, then the store's (a blocking store's taken and released in a
    worker thread), within one deadline."""
    import anyio.to_thread

    started = time.monotonic()
    async with locks.hold(step.key, step.timeout):
        left = None if step.timeout is None else step.timeout - (time.monotonic() - started)
        held = store.lock(step.key, timeout=None if left is None else max(0.0, left))
        if _awaits(store):
            async with held:
                yield
            return
        await anyio.to_thread.run_sync(held.__enter__)
        try:
            yield
        finally:
            await anyio.to_thread.run_sync(held.__exit__, None, None, None)
