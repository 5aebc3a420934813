"""Issue #7's findings, one regression test each, on every driver where the driver matters.

Each test names the finding it covers. The servers are loopback ones scripted per test
(:mod:`tests._routes`); "another origin" is a second such server, which must receive nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Clock, Driver, oauthkit_class, open_session
from tests._routes import Answer, Hit, Routes, answer_json, serve

CLIENT_SECRET = "client-secret-value-7"
REFRESH = "refresh-token-value-7"
OLD_ACCESS = "old-access-token-7"


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        yield routes


@pytest.fixture
def other() -> Iterator[Routes]:
    """Another origin: it must never receive anything from the client."""
    with serve() as routes:
        yield routes


def _redirect(status: int, target: str) -> Callable[[Hit], Answer]:
    return lambda hit: (status, {"Location": target}, b"")


def _expired_session(driver: str, origin: Routes, **kw: Any) -> Any:
    clock = Clock()
    token = {
        "access_token": OLD_ACCESS,
        "token_type": "Bearer",
        "refresh_token": REFRESH,
        "expires_at": clock.now - 10,
    }
    return open_session(
        driver,
        client_id="app",
        token=token,
        auto_refresh_url=origin.url("/token"),
        auto_refresh_kwargs={"client_secret": CLIENT_SECRET},
        clock=clock,
        **kw,
    )


def _follow(driver: str) -> dict[str, Any]:
    """Follow redirects, as requests does by default and httpx when asked."""
    return {} if driver == "requests" else {"follow_redirects": True}


def _call(s: Driver, name: str, *args: Any, **kw: Any) -> Any:
    return s._call(getattr(s.s, name), *args, **kw)


# -- Credentials crossing origins: back-channel requests never follow a redirect ----------------

BACK_CHANNEL = ["fetch_token", "refresh_token", "renewal", "device", "revoke", "introspect"]


def _back_channel(s: Driver, operation: str, origin: Routes) -> None:
    url = origin.url("/token")
    if operation == "fetch_token":
        s.fetch_token(url, code="one-time-code", client_secret=CLIENT_SECRET)
    elif operation == "refresh_token":
        s.refresh_token(url)
    elif operation == "renewal":
        s.get(origin.url("/api"))
    elif operation == "device":
        s.fetch_device_authorization(url)
    elif operation == "revoke":
        _call(s, "revoke_token", url)
    else:
        _call(s, "introspect_token", url)


@pytest.mark.parametrize("status", [302, 303, 307, 308])
@pytest.mark.parametrize("operation", BACK_CHANNEL)
@pytest.mark.parametrize("driver", DRIVERS)
def test_back_channel_redirect_is_refused_and_nothing_follows(
    driver: str, operation: str, status: int, origin: Routes, other: Routes
) -> None:
    origin.handlers["/token"] = _redirect(status, other.url("/steal"))
    with _expired_session(driver, origin) as s:
        with pytest.raises(oauthkit.UnexpectedRedirectError) as caught:
            _back_channel(s, operation, origin)
        assert caught.value.status_code == status
        assert caught.value.location_origin == other.base_url
        assert other.base_url in str(caught.value)
        assert len(origin.to("/token")) == 1  # sent once, never re-sent
        assert other.hits == []
        assert s.token["access_token"] == OLD_ACCESS  # nothing adopted, nothing lost
        assert s.token["refresh_token"] == REFRESH


@pytest.mark.parametrize("driver", DRIVERS)
def test_redirect_to_plain_http_elsewhere_is_refused_before_any_hop(
    driver: str, origin: Routes
) -> None:
    # https -> http://other-host: the hop is never made, so its transport is never in question.
    origin.handlers["/token"] = _redirect(307, "http://other-host.example/token")
    with _expired_session(driver, origin) as s:
        with pytest.raises(oauthkit.UnexpectedRedirectError) as caught:
            s.refresh_token(origin.url("/token"))
        assert caught.value.location_origin == "http://other-host.example:80"


def test_bare_httpx_auth_never_follows_a_token_endpoint_redirect(
    origin: Routes, other: Routes
) -> None:
    import httpx

    import oauthkit.httpx as okhttpx

    origin.handlers["/token"] = _redirect(307, other.url("/steal"))
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    clock = Clock()
    manager = oauthkit.TokenManager(
        "app",
        CLIENT_SECRET,
        token_endpoint=origin.url("/token"),
        token={"access_token": OLD_ACCESS, "refresh_token": REFRESH, "expires_in": -10},
        clock=clock,
    )
    # The caller's client follows redirects for its own requests; token requests still do not.
    with httpx.Client(follow_redirects=True, trust_env=False) as client:
        auth = okhttpx.OAuth2Auth(manager, client=client)
        with pytest.raises(oauthkit.UnexpectedRedirectError):
            client.get(origin.url("/api"), auth=auth)
    assert other.hits == []
    assert manager.token is not None
    assert manager.token.access_token == OLD_ACCESS


# -- Bearer tokens in the body or the query do not follow a redirect to another origin ---------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("placement", ["header", "body", "query"])
@pytest.mark.parametrize("driver", DRIVERS)
def test_protected_redirect_to_another_origin_carries_no_token(
    driver: str, placement: str, status: int, origin: Routes, other: Routes
) -> None:
    origin.handlers["/api"] = _redirect(status, other.url("/landing"))
    other.handlers["/landing"] = lambda hit: answer_json({"landed": True})
    token = {"access_token": OLD_ACCESS, "token_type": "Bearer"}
    with open_session(driver, client_id="app", token=token) as s:
        s.s.token_placement = placement
        reply = s.post(origin.url("/api"), data={"note": "kept"}, **_follow(driver))
    assert reply.status_code == 200
    sent = origin.to("/api")[0]
    assert OLD_ACCESS in sent.everything()  # the token went where it belongs
    assert [hit.path for hit in other.hits] == ["/landing"]
    assert OLD_ACCESS not in other.hits[0].everything()


# -- The host we check is the host we contact --------------------------------------------------

HOSTILE = [
    "http://evil.example\\@127.0.0.1:{port}/api",
    "http://127.0.0.1:{port}\\@evil.example/api",
    "http://evil.example\t@127.0.0.1:{port}/api",
    "http://evil.example @127.0.0.1:{port}/api",
    "http://evil.example\n@127.0.0.1:{port}/api",
]


@pytest.mark.parametrize("template", HOSTILE)
@pytest.mark.parametrize("driver", DRIVERS)
def test_the_host_checked_is_the_host_contacted(driver: str, template: str, origin: Routes) -> None:
    port = origin.base_url.rsplit(":", 1)[1]
    url = template.format(port=port)
    token = {"access_token": OLD_ACCESS, "token_type": "Bearer"}
    with open_session(driver, client_id="app", token=token) as s:
        # Token requests: the core reads the caller's string, and refuses the ambiguous ones.
        with pytest.raises(oauthkit.UnsafeUrlError):
            s.fetch_token(url, code="c", client_secret=CLIENT_SECRET)
        if driver == "requests":
            # urllib3 would contact evil.example where urlsplit sees 127.0.0.1: refused.
            with pytest.raises(oauthkit.UnsafeUrlError):
                s.get(url)
        else:
            # httpx parses the URL first (a backslash or space becomes part of the user info,
            # a control character is refused), and oauthkit checks the host httpx contacts.
            with contextlib.suppress(httpx.InvalidURL, oauthkit.InsecureTransportError):
                s.get(url)
    # Whatever left the client went to the loopback host that was checked, and only there.
    assert all(hit.path == "/api" for hit in origin.hits)


def test_hostile_url_error_names_the_problem() -> None:
    with pytest.raises(oauthkit.UnsafeUrlError, match="backslash"):
        oauthkit.TokenManager("app").transport.check("http://evil.example\\@127.0.0.1/")


@pytest.mark.parametrize("driver", DRIVERS)
def test_localhost_subdomains_are_not_loopback(driver: str) -> None:
    token = {"access_token": OLD_ACCESS, "token_type": "Bearer"}
    with (
        open_session(driver, client_id="app", token=token) as s,
        pytest.raises(oauthkit.InsecureTransportError, match=r"app\.localhost"),
    ):
        s.get("http://app.localhost:9/api")
    for host in ("localhost", "127.0.0.1", "127.8.9.10", "[::1]"):
        oauthkit.TokenManager("app").transport.check(f"http://{host}:9/api")


def test_localhost_subdomains_can_be_allowed_by_name() -> None:
    manager = oauthkit.TokenManager("app", allow_insecure_transport=["app.localhost"])
    manager.transport.check("http://app.localhost:9/api")
    with pytest.raises(oauthkit.InsecureTransportError):
        manager.transport.check("http://other.localhost:9/api")


# -- Timeouts and locks ---------------------------------------------------------------------------


def _timeout_errors(driver: str) -> tuple[type[BaseException], ...]:
    import requests

    return (requests.exceptions.Timeout,) if driver == "requests" else (httpx.TimeoutException,)


class _Stall:
    """A token endpoint that does not answer until released (or for at most 10 seconds)."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.release = threading.Event()

    def __call__(self, hit: Hit) -> Answer:
        self.arrived.set()
        self.release.wait(10)
        return answer_json({"access_token": "late", "token_type": "Bearer", "expires_in": 3600})


@pytest.mark.parametrize("driver", DRIVERS)
def test_renewal_honours_the_callers_timeout(driver: str, origin: Routes) -> None:
    stall = _Stall()
    origin.handlers["/token"] = stall
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    try:
        with _expired_session(driver, origin) as s:
            with pytest.raises(_timeout_errors(driver)):
                s.get(origin.url("/api"), timeout=0.3)
            assert s.token["access_token"] == OLD_ACCESS  # kept for the next attempt
    finally:
        stall.release.set()
    assert origin.to("/api") == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_waiter_gives_up_by_its_own_timeout(driver: str, origin: Routes) -> None:
    stall = _Stall()
    origin.handlers["/token"] = stall
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    outcome: list[object] = []
    with _expired_session(driver, origin) as s:

        def first() -> None:
            try:
                outcome.append(s.get(origin.url("/api"), timeout=8).status_code)
            except Exception as exc:  # reported through the assertion below
                outcome.append(exc)

        renewing = threading.Thread(target=first)
        renewing.start()
        try:
            assert stall.arrived.wait(5)  # the first caller holds the lock, renewing
            with pytest.raises(oauthkit.LockTimeoutError):
                s.get(origin.url("/api"), timeout=0.2)
        finally:
            stall.release.set()
            renewing.join(10)
        assert outcome == [200]  # the renewal itself went on and succeeded
    assert len(origin.to("/token")) == 1


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_failed_renewal_is_shared_then_backs_off(driver: str, origin: Routes) -> None:
    gate = threading.Event()

    def failing(hit: Hit) -> Answer:
        gate.wait(0.5)  # let the other callers queue up on the lock
        return answer_json({"error": "invalid_client"}, 401)

    origin.handlers["/token"] = failing
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    errors: list[BaseException] = []
    with _expired_session(driver, origin) as s:

        def call() -> None:
            try:
                s.get(origin.url("/api"))
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=call) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        # One attempt; every caller got its failure as a fresh, typed error.
        assert len(origin.to("/token")) == 1
        assert len(errors) == 8
        assert {oauthkit_class(e) for e in errors} == {oauthkit.InvalidClientError}
        assert len({id(e) for e in errors}) == 8
        # Within the backoff window (the session's clock has not moved) nothing is sent.
        with pytest.raises(oauthkit.InvalidClientError):
            s.get(origin.url("/api"))
        assert len(origin.to("/token")) == 1
        # After it, exactly one new attempt.
        s.s.oauth_client.clock.advance(2)
        with pytest.raises(oauthkit.InvalidClientError):
            s.get(origin.url("/api"))
        assert len(origin.to("/token")) == 2
        assert s.token["access_token"] == OLD_ACCESS
    assert origin.to("/api") == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_token_shorter_lived_than_the_leeway_is_renewed_once(driver: str, origin: Routes) -> None:
    issued = iter(range(100))

    def short_lived(hit: Hit) -> Answer:
        return answer_json(
            {"access_token": f"short-{next(issued)}", "token_type": "Bearer", "expires_in": 5}
        )

    origin.handlers["/token"] = short_lived
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    with _expired_session(driver, origin, leeway=10) as s:
        threads = [threading.Thread(target=s.get, args=(origin.url("/api"),)) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        s.get(origin.url("/api"))  # later callers use it too: the leeway shrank to fit
        assert len(origin.to("/token")) == 1
        assert s.token["access_token"] == "short-0"
    assert len(origin.to("/api")) == 9


@pytest.mark.parametrize("driver", ["requests", "httpx"])
def test_token_updater_runs_outside_the_lock_once_per_token(driver: str, origin: Routes) -> None:
    tokens = iter(range(100))
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": f"new-{next(tokens)}", "refresh_token": REFRESH, "expires_in": 3600}
    )
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    seen: list[str] = []
    session: list[Any] = []

    def updater(token: dict[str, Any]) -> None:
        seen.append(token["access_token"])
        if len(seen) == 1:
            # Takes the token's lock: under the renewal's own lock this would deadlock.
            session[0].refresh_token(origin.url("/token"))

    with _expired_session(driver, origin, token_updater=updater) as s:
        session.append(s.s)
        assert s.get(origin.url("/api"), timeout=5).status_code == 200
        assert seen == ["new-0"]  # explicit refreshes do not call it; renewals call it once
        assert s.token["access_token"] == "new-1"


def test_async_token_updater_may_use_the_client(origin: Routes) -> None:
    tokens = iter(range(100))
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": f"new-{next(tokens)}", "refresh_token": REFRESH, "expires_in": 3600}
    )
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    seen: list[str] = []
    session: list[Any] = []

    async def updater(token: dict[str, Any]) -> None:
        seen.append(token["access_token"])
        if len(seen) == 1:
            await session[0].refresh_token(origin.url("/token"))

    with _expired_session("httpx-async", origin, token_updater=updater) as s:
        session.append(s.s)
        assert s.get(origin.url("/api"), timeout=5).status_code == 200
        assert seen == ["new-0"]
        assert s.token["access_token"] == "new-1"


@pytest.mark.parametrize("interval", [0, -3])
@pytest.mark.parametrize("driver", DRIVERS)
def test_device_polling_keeps_a_floor_under_the_servers_interval(
    driver: str, interval: int, origin: Routes
) -> None:
    origin.handlers["/device"] = lambda hit: answer_json(
        {
            "device_code": "dc",
            "user_code": "UC",
            "verification_uri": "https://as.example/device",
            "expires_in": 600,
            "interval": interval,
        }
    )
    answers = iter(
        [
            answer_json({"error": "authorization_pending"}, 400),
            answer_json({"error": "authorization_pending"}, 400),
            answer_json({"access_token": "device-token", "token_type": "Bearer"}),
        ]
    )
    origin.handlers["/token"] = lambda hit: next(answers)
    slept: list[float] = []
    with open_session(driver, client_id="device-app") as s:
        authorization = s.fetch_device_authorization(origin.url("/device"))
        token = s.poll_device_token(authorization, origin.url("/token"), sleep=slept.append)
    assert token["access_token"] == "device-token"
    assert slept == [5.0, 5.0, 5.0]  # RFC 8628 §3.2's default, before every poll
    assert len(origin.to("/token")) == 3


# -- Parsers and typed errors ---------------------------------------------------------------------


def _response(body: bytes, status: int = 200) -> oauthkit.HttpResponse:
    return oauthkit.HttpResponse(status, {"Content-Type": "application/json"}, body)


DEEP = b'{"active": true, "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
HUGE_NUMBER = b"9" * 400


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        b'{"active": true, "exp": ' + HUGE_NUMBER + b"}",
        b'{"active": true, "exp": 1e400}',
        b'{"active": true, "iat": -' + HUGE_NUMBER + b"}",
    ],
)
def test_introspection_parser_raises_only_malformed_response(body: bytes) -> None:
    from oauthkit._oauth2._introspection import parse_introspection_response

    with pytest.raises(oauthkit.MalformedResponseError):
        parse_introspection_response(_response(body))


@pytest.mark.parametrize(
    "extra",
    [
        b', "x": ' + b"[" * 5000 + b"]" * 5000,
        b', "interval": ' + HUGE_NUMBER,
        b', "interval": "' + HUGE_NUMBER + b'"',
    ],
)
def test_device_authorization_parser_raises_only_malformed_response(extra: bytes) -> None:
    from oauthkit._oauth2._device import parse_device_authorization_response

    body = (
        b'{"device_code": "d", "user_code": "U", "verification_uri": "https://as.example/d",'
        b' "expires_in": 600' + extra + b"}"
    )
    with pytest.raises(oauthkit.MalformedResponseError):
        parse_device_authorization_response(_response(body), now=0)
    huge = body.replace(b'"expires_in": 600', b'"expires_in": ' + HUGE_NUMBER)
    with pytest.raises(oauthkit.MalformedResponseError):
        parse_device_authorization_response(_response(huge), now=0)


@pytest.mark.parametrize("access_token", ["caf\u00e9-token", "tab\there", "nul\x00", "del\x7f"])
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_token_outside_vschar_is_refused_when_issued(
    driver: str, access_token: str, origin: Routes
) -> None:
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": access_token, "token_type": "Bearer"}
    )
    with _expired_session(driver, origin) as s:
        with pytest.raises(oauthkit.MalformedResponseError, match="access_token"):
            s.fetch_token(origin.url("/token"), code="c", client_secret=CLIENT_SECRET)
        assert s.token["access_token"] == OLD_ACCESS


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_vschar_token_that_no_bearer_header_can_carry_blames_the_server(
    driver: str, origin: Routes
) -> None:
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": "has a space", "token_type": "Bearer", "expires_in": 3600}
    )
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    with open_session(driver, client_id="app") as s:
        s.fetch_token(origin.url("/token"), code="c", client_secret=CLIENT_SECRET)
        assert s.token["access_token"] == "has a space"  # VSCHAR: a valid token (RFC 6749)
        with pytest.raises(oauthkit.UnusableTokenError, match="server issued"):
            s.get(origin.url("/api"))
    assert origin.to("/api") == []


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b'{"access_token": "a", "token_type": "Bearer", "access_token": "b"}', "repeats a member"),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": NaN}', "NaN"),
        (b'{"access_token": "a", "token_type": "Bearer", "expires_in": Infinity}', "Infinity"),
        (b'{"access_token": "a", "token_type": "Bearer", "x": -Infinity}', "Infinity"),
    ],
)
def test_token_responses_are_strict_json(body: bytes, problem: str) -> None:
    with pytest.raises(oauthkit.MalformedResponseError, match=problem):
        oauthkit.parse_token_response(_response(body), now=0)


def test_a_parsed_token_always_serializes_as_strict_json() -> None:
    import json

    body = b'{"access_token": "a", "token_type": "Bearer", "expires_in": 1e308, "x": [1.5]}'
    token = oauthkit.parse_token_response(_response(body), now=0)
    json.dumps(token.to_dict(), allow_nan=False)


FORM_POST = "code=the-code&state={state}&iss=https://as.example"


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_form_post_body_with_urls_in_its_values_is_a_form(driver: str, origin: Routes) -> None:
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": "fp", "token_type": "Bearer"}
    )
    with open_session(driver, client_id="app", redirect_uri="https://app.example/cb") as s:
        _, state = s.authorization_url("https://as.example/authorize")
        s.fetch_token(
            origin.url("/token"),
            authorization_response=FORM_POST.format(state=state),
            client_secret=CLIENT_SECRET,
        )
    assert origin.to("/token")[0].form["code"] == "the-code"


# -- Secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_state_and_its_verifier_are_single_use(driver: str, origin: Routes) -> None:
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": "once", "token_type": "Bearer"}
    )
    with open_session(
        driver, client_id="app", redirect_uri="https://app.example/cb", pkce="S256"
    ) as s:
        _, state = s.authorization_url("https://as.example/authorize")
        callback = f"https://app.example/cb?code=c1&state={state}"
        s.fetch_token(origin.url("/token"), authorization_response=callback)
        with pytest.raises(oauthkit.StateMismatchError, match="already exchanged"):
            s.fetch_token(origin.url("/token"), authorization_response=callback)
    assert len(origin.to("/token")) == 1


@pytest.mark.parametrize("driver", DRIVERS)
def test_debug_logs_of_whole_flows_hold_no_secret(
    driver: str, origin: Routes, caplog: pytest.LogCaptureFixture
) -> None:
    secrets = iter([f"issued-secret-{n}-{'x' * 12}" for n in range(100)])
    handed_out: list[str] = []

    def token(hit: Hit) -> Answer:
        if hit.form.get("grant_type") == "refresh_token" and len(origin.to("/token")) > 3:
            return answer_json({"error": "invalid_grant", "error_description": REFRESH}, 400)
        access, refresh = next(secrets), next(secrets)
        handed_out.extend([access, refresh])
        return answer_json({"access_token": access, "refresh_token": refresh, "expires_in": 3600})

    origin.handlers["/token"] = token
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    origin.handlers["/revoke"] = lambda hit: (200, {}, b"")
    origin.handlers["/introspect"] = lambda hit: answer_json({"active": True})
    origin.handlers["/device"] = lambda hit: answer_json(
        {
            "device_code": "device-code-secret",
            "user_code": "USER-CODE",
            "verification_uri": "https://as.example/device",
            "expires_in": 600,
        }
    )
    caplog.set_level("DEBUG", logger="oauthkit")
    with _expired_session(driver, origin, redirect_uri="https://app.example/cb", pkce="S256") as s:
        _, state = s.authorization_url("https://as.example/authorize")
        verifier = s.s.code_verifier
        s.fetch_token(
            origin.url("/token"),
            authorization_response=f"https://app.example/cb?code=code-secret&state={state}",
            client_secret=CLIENT_SECRET,
        )
        s.refresh_token(origin.url("/token"))
        s.s.oauth_client.clock.advance(7200)
        s.get(origin.url("/api"))  # an automatic renewal
        _call(s, "introspect_token", origin.url("/introspect"))
        s.fetch_device_authorization(origin.url("/device"))
        s.s.oauth_client.clock.advance(7200)
        with pytest.raises(oauthkit.InvalidGrantError):
            s.get(origin.url("/api"))  # a renewal that fails, and says why
        _call(s, "revoke_token", origin.url("/revoke"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in [
        CLIENT_SECRET,
        REFRESH,
        OLD_ACCESS,
        "code-secret",
        "device-code-secret",
        state,
        verifier,
        *handed_out,
    ]:
        assert secret not in logged
    # What the log is for: each exchange, with its purpose and outcome, and the decisions.
    assert f"POST {origin.url('/token')} (code_exchange): HTTP 200" in logged
    assert "(refresh): HTTP 200" in logged
    assert "(refresh): HTTP 400" in logged
    assert "(introspection): HTTP 200" in logged
    assert "(device_authorization): HTTP 200" in logged
    assert "(revocation): HTTP 200" in logged
    assert "renewing the access token (refresh)" in logged
    assert "renewal failed (InvalidGrantError)" in logged


def _echo_table(hit: Hit) -> Answer:
    # An echo no pattern recognises: names and values in separate cells.
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in hit.form.items())
    basic = hit.headers.get("authorization", "")
    return 400, {"Content-Type": "text/html"}, f"<table>{rows}</table><p>{basic}</p>".encode()


@pytest.mark.parametrize("placement", ["client_secret_post", "client_secret_basic"])
@pytest.mark.parametrize("driver", DRIVERS)
def test_an_error_never_shows_the_credentials_its_request_carried(
    driver: str, placement: str, origin: Routes
) -> None:
    origin.handlers["/token"] = _echo_table
    code = "one-time-code-7f3a9"
    with open_session(driver, client_id="app") as s:
        kw: dict[str, Any] = {"client_secret": CLIENT_SECRET}
        if placement == "client_secret_post":
            kw["include_client_id"] = True
        with pytest.raises(oauthkit.TokenEndpointError) as caught:
            s.fetch_token(origin.url("/token"), code=code, **kw)
    raw = origin.to("/token")[0]
    assert CLIENT_SECRET in raw.everything() or raw.headers.get("authorization")
    shown = f"{caught.value}\n{caught.value!r}\n{caught.value.body_excerpt}"
    assert code not in shown
    assert CLIENT_SECRET not in shown
    assert "***" in shown
