"""OpenID Connect against oidc-provider (the certified Node.js provider), on every driver.

Discovery, a code + PKCE + nonce login whose ID token is validated, UserInfo with its ``sub``
check, and the RP-initiated logout URL, through ``oauthkit.requests.OAuth2Session``,
``oauthkit.httpx.OAuth2Client`` and ``oauthkit.httpx.AsyncOAuth2Client``.

More in ``test_oidc_interop_*.py``: signed and encrypted responses and HS256 (``_jose``), the
authorization parameters and refresh (``_login``), logout (``_logout``), key rotation and
RFC 8414 discovery (``_discovery``).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

import oauthkit
from oauthkit import oidc
from tests._drivers2 import DRIVERS, headless_authorize, open_session
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer


def _login(s, peer: OidcProviderPeer, **auth_kwargs):
    s.discover()
    url, _ = s.authorization_url(**auth_kwargs)
    query = parse_qs(urlsplit(url).query)
    assert query["nonce"][0] == s.s.relying_party.nonce
    assert url.startswith(peer.discovery["authorization_endpoint"])
    callback = headless_authorize(peer, url)
    return s.fetch_token(
        authorization_response=callback, client_secret=client_secret("basic-client")
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_login_validates_the_id_token_and_userinfo_matches(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    issuer = oidc_peer.issuer
    with open_session(
        driver,
        client_id="basic-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope=["openid", "email", "profile"],
        issuer=issuer,
        pkce="S256",
    ) as s:
        token = _login(s, oidc_peer)
        assert token["id_token"]
        claims = s.id_token_claims
        assert isinstance(claims, oidc.IDTokenClaims)
        assert claims.issuer == issuer
        assert claims.audience == ("basic-client",)
        assert claims.subject == "test-user"
        assert s.s.relying_party.nonce is None  # single-use
        info = s.userinfo()
        assert info["sub"] == "test-user"
        assert info["email"] == "test-user@example.test"
        logout = s.end_session_url(
            post_logout_redirect_uri=oidc_peer.url("/logged-out"), state="bye"
        )
        assert logout.startswith(oidc_peer.discovery["end_session_endpoint"])
        query = parse_qs(urlsplit(logout).query)
        assert query["id_token_hint"] == [token["id_token"]]
        assert query["state"] == ["bye"]
        assert query["client_id"] == ["basic-client"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_max_age_requires_a_recent_auth_time(oidc_peer: OidcProviderPeer, driver: str) -> None:
    with open_session(
        driver,
        client_id="basic-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope="openid",
        issuer=oidc_peer.issuer,
    ) as s:
        _login(s, oidc_peer, max_age=600)
        assert s.id_token_claims.auth_time is not None


def test_a_session_without_the_nonce_refuses_the_login(oidc_peer: OidcProviderPeer) -> None:
    with open_session(
        "requests",
        client_id="basic-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope="openid",
        issuer=oidc_peer.issuer,
    ) as first:
        first.discover()
        url, state = first.authorization_url()
        callback = headless_authorize(oidc_peer, url)
    with open_session(
        "requests",
        client_id="basic-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope="openid",
        issuer=oidc_peer.issuer,
        state=state,  # the state was kept, the nonce was not
    ) as second:
        with pytest.raises(oidc.IDTokenNonceError):
            second.fetch_token(
                authorization_response=callback, client_secret=client_secret("basic-client")
            )
        assert second.token == {}
        assert isinstance(oidc.IDTokenNonceError("x"), oauthkit.OAuthError)
