"""One back-channel exchange: send, never follow a redirect, retry only what is safe to retry.

Every request oauthkit sends on its own behalf (token, refresh, device, revocation,
introspection, OAuth 1.0a token requests) goes through :func:`exchange`:

* a ``3xx`` answer is :class:`~oauthkit.UnexpectedRedirectError`: following it would re-send the
  code, the client secret or the refresh token to wherever ``Location`` points, and adopt what
  comes back from there;
* a request that certainly never reached the server (connection refused, name resolution
  failed, connect timeout) is sent again after a backoff with jitter;
* ``429`` and ``503`` with ``Retry-After`` are retried after the time the server asked for,
  unless the request carries a one-time credential (an authorization code, a rotating refresh
  token, a device code, a JWT with a ``jti``): the first attempt may have consumed it;
* every wait fits in the caller's deadline, and the request is rebuilt for each attempt, so a
  JWT client assertion is never replayed.

The policy is a :class:`RetryPolicy` value the caller can replace (``retry=NO_RETRY``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from .._errors import UnexpectedRedirectError, UsageError
from ._http import HttpRequest, HttpResponse, origin_of
from ._run import log
from ._steps import Flow, Purpose, SendFailed, SendRequest, Sleep

__all__ = ["DEFAULT_TIMEOUT", "NO_RETRY", "Deadline", "RetryPolicy", "exchange"]

DEFAULT_TIMEOUT = 30.0
"""Seconds a back-channel exchange may take when neither the call nor the client sets one."""


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before sending a back-channel request again.

    Attributes:
        attempts: Attempts in all, the first included; ``1`` never retries.
        backoff: Delay before the first retry of a request that was never sent, in seconds;
            it doubles with each attempt, up to ``max_backoff``, with "equal jitter" (a
            random half of it) so that a fleet does not retry in step.
        max_backoff: The longest backoff.
        statuses: Statuses retried when the server sends ``Retry-After``.
        max_retry_after: The longest ``Retry-After`` honoured; a longer one is not waited for.
        jitter: A source of numbers in [0, 1), injectable for tests.

    Raises:
        UsageError: A negative or non-finite number, or fewer than one attempt.
    """

    attempts: int = 3
    backoff: float = 0.25
    max_backoff: float = 4.0
    statuses: frozenset[int] = frozenset({429, 503})
    max_retry_after: float = 30.0
    jitter: Callable[[], float] = field(default=random.random, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise UsageError("RetryPolicy.attempts must be an int")
        if self.attempts < 1:
            raise UsageError("RetryPolicy.attempts must be at least 1")
        for name in ("backoff", "max_backoff", "max_retry_after"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise UsageError(f"RetryPolicy.{name} must be a number")
            if not math.isfinite(value) or value < 0:
                raise UsageError(f"RetryPolicy.{name} must be finite and not negative")
        object.__setattr__(self, "statuses", frozenset(self.statuses))

    def backoff_delay(self, attempt: int) -> float:
        """The wait before attempt ``attempt + 1`` of a request that was never sent."""
        base = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        return base / 2 + base / 2 * float(self.jitter())

    def retry_after(self, response: HttpResponse) -> float | None:
        """Seconds the server asked to wait (``Retry-After``, RFC 9110 §10.2.3), if usable."""
        if response.status_code not in self.statuses:
            return None
        value = (response.header("retry-after") or "").strip()
        if not value:
            return None
        seconds: float | None
        if value.isascii() and value.isdigit():
            seconds = float(int(value[:9]))
        else:
            seconds = _http_date_delay(value)
            if seconds is None:
                return None
        return seconds if seconds <= self.max_retry_after else None


NO_RETRY = RetryPolicy(attempts=1)
"""Never send a request twice."""


def _http_date_delay(value: str) -> float | None:
    from email.utils import parsedate_to_datetime  # rare: only for a dated Retry-After

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    import datetime

    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.timezone.utc)).total_seconds())


class Deadline:
    """When a whole operation (its waits and its retries) must be over.

    Args:
        clock: Seconds since the epoch.
        timeout: Seconds from now, or ``None`` for no deadline.
    """

    __slots__ = ("clock", "end")

    def __init__(self, clock: Callable[[], float], timeout: float | None) -> None:
        self.clock = clock
        self.end = None if timeout is None else clock() + timeout

    def remaining(self) -> float | None:
        """Seconds left (at least a millisecond), or ``None`` without a deadline."""
        if self.end is None:
            return None
        return max(0.001, self.end - self.clock())

    def allows(self, delay: float) -> bool:
        """Whether waiting ``delay`` seconds still leaves time to try again."""
        return self.end is None or self.clock() + delay < self.end


def exchange(
    build: Callable[[float], HttpRequest],
    purpose: Purpose,
    *,
    clock: Callable[[], float],
    deadline: Deadline,
    policy: RetryPolicy,
    one_time: bool,
) -> Flow[HttpResponse]:
    """Send a back-channel request; retry what is safe; return the final response.

    Args:
        build: Makes the request for the current time (called once per attempt).
        purpose: Why the request is sent.
        clock: Seconds since the epoch.
        deadline: When to stop retrying.
        policy: When to retry.
        one_time: The request carries a credential the server may consume on first sight;
            it is then re-sent only when it certainly never reached the server.

    Returns:
        A generator whose value is the response, any status but 3xx.

    Raises:
        UnexpectedRedirectError: The server answered with a redirect.
        Exception: The driver's exception, unwrapped, when the request failed and no retry is
            allowed.
    """
    attempt = 1
    while True:
        request = build(clock())
        reply = yield SendRequest(request, purpose, deadline.remaining())
        if isinstance(reply, SendFailed):
            delay = policy.backoff_delay(attempt) if reply.not_sent else None
            if delay is None or attempt >= policy.attempts or not deadline.allows(delay):
                raise reply.error
            log.debug(
                "%s: not sent (%s); retrying in %.2f s",
                purpose.value,
                type(reply.error).__name__,
                delay,
            )
        elif not isinstance(reply, HttpResponse):
            raise UsageError("the driver must answer SendRequest with an HttpResponse")
        elif 300 <= reply.status_code < 400:
            raise UnexpectedRedirectError(
                reply.status_code, _origin(reply.header("location"), request.url), purpose.endpoint
            )
        else:
            wait = None if one_time or attempt >= policy.attempts else policy.retry_after(reply)
            if wait is None or not deadline.allows(wait):
                return reply
            delay = wait
            log.debug("%s: HTTP %d; retrying in %.2f s", purpose.value, reply.status_code, delay)
        yield Sleep(delay)
        attempt += 1


def _origin(location: str | None, base: str) -> str | None:
    if not location:
        return None
    from urllib.parse import urljoin

    try:
        scheme, host, port = origin_of(urljoin(base, location.strip()))
    except (UsageError, ValueError):
        return "<unparsable Location>"
    return f"{scheme}://{host}:{port}"
