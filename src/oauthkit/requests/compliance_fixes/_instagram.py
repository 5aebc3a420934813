"""Instagram: the access token as an ``access_token`` query parameter.

Instagram's legacy API read the token only from the ``access_token`` query parameter
(RFC 6750 §2.3), not from the ``Authorization`` header (§2.1) clients send by default.
"""

from __future__ import annotations

from typing import TypeVar

from ._common import TokenSession, hooked, token_parameter_hook

__all__ = ["instagram_compliance_fix"]

_S = TypeVar("_S", bound=TokenSession)


def instagram_compliance_fix(session: _S) -> _S:
    """Send the session's access token in the ``access_token`` query parameter (RFC 6750 §2.3).

    Registers a ``protected_request`` hook that appends
    ``access_token=<session.access_token>`` to the URL unless its query already has a
    non-empty ``access_token``. Headers and body pass through unchanged.

    The hook raises :class:`~oauthkit.UsageError` when the session has no access token, or
    when the URL cannot be parsed or extended.
    """
    hook = token_parameter_hook(session, "access_token", "instagram", in_form=False)
    return hooked(session, hook, "protected_request")
