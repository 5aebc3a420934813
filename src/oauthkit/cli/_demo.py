"""``oauthkit demo``: the OAuth flows end to end against a dev provider started for the occasion.

Each flow is a *section*: a function that takes the running provider and a :class:`Printer`
and raises on the first step that fails. :func:`run_demo` starts one provider, runs every
section in :data:`SECTIONS` order and reports. The OAuth 1.0a section uses
:class:`oauthkit.requests.OAuth1Session` exactly as requests-oauthlib code would; the OAuth 2
section (:mod:`oauthkit._demo_oauth2`) uses :class:`oauthkit.requests.OAuth2Session` the same way.

Tokens are shortened in the printout (``a1b2c3…``): the demo shows the protocol, not the
credentials.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TextIO

from .._errors import OAuthError
from ..oauth1._signature import HMAC_SHA1
from ._demo_oauth2 import oauth2_section
from ._demo_oidc import oidc_section

if TYPE_CHECKING:
    import requests

    from ..devserver import DevProvider

__all__ = ["SECTIONS", "Printer", "Section", "oauth1_section", "run_demo", "shorten"]

_SECRET_IN_TEXT = re.compile(r"((?:oauth_token|oauth_verifier|oauth_token_secret)=)([^&\s\"]+)")


def shorten(value: str, keep: int = 6) -> str:
    """``"a1b2c3d4e5"`` → ``"a1b2c3…"``: enough to follow a token through the steps."""
    return value if len(value) <= keep else value[:keep] + "…"


def _shorten_in(text: str) -> str:
    return _SECRET_IN_TEXT.sub(lambda m: m.group(1) + shorten(m.group(2)), text)


class Printer:
    """Numbered, aligned demo output.

    Args:
        out: Where to write.
        base_url: Stripped from URLs, which then read as paths.
    """

    def __init__(self, out: TextIO, base_url: str = "") -> None:
        self._out = out
        self._base = base_url
        self._step = 0

    def heading(self, text: str) -> None:
        """Start a section."""
        self._step = 0
        self._write(f"\n== {text} ==")

    def step(self, title: str, action: str = "") -> None:
        """Announce the next numbered step; ``action`` is the HTTP request it makes."""
        self._step += 1
        label = f"{self._step}. {title}"
        self._write(f"{label:<22}{self.url(action)}".rstrip())

    def detail(self, text: str) -> None:
        """An indented line under the current step."""
        self._write("   " + _shorten_in(text))

    def line(self, text: str = "") -> None:
        """An unindented line."""
        self._write(text)

    def url(self, url: str) -> str:
        """``url`` (or any text) with the provider's URLs as paths and tokens shortened."""
        if self._base:
            url = url.replace(self._base + "/", "/").replace(self._base, "/")
        return _shorten_in(url)

    def _write(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()


def _token_line(token: Mapping[str, str]) -> str:
    parts = [f"{k}={shorten(v)}" for k, v in token.items() if k.startswith("oauth_token")]
    return "  ".join(parts)


def _describe_echo(response: requests.Response) -> str:
    echo = response.json()
    if response.status_code != 200:
        return f"{response.status_code} refused: {echo.get('oauth_problem')} ({echo.get('detail')})"
    params = [f"{k}={v}" for k, v in echo["query"] + echo["form"]]
    where = "query" if echo["query"] else "form"
    shown = f"; echoed {where} {'&'.join(params)}" if params else ""
    return (
        f"200 verified {echo['signature_method']} ({echo['signature_type']}) "
        f"for token {shorten(echo['token'])}{shown}"
    )


def oauth1_section(
    provider: DevProvider, printer: Printer, *, signature_method: str = HMAC_SHA1
) -> None:
    """The three-legged OAuth 1.0a flow of RFC 5849 §2, then two signed requests (§3).

    Raises:
        OAuthError: A step was refused or answered with something unusable.
        requests.RequestException: The provider could not be reached.
    """
    import requests

    from ..requests import OAuth1Session

    rsa = signature_method.startswith("RSA-")
    client_key = provider.rsa_client_key if rsa else provider.client_key
    printer.heading(f"OAuth 1.0a, three-legged (RFC 5849), {signature_method}")
    printer.line(f"client {client_key}, callback {printer.url(provider.callback_url)}")
    with OAuth1Session(
        client_key,
        client_secret=None if rsa else provider.client_secret,
        callback_uri=provider.callback_url,
        signature_method=signature_method,
        rsa_key=provider.rsa_private_key_pem if rsa else None,
    ) as session:
        printer.step("Request token", "POST " + provider.request_token_url)
        request_token = session.fetch_request_token(provider.request_token_url)
        printer.detail(_token_line(request_token))

        auth_url = session.authorization_url(provider.authorize_url)
        printer.step("Authorize", "GET " + auth_url)
        # A person would approve in a browser; the dev provider approves at once and
        # redirects. Read the redirect instead of following it: that is the callback.
        approval = requests.get(auth_url, allow_redirects=False, timeout=10)
        callback = approval.headers.get("Location", "")
        if approval.status_code != 302 or not callback:
            raise OAuthError(f"authorization was not approved (HTTP {approval.status_code})")
        printer.detail(f"{approval.status_code} redirect to {printer.url(callback)}")

        printer.step("Verifier", "parse_authorization_response(callback)")
        verified = session.parse_authorization_response(callback)
        printer.detail(
            f"oauth_verifier={verified['oauth_verifier']}  (oauth_token matches the request token)"
        )

        printer.step("Access token", "POST " + provider.access_token_url)
        access_token = session.fetch_access_token(provider.access_token_url)
        printer.detail(_token_line(access_token))

        printer.step("Signed GET", f"GET {provider.resource_url}?greeting=hello")
        response = session.get(provider.resource_url, params={"greeting": "hello"}, timeout=10)
        printer.detail(_describe_echo(response))
        _expect_ok(response)

        printer.step("Signed POST", f"POST {provider.resource_url}  (form: note=signed body)")
        response = session.post(provider.resource_url, data={"note": "signed body"}, timeout=10)
        printer.detail(_describe_echo(response))
        _expect_ok(response)


def _expect_ok(response: requests.Response) -> None:
    if response.status_code != 200:
        raise OAuthError(f"the provider refused the signed request (HTTP {response.status_code})")


Section = Callable[["DevProvider", Printer], None]

#: The flows the demo runs, in order.
SECTIONS: list[Section] = [oauth1_section, oauth2_section, oidc_section]


def run_demo(
    out: TextIO | None = None,
    *,
    sections: Sequence[Section] | None = None,
    oauth1_signature_method: str = HMAC_SHA1,
) -> int:
    """Start a dev provider, run every demo section against it and report.

    Args:
        out: Where to print; standard output by default.
        sections: The flows to run; :data:`SECTIONS` by default.
        oauth1_signature_method: Signature method of the OAuth 1.0a section.

    Returns:
        ``0`` when every step succeeded, ``1`` otherwise (the failure is printed).

    Raises:
        MissingExtraError: The ``dev`` or ``requests`` extra is missing.
    """
    from ..devserver import DevProvider

    stream = sys.stdout if out is None else out
    chosen = list(SECTIONS if sections is None else sections)
    chosen = [
        functools.partial(oauth1_section, signature_method=oauth1_signature_method)
        if section is oauth1_section
        else section
        for section in chosen
    ]
    with DevProvider() as provider:
        printer = Printer(stream, provider.base_url)
        printer.line(f"oauthkit demo against a dev provider at {provider.base_url}")
        try:
            for section in chosen:
                section(provider, printer)
        except OAuthError as exc:
            printer.line(f"\nFAILED: {type(exc).__name__}: {exc}")
            return 1
    printer.line("\nDone: the provider (oauthlib's server endpoints) verified every step.")
    return 0
