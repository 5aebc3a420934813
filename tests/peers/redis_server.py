"""A real ``redis-server`` (Debian's package) for the Redis store's tests: never a fake.

``scripts/test`` starts one on an ephemeral loopback port and passes its URL in
``OAUTHKIT_TEST_REDIS_URL``; without it (a developer running pytest alone), the fixture starts
its own. When there is no ``redis-server`` to run, the tests fail, naming what to install: they
are never skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator

import pytest

__all__ = ["fixture_redis_url"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _ready(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


@pytest.fixture(scope="session", name="redis_url")
def fixture_redis_url() -> Iterator[str]:
    """The URL of a running redis-server, database 0, flushed by each test that uses it."""
    given = os.environ.get("OAUTHKIT_TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("the Redis store's tests need redis-server: apt-get install redis-server")
    port = _free_port()
    with tempfile.TemporaryDirectory() as workdir:
        process = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", workdir],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        try:
            if not _ready(port, time.monotonic() + 20):
                pytest.fail(f"redis-server did not answer on port {port}")
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(10)
