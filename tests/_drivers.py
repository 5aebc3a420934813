"""Adapters that let one contract suite drive requests, httpx sync and httpx async alike.

Each adapter exposes the same synchronous surface. The async adapter runs its client on one
event loop in a background thread (an anyio blocking portal), so the tests read the same for
every driver and the async client is still exercised through its real awaitable methods.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import anyio.from_thread
import httpx
import requests

import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests


@dataclass
class Reply:
    status_code: int
    headers: dict[str, str]
    text: str
    history: int

    def json(self) -> Any:
        import json

        return json.loads(self.text)


class Session(Protocol):
    """The three-legged methods and plain HTTP calls, whatever the driver underneath."""

    name: str

    def fetch_request_token(self, url: str, **kw: Any) -> dict[str, str]: ...
    def fetch_access_token(self, url: str, **kw: Any) -> dict[str, str]: ...
    def authorization_url(self, url: str) -> str: ...
    def parse_authorization_response(self, url: str) -> dict[str, str]: ...
    def request(self, method: str, url: str, **kw: Any) -> Reply: ...

    @property
    def token(self) -> dict[str, str]: ...

    @property
    def authorized(self) -> bool: ...


class RequestsSession:
    name = "requests"

    def __init__(self, **kw: Any) -> None:
        self.s = okrequests.OAuth1Session(**kw)

    def fetch_request_token(self, url: str, **kw: Any) -> dict[str, str]:
        return self.s.fetch_request_token(url, **kw)

    def fetch_access_token(self, url: str, **kw: Any) -> dict[str, str]:
        return self.s.fetch_access_token(url, **kw)

    def authorization_url(self, url: str) -> str:
        return self.s.authorization_url(url)

    def parse_authorization_response(self, url: str) -> dict[str, str]:
        return self.s.parse_authorization_response(url)

    def request(self, method: str, url: str, **kw: Any) -> Reply:
        r = self.s.request(method, url, **kw)
        return Reply(r.status_code, dict(r.headers), r.text, len(r.history))

    @property
    def token(self) -> dict[str, str]:
        return self.s.token

    @property
    def authorized(self) -> bool:
        return self.s.authorized

    def close(self) -> None:
        self.s.close()


class HttpxSession(RequestsSession):
    name = "httpx"

    def __init__(self, **kw: Any) -> None:
        self.s = okhttpx.OAuth1Client(follow_redirects=True, **kw)

    def request(self, method: str, url: str, **kw: Any) -> Reply:
        if "data" in kw and isinstance(kw["data"], (str, bytes)):
            kw["content"] = kw.pop("data")
        r = self.s.request(method, url, **kw)
        return Reply(r.status_code, dict(r.headers), r.text, len(r.history))


class AsyncHttpxSession:
    name = "httpx-async"

    def __init__(self, portal: Any, **kw: Any) -> None:
        self.portal = portal

        async def make() -> okhttpx.AsyncOAuth1Client:
            return okhttpx.AsyncOAuth1Client(follow_redirects=True, **kw)

        self.s = portal.call(make)

    def _call(self, fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
        async def run() -> Any:
            return await fn(*args, **kw)

        return self.portal.call(run)

    def fetch_request_token(self, url: str, **kw: Any) -> dict[str, str]:
        result: dict[str, str] = self._call(self.s.fetch_request_token, url, **kw)
        return result

    def fetch_access_token(self, url: str, **kw: Any) -> dict[str, str]:
        result: dict[str, str] = self._call(self.s.fetch_access_token, url, **kw)
        return result

    def authorization_url(self, url: str) -> str:
        return self.s.authorization_url(url)

    def parse_authorization_response(self, url: str) -> dict[str, str]:
        return self.s.parse_authorization_response(url)

    def request(self, method: str, url: str, **kw: Any) -> Reply:
        if "data" in kw and isinstance(kw["data"], (str, bytes)):
            kw["content"] = kw.pop("data")
        r: httpx.Response = self._call(self.s.request, method, url, **kw)
        return Reply(r.status_code, dict(r.headers), r.text, len(r.history))

    @property
    def token(self) -> dict[str, str]:
        return self.s.token

    @property
    def authorized(self) -> bool:
        return self.s.authorized

    def close(self) -> None:
        self._call(self.s.aclose)


DRIVERS = ("requests", "httpx", "httpx-async")


@contextlib.contextmanager
def open_session(driver: str, **kw: Any) -> Iterator[Session]:
    """Open an OAuth1 session of ``driver`` with requests-oauthlib's constructor arguments."""
    if driver == "requests":
        s: Any = RequestsSession(**kw)
        try:
            yield s
        finally:
            s.close()
    elif driver == "httpx":
        s = HttpxSession(**kw)
        try:
            yield s
        finally:
            s.close()
    else:
        with anyio.from_thread.start_blocking_portal() as portal:
            s = AsyncHttpxSession(portal, **kw)
            try:
                yield s
            finally:
                s.close()


def follow_authorize(url: str) -> str:
    """Play the resource owner: open the authorization URL, return the callback it redirects to."""
    r = requests.get(url, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text
    return r.headers["Location"]
