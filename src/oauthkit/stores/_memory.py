"""A token store in this process's memory: today's behaviour, as a store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .._errors import StoreConflictError
from .._locks import ThreadLocks
from ._base import Records, StoredToken, check_key

__all__ = ["MemoryStore"]


class MemoryStore(Records):
    """Tokens kept in memory, shared by the threads of one process; gone when it exits.

    Records are kept encoded, exactly as the other stores keep them, so a token that a file or a
    database would refuse is refused here too. ``encryption_key``: see :class:`FileStore`.
    """

    def __init__(self, *, encryption_key: bytes | str | None = None) -> None:
        super().__init__(encryption_key)
        self._records: dict[str, str] = {}
        self._guard = threading.Lock()
        self._locks = ThreadLocks()

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._records)} keys)"

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        check_key(key)
        text = self._records.get(key)
        return None if text is None else self._decode(text, key)

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        check_key(key)
        with self._guard:
            text = self._records.get(key)
            current = None if text is None else self._decode(text, key)
            if (None if current is None else current.version) != version:
                raise StoreConflictError("another save came first", store="memory store", key=key)
            new = 1 if version is None else version + 1
            self._records[key] = self._encode(key, token, new)
            return new

    def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`."""
        check_key(key)
        with self._guard:
            return self._records.pop(key, None) is not None

    @contextmanager
    def lock(self, key: str, *, timeout: float | None) -> Iterator[None]:
        """See :meth:`TokenStore.lock`."""
        check_key(key)
        with self._locks.hold(f"store:{key}", timeout):
            yield
