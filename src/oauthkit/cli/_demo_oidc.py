"""The OpenID Connect section of ``oauthkit demo`` (OIDC Core 1.0, Discovery 1.0, RP-Initiated
Logout 1.0).

A session given only the issuer discovers the provider, logs the user in (code, PKCE and a
nonce), validates the ID token before keeping any token, asks UserInfo (its ``sub`` checked
against the ID token's), sees the provider rotate its signing key (one JWK Set refetch, no
failed login) and builds the logout URL, which the provider honours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import OAuthError

if TYPE_CHECKING:
    from ..devserver import DevProvider
    from ._demo import Printer

__all__ = ["oidc_section"]


def _approve(url: str) -> str:
    import requests

    approval = requests.get(url, allow_redirects=False, timeout=10)
    callback = approval.headers.get("Location", "")
    if approval.status_code != 302 or not callback:
        raise OAuthError(f"authorization was not approved (HTTP {approval.status_code})")
    return callback


def oidc_section(provider: DevProvider, printer: Printer) -> None:
    """Discovery, login with a validated ID token, UserInfo, key rotation, logout.

    Raises:
        OAuthError: A step was refused, or an ID token failed validation.
        requests.RequestException: The provider could not be reached.
    """
    import requests

    from .. import oidc
    from ..requests import OAuth2Session
    from ._demo import shorten

    printer.heading("OpenID Connect: discovery, login, ID token, UserInfo, logout")
    client_id, secret = provider.oauth2_client_id, provider.oauth2_client_secret
    # A private Provider cache, so that the demo's request counts are its own.
    rp = oidc.RelyingParty(oidc.Provider(provider.issuer), client_id)
    with OAuth2Session(
        client_id,
        redirect_uri=provider.callback_url,
        scope=["openid", "profile", "email"],
        relying_party=rp,
        pkce="S256",
    ) as session:
        metadata = session.discover()
        printer.step("Discovery", "GET " + provider.openid_configuration_url)
        printer.detail(f"issuer {metadata.issuer} (must match exactly); jwks_uri, userinfo, logout")

        url, _ = session.authorization_url()
        printer.step("Authorization URL", "GET " + url.partition("?")[0])
        printer.detail(f"nonce={shorten(session.nonce or '')}  state and PKCE S256 too")

        token = session.fetch_token(authorization_response=_approve(url), client_secret=secret)
        claims = session.id_token_claims
        if claims is None:
            raise OAuthError("the login gave no validated ID token")
        printer.step("Token", "POST " + provider.token_endpoint)
        printer.detail(
            f"ID token {claims.header.get('alg')} kid={shorten(str(claims.header.get('kid')))}: "
            f"iss, aud={claims.audience[0]}, exp, iat, nonce, at_hash checked; sub={claims.subject}"
        )
        printer.detail(f"access_token={shorten(str(token['access_token']))}")

        info = session.userinfo()
        printer.step("UserInfo", "GET " + provider.userinfo_endpoint)
        printer.detail(f"sub={info.get('sub')} (equals the ID token's)  name={info.get('name')}")

        before = provider.hits(provider.jwks_uri)
        kid = provider.rotate_signing_key()
        session.fetch_token(
            authorization_response=_approve(session.authorization_url()[0]),
            client_secret=secret,
        )
        refetches = provider.hits(provider.jwks_uri) - before
        printer.step("Key rotation", f"the provider signs with a new key ({shorten(kid)})")
        printer.detail(f"the next login refetched the JWK Set {refetches} time(s) and succeeded")
        if refetches != 1:
            raise OAuthError("a rotated key should cost exactly one JWK Set request")

        logout = session.end_session_url(post_logout_redirect_uri=provider.callback_url)
        answer = requests.get(logout, allow_redirects=False, timeout=10)
        printer.step("Logout", "GET " + logout.partition("?")[0])
        printer.detail(f"id_token_hint sent; the provider answered {answer.status_code}")
        if answer.status_code != 302:
            raise OAuthError(f"the provider refused the logout (HTTP {answer.status_code})")
