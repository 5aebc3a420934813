"""A CIBA ping receiver on the loopback server, for scripts and tests (CIBA Core §10.2).

A web application takes pings in its own route, with
:func:`~oauthkit._oauth2._ciba_ping.parse_ping_notification`. A script, a test or a command-line
tool has no route: :class:`CibaPingReceiver` runs one on a
:class:`~oauthkit._loopback.LoopbackServer` and lets the caller wait for a request's ping::

    with CibaPingReceiver() as receiver:
        # register the client with backchannel_client_notification_endpoint=receiver.url
        auth = session.backchannel_authenticate(
            login_hint="alice", client_notification_token=receiver.new_token()
        )
        pinged = receiver.wait(auth)          # False: no ping before auth.expires_at
        token = session.poll_backchannel_token(auth, pinged=pinged)

The receiver knows the tokens it handed out, so a ping that comes before :meth:`wait` is
called is kept, and one with another bearer token is answered ``401`` and forgotten. A loopback
endpoint suits a provider on the same machine (a test peer, a dev provider); a real provider
needs an https endpoint it can reach.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from ._core._http import HttpRequest, HttpResponse
from ._errors import UsageError
from ._loopback import LoopbackServer
from ._oauth2._ciba import BackchannelAuthentication
from ._oauth2._ciba_ping import (
    PingNotificationError,
    new_client_notification_token,
    parse_ping_notification,
    same_text,
)

__all__ = ["CibaPingReceiver"]

_JSON = {"Content-Type": "application/json", "Cache-Control": "no-store"}


def _answer(status: int, error: str | None = None) -> HttpResponse:
    body = b"" if error is None else f'{{"error": "{error}"}}'.encode()
    return HttpResponse(status, dict(_JSON) if error else {}, body)


class CibaPingReceiver(LoopbackServer):
    """Takes CIBA pings at ``path`` on a loopback server, for the tokens it handed out.

    A :class:`~oauthkit._loopback.LoopbackServer` that answers with itself: ``start()``,
    ``stop()`` or a ``with`` block run it.

    Args:
        path: The notification endpoint's path.
        host: The loopback address to listen on.
        port: ``0`` picks a free port.
        clock: Seconds since the epoch (for :meth:`wait`'s default, the request's expiry).

    Raises:
        UsageError: ``path`` does not start with ``/``; ``host`` is not loopback.
    """

    def __init__(
        self,
        path: str = "/ciba/ping",
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(path, str) or not path.startswith("/"):
            raise UsageError("path must start with '/'")
        super().__init__(self, host, port, label="CIBA ping receiver")
        self.path = path
        self._clock = clock
        self._changed = threading.Condition()
        self._tokens: list[str] = []
        self._pinged: dict[str, set[str]] = {}  # token -> auth_req_ids its pings named

    def __repr__(self) -> str:
        state = self.base_url if self.running else "stopped"
        return f"CibaPingReceiver({self.path!r}, {state})"

    @property
    def url(self) -> str:
        """The ``backchannel_client_notification_endpoint`` to register.

        Raises:
            UsageError: The receiver is not running.
        """
        return self.base_url + self.path

    def new_token(self) -> str:
        """A fresh ``client_notification_token`` whose pings this receiver accepts (§7.1)."""
        token = new_client_notification_token()
        with self._changed:
            self._tokens.append(token)
            self._pinged[token] = set()
        return token

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer one request: ``204`` for a ping of a token handed out, else 4xx."""
        if urlsplit(request.url).path != self.path:
            return _answer(404, "not_found")
        if request.method != "POST":
            return _answer(405, "method_not_allowed")
        with self._changed:
            tokens = list(self._tokens)
        for token in tokens:
            try:
                named = parse_ping_notification(
                    request.headers, request.body, client_notification_token=token
                )
            except PingNotificationError as exc:
                if exc.status_code == 401:
                    continue
                return _answer(exc.status_code, "invalid_request")
            with self._changed:
                self._pinged[token].add(named)
                self._changed.notify_all()
            return _answer(204)
        return _answer(401, "invalid_token")

    def _arrived(self, authentication: BackchannelAuthentication) -> bool:
        token = authentication.client_notification_token
        named = self._pinged.get(token or "", set())
        return any(same_text(name, authentication.auth_req_id) for name in named)

    def wait(self, authentication: BackchannelAuthentication, timeout: float | None = None) -> bool:
        """Wait for the ping of ``authentication``; whether it came.

        Args:
            authentication: A request made with a token of :meth:`new_token`.
            timeout: Seconds to wait; by default until the request expires.

        Raises:
            UsageError: ``authentication`` was not made with a token of this receiver.
        """
        if not isinstance(authentication, BackchannelAuthentication):
            raise UsageError("authentication must be a BackchannelAuthentication")
        token = authentication.client_notification_token
        with self._changed:
            if token is None or not any(same_text(token, t) for t in self._tokens):
                raise UsageError(
                    "the request was not made with a client_notification_token of this receiver"
                )
        seconds = authentication.expires_at - self._clock() if timeout is None else timeout
        with self._changed:
            return self._changed.wait_for(lambda: self._arrived(authentication), max(0, seconds))

    async def wait_async(
        self, authentication: BackchannelAuthentication, timeout: float | None = None
    ) -> bool:
        """:meth:`wait` for asyncio code (on a worker thread)."""
        return await asyncio.to_thread(self.wait, authentication, timeout)
