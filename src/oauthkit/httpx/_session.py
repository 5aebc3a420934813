"""OAuth 2 on httpx: ``OAuth2Client`` and ``AsyncOAuth2Client``, requests-oauthlib's methods.

Protected requests go through :class:`~oauthkit.httpx.OAuth2Auth`, installed as the client's
auth; the session methods (``fetch_token``, ``refresh_token``, the device flow, revocation,
introspection) run the core's flows with this client. On ``AsyncOAuth2Client`` those that make
requests are awaitable and ``token_updater`` may be a coroutine function. A request event hook
takes off a redirect hop what the core's patch says must not follow it.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._compat import _authorize, _backchannel_calls, _calls, _oidc
from .._compat._attributes import Forward, SessionAttributes, SyncSessionMethods, TokenUpdater
from .._compat._calls import awaitable_method
from .._compat._exceptions import SESSION_METHODS, raising_as_before
from .._compat._session import token_as_dict
from .._core._run import arun
from .._core._steps import Flow
from .._errors import UsageError
from ._auth import OAuth2Auth
from ._io import AsyncHttpxIO, HttpxIO, seconds, strip_redirect_hop

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._compat._attributes import NativeSettings
    from .._oauth2._mtls import ClientCertificate

__all__ = ["AsyncOAuth2Client", "OAuth2Client", "tls_context"]

T = TypeVar("T")


def _refuse_client_settings(**settings: Any) -> None:
    given = sorted(name for name, value in settings.items() if value is not None)
    if given:
        raise UsageError(
            f"{', '.join(given)}: httpx sets these on the client, not per request; "
            "pass them to the client's constructor"
        )


class _SessionAuth(OAuth2Auth):
    """The clients' auth: their ``token_updater`` receives the token as the server sent it
    (requests-oauthlib's dictionary), as the requests session's does."""

    dict_of = staticmethod(token_as_dict)


def tls_context(certificate: ClientCertificate | None, verify: Any) -> Any:
    """httpx's ``verify=`` presenting ``certificate``: an ``ssl.SSLContext`` made as httpx
    makes its own (its default CAs, a CA bundle's path, or none with ``False``), with the
    certificate loaded by ``load_cert_chain``, httpx's documented way (RFC 8705 §2).

    Raises:
        UsageError: ``verify`` is an ``ssl.SSLContext`` as well as ``cert=`` given (load the
            certificate into that context instead, and leave ``cert=`` out).
    """
    import os
    import ssl

    if isinstance(verify, ssl.SSLContext):
        if certificate is not None:
            raise UsageError(
                "cert= and an ssl.SSLContext as verify=: call load_cert_chain on the context "
                "and leave cert= out, or pass verify= a CA bundle's path"
            )
        return verify
    if isinstance(verify, str):
        # an SSLContext, not the path httpx 0.28 deprecates
        if os.path.isdir(verify):
            context = ssl.create_default_context(capath=verify)
        else:
            context = ssl.create_default_context(cafile=verify)
    elif certificate is None:
        return True if verify is None else verify
    else:
        context = httpx.create_ssl_context(verify=verify is not False)
    if certificate is not None:
        context.load_cert_chain(certificate.certfile, certificate.keyfile)
    return context


class _ClientBase(SessionAttributes):
    """What the sync and async clients share: the auth and the redirect hook."""

    _token_auth: OAuth2Auth

    def _open_native(
        self, native: dict[str, Any], certificate: ClientCertificate | None, verify: Any
    ) -> None:
        super()._open_native({**native, "verify": tls_context(certificate, verify)}, None, None)

    def _default_timeout(self) -> float | None:
        return seconds(getattr(self, "timeout", None))

    def _install(self, token_updater: TokenUpdater | None, hook: Callable[..., Any]) -> None:
        client: Any = self
        self._token_auth = _SessionAuth(
            self._oauth.core,
            token_updater=token_updater,
            client=client,
            hooks=self._oauth.hooks,
            token_store=self._token_store,
        )
        client.auth = self._token_auth
        hooks = client.event_hooks
        client.event_hooks = {
            "request": [hook, *hooks.get("request", [])],
            "response": list(hooks.get("response", [])),
        }

    token_updater: Forward[TokenUpdater | None] = Forward(
        "_token_auth.token_updater",
        "Called with the new token dictionary once per automatic renewal.",
    )


@raising_as_before(*SESSION_METHODS)
class OAuth2Client(_ClientBase, SyncSessionMethods, httpx.Client):
    """An ``httpx.Client`` with requests-oauthlib's ``OAuth2Session`` methods and arguments.

    OAuth arguments are those of ``OAuth2Session``; every other keyword goes to
    ``httpx.Client``. ``verify``, ``proxies`` and ``cert`` belong to the client in httpx, so
    the fetch methods refuse them per call. The client's ``timeout`` bounds renewals too.

    ``cert=`` (a certificate file, ``(certfile, keyfile)`` or an
    :class:`oauthkit.ClientCertificate`) is loaded into an ``ssl.SSLContext`` handed to httpx
    as ``verify=`` (with the CA bundle ``verify=`` names); the client then uses the server's
    ``mtls_endpoint_aliases`` and checks certificate-bound tokens (RFC 8705).
    """

    def _start(self, token_updater: TokenUpdater | None) -> None:
        SyncSessionMethods._start(self, token_updater)
        self._install(token_updater, self._on_request)

    def _on_request(self, request: httpx.Request) -> None:
        if "oauthkit.patch" in request.extensions:
            request.read()
            strip_redirect_hop(request)

    def _io(self, **native: Unpack[NativeSettings]) -> HttpxIO:
        auth = native.pop("auth", None)
        sleep = native.pop("sleep", time.sleep)
        _refuse_client_settings(**native)
        return HttpxIO(
            self,
            self._token_auth.locks,
            hooks=self._oauth.hooks,
            auth=auth,
            updater=self._token_auth._updated,
            sleep=sleep,
            store=self._token_store,
        )

    def _seconds(self, timeout: Any) -> float | None:
        return seconds(timeout)

    def request(
        self, method: str, url: httpx.URL | str, *, withhold_token: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; ``withhold_token=True`` sends it without the token."""
        if withhold_token:
            kwargs["auth"] = None
        return super().request(method, url, **kwargs)


@raising_as_before(*SESSION_METHODS)
class AsyncOAuth2Client(_ClientBase, httpx.AsyncClient):
    """The ``httpx.AsyncClient`` twin of :class:`OAuth2Client`; fetch methods are awaitable."""

    def _start(self, token_updater: TokenUpdater | None) -> None:
        self._install(token_updater, self._on_request)

    async def _on_request(self, request: httpx.Request) -> None:
        if "oauthkit.patch" in request.extensions:
            await request.aread()
            strip_redirect_hop(request)

    async def _aexecute(
        self,
        flow: Flow[T],
        *,
        auth: Any = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        **native: Any,
    ) -> T:
        _refuse_client_settings(**native)
        io = AsyncHttpxIO(
            self,
            self._token_auth.alocks,
            hooks=self._oauth.hooks,
            auth=auth,
            updater=self._token_auth._updated,
            sleep=sleep,
            store=self._token_store,
        )
        return await arun(flow, io)

    def _seconds(self, timeout: Any) -> float | None:
        return seconds(timeout)

    def _load_metadata(self) -> None:
        rp = self._oauth.oidc
        if rp is not None and rp.provider.metadata is None:
            raise UsageError(
                "the issuer's metadata is not loaded: await client.discover() before "
                "authorization_url() without a URL"
            )

    discover = awaitable_method(_oidc.discover)
    push_authorization_request = awaitable_method(_authorize.push_authorization_request)
    userinfo = awaitable_method(_oidc.userinfo)
    validate_logout_token = awaitable_method(_oidc.validate_logout_token)
    fetch_token = awaitable_method(_calls.fetch_token)
    refresh_token = awaitable_method(_calls.refresh_token)
    fetch_device_authorization = awaitable_method(_calls.fetch_device_authorization)
    poll_device_token = awaitable_method(_calls.poll_device_token)
    revoke_token = awaitable_method(_calls.revoke_token)
    introspect_token = awaitable_method(_calls.introspect_token)
    register_client = awaitable_method(_backchannel_calls.register_client)
    read_client_registration = awaitable_method(_backchannel_calls.read_client_registration)
    update_client_registration = awaitable_method(_backchannel_calls.update_client_registration)
    delete_client_registration = awaitable_method(_backchannel_calls.delete_client_registration)
    backchannel_authenticate = awaitable_method(_backchannel_calls.backchannel_authenticate)
    poll_backchannel_token = awaitable_method(_backchannel_calls.poll_backchannel_token)

    async def request(
        self, method: str, url: httpx.URL | str, *, withhold_token: bool = False, **kwargs: Any
    ) -> httpx.Response:
        """Send a request; ``withhold_token=True`` sends it without the token."""
        if withhold_token:
            kwargs["auth"] = None
        return await super().request(method, url, **kwargs)
