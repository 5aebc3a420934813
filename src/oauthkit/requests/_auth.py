"""OAuth 2 auths for any ``requests.Session``: ``OAuth2Auth`` (renewing) and ``OAuth2``.

:class:`OAuth2Auth` runs the core's protected-request flow from requests' auth hooks: before
the request is sent it renews an expired token (under a lock, single-flight) and applies the
core's patch; a response hook renews once after ``401 invalid_token`` and sends the request
again through the same connection adapter, as requests' own digest auth does. Token requests go
through the session given as ``session=`` (or a private one): an auth hook cannot see the
session it runs in.

:class:`OAuth2` is requests-oauthlib's auth for a fixed token: no renewal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest

from .._compat._exceptions import caught_as_before
from .._compat._session import wall_clock
from .._core._patch import RequestPatch
from .._core._run import Stepper, pump
from .._errors import UsageError
from .._locks import ThreadLocks
from .._oauth2._manager import TokenManager
from .._oauth2._token import Token
from .._oauth2._updater import ManagedAuth, TokenUpdater
from ._io import RedirectGuard, RequestsIO, apply_patch, neutral

__all__ = ["OAuth2", "OAuth2Auth", "TokenUpdater"]

# oauthlib's names for the placements (``Client.default_token_placement``).
_OAUTHLIB_PLACEMENTS = {"auth_header": "header", "query": "query", "body": "body"}


def _replayable(r: PreparedRequest) -> bool:
    return r.body is None or isinstance(r.body, (bytes, str))


def _strip(r: PreparedRequest, patch: RequestPatch) -> None:
    """Take ``patch`` off ``r`` again, before a newer patch goes on."""
    undo = patch.undo()
    for name in undo.headers:
        r.headers.pop(name, None)
    r.url = undo.strip_url(r.url or "")
    if undo.form and isinstance(r.body, (bytes, str)):
        raw = r.body.encode("utf-8") if isinstance(r.body, str) else r.body
        r.body = undo.strip_body(raw)
        r.prepare_content_length(r.body)


class OAuth2Auth(ManagedAuth, AuthBase):
    """Authorize requests with a :class:`~oauthkit.TokenManager`'s token, renewing it.

    Works on any ``requests.Session``: the token is renewed before use when it is (nearly)
    expired, after ``401`` with ``error="invalid_token"`` (then the request is sent once more),
    and for a client-credentials manager whenever there is none yet.

    Args:
        manager: The sans-I/O client holding configuration and token. Alternatively pass
            ``token`` alone for a fixed bearer token.
        token: A token dictionary or :class:`~oauthkit.Token` (when ``manager`` is not given).
        token_updater: Called with the new token dictionary once per renewal, outside the lock.
        session: Sends token requests; a private session when not given.
        timeout: Seconds a renewal (and the wait for one in progress) may take; the manager's
            timeout, or 30 seconds, when not given.
        token_store: A :class:`oauthkit.stores.TokenStore` the token is shared through (the
            manager's ``store_key`` names it): one renewal per expiry across processes.

    Raises:
        UsageError: Neither ``manager`` nor ``token`` given.
    """

    def __init__(
        self,
        manager: TokenManager | None = None,
        *,
        token: Mapping[str, Any] | Token | None = None,
        token_updater: TokenUpdater | None = None,
        session: requests.Session | None = None,
        timeout: float | None = None,
        token_store: Any = None,
    ) -> None:
        super().__init__(manager, token, token_updater, token_store)
        self.session = session
        self.timeout = timeout
        self.locks = ThreadLocks()

    def _io(self) -> RequestsIO:
        if self.session is None:
            self.session = requests.Session()
        return RequestsIO(self.session, self.locks, updater=self._updated, store=self.token_store)

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        flow = self.manager.protected_flow(
            r.method or "GET", r.url or "", replayable=_replayable(r), timeout=self.timeout
        )
        stepper = Stepper(flow)
        io = self._io()
        step = pump(stepper, io)
        if step is None:  # pragma: no cover - the protected flow always sends once
            return r
        apply_patch(r, step.patch, lenient=self._lenient)
        r.hooks["response"] += [RedirectGuard(step.patch), _Resume(stepper, io, step.patch)]
        return r

    _lenient = False  # body placement on GET: requests-oauthlib's OAuth2 allows it


class _Resume:
    """The response hook that lets the flow see the answer, and retry once if it asks."""

    __slots__ = ("done", "io", "patch", "stepper")

    def __init__(self, stepper: Stepper, io: RequestsIO, patch: RequestPatch) -> None:
        self.stepper = stepper
        self.io = io
        self.patch = patch
        self.done = False

    def __call__(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        if self.done or response.is_redirect:
            return response
        self.done = True

        def release() -> None:
            response.content  # noqa: B018 - read it, so the connection goes back to the pool
            response.close()

        step = pump(self.stepper, self.io, neutral(response, body=False), release=release)
        if step is None or not isinstance(response.request, PreparedRequest):
            return response
        retry = response.request.copy()
        _strip(retry, self.patch)
        apply_patch(retry, step.patch)
        adapter: Any = response.connection
        again: requests.Response = adapter.send(retry, **kwargs)
        again.history.append(response)
        again.request = retry
        pump(self.stepper, self.io, neutral(again, body=False))
        return again


class OAuth2(OAuth2Auth):
    """Adds a fixed bearer token to requests (RFC 6750 §2); requests-oauthlib's ``OAuth2``.

    Args:
        client_id: Accepted for compatibility.
        client: An oauthlib client object: its ``token`` is used when ``token`` is absent, and
            its ``default_token_placement`` (``auth_header``, ``query`` or ``body``) is honoured.
        token: The token dictionary (or :class:`oauthkit.Token`).

    Raises:
        UsageError: A token dictionary without ``access_token``; when a request is
            authorized, no token (also a ``ValueError``, as in requests-oauthlib).
        TokenExpiredError: When a request is authorized with an expired token (this auth cannot
            renew it).
    """

    _lenient = True

    def __init__(
        self,
        client_id: str | None = None,
        client: object = None,
        token: Mapping[str, Any] | Token | None = None,
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        token = token or getattr(client, "token", None) or None
        placement = _OAUTHLIB_PLACEMENTS.get(
            str(getattr(client, "default_token_placement", "auth_header")), "header"
        )
        manager = TokenManager(
            client_id or "static-token",
            token=token,
            placement=placement,
            clock=wall_clock if clock is None else clock,
        )
        super().__init__(manager)
        self.token = manager.token

    @caught_as_before
    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        if self.manager.token is None:
            raise UsageError("OAuth2 has no token to add: missing access token")
        return super().__call__(r)

    def __repr__(self) -> str:
        return "OAuth2(<token redacted>)"
