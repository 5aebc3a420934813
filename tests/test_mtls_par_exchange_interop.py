"""Mutual TLS (RFC 8705) with PAR (RFC 9126) and token exchange (RFC 8693), against
oidc-provider in TLS mode, on every driver.

* A pushed authorization request of a ``tls_client_auth`` client goes to the PAR endpoint's
  ``mtls_endpoint_aliases`` entry (RFC 8705 §5), authenticated by the certificate alone (§2:
  ``client_id`` in the body, no other credential), and the code it leads to gives a
  certificate-bound token (§3).
* A certificate-bound access token exchanged by the same client over the same certificate
  gives a new token bound to that certificate (the peer's token-exchange grant binds as
  oidc-provider's own grants do); over another client's certificate the subject token is
  refused.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Driver
from tests._mtls import (
    CLIENTS,
    MtlsPeer,
    fixture_mtls_peer,  # noqa: F401 - the fixture
    headless_authorize_tls,
    thumbprint,
    user_session,
)

pytestmark = pytest.mark.peer

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _introspect(s: Driver, token: str) -> oauthkit.Introspection:
    result: oauthkit.Introspection = s._call(s.s.introspect_token, token=token)
    return result


def _login(s: Driver, mtls: MtlsPeer) -> str:
    """A user's certificate-bound access token (the peer exchanges only user tokens)."""
    s.discover()  # the async client needs the metadata first, as documented
    url, _ = s.authorization_url()
    token = s.fetch_token(authorization_response=headless_authorize_tls(mtls, url))
    access_token: str = token["access_token"]
    return access_token


def test_par_over_mtls(mtls_peer: MtlsPeer, driver: str) -> None:
    with user_session(
        driver, mtls_peer, "mtls-client", "tls_client_auth", mtls_peer.client, par=True
    ) as s:
        url, state = s._call(s.s.push_authorization_request)
        plain = mtls_peer.peer.discovery["pushed_authorization_request_endpoint"]
        alias = plain.replace(mtls_peer.issuer, mtls_peer.issuer + "/mtls")
        [pushed] = s.recording.to(alias)  # RFC 8705 §5: the alias, never the plain endpoint
        assert s.recording.to(plain) == []
        assert "authorization" not in pushed.headers  # the certificate authenticates (§2)
        assert "client_secret" not in pushed.form
        assert "client_assertion" not in pushed.form
        assert pushed.form["client_id"] == "mtls-client"
        assert pushed.form["state"] == state
        # the browser's endpoint is the plain one, with only client_id and request_uri
        assert url.startswith(mtls_peer.peer.discovery["authorization_endpoint"])
        assert set(dict(parse_qsl(urlsplit(url).query))) == {"client_id", "request_uri"}
        token = s.fetch_token(authorization_response=headless_authorize_tls(mtls_peer, url))
        assert s.recording.to(mtls_peer.peer.url("/mtls/token"))
        assert s.id_token_claims is not None
        info = _introspect(s, token["access_token"])
        assert info.active
        assert info.extra["cnf"] == {"x5t#S256": thumbprint(mtls_peer.client[0])}


def test_par_over_mtls_with_the_wrong_certificate(mtls_peer: MtlsPeer, driver: str) -> None:
    with user_session(
        driver, mtls_peer, "mtls-client", "tls_client_auth", mtls_peer.other_subject, par=True
    ) as s:
        with pytest.raises(oauthkit.InvalidClientError):
            s._call(s.s.push_authorization_request)
        assert s.recording.to(mtls_peer.peer.url("/mtls/request"))


@pytest.mark.parametrize(("client_id", "method", "cert_name"), CLIENTS)
def test_token_exchange_of_a_certificate_bound_token(
    mtls_peer: MtlsPeer, driver: str, client_id: str, method: str, cert_name: str
) -> None:
    cert = getattr(mtls_peer, cert_name)
    expected = {"x5t#S256": thumbprint(cert[0])}
    with user_session(driver, mtls_peer, client_id, method, cert) as s:
        subject = _login(s, mtls_peer)
        assert _introspect(s, subject).extra["cnf"] == expected  # the subject token is bound
        exchanged = s.fetch_token(grant=oauthkit.TokenExchangeGrant(subject_token=subject))
        sent = s.recording.to(mtls_peer.peer.url("/mtls/token"))[-1]
        assert sent.form["grant_type"] == TOKEN_EXCHANGE
        assert sent.form["client_id"] == client_id
        assert "authorization" not in sent.headers
        assert exchanged["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
        assert exchanged["access_token"] != subject
        info = _introspect(s, exchanged["access_token"])
        assert info.active
        assert info.client_id == client_id
        assert info.extra["cnf"] == expected  # bound to the same certificate (RFC 8705 §3)


def test_token_exchange_over_another_certificate_is_refused(
    mtls_peer: MtlsPeer, driver: str
) -> None:
    """A bound subject token is useless to a client holding another certificate."""
    with user_session(driver, mtls_peer, "mtls-client", "tls_client_auth", mtls_peer.client) as s:
        subject = _login(s, mtls_peer)
    with user_session(
        driver,
        mtls_peer,
        "selfsigned-mtls-client",
        "self_signed_tls_client_auth",
        mtls_peer.self_signed,
    ) as other:
        with pytest.raises(oauthkit.InvalidGrantError):
            other.fetch_token(grant=oauthkit.TokenExchangeGrant(subject_token=subject))
        assert not other.token
