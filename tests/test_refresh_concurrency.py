"""Single-flight renewal: many concurrent users of one expired token cause one token request.

Today's libraries send one refresh per thread; with rotating refresh tokens all but the first
fail with invalid_grant and, at strict providers, revoke the grant. The token server here
behaves like such a provider, so a duplicate refresh would show up as failures too.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from oauthkit.httpx import AsyncOAuth2Client, OAuth2Client
from oauthkit.requests import OAuth2Session
from tests._token_server import TokenServer, token_server

THREADS = 16
TASKS = 200


def _run_threads(n: int, call: Callable[[], int]) -> list[int]:
    barrier = threading.Barrier(n)

    def worker() -> int:
        barrier.wait()
        return call()

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: worker(), range(n)))


def _requests_session(
    server: TokenServer, updates: list[dict[str, Any]], token: dict[str, Any] | None = None
) -> OAuth2Session:
    session = OAuth2Session(
        "client",
        token=token or server.issue(),
        auto_refresh_url=server.token_url,
        auto_refresh_kwargs={"client_id": "client", "client_secret": "s3cret"},
        token_updater=updates.append,
    )
    # one connection per thread, as a real pool would allow
    adapter = __import__("requests").adapters.HTTPAdapter(pool_maxsize=THREADS)
    session.mount("http://", adapter)
    return session


@pytest.mark.parametrize("driver", ["requests", "httpx"])
def test_expired_token_16_threads_one_refresh(driver: str) -> None:
    updates: list[dict[str, Any]] = []
    with token_server() as server:
        if driver == "requests":
            session: Any = _requests_session(server, updates)
        else:
            session = OAuth2Client(
                "client",
                token=server.issue(),
                auto_refresh_url=server.token_url,
                auto_refresh_kwargs={"client_id": "client", "client_secret": "s3cret"},
                token_updater=updates.append,
                limits=httpx.Limits(max_connections=THREADS),
            )
        with session:
            statuses = _run_threads(THREADS, lambda: session.get(server.resource_url).status_code)
        assert statuses == [200] * THREADS
        assert len(server.token_requests) == 1
        assert server.token_requests[0]["grant_type"] == "refresh_token"
        assert not server.revoked
        assert len(updates) == 1
        assert updates[0]["access_token"] in server.valid_access


def test_expired_token_200_tasks_one_refresh() -> None:
    updates: list[dict[str, Any]] = []

    async def main(server: TokenServer) -> list[int]:
        async with AsyncOAuth2Client(
            "client",
            token=server.issue(),
            auto_refresh_url=server.token_url,
            auto_refresh_kwargs={"client_id": "client", "client_secret": "s3cret"},
            token_updater=updates.append,
            limits=httpx.Limits(max_connections=50),
            # a request's deadline covers its wait for the renewal lock; httpx's default 5 s
            # is short for 200 tasks on a loaded 2-core machine
            timeout=60,
        ) as client:
            responses = await asyncio.gather(
                *(client.get(server.resource_url) for _ in range(TASKS))
            )
            return [r.status_code for r in responses]

    with token_server() as server:
        statuses = asyncio.run(main(server))
        assert statuses == [200] * TASKS
        assert len(server.token_requests) == 1
        assert not server.revoked
        assert len(updates) == 1


def test_async_token_updater_may_be_a_coroutine() -> None:
    seen: list[str] = []

    async def save(token: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        seen.append(token["access_token"])

    async def main(server: TokenServer) -> int:
        async with AsyncOAuth2Client(
            "client", token=server.issue(), auto_refresh_url=server.token_url, token_updater=save
        ) as client:
            return (await client.get(server.resource_url)).status_code

    with token_server(delay=0) as server:
        assert asyncio.run(main(server)) == 200
        assert len(seen) == 1
        assert seen[0] in server.valid_access


@pytest.mark.parametrize("driver", ["requests", "httpx"])
def test_rejected_token_16_threads_one_refresh(driver: str) -> None:
    """Concurrent 401 invalid_token answers for one token lead to one refresh, not sixteen."""
    updates: list[dict[str, Any]] = []
    with token_server() as server:
        token = server.issue()
        token["expires_at"] = 4102444800  # far future: only the server's 401 says it is bad
        server.invalidate_access()
        if driver == "requests":
            session: Any = _requests_session(server, updates, token)
        else:
            session = OAuth2Client(
                "client",
                token=token,
                auto_refresh_url=server.token_url,
                token_updater=updates.append,
                limits=httpx.Limits(max_connections=THREADS),
            )
        with session:
            statuses = _run_threads(THREADS, lambda: session.get(server.resource_url).status_code)
        assert statuses == [200] * THREADS
        assert len(server.token_requests) == 1
        assert len(updates) == 1


def test_client_credentials_renew_without_refresh_token() -> None:
    """A client-credentials session fetches a new token when its own expires."""
    clock = [1_000_000.0]
    with token_server(delay=0) as server:
        from oauthlib.oauth2 import BackendApplicationClient

        session = OAuth2Session(
            client=BackendApplicationClient(client_id="client"), clock=lambda: clock[0]
        )
        session.fetch_token(server.token_url, client_secret="s3cret")
        assert session.get(server.resource_url).status_code == 200
        assert len(server.token_requests) == 1
        clock[0] += 7200  # the hour-long token is now expired
        statuses = _run_threads(8, lambda: session.get(server.resource_url).status_code)
        assert statuses == [200] * 8
        assert [r["grant_type"] for r in server.token_requests] == ["client_credentials"] * 2
        # renewals authenticate like the first fetch did: Basic, secret never in the body
        assert "client_secret" not in server.token_requests[1]
        assert server.token_headers[1]["Authorization"].startswith("Basic ")


def test_request_arguments_never_reach_the_token_endpoint() -> None:
    with token_server(delay=0) as server:
        session = OAuth2Session(
            "client",
            token=server.issue(),
            auto_refresh_url=server.token_url,
            token_updater=lambda token: None,
        )
        response = session.post(
            server.resource_url,
            params={"leak": "query"},
            data={"leak": "body"},
            headers={"X-Leak": "header"},
            timeout=5,
            allow_redirects=False,
        )
        assert response.status_code == 200
        [form] = server.token_requests
        assert set(form) == {"grant_type", "refresh_token", "client_id"}
        assert "X-Leak" not in server.token_headers[0]
