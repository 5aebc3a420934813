"""A DPoP-bound token in a token store keeps its key beside it (RFC 9449 with issue #11's
stores), against oidc-provider's ``dpop-client``, on every driver.

A restarted process (a new session on the same store, with no key or another key) adopts the
stored token and its key, calls the resource server with it and refreshes it: the peer binds
the refresh token of a public client to the key, so any other key would be refused.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import oauthkit
from oauthkit.stores import SQLiteStore
from tests._drivers2 import DRIVERS, headless_authorize, open_session
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("restart_with", ["no key", "another key"])
def test_a_restarted_process_keeps_using_its_bound_token(
    oidc_peer: OidcProviderPeer, driver: str, restart_with: str, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "tokens.db", encryption_key=oauthkit_key())
    key = oauthkit.DPoPKey.generate()
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    userinfo = oidc_peer.discovery["userinfo_endpoint"]
    common = {
        "client_id": "dpop-client",
        "redirect_uri": oidc_peer.url("/cb"),
        "scope": ["openid", "offline_access"],
        "auto_refresh_url": token_endpoint,
        "token_store": store,
        "token_key": f"dpop-{driver}-{restart_with}",
    }
    with open_session(driver, pkce="S256", dpop=key, **common) as first:
        url, _ = first.authorization_url(oidc_peer.discovery["authorization_endpoint"])
        token = first.fetch_token(
            token_endpoint,
            authorization_response=headless_authorize(oidc_peer, url),
            include_client_id=True,
        )
        assert token["token_type"] == "DPoP"
    other = None if restart_with == "no key" else oauthkit.DPoPKey.generate()
    with open_session(driver, dpop=other, **common) as restarted:
        reply = restarted.get(userinfo)  # loads the token, and the key it is bound to
        assert reply.status_code == 200, reply.text
        assert restarted.oauth_client.dpop is not None
        assert restarted.oauth_client.dpop.thumbprint == key.thumbprint
        sent = restarted.recording.to(userinfo)[-1]
        assert sent.headers["authorization"].startswith("DPoP ")
        refreshed = restarted.refresh_token(token_endpoint)  # the key binds the refresh token
        assert refreshed["token_type"] == "DPoP"
        assert refreshed["access_token"] != token["access_token"]


def oauthkit_key() -> bytes:
    """A Fernet key: the stored DPoP key is a private key, kept sealed at rest."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key()


def test_a_stored_key_is_adopted_and_a_bad_one_is_a_corrupt_entry() -> None:
    """The key member of a record is adopted with its token and never reaches the caller's
    token dictionary; one that is not a private JWK is refused as corrupt, before any request
    is sent."""
    from oauthkit.requests import OAuth2Session
    from oauthkit.stores import MemoryStore
    from tests._routes import serve

    store = MemoryStore()
    bad = {"access_token": "at", "token_type": "DPoP", "oauthkit_dpop_jwk": {"kty": "oct"}}
    store.save("k", bad, version=None)
    with (
        OAuth2Session("dpop-client", token_store=store, token_key="k") as session,
        pytest.raises(oauthkit.CorruptEntryError, match="DPoP"),
    ):
        session.get("http://127.0.0.1:9/never-sent")
    good = oauthkit.DPoPKey.generate()
    record = {"access_token": "at", "token_type": "DPoP", "oauthkit_dpop_jwk": good.to_jwk()}
    store.save("k", record, version=1)
    with (
        serve({"/api": lambda hit: (200, {}, b"ok")}) as routes,
        OAuth2Session("dpop-client", token_store=store, token_key="k") as session,
    ):
        assert session.get(routes.url("/api")).status_code == 200
        [hit] = routes.to("/api")
        assert hit.headers["authorization"] == "DPoP at"
        assert session.oauth_client.dpop is not None
        assert session.oauth_client.dpop.thumbprint == good.thumbprint
        assert "oauthkit_dpop_jwk" not in session.token
