"""``OAuth2Session``: requests-oauthlib's session, over the core's flows.

The protocol lives in the core (:mod:`oauthkit._oauth2`) and requests-oauthlib's semantics in
:mod:`oauthkit._compat`; this module only runs their flows with a ``requests.Session``. A lock
serialises renewals only: callers holding an expired token wait for the one renewal in flight,
then send their own requests concurrently.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest

from .._compat._attributes import SyncSessionMethods, TokenUpdater
from .._compat._exceptions import SESSION_METHODS, raising_as_before
from .._core._http import HttpResponse, same_origin
from .._core._patch import RequestPatch
from .._core._run import run
from .._core._steps import SendProtected
from .._locks import ThreadLocks
from ._io import RedirectGuard, RequestsIO, apply_patch, neutral, no_auth, seconds

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._compat._attributes import NativeSettings
    from .._oauth2._mtls import ClientCertificate
    from .._oauth2._token import Token

__all__ = ["OAuth2Session"]


class _AuthorizationAuth(AuthBase):
    """Sets one ``Authorization`` value: a patch that is just that header, the common case.

    No redirect guard is needed for it: :meth:`OAuth2Session.rebuild_auth` drops the header on
    a hop to another origin.
    """

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        r.headers["Authorization"] = self.value
        return r


def _auth_for(patch: RequestPatch, after: Any) -> Any:
    """The requests auth that applies ``patch`` (and then the caller's own ``auth=``)."""
    if after is None and not patch.query and not patch.form and len(patch.headers) == 1:
        name, value = patch.headers[0]
        if name == "Authorization":
            return _AuthorizationAuth(value)
    return _PatchAuth(patch, after) if patch else after


class _PatchAuth(AuthBase):
    """Puts the core's patch on the prepared request, then runs the caller's own auth."""

    __slots__ = ("after", "patch")

    def __init__(self, patch: RequestPatch, after: Any) -> None:
        self.patch = patch
        self.after = after

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        apply_patch(r, self.patch)
        r.hooks["response"].append(RedirectGuard(self.patch))
        return r if self.after is None else self.after(r)


def _replayable(data: Any, files: Any) -> bool:
    """Whether a request body can be sent a second time (no files, no one-shot streams)."""
    return files is None and (data is None or isinstance(data, (str, bytes, Mapping, list, tuple)))


@raising_as_before(*SESSION_METHODS)
class OAuth2Session(SyncSessionMethods, requests.Session):
    """A ``requests.Session`` that fetches, applies and renews OAuth 2 tokens.

    The constructor and methods are requests-oauthlib's (``authorization_url``,
    ``fetch_token``, ``refresh_token``, ``token_from_fragment``, ``register_compliance_hook``,
    ``token``, ``access_token``, ``authorized``). Beyond it:

    * ``code_verifier=``: resume a PKCE flow in a new session (web apps build one per request);
    * ``client_auth=``: any :class:`oauthkit.ClientAuth` (``client_auth_for("private_key_jwt",
      ...)``), used for every token request instead of requests-oauthlib's inference;
    * ``issuer=``: the authorization server's issuer; a callback's ``iss`` must match it
      (RFC 9207), which stops mix-up attacks between several servers;
    * ``allow_insecure_transport=``: plain http beyond loopback, for this session only
      (``True``, or host names);
    * ``cert=`` (a certificate file, ``(certfile, keyfile)`` or a
      :class:`oauthkit.ClientCertificate`) and ``verify=`` (a CA bundle): set as
      ``session.cert``/``session.verify``; with ``cert=`` the session uses the server's
      ``mtls_endpoint_aliases`` and checks certificate-bound tokens (RFC 8705);
    * ``leeway`` (seconds before expiry to renew), ``retry`` (a :class:`oauthkit.RetryPolicy`)
      and ``clock``;
    * ``fetch_token(url, grant=...)`` with any core grant (JWT bearer, token exchange, ...);
    * ``fetch_device_authorization`` and ``poll_device_token`` for the device flow;
      ``revoke_token`` and ``introspect_token``.

    Raises:
        UsageError: Invalid ``pkce``, an unsupported ``client`` object, or a coroutine
            function as ``token_updater``.
    """

    def _open_native(
        self, native: dict[str, Any], certificate: ClientCertificate | None, verify: Any
    ) -> None:
        """requests' own settings: ``session.cert`` and ``session.verify`` (RFC 8705 §2)."""
        requests.Session.__init__(self, **native)
        if certificate is not None:
            self.cert = certificate.files
        if verify is not None:
            self.verify = verify

    def _start(self, token_updater: TokenUpdater | None) -> None:
        super()._start(token_updater)
        self.token_updater = token_updater
        self._locks = ThreadLocks()
        self.auth = no_auth  # as requests-oauthlib: tokens, not netrc, authorize requests
        self._protected_io = self._io()  # renewals of protected requests use the defaults
        self._step_auth: tuple[object, Any] = (None, None)

    def __repr__(self) -> str:
        return f"<oauthkit.requests.OAuth2Session {self._oauth.core!r}>"

    def _io(self, **native: Unpack[NativeSettings]) -> RequestsIO:
        auth = native.pop("auth", None)
        sleep = native.pop("sleep", time.sleep)
        return RequestsIO(
            self,
            self._locks,
            hooks=self._oauth.hooks,
            auth=auth,
            settings=native,
            updater=self._updated,
            store=self._token_store,
            sleep=sleep,
        )

    def _seconds(self, timeout: Any) -> float | None:
        return seconds(timeout)

    # requests-oauthlib's signature, narrower than requests.Session.request's.
    def request(  # type: ignore[override]
        self,
        method: str | bytes,
        url: str | bytes,
        data: Any = None,
        headers: Mapping[str, str] | None = None,
        withhold_token: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        files: Any = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request, authorized with the current token unless ``withhold_token``.

        The token is renewed first when it is (nearly) expired, and once more if the server
        answers ``401`` with ``error="invalid_token"``. ``client_id``/``client_secret`` are
        authenticate this and later renewals with a Basic header, as requests-oauthlib's
        automatic refresh does with them (it sends them for that one refresh only).

        Raises:
            TokenExpiredError: The token expired and cannot be renewed.
            InsecureTransportError: A token would go over plain http to a non-loopback host.
            LockTimeoutError: The call's ``timeout`` ran out waiting for a renewal in progress.
        """
        if client_id and client_secret:
            self._oauth.renew_as(client_id, client_secret)
        verb = method.decode() if isinstance(method, bytes) else method
        target = url.decode() if isinstance(url, bytes) else url
        if withhold_token:
            return super().request(verb, target, headers=headers, data=data, files=files, **kwargs)
        oauth = self._oauth
        core = oauth.core
        if oauth.hooks.hooks["protected_request"] and core.token is not None:
            target, headers, data = oauth.hooks.protected(target, headers, data)
        caller_auth = kwargs.pop("auth", None)
        ready = core.ready_step(target)
        if ready is None:
            return self._protected(verb, target, headers, data, files, caller_auth, kwargs, None)
        # The common case, without the flow: a valid token, sent once; the core decides whether
        # the answer ends it (see TokenManager.ready_step).
        auth = self._auth(ready[1], caller_auth)
        response = requests.Session.request(
            self, verb, target, headers=headers, data=data, files=files, auth=auth, **kwargs
        )
        if core.settled(response.status_code):
            return response
        answered = (ready[0], response)
        return self._protected(verb, target, headers, data, files, caller_auth, kwargs, answered)

    def _protected(
        self,
        verb: str,
        target: str,
        headers: Mapping[str, str] | None,
        data: Any,
        files: Any,
        caller_auth: Any,
        kwargs: dict[str, Any],
        answered: tuple[Token, requests.Response] | None,
    ) -> requests.Response:
        """Run the protected flow: a renewal before the request, or one after a rejection."""
        sent = [] if answered is None else [answered[1]]

        def send_protected(step: SendProtected) -> HttpResponse:
            if sent:
                sent[-1].close()  # a retry after a rejected token
            auth = self._auth(step, caller_auth)
            response = requests.Session.request(
                self, verb, target, headers=headers, data=data, files=files, auth=auth, **kwargs
            )
            sent.append(response)
            return neutral(response, body=False)

        flow = self._oauth.core.protected_flow(
            verb,
            target,
            replayable=_replayable(data, files),
            timeout=seconds(kwargs.get("timeout")),
            answered=None if answered is None else (answered[0], neutral(answered[1], body=False)),
        )
        run(flow, self._protected_io, send_protected)
        return sent[-1]

    def _auth(self, step: SendProtected, caller_auth: Any) -> Any:
        """The requests auth that applies ``step``'s patch; one per token, like the patch."""
        if caller_auth is not None:
            return _auth_for(step.patch, caller_auth)
        cached = self._step_auth
        if cached[0] is not step:
            cached = self._step_auth = (step, _auth_for(step.patch, None))
        return cached[1]

    def rebuild_auth(self, prepared_request: PreparedRequest, response: requests.Response) -> None:
        """Send no credential to another origin; never add ``~/.netrc`` ones to a redirect.

        Unlike ``requests.Session``, which keeps ``Authorization`` on another port or scheme of
        the same host and adds ``~/.netrc`` credentials to a redirect.
        """
        previous = response.request.url if response.request is not None else None
        if previous is None or not same_origin(previous, prepared_request.url or ""):
            prepared_request.headers.pop("Authorization", None)
