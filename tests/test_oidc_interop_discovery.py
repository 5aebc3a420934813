"""The provider's metadata and keys against oidc-provider, on every driver: a signing-key
rotation behind a cached JWK Set costs exactly one refetch, and discovery falls back to RFC 8414
when the OpenID document is not served.

Each test gives its sessions a private :class:`~oauthkit.oidc.Provider`, so what the recording
shows (or does not show) is not hidden by the process-wide cache of another test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthkit import oidc
from tests._drivers2 import DRIVERS, Driver, open_session
from tests._oidc_agent import Browser, login
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer

OPENID = "/.well-known/openid-configuration"
RFC8414 = "/.well-known/oauth-authorization-server"


def _login(driver: str, peer: OidcProviderPeer, provider: oidc.Provider) -> Driver:
    """Log ``basic-client`` in through a new session on ``provider``; return the session."""
    rp = oidc.RelyingParty(provider, "basic-client")
    with (
        Browser(peer) as browser,
        open_session(
            driver,
            client_id="basic-client",
            redirect_uri=peer.url("/cb"),
            scope=["openid"],
            relying_party=rp,
        ) as s,
    ):
        login(s, browser, client_secret("basic-client"))
        return s


def _rotate(keys_dir: Path, kid: str) -> None:
    """Put a new RS256 key first in the peer's key file (the one it signs with); the old keys
    stay published after it, as a provider does while tokens signed with them are in flight."""
    from joserfc.jwk import RSAKey

    path = keys_dir / "provider-jwks.private.json"
    document = json.loads(path.read_text())
    new = RSAKey.generate_key(
        2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"}, private=True
    )
    document["keys"].insert(0, new.as_dict(private=True))
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_key_rotation_costs_one_jwks_refetch(driver: str, tmp_path: Path) -> None:
    with OidcProviderPeer(keys_dir=tmp_path) as before:
        issuer, port = before.issuer, before.port
        jwks_uri = before.discovery["jwks_uri"]
        provider = oidc.Provider(issuer)  # what the process keeps across logins
        first = _login(driver, before, provider)
        assert first.id_token_claims.header["kid"] == "op-rs256"
        assert len(first.recording.to(jwks_uri)) == 1
    _rotate(tmp_path, "op-rs256-rotated")
    with OidcProviderPeer(keys_dir=tmp_path, port=port) as after:
        assert after.issuer == issuer
        second = _login(driver, after, provider)
        assert second.id_token_claims.header["kid"] == "op-rs256-rotated"
        assert second.id_token_claims.subject == "test-user"
        # the cached set lacked the new kid: one refetch, and the metadata came from the cache
        assert len(second.recording.to(jwks_uri)) == 1
        assert second.recording.to(issuer + OPENID) == []
        assert "op-rs256-rotated" in provider.keys_entry.value.kids()


@pytest.fixture(scope="module", name="rfc8414_peer")
def fixture_rfc8414_peer() -> Iterator[OidcProviderPeer]:
    """A peer that answers 404 for the OpenID document, like a plain OAuth 2.0 server."""
    with OidcProviderPeer(env={"HIDE_OPENID_CONFIGURATION": 1}) as peer:
        yield peer


@pytest.mark.parametrize("driver", DRIVERS)
def test_discovery_falls_back_to_rfc8414(rfc8414_peer: OidcProviderPeer, driver: str) -> None:
    issuer = rfc8414_peer.issuer
    provider = oidc.Provider(issuer)  # OpenID Discovery first, RFC 8414 on a 404
    s = _login(driver, rfc8414_peer, provider)
    discovery = [
        (sent.method, sent.url)
        for sent in s.recording.sent
        if sent.endpoint in (issuer + OPENID, issuer + RFC8414)
    ]
    assert discovery == [("GET", issuer + OPENID), ("GET", issuer + RFC8414)]
    metadata = provider.metadata
    assert metadata is not None
    assert metadata.issuer == issuer
    assert metadata.endpoint("token_endpoint") == issuer + "/token"
    assert s.id_token_claims.subject == "test-user"  # keys from the RFC 8414 document's jwks_uri


@pytest.mark.parametrize("driver", DRIVERS)
def test_rfc8414_discovery_of_the_peer(oidc_peer: OidcProviderPeer, driver: str) -> None:
    issuer = oidc_peer.issuer
    # kind names the well-known document (oauthkit._oauth2._metadata.RFC8414)
    provider = oidc.Provider(issuer, kind="oauth-authorization-server")
    s = _login(driver, oidc_peer, provider)
    assert [sent.url for sent in s.recording.sent if "/.well-known/" in sent.url] == [
        issuer + RFC8414
    ]
    assert s.id_token_claims.issuer == issuer
