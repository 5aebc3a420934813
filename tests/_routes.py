"""A loopback HTTP server whose paths answer as each test scripts them, and that keeps every hit.

The hardening tests use it as the token endpoint, the resource server and "another origin" at
once: a handler gets the request as it arrived and returns the status, headers and body to send.
It holds no OAuth logic of its own.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Answer", "Hit", "Routes", "answer_json", "serve"]

Answer = tuple[int, dict[str, str], bytes]


@dataclass(frozen=True)
class Hit:
    """One request as the server received it (header names lower-cased)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))

    def everything(self) -> str:
        """Path, query, headers and body as one string, for "does X appear anywhere" checks."""
        return f"{self.path}?{self.query}\n{self.headers}\n{self.body.decode('utf-8', 'replace')}"


def answer_json(payload: object, status: int = 200, **headers: str) -> Answer:
    body = json.dumps(payload).encode()
    return status, {"Content-Type": "application/json", **headers}, body


@dataclass
class Routes:
    """The server's address, its handlers by path, and every hit in order."""

    base_url: str
    handlers: dict[str, Callable[[Hit], Answer]]
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def to(self, path: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == path]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    routes: Routes

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        hit = Hit(
            self.command,
            parts.path,
            dict(parse_qsl(parts.query, keep_blank_values=True)),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        self.routes.hits.append(hit)
        handler = self.routes.handlers.get(parts.path)
        status, headers, payload = handler(hit) if handler else (404, {}, b"")
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        try:
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client under test hung up first (a timeout test, say): nothing to say

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@contextmanager
def serve(handlers: dict[str, Callable[[Hit], Answer]] | None = None) -> Iterator[Routes]:
    """Serve ``handlers`` on 127.0.0.1 at an ephemeral port until the block ends."""
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    routes = Routes(f"http://127.0.0.1:{server.server_address[1]}", dict(handlers or {}))
    handler.routes = routes
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield routes
    finally:
        server.shutdown()
        server.server_close()
