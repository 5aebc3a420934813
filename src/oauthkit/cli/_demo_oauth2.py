"""The OAuth 2 section of ``oauthkit demo`` (RFC 6749 §4.1, §6; RFC 6750).

It runs the requests-oauthlib practice unchanged but for the import: ``OAuth2Session``,
``authorization_url``, the provider's automatic approval, ``fetch_token`` with the callback
URL, a protected call, and then a refresh. The refresh is the interesting part: the provider
is told to expire the access token, the next protected call is answered ``401
invalid_token``, and the session renews the token once and retries, calling
``token_updater`` once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._errors import OAuthError

if TYPE_CHECKING:
    import requests

    from ..devserver import DevProvider
    from ._demo import Printer

__all__ = ["oauth2_section"]


def oauth2_section(provider: DevProvider, printer: Printer) -> None:
    """Authorization code, a protected call, and a renewal after ``401 invalid_token``.

    Raises:
        OAuthError: A step was refused or answered with something unusable.
        requests.RequestException: The provider could not be reached.
    """
    import requests

    from ..requests import OAuth2Session
    from ._demo import shorten

    updates: list[dict[str, Any]] = []
    # A client_secret_post client: requests-oauthlib code sends auto_refresh_kwargs' credentials
    # in the refresh body, and include_client_id=True puts them there for the code exchange too.
    client_id = provider.oauth2_post_client_id
    secret = provider.oauth2_post_client_secret
    printer.heading("OAuth 2, authorization code (RFC 6749), then a refresh")
    printer.line(f"client {client_id}, redirect {printer.url(provider.callback_url)}")
    with OAuth2Session(
        client_id=client_id,
        redirect_uri=provider.callback_url,
        scope=["profile"],
        auto_refresh_url=provider.token_endpoint,
        auto_refresh_kwargs={"client_id": client_id, "client_secret": secret},
        token_updater=updates.append,
    ) as session:
        url, state = session.authorization_url(provider.authorization_endpoint)
        printer.step("Authorization URL", "GET " + url.partition("?")[0])
        printer.detail(f"state={shorten(state)}  (from secrets; checked at the callback)")

        approval = requests.get(url, allow_redirects=False, timeout=10)
        callback = approval.headers.get("Location", "")
        if approval.status_code != 302 or not callback:
            raise OAuthError(f"authorization was not approved (HTTP {approval.status_code})")
        printer.step("Approval", "the provider approves at once and redirects")
        printer.detail(
            f"{approval.status_code} to {printer.url(callback.partition('?')[0])}?code=…"
        )

        printer.step("Token", "POST " + provider.token_endpoint)
        token = session.fetch_token(
            provider.token_endpoint,
            authorization_response=callback,
            client_secret=secret,
            include_client_id=True,
        )
        printer.detail(_describe(token, shorten))

        printer.step("Protected call", "GET " + provider.oauth2_resource_url)
        _expect_ok(session.get(provider.oauth2_resource_url, timeout=10))
        printer.detail("200, with Authorization: Bearer " + shorten(token["access_token"]))

        expired = provider.expire_access_tokens()
        printer.step("Refresh", f"the provider expires {expired} access token(s); call again")
        before = provider.hits(provider.token_endpoint)
        response = session.get(provider.oauth2_resource_url, timeout=10)
        _expect_ok(response)
        refreshes = provider.hits(provider.token_endpoint) - before
        printer.detail(
            f"401 invalid_token -> {refreshes} refresh -> retried: {response.status_code}; "
            f"token_updater called {len(updates)} time(s)"
        )
        printer.detail(_describe(session.token, shorten))
        if refreshes != 1 or len(updates) != 1:
            raise OAuthError("the session should have refreshed exactly once")


def _describe(token: dict[str, Any], shorten: Any) -> str:
    rotated = token.get("refresh_token")
    return (
        f"access_token={shorten(token['access_token'])}  token_type={token['token_type']}  "
        f"expires_in={token.get('expires_in')}  refresh_token={shorten(rotated or '-')}"
    )


def _expect_ok(response: requests.Response) -> None:
    if response.status_code != 200:
        raise OAuthError(f"the protected call was refused (HTTP {response.status_code})")
