"""The interactive commands in a real terminal: ``tmux`` runs them in a 120x40 pane and the
test reads the screen (issue #12): the device login shows the code, the URL, a QR code and a
spinner, then the login; ``discover`` draws its table with box characters.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._cli import CliHome
from tests._drivers2 import approve_device
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

TMUX = shutil.which("tmux") or "/usr/bin/tmux"


class Terminal:
    """One tmux server of the test's own (its socket in ``root``), one 120x40 window."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.socket = str(root / "tmux.sock")
        self.env = {**env, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        self._tmux("new-session", "-d", "-x", "120", "-y", "40", "bash --norc --noprofile")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - a fixed tmux invocation
            [TMUX, "-S", self.socket, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    def type(self, line: str) -> None:
        self._tmux("send-keys", "-l", line)
        self._tmux("send-keys", "Enter")

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-S", "-")  # with the scrollback

    def wait_for(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            match = re.search(pattern, screen)
            if match:
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} never appeared; the screen:\n{screen}")
            time.sleep(0.2)

    def close(self) -> None:
        subprocess.run(  # noqa: S603 - a fixed tmux invocation
            [TMUX, "-S", self.socket, "kill-server"], env=self.env, check=False, timeout=30
        )


@pytest.fixture
def terminal(oidc_peer: OidcProviderPeer, tmp_path: Path) -> Iterator[tuple[CliHome, Terminal]]:
    home = CliHome(tmp_path, oidc_peer)
    del home.env["COLUMNS"]  # the terminal's own width
    term = Terminal(tmp_path, home.env)
    try:
        yield home, term
    finally:
        term.close()


def _command(*args: str) -> str:
    return shlex.join([sys.executable, "-m", "oauthkit", *args])


def test_device_login_screen(terminal: tuple[CliHome, Terminal]) -> None:
    home, term = terminal
    term.type(_command("login", "--mode", "device"))
    code = term.wait_for(r"enter the code\s+([A-Z]{4}-[A-Z]{4})").group(1)
    screen = term.wait_for(r"Waiting for approval").string
    assert home.peer.url("/device") in screen
    assert f"user_code={code}" in screen
    qr_rows = [line for line in screen.splitlines() if re.fullmatch(r"[█▀▄ ]{20,}", line)]
    assert len(qr_rows) >= 10, screen  # the QR code, drawn with half blocks
    approve_device(home.peer, code)
    done = term.wait_for(r"Logged in to peer, expires in \d+ min").string
    assert "Waiting for approval" not in done.split("Logged in")[-1]
    term.type(_command("token"))
    record = home.store.load("profile:peer")
    assert record is not None
    term.wait_for(re.escape(record.token["access_token"]))


def test_discover_table_on_a_terminal(terminal: tuple[CliHome, Terminal]) -> None:
    home, term = terminal
    term.type(_command("discover", home.peer.issuer))
    screen = term.wait_for(r"└─+┴─+┘").string
    assert "┏" in screen
    assert re.search(r"┃ member\s+┃ value", screen)
    assert re.search(
        r"│ token_endpoint\s+│ " + re.escape(home.peer.discovery["token_endpoint"]), screen
    )


def test_json_is_highlighted_on_a_terminal_and_plain_when_piped(
    terminal: tuple[CliHome, Terminal],
) -> None:
    home, term = terminal
    home.seed()
    userinfo = home.peer.discovery["userinfo_endpoint"]
    term.type(_command("request", "GET", userinfo))
    term.wait_for(r'"sub": "test-user"')  # pretty-printed on a terminal
    term.type(_command("request", "GET", userinfo) + " | cat")
    term.wait_for(r'\{"sub":"test-user"\}')  # the raw body when piped
