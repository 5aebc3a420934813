"""Smoke tests for the oidc-provider interop peer and its launcher.

They prove that the peer's configuration works on this machine, and they are the recipe for
driving it headlessly with raw HTTP: authorization code + PKCE through redirects and cookies,
client credentials, and the device flow approved while the client polls. The OAuth 2 client
work reuses these recipes through oauthkit's own API.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.peers.fixtures import fixture_oidc_peer, fixture_oidc_peer_factory  # noqa: F401
from tests.peers.oidc_provider import OidcPeerError, OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # trust_env=False: a proxy configured in CI must not see loopback traffic
    with httpx.Client(trust_env=False, follow_redirects=True, timeout=10) as client:
        yield client


def _pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _authorize(
    http: httpx.Client, peer: OidcProviderPeer, **extra: str
) -> tuple[httpx.Response, str, str]:
    """Run the authorization request to the end; return the /cb response, state and verifier."""
    verifier, challenge = _pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {
        "client_id": "public-client",
        "response_type": "code",
        "redirect_uri": peer.url("/cb"),
        "scope": "openid offline_access",
        "state": state,
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **extra,
    }
    response = http.get(peer.discovery["authorization_endpoint"], params=params)
    return response, state, verifier


# ---------------------------------------------------------------------- the peer's configuration


def test_ready_line_describes_the_pinned_peer(oidc_peer: OidcProviderPeer) -> None:
    info = oidc_peer.info
    assert info["oidc_provider_version"] == "9.13.3"
    assert oidc_peer.issuer == f"http://127.0.0.1:{oidc_peer.port}"
    assert oidc_peer.port > 0
    assert oidc_peer.running
    assert repr(oidc_peer) == f"<OidcProviderPeer {oidc_peer.issuer}>"


@pytest.mark.parametrize(
    "name",
    [
        "authorization_endpoint",
        "device_authorization_endpoint",
        "introspection_endpoint",
        "jwks_uri",
        "pushed_authorization_request_endpoint",
        "revocation_endpoint",
        "token_endpoint",
    ],
)
def test_discovery_lists_endpoint(oidc_peer: OidcProviderPeer, name: str) -> None:
    assert oidc_peer.discovery["issuer"] == oidc_peer.issuer
    assert oidc_peer.discovery[name].startswith(oidc_peer.issuer + "/")


def test_discovery_matches_what_an_http_client_fetches(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    response = http.get(oidc_peer.url("/.well-known/openid-configuration"))
    assert response.status_code == 200
    assert response.json() == oidc_peer.discovery
    assert "S256" in oidc_peer.discovery["code_challenge_methods_supported"]
    jwks = http.get(oidc_peer.discovery["jwks_uri"]).json()
    assert {key["kid"] for key in jwks["keys"]} == {"op-rs256", "op-es256"}


# ---------------------------------------------------------------------- client credentials


def test_client_credentials_with_client_secret_basic(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    response = http.post(
        oidc_peer.discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("basic-client", oidc_peer.client_secret("basic-client")),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert isinstance(body["access_token"], str)
    assert body["access_token"]
    assert response.headers["cache-control"] == "no-store"


def test_client_credentials_with_client_secret_post(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    response = http.post(
        oidc_peer.discovery["token_endpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": "post-client",
            "client_secret": client_secret("post-client"),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_wrong_client_secret_is_invalid_client(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    response = http.post(
        oidc_peer.discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("basic-client", "not-the-secret"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic ")


# ---------------------------------------------------------------------- authorization code + PKCE


def test_authorization_code_with_pkce_runs_headless(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    callback, state, verifier = _authorize(http, oidc_peer)
    # the redirects went through /interaction (auto login, then auto consent) and ended at /cb
    assert callback.status_code == 200
    assert callback.url.copy_with(query=None) == httpx.URL(oidc_peer.url("/cb"))
    assert any("/interaction/" in str(hop.url) for hop in callback.history)
    query = callback.json()["query"]
    assert query["state"] == state
    assert query["iss"] == oidc_peer.issuer  # RFC 9207

    token_endpoint = oidc_peer.discovery["token_endpoint"]
    exchange = {
        "grant_type": "authorization_code",
        "code": query["code"],
        "redirect_uri": oidc_peer.url("/cb"),
        "client_id": "public-client",
        "code_verifier": verifier,
    }
    response = http.post(token_endpoint, data=exchange)
    assert response.status_code == 200, response.text
    tokens = response.json()
    assert tokens["token_type"] == "Bearer"
    assert set(tokens) >= {"access_token", "id_token", "refresh_token", "expires_in", "scope"}

    refreshed = http.post(
        token_endpoint,
        data={
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "client_id": "public-client",
        },
    )
    assert refreshed.status_code == 200, refreshed.text
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]  # always rotated

    replay = http.post(token_endpoint, data=exchange)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_authorization_code_without_the_verifier_fails(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    callback, _, _ = _authorize(http, oidc_peer)
    response = http.post(
        oidc_peer.discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": callback.json()["query"]["code"],
            "redirect_uri": oidc_peer.url("/cb"),
            "client_id": "public-client",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] in {"invalid_grant", "invalid_request"}


def test_login_hint_deny_ends_at_the_callback_with_access_denied(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    callback, state, _ = _authorize(http, oidc_peer, login_hint="deny")
    query = callback.json()["query"]
    assert query["error"] == "access_denied"
    assert query["state"] == state
    assert "code" not in query


# ---------------------------------------------------------------------- device flow


def _start_device_flow(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> tuple[dict[str, str], Callable[[], httpx.Response]]:
    response = http.post(
        oidc_peer.discovery["device_authorization_endpoint"],
        data={"client_id": "public-client", "scope": "openid offline_access"},
    )
    assert response.status_code == 200, response.text
    grant = response.json()
    assert grant["verification_uri"] == oidc_peer.url("/device")

    def poll() -> httpx.Response:
        return http.post(
            oidc_peer.discovery["token_endpoint"],
            data={
                "grant_type": DEVICE_GRANT,
                "device_code": grant["device_code"],
                "client_id": "public-client",
            },
        )

    return grant, poll


def test_device_flow_approved_while_polling(
    oidc_peer: OidcProviderPeer, http: httpx.Client
) -> None:
    grant, poll = _start_device_flow(oidc_peer, http)
    pending = poll()
    assert pending.status_code == 400
    assert pending.json()["error"] == "authorization_pending"

    approval = http.post(
        oidc_peer.url("/_test/device/approve"), data={"user_code": grant["user_code"]}
    )
    assert approval.status_code == 200, approval.text
    assert approval.json() == {"result": "device_flow_approved", "client_id": "public-client"}

    done = poll()
    assert done.status_code == 200, done.text
    assert set(done.json()) >= {"access_token", "id_token", "refresh_token", "token_type"}
    assert poll().json()["error"] == "invalid_grant"  # a device code is good for one token


def test_device_flow_denied_while_polling(oidc_peer: OidcProviderPeer, http: httpx.Client) -> None:
    grant, poll = _start_device_flow(oidc_peer, http)
    assert poll().json()["error"] == "authorization_pending"
    http.post(
        oidc_peer.url("/_test/device/approve"), data={"user_code": grant["user_code"], "deny": "1"}
    )
    denied = poll()
    assert denied.status_code == 400
    assert denied.json()["error"] == "access_denied"


# ---------------------------------------------------------------------- launcher


def test_pkjwt_private_keys_are_on_disk(oidc_peer: OidcProviderPeer) -> None:
    ec = json.loads(oidc_peer.pkjwt_ec_key_path.read_text())
    rsa = json.loads(oidc_peer.pkjwt_rsa_key_path.read_text())
    assert (ec["kty"], ec["alg"], ec["kid"]) == ("EC", "ES256", "pkjwt-es256")
    assert (rsa["kty"], rsa["alg"], rsa["kid"]) == ("RSA", "RS256", "pkjwt-rs256")
    assert "d" in ec
    assert "d" in rsa
    assert Path(oidc_peer.info["keys_dir"]) == oidc_peer.keys_dir.resolve()


def test_client_secret_follows_the_peer_pattern() -> None:
    assert client_secret("basic-client") == "basic-client-secret-0123456789abcdef0123456789abcdef"
    assert OidcProviderPeer.client_secret("post-client").startswith("post-client-secret-")


def test_factory_applies_settings(
    oidc_peer_factory: Callable[..., OidcProviderPeer], http: httpx.Client
) -> None:
    peer = oidc_peer_factory(ACCESS_TOKEN_TTL=5)
    response = http.post(
        peer.discovery["token_endpoint"],
        data={"grant_type": "client_credentials"},
        auth=("basic-client", peer.client_secret("basic-client")),
    )
    assert response.json()["expires_in"] == 5


def test_context_manager_stops_the_process(http: httpx.Client) -> None:
    with OidcProviderPeer() as peer:
        issuer = peer.issuer
        assert http.get(peer.url("/_test/info")).json()["issuer"] == issuer
    assert not peer.running
    with pytest.raises(httpx.ConnectError):
        http.get(issuer + "/.well-known/openid-configuration")
    peer.stop()  # idempotent


def test_a_started_peer_cannot_be_started_again(oidc_peer: OidcProviderPeer) -> None:
    with pytest.raises(OidcPeerError, match="already started"):
        oidc_peer.start()
    assert oidc_peer.running


def test_unknown_or_reserved_settings_are_rejected() -> None:
    with pytest.raises(OidcPeerError, match="ACESS_TOKEN_TTL"):
        OidcProviderPeer(env={"ACESS_TOKEN_TTL": 5})
    with pytest.raises(OidcPeerError, match="PORT"):
        OidcProviderPeer(env={"PORT": 8080})


def test_missing_node_is_a_clear_error(tmp_path: Path) -> None:
    peer = OidcProviderPeer(node=str(tmp_path / "no-such-node"))
    with pytest.raises(OidcPeerError, match="npm ci"):
        peer.start()


def test_missing_node_modules_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "server.mjs").write_text("")
    with pytest.raises(OidcPeerError, match=r"node_modules is missing.*npm ci"):
        OidcProviderPeer(peer_dir=tmp_path).start()


def _fake_peer_dir(tmp_path: Path, script: str) -> Path:
    package = tmp_path / "node_modules" / "oidc-provider"
    package.mkdir(parents=True)
    (package / "package.json").write_text("{}")
    (tmp_path / "server.mjs").write_text(script)
    return tmp_path


def test_a_peer_that_exits_early_reports_its_stderr(tmp_path: Path) -> None:
    peer_dir = _fake_peer_dir(tmp_path, "console.error('boom: port in use'); process.exit(3);\n")
    peer = OidcProviderPeer(peer_dir=peer_dir)
    with pytest.raises(OidcPeerError, match=r"(?s)status 3.*boom: port in use"):
        peer.start()
    assert not peer.running


def test_a_silent_peer_times_out_and_is_stopped(tmp_path: Path) -> None:
    peer_dir = _fake_peer_dir(tmp_path, "console.error('waiting'); setInterval(() => {}, 1000);\n")
    peer = OidcProviderPeer(peer_dir=peer_dir, startup_timeout=0.5)
    with pytest.raises(OidcPeerError, match=r"(?s)no ready line.*waiting"):
        peer.start()
    assert not peer.running


def test_a_garbled_ready_line_is_rejected(tmp_path: Path) -> None:
    script = "process.stdout.write('listening\\n'); setInterval(() => {}, 1000);\n"
    peer = OidcProviderPeer(peer_dir=_fake_peer_dir(tmp_path, script))
    with pytest.raises(OidcPeerError, match="unexpected ready line"):
        peer.start()
    assert not peer.running
