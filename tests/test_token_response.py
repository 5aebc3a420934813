"""Token endpoint responses (RFC 6749 §5.1, §5.2): parsing, typed errors, redaction."""

from __future__ import annotations

import contextlib
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit._core._http import HttpResponse
from oauthkit._error_codes import InvalidClientError, InvalidGrantError, token_error_class
from oauthkit._errors import (
    MalformedResponseError,
    MissingTokenError,
    ServerResponseError,
    TokenEndpointError,
    UsageError,
)
from oauthkit._oauth2._token import Token
from oauthkit._oauth2._token_response import MAX_BODY, parse_error_body, parse_token_response

NOW = 1_700_000_000.0
ACCESS = "at-5ecret-ACCESS-value"
REFRESH = "rt-5ecret-REFRESH-value"
JSON = {"Content-Type": "application/json;charset=UTF-8"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

ERROR_CODES = {
    "invalid_request": "InvalidRequestError",
    "invalid_client": "InvalidClientError",
    "invalid_grant": "InvalidGrantError",
    "unauthorized_client": "UnauthorizedClientError",
    "unsupported_grant_type": "UnsupportedGrantTypeError",
    "invalid_scope": "InvalidScopeError",
    "authorization_pending": "AuthorizationPendingError",
    "slow_down": "SlowDownError",
    "access_denied": "AccessDeniedError",
    "expired_token": "DeviceCodeExpiredError",
    "invalid_target": "InvalidTargetError",
    "invalid_dpop_proof": "InvalidDpopProofError",
    "use_dpop_nonce": "UseDpopNonceError",
    "invalid_authorization_details": "InvalidAuthorizationDetailsError",
    "unsupported_token_type": "UnsupportedTokenTypeError",
}


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Any:
    return HttpResponse(status, JSON if headers is None else headers, json.dumps(data).encode())


def assert_no_secret(exc: BaseException) -> None:
    for text in (str(exc), repr(exc), getattr(exc, "body_excerpt", "")):
        assert ACCESS not in text
        assert REFRESH not in text


# --- success -------------------------------------------------------------------------------


def test_rfc6749_section_5_1_example() -> None:
    body = {
        "access_token": ACCESS,
        "token_type": "example",
        "expires_in": 3600,
        "refresh_token": REFRESH,
        "example_parameter": "example_value",
    }
    token = parse_token_response(json_response(body), now=NOW, requested_scope="read")
    assert token == Token(
        ACCESS,
        "example",
        NOW + 3600,
        REFRESH,
        ("read",),
        None,
        {"example_parameter": "example_value"},
    )
    assert not token.scope_changed


def test_changed_scope_is_recorded_not_raised() -> None:
    body = {"access_token": ACCESS, "token_type": "Bearer", "scope": "read"}
    token = parse_token_response(json_response(body), now=NOW, requested_scope=["read", "write"])
    assert token.scope == ("read",)
    assert token.scope_changed


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"content-type": "application/x-www-form-urlencoded; charset=utf-8"}, None),
        ({"Content-Type": "text/plain"}, None),  # GitHub without Accept: application/json
        ({}, None),
        (JSON, None),  # mislabelled: still a form, not a JSON object
    ],
)
def test_form_encoded_bodies_are_tolerated(headers: dict[str, str], body: None) -> None:
    form = urlencode(
        {"access_token": ACCESS, "token_type": "bearer", "scope": "repo,gist", "expires_in": "60"}
    )
    token = parse_token_response(HttpResponse(200, headers, form.encode()), now=NOW)
    assert token.access_token == ACCESS
    assert token.token_type == "bearer"
    assert token.scope == ("repo,gist",)  # commas are legal inside a scope token (§3.3)
    assert token.expires_at == NOW + 60


@pytest.mark.parametrize(
    "raw",
    [
        b'\xef\xbb\xbf{"access_token": "at", "token_type": "Bearer"}',  # UTF-8 BOM
        b'  \n{"access_token": "at", "token_type": "Bearer", "error": null}\n',
        b'{"access_token": "at", "token_type": "Bearer", "error": ""}',
    ],
)
def test_json_quirks(raw: bytes) -> None:
    assert parse_token_response(HttpResponse(200, {}, raw), now=NOW).access_token == "at"


def test_json_with_a_vendor_media_type() -> None:
    response = HttpResponse(
        200, {"Content-Type": "application/vnd.api+json"}, b'{"access_token": "at"}'
    )
    assert parse_token_response(response, now=NOW).token_type == "Bearer"


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "name"), sorted(ERROR_CODES.items()))
def test_each_error_code_raises_its_class(code: str, name: str) -> None:
    body = {
        "error": code,
        "error_description": "details here",
        "error_uri": "https://auth.example.com/errors/x",
    }
    with pytest.raises(TokenEndpointError) as info:
        parse_token_response(json_response(body, 400), now=NOW)
    exc = info.value
    assert type(exc).__name__ == name
    assert type(exc) is token_error_class(code)
    assert type(exc).code == code
    assert (exc.error, exc.description, exc.uri) == (code, "details here", body["error_uri"])
    assert exc.status_code == 400
    assert code in str(exc)
    assert "details here" in str(exc)
    assert parse_error_body(json_response(body, 400)).__class__ is type(exc)


def test_error_class_lookup() -> None:
    assert token_error_class("INVALID_GRANT") is InvalidGrantError
    assert token_error_class("server_error") is TokenEndpointError
    assert token_error_class("") is TokenEndpointError
    assert token_error_class(None) is TokenEndpointError  # type: ignore[arg-type]
    assert InvalidGrantError("m", 400).error == "invalid_grant"  # the class supplies the code
    assert TokenEndpointError("m", 400).error is None


def test_invalid_client_with_401_and_form_body() -> None:
    response = HttpResponse(401, FORM, b"error=invalid_client")
    with pytest.raises(InvalidClientError) as info:
        parse_token_response(response, now=NOW)
    assert info.value.status_code == 401
    assert info.value.description is None


def test_error_with_status_200_github_style() -> None:
    body = b"error=bad_verification_code&error_description=The+code+passed+is+incorrect"
    with pytest.raises(TokenEndpointError) as info:
        parse_token_response(HttpResponse(200, {"Content-Type": "text/plain"}, body), now=NOW)
    assert type(info.value) is TokenEndpointError
    assert info.value.error == "bad_verification_code"
    assert info.value.description == "The code passed is incorrect"
    assert info.value.status_code == 200


def test_non_standard_error_object() -> None:
    body = {"error": {"message": "nope", "code": 190}, "error_description": 5}
    with pytest.raises(TokenEndpointError) as info:
        parse_token_response(json_response(body, 400), now=NOW)
    assert type(info.value) is TokenEndpointError
    assert info.value.error is None
    assert info.value.description is None
    assert "nope" in info.value.body_excerpt


@pytest.mark.parametrize(
    ("status", "headers", "body"),
    [
        (502, {"Content-Type": "text/html"}, b"<html><body>Bad Gateway</body></html>"),
        (500, {}, b""),
        (404, JSON, b'{"message": "not found"}'),
        (403, JSON, b"[1, 2]"),
        (301, {"Location": "https://elsewhere"}, b""),
    ],
)
def test_non_2xx_without_an_oauth_error(status: int, headers: dict[str, str], body: bytes) -> None:
    with pytest.raises(TokenEndpointError) as info:
        parse_token_response(HttpResponse(status, headers, body), now=NOW)
    assert type(info.value) is TokenEndpointError
    assert info.value.status_code == status
    assert info.value.error is None
    assert f"HTTP {status}" in str(info.value)
    assert parse_error_body(HttpResponse(status, headers, body)) is None


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({"Content-Type": "text/html"}, b"<!doctype html><p>Sign in</p>"),
        (JSON, b'{"access_token": '),
        (JSON, b'["access_token"]'),
        (JSON, b"null"),
        ({}, b""),
        ({}, b"\xff\xfe{}"),
        ({}, b"just words"),
        (FORM, b"access_token=a&access_token=b"),  # which one? refuse to guess
        (JSON, b"[" * 100_000),  # nesting deeper than the JSON decoder's recursion limit
    ],
)
def test_unreadable_2xx_is_malformed(headers: dict[str, str], body: bytes) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_token_response(HttpResponse(200, headers, body), now=NOW)
    assert info.value.status_code == 200
    assert len(info.value.body_excerpt) <= 200


BIG = MAX_BODY + 1


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        # Millions of form fields or JSON members: parsing them took seconds.
        ({}, (b"a=b&" * (BIG // 4 + 1))[:BIG]),
        (JSON, b"[" + b"[]," * (BIG // 3) + b"[]]"),
        # A well-formed token, but no token response is this large.
        (JSON, json.dumps({"access_token": ACCESS, "id_token": "x" * BIG}).encode()),
    ],
    ids=["form", "json-members", "token"],
)
def test_a_body_over_a_mebibyte_is_not_read(headers: dict[str, str], body: bytes) -> None:
    assert len(body) > MAX_BODY
    with pytest.raises(MalformedResponseError, match="larger than a mebibyte") as info:
        parse_token_response(HttpResponse(200, headers, body), now=NOW)
    assert_no_secret(info.value)
    error = json.dumps({"error": "invalid_grant", "error_description": "x" * BIG}).encode()
    with pytest.raises(TokenEndpointError) as refused:
        parse_token_response(HttpResponse(400, JSON, error), now=NOW)
    assert type(refused.value) is TokenEndpointError  # its error code was not read either
    assert refused.value.status_code == 400
    assert parse_error_body(HttpResponse(400, JSON, error)) is None


def test_a_body_of_a_mebibyte_is_read() -> None:
    fields = {"access_token": ACCESS, "id_token": ""}
    padding = MAX_BODY - len(json.dumps(fields).encode())
    body = json.dumps({**fields, "id_token": "x" * padding}).encode()
    assert len(body) == MAX_BODY
    token = parse_token_response(HttpResponse(200, JSON, body), now=NOW)
    assert token.access_token == ACCESS
    assert token.id_token == "x" * padding


def test_2xx_without_access_token() -> None:
    body = {"token_type": "Bearer", "refresh_token": REFRESH}
    with pytest.raises(MissingTokenError) as info:
        parse_token_response(json_response(body), now=NOW)
    assert_no_secret(info.value)
    assert "refresh_token" in info.value.body_excerpt


@pytest.mark.parametrize(
    "body",
    [
        {"access_token": [ACCESS], "token_type": "Bearer"},
        {"access_token": {"value": ACCESS}},
        {"access_token": ACCESS, "expires_in": [3600], "refresh_token": REFRESH},
        {"access_token": ACCESS, "refresh_token": [REFRESH]},
        {"access_token": ACCESS, "nested": {"refresh_token": REFRESH}, "token_type": 1},
        {"access_token": 123456, "token_type": "Bearer"},
    ],
)
def test_wrong_json_types_are_malformed_and_redacted(body: dict[str, Any]) -> None:
    with pytest.raises(MalformedResponseError) as info:
        parse_token_response(json_response(body), now=NOW)
    assert_no_secret(info.value)
    assert "123456" not in str(info.value)


def test_error_bodies_are_redacted() -> None:
    body = {"error": "invalid_grant", "refresh_token": REFRESH, "access_token": ACCESS}
    with pytest.raises(InvalidGrantError) as info:
        parse_token_response(json_response(body, 400), now=NOW)
    assert_no_secret(info.value)
    html = f"<html>token={ACCESS} access_token={ACCESS}</html>".encode()
    with pytest.raises(TokenEndpointError) as info2:
        parse_token_response(HttpResponse(500, {"Content-Type": "text/html"}, html), now=NOW)
    assert "access_token=***" in info2.value.body_excerpt
    assert f"access_token={ACCESS}" not in str(info2.value)
    # Unparsable (cut-off) JSON is redacted by pattern, arrays included.
    for cut in (f'{{"access_token": ["{ACCESS}"', f'{{"refresh_token": "{REFRESH}", "a'):
        with pytest.raises(MalformedResponseError) as info3:
            parse_token_response(HttpResponse(200, JSON, cut.encode()), now=NOW)
        assert_no_secret(info3.value)


def test_parse_error_body_for_other_endpoints() -> None:
    # RFC 7009 §2.2: a successful revocation is a 200 with an empty body.
    assert parse_error_body(HttpResponse(200, {}, b"")) is None
    assert parse_error_body(json_response({"active": False})) is None
    error = parse_error_body(json_response({"error": "unsupported_token_type"}, 400))
    assert error is not None
    assert error.error == "unsupported_token_type"
    assert error.status_code == 400


def test_deeply_nested_bodies_are_cut_in_the_excerpt() -> None:
    nested: Any = {"refresh_token": REFRESH}
    for _ in range(20):
        nested = {"d": [nested]}
    with pytest.raises(MissingTokenError) as info:
        parse_token_response(json_response(nested), now=NOW)
    assert "…" in info.value.body_excerpt
    assert_no_secret(info.value)


@pytest.mark.parametrize(
    "response",
    [None, {"status_code": 200}, b"{}", HttpResponse(200, {}, "{}")],  # type: ignore[arg-type]
)
def test_not_an_http_response(response: Any) -> None:
    with pytest.raises(UsageError):
        parse_token_response(response, now=NOW)
    with pytest.raises(UsageError):
        parse_error_body(response)


def test_bad_now_or_requested_scope_is_a_usage_error() -> None:
    response = json_response({"access_token": "a"})
    with pytest.raises(UsageError):
        parse_token_response(response, now=float("nan"))
    with pytest.raises(UsageError):
        parse_token_response(response, now=NOW, requested_scope=5)  # type: ignore[arg-type]


# --- differential: oauthlib ----------------------------------------------------------------

token_fields = st.fixed_dictionaries(
    {"access_token": st.text("abcXYZ019-._~+/", min_size=1, max_size=20)},
    optional={
        "token_type": st.sampled_from(["Bearer", "bearer", "DPoP", "mac"]),
        # oauthlib drops expires_in=0 (it tests truthiness); oauthkit keeps it, see below.
        "expires_in": st.integers(1, 10**6),
        "refresh_token": st.text("abc019-._~", min_size=1, max_size=20),
        "scope": st.lists(st.sampled_from(["read", "write", "openid", "a:b"]), min_size=1).map(
            " ".join
        ),
        "id_token": st.text("abc.", min_size=1, max_size=10),
        # oauthlib's form fallback drops blank values; oauthkit keeps them.
        "custom": st.text(min_size=1, max_size=5) | st.integers(),
    },
)


@settings(max_examples=200)
@given(token_fields, st.booleans())
def test_success_matches_oauthlib(fields: dict[str, Any], as_form: bool) -> None:
    from oauthlib.oauth2.rfc6749.parameters import parse_token_response as oauthlib_parse

    text = urlencode(fields) if as_form else json.dumps(fields)
    theirs = oauthlib_parse(text)
    ours = parse_token_response(HttpResponse(200, {}, text.encode()), now=NOW)
    assert ours.access_token == theirs["access_token"]
    assert ours.token_type == theirs.get("token_type", "Bearer")
    assert ours.refresh_token == theirs.get("refresh_token")
    assert ours.id_token == theirs.get("id_token")
    assert list(ours.scope or []) == theirs.get("scope", [])
    assert ours.extra.get("custom") == theirs.get("custom")
    if "expires_in" in fields:
        assert ours.expires_at == NOW + int(theirs["expires_in"])
    # oauthlib's token dict is what requests-oauthlib stores; it must load as the same token.
    stored = Token.from_dict(dict(theirs))
    assert (stored.access_token, stored.refresh_token, stored.scope) == (
        ours.access_token,
        ours.refresh_token,
        ours.scope,
    )


def test_zero_lifetime_means_expired_now() -> None:
    # Unlike oauthlib, which treats expires_in=0 as "no expiry", 0 is a real lifetime.
    token = parse_token_response(json_response({"access_token": "a", "expires_in": 0}), now=NOW)
    assert token.expires_at == NOW
    assert token.is_expired(NOW)


@settings(max_examples=100)
@given(
    st.sampled_from([*ERROR_CODES, "server_error", "custom_thing"]),
    st.none() | st.text("abc ", max_size=10),
    st.sampled_from([400, 401, 200]),
)
def test_errors_match_oauthlib(code: str, description: str | None, status: int) -> None:
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error
    from oauthlib.oauth2.rfc6749.parameters import parse_token_response as oauthlib_parse

    fields = (
        {"error": code}
        if description is None
        else {"error": code, "error_description": description}
    )
    with pytest.raises(OAuth2Error) as theirs:
        oauthlib_parse(json.dumps(fields))
    with pytest.raises(TokenEndpointError) as ours:
        parse_token_response(json_response(fields, status), now=NOW)
    assert ours.value.error == theirs.value.error == code
    assert ours.value.description == description
    if description:  # oauthlib substitutes a canned description for a missing or empty one
        assert theirs.value.description == description
    # Where both have a class for the code, the names agree. oauthlib has none for the
    # RFC 8628/8707/9396/9449 codes (CustomOAuth2Error), and for invalid_request it picks one
    # of several subclasses by alphabetical order.
    known = code in ERROR_CODES and code != "invalid_request"
    if known and type(theirs.value).__name__ != "CustomOAuth2Error":
        assert type(ours.value).__name__ == type(theirs.value).__name__
    if code in ("server_error", "custom_thing"):
        assert type(ours.value) is TokenEndpointError


# --- properties ----------------------------------------------------------------------------

content_types = st.sampled_from(
    ["", "application/json", "application/x-www-form-urlencoded", "text/plain", "text/html"]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)
names = st.sampled_from(
    ["access_token", "token_type", "expires_in", "expires_at", "refresh_token", "scope"]
) | st.sampled_from(["id_token", "error", "error_description", "error_uri", "x"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=120), st.integers(100, 599), content_types)
def test_arbitrary_bytes_never_escape_the_error_tree(
    body: bytes, status: int, content_type: str
) -> None:
    response = HttpResponse(status, {"Content-Type": content_type} if content_type else {}, body)
    try:
        token = parse_token_response(response, now=NOW)
    except ServerResponseError:
        pass
    else:
        assert 200 <= status < 300
        assert token.access_token
    error = parse_error_body(response)
    assert error is None or isinstance(error, TokenEndpointError)


@settings(max_examples=300)
@given(
    st.dictionaries(names, json_values, max_size=6),
    st.sampled_from([200, 201, 400, 401, 500]),
    st.booleans(),
    st.none() | st.text(max_size=8),
)
def test_structured_bodies_never_escape_the_error_tree(
    fields: dict[str, Any], status: int, as_form: bool, requested: str | None
) -> None:
    if as_form:
        body = urlencode({key: str(value) for key, value in fields.items()}).encode()
    else:
        body = json.dumps(fields).encode()
    # Anything but a ServerResponseError (a UsageError included) fails the property.
    with contextlib.suppress(ServerResponseError):
        parse_token_response(HttpResponse(status, {}, body), now=NOW, requested_scope=requested)


@settings(max_examples=200)
@given(
    st.dictionaries(names, json_values, max_size=5),
    st.sampled_from([200, 400, 502]),
    st.text("abcdefXYZ0123456789", min_size=12, max_size=24),
)
def test_credentials_never_reach_an_error_message(
    fields: dict[str, Any], status: int, secret: str
) -> None:
    fields = {**fields, "access_token": [secret], "refresh_token": secret}
    if status != 200:
        fields["error"] = "invalid_grant"
    response = HttpResponse(status, JSON, json.dumps(fields).encode())
    with pytest.raises(ServerResponseError) as info:
        parse_token_response(response, now=NOW)
    assert secret not in str(info.value)
    assert secret not in info.value.body_excerpt


@pytest.mark.parametrize(
    "body",
    [
        b'{"access_token": "a", "token_type": "Bearer"}',
        b'{"access_token": "a", "token_type": "Bearer"}\r\n\t ',
        b'  \n{"access_token": "a", "token_type": "Bearer"}',
        b'\xef\xbb\xbf{"access_token": "a", "token_type": "Bearer"}',
        b'\xef\xbb\xbf  {"access_token": "a", "token_type": "Bearer"}  ',
    ],
)
def test_white_space_and_a_byte_order_mark_around_the_object_are_fine(body: bytes) -> None:
    token = parse_token_response(HttpResponse(200, {}, body), now=0)
    assert token.access_token == "a"


@pytest.mark.parametrize(
    "body",
    [
        b'{"access_token": "a", "token_type": "Bearer"} trailing',
        b'{"access_token": "a", "token_type": "Bearer"}{"access_token": "b"}',
        b'{"access_token": "a", "token_type": "Bearer"',
        b'{"access_token": "a", "token_type": "Bearer",}',
        b"{'access_token': 'a'}",
    ],
)
def test_anything_but_one_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedResponseError):
        parse_token_response(HttpResponse(200, {}, body), now=0)
