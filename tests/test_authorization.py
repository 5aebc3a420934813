"""Authorization request URL and callback (RFC 6749 §4.1, RFC 7636, RFC 8707, RFC 9396, 9207)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit._errors import (
    AuthorizationError,
    CallbackError,
    InsecureTransportError,
    IssuerMismatchError,
    OAuthError,
    StateMismatchError,
    UsageError,
)
from oauthkit._oauth2._authorization import (
    FlowState,
    build_authorization_url,
    generate_nonce,
    generate_state,
)
from oauthkit._oauth2._callback import AuthorizationCallback, parse_authorization_callback
from oauthkit._oauth2._pkce import code_challenge

AUTHORIZE = "https://auth.example.com/authorize"
REDIRECT = "https://client.example.org/cb"
ISSUER = "https://auth.example.com"
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
STATE = "xyz-state"
CODE = "SplxlOBeZQQYbYS6WxSbIA"


def build(**kwargs: Any) -> tuple[str, FlowState]:
    kwargs.setdefault("client_id", "s6BhdRkqt3")
    kwargs.setdefault("state_factory", lambda: STATE)
    kwargs.setdefault("verifier_factory", lambda: VERIFIER)
    kwargs.setdefault("nonce_factory", lambda: "n-0S6_WzA2Mj")
    return build_authorization_url(kwargs.pop("endpoint", AUTHORIZE), **kwargs)


def query(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


# --- build_authorization_url ---------------------------------------------------------------


def test_default_request_uses_state_and_pkce_s256() -> None:
    url, flow = build(redirect_uri=REDIRECT, scope="read write", now=1000.0)
    assert url == (
        "https://auth.example.com/authorize?response_type=code&client_id=s6BhdRkqt3"
        "&redirect_uri=https%3A%2F%2Fclient.example.org%2Fcb&scope=read%20write&state=xyz-state"
        f"&code_challenge={CHALLENGE}&code_challenge_method=S256"
    )
    assert flow == FlowState(
        state=STATE,
        code_verifier=VERIFIER,
        redirect_uri=REDIRECT,
        scope=("read", "write"),
        created_at=1000.0,
    )


def test_real_factories_make_fresh_secrets() -> None:
    url1, flow1 = build_authorization_url(AUTHORIZE, client_id="c")
    _, flow2 = build_authorization_url(AUTHORIZE, client_id="c")
    assert flow1.state != flow2.state
    assert flow1.code_verifier != flow2.code_verifier
    assert flow1.code_verifier is not None
    params = dict(query(url1))
    assert params["state"] == flow1.state
    assert params["code_challenge"] == code_challenge(flow1.code_verifier)
    assert len(generate_state()) >= 43
    assert generate_nonce() != generate_nonce()


def test_plain_pkce_only_on_request_and_none_disables_it() -> None:
    plain = dict(query(build(pkce="plain")[0]))
    assert plain["code_challenge"] == VERIFIER
    assert plain["code_challenge_method"] == "plain"
    url, flow = build(pkce=None)
    assert "code_challenge" not in dict(query(url))
    assert flow.code_verifier is None
    with pytest.raises(UsageError, match="PKCE"):
        build(pkce="s256")


def test_openid_scope_adds_a_nonce() -> None:
    url, flow = build(scope=["openid", "email"])
    params = dict(query(url))
    assert params["scope"] == "openid email"
    assert params["nonce"] == flow.nonce == "n-0S6_WzA2Mj"
    url, flow = build(scope="email")
    assert "nonce" not in dict(query(url))
    assert flow.nonce is None
    url, flow = build(scope="email", nonce="given")
    assert dict(query(url))["nonce"] == flow.nonce == "given"


def test_existing_query_is_kept() -> None:
    url, _ = build(endpoint="https://auth.example.com/authorize?tenant=a%2Fb&x=")
    assert url.startswith("https://auth.example.com/authorize?tenant=a%2Fb&x=&response_type=")
    assert query(url)[:2] == [("tenant", "a/b"), ("x", "")]


def test_endpoint_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    with pytest.raises(InsecureTransportError):
        build(endpoint="http://auth.example.com/authorize")
    url, _ = build(endpoint="http://auth.example.com/authorize", allow_insecure_transport=True)
    assert url.startswith("http://auth.example.com/authorize?")
    assert build(endpoint="http://127.0.0.1:8080/authorize")[0].startswith("http://127.0.0.1")
    bad_endpoints = ["https://auth.example.com/authorize#frag", "/authorize", "ftp://x/a"]
    bad_endpoints += ["https://[auth.example.com/authorize", "https://[abc]/authorize", ""]
    for bad in bad_endpoints:
        with pytest.raises(UsageError):
            build(endpoint=bad)
    with pytest.raises(UsageError, match="repeated"):
        build(endpoint=AUTHORIZE + "?client_id=other")


def test_resource_indicators_are_repeated_parameters() -> None:
    url, _ = build(resource=["https://api.example.com/", "urn:example:api"])
    resources = [value for name, value in query(url) if name == "resource"]
    assert resources == ["https://api.example.com/", "urn:example:api"]
    assert [v for n, v in query(build(resource="https://one/")[0]) if n == "resource"] == [
        "https://one/"
    ]
    for bad in ("api", "https://api.example.com/#x"):
        with pytest.raises(UsageError, match="resource"):
            build(resource=bad)


def test_authorization_details_are_json() -> None:
    details = [{"type": "payment_initiation", "instructedAmount": {"currency": "EUR"}}]
    url, _ = build(authorization_details=details)
    assert json.loads(dict(query(url))["authorization_details"]) == details
    for bad in ([{"actions": ["read"]}], {"type": "x"}, "{}", [{"type": "x", "when": object()}]):
        with pytest.raises(UsageError, match="authorization_details"):
            build(authorization_details=bad)
    # One rule for every builder (issue #6): JSON text is accepted, as by the token request.
    url, _ = build(authorization_details=json.dumps(details))
    assert json.loads(dict(query(url))["authorization_details"]) == details


def test_extra_parameters_and_conflicts() -> None:
    url, _ = build(extra={"prompt": "consent", "login_hint": "a@b"})
    assert query(url)[-2:] == [("prompt", "consent"), ("login_hint", "a@b")]
    with pytest.raises(UsageError, match="state"):
        build(extra={"state": "mine"})
    with pytest.raises(UsageError):
        build(extra={"max_age": 5.5})
    with pytest.raises(UsageError):
        build(extra="prompt=login")
    # One rule for every builder (issue #6): integers and (name, value) pairs, as in grants.
    url, _ = build(extra=[("prompt", "login"), ("max_age", 5)])
    assert query(url)[-2:] == [("prompt", "login"), ("max_age", "5")]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"client_id": ""},
        {"client_id": None},
        {"redirect_uri": "cb"},
        {"redirect_uri": "https://[client/cb"},
        {"resource": 5},
        {"resource": [None]},
        {"redirect_uri": REDIRECT + "#f"},
        {"response_type": ""},
        {"scope": 5},
        {"state": ""},
        {"state_factory": lambda: None},
        {"verifier_factory": lambda: "short"},
        {"nonce": ""},
        {"now": float("nan")},
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        build(**kwargs)


@pytest.mark.parametrize("scope", [None, "read", ["openid", "profile"]])
@pytest.mark.parametrize("redirect_uri", [None, REDIRECT, "http://127.0.0.1:5000/cb?a=1&b=%20"])
def test_matches_oauthlib_prepare_grant_uri(scope: Any, redirect_uri: str | None) -> None:
    from oauthlib.oauth2.rfc6749.parameters import prepare_grant_uri

    url, _ = build(scope=scope, redirect_uri=redirect_uri, extra={"prompt": "login"}, nonce="n")
    expected = prepare_grant_uri(
        AUTHORIZE,
        "s6BhdRkqt3",
        "code",
        redirect_uri=redirect_uri,
        scope=scope,
        state=STATE,
        code_challenge=CHALLENGE,
        code_challenge_method="S256",
        nonce="n",
        prompt="login",
    )
    assert sorted(query(url)) == sorted(query(expected))
    assert urlsplit(url)._replace(query="") == urlsplit(expected)._replace(query="")


# --- FlowState -----------------------------------------------------------------------------


def test_flow_state_json_round_trip_and_redacted_repr() -> None:
    _, flow = build(scope="openid", redirect_uri=REDIRECT, issuer=ISSUER, now=5.0)
    assert FlowState.from_dict(json.loads(json.dumps(flow.to_dict()))) == flow
    assert VERIFIER not in repr(flow)
    assert "code_verifier='***'" in repr(flow)
    assert "code_verifier=None" in repr(FlowState("s"))


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"state": ""},
        {"state": 5},
        {"state": "s", "code_verifier": 5},
        {"state": "s", "scope": 5},
        {"state": "s", "created_at": "now"},
        {"state": "s", "created_at": True},
        "state=s",
    ],
)
def test_flow_state_from_dict_refuses_bad_data(data: Any) -> None:
    with pytest.raises(UsageError):
        FlowState.from_dict(data)


def test_flow_state_ignores_unknown_keys() -> None:
    assert FlowState.from_dict({"state": "s", "future": 1}) == FlowState("s")


# --- parse_authorization_callback ----------------------------------------------------------


def callback(**params: str) -> str:
    return f"{REDIRECT}?{urlencode(params)}"


def test_successful_callback() -> None:
    flow = FlowState(STATE, VERIFIER)
    result = parse_authorization_callback(callback(code=CODE, state=STATE), flow)
    assert result == AuthorizationCallback(CODE, STATE, None, {"code": CODE, "state": STATE})
    assert CODE not in repr(result)
    assert "code='***'" in repr(result)
    with pytest.raises(TypeError):
        result.params["code"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(
    "response",
    [
        callback(code=CODE, state="other"),
        callback(code=CODE),
        callback(code=CODE, state=""),
        callback(code=CODE, state=STATE + "x"),
        callback(code=CODE, state="ünïcode"),
    ],
)
def test_state_mismatch(response: str) -> None:
    with pytest.raises(StateMismatchError):
        parse_authorization_callback(response, FlowState(STATE))


def test_state_is_checked_before_an_error_is_believed() -> None:
    forged = callback(error="access_denied", state="attacker")
    with pytest.raises(StateMismatchError):
        parse_authorization_callback(forged, FlowState(STATE))


def test_error_response() -> None:
    response = callback(
        error="access_denied",
        error_description="The user said no",
        error_uri="https://auth.example.com/e",
        state=STATE,
    )
    with pytest.raises(AuthorizationError) as info:
        parse_authorization_callback(response, FlowState(STATE))
    assert info.value.error == "access_denied"
    assert info.value.description == "The user said no"
    assert info.value.uri == "https://auth.example.com/e"


def test_expected_state_overrides_the_flow_and_no_expectation_is_an_error() -> None:
    response = callback(code=CODE, state="s2")
    assert parse_authorization_callback(response, FlowState("s1"), expected_state="s2").code
    # Without a state to expect, a forged callback could not be told apart (issue #8).
    with pytest.raises(UsageError, match="no state to check"):
        parse_authorization_callback(response)
    assert parse_authorization_callback(response, skip_state_check=True).state == "s2"


def test_issuer_identification_rfc9207() -> None:
    flow = FlowState(STATE, issuer=ISSUER)
    good = callback(code=CODE, state=STATE, iss=ISSUER)
    assert parse_authorization_callback(good, flow).iss == ISSUER
    assert parse_authorization_callback(good, FlowState(STATE), issuer=ISSUER).iss == ISSUER
    for wrong in ("https://evil.example.com", ISSUER + "/", "HTTPS://auth.example.com", ""):
        with pytest.raises(IssuerMismatchError):
            parse_authorization_callback(callback(code=CODE, state=STATE, iss=wrong), flow)
    missing = callback(code=CODE, state=STATE)
    assert parse_authorization_callback(missing, flow).iss is None
    with pytest.raises(IssuerMismatchError):
        parse_authorization_callback(missing, flow, iss_required=True)
    with pytest.raises(UsageError, match="issuer"):
        parse_authorization_callback(missing, FlowState(STATE), iss_required=True)


def test_issuer_is_checked_before_an_error_is_believed() -> None:
    mixed_up = callback(error="access_denied", state=STATE, iss="https://other.example")
    with pytest.raises(IssuerMismatchError):
        parse_authorization_callback(mixed_up, FlowState(STATE, issuer=ISSUER))


@pytest.mark.parametrize(
    "response",
    [
        f"{REDIRECT}?code={CODE}&state={STATE}",
        f"{REDIRECT}?code={CODE}&state={STATE}#_=_",  # Facebook's appended fragment
        f"/cb?code={CODE}&state={STATE}",
        f"?code={CODE}&state={STATE}",
        f"code={CODE}&state={STATE}",  # a form_post body
        f"code={CODE}&state={STATE}".encode(),
        {"code": CODE, "state": STATE},
        {"code": [CODE], "state": (STATE,)},  # parse_qs-style values
        f"  {REDIRECT}?code={CODE}&state={STATE}\n",
    ],
)
def test_callback_forms(response: Any) -> None:
    result = parse_authorization_callback(response, FlowState(STATE))
    assert (result.code, result.state) == (CODE, STATE)


def test_implicit_and_hybrid_responses_in_the_fragment() -> None:
    implicit = f"{REDIRECT}#access_token=at&token_type=Bearer&state={STATE}"
    result = parse_authorization_callback(implicit, FlowState(STATE))
    assert result.code is None
    assert result.params["access_token"] == "at"
    hybrid = f"{REDIRECT}#code={CODE}&id_token=eyJ&state={STATE}"
    assert parse_authorization_callback(hybrid, FlowState(STATE)).code == CODE


@pytest.mark.parametrize(
    "response",
    [
        f"{REDIRECT}?code={CODE}&state={STATE}&code=other",
        f"{REDIRECT}?code={CODE}&state={STATE}#state={STATE}",
        f"{REDIRECT}?state={STATE}",
        f"{REDIRECT}?state={STATE}&code=",
        f"{REDIRECT}?state={STATE}&error=",
        b"code=\xff&state=" + STATE.encode(),
        {"code": [CODE, CODE], "state": STATE},
        {"code": 5, "state": STATE},
        {1: CODE, "state": STATE},
        f"https://[client.example.org/cb?code={CODE}&state={STATE}",  # unparsable host
    ],
)
def test_unusable_callbacks(response: Any) -> None:
    with pytest.raises(CallbackError):
        parse_authorization_callback(response, FlowState(STATE))


def test_unparsable_callback_url_does_not_echo_the_code() -> None:
    with pytest.raises(CallbackError) as info:
        parse_authorization_callback(f"http://[x/cb?code={CODE}&state={STATE}", FlowState(STATE))
    assert CODE not in str(info.value)


def test_wrong_argument_types() -> None:
    with pytest.raises(UsageError):
        parse_authorization_callback(42)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="FlowState"):
        parse_authorization_callback(callback(code=CODE, state=STATE), STATE)  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        parse_authorization_callback(callback(code=CODE), expected_state=5)  # type: ignore[arg-type]


def test_round_trip_from_request_to_callback() -> None:
    url, flow = build_authorization_url(
        AUTHORIZE, client_id="c", redirect_uri=REDIRECT, scope="openid", issuer=ISSUER
    )
    state = dict(query(url))["state"]
    stored = FlowState.from_dict(json.loads(json.dumps(flow.to_dict())))
    result = parse_authorization_callback(callback(code=CODE, state=state, iss=ISSUER), stored)
    assert result.code == CODE


# --- properties ----------------------------------------------------------------------------

param_names = st.sampled_from(["code", "state", "iss", "error", "error_description", "x"])
param_maps = st.dictionaries(
    param_names | st.text(max_size=5),
    st.text(max_size=12) | st.lists(st.text(max_size=5), max_size=2) | st.integers(),
    max_size=6,
)
flows = st.none() | st.builds(
    FlowState,
    state=st.sampled_from([STATE, "é"]),
    issuer=st.none() | st.just(ISSUER),
)


@settings(max_examples=300)
@given(st.text(max_size=80) | st.binary(max_size=60), flows, st.booleans())
def test_callback_text_never_escapes_the_error_tree(
    response: str | bytes, flow: FlowState | None, iss_required: bool
) -> None:
    try:
        result = parse_authorization_callback(response, flow, iss_required=iss_required)
    except OAuthError:
        return
    assert result.code or result.params.get("access_token") or result.params.get("id_token")
    if flow is not None:
        assert result.state == flow.state


@settings(max_examples=300)
@given(param_maps, flows)
def test_callback_mappings_never_escape_the_error_tree(
    response: dict[str, Any], flow: FlowState | None
) -> None:
    try:
        result = parse_authorization_callback(response, flow)
    except OAuthError:
        return
    assert isinstance(result.code, str)


@settings(max_examples=200)
@given(
    st.lists(st.tuples(param_names, st.text(max_size=10)), max_size=6),
    st.sampled_from(["?", "#", "/cb?", REDIRECT + "?", "", "http://[x/?", "https://[::1]/cb#"]),
)
def test_encoded_callbacks_never_escape_the_error_tree(
    pairs: list[tuple[str, str]], prefix: str
) -> None:
    try:
        parse_authorization_callback(prefix + urlencode(pairs), FlowState(STATE, issuer=ISSUER))
    except OAuthError:
        return
    assert ("state", STATE) in pairs
