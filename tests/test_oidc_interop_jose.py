"""OpenID Connect's JOSE variants against oidc-provider, on every driver.

Each test registers its own client (RFC 7591) with the response format it proves: signed
UserInfo, encrypted ID tokens and UserInfo, HS256 ID tokens keyed by the client secret.
"""

from __future__ import annotations

import pytest

from oauthkit import oidc
from tests._drivers2 import DRIVERS, open_session
from tests._oidc_agent import Browser, login, public, register, rsa_encryption_key
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer


@pytest.fixture(scope="module", name="encryption_key")
def fixture_encryption_key() -> dict[str, object]:
    return rsa_encryption_key()


def _session(driver: str, peer: OidcProviderPeer, client: dict[str, object], **kw: object):
    return open_session(
        driver,
        client_id=client["client_id"],
        redirect_uri=peer.url("/cb"),
        scope=["openid", "email"],
        issuer=peer.issuer,
        **kw,
    )


@pytest.mark.parametrize("driver", DRIVERS)
def test_signed_userinfo_is_verified(oidc_peer: OidcProviderPeer, driver: str) -> None:
    client = register(oidc_peer, userinfo_signed_response_alg="RS256")
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        login(s, browser, client["client_secret"])
        info = s.userinfo()
    # iss and aud are only in the signed form (OIDC Core §5.3.2): the JWT was read and verified
    assert info["iss"] == oidc_peer.issuer
    assert info["aud"] == client["client_id"]
    assert info["sub"] == "test-user"
    assert info["email"] == "test-user@example.test"


@pytest.mark.parametrize("driver", DRIVERS)
def test_signed_userinfo_with_an_algorithm_not_allowed_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer, userinfo_signed_response_alg="RS256")
    rp = oidc.RelyingParty(oidc_peer.issuer, client["client_id"], userinfo_algorithms=["ES256"])
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client, relying_party=rp) as s:
        login(s, browser, client["client_secret"])
        with pytest.raises(oidc.UserinfoError) as caught:
            s.userinfo()
    assert caught.value.check == "alg"


@pytest.mark.parametrize("driver", DRIVERS)
def test_encrypted_id_token_and_userinfo_are_decrypted(
    oidc_peer: OidcProviderPeer, driver: str, encryption_key: dict[str, object]
) -> None:
    client = register(
        oidc_peer,
        jwks={"keys": [public(encryption_key)]},
        id_token_encrypted_response_alg="RSA-OAEP-256",
        id_token_encrypted_response_enc="A256GCM",
        userinfo_signed_response_alg="RS256",
        userinfo_encrypted_response_alg="RSA-OAEP-256",
        userinfo_encrypted_response_enc="A256GCM",
    )
    rp = oidc.RelyingParty(oidc_peer.issuer, client["client_id"], decryption_keys=encryption_key)
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client, relying_party=rp) as s:
        token = login(s, browser, client["client_secret"])
        assert token["id_token"].count(".") == 4  # kept as received: a compact JWE
        claims = s.id_token_claims
        assert claims.subject == "test-user"
        assert claims.audience == (client["client_id"],)
        assert claims.header["alg"] == "RS256"  # the nested JWS, verified after decryption
        info = s.userinfo()
    assert info["sub"] == "test-user"
    assert info["aud"] == client["client_id"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_encrypted_id_token_without_decryption_keys_keeps_no_token(
    oidc_peer: OidcProviderPeer, driver: str, encryption_key: dict[str, object]
) -> None:
    client = register(
        oidc_peer,
        jwks={"keys": [public(encryption_key)]},
        id_token_encrypted_response_alg="RSA-OAEP-256",
        id_token_encrypted_response_enc="A256GCM",
    )
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        with pytest.raises(oidc.IDTokenSignatureError) as caught:
            login(s, browser, client["client_secret"])
        assert caught.value.check == "decryption"
        assert s.token == {}
        assert s.id_token_claims is None


@pytest.mark.parametrize("driver", DRIVERS)
def test_hs256_id_token_and_userinfo_verify_with_the_client_secret_alone(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(
        oidc_peer, id_token_signed_response_alg="HS256", userinfo_signed_response_alg="HS256"
    )
    # a private Provider: its empty key cache would show any JWKS request in the recording
    provider = oidc.Provider(oidc_peer.issuer)
    rp = oidc.RelyingParty(provider, client["client_id"], algorithms=["HS256"])
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client, relying_party=rp) as s:
        login(s, browser, client["client_secret"])
        assert s.id_token_claims.header["alg"] == "HS256"
        assert s.id_token_claims.subject == "test-user"
        info = s.userinfo()
        assert info["aud"] == client["client_id"]  # the signed form, verified with the secret
        assert info["sub"] == "test-user"
        assert s.recording.to(oidc_peer.discovery["token_endpoint"])
        assert s.recording.to(oidc_peer.discovery["userinfo_endpoint"])
        assert s.recording.to(oidc_peer.discovery["jwks_uri"]) == []
