"""The TokenManager core, driven directly: generators stepped by hand, a fixed clock, no I/O."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest

import oauthkit
from oauthkit import (
    Exclusive,
    HttpRequest,
    HttpResponse,
    SendProtected,
    SendRequest,
    Token,
    TokenIssued,
    TokenManager,
)
from oauthkit._compat._clients import client_kind
from oauthkit._compat._session import OAuth2SessionState

NOW = 1_700_000_000.0
TOKEN_URL = "https://as.example/token"
API = "https://api.example/me"


def clock() -> float:
    return NOW


def token(expires_in: float = 3600, refresh: str | None = "r1", access: str = "a1") -> Token:
    return Token(access, "Bearer", NOW + expires_in, refresh)


def json_response(status: int, payload: object, **headers: str) -> HttpResponse:
    return HttpResponse(
        status, {"Content-Type": "application/json", **headers}, json.dumps(payload).encode()
    )


def form_of(step: SendRequest) -> dict[str, str]:
    return dict(parse_qsl((step.request.body or b"").decode()))


def client(**kw: object) -> TokenManager:
    kw.setdefault("token_endpoint", TOKEN_URL)
    return TokenManager("app", "s3cret", clock=clock, **kw)


def bearer(token: Token) -> tuple[tuple[str, str], ...]:
    return (("Authorization", f"Bearer {token.access_token}"),)


def test_fresh_token_is_sent_without_renewal() -> None:
    c = client(token=token())
    flow = c.protected_flow("GET", API)
    step = next(flow)
    assert isinstance(step, SendProtected)
    assert c.token is not None
    assert step.patch.headers == bearer(c.token)
    with pytest.raises(StopIteration):
        flow.send(HttpResponse(200))


def test_expired_token_is_renewed_before_use() -> None:
    c = client(token=token(expires_in=-1))
    flow = c.protected_flow("GET", API)
    step = next(flow)
    assert isinstance(step, Exclusive)
    assert step.key == c.lock_key

    renew = step.flow
    request = next(renew)
    assert isinstance(request, SendRequest)
    assert form_of(request) == {"grant_type": "refresh_token", "refresh_token": "r1"}
    assert request.request.headers["Authorization"].startswith("Basic ")
    with pytest.raises(StopIteration) as done:
        renew.send(json_response(200, {"access_token": "a2", "token_type": "Bearer"}))
    new, renewed = done.value.value
    assert renewed
    assert new.access_token == "a2"
    assert new.refresh_token == "r1"  # not rotated: the old one is kept (RFC 6749 §6)
    assert c.token is new

    assert flow.send((new, True)) == TokenIssued(new)  # outside the lock, once
    step = flow.send(None)
    assert isinstance(step, SendProtected)
    assert step.patch.headers == bearer(new)


def test_leeway_renews_shortly_before_expiry() -> None:
    assert client(token=token(expires_in=5), leeway=10).should_renew(token(expires_in=5))
    assert not client(leeway=10).should_renew(token(expires_in=60))


def test_rotated_refresh_token_is_adopted() -> None:
    c = client(token=token(expires_in=-1))
    renew = c.renew_flow(c.token)
    next(renew)
    with pytest.raises(StopIteration) as done:
        renew.send(json_response(200, {"access_token": "a2", "refresh_token": "r2"}))
    assert done.value.value.refresh_token == "r2"


def test_a_waiter_finds_the_token_another_caller_renewed() -> None:
    c = client(token=token(expires_in=-1))
    stale = c.token
    c.token = token(access="a2")  # what the first holder of the lock obtained
    renew = c.renew_flow(stale)
    with pytest.raises(StopIteration) as done:
        next(renew)  # no request at all
    assert done.value.value.access_token == "a2"


def test_rejected_token_is_renewed_once_and_retried_once() -> None:
    c = client(token=token())
    flow = c.protected_flow("GET", API)
    next(flow)
    rejected = HttpResponse(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    step = flow.send(rejected)
    assert isinstance(step, Exclusive)
    # forced: the token has not expired, yet the renewal sends a refresh
    assert isinstance(next(step.flow), SendRequest)
    renewed = token(access="a2")
    assert flow.send((renewed, True)) == TokenIssued(renewed)
    step = flow.send(None)
    assert isinstance(step, SendProtected)
    assert step.patch.headers == bearer(renewed)
    with pytest.raises(StopIteration):
        flow.send(rejected)  # a second rejection is returned to the caller, not retried


@pytest.mark.parametrize(
    ("status", "challenge"),
    [
        (401, 'Bearer error="insufficient_scope"'),
        (401, 'Basic realm="x"'),
        (403, 'Bearer error="invalid_token"'),
        (401, ""),
    ],
)
def test_other_refusals_are_not_retried(status: int, challenge: str) -> None:
    c = client(token=token())
    flow = c.protected_flow("GET", API)
    next(flow)
    with pytest.raises(StopIteration):
        flow.send(HttpResponse(status, {"WWW-Authenticate": challenge} if challenge else {}))


def test_forced_renewal_by_a_waiter_is_skipped_when_someone_renewed() -> None:
    c = client(token=token())
    stale = c.token
    c.token = token(access="a2")
    with pytest.raises(StopIteration) as done:
        next(c.renew_flow(stale, force=True))
    assert done.value.value.access_token == "a2"


def test_expired_token_without_refresh_token_raises_typed_error() -> None:
    c = client(token=token(expires_in=-1, refresh=None))
    with pytest.raises(oauthkit.TokenExpiredError, match="no refresh token"):
        next(c.protected_flow("GET", API))
    c = TokenManager("app", clock=clock, token=token(expires_in=-1))
    with pytest.raises(oauthkit.TokenExpiredError, match="no token endpoint"):
        next(c.protected_flow("GET", API))


def test_client_credentials_mode_fetches_without_a_token() -> None:
    c = client(renew="client_credentials", scope=["read", "write"], renew_params={"audience": "x"})
    flow = c.protected_flow("GET", API)
    step = next(flow)
    assert isinstance(step, Exclusive)
    request = next(step.flow)
    assert isinstance(request, SendRequest)
    assert form_of(request) == {
        "grant_type": "client_credentials",
        "scope": "read write",
        "audience": "x",
    }


def test_public_client_sends_client_id_in_body_never_basic() -> None:
    c = TokenManager("public-app", token_endpoint=TOKEN_URL, clock=clock, token=token(-1))
    request = next(c.renew_flow(c.token))
    assert isinstance(request, SendRequest)
    assert "Authorization" not in request.request.headers
    assert form_of(request)["client_id"] == "public-app"


def test_refusal_keeps_the_old_token() -> None:
    old = token(expires_in=-1)
    c = client(token=old)
    renew = c.renew_flow(old)
    next(renew)
    with pytest.raises(oauthkit.InvalidGrantError) as info:
        renew.send(json_response(400, {"error": "invalid_grant"}))
    assert info.value.status_code == 400
    assert c.token is old  # never lose a token on a failed renewal


def test_changed_scope_is_recorded_not_raised() -> None:
    c = client(token=Token("a1", "Bearer", NOW - 1, "r1", ("read", "write")))
    renew = c.renew_flow(c.token)
    next(renew)
    with pytest.raises(StopIteration) as done:
        renew.send(json_response(200, {"access_token": "a2", "scope": "read"}))
    assert done.value.value.scope == ("read",)
    assert done.value.value.scope_changed


def test_repr_redacts_secrets() -> None:
    c = client(token=token())
    text = repr(c) + repr(c.token) + repr(next(c.protected_flow("GET", API)))
    for secret in ("s3cret", "a1", "r1"):
        assert secret not in text


def test_insecure_token_endpoint_is_refused_unless_loopback() -> None:
    c = TokenManager("app", "s", token_endpoint="http://as.example/token", clock=clock)
    c.token = token(expires_in=-1)
    with pytest.raises(oauthkit.InsecureTransportError):
        next(c.renew_flow(c.token))
    loopback = TokenManager("app", "s", token_endpoint="http://127.0.0.1:9/token", clock=clock)
    loopback.token = token(expires_in=-1)
    assert isinstance(next(loopback.renew_flow(loopback.token)), SendRequest)


class _OAuthlibLikeClient:
    """Stands in for oauthlib's client classes, which oauthkit maps by class name."""


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("WebApplicationClient", "authorization_code"),
        ("LegacyApplicationClient", "password"),
        ("BackendApplicationClient", "client_credentials"),
        ("MobileApplicationClient", "implicit"),
        ("DeviceClient", "device_code"),
    ],
)
def test_oauthlib_clients_are_mapped_by_type(name: str, kind: str) -> None:
    cls = type(name, (_OAuthlibLikeClient,), {})
    assert client_kind(cls()) == kind
    sub = type("Custom", (cls,), {})  # subclasses count too
    assert client_kind(sub()) == kind


def test_unknown_client_object_is_a_usage_error() -> None:
    with pytest.raises(oauthkit.UsageError, match="unsupported client object"):
        client_kind(object())


def first_request(flow: Any) -> HttpRequest:
    """The token request a fetch or refresh flow sends first (under the token's lock)."""
    locked = next(flow)
    assert isinstance(locked, Exclusive)
    step = next(locked.flow)
    assert isinstance(step, SendRequest)
    return step.request


def test_session_state_public_client_authenticates_as_requests_oauthlib_does() -> None:
    """Without a secret: ``Basic id:`` unless ``include_client_id=True`` puts the id in the
    body (requests-oauthlib 2.0.0's fetch_token); the PKCE verifier goes along either way."""
    for include_client_id, in_body in ((None, False), (True, True)):
        state = OAuth2SessionState("public-app", redirect_uri="https://app/cb", pkce="S256")
        url, st = state.authorization_url("https://as.example/authorize")
        assert "code_challenge_method=S256" in url
        request = first_request(
            state.fetch_token_flow(
                TOKEN_URL,
                authorization_response=f"https://app/cb?code=c1&state={st}",
                include_client_id=include_client_id,
            )
        )
        form = dict(parse_qsl((request.body or b"").decode()))
        assert form["code_verifier"] == state.code_verifier
        if in_body:
            assert form["client_id"] == "public-app"
            assert "Authorization" not in request.headers
        else:
            assert "client_id" not in form
            assert request.headers["Authorization"] == "Basic cHVibGljLWFwcDo="  # public-app:


def test_session_state_verifier_survives_between_web_requests() -> None:
    first = OAuth2SessionState("app", redirect_uri="https://app/cb", pkce="S256")
    _, st = first.authorization_url("https://as.example/authorize")
    # the callback is handled by a new session built from what the app stored
    second = OAuth2SessionState(
        "app",
        redirect_uri="https://app/cb",
        pkce="S256",
        state=st,
        code_verifier=first.code_verifier,
    )
    request = first_request(
        second.fetch_token_flow(
            TOKEN_URL, authorization_response=f"https://app/cb?code=c&state={st}"
        )
    )
    assert dict(parse_qsl((request.body or b"").decode()))["code_verifier"] == first.code_verifier


def test_session_state_forged_state_is_refused_before_any_request() -> None:
    state = OAuth2SessionState("app", redirect_uri="https://app/cb")
    state.authorization_url("https://as.example/authorize")
    with pytest.raises(oauthkit.StateMismatchError):
        first_request(
            state.fetch_token_flow(
                TOKEN_URL, authorization_response="https://app/cb?code=c&state=forged"
            )
        )


def test_session_state_secret_goes_once_in_basic() -> None:
    state = OAuth2SessionState("app", redirect_uri="https://app/cb")
    request = first_request(state.fetch_token_flow(TOKEN_URL, code="c", client_secret="s3cret"))
    form = dict(parse_qsl((request.body or b"").decode()))
    assert "client_secret" not in form
    assert request.headers["Authorization"].startswith("Basic ")
    post = first_request(
        OAuth2SessionState("app").fetch_token_flow(
            TOKEN_URL, code="c", client_secret="s3cret", include_client_id=True
        )
    )
    form = dict(parse_qsl((post.body or b"").decode()))
    assert form["client_secret"] == "s3cret"
    assert "Authorization" not in post.headers


def test_session_state_refresh_kwargs_authenticate_like_requests_oauthlib() -> None:
    state = OAuth2SessionState(
        "app",
        auto_refresh_url=TOKEN_URL,
        auto_refresh_kwargs={"client_id": "app", "client_secret": "s3cret", "audience": "api"},
        token={"access_token": "a", "token_type": "Bearer", "refresh_token": "r", "expires_at": 1},
    )
    request = first_request(state.refresh_token_flow(TOKEN_URL))
    form = dict(parse_qsl((request.body or b"").decode()))
    # as requests-oauthlib: the credentials go in the body (client_secret_post), once
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "r",
        "audience": "api",
        "client_id": "app",
        "client_secret": "s3cret",
    }
    assert "Authorization" not in request.headers


def test_session_state_checks_the_issuer_of_the_callback() -> None:
    state = OAuth2SessionState("app", redirect_uri="https://app/cb", issuer="https://as.example")
    _, st = state.authorization_url("https://as.example/authorize")
    with pytest.raises(oauthkit.IssuerMismatchError):
        first_request(
            state.fetch_token_flow(
                TOKEN_URL,
                authorization_response=f"https://app/cb?code=c&state={st}&iss=https://evil",
            )
        )
    request = first_request(
        state.fetch_token_flow(
            TOKEN_URL,
            authorization_response=f"https://app/cb?code=c&state={st}&iss=https://as.example",
        )
    )
    assert dict(parse_qsl((request.body or b"").decode()))["code"] == "c"


def _run_locked(flow: Any, answer: HttpResponse) -> tuple[SendRequest, Any]:
    """Step a flow that takes the token's lock: enter it, answer its one request, leave it."""
    step = next(flow)
    assert isinstance(step, Exclusive)
    request = next(step.flow)
    assert isinstance(request, SendRequest)
    with pytest.raises(StopIteration) as inner:
        step.flow.send(answer)
    with pytest.raises(StopIteration) as outer:
        flow.send(inner.value.value)
    return request, outer.value.value


def test_fetch_flow_sends_the_grant_with_every_option_and_remembers_client_credentials() -> None:
    c = client()
    grant = oauthkit.ClientCredentialsGrant(scope="read")
    request, issued = _run_locked(
        c.fetch_flow(
            grant,
            resource="https://api.example/",
            authorization_details=[{"type": "payment"}],
            extra={"audience": "api"},
            headers={"X-Trace": "1"},
        ),
        json_response(200, {"access_token": "cc1", "token_type": "Bearer", "expires_in": 60}),
    )
    assert form_of(request) == {
        "grant_type": "client_credentials",
        "scope": "read",
        "resource": "https://api.example/",
        "authorization_details": '[{"type":"payment"}]',
        "audience": "api",
    }
    assert request.request.headers["X-Trace"] == "1"
    assert issued is c.token
    assert issued.access_token == "cc1"
    # No refresh token: the same grant renews it (RFC 6749 §4.4.3).
    assert c.renewal_kind(issued) == oauthkit._oauth2._renewal.RENEW_CLIENT_CREDENTIALS


def test_fetch_flow_endpoint_and_auth_replace_the_managers_for_one_request() -> None:
    c = client()
    other = oauthkit.ClientSecretPost("other", "pw")
    request, _ = _run_locked(
        c.fetch_flow(
            oauthkit.AuthorizationCodeGrant(code="c1", redirect_uri="https://app.example/cb"),
            endpoint="https://as2.example/token",
            auth=other,
        ),
        json_response(200, {"access_token": "a9", "token_type": "Bearer"}),
    )
    assert request.request.url == "https://as2.example/token"
    assert "Authorization" not in request.request.headers
    assert form_of(request)["client_id"] == "other"


def test_refresh_flow_keeps_the_refresh_token_and_can_narrow_the_resource() -> None:
    c = client(token=token())
    request, refreshed = _run_locked(
        c.refresh_flow(resource="https://api.example/"),
        json_response(200, {"access_token": "a2", "token_type": "Bearer"}),
    )
    assert form_of(request) == {
        "grant_type": "refresh_token",
        "refresh_token": "r1",
        "resource": "https://api.example/",
    }
    assert refreshed.access_token == "a2"
    assert refreshed.refresh_token == "r1"


def test_refresh_flow_without_a_refresh_token_is_a_usage_error() -> None:
    with pytest.raises(oauthkit.UsageError, match="no refresh token"):
        next(client(token=token(refresh=None)).refresh_flow())


def test_ready_step_is_the_flows_first_send_when_no_renewal_comes_first() -> None:
    c = client(token=token())
    ready = c.ready_step(API)
    assert ready is not None
    held, step = ready
    assert held is c.token
    flow = c.protected_flow("GET", API)
    assert next(flow) is step  # the same step object the flow would yield
    again = c.ready_step(API)
    assert again is not None
    assert again[1] is step  # made once per token
    c.placement = "query"
    moved = c.ready_step(API)
    assert moved is not None
    assert moved[1].patch.query == (("access_token", "a1"),)


@pytest.mark.parametrize("kw", [{"token": token(expires_in=5)}, {}])
def test_no_ready_step_when_a_renewal_or_a_token_is_missing(kw: dict[str, Any]) -> None:
    assert client(**kw).ready_step(API) is None  # due within the leeway, or no token


def test_ready_step_checks_the_transport_every_time() -> None:
    c = client(token=token())
    assert c.ready_step(API) is not None
    with pytest.raises(oauthkit.InsecureTransportError):
        c.ready_step("http://api.example/me")


def test_a_shortcut_answer_resumes_the_flow_only_when_not_settled() -> None:
    assert client().settled(200)
    assert client().settled(403)
    assert not client().settled(401)
    c = client(token=token())
    ready = c.ready_step(API)
    assert ready is not None
    rejected = HttpResponse(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    flow = c.protected_flow("GET", API, answered=(ready[0], rejected))
    step = next(flow)  # straight to the forced renewal: nothing is sent twice
    assert isinstance(step, Exclusive)
    request = next(step.flow)
    assert isinstance(request, SendRequest)
    assert form_of(request)["grant_type"] == "refresh_token"
