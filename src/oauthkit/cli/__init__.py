"""The ``oauthkit`` command.

``oauthkit dev-provider``
    Run a local OAuth 1.0a, OAuth 2 and OpenID Connect provider, print its URLs and test
    credentials, and serve until Ctrl-C or SIGTERM. The credentials are throwaway test values
    and are printed in full.
``oauthkit demo``
    Run the OAuth flows end to end against a provider started for the purpose.

``python -m oauthkit`` is the same command.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from types import FrameType
from typing import TYPE_CHECKING, TextIO

from .._errors import OAuthError
from ..oauth1._signature import (
    HMAC_SHA1,
    HMAC_SHA256,
    HMAC_SHA512,
    PLAINTEXT,
    RSA_SHA1,
    RSA_SHA256,
    RSA_SHA512,
)

if TYPE_CHECKING:
    from ..devserver import DevProvider

__all__ = ["build_parser", "main"]

_METHODS = (HMAC_SHA1, HMAC_SHA256, HMAC_SHA512, RSA_SHA1, RSA_SHA256, RSA_SHA512, PLAINTEXT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``oauthkit``."""
    from .. import __version__

    parser = argparse.ArgumentParser(
        prog="oauthkit", description="OAuth 1.0a and OAuth 2 client toolkit."
    )
    parser.add_argument("--version", action="version", version=f"oauthkit {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    serve = commands.add_parser(
        "dev-provider",
        help="run a local OAuth provider with test credentials",
        description="Run a local OAuth 1.0a and OAuth 2 provider that approves every "
        "authorization, print its URLs and test credentials, and serve until Ctrl-C.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="loopback address (default: %(default)s)"
    )
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument(
        "--rsa-key-out",
        metavar="FILE",
        help="write the RSA client's private key here (mode 0600) instead of printing it",
    )

    demo = commands.add_parser(
        "demo",
        help="run the OAuth flows end to end against a local provider",
        description="Start a dev provider and run the OAuth 1.0a three-legged flow against it "
        "with oauthkit.requests, printing each step.",
    )
    demo.add_argument(
        "--signature-method",
        choices=_METHODS,
        default=HMAC_SHA1,
        help="OAuth 1.0a signature method (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``oauthkit`` command.

    Args:
        argv: Arguments without the program name; ``sys.argv[1:]`` by default.

    Returns:
        The process exit status.
    """
    args = build_parser().parse_args(argv)
    try:
        if args.command == "dev-provider":
            return _dev_provider(args.host, args.port, args.rsa_key_out, sys.stdout)
        from ._demo import run_demo

        return run_demo(sys.stdout, oauth1_signature_method=args.signature_method)
    except OAuthError as exc:
        print(f"oauthkit: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"oauthkit: error: {exc}", file=sys.stderr)
        return 1


def _write_private_file(path: str, text: str) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


def _dev_provider(
    host: str,
    port: int,
    rsa_key_out: str | None,
    out: TextIO,
    stop: threading.Event | None = None,
) -> int:
    """Serve until Ctrl-C, SIGTERM, or ``stop`` being set (how tests end it in-process)."""
    from ..devserver import DevProvider

    stop = threading.Event() if stop is None else stop
    provider = DevProvider(host, port).start()
    try:
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
            _print_rows(_oauth2_rows(provider), out)
            print("\nServing; press Ctrl-C to stop.", file=out)
            out.flush()
            _wait_for_stop(stop)
    finally:
        provider.stop()
    print("Stopped.", file=out)
    out.flush()
    return 0


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
