"""The OAuth 2 client core: one token, the decision to renew it, and the flows that do.

:class:`OAuth2Client` holds a client's configuration and its current :class:`Token`. It never
performs I/O. Two generators carry the protocol logic that every driver runs:

* :meth:`OAuth2Client.renew_flow` renews the token (RFC 6749 §6 refresh, or a new
  client-credentials grant, §4.4). It first re-checks whether the token it was asked to replace
  is still the current one, so that when many callers notice an expired or rejected token at
  once, only the first one to get the driver's lock sends a token request; the others find the
  new token and return it.
* :meth:`OAuth2Client.protected_flow` authorizes one protected request: renew before use when
  the token is (nearly) expired, send, and on ``401`` with ``error="invalid_token"`` (RFC 6750
  §3.1) renew once and retry once.

Drivers (requests, httpx sync, httpx async) answer the yielded steps with I/O and hold a lock
around :class:`Renew` only, never around the caller's request. Token requests are built here
from the client's own state, so nothing the caller passed for a protected request (query
parameters, bodies, redirects policy...) can reach the token endpoint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._core._http import HttpRequest, HttpResponse
from .._core._steps import SendRequest, Sleep
from .._errors import TokenExpiredError, UsageError
from ._bearer import PLACEMENT_HEADER, apply_bearer, bearer_error, bearer_headers
from ._client_auth import ClientAuth, client_auth_for
from ._grants import ClientCredentialsGrant, Grant, RefreshTokenGrant, build_token_request
from ._token import Token, normalize_scope
from ._token_response import parse_token_response

__all__ = [
    "RENEW_CLIENT_CREDENTIALS",
    "RENEW_REFRESH_TOKEN",
    "OAuth2Client",
    "ProtectedStep",
    "Renew",
    "SendAuthorized",
    "is_token_rejected",
]

RENEW_REFRESH_TOKEN = "refresh_token"
RENEW_CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True, slots=True)
class Renew:
    """Ask the driver to take its renewal lock and run :meth:`OAuth2Client.renew_flow`.

    The driver sends back the token that flow returns.

    Attributes:
        stale: The token the flow saw (``None`` when there was none).
        force: Renew even if ``stale`` has not expired (the server rejected it).
    """

    stale: Token | None
    force: bool


@dataclass(frozen=True, slots=True)
class SendAuthorized:
    """Ask the driver to send the caller's request with ``token`` applied.

    The driver sends back an :class:`HttpResponse` carrying status and headers; the caller's
    body is never read here.

    Attributes:
        token: The token to apply, or ``None`` to send the request as it is.
    """

    token: Token | None

    def __repr__(self) -> str:
        return f"SendAuthorized(token={'<redacted>' if self.token else None})"


ProtectedStep = Renew | SendAuthorized


def is_token_rejected(response: HttpResponse) -> bool:
    """Whether a resource server rejected the access token itself (RFC 6750 §3.1).

    Only ``401`` with ``error="invalid_token"`` in a Bearer or DPoP challenge counts: other
    401s (missing scope, wrong credentials type) would not be fixed by a new token.
    """
    if response.status_code != 401:
        return False
    value = response.header("www-authenticate")
    if not value:
        return False
    challenge = bearer_error(value)
    return challenge is not None and challenge.error == "invalid_token"


class OAuth2Client:
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
        leeway: Renew this many seconds before expiry.
        placement: Where bearer tokens go: ``header`` (default), ``body`` or ``query``.
        allow_insecure_transport: Permit plain http to non-loopback hosts.
        clock: Seconds since the epoch; injectable for tests.

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
        scope: str | Sequence[str] | None = None,
        redirect_uri: str | None = None,
        token: Token | Mapping[str, Any] | None = None,
        renew: str | None = None,
        renew_params: Mapping[str, str] | None = None,
        resource: str | Sequence[str] | None = None,
        leeway: float = 10.0,
        placement: str = PLACEMENT_HEADER,
        allow_insecure_transport: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if renew not in (None, RENEW_REFRESH_TOKEN, RENEW_CLIENT_CREDENTIALS):
            raise UsageError(
                f"renew must be 'refresh_token' or 'client_credentials', not {renew!r}"
            )
        self.client_id = client_id
        self._client_secret = client_secret
        self.auth = auth or client_auth_for(
            auth_method, client_id, client_secret, **dict(auth_options or {})
        )
        self.token_endpoint = token_endpoint
        self.scope = normalize_scope(scope)
        self.redirect_uri = redirect_uri
        self.renew = renew
        self.renew_params = dict(renew_params or {})
        self.resource = resource
        self.leeway = leeway
        self.placement = placement
        self.allow_insecure_transport = allow_insecure_transport
        self.clock = clock
        self._token: Token | None = None
        if token is not None:
            self.token = token

    def __repr__(self) -> str:
        state = "with token" if self._token is not None else "no token"
        return f"OAuth2Client(client_id={self.client_id!r}, auth={self.auth.method!r}, {state})"

    @property
    def client_secret(self) -> str | None:
        """The client secret, if this is a confidential client."""
        return self._client_secret

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
        return token.is_expired(self.clock(), self.leeway)

    # -- requests -----------------------------------------------------------------------------

    def build_grant_request(
        self,
        grant: Grant,
        *,
        endpoint: str | None = None,
        auth: ClientAuth | None = None,
        extra: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        resource: str | Sequence[str] | None = None,
        authorization_details: Sequence[Mapping[str, Any]] | None = None,
    ) -> HttpRequest:
        """Build a token request for ``grant`` with this client's authentication (RFC 6749 §3.2).

        Raises:
            UsageError: No token endpoint, or invalid parameters.
            InsecureTransportError: Plain http to a non-loopback host.
        """
        url = endpoint or self.token_endpoint
        if url is None:
            raise UsageError("no token endpoint: pass token_endpoint= to the client")
        return build_token_request(
            url,
            grant,
            auth or self.auth,
            now=self.clock(),
            resource=resource,
            authorization_details=authorization_details,
            extra=extra,
            headers=headers,
            allow_insecure_transport=self.allow_insecure_transport,
        )

    def accept_token_response(
        self,
        response: HttpResponse,
        *,
        requested_scope: str | Sequence[str] | None = None,
        previous: Token | None = None,
    ) -> Token:
        """Parse a token response and make the token current.

        Args:
            response: The token endpoint's answer.
            requested_scope: The scope asked for, to record a changed grant on the token.
            previous: For a refresh: the token it replaces, whose refresh token is kept when
                the server does not rotate it (RFC 6749 §6).

        Raises:
            TokenEndpointError: The server refused (a subclass per ``error`` code).
            MalformedResponseError: The body is not a token response.
        """
        token = parse_token_response(response, now=self.clock(), requested_scope=requested_scope)
        if previous is not None:
            token = previous.with_refresh(token)
        self._token = token
        return token

    def renewal_request(self, token: Token | None) -> HttpRequest:
        """The request that replaces ``token``.

        Raises:
            TokenExpiredError: The token cannot be renewed (no refresh token or endpoint).
        """
        kind = self.renewal_kind(token)
        if kind == RENEW_REFRESH_TOKEN and token is not None and token.refresh_token:
            grant: Grant = RefreshTokenGrant(refresh_token=token.refresh_token)
        elif kind == RENEW_CLIENT_CREDENTIALS:
            grant = ClientCredentialsGrant(scope=self.scope)
        else:
            raise self._cannot_renew()
        return self.build_grant_request(grant, extra=self.renew_params, resource=self.resource)

    def _cannot_renew(self) -> TokenExpiredError:
        reason = "no token endpoint is known" if self.token_endpoint is None else "no refresh token"
        return TokenExpiredError(f"the access token has expired and cannot be renewed: {reason}")

    def authorization_header(self, token: Token) -> str | None:
        """The ``Authorization`` value carrying ``token`` (RFC 6750 §2.1), for header placement.

        Drivers set it on their own request object instead of rebuilding the request through
        :meth:`authorize`. ``None`` when the token goes in the body or the query.

        Raises:
            UsageError: A token type this placement cannot carry.
        """
        if self.placement != PLACEMENT_HEADER:
            return None
        return bearer_headers(token)["Authorization"]

    def authorize(self, request: HttpRequest, token: Token) -> HttpRequest:
        """Apply ``token`` to a protected request (RFC 6750 §2).

        Raises:
            UsageError: A token type this placement cannot carry.
        """
        return apply_bearer(request, token, self.placement)

    # -- flows --------------------------------------------------------------------------------

    def renew_flow(
        self, stale: Token | None, *, force: bool = False
    ) -> Generator[SendRequest | Sleep, HttpResponse | None, Token]:
        """Replace ``stale`` unless another caller already did; run it under the driver's lock.

        Args:
            stale: The token the caller saw.
            force: The server rejected ``stale``: renew it even though it has not expired.

        Returns:
            The current token: the one another caller obtained, or a new one.

        Raises:
            TokenExpiredError: Renewal is needed and impossible.
            TokenEndpointError: The server refused the renewal.
            MalformedResponseError: The renewal response is not a token response.
        """
        current = self._token
        if current is not None and current is not stale and not self.should_renew(current):
            return current  # renewed by someone else while we waited for the lock
        if current is not None and not force and not self.should_renew(current):
            return current
        request = self.renewal_request(current)
        response = yield SendRequest(request)
        if not isinstance(response, HttpResponse):
            raise UsageError("the driver must answer SendRequest with an HttpResponse")
        refreshed = self.renewal_kind(current) == RENEW_REFRESH_TOKEN
        return self.accept_token_response(
            response,
            requested_scope=current.scope if current is not None else self.scope,
            previous=current if refreshed else None,
        )

    def protected_flow(self) -> Generator[ProtectedStep, Token | HttpResponse | None, None]:
        """Authorize one protected request, renewing before use and once after a rejection.

        The driver answers :class:`Renew` with the token from :meth:`renew_flow` and
        :class:`SendAuthorized` with the response (status and headers).

        Raises:
            TokenExpiredError: The token expired and cannot be renewed.
        """
        token = self._token
        if self.should_renew(token):
            token = yield from self._renew(token, force=False)
        response = yield SendAuthorized(token)
        if (
            isinstance(response, HttpResponse)
            and is_token_rejected(response)
            and self.renewal_kind(token) is not None
        ):
            token = yield from self._renew(token, force=True)
            yield SendAuthorized(token)

    def _renew(
        self, token: Token | None, *, force: bool
    ) -> Generator[ProtectedStep, Token | HttpResponse | None, Token]:
        if self.renewal_kind(token) is None:
            raise self._cannot_renew()
        renewed = yield Renew(token, force)
        if not isinstance(renewed, Token):
            raise UsageError("the driver must answer Renew with a Token")
        return renewed
