"""plentymarkets: token response members in camelCase.

plentymarkets answers the token request with ``accessToken``, ``tokenType``, ``expiresIn`` and
``refreshToken`` where RFC 6749 §5.1 names them ``access_token``, ``token_type``, ...
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, TypeVar

from ._common import HookSession, hooked, read_json_object, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["plentymarkets_compliance_fix"]

_S = TypeVar("_S", bound=HookSession)

# One character, then a capitalised word: an "_" goes between them. Matches do not overlap and
# a word swallows its whole lower-case run, so only every other hump of a key with three or
# more is split ("accessTokenExpiresIn" -> "access_tokenexpires_in"); requests-oauthlib
# converts keys exactly this way and the two must agree. Plenty's keys have one hump.
_HUMP = re.compile(r"(?P<before>.)(?P<word>[A-Z][a-z]+)")


def _snake_case(name: str) -> str:
    return _HUMP.sub(r"\g<before>_\g<word>", name).lower()


def _snake_case_members(response: requests.Response) -> requests.Response:
    content_type = response.headers.get("content-type", "")
    if "application/json" not in content_type or response.status_code != 200:
        return response  # an error or a non-JSON answer is for the token parser to report
    token = read_json_object(response, "plentymarkets")
    renamed: dict[str, Any] = {}
    for name, value in token.items():
        renamed[_snake_case(name)] = value  # on a collision the later member wins
    return write_json(response, renamed)


def plentymarkets_compliance_fix(session: _S) -> _S:
    """Rename plentymarkets' camelCase token members to RFC 6749 §5.1 names.

    Registers an ``access_token_response`` hook. A ``200`` response whose ``Content-Type``
    contains ``application/json`` has each member name converted to snake case
    (``accessToken`` → ``access_token``); other responses pass through unchanged.

    The hook raises :class:`~oauthkit.MalformedResponseError` for such a response whose body is
    not a JSON object, where requests-oauthlib raises ``JSONDecodeError`` or
    ``AttributeError``.
    """
    return hooked(session, _snake_case_members, "access_token_response")
