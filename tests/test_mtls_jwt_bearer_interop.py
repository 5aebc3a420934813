"""The JWT bearer grant (RFC 7523 §2.1) over mutual TLS (RFC 8705), against oidc-provider in
TLS mode (tests/_mtls.py), on every driver.

A client registered dynamically (RFC 7591) on the TLS peer with ``tls_client_auth`` (its
certificate's subject), certificate-bound access tokens, the JWT bearer grant and the public
key its assertions are signed with: the grant goes to the token endpoint's
``mtls_endpoint_aliases`` entry, authenticated by the certificate alone, and the token the
peer's JWT bearer grant issues is bound to that certificate (``cnf.x5t#S256`` read by
introspection). An assertion signed by a key the client did not register is refused.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from joserfc import jwt
from joserfc.jwk import ECKey

import oauthkit
from tests._drivers2 import DRIVERS, Driver
from tests._mtls import (
    MtlsPeer,
    fixture_mtls_peer,  # noqa: F401 - the fixture
    open_mtls_session,
    thumbprint,
)

pytestmark = pytest.mark.peer

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _register(mtls: MtlsPeer, driver: str, assertion_key: ECKey) -> str:
    """A ``tls_client_auth`` client of the certificate ``mtls.client`` allowed the grant."""
    subject = x509.load_pem_x509_certificate(Path(mtls.client[0]).read_bytes()).subject
    metadata = {
        "client_name": "jwt-bearer-over-mtls",
        "redirect_uris": [mtls.peer.url("/cb")],
        "grant_types": ["authorization_code", JWT_BEARER],
        "response_types": ["code"],
        "token_endpoint_auth_method": "tls_client_auth",
        "tls_client_auth_subject_dn": subject.rfc4514_string(),
        "tls_client_certificate_bound_access_tokens": True,
        "jwks": {"keys": [assertion_key.as_dict(private=False)]},
    }
    with open_mtls_session(driver, client_id="registrar", issuer=mtls.issuer, verify=mtls.ca) as s:
        registered: oauthkit.ClientRegistration = s._call(s.s.register_client, metadata)
    return registered.client_id


def _assertion(client_id: str, audience: str, key: ECKey) -> str:
    now = int(time.time())
    claims = {"iss": client_id, "sub": "alice", "aud": audience}
    claims |= {"iat": now, "exp": now + 300, "jti": secrets.token_hex(16)}
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def _session(mtls: MtlsPeer, driver: str, client_id: str) -> Any:
    return open_mtls_session(
        driver,
        client_id=client_id,
        client_auth=oauthkit.client_auth_for("tls_client_auth", client_id),
        cert=mtls.client,
        verify=mtls.ca,
        issuer=mtls.issuer,
    )


def _introspect(s: Driver, token: str) -> oauthkit.Introspection:
    result: oauthkit.Introspection = s._call(s.s.introspect_token, token=token)
    return result


def test_jwt_bearer_over_mtls_gives_a_certificate_bound_token(
    mtls_peer: MtlsPeer, driver: str
) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"}, private=True)
    client_id = _register(mtls_peer, driver, key)
    assertion = _assertion(client_id, mtls_peer.issuer, key)
    alias = mtls_peer.peer.url("/mtls/token")
    with _session(mtls_peer, driver, client_id) as s:
        token = s.fetch_token(grant=oauthkit.JwtBearerGrant(assertion=assertion))
        assert token["token_type"] == "Bearer"  # bound by the certificate, not by a header
        [sent] = s.recording.to(alias)  # RFC 8705 §5: the discovered alias
        assert s.recording.to(mtls_peer.peer.discovery["token_endpoint"]) == []
        assert sent.form["grant_type"] == JWT_BEARER
        assert sent.form["assertion"] == assertion
        assert sent.form["client_id"] == client_id
        assert "authorization" not in sent.headers  # the certificate authenticates (§2)
        assert "client_assertion" not in sent.form
        info = _introspect(s, token["access_token"])
    assert info.active
    assert info.client_id == client_id
    assert info.sub == "alice"
    assert info.extra["cnf"] == {"x5t#S256": thumbprint(mtls_peer.client[0])}


def test_an_assertion_from_an_unregistered_key_is_refused(mtls_peer: MtlsPeer, driver: str) -> None:
    key = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"}, private=True)
    client_id = _register(mtls_peer, driver, key)
    stranger = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"}, private=True)
    with _session(mtls_peer, driver, client_id) as s:
        grant = oauthkit.JwtBearerGrant(assertion=_assertion(client_id, mtls_peer.issuer, stranger))
        with pytest.raises(oauthkit.InvalidGrantError):
            s.fetch_token(grant=grant)
        assert s.token == {}
