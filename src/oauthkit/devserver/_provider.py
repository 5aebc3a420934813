""":class:`DevProvider`: a throwaway OAuth provider on loopback, for tests and demos.

The provider is a real server, built on oauthlib's server endpoints, so a client that works
against it has passed verification that oauthkit did not write. It holds everything in memory,
hands out test credentials that it prints and exposes freely, and listens only on loopback.

URL layout: each protocol lives under its own prefix (``/oauth1/...``, ``/oauth2/...``,
``/oidc/...``; the metadata sits at ``/.well-known/oauth-authorization-server`` and, for OpenID
Connect, ``/.well-known/openid-configuration``), ``/`` lists the endpoints
as JSON, ``/callback`` is a stand-in client page that shows whatever query it receives, for
flows tried by hand, and ``/redirect?status=30x&to=...`` answers a same-origin redirect, for
client tests (:mod:`~oauthkit.devserver._redirect` keeps it from being an open redirector).
Every request is counted per path (:meth:`DevProvider.hits`), so a test can assert, say, that
a client refreshed exactly once.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable
from types import TracebackType
from urllib.parse import parse_qsl, urlsplit

from .._core._extras import require
from .._core._http import HttpRequest, HttpResponse
from .._errors import UsageError
from ._oauth2_provider import OAuth2ProviderMixin
from ._oidc_provider import OIDCProviderMixin
from ._redirect import redirect_handler
from ._server import DEFAULT_READ_TIMEOUT, LOG, LoopbackServer, Router, json_response
from ._store import DevClient, OAuth1Store, new_secret

__all__ = ["DevProvider"]

_FEATURE = "the dev provider"


class _CountingRouter(Router):
    """A router that counts the requests for each path, whatever their outcome."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._hits: Counter[str] = Counter()

    def dispatch(self, request: HttpRequest, path: str) -> HttpResponse:
        with self._lock:
            self._hits[path] += 1
        return super().dispatch(request, path)

    def hits(self, path: str) -> int:
        with self._lock:
            return self._hits[path]

    def reset_hits(self) -> None:
        with self._lock:
            self._hits.clear()


class DevProvider(OAuth2ProviderMixin, OIDCProviderMixin):
    """A local OAuth 1.0a, OAuth 2 and OpenID Connect provider that approves every request.

    Use it as a context manager, or call :meth:`start` and :meth:`stop`::

        with DevProvider() as provider:
            session = OAuth1Session(provider.client_key, provider.client_secret,
                                    callback_uri=provider.callback_url)
            session.fetch_request_token(provider.request_token_url)

    Two clients are registered at construction: one for the HMAC methods and PLAINTEXT
    (:attr:`client_key`, :attr:`client_secret`) and one for the RSA methods
    (:attr:`rsa_client_key`, :attr:`rsa_private_key_pem`). Every RFC 5849 method and its
    SHA-2 variants are accepted: HMAC-SHA1/256/512, RSA-SHA1/256/512, PLAINTEXT.

    Three OAuth 2 clients are registered too, each allowed every grant its type permits and
    the redirect URIs ``http://127.0.0.1/callback``, ``http://[::1]/callback`` and
    ``http://localhost/callback`` on any port (so :attr:`callback_url` as well): a confidential
    client using ``client_secret_basic`` (:attr:`oauth2_client_id`), one using
    ``client_secret_post`` (:attr:`oauth2_post_client_id`) and a public client that must use
    PKCE (:attr:`oauth2_public_client_id`); plus a resource owner for the password grant
    (:attr:`oauth2_username`, :attr:`oauth2_password`). The OAuth 2 routes are described in
    :mod:`oauthkit.devserver._oauth2`; :attr:`metadata_url` lists them. The OAuth 2 members
    come from :class:`~oauthkit.devserver._oauth2_provider.OAuth2ProviderMixin`.

    It is an OpenID Provider too: ``openid`` in the scope of a code flow adds an RS256 ID token
    to the token response, with the authorization request's ``nonce``. Discovery
    (:attr:`openid_configuration_url`), :attr:`jwks_uri`, :attr:`userinfo_endpoint` and
    :attr:`end_session_endpoint` are described in :mod:`oauthkit.devserver._oidc`;
    :meth:`rotate_signing_key`, :meth:`issue_id_token` and :meth:`sign_out` come from
    :class:`~oauthkit.devserver._oidc_provider.OIDCProviderMixin`.

    Args:
        host: A loopback address to listen on.
        port: ``0`` (the default) picks a free port; read it back from :attr:`base_url`.
        clock: Seconds since the epoch. It decides when OAuth 2 codes, access tokens and device
            codes expire, so a test can advance a fake clock instead of sleeping, and when
            OAuth 1.0a nonces may be forgotten. (oauthlib itself checks OAuth 1.0a timestamps
            against ``time.time()``.)
        rsa_key_size: Bits of the RSA client's generated key.
        access_token_ttl: Seconds an OAuth 2 access token lives (its ``expires_in``).
        device_code_ttl: Seconds an RFC 8628 device code lives.
        device_poll_interval: Seconds a device must wait between token polls (RFC 8628
            ``interval``); a faster poll gets ``slow_down``.
        read_timeout: Seconds the server waits for more of a request before it closes the
            connection (or answers 408 if the body is incomplete), so that a client that stalls
            mid-request cannot hold a server thread forever.

    Raises:
        MissingExtraError: oauthlib, cryptography or joserfc is missing
            (``pip install 'oauthkit[dev]'``).
        UsageError: ``host`` is not a loopback address, a lifetime is not positive, or
            ``read_timeout`` is not a positive finite number.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
        rsa_key_size: int = 2048,
        access_token_ttl: int = 3600,
        device_code_ttl: int = 600,
        device_poll_interval: int = 5,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        require("oauthlib.oauth1", "dev", _FEATURE)
        require("oauthlib.oauth2.rfc8628.grant_types", "dev", _FEATURE)
        require("cryptography.hazmat.primitives.asymmetric.rsa", "dev", _FEATURE)
        require("joserfc.jwk", "dev", _FEATURE)
        if min(access_token_ttl, device_code_ttl, device_poll_interval) < 1:
            raise UsageError("token lifetimes and the poll interval must be at least 1 second")
        # Imported only now: these modules import oauthlib and cryptography at the top.
        from ._oauth1 import OAuth1Endpoints, generate_rsa_key_pair
        from ._oauth1_validator import TIMESTAMP_LIFETIME

        self._store = OAuth1Store(clock, TIMESTAMP_LIFETIME)
        self._oauth1 = OAuth1Endpoints(self._store)
        self._init_oauth2(
            clock,
            access_token_ttl=access_token_ttl,
            device_code_ttl=device_code_ttl,
            device_poll_interval=device_poll_interval,
        )
        self._init_oidc()
        self._router = router = _CountingRouter()
        router.add("/", self._index)
        router.add("/callback", _callback_page)
        router.add(
            "/redirect",
            redirect_handler(lambda: self._server.base_url),
            methods=("GET", "POST", "PUT", "PATCH", "DELETE"),
        )
        self._oauth1.mount(router)
        self._oauth2.mount(router)
        self._oidc.mount(router)
        self._server = LoopbackServer(
            router, host, port, read_timeout=read_timeout, logger=LOG, label="dev provider"
        )

        self._client = self.register_client(f"dev-client-{secrets.token_hex(6)}")
        self._rsa_private_key_pem, self._rsa_public_key_pem = generate_rsa_key_pair(rsa_key_size)
        self._rsa_client = self.register_client(
            f"dev-rsa-client-{secrets.token_hex(6)}", rsa_public_key_pem=self._rsa_public_key_pem
        )
        self._register_oauth2_defaults()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> DevProvider:
        """Start serving on a daemon thread.

        Returns:
            The provider itself, for ``provider = DevProvider().start()``.

        Raises:
            UsageError: It was already started.
            OSError: The port cannot be bound.
        """
        self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving. Safe to call more than once."""
        self._server.stop()

    def __enter__(self) -> DevProvider:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._server.base_url if self._server.running else "not running"
        return f"<DevProvider {where}>"

    # -- URLs -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``.

        Raises:
            UsageError: The provider is not running.
        """
        return self._server.base_url

    @property
    def request_token_url(self) -> str:
        """Temporary-credential endpoint (RFC 5849 §2.1)."""
        return self.base_url + "/oauth1/request_token"

    @property
    def authorize_url(self) -> str:
        """Resource-owner authorization endpoint (RFC 5849 §2.2); approves at once."""
        return self.base_url + "/oauth1/authorize"

    @property
    def access_token_url(self) -> str:
        """Token-credential endpoint (RFC 5849 §2.3)."""
        return self.base_url + "/oauth1/access_token"

    @property
    def resource_url(self) -> str:
        """A protected resource that echoes what it verified as JSON (RFC 5849 §3.2)."""
        return self.base_url + "/oauth1/resource"

    @property
    def callback_url(self) -> str:
        """A page that shows the query it receives: a callback for flows tried by hand."""
        return self.base_url + "/callback"

    # -- credentials ------------------------------------------------------------------------

    @property
    def client_key(self) -> str:
        """The default client's key (HMAC methods and PLAINTEXT)."""
        return self._client.client_key

    @property
    def client_secret(self) -> str:
        """The default client's secret."""
        return self._client.client_secret

    @property
    def rsa_client_key(self) -> str:
        """The RSA client's key."""
        return self._rsa_client.client_key

    @property
    def rsa_private_key_pem(self) -> str:
        """The RSA client's private key, PKCS#8 PEM, unencrypted."""
        return self._rsa_private_key_pem

    @property
    def rsa_public_key_pem(self) -> str:
        """The public half the provider verifies RSA signatures with."""
        return self._rsa_public_key_pem

    def register_client(
        self,
        client_key: str | None = None,
        client_secret: str | None = None,
        *,
        rsa_public_key_pem: str | None = None,
    ) -> DevClient:
        """Register another OAuth 1.0a client.

        Args:
            client_key: 8 to 64 letters, digits, ``-``, ``_`` or ``.``; random if omitted.
            client_secret: Random if omitted.
            rsa_public_key_pem: The client's RSA public key, to allow the RSA methods.

        Returns:
            The registered client.

        Raises:
            UsageError: The key is malformed or taken, or the PEM is not an RSA public key.
        """
        from ._oauth1_validator import is_safe_credential

        key = client_key if client_key is not None else f"client-{secrets.token_hex(8)}"
        if not is_safe_credential(key):
            raise UsageError(
                "client_key must be 8 to 64 characters of letters, digits, '-', '_' or '.'"
            )
        if rsa_public_key_pem is not None:
            _check_rsa_public_key(rsa_public_key_pem)
        client = DevClient(key, client_secret or new_secret(), rsa_public_key_pem)
        self._store.add_client(client)
        return client

    def issue_access_token(
        self, client_key: str | None = None, *, realms: tuple[str, ...] = ()
    ) -> dict[str, str]:
        """Mint token credentials directly, skipping the three-legged flow.

        Args:
            client_key: Whose token; the default client's if omitted.
            realms: Realms the token covers.

        Returns:
            ``{"oauth_token": ..., "oauth_token_secret": ...}``, the shape of an access-token
            response, which ``OAuth1Session.token = ...`` accepts as it is.

        Raises:
            UsageError: ``client_key`` is not registered.
        """
        key = self.client_key if client_key is None else client_key
        if self._store.client(key) is None:
            raise UsageError(f"no client is registered under {key!r}")
        return self._oauth1.issue_access_token(key, realms)

    def hits(self, path: str) -> int:
        """How many requests reached ``path`` (a path or a full URL), whatever the answer."""
        return self._router.hits(urlsplit(path).path if "://" in path else path)

    def reset_hits(self) -> None:
        """Start counting requests from zero."""
        self._router.reset_hits()

    # -- pages ------------------------------------------------------------------------------

    def _index(self, request: HttpRequest) -> HttpResponse:
        return json_response(
            200,
            {
                "oauth1": {
                    "request_token_url": self.request_token_url,
                    "authorize_url": self.authorize_url,
                    "access_token_url": self.access_token_url,
                    "resource_url": self.resource_url,
                },
                "oauth2": self._oauth2_index(),
                "oidc": self._oidc_index(),
                "callback_url": self.callback_url,
            },
        )


def _callback_page(request: HttpRequest) -> HttpResponse:
    received = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    return json_response(200, {"callback_received": received})


def _check_rsa_public_key(pem: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeError, TypeError) as exc:
        raise UsageError("rsa_public_key_pem is not a PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise UsageError("rsa_public_key_pem is not an RSA key")
