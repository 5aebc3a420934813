"""Retries of back-channel requests (issue #7): what is safe to send again, and when.

A request is retried only when it certainly never reached the server, or when the server asked
for it with ``429``/``503`` and ``Retry-After``; a one-time credential (a code, a rotating
refresh token, a device code) that may have reached the server is never sent twice. The core
generator is stepped by hand with a fixed clock; then every driver against a loopback server.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest

import oauthkit
from oauthkit import HttpRequest, HttpResponse, RetryPolicy, SendFailed, SendRequest, Sleep
from oauthkit._core._exchange import NO_RETRY, Deadline, exchange
from oauthkit._core._steps import Purpose
from tests._drivers2 import DRIVERS, Clock, open_session
from tests._routes import Routes, answer_json, serve

NOW = 1_700_000_000.0
URL = "https://as.example/token"


def clock() -> float:
    return NOW


def build(now: float) -> HttpRequest:
    return HttpRequest("POST", URL, {}, b"grant_type=client_credentials")


def start(policy: RetryPolicy, *, one_time: bool = False, timeout: float | None = 60) -> Any:
    flow = exchange(
        build,
        Purpose.TOKEN,
        clock=clock,
        deadline=Deadline(clock, timeout),
        policy=policy,
        one_time=one_time,
    )
    assert isinstance(next(flow), SendRequest)
    return flow


def ok() -> HttpResponse:
    return HttpResponse(200, {"Content-Type": "application/json"}, b"{}")


def busy(status: int = 503, retry_after: str | None = "2") -> HttpResponse:
    headers = {} if retry_after is None else {"Retry-After": retry_after}
    return HttpResponse(status, headers, b"")


def finish(flow: Any, reply: object) -> HttpResponse:
    with pytest.raises(StopIteration) as done:
        flow.send(reply)
    result: HttpResponse = done.value.value
    return result


NO_JITTER = RetryPolicy(jitter=lambda: 0.0)


def test_a_request_never_sent_is_retried_with_growing_backoff() -> None:
    flow = start(RetryPolicy(attempts=3, backoff=0.25, jitter=lambda: 0.0))
    refused = ConnectionRefusedError("refused")
    assert flow.send(SendFailed(refused, not_sent=True)) == Sleep(0.125)
    assert isinstance(flow.send(None), SendRequest)
    assert flow.send(SendFailed(refused, not_sent=True)) == Sleep(0.25)
    assert isinstance(flow.send(None), SendRequest)
    with pytest.raises(ConnectionRefusedError):  # the third attempt was the last
        flow.send(SendFailed(refused, not_sent=True))


def test_jitter_is_a_random_half_of_the_backoff() -> None:
    flow = start(RetryPolicy(backoff=1.0, jitter=lambda: 0.999))
    step = flow.send(SendFailed(OSError(), not_sent=True))
    assert step == Sleep(0.5 + 0.5 * 0.999)


@pytest.mark.parametrize("one_time", [False, True])
def test_a_never_sent_one_time_request_may_still_be_retried(one_time: bool) -> None:
    flow = start(NO_JITTER, one_time=one_time)
    assert isinstance(flow.send(SendFailed(OSError(), not_sent=True)), Sleep)


@pytest.mark.parametrize("one_time", [False, True])
def test_a_failure_after_sending_is_never_retried(one_time: bool) -> None:
    flow = start(NO_JITTER, one_time=one_time)
    with pytest.raises(TimeoutError):
        flow.send(SendFailed(TimeoutError("read timed out"), not_sent=False))


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_is_honoured_for_a_request_that_may_be_repeated(status: int) -> None:
    flow = start(NO_JITTER)
    assert flow.send(busy(status, "2")) == Sleep(2.0)
    assert isinstance(flow.send(None), SendRequest)
    assert finish(flow, ok()).status_code == 200


def test_retry_after_as_an_http_date() -> None:
    later = datetime.now(timezone.utc) + timedelta(seconds=20)
    flow = start(NO_JITTER)
    step = flow.send(busy(503, format_datetime(later, usegmt=True)))
    assert isinstance(step, Sleep)
    assert 15 < step.seconds <= 20


@pytest.mark.parametrize(
    ("response", "policy", "one_time", "timeout"),
    [
        (busy(503, "2"), NO_JITTER, True, 60),  # a one-time credential is never re-sent
        (busy(503, None), NO_JITTER, False, 60),  # no Retry-After: not asked to retry
        (busy(500, "2"), NO_JITTER, False, 60),  # 500 is not in the policy's statuses
        (busy(503, "120"), NO_JITTER, False, 600),  # longer than max_retry_after
        (busy(503, "5"), NO_JITTER, False, 3),  # past the caller's deadline
        (busy(503, "soon"), NO_JITTER, False, 60),  # unreadable
        (busy(503, "2"), NO_RETRY, False, 60),
    ],
)
def test_when_the_answer_is_final(
    response: HttpResponse, policy: RetryPolicy, one_time: bool, timeout: float
) -> None:
    flow = start(policy, one_time=one_time, timeout=timeout)
    assert finish(flow, response) is response


def test_retry_after_stops_at_the_attempt_limit() -> None:
    flow = start(RetryPolicy(attempts=2, jitter=lambda: 0.0))
    assert isinstance(flow.send(busy()), Sleep)
    flow.send(None)
    assert finish(flow, busy()).status_code == 503


@pytest.mark.parametrize(
    "kwargs",
    [
        {"attempts": 0},
        {"attempts": True},
        {"attempts": 2.5},
        {"backoff": -1},
        {"max_backoff": float("inf")},
        {"max_retry_after": float("nan")},
        {"backoff": "1"},
    ],
)
def test_policy_values_are_checked(kwargs: dict[str, Any]) -> None:
    with pytest.raises(oauthkit.UsageError):
        RetryPolicy(**kwargs)


# -- Every driver, against a loopback token endpoint ---------------------------------------------


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        yield routes


def _busy_then_ok(origin: Routes) -> None:
    answers = iter(
        [
            (503, {"Retry-After": "0"}, b""),
            answer_json({"access_token": "after-retry", "token_type": "Bearer"}),
        ]
    )
    origin.handlers["/token"] = lambda hit: next(answers)


@pytest.mark.parametrize("driver", DRIVERS)
def test_client_credentials_are_fetched_again_after_retry_after(
    driver: str, origin: Routes
) -> None:
    _busy_then_ok(origin)
    with open_session(driver, client_id="app", retry=NO_JITTER) as s:
        token = s.fetch_token(
            origin.url("/token"), client_secret="s", grant=oauthkit.ClientCredentialsGrant()
        )
    assert token["access_token"] == "after-retry"
    assert len(origin.to("/token")) == 2


@pytest.mark.parametrize("driver", DRIVERS)
def test_an_authorization_code_is_never_sent_twice(driver: str, origin: Routes) -> None:
    _busy_then_ok(origin)
    with open_session(driver, client_id="app", retry=NO_JITTER) as s:
        with pytest.raises(oauthkit.TokenEndpointError) as caught:
            s.fetch_token(origin.url("/token"), code="one-time-code", client_secret="s")
        assert caught.value.status_code == 503
        assert s.token == {}
    assert len(origin.to("/token")) == 1


def _connection_refused(driver: str) -> type[Exception]:
    import httpx
    import requests

    return requests.exceptions.ConnectionError if driver == "requests" else httpx.ConnectError


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_refused_connection_is_retried_by_the_policy(driver: str) -> None:
    with socket.socket() as probe:  # a loopback port with nothing listening
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    backoffs: list[int] = []

    def jitter() -> float:
        backoffs.append(1)
        return 0.0

    policy = RetryPolicy(attempts=3, backoff=0.01, jitter=jitter)
    with (
        open_session(driver, client_id="app", retry=policy) as s,
        pytest.raises(_connection_refused(driver)),  # the driver's own error, unwrapped
    ):
        s.fetch_token(f"http://127.0.0.1:{port}/token", code="c", client_secret="s")
    assert len(backoffs) == 3  # a backoff computed after each of the three attempts


@pytest.mark.parametrize(("policy", "sent"), [(NO_RETRY, 2), (NO_JITTER, 3)])
@pytest.mark.parametrize("driver", DRIVERS)
def test_the_session_policy_reaches_renewals(
    driver: str, policy: RetryPolicy, sent: int, origin: Routes
) -> None:
    answers = iter(
        [
            answer_json({"access_token": "first", "token_type": "Bearer", "expires_in": 60}),
            (503, {"Retry-After": "0"}, b""),
            answer_json({"access_token": "second", "token_type": "Bearer", "expires_in": 60}),
        ]
    )
    origin.handlers["/token"] = lambda hit: next(answers)
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    clock = Clock()
    with open_session(driver, client_id="app", retry=policy, clock=clock) as s:
        s.fetch_token(
            origin.url("/token"), client_secret="s", grant=oauthkit.ClientCredentialsGrant()
        )
        clock.advance(120)
        if policy is NO_RETRY:
            with pytest.raises(oauthkit.TokenEndpointError):
                s.get(origin.url("/api"))
            assert s.token["access_token"] == "first"
        else:
            assert s.get(origin.url("/api")).status_code == 200
            assert s.token["access_token"] == "second"
    assert len(origin.to("/token")) == sent
