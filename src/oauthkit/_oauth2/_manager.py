"""The OAuth 2 client core: one client's configuration, its token, and the flows that use it.

:class:`TokenManager` never performs I/O. It decides (does this token need renewing? how?),
builds requests, and hands out flows (:mod:`oauthkit._oauth2._flows`) that every driver runs
with its executor:

* ``fetch_flow``: obtain a token with any grant (RFC 6749 §4);
* ``renew_flow``: replace the current token (§6 refresh, or a new §4.4 client-credentials
  token), single-flight under the token's lock (:mod:`oauthkit._oauth2._renewal`);
* ``refresh_flow``: an explicit refresh (§6);
* ``protected_flow``: authorize one of the caller's requests, renewing before use and once
  after ``401`` with ``error="invalid_token"`` (RFC 6750 §3.1);
* ``device_*_flow`` (RFC 8628), ``revoke_flow`` (RFC 7009), ``introspect_flow`` (RFC 7662).

Token requests are built from the manager's own state, so nothing the caller passed for a
protected request (query parameters, bodies, redirect settings...) can reach the token endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._core._exchange import RetryPolicy
from .._core._http import HttpRequest, HttpResponse
from .._core._params import Scope, scope_tokens
from .._core._patch import EMPTY_PATCH
from .._core._steps import Flow, SendProtected
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import TokenExpiredError, UsageError
from . import _protected
from ._bearer import PLACEMENT_HEADER, PLACEMENTS, build_bearer_patch
from ._client_auth import ClientAuth, client_auth_for
from ._dpop import DPoPKey
from ._dpop_nonces import DPoPNonces, build_dpop_patch, with_proof
from ._grants import ClientCredentialsGrant, Grant, build_token_request
from ._manager_flows import BackChannelFlows
from ._mtls import ClientCertificate, check_token_binding
from ._renewal import RENEW_CLIENT_CREDENTIALS, RENEW_REFRESH_TOKEN, RenewalState
from ._token import Token

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import GrantOptions
    from ._profile import SecurityProfile

__all__ = ["LEEWAY_FRACTION", "TokenManager"]

LEEWAY_FRACTION = 0.5
"""A token is renewed at most this fraction of its lifetime early, whatever the leeway."""

_UNAUTHORIZED = SendProtected(EMPTY_PATCH)


class TokenManager(BackChannelFlows):
    """A client's configuration and current token, with the decisions about renewing it.

    Args:
        client_id: The client identifier (RFC 6749 §2.2).
        client_secret: The secret of a confidential client; ``None`` for a public client.
        token_endpoint: Where tokens are fetched and renewed.
        auth_method: ``client_secret_basic``, ``client_secret_post``, ``client_secret_jwt``,
            ``private_key_jwt``, ``none`` or any registered method. ``None`` picks Basic for a
            client with a secret and ``none`` (client_id in the body) for a public client.
        auth: A ready :class:`ClientAuth`, instead of ``auth_method``.
        auth_options: Passed to the method's factory (``key=``, ``alg=``, ``kid=``...).
        scope: Default scope for grants that take one.
        redirect_uri: The registered redirect URI.
        token: The current token, as a :class:`Token` or a requests-oauthlib dictionary.
        renew: How to replace an expired token: ``"refresh_token"`` (the default when a token
            has a refresh token) or ``"client_credentials"`` (fetch a new token; needs none).
        renew_params: Extra body parameters for renewal requests (``audience``...).
        resource: RFC 8707 resource indicators sent with renewals.
        leeway: Renew this many seconds before expiry, but never earlier than
            :data:`LEEWAY_FRACTION` of the token's lifetime.
        placement: Where bearer tokens go: ``header`` (default), ``body`` or ``query``.
        allow_insecure_transport: Permit plain http to non-loopback hosts: ``True`` for any,
            or a collection of host names.
        timeout: Seconds a back-channel operation (its retries included) may take, and how long
            a caller waits for a renewal in progress; ``None`` for
            :data:`~oauthkit.DEFAULT_TIMEOUT`.
        retry: When back-channel requests are sent again (:class:`~oauthkit.RetryPolicy`).
        clock: Seconds since the epoch; injectable for tests.
        lock_key: Names this token's lock (several managers sharing a store share one key).
        store_key: The token's key in the driver's token store (:mod:`oauthkit.stores`): the
            token is loaded from it and saved to it, and renewals hold the store's lock, so
            processes sharing the store renew once per expiry. Also the lock's key.
        renew_on_401: Also renew and retry once after a ``401`` whose challenge names no error
            (a bare 401, which many APIs send for an expired token). Off by default: RFC 6750
            §3.1 names ``invalid_token`` for a rejected token.
        dpop: A :class:`~oauthkit.DPoPKey`: every token request carries a DPoP proof, so the
            server may bind the tokens to it (RFC 9449 §5), and tokens of type ``DPoP`` are
            sent with a proof (§7.1). Server nonces are remembered per origin (§8, §9).
        client_certificate: The TLS :class:`~oauthkit.ClientCertificate` the driver presents
            (RFC 8705): endpoints from ``mtls_endpoint_aliases``; tokens bound elsewhere refused.
        profile: A :class:`~oauthkit.SecurityProfile` (FAPI 2.0): its client requirements hold.

    Raises:
        UsageError: Invalid configuration (see :func:`oauthkit.client_auth_for`).
    """

    def __init__(
        self,
        client_id: str,
        client_secret: str | None = None,
        *,
        token_endpoint: str | None = None,
        auth_method: str | None = None,
        auth: ClientAuth | None = None,
        auth_options: Mapping[str, Any] | None = None,
        scope: Scope = None,
        redirect_uri: str | None = None,
        token: Token | Mapping[str, Any] | None = None,
        renew: str | None = None,
        renew_params: Mapping[str, str] | None = None,
        resource: str | Sequence[str] | None = None,
        leeway: float = 10.0,
        placement: str = PLACEMENT_HEADER,
        allow_insecure_transport: InsecureAllowance = False,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
        lock_key: str = "token",
        renew_on_401: bool = False,
        store_key: str | None = None,
        dpop: DPoPKey | None = None,
        client_certificate: ClientCertificate | None = None,
        profile: SecurityProfile | None = None,
    ) -> None:
        if renew not in (None, RENEW_REFRESH_TOKEN, RENEW_CLIENT_CREDENTIALS):
            raise UsageError(f"renew must be refresh_token or client_credentials, not {renew!r}")
        if placement not in PLACEMENTS:
            raise UsageError(f"placement must be header, body or query, not {placement!r}")
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth = auth or client_auth_for(
            auth_method, client_id, client_secret, **dict(auth_options or {})
        )
        self.token_endpoint = token_endpoint
        self.scope = scope_tokens(scope)
        self.redirect_uri = redirect_uri
        self.renew = renew
        self.renew_params = dict(renew_params or {})
        self.client_credentials_grant: Grant | None = None
        self.resource = resource
        self.leeway = leeway
        self.placement = placement
        self.allow_insecure_transport = allow_insecure_transport
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.clock = clock
        self.lock_key = store_key or lock_key
        self.renew_on_401 = renew_on_401
        self.store_key = store_key
        self.stored_version: int | None = None  # of the record the token came from
        self.renewals = RenewalState()
        self.dpop = dpop
        self.dpop_nonces = DPoPNonces()
        self.client_certificate = client_certificate
        self.profile = profile
        if profile is not None:
            profile.check_client(self)
            self.transport = TransportPolicy(False, strict=True)  # OAUTHLIB_INSECURE_... ignored
        # Checks each new token before it becomes current (an OpenID Connect session validates
        # its ID token here): given it and the one it replaces, returns the token kept, or raises
        self.accept: Callable[[Token, Token | None], Flow[Token]] | None = None
        self.before_renewal: Callable[[], Flow[None]] | None = None  # may refuse: see _protected
        self._token: Token | None = None
        self._patch: tuple[Token, str, SendProtected] | None = None
        # (token, placement, leeway, step, renew_at) of the last ready_step
        self._ready: tuple[Token, str, float, SendProtected, float | None] | None = None
        if token is not None:
            self.token = token

    def __repr__(self) -> str:
        state = "with token" if self._token is not None else "no token"
        return f"TokenManager(client_id={self.client_id!r}, auth={self.auth.method!r}, {state})"

    @property
    def allow_insecure_transport(self) -> InsecureAllowance:
        """Plain http beyond loopback: ``False``, ``True`` or the allowed host names."""
        return self._allow_insecure

    @allow_insecure_transport.setter
    def allow_insecure_transport(self, value: InsecureAllowance) -> None:
        self.transport = TransportPolicy(value)
        self._allow_insecure = value

    @property
    def client_secret(self) -> str | None:
        """The client secret, if this is a confidential client: the one given, or else the one
        its authentication holds (``auth=`` given, or set by a session's ``fetch_token``), which
        is also the HMAC key of HS256 ID tokens and UserInfo responses (OIDC Core §10.1)."""
        if self._client_secret is not None:
            return self._client_secret
        held = getattr(self.auth, "client_secret", None)
        return held if isinstance(held, str) and held else None

    @property
    def token(self) -> Token | None:
        """The current token."""
        return self._token

    @token.setter
    def token(self, value: Token | Mapping[str, Any] | None) -> None:
        if value is None or isinstance(value, Token):
            self._token = value
        else:
            self._token = Token.from_dict(value, now=self.clock())

    # -- decisions ---------------------------------------------------------------------------

    def renewal_kind(self, token: Token | None) -> str | None:
        """How ``token`` would be renewed, or ``None`` if it cannot be."""
        if self.token_endpoint is None:
            return None
        if self.renew == RENEW_CLIENT_CREDENTIALS:
            return RENEW_CLIENT_CREDENTIALS
        if token is not None and token.refresh_token:
            return RENEW_REFRESH_TOKEN
        return None

    def should_renew(self, token: Token | None) -> bool:
        """Whether ``token`` must be replaced before use (absent, expired or within leeway)."""
        if token is None:
            return self.renew == RENEW_CLIENT_CREDENTIALS and self.token_endpoint is not None
        renew_at = self._renew_at(token)
        return renew_at is not None and self.clock() >= renew_at

    def _renew_at(self, token: Token) -> float | None:
        """When ``token`` is due for renewal: the leeway before expiry, at most a fraction of
        its lifetime (a 5-second token is not due the moment it is issued)."""
        expires_at = token.expires_at
        if expires_at is None:
            return None
        leeway = self.leeway
        lifetime = token.lifetime
        if lifetime is not None and lifetime * LEEWAY_FRACTION < leeway:
            leeway = lifetime * LEEWAY_FRACTION
        return expires_at - leeway

    def cannot_renew(self) -> TokenExpiredError:
        """The error for an expired token this manager cannot replace."""
        why = "no token endpoint is known" if self.token_endpoint is None else "no refresh token"
        return TokenExpiredError(f"the access token has expired and cannot be renewed: {why}")

    # -- requests -----------------------------------------------------------------------------

    def build_grant_request(
        self,
        grant: Grant,
        *,
        endpoint: str | None = None,
        auth: ClientAuth | None = None,
        now: float | None = None,
        **options: Unpack[GrantOptions],
    ) -> HttpRequest:
        """Build a token request for ``grant`` with this client's authentication (RFC 6749 §3.2).

        Args:
            grant: The grant.
            endpoint: The token endpoint (default: this manager's).
            auth: The client authentication (default: this manager's).
            now: The time for JWT client assertions (default: this manager's clock).
            **options: ``extra``, ``headers``, ``resource`` and ``authorization_details``, as
                for :func:`~oauthkit.build_token_request`.

        Raises:
            UsageError: No token endpoint, or invalid parameters.
            InsecureTransportError: Plain http to a non-loopback host.
        """
        url = endpoint or self.token_endpoint
        if url is None:
            raise UsageError("no token endpoint: pass token_endpoint= to the client")
        now = self.clock() if now is None else now
        if self.dpop is not None:  # a fresh proof per attempt (RFC 9449 §4.2, §5)
            options["headers"] = with_proof(
                self.dpop, self.dpop_nonces, url, options.get("headers"), now=now
            )
        return build_token_request(
            url,
            grant,
            auth or self.auth,
            now=now,
            allow_insecure_transport=self.transport,
            **options,
        )

    def protected_step(self, token: Token | None, method: str, url: str) -> SendProtected:
        """The step that sends a protected request to ``url`` with ``token`` (RFC 6750 §2).

        Made once per token and placement, and shared by every request that uses them.

        Raises:
            InsecureTransportError: ``url`` is plain http to a non-loopback host.
            UsageError: A token type this client cannot send (a DPoP-bound token without a
                DPoP key).
            UnusableTokenError: The server issued a token no header can carry.
        """
        if token is None:
            return _UNAUTHORIZED
        self.transport.check(url)
        if self.dpop is not None and token.token_type.lower() == "dpop":
            # A proof names the method and URL and is used once: never cached (RFC 9449 §4.2).
            patch = build_dpop_patch(
                self.dpop, token, method, url, now=self.clock(), nonce=self.dpop_nonces.get(url)
            )
            return SendProtected(patch)
        cached = self._patch
        placement = self.placement
        if cached is not None and cached[0] is token and cached[1] == placement:
            return cached[2]
        if self.profile is not None:
            self.profile.check_placement(placement)
        step = SendProtected(build_bearer_patch(token, placement))
        self._patch = (token, placement, step)
        return step

    def adopt(self, token: Token) -> Token:
        """Make ``token`` current (called by flows, under the token's lock); one bound to
        another TLS certificate than the client's raises :class:`UnusableTokenError`."""
        if self.client_certificate is not None:
            check_token_binding(token, self.client_certificate)
        if self.profile is not None:  # a FAPI 2.0 client: the token must be sender-constrained
            self.profile.check_token(token, self.dpop)
        self._token = token
        return token

    def forget(self) -> None:
        """Drop the current token (after revoking it)."""
        self._token = None

    # -- flows ---------------------------------------------------------------------------

    def remember_client_credentials(
        self, grant: ClientCredentialsGrant, endpoint: str | None, auth: ClientAuth | None
    ) -> None:
        """Renew with ``grant`` (at ``endpoint``, authenticating with ``auth``) from now on."""
        self.renew = RENEW_CLIENT_CREDENTIALS
        self.client_credentials_grant = grant
        self.token_endpoint = self.token_endpoint or endpoint
        if auth is not None:
            self.auth = auth

    def renew_flow(
        self, stale: Token | None, *, force: bool = False, timeout: float | None = None
    ) -> Flow[Token]:
        """Replace ``stale`` unless another caller already did; see :func:`_protected.renew`.

        Run it under this token's lock (``Exclusive(manager.lock_key, ...)``); the protected
        flow does that itself.
        """
        return _protected.renew(
            self, stale, force=force, seen=self.renewals.generation, timeout=timeout
        )

    def protected_flow(
        self,
        method: str,
        url: str,
        *,
        replayable: bool = True,
        timeout: float | None = None,
        answered: tuple[Token, HttpResponse] | None = None,
    ) -> Flow[None]:
        """Authorize one protected request; see :func:`_protected.protected`."""
        return _protected.protected(
            self, method, url, replayable=replayable, timeout=timeout, answered=answered
        )

    def ready_step(self, url: str) -> tuple[Token, SendProtected] | None:
        """The protected flow's first send, when no renewal comes before it; else ``None``.

        A driver may send this step itself and skip the flow when :meth:`settled` says the
        answer ends it (the common case: a valid token, a non-401 answer); otherwise it resumes
        the flow with ``protected_flow(..., answered=(token, response))``.

        Raises:
            InsecureTransportError: ``url`` is plain http to a non-loopback host.
        """
        token = self._token
        ready = self._ready
        if ready is None or ready[0] is not token or ready[1:3] != (self.placement, self.leeway):
            if token is None or (self.dpop is not None and token.token_type.lower() == "dpop"):
                return None  # a DPoP proof names the method: the flow makes each one
            step = self.protected_step(token, "", url)
            ready = self._ready = (token, self.placement, self.leeway, step, self._renew_at(token))
        renew_at = ready[4]
        if renew_at is not None and self.clock() >= renew_at:
            return None
        self.transport.check(url)
        return token, ready[3]

    @staticmethod
    def settled(status_code: int) -> bool:
        """Whether a protected request that got ``status_code`` is done: any status but 401,
        the one (RFC 6750 §3.1) that may mean the token was rejected and must be renewed."""
        return status_code != 401
