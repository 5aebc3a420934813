"""No parser lets a credential out through an error or a returned value's ``repr`` (issue #7).

A server that echoes the request back (a debugging proxy, a misconfigured gateway, an error
page quoting the Authorization header) hands the client its own secrets. Every parser whose
errors carry a body excerpt is run on bodies that plant a generated secret under credential
names in every case style and at depth, in JSON, form and HTML/text bodies, and as echoed
``Basic``/``Bearer``/``DPoP`` credentials. Two checks:

* the secret does not appear in ``str(exc)``, ``repr(exc)``, ``exc.body_excerpt`` or the
  ``repr`` of a returned value;
* differential: the same body with another secret of the same shape gives the very same
  text, so not even a fragment of the secret (a cut-off tail, a length) shows.

``oauth1.parse_token_response`` returns a plain ``dict`` (requests-oauthlib's type, whose
``repr`` shows ``oauth_token_secret`` by design), so only its errors are checked.
"""

from __future__ import annotations

import html
import json
import time
from collections.abc import Callable
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit import (
    AuthorizationError,
    HttpResponse,
    IssuerMismatchError,
    OAuthError,
    ServerResponseError,
    Token,
    oauth1,
    parse_authorization_callback,
    parse_device_authorization_response,
    parse_error_body,
    parse_introspection_response,
    parse_revocation_response,
    parse_token_response,
)

NOW = 1_700_000_000.0


def _oauth1_token(response: HttpResponse) -> None:
    oauth1.parse_token_response(response)  # a dict, whose repr is requests-oauthlib's


def _token_from_fields(response: HttpResponse) -> object:
    try:
        fields = json.loads(response.body)
    except ValueError:
        return None
    if not isinstance(fields, dict):
        return None
    # Any mapping, not only a dict: a caller may hand over a read-only view.
    Token.from_response(fields, now=NOW, status_code=response.status_code)
    return Token.from_response(MappingProxyType(fields), now=NOW)


PARSERS: dict[str, Callable[[HttpResponse], object]] = {
    "token": lambda r: parse_token_response(r, now=NOW),
    "error_body": parse_error_body,
    "device": lambda r: parse_device_authorization_response(r, now=NOW),
    "introspection": parse_introspection_response,
    "revocation": parse_revocation_response,
    "oauth1_token": _oauth1_token,
    "token_fields": _token_from_fields,
}


def shown(response: HttpResponse) -> list[str]:
    """Everything each parser lets a caller print about ``response``."""
    out = []
    for name, parse in PARSERS.items():
        try:
            result = parse(response)
        except OAuthError as exc:
            out += [name, type(exc).__name__, str(exc), repr(exc)]
            if isinstance(exc, ServerResponseError):
                out.append(exc.body_excerpt)
            continue
        out += [name, repr(result)]
        if isinstance(result, OAuthError):  # parse_error_body returns the error to raise
            out += [str(result), getattr(result, "body_excerpt", "")]
    return out


def assert_hidden(secret: str, texts: list[str]) -> None:
    for text in texts:
        assert secret not in text, text


# --- the eight hostile echo bodies of issue #7 --------------------------------------------------

S = "s3cr3T-8c1d.Zx_q~Yw+9/AbC="
ECHOES = [
    json.dumps({"accessToken": S}),
    json.dumps({"refreshToken": S}),
    f"Authorization: Basic {S}",
    f"Bearer {S}",
    json.dumps({"code_verifier": S}),
    json.dumps({"data": {"access_token": S}}),
    json.dumps({"nested": [{"token": S}]}),
    f"DPoP {S}",
]


@pytest.mark.parametrize("body", ECHOES)
@pytest.mark.parametrize("status", [200, 400, 401, 500, 503])
@pytest.mark.parametrize("content_type", ["application/json", "text/html", "text/plain", ""])
def test_issue_7_echo_bodies_do_not_leak(body: str, status: int, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for wrapped in (body, f"<html><pre>{body}</pre></html>", f"{body}\n"):
        assert_hidden(S, shown(HttpResponse(status, headers, wrapped.encode())))


# --- generated bodies ------------------------------------------------------------------------

SECRET_KEYS = [
    "access_token",
    "accessToken",
    "AccessToken",
    "ACCESS_TOKEN",
    "refresh-token",
    "Refresh-Token",
    "refreshToken",
    "client_secret",
    "clientSecret",
    "device_secret",
    "issued_token",
    "subject_token",
    "code_verifier",
    "codeVerifier",
    "id_token",
    "token",
    "password",
    "client_assertion",
    "oauth_token_secret",
    "x-api-key",
    "device_code",
    "credential",
]
_B64TOKEN = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/"
# RFC 6750 §2.1 b64token (with "=" padding): what follows Basic, Bearer and DPoP. Secrets
# start with "Zq7", which no body or message holds, so finding one means it leaked.
token_secrets = st.text(st.sampled_from(_B64TOKEN), min_size=8, max_size=40).map(
    lambda t: f"Zq7{t}="
)
# RFC 6749 Appendix A VSCHAR without the space: a client secret or token in a JSON body or form.
vschar_secrets = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=8).map(
    lambda t: f"Zq7{t}"
)
secret_keys = st.sampled_from(SECRET_KEYS)
_BASES: list[dict[str, Any]] = [
    {},
    {"error": "invalid_request", "error_description": "bad"},
    {"error": "invalid_grant"},
    {"access_token": "at-public-fixture", "token_type": "Bearer", "expires_in": 60},
    {"active": True, "sub": "user"},
    {
        "device_code": "dc",
        "user_code": "UC",
        "verification_uri": "https://as.example/device",
        "expires_in": 600,
    },
    {"oauth_token": "ot", "oauth_token_secret": "ots"},
]
# Where the secret sits: the names of the objects and the array positions above it.
paths = st.lists(st.sampled_from(["data", "nested", "details", "request", 0, 1]), max_size=6)


def _plant(path: list[str | int], key: str, secret: str) -> Any:
    value: Any = {key: secret}
    for step in reversed(path):
        value = [{"filler": 1}] * step + [value] if isinstance(step, int) else {step: value}
    return value


def json_body(base: dict[str, Any], path: list[str | int], key: str, secret: str) -> str:
    planted = _plant(path, key, secret)
    return json.dumps({**base, **planted} if isinstance(planted, dict) else {**base, "x": planted})


def form_body(base: dict[str, Any], key: str, secret: str) -> str:
    pairs = [(name, str(value)) for name, value in base.items() if name != key]
    return urlencode([*pairs, (key, secret)])


_TEXTS = [
    "Authorization: Basic {s}",
    "authorization: basic {s}",
    "Proxy-Authorization: Bearer {s}",
    "bearer {s}",
    "DPoP {s}",
    "dpop\t{s}",
    "{k}={s}",
    "{k}: {s}",
    "{k} = {s}",
    '"{k}": "{s}"',
    "'{k}': '{s}'",
    '"{k}":["{s}"',
    '{{"{k}": "{s}", "x": 1}}',
]
_WRAPPERS = [
    "{t}",
    "<html><body><h1>400</h1><pre>{t}</pre></body></html>",
    "Request was: POST /token HTTP/1.1\r\n{t}\r\nContent-Length: 0",
    "{{broken json {t}",
    "json",  # a JSON string member holding the line
    "escaped",  # an HTML page quoting it with character references
    "form",  # a form value holding it, "+" for the space and "%2B" for "+"
]


def text_body(template: str, wrapper: str, key: str, secret: str) -> str:
    line = template.format(k=key, s=secret)
    if wrapper == "json":
        return json.dumps({"message": line})
    if wrapper == "escaped":
        return f"<html><pre>{html.escape(line)}</pre></html>"
    if wrapper == "form":
        return urlencode({"error": "invalid_client", "echo": line})
    return wrapper.format(t=line)


def _other(secret: str) -> str:
    """A secret of the same shape: each letter and digit replaced by the next one."""
    ring = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(ring[(ring.index(c) + 1) % len(ring)] if c in ring else c for c in secret)


REDACTION = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
statuses = st.sampled_from([200, 201, 400, 401, 403, 500, 503])
content_types = st.sampled_from(["application/json", "application/x-www-form-urlencoded", ""])


def check(status: int, content_type: str, make: Callable[[str], str], secret: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    first = shown(HttpResponse(status, headers, make(secret).encode()))
    assert_hidden(secret, first)
    other = _other(secret)
    assert first == shown(HttpResponse(status, headers, make(other).encode()))


@REDACTION
@given(statuses, content_types, st.sampled_from(_BASES), paths, secret_keys, vschar_secrets)
def test_json_bodies(
    status: int,
    content_type: str,
    base: dict[str, Any],
    path: list[str | int],
    key: str,
    secret: str,
) -> None:
    check(status, content_type, lambda s: json_body(base, path, key, s), secret)


@REDACTION
@given(statuses, content_types, st.sampled_from(_BASES), secret_keys, vschar_secrets)
def test_form_bodies(
    status: int, content_type: str, base: dict[str, Any], key: str, secret: str
) -> None:
    check(status, content_type, lambda s: form_body(base, key, s), secret)


@REDACTION
@given(
    statuses,
    st.sampled_from(["text/html", "text/plain", "application/json", ""]),
    st.sampled_from(_TEXTS),
    st.sampled_from(_WRAPPERS),
    secret_keys,
    token_secrets,
)
def test_text_bodies(
    status: int, content_type: str, template: str, wrapper: str, key: str, secret: str
) -> None:
    check(status, content_type, lambda s: text_body(template, wrapper, key, s), secret)


@REDACTION
@given(token_secrets, st.sampled_from(_TEXTS), secret_keys, st.sampled_from(["#", "?", ""]))
def test_callback_errors(secret: str, template: str, key: str, where: str) -> None:
    # A front-channel error description is server text too: what the error says of it
    # goes through the same redaction.
    line = template.format(k=key, s=secret)
    for params in (
        {"error": "access_denied", "error_description": line, "state": "s"},
        {"error": line, "state": "s"},
        {"code": secret, "state": "s", "iss": line},
    ):
        response = f"https://client.example/cb{where}{urlencode(params)}" if where else params
        try:
            result = parse_authorization_callback(
                response, expected_state="s", issuer="https://as.example"
            )
        except OAuthError as exc:
            assert_hidden(secret, [str(exc), repr(exc)])
        else:
            assert_hidden(secret, [repr(result)])


# --- regressions: what the properties found ------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # A text page read as a form made the credential a member name, and "+" a space.
        (f"Authorization: Basic {S}", "text/plain"),
        (f"Host=as.example\r\nAuthorization: Basic {S}", "text/plain"),
        # A form value quoting a header, or a whole form: "+" and "%XX" for " ", "=", "+".
        (urlencode({"error": "invalid_client", "echo": f"Authorization: Basic {S}"}), ""),
        (urlencode({"error": "invalid_client", "request": f"client_secret={S}&x=1"}), ""),
        (urlencode({"request": f"client_secret = {S}"}) + "&junk", ""),
        (f"junk&client%5Fsecret={S}", ""),  # a percent-encoded name
        (f"<html><pre>{html.escape(json.dumps({'client_secret': S}))}</pre></html>", ""),
    ],
)
def test_regression_echoes_the_first_redaction_missed(body: str, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    for status in (200, 400):
        texts = shown(HttpResponse(status, headers, body.encode()))
        for fragment in (S, "Zx_q~Yw", "9/AbC", "9%2FAbC"):
            assert_hidden(fragment, texts)


def test_regression_introspection_repr_leaves_out_extra_members() -> None:
    body = json.dumps({"active": True, "sub": "u", "issued_token": S}).encode()
    result = parse_introspection_response(HttpResponse(200, {}, body))
    assert result.extra["issued_token"] == S
    assert S not in repr(result)
    assert "sub='u'" in repr(result)


def test_regression_callback_errors_show_server_text_redacted() -> None:
    response = {"error": "access_denied", "error_description": f"Bearer {S}", "state": "s"}
    with pytest.raises(AuthorizationError) as info:
        parse_authorization_callback(response, expected_state="s")
    assert S not in str(info.value)
    assert info.value.description == f"Bearer {S}"
    mixed_up = {"code": "c", "state": "s", "iss": f"https://evil.example/?access_token={S}"}
    with pytest.raises(IssuerMismatchError) as mismatch:
        parse_authorization_callback(mixed_up, expected_state="s", issuer="https://as.example")
    assert S not in str(mismatch.value)
    assert "https://evil.example/?access_token=***" in str(mismatch.value)


@pytest.mark.parametrize(
    "unit",
    [b"a", b"a.", b"%20", b"eyJ-", b"a=b=", b'"a', b"%41", b"a+", b"Basic%20"],
)
def test_regression_redaction_takes_linear_time(unit: bytes) -> None:
    # Names were matched from every position of a run: 40,000 letters took 30 s, 60,000
    # characters of "%20" 15 s; every error of a parser of such a body paid that.
    body = unit * (200_000 // len(unit))
    started = time.perf_counter()
    with pytest.raises(OAuthError):
        parse_token_response(HttpResponse(500, {}, body), now=NOW)
    assert time.perf_counter() - started < 2.0


def test_regression_fields_of_any_mapping_type_are_redacted() -> None:
    # redact_value() walked only dicts: the excerpt of a MappingProxyType was its str(), and a
    # malformed token response read into one showed its tokens in the error message.
    fields = MappingProxyType({"access_token": [S], "refresh_token": S, "x": {"id_token": S}})
    with pytest.raises(ServerResponseError) as info:
        Token.from_response(fields, now=NOW)
    assert_hidden(S, [str(info.value), repr(info.value), info.value.body_excerpt])


def test_regression_field_names_that_are_not_text_do_not_break_the_error() -> None:
    # A bytes member name made the excerpt's json.dumps raise TypeError out of the parser.
    with pytest.raises(ServerResponseError) as info:
        Token.from_response({b"access_token": S, "access_token": "at"}, now=NOW)  # type: ignore[dict-item]
    assert_hidden(S, [str(info.value), info.value.body_excerpt])
