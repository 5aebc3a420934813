"""OAuth2Session behaviour through in-memory transports (a requests adapter, httpx.MockTransport).

Interop with a real provider is proven in test_oauth2_interop*.py; this module pins down
requests-oauthlib compatibility details and the places where oauthkit deliberately differs.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests
from requests.adapters import BaseAdapter

import oauthkit
from oauthkit.httpx import OAuth2Client
from oauthkit.requests import OAuth2Session
from oauthkit.requests.compliance_fixes import (
    facebook_compliance_fix,
    slack_compliance_fix,
    weibo_compliance_fix,
)
from tests._recorder import recorder

TOKEN_URL = "https://as.example/token"
API = "https://api.example/me"

Handler = Callable[[requests.PreparedRequest], tuple[int, dict[str, str], bytes]]


class MemoryAdapter(BaseAdapter):
    """A requests transport that answers from a function and records every request."""

    def __init__(self, handler: Handler) -> None:
        super().__init__()
        self.handler = handler
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        status, headers, body = self.handler(request)
        response = requests.Response()
        response.status_code = status
        response.headers.update(headers)
        response._content = body
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


def token_json(**extra: object) -> tuple[int, dict[str, str], bytes]:
    payload = {"access_token": "at", "token_type": "Bearer", "expires_in": 3600, **extra}
    return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()


def session_with(handler: Handler, **kw: Any) -> tuple[OAuth2Session, MemoryAdapter]:
    session = OAuth2Session(**kw)
    adapter = MemoryAdapter(handler)
    session.mount("https://", adapter)
    return session, adapter


def form(request: requests.PreparedRequest) -> dict[str, str]:
    body = request.body or ""
    return dict(parse_qsl(body.decode() if isinstance(body, bytes) else body))


def test_facebook_fix_turns_a_text_body_into_a_token() -> None:
    def handler(r: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Content-Type": "text/plain"}, b"access_token=fb&expires=3600"

    session, _ = session_with(handler, client_id="app", redirect_uri="https://app/cb")
    facebook_compliance_fix(session)
    token = session.fetch_token(TOKEN_URL, code="c", client_secret="s")
    assert token["access_token"] == "fb"
    assert token["token_type"] == "Bearer"


def test_weibo_fix_places_the_token_in_the_query() -> None:
    session, adapter = session_with(lambda r: (200, {}, b"{}"), client_id="app", token=TOKEN)
    weibo_compliance_fix(session)
    session.get(API)
    sent = adapter.sent[-1]
    assert dict(parse_qsl(urlsplit(sent.url or "").query))["access_token"] == "at"
    assert "Authorization" not in sent.headers


def test_slack_fix_adds_the_token_to_protected_requests() -> None:
    session, adapter = session_with(lambda r: (200, {}, b"{}"), client_id="app", token=TOKEN)
    slack_compliance_fix(session)
    session.post(API)
    assert form(adapter.sent[-1])["token"] == "at"  # as requests-oauthlib: in the form body


def test_refresh_hooks_run_on_refresh() -> None:
    calls: list[str] = []

    def request_hook(
        url: str, headers: dict[str, str], body: str
    ) -> tuple[str, dict[str, str], str]:
        calls.append("request")
        return url, headers, body + "&hooked=1"

    def response_hook(response: requests.Response) -> requests.Response:
        calls.append("response")
        return response

    session, adapter = session_with(
        lambda r: token_json(refresh_token="r2"), client_id="app", token=TOKEN
    )
    session.register_compliance_hook("refresh_token_request", request_hook)
    session.register_compliance_hook("refresh_token_response", response_hook)
    session.refresh_token(TOKEN_URL)
    assert calls == ["request", "response"]
    assert form(adapter.sent[-1])["hooked"] == "1"
    assert session.token["refresh_token"] == "r2"


def test_unknown_hook_type_is_a_usage_error() -> None:
    with pytest.raises(oauthkit.UsageError, match="hook type"):
        OAuth2Session("app").register_compliance_hook("nope", lambda r: r)


TOKEN = {
    "access_token": "at",
    "token_type": "Bearer",
    "refresh_token": "r1",
    "expires_at": 4102444800,
}


def test_fetch_token_get_puts_parameters_in_the_query() -> None:
    session, adapter = session_with(lambda r: token_json(), client_id="app")
    session.fetch_token(TOKEN_URL, code="c", method="GET")
    sent = adapter.sent[-1]
    assert sent.method == "GET"
    assert dict(parse_qsl(urlsplit(sent.url or "").query))["code"] == "c"
    assert not sent.body


def test_password_grant_through_legacy_client() -> None:
    from oauthlib.oauth2 import LegacyApplicationClient

    session, adapter = session_with(
        lambda r: token_json(), client=LegacyApplicationClient(client_id="app"), scope=["a"]
    )
    session.fetch_token(TOKEN_URL, username="u", password="p", client_secret="s")
    sent = form(adapter.sent[-1])
    assert sent == {"grant_type": "password", "username": "u", "password": "p", "scope": "a"}


def test_changed_scope_is_recorded_not_raised() -> None:
    session, _ = session_with(
        lambda r: token_json(scope="read"), client_id="app", scope=["read", "write"]
    )
    token = session.fetch_token(TOKEN_URL, code="c")
    assert token["scope"] == ["read"]
    assert session.oauth_client.token.scope_changed


def test_token_from_fragment_checks_state() -> None:
    from oauthlib.oauth2 import MobileApplicationClient

    session = OAuth2Session(
        client=MobileApplicationClient(client_id="app"), redirect_uri="https://app/cb"
    )
    url, state = session.authorization_url("https://as.example/authorize")
    assert "response_type=token" in url
    token = session.token_from_fragment(
        f"https://app/cb#access_token=imp&token_type=Bearer&state={state}"
    )
    assert token["access_token"] == "imp"
    with pytest.raises(oauthkit.StateMismatchError):
        session.token_from_fragment("https://app/cb#access_token=x&token_type=Bearer&state=forged")


def test_withhold_token_sends_no_credentials() -> None:
    session, adapter = session_with(lambda r: (200, {}, b""), client_id="app", token=TOKEN)
    session.get(API, withhold_token=True)
    assert "Authorization" not in adapter.sent[-1].headers


def test_no_credentials_over_plain_http_off_loopback() -> None:
    session, adapter = session_with(lambda r: (200, {}, b""), client_id="app", token=TOKEN)
    with pytest.raises(oauthkit.InsecureTransportError):
        session.get("http://api.example/me")
    with pytest.raises(oauthkit.InsecureTransportError):
        session.fetch_token("http://as.example/token", code="c")
    assert adapter.sent == []


def test_refusal_is_typed_and_carries_the_response() -> None:
    body = json.dumps(
        {"error": "invalid_grant", "error_description": "code used", "refresh_token": "leak"}
    )
    session, _ = session_with(
        lambda r: (400, {"Content-Type": "application/json"}, body.encode()), client_id="app"
    )
    with pytest.raises(oauthkit.InvalidGrantError) as info:
        session.fetch_token(TOKEN_URL, code="c", client_secret="s3cret")
    assert info.value.description == "code used"
    assert isinstance(info.value.response, requests.Response)
    assert "leak" not in str(info.value)
    assert "s3cret" not in str(info.value)


def test_html_error_page_gives_a_clear_error() -> None:
    page = b"<html><body>Bad Gateway</body></html>"
    session, _ = session_with(lambda r: (502, {"Content-Type": "text/html"}, page), client_id="app")
    with pytest.raises(oauthkit.TokenEndpointError) as info:
        session.fetch_token(TOKEN_URL, code="c")
    assert info.value.status_code == 502
    assert "Bad Gateway" in str(info.value)


def test_repr_shows_no_secret() -> None:
    session = OAuth2Session("app", token=TOKEN, auto_refresh_kwargs={"client_secret": "s3cret"})
    text = repr(session)
    assert "s3cret" not in text
    assert "r1" not in text


@pytest.mark.parametrize("driver", ["requests", "httpx"])
def test_cross_origin_redirect_drops_the_token(driver: str) -> None:
    with recorder() as origin, recorder() as elsewhere:
        target = f"{elsewhere.base_url}/landing"
        url = f"{origin.base_url}/redirect/302?to={target}"
        if driver == "requests":
            with OAuth2Session("app", token=TOKEN) as s:
                assert s.get(url).status_code == 200
        else:
            with OAuth2Client("app", token=TOKEN, follow_redirects=True) as c:
                assert c.get(url).status_code == 200
        assert origin.requests[0].headers["Authorization"] == "Bearer at"
        [landed] = elsewhere.requests
        assert "Authorization" not in landed.headers


def test_httpx_client_against_mock_transport() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/token":
            return httpx.Response(
                200, json={"access_token": "new", "token_type": "Bearer", "expires_in": 60}
            )
        return httpx.Response(200, json={"auth": request.headers.get("Authorization")})

    expired = {**TOKEN, "expires_at": 1}
    with OAuth2Client(
        "app", token=expired, auto_refresh_url=TOKEN_URL, transport=httpx.MockTransport(handler)
    ) as client:
        response = client.get(API, params={"leak": "1"})
    assert response.json() == {"auth": "Bearer new"}
    token_request = seen[0]
    assert token_request.url.path == "/token"
    assert "leak" not in str(token_request.url)
    assert dict(parse_qsl(token_request.content.decode())) == {
        "grant_type": "refresh_token",
        "refresh_token": "r1",
        "client_id": "app",
    }


def test_httpx_fetch_token_refuses_per_call_client_settings() -> None:
    with OAuth2Client("app") as client, pytest.raises(oauthkit.UsageError, match="verify"):
        client.fetch_token(TOKEN_URL, code="c", verify=False)
