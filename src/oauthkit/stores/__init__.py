"""Token stores: where tokens live between processes, and the lock that makes one renewal per
expiry possible across them (issue #11).

* :class:`MemoryStore`: this process only (the default behaviour of sessions);
* :class:`FileStore`: one JSON file per key in a directory, written atomically with mode 0600,
  locked with the operating system's file locks (POSIX);
* :class:`SQLiteStore`: one database file for several processes of one machine;
* :class:`RedisStore`: a Redis server for processes on many machines (the ``redis``
  extra);
* :class:`KeyringStore`: the operating system's keychain (the ``keyring`` extra).

Every store encrypts at rest when given an ``encryption_key`` (the ``encrypt`` extra).

Each implements :class:`TokenStore`: ``load(key)``, a compare-and-set ``save(key, token,
version=...)``, ``delete(key)`` and ``lock(key, timeout=...)``. Names load on first use.
"""

from .._core._exports import lazy_exports

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from ._base import AsyncTokenStore as AsyncTokenStore
    from ._base import StoredToken as StoredToken
    from ._base import TokenStore as TokenStore
    from ._file import FileStore as FileStore
    from ._keyring import KeyringStore as KeyringStore
    from ._memory import MemoryStore as MemoryStore
    from ._redis import AsyncRedisStore as AsyncRedisStore
    from ._redis import RedisStore as RedisStore
    from ._sqlite import SQLiteStore as SQLiteStore

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "AsyncRedisStore": "._redis",
    "AsyncTokenStore": "._base",
    "FileStore": "._file",
    "KeyringStore": "._keyring",
    "MemoryStore": "._memory",
    "RedisStore": "._redis",
    "SQLiteStore": "._sqlite",
    "StoredToken": "._base",
    "TokenStore": "._base",
}

__all__ = [
    "AsyncRedisStore",
    "AsyncTokenStore",
    "FileStore",
    "KeyringStore",
    "MemoryStore",
    "RedisStore",
    "SQLiteStore",
    "StoredToken",
    "TokenStore",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {})
