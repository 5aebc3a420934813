"""The one loopback HTTP server: the dev provider and the native-app login both run on it.

A handler is a plain function from :class:`~oauthkit.HttpRequest` to
:class:`~oauthkit.HttpResponse`, so what it answers can be tested without a socket.
:class:`LoopbackServer` runs one handler with the standard library's
:class:`http.server.ThreadingHTTPServer` on a daemon thread, one thread per connection.

It listens on loopback only: the dev provider hands out public credentials, and a native app's
redirect receiver must not be reachable from the network (RFC 8252 §8.3).

Each accepted connection gets a read timeout (:data:`DEFAULT_READ_TIMEOUT` unless configured), so
a client that connects and then stalls releases its thread instead of holding it until the
process exits: a stall before the request's head is complete ends with the connection closed,
one in the body with ``408 Request Timeout`` (`RFC 9110 §15.5.9`_). Browsers do this on purpose:
a preconnect opens a connection and sends nothing until it has a request for it. The timeout
bounds each wait for data, as :meth:`socket.socket.settimeout` does, not the whole request; a
client that trickles a byte per interval is not cut off. That is enough on loopback.

Connections are never kept alive (HTTP/1.0), so a browser's idle keep-alive connection cannot
hold a thread past the response either.

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
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from ._core._http import HttpRequest, HttpResponse
from ._core._transport import is_loopback_host
from ._errors import UsageError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["DEFAULT_READ_TIMEOUT", "Handler", "LoopbackServer"]

Handler = Callable[[HttpRequest], HttpResponse]

# Loopback traffic is small; a cap keeps a runaway client from filling memory.
_MAX_BODY = 1 << 20
_QUERY = re.compile(r"\?\S*")
_JSON = {"Content-Type": "application/json", "Cache-Control": "no-store"}

DEFAULT_READ_TIMEOUT = 10.0
"""Seconds a connection may stay silent while the server waits for its request."""


def _error(status: int, error: str) -> HttpResponse:
    return HttpResponse(
        status, dict(_JSON), json.dumps({"error": error}, indent=2).encode() + b"\n"
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    read_timeout = DEFAULT_READ_TIMEOUT
    app: Handler
    log: logging.Logger
    label: str

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host's FQDN (a reverse lookup) for a name nothing
        # here uses; on loopback the address is the name.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])


class _ServerV6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    """Turns each request into an :class:`HttpRequest` for the server's handler."""

    server: _Server

    def setup(self) -> None:
        super().setup()
        # What StreamRequestHandler.setup does with its class-wide ``timeout``, per server.
        self.connection.settimeout(self.server.read_timeout)

    def _serve(self) -> None:
        response = self._respond()
        try:
            self.send_response(response.status_code, HTTPStatus(response.status_code).phrase)
        except ValueError:  # a status code http.HTTPStatus does not know
            self.send_response(response.status_code)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _respond(self) -> HttpResponse:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return _error(400, "invalid_request")
        if length > _MAX_BODY:
            return _error(413, "request_too_large")
        try:
            body = self.rfile.read(length) if length > 0 else b""
        except TimeoutError:
            return _error(408, "request_timeout")
        host = self.headers.get("Host") or f"{self.server.server_name}:{self.server.server_port}"
        target = self.path if self.path.startswith("/") else "/"
        request = HttpRequest(
            method=str(self.command).upper(),
            url=f"http://{host}{target}",
            headers={name.title(): value for name, value in self.headers.items()},
            body=body or None,
        )
        try:
            return self.server.app(request)
        except Exception:
            # A bug in a handler must reach the client as a 500 it can see; the traceback
            # belongs in the log, not in the body. The path only: a query may carry a code or
            # an access token (RFC 6750 §2.3).
            path = target.partition("?")[0]
            self.server.log.exception("%s failed on %s %s", self.server.label, self.command, path)
            return _error(500, "server_error")

    def log_message(self, format: str, *args: Any) -> None:
        # Paths only: a query may carry an authorization code, an access token or an
        # id_token_hint.
        message = _QUERY.sub("?...", format % args)
        log = getattr(self.server, "log", None) or logging.getLogger("oauthkit.loopback")
        log.debug("%s - %s", self.address_string(), message)


class LoopbackServer:
    """Serves one handler over HTTP on a loopback address, on a background thread.

    Args:
        handler: What answers each request (a :class:`~oauthkit.devserver` router, the login's
            redirect receiver).
        host: A loopback address; the server refuses to listen anywhere else.
        port: ``0`` picks a free ephemeral port.
        read_timeout: Seconds to wait for more of a request before giving up on it and freeing
            its thread; see the module docstring.
        logger: Where request lines (queries elided) and handler crashes are logged.
        label: Names the server in those log lines (``"dev provider"``).

    Raises:
        UsageError: ``host`` is not a loopback address, or ``read_timeout`` is not a positive
            finite number.
    """

    def __init__(
        self,
        handler: Handler,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        logger: logging.Logger | None = None,
        label: str = "loopback server",
    ) -> None:
        if not is_loopback_host(host):
            raise UsageError(f"a loopback server only listens on loopback, not on {host!r}")
        if not (math.isfinite(read_timeout) and read_timeout > 0):
            raise UsageError(
                f"read_timeout must be a positive number of seconds, not {read_timeout!r}"
            )
        self._read_timeout = float(read_timeout)
        self._handler = handler
        self._host = host.strip("[]")
        self._port = port
        self._log = logger or logging.getLogger("oauthkit.loopback")
        self._label = label
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the server is accepting connections."""
        return self._server is not None

    @property
    def port(self) -> int:
        """The port it listens on.

        Raises:
            UsageError: The server is not running.
        """
        if self._server is None:
            raise UsageError("the server is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://host:port``, without a trailing slash.

        Raises:
            UsageError: The server is not running.
        """
        port = self.port
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
        server_class = _ServerV6 if ":" in self._host else _Server
        server = server_class((self._host, self._port), _Handler)
        server.read_timeout = self._read_timeout
        server.app = self._handler
        server.log = self._log
        server.label = self._label
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oauthkit-loopback-{server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket; calling it again does nothing.

        Connections still open (an idle preconnect) are left to their read timeout on their
        daemon threads; stopping does not wait for them.
        """
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
