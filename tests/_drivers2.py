"""Adapters that run one OAuth 2 test body through requests, httpx sync and httpx async alike.

Each adapter wraps the driver's session (``oauthkit.requests.OAuth2Session``,
``oauthkit.httpx.OAuth2Client``, ``oauthkit.httpx.AsyncOAuth2Client``) behind one synchronous
surface. The async client lives on an event loop in a background thread (an anyio blocking
portal), so its real awaitable methods are the ones exercised.

Every adapter records what leaves the client at the transport level (a ``requests`` adapter
subclass, an ``httpx`` transport wrapper), so a test can prove what did, and what did not,
reach the token endpoint. The recording layer only observes: it adds no protocol logic.
"""

from __future__ import annotations

import contextlib
import functools
import json
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import anyio.from_thread
import httpx
import requests
import requests.adapters

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

__all__ = [
    "DRIVERS",
    "Clock",
    "Driver",
    "Recording",
    "RecordingAdapter",
    "Reply",
    "Sent",
    "approve_device",
    "headless_authorize",
    "introspect",
    "open_session",
    "run_code_flow",
]

DRIVERS = ("requests", "httpx", "httpx-async")


@dataclass(frozen=True)
class Sent:
    """One request as it left the client (header names lower-cased)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes

    @property
    def endpoint(self) -> str:
        """The URL without its query."""
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}{parts.path}"

    @property
    def form(self) -> dict[str, str]:
        """The body read as a form (empty for other bodies)."""
        if "application/x-www-form-urlencoded" not in self.headers.get("content-type", ""):
            return {}
        return dict(parse_qsl(self.body.decode("utf-8"), keep_blank_values=True))

    def everything(self) -> str:
        """URL, headers and body in one string, for "does X appear anywhere" checks."""
        return f"{self.url}\n{self.headers}\n{self.body.decode('utf-8', 'replace')}"


@dataclass
class Recording:
    """What a client sent, in order."""

    sent: list[Sent] = field(default_factory=list)

    def to(self, endpoint: str) -> list[Sent]:
        """The requests sent to ``endpoint`` (compared without the query)."""
        return [s for s in self.sent if s.endpoint == endpoint]


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


class RecordingAdapter(requests.adapters.HTTPAdapter):
    """A requests transport adapter that notes each request, then sends it normally."""

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        body = request.body
        raw = body.encode("utf-8") if isinstance(body, str) else (body or b"")
        self.recording.sent.append(
            Sent(request.method or "", request.url or "", _lower(request.headers), bytes(raw))
        )
        return super().send(request, *args, **kwargs)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every transport: loading the CA bundle takes tens of milliseconds,
    which every test on an httpx driver paid again (httpx's own default, made once)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class _RecordingTransport(httpx.BaseTransport):
    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.inner = httpx.HTTPTransport(verify=_tls())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.recording.sent.append(
            Sent(request.method, str(request.url), _lower(request.headers), body)
        )
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class _AsyncRecordingTransport(httpx.AsyncBaseTransport):
    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        self.inner = httpx.AsyncHTTPTransport(verify=_tls())

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        self.recording.sent.append(
            Sent(request.method, str(request.url), _lower(request.headers), body)
        )
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


@dataclass(frozen=True)
class Reply:
    """A protected response, whatever the driver."""

    status_code: int
    headers: dict[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


class Driver:
    """The requests driver; the httpx adapters override only how calls are made."""

    name = "requests"

    def __init__(self, **kw: Any) -> None:
        self.recording = Recording()
        self.updates: list[dict[str, Any]] = []
        # requests-oauthlib raises TokenUpdated after an automatic refresh when no updater is
        # set (tests/test_dropin.py covers it); these sessions keep the tokens they are handed.
        kw.setdefault("token_updater", self.updates.append)
        session = okrequests.OAuth2Session(**kw)
        session.trust_env = False  # no proxy, no ~/.netrc for loopback traffic
        session.mount("http://", RecordingAdapter(self.recording))
        self.s: Any = session

    # -- calls that perform I/O (overridden by the async adapter) -------------------------

    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        return fn(*args, **kw)

    def fetch_token(self, token_url: str | None = None, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(self.s.fetch_token, token_url, **kw)
        return result

    def discover(self) -> oauthkit.ServerMetadata:
        result: oauthkit.ServerMetadata = self._call(self.s.discover)
        return result

    def userinfo(self, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(self.s.userinfo, **kw)
        return result

    def validate_logout_token(self, logout_token: str) -> Any:
        return self._call(self.s.validate_logout_token, logout_token)

    def refresh_token(self, token_url: str, **kw: Any) -> dict[str, Any]:
        result: dict[str, Any] = self._call(self.s.refresh_token, token_url, **kw)
        return result

    def fetch_device_authorization(self, url: str, **kw: Any) -> oauthkit.DeviceAuthorization:
        result: oauthkit.DeviceAuthorization = self._call(
            self.s.fetch_device_authorization, url, **kw
        )
        return result

    def poll_device_token(
        self,
        authorization: oauthkit.DeviceAuthorization,
        token_url: str,
        *,
        sleep: Callable[[float], None],
    ) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            self.s.poll_device_token, authorization, token_url, sleep=sleep
        )
        return result

    def request(self, method: str, url: str, **kw: Any) -> Reply:
        r = self._call(self.s.request, method, url, **kw)
        return Reply(r.status_code, dict(r.headers), r.text)

    def get(self, url: str, **kw: Any) -> Reply:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Reply:
        return self.request("POST", url, **kw)

    def close(self) -> None:
        self.s.close()

    # -- I/O-free attributes, the same on every driver --------------------------------------

    def authorization_url(self, url: str | None = None, **kw: Any) -> tuple[str, str]:
        result: tuple[str, str] = self.s.authorization_url(url, **kw)
        return result

    @property
    def id_token_claims(self) -> Any:
        return self.s.id_token_claims

    def end_session_url(self, *args: Any, **kw: Any) -> str:
        result: str = self.s.end_session_url(*args, **kw)
        return result

    @property
    def token(self) -> dict[str, Any]:
        token: dict[str, Any] = self.s.token
        return token

    @token.setter
    def token(self, value: dict[str, Any]) -> None:
        self.s.token = value

    @property
    def access_token(self) -> str | None:
        value: str | None = self.s.access_token
        return value

    @property
    def oauth_client(self) -> oauthkit.TokenManager:
        core: oauthkit.TokenManager = self.s.oauth_client
        return core

    @property
    def auto_refresh_url(self) -> str | None:
        value: str | None = self.s.auto_refresh_url
        return value

    @auto_refresh_url.setter
    def auto_refresh_url(self, value: str | None) -> None:
        self.s.auto_refresh_url = value


class HttpxDriver(Driver):
    name = "httpx"

    def __init__(self, **kw: Any) -> None:
        self.recording = Recording()
        self.s = okhttpx.OAuth2Client(
            transport=_RecordingTransport(self.recording), trust_env=False, timeout=10, **kw
        )


class AsyncHttpxDriver(Driver):
    name = "httpx-async"

    def __init__(self, portal: Any, **kw: Any) -> None:
        self.recording = Recording()
        self.portal = portal

        async def make() -> okhttpx.AsyncOAuth2Client:
            return okhttpx.AsyncOAuth2Client(
                transport=_AsyncRecordingTransport(self.recording),
                trust_env=False,
                timeout=10,
                **kw,
            )

        self.s = portal.call(make)

    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        async def run() -> Any:
            return await fn(*args, **kw)

        return self.portal.call(run)

    def poll_device_token(
        self,
        authorization: oauthkit.DeviceAuthorization,
        token_url: str,
        *,
        sleep: Callable[[float], None],
    ) -> dict[str, Any]:
        async def async_sleep(seconds: float) -> None:
            sleep(seconds)

        result: dict[str, Any] = self._call(
            self.s.poll_device_token, authorization, token_url, sleep=async_sleep
        )
        return result

    def close(self) -> None:
        self._call(self.s.aclose)


@contextlib.contextmanager
def open_session(driver: str, **kw: Any) -> Iterator[Driver]:
    """Open an OAuth 2 session of ``driver`` with requests-oauthlib's constructor arguments."""
    if driver == "httpx-async":
        with anyio.from_thread.start_blocking_portal() as portal:
            session: Driver = AsyncHttpxDriver(portal, **kw)
            try:
                yield session
            finally:
                session.close()
        return
    session = Driver(**kw) if driver == "requests" else HttpxDriver(**kw)
    try:
        yield session
    finally:
        session.close()


# ------------------------------------------------------------------ the peer's side of a flow
# These play the resource owner and the resource server with a plain httpx client: they are
# the test's instruments, not the client under test.


def _plain() -> httpx.Client:
    # trust_env=False: a proxy configured in CI must not see loopback traffic
    return httpx.Client(trust_env=False, follow_redirects=True, timeout=10)


def headless_authorize(peer: OidcProviderPeer, url: str) -> str:
    """Open the authorization URL as the user (auto login and consent); return the callback URL."""
    with _plain() as http:
        response = http.get(url)
    assert response.status_code == 200, response.text
    assert response.url.copy_with(query=None) == httpx.URL(peer.url("/cb")), response.url
    return str(response.url)


def run_code_flow(s: Driver, peer: OidcProviderPeer, **fetch_kwargs: Any) -> dict[str, Any]:
    """Authorization URL, the user's approval, then ``fetch_token`` with the callback URL."""
    url, _ = s.authorization_url(peer.discovery["authorization_endpoint"])
    callback = headless_authorize(peer, url)
    return s.fetch_token(
        peer.discovery["token_endpoint"], authorization_response=callback, **fetch_kwargs
    )


def introspect(peer: OidcProviderPeer, token: str) -> dict[str, Any]:
    """Ask the peer about a token (RFC 7662), authenticated as ``basic-client``."""
    with _plain() as http:
        response = http.post(
            peer.discovery["introspection_endpoint"],
            data={"token": token},
            auth=("basic-client", client_secret("basic-client")),
        )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def approve_device(peer: OidcProviderPeer, user_code: str) -> None:
    """Approve a device authorization as the user would on a second screen."""
    with _plain() as http:
        response = http.post(peer.url("/_test/device/approve"), data={"user_code": user_code})
    assert response.status_code == 200, response.text
    assert response.json()["result"] == "device_flow_approved"


class Clock:
    """A settable clock for the session: tokens expire when the test says so."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def oauthkit_class(error: BaseException) -> type:
    """The oauthkit class of ``error``, without the bases ``oauthkit.requests`` adds so that
    requests-oauthlib code catches it by oauthlib's names (issue #8)."""
    cls: type = getattr(type(error), "_oauthkit_class", type(error))
    return cls
