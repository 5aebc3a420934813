"""requests-oauthlib's ``OAuth2Session`` members, written once for every driver.

:class:`SessionAttributes` holds the properties and the methods that perform no I/O, over an
:class:`~oauthkit._compat._session.OAuth2SessionState`. :class:`SyncSessionMethods` adds the
methods that do I/O for the blocking drivers (the requests session and the httpx client): each
builds a core flow and runs it with the driver's I/O (``_io``). The async httpx client has the
awaitable counterparts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from .._core._exchange import RetryPolicy
from .._core._run import IO, run
from .._core._steps import Flow
from .._core._transport import InsecureAllowance
from .._errors import UsageError
from .._oauth2._bearer import PLACEMENTS
from .._oauth2._client_auth import ClientAuth
from .._oauth2._manager import TokenManager
from .._oauth2._mtls import ClientCertificate, client_certificate
from .._oauth2._renewal import RENEW_CLIENT_CREDENTIALS
from .._oauth2._token import Token
from .._oauth2._updater import TokenUpdater
from . import _authorize, _backchannel_calls, _calls, _oidc
from ._authorize import must_push, needs_discovery
from ._calls import blocking_method
from ._client_view import ClientView
from ._oidc import OpenIDAttributes
from ._session import OAuth2SessionState, TokenUpdated, token_as_dict

if TYPE_CHECKING:
    from typing import TypedDict

    from .._oauth2._dpop import DPoPKey
    from .._oauth2._jar import RequestObjectSigner
    from .._oauth2._profile import SecurityProfile
    from ..oidc._relying_party import RelyingParty

    class NativeSettings(TypedDict, total=False):
        """A call's ``auth``, ``verify``, ``proxies``, ``cert``, and a polling ``sleep``."""

        auth: Any
        verify: Any
        proxies: Any
        cert: Any
        sleep: Callable[[float], Any]


__all__ = ["Forward", "SessionAttributes", "SyncSessionMethods", "TokenUpdater"]

T = TypeVar("T")


class Forward(Generic[T]):
    """A session attribute that is another object's: ``Forward("_oauth.scope", doc)``.

    Reading follows the dotted path from the instance; writing sets its last name on the object
    before it, unless ``readonly``. requests-oauthlib exposes its state as plain attributes;
    oauthkit keeps it in one :class:`OAuth2SessionState` (and its :class:`TokenManager`) per
    session, and these descriptors give it the old names.
    """

    def __init__(self, path: str, doc: str, *, readonly: bool = False) -> None:
        owner, _, name = path.rpartition(".")
        self._get = attrgetter(path)
        self._owner = attrgetter(owner) if owner else None
        self._name = name
        self._readonly = readonly
        self.__doc__ = doc

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Forward[T]: ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj: object, owner: type | None = None) -> T | Forward[T]:
        if obj is None:
            return self
        value: T = self._get(obj)
        return value

    def __set__(self, obj: object, value: T) -> None:
        if self._readonly:
            raise AttributeError(f"{self._name} cannot be set")
        setattr(obj if self._owner is None else self._owner(obj), self._name, value)


class SessionAttributes(OpenIDAttributes):
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
        nonce: str | None = None,
        relying_party: RelyingParty | None = None,
        client_auth: ClientAuth | None = None,
        issuer: str | None = None,
        allow_insecure_transport: InsecureAllowance = False,
        leeway: float = 10.0,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] | None = None,
        token_store: Any = None,
        token_key: str | None = None,
        dpop: DPoPKey | None = None,
        cert: Any = None,
        verify: Any = None,
        response_mode: str | None = None,
        par: bool | str = False,
        request_object: RequestObjectSigner | bool | None = None,
        profile: SecurityProfile | str | None = None,
        **kwargs: Any,
    ) -> None:
        certificate = client_certificate(cert)
        self._open_native(kwargs, certificate, verify)  # the HTTP library's session or client
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
            nonce=nonce,
            relying_party=relying_party,
            client_auth=client_auth,
            issuer=issuer,
            allow_insecure_transport=allow_insecure_transport,
            leeway=leeway,
            timeout=self._default_timeout(),
            retry=retry,
            clock=clock,
            dpop=dpop,
            client_certificate=certificate,
            response_mode=response_mode,
            par=par,
            request_object=request_object,
            profile=profile,
        )
        self._client = ClientView(self._oauth)
        if (token_store is None) != (token_key is None):
            raise UsageError("token_store= and token_key= go together")
        if token_key is not None:
            self._oauth.core.store_key = self._oauth.core.lock_key = token_key
        self._token_store = token_store
        self._start(token_updater)

    def _open_native(
        self, native: dict[str, Any], certificate: ClientCertificate | None, verify: Any
    ) -> None:
        """Open the HTTP library's session or client with its own keywords, presenting
        ``certificate`` in TLS handshakes (RFC 8705 §2) and checking servers with ``verify``
        (a CA bundle's path, ``True``, ``False``) as each driver's library takes them."""
        super().__init__(**native)

    def _default_timeout(self) -> float | None:
        """The HTTP client's own timeout, for renewals; ``None`` for the default."""
        return None

    def _start(self, token_updater: TokenUpdater | None) -> None:
        """Set up the driver's half (locks, auth hook) once the state exists."""

    def _seconds(self, timeout: Any) -> float | None:
        """A per-call ``timeout=`` as the core's budget in seconds (the driver knows its forms)."""
        return None if timeout is None else float(timeout)

    def _updated(self, token: Token) -> Any:
        """Hand a renewed token to ``token_updater`` (the driver's executor awaits a result)."""
        updater = self.token_updater
        data = token_as_dict(token, self._oauth.core.clock())
        if updater is None:
            if self._oauth.core.renew != RENEW_CLIENT_CREDENTIALS and self._token_store is None:
                # requests-oauthlib's automatic refresh: the caller saves the token and retries
                raise TokenUpdated(data)
            return None  # saved in the store, or a client-credentials token: nothing to keep
        return updater(data)

    token_updater: TokenUpdater | None

    @property
    def client_id(self) -> str | None:
        """The client identifier; settable and deletable, as in requests-oauthlib."""
        return self._client.client_id

    @client_id.setter
    def client_id(self, value: str | None) -> None:
        self._client.client_id = value

    @client_id.deleter
    def client_id(self) -> None:
        del self._client.client_id

    _code_verifier: Forward[str | None] = Forward("_oauth.code_verifier", "The PKCE verifier.")
    scope: Forward[str | Sequence[str] | None] = Forward("_oauth.scope", "The requested scope.")
    redirect_uri: Forward[str | None] = Forward(
        "_oauth.redirect_uri", "The redirect URI sent with authorization and code requests."
    )
    auto_refresh_url: Forward[str | None] = Forward(
        "_oauth.core.token_endpoint",
        "Where expired tokens are refreshed (``None``: only a fetched client-credentials token "
        "is renewed, at the URL it was fetched from); under a profile (FAPI 2.0), only the "
        "discovered token endpoint (its mTLS alias with a certificate).",
    )
    auto_refresh_kwargs: Forward[dict[str, Any]] = Forward(
        "_oauth.auto_refresh_kwargs",
        "Extra refresh parameters; ``client_id``/``client_secret`` here authenticate.",
        readonly=True,
    )
    compliance_hook: Forward[dict[str, set[Callable[..., Any]]]] = Forward(
        "_oauth.hooks.hooks", "The registered provider fixes, by hook name.", readonly=True
    )
    code_verifier: Forward[str | None] = Forward(
        "_oauth.code_verifier",
        "The PKCE verifier of the last authorization URL; keep it for the callback.",
        readonly=True,
    )
    nonce: Forward[str | None] = Forward(
        "_oauth.nonce",
        "The OpenID Connect nonce of the last authorization URL; keep it for the callback's "
        "session (``nonce=``), like the state and the PKCE verifier.",
        readonly=True,
    )
    oauth_client: Forward[TokenManager] = Forward(
        "_oauth.core", "The sans-I/O :class:`oauthkit.TokenManager` underneath.", readonly=True
    )

    @property
    def token(self) -> dict[str, Any]:
        """The current token as a dictionary (``{}`` when there is none)."""
        return self._oauth.token_dict

    @token.setter
    def token(self, value: Mapping[str, Any] | Token | None) -> None:
        self._oauth.core.token = value or None

    @property
    def access_token(self) -> str | None:
        """The current access token; settable and deletable, as in requests-oauthlib."""
        return self._client.access_token

    @access_token.setter
    def access_token(self, value: str) -> None:
        self._client.access_token = value

    @access_token.deleter
    def access_token(self) -> None:
        del self._client.access_token

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
        self, url: str | None = None, state: str | None = None, **kwargs: Any
    ) -> tuple[str, str]:
        """The authorization URL and its ``state`` (RFC 6749 §4.1.1).

        With ``issuer=``, ``url`` defaults to the discovered ``authorization_endpoint``, a
        ``nonce`` is added for ``openid``, and ``prompt``, ``max_age``, ``claims`` (a mapping),
        ``ui_locales``, ``acr_values``, ``login_hint``, ``id_token_hint`` and ``response_mode``
        are checked and encoded (OIDC Core §3.1.2.1).

        A session made with ``par=True`` (or whose issuer's metadata requires it) pushes the
        request first (RFC 9126), as :meth:`push_authorization_request` does; the async client
        cannot push here and says so: await ``push_authorization_request()`` instead. With
        ``request_object=``, the parameters are signed (RFC 9101).

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
            UsageError: No ``url`` and no issuer to discover it from; on the async client, a
                request that must be pushed.
            TokenEndpointError: The pushed request was refused.
        """
        oauth = self._oauth
        if not oauth.par and needs_discovery(oauth, url):
            self._load_metadata()
        if must_push(oauth):
            return self._pushed(url, state, **kwargs)
        return oauth.authorization_url(url, state, **kwargs)

    def _load_metadata(self) -> None:
        """Load the issuer's metadata (and keys, see ``discover``): blocking sessions do."""

    def _pushed(self, url: str | None, state: str | None, **kwargs: Any) -> tuple[str, str]:
        """Push the authorization request (blocking sessions do; the async client refuses)."""
        raise UsageError(
            "this authorization request must be pushed (RFC 9126), which is I/O: "
            "await client.push_authorization_request(...) instead of authorization_url()"
        )

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
        if self._oauth.profile is not None:  # FAPI 2.0: the header only
            self._oauth.profile.check_placement(value)
        self._oauth.core.placement = value


class SyncSessionMethods(SessionAttributes):
    """The I/O methods of requests-oauthlib's ``OAuth2Session`` for blocking drivers.

    Each is made from a call builder of :mod:`oauthkit._compat._calls` (the async httpx client
    makes its awaitable methods from the same builders) and runs with the driver's I/O (``_io``).
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
        return run(flow, self._io(**{k: v for k, v in native.items() if v is not None}))

    def _load_metadata(self) -> None:
        self.discover()

    def _pushed(self, url: str | None, state: str | None, **kwargs: Any) -> tuple[str, str]:
        return self.push_authorization_request(url, state, **kwargs)

    discover = blocking_method(_oidc.discover)
    push_authorization_request = blocking_method(_authorize.push_authorization_request)
    userinfo = blocking_method(_oidc.userinfo)
    validate_logout_token = blocking_method(_oidc.validate_logout_token)
    fetch_token = blocking_method(_calls.fetch_token)
    refresh_token = blocking_method(_calls.refresh_token)
    fetch_device_authorization = blocking_method(_calls.fetch_device_authorization)
    poll_device_token = blocking_method(_calls.poll_device_token)
    revoke_token = blocking_method(_calls.revoke_token)
    introspect_token = blocking_method(_calls.introspect_token)
    register_client = blocking_method(_backchannel_calls.register_client)
    read_client_registration = blocking_method(_backchannel_calls.read_client_registration)
    update_client_registration = blocking_method(_backchannel_calls.update_client_registration)
    delete_client_registration = blocking_method(_backchannel_calls.delete_client_registration)
    backchannel_authenticate = blocking_method(_backchannel_calls.backchannel_authenticate)
    poll_backchannel_token = blocking_method(_backchannel_calls.poll_backchannel_token)
