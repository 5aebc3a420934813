"""requests-oauthlib's ``OAuth2Session`` members, written once for every driver.

:class:`SessionAttributes` holds the properties and the methods that perform no I/O, over an
:class:`~oauthkit._compat._session.OAuth2SessionState`. :class:`SyncSessionMethods` adds the
methods that do I/O for the blocking drivers (the requests session and the httpx client): each
builds a core flow and runs it with the driver's I/O (``_io``). The async httpx client has the
awaitable counterparts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .._core._exchange import RetryPolicy
from .._core._run import IO, run
from .._core._steps import Flow
from .._core._transport import InsecureAllowance
from .._errors import UsageError
from .._oauth2._bearer import PLACEMENTS
from .._oauth2._client_auth import ClientAuth
from .._oauth2._manager import TokenManager
from .._oauth2._token import Token
from ._session import OAuth2SessionState

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from .._oauth2._introspection import Introspection

__all__ = ["SessionAttributes", "SyncSessionMethods", "TokenUpdater"]

T = TypeVar("T")

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
        allow_insecure_transport: InsecureAllowance = False,
        leeway: float = 10.0,
        retry: RetryPolicy | None = None,
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
            timeout=self._default_timeout(),
            retry=retry,
            clock=clock,
        )
        self._start(token_updater)

    def _default_timeout(self) -> float | None:
        """The HTTP client's own timeout, for renewals; ``None`` for the default."""
        return None

    def _start(self, token_updater: TokenUpdater | None) -> None:
        """Set up the driver's half (locks, auth hook) once the state exists."""

    def _updated(self, token: Token) -> Any:
        """Hand a renewed token to ``token_updater`` (the driver's executor awaits a result)."""
        updater = self.token_updater
        if updater is None:
            return None
        return updater(token.to_dict(now=self._oauth.core.clock()))

    token_updater: TokenUpdater | None

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
        return self._oauth.hooks.hooks

    @property
    def code_verifier(self) -> str | None:
        """The PKCE verifier of the last authorization URL; keep it for the callback."""
        return self._oauth.code_verifier

    @property
    def oauth_client(self) -> TokenManager:
        """The sans-I/O :class:`oauthkit.TokenManager` underneath."""
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
        self._oauth.hooks.register(hook_type, hook)

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
        if value not in PLACEMENTS:
            raise UsageError(f"token_placement must be header, body or query, not {value!r}")
        self._oauth.core.placement = value


class SyncSessionMethods(SessionAttributes):
    """The I/O methods of requests-oauthlib's ``OAuth2Session`` for blocking drivers.

    Each builds the core flow and passes it to ``_execute`` with the call's native settings.
    """

    def _start(self, token_updater: TokenUpdater | None) -> None:
        import inspect

        if inspect.iscoroutinefunction(token_updater):
            raise UsageError(
                "token_updater is a coroutine function, which a blocking session would never "
                "await (the renewed token would be lost): use AsyncOAuth2Client, or a plain "
                "function"
            )

    _io: Callable[..., IO]
    """The driver's I/O for one call, given the call's native settings."""

    def _execute(self, flow: Flow[T], **native: Any) -> T:
        """Run ``flow`` with the driver's I/O and the call's native settings."""
        return run(flow, self._io(**native))

    def _seconds(self, timeout: Any) -> float | None:
        """A per-call ``timeout=`` as the core's budget in seconds."""
        return None if timeout is None else float(timeout)

    def fetch_token(
        self,
        token_url: str,
        code: str | None = None,
        authorization_response: str | None = None,
        body: str = "",
        auth: Any = None,
        username: str | None = None,
        password: str | None = None,
        method: str = "POST",
        force_querystring: bool = False,
        timeout: Any = None,
        headers: Mapping[str, str] | None = None,
        verify: Any = None,
        proxies: Any = None,
        include_client_id: bool | None = None,
        client_secret: str | None = None,
        cert: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Obtain a token at ``token_url`` (RFC 6749 §4.1.3, §4.3.2, §4.4.2).

        Raises:
            StateMismatchError: ``authorization_response`` carries another ``state``.
            AuthorizationError: ``authorization_response`` is an error response.
            TokenEndpointError: The server refused (one subclass per ``error`` code).
            MalformedResponseError: The body is not a token response.
            UnexpectedRedirectError: The token endpoint redirected; nothing was re-sent.
            InsecureTransportError: ``token_url`` is plain http and not loopback.
            UsageError: Missing arguments for the grant.
        """
        flow = self._oauth.fetch_token_flow(
            token_url,
            code,
            authorization_response,
            body,
            external_auth=auth is not None,
            username=username,
            password=password,
            include_client_id=include_client_id,
            client_secret=client_secret,
            method=method,
            force_querystring=force_querystring,
            headers=headers,
            timeout=self._seconds(timeout),
            **kwargs,
        )
        self._execute(flow, auth=auth, verify=verify, proxies=proxies, cert=cert)
        return self.token

    def refresh_token(
        self,
        token_url: str,
        refresh_token: str | None = None,
        body: str = "",
        auth: Any = None,
        timeout: Any = None,
        headers: Mapping[str, str] | None = None,
        verify: Any = None,
        proxies: Any = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Refresh the token now (RFC 6749 §6); the old refresh token is kept if not rotated.

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The body is not a token response.
            UsageError: No endpoint or no refresh token.
        """
        flow = self._oauth.refresh_token_flow(
            token_url,
            refresh_token,
            body,
            external_auth=auth is not None,
            headers=headers,
            timeout=self._seconds(timeout),
            **kwargs,
        )
        self._execute(flow, auth=auth, verify=verify, proxies=proxies)
        return self.token

    def fetch_device_authorization(
        self, url: str, scope: str | Sequence[str] | None = None, **kwargs: Any
    ) -> DeviceAuthorization:
        """Start the device flow (RFC 8628 §3.1): show ``user_code`` and ``verification_uri``.

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The body is not a device authorization response.
        """
        return self._execute(self._oauth.device_authorization_flow(url, scope, **kwargs))

    def poll_device_token(
        self,
        authorization: DeviceAuthorization,
        token_url: str,
        *,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> dict[str, Any]:
        """Wait for the user to approve a device authorization (RFC 8628 §3.4, §3.5).

        Raises:
            AccessDeniedError: The user refused.
            DeviceCodeExpiredError: The device code expired at the server.
            DeviceFlowExpiredError: The deadline passed.
        """
        flow = self._oauth.device_token_flow(authorization, token_url, deadline)
        self._execute(flow, sleep=sleep)
        return self.token

    def revoke_token(
        self,
        url: str,
        token: str | None = None,
        token_type_hint: str | None = None,
        *,
        timeout: Any = None,
    ) -> None:
        """Revoke a token (RFC 7009); without ``token``, the session's grant, then forget it.

        Raises:
            TokenEndpointError: The server refused.
            UsageError: No token given and none held.
        """
        flow = self._oauth.core.revoke_flow(
            url, token, token_type_hint=token_type_hint, timeout=self._seconds(timeout)
        )
        self._execute(flow)

    def introspect_token(
        self,
        url: str,
        token: str | None = None,
        token_type_hint: str | None = None,
        *,
        timeout: Any = None,
    ) -> Introspection:
        """What the server knows about a token (RFC 7662); default: the access token.

        Raises:
            TokenEndpointError: The server refused.
            MalformedResponseError: The answer is not an introspection response.
        """
        flow = self._oauth.core.introspect_flow(
            url, token, token_type_hint=token_type_hint, timeout=self._seconds(timeout)
        )
        return self._execute(flow)
