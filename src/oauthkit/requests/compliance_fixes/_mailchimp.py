"""Mailchimp: ``"scope": null`` and ``"expires_in": 0`` in the token response.

Mailchimp's tokens do not expire, and its token response says so with ``expires_in`` ``0``,
which a client following RFC 6749 §5.1 reads as "already expired". It also sends ``scope`` as
``null`` where §5.1 allows only a string or no member at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ._common import HookSession, hooked, read_json_object, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["mailchimp_compliance_fix"]

_S = TypeVar("_S", bound=HookSession)

# The lifetime requests-oauthlib substitutes, so that sessions refresh (or re-authorize) on the
# same schedule under either library.
_SUBSTITUTE_LIFETIME = 3600


def _fix_scope_and_lifetime(response: requests.Response) -> requests.Response:
    token = read_json_object(response, "Mailchimp")
    if "scope" in token and token["scope"] is None:
        del token["scope"]
    # "== 0" on purpose: it also matches 0.0 and false, as requests-oauthlib's test does.
    if token.get("expires_in") == 0:
        token["expires_in"] = _SUBSTITUTE_LIFETIME
    return write_json(response, token)


def mailchimp_compliance_fix(session: _S) -> _S:
    """Drop a ``null`` ``scope`` and replace ``expires_in: 0`` with 3600 (RFC 6749 §5.1).

    Registers one ``access_token_response`` hook doing both (requests-oauthlib registers two
    that commute); the body is re-serialised as JSON even when nothing changed, as there.

    The hook raises :class:`~oauthkit.MalformedResponseError` for a body that is not a JSON
    object. requests-oauthlib raises ``JSONDecodeError`` for a body that is not JSON and passes
    most other JSON values through for the token parser to reject.
    """
    return hooked(session, _fix_scope_and_lifetime, "access_token_response")
