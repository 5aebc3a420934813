"""The native login's loopback receiver and its choices, without a provider.

The receiver runs on the real loopback server (:mod:`oauthkit._loopback`) and is driven with a
plain HTTP client; the login's argument checks and its choice of mode need no server at all.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

import oauthkit
from oauthkit._core._http import HttpRequest
from oauthkit._loopback import LoopbackServer
from oauthkit.native import LoginResult, LoginTimeoutError, browser_unavailable, login
from oauthkit.native._receiver import RedirectReceiver
from oauthkit.requests import OAuth2Session

STATE = "s" * 32


@contextlib.contextmanager
def _receiving() -> Iterator[tuple[RedirectReceiver, LoopbackServer]]:
    """A receiver of ``/callback`` expecting ``STATE``, on a running loopback server."""
    receiver = RedirectReceiver("/callback")
    server = LoopbackServer(receiver, read_timeout=2)
    server.start()
    try:
        receiver.expect(STATE, server.base_url + "/callback")
        yield receiver, server
    finally:
        server.stop()


def _browse(server: LoopbackServer, target: str) -> tuple[threading.Thread, list[httpx.Response]]:
    """A browser following the redirect on a thread (its request waits for the outcome): the
    thread, and the list its answer is added to."""
    answers: list[httpx.Response] = []
    browser = threading.Thread(target=lambda: answers.append(_get(server, target)))
    browser.start()
    return browser, answers


def _get(server: LoopbackServer, target: str) -> httpx.Response:
    with httpx.Client(trust_env=False, timeout=10) as http:
        return http.get(server.base_url + target)


def test_a_reload_after_success_shows_the_page_again_and_is_not_handed_over_twice() -> None:
    with _receiving() as (receiver, server):
        browser, answers = _browse(server, f"/callback?code=c1&state={STATE}")
        url = receiver.wait(deadline=time.monotonic() + 10)
        assert url == f"{server.base_url}/callback?code=c1&state={STATE}"
        receiver.finish()  # the exchange worked
        browser.join(10)
        reload = _get(server, f"/callback?code=c1&state={STATE}")
        other = _get(server, f"/callback?code=c2&state={STATE}")
    [first] = answers
    for page in (first, reload, other):
        assert page.status_code == 200
        assert "You can close this tab" in page.text
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert "default-src 'none'" in page.headers["content-security-policy"]
    assert receiver.result() == url  # still the first one


def test_a_failed_exchange_is_shown_to_the_browser() -> None:
    with _receiving() as (receiver, server):
        browser, answers = _browse(server, f"/callback?code=c&state={STATE}")
        receiver.wait(deadline=time.monotonic() + 10)
        receiver.finish(oauthkit.InvalidGrantError("code reused", 400, error="invalid_grant"))
        browser.join(10)
    [page] = answers
    assert page.status_code == 400
    assert "Sign-in failed" in page.text
    assert "InvalidGrantError" in page.text


def test_after_a_forged_callback_the_real_one_gets_the_error_page_too() -> None:
    with _receiving() as (receiver, server):
        forged = _get(server, "/callback?code=c&state=forged")
        real = _get(server, f"/callback?code=c&state={STATE}")
        with pytest.raises(oauthkit.StateMismatchError):
            receiver.wait(deadline=time.monotonic() + 10)
    assert forged.status_code == real.status_code == 400
    assert real.text == forged.text


def test_server_text_on_the_error_page_is_escaped() -> None:
    query = urlencode(
        {"error": "access_denied", "error_description": "<script>alert(1)</script>", "state": STATE}
    )
    with _receiving() as (receiver, server):
        page = _get(server, f"/callback?{query}")
        with pytest.raises(oauthkit.AuthorizationError):
            receiver.wait(deadline=time.monotonic() + 10)
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text


def test_only_a_get_of_the_callback_path_is_taken() -> None:
    with _receiving() as (receiver, server):
        with httpx.Client(trust_env=False, timeout=10) as http:
            posted = http.post(server.base_url + f"/callback?code=c&state={STATE}")
            favicon = http.get(server.base_url + "/favicon.ico")
            nested = http.get(server.base_url + f"/callback/x?code=c&state={STATE}")
        assert not receiver.received
        with pytest.raises(LoginTimeoutError):
            receiver.wait(deadline=0)
    assert (posted.status_code, posted.headers["allow"]) == (405, "GET")
    assert favicon.status_code == nested.status_code == 404


@given(
    method=st.sampled_from(["GET", "POST", "HEAD", "PUT"]),
    path=st.sampled_from(["/callback", "/", "/favicon.ico", "/callback/"]),
    query=st.text(max_size=80),
)
def test_the_receiver_answers_any_request(method: str, path: str, query: str) -> None:
    receiver = RedirectReceiver("/callback", answer_within=0)
    receiver.expect(STATE, "http://127.0.0.1:1/callback")
    response = receiver(HttpRequest(method, f"http://127.0.0.1:1{path}?{query}", {}, None))
    assert response.status_code in (200, 400, 404, 405)
    if receiver.received:  # what the login then gets: the callback URL, or an OAuthError
        with contextlib.suppress(oauthkit.OAuthError):
            assert receiver.result().startswith("http://127.0.0.1:1/callback?")


# -- choosing a mode -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "platform", "blocked"),
    [
        ({"DISPLAY": ":0"}, "linux", False),
        ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
        ({}, "linux", True),
        ({"DISPLAY": ":0", "SSH_CONNECTION": "192.0.2.1 1 192.0.2.2 22"}, "linux", True),
        ({"SSH_TTY": "/dev/pts/1"}, "darwin", True),
        ({}, "darwin", False),
        ({}, "win32", False),
    ],
)
def test_when_a_browser_cannot_open(environ: dict[str, str], platform: str, blocked: bool) -> None:
    assert (browser_unavailable(environ, platform) is not None) is blocked


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "qr"}, "mode"),
        ({"port": -1}, "port"),
        ({"port": True}, "port"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("inf")}, "timeout"),
        ({"redirect_path": "callback"}, "redirect_path"),
        ({"redirect_path": "/cb?x=1"}, "redirect_path"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, Any], match: str) -> None:
    with OAuth2Session("app") as session, pytest.raises(oauthkit.UsageError, match=match):
        login(session, **kwargs)


def test_device_mode_needs_a_device_endpoint() -> None:
    with OAuth2Session("app") as session, pytest.raises(oauthkit.UsageError, match="device"):
        login(session, mode="device", token_endpoint="https://as.example/token")


def test_the_result_keeps_its_token_out_of_repr() -> None:
    result = LoginResult({"access_token": "secret-at", "refresh_token": "secret-rt"}, "paste")
    assert "secret" not in repr(result)
    assert "paste" in repr(result)


def test_nothing_pasted_is_a_callback_error() -> None:
    with OAuth2Session("app") as session, pytest.raises(oauthkit.CallbackError, match="pasted"):
        login(
            session,
            mode="paste",
            authorization_endpoint="https://as.example/authorize",
            token_endpoint="https://as.example/token",
            read_input=lambda prompt: "  \n",
            show=lambda text: None,
        )


def test_the_request_log_keeps_the_code_out(caplog: pytest.LogCaptureFixture) -> None:
    with (
        _receiving() as (_, server),
        caplog.at_level(logging.DEBUG, logger="oauthkit.loopback"),
    ):
        _get(server, f"/callback?code=the-code-itself&state={STATE}x")
        _get(server, "/elsewhere?code=the-code-itself")
    assert any("/callback?..." in record.getMessage() for record in caplog.records)
    assert "the-code-itself" not in caplog.text


def test_each_kind_of_session_has_its_call() -> None:
    import anyio

    from oauthkit.httpx import AsyncOAuth2Client
    from oauthkit.native import alogin

    async def run() -> None:
        async with AsyncOAuth2Client("app") as client:
            with pytest.raises(oauthkit.UsageError, match="alogin"):
                login(client)  # type: ignore[arg-type]
        with OAuth2Session("app") as session, pytest.raises(oauthkit.UsageError, match="login"):
            await alogin(session)  # type: ignore[arg-type]
        with pytest.raises(oauthkit.UsageError, match="session"):
            login(object())  # type: ignore[arg-type]

    anyio.run(run)
