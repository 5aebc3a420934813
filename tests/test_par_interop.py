"""PAR (RFC 9126), JAR (RFC 9101), RAR (RFC 9396) and resource indicators (RFC 8707) against
oidc-provider, on every driver.

oidc-provider (tests/peers) serves a ``pushed_authorization_request_endpoint``, accepts signed
request objects from clients whose keys it knows (``pkjwt-client``'s registered ``jwks``, or a
confidential client's secret for HS256), grants the RFC 9396 types ``payment_initiation``,
``account_information`` and ``peer_test``, and issues ES256 JWT access tokens whose ``aud``
is the resource indicator. Started with ``PAR_REQUIRED=1`` its metadata says
``require_pushed_authorization_requests`` and it refuses any authorization request that was not
pushed.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Driver, Sent, headless_authorize, open_session
from tests._peek import jwt_parts, query
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

API = "https://api.peer.test/payments"
DETAILS = [{"type": "account_information", "actions": ["read"], "locations": [API]}]


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _push(s: Driver, **kw: Any) -> tuple[str, str]:
    """``push_authorization_request()``: blocking, or awaited on the async client."""
    result: tuple[str, str] = s._call(s.s.push_authorization_request, **kw)
    return result


def _secret_auth(peer: OidcProviderPeer) -> oauthkit.ClientAuth:
    return oauthkit.ClientSecretBasic("basic-client", peer.client_secret("basic-client"))


def _pkjwt_auth(peer: OidcProviderPeer) -> oauthkit.ClientAuth:
    key = json.loads(peer.pkjwt_ec_key_path.read_text())
    return oauthkit.PrivateKeyJwt("pkjwt-client", key)


def _session(peer: OidcProviderPeer, driver: str, client_id: str, **kw: Any) -> Any:
    kw.setdefault("scope", ["openid", "offline_access"])
    return open_session(
        driver,
        client_id=client_id,
        redirect_uri=peer.url("/cb"),
        issuer=peer.issuer,
        **kw,
    )


def _pushed(s: Driver, peer: OidcProviderPeer) -> Sent:
    [sent] = s.recording.to(peer.discovery["pushed_authorization_request_endpoint"])
    return sent


def _login(s: Driver, peer: OidcProviderPeer, url: str, **fetch: Any) -> dict[str, Any]:
    callback = headless_authorize(peer, url)
    return s.fetch_token(authorization_response=callback, **fetch)


def test_par_login_from_code_to_token(oidc_peer: OidcProviderPeer, driver: str) -> None:
    with _session(oidc_peer, driver, "public-client", pkce="S256", par=True) as s:
        s.discover()
        url, state = _push(s)
        assert query(url) == {
            "client_id": "public-client",
            "request_uri": query(url)["request_uri"],
        }
        assert query(url)["request_uri"].startswith("urn:ietf:params:oauth:request_uri:")
        pushed = _pushed(s, oidc_peer).form
        assert pushed["state"] == state  # state, PKCE and nonce went by the back channel
        assert pushed["code_challenge_method"] == "S256"
        assert pushed["nonce"] == s.s.nonce
        assert pushed["client_id"] == "public-client"
        callback = headless_authorize(oidc_peer, url)
        assert query(callback)["state"] == state
        forged = callback.replace(f"state={state}", "state=forged")
        with pytest.raises(oauthkit.StateMismatchError):  # checked as without PAR
            s.fetch_token(authorization_response=forged, include_client_id=True)
        token = s.fetch_token(authorization_response=callback, include_client_id=True)
        assert token["access_token"]
        assert s.id_token_claims is not None  # the nonce kept by the session was checked
        exchange = s.recording.to(oidc_peer.discovery["token_endpoint"])[-1]
        verifier = exchange.form["code_verifier"]
        assert oauthkit.code_challenge(verifier, "S256") == pushed["code_challenge"]


def test_a_session_with_par_pushes_from_authorization_url(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    auth = _secret_auth(oidc_peer)
    with _session(oidc_peer, driver, "basic-client", client_auth=auth, par=True) as s:
        s.discover()
        if driver == "httpx-async":
            with pytest.raises(oauthkit.UsageError, match="push_authorization_request"):
                s.authorization_url()
            url, _ = _push(s)
        else:
            url, _ = s.authorization_url()
        assert set(query(url)) == {"client_id", "request_uri"}
        pushed = _pushed(s, oidc_peer)
        assert pushed.headers["authorization"].startswith("Basic ")  # as at the token endpoint
        assert _login(s, oidc_peer, url)["id_token"]


def test_par_required_by_the_metadata(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str
) -> None:
    peer = oidc_peer_factory(PAR_REQUIRED=1)
    with _session(peer, driver, "public-client", pkce="S256") as s:
        metadata = s.discover()
        assert metadata.require_pushed_authorization_requests
        if driver == "httpx-async":
            with pytest.raises(oauthkit.UsageError, match="RFC 9126"):
                s.authorization_url()
            url, _ = _push(s)
        else:
            url, _ = s.authorization_url()  # pushed without being asked to
        assert set(query(url)) == {"client_id", "request_uri"}
        assert _login(s, peer, url, include_client_id=True)["access_token"]
    # the peer does refuse a request in the URL: the push was needed
    plain, _ = oauthkit.build_authorization_url(
        peer.discovery["authorization_endpoint"],
        client_id="public-client",
        redirect_uri=peer.url("/cb"),
        scope="openid",
    )
    with httpx.Client(trust_env=False, follow_redirects=True) as http:
        refused = http.get(plain)
    assert refused.json()["query"]["error"] == "invalid_request"
    assert (
        refused.json()["query"]["error_description"] == "Pushed Authorization Request must be used"
    )


def test_par_with_dpop_binds_the_code_and_retries_for_a_nonce(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str
) -> None:
    peer = oidc_peer_factory(DPOP_REQUIRE_NONCE=1)
    key = oauthkit.DPoPKey.generate()
    endpoint = peer.discovery["pushed_authorization_request_endpoint"]
    with _session(peer, driver, "dpop-client", pkce="S256", dpop=key, par=True) as s:
        s.discover()
        url, _ = _push(s)
        refused, accepted = s.recording.to(endpoint)  # use_dpop_nonce, then once more (§8)
        for sent in (refused, accepted):
            header, claims = jwt_parts(sent.headers["dpop"])
            assert header["typ"] == "dpop+jwt"
            assert claims["htu"] == endpoint
            assert claims["htm"] == "POST"
            assert sent.form["dpop_jkt"] == key.thumbprint  # RFC 9449 §10.1
        assert "nonce" not in jwt_parts(refused.headers["dpop"])[1]
        assert jwt_parts(accepted.headers["dpop"])[1]["nonce"]
        token = _login(s, peer, url, include_client_id=True)
        assert token["token_type"] == "DPoP"


def test_jar_by_value(oidc_peer: OidcProviderPeer, driver: str) -> None:
    auth = _pkjwt_auth(oidc_peer)
    with _session(oidc_peer, driver, "pkjwt-client", client_auth=auth, request_object=True) as s:
        s.discover()
        url, state = s.authorization_url()
        sent = query(url)
        assert set(sent) == {"client_id", "request"}
        header, claims = jwt_parts(sent["request"])
        assert header["typ"] == "oauth-authz-req+jwt"
        assert header["alg"] == "ES256"
        assert header["kid"] == "pkjwt-es256"
        assert claims["iss"] == claims["client_id"] == "pkjwt-client"
        assert claims["aud"] == oidc_peer.issuer
        assert claims["state"] == state
        assert claims["nbf"] == claims["iat"] < claims["exp"] <= claims["iat"] + 60
        assert claims["jti"]
        token = _login(s, oidc_peer, url)
        assert token["id_token"]
        assert s.id_token_claims is not None


def test_jar_through_par_with_the_client_secret(oidc_peer: OidcProviderPeer, driver: str) -> None:
    auth = _secret_auth(oidc_peer)
    with _session(
        oidc_peer, driver, "basic-client", client_auth=auth, par=True, request_object=True
    ) as s:
        s.discover()
        url, state = _push(s)
        pushed = _pushed(s, oidc_peer).form
        assert set(pushed) == {"client_id", "request"}  # RFC 9126 §3: everything signed
        header, claims = jwt_parts(pushed["request"])
        assert header == {"alg": "HS256", "typ": "oauth-authz-req+jwt"}
        assert claims["state"] == state
        assert _login(s, oidc_peer, url)["id_token"]


def test_rar_types_are_granted_and_on_the_token(oidc_peer: OidcProviderPeer, driver: str) -> None:
    auth = _secret_auth(oidc_peer)
    with _session(oidc_peer, driver, "basic-client", client_auth=auth, par=True) as s:
        s.discover()
        url, _ = _push(s, authorization_details=DETAILS)
        assert json.loads(_pushed(s, oidc_peer).form["authorization_details"]) == DETAILS
        token = _login(s, oidc_peer, url)
        assert token["authorization_details"] == DETAILS
        granted = s.oauth_client.token.authorization_details
        assert granted is not None
        assert [dict(item) for item in granted] == DETAILS
        assert granted[0]["type"] == "account_information"


def test_a_resource_indicator_sets_the_access_token_audience(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    auth = _secret_auth(oidc_peer)
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with _session(oidc_peer, driver, "basic-client", client_auth=auth, par=True) as s:
        s.discover()
        url, _ = _push(s, resource=API)
        assert _pushed(s, oidc_peer).form["resource"] == API
        token = _login(s, oidc_peer, url, resource=API)
        assert s.recording.to(token_endpoint)[-1].form["resource"] == API
        header, claims = jwt_parts(token["access_token"])
        assert header["typ"] == "at+jwt"
        assert claims["aud"] == API
        refreshed = s.refresh_token(token_endpoint, resource=API)  # RFC 8707 §2.2
        assert s.recording.to(token_endpoint)[-1].form["resource"] == API
        assert jwt_parts(refreshed["access_token"])[1]["aud"] == API


def test_the_peer_refuses_a_tampered_request_object(oidc_peer: OidcProviderPeer) -> None:
    auth = _pkjwt_auth(oidc_peer)
    with _session(
        oidc_peer, "requests", "pkjwt-client", client_auth=auth, request_object=True
    ) as s:
        s.discover()
        url, _ = s.authorization_url()
    head, payload, _signature = query(url)["request"].split(".")
    claims = jwt_parts(f"{head}.{payload}")[1]
    claims["redirect_uri"] = "https://attacker.example/cb"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    tampered = url.replace(payload, forged)
    with httpx.Client(trust_env=False, follow_redirects=True) as http:
        answer = http.get(tampered)
    assert "attacker.example" not in str(answer.url)
    assert "invalid_request_object" in answer.text


def test_par_to_a_given_endpoint_without_an_issuer(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    endpoint = oidc_peer.discovery["pushed_authorization_request_endpoint"]
    authorize = oidc_peer.discovery["authorization_endpoint"]
    with open_session(
        driver,
        client_id="public-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope=["openid"],
        pkce="S256",
        par=endpoint,
    ) as s:
        if driver == "httpx-async":
            url, state = _push(s, url=authorize)
        else:
            url, state = s.authorization_url(authorize)
        assert set(query(url)) == {"client_id", "request_uri"}
        assert s.recording.to(endpoint)[0].form["state"] == state
        token = s.fetch_token(
            oidc_peer.discovery["token_endpoint"],
            authorization_response=headless_authorize(oidc_peer, url),
            include_client_id=True,
        )
        assert token["access_token"]


def test_a_signed_request_pushed_and_a_signed_response(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    """PAR, JAR and JARM together (the FAPI 2.0 Message Signing shape): a request object pushed
    with private_key_jwt, and the response a JWT the session verifies before the exchange."""
    auth = _pkjwt_auth(oidc_peer)
    with _session(
        oidc_peer, driver, "pkjwt-client", client_auth=auth, par=True, request_object=True
    ) as s:
        s.discover()
        url, state = _push(s, response_mode="query.jwt")
        header, claims = jwt_parts(_pushed(s, oidc_peer).form["request"])
        assert header["alg"] == "ES256"
        assert claims["response_mode"] == "query.jwt"
        callback = headless_authorize(oidc_peer, url)
        assert set(query(callback)) == {"response"}  # code and state signed by the peer
        assert jwt_parts(query(callback)["response"])[1]["state"] == state
        token = s.fetch_token(authorization_response=callback)
        assert token["id_token"]
        assert s.id_token_claims is not None
