"""What every token store offers: load by key, save only over the version loaded, delete, a lock
per key.

A store keeps token *records*: the token as a JSON object (what :meth:`oauthkit.Token.to_dict`
writes) and a version that grows by one with every save. :meth:`TokenStore.save` is a
compare-and-set: it writes only if the stored version is still the one the caller loaded, so a
process that renewed late never overwrites a token another process saved since. The lock is
what makes one renewal per expiry possible across processes: the renewer takes it, loads again,
and either adopts what another process saved meanwhile or renews and saves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .._core._extras import require
from .._errors import CorruptEntryError, UsageError

__all__ = [
    "SCHEMA",
    "AsyncTokenStore",
    "Records",
    "StoredToken",
    "TokenStore",
    "check_key",
    "decode_record",
    "encode_record",
]

# The record format; a store refuses records of another one rather than guess.
SCHEMA = 1


@dataclass(frozen=True, slots=True)
class StoredToken:
    """A token record as a store holds it.

    Attributes:
        token: The token dictionary (JSON-safe), as :meth:`oauthkit.Token.to_dict` writes it.
        version: Grows by one with each save of this key; pass it back to
            :meth:`TokenStore.save` to save over exactly this record.
    """

    token: Mapping[str, Any]
    version: int

    def __repr__(self) -> str:
        return f"StoredToken(version={self.version}, keys={sorted(self.token)!r})"


@runtime_checkable
class TokenStore(Protocol):
    """A place where tokens are kept by key, shared by every process that opens it."""

    def load(self, key: str) -> StoredToken | None:
        """The record for ``key``, or ``None`` when there is none.

        Raises:
            CorruptEntryError: The stored entry is not a record oauthkit wrote.
            StoreError: The store cannot be read.
        """
        ...

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """Store ``token`` under ``key`` if the stored version is still ``version`` (``None``:
        there must be no record yet); return the new version.

        Raises:
            StoreConflictError: Another save came first; nothing was written.
            StoreError: The store cannot be written.
        """
        ...

    def delete(self, key: str) -> bool:
        """Remove ``key``'s record (a logout); return whether there was one.

        Idempotent: deleting a missing key returns ``False``. The record goes at once for every
        process (a reader sees it or nothing), and a renewal that loaded it before then cannot
        bring it back: its compare-and-set save finds no record and raises
        :class:`~oauthkit.StoreConflictError`. A later save with ``version=None`` starts again
        at version 1.

        Raises:
            UsageError: ``key`` is not a usable key.
            StoreError: The store cannot be written.
        """
        ...

    def lock(self, key: str, *, timeout: float | None) -> AbstractContextManager[None]:
        """Hold ``key``'s lock, which spans every process using this store.

        A holder that dies loses the lock (the operating system releases it, or its lease
        ends), so a crash never blocks the key forever.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
        """
        ...


@runtime_checkable
class AsyncTokenStore(Protocol):
    """:class:`TokenStore` for asyncio: the same operations, awaited (``AsyncRedisStore``).

    Async clients use it natively; they run a blocking :class:`TokenStore` in worker threads.
    """

    async def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        ...

    async def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        ...

    async def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`."""
        ...

    def lock(self, key: str, *, timeout: float | None) -> AbstractAsyncContextManager[None]:
        """See :meth:`TokenStore.lock`."""
        ...


def check_key(key: object) -> str:
    """``key`` if it is a usable store key.

    Raises:
        UsageError: Not a non-empty string of printable characters, or too long.
    """
    if not isinstance(key, str) or not key or len(key) > 512 or not key.isprintable():
        raise UsageError("a token store key must be a printable string of 1 to 512 characters")
    return key


def encode_record(key: str, token: Mapping[str, Any], version: int, cipher: Any = None) -> str:
    """The record as JSON text (strict: no NaN or Infinity); with a Fernet ``cipher``, the
    token and its key sealed together (``sealed``), so a blob cannot pass for another key's.

    Raises:
        UsageError: ``token`` is not a JSON-safe mapping with an ``access_token``.
    """
    if not isinstance(token, Mapping) or not isinstance(token.get("access_token"), str):
        raise UsageError("a stored token must be a mapping with a string access_token")
    record: dict[str, Any] = {"schema": SCHEMA, "key": key, "version": version}
    try:
        if cipher is None:
            record["token"] = dict(token)
        else:
            inner = json.dumps({"key": key, "token": dict(token)}, allow_nan=False)
            record["sealed"] = cipher.encrypt(inner.encode("utf-8")).decode("ascii")
        return json.dumps(record, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"a stored token must be JSON-safe: {exc}") from None


def decode_record(text: str | bytes, *, store: str, key: str, cipher: Any = None) -> StoredToken:
    """Read a record written by :func:`encode_record` for ``key`` (with the same ``cipher``).

    Raises:
        CorruptEntryError: Not JSON, another schema, another key, the wrong shapes, or not
            decryptable with this store's key (or not encrypted, though it should be).
    """

    def corrupt(why: str) -> CorruptEntryError:
        return CorruptEntryError(why, store=store, key=key)

    data = _json(text, corrupt)
    if not isinstance(data, dict):
        raise corrupt("the entry is not a JSON object")
    if data.get("schema") != SCHEMA:
        raise corrupt(f"the entry has schema {data.get('schema')!r}, not {SCHEMA}")
    if data.get("key") != key:
        raise corrupt("the entry belongs to another key")
    version, token = data.get("version"), data.get("token")
    if type(version) is not int or version < 1:
        raise corrupt("the entry has no valid version")
    sealed = data.get("sealed")
    if (sealed is None) != (cipher is None):
        raise corrupt(
            "the entry is encrypted: pass the store its encryption_key"
            if cipher is None
            else "the entry is not encrypted, though this store encrypts"
        )
    if cipher is not None:
        token = _unseal(sealed, cipher, key, corrupt)
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        raise corrupt("the entry holds no token")
    return StoredToken(token, version)


def _json(text: str | bytes, corrupt: Any) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise corrupt("the entry is not JSON") from None


def _unseal(sealed: object, cipher: Any, key: str, corrupt: Any) -> object:
    from cryptography.fernet import InvalidToken

    if not isinstance(sealed, str):
        raise corrupt("the entry's sealed token is not text")
    try:
        inner = _json(cipher.decrypt(sealed.encode("ascii")), corrupt)
    except (InvalidToken, UnicodeEncodeError):
        raise corrupt("cannot decrypt the entry: another encryption_key, or altered") from None
    if not isinstance(inner, dict) or inner.get("key") != key:
        raise corrupt("the sealed token belongs to another key")
    return inner.get("token")


class Records:
    """How a store writes and reads its records: sealed with Fernet when it has a key.

    Args:
        encryption_key: A Fernet key (``cryptography.fernet.Fernet.generate_key()``) the
            tokens are encrypted with at rest, or ``None``.

    Raises:
        MissingExtraError: ``cryptography`` is not installed (the ``encrypt`` extra).
        UsageError: Not a Fernet key.
    """

    def __init__(self, encryption_key: bytes | str | None = None) -> None:
        self._cipher: Any = None
        if encryption_key is not None:
            fernet = require("cryptography.fernet", "encrypt", "an encrypted token store")
            try:
                self._cipher = fernet.Fernet(encryption_key)
            except (ValueError, TypeError):
                raise UsageError(
                    "encryption_key must be a Fernet key: cryptography.fernet.Fernet.generate_key()"
                ) from None

    def _encode(self, key: str, token: Mapping[str, Any], version: int) -> str:
        return encode_record(key, token, version, self._cipher)

    def _decode(self, text: str | bytes, key: str) -> StoredToken:
        return decode_record(text, store=repr(self), key=key, cipher=self._cipher)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")
