"""Sessions on a token store (issue #11): one renewal per expiry across sessions and processes.

The token server here rotates refresh tokens and refuses a refresh token used twice (as
oidc-provider's reuse detection does), so a second renewal of one expiry would show as a
refused request.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oauthkit
from oauthkit.stores import FileStore, MemoryStore, RedisStore, SQLiteStore, TokenStore
from tests._drivers2 import DRIVERS, Clock, open_session
from tests._routes import Hit, Routes, answer_json, serve


class RotatingServer:
    """Issues ``at-N``/``rt-N``; each refresh token works once; counts what it saw."""

    def __init__(self, routes: Routes, lifetime: int = 3600) -> None:
        self.routes = routes
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.issued = 0
        self.valid = {"rt-0"}
        self.reused: list[str] = []
        routes.handlers["/token"] = self.token
        routes.handlers["/api"] = lambda hit: answer_json({"ok": True})

    def token(self, hit: Hit) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            refresh = hit.form.get("refresh_token")
            if refresh is not None and refresh not in self.valid:
                self.reused.append(refresh)
                return answer_json({"error": "invalid_grant"}, 400)
            self.valid.discard(refresh)
            self.issued += 1
            n = self.issued
            self.valid.add(f"rt-{n}")
        return answer_json(
            {"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "expires_in": self.lifetime}
        )


@pytest.fixture
def server() -> Iterator[RotatingServer]:
    with serve() as routes:
        yield RotatingServer(routes)


def _store(kind: str, where: Path, redis_url: str) -> TokenStore:
    if kind == "memory":
        return MemoryStore()
    if kind == "file":
        return FileStore(where / "tokens")
    if kind == "redis":
        return RedisStore(redis_url, prefix=f"test-{where.name}")
    return SQLiteStore(where / "tokens.db")


EXPIRED = {"access_token": "at-0", "refresh_token": "rt-0", "expires_at": 1.0}


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("kind", ["memory", "file", "sqlite", "redis"])
def test_a_second_session_adopts_the_token_the_first_one_renewed(
    driver: str, kind: str, server: RotatingServer, tmp_path: Path, redis_url: str
) -> None:
    store = _store(kind, tmp_path, redis_url)
    store.save("app:alice", EXPIRED, version=None)
    sessions = [
        open_session(
            driver,
            client_id="app",
            auto_refresh_url=server.routes.url("/token"),
            token_store=store,
            token_key="app:alice",
        )
        for _ in range(2)
    ]
    first, second = (session.__enter__() for session in sessions)
    try:
        assert first.get(server.routes.url("/api")).status_code == 200
        assert first.token["access_token"] == "at-1"
        # the second session (another web worker, say) has its token from the store
        assert second.get(server.routes.url("/api")).status_code == 200
        assert second.token["access_token"] == "at-1"
    finally:
        for session in sessions:
            session.__exit__(None, None, None)
    assert server.issued == 1
    assert server.reused == []
    stored = store.load("app:alice")
    assert stored is not None
    assert (stored.version, stored.token["refresh_token"]) == (2, "rt-1")


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_fetched_token_is_saved_for_the_others(driver: str, server: RotatingServer) -> None:
    store = MemoryStore()
    with open_session(driver, client_id="app", token_store=store, token_key="k") as s:
        s.fetch_token(server.routes.url("/token"), code="c", client_secret="pw")
    stored = store.load("k")
    assert stored is not None
    assert stored.token["access_token"] == "at-1"


def test_store_and_key_go_together() -> None:
    from oauthkit.requests import OAuth2Session

    with pytest.raises(oauthkit.UsageError, match="go together"):
        OAuth2Session("app", token_store=MemoryStore())
    with pytest.raises(oauthkit.UsageError, match="store_key"):
        oauthkit.requests.OAuth2Auth(oauthkit.TokenManager("app"), token_store=MemoryStore())


def test_a_store_error_names_the_store_and_keeps_the_token(
    server: RotatingServer, tmp_path: Path
) -> None:
    store = FileStore(tmp_path / "tokens")
    store.save("k", EXPIRED, version=None)
    [record] = (tmp_path / "tokens").glob("*.json")
    record.write_text("{broken")
    with open_session(
        "requests",
        client_id="app",
        token=EXPIRED,
        auto_refresh_url=server.routes.url("/token"),
        token_store=store,
        token_key="k",
    ) as s:
        with pytest.raises(oauthkit.CorruptEntryError) as corrupt:
            s.get(server.routes.url("/api"))
        assert corrupt.value.key == "k"
        assert s.token["access_token"] == "at-0"  # nothing lost
    assert record.read_text() == "{broken"  # nothing overwritten
    assert server.issued == 0


# -- a fleet of processes -----------------------------------------------------------------------


def _worker(kind: str, where: str, redis_url: str, base_url: str, seconds: float, out: Any) -> None:
    """One process: 4 threads calling the API for ``seconds`` through one session each."""
    from oauthkit.requests import OAuth2Session

    store = _store(kind, Path(where), redis_url)
    failures: list[str] = []

    def calls() -> None:
        session = OAuth2Session(
            "app",
            auto_refresh_url=f"{base_url}/token",
            token_store=store,
            token_key="fleet",
            token_updater=lambda token: None,
        )
        session.trust_env = False
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if session.get(f"{base_url}/api", timeout=10).status_code != 200:
                    failures.append("status")
            except Exception as exc:  # reported to the parent, which fails the test
                failures.append(repr(exc))
            time.sleep(0.01)

    threads = [threading.Thread(target=calls) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(json.dumps(failures))


@pytest.mark.parametrize("kind", ["file", "sqlite", "redis"])
def test_a_fleet_renews_once_per_expiry(kind: str, tmp_path: Path, redis_url: str) -> None:
    with serve() as routes:
        server = RotatingServer(routes, lifetime=2)
        store = _store(kind, tmp_path, redis_url)
        store.save("fleet", EXPIRED, version=None)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        seconds = 7.0
        processes = [
            context.Process(
                target=_worker,
                args=(kind, str(tmp_path), redis_url, routes.base_url, seconds, out),
            )
            for _ in range(4)
        ]
        started = time.monotonic()
        for process in processes:
            process.start()
        failures = [json.loads(out.get(timeout=120)) for _ in processes]
        for process in processes:
            process.join(30)
            assert process.exitcode == 0
        elapsed = time.monotonic() - started
    assert failures == [[]] * 4
    assert server.reused == []  # no refresh token was ever sent twice
    # one renewal per expiry across 4 processes x 4 threads: a 2-second token is renewed at
    # the earliest after half its life, so at most one renewal per second of the run
    assert 2 <= server.issued <= elapsed + 1
    stored = store.load("fleet")
    assert stored is not None
    assert stored.token["access_token"] == f"at-{server.issued}"


def test_the_clock_of_a_session_on_a_store_is_its_own() -> None:
    # a stored token's expiry is absolute time: sessions with an injected clock read it so
    store = MemoryStore()
    store.save("k", {**EXPIRED, "expires_at": 2_000_000_000.0}, version=None)
    with open_session(
        "requests", client_id="app", token_store=store, token_key="k", clock=Clock()
    ) as s:
        assert s.s.oauth_client.should_renew(None) is False


# -- asyncio stores -------------------------------------------------------------------------------


def test_an_asyncio_redis_store_keeps_the_contract(redis_url: str, tmp_path: Path) -> None:
    import anyio

    from oauthkit.stores import AsyncRedisStore, AsyncTokenStore

    prefix = f"async-{tmp_path.name}"

    async def scenario() -> None:
        store = AsyncRedisStore(redis_url, prefix=prefix, lease=0.3)
        assert isinstance(store, AsyncTokenStore)
        assert await store.load("k") is None
        assert await store.save("k", EXPIRED, version=None) == 1
        with pytest.raises(oauthkit.StoreConflictError):
            await store.save("k", EXPIRED, version=None)
        async with store.lock("k", timeout=1):
            await anyio.sleep(1.0)  # past three leases: the watchdog keeps it
            with pytest.raises(oauthkit.LockTimeoutError):
                async with store.lock("k", timeout=0.2):
                    pass
        async with store.lock("k", timeout=1):
            pass
        await store.aclose()

    anyio.run(scenario)
    # the blocking store reads what the asyncio one wrote: sync and async processes share it
    stored = RedisStore(redis_url, prefix=prefix).load("k")
    assert stored is not None
    assert stored.token["access_token"] == "at-0"


def test_async_clients_share_a_token_through_an_asyncio_store(
    server: RotatingServer, redis_url: str, tmp_path: Path
) -> None:
    import anyio

    from oauthkit.httpx import AsyncOAuth2Client
    from oauthkit.stores import AsyncRedisStore

    async def scenario() -> list[str]:
        store = AsyncRedisStore(redis_url, prefix=f"clients-{tmp_path.name}")
        await store.save("k", EXPIRED, version=None)
        seen = []
        for _ in range(2):
            async with AsyncOAuth2Client(
                "app",
                auto_refresh_url=server.routes.url("/token"),
                token_store=store,
                token_key="k",
                trust_env=False,
            ) as client:
                response = await client.get(server.routes.url("/api"))
                assert response.status_code == 200
                seen.append(client.token["access_token"])
        await store.aclose()
        return seen

    assert anyio.run(scenario) == ["at-1", "at-1"]
    assert server.issued == 1
    assert server.reused == []


def test_a_blocking_session_refuses_an_asyncio_store(redis_url: str) -> None:
    from oauthkit.requests import OAuth2Session
    from oauthkit.stores import AsyncRedisStore

    with pytest.raises(oauthkit.UsageError, match="asyncio store"):
        OAuth2Session(
            "app",
            auto_refresh_url="https://as.example/token",
            token_store=AsyncRedisStore(redis_url),
            token_key="k",
        )
