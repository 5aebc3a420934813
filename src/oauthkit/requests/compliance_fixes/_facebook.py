"""Facebook: a form-encoded access token response sent as ``text/plain``.

Facebook's Graph API long answered the token request with
``access_token=...&expires=...`` in a ``text/plain`` body, where RFC 6749 §5.1 requires a JSON
object with ``token_type`` and ``expires_in``. The fix turns such a body into that object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar
from urllib.parse import parse_qsl

from ._common import HookSession, hooked, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["facebook_compliance_fix"]

_S = TypeVar("_S", bound=HookSession)


def _form_to_json(response: requests.Response) -> requests.Response:
    content_type = response.headers.get("content-type", "")
    # A response that says it is JSON is left to the token parser, as is anything that is not
    # a successful text/plain answer (an error page, say): only the form-in-text/plain quirk
    # is rewritten. The substring tests are requests-oauthlib's, kept for identical results.
    if "application/json" in content_type:
        return response
    if "text/plain" not in content_type or response.status_code != 200:
        return response
    token = dict(parse_qsl(response.text, keep_blank_values=True))
    if "expires" in token:
        token["expires_in"] = token["expires"]  # RFC 6749 §5.1 name for the lifetime
    token["token_type"] = "Bearer"  # RFC 6749 §5.1 requires it; Facebook omitted it
    return write_json(response, token)


def facebook_compliance_fix(session: _S) -> _S:
    """Make Facebook's access token response readable (RFC 6749 §5.1).

    Registers an ``access_token_response`` hook. A ``200`` response whose ``Content-Type``
    contains ``text/plain`` (and not ``application/json``) is read as a form
    (``access_token=...&expires=...``) and rewritten as a JSON object with ``token_type``
    ``Bearer`` and ``expires_in`` copied from ``expires``. Every other response passes through
    unchanged.
    """
    return hooked(session, _form_to_json, "access_token_response")
