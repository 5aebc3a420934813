"""Slack: the access token as a ``token`` parameter.

Slack's Web API historically read the token from a ``token`` form or query parameter, not from
RFC 6750's ``Authorization: Bearer`` header (§2.1) or ``access_token`` parameter (§2.2, §2.3).
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

__all__ = ["slack_compliance_fix"]

_S = TypeVar("_S", bound=TokenSession)


def _token_parameter_hook(session: TokenSession) -> RequestHook:
    def add_token_parameter(
        url: str, headers: Mapping[str, str] | None, data: Any
    ) -> tuple[str, Mapping[str, str] | None, Any]:
        # A token the caller put in the URL or the form deliberately wins over the session's:
        # that is how a request is made with another token (a bot token, say).
        if has_query_parameter(url, "token"):
            return url, headers, data
        if isinstance(data, dict) and data.get("token"):
            return url, headers, data
        token = require_access_token(session, "slack")
        if not data:
            return url, headers, {"token": token}
        if isinstance(data, dict):
            # A copy: requests-oauthlib writes into the caller's dict, which then carries the
            # token into any later request made with it.
            return url, headers, {**data, "token": token}
        # A string, bytes, a file or a list of pairs cannot be extended safely: use the query.
        return add_query_parameter(url, "token", token), headers, data

    return add_token_parameter


def slack_compliance_fix(session: _S) -> _S:
    """Send the session's access token as Slack's ``token`` parameter.

    Registers a ``protected_request`` hook. Unless the URL's query already has a non-empty
    ``token``, or ``data`` is a dict with a non-empty ``token``, the hook adds
    ``token=<session.access_token>``: as the form body when ``data`` is empty, into a copy of
    ``data`` when it is a dict, and to the URL's query otherwise. The session still sends the
    token the usual way as well.

    Args:
        session: The session to hook into; the hook reads ``session.access_token`` on each
            request, so a refreshed token is used.

    Returns:
        ``session``, for chaining.

    The hook raises :class:`~oauthkit.UsageError` when the session has no access token, or
    when the URL cannot be parsed or extended.
    """
    session.register_compliance_hook("protected_request", _token_parameter_hook(session))
    return session
