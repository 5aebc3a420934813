"""The device flow (RFC 8628) meets OpenID Connect and DPoP, against oidc-provider.

* With ``issuer=``, the ID token of a device grant is validated before the token is kept,
  like a login's (and its endpoints come from discovery).
* With ``dpop=``, every poll carries a fresh proof, and the ``use_dpop_nonce`` refusal of a
  provider that requires nonces teaches the nonce the next poll sends (RFC 9449 §8); the token
  is DPoP-bound.
"""

from __future__ import annotations

import json
from base64 import urlsafe_b64decode
from collections.abc import Callable
from typing import Any

import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Driver, approve_device, open_session
from tests.peers.fixtures import fixture_oidc_peer, fixture_oidc_peer_factory  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer


def _approving(peer: OidcProviderPeer, user_code: str) -> Callable[[float], None]:
    naps: list[float] = []

    def sleep(seconds: float) -> None:  # no real waiting: the user approves during nap two
        naps.append(seconds)
        if len(naps) == 2:
            approve_device(peer, user_code)

    return sleep


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_device_grant_id_token_is_validated(oidc_peer: OidcProviderPeer, driver: str) -> None:
    with open_session(
        driver, client_id="public-client", scope=["openid"], issuer=oidc_peer.issuer
    ) as s:
        s.discover()
        authorization = s._call(s.s.fetch_device_authorization)  # the discovered endpoint
        token = s.poll_device_token(
            authorization,
            oidc_peer.discovery["token_endpoint"],
            sleep=_approving(oidc_peer, authorization.user_code),
        )
        assert token["id_token"]
        claims = s.id_token_claims
        assert claims is not None
        assert claims.subject == "test-user"
        assert claims.audience == ("public-client",)


def _proof(headers: dict[str, str]) -> dict[str, Any]:
    payload = headers["dpop"].split(".")[1]
    claims: dict[str, Any] = json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


@pytest.mark.parametrize("driver", DRIVERS)
def test_device_polls_carry_proofs_and_learn_the_nonce(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str
) -> None:
    peer = oidc_peer_factory(DPOP_REQUIRE_NONCE=1)
    endpoint = peer.discovery["token_endpoint"]
    key = oauthkit.DPoPKey.generate()
    s: Driver
    with open_session(driver, client_id="dpop-client", scope=["openid"], dpop=key) as s:
        authorization = s.fetch_device_authorization(
            peer.discovery["device_authorization_endpoint"]
        )
        token = s.poll_device_token(
            authorization, endpoint, sleep=_approving(peer, authorization.user_code)
        )
        assert token["token_type"].lower() == "dpop"
        polls = s.recording.to(endpoint)
        assert len(polls) >= 2
        proofs = [_proof(sent.headers) for sent in polls]
        assert "nonce" not in proofs[0]  # the first poll knows no nonce and is refused for it
        assert all("nonce" in proof for proof in proofs[1:])
        assert len({proof["jti"] for proof in proofs}) == len(proofs)  # a fresh proof each
        assert all(proof["htu"] == endpoint and proof["htm"] == "POST" for proof in proofs)


@pytest.mark.parametrize("driver", DRIVERS)
def test_an_oidc_login_with_dpop_reads_userinfo_with_a_proof(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str
) -> None:
    """``userinfo()`` of an OpenID Connect session sends a DPoP-bound token as the token type
    requires: ``Authorization: DPoP`` and a proof with ``ath``, retried once after the
    resource server's nonce challenge (RFC 9449 §9)."""
    from tests._drivers2 import headless_authorize

    peer = oidc_peer_factory(DPOP_REQUIRE_NONCE=1)
    key = oauthkit.DPoPKey.generate()
    with open_session(
        driver,
        client_id="dpop-client",
        redirect_uri=peer.url("/cb"),
        scope=["openid"],
        issuer=peer.issuer,
        pkce="S256",
        dpop=key,
    ) as s:
        s.discover()
        url, _ = s.authorization_url()
        token = s.fetch_token(
            authorization_response=headless_authorize(peer, url), include_client_id=True
        )
        assert token["token_type"] == "DPoP"
        assert s.id_token_claims is not None
        s.oauth_client.dpop_nonces = oauthkit.DPoPNonces()  # a fresh process knows no nonce
        info = s.userinfo()
        assert info["sub"] == s.id_token_claims.subject
        first, second = s.recording.to(peer.discovery["userinfo_endpoint"])
        assert first.headers["authorization"].startswith("DPoP ")
        assert "nonce" not in _proof(first.headers)
        assert _proof(second.headers)["nonce"]
        assert _proof(second.headers)["ath"]
