"""A loopback OAuth 2 token endpoint and resource that count what they receive.

It rotates refresh tokens and, like strict providers (oidc-provider included), treats reuse of
a rotated refresh token as an attack: the whole grant is revoked. So a client that refreshes
twice for one expiry loses its session here, exactly as it would in production.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


@dataclass
class TokenServer:
    base_url: str
    delay: float = 0.05
    token_requests: list[dict[str, str]] = field(default_factory=list)
    token_headers: list[dict[str, str]] = field(default_factory=list)
    resource_hits: int = 0
    valid_access: set[str] = field(default_factory=set)
    refresh_token: str = ""
    revoked: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def token_url(self) -> str:
        return self.base_url + "/token"

    @property
    def resource_url(self) -> str:
        return self.base_url + "/resource"

    def issue(self) -> dict[str, object]:
        """A token dict the client starts with (already expired by its own clock if wanted)."""
        with self.lock:
            access = secrets.token_urlsafe(12)
            self.refresh_token = secrets.token_urlsafe(12)
            self.valid_access = {access}
            return {
                "access_token": access,
                "token_type": "Bearer",
                "refresh_token": self.refresh_token,
                "expires_at": time.time() - 10,
            }

    def invalidate_access(self) -> None:
        with self.lock:
            self.valid_access.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_state: TokenServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _reply(self, status: int, payload: object, headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        state = self.server_state
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode()))
        if self.path.startswith("/resource"):
            self._resource()
            return
        time.sleep(state.delay)  # widen the race window, as a real network would
        with state.lock:
            state.token_requests.append(form)
            state.token_headers.append(dict(self.headers.items()))
            grant = form.get("grant_type")
            if grant == "refresh_token":
                if state.revoked or form.get("refresh_token") != state.refresh_token:
                    state.revoked = True  # reuse of a rotated token revokes the grant
                    self._reply(400, {"error": "invalid_grant"})
                    return
            elif grant != "client_credentials":
                self._reply(400, {"error": "unsupported_grant_type"})
                return
            access = secrets.token_urlsafe(12)
            state.valid_access = {access}
            payload: dict[str, object] = {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
            }
            if grant == "refresh_token":
                state.refresh_token = secrets.token_urlsafe(12)
                payload["refresh_token"] = state.refresh_token
        self._reply(200, payload)

    def do_GET(self) -> None:
        self._resource()

    def _resource(self) -> None:
        state = self.server_state
        auth = self.headers.get("Authorization", "")
        with state.lock:
            state.resource_hits += 1
            ok = auth.startswith("Bearer ") and auth[7:] in state.valid_access
        if ok:
            self._reply(200, {"ok": True, "path": self.path})
        else:
            self._reply(
                401,
                {"error": "invalid_token"},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )


@contextmanager
def token_server(delay: float = 0.05) -> Iterator[TokenServer]:
    """Serve a counting token endpoint and resource on 127.0.0.1."""
    handler = type("Handler", (_Handler,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    state = TokenServer(f"http://127.0.0.1:{server.server_address[1]}", delay=delay)
    handler.server_state = state
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
