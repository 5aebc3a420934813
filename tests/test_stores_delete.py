"""``delete`` on every token store (a logout), and a device-flow token saved to a session's
store like a fetched one (on every driver, against oidc-provider).

``delete`` is part of the :class:`~oauthkit.stores.TokenStore` protocol: idempotent, atomic
for other processes, taken under the lock a store's saves take, and leaving no token behind in
the store's files. Redis runs through a real ``redis-server`` (the ``redis_url`` fixture).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from pathlib import Path

import pytest

import oauthkit
from oauthkit.stores import FileStore, RedisStore, SQLiteStore, TokenStore
from oauthkit.stores._file import file_lock
from tests._drivers2 import DRIVERS, approve_device, open_session
from tests.peers.oidc_provider import OidcProviderPeer
from tests.test_stores import KINDS, make

SECRET = "at-delete-0123456789-secret"
TOKEN = {"access_token": SECRET, "token_type": "Bearer", "refresh_token": "rt-delete-secret"}


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, tmp_path: Path, redis_url: str) -> TokenStore:
    (tmp_path / "redis-url").write_text(redis_url)
    return make(request.param, tmp_path)


def test_delete_is_in_the_protocol(store: TokenStore) -> None:
    assert isinstance(store, TokenStore)
    assert "delete" in TokenStore.__dict__


def test_delete_removes_one_key_and_is_idempotent(store: TokenStore) -> None:
    store.save("a", TOKEN, version=None)
    store.save("b", TOKEN, version=None)
    assert store.delete("a") is True
    assert store.load("a") is None
    assert store.load("b") is not None
    assert store.delete("a") is False
    assert store.delete("never-saved") is False
    assert store.save("a", TOKEN, version=None) == 1  # a new login starts over


def test_a_renewal_that_loaded_before_the_delete_cannot_bring_it_back(store: TokenStore) -> None:
    store.save("k", TOKEN, version=None)
    loaded = store.load("k")
    assert loaded is not None
    assert store.delete("k") is True
    with pytest.raises(oauthkit.StoreConflictError):
        store.save("k", {**TOKEN, "access_token": "renewed"}, version=loaded.version)
    assert store.load("k") is None


def test_delete_checks_the_key(store: TokenStore) -> None:
    for key in ("", "a\nb", "x" * 513):
        with pytest.raises(oauthkit.UsageError, match="key"):
            store.delete(key)


def test_the_file_store_deletes_under_the_save_lock_and_leaves_no_token(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    for n in range(3):  # versions: earlier records must be gone too
        store.save("k", {**TOKEN, "access_token": f"{SECRET}-{n}"}, version=n or None)
    path = store._path("k")
    done = threading.Event()
    with file_lock(path.with_suffix(".write"), None, store="test", key="k"):
        deleter = threading.Thread(target=lambda: (store.delete("k"), done.set()))
        deleter.start()
        assert not done.wait(0.3)  # waits for the lock a save holds
        assert store.load("k") is not None
    deleter.join(10)
    assert done.is_set()
    assert store.load("k") is None
    leftovers = sorted(p.name for p in store.directory.iterdir())
    assert all(name.endswith((".lock", ".write")) for name in leftovers), leftovers
    for file in store.directory.iterdir():
        assert SECRET.encode() not in file.read_bytes()


def test_the_sqlite_store_leaves_no_token_in_its_files(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "tokens.db")
    # on, whatever SQLite's build default (Debian's is on; python.org's macOS builds' is off)
    assert store._db().execute("PRAGMA secure_delete").fetchone() == (1,)
    for n in range(3):
        store.save("k", {**TOKEN, "access_token": f"{SECRET}-{n}"}, version=n or None)
    store.save("other", {**TOKEN, "access_token": "kept-token"}, version=None)
    with contextlib.closing(sqlite3.connect(tmp_path / "tokens.db")) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # as SQLite's automatic checkpoints do
    assert SECRET.encode() in (tmp_path / "tokens.db").read_bytes()
    assert store.delete("k") is True
    files = sorted(tmp_path.glob("tokens.db*"))
    assert files
    data = b"".join(file.read_bytes() for file in files)
    assert SECRET.encode() not in data
    assert store.load("other") is not None


def test_an_asyncio_redis_store_deletes(redis_url: str, tmp_path: Path) -> None:
    import anyio

    from oauthkit.stores import AsyncRedisStore, AsyncTokenStore

    prefix = f"async-delete-{tmp_path.name}"

    async def scenario() -> None:
        store = AsyncRedisStore(redis_url, prefix=prefix)
        assert isinstance(store, AsyncTokenStore)
        await store.save("k", TOKEN, version=None)
        assert await store.delete("k") is True
        assert await store.load("k") is None
        assert await store.delete("k") is False
        with pytest.raises(oauthkit.UsageError):
            await store.delete("")
        assert await store.save("k", TOKEN, version=None) == 1
        await store.aclose()

    anyio.run(scenario)
    blocking = RedisStore(redis_url, prefix=prefix)
    assert blocking.delete("k") is True  # what one deletes, the other sees deleted
    assert blocking.load("k") is None
    blocking.close()


def test_a_redis_delete_failure_is_a_store_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0", prefix="nowhere")
    with pytest.raises(oauthkit.StoreError) as failure:
        store.delete("k")
    assert failure.value.key == "k"


@pytest.mark.peer
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_device_flow_token_is_saved_to_the_store(
    oidc_peer: OidcProviderPeer, driver: str, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "tokens.db")
    with open_session(
        driver,
        client_id="public-client",
        scope=["openid", "offline_access"],
        token_store=store,
        token_key="device",
    ) as s:
        authorization = s.fetch_device_authorization(
            oidc_peer.discovery["device_authorization_endpoint"]
        )
        approve_device(oidc_peer, authorization.user_code)
        token = s.poll_device_token(
            authorization, oidc_peer.discovery["token_endpoint"], sleep=lambda _: None
        )
    record = store.load("device")
    assert record is not None
    assert record.version == 1
    assert record.token["access_token"] == token["access_token"]
    assert record.token["refresh_token"] == token["refresh_token"]
