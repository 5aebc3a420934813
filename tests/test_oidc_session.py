"""What ``issuer=`` changes on a session, and what it leaves alone.

* every endpoint the caller does not pass comes from the issuer's metadata (revocation,
  introspection, refresh), on every driver;
* the async client refuses to guess: ``authorization_url()`` without a URL needs ``await
  discover()`` first;
* a session without an issuer stays requests-oauthlib's: an ``id_token`` in a response is
  kept as it came, unvalidated, exactly as before.
"""

from __future__ import annotations

import anyio
import pytest

import oauthkit
import oauthkit.httpx as okhttpx
from oauthkit import oidc
from tests._drivers2 import DRIVERS, headless_authorize, open_session
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer, client_secret


def _session(driver: str, peer: OidcProviderPeer, **kw: object):  # type: ignore[no-untyped-def]
    return open_session(
        driver,
        client_id="basic-client",
        redirect_uri=peer.url("/cb"),
        scope=["openid", "offline_access"],
        issuer=peer.issuer,
        **kw,
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_endpoints_default_to_the_discovered_ones(oidc_peer: OidcProviderPeer, driver: str) -> None:
    secret = client_secret("basic-client")
    with _session(driver, oidc_peer) as s:
        s.discover()
        url, _ = s.authorization_url(prompt="consent")
        s.fetch_token(
            authorization_response=headless_authorize(oidc_peer, url), client_secret=secret
        )
        first = s.token
        assert s.auto_refresh_url == oidc_peer.discovery["token_endpoint"]
        refreshed = s._call(s.s.refresh_token)
        assert refreshed["access_token"] != first["access_token"]
        assert s.id_token_claims is not None
        assert s.id_token_claims.subject == "test-user"
        about = s._call(s.s.introspect_token)
        assert about.active is True
        s._call(s.s.revoke_token)
        assert s.token == {}
        endpoints = {sent.endpoint for sent in s.recording.sent}
        assert oidc_peer.discovery["introspection_endpoint"] in endpoints
        assert oidc_peer.discovery["revocation_endpoint"] in endpoints


def test_async_authorization_url_needs_discover_first(oidc_peer: OidcProviderPeer) -> None:
    issuer = oidc_peer.issuer
    provider = oidc.Provider(issuer)  # private cache: not loaded by other tests
    rp = oidc.RelyingParty(provider, "basic-client")

    async def main() -> tuple[str, str]:
        async with okhttpx.AsyncOAuth2Client(
            "basic-client", redirect_uri=oidc_peer.url("/cb"), scope="openid", relying_party=rp
        ) as client:
            with pytest.raises(oauthkit.UsageError, match="discover"):
                client.authorization_url()
            metadata = await client.discover()
            assert metadata.issuer == issuer
            return client.authorization_url()

    url, state = anyio.run(main)
    assert url.startswith(oidc_peer.discovery["authorization_endpoint"])
    assert f"state={state}" in url
    assert "nonce=" in url


@pytest.mark.parametrize("driver", DRIVERS)
def test_without_an_issuer_an_id_token_is_kept_unvalidated(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    with open_session(
        driver,
        client_id="basic-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope="openid",
        state="fixed-state",
    ) as s:
        url, _ = s.authorization_url(oidc_peer.discovery["authorization_endpoint"])
        token = s.fetch_token(
            oidc_peer.discovery["token_endpoint"],
            authorization_response=headless_authorize(oidc_peer, url),
            client_secret=client_secret("basic-client"),
        )
        assert token["id_token"].count(".") == 2
        assert s.id_token_claims is None
        assert s.s.relying_party is None
        requested = {sent.endpoint for sent in s.recording.sent}
        assert oidc_peer.discovery["jwks_uri"] not in requested


def test_the_callback_must_carry_iss_when_the_provider_says_so(oidc_peer: OidcProviderPeer) -> None:
    # oidc-provider announces authorization_response_iss_parameter_supported (RFC 9207 §3):
    # a callback without iss is then refused before the code is used.
    with _session("requests", oidc_peer) as s:
        metadata = s.discover()
        assert metadata.authorization_response_iss_parameter_supported
        url, _ = s.authorization_url()
        callback = headless_authorize(oidc_peer, url)
        stripped = "&".join(p for p in callback.split("&") if not p.startswith("iss="))
        with pytest.raises(oauthkit.IssuerMismatchError):
            s.fetch_token(
                authorization_response=stripped, client_secret=client_secret("basic-client")
            )
        assert s.token == {}
