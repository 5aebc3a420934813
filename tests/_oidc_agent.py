"""The test's instruments around oidc-provider for OpenID Connect interop tests.

They play the parts that are not the client under test, with a plain httpx client: the
developer who registers a client (RFC 7591 dynamic registration), the user's browser (which
keeps the provider's session cookie from the login to the logout) and the relying party's
back-channel logout route (a loopback receiver). None of them holds protocol logic of oauthkit.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from tests._drivers2 import Driver
from tests._routes import Hit, Routes, serve
from tests.peers.oidc_provider import OidcProviderPeer

__all__ = ["Browser", "backchannel_receiver", "login", "register", "rsa_encryption_key"]


def register(peer: OidcProviderPeer, **metadata: Any) -> dict[str, Any]:
    """Register a confidential web client at the peer (RFC 7591); return the registration.

    Defaults: redirect URI ``{issuer}/cb``, post-logout redirect ``{issuer}/logged-out``, the
    code and refresh grants, ``client_secret_basic``; ``metadata`` adds or overrides.
    """
    body = {
        "redirect_uris": [peer.url("/cb")],
        "post_logout_redirect_uris": [peer.url("/logged-out")],
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        **metadata,
    }
    with httpx.Client(trust_env=False, timeout=10) as http:
        response = http.post(peer.discovery["registration_endpoint"], json=body)
    assert response.status_code == 201, response.text
    registration: dict[str, Any] = response.json()
    for name, value in metadata.items():
        if name != "jwks":
            assert registration[name] == value, (name, registration.get(name))
    return registration


def rsa_encryption_key(kid: str = "rp-enc") -> dict[str, Any]:
    """A fresh RSA private JWK for RSA-OAEP-256 (the client's decryption key)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.generate_key(
        2048, parameters={"kid": kid, "use": "enc", "alg": "RSA-OAEP-256"}, private=True
    )
    jwk: dict[str, Any] = key.as_dict(private=True)
    assert "d" in jwk
    return jwk


def public(jwk: dict[str, Any]) -> dict[str, Any]:
    """The public members of an RSA JWK."""
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi")}


_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)


class Browser:
    """The user's browser: keeps cookies, follows redirects, submits the provider's forms."""

    def __init__(self, peer: OidcProviderPeer) -> None:
        self.peer = peer
        self.http = httpx.Client(trust_env=False, follow_redirects=True, timeout=10)
        self.interactions = 0  # login or consent pages the last authorization went through

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def authorize(self, url: str) -> str:
        """Open the authorization URL (auto login and consent); return the callback URL."""
        response = self.http.get(url)
        assert response.status_code == 200, response.text
        self.interactions = sum("/interaction/" in hop.url.path for hop in response.history)
        landed = response.url.copy_with(query=None)
        assert landed == httpx.URL(self.peer.url("/cb")), response.url
        return str(response.url)

    def logout(self, end_session_url: str) -> httpx.Response:
        """Open the RP-initiated logout URL and confirm the sign-out form, as the user would
        (oidc-provider's page: a form with ``xsrf`` posted to ``/session/end/confirm``)."""
        page = self.http.get(end_session_url)
        assert page.status_code == 200, page.text
        form = _FORM.search(page.text)
        assert form is not None, page.text[:500]
        action = dict(_ATTR.findall(form.group(0)))["action"]
        fields = {}
        for tag in _INPUT.findall(page.text):
            attrs = dict(_ATTR.findall(tag))
            if "name" in attrs:
                fields[attrs["name"]] = attrs.get("value", "")
        assert fields.get("xsrf"), page.text[:500]
        assert fields.get("logout") == "yes"
        return self.http.post(urljoin(str(page.url), action), data=fields)


def login(
    s: Driver, browser: Browser, client_secret: str | None, **auth_kwargs: Any
) -> dict[str, Any]:
    """Discover, build the authorization URL without a URL, let the browser approve, exchange
    the code (the session validates the ID token); return the token dictionary."""
    s.discover()
    url, _ = s.authorization_url(**auth_kwargs)
    query = parse_qs(urlsplit(url).query)
    assert query["nonce"] == [s.s.relying_party.nonce]
    callback = browser.authorize(url)
    return s.fetch_token(authorization_response=callback, client_secret=client_secret)


@contextlib.contextmanager
def backchannel_receiver() -> Iterator[Routes]:
    """A loopback stand-in for the relying party's ``backchannel_logout_uri`` route
    (``/backchannel-logout``): it answers 200 and keeps every POST in ``hits``."""

    def accept(hit: Hit) -> tuple[int, dict[str, str], bytes]:
        return 200, {"Cache-Control": "no-store"}, b""

    with serve({"/backchannel-logout": accept}) as routes:
        yield routes
