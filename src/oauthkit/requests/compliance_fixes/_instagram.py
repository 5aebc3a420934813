"""Instagram: the access token as an ``access_token`` query parameter.

Instagram's legacy API read the token only from the ``access_token`` query parameter
(RFC 6750 §2.3), not from the ``Authorization`` header (§2.1) clients send by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from ._common import (
    RequestHook,
    TokenSession,
    add_query_parameter,
    has_query_parameter,
    require_access_token,
)

__all__ = ["instagram_compliance_fix"]

_S = TypeVar("_S", bound=TokenSession)


def _query_token_hook(session: TokenSession) -> RequestHook:
    def add_access_token(
        url: str, headers: Mapping[str, str] | None, data: Any
    ) -> tuple[str, Mapping[str, str] | None, Any]:
        # A token already in the URL is the caller's choice and is left alone.
        if has_query_parameter(url, "access_token"):
            return url, headers, data
        token = require_access_token(session, "instagram")
        return add_query_parameter(url, "access_token", token), headers, data

    return add_access_token


def instagram_compliance_fix(session: _S) -> _S:
    """Send the session's access token in the ``access_token`` query parameter (RFC 6750 §2.3).

    Registers a ``protected_request`` hook that appends
    ``access_token=<session.access_token>`` to the URL unless its query already has a
    non-empty ``access_token``. Headers and body pass through unchanged.

    Args:
        session: The session to hook into; the hook reads ``session.access_token`` on each
            request, so a refreshed token is used.

    Returns:
        ``session``, for chaining.

    The hook raises :class:`~oauthkit.UsageError` when the session has no access token, or
    when the URL cannot be parsed or extended.
    """
    session.register_compliance_hook("protected_request", _query_token_hook(session))
    return session
