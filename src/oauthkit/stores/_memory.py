"""A token store in this process's memory: today's behaviour, as a store."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .._errors import StoreConflictError
from .._locks import ThreadLocks
from ._base import StoredToken, check_key, decode_record, encode_record

__all__ = ["MemoryStore"]


class MemoryStore:
    """Tokens kept in memory, shared by the threads of one process; gone when it exits.

    Records are kept encoded, exactly as the other stores keep them, so a token that a file or a
    database would refuse is refused here too.
    """

    def __init__(self) -> None:
        self._records: dict[str, str] = {}
        self._guard = threading.Lock()
        self._locks = ThreadLocks()

    def __repr__(self) -> str:
        return f"MemoryStore({len(self._records)} keys)"

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        check_key(key)
        text = self._records.get(key)
        return None if text is None else decode_record(text, store=repr(self), key=key)

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        check_key(key)
        with self._guard:
            text = self._records.get(key)
            current = None if text is None else decode_record(text, store=repr(self), key=key)
            if (None if current is None else current.version) != version:
                raise StoreConflictError("another save came first", store="memory store", key=key)
            new = 1 if version is None else version + 1
            self._records[key] = encode_record(key, token, new)
            return new

    @contextmanager
    def lock(self, key: str, *, timeout: float | None) -> Iterator[None]:
        """See :meth:`TokenStore.lock`."""
        check_key(key)
        with self._locks.hold(f"store:{key}", timeout):
            yield
