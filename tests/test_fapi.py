"""The FAPI 2.0 profiles refuse what FAPI 2.0 forbids a client, naming the requirement.

Configuration refusals are :class:`~oauthkit.UsageError`s raised when the session (or the
sans-I/O :class:`~oauthkit.TokenManager`) is made, on every driver; server behaviour the
profile forbids (a callback without ``iss``, an unbound token, an RS256 ID token) raises the
existing typed errors, here against an in-memory server (tests/test_fapi_interop.py has the
real one).
"""

from __future__ import annotations

import itertools
import json
import warnings
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc.jwk import ECKey

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit import oidc
from oauthkit._oauth2._profile import FAPI2, FAPI2_MESSAGE_SIGNING, PROFILES, profile_of

SESSIONS = (okrequests.OAuth2Session, okhttpx.OAuth2Client, okhttpx.AsyncOAuth2Client)
ISSUER = "https://as.fapi.test"
_issuers = itertools.count()


@pytest.fixture(params=SESSIONS, ids=("requests", "httpx", "httpx-async"))
def session_class(request: pytest.FixtureRequest) -> Callable[..., Any]:
    cls: Callable[..., Any] = request.param
    return cls


def _ec_key() -> dict[str, Any]:
    return dict(ECKey.generate_key("P-256", {"kid": "k1"}, private=True).as_dict(private=True))


KEY = _ec_key()


def _good(**changes: Any) -> dict[str, Any]:
    """A session configuration that meets the FAPI 2.0 Security Profile, with ``changes``."""
    settings: dict[str, Any] = {
        "client_id": "c1",
        "redirect_uri": "https://client.example/cb",
        "scope": ["openid"],
        "issuer": ISSUER,
        "pkce": "S256",
        "dpop": oauthkit.DPoPKey.generate(),
        "client_auth": oauthkit.PrivateKeyJwt("c1", KEY),
        "profile": "fapi2",
    }
    settings.update(changes)
    return settings


def test_profiles_by_name() -> None:
    assert profile_of("fapi2") is FAPI2 is oauthkit.FAPI2
    assert profile_of("fapi2-message-signing") is FAPI2_MESSAGE_SIGNING
    assert profile_of(FAPI2) is FAPI2
    assert profile_of(None) is None
    assert sorted(PROFILES) == ["fapi2", "fapi2-message-signing"]
    assert FAPI2.algorithms == frozenset({"PS256", "ES256", "EdDSA"})
    with pytest.raises(oauthkit.UsageError, match="profile must be one of"):
        profile_of("fapi1")
    with pytest.raises(oauthkit.UsageError, match="profile must be one of"):
        profile_of(2)  # type: ignore[arg-type]


def test_a_conforming_session_is_made(session_class: Callable[..., Any]) -> None:
    session = session_class(**_good())
    oauth = session._oauth
    assert oauth.profile is FAPI2
    assert oauth.par is True  # every request pushed
    assert oauth.core.profile is FAPI2
    assert oauth.client_auth.audience == ISSUER  # assertions addressed to the issuer
    assert oauth.oidc.algorithms == ("ES256", "EdDSA", "PS256")
    assert oauth.oidc.authorization_algorithms == ("ES256", "EdDSA", "PS256")


def test_message_signing_turns_on_jar_and_jarm(session_class: Callable[..., Any]) -> None:
    oauth = session_class(**_good(profile="fapi2-message-signing"))._oauth
    assert oauth.request_object is True  # signed with the private_key_jwt key
    assert oauth.response_mode == "jwt"
    assert oauth.par is True
    explicit = session_class(**_good(profile=FAPI2_MESSAGE_SIGNING, response_mode="query.jwt"))
    assert explicit._oauth.response_mode == "query.jwt"


@pytest.mark.parametrize(
    ("changes", "requirement"),
    [
        ({"dpop": None}, "must be sender-constrained"),
        (
            {"client_auth": oauthkit.ClientSecretBasic("c1", "s" * 32)},
            "private_key_jwt or mutual TLS .*'client_secret_basic'",
        ),
        ({"client_auth": None}, "private_key_jwt or mutual TLS .*'none'"),
        ({"pkce": None}, "PKCE with S256 is required"),
        ({"pkce": "plain"}, "PKCE with S256 is required"),
        ({"issuer": None}, "only from discovery of the configured issuer"),
        ({"par": "https://as.fapi.test/par"}, "pushed to the endpoint the issuer's metadata"),
        ({"dpop": oauthkit.DPoPKey.generate("RS256")}, "DPoP proofs must be signed with"),
        (
            {"client_auth": oauthkit.PrivateKeyJwt("c1", KEY, alg="ES256"), "dpop": None},
            "sender-constrained",
        ),
        (
            {"relying_party": oidc.RelyingParty(ISSUER, "c1", algorithms=["RS256"])},
            "ID tokens must be signed with ES256, EdDSA, PS256, not 'RS256'",
        ),
    ],
)
def test_the_security_profile_refuses(
    session_class: Callable[..., Any], changes: dict[str, Any], requirement: str
) -> None:
    with pytest.raises(oauthkit.UsageError, match=f"FAPI 2.0 Security Profile: .*{requirement}"):
        session_class(**_good(**changes))


def test_rsa_assertions_need_ps256_and_2048_bits(session_class: Callable[..., Any]) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from joserfc.errors import SecurityWarning

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    rs256 = oauthkit.PrivateKeyJwt("c1", key)  # RS256 by default
    with pytest.raises(oauthkit.UsageError, match=r"client assertions .* not 'RS256'"):
        session_class(**_good(client_auth=rs256))
    session_class(**_good(client_auth=oauthkit.PrivateKeyJwt("c1", key, alg="PS256")))
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 (refused)
    with warnings.catch_warnings():  # joserfc warns too; the profile refuses
        warnings.simplefilter("ignore", SecurityWarning)
        short = oauthkit.PrivateKeyJwt("c1", small, alg="PS256")
    with pytest.raises(oauthkit.UsageError, match="at least 2048 bits"):
        session_class(**_good(client_auth=short))


def test_a_refused_grant(session_class: Callable[..., Any]) -> None:
    from oauthlib.oauth2 import LegacyApplicationClient, MobileApplicationClient

    for client in (MobileApplicationClient("c1"), LegacyApplicationClient("c1")):
        with pytest.raises(oauthkit.UsageError, match="only the authorization code grant"):
            session_class(**_good(client=client))


def test_no_implicit_token_from_a_fragment(session_class: Callable[..., Any]) -> None:
    session = session_class(**_good(state="s1"))
    with pytest.raises(oauthkit.UsageError, match="only the authorization code grant"):
        session.token_from_fragment("https://client.example/cb#access_token=at&state=s1")
    assert session.token == {}


def test_tokens_only_in_the_header(session_class: Callable[..., Any]) -> None:
    session = session_class(**_good())
    for placement in ("body", "query"):
        with pytest.raises(oauthkit.UsageError, match="only in the Authorization header"):
            session.token_placement = placement
    assert session.token_placement == "header"


@pytest.mark.parametrize(
    ("changes", "requirement"),
    [
        ({"request_object": False}, "signed request objects"),
        ({"response_mode": "query"}, "signed JWTs \\(JARM\\)"),
        (
            {"request_object": oauthkit.RequestObjectSigner(secret="s" * 32)},
            "request objects must be signed with .* not 'HS256'",
        ),
    ],
)
def test_message_signing_refuses(
    session_class: Callable[..., Any], changes: dict[str, Any], requirement: str
) -> None:
    settings = _good(profile="fapi2-message-signing", **changes)
    with pytest.raises(oauthkit.UsageError, match=f"FAPI 2.0 Message Signing: .*{requirement}"):
        session_class(**settings)


def test_the_sans_io_manager_checks_the_client() -> None:
    with pytest.raises(oauthkit.UsageError, match="sender-constrained"):
        oauthkit.TokenManager("c1", auth=oauthkit.PrivateKeyJwt("c1", KEY), profile=FAPI2)
    with pytest.raises(oauthkit.UsageError, match="'client_secret_post'"):
        oauthkit.TokenManager(
            "c1", "s" * 32, auth_method="client_secret_post", dpop=oauthkit.DPoPKey.generate(),
            profile=FAPI2,
        )  # fmt: skip
    with pytest.raises(oauthkit.UsageError, match="Authorization header, not in the query"):
        oauthkit.TokenManager(
            "c1",
            auth=oauthkit.PrivateKeyJwt("c1", KEY),
            dpop=oauthkit.DPoPKey.generate(),
            placement="query",
            profile=FAPI2,
        )
    manager = oauthkit.TokenManager(
        "c1",
        auth=oauthkit.PrivateKeyJwt("c1", KEY),
        dpop=oauthkit.DPoPKey.generate(),
        profile=FAPI2,
    )
    bearer = oauthkit.Token(access_token="at", token_type="Bearer")
    with pytest.raises(oauthkit.UnusableTokenError, match=r"sender-constrained.*'Bearer'"):
        manager.adopt(bearer)
    assert manager.token is None
    manager.token = bearer  # a token set by hand is sent only in the header
    manager.placement = "body"
    with pytest.raises(oauthkit.UsageError, match="only in the Authorization header"):
        manager.protected_step(bearer, "POST", "https://api.example/x")


# --- server behaviour, against an in-memory server -------------------------------------------


class _Server:
    """An authorization server in memory: OIDC discovery, PAR and a token endpoint."""

    def __init__(self, token: dict[str, Any]) -> None:
        self.issuer = f"https://as{next(_issuers)}.fapi.test"
        self.token = token
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if path == "/.well-known/openid-configuration":
            return httpx.Response(200, json=self.metadata())
        if path == "/par":
            return httpx.Response(201, json={"request_uri": "urn:x:1", "expires_in": 60})
        if path == "/token":
            return httpx.Response(200, json=self.token)
        return httpx.Response(404)

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "pushed_authorization_request_endpoint": f"{self.issuer}/par",
            "introspection_endpoint": f"{self.issuer}/introspect",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
        }

    def to(self, path: str) -> list[httpx.Request]:
        return [r for r in self.seen if r.url.path == path]


def _client(server: _Server, **changes: Any) -> okhttpx.OAuth2Client:
    settings = _good(issuer=server.issuer, scope=["read"], **changes)
    return okhttpx.OAuth2Client(transport=httpx.MockTransport(server), **settings)


def test_a_callback_without_iss_is_refused() -> None:
    server = _Server({"access_token": "at", "token_type": "DPoP"})
    with _client(server) as client:
        url, state = client.authorization_url()
        assert dict(parse_qsl(url.partition("?")[2])) == {
            "client_id": "c1",
            "request_uri": "urn:x:1",
        }
        callback = f"https://client.example/cb?code=c&state={state}"
        with pytest.raises(oauthkit.IssuerMismatchError, match="no iss"):
            client.fetch_token(authorization_response=callback)
        assert server.to("/token") == []
        ok = client.fetch_token(authorization_response=f"{callback}&iss={server.issuer}")
        assert ok["token_type"] == "DPoP"


def test_an_unbound_token_is_refused() -> None:
    server = _Server({"access_token": "unbound-secret-value", "token_type": "Bearer"})
    with _client(server) as client:
        _, state = client.authorization_url()
        callback = f"https://client.example/cb?code=c&state={state}&iss={server.issuer}"
        with pytest.raises(oauthkit.UnusableTokenError, match=r"FAPI 2\.0 Security Profile") as e:
            client.fetch_token(authorization_response=callback)
        assert "unbound-secret-value" not in str(e.value) + repr(e.value)
        assert client.token == {}
        [exchange] = server.to("/token")
        assert exchange.headers["dpop"]


def test_endpoints_come_only_from_discovery() -> None:
    server = _Server({"access_token": "at", "token_type": "DPoP"})
    with _client(server) as client:
        with pytest.raises(oauthkit.UsageError, match="not its authorization_endpoint"):
            client.authorization_url("https://elsewhere.example/authorize")
        _, state = client.authorization_url()
        callback = f"https://client.example/cb?code=c&state={state}&iss={server.issuer}"
        with pytest.raises(oauthkit.UsageError, match="not its token_endpoint"):
            client.fetch_token("https://elsewhere.example/token", authorization_response=callback)
        assert server.to("/token") == []
        token = client.fetch_token(f"{server.issuer}/token", authorization_response=callback)
        assert token["access_token"] == "at"


def test_message_signing_introspects_only_as_a_jwt() -> None:
    server = _Server({"access_token": "at", "token_type": "DPoP"})
    with _client(server, profile="fapi2-message-signing") as client:
        with pytest.raises(oauthkit.UsageError, match="introspection responses are signed JWTs"):
            client.introspect_token(jwt=False)
        with pytest.raises(oauthkit.UsageError, match="not its introspection_endpoint"):
            client.introspect_token("https://elsewhere.example/introspect", token="t")
        assert server.to("/introspect") == []


def test_a_fapi2_session_repr_shows_no_key() -> None:
    server = _Server({"access_token": "at", "token_type": "DPoP"})
    with _client(server) as client:
        text = repr(client) + repr(client._oauth.core) + repr(client._oauth.client_auth)
    assert KEY["d"] not in text
    assert json.dumps(KEY) not in text


@given(st.one_of(st.text(max_size=30), st.none(), st.integers(), st.sampled_from(sorted(PROFILES))))
def test_any_profile_value_is_a_profile_none_or_a_usage_error(value: Any) -> None:
    try:
        chosen = profile_of(value)
    except oauthkit.UsageError:
        assert value not in PROFILES
        return
    assert chosen is None or chosen is PROFILES[value]


def test_plain_http_beyond_loopback_is_refused(session_class: Callable[..., Any]) -> None:
    for allowance in (True, ["as.internal"]):
        with pytest.raises(oauthkit.UsageError, match="plain http is allowed to loopback"):
            session_class(**_good(allow_insecure_transport=allowance))


def test_only_response_type_code() -> None:
    server = _Server({"access_token": "at", "token_type": "DPoP"})
    with _client(server) as client:
        with pytest.raises(oauthkit.UsageError, match="response_type must be code"):
            client.authorization_url(response_type="code id_token")
        assert server.to("/par") == []


def test_the_oauthlib_environment_variable_does_not_lift_tls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``OAUTHLIB_INSECURE_TRANSPORT`` lets oauthlib-era code use plain http; a FAPI 2.0
    client keeps requiring TLS beyond loopback whatever the environment says."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    plain = oauthkit.TokenManager("c1", "s" * 32)
    plain.transport.check("http://as.internal/token")  # honoured without a profile
    manager = oauthkit.TokenManager(
        "c1", auth=oauthkit.PrivateKeyJwt("c1", KEY), dpop=oauthkit.DPoPKey.generate(),
        profile=FAPI2,
    )  # fmt: skip
    with pytest.raises(oauthkit.InsecureTransportError):
        manager.transport.check("http://as.internal/token")
    manager.transport.check("http://127.0.0.1:8080/token")  # loopback stays allowed
