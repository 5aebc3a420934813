"""A client that stalls mid-request cannot hold a dev provider thread for longer than the timeout.

The stalls are real half-sent requests on raw sockets. Every wait is a poll against a deadline,
so the module takes about one read timeout (0.5 s) plus the provider's start-up.
"""

from __future__ import annotations

import inspect
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import pytest
import requests

from oauthkit import UsageError
from oauthkit.devserver import DevProvider
from oauthkit.devserver._server import DEFAULT_READ_TIMEOUT, LoopbackServer, Router

READ_TIMEOUT = 0.5

# What each stalled client sent before falling silent, and the start of what it gets back.
STALLS = {
    "nothing at all": (b"", b""),
    "half a request line": (b"POST /oauth2/tok", b""),
    "half the headers": (b"POST /oauth2/token HTTP/1.1\r\nContent-Le", b""),
    "3 of 100 body bytes": (
        b"POST /oauth2/token HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc",
        b"HTTP/1.0 408 Request Timeout\r\n",
    ),
}


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider(read_timeout=READ_TIMEOUT) as provider:
        yield provider


def _handler_threads() -> int:
    """Live per-request threads; socketserver names them after their target."""
    return sum(t.name.endswith("(process_request_thread)") for t in threading.enumerate())


def _poll(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _read_to_eof(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes; a client-side timeout fails the test."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


def test_stalled_requests_are_dropped_and_others_served(provider: DevProvider) -> None:
    parts = urlsplit(provider.base_url)
    baseline = _handler_threads()
    sockets: dict[str, socket.socket] = {}
    sent_at: dict[str, float] = {}
    try:
        for name, (sent, _) in STALLS.items():
            # A client-side timeout well above the server's: the server must hang up first.
            sock = socket.create_connection((parts.hostname or "", parts.port or 80), timeout=3)
            sockets[name] = sock
            sock.sendall(sent)
            sent_at[name] = time.monotonic()

        # Each stalled client holds a thread of its own...
        assert _poll(lambda: _handler_threads() >= baseline + len(STALLS), 2)
        # ...while the provider goes on answering everybody else.
        reply = requests.get(provider.base_url + "/", timeout=3)
        assert reply.status_code == 200
        assert reply.json()["callback_url"] == provider.callback_url

        for name, (_, answer) in STALLS.items():
            received = _read_to_eof(sockets[name])
            waited = time.monotonic() - sent_at[name]
            assert received.startswith(answer), (name, received)
            if not answer:
                assert received == b"", name
            assert READ_TIMEOUT * 0.9 <= waited < READ_TIMEOUT + 1.5, (name, waited)
    finally:
        for sock in sockets.values():
            sock.close()

    assert _poll(lambda: _handler_threads() <= baseline, 2)
    # None of them reached a route: the one with complete headers was answered before dispatch.
    assert provider.hits("/oauth2/token") == 0


def test_the_408_says_why(provider: DevProvider) -> None:
    parts = urlsplit(provider.base_url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=3) as sock:
        sock.sendall(b"POST /oauth1/resource HTTP/1.1\r\nContent-Length: 10\r\n\r\n12345")
        head, _, body = _read_to_eof(sock).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 408 ")
    assert b"\r\nContent-Type: application/json" in head
    assert body == b'{\n  "error": "request_timeout"\n}\n'


def test_a_request_sent_slowly_but_within_the_timeout_is_served(provider: DevProvider) -> None:
    parts = urlsplit(provider.base_url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=3) as sock:
        for piece in (b"GET /callback?a=1 HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
            sock.sendall(piece)
            time.sleep(READ_TIMEOUT / 5)
        reply = _read_to_eof(sock)
    assert reply.startswith(b"HTTP/1.0 200 ")
    assert b'"a": "1"' in reply


def test_the_default_is_ten_seconds() -> None:
    assert DEFAULT_READ_TIMEOUT == 10.0
    for owner in (DevProvider, LoopbackServer):
        parameter = inspect.signature(owner).parameters["read_timeout"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY
        assert parameter.default == DEFAULT_READ_TIMEOUT


@pytest.mark.parametrize("bad", [0, -1.0, math.nan, math.inf])
def test_the_timeout_must_be_positive_and_finite(bad: float) -> None:
    with pytest.raises(UsageError, match="read_timeout"):
        LoopbackServer(Router(), read_timeout=bad)
    with pytest.raises(UsageError, match="read_timeout"):
        DevProvider(read_timeout=bad)
