"""The Token value (RFC 6749 §5.1, §6): construction, storage round-trips, expiry, redaction."""

from __future__ import annotations

import copy
import dataclasses
import json
import math
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit._errors import (
    MalformedResponseError,
    MissingTokenError,
    ServerResponseError,
    UsageError,
)
from oauthkit._oauth2._token import Token, normalize_scope

NOW = 1_700_000_000.0
ACCESS = "at-5ecret-ACCESS-value"
REFRESH = "rt-5ecret-REFRESH-value"
STANDARD_KEYS = ("access_token", "token_type", "expires_in", "expires_at", "refresh_token")
STANDARD_KEYS += ("scope", "id_token")
ID_TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.sig-5ecret"


def response_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "access_token": ACCESS,
        "token_type": "Bearer",
        "expires_in": 3600,
        "refresh_token": REFRESH,
        "scope": "read write",
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


# --- from_response -------------------------------------------------------------------------


def test_from_response_rfc6749_example() -> None:
    # RFC 6749 §5.1's example response.
    fields = {
        "access_token": "2YotnFZFEjr1zCsicMWpAA",
        "token_type": "example",
        "expires_in": 3600,
        "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA",
        "example_parameter": "example_value",
    }
    token = Token.from_response(fields, now=NOW)
    assert token.access_token == "2YotnFZFEjr1zCsicMWpAA"
    assert token.token_type == "example"
    assert token.expires_at == NOW + 3600
    assert token.refresh_token == "tGzv3JOkF0XG5Qx2TlKWIA"
    assert token.scope is None
    assert dict(token.extra) == {"example_parameter": "example_value"}
    assert not token.scope_changed


@pytest.mark.parametrize(
    ("expires_in", "lifetime"),
    [(3600, 3600.0), ("3600", 3600.0), (" 60 ", 60.0), (59.5, 59.5), ("0", 0.0), (0, 0.0)],
)
def test_expires_in_numbers_and_numeric_strings(expires_in: Any, lifetime: float) -> None:
    token = Token.from_response(response_fields(expires_in=expires_in), now=NOW)
    assert token.expires_at == NOW + lifetime
    assert token.expires_in(NOW) == lifetime


@pytest.mark.parametrize("expires_in", [None, ""])
def test_absent_lifetime_means_unknown_expiry(expires_in: Any) -> None:
    fields = response_fields()
    fields["expires_in"] = expires_in
    token = Token.from_response(fields, now=NOW)
    assert token.expires_at is None
    assert token.expires_in(NOW) is None
    assert not token.is_expired(NOW + 10**9)


def test_server_expires_at_is_used_only_without_expires_in() -> None:
    without = Token.from_response(response_fields(expires_in=None, expires_at=NOW + 5), now=NOW)
    assert without.expires_at == NOW + 5
    both = Token.from_response(response_fields(expires_at=1), now=NOW)
    assert both.expires_at == NOW + 3600
    assert "expires_at" not in both.extra


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("access_token", 12345),
        ("access_token", ["x"]),
        ("token_type", 1),
        ("expires_in", [3600]),
        ("expires_in", {"s": 1}),
        ("expires_in", True),
        ("expires_in", "soon"),
        ("expires_in", "nan"),
        ("expires_in", "inf"),
        ("expires_in", -1),
        ("expires_in", 10**400),
        ("refresh_token", 7),
        ("scope", 5),
        ("scope", ["read", 5]),
        ("id_token", {"alg": "none"}),
        ("access_token", "abc\r\nX-Injected: 1"),  # header smuggling via the token
        ("token_type", "Bearer\n"),
        ("refresh_token", "rt\x00"),
    ],
)
def test_wrong_types_are_malformed_responses(field: str, value: Any) -> None:
    with pytest.raises(MalformedResponseError) as info:
        Token.from_response(response_fields(**{field: value}), now=NOW, status_code=201)
    assert info.value.status_code == 201
    assert field in str(info.value)
    assert ACCESS not in str(info.value)
    assert REFRESH not in str(info.value)


@pytest.mark.parametrize("access_token", [None, ""])
def test_missing_access_token(access_token: Any) -> None:
    fields = response_fields()
    fields["access_token"] = access_token
    with pytest.raises(MissingTokenError):
        Token.from_response(fields, now=NOW)


def test_lifetime_overflowing_the_clock_is_malformed() -> None:
    with pytest.raises(MalformedResponseError, match="out of range"):
        Token.from_response(response_fields(expires_in=1.7e308), now=1.7e308)


def test_repr_marks_a_changed_scope() -> None:
    token = Token.from_response(response_fields(scope="a"), now=NOW, requested_scope="b")
    assert repr(token).endswith("scope_changed=True)")


def test_non_mapping_response_is_malformed() -> None:
    with pytest.raises(MalformedResponseError):
        Token.from_response(["access_token"], now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize("now", [math.nan, math.inf, "1700000000", None, True])
def test_now_must_be_a_finite_number(now: Any) -> None:
    with pytest.raises(UsageError, match="now"):
        Token.from_response(response_fields(), now=now)


def test_token_type_missing_defaults_to_bearer_and_case_is_kept() -> None:
    assert Token.from_response(response_fields(token_type=None), now=NOW).token_type == "Bearer"
    github = Token.from_response(response_fields(token_type="bearer"), now=NOW)
    assert github.token_type == "bearer"
    assert github.is_bearer
    assert not github.is_dpop
    dpop = Token.from_response(response_fields(token_type="DPoP"), now=NOW)
    assert dpop.is_dpop
    assert not dpop.is_bearer


def test_absent_scope_means_the_requested_scope() -> None:
    token = Token.from_response(response_fields(scope=None), now=NOW, requested_scope="a b")
    assert token.scope == ("a", "b")
    assert token.scope_string == "a b"
    assert not token.scope_changed


@pytest.mark.parametrize(
    ("requested", "granted", "changed"),
    [
        ("read write", "write read", False),  # order does not matter (§3.3)
        (["read", "write"], "read write", False),
        ("read write", "read", True),  # narrowed
        ("read", "read admin", True),  # widened
        (None, "read", False),  # nothing to compare with
    ],
)
def test_scope_changed_is_recorded_never_raised(
    requested: Any, granted: str, changed: bool
) -> None:
    token = Token.from_response(response_fields(scope=granted), now=NOW, requested_scope=requested)
    assert token.scope == tuple(granted.split())
    assert token.scope_changed is changed


def test_scope_as_json_array_is_tolerated() -> None:
    token = Token.from_response(response_fields(scope=["read", "write"]), now=NOW)
    assert token.scope == ("read", "write")


def test_extras_are_kept_read_only() -> None:
    token = Token.from_response(response_fields(user_id=42, nested={"a": [1]}), now=NOW)
    assert token.extra == {"user_id": 42, "nested": {"a": [1]}}
    with pytest.raises(TypeError):
        token.extra["user_id"] = 1  # type: ignore[index]


# --- from_dict / to_dict -------------------------------------------------------------------

REQUESTS_OAUTHLIB_TOKEN = {
    "access_token": ACCESS,
    "token_type": "Bearer",
    "expires_in": 3599,
    "refresh_token": REFRESH,
    "scope": ["openid", "email"],
    "id_token": ID_TOKEN,
    "expires_at": 1_700_003_599.123,
    "custom": "kept",
}


def test_from_dict_reads_requests_oauthlib_tokens() -> None:
    token = Token.from_dict(REQUESTS_OAUTHLIB_TOKEN)
    assert token.expires_at == 1_700_003_599.123  # expires_at wins over a stale expires_in
    assert token.scope == ("openid", "email")
    assert token.id_token == ID_TOKEN
    assert dict(token.extra) == {"custom": "kept"}


def test_to_dict_writes_requests_oauthlib_shape() -> None:
    token = Token.from_dict(REQUESTS_OAUTHLIB_TOKEN)
    data = token.to_dict(now=1_700_000_000.0)
    assert data == {**REQUESTS_OAUTHLIB_TOKEN, "expires_in": 3599}
    assert isinstance(data["scope"], list)
    assert "expires_in" not in token.to_dict()


@pytest.mark.parametrize(
    "token",
    [
        Token(ACCESS),
        Token(ACCESS, "bearer", NOW, REFRESH, ("a", "b"), ID_TOKEN, {"x": [1, {"y": None}]}),
        Token(ACCESS, "DPoP", 12.5, scope=()),
    ],
)
def test_dict_and_json_round_trip(token: Token) -> None:
    assert Token.from_dict(token.to_dict()) == token
    assert Token.from_dict(json.loads(json.dumps(token.to_dict(now=NOW)))) == token


def test_scope_string_in_dict_is_accepted() -> None:
    assert Token.from_dict({"access_token": ACCESS, "scope": "a  b"}).scope == ("a", "b")


def test_expires_in_only_needs_now() -> None:
    data = {"access_token": ACCESS, "expires_in": "120"}
    assert Token.from_dict(data, now=NOW).expires_at == NOW + 120
    with pytest.raises(UsageError, match="now="):
        Token.from_dict(data)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"access_token": ""},
        {"access_token": 5},
        {"access_token": ACCESS, "expires_at": "tomorrow"},
        {"access_token": ACCESS, "expires_at": [1]},
        {"access_token": ACCESS, "scope": {"a": 1}},
        {"access_token": ACCESS, "token_type": 3},
        {"access_token": ACCESS, 7: "non-string key"},
        ["access_token", ACCESS],
        None,
    ],
)
def test_from_dict_bad_input_is_a_usage_error(data: Any) -> None:
    with pytest.raises(UsageError) as info:
        Token.from_dict(data)
    assert ACCESS not in str(info.value)


# --- behaviour -----------------------------------------------------------------------------


def test_expiry_and_leeway() -> None:
    token = Token(ACCESS, expires_at=NOW + 60)
    assert token.expires_in(NOW) == 60
    assert not token.is_expired(NOW)
    assert token.is_expired(NOW, leeway=60)
    assert not token.is_expired(NOW, leeway=59)
    assert token.is_expired(NOW + 60)
    assert token.expires_in(NOW + 90) == -30


def test_with_refresh_adopts_a_rotated_refresh_token() -> None:
    old = Token(ACCESS, refresh_token="old-rt", scope=("a",), id_token="old-id")
    new = Token("new-at", refresh_token="new-rt", scope=("a", "b"), expires_at=NOW)
    merged = old.with_refresh(new)
    assert merged == new


def test_with_refresh_keeps_the_old_refresh_token_and_scope_when_omitted() -> None:
    old = Token(ACCESS, refresh_token="old-rt", scope=("a",), id_token="old-id")
    merged = old.with_refresh(Token("new-at", expires_at=NOW))
    assert merged.access_token == "new-at"
    assert merged.refresh_token == "old-rt"
    assert merged.scope == ("a",)
    assert merged.id_token is None  # an ID Token belongs to one authentication only
    assert merged.expires_at == NOW


def test_with_refresh_needs_a_token() -> None:
    with pytest.raises(UsageError):
        Token(ACCESS).with_refresh({"access_token": "x"})  # type: ignore[arg-type]


def test_repr_redacts_every_credential() -> None:
    token = Token.from_response(
        response_fields(id_token=ID_TOKEN, issued_token_type="x", device_secret="ds-5ecret"),
        now=NOW,
    )
    text = repr(token)
    for secret in (ACCESS, REFRESH, ID_TOKEN, "ds-5ecret"):
        assert secret not in text
        assert secret not in str(token)
    assert "access_token='***'" in text
    assert "'device_secret'" in text  # extras show their names only
    assert "read" in text  # scope is not a secret
    assert "refresh_token=None" in repr(Token(ACCESS))


def test_frozen_hashable_picklable() -> None:
    token = Token(ACCESS, "Bearer", NOW, REFRESH, ("a",), None, {"k": "v"}, scope_changed=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        token.access_token = "x"  # type: ignore[misc]
    assert hash(token) == hash(Token(ACCESS, "Bearer", NOW, REFRESH, ("a",), None, {"k": "v"}))
    restored = pickle.loads(pickle.dumps(token))  # noqa: S301 -- our own bytes
    for clone in (restored, copy.deepcopy(token), copy.copy(token)):
        assert clone == token
        assert clone.scope_changed
        assert clone.extra == {"k": "v"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {"access_token": ""},
        {"access_token": b"x"},
        {"access_token": ACCESS, "token_type": ""},
        {"access_token": ACCESS, "expires_at": "1"},
        {"access_token": ACCESS, "expires_at": math.inf},
        {"access_token": ACCESS, "expires_at": True},
        {"access_token": ACCESS, "refresh_token": ""},
        {"access_token": "a\nb"},
        {"access_token": ACCESS, "id_token": "x\x7f"},
        {"access_token": ACCESS, "scope": [1]},
        {"access_token": ACCESS, "extra": {"scope": "a"}},
        {"access_token": ACCESS, "extra": [("a", 1)]},
        {"access_token": ACCESS, "scope_changed": 1},
    ],
)
def test_constructor_validates(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError, match="invalid Token"):
        Token(**kwargs)


def test_constructor_normalizes_scope() -> None:
    assert Token(ACCESS, scope="a b").scope == ("a", "b")  # type: ignore[arg-type]
    assert Token(ACCESS, scope=["a"]).scope == ("a",)  # type: ignore[arg-type]


def test_normalize_scope() -> None:
    assert normalize_scope(None) is None
    assert normalize_scope("") == ()
    assert normalize_scope(" a  b ") == ("a", "b")
    assert normalize_scope(["a b", "c"]) == ("a", "b", "c")
    for bad in (b"a b", 5, ["a", None]):
        with pytest.raises(UsageError):
            normalize_scope(bad)  # type: ignore[arg-type]


# --- properties ----------------------------------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)
field_names = st.sampled_from(
    [*STANDARD_KEYS, "error", "other"],
)
token_dicts = st.dictionaries(field_names | st.text(max_size=8), json_values, max_size=8)


@settings(max_examples=300)
@given(token_dicts, st.one_of(st.none(), st.floats(0, 2e9)))
def test_from_dict_returns_a_token_or_raises_usage_error(data: dict[str, Any], now: Any) -> None:
    try:
        token = Token.from_dict(data, now=now)
    except UsageError:  # any other exception fails the property
        return
    assert Token.from_dict(token.to_dict()) == token


@settings(max_examples=300)
@given(token_dicts, st.floats(0, 2e9), st.one_of(st.none(), st.text(max_size=10)))
def test_from_response_returns_a_token_or_raises_a_server_error(
    fields: dict[str, Any], now: float, requested: str | None
) -> None:
    try:
        token = Token.from_response(fields, now=now, requested_scope=requested)
    except ServerResponseError:  # any other exception, UsageError included, fails it
        return
    assert token.access_token == fields["access_token"]
    assert token.expires_at is None or math.isfinite(token.expires_at)


printable = st.characters(blacklist_categories=("Cc", "Cs"))
tokens = st.builds(
    Token,
    access_token=st.text(printable, min_size=1, max_size=20),
    token_type=st.sampled_from(["Bearer", "bearer", "DPoP", "mac"]),
    expires_at=st.none() | st.floats(allow_nan=False, allow_infinity=False),
    refresh_token=st.none() | st.text(printable, min_size=1, max_size=20),
    scope=st.none() | st.lists(st.text("abc:/.", min_size=1, max_size=5), max_size=4).map(tuple),
    id_token=st.none() | st.text(printable, min_size=1, max_size=20),
    extra=st.dictionaries(
        st.text(max_size=6).filter(lambda key: key not in STANDARD_KEYS), json_values
    ),
)


@settings(max_examples=200)
@given(tokens)
def test_every_token_round_trips_through_its_dict(token: Token) -> None:
    assert Token.from_dict(token.to_dict()) == token
    text = repr(token)
    public = f"{token.token_type!r}{token.expires_at!r}{token.scope!r}{sorted(token.extra)!r}"
    for secret in (token.access_token, token.refresh_token, token.id_token):
        # a secret spelled like the redaction marker cannot be told from it
        if secret is not None and repr(secret) not in public and secret != "***":
            assert repr(secret) not in text
