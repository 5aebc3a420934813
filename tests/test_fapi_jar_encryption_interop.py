"""Encrypted request objects (RFC 9101 §6.1) under FAPI 2.0 Message Signing, against
oidc-provider, on every driver.

FAPI 2.0 does not require encrypting the request object, and it does not forbid it: a
``RequestObjectSigner(..., encrypt=True)`` under ``profile="fapi2-message-signing"`` signs the
object with the profile's algorithms and encrypts it to the peer's key (the peer started with
``ENCRYPTION_KEYS=1``, as in tests/test_jar_encryption_interop.py), pushes it with
``private_key_jwt``, and the login goes on as the plain Message Signing one does
(tests/test_fapi_interop.py): a JARM response, a DPoP-bound token, a JWT introspection answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from joserfc.jwk import ECKey

import oauthkit
from tests._drivers2 import DRIVERS, headless_authorize
from tests._peek import jwt_parts, query
from tests.peers.oidc_provider import OidcProviderPeer
from tests.test_fapi_interop import _assertions, _call, _register, _session
from tests.test_jar_encryption_interop import _claims, _opened

pytestmark = pytest.mark.peer


@pytest.fixture(scope="module", name="enc_peer")
def fixture_enc_peer() -> Iterator[OidcProviderPeer]:
    with OidcProviderPeer(env={"ENCRYPTION_KEYS": "1"}) as peer:
        yield peer


@pytest.fixture(scope="module")
def client_key() -> dict[str, Any]:
    key = ECKey.generate_key("P-256", {"kid": "fapi-es256", "alg": "ES256"}, private=True)
    return dict(key.as_dict(private=True))


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_an_encrypted_request_object_under_message_signing(
    enc_peer: OidcProviderPeer, driver: str, client_key: dict[str, Any]
) -> None:
    peer = enc_peer
    client_id = _register(
        peer,
        client_key,
        request_object_signing_alg="ES256",
        request_object_encryption_alg="RSA-OAEP-256",
        request_object_encryption_enc="A256GCM",
        authorization_signed_response_alg="ES256",
        introspection_signed_response_alg="ES256",
    )
    par = peer.discovery["pushed_authorization_request_endpoint"]
    auth = oauthkit.PrivateKeyJwt(client_id, client_key)
    signer = oauthkit.RequestObjectSigner.from_client_auth(auth, encrypt=True)
    with _session(
        peer, driver, client_id, client_key, profile="fapi2-message-signing", request_object=signer
    ) as s:
        s.discover()
        url, state = _call(s, "push_authorization_request")
        assert set(query(url)) == {"client_id", "request_uri"}
        [pushed] = s.recording.to(par)
        assert {"client_id", "request"} <= set(pushed.form)
        assert "state" not in pushed.form
        assert pushed.form["request"].count(".") == 4  # a JWE, not the JWS itself
        header, inner, jws = _opened(peer, pushed.form["request"])
        assert header["alg"] == "RSA-OAEP-256"
        assert header["enc"] == "A256GCM"
        assert header["kid"] == "op-enc-rsa"
        assert inner == {"alg": "ES256", "typ": "oauth-authz-req+jwt", "kid": "fapi-es256"}
        claims = _claims(jws)
        assert claims["aud"] == peer.issuer
        assert claims["state"] == state
        assert claims["response_mode"] == "jwt"
        assert claims["nbf"] <= claims["iat"] < claims["exp"] <= claims["nbf"] + 3600
        assert json.dumps(client_key["d"]) not in pushed.everything()
        callback = headless_authorize(peer, url)
        assert set(query(callback)) == {"response"}  # JARM
        token = s.fetch_token(authorization_response=callback)
        assert token["token_type"] == "DPoP"
        assert jwt_parts(token["id_token"])[0]["alg"] == "ES256"
        info = _call(s, "introspect_token")  # a signed JWT answer (RFC 9701)
        assert info.active is True
        assert info.client_id == client_id
        _assertions(s, par, peer)
