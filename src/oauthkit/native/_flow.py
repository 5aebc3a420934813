"""The one native-app login flow, answered by the library's executors (blocking and async).

:func:`login_flow` is the login of :func:`~oauthkit.native.login` and
:func:`~oauthkit.native.alogin` written once, as a generator, the way the core writes its
flows: where it must wait it yields a step and is sent the result (or has the error thrown in).
The core's executors run it (:func:`oauthkit._core._run.run` / ``arun``), dispatching each step
to the method its ``handler`` names; only these answers differ between the two functions:

======================  ==================================  =====================================
step                    :class:`Answers` (``login``)         :class:`AsyncAnswers` (``alogin``)
======================  ==================================  =====================================
:class:`CallSession`    calls the session's method          awaits the client's method
:class:`CallBlocking`   calls the function                  runs it on a worker thread
:class:`AwaitRedirect`  blocks on the receiver              polls it, so a cancel stops at once
======================  ==================================  =====================================
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any, ClassVar, NoReturn, cast

from .._core._run import IO, AsyncIO, arun, run
from .._core._steps import Flow
from .._errors import DeviceFlowExpiredError, LoginTimeoutError, UsageError
from .._loopback import LoopbackServer
from ._plan import LOOPBACK_HOST, PASTE_PROMPT, READ_TIMEOUT, LoginResult, Plan, free_port
from ._receiver import RedirectReceiver

__all__ = [
    "Answers",
    "AsyncAnswers",
    "AwaitRedirect",
    "CallBlocking",
    "CallSession",
    "LoginFlow",
    "LoginStep",
    "Outcome",
    "arun_login",
    "login_flow",
    "run_login",
]

_POLL = 0.05  # how often the event loop looks at the receiver


@dataclass(frozen=True, slots=True)
class CallSession:
    """Call the session's method ``name`` (awaited on an async client).

    With ``outcome``, whatever it raises (a cancel too) comes back as an :class:`Outcome`
    instead of being thrown in, so the flow can tell the browser before it re-raises.
    """

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict, repr=False)
    outcome: bool = False
    handler: ClassVar[str] = "call_session"


@dataclass(frozen=True, slots=True)
class Outcome:
    """The reply to a :class:`CallSession` with ``outcome``: its value, or what it raised."""

    value: Any = field(repr=False)
    error: BaseException | None = None

    def result(self) -> Any:
        """The value, or raise the error."""
        if self.error is not None:
            raise self.error
        return self.value


@dataclass(frozen=True, slots=True)
class CallBlocking:
    """Call a blocking function of the caller's (opener, prompt) or of the receiver."""

    function: Callable[..., Any]
    args: tuple[Any, ...] = ()
    handler: ClassVar[str] = "call_blocking"


@dataclass(frozen=True, slots=True)
class AwaitRedirect:
    """Wait for the browser's redirect until ``deadline`` (``time.monotonic()``); its URL."""

    receiver: RedirectReceiver
    deadline: float
    handler: ClassVar[str] = "await_redirect"


LoginStep = CallSession | CallBlocking | AwaitRedirect
LoginFlow = Generator[LoginStep, Any, LoginResult]


def login_flow(plan: Plan, sleep: Callable[[float], object] | None) -> LoginFlow:
    """Loopback, then device, then paste, as the plan allows (see :mod:`._login`).

    ``sleep`` goes to ``poll_device_token`` as given (awaited there by an async client).
    """
    if plan.session._oauth.issuer is not None:
        plan.metadata((yield CallSession("discover")))
    plan.deadline = time.time() + plan.timeout
    if plan.try_browser():
        result = yield from _via_loopback(plan)
        if result is not None:
            return result
    device_endpoint = plan.fallback()
    if device_endpoint is not None:
        authorization = yield CallSession("fetch_device_authorization", (device_endpoint,))
        plan.on_device_code(authorization)
        try:
            token = yield CallSession(
                "poll_device_token",
                (authorization, plan.token_endpoint),
                {"deadline": plan.deadline, "sleep": sleep},
            )
        except DeviceFlowExpiredError as exc:
            raise plan.timed_out(exc) from exc
        return LoginResult(token, "device")
    redirect_uri, url, _ = plan.prepare(plan.port or free_port())
    plan.show_url(url)
    pasted = plan.pasted((yield CallBlocking(plan.read_input, (PASTE_PROMPT,))))
    exchanged: Outcome = yield _exchange(plan, pasted)
    return LoginResult(exchanged.result(), "paste", redirect_uri)


def _via_loopback(plan: Plan) -> Generator[LoginStep, Any, LoginResult | None]:
    """The loopback mode; ``None`` when the browser could not be opened (fall back)."""
    receiver = RedirectReceiver(plan.path)
    with LoopbackServer(receiver, LOOPBACK_HOST, plan.port, read_timeout=READ_TIMEOUT) as srv:
        redirect_uri, url, state = plan.prepare(srv.port)
        receiver.expect(state, redirect_uri)
        if (yield CallBlocking(plan.opener, (url,))) is False:
            if plan.mode != "loopback":
                return None
            plan.show_url(url)  # the user may still open it here by hand
        callback = yield AwaitRedirect(receiver, time.monotonic() + plan.timeout)
        exchanged: Outcome = yield _exchange(plan, callback)
        yield CallBlocking(receiver.finish, (exchanged.error,))
        token = exchanged.result()
    return LoginResult(token, "loopback", redirect_uri)


def _exchange(plan: Plan, authorization_response: str) -> CallSession:
    return CallSession(
        "fetch_token",
        (plan.token_endpoint,),
        {"authorization_response": authorization_response, **plan.token_params},
        outcome=True,
    )


class Answers:
    """The blocking answers to the login's steps, for :func:`oauthkit._core._run.run`."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def call_session(self, step: CallSession) -> Any:
        call = getattr(self.session, step.name)
        if not step.outcome:
            return call(*step.args, **step.kwargs)
        try:
            return Outcome(call(*step.args, **step.kwargs))
        except BaseException as exc:  # the flow tells the browser, then re-raises it
            return Outcome(None, exc)

    def call_blocking(self, step: CallBlocking) -> Any:
        return step.function(*step.args)

    def await_redirect(self, step: AwaitRedirect) -> str:
        return step.receiver.wait(step.deadline)

    def send_protected(self, step: object) -> NoReturn:
        # run() looks this up before the first step; a login never yields SendProtected
        raise UsageError("a login sends no protected request")


class AsyncAnswers:
    """The async answers to the login's steps, for :func:`oauthkit._core._run.arun`."""

    def __init__(self, client: Any) -> None:
        self.client = client

    async def call_session(self, step: CallSession) -> Any:
        call = getattr(self.client, step.name)
        if not step.outcome:
            return await call(*step.args, **step.kwargs)
        try:
            return Outcome(await call(*step.args, **step.kwargs))
        except BaseException as exc:  # a cancel too: the flow tells the browser, re-raises
            return Outcome(None, exc)

    async def call_blocking(self, step: CallBlocking) -> Any:
        import anyio.to_thread

        return await anyio.to_thread.run_sync(step.function, *step.args)

    async def await_redirect(self, step: AwaitRedirect) -> str:
        import anyio

        while not step.receiver.received:
            if time.monotonic() >= step.deadline:
                raise LoginTimeoutError("the browser did not come back to the redirect URI in time")
            await anyio.sleep(_POLL)
        return step.receiver.result()


# The executors dispatch a step they do not know to the method its ``handler`` names, so the
# login's own steps and answers pass through them; their types name only the core's.


def run_login(flow: LoginFlow, session: Any) -> LoginResult:
    """Run ``flow`` with blocking calls on ``session``; a flow left waiting is closed.

    Raises:
        BaseException: Whatever the flow, or an interrupt, raises.
    """
    try:
        return run(cast("Flow[LoginResult]", flow), cast(IO, Answers(session)))
    finally:
        flow.close()  # an interrupt left it suspended: stop its loopback server now


async def arun_login(flow: LoginFlow, client: Any) -> LoginResult:
    """Run ``flow`` with awaits on ``client``; see :func:`run_login`."""
    try:
        return await arun(cast("Flow[LoginResult]", flow), cast(AsyncIO, AsyncAnswers(client)))
    finally:
        flow.close()
