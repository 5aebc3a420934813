"""Mutual TLS (RFC 8705) without a network: the client authentication methods, the
certificate value and its thumbprint, token binding, endpoint aliases and the drivers' TLS
settings. tests/test_mtls_interop.py runs the same against oidc-provider."""

from __future__ import annotations

import base64
import hashlib
import json
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme
from hypothesis import given
from hypothesis import strategies as st

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit._oauth2._client_auth import client_auth_methods
from oauthkit._oauth2._mtls import (
    X5T_S256,
    bound_thumbprint,
    certificate_thumbprint,
    client_certificate,
)
from oauthkit.httpx._session import tls_context

ISSUER = "https://as.example"


@dataclass(frozen=True)
class Files:
    ca: str
    cert: str
    key: str
    combined: str
    key_pem: str
    thumbprint: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    where = tmp_path_factory.mktemp("mtls-unit")
    ca = trustme.CA()
    leaf = ca.issue_cert("client.example.test", common_name="client")
    ca.cert_pem.write_to_path(where / "ca.pem")
    leaf.cert_chain_pems[0].write_to_path(where / "client.crt")
    leaf.private_key_pem.write_to_path(where / "client.key")
    leaf.private_key_and_cert_chain_pem.write_to_path(where / "client.pem")
    pem = (where / "client.crt").read_text()
    # computed apart from oauthkit: the standard library's PEM reader and SHA-256 (§3.1)
    thumbprint = _b64(hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).digest())
    return Files(
        ca=str(where / "ca.pem"),
        cert=str(where / "client.crt"),
        key=str(where / "client.key"),
        combined=str(where / "client.pem"),
        key_pem=leaf.private_key_pem.bytes().decode(),
        thumbprint=thumbprint,
    )


def _jwt(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "ES256", "typ": "at+jwt"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}.{_b64(b'signature')}"


def _key_line(files: Files) -> str:
    return files.key_pem.splitlines()[1]  # a line of the key's base64


# -- the certificate ----------------------------------------------------------------------


def test_thumbprint_is_sha256_of_the_der_encoding(files: Files) -> None:
    pem = Path(files.cert).read_text()
    der = ssl.PEM_cert_to_DER_cert(pem)
    assert certificate_thumbprint(pem) == files.thumbprint
    assert certificate_thumbprint(pem.encode()) == files.thumbprint
    assert certificate_thumbprint(der) == files.thumbprint
    assert oauthkit.ClientCertificate.thumbprint_of(der) == files.thumbprint
    assert oauthkit.ClientCertificate(files.cert, files.key).thumbprint == files.thumbprint
    # a file with the key first, then the certificate (one file, as requests takes it)
    assert oauthkit.ClientCertificate(files.combined).thumbprint == files.thumbprint


@given(st.binary(max_size=300) | st.text(max_size=300))
def test_thumbprint_of_anything_is_a_value_or_usage_error(data: bytes | str) -> None:
    try:
        result = certificate_thumbprint(data)
    except oauthkit.UsageError:
        return
    assert isinstance(result, str)


def test_certificate_files_must_be_readable_certificates(files: Files, tmp_path: Path) -> None:
    with pytest.raises(oauthkit.UsageError, match="cannot read"):
        oauthkit.ClientCertificate(str(tmp_path / "missing.crt"))
    with pytest.raises(oauthkit.UsageError, match="non-empty path"):
        oauthkit.ClientCertificate("")
    with pytest.raises(oauthkit.UsageError, match="non-empty path"):
        oauthkit.ClientCertificate(files.cert, "")
    with pytest.raises(oauthkit.UsageError, match=r"not an X\.509 certificate"):
        oauthkit.ClientCertificate(files.key)  # a key alone holds no certificate


def test_cert_setting_shapes(files: Files) -> None:
    assert client_certificate(None) is None
    made = oauthkit.ClientCertificate(files.cert, files.key)
    assert client_certificate(made) is made
    assert client_certificate((files.cert, files.key)) == made
    assert client_certificate((Path(files.cert), Path(files.key))) == made
    assert client_certificate(Path(files.combined)) == oauthkit.ClientCertificate(files.combined)
    assert client_certificate(files.combined) == oauthkit.ClientCertificate(files.combined)
    assert made.files == (files.cert, files.key)
    assert oauthkit.ClientCertificate(files.combined).files == files.combined
    with pytest.raises(oauthkit.UsageError, match="password"):
        client_certificate((files.cert, files.key, "pw"))
    for wrong in (42, [files.cert, files.key], (files.cert,), b"cert.pem"):
        with pytest.raises(oauthkit.UsageError, match="cert= takes"):
            client_certificate(wrong)


def test_repr_names_paths_never_key_material(files: Files) -> None:
    made = oauthkit.ClientCertificate(files.cert, files.key)
    text = repr(made)
    assert files.cert in text
    assert files.key in text
    assert _key_line(files) not in text
    assert "PRIVATE KEY" not in text
    session = okrequests.OAuth2Session("c", cert=made, verify=files.ca)
    assert _key_line(files) not in repr(session) + repr(session.oauth_client)


def test_confirms_compares_cnf(files: Files) -> None:
    made = oauthkit.ClientCertificate(files.cert, files.key)
    assert made.confirms({X5T_S256: files.thumbprint})
    other = files.thumbprint[:-1] + ("B" if files.thumbprint.endswith("A") else "A")
    assert not made.confirms({X5T_S256: other})
    assert not made.confirms({"jkt": files.thumbprint})
    assert not made.confirms({X5T_S256: 42})
    assert not made.confirms(None)
    assert not made.confirms(files.thumbprint)
    assert not made.confirms({X5T_S256: "é"})  # not ASCII: different, not an error


# -- token binding (§3) ---------------------------------------------------------------------


def test_bound_thumbprint_reads_a_jwt_cnf(files: Files) -> None:
    assert bound_thumbprint(_jwt({"cnf": {X5T_S256: files.thumbprint}})) == files.thumbprint
    assert bound_thumbprint(_jwt({"sub": "x"})) is None
    assert bound_thumbprint(_jwt({"cnf": "x"})) is None
    assert bound_thumbprint(_jwt({"cnf": {X5T_S256: 7}})) is None
    assert bound_thumbprint("opaque-token") is None


@given(st.text(max_size=400))
def test_bound_thumbprint_never_raises(token: str) -> None:
    assert bound_thumbprint(token) is None or isinstance(bound_thumbprint(token), str)


def test_a_token_bound_to_another_certificate_is_refused(files: Files) -> None:
    manager = oauthkit.TokenManager(
        "c",
        auth_method="tls_client_auth",
        client_certificate=oauthkit.ClientCertificate(files.cert, files.key),
    )
    elsewhere = oauthkit.Token(access_token=_jwt({"cnf": {X5T_S256: "A" * 43}}))
    with pytest.raises(oauthkit.UnusableTokenError, match="another TLS client certificate"):
        manager.adopt(elsewhere)
    assert manager.token is None
    ours = oauthkit.Token(access_token=_jwt({"cnf": {X5T_S256: files.thumbprint}}))
    assert manager.adopt(ours) is ours
    opaque = oauthkit.Token(access_token="opaque")  # nothing to check: the server enforces it
    assert manager.adopt(opaque) is opaque
    # without a certificate the client does not judge bindings
    assert oauthkit.TokenManager("c").adopt(elsewhere) is elsewhere


# -- client authentication (§2) -----------------------------------------------------------


@pytest.mark.parametrize("method", ["tls_client_auth", "self_signed_tls_client_auth"])
def test_mtls_methods_send_only_the_client_id(method: str) -> None:
    assert method in client_auth_methods()
    auth = oauthkit.client_auth_for(method, "client-1", "a-secret-never-sent")
    assert auth.method == method
    form, headers = auth.apply([("grant_type", "client_credentials")], {}, endpoint="x", now=0)
    assert form == [("grant_type", "client_credentials"), ("client_id", "client-1")]
    assert headers == {}
    assert "a-secret-never-sent" not in repr(auth)
    with pytest.raises(oauthkit.UsageError, match="already carries"):
        auth.apply([("client_secret", "s")], {}, endpoint="x", now=0)
    with pytest.raises(oauthkit.UsageError, match="takes no options"):
        oauthkit.client_auth_for(method, "client-1", key="k")
    with pytest.raises(oauthkit.UsageError, match="client_id"):
        oauthkit.client_auth_for(method, "")


# -- endpoint aliases (§5) ----------------------------------------------------------------


def _metadata(**members: Any) -> oauthkit.ServerMetadata:
    document = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "userinfo_endpoint": f"{ISSUER}/userinfo",
        "introspection_endpoint": f"{ISSUER}/introspect",
        "jwks_uri": f"{ISSUER}/jwks",
        **members,
    }
    body = json.dumps(document).encode()
    response = oauthkit.HttpResponse(200, {"Content-Type": "application/json"}, body)
    return oauthkit.parse_server_metadata(response, issuer=ISSUER)


def test_aliases_replace_back_channel_endpoints_for_mtls_clients() -> None:
    aliases = {
        "token_endpoint": "https://mtls.as.example/token",
        "userinfo_endpoint": "https://mtls.as.example/userinfo",
        "authorization_endpoint": "https://mtls.as.example/authorize",
        "jwks_uri": "https://mtls.as.example/jwks",
    }
    metadata = _metadata(mtls_endpoint_aliases=aliases)
    assert metadata.endpoint("token_endpoint") == f"{ISSUER}/token"
    assert metadata.endpoint("token_endpoint", mtls=True) == aliases["token_endpoint"]
    assert metadata.endpoint("userinfo_endpoint", mtls=True) == aliases["userinfo_endpoint"]
    # no alias: the endpoint itself
    assert metadata.endpoint("introspection_endpoint", mtls=True) == f"{ISSUER}/introspect"
    # the browser's endpoint and the key set are never reached with the certificate
    assert metadata.endpoint("authorization_endpoint", mtls=True) == f"{ISSUER}/authorize"
    assert metadata.endpoint("jwks_uri", mtls=True) == f"{ISSUER}/jwks"
    assert metadata.endpoint("revocation_endpoint", mtls=True) is None


def test_aliases_follow_the_transport_policy() -> None:
    with pytest.raises(oauthkit.InsecureTransportError):
        _metadata(mtls_endpoint_aliases={"token_endpoint": "http://mtls.as.example/token"})
    loopback = _metadata(mtls_endpoint_aliases={"token_endpoint": "http://127.0.0.1:9/token"})
    assert loopback.endpoint("token_endpoint", mtls=True) == "http://127.0.0.1:9/token"
    for wrong in (
        {"token_endpoint": "https://mtls.as.example:99999/token"},
        {"token_endpoint": "https://evil.example\\@mtls.as.example/token"},
        {"token_endpoint": "/relative"},
        ["https://mtls.as.example/token"],
    ):
        with pytest.raises(oauthkit.MalformedResponseError):
            _metadata(mtls_endpoint_aliases=wrong)


def test_https_to_loopback_is_allowed() -> None:
    oauthkit.check_transport("https://127.0.0.1:8443/token")
    oauthkit.check_transport("https://localhost:8443/token")


# -- the drivers' TLS settings ----------------------------------------------------------


def test_requests_session_sets_cert_and_verify(files: Files) -> None:
    session = okrequests.OAuth2Session("c", cert=(files.cert, files.key), verify=files.ca)
    assert session.cert == (files.cert, files.key)
    assert session.verify == files.ca
    certificate = session.oauth_client.client_certificate
    assert certificate is not None
    assert certificate.thumbprint == files.thumbprint
    plain = okrequests.OAuth2Session("c")
    assert plain.cert is None
    assert plain.verify is True
    assert plain.oauth_client.client_certificate is None


def test_httpx_gets_an_ssl_context_with_the_certificate(files: Files) -> None:
    certificate = oauthkit.ClientCertificate(files.cert, files.key)
    context = tls_context(certificate, files.ca)
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert len(context.get_ca_certs()) == 1  # the private CA, only
    default = tls_context(certificate, None)
    assert isinstance(default, ssl.SSLContext)
    assert len(default.get_ca_certs()) > 1
    unchecked = tls_context(certificate, False)
    assert isinstance(unchecked, ssl.SSLContext)
    assert unchecked.verify_mode == ssl.CERT_NONE
    assert tls_context(None, None) is True
    assert tls_context(None, False) is False
    own = ssl.create_default_context()
    assert tls_context(None, own) is own
    with pytest.raises(oauthkit.UsageError, match="load_cert_chain"):
        tls_context(certificate, own)
    with pytest.raises(oauthkit.UsageError, match="load_cert_chain"):
        okhttpx.OAuth2Client(client_id="c", cert=certificate, verify=own)


def test_httpx_clients_carry_the_certificate(files: Files) -> None:
    with okhttpx.OAuth2Client(client_id="c", cert=files.combined, verify=files.ca) as client:
        certificate = client.oauth_client.client_certificate
        assert certificate is not None
        assert certificate.thumbprint == files.thumbprint
    with okhttpx.OAuth2Client(client_id="c", verify=files.ca) as client:
        assert client.oauth_client.client_certificate is None
