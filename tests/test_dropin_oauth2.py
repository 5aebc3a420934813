"""Issue #8, OAuth 2: what requests-oauthlib code relies on, and the traps the README warns of.

Each behaviour the sessions share runs on requests, httpx and async httpx against a loopback
server scripted per test; what only ``oauthkit.requests`` does (``TokenUpdated``, oauthlib's
exception classes, requests-oauthlib's ``request(client_id=, client_secret=)``) runs there.
requests-oauthlib's own suite (``scripts/upstream_tests.py``) covers the rest.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oauthlib.oauth2 import (
    BackendApplicationClient,
    InvalidGrantError,
    LegacyApplicationClient,
    MismatchingStateError,
    OAuth2Error,
    WebApplicationClient,
)
from oauthlib.oauth2 import TokenExpiredError as OauthlibTokenExpiredError

import oauthkit
import oauthkit.requests as okrequests
from tests._drivers2 import DRIVERS, Clock, oauthkit_class, open_session
from tests._routes import Hit, Routes, answer_json, serve

SERVED = {"access_token": "at-1", "expires_in": 3600, "refresh_token": "rt-1", "custom": 7}


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        routes.handlers["/api"] = lambda hit: answer_json({"ok": True})
        yield routes


def _issuing(origin: Routes, *tokens: dict[str, Any]) -> None:
    queue = list(tokens)
    origin.handlers["/token"] = lambda hit: answer_json(queue.pop(0))


# -- tokens come back as the server sent them ---------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_token_is_what_the_server_sent_plus_expires_at(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    clock = Clock()
    with open_session(driver, client_id="app", clock=clock) as s:
        token = s.fetch_token(origin.url("/token"), code="c", client_secret="pw")
        clock.advance(600)
        # no invented token_type, expires_in not recomputed, unknown members kept
        assert token == {**SERVED, "expires_at": clock.now - 600 + 3600}
        assert s.token == token


# -- the client object's meaning ------------------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_web_application_client_supplies_its_code(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    with open_session(driver, client=WebApplicationClient("app", code="the-code")) as s:
        s.fetch_token(origin.url("/token"), client_secret="pw")
    [hit] = origin.to("/token")
    assert hit.form["code"] == "the-code"
    assert hit.form["grant_type"] == "authorization_code"


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_legacy_client_needs_username_and_password(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    with open_session(driver, client=LegacyApplicationClient("app")) as s:
        for partial in ({}, {"username": "u"}, {"password": "p"}):
            with pytest.raises(ValueError, match="username and password"):
                s.fetch_token(origin.url("/token"), **partial)
        s.fetch_token(origin.url("/token"), username="u", password="p")
    [hit] = origin.to("/token")
    assert (hit.form["grant_type"], hit.form["username"], hit.form["password"]) == (
        "password",
        "u",
        "p",
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_attributes_are_settable_and_the_next_request_sees_them(
    driver: str, origin: Routes
) -> None:
    _issuing(origin, SERVED)
    with open_session(driver, client_id="first", token={"access_token": "a"}) as s:
        s.s.access_token = "replaced"
        s.get(origin.url("/api"))
        assert origin.to("/api")[-1].headers["authorization"] == "Bearer replaced"
        s.s.client_id = "second"
        s.fetch_token(origin.url("/token"), code="c", include_client_id=True)
        assert origin.to("/token")[-1].form["client_id"] == "second"
        del s.s.client_id
        assert s.s.client_id is None
        del s.s.access_token
        assert s.s.access_token is None
        with pytest.raises(AttributeError):
            del s.s.token


# -- client credentials keep their scope ----------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_client_credentials_renewal_asks_for_the_same_scope(driver: str, origin: Routes) -> None:
    _issuing(
        origin,
        {"access_token": "cc-1", "token_type": "Bearer", "expires_in": 60},
        {"access_token": "cc-2", "token_type": "Bearer", "expires_in": 60},
    )
    clock = Clock()
    with open_session(driver, client=BackendApplicationClient("svc"), clock=clock) as s:
        s.fetch_token(
            origin.url("/token"),
            client_secret="pw",
            grant=oauthkit.ClientCredentialsGrant(scope="write"),
        )
        clock.advance(120)
        s.get(origin.url("/api"))
    first, renewal = origin.to("/token")
    assert first.form["scope"] == renewal.form["scope"] == "write"
    assert renewal.form["grant_type"] == "client_credentials"


# -- renewal on a bare 401, when asked ------------------------------------------------------------


def _answers_401_once(origin: Routes, challenge: str | None) -> None:
    seen: list[str] = []

    def api(hit: Hit) -> tuple[int, dict[str, str], bytes]:
        seen.append(hit.headers["authorization"])
        if len(seen) == 1:
            headers = {} if challenge is None else {"WWW-Authenticate": challenge}
            return 401, headers, b""
        return answer_json({"ok": True})

    origin.handlers["/api"] = api


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize(
    ("challenge", "renews"),
    [(None, True), ('Bearer realm="api"', True), ('Bearer error="insufficient_scope"', False)],
)
def test_a_bare_401_renews_only_when_asked(
    driver: str, origin: Routes, challenge: str | None, renews: bool
) -> None:
    for asked in (False, True):
        _issuing(origin, {**SERVED, "access_token": "at-2"})
        _answers_401_once(origin, challenge)
        origin.hits.clear()
        with open_session(
            driver,
            client_id="app",
            token={"access_token": "at-1", "refresh_token": "rt", "expires_in": 3600},
            auto_refresh_url=origin.url("/token"),
        ) as s:
            s.oauth_client.renew_on_401 = asked
            reply = s.get(origin.url("/api"))
        renewed = asked and renews
        assert reply.status_code == (200 if renewed else 401)
        assert len(origin.to("/token")) == int(renewed)
        assert len(origin.to("/api")) == 1 + int(renewed)


# -- a callback whose state nobody checks ---------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_callback_without_an_expected_state_warns_once(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED, SERVED)
    callback = "https://app.example/cb?code=c&state=whatever"
    with open_session(driver, client_id="app") as s, warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        s.fetch_token(origin.url("/token"), authorization_response=callback, client_secret="pw")
        s.fetch_token(origin.url("/token"), authorization_response=callback, client_secret="pw")
    assert [w.category for w in seen] == [oauthkit.UncheckedStateWarning]
    assert "state=saved" in str(seen[0].message)
    # pointed at the caller's line, never at oauthkit's own layers
    assert not seen[0].filename.startswith(str(Path(oauthkit.__file__).parent))


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_state_handed_over_refuses_a_forged_callback(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    with open_session(driver, client_id="app", redirect_uri="https://app.example/cb") as s:
        _, state = s.authorization_url("https://as.example/authorize")
    # the callback arrives in another web request: a new session, given the saved state
    with open_session(driver, client_id="app", state=state) as s:
        with pytest.raises(oauthkit.StateMismatchError):
            s.fetch_token(
                origin.url("/token"), authorization_response="https://app.example/cb?code=c&state=x"
            )
        s.fetch_token(
            origin.url("/token"),
            authorization_response=f"https://app.example/cb?code=c&state={state}",
            client_secret="pw",
        )
    assert len(origin.to("/token")) == 1


def test_the_native_parser_refuses_to_guess_without_a_state() -> None:
    with pytest.raises(oauthkit.UsageError, match="no state to check"):
        oauthkit.parse_authorization_callback("https://app.example/cb?code=c&state=s")


# -- what only oauthkit.requests does, as requests-oauthlib ----------------------------------


def _expired_session(origin: Routes, **kw: Any) -> okrequests.OAuth2Session:
    session = okrequests.OAuth2Session(
        "app",
        token={"access_token": "old", "refresh_token": "rt-0", "expires_at": 1.0},
        auto_refresh_url=origin.url("/token"),
        **kw,
    )
    session.trust_env = False
    return session


def test_an_automatic_refresh_without_updater_raises_token_updated(origin: Routes) -> None:
    _issuing(origin, SERVED)
    with _expired_session(origin) as session:
        with pytest.raises(okrequests.TokenUpdated) as updated:
            session.get(origin.url("/api"))
        assert updated.value.token["access_token"] == "at-1"
        assert session.token == updated.value.token  # the token is not lost
        assert "at-1" not in repr(updated.value)
        assert origin.to("/api") == []  # as requests-oauthlib: the caller sends it again
        assert session.get(origin.url("/api")).status_code == 200


def test_request_credentials_authenticate_the_refresh(origin: Routes) -> None:
    _issuing(origin, SERVED)
    with _expired_session(origin, token_updater=lambda token: None) as session:
        session.get(origin.url("/api"), client_id="app", client_secret="pw")
    [refresh] = origin.to("/token")
    assert refresh.headers["authorization"] == "Basic " + base64.b64encode(b"app:pw").decode()


def test_errors_are_caught_by_oauthlibs_names(origin: Routes) -> None:
    origin.handlers["/token"] = lambda hit: answer_json({"error": "invalid_grant"}, 400)
    with okrequests.OAuth2Session("app", state="s1") as session:
        with pytest.raises(InvalidGrantError) as refused:
            session.fetch_token(origin.url("/token"), code="c", client_secret="pw")
        error = refused.value
        # still oauthkit's error, under its own name, with its own message and attributes
        assert oauthkit_class(error) is oauthkit.InvalidGrantError
        assert isinstance(error, oauthkit.TokenEndpointError)
        assert type(error).__name__ == "InvalidGrantError"
        assert (error.error, error.status_code) == ("invalid_grant", 400)
        assert repr(error).startswith("InvalidGrantError(")
        with pytest.raises(MismatchingStateError):
            session.fetch_token(
                origin.url("/token"), authorization_response="https://a.example/cb?code=c&state=x"
            )
        with pytest.raises(ValueError, match="pkce"):
            okrequests.OAuth2Session("app", pkce="S512")
    expired = {"access_token": "a", "expires_at": 1.0}
    with (
        okrequests.OAuth2Session("app", token=expired) as s,
        pytest.raises(OauthlibTokenExpiredError),
    ):
        s.get(origin.url("/api"))
    origin.handlers["/token"] = lambda hit: answer_json({"error": "something_else"}, 400)
    with okrequests.OAuth2Session("app") as session, pytest.raises(OAuth2Error) as other:
        session.fetch_token(origin.url("/token"), code="c")
    assert other.value.error == "something_else"


def test_oauth2_auth_without_a_token_refuses_at_use_with_a_value_error() -> None:
    import requests

    auth = okrequests.OAuth2(client=WebApplicationClient("app"))
    with pytest.raises(ValueError, match="missing access token"):
        requests.Request("GET", "https://api.example/", auth=auth).prepare()


def test_body_placement_follows_requests_oauthlib_on_any_method() -> None:
    import requests

    client = WebApplicationClient("app")
    client.default_token_placement = "body"
    auth = okrequests.OAuth2(client=client, token={"access_token": "tok"})
    prepared = requests.Request("GET", "https://api.example/", data="a=1", auth=auth).prepare()
    assert prepared.body == "a=1&access_token=tok"  # text stays text, as requests-oauthlib
    # the native auth keeps RFC 6750 §2.2: no body on a GET
    native = okrequests.OAuth2Auth(
        oauthkit.TokenManager("app", token={"access_token": "tok"}, placement="body")
    )
    with pytest.raises(oauthkit.UsageError, match="GET request has no body"):
        requests.Request("GET", "https://api.example/", data="a=1", auth=native).prepare()


def test_a_response_double_is_read_by_its_body() -> None:
    from unittest import mock

    def send(request: Any, **kwargs: Any) -> Any:
        assert isinstance(request.body, str)  # a form, as requests-oauthlib hands it over
        response = mock.MagicMock()
        response.text = json.dumps(SERVED)
        return response

    with okrequests.OAuth2Session("app") as session:
        session.send = send  # type: ignore[method-assign]
        assert session.fetch_token("https://as.example/token", code="c")["access_token"] == "at-1"


@pytest.mark.parametrize("driver", DRIVERS)
def test_refresh_token_posts_the_callers_client_credentials(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    token = {"access_token": "a", "refresh_token": "rt-0", "expires_in": 3600}
    with open_session(driver, client_id="app", token=token) as s:
        s.refresh_token(origin.url("/token"), client_id="app", client_secret="pw")
    [refresh] = origin.to("/token")
    assert refresh.form == {
        "grant_type": "refresh_token",
        "refresh_token": "rt-0",
        "client_id": "app",
        "client_secret": "pw",
    }
    assert "authorization" not in refresh.headers


@pytest.mark.parametrize("driver", ["requests", "httpx"])
def test_a_blocking_session_refuses_a_coroutine_token_updater(driver: str) -> None:
    async def updater(token: dict[str, Any]) -> None:
        """Never awaited by a blocking session: the renewed token would be lost."""

    with pytest.raises(ValueError, match="coroutine function"):
        open_session(driver, client_id="app", token_updater=updater).__enter__()


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_updater_receives_the_token_as_the_server_sent_it(driver: str, origin: Routes) -> None:
    _issuing(origin, SERVED)
    clock = Clock()
    updates: list[dict[str, Any]] = []
    expired = {"access_token": "old", "refresh_token": "rt-0", "expires_at": clock.now - 1}
    with open_session(
        driver,
        client_id="app",
        token=expired,
        auto_refresh_url=origin.url("/token"),
        token_updater=updates.append,
        clock=clock,
    ) as s:
        s.get(origin.url("/api"))
    assert updates == [{**SERVED, "expires_at": clock.now + 3600}]
