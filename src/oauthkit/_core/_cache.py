"""Documents every session of the process shares: fetched once, kept for their lifetime.

An issuer's metadata and its JWK Set are the same for every session of a process, so a web app
that builds a session per HTTP request must not fetch them per request. An :class:`Entry` holds
one document; :func:`cached` returns it while it is fresh and otherwise fetches it under the
process's lock for its key (``Exclusive(process=True)``), so any number of threads (or tasks on
one event loop) that find it stale cause one request. :func:`refetched` fetches again before
expiry (a JWK Set after a token names an unknown key), with the same single flight and a rate
limit: the first forced fetch is allowed at once, the next only after ``min_interval`` seconds.

:func:`lifetime` reads how long a response may be kept from its ``Cache-Control`` header
(RFC 9111 §5.2.2: ``no-store``, ``no-cache``, ``max-age``), within bounds.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ._http import HttpResponse
from ._steps import Exclusive, Flow

__all__ = ["Entry", "Fetch", "cached", "lifetime", "refetched"]

T = TypeVar("T")

_MAX_AGE = re.compile(r"(?:^|,)\s*(?:s-)?max-age\s*=\s*\"?(\d{1,10})\"?\s*(?=,|$)", re.IGNORECASE)
_NO_STORE = re.compile(r"(?:^|,)\s*no-(?:store|cache)\s*(?=,|=|$)", re.IGNORECASE)


def lifetime(response: HttpResponse, *, default: float, floor: float, ceiling: float) -> float:
    """Seconds ``response`` may be reused: its ``max-age`` within ``[floor, ceiling]``, ``0``
    for ``no-store`` or ``no-cache``, ``default`` without a directive."""
    value = response.header("cache-control") or ""
    if _NO_STORE.search(value):
        return 0.0
    match = _MAX_AGE.search(value)
    if match is None:
        return default
    return min(max(float(match.group(1)), floor), ceiling)


@dataclass(slots=True, eq=False)
class Entry(Generic[T]):
    """One shared document and what is known of its freshness.

    Attributes:
        key: Names the document (and its lock): ``"jwks https://op/jwks"``.
        value: The document, once fetched.
        expires_at: When it goes stale (clock seconds).
        generation: Counts the fetches, so a caller that waited for the lock can tell that
            another one fetched meanwhile.
        forced_at: When :func:`refetched` last fetched, for its rate limit.
    """

    key: str
    value: T | None = None
    expires_at: float = -math.inf
    generation: int = 0
    forced_at: float = -math.inf

    def fresh(self, now: float) -> T | None:
        """The document if it has not expired at ``now``."""
        value = self.value
        return value if value is not None and now < self.expires_at else None

    def store(self, value: T, now: float, ttl: float) -> T:
        """Keep ``value`` for ``ttl`` seconds from ``now``."""
        self.value, self.expires_at = value, now + ttl
        self.generation += 1
        return value

    def clear(self) -> None:
        """Forget the document (the next use fetches it)."""
        self.value, self.expires_at, self.forced_at = None, -math.inf, -math.inf


Fetch = Callable[[], Flow[tuple[Any, float]]]
"""Fetches the document; returns it and its lifetime in seconds."""


def cached(
    entry: Entry[T], fetch: Fetch, clock: Callable[[], float], timeout: float | None = None
) -> Flow[T]:
    """The document: the one kept while fresh, else fetched once for every waiting caller.

    Args:
        entry: Where the document is kept.
        fetch: Fetches it.
        clock: Seconds since the epoch.
        timeout: Seconds to wait for another caller's fetch.
    """
    value = entry.fresh(clock())
    if value is not None:
        return value
    seen = entry.generation

    def locked() -> Flow[T]:
        kept = entry.value
        if kept is not None and (entry.generation != seen or clock() < entry.expires_at):
            return kept  # fetched while this caller waited for the lock
        document, ttl = yield from fetch()
        return entry.store(document, clock(), ttl)

    result: T = yield Exclusive(entry.key, locked(), timeout, process=True)
    return result


def refetched(
    entry: Entry[T],
    fetch: Fetch,
    clock: Callable[[], float],
    *,
    seen: int,
    min_interval: float,
    timeout: float | None = None,
) -> Flow[T | None]:
    """Fetch the document again although it has not expired; ``None`` if rate-limited.

    Args:
        entry: Where the document is kept.
        fetch: Fetches it.
        clock: Seconds since the epoch.
        seen: The :attr:`Entry.generation` the caller found wanting: when another caller
            fetched since, its document is returned without a request.
        min_interval: Seconds between two forced fetches (the first is allowed at once).
        timeout: Seconds to wait for another caller's fetch.
    """

    def locked() -> Flow[T | None]:
        if entry.generation != seen and entry.value is not None:
            return entry.value
        now = clock()
        if now - entry.forced_at < min_interval:
            return None
        entry.forced_at = now
        document, ttl = yield from fetch()
        return entry.store(document, clock(), ttl)

    result: T | None = yield Exclusive(entry.key, locked(), timeout, process=True)
    return result
