"""Run a step-yielding core flow with the caller's I/O functions.

Drivers pass in how to send a request and how to sleep; these loops answer the flow's steps
(:mod:`oauthkit._steps`) until it returns. They hold no protocol logic, so every driver runs
every flow the same way, and the sync and async twins differ only in ``await``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from typing import TypeVar

from ._http import HttpRequest, HttpResponse
from ._steps import SendRequest, Sleep

__all__ = ["run_flow", "run_flow_async"]

T = TypeVar("T")


def run_flow(
    flow: Generator[SendRequest | Sleep, HttpResponse | None, T],
    send: Callable[[HttpRequest], HttpResponse],
    sleep: Callable[[float], None],
) -> T:
    """Drive ``flow`` to completion with blocking I/O and return its result."""
    reply: HttpResponse | None = None
    try:
        while True:
            step = flow.send(reply)
            if isinstance(step, SendRequest):
                reply = send(step.request)
            else:
                sleep(step.seconds)
                reply = None
    except StopIteration as done:
        result: T = done.value
        return result


async def run_flow_async(
    flow: Generator[SendRequest | Sleep, HttpResponse | None, T],
    send: Callable[[HttpRequest], Awaitable[HttpResponse]],
    sleep: Callable[[float], Awaitable[object]],
) -> T:
    """Drive ``flow`` to completion with async I/O and return its result."""
    reply: HttpResponse | None = None
    try:
        while True:
            step = flow.send(reply)
            if isinstance(step, SendRequest):
                reply = await send(step.request)
            else:
                await sleep(step.seconds)
                reply = None
    except StopIteration as done:
        result: T = done.value
        return result
