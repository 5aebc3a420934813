"""Token stores (issue #11, first part): load, compare-and-set save and the per-key lock, on the
memory, file and SQLite stores; the file and SQLite stores across real processes."""

from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import oauthkit
from oauthkit.stores import (
    FileStore,
    KeyringStore,
    MemoryStore,
    RedisStore,
    SQLiteStore,
    StoredToken,
    TokenStore,
)

TOKEN = {
    "access_token": "at-secret-1",
    "token_type": "Bearer",
    "expires_at": 1_800_000_000.0,
    "refresh_token": "rt-secret-1",
    "scope": ["read"],
}
KINDS = ["memory", "file", "sqlite", "redis", "keyring"]


def make(kind: str, where: Path, **options: Any) -> TokenStore:
    """A store of ``kind``; for Redis, ``where`` holds the server's URL in ``redis-url``."""
    if kind == "memory":
        return MemoryStore()
    if kind == "file":
        return FileStore(where / "tokens", **options)
    if kind == "redis":
        url = (where / "redis-url").read_text()
        return RedisStore(url, prefix=f"test-{where.name}", **options)
    if kind == "keyring":
        # a real keyring backend (keyrings.alt's file keychain): CI machines have no desktop one
        from keyrings.alt.file import PlaintextKeyring

        backend = PlaintextKeyring()
        backend.file_path = str(where / "keychain.cfg")
        return KeyringStore(where / "locks", backend=backend, **options)
    return SQLiteStore(where / "tokens.db", **options)


@pytest.fixture
def where(tmp_path: Path, redis_url: str) -> Path:
    (tmp_path / "redis-url").write_text(redis_url)
    return tmp_path


@pytest.fixture(params=KINDS)
def store(request: pytest.FixtureRequest, where: Path) -> TokenStore:
    return make(request.param, where)


def test_every_store_is_a_token_store(store: TokenStore) -> None:
    assert isinstance(store, TokenStore)


def test_save_is_a_compare_and_set(store: TokenStore) -> None:
    assert store.load("github:alice") is None
    assert store.save("github:alice", TOKEN, version=None) == 1
    loaded = store.load("github:alice")
    assert loaded == StoredToken(TOKEN, 1)
    assert oauthkit.Token.from_dict(loaded.token) == oauthkit.Token.from_dict(TOKEN)
    newer = {**TOKEN, "access_token": "at-secret-2"}
    assert store.save("github:alice", newer, version=1) == 2
    for stale in (None, 1, 3):
        with pytest.raises(oauthkit.StoreConflictError) as conflict:
            store.save("github:alice", TOKEN, version=stale)
        assert conflict.value.key == "github:alice"
    assert store.load("github:alice") == StoredToken(newer, 2)  # nothing was overwritten
    assert store.load("github:bob") is None  # keys are separate


def test_bad_keys_and_tokens_are_usage_errors(store: TokenStore) -> None:
    for key in ("", "a\nb", "x" * 513, 7):
        with pytest.raises(oauthkit.UsageError, match="key"):
            store.load(key)  # type: ignore[arg-type]
    for token in ({"token_type": "Bearer"}, {**TOKEN, "expires_at": float("nan")}, ["x"]):
        with pytest.raises(oauthkit.UsageError, match="stored token"):
            store.save("k", token, version=None)  # type: ignore[arg-type]
    assert store.load("k") is None


def test_reprs_show_no_secret(store: TokenStore) -> None:
    store.save("k", TOKEN, version=None)
    loaded = store.load("k")
    for text in (repr(store), repr(loaded)):
        assert TOKEN["access_token"] not in text
        assert TOKEN["refresh_token"] not in text


def test_the_lock_excludes_and_times_out(store: TokenStore) -> None:
    held = threading.Event()
    release = threading.Event()

    def holder() -> None:
        with store.lock("k", timeout=5):
            held.set()
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    try:
        assert held.wait(5)
        started = time.monotonic()
        with pytest.raises(oauthkit.LockTimeoutError), store.lock("k", timeout=0.2):
            pass
        assert time.monotonic() - started < 2
        with store.lock("other", timeout=1):  # another key is free
            pass
    finally:
        release.set()
        thread.join()
    with store.lock("k", timeout=1):  # released
        pass


# -- files ---------------------------------------------------------------------------------------


def test_the_file_store_writes_private_files_atomically(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    store.save("k", TOKEN, version=None)
    store.save("k", TOKEN, version=1)
    directory = tmp_path / "tokens"
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    [record] = directory.glob("*.json")
    assert stat.S_IMODE(record.stat().st_mode) == 0o600
    assert not list(directory.glob(".*.tmp"))  # nothing left half-written
    assert "k" not in record.name  # the file name does not leak the key


def test_a_corrupt_entry_is_named_and_left_alone(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    store.save("k", TOKEN, version=None)
    [record] = (tmp_path / "tokens").glob("*.json")
    for damaged in (b"{not json", b"[]", b'{"schema": 9}', record.read_bytes()[:-9]):
        record.write_bytes(damaged)
        with pytest.raises(oauthkit.CorruptEntryError) as corrupt:
            store.load("k")
        assert corrupt.value.key == "k"
        assert "FileStore" in corrupt.value.store
        assert record.read_bytes() == damaged


def test_a_file_store_refuses_a_file_as_its_directory(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x")
    with pytest.raises(oauthkit.UsageError, match="not a directory"):
        FileStore(tmp_path / "plain")


# -- SQLite ---------------------------------------------------------------------------------------


def test_the_sqlite_store_is_private_and_checks_its_schema(tmp_path: Path) -> None:
    path = tmp_path / "tokens.db"
    SQLiteStore(path).save("k", TOKEN, version=None)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with sqlite3.connect(path) as db:
        db.execute("UPDATE oauthkit_meta SET value = 99 WHERE name = 'schema'")
    with pytest.raises(oauthkit.StoreError, match="schema 99"):
        SQLiteStore(path)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    with pytest.raises(oauthkit.StoreError, match="not a usable database"):
        SQLiteStore(garbage)
    with pytest.raises(oauthkit.UsageError, match="lease"):
        SQLiteStore(tmp_path / "x.db", lease=0)


def test_a_corrupt_sqlite_record_is_named(tmp_path: Path) -> None:
    path = tmp_path / "tokens.db"
    store = SQLiteStore(path)
    store.save("k", TOKEN, version=None)
    with sqlite3.connect(path) as db:
        db.execute("""UPDATE oauthkit_tokens SET record = '{"schema": 1, "key": "k"}'""")
    with pytest.raises(oauthkit.CorruptEntryError, match="no valid version"):
        store.load("k")


# -- real processes -----------------------------------------------------------------------------


def _count(kind: str, where: str, rounds: int) -> None:
    """One process: ``rounds`` times, under the lock, load the counter and save it plus one."""
    store = make(kind, Path(where))
    for _ in range(rounds):
        with store.lock("counter", timeout=30):
            current = store.load("counter")
            n = 0 if current is None else int(current.token["n"])
            token = {"access_token": f"at-{n + 1}", "n": n + 1}
            store.save("counter", token, version=None if current is None else current.version)


def _hold_and_die(kind: str, where: str, ready: Any) -> None:
    store = make(kind, Path(where), **({"lease": 0.5} if kind in ("sqlite", "redis") else {}))
    with store.lock("counter", timeout=5):
        ready.set()
        time.sleep(60)  # killed before it lets go


@pytest.fixture
def spawn() -> Iterator[Callable[..., Any]]:
    context = multiprocessing.get_context("spawn")
    started: list[Any] = []

    def start(target: Callable[..., None], *args: Any) -> Any:
        process = context.Process(target=target, args=args)
        process.start()
        started.append(process)
        return process

    yield start
    for process in started:
        if process.is_alive():
            process.kill()
        process.join(10)


@pytest.mark.parametrize("kind", ["file", "sqlite", "redis", "keyring"])
def test_processes_never_lose_an_update(kind: str, where: Path, spawn: Any) -> None:
    processes = [spawn(_count, kind, str(where), 20) for _ in range(4)]
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    final = make(kind, where).load("counter")
    assert final is not None
    assert (final.token["n"], final.version) == (80, 80)


@pytest.mark.parametrize("kind", ["file", "sqlite", "redis", "keyring"])
def test_a_lock_holder_that_dies_loses_the_lock(kind: str, where: Path, spawn: Any) -> None:
    ready = multiprocessing.get_context("spawn").Event()
    holder = spawn(_hold_and_die, kind, str(where), ready)
    assert ready.wait(30)
    store = make(kind, where)
    with pytest.raises(oauthkit.LockTimeoutError), store.lock("counter", timeout=0.1):
        pass
    os.kill(holder.pid, signal.SIGKILL)
    holder.join(10)
    # the system drops a file lock at once; an SQLite or Redis lease ends within its 0.5 s
    with store.lock("counter", timeout=5):
        pass


# -- Redis ---------------------------------------------------------------------------------------


def test_a_slow_holder_keeps_its_redis_lock_past_the_lease(where: Path) -> None:
    store = make("redis", where, lease=0.3)
    with store.lock("k", timeout=1):
        time.sleep(1.0)  # three leases: the watchdog extends it
        with pytest.raises(oauthkit.LockTimeoutError), store.lock("k", timeout=0.2):
            pass


def test_redis_keys_share_a_hash_slot_and_hide_the_key(where: Path) -> None:
    import redis

    store = make("redis", where)
    assert isinstance(store, RedisStore)
    store.save("github:alice", TOKEN, version=None)
    client = redis.Redis.from_url((where / "redis-url").read_text())
    [record_key] = client.keys(f"test-{where.name}:*")
    name = record_key.decode()
    assert "alice" not in name
    tag = name[name.index("{") : name.index("}") + 1]
    with store.lock("github:alice", timeout=1):
        [lock_key] = [k.decode() for k in client.keys(f"test-{where.name}:*:lock")]
    assert tag in lock_key  # one hash tag: one Redis Cluster slot


def test_an_unreachable_redis_is_a_store_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = RedisStore(f"redis://127.0.0.1:{port}/0")
    for call in (
        lambda: store.load("k"),
        lambda: store.save("k", TOKEN, version=None),
        lambda: store.lock("k", timeout=1).__enter__(),
    ):
        with pytest.raises(oauthkit.StoreError) as failed:
            call()
        assert failed.value.key == "k"
        assert "RedisStore" in failed.value.store


# -- encryption at rest -----------------------------------------------------------------------


def test_tokens_are_encrypted_at_rest_when_asked(where: Path) -> None:
    from cryptography.fernet import Fernet

    secret = Fernet.generate_key()
    for kind in KINDS:
        store = make(kind, where, encryption_key=secret)
        store.save(f"enc-{kind}", TOKEN, version=None)
        assert store.load(f"enc-{kind}") == StoredToken(TOKEN, 1)
    raw = b"".join(path.read_bytes() for path in (where / "tokens").glob("*.json"))
    raw += b"".join(path.read_bytes() for path in where.glob("tokens.db*"))  # and its WAL
    assert b"sealed" in raw
    for value in (TOKEN["access_token"], TOKEN["refresh_token"]):
        assert value.encode() not in raw
    assert b"at-secret" not in (where / "keychain.cfg").read_bytes()
    for kind in ("file", "sqlite", "redis", "keyring"):
        with pytest.raises(oauthkit.CorruptEntryError, match="pass the store its encryption_key"):
            make(kind, where).load(f"enc-{kind}")
        with pytest.raises(oauthkit.CorruptEntryError, match="another encryption_key"):
            make(kind, where, encryption_key=Fernet.generate_key()).load(f"enc-{kind}")


def test_a_sealed_token_cannot_pass_for_another_keys(tmp_path: Path) -> None:
    import json

    from cryptography.fernet import Fernet

    secret = Fernet.generate_key()
    store = FileStore(tmp_path, encryption_key=secret)
    store.save("alice", TOKEN, version=None)
    store.save("bob", {**TOKEN, "access_token": "bobs"}, version=None)
    files = {json.loads(p.read_text())["key"]: p for p in tmp_path.glob("*.json")}
    alice = json.loads(files["alice"].read_text())
    files["bob"].write_text(json.dumps({**alice, "key": "bob"}))  # alice's sealed token as bob's
    with pytest.raises(oauthkit.CorruptEntryError, match="belongs to another key"):
        store.load("bob")
    plain = FileStore(tmp_path / "plain")
    plain.save("k", TOKEN, version=None)
    with pytest.raises(oauthkit.CorruptEntryError, match="not encrypted"):
        FileStore(tmp_path / "plain", encryption_key=secret).load("k")
    with pytest.raises(oauthkit.UsageError, match="Fernet key"):
        FileStore(tmp_path, encryption_key=b"short")
