"""requests-oauthlib's ``OAuth2Session`` semantics, as pure state shared by every driver.

``OAuth2Session`` (requests), ``OAuth2Client`` and ``AsyncOAuth2Client`` (httpx) take the same
arguments as requests-oauthlib and behave the same, except where requests-oauthlib is wrong:

* a client without a secret is public: its ``client_id`` goes in the body, never in a Basic
  header with an empty password (RFC 6749 §2.3.1, §3.2.1), so a strict server accepts it;
* a scope different from the requested one is recorded on the token, never raised;
* client-credentials sessions fetch a new token when theirs expires, with the same grant;
* auto-refresh sends only what the client configured, never the caller's request arguments;
* the PKCE verifier can be handed to a new session (``code_verifier=``) for web apps that
  build one session per HTTP request; a state and verifier are single-use.

This module turns those arguments into core flows; drivers only run them.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .._core._exchange import RetryPolicy
from .._core._http import HttpResponse
from .._core._random import generate_state
from .._core._steps import Flow
from .._core._transport import InsecureAllowance
from .._errors import UsageError
from .._oauth2._client_auth import ClientAuth
from .._oauth2._manager import TokenManager
from .._oauth2._token import Token
from .._oauth2._token_response import parse_token_response
from ..oidc._relying_party import RelyingParty
from ._clients import LegacyBasic, client_kind, default_auth
from ._hooks import ComplianceHooks
from ._token_requests import TokenRequests

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from .._oauth2._dpop import DPoPKey
    from .._oauth2._jar import RequestObjectSigner
    from .._oauth2._mtls import ClientCertificate
    from .._oauth2._profile import SecurityProfile

__all__ = ["OAuth2SessionState", "TokenUpdated", "token_as_dict", "wall_clock"]


class TokenUpdated(Warning):
    """A requests-oauthlib-compatible session renewed its token and has no ``token_updater``.

    requests-oauthlib raises it instead of sending the request, so that the caller saves the
    new token (``err.token``, also ``session.token``) and sends the request again. Not an
    :class:`OAuthError`: nothing failed, and the token is not lost.
    """

    def __init__(self, token: dict[str, object]) -> None:
        super().__init__(
            "the token was renewed and no token_updater is set: save err.token and retry"
        )
        self.token = token

    def __repr__(self) -> str:
        return "TokenUpdated(<token redacted>)"


def wall_clock() -> float:
    """``time.time()``, looked up at each call, as requests-oauthlib reads the clock (so that
    code and tests that patch ``time.time`` see their clock used)."""
    return time.time()


def token_as_dict(token: Token, now: float) -> dict[str, Any]:
    """The token as requests-oauthlib hands it out: what the server sent (or the dictionary
    the caller set), ``expires_in`` as a number, ``scope`` as a list, plus ``expires_at`` and
    a kept refresh token.

    No ``token_type`` is invented and ``expires_in`` is not recomputed: code that compares the
    dictionary with the response it expects finds exactly that. A token built field by field
    (no :attr:`~oauthkit.Token.source`) is written by :meth:`~oauthkit.Token.to_dict`.
    """
    if token.source is None:
        return token.to_dict(now=now)
    data = dict(token.source)
    data["access_token"] = token.access_token
    expires_in = data.get("expires_in")
    if isinstance(expires_in, str) and expires_in.strip().isdigit():
        data["expires_in"] = int(expires_in)
    if isinstance(data.get("scope"), str):
        data["scope"] = data["scope"].split()  # oauthlib's form: a list
    if token.expires_at is not None:
        data["expires_at"] = token.expires_at
    if token.refresh_token is not None and "refresh_token" not in data:
        data["refresh_token"] = token.refresh_token  # the server kept the old one (§6)
    return data


def _restrict(state: OAuth2SessionState, rp: RelyingParty, profile: SecurityProfile) -> None:
    """Narrow the relying party's allow-lists (ID tokens, UserInfo, JARM) to the profile's
    algorithms; renew only at the discovered token endpoint (:func:`._oidc.renewal_check`)."""
    from . import _oidc

    state.core.before_renewal = _oidc.renewal_check(state)
    rp.algorithms = profile.check_algorithms(rp.algorithms, "ID tokens")
    rp.userinfo_algorithms = profile.check_algorithms(rp.userinfo_algorithms, "UserInfo")
    rp.authorization_algorithms = profile.check_algorithms(
        rp.authorization_algorithms, "authorization responses (JARM)"
    )


class OAuth2SessionState(TokenRequests):
    """The pure half of an ``OAuth2Session``: arguments in, core flows out.

    Args: requests-oauthlib's ``OAuth2Session`` arguments, plus ``code_verifier`` (a PKCE
    verifier kept from the request that built the authorization URL), ``client_auth``,
    ``issuer``, ``allow_insecure_transport``, ``leeway``, ``timeout``, ``retry``, ``clock``,
    ``dpop`` (a :class:`~oauthkit.DPoPKey` binding the session's tokens, RFC 9449),
    ``client_certificate`` (the TLS certificate the driver presents, RFC 8705),
    ``response_mode`` (sent with every authorization URL; a JWT mode of JARM makes the callback
    a signed JWT, and a plain one is then refused), ``par`` (push every authorization request,
    RFC 9126: ``True`` for the issuer's endpoint, or its URL) and ``request_object`` (a
    :class:`~oauthkit.RequestObjectSigner`, or ``True`` to sign with the client's own key or
    secret, RFC 9101), and ``profile`` (``"fapi2"``, ``"fapi2-message-signing"`` or a
    :class:`~oauthkit.SecurityProfile`: FAPI 2.0's client requirements, see
    :mod:`oauthkit._oauth2._profile`).

    Raises:
        UsageError: ``pkce`` is not ``S256``, ``plain`` or ``None``, or the client object is
            not one oauthkit maps; a setting the ``profile`` forbids.
    """

    def __init__(
        self,
        client_id: str | None = None,
        client: object = None,
        auto_refresh_url: str | None = None,
        auto_refresh_kwargs: Mapping[str, Any] | None = None,
        scope: str | Sequence[str] | None = None,
        redirect_uri: str | None = None,
        token: Token | Mapping[str, Any] | None = None,
        state: str | Callable[[], str] | None = None,
        pkce: str | None = None,
        *,
        code_verifier: str | None = None,
        nonce: str | None = None,
        relying_party: RelyingParty | None = None,
        client_auth: ClientAuth | None = None,
        issuer: str | None = None,
        allow_insecure_transport: InsecureAllowance = False,
        leeway: float = 10.0,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] | None = None,
        dpop: DPoPKey | None = None,
        client_certificate: ClientCertificate | None = None,
        response_mode: str | None = None,
        par: bool | str = False,
        request_object: RequestObjectSigner | bool | None = None,
        profile: SecurityProfile | str | None = None,
    ) -> None:
        from .._oauth2._profile import profile_of

        self.profile = chosen = profile_of(profile)
        if chosen is not None:
            kind = "authorization_code" if client is None else client_kind(client)
            par, request_object, response_mode, client_auth = chosen.check_session(
                kind=kind,
                pkce=pkce,
                issuer=issuer or getattr(relying_party, "issuer", None),
                par=par,
                request_object=request_object,
                response_mode=response_mode,
                client_auth=client_auth,
            )
        if pkce not in ("S256", "plain", None):
            raise UsageError(f"pkce must be 'S256', 'plain' or None, not {pkce!r}")
        self.kind = "authorization_code" if client is None else client_kind(client)
        if client_id is None and client is not None:
            client_id = getattr(client, "client_id", None)
        if scope is None and client is not None:
            scope = getattr(client, "scope", None)
        if token is None and client is not None:
            token = getattr(client, "token", None) or None
        # requests-oauthlib's WebApplicationClient(client_id, code=...) supplies the code
        self.code: str | None = getattr(client, "code", None) or None
        self.auto_refresh_kwargs = dict(auto_refresh_kwargs or {})
        # requests-oauthlib sends auto_refresh_kwargs' client credentials in the refresh body,
        # which servers configured that way rely on, and no Authorization header. Without them
        # the client identifies itself in the body, as a public client must (RFC 6749 §3.2.1).
        refresh_secret = self._refresh_secret = self.auto_refresh_kwargs.get("client_secret")
        self._refresh_auth_pinned = client_auth is not None or bool(refresh_secret)
        self.core = TokenManager(
            client_id or "",
            auth=client_auth or default_auth(client_id, refresh_secret),
            token_endpoint=auto_refresh_url,
            scope=scope,
            redirect_uri=redirect_uri,
            token=token or None,
            renew_params=self._refresh_params({}),
            leeway=leeway,
            allow_insecure_transport=allow_insecure_transport,
            timeout=timeout,
            retry=retry,
            clock=wall_clock if clock is None else clock,
            dpop=dpop,
            client_certificate=client_certificate,
            profile=chosen,
        )
        self._own_auth = self.core.auth  # another one there was assigned by the caller
        self.client_auth = client_auth
        if relying_party is not None:
            issuer = issuer or relying_party.issuer
            if relying_party.issuer != issuer:
                raise UsageError("issuer= and the relying party's issuer differ")
        self.issuer = issuer
        self.oidc: RelyingParty | None = relying_party
        if self.oidc is None and issuer is not None:
            self.oidc = RelyingParty(issuer, client_id or "", leeway=max(leeway, 30.0), nonce=nonce)
        elif self.oidc is not None and nonce is not None:
            self.oidc.nonce = nonce
        if self.oidc is not None:
            rp = self.oidc
            if chosen is not None:
                _restrict(self, rp, chosen)
            self.core.accept = lambda token, previous: rp.accept_flow(self.core, token, previous)
        self.scope = scope
        self.redirect_uri = redirect_uri
        self.state = state
        self.pkce = pkce
        self.code_verifier = code_verifier
        self.nonce: str | None = nonce
        self._state: str | None = state if isinstance(state, str) else None
        self._used_state: str | None = None
        self.hooks = ComplianceHooks()
        # sent with every authorization URL, and the callback must come back in it: a JWT
        # mode (JARM) then refuses a plain response
        self.response_mode: str | None = response_mode
        if not isinstance(par, bool | str) or par == "":
            raise UsageError("par must be True, False or the pushed authorization endpoint's URL")
        self.par = par
        self.request_object = request_object

    def set_client_id(self, client_id: str | None) -> None:
        """Change the client identifier (requests-oauthlib lets code assign it), and the
        authentication the session set up for it."""
        self.core.client_id = client_id or ""
        if self.oidc is not None:
            self.oidc.client_id = client_id or ""
        if self.core.auth is self._own_auth and self.client_auth is None:
            self.core.auth = self._own_auth = default_auth(client_id, self._refresh_secret)

    def set_access_token(self, access_token: str) -> None:
        """Replace the access token, keeping the rest of the token (or start one)."""
        token = self.core.token
        if token is None:
            self.core.token = {"access_token": access_token}
        else:
            self.core.token = dataclasses.replace(token, access_token=access_token)

    def renew_as(self, client_id: str, client_secret: str) -> None:
        """Authenticate renewals with a Basic header (a request's ``client_id`` and
        ``client_secret``, as requests-oauthlib's automatic refresh uses them), unless the
        session was given ``client_auth``."""
        if self.client_auth is None:
            self.core.auth = self._own_auth = LegacyBasic(client_id, client_secret)

    # -- attributes requests-oauthlib exposes ----------------------------------------------

    @property
    def token_dict(self) -> dict[str, Any]:
        """The token as requests-oauthlib's ``session.token`` dictionary (``{}`` when none)."""
        token = self.core.token
        return {} if token is None else token_as_dict(token, self.core.clock())

    def new_state(self) -> str:
        """A fresh ``state`` (the ``state`` callable's, or from the CSPRNG), kept for later."""
        if callable(self.state):
            self._state = self.state()
        elif isinstance(self.state, str):
            self._state = self.state
        else:
            self._state = generate_state()
        return self._state

    # -- authorization ------------------------------------------------------------------------

    def authorization_url(
        self, url: str | None, state: str | None = None, **kwargs: Any
    ) -> tuple[str, str]:
        """The authorization URL and its ``state`` (RFC 6749 §4.1.1); PKCE when enabled.

        With an issuer, ``url`` defaults to its ``authorization_endpoint`` (the metadata must
        be loaded), the OpenID Connect parameters are checked and encoded, and a ``nonce`` is
        added when ``openid`` is requested.

        ``response_mode`` (the call's, else the session's) must be one the issuer's metadata
        lists when it is loaded; a JWT mode (JARM) makes ``fetch_token`` refuse a plain
        callback. With ``request_object``, the parameters travel signed in ``request``
        (RFC 9101 §5.1). Pushing (RFC 9126) is the drivers' to decide
        (:mod:`oauthkit._compat._authorize`).

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
            UsageError: Invalid parameters; no ``url`` and no known authorization endpoint;
                a ``response_mode`` the server does not list.
        """
        from .._oauth2._authorization import authorization_endpoint_url
        from ._authorize import authorization_request, front_channel_params

        endpoint, params, state = authorization_request(self, url, state, kwargs)
        link = authorization_endpoint_url(
            endpoint,
            front_channel_params(self, params),
            allow_insecure_transport=self.core.transport,
        )
        return link, state

    def _supported_mode(self, mode: str) -> str:
        """``mode``, when the server's metadata (if known) lists it (OAuth 2.0 Multiple
        Response Type Encoding Practices §2.1, JARM §2.3; RFC 8414 §2's default list is
        ``query`` and ``fragment``).

        Raises:
            UsageError: The metadata is loaded and does not list ``mode``, or a JWT mode
                (JARM) for a session without an issuer, which has no keys to check it with.
        """
        from .._oauth2._jarm import is_jarm_mode

        if self.oidc is None and is_jarm_mode(mode):
            raise UsageError(
                f"response_mode={mode} returns a JWT checked with the issuer's keys: give the "
                "session issuer="
            )
        metadata = None if self.oidc is None else self.oidc.provider.metadata
        if metadata is not None:
            supported = metadata.supported.get("response_modes_supported", ("query", "fragment"))
            if mode not in supported:
                raise UsageError(
                    f"response_mode {mode[:40]!r} is not one the server supports "
                    f"(response_modes_supported: {list(supported)})"
                )
        return mode

    def endpoint(self, name: str) -> str:
        """An endpoint from the issuer's metadata, which must be loaded.

        Raises:
            UsageError: No issuer, metadata not loaded, or the endpoint is not named.
        """
        metadata = None if self.oidc is None else self.oidc.provider.metadata
        if metadata is None:
            raise UsageError(
                f"no URL was given for the {name} and the issuer's metadata is not loaded: "
                "pass the URL, or give the session issuer= and call discover() first"
            )
        url = metadata.endpoint(name, mtls=self.core.client_certificate is not None)
        if url is None:
            raise UsageError(f"the metadata of {metadata.issuer} names no {name}")
        return url

    def device_authorization_flow(
        self, url: str, scope: str | Sequence[str] | None = None, **kwargs: Any
    ) -> Flow[DeviceAuthorization]:
        """Start the device flow (RFC 8628 §3.1)."""
        return self.core.device_authorization_flow(
            url, scope=scope if scope is not None else self.scope, extra=kwargs or None
        )

    def device_token_flow(
        self, authorization: DeviceAuthorization, token_url: str, deadline: float | None
    ) -> Flow[Token]:
        """Poll for the device flow's token (RFC 8628 §3.4, §3.5)."""
        return self.core.device_token_flow(
            authorization, token_url, deadline=deadline, requested_scope=self.scope
        )

    def token_from_fragment(self, authorization_response: str) -> Token:
        """Read an implicit-grant token from the callback's fragment (RFC 6749 §4.2.2).

        Raises:
            StateMismatchError: Another ``state`` than the pending one.
            MalformedResponseError: The fragment carries no token.
            UsageError: A profile (FAPI 2.0) allows the authorization code grant only.
        """
        from .._oauth2._callback import parse_authorization_callback

        if self.profile is not None:
            raise self.profile.refusal("only the authorization code grant is allowed")

        callback = parse_authorization_callback(
            authorization_response,
            expected_state=self._state,
            skip_state_check=self._state is None,  # requests-oauthlib checks only a known one
        )
        fields = {k: v for k, v in callback.params.items() if k != "state"}
        body = urlencode(fields).encode("ascii")
        response = HttpResponse(200, {"Content-Type": "application/x-www-form-urlencoded"}, body)
        token = parse_token_response(response, now=self.core.clock(), requested_scope=self.scope)
        return self.core.adopt(token)
