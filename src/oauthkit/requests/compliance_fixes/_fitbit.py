"""Fitbit: errors as an ``errors`` list instead of an ``error`` code.

Fitbit's token endpoint reports a failure as ``{"errors": [{"errorType": ..., "message": ...}],
"success": false}`` where RFC 6749 §5.2 expects ``{"error": ...}``. Without the fix the token
parser sees neither a token nor an error and can only report a missing token, hiding the cause.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ._common import HookSession, hooked, malformed, read_json_object, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["fitbit_compliance_fix"]

_S = TypeVar("_S", bound=HookSession)


def _errors_to_error(response: requests.Response) -> requests.Response:
    token = read_json_object(response, "Fitbit")
    if "errors" in token:
        errors = token["errors"]
        if not (
            isinstance(errors, list)
            and errors
            and isinstance(errors[0], dict)
            and "errorType" in errors[0]
        ):
            raise malformed(response, "Fitbit", "has an 'errors' member without an errorType")
        token["error"] = errors[0]["errorType"]  # the first error stands for the response
    # Rewritten even when unchanged: requests-oauthlib does, and the bytes stay identical.
    return write_json(response, token)


def fitbit_compliance_fix(session: _S) -> _S:
    """Expose Fitbit's first ``errorType`` as the RFC 6749 §5.2 ``error`` code.

    Registers the same hook for ``access_token_response`` and ``refresh_token_response``: it
    copies ``errors[0].errorType`` into ``error`` (replacing any ``error`` already there) and
    re-serialises the body as JSON.

    The hook raises :class:`~oauthkit.MalformedResponseError` for a body that is not a JSON
    object, or whose ``errors`` is not a non-empty list starting with an object that has an
    ``errorType``; requests-oauthlib raises ``JSONDecodeError``, ``KeyError``, ``IndexError``
    or ``TypeError`` there.
    """
    return hooked(session, _errors_to_error, "access_token_response", "refresh_token_response")
