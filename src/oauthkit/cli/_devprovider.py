"""``oauthkit dev-provider`` and ``oauthkit demo``: a local provider, and the flows against it.

``dev-provider`` serves a local OAuth 1.0a, OAuth 2 and OpenID Connect provider, prints its
URLs and throwaway test credentials (in full), and serves until Ctrl-C or SIGTERM.
``--client-id``/``--client-secret`` register a confidential client with fixed credentials (so a
profile can name them), ``--public-client-id`` a public one, ``--token-lifetime`` sets the
access tokens' lifetime, and ``-v`` logs each request line (paths only: a query may carry a
token).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING, TextIO

import click

from .._errors import UsageError
from ..oauth1._signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    HMAC_SHA512,
    PLAINTEXT,
    RSA_SHA1,
    RSA_SHA256,
    RSA_SHA512,
)
from ._output import CliError

if TYPE_CHECKING:
    from ..devserver import DevProvider

__all__ = ["COMMANDS", "demo_command", "dev_provider", "dev_provider_command"]

_METHODS = (HMAC_SHA1, HMAC_SHA256, HMAC_SHA512, RSA_SHA1, RSA_SHA256, RSA_SHA512, PLAINTEXT)


@click.command("dev-provider")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address.")
@click.option("--port", type=int, default=0, help="Port (default: a free one).")
@click.option(
    "--rsa-key-out",
    metavar="FILE",
    help="Write the RSA client's private key here (mode 0600) instead of printing it.",
)
@click.option("--client-id", help="Also register a confidential client with this fixed id.")
@click.option(
    "--client-secret",
    envvar="OAUTHKIT_DEV_CLIENT_SECRET",
    help="Its secret (or $OAUTHKIT_DEV_CLIENT_SECRET); random if omitted.",
)
@click.option("--public-client-id", help="Also register a public (PKCE) client with this id.")
@click.option(
    "--token-lifetime",
    type=click.IntRange(min=1),
    default=3600,
    show_default=True,
    help="Seconds an access token lives.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log each request (paths only) on stderr.")
def dev_provider_command(
    host: str,
    port: int,
    rsa_key_out: str | None,
    client_id: str | None,
    client_secret: str | None,
    public_client_id: str | None,
    token_lifetime: int,
    verbose: bool,
) -> int:
    """Run a local OAuth provider with test credentials until Ctrl-C."""
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log = logging.getLogger("oauthkit.devserver")
        log.addHandler(handler)
        log.setLevel(logging.DEBUG)
    try:
        return dev_provider(
            host,
            port,
            rsa_key_out,
            sys.stdout,
            clients=(client_id, client_secret, public_client_id),
            token_lifetime=token_lifetime,
        )
    except UsageError as exc:  # a bad host or client id: reported like a busy port
        raise CliError(str(exc)) from None


@click.command("demo")
@click.option(
    "--signature-method",
    type=click.Choice(_METHODS),
    default=HMAC_SHA1,
    show_default=True,
    help="OAuth 1.0a signature method.",
)
def demo_command(signature_method: str) -> int:
    """Run the OAuth flows end to end against a local provider."""
    from ._demo import run_demo

    return run_demo(sys.stdout, oauth1_signature_method=signature_method)


COMMANDS = (dev_provider_command, demo_command)


def _write_private_file(path: str, text: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


def dev_provider(
    host: str,
    port: int,
    rsa_key_out: str | None,
    out: TextIO,
    stop: threading.Event | None = None,
    *,
    clients: tuple[str | None, str | None, str | None] = (None, None, None),
    token_lifetime: int = 3600,
) -> int:
    """Serve until Ctrl-C, SIGTERM, or ``stop`` being set (how tests end it in-process)."""
    from ..devserver import DevProvider

    stop = threading.Event() if stop is None else stop
    provider = DevProvider(host, port, access_token_ttl=token_lifetime).start()
    try:
        fixed = _register_fixed(provider, *clients)
        with _stop_on_signals(stop):
            token = provider.issue_access_token()
            rows = [
                ("OAuth 1.0a endpoints", ""),
                ("request token URL", provider.request_token_url),
                ("authorize URL", provider.authorize_url),
                ("access token URL", provider.access_token_url),
                ("resource URL", provider.resource_url),
                ("callback page", provider.callback_url),
                ("", ""),
                ("Test credentials (valid while this process runs)", ""),
                ("client key", provider.client_key),
                ("client secret", provider.client_secret),
                ("access token", token["oauth_token"]),
                ("access token secret", token["oauth_token_secret"]),
                ("RSA client key", provider.rsa_client_key),
            ]
            print(f"oauthkit dev provider listening on {provider.base_url}", file=out)
            print("", file=out)
            _print_rows(rows, out)
            if rsa_key_out:
                _write_private_file(rsa_key_out, provider.rsa_private_key_pem)
                print(f"  {'RSA private key':<22}written to {rsa_key_out}", file=out)
            else:
                print(f"  {'RSA private key':<22}(PEM below)", file=out)
                print(provider.rsa_private_key_pem.rstrip(), file=out)
            print("", file=out)
            _print_rows(_oauth2_rows(provider) + fixed, out)
            print("\nServing; press Ctrl-C to stop.", file=out)
            out.flush()
            _wait_for_stop(stop)
    finally:
        provider.stop()
    print("Stopped.", file=out)
    out.flush()
    return 0


def _register_fixed(
    provider: DevProvider, client_id: str | None, secret: str | None, public_id: str | None
) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if client_id is not None:
        client = provider.register_oauth2_client(client_id, secret)
        rows += [
            ("fixed client ID", client.client_id),
            ("fixed client secret", client.client_secret or ""),
        ]
    elif secret is not None:
        raise UsageError("--client-secret needs --client-id")
    if public_id is not None:
        provider.register_oauth2_client(public_id, token_endpoint_auth_method="none")
        rows.append(("fixed public client", public_id))
    return rows


def _print_rows(rows: list[tuple[str, str]], out: TextIO) -> None:
    for label, value in rows:
        print(f"  {label:<22}{value}" if value else label, file=out)


def _oauth2_rows(provider: DevProvider) -> list[tuple[str, str]]:
    """The OAuth 2 half of the banner; labels stay under 21 characters for the columns."""
    token = provider.issue_oauth2_token()
    return [
        ("OAuth 2 endpoints (the metadata lists them all)", ""),
        ("issuer", provider.issuer),
        ("metadata", provider.metadata_url),
        ("authorize endpoint", provider.authorization_endpoint),
        ("token endpoint", provider.token_endpoint),
        ("device endpoint", provider.device_authorization_endpoint),
        ("device approval URL", provider.device_approval_url),
        ("revocation endpoint", provider.revocation_endpoint),
        ("introspect endpoint", provider.introspection_endpoint),
        ("OAuth 2 resource", provider.oauth2_resource_url),
        ("redirect URI", provider.callback_url),
        ("OpenID discovery", provider.openid_configuration_url),
        ("JWK Set", provider.jwks_uri),
        ("userinfo endpoint", provider.userinfo_endpoint),
        ("logout endpoint", provider.end_session_endpoint),
        ("", ""),
        ("OAuth 2 test credentials (client_secret_basic, client_secret_post, public + PKCE;", ""),
        ("redirect URIs http://127.0.0.1|[::1]|localhost/callback on any port)", ""),
        ("basic client ID", provider.oauth2_client_id),
        ("basic client secret", provider.oauth2_client_secret),
        ("post client ID", provider.oauth2_post_client_id),
        ("post client secret", provider.oauth2_post_client_secret),
        ("public client ID", provider.oauth2_public_client_id),
        ("username", provider.oauth2_username),
        ("password", provider.oauth2_password),
        ("bearer token", str(token["access_token"])),
    ]


@contextlib.contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM sets ``stop`` and Ctrl-C ends quietly, from the moment the provider starts.

    Installed before the banner is printed: a supervisor that signals as soon as it reads
    "Serving" must not find the default handlers still in place.
    """

    def on_sigterm(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, on_sigterm)
    try:
        yield
    except KeyboardInterrupt:
        pass
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _wait_for_stop(stop: threading.Event) -> None:
    # Wake up now and then: a timed wait lets Ctrl-C through promptly on every platform.
    while not stop.wait(0.5):
        pass
