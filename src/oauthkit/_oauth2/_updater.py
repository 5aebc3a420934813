"""What every driver's ``OAuth2Auth`` starts from: a manager (or a fixed token) and an updater.

The token updater is requests-oauthlib's hook: it receives the renewed token as a dictionary,
once per automatic renewal, outside the token's lock. An async driver awaits what it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._errors import UsageError
from ._manager import TokenManager
from ._token import Token

__all__ = ["ManagedAuth", "TokenUpdater"]

TokenUpdater = Callable[[dict[str, Any]], Any]
"""Called with the new token dictionary once per automatic renewal; may return an awaitable."""


class ManagedAuth:
    """The shared half of the drivers' ``OAuth2Auth``: a :class:`TokenManager` and an updater.

    Args:
        manager: The sans-I/O client holding configuration and token.
        token: A fixed token, when no ``manager`` is given (it is never renewed).
        token_updater: Called with each renewed token's dictionary.
        token_store: A :class:`oauthkit.stores.TokenStore` shared with other processes; the
            manager's ``store_key`` names the token in it.

    Raises:
        UsageError: Neither ``manager`` nor ``token`` given, or a store without a key.
    """

    def __init__(
        self,
        manager: TokenManager | None,
        token: Mapping[str, Any] | Token | None,
        token_updater: TokenUpdater | None,
        token_store: Any = None,
    ) -> None:
        if manager is None:
            if token is None:
                raise UsageError("OAuth2Auth needs a TokenManager or a token")
            manager = TokenManager("static-token", token=token)
        if token_store is not None and manager.store_key is None:
            raise UsageError("token_store= needs a TokenManager with a store_key")
        self.manager = manager
        self.token_updater = token_updater
        self.token_store = token_store

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.manager!r})"

    @staticmethod
    def dict_of(token: Token, now: float) -> dict[str, Any]:
        """The dictionary the updater receives (a requests-oauthlib-compatible client hands
        over the token as the server sent it instead)."""
        return token.to_dict(now=now)

    def _updated(self, token: Token) -> Any:
        """Hand ``token`` to the updater; its result (an awaitable, perhaps) is returned."""
        updater = self.token_updater
        if updater is None:
            return None
        return updater(self.dict_of(token, self.manager.clock()))
