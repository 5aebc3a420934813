"""Logging out against oidc-provider, on every driver: RP-Initiated Logout 1.0 end to end (the
user's browser follows ``end_session_url()`` and confirms), and Back-Channel Logout 1.0 (the
provider POSTs a logout token to the client's loopback route, which the session validates once).
"""

from __future__ import annotations

import pytest

from oauthkit import oidc
from tests._drivers2 import DRIVERS, open_session
from tests._oidc_agent import Browser, backchannel_receiver, login, register
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer


def _session(driver: str, peer: OidcProviderPeer, client_id: str):
    return open_session(
        driver,
        client_id=client_id,
        redirect_uri=peer.url("/cb"),
        scope=["openid"],
        issuer=peer.issuer,
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_rp_initiated_logout_ends_the_session_at_the_provider(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    secret = client_secret("basic-client")
    with Browser(oidc_peer) as browser:
        with _session(driver, oidc_peer, "basic-client") as s:
            login(s, browser, secret)
            assert browser.interactions == 2  # login, then consent
            url = s.end_session_url(
                post_logout_redirect_uri=oidc_peer.url("/logged-out"), state="bye"
            )
        with _session(driver, oidc_peer, "basic-client") as again:
            login(again, browser, secret)
            assert browser.interactions == 0  # the provider's session is still there
        landed = browser.logout(url)
        assert landed.status_code == 200
        assert landed.url.path == "/logged-out"
        assert landed.json()["query"] == {"state": "bye"}
        with _session(driver, oidc_peer, "basic-client") as after:
            login(after, browser, secret)
            assert browser.interactions == 2  # logged out and the grant revoked: both again
            assert after.id_token_claims.subject == "test-user"


@pytest.mark.parametrize("driver", DRIVERS)
def test_backchannel_logout_token_validates_once(oidc_peer: OidcProviderPeer, driver: str) -> None:
    with backchannel_receiver() as rp_routes:
        client = register(
            oidc_peer,
            backchannel_logout_uri=rp_routes.url("/backchannel-logout"),
            backchannel_logout_session_required=True,
        )
        with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client["client_id"]) as s:
            login(s, browser, client["client_secret"])
            sid = s.id_token_claims["sid"]
            assert rp_routes.hits == []
            confirmed = browser.logout(s.end_session_url())
            assert confirmed.status_code == 200
            assert confirmed.json()["result"] == "logged_out"
            (hit,) = rp_routes.to("/backchannel-logout")
            assert hit.method == "POST"
            assert hit.headers["content-type"] == "application/x-www-form-urlencoded"
            logout_token = hit.form["logout_token"]

            claims = s.validate_logout_token(logout_token)
            assert claims.subject == "test-user"
            assert claims["sid"] == sid
            assert claims.issuer == oidc_peer.issuer
            assert claims.audience == (client["client_id"],)
            assert claims.header["typ"] == "logout+jwt"
            assert oidc.BACKCHANNEL_LOGOUT_EVENT in claims["events"]

            with pytest.raises(oidc.LogoutTokenError) as caught:
                s.validate_logout_token(logout_token)
            assert caught.value.check == "jti"


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_logout_token_for_another_client_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    with backchannel_receiver() as rp_routes:
        client = register(oidc_peer, backchannel_logout_uri=rp_routes.url("/backchannel-logout"))
        with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client["client_id"]) as s:
            login(s, browser, client["client_secret"])
            browser.logout(s.end_session_url())
        (hit,) = rp_routes.to("/backchannel-logout")
        # a genuine token of the peer, offered to a session of another client
        with _session(driver, oidc_peer, "basic-client") as other:
            with pytest.raises(oidc.LogoutTokenError) as caught:
                other.validate_logout_token(hit.form["logout_token"])
            assert caught.value.check == "aud"


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_logout_token_replayed_to_another_session_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    with backchannel_receiver() as rp_routes:
        client = register(oidc_peer, backchannel_logout_uri=rp_routes.url("/backchannel-logout"))
        with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client["client_id"]) as s:
            login(s, browser, client["client_secret"])
            browser.logout(s.end_session_url())
        (hit,) = rp_routes.to("/backchannel-logout")
    # a web app's back-channel route builds a session per request: the replay window is the
    # process's (per issuer), not the session's
    with _session(driver, oidc_peer, client["client_id"]) as route:
        assert route.validate_logout_token(hit.form["logout_token"]).subject == "test-user"
    with _session(driver, oidc_peer, client["client_id"]) as replayed:
        with pytest.raises(oidc.LogoutTokenError) as caught:
            replayed.validate_logout_token(hit.form["logout_token"])
        assert caught.value.check == "jti"
