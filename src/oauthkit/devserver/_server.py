"""A small threaded HTTP server for the dev provider, speaking oauthkit's neutral HTTP values.

Handlers are plain functions from :class:`~oauthkit.HttpRequest` to :class:`~oauthkit.HttpResponse`,
so the protocol code knows nothing about WSGI and can be called directly in tests. The
:class:`Router` maps paths to handlers; each protocol mounts its routes under its own prefix
(``/oauth1/...`` now, ``/oauth2/...`` later), and :class:`LoopbackServer` runs one router with
the standard library's :mod:`wsgiref` on a daemon thread, one thread per request.

Each accepted connection gets a read timeout (:data:`DEFAULT_READ_TIMEOUT` unless configured),
so a client that connects and then stalls, before or in the middle of its request, releases its
thread instead of holding it until the process exits: a stall before the body is complete ends
with the connection closed, one in the body with ``408 Request Timeout`` (`RFC 9110 §15.5.9`_).
The timeout bounds each wait for data, as :meth:`socket.socket.settimeout` does, not the whole
request: a client that trickles a byte per interval is not cut off. That is enough on loopback,
where the clients are the test suite's own.

.. _RFC 9110 §15.5.9: https://www.rfc-editor.org/rfc/rfc9110#section-15.5.9
"""

from __future__ import annotations

import json
import logging
import math
import re
import socket
import socketserver
import threading
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, cast
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.util import request_uri

from .._core._http import HttpRequest, HttpResponse
from .._core._transport import is_loopback_host
from .._errors import UsageError

__all__ = [
    "DEFAULT_READ_TIMEOUT",
    "Handler",
    "LoopbackServer",
    "Router",
    "json_response",
    "text_response",
]

Handler = Callable[[HttpRequest], HttpResponse]

_log = logging.getLogger("oauthkit.devserver")
# Test traffic is small; a cap keeps a runaway client from filling memory.
_MAX_BODY = 1 << 20
_QUERY = re.compile(r"\?\S*")

DEFAULT_READ_TIMEOUT = 10.0
"""Seconds a connection may stay silent while the server waits for its request."""


def json_response(
    status: int, payload: object, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A JSON response, never cached (tokens may be inside)."""
    merged = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    merged.update(headers or {})
    body = json.dumps(payload, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    return HttpResponse(status, merged, body)


def text_response(
    status: int, text: str, content_type: str = "text/plain; charset=utf-8"
) -> HttpResponse:
    """A plain (or form-encoded, via ``content_type``) response, never cached."""
    headers = {"Content-Type": content_type, "Cache-Control": "no-store"}
    return HttpResponse(status, headers, text.encode("utf-8"))


class Router:
    """Dispatches requests by exact path, then by method.

    Unknown paths get 404 and known paths with another method get 405 with ``Allow``, so a
    client bug shows up as the right status rather than as a confusing OAuth error.
    """

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, path: str, handler: Handler, methods: Iterable[str] = ("GET",)) -> None:
        """Serve ``path`` with ``handler`` for each of ``methods``.

        Raises:
            UsageError: The path and method are already routed.
        """
        table = self._routes.setdefault(path, {})
        for name in methods:
            method = name.upper()
            if method in table:
                raise UsageError(f"{method} {path} is already routed")
            table[method] = handler

    def dispatch(self, request: HttpRequest, path: str) -> HttpResponse:
        """Answer ``request``, whose URL path is ``path``."""
        table = self._routes.get(path)
        if table is None:
            return json_response(404, {"error": "not_found", "path": path})
        handler = table.get(request.method)
        if handler is None:
            allowed = ", ".join(sorted(table))
            return HttpResponse(
                405,
                {"Allow": allowed, "Content-Type": "application/json"},
                json.dumps({"error": "method_not_allowed", "allow": allowed}).encode(),
            )
        return handler(request)


def _headers_from_environ(environ: Mapping[str, Any]) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key.replace("_", "-").title()
        else:
            continue
        headers[name] = str(value)
    return headers


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    read_timeout = DEFAULT_READ_TIMEOUT


class _QuietHandler(WSGIRequestHandler):
    """wsgiref's handler with its server's read timeout, logging request lines, not printing."""

    def setup(self) -> None:
        super().setup()
        # What StreamRequestHandler.setup does with its class-wide ``timeout``, per server.
        self.connection.settimeout(cast("_ThreadingServer", self.server).read_timeout)

    def handle(self) -> None:
        try:
            super().handle()
        except TimeoutError:
            # The request line or headers never came; there is no request to answer.
            _log.debug("%s - closed: no complete request in time", self.address_string())

    def log_message(self, format: str, *args: Any) -> None:
        # Paths only: a query may carry an access token (RFC 6750 §2.3) or an id_token_hint.
        message = _QUERY.sub("?...", format % args)
        _log.debug("%s - %s", self.address_string(), message)


class _ThreadingServerV6(_ThreadingServer):
    address_family = socket.AF_INET6


class LoopbackServer:
    """Serves a :class:`Router` over HTTP on a loopback address, on a background thread.

    Args:
        router: What to serve.
        host: A loopback address; the credentials a dev provider hands out are public, so it
            refuses to listen anywhere else.
        port: ``0`` picks a free ephemeral port.
        read_timeout: Seconds to wait for more of a request before giving up on it and freeing
            its thread; see the module docstring.

    Raises:
        UsageError: ``host`` is not a loopback address, or ``read_timeout`` is not a positive
            finite number.
    """

    def __init__(
        self,
        router: Router,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
    ) -> None:
        if not is_loopback_host(host):
            raise UsageError(f"the dev provider only listens on loopback, not on {host!r}")
        if not (math.isfinite(read_timeout) and read_timeout > 0):
            raise UsageError(
                f"read_timeout must be a positive number of seconds, not {read_timeout!r}"
            )
        self._read_timeout = float(read_timeout)
        self._router = router
        self._host = host.strip("[]")
        self._port = port
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    @property
    def base_url(self) -> str:
        """``http://host:port``, without a trailing slash.

        Raises:
            UsageError: The server is not running.
        """
        if self._server is None:
            raise UsageError("the server is not running; call start() first")
        port = self._server.server_address[1]
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{port}"

    def start(self) -> None:
        """Bind the socket and start serving on a daemon thread.

        Raises:
            UsageError: Already started.
            OSError: The address cannot be bound.
        """
        if self._server is not None or self._thread is not None:
            raise UsageError("the server was already started")
        server_class = _ThreadingServerV6 if ":" in self._host else _ThreadingServer
        server = server_class((self._host, self._port), _QuietHandler)
        server.read_timeout = self._read_timeout
        server.set_app(self._wsgi_app)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oauthkit-devserver-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; calling it again does nothing."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def _wsgi_app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        response = self._respond(environ)
        reason = HTTPStatus(response.status_code).phrase
        headers = list(response.headers.items())
        headers.append(("Content-Length", str(len(response.body))))
        start_response(f"{response.status_code} {reason}", headers)
        return [response.body]

    def _respond(self, environ: dict[str, Any]) -> HttpResponse:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return json_response(400, {"error": "invalid_request", "detail": "bad Content-Length"})
        if length > _MAX_BODY:
            return json_response(413, {"error": "request_too_large"})
        try:
            body = environ["wsgi.input"].read(length) if length > 0 else b""
        except TimeoutError:
            return json_response(408, {"error": "request_timeout"})
        request = HttpRequest(
            method=str(environ["REQUEST_METHOD"]).upper(),
            url=request_uri(environ, include_query=True),
            headers=_headers_from_environ(environ),
            body=body or None,
        )
        try:
            return self._router.dispatch(request, str(environ.get("PATH_INFO") or "/"))
        except Exception:
            # A bug in the provider must reach the test as a 500 it can see, and the
            # traceback belongs in the log, not in the body.
            # The path only: a query may carry an access_token (RFC 6750 §2.3).
            path = request.url.partition("?")[0]
            _log.exception("dev provider failed on %s %s", request.method, path)
            return json_response(500, {"error": "server_error"})
