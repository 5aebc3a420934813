"""Authorization server metadata (RFC 8414, OIDC Discovery 1.0): the sans-I/O first part of
issue #9, against the dev provider and oidc-provider, and against hostile documents."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import oauthkit
from oauthkit import HttpResponse, metadata_url, parse_server_metadata
from oauthkit._oauth2._metadata import OPENID, RFC8414
from oauthkit.devserver import DevProvider
from tests.peers.oidc_provider import OidcProviderPeer

ISSUER = "https://as.example"


def _document(**members: Any) -> HttpResponse:
    body = {"issuer": ISSUER, "token_endpoint": f"{ISSUER}/token", **members}
    return HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(body).encode())


def test_where_an_issuer_publishes_its_metadata() -> None:
    assert metadata_url(ISSUER) == f"{ISSUER}/.well-known/openid-configuration"
    assert metadata_url(f"{ISSUER}/tenant/") == f"{ISSUER}/tenant/.well-known/openid-configuration"
    assert (
        metadata_url(f"{ISSUER}/tenant", RFC8414)
        == f"{ISSUER}/.well-known/oauth-authorization-server/tenant"
    )
    assert metadata_url(ISSUER, OPENID) == metadata_url(ISSUER)
    for bad in ("", "as.example", f"{ISSUER}?a=1", f"{ISSUER}#x", "ftp://as.example", 7):
        with pytest.raises(oauthkit.UsageError, match="issuer"):
            metadata_url(bad)  # type: ignore[arg-type]
    with pytest.raises(oauthkit.UsageError, match="kind"):
        metadata_url(ISSUER, "other")


def test_a_document_is_read_into_a_checked_value() -> None:
    metadata = parse_server_metadata(
        _document(
            jwks_uri=f"{ISSUER}/jwks",
            grant_types_supported=["authorization_code", "refresh_token"],
            authorization_response_iss_parameter_supported=True,
            mtls_endpoint_aliases={"token_endpoint": "https://mtls.as.example/token"},
            future_member={"kept": True},
        ),
        issuer=ISSUER,
    )
    assert metadata.issuer == ISSUER
    assert metadata.endpoint("token_endpoint") == f"{ISSUER}/token"
    assert metadata.endpoint("userinfo_endpoint") is None
    assert metadata.supports("grant_types_supported", "refresh_token")
    assert not metadata.supports("grant_types_supported", "password")
    assert metadata.authorization_response_iss_parameter_supported
    assert metadata.mtls_endpoint_aliases["token_endpoint"] == "https://mtls.as.example/token"
    assert metadata.document["future_member"] == {"kept": True}
    with pytest.raises(TypeError):
        metadata.endpoints["token_endpoint"] = "https://evil.example/"  # type: ignore[index]


@pytest.mark.parametrize(
    ("members", "error", "match"),
    [
        ({"issuer": "https://evil.example"}, oauthkit.IssuerMismatchError, "evil.example"),
        ({"issuer": f"{ISSUER}/"}, oauthkit.IssuerMismatchError, "RFC 8414"),
        ({"issuer": None}, oauthkit.IssuerMismatchError, "None"),
        ({"token_endpoint": "/token"}, oauthkit.MalformedResponseError, "token_endpoint"),
        ({"jwks_uri": 7}, oauthkit.MalformedResponseError, "jwks_uri"),
        ({"token_endpoint": "http://as.example/token"}, oauthkit.InsecureTransportError, "http"),
        # Found by fuzz/campaign.py (server_metadata): the server's URLs, not the caller's.
        ({"end_session_endpoint": "http://1::80"}, oauthkit.MalformedResponseError, "port"),
        ({"token_endpoint": "https://as.example:99999/t"}, oauthkit.MalformedResponseError, "port"),
        ({"jwks_uri": "http://: "}, oauthkit.MalformedResponseError, "jwks_uri"),
        ({"token_endpoint": "https://a\\@as.example/"}, oauthkit.MalformedResponseError, "host"),
        ({"userinfo_endpoint": "https://u@/x"}, oauthkit.MalformedResponseError, "no host"),
        ({"scopes_supported": "openid"}, oauthkit.MalformedResponseError, "scopes_supported"),
        ({"mtls_endpoint_aliases": []}, oauthkit.MalformedResponseError, "mtls"),
        (
            {"authorization_response_iss_parameter_supported": "yes"},
            oauthkit.MalformedResponseError,
            "boolean",
        ),
    ],
)
def test_a_hostile_document_is_refused_before_any_url_is_used(
    members: dict[str, Any], error: type[Exception], match: str
) -> None:
    with pytest.raises(error, match=match):
        parse_server_metadata(_document(**members), issuer=ISSUER)


def test_what_is_not_a_document_is_a_typed_error() -> None:
    html = HttpResponse(200, {"Content-Type": "text/html"}, b"<html>login</html>")
    with pytest.raises(oauthkit.MalformedResponseError):
        parse_server_metadata(html, issuer=ISSUER)
    missing = HttpResponse(404, {"Content-Type": "application/json"}, b'{"error": "not_found"}')
    with pytest.raises(oauthkit.TokenEndpointError):
        parse_server_metadata(missing, issuer=ISSUER)
    plain = _document(token_endpoint="http://10.0.0.5/token")
    metadata = parse_server_metadata(plain, issuer=ISSUER, allow_insecure_transport=["10.0.0.5"])
    assert metadata.endpoint("token_endpoint") == "http://10.0.0.5/token"


def _fetch(url: str) -> HttpResponse:
    with httpx.Client(trust_env=False, timeout=10) as client:
        answer = client.get(url)
    return HttpResponse(answer.status_code, dict(answer.headers), answer.content)


def test_the_dev_providers_rfc8414_document() -> None:
    with DevProvider() as provider:
        issuer = provider.issuer
        metadata = parse_server_metadata(_fetch(metadata_url(issuer, RFC8414)), issuer=issuer)
        assert metadata.endpoint("token_endpoint") == provider.token_endpoint
        assert metadata.endpoint("revocation_endpoint") == provider.revocation_endpoint


@pytest.mark.peer
def test_oidc_providers_discovery_document(oidc_peer: OidcProviderPeer) -> None:
    issuer = oidc_peer.issuer
    metadata = parse_server_metadata(_fetch(metadata_url(issuer)), issuer=issuer)
    assert metadata.endpoint("token_endpoint") == oidc_peer.discovery["token_endpoint"]
    assert metadata.endpoint("jwks_uri") == oidc_peer.discovery["jwks_uri"]
    assert metadata.supports("code_challenge_methods_supported", "S256")
    assert metadata.authorization_response_iss_parameter_supported
    # the same document, claimed for another issuer, is refused (a mix-up)
    with pytest.raises(oauthkit.IssuerMismatchError):
        parse_server_metadata(_fetch(metadata_url(issuer)), issuer="https://other.example")
