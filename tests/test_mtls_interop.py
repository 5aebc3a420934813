"""Mutual TLS (RFC 8705) against oidc-provider in TLS mode, through every driver.

The peer (tests/peers, ``TLS_CERT``...) serves HTTPS with a certificate of the test's own CA,
asks every client for a certificate, authenticates ``mtls-client`` by its certificate's subject
(``tls_client_auth``, §2.1) and ``selfsigned-mtls-client`` by its registered self-signed
certificate (``self_signed_tls_client_auth``, §2.2), binds their access tokens to the
certificate (§3) and publishes ``mtls_endpoint_aliases`` under ``/mtls`` (§5). Each session is
built as an application builds it, with ``cert=`` and ``verify=``; the recording shows which
URL every request went to and what it carried.
"""

from __future__ import annotations

import ssl
from typing import Any

import httpx
import pytest
from oauthlib.oauth2 import BackendApplicationClient

import oauthkit
from oauthkit._oauth2._mtls import bound_thumbprint
from tests._drivers2 import DRIVERS, Driver, oauthkit_class
from tests._mtls import (
    CLIENTS,
    MtlsPeer,
    fixture_mtls_peer,  # noqa: F401 - the fixture
    headless_authorize_tls,
    open_mtls_session,
    thumbprint,
    user_session,
)

pytestmark = pytest.mark.peer

API = "https://api.example.test"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _service(driver: str, mtls: MtlsPeer, client_id: str, method: str, cert_name: str) -> Any:
    """A client-credentials service of ``client_id`` over the certificate named ``cert_name``."""
    return open_mtls_session(
        driver,
        client=BackendApplicationClient(client_id),
        client_auth=oauthkit.client_auth_for(method, client_id),
        cert=getattr(mtls, cert_name),
        verify=mtls.ca,
        issuer=mtls.issuer,
    )


def _introspect(s: Driver) -> oauthkit.Introspection:
    result: oauthkit.Introspection = s._call(s.s.introspect_token)
    return result


@pytest.mark.parametrize(("client_id", "method", "cert_name"), CLIENTS)
def test_client_credentials_authenticated_by_the_certificate(
    mtls_peer: MtlsPeer, driver: str, client_id: str, method: str, cert_name: str
) -> None:
    with _service(driver, mtls_peer, client_id, method, cert_name) as s:
        token = s.fetch_token()
        assert token["token_type"] == "Bearer"
        sent = s.recording.to(mtls_peer.peer.url("/mtls/token"))  # the alias (RFC 8705 §5)
        assert len(sent) == 1
        assert s.recording.to(mtls_peer.peer.discovery["token_endpoint"]) == []
        # the TLS layer authenticates: the body names the client, nothing else is a credential
        assert sent[0].form == {"grant_type": "client_credentials", "client_id": client_id}
        assert "authorization" not in sent[0].headers

        # the token is bound to the certificate (§3): the peer's thumbprint is ours
        info = _introspect(s)
        assert s.recording.to(mtls_peer.peer.url("/mtls/token/introspection"))
        assert info.active
        assert info.client_id == client_id
        expected = thumbprint(getattr(mtls_peer, cert_name)[0])
        assert info.extra["cnf"] == {"x5t#S256": expected}
        certificate = s.oauth_client.client_certificate
        assert certificate is not None
        assert certificate.thumbprint == expected
        assert certificate.confirms(info.extra["cnf"])


def test_jwt_access_token_names_the_certificate(mtls_peer: MtlsPeer, driver: str) -> None:
    with _service(driver, mtls_peer, "mtls-client", "tls_client_auth", "client") as s:
        token = s.fetch_token(resource=API)  # a JWT access token (RFC 9068) for API
    assert bound_thumbprint(token["access_token"]) == thumbprint(mtls_peer.client[0])


def _plain_userinfo(mtls: MtlsPeer, access_token: str, cert: tuple[str, str] | None) -> int:
    """The resource server's view: the token over a connection without (or with another)
    certificate, from a client that is not oauthkit."""
    context = ssl.create_default_context(cafile=mtls.ca)
    if cert is not None:
        context.load_cert_chain(*cert)
    with httpx.Client(trust_env=False, verify=context, timeout=10) as http:
        response = http.get(
            mtls.peer.discovery["userinfo_endpoint"],
            headers={"Authorization": f"Bearer {access_token}"},
        )
    return response.status_code


def test_bound_token_works_only_with_the_certificate(mtls_peer: MtlsPeer, driver: str) -> None:
    cert = oauthkit.ClientCertificate(*mtls_peer.client)
    with user_session(
        driver, mtls_peer, "mtls-client", "tls_client_auth", cert, scope=("openid", "profile")
    ) as s:
        s.discover()  # the async client needs the metadata first, as documented
        url, _ = s.authorization_url()
        assert url.startswith(mtls_peer.peer.discovery["authorization_endpoint"])  # no alias
        token = s.fetch_token(authorization_response=headless_authorize_tls(mtls_peer, url))
        assert s.recording.to(mtls_peer.peer.url("/mtls/token"))
        claims = s.userinfo()  # over the session's certificate, at the alias
        assert claims["sub"] == "test-user"
        assert s.recording.to(mtls_peer.peer.url("/mtls/me"))
        # the refresh token is bound too: refreshed over the certificate, at the alias
        refreshed: dict[str, Any] = s._call(s.s.refresh_token)
        assert len(s.recording.to(mtls_peer.peer.url("/mtls/token"))) == 2
        assert refreshed["access_token"] != token["access_token"]
        assert _introspect(s).extra["cnf"] == {"x5t#S256": thumbprint(mtls_peer.client[0])}
        token = refreshed
    access_token = token["access_token"]
    assert _plain_userinfo(mtls_peer, access_token, mtls_peer.client) == 200
    assert _plain_userinfo(mtls_peer, access_token, None) == 401
    assert _plain_userinfo(mtls_peer, access_token, mtls_peer.other_subject) == 401


WRONG = [
    pytest.param("mtls-client", "tls_client_auth", "untrusted", id="untrusted-ca"),
    pytest.param("mtls-client", "tls_client_auth", "other_subject", id="other-subject"),
    pytest.param(
        "selfsigned-mtls-client", "self_signed_tls_client_auth", "client", id="unregistered"
    ),
]


@pytest.mark.parametrize(("client_id", "method", "cert_name"), WRONG)
def test_wrong_certificate_is_invalid_client(
    mtls_peer: MtlsPeer, driver: str, client_id: str, method: str, cert_name: str
) -> None:
    with _service(driver, mtls_peer, client_id, method, cert_name) as s:
        with pytest.raises(oauthkit.InvalidClientError) as caught:
            s.fetch_token()
        assert oauthkit_class(caught.value) is oauthkit.InvalidClientError
        assert caught.value.error == "invalid_client"
        assert not s.token
        # the key file's contents never reach the error
        assert mtls_peer.key_pem.decode().splitlines()[1] not in str(caught.value)


def test_discovered_aliases(mtls_peer: MtlsPeer, driver: str) -> None:
    with _service(driver, mtls_peer, "mtls-client", "tls_client_auth", "client") as s:
        metadata = s.discover()
    aliases = metadata.mtls_endpoint_aliases
    for name in ("token_endpoint", "userinfo_endpoint", "introspection_endpoint"):
        plain = metadata.endpoint(name)
        assert plain is not None
        assert aliases[name] == plain.replace(mtls_peer.issuer, mtls_peer.issuer + "/mtls")
        assert metadata.endpoint(name, mtls=True) == aliases[name]
    # the browser's endpoint is never an alias
    assert metadata.endpoint("authorization_endpoint", mtls=True) == metadata.endpoint(
        "authorization_endpoint"
    )
