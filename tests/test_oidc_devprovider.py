"""oauthkit's relying party against the dev provider's OpenID Connect side (oauthlib's
``oauthlib.openid`` server endpoints: a peer this project did not write), on every driver:
login with a validated ID token, UserInfo, the logout URL honoured by the provider, and a key
rotation that costs one JWKS request and no failed login."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from oauthkit import oidc
from oauthkit.devserver import DevProvider
from tests._drivers2 import DRIVERS, Driver, open_session


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


def _approve(url: str) -> str:
    """The user: the dev provider approves at once and redirects to the callback."""
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return str(response.headers["Location"])


def _login(s: Driver, provider: DevProvider) -> dict[str, object]:
    s.discover()
    url, _ = s.authorization_url()
    return s.fetch_token(
        authorization_response=_approve(url), client_secret=provider.oauth2_client_secret
    )


def _session(driver: str, provider: DevProvider, rp: oidc.RelyingParty):  # type: ignore[no-untyped-def]
    return open_session(
        driver,
        client_id=provider.oauth2_client_id,
        redirect_uri=provider.callback_url,
        scope=["openid", "profile", "email"],
        relying_party=rp,
        pkce="S256",
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_login_userinfo_and_logout(provider: DevProvider, driver: str) -> None:
    rp = oidc.RelyingParty(oidc.Provider(provider.issuer), provider.oauth2_client_id)
    with _session(driver, provider, rp) as s:
        token = _login(s, provider)
        claims = s.id_token_claims
        assert claims is not None
        assert claims.issuer == provider.issuer
        assert claims.audience == (provider.oauth2_client_id,)
        assert claims.nonce is not None
        assert claims.auth_time is not None
        info = s.userinfo()
        assert info["sub"] == claims.subject
        logout = s.end_session_url(post_logout_redirect_uri=provider.callback_url, state="bye")
        answer = requests.get(logout, allow_redirects=False, timeout=10)
        assert answer.status_code == 302, answer.text
        assert answer.headers["Location"].startswith(provider.callback_url)
        assert "state=bye" in answer.headers["Location"]
        assert token["id_token"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_rotated_key_costs_one_jwks_request(provider: DevProvider, driver: str) -> None:
    rp = oidc.RelyingParty(oidc.Provider(provider.issuer), provider.oauth2_client_id)
    with _session(driver, provider, rp) as s:
        _login(s, provider)
        jwks_requests = provider.hits(provider.jwks_uri)
        new_kid = provider.rotate_signing_key()
        _login(s, provider)  # signed with the new key: one refetch, then accepted
        assert s.id_token_claims.header["kid"] == new_kid
        assert provider.hits(provider.jwks_uri) == jwks_requests + 1
        _login(s, provider)  # the refetched set is kept
        assert provider.hits(provider.jwks_uri) == jwks_requests + 1
