"""DPoP (RFC 9449) against oidc-provider's ``dpop-client``, through every driver.

oidc-provider (tests/peers) binds every token of ``dpop-client`` to the key of the proof that
came with the code exchange, checks ``dpop_jkt`` against it, and accepts DPoP-bound tokens at
its UserInfo endpoint (``Authorization: DPoP`` with a proof carrying ``ath``). Started with
``DPOP_REQUIRE_NONCE=1`` it refuses every proof without its nonce, at the token endpoint
(``400 use_dpop_nonce``) and at UserInfo (``401`` with a ``DPoP`` challenge).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Driver, Sent, headless_authorize, open_session
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

SCOPE = ["openid", "offline_access"]


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def key() -> oauthkit.DPoPKey:
    return oauthkit.DPoPKey.generate()


def _claims(sent: Sent) -> dict[str, Any]:
    proof = sent.headers["dpop"]
    header = json.loads(base64.urlsafe_b64decode(proof.split(".", maxsplit=1)[0] + "=="))
    assert header["typ"] == "dpop+jwt"
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(proof.split(".")[1] + "=="))
    return claims


def _ath(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _session(peer: OidcProviderPeer, driver: str, key: oauthkit.DPoPKey) -> Any:
    return open_session(
        driver,
        client_id="dpop-client",
        redirect_uri=peer.url("/cb"),
        scope=SCOPE,
        pkce="S256",
        dpop=key,
        auto_refresh_url=peer.discovery["token_endpoint"],
    )


def _code_flow(s: Driver, peer: OidcProviderPeer, key: oauthkit.DPoPKey) -> dict[str, Any]:
    url, _ = s.authorization_url(peer.discovery["authorization_endpoint"])
    assert dict(parse_qsl(urlsplit(url).query))["dpop_jkt"] == key.thumbprint  # RFC 9449 §10
    callback = headless_authorize(peer, url)
    return s.fetch_token(
        peer.discovery["token_endpoint"], authorization_response=callback, include_client_id=True
    )


def _userinfo(s: Driver, peer: OidcProviderPeer) -> list[Sent]:
    endpoint = peer.discovery["userinfo_endpoint"]
    before = len(s.recording.to(endpoint))
    reply = s.get(endpoint)
    assert reply.status_code == 200, reply.text
    assert reply.json()["sub"] == "test-user"
    sent = s.recording.to(endpoint)[before:]
    last = sent[-1]
    assert last.headers["authorization"] == f"DPoP {s.access_token}"  # never Bearer (§7.1)
    claims = _claims(last)
    assert claims["ath"] == _ath(str(s.access_token))
    assert claims["htm"] == "GET"
    assert claims["htu"] == endpoint
    return sent


def test_code_flow_userinfo_and_refresh_with_one_key(
    oidc_peer: OidcProviderPeer, driver: str, key: oauthkit.DPoPKey
) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with _session(oidc_peer, driver, key) as s:
        token = _code_flow(s, oidc_peer, key)
        assert token["token_type"] == "DPoP"
        [exchange] = s.recording.to(token_endpoint)
        assert exchange.form["grant_type"] == "authorization_code"
        assert _claims(exchange)["htm"] == "POST"
        assert _claims(exchange)["htu"] == token_endpoint
        assert "ath" not in _claims(exchange)
        assert len(_userinfo(s, oidc_peer)) == 1

        first = s.access_token
        refreshed = s.refresh_token(token_endpoint)
        assert refreshed["token_type"] == "DPoP"
        assert s.access_token != first
        refresh = s.recording.to(token_endpoint)[-1]
        assert refresh.form["grant_type"] == "refresh_token"
        assert "dpop" in refresh.headers  # the same key: the peer refuses another for a bound token
        assert len(_userinfo(s, oidc_peer)) == 1


def test_nonces_are_fetched_once_at_the_token_endpoint_and_at_userinfo(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str, key: oauthkit.DPoPKey
) -> None:
    peer = oidc_peer_factory(DPOP_REQUIRE_NONCE=1)
    token_endpoint = peer.discovery["token_endpoint"]
    with _session(peer, driver, key) as s:
        token = _code_flow(s, peer, key)
        assert token["token_type"] == "DPoP"
        refused, accepted = s.recording.to(token_endpoint)  # one retry, with the nonce (§8)
        assert "nonce" not in _claims(refused)
        assert _claims(accepted)["nonce"]
        assert refused.form["code"] == accepted.form["code"]  # refused codes are not consumed

        # A session that knows no nonce for the resource server (a fresh process, say).
        s.oauth_client.dpop_nonces = oauthkit.DPoPNonces()
        first, second = _userinfo(s, peer)  # one retry after the DPoP challenge (§9)
        assert "nonce" not in _claims(first)
        assert _claims(second)["nonce"]

        s.refresh_token(token_endpoint)  # the nonce it holds for the origin is still good
        assert len(s.recording.to(token_endpoint)) == 3
        assert _claims(s.recording.to(token_endpoint)[-1])["nonce"]


def test_the_peer_refuses_a_bound_token_without_a_proof(
    oidc_peer: OidcProviderPeer, key: oauthkit.DPoPKey
) -> None:
    with _session(oidc_peer, "requests", key) as s:
        _code_flow(s, oidc_peer, key)
        token = s.access_token
    endpoint = oidc_peer.discovery["userinfo_endpoint"]
    with httpx.Client(trust_env=False) as http:
        as_bearer = http.get(endpoint, headers={"Authorization": f"Bearer {token}"})
        without_proof = http.get(endpoint, headers={"Authorization": f"DPoP {token}"})
    assert as_bearer.status_code in (400, 401)
    assert without_proof.status_code in (400, 401)


def test_a_bound_token_without_a_key_is_a_usage_error(
    oidc_peer: OidcProviderPeer, key: oauthkit.DPoPKey
) -> None:
    with _session(oidc_peer, "requests", key) as s:
        token = _code_flow(s, oidc_peer, key)
    with (
        open_session("requests", client_id="dpop-client", token=token) as keyless,
        pytest.raises(oauthkit.UsageError, match="DPoP"),
    ):
        keyless.get(oidc_peer.discovery["userinfo_endpoint"])
    assert not keyless.recording.sent  # nothing left the client
