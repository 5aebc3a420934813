"""A :class:`~oauthkit.Token` from fields a parser has already validated.

Token responses are parsed in one pass (:mod:`oauthkit._oauth2._token_response`); running
``Token.__post_init__`` over the same fields again would double the cost of every token
response, so the parser builds the token through the slots' own setters instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ._token import Token

__all__ = ["trusted_token"]

_new = object.__new__
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})
# The slots' own setters: twice as fast as object.__setattr__ by name, on every token response.
(
    _set_access_token,
    _set_token_type,
    _set_expires_at,
    _set_refresh_token,
    _set_scope,
    _set_id_token,
    _set_extra,
    _set_scope_changed,
    _set_issued_at,
    _set_source,
) = (
    vars(Token)[name].__set__
    for name in (
        "access_token",
        "token_type",
        "expires_at",
        "refresh_token",
        "scope",
        "id_token",
        "extra",
        "scope_changed",
        "issued_at",
        "_source",
    )
)


def trusted_token(
    access_token: str,
    token_type: str,
    expires_at: float | None,
    refresh_token: str | None,
    scope: tuple[str, ...] | None,
    id_token: str | None,
    extra: dict[str, Any],
    scope_changed: bool,
    issued_at: float | None,
    source: dict[str, Any] | None = None,
) -> Token:
    """A :class:`Token` from fields a parser has already validated, without validating again.

    Token responses are parsed in one pass (:mod:`oauthkit._oauth2._token_response`); running
    ``__post_init__`` over the same fields would double the cost of every token response.
    """
    token: Token = _new(Token)
    _set_access_token(token, access_token)
    _set_token_type(token, token_type)
    _set_expires_at(token, expires_at)
    _set_refresh_token(token, refresh_token)
    _set_scope(token, scope)
    _set_id_token(token, id_token)
    _set_extra(token, MappingProxyType(extra) if extra else _NO_EXTRA)
    _set_scope_changed(token, scope_changed)
    _set_issued_at(token, issued_at)
    _set_source(token, source)  # a parser's fresh object, shared with nobody
    return token
