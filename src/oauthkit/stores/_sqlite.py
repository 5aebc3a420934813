"""A token store in an SQLite database: several processes of one machine share one file.

The database runs in WAL mode with a busy timeout and ``secure_delete`` (a replaced or deleted
token's bytes are overwritten with zeros), and every write is one short
``BEGIN IMMEDIATE`` transaction: a save compares the version and writes in the same
transaction, so the compare-and-set holds across processes. The lock is a row with an owner and
a lease, taken in such a transaction, rather than a write transaction held open for the length
of a renewal (which would stop every other key's saves meanwhile). A holder that dies loses the
lock when its lease ends.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._core._random import random_hex
from .._errors import LockTimeoutError, StoreConflictError, StoreError, UsageError
from ._base import SCHEMA, Records, StoredToken, check_key

__all__ = ["SQLiteStore"]

_POLL = 0.02  # seconds between attempts at a taken lock
_TABLES = (
    "CREATE TABLE IF NOT EXISTS oauthkit_meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS oauthkit_tokens"
    " (key TEXT PRIMARY KEY, version INTEGER NOT NULL, record TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS oauthkit_locks"
    " (key TEXT PRIMARY KEY, owner TEXT NOT NULL, expires REAL NOT NULL)",
)


class SQLiteStore(Records):
    """Tokens in the SQLite database at ``path`` (created with mode 0600 when missing).

    Args:
        path: The database file.
        lease: Seconds a lock is held at most; a holder that dies (or runs longer) loses it.
            Keep it above the longest renewal (the default timeout is 30 seconds).
        busy_timeout: Seconds a write waits for another process's write to finish.
        encryption_key: A Fernet key the tokens are encrypted with at rest (the ``encrypt``
            extra); ``None`` keeps them in clear.

    Raises:
        UsageError: A lease or busy timeout that is not a positive number.
        StoreError: The file is not an SQLite database, or one of another schema.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        lease: float = 60.0,
        busy_timeout: float = 10.0,
        encryption_key: bytes | str | None = None,
    ) -> None:
        super().__init__(encryption_key)
        for name, value in (("lease", lease), ("busy_timeout", busy_timeout)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise UsageError(f"{name} must be a positive number of seconds")
        self.path = Path(path)
        self.lease = float(lease)
        self.busy_timeout = float(busy_timeout)
        self._local = threading.local()
        if not self.path.exists():
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        try:
            with self._write() as db:
                for statement in _TABLES:
                    db.execute(statement)
                db.execute(
                    "INSERT OR IGNORE INTO oauthkit_meta (name, value) VALUES ('schema', ?)",
                    (SCHEMA,),
                )
                (schema,) = db.execute(
                    "SELECT value FROM oauthkit_meta WHERE name = 'schema'"
                ).fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"not a usable database: {exc}", store=repr(self), key="*") from None
        if schema != SCHEMA:
            raise StoreError(f"schema {schema}, not {SCHEMA}", store=repr(self), key="*")

    def __repr__(self) -> str:
        return f"SQLiteStore({str(self.path)!r})"

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=self.busy_timeout, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA secure_delete=ON")  # a replaced or deleted record is zeroed
            self._local.db = db
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _error(self, message: str, key: str, exc: sqlite3.Error) -> StoreError:
        return StoreError(f"{message}: {exc}", store=repr(self), key=key)

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        check_key(key)
        try:
            row = (
                self._db()
                .execute("SELECT record FROM oauthkit_tokens WHERE key = ?", (key,))
                .fetchone()
            )
        except sqlite3.Error as exc:
            raise self._error("cannot read", key, exc) from None
        return None if row is None else self._decode(row[0], key)

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        check_key(key)
        try:
            with self._write() as db:
                row = db.execute(
                    "SELECT version FROM oauthkit_tokens WHERE key = ?", (key,)
                ).fetchone()
                if (None if row is None else row[0]) != version:
                    raise StoreConflictError("another save came first", store=repr(self), key=key)
                new = 1 if version is None else version + 1
                db.execute(
                    "INSERT OR REPLACE INTO oauthkit_tokens (key, version, record)"
                    " VALUES (?, ?, ?)",
                    (key, new, self._encode(key, token, new)),
                )
        except sqlite3.Error as exc:
            raise self._error("cannot write", key, exc) from None
        return new

    def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`: one write transaction.

        The record's bytes are zeroed in the database (``secure_delete``), and the write-ahead
        log, which may still hold earlier pages with the token, is checkpointed and truncated
        (fully only when no other connection is reading at that moment).
        """
        check_key(key)
        try:
            with self._write() as db:
                deleted = db.execute("DELETE FROM oauthkit_tokens WHERE key = ?", (key,))
                found = deleted.rowcount > 0
            if found:
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error as exc:
            raise self._error("cannot write", key, exc) from None
        return found

    @contextlib.contextmanager
    def lock(self, key: str, *, timeout: float | None) -> Iterator[None]:
        """See :meth:`TokenStore.lock`.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
            StoreError: The database cannot be written.
        """
        check_key(key)
        owner = random_hex(16)
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._take(key, owner):
            if deadline is not None and time.monotonic() >= deadline:
                raise LockTimeoutError(
                    f"{self!r}, key {key!r}: gave up after {timeout:.3g} s waiting for the lock "
                    "another process holds"
                )
            time.sleep(_POLL)
        try:
            yield
        finally:
            try:
                with self._write() as db:
                    db.execute(
                        "DELETE FROM oauthkit_locks WHERE key = ? AND owner = ?", (key, owner)
                    )
            except sqlite3.Error as exc:
                raise self._error("cannot release the lock", key, exc) from None

    def _take(self, key: str, owner: str) -> bool:
        try:
            with self._write() as db:
                now = time.time()  # leases span processes: the wall clock they share
                row = db.execute(
                    "SELECT expires FROM oauthkit_locks WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and row[0] > now:
                    return False
                db.execute(
                    "INSERT OR REPLACE INTO oauthkit_locks (key, owner, expires) VALUES (?, ?, ?)",
                    (key, owner, now + self.lease),
                )
                return True
        except sqlite3.Error as exc:
            raise self._error("cannot take the lock", key, exc) from None
