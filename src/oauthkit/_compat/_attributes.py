"""requests-oauthlib's session attributes, shared by the requests and httpx drivers.

The properties and I/O-free methods of ``OAuth2Session`` live here once, as a mixin over an
:class:`~oauthkit._oauth2_session.OAuth2SessionState`; each driver adds only its I/O methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._errors import UsageError
from .._oauth2._client_auth import ClientAuth
from .._oauth2._manager import OAuth2Client
from .._oauth2._token import Token
from ._session import OAuth2SessionState

__all__ = ["SessionAttributes", "TokenUpdater"]

TokenUpdater = Callable[[dict[str, Any]], Any]
"""Called with the new token dictionary once per automatic renewal."""


class SessionAttributes:
    """requests-oauthlib's session attributes, shared by the requests and httpx drivers.

    A mixin over ``self._oauth`` (an :class:`OAuth2SessionState`): the properties and the
    methods that perform no I/O.
    """

    _oauth: OAuth2SessionState

    def __init__(
        self,
        client_id: str | None = None,
        client: object = None,
        auto_refresh_url: str | None = None,
        auto_refresh_kwargs: Mapping[str, Any] | None = None,
        scope: str | Sequence[str] | None = None,
        redirect_uri: str | None = None,
        token: Mapping[str, Any] | Token | None = None,
        state: str | Callable[[], str] | None = None,
        token_updater: TokenUpdater | None = None,
        pkce: str | None = None,
        *,
        code_verifier: str | None = None,
        client_auth: ClientAuth | None = None,
        issuer: str | None = None,
        allow_insecure_transport: bool = False,
        leeway: float = 10.0,
        clock: Callable[[], float] = time.time,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)  # the HTTP library's session or client
        self._oauth = OAuth2SessionState(
            client_id,
            client,
            auto_refresh_url,
            auto_refresh_kwargs,
            scope,
            redirect_uri,
            token,
            state,
            pkce,
            code_verifier=code_verifier,
            client_auth=client_auth,
            issuer=issuer,
            allow_insecure_transport=allow_insecure_transport,
            leeway=leeway,
            clock=clock,
        )
        self._start(token_updater)

    def _start(self, token_updater: TokenUpdater | None) -> None:
        """Set up the driver's half (locks, auth hook) once the state exists."""

    @property
    def client_id(self) -> str:
        """The client identifier."""
        return self._oauth.client_id

    @property
    def scope(self) -> str | Sequence[str] | None:
        """The requested scope."""
        return self._oauth.scope

    @scope.setter
    def scope(self, value: str | Sequence[str] | None) -> None:
        self._oauth.scope = value

    @property
    def redirect_uri(self) -> str | None:
        """The redirect URI sent with authorization and code requests."""
        return self._oauth.redirect_uri

    @redirect_uri.setter
    def redirect_uri(self, value: str | None) -> None:
        self._oauth.redirect_uri = value

    @property
    def auto_refresh_url(self) -> str | None:
        """Where expired tokens are refreshed (``None``: only a fetched client-credentials
        token is renewed, at the URL it was fetched from)."""
        return self._oauth.auto_refresh_url

    @auto_refresh_url.setter
    def auto_refresh_url(self, value: str | None) -> None:
        self._oauth.auto_refresh_url = value

    @property
    def auto_refresh_kwargs(self) -> dict[str, Any]:
        """Extra refresh parameters; ``client_id``/``client_secret`` here authenticate."""
        return self._oauth.auto_refresh_kwargs

    @property
    def compliance_hook(self) -> dict[str, set[Callable[..., Any]]]:
        """The registered provider fixes, by hook name."""
        return self._oauth.compliance_hook

    @property
    def code_verifier(self) -> str | None:
        """The PKCE verifier of the last authorization URL; keep it for the callback."""
        return self._oauth.code_verifier

    @property
    def oauth_client(self) -> OAuth2Client:
        """The sans-I/O :class:`oauthkit.OAuth2Client` underneath."""
        return self._oauth.core

    @property
    def token(self) -> dict[str, Any]:
        """The current token as a dictionary (``{}`` when there is none)."""
        return self._oauth.token_dict

    @token.setter
    def token(self, value: Mapping[str, Any] | Token | None) -> None:
        self._oauth.core.token = value or None

    @property
    def access_token(self) -> str | None:
        """The current access token."""
        token = self._oauth.core.token
        return None if token is None else token.access_token

    @property
    def authorized(self) -> bool:
        """Whether an access token is held."""
        return bool(self.access_token)

    def new_state(self) -> str:
        """Generate (or reuse) the ``state`` for the next authorization URL."""
        return self._oauth.new_state()

    def register_compliance_hook(self, hook_type: str, hook: Callable[..., Any]) -> None:
        """Register a provider fix; see :mod:`oauthkit.requests.compliance_fixes`.

        Raises:
            UsageError: Unknown hook type.
        """
        self._oauth.register_compliance_hook(hook_type, hook)

    def authorization_url(
        self, url: str, state: str | None = None, **kwargs: Any
    ) -> tuple[str, str]:
        """The authorization URL and its ``state`` (RFC 6749 §4.1.1).

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        return self._oauth.authorization_url(url, state, **kwargs)

    def token_from_fragment(self, authorization_response: str) -> dict[str, Any]:
        """Take an implicit-grant token from the callback URL's fragment (RFC 6749 §4.2.2).

        Raises:
            StateMismatchError: Another ``state`` than the pending one.
        """
        self._oauth.token_from_fragment(authorization_response)
        return self.token

    @property
    def token_placement(self) -> str:
        """Where the access token goes: ``header`` (default), ``body`` or ``query``."""
        return self._oauth.core.placement

    @token_placement.setter
    def token_placement(self, value: str) -> None:
        if value not in ("header", "body", "query"):
            raise UsageError(f"token_placement must be header, body or query, not {value!r}")
        self._oauth.core.placement = value
