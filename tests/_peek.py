"""Reading what a client sent, apart from oauthkit: a JWT's parts unverified, a URL's query.

The interop tests look at request objects, client assertions and authorization URLs the way
the peer receives them, with the standard library only, so a bug in oauthkit's own decoding
cannot hide one in its encoding.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["jwt_parts", "query"]


def jwt_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A compact JWS's header and claims, decoded without checking the signature."""
    header, payload = (
        json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
        for part in token.split(".")[:2]
    )
    return header, payload


def query(url: str) -> dict[str, str]:
    """The query parameters of ``url`` (the last value of a repeated name)."""
    return dict(parse_qsl(urlsplit(url).query))
