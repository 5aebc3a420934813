"""The OAuth 1.0a three-legged flow helpers (RFC 5849 §2) and their handling of bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit import (
    CallbackError,
    HttpResponse,
    InsecureTransportError,
    MalformedResponseError,
    MissingTokenError,
    MissingVerifierError,
    OAuthError,
    StateMismatchError,
    TokenRequestDenied,
    UsageError,
)
from oauthkit.oauth1 import OAuth1Signer
from oauthkit.oauth1._flow import (
    build_access_token_request,
    build_token_request,
    parse_token_response,
    token_from_mapping,
)

# The package exports these under oauth1-prefixed names; the module keeps the RFC's names.
from oauthkit.oauth1._flow import build_authorization_url as authorization_url
from oauthkit.oauth1._flow import parse_authorization_callback as parse_authorization_response

FLOW = json.loads((Path(__file__).parent / "data" / "rfc5849.json").read_text("utf-8"))["flow"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _oauth(header: str) -> dict[str, str]:
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def _signer(**kw: Any) -> OAuth1Signer:
    return OAuth1Signer("dpf43f3p2l4k3l03", client_secret="kd94hf93k423kf44", **kw)


@pytest.fixture(autouse=True)
def _no_insecure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


# --- the RFC 5849 §1.2 walk-through ----------------------------------------------------------


@pytest.mark.parametrize("name", ["temporary_credentials_response", "token_credentials_response"])
def test_rfc_token_responses(name: str) -> None:
    case = FLOW[name]
    response = HttpResponse(200, FORM, case["body"].encode())
    assert parse_token_response(response) == case["expected"]


def test_rfc_authorization_url() -> None:
    case = FLOW["authorization"]
    url = authorization_url(case["endpoint"], case["request_token"])
    assert url == case["expected_url"]


@pytest.mark.parametrize("name", ["callback", "callback_with_query"])
def test_rfc_callbacks(name: str) -> None:
    case = FLOW[name]
    expected_token = case["expected"]["oauth_token"]
    assert parse_authorization_response(case["url"], expected_token) == case["expected"]


def test_three_legged_flow_end_to_end() -> None:
    signer = _signer(callback_uri="http://printer.example.com/ready")
    first = build_token_request(signer, "https://photos.example.net/initiate")
    assert (first.method, first.url) == ("POST", "https://photos.example.net/initiate")
    assert _oauth(first.headers["Authorization"])["oauth_callback"] == (
        "http://printer.example.com/ready"
    )

    temporary = parse_token_response(
        HttpResponse(200, FORM, FLOW["temporary_credentials_response"]["body"].encode())
    )
    key, secret, _ = token_from_mapping(temporary)
    callback = parse_authorization_response(FLOW["callback"]["url"], expected_token=key)

    pending = signer.with_token(key, secret)
    second = build_access_token_request(
        pending, "https://photos.example.net/token", callback["oauth_verifier"]
    )
    oauth = _oauth(second.headers["Authorization"])
    assert oauth["oauth_token"] == "hh5s93j4hdidpola"
    assert oauth["oauth_verifier"] == "hfdp7dh39dks9884"


def test_access_token_request_uses_the_signers_verifier_by_default() -> None:
    signer = _signer(resource_owner_key="rk", resource_owner_secret="rs", verifier="from-signer")
    request = build_access_token_request(signer, "https://photos.example.net/token")
    assert _oauth(request.headers["Authorization"])["oauth_verifier"] == "from-signer"


def test_token_from_mapping_accepts_requests_oauthlib_names() -> None:
    assert token_from_mapping(
        {"resource_owner_key": "k", "resource_owner_secret": "s", "verifier": "v"}
    ) == ("k", "s", "v")
    assert token_from_mapping({}) == (None, None, None)


# --- build_* misuse ----------------------------------------------------------------------------


def test_access_token_request_without_verifier() -> None:
    signer = _signer(resource_owner_key="rk", resource_owner_secret="rs")
    with pytest.raises(MissingVerifierError, match="oauth_verifier"):
        build_access_token_request(signer, "https://photos.example.net/token")


def test_access_token_request_without_request_token() -> None:
    with pytest.raises(UsageError, match="request token"):
        build_access_token_request(_signer(), "https://photos.example.net/token", "verifier")


@pytest.mark.parametrize("url", ["http://photos.example.net/initiate", "http://10.0.0.1/initiate"])
def test_token_request_over_plain_http_is_refused(url: str) -> None:
    with pytest.raises(InsecureTransportError):
        build_token_request(_signer(), url)
    with pytest.raises(InsecureTransportError):
        build_access_token_request(_signer(resource_owner_key="k"), url, "v")


def test_token_request_over_loopback_http_or_with_escape_hatch() -> None:
    assert build_token_request(_signer(), "http://127.0.0.1:8080/initiate").method == "POST"
    hatch = _signer(allow_insecure_transport=True)
    assert build_token_request(hatch, "http://photos.example.net/initiate", "GET").method == "GET"


# --- parse_token_response --------------------------------------------------------------------


def test_json_token_response() -> None:
    body = b'{"oauth_token": "t", "oauth_token_secret": "s", "expires_in": 3600, "x": true}'
    result = parse_token_response(HttpResponse(200, {"Content-Type": "application/json"}, body))
    assert result == {
        "oauth_token": "t",
        "oauth_token_secret": "s",
        "expires_in": "3600",
        "x": "true",
    }
    # Recognised by its shape even with a wrong Content-Type.
    assert parse_token_response(HttpResponse(200, {"Content-Type": "text/plain"}, body)) == result


@pytest.mark.parametrize("body", [b"[1, 2]", b'"oauth_token=x"', b"null", b"{not json", b"12"])
def test_json_content_type_with_a_non_object_is_malformed(body: bytes) -> None:
    response = HttpResponse(200, {"content-type": "application/json; charset=utf-8"}, body)
    with pytest.raises(MalformedResponseError) as info:
        parse_token_response(response)
    assert not isinstance(info.value, MissingTokenError)
    assert info.value.status_code == 200


def test_json_null_token_is_missing_not_the_string_null() -> None:
    response = HttpResponse(200, {}, b'{"oauth_token": null, "oauth_token_secret": "s"}')
    with pytest.raises(MissingTokenError):
        parse_token_response(response)


@pytest.mark.parametrize(
    "body",
    [
        b"<!DOCTYPE html><html><body><h1>Service unavailable</h1></body></html>",
        # A login page linking to the authorize endpoint: parsed as a form it would "contain"
        # an oauth_token.
        b'<html><body><a href="/authorize?lang=en&oauth_token=abc123">Go</a></body></html>',
        b"\n  <html lang='en'>\n<p>Hello &amp; welcome</p></html>",
    ],
)
def test_html_page_with_200_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        parse_token_response(HttpResponse(200, {"Content-Type": "text/html"}, body))


@pytest.mark.parametrize("body", [b"Service temporarily unavailable", b"a=1&&b", b""])
def test_text_that_is_no_form_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        parse_token_response(HttpResponse(200, {}, body))


@pytest.mark.parametrize(
    "body", [b"oauth_token_secret=s", b"oauth_token=&oauth_token_secret=s", b'{"a": "b"}']
)
def test_missing_oauth_token(body: bytes) -> None:
    with pytest.raises(MissingTokenError, match="oauth_token") as info:
        parse_token_response(HttpResponse(200, FORM, body))
    assert isinstance(info.value, MalformedResponseError)


@pytest.mark.parametrize("status", [400, 401, 403, 500, 503])
def test_error_status_is_denied_with_a_redacted_excerpt(status: int) -> None:
    body = b"oauth_problem=token_rejected&oauth_token=tok-SECRET1&oauth_token_secret=sec-SECRET2"
    with pytest.raises(TokenRequestDenied) as info:
        parse_token_response(HttpResponse(status, FORM, body))
    error = info.value
    assert error.status_code == status
    assert "oauth_problem=token_rejected" in error.body_excerpt
    for text in (str(error), error.body_excerpt, repr(error)):
        assert "SECRET" not in text
    assert isinstance(error, ValueError)  # requests-oauthlib callers catch ValueError


def test_error_status_wins_over_a_token_in_the_body() -> None:
    with pytest.raises(TokenRequestDenied):
        parse_token_response(HttpResponse(401, FORM, b"oauth_token=t&oauth_token_secret=s"))


# --- authorization_url and parse_authorization_response --------------------------------------


def test_authorization_url_keeps_existing_query_and_fragment() -> None:
    url = authorization_url(
        "https://api.example.com/oauth/authorize?lang=fr&x=a%20b#top", "req tok", perms="read"
    )
    split = urlsplit(url)
    assert split.fragment == "top"
    assert parse_qsl(split.query) == [
        ("lang", "fr"),
        ("x", "a b"),
        ("oauth_token", "req tok"),
        ("perms", "read"),
    ]


def test_authorization_url_without_token() -> None:
    with pytest.raises(UsageError):
        authorization_url("https://api.example.com/authorize", None)
    with pytest.raises(UsageError):
        authorization_url("https://api.example.com/authorize", "")


def test_callback_with_another_token_is_a_state_mismatch() -> None:
    url = "https://app.example/cb?oauth_token=forged-tok&oauth_verifier=v"
    with pytest.raises(StateMismatchError) as info:
        parse_authorization_response(url, expected_token="real-tok")
    assert isinstance(info.value, CallbackError)
    assert "-tok" not in str(info.value)


@pytest.mark.parametrize(
    "url",
    [
        "https://app.example/cb?oauth_verifier=v",
        "https://app.example/cb?oauth_token=&oauth_verifier=v",
        "https://app.example/cb",
        "https://app.example/cb#oauth_token=t",
        "https://[app.example/cb?oauth_token=t",
    ],
)
def test_callback_without_token_or_url_is_a_callback_error(url: str) -> None:
    with pytest.raises(CallbackError):
        parse_authorization_response(url, expected_token="t")


def test_callback_without_expected_token_is_accepted_as_is() -> None:
    params = parse_authorization_response("https://app.example/cb?oauth_token=t&oauth_verifier=v")
    assert params == {"oauth_token": "t", "oauth_verifier": "v"}


# --- parsers of outside input never fail with anything but OAuthError ------------------------

CONTENT_TYPES = st.sampled_from(
    [
        "",
        "application/json",
        "application/json; charset=utf-8",
        "application/x-www-form-urlencoded",
        "text/html; charset=UTF-8",
        "text/plain",
    ]
)
FORMISH = st.lists(
    st.tuples(
        st.sampled_from(["oauth_token", "oauth_token_secret", "oauth_callback_confirmed", "x", ""]),
        st.text(max_size=12),
    ),
    max_size=4,
).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs).encode("utf-8"))
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["oauth_token", "oauth_token_secret", "a"]), children)
    ),
    max_leaves=8,
).map(lambda value: json.dumps(value).encode("utf-8"))
BODIES = st.one_of(
    st.binary(max_size=200),
    FORMISH,
    JSONISH,
    st.text(max_size=100).map(lambda t: t.encode("utf-8")),
    st.sampled_from([b"[" * 5000, b'{"a":' * 5000, b"<html>&oauth_token=x</html>"]),
)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=100, max_value=599), CONTENT_TYPES, BODIES)
def test_parse_token_response_returns_or_raises_oauth_error(
    status: int, content_type: str, body: bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    try:
        result = parse_token_response(HttpResponse(status, headers, body))
    except OAuthError:
        return
    assert status < 400
    assert result["oauth_token"]
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


URL_TEXT = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec=None), max_size=40).map(
        lambda t: f"https://app.example/cb?oauth_token={t}"
    ),
    st.tuples(
        st.sampled_from(["https://", "http://[", "http://", "", "//", "https://[::1"]),
        st.text(max_size=20),
        st.sampled_from(["?oauth_token=t", "?oauth_token=t&oauth_verifier=v", "?", "#x", ""]),
        st.text(max_size=20),
    ).map("".join),
)


@settings(max_examples=250, deadline=None)
@given(URL_TEXT, st.one_of(st.none(), st.just("t"), st.text(max_size=5)))
def test_parse_authorization_response_returns_or_raises_oauth_error(
    url: str, expected: str | None
) -> None:
    try:
        params = parse_authorization_response(url, expected)
    except OAuthError:
        return
    assert params["oauth_token"]
    if expected is not None:
        assert params["oauth_token"] == expected
