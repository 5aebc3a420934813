"""The back-channel flows a :class:`~oauthkit.TokenManager` starts, as methods.

Each method returns a core flow (:mod:`oauthkit._oauth2._flows`) for a driver's executor:
``fetch_flow`` (any grant, RFC 6749 §4), ``refresh_flow`` (§6), ``device_authorization_flow``
and ``device_token_flow`` (RFC 8628), ``revoke_flow`` (RFC 7009), ``introspect_flow``
(RFC 7662). The manager's own module keeps its state, its decisions and the protected path.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from .._core._params import ExtraParams, Scope
from .._core._steps import Flow
from .._errors import UsageError
from . import _flows

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import GrantOptions
    from ._client_auth import ClientAuth
    from ._device import DeviceAuthorization
    from ._grants import Grant
    from ._introspection import Introspection
    from ._manager import TokenManager
    from ._token import Token

__all__ = ["BackChannelFlows"]


def _manager(flows: BackChannelFlows) -> TokenManager:
    return cast("TokenManager", flows)


class BackChannelFlows:
    """The flow-starting methods of :class:`~oauthkit.TokenManager` (its only subclass)."""

    __slots__ = ()
    scope: tuple[str, ...] | None
    token_endpoint: str | None

    def fetch_flow(
        self,
        grant: Grant,
        *,
        endpoint: str | None = None,
        auth: ClientAuth | None = None,
        requested_scope: Scope = None,
        timeout: float | None = None,
        **options: Unpack[GrantOptions],
    ) -> Flow[Token]:
        """Obtain a token with ``grant`` and make it current; see :func:`_flows.fetch`.

        ``endpoint``, ``auth`` and ``options`` are those of :meth:`build_grant_request`.
        """
        return _flows.fetch(
            _manager(self), grant, endpoint, auth, requested_scope, timeout, options
        )

    def refresh_flow(
        self,
        refresh_token: str | None = None,
        *,
        endpoint: str | None = None,
        auth: ClientAuth | None = None,
        timeout: float | None = None,
        **options: Unpack[GrantOptions],
    ) -> Flow[Token]:
        """Refresh now (RFC 6749 §6), keeping the refresh token if the server does not rotate it.

        ``endpoint``, ``auth`` and ``options`` are those of :meth:`build_grant_request`;
        ``resource`` narrows the new access token's audience (RFC 8707 §2.2).

        Raises:
            UsageError: No endpoint or no refresh token (raised by the flow).
        """
        return _flows.refresh(_manager(self), refresh_token, endpoint, auth, timeout, options)

    def device_authorization_flow(
        self,
        endpoint: str,
        *,
        scope: Scope = None,
        extra: ExtraParams = None,
        timeout: float | None = None,
    ) -> Flow[DeviceAuthorization]:
        """Start the device flow (RFC 8628 §3.1); see :func:`_flows.device_authorization`."""
        scope = self.scope if scope is None else scope
        return _flows.device_authorization(
            _manager(self), endpoint, scope=scope, extra=extra, timeout=timeout
        )

    def device_token_flow(
        self,
        authorization: DeviceAuthorization,
        endpoint: str | None = None,
        *,
        deadline: float | None = None,
        requested_scope: Scope = None,
    ) -> Flow[Token]:
        """Poll until the user decides (RFC 8628 §3.4, §3.5), then make the token current."""
        url = endpoint or self.token_endpoint
        if url is None:
            raise UsageError("no token endpoint: pass token_endpoint= to the client")
        scope = self.scope if requested_scope is None else requested_scope
        return _flows.device_token(
            _manager(self), authorization, url, deadline=deadline, scope=scope
        )

    def revoke_flow(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        token_type_hint: str | None = None,
        timeout: float | None = None,
    ) -> Flow[None]:
        """Revoke ``token`` (the current refresh token, else access token) (RFC 7009)."""
        return _flows.revoke(_manager(self), endpoint, token, token_type_hint, timeout)

    def introspect_flow(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        token_type_hint: str | None = None,
        timeout: float | None = None,
    ) -> Flow[Introspection]:
        """Ask what the server knows about ``token`` (default: the access token) (RFC 7662)."""
        return _flows.introspect(_manager(self), endpoint, token, token_type_hint, timeout)
