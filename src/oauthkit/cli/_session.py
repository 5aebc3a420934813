"""A profile as a working client: its store, its endpoints, its httpx session.

Every command that uses a profile goes through :class:`ProfileSession`: the token lives in the
configured store under ``profile:NAME``, renewals run the core's renewal flow under the store's
lock (so two ``oauthkit token`` at once renew once, as any fleet of processes on one store
does), and the endpoints come from the profile or the issuer's metadata, fetched only when a
command needs one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._config import Config, Profile, store_key
from ._fast import LEEWAY
from ._output import EXIT_LOGIN, CliError

if TYPE_CHECKING:
    from .._oauth2._token import Token
    from ..httpx import OAuth2Client
    from ..stores import TokenStore

__all__ = ["TIMEOUT", "ProfileSession", "open_store"]

TIMEOUT = 30.0


def open_store(config: Config) -> TokenStore:
    """The configured token store: SQLite by default; the keyring, a directory of files or
    Redis on request."""
    path = config.token_store_path()
    if config.store_kind == "keyring":
        from ..stores import KeyringStore

        return KeyringStore(path)
    if config.store_kind == "file":
        from ..stores import FileStore

        return FileStore(path)
    if config.store_kind == "redis":
        from ..stores import RedisStore

        return RedisStore(config.store_url)
    from ..stores import SQLiteStore

    return SQLiteStore(path)


class ProfileSession:
    """A profile's store and client.

    Args:
        config: The configuration.
        profile: The profile.
    """

    def __init__(self, config: Config, profile: Profile) -> None:
        self.config = config
        self.profile = profile
        self.key = store_key(profile.name)
        self.store = open_store(config)
        self._client: OAuth2Client | None = None
        self._discovered = False

    @property
    def client(self) -> OAuth2Client:
        """The profile's httpx client on the store (made on first use)."""
        if self._client is None:
            self._client = self._make_client()
        return self._client

    def _make_client(self) -> OAuth2Client:
        from .. import client_auth_for
        from ..httpx import OAuth2Client

        profile = self.profile
        if not profile.client_id:
            raise CliError(
                f"profile {profile.name!r} has no client_id", 'add client_id = "..." to it'
            )
        secret = profile.client_secret()
        auth = client_auth_for(profile.client_auth, profile.client_id, secret)
        dpop = None
        if profile.dpop:
            from .. import DPoPKey

            dpop = DPoPKey.generate()  # replaced by the stored token's key when it has one
        client = OAuth2Client(
            profile.client_id,
            auto_refresh_url=profile.endpoints.get("token_endpoint"),
            scope=profile.scope,
            issuer=profile.issuer,
            client_auth=auth,
            leeway=LEEWAY,
            token_store=self.store,
            token_key=self.key,
            dpop=dpop,
            timeout=TIMEOUT,
        )
        if profile.resource:
            client._oauth.core.resource = profile.resource
        return client

    def endpoint(self, name: str, *, required: bool = True) -> str | None:
        """The profile's ``name`` endpoint, or the issuer's (metadata fetched once)."""
        given = self.profile.endpoints.get(name)
        if given is not None:
            return given
        found = None
        if self.profile.issuer is not None:
            found = self.metadata().get(name)
        if found is None and required:
            raise CliError(
                f"profile {self.profile.name!r}: no {name} (not configured, not in the metadata)",
                f'add {name} = "https://..." to the profile',
            )
        return found if isinstance(found, str) else None

    def metadata(self) -> dict[str, Any]:
        """The issuer's metadata document (OIDC Discovery, or RFC 8414's as a fallback)."""
        if self.profile.issuer is None:
            return {}
        metadata = self.client.discover()
        if not self._discovered:
            self._discovered = True
            core = self.client._oauth.core
            core.token_endpoint = self.profile.endpoints.get("token_endpoint", core.token_endpoint)
        return dict(metadata.document)

    def stored(self) -> Token | None:
        """The stored token (adopting its DPoP key), without renewing it."""
        from .._oauth2._stored import load_stored

        return self.client._execute(load_stored(self.client._oauth.core))

    def fresh_token(self, *, force: bool = False) -> Token:
        """A token that is not due for renewal: the stored one, or a renewed one (under the
        store's lock; a token another process renewed meanwhile is adopted).

        Raises:
            CliError: No token is stored (exit status 3: login needed).
            TokenExpiredError: It expired and cannot be renewed.
        """
        from .._oauth2._protected import current

        core = self.client._oauth.core
        token = self.stored()
        if token is None:
            raise self.login_needed()
        if force or core.should_renew(token):
            if core.token_endpoint is None:
                self.endpoint("token_endpoint")
            token = self.client._execute(current(core, force=force))
            if token is None:
                raise self.login_needed()
        return token

    def login_needed(self) -> CliError:
        """The error for a profile without a stored token."""
        name = self.profile.name
        return CliError(f"not logged in to {name!r}", f"oauthkit login {name}", EXIT_LOGIN)

    def forget(self) -> bool:
        """Delete the stored token (:meth:`~oauthkit.stores.TokenStore.delete`, which every
        store has); whether there was one."""
        return self.store.delete(self.key)

    def close(self) -> None:
        """Close the HTTP client."""
        if self._client is not None:
            self._client.close()
