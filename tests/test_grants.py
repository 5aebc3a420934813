"""Token requests for every grant (RFC 6749 §4-§6, RFC 7523, RFC 8693, RFC 8707, RFC 9396),
with a differential check against oauthlib's client-side body builder."""

from __future__ import annotations

import json
import string
from typing import Any
from urllib.parse import parse_qsl

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib.oauth2.rfc6749.parameters import prepare_token_request

from oauthkit import HttpRequest, InsecureTransportError, UsageError
from oauthkit._core._params import encode_authorization_details, encode_scope, extra_params
from oauthkit._oauth2._client_auth import ClientSecretBasic, ClientSecretPost, NoneAuth
from oauthkit._oauth2._grants import (
    TOKEN_TYPE_ACCESS_TOKEN,
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    DeviceCodeGrant,
    ExtensionGrant,
    JwtBearerGrant,
    PasswordGrant,
    RefreshTokenGrant,
    TokenExchangeGrant,
    build_token_request,
)

NOW = 1_700_000_000.0
TOKEN_URL = "https://as.example/token"
VERIFIER = "dBjftJeZ4CVP-mJ92ZFDJoOgW1xHLeZfXkNXKj9Wq6o"  # RFC 7636 Appendix B


def _body(request: HttpRequest) -> list[tuple[str, str]]:
    assert request.body is not None
    return parse_qsl(request.body.decode("ascii"), keep_blank_values=True)


def test_authorization_code_request_shape() -> None:
    grant = AuthorizationCodeGrant("SplxlOBeZQQYbYS6WxSbIA", "https://client.example/cb", VERIFIER)
    request = build_token_request(TOKEN_URL, grant, ClientSecretBasic("c", "s"), now=NOW)
    assert request.method == "POST"
    assert request.url == TOKEN_URL
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Authorization"].startswith("Basic ")
    assert _body(request) == [
        ("grant_type", "authorization_code"),
        ("code", "SplxlOBeZQQYbYS6WxSbIA"),
        ("redirect_uri", "https://client.example/cb"),
        ("code_verifier", VERIFIER),
    ]


@pytest.mark.parametrize(
    ("grant", "expected"),
    [
        (
            RefreshTokenGrant("tGzv3JOkF0XG5Qx2TlKWIA", scope=["read", "write"]),
            [
                ("grant_type", "refresh_token"),
                ("refresh_token", "tGzv3JOkF0XG5Qx2TlKWIA"),
                ("scope", "read write"),
            ],
        ),
        (RefreshTokenGrant("r"), [("grant_type", "refresh_token"), ("refresh_token", "r")]),
        (ClientCredentialsGrant(), [("grant_type", "client_credentials")]),
        (
            ClientCredentialsGrant("a b"),
            [("grant_type", "client_credentials"), ("scope", "a b")],
        ),
        (
            PasswordGrant("johndoe", "A3ddj3w", ("profile",)),
            [
                ("grant_type", "password"),
                ("username", "johndoe"),
                ("password", "A3ddj3w"),
                ("scope", "profile"),
            ],
        ),
        (
            JwtBearerGrant("eyJhbGciOiJFUzI1NiJ9.e30.sig", scope="x"),
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", "eyJhbGciOiJFUzI1NiJ9.e30.sig"),
                ("scope", "x"),
            ],
        ),
        (
            DeviceCodeGrant("GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"),
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", "GmRhmhcxhwAzkoEqiMEg_DnyEysNkuNhszIySk9eS"),
            ],
        ),
        (
            ExtensionGrant(
                "urn:ietf:params:oauth:grant-type:saml2-bearer", {"assertion": "PHNhbWw6"}
            ),
            [
                ("grant_type", "urn:ietf:params:oauth:grant-type:saml2-bearer"),
                ("assertion", "PHNhbWw6"),
            ],
        ),
    ],
)
def test_grant_params(grant: Any, expected: list[tuple[str, str]]) -> None:
    request = build_token_request(TOKEN_URL, grant, ClientSecretBasic("c", "s"), now=NOW)
    assert _body(request) == expected


def test_token_exchange_params() -> None:
    grant = TokenExchangeGrant(
        "subject.jwt",
        actor_token="actor.jwt",
        actor_token_type="urn:ietf:params:oauth:token-type:jwt",
        requested_token_type="urn:ietf:params:oauth:token-type:refresh_token",
        audience=["svc-a", "svc-b"],
        resource="https://backend.example/api",
        scope="read",
    )
    request = build_token_request(
        TOKEN_URL, grant, NoneAuth("c"), now=NOW, resource="https://other.example/"
    )
    assert _body(request) == [
        ("grant_type", "urn:ietf:params:oauth:grant-type:token-exchange"),
        ("subject_token", "subject.jwt"),
        ("subject_token_type", TOKEN_TYPE_ACCESS_TOKEN),
        ("actor_token", "actor.jwt"),
        ("actor_token_type", "urn:ietf:params:oauth:token-type:jwt"),
        ("requested_token_type", "urn:ietf:params:oauth:token-type:refresh_token"),
        ("audience", "svc-a"),
        ("audience", "svc-b"),
        ("resource", "https://backend.example/api"),
        ("scope", "read"),
        ("resource", "https://other.example/"),
        ("client_id", "c"),
    ]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"actor_token": "a"},
        {"actor_token_type": "urn:ietf:params:oauth:token-type:jwt"},
    ],
)
def test_token_exchange_actor_pair(kwargs: dict[str, str]) -> None:
    with pytest.raises(UsageError, match="actor_token_type"):
        TokenExchangeGrant("s", **kwargs)


def test_common_params_resource_and_authorization_details() -> None:
    details = [{"type": "payment_initiation", "instructedAmount": {"currency": "EUR"}}]
    request = build_token_request(
        TOKEN_URL,
        ClientCredentialsGrant(),
        ClientSecretPost("c", "s"),
        now=NOW,
        resource=["https://a.example/", "https://b.example/x"],
        authorization_details=details,
        extra={"audience": "x", "skip": None, "n": 3},
        headers={"DPoP": "proof.jwt", "accept": "application/json;q=1"},
    )
    body = _body(request)
    assert [v for k, v in body if k == "resource"] == ["https://a.example/", "https://b.example/x"]
    assert json.loads(dict(body)["authorization_details"]) == details
    assert ("audience", "x") in body
    assert ("n", "3") in body
    assert "skip" not in dict(body)
    assert body[-2:] == [("client_id", "c"), ("client_secret", "s")]
    assert request.headers["DPoP"] == "proof.jwt"
    assert request.headers["accept"] == "application/json;q=1"
    assert "Accept" not in request.headers


@pytest.mark.parametrize(
    ("grant_factory", "name"),
    [
        (lambda: AuthorizationCodeGrant(""), "code"),
        (lambda: AuthorizationCodeGrant(None), "code"),
        (lambda: RefreshTokenGrant(""), "refresh_token"),
        (lambda: PasswordGrant("", "p"), "username"),
        (lambda: PasswordGrant("u", ""), "password"),
        (lambda: JwtBearerGrant(""), "assertion"),
        (lambda: TokenExchangeGrant(""), "subject_token"),
        (lambda: DeviceCodeGrant(""), "device_code"),
        (lambda: ExtensionGrant("password2"), "absolute URI"),
        (lambda: ExtensionGrant(""), "grant_type"),
        (lambda: ExtensionGrant("urn:x", {"grant_type": "y"}), "grant_type"),
        (lambda: AuthorizationCodeGrant("c", code_verifier="short"), "code_verifier"),
        (lambda: AuthorizationCodeGrant("c", code_verifier="a" * 129), "code_verifier"),
        (lambda: AuthorizationCodeGrant("c", code_verifier="a" * 42 + "!"), "code_verifier"),
        (lambda: AuthorizationCodeGrant("c", redirect_uri=""), "redirect_uri"),
        (lambda: ClientCredentialsGrant(5), "scope"),  # type: ignore[arg-type]
        (lambda: ClientCredentialsGrant(b"a b"), "scope"),  # type: ignore[arg-type]
        (lambda: ClientCredentialsGrant({"a": 1}), "scope"),  # type: ignore[arg-type]
        (lambda: TokenExchangeGrant("s", resource="relative/path"), "resource"),
        (lambda: TokenExchangeGrant("s", audience=[""]), "audience"),
    ],
)
def test_grant_validation_names_the_problem(grant_factory: Any, name: str) -> None:
    with pytest.raises(UsageError, match=name):
        grant_factory()


def test_secrets_stay_out_of_grant_reprs() -> None:
    grants = [
        AuthorizationCodeGrant("the-code-1", code_verifier=VERIFIER),
        RefreshTokenGrant("the-refresh-2"),
        PasswordGrant("user", "the-password-3"),
        JwtBearerGrant("the-assertion-4"),
        TokenExchangeGrant("the-subject-5", actor_token="the-actor-6", actor_token_type="t"),
        DeviceCodeGrant("the-device-7"),
        ExtensionGrant("urn:x", {"assertion": "the-ext-8"}),
    ]
    text = " ".join(repr(grant) for grant in grants)
    assert "the-" not in text
    assert VERIFIER not in text
    assert "user" in text


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"extra": {"grant_type": "x"}}, "grant_type"),
        ({"extra": {"client_secret": "leak"}}, "client_secret"),
        ({"extra": {"scope": "again"}}, "twice"),
        ({"extra": [("a", "1"), ("a", "2")]}, "twice"),
        ({"extra": {"a": 1.5}}, "string"),
        ({"extra": {"a": True}}, "string"),
        ({"extra": ["ab"]}, "mapping"),
        ({"extra": "a=b"}, "mapping"),
        ({"extra": {"": "x"}}, "names"),
        ({"resource": "https://x.example/#frag"}, "fragment"),
        ({"resource": "http://[::1"}, "resource"),
        ({"resource": [1]}, "resource"),
        ({"authorization_details": "{not json"}, "JSON"),
        ({"authorization_details": '{"type": "x"}'}, "array"),
        ({"authorization_details": [{"no": "type"}]}, "type"),
        ({"authorization_details": [{"type": "x", "v": {1, 2}}]}, "JSON"),
        ({"headers": {"Content-Type": "application/json"}}, "Content-Type"),
        ({"headers": {"X-Count": 3}}, "strings"),
    ],
)
def test_request_misuse(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        build_token_request(
            TOKEN_URL, ClientCredentialsGrant("s"), NoneAuth("c"), now=NOW, **kwargs
        )


def test_not_a_grant() -> None:
    with pytest.raises(UsageError, match="grant"):
        build_token_request(TOKEN_URL, object(), NoneAuth("c"), now=NOW)  # type: ignore[arg-type]


def test_transport_is_checked() -> None:
    grant = ClientCredentialsGrant()
    with pytest.raises(InsecureTransportError):
        build_token_request("http://as.example/token", grant, ClientSecretBasic("c", "s"), now=NOW)
    with pytest.raises(UsageError):
        build_token_request("/token", grant, NoneAuth("c"), now=NOW)
    # Loopback and the explicit opt-out are allowed.
    build_token_request("http://127.0.0.1:8080/token", grant, NoneAuth("c"), now=NOW)
    build_token_request(
        "http://as.internal/token", grant, NoneAuth("c"), now=NOW, allow_insecure_transport=True
    )


def test_helpers() -> None:
    assert encode_scope(None) is None
    assert encode_scope("") is None
    assert encode_scope("  a b ") == "a b"
    assert encode_scope(()) is None
    assert encode_scope(["openid", "email"]) == "openid email"
    assert encode_authorization_details(None) is None
    assert encode_authorization_details('[{"type":"a"}]') == '[{"type":"a"}]'
    assert extra_params(None) == []
    assert extra_params([("a", "b")]) == [("a", "b")]


# -- differential: oauthlib's prepare_token_request ------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=30,
)
_SCOPE_TOKEN = st.text(alphabet=string.ascii_letters + string.digits + ":/._-", min_size=1)
_VERIFIER = st.text(
    alphabet=string.ascii_letters + string.digits + "-._~", min_size=43, max_size=128
)


def _sorted(body: str) -> list[tuple[str, str]]:
    return sorted(parse_qsl(body, keep_blank_values=True))


@settings(max_examples=200, deadline=None)
@given(
    code=_TEXT,
    redirect_uri=st.one_of(st.none(), _TEXT),
    verifier=st.one_of(st.none(), _VERIFIER),
    client_id=_TEXT,
)
def test_authorization_code_matches_oauthlib(
    code: str, redirect_uri: str | None, verifier: str | None, client_id: str
) -> None:
    ours = build_token_request(
        TOKEN_URL,
        AuthorizationCodeGrant(code, redirect_uri, verifier),
        NoneAuth(client_id),
        now=NOW,
    )
    theirs = prepare_token_request(
        "authorization_code",
        code=code,
        redirect_uri=redirect_uri,
        code_verifier=verifier,
        client_id=client_id,
    )
    assert ours.body is not None
    assert _sorted(ours.body.decode("ascii")) == _sorted(theirs)


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["refresh_token", "client_credentials", "password"]),
    first=_TEXT,
    second=_TEXT,
    scope=st.one_of(st.none(), st.lists(_SCOPE_TOKEN, min_size=1, max_size=4)),
    secret=_TEXT,
)
def test_other_grants_match_oauthlib(
    kind: str, first: str, second: str, scope: list[str] | None, secret: str
) -> None:
    grant: Any
    kwargs: dict[str, Any] = {"scope": scope} if scope else {}
    if kind == "refresh_token":
        grant = RefreshTokenGrant(first, scope)
        kwargs["refresh_token"] = first
    elif kind == "client_credentials":
        grant = ClientCredentialsGrant(scope)
    else:
        grant = PasswordGrant(first, second, scope)
        kwargs.update(username=first, password=second)
    ours = build_token_request(TOKEN_URL, grant, ClientSecretPost("cid", secret), now=NOW)
    theirs = prepare_token_request(kind, client_id="cid", client_secret=secret, **kwargs)
    assert ours.body is not None
    assert _sorted(ours.body.decode("ascii")) == _sorted(theirs)


def test_scope_follows_one_rule_in_every_builder() -> None:
    # Issue #6: the authorization URL, every grant and the device request split each item of a
    # scope list on whitespace, as requests-oauthlib's " ".join does; empty items add nothing.
    assert ClientCredentialsGrant(["a b", "c"]).params() == [
        ("grant_type", "client_credentials"),
        ("scope", "a b c"),
    ]
    assert ClientCredentialsGrant([""]).params() == [("grant_type", "client_credentials")]
