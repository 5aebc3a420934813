"""Under a FAPI 2.0 profile, tokens renew only at the discovered token endpoint.

``auto_refresh_url=`` (or the attribute assigned later) is held to what the URLs given to the
session's methods are held to (``test_endpoints_come_only_from_discovery`` in
tests/test_fapi.py): it must be the issuer's ``token_endpoint``, or its mTLS alias when the
session has a client certificate. On every driver, against the in-memory server of
tests/test_fapi.py; nothing is sent to another URL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
import requests.adapters
import trustme
from requests.structures import CaseInsensitiveDict

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from tests._mtls import _leaf
from tests.test_fapi import _good, _Server

ELSEWHERE = "https://elsewhere.example/token"


class _Adapter(requests.adapters.BaseAdapter):
    """Sends a requests request to the in-memory server (which speaks httpx)."""

    def __init__(self, server: _Server) -> None:
        super().__init__()
        self.server = server

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        body = request.body or b""
        content = body.encode() if isinstance(body, str) else body
        assert isinstance(content, bytes)
        reply = self.server(
            httpx.Request(
                request.method or "GET", request.url or "", headers=request.headers, content=content
            )
        )
        response = requests.Response()
        response.status_code = reply.status_code
        response._content = reply.content
        response.headers = CaseInsensitiveDict(reply.headers)
        response.url = request.url or ""
        response.request = request
        return response

    def close(self) -> None:
        pass


class _Sync:
    """One synchronous surface over the three drivers."""

    def __init__(self, driver: str, server: _Server, **changes: Any) -> None:
        settings = _good(issuer=server.issuer, scope=["read"], **changes)
        self.driver = driver
        if driver == "requests":
            session: Any = okrequests.OAuth2Session(**settings)
            session.mount("https://", _Adapter(server))
        elif driver == "httpx":
            session = okhttpx.OAuth2Client(transport=httpx.MockTransport(server), **settings)
        else:
            session = okhttpx.AsyncOAuth2Client(transport=httpx.MockTransport(server), **settings)
        self.session = session

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.session, name)(*args, **kwargs)
        if self.driver == "httpx-async":

            async def wait() -> Any:
                return await result

            return asyncio.run(wait())
        return result


@pytest.fixture(params=("requests", "httpx", "httpx-async"))
def driver(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


def _expired() -> dict[str, Any]:
    return {
        "access_token": "old",
        "token_type": "DPoP",
        "refresh_token": "rt",
        "expires_at": time.time() - 100,
    }


def _renewed() -> dict[str, Any]:
    return {"access_token": "new", "token_type": "DPoP", "expires_in": 300}


def test_a_hand_given_auto_refresh_url_is_refused(driver: str) -> None:
    server = _Server(_renewed())
    client = _Sync(driver, server, token=_expired(), auto_refresh_url=ELSEWHERE)
    with pytest.raises(
        oauthkit.UsageError, match=r"'https://elsewhere\.example/token' is not its "
    ):
        client.call("get", f"{server.issuer}/api")  # renewal due: discovery, then the check
    assert server.to("/token") == []
    assert server.to("/api") == []
    assert [r.url.host for r in server.seen] == [f"{server.issuer[8:]}"]  # discovery only
    with pytest.raises(oauthkit.UsageError, match="not its token_endpoint"):
        client.call("refresh_token")  # an explicit refresh at auto_refresh_url, too
    assert server.to("/token") == []


def test_the_discovered_token_endpoint_renews(driver: str) -> None:
    server = _Server(_renewed())
    url = f"{server.issuer}/token"
    updates: list[dict[str, Any]] = []
    client = _Sync(
        driver, server, token=_expired(), auto_refresh_url=url, token_updater=updates.append
    )
    client.call("get", f"{server.issuer}/api")
    assert [u["access_token"] for u in updates] == ["new"]
    [renewal] = server.to("/token")
    assert b"grant_type=refresh_token" in renewal.content
    assert client.session.token["access_token"] == "new"
    assert len(server.to("/api")) == 1


def test_an_auto_refresh_url_assigned_later_is_refused(driver: str) -> None:
    server = _Server(_renewed())
    client = _Sync(driver, server, token=_expired())
    client.call("discover")
    assert client.session.auto_refresh_url == f"{server.issuer}/token"  # the discovered one
    client.session.auto_refresh_url = ELSEWHERE
    with pytest.raises(oauthkit.UsageError, match="not its token_endpoint"):
        client.call("get", f"{server.issuer}/api")
    assert server.to("/token") == []


def test_with_a_certificate_the_mtls_alias_is_the_one(
    driver: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With a client certificate the token endpoint is ``mtls_endpoint_aliases``' one (RFC
    8705 §5): the plain endpoint given by hand is refused like any other URL."""
    server = _Server(_renewed())
    alias = server.issuer.replace("https://", "https://mtls.")
    metadata: Callable[[], dict[str, Any]] = server.metadata

    def with_alias() -> dict[str, Any]:
        return {**metadata(), "mtls_endpoint_aliases": {"token_endpoint": f"{alias}/token"}}

    monkeypatch.setattr(server, "metadata", with_alias)
    cert = _leaf(trustme.CA(), tmp_path, "client", "client")
    state = _Sync(
        driver,
        server,
        token=_expired(),
        auto_refresh_url=f"{server.issuer}/token",
        token_updater=lambda token: None,
        cert=cert,
    )
    with pytest.raises(oauthkit.UsageError, match="not its token_endpoint"):
        state.call("get", f"{server.issuer}/api")
    assert server.to("/token") == []
    state.session.auto_refresh_url = f"{alias}/token"
    state.call("get", f"{server.issuer}/api")
    [renewal] = server.to("/token")
    assert renewal.url.host == alias[8:]


def test_the_sans_io_hook_runs_before_the_renewal_request() -> None:
    """``TokenManager.before_renewal`` (what a profiled session sets) runs once renewal is
    decided and before the request is built: raising stops it, nothing is sent."""
    from oauthkit._core._steps import Flow, SendRequest

    manager = oauthkit.TokenManager(
        "c1", "s" * 32, token_endpoint="https://as.example/token", token=_expired()
    )
    calls: list[str] = []

    def refuse() -> Flow[None]:
        calls.append("refuse")
        raise oauthkit.UsageError("not the discovered token endpoint")
        yield  # a flow

    def allow() -> Flow[None]:
        calls.append("allow")
        return
        yield  # a flow

    manager.before_renewal = refuse
    with pytest.raises(oauthkit.UsageError, match="not the discovered"):
        next(manager.renew_flow(manager.token))
    manager.before_renewal = allow
    step = next(manager.renew_flow(manager.token))
    assert isinstance(step, SendRequest)
    assert calls == ["refuse", "allow"]
