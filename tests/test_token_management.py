"""Revocation (RFC 7009) and introspection (RFC 7662): requests, responses, errors, redaction."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit import (
    InsecureTransportError,
    MalformedResponseError,
    OAuthError,
    TokenEndpointError,
    UsageError,
)
from oauthkit._core._http import HttpRequest, HttpResponse
from oauthkit._error_codes import InvalidClientError, UnsupportedTokenTypeError
from oauthkit._oauth2._client_assertion import ClientSecretJwt
from oauthkit._oauth2._client_auth import ClientSecretBasic, NoneAuth
from oauthkit._oauth2._introspection import (
    Introspection,
    build_introspection_request,
    parse_introspection_response,
)
from oauthkit._oauth2._revocation import build_revocation_request, parse_revocation_response

NOW = 1_700_000_000.0
REVOKE = "https://as.example/revoke"
INTROSPECT = "https://as.example/introspect"
TOKEN = "45ghiukldjahdnhzdauz"


def _json(status: int, data: Any) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(data).encode())


def _body(request: HttpRequest) -> list[tuple[str, str]]:
    assert request.body is not None
    return parse_qsl(request.body.decode("ascii"))


@pytest.mark.parametrize(
    ("builder", "url"),
    [(build_revocation_request, REVOKE), (build_introspection_request, INTROSPECT)],
)
def test_requests(builder: Any, url: str) -> None:
    request = builder(
        url, TOKEN, ClientSecretBasic("c", "s"), now=NOW, token_type_hint="refresh_token"
    )
    assert (request.method, request.url) == ("POST", url)
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Authorization"].startswith("Basic ")
    assert _body(request) == [("token", TOKEN), ("token_type_hint", "refresh_token")]
    public = builder(url, TOKEN, NoneAuth("app"), now=NOW, extra={"x": "1"})
    assert _body(public) == [("token", TOKEN), ("x", "1"), ("client_id", "app")]


def test_jwt_auth_audience_defaults_to_the_endpoint() -> None:
    from joserfc import jwk, jwt

    request = build_revocation_request(REVOKE, TOKEN, ClientSecretJwt("c", "k" * 32), now=NOW)
    assertion = dict(_body(request))["client_assertion"]
    key = jwk.OctKey(b"k" * 32, b"k" * 32)
    assert jwt.decode(assertion, key, algorithms=["HS256"]).claims["aud"] == REVOKE


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"token": ""}, UsageError),
        ({"token": None}, UsageError),
        ({"token_type_hint": ""}, UsageError),
        ({"token_type_hint": 3}, UsageError),
        ({"extra": {"token": "again"}}, UsageError),
        ({"url": "http://as.example/revoke"}, InsecureTransportError),
    ],
)
def test_request_misuse(kwargs: dict[str, Any], error: type[Exception]) -> None:
    args = {"url": REVOKE, "token": TOKEN, **kwargs}
    url, token = args.pop("url"), args.pop("token")
    for builder in (build_revocation_request, build_introspection_request):
        with pytest.raises(error):
            builder(url, token, NoneAuth("c"), now=NOW, **args)


def test_revocation_success_ignores_the_body() -> None:
    assert parse_revocation_response(HttpResponse(200)) is None
    assert parse_revocation_response(HttpResponse(204, {}, b"<html>whatever")) is None


def test_revocation_errors_are_typed() -> None:
    with pytest.raises(UnsupportedTokenTypeError) as info:
        parse_revocation_response(_json(400, {"error": "unsupported_token_type"}))
    assert info.value.status_code == 400
    with pytest.raises(InvalidClientError):
        parse_revocation_response(_json(401, {"error": "invalid_client"}))
    with pytest.raises(TokenEndpointError) as unavailable:
        parse_revocation_response(HttpResponse(503, {"Retry-After": "3"}, b"busy"))
    assert unavailable.value.status_code == 503
    assert unavailable.value.error is None
    with pytest.raises(UsageError):
        parse_revocation_response("200")  # type: ignore[arg-type]


def test_introspection_active() -> None:
    # RFC 7662 §2.2 example, plus an extension member and a list audience.
    response = _json(
        200,
        {
            "active": True,
            "client_id": "l238j323ds-23ij4",
            "username": "jdoe",
            "scope": "read write dolphin",
            "sub": "Z5O3upPC88QrAjx00dis",
            "aud": ["https://protected.example.net/resource", "other"],
            "iss": "https://server.example.com/",
            "exp": 1419356238,
            "iat": 1419350238.9,
            "extension_field": "twenty-seven",
        },
    )
    result = parse_introspection_response(response)
    assert result.active
    assert result.scope == ("read", "write", "dolphin")
    assert (result.client_id, result.username, result.sub) == (
        "l238j323ds-23ij4",
        "jdoe",
        "Z5O3upPC88QrAjx00dis",
    )
    assert result.aud == ("https://protected.example.net/resource", "other")
    assert (result.exp, result.iat, result.nbf) == (1419356238, 1419350238, None)
    assert dict(result.extra) == {"extension_field": "twenty-seven"}
    assert result.is_active_at(1419356237)
    assert not result.is_active_at(1419356238)


def test_introspection_string_audience_and_nbf() -> None:
    result = parse_introspection_response(_json(200, {"active": True, "aud": "rs", "nbf": 100}))
    assert result.aud == ("rs",)
    assert result.scope is None
    assert not result.is_active_at(99)
    assert result.is_active_at(100)


def test_inactive_says_nothing_more() -> None:
    result = parse_introspection_response(
        _json(200, {"active": False, "username": "stale", "scope": "admin"})
    )
    assert result == Introspection(active=False)
    assert not result.is_active_at(0)


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"\xff\xfe",
        b"[]",
        b"{}",
        b'{"active": "true"}',
        b'{"active": 1}',
        b'{"active": true, "exp": "soon"}',
        b'{"active": true, "exp": true}',
        b'{"active": true, "exp": NaN}',
        b'{"active": true, "scope": ["a"]}',
        b'{"active": true, "aud": [1]}',
        b'{"active": true, "aud": {"a": 1}}',
        b'{"active": true, "client_id": 7}',
    ],
)
def test_introspection_malformed(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        parse_introspection_response(HttpResponse(200, {"Content-Type": "application/json"}, body))


def test_introspection_errors_are_typed() -> None:
    with pytest.raises(InvalidClientError):
        parse_introspection_response(_json(401, {"error": "invalid_client"}))
    with pytest.raises(TokenEndpointError) as info:
        parse_introspection_response(HttpResponse(500, {}, b"oops"))
    assert info.value.status_code == 500


@pytest.mark.parametrize(
    "response",
    [
        _json(400, {"error": "invalid_request", "token": TOKEN, "access_token": TOKEN}),
        HttpResponse(400, {}, f"error=invalid_request&token={TOKEN}".encode()),
        HttpResponse(500, {}, f"<p>bad token: {TOKEN}</p>".encode()),
        _json(200, {"active": True, "exp": "x", "token": TOKEN}),
    ],
)
def test_no_token_in_error_messages(response: HttpResponse) -> None:
    # A server echoing the request must not put the token into an exception message.
    for parse in (parse_introspection_response, parse_revocation_response):
        if parse is parse_revocation_response and response.status_code == 200:
            continue
        with pytest.raises(OAuthError) as info:
            parse(response)
        assert TOKEN not in str(info.value)
        assert TOKEN not in repr(info.value)


@settings(max_examples=250, deadline=None)
@given(
    st.integers(min_value=100, max_value=599),
    st.one_of(
        st.binary(max_size=60),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(
                    st.sampled_from(["active", "exp", "aud", "scope", "error", "sub", "x"]),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=10,
        ).map(lambda value: json.dumps(value).encode()),
    ),
)
def test_parsers_return_or_raise_oauth_errors(status: int, body: bytes) -> None:
    response = HttpResponse(status, {"Content-Type": "application/json"}, body)
    try:
        result = parse_introspection_response(response)
    except OAuthError:
        pass
    else:
        assert isinstance(result, Introspection)
    with contextlib.suppress(OAuthError):
        assert parse_revocation_response(response) is None


def test_introspection_minimal_and_misuse() -> None:
    result = parse_introspection_response(_json(200, {"active": True}))
    assert result == Introspection(active=True)
    assert result.aud == ()
    assert result.is_active_at(NOW)
    with pytest.raises(UsageError):
        parse_introspection_response(b"{}")  # type: ignore[arg-type]
