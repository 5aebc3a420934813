"""The step answers every blocking driver gives the same way.

A blocking driver's I/O object answers the core's steps (:class:`~oauthkit._core._run.IO`).
Four of them do not depend on the HTTP library: a pause, the token's lock, the updater, and the
caller's own request, which the driver sends through the callable it hands over for one call.
:class:`BlockingIO` answers those; the requests and httpx drivers add ``send`` and
``not_sent``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from ._locks import ThreadLocks

if TYPE_CHECKING:
    from typing import TypedDict

    from ._compat._hooks import ComplianceHooks
    from ._core._http import HttpResponse
    from ._core._patch import RequestPatch
    from ._core._steps import Exclusive, SendProtected, Sleep, TokenIssued

    class IOOptions(TypedDict, total=False):
        """The keywords of every blocking driver's I/O (see :class:`BlockingIO`)."""

        hooks: ComplianceHooks | None
        auth: Any
        updater: Callable[[Any], object] | None
        send_protected: Callable[[RequestPatch], HttpResponse] | None
        sleep: Callable[[float], object]


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
    ) -> None:
        self.locks = locks
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
        """Hold the session's lock for the step's key."""
        return self.locks.hold(step.key, step.timeout)

    def token_issued(self, step: TokenIssued) -> None:
        """Hand the new token to the caller's updater."""
        if self.updater is not None:
            self.updater(step.token)
