"""The asyncio (anyio) twin of :func:`oauthkit.native.login`, for ``AsyncOAuth2Client``.

The modes, checks and receiver are :mod:`._login`'s and :mod:`._receiver`'s; only the waits
differ. The loopback server stays on its own threads; the event loop polls its receiver, so a
cancelled login stops waiting at once. The browser opener and the paste prompt (blocking calls)
run on worker threads.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from .._errors import DeviceFlowExpiredError, LoginTimeoutError
from .._loopback import LoopbackServer
from ._login import (
    _LOOPBACK_HOST,
    _READ_TIMEOUT,
    PASTE_PROMPT,
    LoginResult,
    Mode,
    Plan,
    _free_port,
    plan_login,
)
from ._receiver import RedirectReceiver

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from ..httpx import AsyncOAuth2Client

__all__ = ["alogin"]

_POLL = 0.05


async def alogin(
    client: AsyncOAuth2Client,
    *,
    mode: Mode = "auto",
    browser: bool = True,
    open_browser: Callable[[str], object] | None = None,
    port: int = 0,
    redirect_path: str = "/callback",
    timeout: float = 300.0,
    client_secret: str | None = None,
    authorization_endpoint: str | None = None,
    token_endpoint: str | None = None,
    device_authorization_endpoint: str | None = None,
    authorization_params: Mapping[str, Any] | None = None,
    on_device_code: Callable[[DeviceAuthorization], object] | None = None,
    read_input: Callable[[str], str] | None = None,
    show: Callable[[str], object] | None = None,
    environ: Mapping[str, str] | None = None,
    sleep: Callable[[float], Awaitable[object]] | None = None,
) -> LoginResult:
    """:func:`oauthkit.native.login` for ``oauthkit.httpx.AsyncOAuth2Client``.

    The arguments, result and errors are :func:`~oauthkit.native.login`'s. ``open_browser``
    and ``read_input`` are plain (blocking) callables, run on a worker thread; ``sleep`` is
    awaited (default ``anyio.sleep``).
    """
    plan = plan_login(client, dict(locals()), awaitable=True)  # the arguments, as given
    import anyio.to_thread

    if client._oauth.issuer is not None:
        plan.metadata(await client.discover())
    plan.deadline = time.time() + plan.timeout
    if plan.try_browser():
        result = await _via_loopback(plan)
        if result is not None:
            return result
    device_endpoint = plan.fallback()
    if device_endpoint is not None:
        authorization = await client.fetch_device_authorization(device_endpoint)
        plan.on_device_code(authorization)
        try:
            token = await client.poll_device_token(
                authorization, plan.token_endpoint, deadline=plan.deadline, sleep=sleep
            )
        except DeviceFlowExpiredError as exc:
            raise plan.timed_out(exc) from exc
        return LoginResult(token, "device")
    redirect_uri, url, _ = plan.prepare(plan.port or _free_port())
    plan.show_url(url)
    text = await anyio.to_thread.run_sync(plan.read_input, PASTE_PROMPT)
    token = await client.fetch_token(
        plan.token_endpoint, authorization_response=plan.pasted(text), **plan.token_params
    )
    return LoginResult(token, "paste", redirect_uri)


async def _via_loopback(plan: Plan) -> LoginResult | None:
    import anyio
    import anyio.to_thread

    receiver = RedirectReceiver(plan.path)
    with LoopbackServer(receiver, _LOOPBACK_HOST, plan.port, read_timeout=_READ_TIMEOUT) as srv:
        redirect_uri, url, state = plan.prepare(srv.port)
        receiver.expect(state, redirect_uri)
        if await anyio.to_thread.run_sync(plan.opener, url) is False:
            if plan.mode != "loopback":
                return None
            plan.show_url(url)
        deadline = time.monotonic() + plan.timeout
        while not receiver.received:
            if time.monotonic() >= deadline:
                raise LoginTimeoutError("the browser did not come back to the redirect URI in time")
            await anyio.sleep(_POLL)
        callback = receiver.result()
        try:
            token = await plan.session.fetch_token(
                plan.token_endpoint, authorization_response=callback, **plan.token_params
            )
        except BaseException as exc:
            await anyio.to_thread.run_sync(receiver.finish, exc)
            raise
        await anyio.to_thread.run_sync(receiver.finish)
    return LoginResult(token, "loopback", redirect_uri)
