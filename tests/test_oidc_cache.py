"""The shared-document cache (:mod:`oauthkit._core._cache`) driven step by step (#9).

:func:`lifetime` reads ``Cache-Control``; :func:`cached` and :func:`refetched` are flows whose
lock steps a tiny runner answers, so that two callers can be interleaved at will: both find the
document stale, one fetches under the lock, the other finds it fetched. The same flows under
real threads and tasks: ``test_oidc_provider_cache.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import pytest

import oauthkit
from oauthkit import HttpResponse
from oauthkit._core._cache import Entry, cached, lifetime, refetched
from oauthkit._core._steps import Exclusive

from ._oidc import NOW

# --- lifetime (RFC 9111 §5.2.2) ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        (None, 3600.0),
        ("", 3600.0),
        ("public", 3600.0),
        ("max-age=600", 600.0),
        ("public, max-age=600", 600.0),
        ("max-age=600, must-revalidate", 600.0),
        ('max-age="600"', 600.0),
        ("MAX-AGE = 600", 600.0),
        ("max-age=0", 10.0),
        ("max-age=10", 10.0),
        ("max-age=5", 10.0),  # the floor
        ("max-age=9999999999", 86400.0),  # the ceiling
        ("max-age=-5", 3600.0),
        ("max-age=six", 3600.0),
        ("max-age=600x", 3600.0),
        ("no-store", 0.0),
        ("no-cache", 0.0),
        ("max-age=600, no-store", 0.0),
        ('private, no-cache="set-cookie"', 0.0),
        ("No-Store", 0.0),
        ("x-no-store", 3600.0),
        ("s-maxage=600", 3600.0),  # for shared caches only (RFC 9111 §5.2.2.10)
        ("s-maxage=60, max-age=600", 600.0),
    ],
)
def test_lifetime_reads_cache_control(header: str | None, seconds: float) -> None:
    headers = {} if header is None else {"Cache-Control": header}
    response = HttpResponse(200, headers, b"{}")
    assert lifetime(response, default=3600.0, floor=10.0, ceiling=86400.0) == seconds


# --- cached() and refetched(), step by step -----------------------------------------------------


class Step:
    """Runs the flows of :mod:`oauthkit._core._cache` one step at a time."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now
        self.fetched: list[int] = []

    def clock(self) -> float:
        return self.now

    def fetch(self, ttl: float = 60.0) -> Callable[[], Generator[str, None, tuple[Any, float]]]:
        def flow() -> Generator[str, None, tuple[Any, float]]:
            number = len(self.fetched) + 1
            self.fetched.append(number)
            yield "request"
            return f"document {number}", ttl

        return flow

    def run(self, flow: Generator[Any, Any, Any], reply: Any = None) -> Any:
        """Run ``flow`` to its end, holding every lock at once (no contention)."""
        try:
            while True:
                step = flow.send(reply)
                if isinstance(step, Exclusive):
                    assert step.process, "shared documents are held under the process lock"
                    reply = self.run(step.flow)
                else:
                    assert step == "request"
                    reply = None
        except StopIteration as stop:
            return stop.value

    @staticmethod
    def lock(flow: Generator[Any, Any, Any]) -> Exclusive:
        """Advance ``flow`` to the lock it asks for."""
        step = next(flow)
        assert isinstance(step, Exclusive)
        return step

    def finish(self, flow: Generator[Any, Any, Any], step: Exclusive) -> Any:
        """Run the locked part of ``step``, then the rest of ``flow``."""
        return self.run(flow, self.run(step.flow))


def test_a_fresh_document_is_returned_without_a_lock() -> None:
    s = Step()
    entry: Entry[str] = Entry("doc")
    assert s.run(cached(entry, s.fetch(), s.clock)) == "document 1"
    flow = cached(entry, s.fetch(), s.clock)
    with pytest.raises(StopIteration) as done:
        next(flow)  # no step at all
    assert done.value.value == "document 1"
    s.now += 59.9
    assert s.run(cached(entry, s.fetch(), s.clock)) == "document 1"
    s.now += 0.1  # expired at exactly its lifetime
    assert s.run(cached(entry, s.fetch(), s.clock)) == "document 2"
    assert entry.generation == 2


def test_callers_that_waited_for_the_lock_use_the_fetch_they_waited_for() -> None:
    s = Step()
    entry: Entry[str] = Entry("doc")
    first, second = cached(entry, s.fetch(), s.clock), cached(entry, s.fetch(), s.clock)
    a, b = s.lock(first), s.lock(second)
    assert a.key == b.key == "doc"
    assert s.finish(first, a) == "document 1"
    assert s.finish(second, b) == "document 1"
    assert s.fetched == [1]


def test_a_document_fetched_with_no_lifetime_still_serves_its_waiters() -> None:
    s = Step()
    entry: Entry[str] = Entry("doc")
    first, second = cached(entry, s.fetch(0), s.clock), cached(entry, s.fetch(0), s.clock)
    a, b = s.lock(first), s.lock(second)
    assert s.finish(first, a) == s.finish(second, b) == "document 1"
    assert s.run(cached(entry, s.fetch(0), s.clock)) == "document 2"  # a later caller fetches


def test_an_expired_document_is_fetched_again_by_one_caller() -> None:
    s = Step()
    entry: Entry[str] = Entry("doc")
    s.run(cached(entry, s.fetch(), s.clock))
    s.now += 120
    first, second = cached(entry, s.fetch(), s.clock), cached(entry, s.fetch(), s.clock)
    a, b = s.lock(first), s.lock(second)
    assert s.finish(first, a) == s.finish(second, b) == "document 2"
    assert s.fetched == [1, 2]


def test_a_failed_fetch_keeps_nothing_and_the_next_caller_tries_again() -> None:
    s = Step()
    entry: Entry[str] = Entry("doc")

    def failing() -> Generator[str, None, tuple[Any, float]]:
        yield "request"
        raise oauthkit.IssuerMismatchError("no")

    with pytest.raises(oauthkit.IssuerMismatchError):
        s.run(cached(entry, failing, s.clock))
    assert (entry.value, entry.generation) == (None, 0)
    assert s.run(cached(entry, s.fetch(), s.clock)) == "document 1"


def test_a_forced_refetch_is_immediate_once_then_rate_limited() -> None:
    s = Step()
    entry: Entry[str] = Entry("keys")
    s.run(cached(entry, s.fetch(), s.clock))

    def force() -> Any:
        return s.run(refetched(entry, s.fetch(), s.clock, seen=entry.generation, min_interval=60))

    assert force() == "document 2"  # the first at once: a rotation costs no failed login
    assert force() is None  # the next one waits
    s.now += 59.9
    assert force() is None
    s.now += 0.1
    assert force() == "document 3"
    assert s.fetched == [1, 2, 3]


def test_concurrent_forced_refetches_fetch_once() -> None:
    s = Step()
    entry: Entry[str] = Entry("keys")
    s.run(cached(entry, s.fetch(), s.clock))
    seen = entry.generation
    first = refetched(entry, s.fetch(), s.clock, seen=seen, min_interval=60)
    second = refetched(entry, s.fetch(), s.clock, seen=seen, min_interval=60)
    a, b = s.lock(first), s.lock(second)
    assert s.finish(first, a) == "document 2"
    assert s.finish(second, b) == "document 2"  # not None: another caller refetched meanwhile
    assert s.fetched == [1, 2]


def test_a_forced_refetch_of_a_cleared_entry_is_rate_limited_too() -> None:
    s = Step()
    entry: Entry[str] = Entry("keys")
    s.run(cached(entry, s.fetch(), s.clock))
    seen = entry.generation
    s.run(refetched(entry, s.fetch(), s.clock, seen=seen, min_interval=60))
    entry.clear()
    assert (entry.value, entry.expires_at, entry.forced_at) == (None, -math.inf, -math.inf)
    assert s.run(refetched(entry, s.fetch(), s.clock, seen=seen, min_interval=60)) == "document 3"
    entry.forced_at = s.now
    entry.value = None
    assert s.run(refetched(entry, s.fetch(), s.clock, seen=seen, min_interval=60)) is None


def test_entry_freshness() -> None:
    entry: Entry[str] = Entry("k")
    assert entry.fresh(0) is None
    assert entry.store("v", now=10, ttl=5) == "v"
    assert (entry.fresh(14.9), entry.fresh(15), entry.generation) == ("v", None, 1)
