"""What every token store offers: load by key, save only over the version loaded, a lock per key.

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
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from .._errors import CorruptEntryError, UsageError

__all__ = ["SCHEMA", "StoredToken", "TokenStore", "check_key", "decode_record", "encode_record"]

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

    def lock(self, key: str, *, timeout: float | None) -> AbstractContextManager[None]:
        """Hold ``key``'s lock, which spans every process using this store.

        A holder that dies loses the lock (the operating system releases it, or its lease
        ends), so a crash never blocks the key forever.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
        """
        ...


def check_key(key: object) -> str:
    """``key`` if it is a usable store key.

    Raises:
        UsageError: Not a non-empty string of printable characters, or too long.
    """
    if not isinstance(key, str) or not key or len(key) > 512 or not key.isprintable():
        raise UsageError("a token store key must be a printable string of 1 to 512 characters")
    return key


def encode_record(key: str, token: Mapping[str, Any], version: int) -> str:
    """The record as JSON text (strict: no NaN or Infinity).

    Raises:
        UsageError: ``token`` is not a JSON-safe mapping with an ``access_token``.
    """
    if not isinstance(token, Mapping) or not isinstance(token.get("access_token"), str):
        raise UsageError("a stored token must be a mapping with a string access_token")
    try:
        return json.dumps(
            {"schema": SCHEMA, "key": key, "version": version, "token": dict(token)},
            allow_nan=False,
            separators=(",", ":"),
        )
    except (TypeError, ValueError) as exc:
        raise UsageError(f"a stored token must be JSON-safe: {exc}") from None


def decode_record(text: str | bytes, *, store: str, key: str) -> StoredToken:
    """Read a record written by :func:`encode_record` for ``key``.

    Raises:
        CorruptEntryError: Not JSON, another schema, another key, or the wrong shapes.
    """

    def corrupt(why: str) -> CorruptEntryError:
        return CorruptEntryError(why, store=store, key=key)

    try:
        data = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise corrupt("the entry is not JSON") from None
    if not isinstance(data, dict):
        raise corrupt("the entry is not a JSON object")
    if data.get("schema") != SCHEMA:
        raise corrupt(f"the entry has schema {data.get('schema')!r}, not {SCHEMA}")
    if data.get("key") != key:
        raise corrupt("the entry belongs to another key")
    version, token = data.get("version"), data.get("token")
    if type(version) is not int or version < 1:
        raise corrupt("the entry has no valid version")
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        raise corrupt("the entry holds no token")
    return StoredToken(token, version)


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")
