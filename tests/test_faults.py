"""Faults at the token endpoint, on every driver and every token operation (issue #7).

A scripted loopback server (:mod:`tests._fault_server`) answers each token request with a
fault: silence, a closed connection, a reset, a body cut short, 5xx, 429/503 with
``Retry-After``, a redirect to another origin, HTML, 20 MB, not JSON, or a port that refuses
connections. Each fault runs through requests, httpx and async httpx (:mod:`tests._drivers2`)
and four operations: an authorization code exchange, a client-credentials fetch, an explicit
refresh, and the automatic renewal of an expired token before a protected request. Every test
asserts

* the exact error class: oauthkit's typed error, or the HTTP library's own exception for a
  transport failure (raised because the call's timeout fired, never by waiting it out here);
* how many token requests left the client and how many reached the server: oauthkit re-sends
  only a request that certainly never left (a refused connection), or a request without a
  one-time credential after ``429``/``503`` with a usable ``Retry-After``; a code or a refresh
  token is never sent twice once it may have arrived (``oauthkit._core._exchange``);
* that the session still holds the token it had, and hands none to its updater;
* that nothing reached another origin, and a redirect's error names its status and origin;
* that no secret the client sent, or the server echoed, is in the error's text.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
from oauthlib.oauth2 import BackendApplicationClient

import oauthkit
from tests._drivers2 import DRIVERS, Driver, oauthkit_class, open_session
from tests._fault_server import (
    Fault,
    FaultServer,
    Received,
    close,
    drip,
    fault_server,
    hang,
    html,
    huge,
    not_json,
    ok,
    redirect,
    reset,
    status,
    truncated,
)

TIMEOUT = 0.5  # every call's timeout: a hang ends when it fires
CLIENT_ID = "fault-client"
CLIENT_SECRET = "cs-5ecret-FAULT-client"
CODE = "code-5ecret-FAULT-once"
REDIRECT_URI = "http://127.0.0.1/cb"
OLD = {"access_token": "at-5ecret-OLD", "token_type": "Bearer", "refresh_token": "rt-5ecret-OLD"}
NEW = {
    "access_token": "at-5ecret-NEW",
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": "rt-5ecret-NEW",
}
SECRETS = (CLIENT_SECRET, CODE, OLD["refresh_token"], NEW["access_token"], NEW["refresh_token"])
# Backoff before re-sending a request that was never sent: the policy's own rules, no waiting.
FAST = oauthkit.RetryPolicy(backoff=0.001, max_backoff=0.001)

OPERATIONS = ("code", "client_credentials", "refresh", "renewal")
GRANT_TYPES = {
    "code": "authorization_code",
    "client_credentials": "client_credentials",
    "refresh": "refresh_token",
    "renewal": "refresh_token",
}


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# ------------------------------------------------------------------------------ expectations

ErrorClass = type[BaseException]
Transport = Mapping[str, ErrorClass]  # the HTTP library's exception, by driver


def _transport(requests_error: ErrorClass, httpx_error: ErrorClass) -> Transport:
    return {"requests": requests_error, "httpx": httpx_error, "httpx-async": httpx_error}


TIMED_OUT = _transport(requests.exceptions.ReadTimeout, httpx.ReadTimeout)
RESET = _transport(requests.exceptions.ConnectionError, httpx.ReadError)
CUT_SHORT = _transport(requests.exceptions.ChunkedEncodingError, httpx.RemoteProtocolError)
REFUSED = _transport(requests.exceptions.ConnectionError, httpx.ConnectError)
DISCONNECTED = _transport(requests.exceptions.ConnectionError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Outcome:
    """What an operation ends with.

    Attributes:
        error: The exact class raised (by driver for transport failures); ``None``: a new token.
        arrived: Token requests the server received.
        attempts: Token requests the client sent (``None``: as many as arrived).
        status: The error's HTTP status.
        error_code: The error's RFC 6749 ``error``.
        says: Words the error's message holds.
    """

    error: ErrorClass | Transport | None
    arrived: int = 1
    attempts: int | None = None
    status: int | None = None
    error_code: str | None = None
    says: str = ""


@dataclass(frozen=True)
class Case:
    """A fault script and what every operation makes of it.

    Attributes:
        script: The faults, given the other origin's server.
        outcome: The outcome of an operation that sends a one-time credential (the code, the
            refresh token) or of any operation when ``repeatable`` is ``None``.
        repeatable: The outcome of the client-credentials fetch, which carries no one-time
            credential, when it differs.
        refused: Send the token requests to a port that refuses connections instead.
        echoes: The error's body shows what the client sent, secrets included.
    """

    script: Callable[[FaultServer], list[Fault]]
    outcome: Outcome
    repeatable: Outcome | None = None
    refused: bool = False
    echoes: bool = False


def _token_json() -> bytes:
    return json.dumps(NEW).encode()


def _echo_json(request: Received) -> bytes:
    # A server that shows what it received, in its description and as a member.
    raw = request.body.decode()
    return json.dumps(
        {
            "error": "invalid_request",
            "error_description": f"rejected {raw}",
            "received": request.form,
        }
    ).encode()


def _echo_form(request: Received) -> bytes:
    return b"error=invalid_grant&" + request.body


def _echo_as_token(request: Received) -> bytes:
    return json.dumps({"token_type": "Bearer", "received": request.form}).encode()


def _n(fault: Fault, times: int) -> Callable[[FaultServer], list[Fault]]:
    return lambda _: [fault] * times


def _to_elsewhere(code: int) -> Callable[[FaultServer], list[Fault]]:
    return lambda elsewhere: [redirect(code, elsewhere.token_url)]


MALFORMED = oauthkit.MalformedResponseError
REFUSAL = oauthkit.TokenEndpointError
RETRY_NOW = {"Retry-After": "0"}
TOO_LARGE = "token response is larger than a mebibyte"

CASES: dict[str, Case] = {
    "ok": Case(lambda _: [ok(NEW)], Outcome(None)),
    "hang": Case(_n(hang(), 1), Outcome(TIMED_OUT)),
    # Every read succeeds within the timeout; the whole body never does (HTTP libraries time
    # out each read, so only the drivers' deadline on the body ends these).
    "drip": Case(_n(drip(), 1), Outcome(TIMED_OUT)),
    "drip-endless": Case(_n(drip(declared=None), 1), Outcome(TIMED_OUT)),
    "close": Case(_n(close(), 1), Outcome(DISCONNECTED)),
    "reset": Case(_n(reset(), 1), Outcome(RESET)),
    "truncated": Case(_n(truncated(_token_json()[:20], 200), 1), Outcome(CUT_SHORT)),
    # Content-Length shorter than the body: the client reads a cut JSON object.
    "short-length": Case(_n(truncated(_token_json(), 30), 1), Outcome(MALFORMED, status=200)),
    "500": Case(
        _n(status(500, b'{"error": "server_error"}'), 1),
        Outcome(REFUSAL, status=500, error_code="server_error"),
    ),
    "502": Case(
        _n(status(502, b"Bad Gateway", content_type="text/plain"), 1),
        Outcome(REFUSAL, status=502),
    ),
    "503-retry-after": Case(
        _n(status(503, b"", RETRY_NOW), 3),
        Outcome(REFUSAL, status=503),
        repeatable=Outcome(REFUSAL, arrived=3, status=503),  # RetryPolicy.attempts
    ),
    "503-then-ok": Case(
        lambda _: [status(503, b"", RETRY_NOW), ok(NEW)],
        Outcome(REFUSAL, status=503),
        repeatable=Outcome(None, arrived=2),
    ),
    "429-retry-after": Case(
        _n(status(429, b"Too Many Requests", RETRY_NOW, "text/plain"), 3),
        Outcome(REFUSAL, status=429),
        repeatable=Outcome(REFUSAL, arrived=3, status=429),
    ),
    # A wait longer than the call's timeout is not waited for, whatever the request carries.
    "503-retry-after-too-long": Case(
        _n(status(503, b"", {"Retry-After": "5"}), 3), Outcome(REFUSAL, status=503)
    ),
    "503-no-retry-after": Case(_n(status(503, b""), 3), Outcome(REFUSAL, status=503)),
    **{
        f"redirect-{code}": Case(
            _to_elsewhere(code),
            Outcome(oauthkit.UnexpectedRedirectError, status=code),
        )
        for code in (301, 302, 303, 307, 308)
    },
    "html-200": Case(_n(html(200), 1), Outcome(MALFORMED, status=200)),
    "html-400": Case(_n(html(400), 1), Outcome(REFUSAL, status=400)),
    "html-502-echo": Case(_n(html(502, echo=True), 1), Outcome(REFUSAL, status=502), echoes=True),
    "json-400-echo": Case(
        _n(status(400, _echo_json), 1),
        Outcome(oauthkit.InvalidRequestError, status=400, error_code="invalid_request"),
        echoes=True,
    ),
    "form-400-echo": Case(
        _n(status(400, _echo_form, content_type="application/x-www-form-urlencoded"), 1),
        Outcome(oauthkit.InvalidGrantError, status=400, error_code="invalid_grant"),
        echoes=True,
    ),
    "echo-without-token": Case(
        _n(status(200, _echo_as_token), 1),
        Outcome(oauthkit.MissingTokenError, status=200),
        echoes=True,
    ),
    "huge-garbage": Case(
        _n(huge(20 * 1024 * 1024), 1), Outcome(MALFORMED, status=200, says=TOO_LARGE)
    ),
    "huge-json": Case(
        _n(huge(2 * 1024 * 1024, "json"), 1), Outcome(MALFORMED, status=200, says=TOO_LARGE)
    ),
    "huge-html-502": Case(_n(huge(2 * 1024 * 1024, "html"), 1), Outcome(REFUSAL, status=502)),
    "not-json": Case(_n(not_json(), 1), Outcome(MALFORMED, status=200)),
    "not-json-text": Case(_n(not_json("text/plain"), 1), Outcome(MALFORMED, status=200)),
    # Never sent, so sent again (RetryPolicy.attempts), one-time credentials included.
    "refused": Case(lambda _: [], Outcome(REFUSED, arrived=0, attempts=3), refused=True),
}


# ------------------------------------------------------------------------------ operations


@dataclass
class Setup:
    """An operation's session arguments and call."""

    session: dict[str, Any]
    call: Callable[[Driver], Any]


def _setup(operation: str, token_url: str, resource_url: str, updates: list[Any]) -> Setup:
    held = dict(OLD)
    refresh = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}  # client_secret_post
    common: dict[str, Any] = {"retry": FAST, "token_updater": updates.append}
    if operation == "code":
        return Setup(
            {**common, "client_id": CLIENT_ID, "redirect_uri": REDIRECT_URI, "token": held},
            lambda s: s.fetch_token(
                token_url,
                code=CODE,
                client_secret=CLIENT_SECRET,
                include_client_id=True,
                timeout=TIMEOUT,
            ),
        )
    if operation == "client_credentials":
        return Setup(
            {**common, "client": BackendApplicationClient(client_id=CLIENT_ID), "token": held},
            lambda s: s.fetch_token(
                token_url, client_secret=CLIENT_SECRET, include_client_id=True, timeout=TIMEOUT
            ),
        )
    if operation == "refresh":
        return Setup(
            {**common, "client_id": CLIENT_ID, "token": held, "auto_refresh_kwargs": refresh},
            lambda s: s.refresh_token(token_url, timeout=TIMEOUT),
        )
    held["expires_at"] = time.time() - 60  # expired: renewed before the request is sent
    return Setup(
        {
            **common,
            "client_id": CLIENT_ID,
            "token": held,
            "auto_refresh_url": token_url,
            "auto_refresh_kwargs": refresh,
        },
        lambda s: s.get(resource_url, timeout=TIMEOUT),
    )


def _held(s: Driver) -> dict[str, Any]:
    token = s.token
    return {name: token.get(name) for name in ("access_token", "token_type", "refresh_token")}


@pytest.fixture
def refused_url() -> Iterator[str]:
    """A loopback URL whose port refuses connections: bound, never listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/token"


def _sent_secrets(operation: str) -> list[str]:
    once = {"code": [CODE], "refresh": [OLD["refresh_token"]], "renewal": [OLD["refresh_token"]]}
    return [CLIENT_SECRET, *once.get(operation, [])]


def _assert_no_secret(error: BaseException) -> None:
    shown = f"{error}\n{error!r}\n{getattr(error, 'body_excerpt', '')}"
    for secret in SECRETS:
        assert secret not in shown


# ------------------------------------------------------------------------------ the matrix


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("fault", list(CASES))
def test_fault(driver: str, fault: str, operation: str, refused_url: str) -> None:
    case = CASES[fault]
    expected = case.outcome
    if operation == "client_credentials" and case.repeatable is not None:
        expected = case.repeatable
    updates: list[Any] = []
    with fault_server() as server, fault_server() as elsewhere:
        server.play(*case.script(elsewhere))
        token_url = refused_url if case.refused else server.token_url
        setup = _setup(operation, token_url, server.resource_url, updates)
        with open_session(driver, **setup.session) as s:
            before = _held(s)
            if expected.error is None:
                result = setup.call(s)
                error: BaseException | None = None
            else:
                cls = expected.error if isinstance(expected.error, type) else expected.error[driver]
                with pytest.raises(cls) as caught:
                    setup.call(s)
                error = caught.value
                assert oauthkit_class(error) is cls
            after = _held(s)
            sent = s.recording.to(token_url)

        # (b) token requests: what left the client, what arrived, and that each carried the
        # operation's grant and credential.
        arrived = server.token_requests
        assert len(arrived) == expected.arrived
        attempts = expected.attempts if expected.attempts is not None else expected.arrived
        assert len(sent) == attempts
        for form in [r.form for r in arrived] + [r.form for r in sent]:
            assert form["grant_type"] == GRANT_TYPES[operation]
            assert form["client_secret"] == CLIENT_SECRET
            if operation == "code":
                assert form["code"] == CODE
            if operation in ("refresh", "renewal"):
                assert form["refresh_token"] == OLD["refresh_token"]
        # (d) nothing went anywhere else
        assert elsewhere.received == []
        assert {r.endpoint for r in s.recording.sent} <= {token_url, server.resource_url}

        if error is None:
            assert after == {k: NEW[k] for k in after}
            if operation == "renewal":
                assert result.status_code == 200
                assert [r.headers["authorization"] for r in server.resource_requests] == [
                    f"Bearer {NEW['access_token']}"
                ]
                assert [u["access_token"] for u in updates] == [NEW["access_token"]]
            return

        # (c) the token held before is still held; nothing was handed to the updater
        assert after == before == {k: OLD[k] for k in before}
        assert updates == []
        assert server.resource_requests == []  # a renewal that failed sends nothing on
        # (a) the typed error's data
        if isinstance(error, oauthkit.ServerResponseError):
            assert error.status_code == expected.status
            assert f"HTTP {expected.status}" in str(error)
            assert expected.says in str(error)
            assert error.response is not None  # the driver's own response, for the caller
        if isinstance(error, oauthkit.TokenEndpointError):
            assert error.error == expected.error_code
        if isinstance(error, oauthkit.UnexpectedRedirectError):
            assert error.location_origin == elsewhere.base_url
            assert elsewhere.base_url in str(error)
        # (e) no secret sent or echoed is in the error
        _assert_no_secret(error)
        if case.echoes:  # ... though the server did show them
            assert isinstance(error, oauthkit.ServerResponseError)
            raw: bytes = getattr(error.response, "content", b"")
            assert all(secret.encode() in raw for secret in _sent_secrets(operation))


# ------------------------------------------------------------------------------ beyond the matrix


def test_a_caller_waiting_on_a_hung_renewal_times_out_on_the_lock(driver: str) -> None:
    """A renewal hangs; a second caller gives up waiting for it with ``LockTimeoutError``."""
    updates: list[Any] = []
    with fault_server() as server:
        server.play(hang())
        setup = _setup("renewal", server.token_url, server.resource_url, updates)
        with open_session(driver, **setup.session) as s, ThreadPoolExecutor(1) as pool:
            # The first caller's own timeout is long: it is released below, not timed out.
            first = pool.submit(s.get, server.resource_url, timeout=30)
            try:
                assert server.hanging.wait(10)  # its renewal is at the token endpoint, locked
                with pytest.raises(oauthkit.LockTimeoutError) as caught:
                    s.get(server.resource_url, timeout=0.2)
            finally:
                server.release()  # the token endpoint closes the connection, answering nothing
            assert oauthkit_class(caught.value) is oauthkit.LockTimeoutError
            assert isinstance(caught.value, TimeoutError)
            cls = DISCONNECTED[driver]
            with pytest.raises(cls) as disconnected:
                first.result(timeout=10)
            assert oauthkit_class(disconnected.value) is cls
            assert _held(s) == {k: OLD[k] for k in _held(s)}
        assert len(server.token_requests) == 1
        assert server.resource_requests == []
        assert updates == []
        _assert_no_secret(caught.value)
