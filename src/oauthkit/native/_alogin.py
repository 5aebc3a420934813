"""The asyncio (anyio) twin of :func:`oauthkit.native.login`, for ``AsyncOAuth2Client``.

The checks are :mod:`._plan`'s and the login is :mod:`._flow`'s one flow, the same as
:func:`~oauthkit.native.login` runs; only its executor differs (:func:`._flow.arun_login`): the
loopback server stays on its own threads and the event loop polls its receiver, so a cancelled
login stops waiting at once; the browser opener and the paste prompt (blocking calls) run on
worker threads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from ._flow import arun_login, login_flow
from ._plan import LoginResult, Mode, plan_login

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from ..httpx import AsyncOAuth2Client

__all__ = ["alogin"]


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
    return await arun_login(login_flow(plan, sleep), client)
