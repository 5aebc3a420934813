"""Slack: the access token as a ``token`` parameter.

Slack's Web API historically read the token from a ``token`` form or query parameter, not from
RFC 6750's ``Authorization: Bearer`` header (§2.1) or ``access_token`` parameter (§2.2, §2.3).
"""

from __future__ import annotations

from typing import TypeVar

from ._common import TokenSession, hooked, token_parameter_hook

__all__ = ["slack_compliance_fix"]

_S = TypeVar("_S", bound=TokenSession)


def slack_compliance_fix(session: _S) -> _S:
    """Send the session's access token as Slack's ``token`` parameter.

    Registers a ``protected_request`` hook. Unless the URL's query already has a non-empty
    ``token``, or ``data`` is a dict with a non-empty ``token``, the hook adds
    ``token=<session.access_token>``: as the form body when ``data`` is empty, into a copy of
    ``data`` when it is a dict, and to the URL's query otherwise. The session still sends the
    token the usual way as well.

    The hook raises :class:`~oauthkit.UsageError` when the session has no access token, or
    when the URL cannot be parsed or extended.
    """
    hook = token_parameter_hook(session, "token", "slack", in_form=True)
    return hooked(session, hook, "protected_request")
