"""A token store in a directory: one JSON file per key, written atomically, mode 0600.

Each record is written to a temporary file in the same directory (created with mode 0600),
flushed to disk, renamed over the old one and the directory flushed too, so a reader sees the
old record or the new one, never a torn one, and a crash loses neither. The lock is an
operating-system file lock (``fcntl.flock``) on a sidecar file: it spans processes, and the
system releases it when its holder exits, so a crash never leaves a key locked.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._errors import LockTimeoutError, StoreConflictError, StoreError, UsageError
from ._base import Records, StoredToken, check_key

__all__ = ["FileStore", "file_lock", "write_private_file"]

_POLL = 0.02  # seconds between attempts at a taken lock


class FileStore(Records):
    """Tokens in ``directory`` (created with mode 0700 when missing), shared by every process
    of this machine that opens the same directory. POSIX systems only (``fcntl``).
    ``encryption_key``: a Fernet key the tokens are encrypted with at rest (the ``encrypt``
    extra); ``None`` keeps them in clear.

    Raises:
        UsageError: ``directory`` exists and is not a directory, or a bad ``encryption_key``.
    """

    def __init__(
        self, directory: str | os.PathLike[str], *, encryption_key: bytes | str | None = None
    ) -> None:
        super().__init__(encryption_key)
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise UsageError(f"{self.directory} is not a directory")
        self._guard = threading.Lock()  # one save at a time in this process, per store

    def __repr__(self) -> str:
        return f"FileStore({str(self.directory)!r})"

    def _path(self, key: str) -> Path:
        # Keys may hold any printable character; the file name must not.
        digest = hashlib.sha256(check_key(key).encode("utf-8")).hexdigest()[:40]
        return self.directory / f"{digest}.json"

    def _error(self, message: str, key: str, exc: OSError) -> StoreError:
        return StoreError(f"{message}: {exc.strerror or exc}", store=repr(self), key=key)

    def load(self, key: str) -> StoredToken | None:
        """See :meth:`TokenStore.load`."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise self._error("cannot read the token file", key, exc) from None
        return self._decode(data, key)

    def save(self, key: str, token: Mapping[str, Any], *, version: int | None) -> int:
        """See :meth:`TokenStore.save`. The compare-and-set holds across processes: it runs
        under a short lock of its own (not :meth:`lock`'s, which a renewal holds meanwhile)."""
        path = self._path(key)
        with self._guard, self._flock(path.with_suffix(".write"), key, None):
            current = self.load(key)
            if (None if current is None else current.version) != version:
                raise StoreConflictError("another save came first", store=repr(self), key=key)
            new = 1 if version is None else version + 1
            text = self._encode(key, token, new)
            try:
                write_private_file(path, text.encode("utf-8"))
            except OSError as exc:
                raise self._error("cannot write the token file", key, exc) from None
            return new

    def delete(self, key: str) -> bool:
        """See :meth:`TokenStore.delete`. Under the same short lock as :meth:`save`.

        The file is first renamed out of its name (atomic: a reader finds the record or none),
        then overwritten with zeros, flushed and unlinked, so that no token stays in the
        directory, not even in a file another process still has open. (A copy-on-write or
        flash file system may keep old blocks underneath: open the store with an
        ``encryption_key`` for tokens that must not outlive a logout anywhere.) The lock files
        beside it hold no token and stay: another process may hold them.
        """
        path = self._path(key)
        with self._guard, self._flock(path.with_suffix(".write"), key, None):
            doomed = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.del")
            try:
                os.replace(path, doomed)
            except FileNotFoundError:
                return False
            except OSError as exc:
                raise self._error("cannot delete the token file", key, exc) from None
            try:
                self._scrub(doomed)
            except OSError as exc:
                raise self._error("cannot delete the token file", key, exc) from None
            return True

    def _scrub(self, path: Path) -> None:
        with open(path, "r+b") as handle:
            handle.write(bytes(os.fstat(handle.fileno()).st_size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
        _sync_directory(self.directory)

    def lock(self, key: str, *, timeout: float | None) -> contextlib.AbstractContextManager[None]:
        """See :meth:`TokenStore.lock`.

        Raises:
            LockTimeoutError: Not acquired within ``timeout`` seconds.
            StoreError: The lock file cannot be opened.
        """
        return self._flock(self._path(key).with_suffix(".lock"), key, timeout)

    def _flock(
        self, path: Path, key: str, timeout: float | None
    ) -> contextlib.AbstractContextManager[None]:
        return file_lock(path, timeout, store=repr(self), key=key)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, with mode 0600 (its directory created 0700).

    A temporary file in the same directory, flushed to disk, renamed over ``path``, and the
    directory flushed: a reader sees the old content or the new, never a torn one, and a crash
    loses neither. (The CLI writes its configuration file the same way.)

    Raises:
        OSError: The file cannot be written.
    """
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def file_lock(path: Path, timeout: float | None, *, store: str, key: str) -> Iterator[None]:
    """Hold an exclusive ``fcntl.flock`` on ``path`` (created 0600, its directory 0700).

    The system releases it when the holder's process exits, however it exits.

    Raises:
        LockTimeoutError: Not acquired within ``timeout`` seconds.
        StoreError: The lock file cannot be opened.
    """
    import fcntl

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise StoreError(
            f"cannot open the lock file: {exc.strerror or exc}", store=store, key=key
        ) from None
    try:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if deadline is not None and time.monotonic() >= deadline:
                    raise LockTimeoutError(
                        f"{store}, key {key!r}: gave up after {timeout:.3g} s waiting for the "
                        "lock another process holds"
                    ) from None
                time.sleep(_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
