"""The device authorization grant (RFC 8628): request, response, and the polling generator,
driven directly with ``next``/``send`` and a fake clock; plus the step values themselves."""

from __future__ import annotations

import json
from collections.abc import Generator
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from oauthkit import (
    HttpRequest,
    HttpResponse,
    InsecureTransportError,
    MalformedResponseError,
    OAuthError,
    TokenEndpointError,
    UsageError,
)
from oauthkit._core._steps import SendRequest, Sleep
from oauthkit._error_codes import AccessDeniedError, DeviceCodeExpiredError, InvalidClientError
from oauthkit._errors import DeviceFlowExpiredError
from oauthkit._oauth2._client_auth import ClientSecretBasic, NoneAuth
from oauthkit._oauth2._device import (
    DEFAULT_INTERVAL,
    DeviceAuthorization,
    build_device_authorization_request,
    parse_device_authorization_response,
)
from oauthkit._oauth2._polling import effective_interval, poll_device_token
from oauthkit._oauth2._token import Token

NOW = 1_700_000_000.0
DEVICE_URL = "https://as.example/device"
TOKEN_URL = "https://as.example/token"
DEVICE_CODE = "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"

# RFC 8628 §3.2 example response.
EXAMPLE = {
    "device_code": DEVICE_CODE,
    "user_code": "WDJB-MJHT",
    "verification_uri": "https://example.com/device",
    "verification_uri_complete": "https://example.com/device?user_code=WDJB-MJHT",
    "expires_in": 1800,
    "interval": 5,
}


def _json(status: int, data: Any) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(data).encode())


class FakeClock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# -- request and response --------------------------------------------------------------------


def test_device_authorization_request() -> None:
    request = build_device_authorization_request(
        DEVICE_URL, NoneAuth("tv-app"), now=NOW, scope=["openid", "profile"], resource="https://r/"
    )
    assert (request.method, request.url) == ("POST", DEVICE_URL)
    assert request.body is not None
    assert parse_qsl(request.body.decode()) == [
        ("scope", "openid profile"),
        ("resource", "https://r/"),
        ("client_id", "tv-app"),
    ]
    confidential = build_device_authorization_request(
        DEVICE_URL, ClientSecretBasic("c", "s"), now=NOW
    )
    assert confidential.body == b""
    assert confidential.headers["Authorization"].startswith("Basic ")
    with pytest.raises(InsecureTransportError):
        build_device_authorization_request("http://as.example/d", NoneAuth("c"), now=NOW)


def test_parse_the_rfc_example() -> None:
    auth = parse_device_authorization_response(_json(200, EXAMPLE), now=NOW)
    assert auth.device_code == DEVICE_CODE
    assert auth.user_code == "WDJB-MJHT"
    assert auth.verification_uri == "https://example.com/device"
    assert auth.verification_uri_complete == EXAMPLE["verification_uri_complete"]
    assert auth.expires_at == NOW + 1800
    assert auth.interval == 5
    assert dict(auth.extra) == {}


def test_parse_defaults_and_tolerances() -> None:
    data = {
        "device_code": DEVICE_CODE,
        "user_code": "ABCD",
        "verification_url": "https://www.google.com/device",  # Google's name
        "expires_in": "600",
        "message": "Go there",
    }
    auth = parse_device_authorization_response(_json(200, data), now=NOW)
    assert auth.interval == DEFAULT_INTERVAL == 5
    assert auth.verification_uri == "https://www.google.com/device"
    assert auth.verification_uri_complete is None
    assert auth.expires_at == NOW + 600
    assert dict(auth.extra) == {"message": "Go there"}


@pytest.mark.parametrize(
    "change",
    [
        {"device_code": None},
        {"device_code": ""},
        {"user_code": 5},
        {"verification_uri": None},
        {"verification_uri_complete": 3},
        {"expires_in": None},
        {"expires_in": "soon"},
        {"expires_in": -1},
        {"expires_in": True},
        {"expires_in": [1]},
        {"interval": "fast"},
        {"interval": float("inf")},
    ],
)
def test_parse_malformed(change: dict[str, Any]) -> None:
    data = {**EXAMPLE, **change}
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(MalformedResponseError) as info:
        parse_device_authorization_response(_json(200, data), now=NOW)
    assert DEVICE_CODE not in str(info.value)


@pytest.mark.parametrize("body", [b"<html>", b"[1]", b"\xff"])
def test_parse_not_a_json_object(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        parse_device_authorization_response(HttpResponse(200, {}, body), now=NOW)


def test_parse_errors_are_typed() -> None:
    with pytest.raises(InvalidClientError):
        parse_device_authorization_response(_json(401, {"error": "invalid_client"}), now=NOW)
    with pytest.raises(TokenEndpointError) as info:
        parse_device_authorization_response(HttpResponse(502, {}, b"bad gateway"), now=NOW)
    assert info.value.status_code == 502
    with pytest.raises(UsageError):
        parse_device_authorization_response(b"{}", now=NOW)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        parse_device_authorization_response(_json(200, EXAMPLE), now=float("nan"))


def test_device_code_is_redacted() -> None:
    auth = parse_device_authorization_response(_json(200, EXAMPLE), now=NOW)
    assert DEVICE_CODE not in repr(auth)
    assert "WDJB-MJHT" in repr(auth)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"device_code": ""},
        {"user_code": None},
        {"expires_at": float("nan")},
        {"interval": -1},
        {"interval": True},
    ],
)
def test_device_authorization_validates(kwargs: dict[str, Any]) -> None:
    base: dict[str, Any] = {
        "device_code": "d",
        "user_code": "u",
        "verification_uri": "https://v",
        "expires_at": NOW + 10,
    }
    with pytest.raises(UsageError):
        DeviceAuthorization(**{**base, **kwargs})


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=100, max_value=599),
    st.dictionaries(
        st.sampled_from([*EXAMPLE, "verification_url", "error"]),
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
        max_size=8,
    ),
)
def test_parse_returns_or_raises_oauth_errors(status: int, data: dict[str, Any]) -> None:
    try:
        result = parse_device_authorization_response(_json(status, data), now=NOW)
    except OAuthError:
        return
    assert isinstance(result, DeviceAuthorization)


# -- polling ---------------------------------------------------------------------------------


def _authorization(interval: float = 5, expires_in: float = 1800) -> DeviceAuthorization:
    return DeviceAuthorization(
        device_code=DEVICE_CODE,
        user_code="WDJB-MJHT",
        verification_uri="https://example.com/device",
        expires_at=NOW + expires_in,
        interval=interval,
    )


def _sleep(flow: Generator[Any, Any, Any], clock: FakeClock, step: Any) -> Any:
    """Perform a Sleep step: advance the fake clock, send back None, return the next step."""
    assert isinstance(step, Sleep)
    clock.now += step.seconds
    return flow.send(None)


def _check_poll_request(request: HttpRequest) -> None:
    assert (request.method, request.url) == ("POST", TOKEN_URL)
    assert request.body is not None
    assert parse_qsl(request.body.decode()) == [
        ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
        ("device_code", DEVICE_CODE),
        ("client_id", "tv-app"),
    ]


PENDING = _json(400, {"error": "authorization_pending"})
SLOW_DOWN = _json(400, {"error": "slow_down"})
SUCCESS = _json(200, {"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600})


def test_poll_pending_slow_down_then_success() -> None:
    clock = FakeClock()
    flow = poll_device_token(
        _authorization(), TOKEN_URL, NoneAuth("tv-app"), clock=clock, requested_scope="openid"
    )
    sleeps = []
    step = next(flow)
    for response in (PENDING, SLOW_DOWN, PENDING, SLOW_DOWN):
        sleeps.append(step.seconds)
        step = _sleep(flow, clock, step)
        assert isinstance(step, SendRequest)
        _check_poll_request(step.request)
        step = flow.send(response)
    # RFC 8628 §3.5: each slow_down adds 5 seconds, for that and every later poll.
    assert sleeps == [5, 5, 10, 10]
    assert step.seconds == 15
    step = _sleep(flow, clock, step)
    assert isinstance(step, SendRequest)
    with pytest.raises(StopIteration) as done:
        flow.send(SUCCESS)
    token = done.value.value
    assert isinstance(token, Token)
    assert token.access_token == "at-1"
    assert token.scope == ("openid",)
    assert token.expires_at == clock.now + 3600


def test_poll_uses_the_default_interval_when_the_server_names_none() -> None:
    data = {k: v for k, v in EXAMPLE.items() if k != "interval"}
    authorization = parse_device_authorization_response(_json(200, data), now=NOW)
    clock = FakeClock()
    flow = poll_device_token(authorization, TOKEN_URL, NoneAuth("tv-app"), clock=clock)
    step = next(flow)
    assert step == Sleep(5.0)


@pytest.mark.parametrize(
    ("response", "error"),
    [
        (_json(400, {"error": "access_denied"}), AccessDeniedError),
        (_json(400, {"error": "expired_token"}), DeviceCodeExpiredError),
        (_json(401, {"error": "invalid_client"}), InvalidClientError),
        (HttpResponse(200, {}, b"<html>"), MalformedResponseError),
    ],
)
def test_poll_terminal_errors(response: HttpResponse, error: type[Exception]) -> None:
    clock = FakeClock()
    flow = poll_device_token(_authorization(), TOKEN_URL, NoneAuth("tv-app"), clock=clock)
    assert isinstance(_sleep(flow, clock, next(flow)), SendRequest)
    with pytest.raises(error) as info:
        flow.send(response)
    assert DEVICE_CODE not in str(info.value)


def test_poll_stops_before_a_poll_that_would_be_too_late() -> None:
    clock = FakeClock()
    flow = poll_device_token(
        _authorization(interval=5, expires_in=12), TOKEN_URL, NoneAuth("tv-app"), clock=clock
    )
    step = _sleep(flow, clock, next(flow))  # t+5
    step = flow.send(PENDING)
    step = _sleep(flow, clock, step)  # t+10
    with pytest.raises(DeviceFlowExpiredError, match="new device flow") as info:
        flow.send(PENDING)  # the next poll would be at t+15, after expiry at t+12
    assert DEVICE_CODE not in str(info.value)


def test_poll_expired_while_sleeping() -> None:
    # The driver slept far longer than asked (a suspended laptop): no request is sent.
    clock = FakeClock()
    flow = poll_device_token(_authorization(expires_in=60), TOKEN_URL, NoneAuth("c"), clock=clock)
    assert isinstance(next(flow), Sleep)
    clock.now += 3600
    with pytest.raises(DeviceFlowExpiredError):
        flow.send(None)


def test_poll_caller_deadline_wins_when_earlier() -> None:
    clock = FakeClock()
    flow = poll_device_token(
        _authorization(), TOKEN_URL, NoneAuth("tv-app"), clock=clock, deadline=NOW + 7
    )
    step = _sleep(flow, clock, next(flow))
    assert isinstance(step, SendRequest)
    with pytest.raises(DeviceFlowExpiredError):
        flow.send(PENDING)
    # A deadline later than expires_at changes nothing: the code's own expiry still holds.
    late = poll_device_token(
        _authorization(expires_in=3),
        TOKEN_URL,
        NoneAuth("c"),
        clock=FakeClock(),
        deadline=NOW + 10_000,
    )
    with pytest.raises(DeviceFlowExpiredError):
        next(late)


def test_poll_requires_a_response_after_a_request() -> None:
    clock = FakeClock()
    flow = poll_device_token(_authorization(), TOKEN_URL, NoneAuth("tv-app"), clock=clock)
    _sleep(flow, clock, next(flow))
    with pytest.raises(UsageError, match="HttpResponse"):
        flow.send(None)


def test_poll_reads_the_clock_for_jwt_assertions_and_token_expiry() -> None:
    times = []

    class RecordingAuth:
        method = "recording"
        client_id = "c"

        def apply(self, form: Any, headers: Any, *, endpoint: str, now: float) -> Any:
            times.append((endpoint, now))
            return [*form, ("client_id", "c")], dict(headers)

    clock = FakeClock()
    flow = poll_device_token(_authorization(interval=2), TOKEN_URL, RecordingAuth(), clock=clock)
    step = _sleep(flow, clock, next(flow))
    assert times == [(TOKEN_URL, NOW + 2)]
    assert isinstance(step, SendRequest)


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"authorization": "not one"}, UsageError),
        ({"clock": 5}, UsageError),
        ({"deadline": "tomorrow"}, UsageError),
        ({"token_endpoint": "http://as.example/token"}, InsecureTransportError),
        ({"requested_scope": [b"bad scope"]}, UsageError),
    ],
)
def test_poll_argument_errors_are_raised_at_once(
    kwargs: dict[str, Any], error: type[Exception]
) -> None:
    args: dict[str, Any] = {
        "authorization": _authorization(),
        "token_endpoint": TOKEN_URL,
        "auth": NoneAuth("c"),
        "clock": FakeClock(),
        **kwargs,
    }
    with pytest.raises(error):
        poll_device_token(
            args.pop("authorization"), args.pop("token_endpoint"), args.pop("auth"), **args
        )


# -- step values -----------------------------------------------------------------------------


def test_send_request_repr_hides_credentials() -> None:
    request = HttpRequest(
        "POST",
        "https://as.example/token?x=1",
        {"Authorization": "Basic c2VjcmV0"},
        f"device_code={DEVICE_CODE}".encode(),
    )
    text = repr(SendRequest(request))
    assert text == "SendRequest(POST https://as.example/token)"
    assert SendRequest(request).request is request


@pytest.mark.parametrize("seconds", [-1, float("nan"), float("inf"), "5", True])
def test_sleep_validates(seconds: Any) -> None:
    with pytest.raises(UsageError):
        Sleep(seconds)


def test_sleep_accepts_zero_and_ints() -> None:
    assert Sleep(0).seconds == 0
    assert Sleep(5) == Sleep(5.0)


def _drive(
    flow: Generator[Any, Any, Any], clock: FakeClock, script: list[str], interval: float
) -> tuple[str, Any, int, int]:
    """Run the poller through ``script``; return (outcome, value, polls, slow_downs)."""
    responses = {
        "pending": PENDING,
        "slow_down": SLOW_DOWN,
        "denied": _json(400, {"error": "access_denied"}),
        "garbage": HttpResponse(500, {}, b"\x00"),
        "ok": SUCCESS,
    }
    polls = 0
    slow_downs = 0
    try:
        step = next(flow)
        for action in script:
            assert isinstance(step, Sleep)
            # Issue #7: a non-positive interval is RFC 8628's 5 s, and none is under 1 s.
            assert step.seconds == pytest.approx(effective_interval(interval) + 5 * slow_downs)
            if action == "late":
                clock.now += 10_000
                flow.send(None)
                raise AssertionError("a poll after expiry must not be sent")
            step = _sleep(flow, clock, step)
            assert isinstance(step, SendRequest)
            assert clock.now < NOW + 120
            polls += 1
            slow_downs += action == "slow_down"
            step = flow.send(responses[action])
    except StopIteration as done:
        return "returned", done.value, polls, slow_downs
    except OAuthError as error:
        return "raised", error, polls, slow_downs
    return "running", None, polls, slow_downs


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(["pending", "slow_down", "late", "denied", "garbage", "ok"]),
        min_size=1,
        max_size=12,
    ),
    st.floats(min_value=0, max_value=30),
)
# The script from issue #6 that made the old oracle raise IndexError.
@example(["slow_down", "pending", "slow_down"], 25.0)
def test_poll_state_machine_properties(script: list[str], interval: float) -> None:
    clock = FakeClock()
    flow = poll_device_token(
        _authorization(interval=interval, expires_in=120), TOKEN_URL, NoneAuth("c"), clock=clock
    )
    outcome, value, polls, slow_downs = _drive(flow, clock, script, interval)
    last = script[polls - 1] if polls else None
    if outcome == "returned":
        assert last == "ok"
        assert isinstance(value, Token)
    elif outcome == "running":
        assert not {"ok", "denied", "garbage", "late"} & set(script)
    elif isinstance(value, DeviceFlowExpiredError):
        # Expired: either the clock jumped, or the next poll would have come too late.
        # The script may have run out: the poller raises while deciding its next sleep.
        jumped = polls < len(script) and script[polls] == "late"
        too_late = clock.now + effective_interval(interval) + 5 * slow_downs >= NOW + 120
        assert jumped or too_late
    else:
        assert last in ("denied", "garbage")
        assert isinstance(value, AccessDeniedError if last == "denied" else TokenEndpointError)
