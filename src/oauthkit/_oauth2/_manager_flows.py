"""The back-channel flows a :class:`~oauthkit.TokenManager` starts, as methods.

Each method returns a core flow for a driver's executor: ``fetch_flow`` (any grant, RFC 6749
§4), ``refresh_flow`` (§6), ``device_authorization_flow`` and ``device_token_flow``
(RFC 8628), ``revoke_flow`` (RFC 7009), ``introspect_flow`` (RFC 7662),
``register_client_flow`` and its management (RFC 7591, RFC 7592), and CIBA's
``backchannel_authentication_flow`` and ``ciba_token_flow``. The manager's own module keeps
its state, its decisions and the protected path.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from .._core._params import ExtraParams, Scope
from .._core._steps import Flow
from .._errors import UsageError
from . import _about_token, _flows

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import GrantOptions
    from ._ciba import BackchannelAuthentication
    from ._client_auth import ClientAuth
    from ._device import DeviceAuthorization
    from ._grants import Grant
    from ._introspection import Introspection
    from ._manager import TokenManager
    from ._registration import ClientRegistration
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
        url, scope = self._poll_target(endpoint, requested_scope)
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
        return _about_token.revoke(_manager(self), endpoint, token, token_type_hint, timeout)

    def introspect_flow(
        self,
        endpoint: str,
        token: str | None = None,
        *,
        token_type_hint: str | None = None,
        timeout: float | None = None,
    ) -> Flow[Introspection]:
        """Ask what the server knows about ``token`` (default: the access token) (RFC 7662)."""
        return _about_token.introspect(_manager(self), endpoint, token, token_type_hint, timeout)

    def register_client_flow(
        self,
        endpoint: str,
        metadata: Mapping[str, Any],
        *,
        initial_access_token: str | None = None,
        software_statement: str | None = None,
        timeout: float | None = None,
    ) -> Flow[ClientRegistration]:
        """Register a client (RFC 7591 §3); see :func:`_registration.build_registration_request`.

        Raises:
            TokenEndpointError: The server refused (``InvalidClientMetadataError``...).
            MalformedResponseError: The answer is not a registration.
        """
        from . import _registration as r

        manager = _manager(self)
        request = r.build_registration_request(
            endpoint,
            metadata,
            initial_access_token=initial_access_token,
            software_statement=software_statement,
            allow_insecure_transport=manager.transport,
        )
        parse = partial(r.parse_registration_response, endpoint=endpoint)
        return r.registration_flow(manager, request, parse, timeout)

    def read_client_flow(
        self, registration: ClientRegistration, *, timeout: float | None = None
    ) -> Flow[ClientRegistration]:
        """Read a registration (RFC 7592 §2.1); the answer's registration access token, if
        rotated, replaces the old one."""
        from . import _registration as r

        manager = _manager(self)
        request = r.build_client_read_request(
            registration, allow_insecure_transport=manager.transport
        )
        parse = partial(r.parse_registration_response, previous=registration)
        return r.registration_flow(manager, request, parse, timeout)

    def update_client_flow(
        self,
        registration: ClientRegistration,
        metadata: Mapping[str, Any],
        *,
        timeout: float | None = None,
    ) -> Flow[ClientRegistration]:
        """Replace a registration's metadata with ``metadata`` (RFC 7592 §2.2)."""
        from . import _registration as r

        manager = _manager(self)
        request = r.build_client_update_request(
            registration, metadata, allow_insecure_transport=manager.transport
        )
        parse = partial(r.parse_registration_response, previous=registration)
        return r.registration_flow(manager, request, parse, timeout)

    def delete_client_flow(
        self, registration: ClientRegistration, *, timeout: float | None = None
    ) -> Flow[None]:
        """Delete a registration (RFC 7592 §2.3)."""
        from . import _registration as r

        manager = _manager(self)
        request = r.build_client_delete_request(
            registration, allow_insecure_transport=manager.transport
        )
        return r.registration_flow(manager, request, r.parse_client_delete_response, timeout)

    def backchannel_authentication_flow(
        self, endpoint: str, *, timeout: float | None = None, **params: Any
    ) -> Flow[BackchannelAuthentication]:
        """Ask the provider to authenticate a user on their device (CIBA Core §7.1).

        ``params`` are those of :func:`_ciba.build_backchannel_authentication_request`
        (``login_hint=``, ``binding_message=``...); ``scope`` defaults to the manager's.

        Raises:
            UsageError: No ``openid`` scope, or not exactly one hint (raised at once).
        """
        from ._ciba import backchannel_authentication

        return backchannel_authentication(_manager(self), endpoint, timeout, **params)

    def ciba_token_flow(
        self,
        authentication: BackchannelAuthentication,
        endpoint: str | None = None,
        *,
        deadline: float | None = None,
        requested_scope: Scope = None,
        pinged: bool = False,
    ) -> Flow[Token]:
        """Poll until the user decides (CIBA Core §10.1), then make the token current; at
        once when the provider's ping came (``pinged``, ping mode, §10.2)."""
        from ._ciba import ciba_token

        url, scope = self._poll_target(endpoint, requested_scope)
        return ciba_token(
            _manager(self), authentication, url, deadline=deadline, scope=scope, pinged=pinged
        )

    def _poll_target(self, endpoint: str | None, requested_scope: Scope) -> tuple[str, Scope]:
        """The token endpoint a polled grant (device, CIBA) goes to, and the scope it asks.

        Raises:
            UsageError: No endpoint given and none configured.
        """
        url = endpoint or self.token_endpoint
        if url is None:
            raise UsageError("no token endpoint: pass token_endpoint= to the client")
        return url, self.scope if requested_scope is None else requested_scope
