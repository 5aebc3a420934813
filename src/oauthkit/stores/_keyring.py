"""A token store in the operating system's keychain, through the ``keyring`` package.

Each record is one keychain entry (service ``oauthkit`` by default, user name the token's key).
A keychain has no compare-and-set and no lock that spans processes, so both come from file
locks in a directory beside it (:func:`~oauthkit.stores._file.file_lock`): one held around each
save, one that :meth:`KeyringStore.lock` holds for a renewal.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._core._extras import require
from .._errors import StoreConflictError, StoreError
from ._base import Records, StoredToken, check_key
from ._file import file_lock

__all__ = ["KeyringStore"]


class KeyringStore(Records):
    """Tokens in the OS keychain (macOS Keychain, Windows Credential Locker, the Secret
    Service...), for one machine's processes. POSIX systems only (the locks use ``fcntl``).

    Args:
        lock_directory: Where the lock files go (created with mode 0700).
        service: The keychain service name the entries are filed under.
        backend: A ``keyring`` backend; the default one of this system when not given.
        encryption_key: See :class:`FileStore`.

    Raises:
        MissingExtraError: ``keyring`` is not installed (the ``keyring`` extra).
    """

    def __init__(
        self,
        lock_directory: str | os.PathLike[str],
        *,
        service: str = "oauthkit",
        backend: Any = None,
        encryption_key: bytes | str | None = None,
    ) -> None:
        keyring = require("keyring", "keyring", "oauthkit.stores.KeyringStore")
        super().__init__(encryption_key)
        self.lock_directory = Path(lock_directory)
        self.service = service
        self.backend = backend if backend is not None else keyring.get_keyring()

    def __repr__(self) -> str:
        return f"KeyringStore({self.service!r}, {type(self.backend).__name__})"

    def _lock_path(self, key: str, kind: str) -> Path:
        digest = hashlib.sha256(check_key(key).encode("utf-8")).hexdigest()[:40]
        return self.lock_directory / f"{digest}.{kind}"

    def _error(self, message: str, key: str, exc: Exception) -> StoreError:
        return StoreError(f"{message}: {exc}", store=repr(self), key=key)

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        from keyring.errors import KeyringError

        check_key(key)
        try:
            record = self.backend.get_password(self.service, key)
        except KeyringError as exc:
            raise self._error("cannot read the keychain", key, exc) from None
        return None if record is None else self._decode(record, key)

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`."""
        from keyring.errors import KeyringError

        with file_lock(self._lock_path(key, "write"), None, store=repr(self), key=key):
            current = self.load(key)
            if (None if current is None else current.version) != version:
                raise StoreConflictError("another save came first", store=repr(self), key=key)
            new = 1 if version is None else version + 1
            try:
                self.backend.set_password(self.service, key, self._encode(key, token, new))
            except KeyringError as exc:
                raise self._error("cannot write the keychain", key, exc) from None
            return new

    def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`: the keychain entry removed under the lock that
        :meth:`save` takes."""
        from keyring.errors import KeyringError, PasswordDeleteError

        with file_lock(self._lock_path(key, "write"), None, store=repr(self), key=key):
            try:
                self.backend.delete_password(self.service, key)
            except PasswordDeleteError:
                return False
            except KeyringError as exc:
                raise self._error("cannot write the keychain", key, exc) from None
            return True

    def lock(self, key: str, *, timeout: float | None) -> contextlib.AbstractContextManager[None]:
        """See :meth:`TokenStore.lock`.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
        """
        return file_lock(self._lock_path(key, "lock"), timeout, store=repr(self), key=key)
