"""CIBA ping mode (OpenID CIBA Core §10.2), sans I/O and on the loopback receiver.

The validator checks the bearer token in constant time before it reads the body, names what is
wrong with a typed error carrying the status to answer, and never shows the token or the
``auth_req_id``; a property test feeds it anything. After a ping the token request is made at
once, and polling goes on if the provider still says ``authorization_pending``.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oauthkit
from oauthkit import (
    BackchannelAuthentication,
    CibaPingReceiver,
    HttpRequest,
    HttpResponse,
    PingNotificationError,
    TokenManager,
    UsageError,
    new_client_notification_token,
    parse_ping_notification,
)
from oauthkit._core._steps import SendRequest, Sleep

from ._hostile import body_bytes, json_objects
from .test_ciba import Clock, _drive

NOW = 1_700_000_000.0
TOKEN_URL = "https://op.example/token"
ENDPOINT = "https://op.example/backchannel"
AUTH_REQ_ID = "1c266114-a1be-4252-8ad1-04986c5b9ac1"
TOKEN = "cnt-8Jq3x0Vn2kP4m9Lr7sT1wY6zA5bC"
AUTH = oauthkit.ClientSecretBasic("rp", "rp-secret-0123456789")


def headers(token: str | None = TOKEN, scheme: str = "Bearer") -> dict[str, str]:
    out = {"Content-Type": "application/json"}
    if token is not None:
        out["Authorization"] = f"{scheme} {token}"
    return out


BODY = json.dumps({"auth_req_id": AUTH_REQ_ID}).encode()


# ---------------------------------------------------------------------- the validator


def test_a_ping_gives_its_auth_req_id() -> None:
    assert parse_ping_notification(headers(), BODY, client_notification_token=TOKEN) == AUTH_REQ_ID
    lower = {"authorization": f"bearer {TOKEN}"}
    assert (
        parse_ping_notification(
            lower, BODY.decode(), client_notification_token=TOKEN, auth_req_id=AUTH_REQ_ID
        )
        == AUTH_REQ_ID
    )


@pytest.mark.parametrize(
    "sent",
    [
        headers(None),
        headers("wrong-token-0123456789"),
        headers(TOKEN + "x"),
        headers(TOKEN, scheme="Basic"),
        headers(TOKEN, scheme="DPoP"),
        {"Authorization": "Bearer"},
        {"Authorization": f"Bearer {TOKEN} extra"},
        {"Authorization": ""},
    ],
)
def test_a_missing_or_wrong_bearer_is_401(sent: dict[str, str]) -> None:
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(sent, BODY, client_notification_token=TOKEN)
    assert info.value.status_code == 401
    assert TOKEN not in str(info.value)
    assert isinstance(info.value, oauthkit.CallbackError)


def test_lone_surrogates_are_refused_not_raised() -> None:
    # fuzz/campaign.py, target ciba_ping: a bearer token or an auth_req_id holding a lone
    # surrogate (a JSON "\\udcfe" escape) made the constant-time comparison raise
    # UnicodeEncodeError.
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(
            {"Authorization": "bearer \udcfe"}, b"}", client_notification_token=TOKEN
        )
    assert info.value.status_code == 401
    body = b'{"auth_req_id": "\\udcfe"}'
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(
            headers(), body, client_notification_token=TOKEN, auth_req_id=AUTH_REQ_ID
        )
    assert info.value.status_code == 400
    assert parse_ping_notification(headers(), body, client_notification_token=TOKEN) == "\udcfe"


def test_the_bearer_is_checked_before_the_body() -> None:
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(
            headers("other-0123456789"), b"junk", client_notification_token=TOKEN
        )
    assert info.value.status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        None,
        b"",
        b"junk",
        b"[]",
        b'"auth_req_id"',
        b"{}",
        b'{"auth_req_id": 5}',
        b'{"auth_req_id": ""}',
        b'{"auth_req_id": null}',
        b'{"auth_req_id": "a", "auth_req_id": "b"}',
        b"\xff\xfe",
        b"{" * 10_000,
        b" " * 70_000,
    ],
)
def test_a_malformed_body_is_400(body: bytes | None) -> None:
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(headers(), body, client_notification_token=TOKEN)
    assert info.value.status_code == 400


def test_a_ping_for_another_request_is_400_and_names_neither() -> None:
    other = "9f8e7d6c-another-request-id-5b4a3"
    body = json.dumps({"auth_req_id": other}).encode()
    with pytest.raises(PingNotificationError) as info:
        parse_ping_notification(
            headers(), body, client_notification_token=TOKEN, auth_req_id=AUTH_REQ_ID
        )
    assert info.value.status_code == 400
    for secret in (other, AUTH_REQ_ID, TOKEN):
        assert secret not in str(info.value)
        assert secret not in repr(info.value)


@pytest.mark.parametrize(
    "kw",
    [
        {"client_notification_token": ""},
        {"client_notification_token": None},
        {"client_notification_token": TOKEN, "auth_req_id": ""},
        {"client_notification_token": TOKEN, "auth_req_id": 5},
    ],
)
def test_the_callers_mistakes_are_usage_errors(kw: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        parse_ping_notification(headers(), BODY, **kw)
    with pytest.raises(UsageError):
        parse_ping_notification([("Authorization", "x")], BODY, client_notification_token=TOKEN)  # type: ignore[arg-type]


header_maps = st.dictionaries(
    st.sampled_from(["Authorization", "authorization", "Content-Type", "X"]),
    st.one_of(
        st.just(f"Bearer {TOKEN}"),
        st.text(max_size=40).map(lambda t: "Bearer " + t),
        st.text(max_size=40),
    ),
    max_size=3,
)
ping_bodies = st.one_of(
    body_bytes,
    json_objects,
    st.builds(lambda v: json.dumps({"auth_req_id": v}), st.text(max_size=20) | st.integers()),
    st.none(),
)


@settings(max_examples=400, deadline=None)
@given(header_maps, ping_bodies, st.none() | st.just(AUTH_REQ_ID))
def test_any_post_gives_an_auth_req_id_or_a_ping_error(
    sent: dict[str, str], body: Any, wanted: str | None
) -> None:
    try:
        named = parse_ping_notification(
            sent, body, client_notification_token=TOKEN, auth_req_id=wanted
        )
    except PingNotificationError as exc:
        problem: PingNotificationError | None = exc
    else:
        problem = None
        assert isinstance(named, str)
        assert named
        assert wanted is None or named == wanted
    if problem is not None:
        assert problem.status_code in (400, 401)
        assert TOKEN not in str(problem)


def test_fresh_notification_tokens_are_bearer_tokens_of_256_bits() -> None:
    tokens = {new_client_notification_token() for _ in range(50)}
    assert len(tokens) == 50
    for token in tokens:
        assert len(token) == 43
        assert all(c.isalnum() or c in "-_" for c in token)


# ---------------------------------------------------------------------- the request and its token


def test_the_request_carries_the_notification_token_and_keeps_it_hidden() -> None:
    request = oauthkit.build_backchannel_authentication_request(
        ENDPOINT, AUTH, now=NOW, scope="openid", login_hint="alice", client_notification_token=TOKEN
    )
    form = dict(parse_qsl((request.body or b"").decode()))
    assert form["client_notification_token"] == TOKEN
    assert TOKEN not in repr(request)
    with pytest.raises(UsageError):
        oauthkit.build_backchannel_authentication_request(
            ENDPOINT, AUTH, now=NOW, scope="openid", login_hint="a", client_notification_token=""
        )


def test_an_unknown_request_parameter_is_a_usage_error() -> None:
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, scope="openid")
    with pytest.raises(UsageError, match="client_notification_tokn"):
        manager.backchannel_authentication_flow(
            ENDPOINT, login_hint="alice", client_notification_tokn=TOKEN
        )


def test_the_manager_keeps_the_token_on_the_acknowledgement() -> None:
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, scope="openid")
    flow = manager.backchannel_authentication_flow(
        ENDPOINT, login_hint="alice", client_notification_token=TOKEN
    )
    step = next(flow)
    assert isinstance(step, SendRequest)
    assert b"client_notification_token=" in (step.request.body or b"")
    answer = HttpResponse(
        200, {}, json.dumps({"auth_req_id": AUTH_REQ_ID, "expires_in": 60}).encode()
    )
    with pytest.raises(StopIteration) as done:
        flow.send(answer)
    auth = done.value.value
    assert auth.client_notification_token == TOKEN
    assert TOKEN not in repr(auth)
    assert AUTH_REQ_ID not in repr(auth)
    with pytest.raises(UsageError):
        BackchannelAuthentication(AUTH_REQ_ID, expires_at=NOW, client_notification_token="")


def _token_answer(data: dict[str, Any], status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(data).encode())


def test_after_a_ping_the_token_request_is_made_at_once() -> None:
    clock = Clock()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock)
    auth = BackchannelAuthentication(AUTH_REQ_ID, expires_at=NOW + 60, interval=5)
    flow = manager.ciba_token_flow(auth, pinged=True)
    token, sent = _drive(
        flow, clock, [_token_answer({"access_token": "at-1", "token_type": "Bearer"})]
    )
    assert token.access_token == "at-1"
    assert len(sent) == 1
    assert clock.now == NOW  # no Sleep


def test_a_pinged_request_still_pending_falls_back_to_polling() -> None:
    clock = Clock()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock)
    auth = BackchannelAuthentication(AUTH_REQ_ID, expires_at=NOW + 60, interval=5)
    flow = manager.ciba_token_flow(auth, pinged=True)
    assert isinstance(next(flow), SendRequest)
    step = flow.send(_token_answer({"error": "authorization_pending"}, 400))
    assert step == Sleep(5.0)
    clock.now += 5
    assert isinstance(flow.send(None), SendRequest)
    with pytest.raises(oauthkit.AccessDeniedError):
        flow.send(_token_answer({"error": "access_denied"}, 400))


def test_a_ping_after_expiry_raises_at_once() -> None:
    clock = Clock()
    manager = TokenManager("rp", auth=AUTH, token_endpoint=TOKEN_URL, clock=clock)
    auth = BackchannelAuthentication(AUTH_REQ_ID, expires_at=NOW - 1, interval=5)
    with pytest.raises(oauthkit.DeviceFlowExpiredError):
        next(manager.ciba_token_flow(auth, pinged=True))


def test_the_httpx_session_makes_one_request_after_a_ping() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"access_token": "at-9", "token_type": "Bearer"})

    auth = BackchannelAuthentication(
        AUTH_REQ_ID, expires_at=10**10, interval=5, client_notification_token=TOKEN
    )
    with oauthkit.httpx.OAuth2Client(
        "rp", client_auth=AUTH, transport=httpx.MockTransport(handler)
    ) as client:
        token = client.poll_backchannel_token(
            auth, TOKEN_URL, pinged=True, sleep=lambda s: pytest.fail("slept")
        )
    assert token["access_token"] == "at-9"
    assert len(sent) == 1


# ---------------------------------------------------------------------- the loopback receiver


def _post(receiver: CibaPingReceiver, sent: dict[str, str], body: bytes | None) -> HttpResponse:
    return receiver(HttpRequest("POST", "http://127.0.0.1:1/ciba/ping", sent, body))


def _auth(token: str, auth_req_id: str = AUTH_REQ_ID, expires_at: float = NOW + 60) -> Any:
    return BackchannelAuthentication(
        auth_req_id, expires_at=expires_at, client_notification_token=token
    )


def test_the_receiver_answers_what_it_is_sent() -> None:
    receiver = CibaPingReceiver(clock=Clock())
    token = receiver.new_token()
    other = receiver.new_token()
    assert receiver(HttpRequest("GET", "http://127.0.0.1:1/ciba/ping")).status_code == 405
    assert receiver(HttpRequest("POST", "http://127.0.0.1:1/other", {}, BODY)).status_code == 404
    assert _post(receiver, headers("not-ours-0123456789"), BODY).status_code == 401
    assert _post(receiver, headers(None), BODY).status_code == 401
    assert _post(receiver, headers(token), b"junk").status_code == 400
    assert _post(receiver, headers(token), BODY).status_code == 204
    assert receiver.wait(_auth(token), timeout=0) is True  # the ping came before the wait
    assert receiver.wait(_auth(other), timeout=0) is False
    assert receiver.wait(_auth(token, "another-request-id"), timeout=0) is False
    with pytest.raises(UsageError):
        receiver.wait(_auth(new_client_notification_token()), timeout=0)
    with pytest.raises(UsageError):
        receiver.wait("id", timeout=0)  # type: ignore[arg-type]
    assert token not in repr(receiver)
    with pytest.raises(UsageError):
        CibaPingReceiver("ping")


def test_the_receiver_waits_until_the_request_expires_by_default() -> None:
    receiver = CibaPingReceiver(clock=Clock())
    token = receiver.new_token()
    assert receiver.wait(_auth(token, expires_at=NOW - 5)) is False  # no wait at all


def test_a_ping_over_the_loopback_server_wakes_the_waiter() -> None:
    with CibaPingReceiver() as receiver:
        token = receiver.new_token()
        auth = _auth(token, expires_at=10**10)
        assert receiver.url.startswith("http://127.0.0.1:")
        with httpx.Client(trust_env=False) as http:
            refused = http.post(receiver.url, headers=headers("nope-0123456789"), content=BODY)
            answered = http.post(receiver.url, headers=headers(token), content=BODY)
        assert (refused.status_code, answered.status_code) == (401, 204)
        assert answered.content == b""
        assert asyncio.run(receiver.wait_async(auth, timeout=5)) is True
