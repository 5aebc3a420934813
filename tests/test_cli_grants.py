"""``oauthkit token --grant`` against oidc-provider for the grants that need a client of their
own, and the stores the configuration can name (issue #12, second round).

* ``token-exchange`` (RFC 8693) and ``jwt-bearer`` (RFC 7523 §2.1): the peer's minimal grants
  (server.mjs's header) serve only dynamically registered clients, so each test registers one
  with the library's ``register_client`` (RFC 7591); the JWT bearer client registers the public
  key its assertions are signed with.
* ``--resource`` repeated (RFC 8707 §2): one ``resource`` parameter per URI. oidc-provider issues
  one audience per access token, so one resource gives an RFC 9068 JWT whose ``aud`` is it, and
  two are refused with its "only a single resource indicator value" error, which it gives only
  when it received two parameters (one joined value would have been one odd URI, accepted).
* ``logout`` on the file and Redis stores, now that every store can ``delete``.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey

import oauthkit
from oauthkit.stores import FileStore, RedisStore, TokenStore
from tests._cli import CliHome
from tests._drivers2 import introspect, open_session
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

LOGIN_NEEDED, REFUSED = 3, 4
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture
def home(oidc_peer: OidcProviderPeer, tmp_path: Path) -> CliHome:
    return CliHome(tmp_path, oidc_peer)


def _register(peer: OidcProviderPeer, **metadata: Any) -> oauthkit.ClientRegistration:
    with open_session("requests", client_id="registrar", issuer=peer.issuer) as s:
        registration: oauthkit.ClientRegistration = s.s.register_client(
            {
                "client_name": "cli-grant-test",
                "redirect_uris": [peer.url("/cb")],
                "response_types": ["code"],
                "token_endpoint_auth_method": "client_secret_basic",
                **metadata,
            }
        )
    assert registration.client_secret is not None
    return registration


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return claims


def _one_shot(home: CliHome, client: oauthkit.ClientRegistration, *args: str, **kw: str) -> Any:
    assert client.client_secret is not None
    return home.run(
        "token",
        "--issuer",
        home.peer.issuer,
        "--client-id",
        client.client_id,
        *args,
        OAUTHKIT_CLIENT_SECRET=client.client_secret,
        **kw,
    )


# -- token exchange (RFC 8693) --------------------------------------------------------------------


def test_token_exchange_through_the_cli(home: CliHome) -> None:
    client = _register(home.peer, grant_types=["authorization_code", TOKEN_EXCHANGE])
    subject = home.seed()["access_token"]
    result = _one_shot(
        home, client, "--grant", "token-exchange", "--subject-token", "-", "--json", input=subject
    )
    assert result.returncode == 0, result.stderr
    issued = json.loads(result.stdout)
    assert issued["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
    assert issued["access_token"] != subject
    info = introspect(home.peer, issued["access_token"])
    assert info["active"] is True
    assert info["client_id"] == client.client_id  # a token of the exchanging client ...
    assert info["sub"] == "test-user"  # ... for the subject token's user
    assert home.store.load("profile:peer") is not None  # only the seeded login is stored


def test_token_exchange_refusals(home: CliHome) -> None:
    client = _register(home.peer, grant_types=["authorization_code", TOKEN_EXCHANGE])
    unknown = _one_shot(
        home, client, "--grant", "token-exchange", "--subject-token", "not-a-token-of-the-peer"
    )
    assert unknown.returncode == REFUSED  # the grant's input, not a login, was refused
    assert "invalid_grant" in unknown.stderr
    assert "hint: the server refused the token-exchange grant" in unknown.stderr
    other = _register(home.peer, grant_types=["authorization_code"])  # not allowed to exchange
    subject = home.seed()["access_token"]
    refused = _one_shot(home, other, "--grant", "token-exchange", "--subject-token", subject)
    assert refused.returncode == REFUSED
    assert "grant type is not allowed for this client" in refused.stderr
    assert subject not in refused.stderr


# -- JWT bearer (RFC 7523) ------------------------------------------------------------------------


def _assertion(key: ECKey, client_id: str, audience: str, **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": client_id,
        "sub": "alice",
        "aud": audience,
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        **claims,
    }
    return jwt.encode({"alg": "ES256", "kid": key.kid}, payload, key)


def test_jwt_bearer_through_the_cli(home: CliHome) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"})
    client = _register(
        home.peer,
        grant_types=["authorization_code", JWT_BEARER],
        jwks={"keys": [key.as_dict(private=False)]},
    )
    assertion = _assertion(key, client.client_id, home.peer.issuer)
    result = _one_shot(
        home,
        client,
        "--grant",
        "jwt-bearer",
        "--assertion",
        "-",
        "--scope",
        "openid",
        "--json",
        input=assertion,
    )
    assert result.returncode == 0, result.stderr
    issued = json.loads(result.stdout)
    assert issued["token_type"] == "Bearer"
    info = introspect(home.peer, issued["access_token"])
    assert info["active"] is True
    assert info["sub"] == "alice"  # the assertion's subject
    assert info["client_id"] == client.client_id
    again = _one_shot(home, client, "--grant", "jwt-bearer", "--assertion", assertion)
    assert again.returncode == REFUSED  # the peer refuses a replayed jti
    assert assertion not in again.stderr


def test_jwt_bearer_refuses_an_assertion_signed_by_another_key(home: CliHome) -> None:
    registered = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"})
    client = _register(
        home.peer,
        grant_types=["authorization_code", JWT_BEARER],
        jwks={"keys": [registered.as_dict(private=False)]},
    )
    forger = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"})
    forged = _assertion(forger, client.client_id, home.peer.issuer)
    result = _one_shot(home, client, "--grant", "jwt-bearer", "--assertion", forged)
    assert result.returncode == REFUSED
    assert "invalid_grant" in result.stderr
    elsewhere = _assertion(registered, client.client_id, "https://another.example")
    result = _one_shot(home, client, "--grant", "jwt-bearer", "--assertion", elsewhere)
    assert result.returncode == REFUSED


# -- several --resource (RFC 8707) ----------------------------------------------------------------


def _client_credentials(home: CliHome, *args: str) -> Any:
    return home.run(
        "token",
        "--grant",
        "client_credentials",
        "--issuer",
        home.peer.issuer,
        "--client-id",
        "basic-client",
        *args,
        OAUTHKIT_CLIENT_SECRET=home.env["PEER_BASIC_SECRET"],
    )


def test_one_resource_is_the_jwt_access_tokens_audience(home: CliHome) -> None:
    result = _client_credentials(home, "--resource", "https://api.one.example")
    assert result.returncode == 0, result.stderr
    claims = _claims(result.stdout.strip())
    assert claims["aud"] == "https://api.one.example"
    assert claims["client_id"] == "basic-client"


def test_two_resources_reach_the_server_as_two_parameters(home: CliHome) -> None:
    result = _client_credentials(
        home, "--resource", "https://api.one.example", "--resource", "https://api.two.example"
    )
    assert result.returncode == REFUSED
    assert "invalid_target" in result.stderr
    assert "only a single resource indicator value" in result.stderr


def test_a_resource_that_is_not_a_uri_is_a_usage_error(home: CliHome) -> None:
    result = _client_credentials(home, "--resource", "https://api.one.example", "--resource", "x")
    assert result.returncode == 2
    assert "absolute URI" in result.stderr


def test_resource_without_grant_names_the_option(home: CliHome) -> None:
    result = home.run("token", "--resource", "https://api.one.example")
    assert result.returncode == 2
    assert "--resource is for one-shot grants" in result.stderr


# -- logout on every store the configuration can name ---------------------------------------------


def _use_store(home: CliHome, kind: str, redis_url: str) -> TokenStore:
    section = f'path = "{home.store_path}"'
    if kind == "file":
        replacement = f'kind = "file"\npath = "{home.root}/tokens"'
        store: TokenStore = FileStore(home.root / "tokens")
    else:
        replacement = 'kind = "redis"\nurl_env = "TEST_TOKENS_REDIS"'
        home.env["TEST_TOKENS_REDIS"] = redis_url
        store = RedisStore(redis_url)
    home.config.write_text(home.config.read_text().replace(section, replacement))
    return store


@pytest.mark.parametrize("kind", ["file", "redis"])
def test_login_token_and_logout_on_another_store(home: CliHome, redis_url: str, kind: str) -> None:
    store = _use_store(home, kind, redis_url)
    store.delete("profile:peer")  # a shared Redis may hold an earlier test's
    status, _out, err = home.paste_login("peer")
    assert status == 0, err
    record = store.load("profile:peer")
    assert record is not None
    assert not home.store_path.exists()  # nothing went to the SQLite store
    token = home.run("token")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip() == record.token["access_token"]
    result = home.run("logout", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"profile": "peer", "revoked": True, "forgotten": True}
    assert store.load("profile:peer") is None
    assert home.run("token").returncode == LOGIN_NEEDED
    assert json.loads(home.run("logout", "--json").stdout)["forgotten"] is False  # idempotent
    assert introspect(home.peer, str(record.token["access_token"]))["active"] is False
