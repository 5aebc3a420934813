"""eBay: access tokens typed ``Application Access Token`` or ``User Access Token``.

eBay's token endpoint names the kind of grant in ``token_type``, while the tokens are RFC 6750
bearer tokens and RFC 6749 §7.1 needs ``Bearer`` for a client to know how to send them.
See https://developer.ebay.com/api-docs/static/oauth-client-credentials-grant.html and
https://developer.ebay.com/api-docs/static/oauth-auth-code-grant-request.html.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ._common import HookSession, hooked, read_json_object, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["ebay_compliance_fix"]

_S = TypeVar("_S", bound=HookSession)

_EBAY_TOKEN_TYPES = ("Application Access Token", "User Access Token")


def _bearer_token_type(response: requests.Response) -> requests.Response:
    token = read_json_object(response, "eBay")
    if token.get("token_type") in _EBAY_TOKEN_TYPES:
        token["token_type"] = "Bearer"
        return write_json(response, token)
    return response  # nothing to fix: the body is left byte for byte as received


def ebay_compliance_fix(session: _S) -> _S:
    """Rename eBay's token types to ``Bearer`` (RFC 6749 §7.1, RFC 6750).

    Registers the same hook for ``access_token_response`` and ``refresh_token_response``. A
    body whose ``token_type`` is ``"Application Access Token"`` or ``"User Access Token"`` is
    rewritten with ``"Bearer"``; any other JSON object passes through unchanged.

    The hook raises :class:`~oauthkit.MalformedResponseError` for a body that is not a JSON
    object, where requests-oauthlib raises ``JSONDecodeError`` or ``AttributeError``.
    """
    return hooked(session, _bearer_token_type, "access_token_response", "refresh_token_response")
