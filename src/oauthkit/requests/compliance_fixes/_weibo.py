"""Sina Weibo: no ``token_type`` in the token response, and the token goes in the query.

Weibo's token response omits the ``token_type`` RFC 6749 §5.1 requires, and its API reads the
token from the ``access_token`` query parameter (RFC 6750 §2.3) rather than from an
``Authorization: Bearer`` header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from ..._oauth2._bearer import PLACEMENT_QUERY
from ._common import PlacementSession, hooked, read_json_object, write_json

if TYPE_CHECKING:
    import requests

__all__ = ["weibo_compliance_fix"]

_S = TypeVar("_S", bound=PlacementSession)


def _add_token_type(response: requests.Response) -> requests.Response:
    token = read_json_object(response, "Weibo")
    token["token_type"] = "Bearer"
    return write_json(response, token)


def weibo_compliance_fix(session: _S) -> _S:
    """Add ``token_type: Bearer`` to Weibo's token response and send tokens in the query.

    Sets ``session.token_placement`` to ``"query"`` (RFC 6750 §2.3; requests-oauthlib sets
    ``session._client.default_token_placement``) and registers an ``access_token_response``
    hook that sets ``token_type`` to ``"Bearer"`` (RFC 6749 §5.1) and re-serialises the body.

    The hook raises :class:`~oauthkit.MalformedResponseError` for a body that is not a JSON
    object, where requests-oauthlib raises ``JSONDecodeError`` or ``TypeError``.
    """
    session.token_placement = PLACEMENT_QUERY
    return hooked(session, _add_token_type, "access_token_response")
