"""Certificates and a TLS peer for the mutual-TLS tests (RFC 8705).

:func:`fixture_mtls_peer` makes, with trustme, a private CA, the peer's server certificate,
the client certificates the tests present (``mtls-client``'s, one with another subject, one
from a CA the peer does not trust) and a self-signed certificate for
``selfsigned-mtls-client``, then starts oidc-provider in its TLS mode (tests/peers,
``TLS_CERT``...). A peer that cannot start fails the test; it is never skipped.

:func:`open_mtls_session` opens a session of each driver the way an application would, with
``cert=`` and ``verify=`` and no transport of the test's own, and records what leaves it (a
requests adapter on ``https://``, an httpx request event hook).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio.from_thread
import httpx
import pytest
import trustme
from cryptography import x509

import oauthkit
import oauthkit.httpx as okhttpx
from tests._drivers2 import AsyncHttpxDriver, Driver, HttpxDriver, RecordingAdapter, Sent, _lower
from tests.peers.oidc_provider import OidcProviderPeer

__all__ = [
    "CLIENTS",
    "MtlsPeer",
    "fixture_mtls_peer",
    "headless_authorize_tls",
    "open_mtls_session",
    "thumbprint",
    "user_session",
]

CLIENTS = [
    pytest.param("mtls-client", "tls_client_auth", "client", id="tls_client_auth"),
    pytest.param(
        "selfsigned-mtls-client",
        "self_signed_tls_client_auth",
        "self_signed",
        id="self_signed_tls_client_auth",
    ),
]
"""The peer's two certificate-authenticated clients: ``client_id``, method, certificate name."""


@dataclass(frozen=True)
class MtlsPeer:
    """The running TLS peer and the files of every certificate the tests use."""

    peer: OidcProviderPeer
    ca: str
    client: tuple[str, str]
    other_subject: tuple[str, str]
    untrusted: tuple[str, str]
    self_signed: tuple[str, str]
    key_pem: bytes  # mtls-client's private key, for the redaction tests

    @property
    def issuer(self) -> str:
        return self.peer.issuer


def _leaf(ca: trustme.CA, where: Path, name: str, common_name: str) -> tuple[str, str]:
    leaf = ca.issue_cert(f"{common_name}.example.test", common_name=common_name)
    cert, key = where / f"{name}.crt", where / f"{name}.key"
    leaf.cert_chain_pems[0].write_to_path(cert)
    leaf.private_key_pem.write_to_path(key)
    return str(cert), str(key)


@pytest.fixture(scope="module", name="mtls_peer")
def fixture_mtls_peer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MtlsPeer]:
    """A fresh CA and certificates, and oidc-provider serving HTTPS with mutual TLS."""
    where = tmp_path_factory.mktemp("mtls")
    ca, stranger, own = trustme.CA(), trustme.CA(), trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    server.private_key_and_cert_chain_pem.write_to_path(where / "server.pem")
    ca.cert_pem.write_to_path(where / "ca.pem")
    client = _leaf(ca, where, "client", "mtls-client")
    other = _leaf(ca, where, "other", "someone-else")
    untrusted = _leaf(stranger, where, "untrusted", "mtls-client")
    # a self-signed certificate: the root of a CA of its own, trusted by nobody
    own.cert_pem.write_to_path(where / "self.crt")
    own.private_key_pem.write_to_path(where / "self.key")
    subject = x509.load_pem_x509_certificate(Path(client[0]).read_bytes()).subject
    env = {
        "TLS_CERT": str(where / "server.pem"),
        "TLS_KEY": str(where / "server.pem"),
        "TLS_CA": str(where / "ca.pem"),
        "MTLS_SUBJECT_DN": subject.rfc4514_string(),
        "MTLS_SELF_SIGNED_CERT": str(where / "self.crt"),
    }
    with OidcProviderPeer(env=env) as peer:
        yield MtlsPeer(
            peer=peer,
            ca=str(where / "ca.pem"),
            client=client,
            other_subject=other,
            untrusted=untrusted,
            self_signed=(str(where / "self.crt"), str(where / "self.key")),
            key_pem=Path(client[1]).read_bytes(),
        )


class _RequestsTls(Driver):
    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.s.mount("https://", RecordingAdapter(self.recording))


class _HttpxTls(HttpxDriver):
    def __init__(self, **kw: Any) -> None:
        from tests._drivers2 import Recording

        self.recording = Recording()

        def record(request: httpx.Request) -> None:
            body = request.read()
            self.recording.sent.append(
                Sent(request.method, str(request.url), _lower(request.headers), body)
            )

        self.s = okhttpx.OAuth2Client(
            trust_env=False, timeout=10, event_hooks={"request": [record]}, **kw
        )


class _AsyncHttpxTls(AsyncHttpxDriver):
    def __init__(self, portal: Any, **kw: Any) -> None:
        from tests._drivers2 import Recording

        self.recording = Recording()
        self.portal = portal

        async def record(request: httpx.Request) -> None:
            body = await request.aread()
            self.recording.sent.append(
                Sent(request.method, str(request.url), _lower(request.headers), body)
            )

        async def make() -> okhttpx.AsyncOAuth2Client:
            return okhttpx.AsyncOAuth2Client(
                trust_env=False, timeout=10, event_hooks={"request": [record]}, **kw
            )

        self.s = portal.call(make)


@contextlib.contextmanager
def open_mtls_session(driver: str, **kw: Any) -> Iterator[Driver]:
    """A session of ``driver`` built with the given arguments (``cert=``, ``verify=``...)."""
    if driver == "httpx-async":
        with anyio.from_thread.start_blocking_portal() as portal:
            session: Driver = _AsyncHttpxTls(portal, **kw)
            try:
                yield session
            finally:
                session.close()
        return
    session = _RequestsTls(**kw) if driver == "requests" else _HttpxTls(**kw)
    try:
        yield session
    finally:
        session.close()


def headless_authorize_tls(mtls: MtlsPeer, url: str) -> str:
    """Open the authorization URL as the user (no client certificate: the browser's side)."""
    context = ssl.create_default_context(cafile=mtls.ca)
    with httpx.Client(trust_env=False, follow_redirects=True, timeout=10, verify=context) as http:
        response = http.get(url)
    assert response.status_code == 200, response.text
    assert str(response.url.copy_with(query=None)) == mtls.peer.url("/cb"), response.url
    return str(response.url)


def user_session(
    driver: str,
    mtls: MtlsPeer,
    client_id: str,
    method: str,
    cert: Any,
    *,
    scope: tuple[str, ...] = ("openid",),
    **kw: Any,
) -> contextlib.AbstractContextManager[Driver]:
    """An authorization-code session of ``client_id`` authenticated by ``method`` over
    ``cert``, with PKCE, discovering the TLS peer; ``kw`` adds arguments (``par=True``)."""
    return open_mtls_session(
        driver,
        client_id=client_id,
        client_auth=oauthkit.client_auth_for(method, client_id),
        cert=cert,
        verify=mtls.ca,
        issuer=mtls.issuer,
        redirect_uri=mtls.peer.url("/cb"),
        scope=list(scope),
        pkce="S256",
        **kw,
    )


def thumbprint(certfile: str) -> str:
    """``x5t#S256`` computed apart from oauthkit: the standard library's PEM reader, SHA-256."""
    der = ssl.PEM_cert_to_DER_cert(Path(certfile).read_text())
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
