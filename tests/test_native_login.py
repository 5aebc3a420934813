"""Native-app login (RFC 8252) against oidc-provider, with a real headless Chromium.

The peer's ``public-client`` is a native client that accepts loopback redirect URIs on any port
(RFC 8252 §7.3), and the peer signs the user in and consents on its own, so a browser sent to
the authorization URL follows the redirects back to the login's loopback receiver by itself.

* Chromium (Debian's ``chromium``, run headless) is that browser in the first test, on each
  driver; it also asks for ``/favicon.ico`` and may preconnect, as browsers do.
* A scripted browser on raw sockets then does, explicitly, what browsers do besides the
  redirect: an idle preconnect held open for the whole login, a favicon request, a wrong path,
  a reload of the callback, a callback with another ``state``, an ``error=access_denied``.
* The fallbacks: the device flow approved mid-polling through the peer's test hook, and the
  pasted redirect URL, each chosen automatically when no browser can be opened.

Chromium and the peer are required: a missing one fails these tests, it never skips them.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

import oauthkit
from oauthkit.native import LoginResult, LoginTimeoutError, alogin, login
from oauthkit.stores import MemoryStore
from tests._drivers2 import DRIVERS, Driver, approve_device, open_session
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

CLIENT = "public-client"  # native, public, PKCE required, loopback redirect on any port
PATH = "/cb"  # its registered loopback redirect URI is http://127.0.0.1/cb
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def _login(s: Driver, **kw: Any) -> LoginResult:
    """``login`` on the blocking drivers, ``alogin`` on the async one (on its event loop)."""
    if s.name == "httpx-async":

        async def run() -> LoginResult:
            return await alogin(s.s, **kw)

        result: LoginResult = s.portal.call(run)
        return result
    return login(s.s, **kw)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Callable[[str], bool]]:
    """A browser opener that launches headless Chromium on the URL; every one is stopped after."""
    binary = shutil.which("chromium")
    if binary is None:
        pytest.fail("chromium is required for the native login tests: apt-get install chromium")
    launched: list[subprocess.Popen[bytes]] = []

    def open_url(url: str) -> bool:
        profile = tmp_path / f"chromium-{len(launched)}"
        launched.append(
            subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        return True

    yield open_url
    for process in launched:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _session(driver: str, peer: OidcProviderPeer, **kw: Any) -> Any:
    kw.setdefault("scope", ["openid"])
    return open_session(driver, client_id=CLIENT, issuer=peer.issuer, **kw)


def _token_requests(s: Driver, peer: OidcProviderPeer) -> list[Any]:
    return s.recording.to(peer.discovery["token_endpoint"])


@pytest.mark.parametrize("driver", DRIVERS)
def test_chromium_signs_in_through_the_loopback_redirect(
    oidc_peer: OidcProviderPeer, driver: str, chromium: Callable[[str], bool]
) -> None:
    store = MemoryStore()
    with _session(driver, oidc_peer, token_store=store, token_key="me") as s:
        result = _login(s, mode="loopback", open_browser=chromium, redirect_path=PATH, timeout=60)
        assert result.mode == "loopback"
        assert result.redirect_uri is not None
        redirect = urlsplit(result.redirect_uri)
        assert (redirect.scheme, redirect.hostname, redirect.path) == ("http", "127.0.0.1", PATH)
        assert redirect.port  # an ephemeral port, taken when the login started
        assert result.token["access_token"] == s.token["access_token"]
        assert s.id_token_claims.subject == "test-user"  # OIDC: nonce and ID token checked
        (sent,) = _token_requests(s, oidc_peer)  # one exchange, whatever Chromium re-requested
        assert sent.form["grant_type"] == "authorization_code"
        assert sent.form["redirect_uri"] == result.redirect_uri
        assert len(sent.form["code_verifier"]) >= 43  # PKCE (RFC 8252 §8.1)
        stored = store.load("me")
        assert stored is not None
        assert stored.token["access_token"] == result.token["access_token"]
        assert result.token["access_token"] not in repr(result)


# -- a scripted browser on raw sockets ------------------------------------------------------


def _send(port: int, target: str) -> socket.socket:
    """Send one HTTP/1.1 GET on a fresh connection, without waiting for the answer."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    )
    return sock


def _read(sock: socket.socket) -> tuple[int, str]:
    """The status and body of the answer on ``sock``, which is then closed."""
    with sock:
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8")


def _get(port: int, target: str) -> tuple[int, str]:
    return _read(_send(port, target))


def _redirect_to_loopback(url: str) -> str:
    """Go through the peer's automatic login and consent; the redirect to loopback, not taken."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        for _ in range(20):
            response = http.get(url)
            assert response.is_redirect, response.text
            url = urljoin(url, response.headers["location"])
            if urlsplit(url).hostname == "127.0.0.1" and urlsplit(url).path == PATH:
                return url
    raise AssertionError("the peer never redirected to the loopback receiver")


class ScriptedBrowser:
    """An opener that plays a browser on another thread: ``script(port, url)`` does the work."""

    def __init__(self, script: Callable[[int, str], None]) -> None:
        self.script = script
        self.thread: threading.Thread | None = None
        self.failure: BaseException | None = None

    def __call__(self, url: str) -> bool:
        query = parse_qs(urlsplit(url).query)
        port = urlsplit(query["redirect_uri"][0]).port
        assert port is not None

        def run() -> None:
            try:
                self.script(port, url)
            except BaseException as exc:  # reported by join()
                self.failure = exc

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        return True

    def join(self) -> None:
        assert self.thread is not None
        self.thread.join(60)
        if self.failure is not None:
            raise self.failure


@pytest.mark.parametrize("driver", DRIVERS)
def test_what_browsers_send_besides_the_redirect(oidc_peer: OidcProviderPeer, driver: str) -> None:
    seen: dict[str, tuple[int, str]] = {}
    preconnects: list[socket.socket] = []

    def browse(port: int, url: str) -> None:
        # a preconnect: connected, silent, held open until the login is over
        preconnects.append(socket.create_connection(("127.0.0.1", port), timeout=30))
        seen["favicon"] = _get(port, "/favicon.ico")
        seen["elsewhere"] = _get(port, "/cb/../admin?code=x")
        callback = _redirect_to_loopback(url)
        target = callback[callback.index(PATH) :]
        # a reload before the first answer came: both wait for the one exchange's outcome
        # (a reload after the login returned finds the server gone; test_native_receiver.py
        # covers a reload while the receiver still runs)
        first, reload = _send(port, target), _send(port, target)
        seen["callback"], seen["reload"] = _read(first), _read(reload)

    browser = ScriptedBrowser(browse)
    try:
        with _session(driver, oidc_peer) as s:
            result = _login(s, mode="loopback", open_browser=browser, redirect_path=PATH)
            browser.join()
            assert result.mode == "loopback"
            assert len(_token_requests(s, oidc_peer)) == 1  # the reload exchanged nothing
    finally:
        for sock in preconnects:
            sock.close()
    assert seen["favicon"][0] == 404
    assert seen["elsewhere"][0] == 404
    assert seen["callback"][0] == 200
    assert "You can close this tab" in seen["callback"][1]
    assert seen["reload"] == seen["callback"]


@pytest.mark.parametrize(
    ("tamper", "error"),
    [
        (lambda q, state: q.replace(f"state={state}", "state=forged"), oauthkit.StateMismatchError),
        (lambda q, state: f"error=access_denied&state={state}", oauthkit.AuthorizationError),
    ],
    ids=["wrong-state", "access-denied"],
)
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_refused_or_forged_callback_ends_the_login_with_an_error_page(
    oidc_peer: OidcProviderPeer,
    driver: str,
    tamper: Callable[[str, str], str],
    error: type[oauthkit.OAuthError],
) -> None:
    pages: list[tuple[int, str]] = []

    def browse(port: int, url: str) -> None:
        state = parse_qs(urlsplit(url).query)["state"][0]
        callback = urlsplit(_redirect_to_loopback(url))
        pages.append(_get(port, f"{PATH}?{tamper(callback.query, state)}"))

    browser = ScriptedBrowser(browse)
    with _session(driver, oidc_peer) as s:
        with pytest.raises(error) as caught:
            _login(s, mode="loopback", open_browser=browser, redirect_path=PATH)
        browser.join()
        assert _token_requests(s, oidc_peer) == []  # nothing was exchanged
    if isinstance(caught.value, oauthkit.AuthorizationError):
        assert caught.value.error == "access_denied"
    [(status, body)] = pages
    assert status == 400
    assert "Sign-in failed" in body
    assert ("access_denied" if error is oauthkit.AuthorizationError else "state") in body


def test_a_user_who_never_comes_back_times_out(oidc_peer: OidcProviderPeer) -> None:
    with _session("requests", oidc_peer) as s, pytest.raises(LoginTimeoutError) as caught:
        login(s.s, mode="loopback", open_browser=lambda url: True, timeout=0.2)
    assert isinstance(caught.value, TimeoutError)
    assert isinstance(caught.value, oauthkit.OAuthError)


# -- fallbacks ------------------------------------------------------------------------------


@pytest.mark.parametrize("driver", DRIVERS)
def test_over_ssh_the_device_flow_is_used_and_approved_mid_polling(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    shown: list[oauthkit.DeviceAuthorization] = []
    naps: list[float] = []

    def nap(seconds: float) -> None:  # no real waiting: the user approves during nap two
        naps.append(seconds)
        if len(naps) == 2:
            approve_device(oidc_peer, shown[0].user_code)

    async def async_nap(seconds: float) -> None:
        nap(seconds)

    with _session(driver, oidc_peer) as s:
        result = _login(
            s,
            environ={"SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22", "DISPLAY": ":0"},
            on_device_code=shown.append,
            sleep=async_nap if driver == "httpx-async" else nap,
        )
        assert result.mode == "device"
        assert result.redirect_uri is None
        assert len(naps) == 2
        assert shown[0].verification_uri_complete  # what a CLI draws as a QR code
        assert s.token["access_token"] == result.token["access_token"]
        assert s.id_token_claims.subject == "test-user"


@pytest.mark.parametrize("driver", DRIVERS)
def test_without_a_device_endpoint_the_redirect_url_is_pasted(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    shown: list[str] = []
    prompts: list[str] = []

    def paste(prompt: str) -> str:
        prompts.append(prompt)
        (url,) = [word for line in shown for word in line.split() if word.startswith("http")]
        return "  " + _redirect_to_loopback(url) + "\n"

    discovery = oidc_peer.discovery
    with open_session(driver, client_id=CLIENT, scope=["openid"]) as s:  # no issuer
        result = _login(
            s,
            browser=False,
            authorization_endpoint=discovery["authorization_endpoint"],
            token_endpoint=discovery["token_endpoint"],
            redirect_path=PATH,
            read_input=paste,
            show=shown.append,
        )
    assert result.mode == "paste"
    assert len(prompts) == 1
    assert result.token["access_token"]


def test_browser_false_takes_the_device_flow_when_the_server_has_one(
    oidc_peer: OidcProviderPeer,
) -> None:
    opened: list[str] = []

    with _session("requests", oidc_peer) as s:
        result = login(
            s.s,
            browser=False,
            open_browser=opened.append,
            on_device_code=lambda grant: approve_device(oidc_peer, grant.user_code),
            sleep=lambda seconds: None,
        )
    assert result.mode == "device"
    assert opened == []


def test_an_opener_that_fails_falls_back_to_the_device_flow(oidc_peer: OidcProviderPeer) -> None:
    opened: list[str] = []
    shown: list[oauthkit.DeviceAuthorization] = []

    def approve(authorization: oauthkit.DeviceAuthorization) -> None:
        shown.append(authorization)
        approve_device(oidc_peer, authorization.user_code)

    with _session("requests", oidc_peer) as s:
        result = login(
            s.s,
            open_browser=lambda url: opened.append(url) or False,
            on_device_code=approve,
            sleep=lambda seconds: None,
        )
    assert result.mode == "device"
    assert len(opened) == 1
    assert len(shown) == 1
