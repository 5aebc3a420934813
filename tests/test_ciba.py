"""CIBA (OpenID CIBA Core 1.0) in poll mode, sans I/O and through a mocked httpx driver.

The request builder refuses what §7.1 forbids before anything is sent; the acknowledgement
parser raises typed errors for hostile answers (and a property test feeds it anything); the
poll shares the device flow's poller (``authorization_pending``, ``slow_down``, expiry,
``access_denied``); ``auth_req_id`` never shows in a ``repr`` or an error message.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings

import oauthkit
import oauthkit.httpx as okhttpx
from oauthkit import (
    AccessDeniedError,
    BackchannelAuthentication,
    DeviceFlowExpiredError,
    HttpResponse,
    MalformedResponseError,
    NoneAuth,
    ServerResponseError,
    TokenEndpointError,
    TokenManager,
    UsageError,
)
from oauthkit._core._steps import Purpose, SendRequest, Sleep
from oauthkit._oauth2._ciba import (
    CIBA_GRANT_TYPE,
    build_backchannel_authentication_request,
    parse_backchannel_authentication_response,
)

from ._hostile import json_objects, ok_responses, responses

NOW = 1_700_000_000.0
ENDPOINT = "https://op.example/backchannel"
TOKEN_URL = "https://op.example/token"
AUTH_REQ_ID = "1c266114-a1be-4252-8ad1-04986c5b9ac1"
JSON = {"Content-Type": "application/json"}
AUTH = oauthkit.ClientSecretBasic("rp", "rp-secret-0123456789")


def server_fault(exc: Exception) -> None:
    """A hostile response is never the caller's fault, and its error can be shown."""
    assert not isinstance(exc, UsageError), f"UsageError for server input: {exc}"
    assert isinstance(str(exc), str)
    assert isinstance(repr(exc), str)


def answer(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(status, JSON, json.dumps(data).encode())


def build(**kw: Any) -> Any:
    kw.setdefault("scope", "openid")
    return build_backchannel_authentication_request(ENDPOINT, AUTH, now=NOW, **kw)


# ---------------------------------------------------------------------- the request


def test_request_carries_the_parameters_of_section_7_1() -> None:
    request = build(
        scope=["openid", "email"],
        login_hint="alice",
        binding_message="W4SCT",
        requested_expiry=120,
        acr_values=["urn:a", "urn:b"],
        user_code="1234",
        extra={"request_context": "x"},
    )
    assert (request.method, request.url) == ("POST", ENDPOINT)
    form = dict(parse_qsl((request.body or b"").decode()))
    assert form == {
        "scope": "openid email",
        "login_hint": "alice",
        "binding_message": "W4SCT",
        "requested_expiry": "120",
        "acr_values": "urn:a urn:b",
        "user_code": "1234",
        "request_context": "x",
    }
    assert request.headers["Authorization"].startswith("Basic ")


@pytest.mark.parametrize(
    "kw",
    [
        {"login_hint": "a", "scope": "email"},
        {"login_hint": "a", "scope": None},
        {},
        {"login_hint": "a", "id_token_hint": "b"},
        {"login_hint": "a", "login_hint_token": "b", "id_token_hint": "c"},
        {"login_hint": ""},
        {"login_hint": "a", "binding_message": ""},
        {"login_hint": "a", "requested_expiry": 0},
        {"login_hint": "a", "requested_expiry": True},
        {"login_hint": "a", "requested_expiry": "60"},
        {"login_hint": "a", "acr_values": []},
    ],
)
def test_requests_section_7_1_forbids_are_usage_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        build(**kw)


def test_manager_refuses_a_bad_request_when_the_flow_is_made() -> None:
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, scope="openid")
    with pytest.raises(UsageError, match="exactly one"):
        manager.backchannel_authentication_flow(ENDPOINT)
    flow = manager.backchannel_authentication_flow(ENDPOINT, login_hint="alice")
    step = next(flow)
    assert isinstance(step, SendRequest)
    assert step.purpose is Purpose.BACKCHANNEL_AUTHENTICATION
    with pytest.raises(StopIteration) as done:
        flow.send(answer({"auth_req_id": AUTH_REQ_ID, "expires_in": 60}))
    assert isinstance(done.value.value, BackchannelAuthentication)


# ---------------------------------------------------------------------- the acknowledgement


def test_acknowledgement_is_read_with_an_absolute_expiry() -> None:
    result = parse_backchannel_authentication_response(
        answer({"auth_req_id": AUTH_REQ_ID, "expires_in": 120, "interval": 2, "x": 1}), now=NOW
    )
    assert result.auth_req_id == AUTH_REQ_ID
    assert result.expires_at == NOW + 120
    assert result.interval == 2
    assert dict(result.extra) == {"x": 1}
    assert AUTH_REQ_ID not in repr(result)
    default = parse_backchannel_authentication_response(
        answer({"auth_req_id": AUTH_REQ_ID, "expires_in": 120}), now=NOW
    )
    assert default.interval == 5  # CIBA Core §7.3


@pytest.mark.parametrize(
    "data",
    [
        {"expires_in": 60},
        {"auth_req_id": "", "expires_in": 60},
        {"auth_req_id": 5, "expires_in": 60},
        {"auth_req_id": AUTH_REQ_ID},
        {"auth_req_id": AUTH_REQ_ID, "expires_in": "60"},
        {"auth_req_id": AUTH_REQ_ID, "expires_in": -1},
        {"auth_req_id": AUTH_REQ_ID, "expires_in": True},
        {"auth_req_id": AUTH_REQ_ID, "expires_in": 60, "interval": "5"},
        {"auth_req_id": AUTH_REQ_ID, "expires_in": 60, "interval": -5},
        ["not", "an", "object"],
    ],
)
def test_malformed_acknowledgements(data: Any) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_backchannel_authentication_response(answer(data), now=NOW)
    assert AUTH_REQ_ID not in str(info.value)


def test_refusals_are_typed() -> None:
    with pytest.raises(AccessDeniedError):
        parse_backchannel_authentication_response(answer({"error": "access_denied"}, 403), now=NOW)
    with pytest.raises(TokenEndpointError) as info:
        parse_backchannel_authentication_response(
            answer({"error": "unknown_user_id"}, 400), now=NOW
        )
    assert info.value.error == "unknown_user_id"
    with pytest.raises(UsageError):
        parse_backchannel_authentication_response(answer({}), now=float("nan"))


@settings(max_examples=300, deadline=None)
@given(responses | ok_responses)
def test_any_response_gives_an_acknowledgement_or_a_server_error(response: HttpResponse) -> None:
    try:
        result = parse_backchannel_authentication_response(response, now=NOW)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert result.expires_at >= NOW
    assert result.interval > 0


@settings(max_examples=300, deadline=None)
@given(json_objects)
def test_any_json_object_gives_an_acknowledgement_or_a_server_error(body: str) -> None:
    response = HttpResponse(200, JSON, body.encode("utf-8", "surrogatepass"))
    try:
        result = parse_backchannel_authentication_response(response, now=NOW)
    except ServerResponseError:
        return
    assert result.auth_req_id
    assert result.auth_req_id not in repr(result)


# ---------------------------------------------------------------------- polling


def _pending(manager: TokenManager, expires_in: float = 60) -> BackchannelAuthentication:
    return BackchannelAuthentication(
        AUTH_REQ_ID, expires_at=manager.clock() + expires_in, interval=1
    )


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> float:
        return self.now


def _drive(flow: Any, clock: Clock, answers: list[HttpResponse]) -> Any:
    """Run ``flow``, advancing the clock on each Sleep and answering each request in turn."""
    step = next(flow)
    sent: list[SendRequest] = []
    try:
        while True:
            if isinstance(step, Sleep):
                clock.now += step.seconds
                step = flow.send(None)
            elif isinstance(step, SendRequest):
                sent.append(step)
                step = flow.send(answers.pop(0))
            else:  # Exclusive: run the sub-flow
                try:
                    next(step.flow)
                except StopIteration as done:
                    step = flow.send(done.value)
    except StopIteration as done:
        return done.value, sent


def test_poll_sends_the_ciba_grant_and_follows_pending_and_slow_down() -> None:
    clock = Clock()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock)
    pending = _pending(manager)
    flow = manager.ciba_token_flow(pending)
    token, sent = _drive(
        flow,
        clock,
        [
            answer({"error": "authorization_pending"}, 400),
            answer({"error": "slow_down"}, 400),
            answer({"access_token": "at-1", "token_type": "Bearer", "expires_in": 60}),
        ],
    )
    assert token.access_token == "at-1"
    assert manager.token is token
    forms = [dict(parse_qsl((s.request.body or b"").decode())) for s in sent]
    assert all(f == {"grant_type": CIBA_GRANT_TYPE, "auth_req_id": AUTH_REQ_ID} for f in forms)
    assert all(s.purpose is Purpose.CIBA_POLL for s in sent)
    assert AUTH_REQ_ID not in repr(sent[0])


def test_poll_raises_access_denied_and_gives_up_before_expiry() -> None:
    clock = Clock()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock)
    with pytest.raises(AccessDeniedError):
        _drive(
            manager.ciba_token_flow(_pending(manager)),
            clock,
            [answer({"error": "access_denied"}, 400)],
        )
    with pytest.raises(DeviceFlowExpiredError, match="CIBA request"):
        _drive(
            manager.ciba_token_flow(_pending(manager, expires_in=2.5)),
            clock,
            [answer({"error": "authorization_pending"}, 400)] * 3,
        )
    assert manager.token is None


def test_polls_carry_a_dpop_proof_with_a_dpop_key() -> None:
    clock = Clock()
    key = oauthkit.DPoPKey.generate()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock, dpop=key)
    token, sent = _drive(
        manager.ciba_token_flow(_pending(manager)),
        clock,
        [
            answer({"error": "authorization_pending"}, 400),
            answer({"access_token": "at-1", "token_type": "DPoP", "expires_in": 60}),
        ],
    )
    assert token.token_type == "DPoP"
    proofs = [s.request.headers["DPoP"] for s in sent]
    assert len(set(proofs)) == 2  # a fresh proof per poll


def test_poll_needs_a_backchannel_authentication_and_a_token_endpoint() -> None:
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL)
    with pytest.raises(UsageError):
        next(manager.ciba_token_flow("id"))  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        TokenManager("rp", auth=NoneAuth("rp")).ciba_token_flow(_pending(manager))


# ---------------------------------------------------------------------- through a driver


def test_an_echoed_auth_req_id_is_scrubbed_from_the_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/backchannel":
            return httpx.Response(200, json={"auth_req_id": AUTH_REQ_ID, "expires_in": 60})
        return httpx.Response(
            400, json={"error": "access_denied", "error_description": f"{AUTH_REQ_ID} denied"}
        )

    with okhttpx.OAuth2Client(
        client_id="rp",
        client_auth=AUTH,
        scope=["openid"],
        transport=httpx.MockTransport(handler),
    ) as client:
        request = client.backchannel_authenticate(ENDPOINT, login_hint="alice")
        with pytest.raises(AccessDeniedError) as info:
            client.poll_backchannel_token(request, TOKEN_URL, sleep=lambda _: None)
    for text in (str(info.value), repr(info.value), info.value.body_excerpt):
        assert AUTH_REQ_ID not in text


def test_auth_req_id_is_a_secret_name_in_every_case_style() -> None:
    from oauthkit._core._redact import is_secret_name, redact_text

    assert is_secret_name("auth_req_id")
    assert is_secret_name("authReqId")
    assert not is_secret_name("client_id")
    assert not is_secret_name("req_id")
    assert AUTH_REQ_ID not in redact_text(f"auth_req_id={AUTH_REQ_ID}&grant_type=x")


def test_the_manager_request_follows_its_transport_policy_and_sends_extra() -> None:
    plain = "http://op.internal/backchannel"
    strict = TokenManager("rp", auth=AUTH, scope="openid")
    with pytest.raises(oauthkit.InsecureTransportError):
        strict.backchannel_authentication_flow(plain, login_hint="alice")
    allowed = TokenManager("rp", auth=AUTH, scope="openid", allow_insecure_transport=True)
    flow = allowed.backchannel_authentication_flow(
        plain, login_hint="alice", extra={"request_context": "kiosk-7"}
    )
    step = next(flow)
    assert step.request.url == plain
    form = dict(parse_qsl((step.request.body or b"").decode()))
    assert form == {"scope": "openid", "login_hint": "alice", "request_context": "kiosk-7"}


@pytest.mark.parametrize("name", ["expires_in", "interval"])
def test_a_duration_too_large_for_a_float_is_malformed_not_an_overflow(name: str) -> None:
    # fuzz/campaign.py, target ciba_authentication: a 400-digit number is valid JSON and
    # float() of it raised OverflowError.
    data = {"auth_req_id": AUTH_REQ_ID, "expires_in": 60, name: 10**400}
    body = json.dumps(data).encode()
    with pytest.raises(MalformedResponseError, match=name):
        parse_backchannel_authentication_response(HttpResponse(200, JSON, body), now=NOW)
