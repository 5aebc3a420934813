"""The locks behind :class:`~oauthkit._core._steps.Exclusive`, one per key, for the drivers.

A renewal runs under the lock of its token; callers that find it taken wait at most their own
timeout and then give up with :class:`~oauthkit.LockTimeoutError`. Blocking drivers use
``threading`` locks, async drivers ``anyio`` locks (imported only by them). A token store
(issue #9) brings locks that span processes behind the same interface.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from ._errors import LockTimeoutError

__all__ = ["AsyncLocks", "ThreadLocks", "process_async_locks", "process_locks"]


def _timed_out(key: str, timeout: float | None) -> LockTimeoutError:
    return LockTimeoutError(
        f"gave up after {timeout:.3g} s waiting for the {key!r} lock: another caller's renewal "
        "is still running"
    )


class ThreadLocks:
    """One ``threading.Lock`` per key, created on first use."""

    __slots__ = ("_guard", "_locks")

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    @contextmanager
    def hold(self, key: str, timeout: float | None) -> Iterator[None]:
        """Hold the lock for ``key``.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
        """
        lock = self._lock(key)
        if not lock.acquire(timeout=-1 if timeout is None else timeout):
            raise _timed_out(key, timeout)
        try:
            yield
        finally:
            lock.release()


class AsyncLocks:
    """One ``anyio.Lock`` per key (asyncio or trio), created on first use."""

    __slots__ = ("_locks",)

    def __init__(self) -> None:
        self._locks: dict[str, Any] = {}

    @asynccontextmanager
    async def hold(self, key: str, timeout: float | None) -> AsyncIterator[None]:
        """Hold the lock for ``key``.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
        """
        import anyio

        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks.setdefault(key, anyio.Lock())
        try:
            with anyio.fail_after(timeout):
                await lock.acquire()
        except TimeoutError:
            raise _timed_out(key, timeout) from None
        try:
            yield
        finally:
            lock.release()


_PROCESS_LOCKS = ThreadLocks()
_LOOP_LOCKS: weakref.WeakKeyDictionary[object, AsyncLocks] = weakref.WeakKeyDictionary()
_LOOP_GUARD = threading.Lock()  # also the key of the non-asyncio set


def process_locks() -> ThreadLocks:
    """The locks every blocking session of the process shares (``Exclusive(process=True)``)."""
    return _PROCESS_LOCKS


def process_async_locks() -> AsyncLocks:
    """The locks every async client running on the current event loop shares.

    One set per event loop: an asyncio lock belongs to the loop that first waits on it, and a
    program (or a test suite) may run several loops one after another.
    """
    import asyncio

    try:
        loop: object = asyncio.get_running_loop()
    except RuntimeError:  # another anyio backend (trio): one set for the process
        loop = _LOOP_GUARD
    with _LOOP_GUARD:
        locks = _LOOP_LOCKS.get(loop)
        if locks is None:
            locks = _LOOP_LOCKS[loop] = AsyncLocks()
        return locks
