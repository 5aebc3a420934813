"""Start and stop the oidc-provider interop peer (``tests/peers/oidc-provider``).

The peer is oidc-provider 9.13.3, the OpenID-certified Node.js authorization server, configured
so that every interactive step (login, consent, device confirmation, CIBA) happens without a
browser. It listens on an ephemeral loopback port (or a given one, to restart as the same
issuer) and announces itself with exactly one JSON line on stdout; this module waits for that
line and hands the parsed values to the tests.

The launcher deliberately uses only the standard library (``subprocess``, ``urllib``): it is test
infrastructure and must not depend on the HTTP clients that oauthkit's drivers wrap.

A peer that cannot start is an error, never a skip: in CI the interop tests must run.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = [
    "KNOWN_ENV",
    "PEER_DIR",
    "OidcPeerError",
    "OidcProviderPeer",
    "client_secret",
]

PEER_DIR = Path(__file__).resolve().parent / "oidc-provider"
"""The peer's directory: ``server.mjs``, the lockfile and (after ``npm ci``) ``node_modules``."""

KNOWN_ENV = frozenset(
    {
        "ACCESS_TOKEN_TTL",
        "CIBA_APPROVE_DELAY_MS",
        "DPOP_REQUIRE_NONCE",
        "ENCRYPTION_KEYS",
        "EXTRA_REDIRECT_URIS",
        "HIDE_OPENID_CONFIGURATION",
        "MTLS_SELF_SIGNED_CERT",
        "MTLS_SUBJECT_DN",
        "PAR_REQUIRED",
        "PKCE_REQUIRED",
        "REFRESH_TOKEN_TTL",
        "TEST_ACCOUNT_ID",
        "TLS_CA",
        "TLS_CERT",
        "TLS_KEY",
    }
)
"""Settings a caller may override; ``PORT``, ``HOST`` and ``KEYS_DIR`` are the launcher's own."""

_LAUNCHER_ENV = ("PORT", "HOST", "KEYS_DIR")
_SECRET_SUFFIX = "-secret-" + "0123456789abcdef" * 2
_PKJWT_EC_FILE = "pkjwt-client.private.jwk.json"
_PKJWT_RSA_FILE = "pkjwt-client-rsa.private.jwk.json"
_STDERR_TAIL_BYTES = 4000
_NPM_HINT = "run `npm ci --no-audit --no-fund` in tests/peers/oidc-provider"


class OidcPeerError(RuntimeError):
    """The peer could not be started, or it answered something unusable."""


def client_secret(client_id: str) -> str:
    """Return the secret of one of the peer's static confidential clients.

    Args:
        client_id: e.g. ``basic-client``, ``post-client`` or ``secretjwt-client``.

    Returns:
        ``<client_id>-secret-0123456789abcdef0123456789abcdef``, the pattern ``server.mjs`` uses.
    """
    return client_id + _SECRET_SUFFIX


def _no_proxy_opener(cafile: str | None = None) -> urllib.request.OpenerDirector:
    # The peer is on loopback; an HTTP(S)_PROXY inherited from CI must not capture the request.
    # A peer in TLS mode has a certificate of the test's own CA (``cafile``).
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({})]
    if cafile is not None:
        context = ssl.create_default_context(cafile=cafile)
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


class OidcProviderPeer:
    """One running oidc-provider process, usable as a context manager.

    Example::

        with OidcProviderPeer(env={"ACCESS_TOKEN_TTL": 5}) as peer:
            token_endpoint = peer.discovery["token_endpoint"]

    Args:
        env: Overrides for the peer's settings (keys of :data:`KNOWN_ENV`); values are turned
            into strings, so ``{"ACCESS_TOKEN_TTL": 5}`` works.
        keys_dir: Where the peer creates and reuses its signing keys and the ``pkjwt-client``
            private keys. Defaults to ``tests/peers/oidc-provider/keys`` (gitignored), so keys
            are generated once per checkout and startup stays fast.
        port: The loopback port to listen on; ``0`` (the default) picks an ephemeral one. A
            restarted peer given its predecessor's port (and ``keys_dir``) keeps its issuer,
            as a provider that rotates its keys does.
        startup_timeout: Seconds to wait for the ready line.
        stop_timeout: Seconds to wait after SIGTERM before killing the process.
        node: The Node.js executable; defaults to ``node`` on ``PATH``.
        peer_dir: The directory holding ``server.mjs`` and ``node_modules``.

    Raises:
        OidcPeerError: ``env`` names a setting that is unknown or reserved for the launcher.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str | int] | None = None,
        keys_dir: Path | None = None,
        port: int = 0,
        startup_timeout: float = 30.0,
        stop_timeout: float = 10.0,
        node: str | None = None,
        peer_dir: Path = PEER_DIR,
    ) -> None:
        overrides = dict(env or {})
        unknown = sorted(set(overrides) - KNOWN_ENV)
        if unknown:
            raise OidcPeerError(
                f"unknown or reserved peer settings {unknown}; allowed: {sorted(KNOWN_ENV)}"
            )
        self._env = {name: str(value) for name, value in overrides.items()}
        self._peer_dir = peer_dir
        self._keys_dir = keys_dir if keys_dir is not None else peer_dir / "keys"
        self._port = port
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._node = node
        self._proc: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._pump: threading.Thread | None = None
        self._info: dict[str, Any] | None = None
        self._discovery: dict[str, Any] | None = None

    # ------------------------------------------------------------------ lifecycle

    def __enter__(self) -> OidcProviderPeer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Start the peer and wait for its ready line.

        Raises:
            OidcPeerError: ``node`` or ``node_modules`` is missing, the process exited or
                stayed silent past ``startup_timeout``, or its ready line is not the expected
                JSON. The message carries the tail of the peer's stderr.
        """
        if self._proc is not None:
            raise OidcPeerError("this peer was already started; create a new OidcProviderPeer")
        node = self._find_node()
        if not (self._peer_dir / "node_modules" / "oidc-provider" / "package.json").is_file():
            raise OidcPeerError(f"{self._peer_dir}/node_modules is missing: {_NPM_HINT}")
        self._keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._stderr = tempfile.TemporaryFile(prefix="oidc-peer-stderr-")  # noqa: SIM115
        try:
            with self._startup_lock():
                self._proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                    [node, "server.mjs"],
                    cwd=self._peer_dir,
                    env=self._child_env(),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=self._stderr,
                )
                line = self._read_ready_line(self._proc)
            self._info = self._parse_ready_line(line)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the peer: SIGTERM, wait, then kill. Safe to call more than once."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=self._stop_timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            if self._pump is not None:
                # the process is gone, so the pump reaches end of file promptly
                self._pump.join(timeout=self._stop_timeout)
                self._pump = None
            if proc.stdout is not None:
                proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    @property
    def running(self) -> bool:
        """Whether the peer process is alive."""
        return self._proc is not None and self._proc.poll() is None

    # ------------------------------------------------------------------ what the tests use

    @property
    def info(self) -> dict[str, Any]:
        """The parsed ready line: ``issuer``, ``port``, ``pid``, ``ready_ms``, ``keys_dir``..."""
        if self._info is None:
            raise OidcPeerError("the peer is not started")
        return self._info

    @property
    def issuer(self) -> str:
        """The issuer URL, e.g. ``http://127.0.0.1:42705`` (no trailing slash; ``https`` in TLS
        mode, with ``TLS_CERT`` and ``TLS_KEY``)."""
        return str(self.info["issuer"])

    @property
    def port(self) -> int:
        """The port the peer listens on (ephemeral unless ``port=`` was given)."""
        return int(self.info["port"])

    def url(self, path: str) -> str:
        """Return ``issuer + path``; ``path`` starts with ``/``, e.g. ``/cb``."""
        return self.issuer + path

    @property
    def discovery(self) -> dict[str, Any]:
        """The OpenID Provider metadata, fetched once from ``/.well-known/openid-configuration``.

        Raises:
            OidcPeerError: the document is not a JSON object.
        """
        if self._discovery is None:
            url = self.url("/.well-known/openid-configuration")
            opener = _no_proxy_opener(self._env.get("TLS_CA"))
            with opener.open(url, timeout=10) as response:
                document = json.loads(response.read())
            if not isinstance(document, dict):
                raise OidcPeerError(f"{url} did not return a JSON object")
            self._discovery = document
        return self._discovery

    @staticmethod
    def client_secret(client_id: str) -> str:
        """Return the static secret of ``client_id`` (see :func:`client_secret`)."""
        return client_secret(client_id)

    @property
    def keys_dir(self) -> Path:
        """The directory holding the peer's keys (reused across runs)."""
        return self._keys_dir

    @property
    def pkjwt_ec_key_path(self) -> Path:
        """The ES256 private JWK of ``pkjwt-client`` (``kid`` ``pkjwt-es256``)."""
        return self._keys_dir / _PKJWT_EC_FILE

    @property
    def pkjwt_rsa_key_path(self) -> Path:
        """The RS256 private JWK of ``pkjwt-client`` (``kid`` ``pkjwt-rs256``)."""
        return self._keys_dir / _PKJWT_RSA_FILE

    def stderr_tail(self, limit: int = _STDERR_TAIL_BYTES) -> str:
        """Return the last ``limit`` bytes the peer wrote to stderr, for failure messages."""
        if self._stderr is None:
            return ""
        self._stderr.flush()
        size = self._stderr.seek(0, os.SEEK_END)
        self._stderr.seek(max(0, size - limit))
        tail = self._stderr.read().decode("utf-8", "replace")
        self._stderr.seek(0, os.SEEK_END)
        return tail

    def __repr__(self) -> str:
        state = self.issuer if self._info is not None and self.running else "stopped"
        return f"<OidcProviderPeer {state}>"

    # ------------------------------------------------------------------ internals

    def _find_node(self) -> str:
        node = shutil.which(self._node or "node")
        if node is None:
            raise OidcPeerError(
                f"Node.js executable {self._node or 'node'!r} not found; install Node.js 20+ "
                f"and {_NPM_HINT}"
            )
        return node

    def _child_env(self) -> dict[str, str]:
        env = {
            name: value
            for name, value in os.environ.items()
            # a setting left in the developer's shell must not change what the tests see
            if name not in KNOWN_ENV and name not in _LAUNCHER_ENV
        }
        env.update(self._env)
        env.update(PORT=str(self._port), HOST="127.0.0.1", KEYS_DIR=str(self._keys_dir))
        return env

    @contextlib.contextmanager
    def _startup_lock(self) -> Iterator[None]:
        # Two peers starting at once on a fresh checkout would both generate keys and one could
        # read the other's half-written file; serialise startups (about half a second each).
        if sys.platform == "win32":
            yield
            return
        import fcntl

        with open(self._keys_dir / ".startup.lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read_ready_line(self, proc: subprocess.Popen[bytes]) -> bytes:
        assert proc.stdout is not None
        stdout = proc.stdout
        lines: queue.Queue[bytes] = queue.Queue()

        def pump() -> None:
            # The first line is the ready line; anything after it is drained so that a chatty
            # peer can never block on a full pipe.
            with contextlib.suppress(OSError, ValueError):
                lines.put(stdout.readline())
                while stdout.read(65536):
                    pass

        self._pump = threading.Thread(target=pump, name="oidc-peer-stdout", daemon=True)
        self._pump.start()
        try:
            line = lines.get(timeout=self._startup_timeout)
        except queue.Empty:
            raise self._failure(f"no ready line within {self._startup_timeout:g} s") from None
        if not line:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=self._stop_timeout)
            raise self._failure(f"the peer exited (status {proc.returncode}) before it was ready")
        return line

    def _parse_ready_line(self, line: bytes) -> dict[str, Any]:
        try:
            info = json.loads(line)
        except ValueError:
            info = None
        if not (
            isinstance(info, dict)
            and isinstance(info.get("issuer"), str)
            and isinstance(info.get("port"), int)
            and info["issuer"] == f"{self._scheme}://127.0.0.1:{info['port']}"
            and self._port in (0, info["port"])
        ):
            raise self._failure(f"unexpected ready line {line[:300]!r}")
        return info

    @property
    def _scheme(self) -> str:
        return "https" if "TLS_CERT" in self._env and "TLS_KEY" in self._env else "http"

    def _failure(self, what: str) -> OidcPeerError:
        return OidcPeerError(
            f"oidc-provider peer in {self._peer_dir}: {what}.\n"
            f"If its dependencies are missing or stale, {_NPM_HINT}.\n"
            f"--- peer stderr (tail) ---\n{self.stderr_tail()}"
        )
