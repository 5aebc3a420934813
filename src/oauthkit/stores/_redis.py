"""A token store in Redis: every process on every machine that reaches the server shares it.

* **Records** are hashes (``version``, ``record``); a save is one Lua script that compares the
  version and writes, so the compare-and-set is atomic on the server; a delete is one ``DEL``.
* **The lock** is ``SET key owner NX PX lease``: a random owner value, released by a script only
  by its owner. While a slow renewal runs, a watchdog thread extends the lease (every third of
  it, again only while still the owner); a holder that dies stops extending, and the lock
  lapses within one lease.
* **Keys** of one token share a hash tag (``oauthkit:{digest}:token``, ``...:lock``), so the
  keys fit Redis Cluster, where both must live in one slot (not tested on a cluster yet).

Needs the ``redis`` extra (redis-py); any client redis-py makes (``redis.Redis``,
``redis.Redis.from_url``, a Sentinel or Cluster client) can be passed in.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from .._core._extras import require
from .._core._random import random_hex
from .._errors import LockTimeoutError, StoreConflictError, StoreError, UsageError
from ._base import Records, StoredToken, check_key

__all__ = ["AsyncRedisStore", "RedisStore"]

_POLL = 0.02  # seconds between attempts at a taken lock
# KEYS[1] the record hash; ARGV: expected version ("" for none), new version, record.
_SAVE = """
local current = redis.call('HGET', KEYS[1], 'version')
if (current or '') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'version', ARGV[2], 'record', ARGV[3])
return 1
"""
# KEYS[1] the lock; ARGV[1] the owner.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS[1] the lock; ARGV: the owner, the lease in milliseconds.
_EXTEND = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class _Redis(Records):
    """What the sync and asyncio Redis stores share: keys, scripts, checks and messages."""

    def __init__(
        self, client: Any, prefix: str, lease: float, encryption_key: bytes | str | None
    ) -> None:
        super().__init__(encryption_key)
        if isinstance(lease, bool) or not isinstance(lease, (int, float)) or not lease > 0:
            raise UsageError("lease must be a positive number of seconds")
        if not isinstance(prefix, str) or not prefix:
            raise UsageError("prefix must be a non-empty string")
        self.client = client
        self.prefix = prefix
        self.lease = float(lease)
        self._save = client.register_script(_SAVE)
        self._release = client.register_script(_RELEASE)
        self._extend = client.register_script(_EXTEND)

    def __repr__(self) -> str:
        pool = getattr(self.client, "connection_pool", None)
        kwargs = getattr(pool, "connection_kwargs", {}) or {}
        where = f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"
        return f"{type(self).__name__}({where!r}, prefix={self.prefix!r})"

    def _keys(self, key: str) -> tuple[str, str]:
        tag = hashlib.sha256(check_key(key).encode("utf-8")).hexdigest()[:32]
        return f"{self.prefix}:{{{tag}}}:token", f"{self.prefix}:{{{tag}}}:lock"

    def _error(self, message: str, key: str, exc: Exception) -> StoreError:
        return StoreError(f"{message}: {exc}", store=repr(self), key=key)

    def _save_call(
        self, key: str, token: Mapping[str, Any], version: int | None
    ) -> tuple[dict[str, Any], int]:
        """The save script's keys and arguments, and the version it writes."""
        record_key, _ = self._keys(key)
        new = 1 if version is None else version + 1
        expected = "" if version is None else str(version)
        return {"keys": [record_key], "args": [expected, new, self._encode(key, token, new)]}, new

    def _saved(self, saved: object, key: str, new: int) -> int:
        if not saved:
            raise StoreConflictError("another save came first", store=repr(self), key=key)
        return new

    def _loaded(self, record: bytes | None, key: str) -> StoredToken | None:
        return None if record is None else self._decode(record, key)

    def _timed_out(self, key: str, timeout: float | None) -> LockTimeoutError:
        return LockTimeoutError(
            f"{self!r}, key {key!r}: gave up after {timeout:.3g} s waiting for the lock another "
            "process holds"
        )


class RedisStore(_Redis):
    """Tokens in Redis, shared by every process and machine that reaches the server.

    Args:
        client: A redis-py client (``redis.Redis`` or compatible), or a URL for
            ``redis.Redis.from_url`` (``redis://host:6379/0``, ``rediss://...``).
        prefix: The first part of every key this store writes.
        lease: Seconds a lock lives without its holder extending it.
        encryption_key: A Fernet key the tokens are encrypted with at rest (the ``encrypt``
            extra); ``None`` keeps them in clear.

    Raises:
        MissingExtraError: redis-py is not installed.
        UsageError: A lease that is not a positive number, or an empty prefix.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "oauthkit",
        lease: float = 30.0,
        encryption_key: bytes | str | None = None,
    ) -> None:
        require("redis", "redis", "oauthkit.stores.RedisStore")
        self._owns_client = isinstance(client, str)
        if isinstance(client, str):
            import redis

            client = redis.Redis.from_url(client)
        super().__init__(client, prefix, lease, encryption_key)

    def close(self) -> None:
        """Close the client, if this store made it from a URL."""
        if self._owns_client:
            self.client.close()

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        import redis

        try:
            return self._loaded(self.client.hget(self._keys(key)[0], "record"), key)
        except redis.RedisError as exc:
            raise self._error("cannot read", key, exc) from None

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        import redis

        call, new = self._save_call(key, token, version)
        try:
            return self._saved(self._save(**call), key, new)
        except redis.RedisError as exc:
            raise self._error("cannot write", key, exc) from None

    def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`: one ``DEL``, atomic on the server like a save."""
        import redis

        try:
            return bool(self.client.delete(self._keys(key)[0]))
        except redis.RedisError as exc:
            raise self._error("cannot delete", key, exc) from None

    @contextlib.contextmanager
    def lock(self, key: str, *, timeout: float | None) -> Iterator[None]:
        """See :meth:`TokenStore.lock`.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
            StoreError: Redis cannot be reached.
        """
        import redis

        _, lock_key = self._keys(key)
        owner = random_hex(16)
        lease_ms = int(self.lease * 1000)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not self.client.set(lock_key, owner, nx=True, px=lease_ms):
                if deadline is not None and time.monotonic() >= deadline:
                    raise self._timed_out(key, timeout)
                time.sleep(_POLL)
        except redis.RedisError as exc:
            raise self._error("cannot take the lock", key, exc) from None
        stop = threading.Event()
        watchdog = threading.Thread(
            target=self._keep, args=(lock_key, owner, lease_ms, stop), daemon=True
        )
        watchdog.start()
        try:
            yield
        finally:
            stop.set()
            watchdog.join()
            try:
                self._release(keys=[lock_key], args=[owner])
            except redis.RedisError as exc:
                raise self._error("cannot release the lock", key, exc) from None

    def _keep(self, lock_key: str, owner: str, lease_ms: int, stop: threading.Event) -> None:
        """Extend the lease every third of it while the lock is held (and still ours)."""
        import redis

        while not stop.wait(self.lease / 3):
            try:
                if not self._extend(keys=[lock_key], args=[owner, lease_ms]):
                    return  # lost (the lease ran out before an extension): the save's CAS guards
            except redis.RedisError:
                continue  # a blip: the next extension may get through before the lease ends


class AsyncRedisStore(_Redis):
    """:class:`RedisStore` for asyncio (an :class:`~oauthkit.stores.AsyncTokenStore`): the same
    records, keys and scripts, so sync and async processes can share one token.

    Args:
        client: A ``redis.asyncio.Redis`` client, or a URL for ``redis.asyncio.Redis.from_url``.
        prefix, lease, encryption_key: As for :class:`RedisStore`.
    """

    def __init__(
        self,
        client: Any,
        *,
        prefix: str = "oauthkit",
        lease: float = 30.0,
        encryption_key: bytes | str | None = None,
    ) -> None:
        require("redis", "redis", "oauthkit.stores.AsyncRedisStore")
        self._owns_client = isinstance(client, str)
        if isinstance(client, str):
            import redis.asyncio

            client = redis.asyncio.Redis.from_url(client)
        super().__init__(client, prefix, lease, encryption_key)

    async def aclose(self) -> None:
        """Close the client, if this store made it from a URL."""
        if self._owns_client:
            await self.client.aclose()

    async def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        import redis

        try:
            return self._loaded(await self.client.hget(self._keys(key)[0], "record"), key)
        except redis.RedisError as exc:
            raise self._error("cannot read", key, exc) from None

    async def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        import redis

        call, new = self._save_call(key, token, version)
        try:
            return self._saved(await self._save(**call), key, new)
        except redis.RedisError as exc:
            raise self._error("cannot write", key, exc) from None

    async def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`."""
        import redis

        try:
            return bool(await self.client.delete(self._keys(key)[0]))
        except redis.RedisError as exc:
            raise self._error("cannot delete", key, exc) from None

    @contextlib.asynccontextmanager
    async def lock(self, key: str, *, timeout: float | None) -> AsyncIterator[None]:
        """See :meth:`TokenStore.lock`."""
        import redis

        _, lock_key = self._keys(key)
        owner = random_hex(16)
        lease_ms = int(self.lease * 1000)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while not await self.client.set(lock_key, owner, nx=True, px=lease_ms):
                if deadline is not None and time.monotonic() >= deadline:
                    raise self._timed_out(key, timeout)
                await asyncio.sleep(_POLL)
        except redis.RedisError as exc:
            raise self._error("cannot take the lock", key, exc) from None
        watchdog = asyncio.ensure_future(self._keep(lock_key, owner, lease_ms))
        try:
            yield
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
            try:
                await self._release(keys=[lock_key], args=[owner])
            except redis.RedisError as exc:
                raise self._error("cannot release the lock", key, exc) from None

    async def _keep(self, lock_key: str, owner: str, lease_ms: int) -> None:
        import redis

        while True:
            await asyncio.sleep(self.lease / 3)
            try:
                if not await self._extend(keys=[lock_key], args=[owner, lease_ms]):
                    return
            except redis.RedisError:
                continue
