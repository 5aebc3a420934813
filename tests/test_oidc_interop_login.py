"""Logins and refreshes against oidc-provider, on every driver: the OpenID Connect parameters of
the authorization request (``claims`` with an essential ``acr``, ``prompt``, ``login_hint``,
``ui_locales``) and a refresh whose new ID token is checked against the previous one (OIDC
Core §12.2).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from oauthkit import oidc
from tests._drivers2 import DRIVERS, open_session
from tests._oidc_agent import Browser, login, register
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

ACR = "urn:peer:acr:auto"  # the only acr the peer's automatic login produces
ESSENTIAL_ACR = {"id_token": {"acr": {"essential": True, "values": [ACR]}}}


def _session(driver: str, peer: OidcProviderPeer, client_id: str, scope: list[str]):
    return open_session(
        driver,
        client_id=client_id,
        redirect_uri=peer.url("/cb"),
        scope=scope,
        issuer=peer.issuer,
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_refresh_validates_the_new_id_token_against_the_previous(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer)
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    scope = ["openid", "offline_access"]
    with (
        Browser(oidc_peer) as browser,
        _session(driver, oidc_peer, client["client_id"], scope) as s,
    ):
        first = login(s, browser, client["client_secret"])
        assert first["refresh_token"]
        before = s.id_token_claims
        refreshed = s.refresh_token(None)  # the discovered token endpoint
        assert refreshed["id_token"]
        assert refreshed["refresh_token"] != first["refresh_token"]  # the peer rotates
        (sent,) = [
            r
            for r in s.recording.to(token_endpoint)
            if r.form["grant_type"] != "authorization_code"
        ]
        assert sent.form == {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        after = s.id_token_claims
        assert after is not before  # validated and taken
        assert after.subject == before.subject
        assert after.issuer == before.issuer
        assert after.audience == before.audience

        # the same check refuses a refreshed ID token about someone else (§12.2): pretend the
        # session had logged in another user, then refresh for real
        s.s.relying_party.claims = oidc.IDTokenClaims({**after.claims, "sub": "someone-else"})
        with pytest.raises(oidc.IDTokenSubjectError) as caught:
            s.refresh_token(token_endpoint)
        assert caught.value.check == "sub"
        # nothing of the refused response was kept
        assert s.token["access_token"] == refreshed["access_token"]
        assert s.token["refresh_token"] == refreshed["refresh_token"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_claims_login_hint_and_ui_locales_are_sent_and_honoured(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer)
    with (
        Browser(oidc_peer) as browser,
        _session(driver, oidc_peer, client["client_id"], ["openid"]) as s,
    ):
        s.discover()
        url, _ = s.authorization_url(
            claims=ESSENTIAL_ACR, login_hint="alice", ui_locales=["fr-CA", "en"]
        )
        query = parse_qs(urlsplit(url).query)
        assert json.loads(query["claims"][0]) == ESSENTIAL_ACR
        assert query["login_hint"] == ["alice"]
        assert query["ui_locales"] == ["fr-CA en"]
        assert s.s.relying_party.login_acr == (ACR,)  # what the ID token must then carry
        callback = browser.authorize(url)
        s.fetch_token(authorization_response=callback, client_secret=client["client_secret"])
        claims = s.id_token_claims
        assert claims.subject == "alice"  # the peer signs in the login_hint
        assert claims["acr"] == ACR  # essential: requested, returned, checked


@pytest.mark.parametrize("driver", DRIVERS)
def test_prompt_login_makes_a_signed_in_user_authenticate_again(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer)
    secret = client["client_secret"]
    with Browser(oidc_peer) as browser:
        with _session(driver, oidc_peer, client["client_id"], ["openid"]) as s:
            login(s, browser, secret, login_hint="alice")
            assert browser.interactions == 2  # login and consent
        with _session(driver, oidc_peer, client["client_id"], ["openid"]) as s:
            login(s, browser, secret)
            assert browser.interactions == 0  # signed in and consented: straight back
            assert "auth_time" not in s.id_token_claims
        with _session(driver, oidc_peer, client["client_id"], ["openid"]) as s:
            url, _ = s.authorization_url(prompt="login", login_hint="alice")
            assert parse_qs(urlsplit(url).query)["prompt"] == ["login"]
            callback = browser.authorize(url)
            assert browser.interactions == 1  # the login page again, not the consent
            s.fetch_token(authorization_response=callback, client_secret=secret)
            assert s.id_token_claims.subject == "alice"
            assert s.id_token_claims.auth_time is not None  # a fresh authentication
