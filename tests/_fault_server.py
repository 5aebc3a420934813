"""A scriptable loopback token endpoint: each token request gets the next fault of a script.

The server listens on an ephemeral port of 127.0.0.1. A test queues faults with
:meth:`FaultServer.play`; every request to ``/token`` takes the next one: a token (:func:`ok`),
silence (:func:`hang`), a closed connection (:func:`close`), a TCP reset (:func:`reset`), a
body shorter than its ``Content-Length`` (:func:`truncated`), an error status
(:func:`status`), a redirect (:func:`redirect`), an HTML page (:func:`html`), an oversized
body (:func:`huge`) or a body that is not JSON (:func:`not_json`). A token request that finds
the script empty is answered ``500`` and still counted, so a test that expects fewer requests
sees the extra one.

``/resource`` stands for a protected resource: ``200`` for an access token the server issued
(or was told to accept), ``401`` with ``error="invalid_token"`` otherwise.

Every request is recorded as the server read it, whatever its path, so a second server with an
empty script serves as "another origin" that must never be contacted. Stopping the server
releases hung handlers and closes every connection at once; no test waits on a clock.
"""

from __future__ import annotations

import contextlib
import json
import socket
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "Fault",
    "FaultServer",
    "Received",
    "close",
    "fault_server",
    "hang",
    "html",
    "huge",
    "not_json",
    "ok",
    "redirect",
    "reset",
    "status",
    "truncated",
]


@dataclass(frozen=True)
class Received:
    """One request as the server read it (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body read as a form."""
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))


class Fault:
    """How the server answers one token request."""

    def serve(self, handler: _Handler, request: Received) -> None:
        raise NotImplementedError


Body = bytes | Callable[[Received], bytes]


@dataclass(frozen=True)
class _Reply(Fault):
    code: int
    body: Body = b""
    content_type: str | None = "application/json"
    headers: tuple[tuple[str, str], ...] = ()

    def serve(self, handler: _Handler, request: Received) -> None:
        body = self.body(request) if callable(self.body) else self.body
        handler.send_response(self.code)
        if self.content_type is not None:
            handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in self.headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)


@dataclass(frozen=True)
class _Token(Fault):
    token: Mapping[str, Any]

    def serve(self, handler: _Handler, request: Received) -> None:
        state = handler.state
        with state.lock:
            state.valid_access.add(str(self.token["access_token"]))
        _Reply(200, json.dumps(dict(self.token)).encode()).serve(handler, request)


@dataclass(frozen=True)
class _Hang(Fault):
    seconds: float

    def serve(self, handler: _Handler, request: Received) -> None:
        # The request has been read; answer nothing until released (or the server stops), or,
        # as a last resort, ``seconds`` pass, so a client that never times out fails instead of
        # hanging the suite. Then close the connection without a byte of answer.
        handler.state.hanging.set()
        handler.state.released.wait(self.seconds)
        handler.close_connection = True


@dataclass(frozen=True)
class _Close(Fault):
    def serve(self, handler: _Handler, request: Received) -> None:
        handler.close_connection = True  # FIN, without a byte of answer


@dataclass(frozen=True)
class _Reset(Fault):
    def serve(self, handler: _Handler, request: Received) -> None:
        # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
        sock = handler.connection
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.close_connection = True
        handler.rfile.close()  # the file holds a reference; without it close() would wait
        sock.close()


@dataclass(frozen=True)
class _Truncated(Fault):
    body: bytes
    declared: int

    def serve(self, handler: _Handler, request: Received) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(self.declared))
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.wfile.write(self.body)
        handler.close_connection = True  # then FIN, with the body short of what was declared


@dataclass(frozen=True)
class _Drip(Fault):
    every: float
    declared: int | None

    def serve(self, handler: _Handler, request: Received) -> None:
        # Headers at once, then one byte of a token response at a time: each read the client
        # makes succeeds within its timeout, so only a deadline on the whole body ends it.
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        if self.declared is None:
            handler.send_header("Transfer-Encoding", "chunked")
        else:
            handler.send_header("Content-Length", str(self.declared))
        handler.end_headers()
        state = handler.state
        sent = 0
        with contextlib.suppress(OSError):  # the client gave up and closed the connection
            while not state.released.is_set() and (self.declared is None or sent < self.declared):
                byte = b'{"access_token": "drip'[sent % 22 : sent % 22 + 1] or b" "
                handler.wfile.write(b"1\r\n" + byte + b"\r\n" if self.declared is None else byte)
                handler.wfile.flush()
                sent += 1
                state.released.wait(self.every)
        handler.close_connection = True


def ok(token: Mapping[str, Any]) -> Fault:
    """Answer ``200`` with ``token`` as JSON; its access token is then valid at ``/resource``."""
    return _Token(token)


def hang(seconds: float = 20.0) -> Fault:
    """Read the request, then answer nothing until released (at most ``seconds``), then close.

    :attr:`FaultServer.hanging` is set once the request is read; :meth:`FaultServer.release`
    and stopping the server end the silence.
    """
    return _Hang(seconds)


def drip(every: float = 0.05, declared: int | None = 4096) -> Fault:
    """Answer ``200`` at once, then send the body one byte each ``every`` seconds, until
    ``declared`` bytes are out (``None``: a chunked body that never ends) or the server is
    released."""
    return _Drip(every, declared)


def close() -> Fault:
    """Read the request, then close the connection (FIN) without a byte of answer."""
    return _Close()


def reset() -> Fault:
    """Read the request, then reset the connection (TCP RST) without a byte of answer."""
    return _Reset()


def truncated(body: bytes, declared_length: int) -> Fault:
    """Send ``body`` under a ``Content-Length`` of ``declared_length``, then close."""
    return _Truncated(body, declared_length)


def status(
    code: int,
    body: Body = b"",
    headers: Mapping[str, str] | None = None,
    content_type: str | None = "application/json",
) -> Fault:
    """Answer ``code`` with ``body`` (bytes, or made from the request) and ``headers``."""
    return _Reply(code, body, content_type, tuple((headers or {}).items()))


def redirect(code: int, location: str) -> Fault:
    """Answer a redirect (``301``/``302``/``303``/``307``/``308``) to ``location``."""
    return _Reply(code, b"", None, (("Location", location),))


def _echo_page(request: Received) -> bytes:
    # What some proxies and debug pages do: show the request they could not forward, body
    # first here so that it falls within an error's excerpt.
    shown = "\n".join(f"{name}: {value}" for name, value in request.headers.items())
    raw = request.body.decode("utf-8", "replace")
    return (
        f"<html><body><pre>{raw}\n\n{request.method} {request.path}\n{shown}</pre></body></html>"
    ).encode()


def html(code: int, *, echo: bool = False) -> Fault:
    """Answer ``code`` with a ``text/html`` page; ``echo`` shows the request in it."""
    page: Body = (
        _echo_page
        if echo
        else b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
        b"<body><form action='/login'><input name='user'></form></body></html>"
    )
    return _Reply(code, page, "text/html; charset=utf-8")


def huge(nbytes: int, kind: str = "garbage") -> Fault:
    """Answer with ``nbytes`` of body, made when served (a script holds no megabytes).

    ``kind``: ``garbage`` (one run of letters, no separators, status ``200``), ``json`` (a JSON
    object whose ``access_token`` string never ends, ``200``) or ``html`` (an error page,
    ``502``).
    """
    if kind == "garbage":
        return _Reply(200, lambda _: b"x" * nbytes, "application/json")
    if kind == "json":
        head = b'{"token_type": "Bearer", "access_token": "'
        return _Reply(200, lambda _: head + b"A" * (nbytes - len(head)), "application/json")
    if kind == "html":
        line = b"<p>upstream timed out</p>\n"
        return _Reply(502, lambda _: line * (nbytes // len(line)), "text/html")
    raise ValueError(f"unknown kind {kind!r}")


def not_json(content_type: str = "application/json") -> Fault:
    """Answer ``200`` with a body that is neither JSON nor a form, labelled ``content_type``."""
    return _Reply(200, b"Service temporarily unavailable; try again later.", content_type)


@dataclass
class FaultServer:
    """The state of one scripted server; the handler threads share it under ``lock``.

    Attributes:
        base_url: ``http://127.0.0.1:<port>``.
        script: Faults still to play, one per token request.
        received: Every request, whatever its path, in arrival order.
        valid_access: Access tokens ``/resource`` accepts.
        hanging: Set when a handler starts hanging.
        released: Set by :meth:`release` or when the server stops; ends every hang.
    """

    base_url: str
    script: deque[Fault] = field(default_factory=deque)
    received: list[Received] = field(default_factory=list)
    valid_access: set[str] = field(default_factory=set)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    hanging: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    connections: set[socket.socket] = field(default_factory=set)

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def resource_url(self) -> str:
        return self.base_url + "/resource"

    def release(self) -> None:
        """End every hang: hung handlers close their connections without answering."""
        self.released.set()

    def play(self, *faults: Fault) -> None:
        """Queue ``faults`` for the next token requests, in order."""
        with self.lock:
            self.script.extend(faults)

    def accept(self, access_token: str) -> None:
        """Make ``/resource`` accept ``access_token``."""
        with self.lock:
            self.valid_access.add(access_token)

    @property
    def token_requests(self) -> list[Received]:
        """The requests received at ``/token``."""
        with self.lock:
            return [r for r in self.received if r.path.partition("?")[0] == "/token"]

    @property
    def resource_requests(self) -> list[Received]:
        """The requests received at ``/resource``."""
        with self.lock:
            return [r for r in self.received if r.path.partition("?")[0] == "/resource"]

    def next_fault(self) -> Fault:
        with self.lock:
            if self.script:
                return self.script.popleft()
        return _Reply(500, b"fault script exhausted", "text/plain")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state: FaultServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        with self.state.lock:
            self.state.connections.add(self.connection)

    def finish(self) -> None:
        with self.state.lock:
            self.state.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the connection was reset on purpose
            super().finish()

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Received(
            self.command,
            self.path,
            {name.lower(): value for name, value in self.headers.items()},
            body,
        )
        state = self.state
        with state.lock:
            state.received.append(request)
        path = self.path.partition("?")[0]
        if path == "/token":
            state.next_fault().serve(self, request)
        elif path == "/resource":
            self._resource(request)
        else:
            _Reply(404, b'{"error": "not_found"}').serve(self, request)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

    def _resource(self, request: Received) -> None:
        auth = request.headers.get("authorization", "")
        with self.state.lock:
            valid = auth.startswith("Bearer ") and auth[7:] in self.state.valid_access
        if valid:
            _Reply(200, b'{"ok": true}').serve(self, request)
        else:
            challenge = (("WWW-Authenticate", 'Bearer error="invalid_token"'),)
            _Reply(401, b"", None, challenge).serve(self, request)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = True  # server_close() joins the handler threads
    state: FaultServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)) or error is None:
            return  # a client that went away (it timed out, or the fault reset it)
        with self.state.lock:
            self.state.errors.append(error)


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """Serve a scripted token endpoint and a resource on 127.0.0.1 until the block ends.

    On the way out, hung handlers are released, open connections are shut down and every
    handler thread is joined; an error raised in a handler fails the block.
    """
    handler = type("Handler", (_Handler,), {})
    server = _Server(("127.0.0.1", 0), handler)
    state = FaultServer(f"http://127.0.0.1:{server.server_address[1]}")
    handler.state = state
    server.state = state
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.002}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        state.release()
        server.shutdown()
        with state.lock:
            open_connections = list(state.connections)
        for sock in open_connections:
            with contextlib.suppress(OSError):  # wakes a handler waiting on a kept-alive one
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        thread.join()
    assert not state.errors, state.errors
