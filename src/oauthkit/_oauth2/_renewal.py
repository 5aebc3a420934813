"""Single-flight renewal: one token request per expiry, however many callers notice it.

A renewal runs under the lock of its token (:class:`~oauthkit._core._steps.Exclusive`). Callers
that find the lock taken wait, then look at what happened while they waited instead of
renewing again:

* a renewal finished and issued a token: they use it, even if it is already "expired" by the
  leeway (a 5-second token, or ``expires_in: 0``): a token just issued is used, never renewed
  at once;
* the renewal failed: they get that failure (a fresh copy, same type), not a second attempt of
  their own, and the next attempt backs off (1, 2, 4... up to 60 seconds of failing fast), so
  a token endpoint that is down sees one request per backoff, not one per caller.

:class:`RenewalState` counts renewals (a *generation*) so a waiter can tell. Everything here is
sans-I/O; the lock itself belongs to the driver (or, later, a token store).
"""

from __future__ import annotations

from collections.abc import Callable

from .._core._run import log

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_MAX",
    "RENEW_CLIENT_CREDENTIALS",
    "RENEW_REFRESH_TOKEN",
    "RenewalState",
]

RENEW_REFRESH_TOKEN = "refresh_token"
"""Renew with the refresh token (RFC 6749 §6)."""
RENEW_CLIENT_CREDENTIALS = "client_credentials"
"""Renew with a new client-credentials grant (RFC 6749 §4.4)."""

BACKOFF_BASE = 1.0
"""Seconds of fail-fast after the first failed renewal; it doubles with each failure in a row."""
BACKOFF_MAX = 60.0
"""The longest fail-fast window."""


def _fresh(error: BaseException) -> BaseException:
    """A new exception of ``error``'s type and contents, caused by ``error``.

    Raising one exception object from several threads at once would have them fight over its
    traceback; each waiter gets its own copy instead.
    """
    cls = type(error)
    try:
        # Not copy.copy: it re-runs __init__ with the message alone, which most of oauthkit's
        # errors (and many libraries') do not accept.
        clone = cls.__new__(cls)
        clone.args = error.args
        clone.__dict__.update(vars(error))
    except Exception:  # an exception type that cannot be rebuilt this way
        return error
    clone.__cause__ = error
    return clone


class RenewalState:
    """How the renewals of one token went: a counter, the last failure, the backoff.

    Attributes:
        generation: Incremented when a renewal attempt ends, whichever way.
        failure: The error of the last attempt if it failed, else ``None``.
        failures: Failed attempts in a row.
        retry_at: Until when new attempts fail fast with :attr:`failure`.
    """

    __slots__ = ("failure", "failures", "generation", "retry_at")

    def __init__(self) -> None:
        self.generation = 0
        self.failure: BaseException | None = None
        self.failures = 0
        self.retry_at = 0.0

    def succeeded(self) -> None:
        """Record a renewal that issued a token."""
        self.generation += 1
        self.failure = None
        self.failures = 0
        self.retry_at = 0.0

    def failed(self, error: BaseException, now: float) -> None:
        """Record a renewal that failed with ``error`` at ``now``."""
        self.generation += 1
        self.failure = error
        self.failures += 1
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** min(self.failures - 1, 16))
        self.retry_at = now + delay
        log.debug(
            "renewal failed (%s); new attempts fail fast for %.0f s",
            type(error).__name__,
            delay,
        )

    def shared_failure(self, seen: int, clock: Callable[[], float]) -> BaseException | None:
        """The failure a caller must get instead of renewing, or ``None`` to go ahead.

        Args:
            seen: The :attr:`generation` the caller saw before waiting for the lock.
            clock: Seconds since the epoch.
        """
        if self.failure is None:
            return None
        if self.generation != seen or clock() < self.retry_at:
            return _fresh(self.failure)
        return None
