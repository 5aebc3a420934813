"""Every parser of outside input returns a value or raises an OAuthError subclass (issue #7).

One property per parser, fed by :mod:`tests._hostile`. A fuzzed server response or callback
is never the caller's fault, so :class:`~oauthkit.UsageError` fails these properties except
for :meth:`Token.from_dict`, whose documented answer to a bad dictionary it is. Each property
also checks what came back: the value's own invariants, and an error whose message, ``repr``
and excerpt can be shown. ``fuzz/campaign.py`` runs the same targets a million times each;
its OpenID Connect targets (issue #9) run here briefly, through its own engine.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit import (
    AuthorizationCallback,
    BearerChallenge,
    CallbackError,
    Challenge,
    DeviceAuthorization,
    HttpResponse,
    Introspection,
    MalformedResponseError,
    OAuthError,
    ServerResponseError,
    Token,
    TokenEndpointError,
    UsageError,
    bearer_error,
    is_token_rejected,
    oauth1,
    parse_authorization_callback,
    parse_device_authorization_response,
    parse_error_body,
    parse_introspection_response,
    parse_revocation_response,
    parse_token_response,
    parse_www_authenticate,
)
from oauthkit._core._json import MAX_DEPTH, JsonError, read_json, read_json_object
from oauthkit._core._redact import EXCERPT_LIMIT

from ._hostile import (
    body_bytes,
    callback_mappings,
    callback_texts,
    callback_urls,
    deep_json,
    header_values,
    json_objects,
    json_text,
    names,
    ok_responses,
    responses,
)

NOW = 1_700_000_000.0
STATE = "st-8a1f"
ISSUER = "https://as.example"
FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Python values a stored token dictionary or a decoded response may hold.
py_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.sampled_from([10**400, -(10**400), 2**1024])
    | st.floats()
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=3),
    max_leaves=8,
)
field_maps = st.dictionaries(names | st.text(max_size=6), py_values, max_size=8)
scopes = st.none() | st.text(max_size=10) | st.lists(st.text(max_size=6), max_size=3)


def showable(exc: OAuthError) -> None:
    """The error can be logged: message and repr are text; an excerpt is short, one line."""
    assert isinstance(str(exc), str)
    assert isinstance(repr(exc), str)
    if isinstance(exc, ServerResponseError):
        assert isinstance(exc.status_code, int)
        assert len(exc.body_excerpt) <= EXCERPT_LIMIT
        assert "\n" not in exc.body_excerpt


def server_fault(exc: OAuthError) -> None:
    """A fuzzed response is never the caller's fault."""
    assert not isinstance(exc, UsageError), f"UsageError for server input: {exc}"
    showable(exc)


# --- RFC 6749 §5 token responses ---------------------------------------------------------------


@FUZZ
@given(responses, scopes)
def test_token_response(response: HttpResponse, requested: Any) -> None:
    try:
        token = parse_token_response(response, now=NOW, requested_scope=requested)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert 200 <= response.status_code < 300
    assert token.access_token.isascii()
    assert token.access_token.isprintable()
    assert token.expires_at is None or math.isfinite(token.expires_at)
    assert "access_token=" in repr(token)


@FUZZ
@given(responses)
def test_error_body(response: HttpResponse) -> None:
    error = parse_error_body(response)
    if error is not None:
        assert isinstance(error, TokenEndpointError)
        assert error.status_code == response.status_code
        showable(error)


@FUZZ
@given(field_maps, scopes)
def test_token_from_response_fields(fields: dict[str, Any], requested: Any) -> None:
    try:
        token = Token.from_response(fields, now=NOW, requested_scope=requested)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert token.access_token == fields["access_token"]


@FUZZ
@given(field_maps, st.none() | st.floats() | st.integers())
def test_token_from_stored_dict(data: dict[str, Any], now: Any) -> None:
    try:
        token = Token.from_dict(data, now=now)
    except UsageError as exc:  # the documented answer to a bad dictionary
        showable(exc)
        return
    assert token.access_token == data["access_token"]
    assert Token.from_dict(token.to_dict()) == token


# --- RFC 8628, RFC 7662, RFC 7009 --------------------------------------------------------------


@FUZZ
@given(responses | ok_responses)
def test_device_authorization_response(response: HttpResponse) -> None:
    try:
        result = parse_device_authorization_response(response, now=NOW)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert isinstance(result, DeviceAuthorization)
    assert math.isfinite(result.expires_at)
    assert result.expires_at >= NOW
    assert math.isfinite(result.interval)
    assert result.interval >= 0


@FUZZ
@given(responses | ok_responses)
def test_introspection_response(response: HttpResponse) -> None:
    try:
        result = parse_introspection_response(response)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert isinstance(result, Introspection)
    if not result.active:
        assert result == Introspection(active=False)
    assert all(isinstance(value, str) for value in result.aud)


@FUZZ
@given(responses)
def test_revocation_response(response: HttpResponse) -> None:
    try:
        result = parse_revocation_response(response)
    except TokenEndpointError as exc:
        assert not 200 <= response.status_code < 300
        server_fault(exc)
        return
    assert result is None
    assert 200 <= response.status_code < 300


# --- RFC 6749 §4.1.2 callbacks -----------------------------------------------------------------

expectations = st.sampled_from(
    [(None, None, False), (STATE, None, False), (STATE, ISSUER, False), (STATE, ISSUER, True)]
)
callbacks = st.one_of(
    callback_texts,
    callback_texts.map(lambda text: text.encode("utf-8", "surrogatepass")),
    st.binary(max_size=80),
    callback_mappings,
)


@FUZZ
@given(callbacks, expectations)
def test_authorization_callback(response: Any, expected: tuple[Any, Any, bool]) -> None:
    state, issuer, iss_required = expected
    try:
        result = parse_authorization_callback(
            response,
            expected_state=state,
            issuer=issuer,
            iss_required=iss_required,
            skip_state_check=state is None,
        )
    except OAuthError as exc:
        server_fault(exc)
        return
    assert isinstance(result, AuthorizationCallback)
    assert result.code or result.params.get("access_token") or result.params.get("id_token")
    if state is not None:
        assert result.state == state
    if iss_required:
        assert result.iss == issuer
    assert "error" not in result.params or not result.params["error"]


# Values a callback may carry once decoded: any text, "://" and "&" included.
_decoded = st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=20)
_extras = st.dictionaries(st.sampled_from(["x", "session_state", "scope", "id_token"]), _decoded)


@FUZZ
@given(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), _extras, st.booleans())
def test_callback_parameters_round_trip(code: str, extras: dict[str, str], as_url: bool) -> None:
    # A form_post body (OAuth 2.0 Form Post Response Mode §2) is a form even when a value
    # holds "://", as the RFC 9207 iss does; a URL carries the same parameters in its query.
    params = {"code": code, "state": STATE, "iss": ISSUER, **extras}
    for form in (urlencode(params), urlencode(params, safe=":/")):
        where = [f"https://client.example/cb?{form}", f"/cb?{form}", f"?{form}"]
        for response in where if as_url else [form, form.encode()]:
            result = parse_authorization_callback(response, expected_state=STATE, issuer=ISSUER)
            assert dict(result.params) == params
            assert (result.code, result.state, result.iss) == (code, STATE, ISSUER)


@pytest.mark.parametrize(
    "response",
    [
        f"code=C&state={STATE}&iss=https://as.example",
        f"code=C&state={STATE}&iss=https%3A%2F%2Fas.example",
        f"com.example.app:/oauth2redirect?code=C&state={STATE}&iss=https://as.example",
        f"com.example.app:/oauth2redirect?code=C&state={STATE}&iss=https%3A%2F%2Fas.example",
        f"com.example.app:/oauth2redirect#code=C&state={STATE}&iss=https://as.example",
        f"http://127.0.0.1:49152/?code=C&state={STATE}&iss=https://as.example",
    ],
)
def test_callback_shapes_with_an_issuer(response: str) -> None:
    result = parse_authorization_callback(response, expected_state=STATE, issuer=ISSUER)
    assert (result.code, result.state, result.iss) == ("C", STATE, ISSUER)


# --- RFC 9110 §11.6.1 / RFC 6750 §3 challenges -----------------------------------------------


@FUZZ
@given(header_values, st.sampled_from([200, 401, 403]))
def test_challenges_never_raise(value: str, status: int) -> None:
    challenges = parse_www_authenticate(value)
    assert all(isinstance(c, Challenge) and c.scheme for c in challenges)
    found = bearer_error(value)
    assert found is None or isinstance(found, BearerChallenge)
    rejected = is_token_rejected(HttpResponse(status, {"WWW-Authenticate": value}))
    assert rejected is (status == 401 and found is not None and found.error == "invalid_token")


# --- RFC 5849 §2 ---------------------------------------------------------------------------------


@FUZZ
@given(responses)
def test_oauth1_token_response(response: HttpResponse) -> None:
    try:
        result = oauth1.parse_token_response(response)
    except ServerResponseError as exc:
        server_fault(exc)
        return
    assert response.status_code < 400
    assert result["oauth_token"]
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in result.items())


@FUZZ
@given(callback_urls | st.text(max_size=60), st.none() | st.just("t") | st.text(max_size=4))
def test_oauth1_authorization_callback(url: str, expected: str | None) -> None:
    try:
        result = oauth1.parse_authorization_callback(url, expected)
    except CallbackError as exc:
        server_fault(exc)
        return
    assert result["oauth_token"]
    assert expected is None or result["oauth_token"] == expected


# --- the shared JSON reader ----------------------------------------------------------------


@FUZZ
@given(st.one_of(body_bytes, json_text, json_objects, deep_json))
def test_json_reader(body: bytes | str) -> None:
    try:
        value = read_json(body)
    except JsonError:
        with pytest.raises(JsonError):
            read_json_object(body)
        return
    # The module's promise: what it accepts serialises back to strict JSON, unchanged.
    assert json.loads(json.dumps(value, allow_nan=False)) == value
    if isinstance(value, dict):
        assert read_json_object(body) == value


def test_regression_json_nesting_is_bounded_whatever_the_stack() -> None:
    # What parsed used to depend on the caller's stack: a token response nested 990 levels
    # gave a Token that json.dumps could not serialise ten frames deeper (RecursionError).
    assert read_json("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert read_json('["' + "[" * 500 + '"]') == ["[" * 500]  # brackets in strings don't count
    for body in ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), '{"a":' * 101 + "1" + "}" * 101):
        with pytest.raises(JsonError, match="deeper than 100"):
            read_json(body)
    deep = '{"access_token":"at","x":' + "[" * 990 + "]" * 990 + "}"
    with pytest.raises(MalformedResponseError):
        parse_token_response(HttpResponse(200, {}, deep.encode()), now=NOW)
    nested = '{"access_token":"at","x":' + "[" * 99 + "]" * 99 + "}"
    token = parse_token_response(HttpResponse(200, {}, nested.encode()), now=NOW)

    def dump_from(frames: int) -> str:
        return dump_from(frames - 1) if frames else json.dumps(token.to_dict())

    assert json.loads(dump_from(400))["x"] == json.loads(nested)["x"]


# --- the campaign's OpenID Connect targets, briefly (fuzz/campaign.py, issue #9) ------------

FUZZ_DIR = Path(__file__).resolve().parent.parent / "fuzz"
OIDC_TARGETS = ["id_token", "logout_token", "userinfo", "jwks", "server_metadata"]
# issue #10's parsers
OIDC_TARGETS += ["registration", "ciba_authentication", "ciba_ping", "jarm", "jwt_introspection"]
OIDC_TARGETS += ["jar_encryption"]


def _campaign(monkeypatch: pytest.MonkeyPatch, name: str, count: int) -> Any:
    monkeypatch.syspath_prepend(str(FUZZ_DIR))
    from _engine import run_target
    from _targets import BY_NAME

    return run_target(BY_NAME[name], count, 7, slow_seconds=5.0, hang_seconds=20.0)


@pytest.mark.parametrize("name", OIDC_TARGETS)
def test_campaign_oidc_target_briefly(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    report = _campaign(monkeypatch, name, 400)
    found = [
        f"{f.problem}, {f.label} at {f.where}: {f.detail}; minimized {f.minimized!r}"[:600]
        for f in report.findings.values()
    ]
    assert not found
    # The seeds' valid inputs get past every check, and the rest are refused for many reasons.
    assert any(label.startswith("returned") for label in report.outcomes)
    assert len(report.outcomes) >= 2


def test_campaign_replays_the_same_jwts(monkeypatch: pytest.MonkeyPatch) -> None:
    # Fixed keys, RFC 6979 signatures and IVs from the plaintext: a seed replays its inputs.
    first = _campaign(monkeypatch, "id_token", 150).outcomes
    assert _campaign(monkeypatch, "id_token", 150).outcomes == first
