"""The executor: answer a flow's steps with a driver's I/O until the flow returns.

:func:`run` and :func:`arun` are the loops for blocking and async I/O. Drivers pass an object
with one method per step (:class:`IO` / :class:`AsyncIO`); the loops hold no protocol logic,
so every driver runs every flow the same way. Where a driver must answer
:class:`~oauthkit._core._steps.SendProtected` by *yielding* (httpx's ``Auth.auth_flow``, a
requests auth hook), it calls :func:`pump` / :func:`apump`, which answer every other step and
stop at that one: they are the only step loops.

Three things happen here once for all drivers: every back-channel exchange is logged at DEBUG on
the ``oauthkit`` logger (method, origin and path, purpose, status, elapsed time; never a
header, a query or a body); a driver exception while sending becomes a
:class:`~oauthkit._core._steps.SendFailed` reply so the flow decides whether to retry; and an
error a flow raises about a response gets the driver's own response object attached.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Protocol, TypeVar

from .._errors import ServerResponseError, UsageError
from ._http import HttpRequest, HttpResponse, _where
from ._redact import sent_secrets
from ._steps import (
    Exclusive,
    Flow,
    LoadToken,
    SaveToken,
    SendFailed,
    SendProtected,
    SendRequest,
    Sleep,
    Step,
    TokenIssued,
)

__all__ = [
    "IO",
    "AsyncIO",
    "Stepper",
    "aanswer",
    "answer",
    "apump",
    "arun",
    "log",
    "pump",
    "run",
]

T = TypeVar("T")

log = logging.getLogger("oauthkit")
"""The ``oauthkit`` logger: back-channel exchanges and renewal decisions, at DEBUG, redacted."""


class IO(Protocol):
    """What a blocking driver does for each step."""

    def send(self, step: SendRequest) -> HttpResponse:
        """Send a back-channel request without following redirects; read the body."""

    def send_protected(self, step: SendProtected) -> HttpResponse:
        """Send the caller's request with the patch; status and headers only."""

    def sleep(self, step: Sleep) -> None:
        """Wait."""

    def exclusive(self, step: Exclusive) -> AbstractContextManager[object]:
        """Hold the lock for ``step.key``; raise LockTimeoutError after ``step.timeout``."""

    def token_issued(self, step: TokenIssued) -> None:
        """Hand a new token to the caller's updater."""

    def load_token(self, step: LoadToken) -> Any:
        """The token store's record for ``step.key``, or ``None``."""

    def save_token(self, step: SaveToken) -> int | None:
        """Save to the token store; the new version, or ``None`` without a store."""

    def not_sent(self, error: BaseException) -> bool:
        """Whether ``error`` proves the request never reached the server."""


class AsyncIO(Protocol):
    """What an async driver does for each step."""

    async def send(self, step: SendRequest) -> HttpResponse:
        """See :meth:`IO.send`."""

    async def send_protected(self, step: SendProtected) -> HttpResponse:
        """See :meth:`IO.send_protected`."""

    async def sleep(self, step: Sleep) -> None:
        """See :meth:`IO.sleep`."""

    def exclusive(self, step: Exclusive) -> AbstractAsyncContextManager[object]:
        """See :meth:`IO.exclusive`."""

    async def token_issued(self, step: TokenIssued) -> None:
        """See :meth:`IO.token_issued`."""

    async def load_token(self, step: LoadToken) -> Any:
        """See :meth:`IO.load_token`."""

    async def save_token(self, step: SaveToken) -> int | None:
        """See :meth:`IO.save_token`."""

    def not_sent(self, error: BaseException) -> bool:
        """See :meth:`IO.not_sent`."""


class Stepper:
    """Advances a flow: sends replies or throws errors in, and tracks its result.

    Attributes:
        done: The flow has returned; its value is :attr:`value`.
        value: The flow's return value, once done.
    """

    __slots__ = ("done", "flow", "last", "sent", "value")

    def __init__(self, flow: Flow[Any]) -> None:
        self.flow = flow
        self.last: HttpResponse | None = None
        self.sent: HttpRequest | None = None
        self.done = False
        self.value: Any = None

    def advance(self, reply: object = None, error: BaseException | None = None) -> Step | None:
        """Resume the flow with ``reply`` (or raise ``error`` in it); the next step or ``None``.

        Raises:
            Exception: Whatever the flow raises; a ServerResponseError without a response gets
                the driver's object of the last response the flow was given.
        """
        if isinstance(reply, HttpResponse):
            self.last = reply
        try:
            step: Step = self.flow.throw(error) if error is not None else self.flow.send(reply)
        except StopIteration as stop:
            self.done, self.value = True, stop.value
            return None
        except ServerResponseError as exc:
            _attach(exc, self.last, self.sent)
            raise
        if type(step) is SendRequest:
            self.sent = step.request
        return step


class _Exchange:
    """One back-channel exchange being answered: timed, logged, its failure made a reply."""

    __slots__ = ("started", "step")

    def __init__(self, step: SendRequest) -> None:
        self.step = step
        self.started = time.perf_counter()

    def answered(self, response: HttpResponse) -> HttpResponse:
        self._log(f"HTTP {response.status_code}")
        return response

    def failed(self, error: Exception, not_sent: bool) -> SendFailed:
        self._log(f"failed ({type(error).__name__})")
        return SendFailed(error, not_sent)

    def _log(self, outcome: str) -> None:
        if log.isEnabledFor(logging.DEBUG):
            elapsed = (time.perf_counter() - self.started) * 1000
            request = self.step.request
            log.debug(
                "%s %s (%s): %s in %.1f ms",
                request.method,
                _where(request.url),
                self.step.purpose.value,
                outcome,
                elapsed,
            )


def answer(step: Step, io: IO) -> Any:
    """Answer one step other than SendProtected with blocking I/O.

    Raises:
        Exception: What the driver raises (sending the caller's request, a lock timeout...).
    """
    if isinstance(step, SendRequest):
        exchange = _Exchange(step)
        try:
            response = io.send(step)
        except Exception as exc:
            return exchange.failed(exc, io.not_sent(exc))
        return exchange.answered(response)
    if isinstance(step, Exclusive):
        with io.exclusive(step):
            return run(step.flow, io)
    if isinstance(step, SendProtected):
        raise UsageError("a sub-flow run under a lock must not send the caller's request")
    return getattr(io, step.handler)(step)


def pump(
    stepper: Stepper,
    io: IO,
    reply: object = None,
    error: BaseException | None = None,
    release: Callable[[], object] | None = None,
) -> SendProtected | None:
    """Resume the flow and answer its steps until it asks for the caller's request.

    This is the one blocking step loop. :func:`run` answers ``SendProtected`` itself; a driver
    that must answer it by yielding (httpx's ``Auth``) or from a callback (a requests auth
    hook) calls this instead, between its own sends.

    Args:
        stepper: The flow.
        io: The driver.
        reply: What to send into the flow first (the caller's response).
        error: Or an exception to raise in it.
        release: Called once, before the first step answered here: a driver frees the
            caller's last response (and its connection) before a renewal needs one.

    Returns:
        The next ``SendProtected``, or ``None`` once the flow has returned.
    """
    while (step := stepper.advance(reply, error)) is not None:
        if isinstance(step, SendProtected):
            return step
        if release is not None:
            release()
            release = None
        reply, error = None, None
        try:
            reply = answer(step, io)
        except Exception as exc:
            error = exc
    return None


def _attach(
    error: ServerResponseError, last: HttpResponse | None, sent: HttpRequest | None
) -> None:
    """Give ``error`` the driver's response, and scrub from it the credentials of the request
    that response answers (a server may echo them in a shape redaction does not know)."""
    if error.response is None and last is not None:
        error.response = last.raw
    if sent is not None:
        error.scrub(sent_secrets(sent.body, sent.headers))


def run(
    flow: Flow[T],
    io: IO,
    send_protected: Callable[[SendProtected], HttpResponse] | None = None,
) -> T:
    """Drive ``flow`` to completion with blocking I/O and return its result.

    This loop runs for every protected request, so it steps the flow itself rather than
    through :class:`Stepper` and :func:`pump`; what it does is theirs.

    Args:
        flow: The flow.
        io: The driver.
        send_protected: Sends the caller's request, instead of ``io.send_protected`` (a driver
            keeps one ``io`` per session and passes the call's own request here).

    Raises:
        Exception: Whatever the flow raises; driver exceptions pass through unwrapped.
    """
    protect = io.send_protected if send_protected is None else send_protected
    reply: object = None
    error: BaseException | None = None
    last: HttpResponse | None = None
    sent: HttpRequest | None = None
    while True:
        try:
            step: Step = flow.send(reply) if error is None else flow.throw(error)
        except StopIteration as stop:
            result: T = stop.value
            return result
        except ServerResponseError as exc:
            _attach(exc, last, sent)
            raise
        error = None
        try:
            if isinstance(step, SendProtected):
                reply = protect(step)
            else:
                if type(step) is SendRequest:
                    sent = step.request
                reply = answer(step, io)
        except Exception as exc:
            reply, error = None, exc
        if isinstance(reply, HttpResponse):
            last = reply


async def aanswer(step: Step, io: AsyncIO) -> Any:
    """Answer one step other than SendProtected with async I/O; see :func:`answer`."""
    if isinstance(step, SendRequest):
        exchange = _Exchange(step)
        try:
            response = await io.send(step)
        except Exception as exc:
            return exchange.failed(exc, io.not_sent(exc))
        return exchange.answered(response)
    if isinstance(step, Exclusive):
        async with io.exclusive(step):
            return await arun(step.flow, io)
    if isinstance(step, SendProtected):
        raise UsageError("a sub-flow run under a lock must not send the caller's request")
    result: Awaitable[Any] = getattr(io, step.handler)(step)
    return await result


async def apump(
    stepper: Stepper,
    io: AsyncIO,
    reply: object = None,
    error: BaseException | None = None,
    release: Callable[[], Awaitable[object]] | None = None,
) -> SendProtected | None:
    """The async twin of :func:`pump`."""
    while (step := stepper.advance(reply, error)) is not None:
        if isinstance(step, SendProtected):
            return step
        if release is not None:
            await release()
            release = None
        reply, error = None, None
        try:
            reply = await aanswer(step, io)
        except Exception as exc:
            error = exc
    return None


async def arun(flow: Flow[T], io: AsyncIO) -> T:
    """Drive ``flow`` to completion with async I/O and return its result; see :func:`run`.

    It steps through :class:`Stepper`: an await already costs more than the indirection.
    """
    stepper = Stepper(flow)
    reply: object = None
    error: BaseException | None = None
    while (step := stepper.advance(reply, error)) is not None:
        reply, error = None, None
        try:
            if isinstance(step, SendProtected):
                reply = await io.send_protected(step)
            else:
                reply = await aanswer(step, io)
        except Exception as exc:
            error = exc
    result: T = stepper.value
    return result
