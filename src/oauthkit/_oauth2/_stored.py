"""A manager's token in a token store: adopt what another process saved, save what we issued.

When a :class:`~oauthkit.TokenManager` has a ``store_key``, its token also lives in the
driver's token store (:mod:`oauthkit.stores`), shared by every process that opens it. Renewals
then run under the store's lock too (an :class:`~oauthkit._core._steps.Exclusive` marked
``shared``) and begin by loading: a token another process saved meanwhile is adopted instead
of renewed, so an expiry costs one token request in the whole fleet. What this process
issues is saved over the version it loaded; a save that finds a newer version keeps that one
(a renewal) or writes over it (a token the caller fetched on purpose).

A DPoP-bound token (RFC 9449) is useless without its key, so the manager's DPoP key is saved
in the same record (member :data:`DPOP_KEY`, never handed to the caller's code as part of the
token); a process that adopts a bound token from the store adopts its key too, and a
restarted process keeps using its tokens. The record then holds a private key: give the store
an ``encryption_key`` to keep it sealed at rest.

Everything here is sans-I/O: :class:`LoadToken` and :class:`SaveToken` steps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core._run import log
from .._core._steps import Flow, LoadToken, SaveToken
from .._errors import CorruptEntryError, StoreConflictError, UsageError
from ._token import Token

if TYPE_CHECKING:
    from ._manager import TokenManager

__all__ = ["DPOP_KEY", "load_stored", "save_stored"]


def load_stored(manager: TokenManager) -> Flow[Token | None]:
    """Adopt the stored token when another process saved one since ours; return the current.

    Raises:
        CorruptEntryError: The stored record is not a token.
        StoreError: The store cannot be read.
    """
    key = manager.store_key
    if key is None:
        return manager.token
    record = yield LoadToken(key)
    if record is None or record.version == manager.stored_version:
        return manager.token
    data = dict(record.token)
    jwk = data.pop(DPOP_KEY, None)
    try:
        token = Token.from_dict(data)
        if jwk is not None:
            _adopt_key(manager, jwk)
    except UsageError as exc:
        raise CorruptEntryError(str(exc), store="token store", key=key) from None
    log.debug("adopted the token version %d from the store", record.version)
    manager.stored_version = record.version
    return manager.adopt(token)


DPOP_KEY = "oauthkit_dpop_jwk"
"""The record member that holds the private JWK a DPoP-bound token is bound to."""


def _adopt_key(manager: TokenManager, jwk: object) -> None:
    from ._dpop import DPoPKey

    if not isinstance(jwk, dict):
        raise UsageError("the stored DPoP key is not a JWK")
    key = DPoPKey(jwk)
    current = manager.dpop
    if current is None or current.thumbprint != key.thumbprint:
        log.debug("adopted the DPoP key of the stored token")
        manager.dpop = key


def save_stored(manager: TokenManager, token: Token, *, overwrite: bool) -> Flow[Token]:
    """Save ``token`` over the version this manager loaded; return the token now current.

    With ``overwrite`` (a token the caller asked for), a newer stored version is written over;
    otherwise (a renewal) the newer one is adopted and ours dropped.

    Raises:
        StoreError: The store cannot be written.
    """
    key = manager.store_key
    if key is None:
        return token
    # With expires_in as granted beside expires_at, a process that loads it knows the token's
    # lifetime, and does not renew a short-lived token the moment it adopts it.
    data = token.to_dict(now=token.issued_at) if token.issued_at is not None else token.to_dict()
    if manager.dpop is not None and token.token_type.lower() == "dpop":
        data[DPOP_KEY] = manager.dpop.to_jwk()  # a bound token is useless without its key
    try:
        version = yield SaveToken(key, data, manager.stored_version)
    except StoreConflictError:
        if not overwrite:
            log.debug("another process saved a newer token; adopting it")
            adopted = yield from load_stored(manager)
            return adopted if adopted is not None else token
        record = yield LoadToken(key)
        version = yield SaveToken(key, data, None if record is None else record.version)
    if version is not None:
        manager.stored_version = version
    return token
