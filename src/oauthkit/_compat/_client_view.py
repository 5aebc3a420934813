"""requests-oauthlib's ``session._client``: the client object, as a view of the session state.

requests-oauthlib keeps a session's ``client_id``, ``access_token``, ``token``, ``code`` and PKCE
verifier on an oauthlib client object, and code reaches them there (``session._client.code =
...``, ``session._client.access_token``). :class:`ClientView` offers the same attributes over an
:class:`~oauthkit._compat._session.OAuth2SessionState`, so that setting one is seen by the
next request; no oauthlib object is involved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._session import OAuth2SessionState

__all__ = ["ClientView"]


class ClientView:
    """The attributes of requests-oauthlib's ``session._client`` that code sets and reads."""

    __slots__ = ("_state",)

    def __init__(self, state: OAuth2SessionState) -> None:
        self._state = state

    def __repr__(self) -> str:
        return f"<oauthkit client view of {self._state.client_id!r}>"

    @property
    def client_id(self) -> str | None:
        """The client identifier (``None`` once deleted)."""
        return self._state.client_id or None

    @client_id.setter
    def client_id(self, value: str | None) -> None:
        self._state.set_client_id(value)

    @client_id.deleter
    def client_id(self) -> None:
        self._state.set_client_id(None)

    @property
    def access_token(self) -> str | None:
        """The current access token; setting one keeps the rest of the token."""
        token = self._state.core.token
        return None if token is None else token.access_token

    @access_token.setter
    def access_token(self, value: str) -> None:
        self._state.set_access_token(value)

    @access_token.deleter
    def access_token(self) -> None:
        self._state.core.token = None

    @property
    def token(self) -> dict[str, Any]:
        """The token as requests-oauthlib's dictionary (``{}`` when there is none)."""
        return self._state.token_dict

    @token.setter
    def token(self, value: Mapping[str, Any] | None) -> None:
        self._state.core.token = value or None

    @property
    def code(self) -> str | None:
        """The authorization code the next ``fetch_token`` exchanges when given none."""
        return self._state.code

    @code.setter
    def code(self, value: str | None) -> None:
        self._state.code = value

    @property
    def code_verifier(self) -> str | None:
        """The PKCE verifier sent with the next code exchange."""
        return self._state.code_verifier

    @code_verifier.setter
    def code_verifier(self, value: str | None) -> None:
        self._state.code_verifier = value
