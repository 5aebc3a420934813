"""The step answers every blocking driver gives the same way.

A blocking driver's I/O object answers the core's steps (:class:`~oauthkit._core._run.IO`).
Most of them do not depend on the HTTP library: a pause, the token's lock (and a token store's),
the updater, loading and saving by key, and the caller's own request, which the driver sends
through the callable it hands over for one call.
:class:`BlockingIO` answers those; the requests and httpx drivers add ``send`` and
``not_sent``.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any

from ._errors import UsageError
from ._locks import ThreadLocks, process_locks

if TYPE_CHECKING:
    from typing import TypedDict

    from ._compat._hooks import ComplianceHooks
    from ._core._http import HttpResponse
    from ._core._patch import RequestPatch
    from ._core._steps import Exclusive, LoadToken, SaveToken, SendProtected, Sleep, TokenIssued
    from .stores._base import StoredToken, TokenStore

    class IOOptions(TypedDict, total=False):
        """The keywords of every blocking driver's I/O (see :class:`BlockingIO`)."""

        hooks: ComplianceHooks | None
        auth: Any
        updater: Callable[[Any], object] | None
        send_protected: Callable[[RequestPatch], HttpResponse] | None
        sleep: Callable[[float], object]
        store: TokenStore | None


__all__ = ["BlockingIO"]


class BlockingIO:
    """Answers ``Sleep``, ``Exclusive``, ``TokenIssued`` and ``SendProtected`` for one call.

    Args:
        locks: The session's locks, one per token.
        hooks: requests-oauthlib compliance hooks, run by purpose (the driver's ``send``).
        auth: The caller's auth object for token requests (requests-oauthlib's ``auth=``).
        updater: Called with each token a renewal issues.
        send_protected: Sends the caller's request with a patch; ``None`` for a call that
            sends none (a token request).
        sleep: Waits (``time.sleep``; injectable for the device flow).
        store: The session's token store (:mod:`oauthkit.stores`), if any.
    """

    def __init__(
        self,
        locks: ThreadLocks,
        *,
        hooks: ComplianceHooks | None = None,
        auth: Any = None,
        updater: Callable[[Any], object] | None = None,
        send_protected: Callable[[RequestPatch], HttpResponse] | None = None,
        sleep: Callable[[float], object] = time.sleep,
        store: TokenStore | None = None,
    ) -> None:
        if store is not None and inspect.iscoroutinefunction(store.load):
            raise UsageError(
                f"{store!r} is an asyncio store: use it with AsyncOAuth2Client, or use its "
                "blocking counterpart here"
            )
        self.locks = locks
        self.store = store
        self.hooks = hooks
        self.auth = auth
        self.updater = updater
        self._send_protected = send_protected
        self._sleep = sleep

    def send_protected(self, step: SendProtected) -> HttpResponse:
        """Send the caller's request with the patch."""
        if self._send_protected is None:
            raise TypeError("this call sends no protected request")
        return self._send_protected(step.patch)

    def sleep(self, step: Sleep) -> None:
        """Wait."""
        self._sleep(step.seconds)

    def exclusive(self, step: Exclusive) -> AbstractContextManager[None]:
        """Hold the session's lock for the step's key (the process's when ``process``), and the
        store's when ``shared``."""
        if step.process:
            return process_locks().hold(step.key, step.timeout)
        if not step.shared or self.store is None:
            return self.locks.hold(step.key, step.timeout)
        return _both(self.locks, self.store, step)

    def load_token(self, step: LoadToken) -> StoredToken | None:
        """The store's record, or ``None``."""
        return None if self.store is None else self.store.load(step.key)

    def save_token(self, step: SaveToken) -> int | None:
        """Save to the store; the new version, or ``None`` without a store."""
        if self.store is None:
            return None
        return self.store.save(step.key, step.token, version=step.version)

    def token_issued(self, step: TokenIssued) -> None:
        """Hand the new token to the caller's updater."""
        if self.updater is not None:
            self.updater(step.token)


@contextmanager
def _both(locks: ThreadLocks, store: TokenStore, step: Exclusive) -> Iterator[None]:
    """This process's lock, then the store's (one process's callers queue here, not there),
    within one deadline."""
    started = time.monotonic()
    with locks.hold(step.key, step.timeout):
        left = (
            None if step.timeout is None else max(0.0, step.timeout - (time.monotonic() - started))
        )
        with store.lock(step.key, timeout=left):
            yield
