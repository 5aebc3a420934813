"""FAPI 2.0 (``profile="fapi2"`` and ``profile="fapi2-message-signing"``) against oidc-provider,
on every driver.

The client is registered dynamically (RFC 7591) as a FAPI 2.0 client would be: confidential
with ``private_key_jwt`` (an ES256 key of the test's own), DPoP-bound access tokens, ES256 ID
tokens, and for Message Signing ES256 JWT authorization responses (JARM) and JWT introspection
responses (RFC 9701); or, on the peer's TLS mode (tests/_mtls.py), with ``tls_client_auth`` and
certificate-bound tokens. The peer needs no switch: it already supports all of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import ECKey

import oauthkit
from oauthkit import oidc
from tests._drivers2 import DRIVERS, Driver, headless_authorize, oauthkit_class, open_session
from tests._mtls import (
    MtlsPeer,
    fixture_mtls_peer,  # noqa: F401 - the fixture
    headless_authorize_tls,
    open_mtls_session,
)
from tests._peek import jwt_parts, query
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def peer() -> Iterator[OidcProviderPeer]:
    with OidcProviderPeer() as started:
        yield started


@pytest.fixture(scope="module")
def client_key() -> dict[str, Any]:
    key = ECKey.generate_key("P-256", {"kid": "fapi-es256", "alg": "ES256"}, private=True)
    return dict(key.as_dict(private=True))


def _public(key: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in key.items() if k != "d"}


def _call(s: Driver, name: str, *args: Any, **kw: Any) -> Any:
    """Call session method ``name`` (awaited on the async client)."""
    return s._call(getattr(s.s, name), *args, **kw)


def _register(peer: OidcProviderPeer, key: dict[str, Any], **extra: Any) -> str:
    """Register a FAPI 2.0 client with the peer; return its ``client_id``."""
    metadata = {
        "client_name": "fapi2-client",
        "redirect_uris": [peer.url("/cb")],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "private_key_jwt",
        "token_endpoint_auth_signing_alg": "ES256",
        "jwks": {"keys": [_public(key)]},
        "dpop_bound_access_tokens": True,
        "require_pushed_authorization_requests": True,
        "id_token_signed_response_alg": "ES256",
        **extra,
    }
    with open_session("requests", client_id="registrar", issuer=peer.issuer) as s:
        registered: oauthkit.ClientRegistration = s.s.register_client(metadata)
    return registered.client_id


def _session(
    peer: OidcProviderPeer, driver: str, client_id: str, key: dict[str, Any], **kw: Any
) -> Any:
    return open_session(
        driver,
        client_id=client_id,
        redirect_uri=peer.url("/cb"),
        scope=["openid", "offline_access"],
        issuer=peer.issuer,
        pkce="S256",
        dpop=oauthkit.DPoPKey.generate(),
        client_auth=oauthkit.PrivateKeyJwt(client_id, key),
        **kw,
    )


def _assertions(s: Driver, endpoint: str, peer: OidcProviderPeer) -> None:
    """The client authenticated at ``endpoint`` with an ES256 assertion addressed to the issuer."""
    for sent in s.recording.to(endpoint):
        assert sent.form["client_assertion_type"].endswith("jwt-bearer")
        header, claims = jwt_parts(sent.form["client_assertion"])
        assert header["alg"] == "ES256"
        assert claims["aud"] == peer.issuer
        assert "client_secret" not in sent.form


def test_a_fapi2_login_pushes_binds_refreshes(
    peer: OidcProviderPeer, driver: str, client_key: dict[str, Any]
) -> None:
    client_id = _register(peer, client_key)
    par = peer.discovery["pushed_authorization_request_endpoint"]
    token_endpoint = peer.discovery["token_endpoint"]
    with _session(peer, driver, client_id, client_key, profile="fapi2") as s:
        s.discover()
        url, state = _call(s, "push_authorization_request")
        assert set(query(url)) == {"client_id", "request_uri"}  # nothing else in the browser
        [pushed] = s.recording.to(par)
        assert pushed.form["code_challenge_method"] == "S256"
        assert pushed.form["state"] == state
        assert pushed.form["dpop_jkt"] == s.s.oauth_client.dpop.thumbprint
        callback = headless_authorize(peer, url)
        assert query(callback)["iss"] == peer.issuer  # RFC 9207, required by the profile
        token = s.fetch_token(authorization_response=callback)
        assert token["token_type"] == "DPoP"
        assert jwt_parts(token["id_token"])[0]["alg"] == "ES256"
        assert s.s.id_token_claims["sub"] == "test-user"
        info = s.userinfo()  # the bound token, with a DPoP proof, in the header
        assert info["sub"] == "test-user"
        [asked] = s.recording.to(peer.discovery["userinfo_endpoint"])
        assert asked.headers["authorization"].startswith("DPoP ")
        assert asked.headers["dpop"]
        assert "access_token" not in asked.url
        refreshed = s.refresh_token(None)
        assert refreshed["token_type"] == "DPoP"
        assert refreshed["access_token"] != token["access_token"]
        _assertions(s, token_endpoint, peer)
        _assertions(s, par, peer)


def test_a_fapi2_message_signing_login(
    peer: OidcProviderPeer, driver: str, client_key: dict[str, Any]
) -> None:
    client_id = _register(
        peer,
        client_key,
        request_object_signing_alg="ES256",
        authorization_signed_response_alg="ES256",
        introspection_signed_response_alg="ES256",
    )
    par = peer.discovery["pushed_authorization_request_endpoint"]
    introspection = peer.discovery["introspection_endpoint"]
    with _session(peer, driver, client_id, client_key, profile="fapi2-message-signing") as s:
        s.discover()
        url, state = _call(s, "push_authorization_request")
        assert set(query(url)) == {"client_id", "request_uri"}
        [pushed] = s.recording.to(par)
        assert {"client_id", "request"} <= set(pushed.form)
        assert "state" not in pushed.form  # every parameter inside the signed request object
        header, claims = jwt_parts(pushed.form["request"])
        assert header["alg"] == "ES256"
        assert header["typ"] == "oauth-authz-req+jwt"
        assert claims["aud"] == peer.issuer
        assert claims["state"] == state
        assert claims["response_mode"] == "jwt"
        assert claims["nbf"] <= claims["iat"] < claims["exp"] <= claims["nbf"] + 3600
        callback = headless_authorize(peer, url)
        assert set(query(callback)) == {"response"}  # JARM: code, state and iss signed
        response_header, response = jwt_parts(query(callback)["response"])
        assert response_header["alg"] == "ES256"
        assert response["iss"] == peer.issuer
        token = s.fetch_token(authorization_response=callback)
        assert token["token_type"] == "DPoP"
        info = _call(s, "introspect_token")  # a signed JWT answer, verified (RFC 9701)
        assert isinstance(info, oauthkit.Introspection)
        assert info.active is True
        assert info.client_id == client_id
        sent = s.recording.to(introspection)[-1]
        assert sent.headers["accept"] == "application/token-introspection+jwt"
        _assertions(s, introspection, peer)
        with pytest.raises(oauthkit.UsageError, match=r"FAPI 2\.0 Message Signing"):
            _call(s, "introspect_token", jwt=False)
        refreshed = s.refresh_token(None)
        assert refreshed["token_type"] == "DPoP"


def test_an_rs256_id_token_is_refused_under_fapi2(
    peer: OidcProviderPeer, driver: str, client_key: dict[str, Any]
) -> None:
    """The server signs the ID token with RS256 (as this client registered): the profile's
    allow-list (PS256, ES256, EdDSA) refuses it, and no token is kept."""
    client_id = _register(peer, client_key, id_token_signed_response_alg="RS256")
    with _session(peer, driver, client_id, client_key, profile="fapi2") as s:
        s.discover()
        url, _ = _call(s, "push_authorization_request")
        callback = headless_authorize(peer, url)
        with pytest.raises(Exception) as refused:
            s.fetch_token(authorization_response=callback)
        assert issubclass(oauthkit_class(refused.value), oidc.IDTokenError)
        assert "FAPI 2.0" in str(refused.value)
        assert "RS256" in str(refused.value)
        assert s.token == {}


def test_a_plain_callback_is_refused_under_message_signing(
    peer: OidcProviderPeer, driver: str, client_key: dict[str, Any]
) -> None:
    """A callback without the signed ``response`` (an attacker's, or a downgraded server's)
    is refused before any exchange."""
    client_id = _register(peer, client_key, authorization_signed_response_alg="ES256")
    token_endpoint = peer.discovery["token_endpoint"]
    with _session(peer, driver, client_id, client_key, profile="fapi2-message-signing") as s:
        s.discover()
        _, state = _call(s, "push_authorization_request")
        forged = f"{peer.url('/cb')}?code=forged&state={state}&iss={peer.issuer}"
        with pytest.raises(oauthkit.JARMError):
            s.fetch_token(authorization_response=forged)
        assert s.recording.to(token_endpoint) == []


def test_a_fapi2_login_over_mutual_tls(mtls_peer: MtlsPeer, driver: str) -> None:
    """The other FAPI 2.0 shape: the client certificate authenticates (``tls_client_auth``)
    and binds the tokens (RFC 8705); PAR, the token, UserInfo and the refresh all go to the
    ``mtls_endpoint_aliases``."""
    from cryptography import x509

    peer = mtls_peer.peer
    subject = x509.load_pem_x509_certificate(Path(mtls_peer.client[0]).read_bytes()).subject
    metadata = {
        "client_name": "fapi2-mtls-client",
        "redirect_uris": [peer.url("/cb")],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": subject.rfc4514_string(),
        "tls_client_certificate_bound_access_tokens": True,
        "id_token_signed_response_alg": "ES256",
    }
    with open_mtls_session(
        "requests", client_id="registrar", issuer=peer.issuer, verify=mtls_peer.ca
    ) as registrar:
        client_id = registrar.s.register_client(metadata).client_id
    with open_mtls_session(
        driver,
        client_id=client_id,
        client_auth=oauthkit.client_auth_for("tls_client_auth", client_id),
        cert=oauthkit.ClientCertificate(*mtls_peer.client),
        verify=mtls_peer.ca,
        issuer=peer.issuer,
        redirect_uri=peer.url("/cb"),
        scope=["openid"],
        pkce="S256",
        profile="fapi2",
    ) as s:
        s.discover()
        url, _ = _call(s, "push_authorization_request")
        assert set(query(url)) == {"client_id", "request_uri"}
        assert s.recording.to(peer.url("/mtls/request"))  # PAR at the alias
        callback = headless_authorize_tls(mtls_peer, url)
        assert query(callback)["iss"] == peer.issuer
        token = s.fetch_token(authorization_response=callback)
        assert jwt_parts(token["id_token"])[0]["alg"] == "ES256"
        assert s.recording.to(peer.url("/mtls/token"))
        assert s.userinfo()["sub"] == "test-user"  # the bound token over the certificate
        [asked] = s.recording.to(peer.url("/mtls/me"))
        assert asked.headers["authorization"].startswith("Bearer ")
        refreshed: dict[str, Any] = s._call(s.s.refresh_token)
        assert refreshed["access_token"] != token["access_token"]
        assert len(s.recording.to(peer.url("/mtls/token"))) == 2
        info = _call(s, "introspect_token")
        assert "x5t#S256" in info.extra["cnf"]
