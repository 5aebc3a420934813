"""Encrypted request objects (RFC 9101 §6.1) against oidc-provider, on every driver.

The peer started with ``ENCRYPTION_KEYS=1`` publishes two encryption keys (RSA ``op-enc-rsa``
and EC P-256 ``op-enc-ec``, ``use: "enc"``) beside its signature keys, and decrypts request
objects encrypted to them (``features.encryption``). Each test checks what left the client
with the peer's private key, apart from oauthkit (joserfc directly), and then logs in: the
peer accepting the request is the proof that it decrypted and verified it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from joserfc import jwe, jwk

import oauthkit
from tests._drivers2 import DRIVERS, Driver, headless_authorize, open_session
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer


@pytest.fixture(scope="module", name="enc_peer")
def fixture_enc_peer() -> Iterator[OidcProviderPeer]:
    with OidcProviderPeer(env={"ENCRYPTION_KEYS": "1"}) as peer:
        yield peer


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _segment(part: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def _opened(peer: OidcProviderPeer, token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The JWE header, the inner JWS's header and claims, decrypted with the peer's own key."""
    private = json.loads((peer.keys_dir / "provider-enc-jwks.private.json").read_text())
    keys = jwk.KeySet.import_key_set(private)
    registry = jwe.JWERegistry(algorithms=["RSA-OAEP-256", "ECDH-ES+A256KW", "A256GCM"])
    plaintext = jwe.decrypt_compact(token, keys, registry=registry).plaintext
    assert plaintext is not None
    inner = plaintext.decode()
    return _segment(token.split(".", maxsplit=1)[0]), _segment(inner.split(".")[0]), inner


def _claims(jws: str) -> dict[str, Any]:
    return _segment(jws.split(".")[1])


def _session(peer: OidcProviderPeer, driver: str, client_id: str, **kw: Any) -> Any:
    return open_session(
        driver,
        client_id=client_id,
        redirect_uri=peer.url("/cb"),
        issuer=peer.issuer,
        scope=["openid"],
        **kw,
    )


def _login(s: Driver, peer: OidcProviderPeer, url: str) -> dict[str, Any]:
    return s.fetch_token(authorization_response=headless_authorize(peer, url))


def test_encrypted_request_object_by_value(enc_peer: OidcProviderPeer, driver: str) -> None:
    key = json.loads(enc_peer.pkjwt_ec_key_path.read_text())
    auth = oauthkit.PrivateKeyJwt("pkjwt-client", key)
    signer = oauthkit.RequestObjectSigner.from_client_auth(auth, encrypt=True)
    with _session(enc_peer, driver, "pkjwt-client", client_auth=auth, request_object=signer) as s:
        if driver == "httpx-async":  # authorization_url() does no I/O there: discover first
            s.s.relying_party.provider.clear()  # what earlier drivers loaded for the process
            with pytest.raises(oauthkit.UsageError, match="discover"):
                s.authorization_url()
            s.discover()
        url, state = s.authorization_url()  # the blocking sessions load metadata and keys
        # the keys came from jwks_uri, cached for the process (an earlier driver may have)
        assert s.s.relying_party.provider.keys_entry.value.encryption
        query = _query(url)
        assert set(query) == {"client_id", "request"}
        assert query["request"].count(".") == 4  # a JWE
        header, inner, jws = _opened(enc_peer, query["request"])
        # RFC 9101 §6.1 with our preference: RSA-OAEP-256 and A256GCM, both listed by the peer
        assert header == {
            "alg": "RSA-OAEP-256",
            "enc": "A256GCM",
            "cty": "JWT",
            "kid": "op-enc-rsa",
        }
        assert inner["typ"] == "oauth-authz-req+jwt"
        assert inner["alg"] == "ES256"
        claims = _claims(jws)
        assert claims["state"] == state
        assert claims["aud"] == enc_peer.issuer
        token = _login(s, enc_peer, url)
        assert token["id_token"]
        assert s.id_token_claims is not None  # the nonce inside the encrypted object was kept


def test_encrypted_request_object_through_par(enc_peer: OidcProviderPeer, driver: str) -> None:
    auth = oauthkit.ClientSecretBasic("basic-client", enc_peer.client_secret("basic-client"))
    signer = oauthkit.RequestObjectSigner.from_client_auth(
        auth, encrypt=True, encryption_alg="ECDH-ES+A256KW"
    )
    with _session(
        enc_peer, driver, "basic-client", client_auth=auth, par=True, request_object=signer
    ) as s:
        url, state = s._call(s.s.push_authorization_request)  # discovers, loads keys, pushes
        [pushed] = s.recording.to(enc_peer.discovery["pushed_authorization_request_endpoint"])
        assert set(pushed.form) == {"client_id", "request"}
        assert pushed.headers["authorization"].startswith("Basic ")
        header, inner, jws = _opened(enc_peer, pushed.form["request"])
        assert header["alg"] == "ECDH-ES+A256KW"
        assert header["enc"] == "A256GCM"
        assert header["kid"] == "op-enc-ec"
        assert header["cty"] == "JWT"
        assert inner == {"alg": "HS256", "typ": "oauth-authz-req+jwt"}
        assert _claims(jws)["state"] == state
        assert set(_query(url)) == {"client_id", "request_uri"}
        assert _login(s, enc_peer, url)["id_token"]


def test_a_server_without_encryption_keys_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    """The default peer publishes signature keys only (and lists only the symmetric
    algorithms, which need no key of its own): nothing is sent."""
    auth = oauthkit.ClientSecretBasic("basic-client", oidc_peer.client_secret("basic-client"))
    signer = oauthkit.RequestObjectSigner.from_client_auth(auth, encrypt=True)
    with _session(
        oidc_peer, driver, "basic-client", client_auth=auth, par=True, request_object=signer
    ) as s:
        with pytest.raises(oauthkit.UsageError, match='use: "enc"'):
            s._call(s.s.push_authorization_request)
        assert s.recording.to(oidc_peer.discovery["pushed_authorization_request_endpoint"]) == []
