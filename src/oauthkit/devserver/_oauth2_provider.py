"""The OAuth 2 half of :class:`~oauthkit.devserver.DevProvider`: its URLs, clients and controls.

:class:`OAuth2ProviderMixin` gives the provider the OAuth 2 endpoint URLs (RFC 6749 §3, RFC 7009
§2, RFC 7662 §2, RFC 8414 §3, RFC 8628 §3.1), the test credentials it registers, and the
controls a test drives instead of a user or a clock: registering clients, minting tokens
(RFC 6749 §5.1), deciding device authorizations (RFC 8628 §3.3) and expiring access tokens.
The endpoints themselves are :class:`~oauthkit.devserver._oauth2.OAuth2Endpoints`.

Importing this module needs nothing beyond oauthkit: oauthlib is loaded when the provider is
built.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from .._errors import UsageError
from ._oauth2_clients import ALL_GRANT_TYPES, DEFAULT_USER, LOOPBACK_REDIRECT_URIS, DevOAuth2Client
from ._oauth2_store import OAuth2Store
from ._store import new_secret

if TYPE_CHECKING:
    from ._oauth2 import OAuth2Endpoints

__all__ = ["OAuth2ProviderMixin"]


class OAuth2ProviderMixin:
    """The OAuth 2 members of the dev provider.

    The class using it calls :meth:`_init_oauth2` before mounting ``self._oauth2`` on its
    router, :meth:`_register_oauth2_defaults` once it can register clients, and supplies
    ``base_url``.
    """

    _oauth2_store: OAuth2Store
    _oauth2: OAuth2Endpoints
    _oauth2_basic: DevOAuth2Client
    _oauth2_post: DevOAuth2Client
    _oauth2_public: DevOAuth2Client
    _oauth2_username: str
    _oauth2_password: str

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str:
            """The provider's ``http://host:port``."""

    def _init_oauth2(
        self,
        clock: Callable[[], float],
        *,
        access_token_ttl: int,
        device_code_ttl: int,
        device_poll_interval: int,
    ) -> None:
        """Build the OAuth 2 store and endpoints; oauthlib must be importable."""
        # Imported only now: the module imports oauthlib at the top.
        from ._oauth2 import OAuth2Endpoints

        self._oauth2_store = OAuth2Store(clock)
        self._oauth2 = OAuth2Endpoints(
            self._oauth2_store,
            lambda: self.base_url,
            access_token_ttl=access_token_ttl,
            device_code_ttl=device_code_ttl,
            device_interval=device_poll_interval,
        )

    def _register_oauth2_defaults(self) -> None:
        """Register the three default clients and the password grant's resource owner."""
        self._oauth2_basic = self.register_oauth2_client(f"dev-basic-{secrets.token_hex(6)}")
        self._oauth2_post = self.register_oauth2_client(
            f"dev-post-{secrets.token_hex(6)}", token_endpoint_auth_method="client_secret_post"
        )
        self._oauth2_public = self.register_oauth2_client(
            f"dev-public-{secrets.token_hex(6)}", token_endpoint_auth_method="none"
        )
        self._oauth2_username = DEFAULT_USER
        self._oauth2_password = new_secret()
        self._oauth2_store.add_user(self._oauth2_username, self._oauth2_password)

    def _oauth2_index(self) -> dict[str, str]:
        """The OAuth 2 part of the provider's ``/`` page."""
        return {
            "issuer": self.issuer,
            "metadata_url": self.metadata_url,
            "authorization_endpoint": self.authorization_endpoint,
            "token_endpoint": self.token_endpoint,
            "device_authorization_endpoint": self.device_authorization_endpoint,
            "device_approval_url": self.device_approval_url,
            "revocation_endpoint": self.revocation_endpoint,
            "introspection_endpoint": self.introspection_endpoint,
            "resource_url": self.oauth2_resource_url,
        }

    # -- URLs -------------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        """The issuer identifier (RFC 8414 §2, OpenID Connect Discovery 1.0 §3): the base URL,
        exactly as in the metadata, the RFC 9207 ``iss`` parameter and the ID tokens' ``iss``."""
        return self.base_url

    @property
    def metadata_url(self) -> str:
        """Authorization server metadata (RFC 8414 §3)."""
        return self.base_url + "/.well-known/oauth-authorization-server"

    @property
    def authorization_endpoint(self) -> str:
        """OAuth 2 authorization endpoint (RFC 6749 §3.1); approves at once."""
        return self.base_url + "/oauth2/authorize"

    @property
    def token_endpoint(self) -> str:
        """OAuth 2 token endpoint (RFC 6749 §3.2)."""
        return self.base_url + "/oauth2/token"

    @property
    def device_authorization_endpoint(self) -> str:
        """Device authorization endpoint (RFC 8628 §3.1)."""
        return self.base_url + "/oauth2/device_authorization"

    @property
    def device_approval_url(self) -> str:
        """``POST`` a form with ``user_code`` (and ``deny=1`` to refuse) to decide headlessly."""
        return self.base_url + "/oauth2/device/approve"

    @property
    def revocation_endpoint(self) -> str:
        """Token revocation endpoint (RFC 7009 §2)."""
        return self.base_url + "/oauth2/revoke"

    @property
    def introspection_endpoint(self) -> str:
        """Token introspection endpoint (RFC 7662 §2)."""
        return self.base_url + "/oauth2/introspect"

    @property
    def oauth2_resource_url(self) -> str:
        """A Bearer-protected resource (RFC 6750) that echoes what it verified as JSON."""
        return self.base_url + "/oauth2/resource"

    # -- credentials and controls -----------------------------------------------------------

    @property
    def oauth2_client_id(self) -> str:
        """The confidential client that authenticates with ``client_secret_basic``."""
        return self._oauth2_basic.client_id

    @property
    def oauth2_client_secret(self) -> str:
        """Its secret."""
        return self._oauth2_basic.client_secret or ""

    @property
    def oauth2_post_client_id(self) -> str:
        """The confidential client that authenticates with ``client_secret_post``."""
        return self._oauth2_post.client_id

    @property
    def oauth2_post_client_secret(self) -> str:
        """Its secret."""
        return self._oauth2_post.client_secret or ""

    @property
    def oauth2_public_client_id(self) -> str:
        """The public client (no secret, PKCE required)."""
        return self._oauth2_public.client_id

    @property
    def oauth2_username(self) -> str:
        """The resource owner of the password grant (RFC 6749 §4.3)."""
        return self._oauth2_username

    @property
    def oauth2_password(self) -> str:
        """Their password."""
        return self._oauth2_password

    def register_oauth2_client(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        *,
        token_endpoint_auth_method: str = "client_secret_basic",
        redirect_uris: Iterable[str] = LOOPBACK_REDIRECT_URIS,
        grant_types: Iterable[str] | None = None,
        scopes: Iterable[str] | None = None,
        default_scopes: Iterable[str] = ("read",),
        post_logout_redirect_uris: Iterable[str] = LOOPBACK_REDIRECT_URIS,
    ) -> DevOAuth2Client:
        """Register another OAuth 2 client.

        Args:
            client_id: 8 to 64 letters, digits, ``-``, ``_`` or ``.``; random if omitted.
            client_secret: Random if omitted; must be omitted for a public client.
            token_endpoint_auth_method: ``client_secret_basic``, ``client_secret_post`` or
                ``none`` (a public client, which must use PKCE).
            redirect_uris: Absolute URIs without fragments; loopback ``http`` ones match any
                port.
            grant_types: Allowed grants; all of them by default (a public client cannot use
                ``client_credentials``, which needs a secret).
            scopes: Scopes it may request; any well-formed scope if omitted.
            default_scopes: Granted when a request names none.
            post_logout_redirect_uris: Where RP-initiated logout may send the user back
                (OpenID Connect RP-Initiated Logout 1.0 §3); matched like ``redirect_uris``.

        Returns:
            The registered client.

        Raises:
            UsageError: A value is malformed, or the client_id is taken.
        """
        public = token_endpoint_auth_method == "none"
        if grant_types is None:
            grant_types = ALL_GRANT_TYPES - {"client_credentials"} if public else ALL_GRANT_TYPES
        client = DevOAuth2Client(
            client_id=client_id if client_id is not None else f"client-{secrets.token_hex(8)}",
            client_secret=client_secret if public or client_secret else new_secret(),
            token_endpoint_auth_method=token_endpoint_auth_method,
            redirect_uris=tuple(redirect_uris),
            grant_types=frozenset(grant_types),
            scopes=frozenset(scopes) if scopes is not None else None,
            default_scopes=tuple(default_scopes),
            post_logout_redirect_uris=tuple(post_logout_redirect_uris),
        )
        self._oauth2_store.add_client(client)
        return client

    def issue_oauth2_token(
        self, client_id: str | None = None, *, scope: str = "read", user: str | None = None
    ) -> dict[str, object]:
        """Mint an access and refresh token directly, skipping the grant.

        Args:
            client_id: Whose token; the ``client_secret_basic`` client's if omitted.
            scope: Space-separated scopes.
            user: The resource owner; ``None`` for a token of the client itself.

        Returns:
            A token response (RFC 6749 §5.1): ``access_token``, ``token_type``,
            ``expires_in``, ``refresh_token`` and ``scope``.

        Raises:
            UsageError: ``client_id`` is not registered.
        """
        cid = self.oauth2_client_id if client_id is None else client_id
        if self._oauth2_store.client(cid) is None:
            raise UsageError(f"no OAuth 2 client is registered under {cid!r}")
        return self._oauth2.issue_token(cid, tuple(scope.split()), user)

    def approve_device(
        self, user_code: str, *, deny: bool = False, user: str = DEFAULT_USER
    ) -> None:
        """Decide a pending device authorization, as its user would (RFC 8628 §3.3).

        Args:
            user_code: The code the device shows; case, dashes and spaces do not matter.
            deny: Refuse instead: the device's next poll gets ``access_denied``.
            user: The resource owner who approves.

        Raises:
            UsageError: No pending, unexpired authorization shows this code.
        """
        if self._oauth2_store.decide_device(user_code, user, deny=deny) is None:
            raise UsageError("no pending device authorization has this user_code")

    def expire_access_tokens(self) -> int:
        """Expire every OAuth 2 access token issued so far; refresh tokens keep working.

        Returns:
            How many were still live.
        """
        return self._oauth2_store.expire_access_tokens()
