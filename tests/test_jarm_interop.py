"""JWT-secured authorization responses (JARM) from oidc-provider, on every driver.

The peer enables ``jwtResponseModes``: each test registers a client (RFC 7591) with the
signing (or encryption) it proves, asks for a JWT response mode on ``authorization_url``, lets
the browser deliver the response as that mode does (query, fragment, an auto-submitted form),
and hands it to ``fetch_token``, which verifies the JWT with the peer's keys before it reads
``state`` and the code.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from oauthkit import oidc
from oauthkit._jose._compact import b64decode
from tests._drivers2 import DRIVERS, open_session
from tests._jarm import deliver
from tests._oidc_agent import Browser, public, register, rsa_encryption_key
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

MODES = ("jwt", "query.jwt", "fragment.jwt", "form_post.jwt")


def _session(driver: str, peer: OidcProviderPeer, client: dict[str, object], **kw: object):
    return open_session(
        driver,
        client_id=client["client_id"],
        redirect_uri=peer.url("/cb"),
        scope=["openid"],
        issuer=peer.issuer,
        **kw,
    )


def _authorize(browser: Browser, s: Any, **params: object) -> tuple[str, str, str | dict[str, Any]]:
    """Discover, then let the browser follow the authorization URL built with ``params``:
    the URL, its ``state`` and what the redirect delivered."""
    s.discover()
    url, state = s.authorization_url(**params)
    return url, state, deliver(browser, url)


def _exchange(s: Any, client: dict[str, Any], delivered: str | dict[str, Any]) -> Any:
    """``fetch_token`` with what the redirect delivered, as the registered client."""
    return s.fetch_token(authorization_response=delivered, client_secret=client["client_secret"])


def _where(mode: str, delivered: str | dict[str, object]) -> dict[str, list[str]]:
    """The parameters as delivered: the query, the fragment, or the form."""
    if mode == "form_post.jwt":
        assert isinstance(delivered, dict)
        return {k: [str(v)] for k, v in delivered.items()}
    assert isinstance(delivered, str)
    parts = urlsplit(delivered)
    return parse_qs(parts.fragment if mode == "fragment.jwt" else parts.query)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("driver", DRIVERS)
def test_each_jwt_response_mode_is_verified_then_exchanged(
    oidc_peer: OidcProviderPeer, driver: str, mode: str
) -> None:
    client = register(oidc_peer)
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        url, state, delivered = _authorize(browser, s, response_mode=mode)
        assert parse_qs(urlsplit(url).query)["response_mode"] == [mode]
        params = _where(mode, delivered)
        assert list(params) == ["response"]  # nothing unsigned: code and state are inside
        token = _exchange(s, client, delivered)
        assert token["access_token"]
        assert s.id_token_claims.subject == "test-user"
    # what was verified: a JWT signed by the peer for this client, carrying the code and state
    (jwt,) = params["response"]
    claims = json.loads(b64decode(jwt.split(".")[1]))
    assert claims["iss"] == oidc_peer.issuer
    assert claims["aud"] == client["client_id"]
    assert claims["state"] == state
    assert claims["code"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_hs256_response_is_verified_with_the_client_secret(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer, authorization_signed_response_alg="HS256")
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        _, _, delivered = _authorize(browser, s, response_mode="query.jwt")
        assert _exchange(s, client, delivered)["access_token"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_encrypted_response_is_decrypted_with_the_client_keys(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    key = rsa_encryption_key()
    client = register(
        oidc_peer,
        jwks={"keys": [public(key)]},
        authorization_encrypted_response_alg="RSA-OAEP-256",
        authorization_encrypted_response_enc="A128CBC-HS256",
    )
    rp = oidc.RelyingParty(oidc_peer.issuer, client["client_id"], decryption_keys=key)
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client, relying_party=rp) as s:
        _, _, delivered = _authorize(browser, s, response_mode="form_post.jwt")
        assert isinstance(delivered, dict)
        assert delivered["response"].count(".") == 4  # a JWE
        assert _exchange(s, client, delivered)["access_token"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_an_error_inside_the_jwt_raises_the_oauth_error(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    from oauthkit import AuthorizationError

    client = register(oidc_peer)
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        # prompt=none with no session at the provider: login_required, as a JWT response
        _, _, delivered = _authorize(browser, s, response_mode="query.jwt", prompt="none")
        assert list(_where("query.jwt", delivered)) == ["response"]
        with pytest.raises(AuthorizationError) as caught:
            _exchange(s, client, delivered)
        assert caught.value.error == "login_required"
        assert s.token == {}


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_plain_response_is_refused_when_a_jwt_one_was_asked_for(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer)
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with Browser(oidc_peer) as browser, _session(driver, oidc_peer, client) as s:
        s.discover()
        url, _ = s.authorization_url(response_mode="query.jwt")
        # an attacker (or a broken proxy) replaces the JWT mode by the plain one
        downgraded = url.replace("response_mode=query.jwt", "response_mode=query")
        plain = deliver(browser, downgraded)
        assert isinstance(plain, str)
        assert "code=" in plain
        with pytest.raises(oidc.JARMFormatError) as caught:
            _exchange(s, client, plain)
        assert caught.value.check == "response"
        assert s.recording.to(token_endpoint) == []  # the code was never sent


@pytest.mark.parametrize("driver", DRIVERS)
def test_the_callback_session_of_a_web_app_expects_the_mode_it_is_given(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    client = register(oidc_peer)
    with Browser(oidc_peer) as browser:
        with _session(driver, oidc_peer, client, response_mode="fragment.jwt") as first:
            first.discover()
            url, state = first.authorization_url()  # the session's mode is sent
            assert parse_qs(urlsplit(url).query)["response_mode"] == ["fragment.jwt"]
            nonce = first.s.relying_party.nonce
        delivered = deliver(browser, url)
        with _session(
            driver, oidc_peer, client, response_mode="fragment.jwt", state=state, nonce=nonce
        ) as second:
            assert _exchange(second, client, delivered)["id_token"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_response_mode_the_server_does_not_list_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    from oauthkit import UsageError

    client = register(oidc_peer)
    with _session(driver, oidc_peer, client) as s:
        s.discover()
        with pytest.raises(UsageError, match="response_modes_supported"):
            s.authorization_url(response_mode="web_message")
