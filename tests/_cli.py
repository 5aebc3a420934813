"""Running the ``oauthkit`` command in subprocesses against a configuration of the test's own.

:class:`CliHome` writes a config file (profiles of the oidc-provider peer) and a store path
into a temporary directory, and runs ``python -m oauthkit`` with ``OAUTHKIT_CONFIG`` pointing
there; :class:`Running` follows a command that is still running (its stderr read line by line
in a thread), for the interactive logins.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from oauthkit.requests import OAuth2Session
from oauthkit.stores import SQLiteStore
from tests._drivers2 import headless_authorize
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

SRC = str(Path(__file__).resolve().parent.parent / "src")
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy")


def config_text(peer: OidcProviderPeer, store: Path) -> str:
    """Profiles of the peer: ``peer`` (public, the default), ``basic`` (confidential)."""
    return f"""default_profile = "peer"

[store]
path = "{store}"

[profiles.peer]
issuer = "{peer.issuer}"
client_id = "public-client"
scope = ["openid", "offline_access"]
redirect_port = {peer.port}
redirect_path = "/cb"

[profiles.native]
issuer = "{peer.issuer}"
client_id = "public-client"
scope = ["openid", "offline_access"]
redirect_path = "/cb"

[profiles.dpop]
issuer = "{peer.issuer}"
client_id = "dpop-client"
scope = ["openid", "offline_access"]
redirect_port = {peer.port}
redirect_path = "/cb"
dpop = true

[profiles.basic]
issuer = "{peer.issuer}"
client_id = "basic-client"
client_secret_env = "PEER_BASIC_SECRET"
scope = "openid offline_access"
redirect_port = {peer.port}
redirect_path = "/cb"
"""


class CliHome:
    """A config file and a store in ``root`` for ``peer``; runs the CLI with them."""

    def __init__(self, root: Path, peer: OidcProviderPeer, *, extra: str = "") -> None:
        self.root = root
        self.peer = peer
        self.store_path = root / "tokens.db"
        self.config = root / "config.toml"
        self.config.write_text(config_text(peer, self.store_path) + extra)
        self.env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
        self.env.pop("NO_COLOR", None)
        self.env.update(
            OAUTHKIT_CONFIG=str(self.config),
            PEER_BASIC_SECRET=client_secret("basic-client"),
            PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p),
            COLUMNS="200",
        )

    @property
    def store(self) -> SQLiteStore:
        return SQLiteStore(self.store_path)

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "oauthkit", *args]

    def run(
        self, *args: str, input: str | None = None, **env: str
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            self.argv(*args),
            env={**self.env, **env},
            input=input,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def start(self, *args: str) -> Running:
        return Running(self.argv(*args), self.env)

    def seed(self, profile: str = "peer", client_id: str = "public-client") -> dict[str, Any]:
        """Log ``profile`` in with the library (code flow + PKCE), the token saved in the store
        as ``oauthkit login`` would: the fixture of tests about what comes after a login."""
        session = OAuth2Session(
            client_id,
            redirect_uri=self.peer.url("/cb"),
            scope=["openid", "offline_access"],
            pkce="S256",
            token_store=self.store,
            token_key=f"profile:{profile}",
        )
        session.trust_env = False
        url, _ = session.authorization_url(self.peer.discovery["authorization_endpoint"])
        return session.fetch_token(
            self.peer.discovery["token_endpoint"],
            authorization_response=headless_authorize(self.peer, url),
            include_client_id=True,
        )

    def paste_login(self, *args: str) -> tuple[int, str, str]:
        """``oauthkit login ARGS --mode paste``, the browser's part played by the test."""
        login = self.start("login", *args, "--mode", "paste")
        url = login.wait_for(r"^\s*(http\S+/auth\?\S+)").group(1)
        return login.finish(input=headless_authorize(self.peer, url) + "\n")

    def expire(self, profile: str = "peer") -> str:
        """Make the stored access token expired; return it."""
        store = self.store
        record = store.load(f"profile:{profile}")
        assert record is not None
        token = dict(record.token)
        token["expires_at"] = time.time() - 30
        store.save(f"profile:{profile}", token, version=record.version)
        return str(token["access_token"])


class Running:
    """A command still running: its stderr collected line by line."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
            argv,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.out: list[str] = []
        self.pumps = [
            threading.Thread(target=self._pump, daemon=True),
            threading.Thread(target=self._collect, daemon=True),
        ]
        for pump in self.pumps:
            pump.start()

    def _pump(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.put(line)

    def _collect(self) -> None:
        assert self.process.stdout is not None
        self.out.append(self.process.stdout.read())

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        """The first stderr line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {pattern!r} on stderr:\n" + "".join(self.seen))
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match

    def finish(self, input: str | None = None, timeout: float = 90.0) -> tuple[int, str, str]:
        """Send ``input``, wait; the exit status, stdout and the rest of stderr."""
        assert self.process.stdin is not None
        if input is not None:
            self.process.stdin.write(input)
        self.process.stdin.close()
        self.process.wait(timeout=timeout)
        for pump in self.pumps:
            pump.join(timeout=10)
        for pipe in (self.process.stdout, self.process.stderr):
            if pipe is not None:
                pipe.close()
        out = "".join(self.out)
        rest = []
        while not self.lines.empty():
            rest.append(self.lines.get())
        return self.process.returncode, out, "".join(self.seen + rest)
