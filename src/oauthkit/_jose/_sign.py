"""Signing compact JWTs with a key the client holds (RFC 7515 §7.1, RFC 7519 §7.1).

:func:`sign_jwt` signs a header and claims with joserfc, allowing exactly the header's
``alg``; a failure becomes a :class:`~oauthkit.UsageError` naming the algorithm and what was
being signed, never the JOSE library's text, which can quote key material. :func:`hmac_key`
makes the HMAC key of a client secret (OIDC Core §10.1: the secret's UTF-8 octets, whatever
their length). JWT client assertions (RFC 7523) and request objects (RFC 9101) sign here.

joserfc (the ``jose`` extra) loads on first use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core._extras import require
from .._errors import UsageError

__all__ = ["hmac_key", "sign_jwt"]


def sign_jwt(
    header: Mapping[str, object], claims: Mapping[str, object], key: Any, *, feature: str, what: str
) -> str:
    """Sign ``claims`` under ``header`` with ``key`` (only ``header["alg"]`` is allowed).

    Args:
        header: The protected header; its ``alg`` is the only algorithm joserfc may use.
        claims: The JWT claims set.
        key: A joserfc key (private, or an HMAC key from :func:`hmac_key`).
        feature: What needs the ``jose`` extra, for the missing-extra message.
        what: What is signed, for messages ("the client assertion").

    Raises:
        MissingExtraError: joserfc is not installed.
        UsageError: joserfc cannot sign with this key and algorithm.
    """
    jwt = require("joserfc.jwt", "jose", feature)
    errors = require("joserfc.errors", "jose", feature)
    alg = header.get("alg")
    try:
        token = jwt.encode(dict(header), dict(claims), key, algorithms=[alg])
    except (errors.JoseError, ValueError, TypeError) as exc:
        # The exception text of the JOSE library can quote key material; keep only its type.
        raise UsageError(
            f"{feature}: cannot sign {what} with alg {alg!r} ({type(exc).__name__})"
        ) from None
    return str(token)


def hmac_key(secret: str, *, feature: str) -> Any:
    """The HMAC key of a client secret (OIDC Core §10.1).

    Built directly rather than through joserfc's ``import_key``: a server-issued secret is the
    key whatever its length, and the caller cannot act on a key-size warning.

    Raises:
        MissingExtraError: joserfc is not installed.
    """
    keys = require("joserfc.jwk", "jose", feature)
    data = secret.encode("utf-8")
    return keys.OctKey(data, data)
