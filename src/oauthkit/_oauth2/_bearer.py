"""Using bearer tokens (RFC 6750): the patch that puts one on a request.

:func:`build_bearer_patch` says how an access token goes on a request: in the
``Authorization`` header (§2.1, the default and the only placement servers must support), in a
form body (§2.2) or in the query (§2.3, with ``Cache-Control: no-store``). Drivers apply the
patch; on a redirect the patch itself says what the next hop must lose
(:meth:`~oauthkit.RequestPatch.redirect`).

One rule for every driver: a token of type ``DPoP`` is never sent as a bearer token. Sending
one that way would either fail or, worse, work against a server that does not check the
binding (RFC 9449 §7.1); it needs a DPoP key.
"""

from __future__ import annotations

from .._core._http import HttpRequest
from .._core._patch import RequestPatch
from .._errors import UnusableTokenError, UsageError
from ._token import Token

__all__ = [
    "PLACEMENTS",
    "PLACEMENT_BODY",
    "PLACEMENT_HEADER",
    "PLACEMENT_QUERY",
    "bearer_headers",
    "bearer_value",
    "build_bearer_patch",
    "build_bearer_request",
    "sendable",
]

PLACEMENT_HEADER = "header"
PLACEMENT_BODY = "body"
PLACEMENT_QUERY = "query"
PLACEMENTS = (PLACEMENT_HEADER, PLACEMENT_BODY, PLACEMENT_QUERY)


def bearer_value(token: str | Token) -> str:
    """The access token to send as a bearer credential.

    Raises:
        UsageError: A DPoP-bound or other non-bearer token type, an empty token, or a token
            string (given by the caller) that cannot go in a header.
        UnusableTokenError: A :class:`Token` whose access token holds a space or a character
            outside printable ASCII (the server issued something RFC 6750 §2.1 cannot carry).
    """
    if isinstance(token, Token):
        kind = token.token_type.lower()  # one lower() for Token.is_bearer and is_dpop
        if kind != "bearer":
            if kind == "dpop":
                raise UsageError(
                    "this is a DPoP-bound token (token_type DPoP): it must be sent with a DPoP "
                    "proof (RFC 9449), never as a bearer token; configure a DPoP key"
                )
            raise UsageError(f"token_type {token.token_type!r} is not a bearer token type")
        value = token.access_token
        if not sendable(value):
            raise UnusableTokenError(
                "the access token cannot be sent as a Bearer credential: it holds a space or a "
                "character outside printable ASCII (RFC 6750 §2.1); the server issued a token "
                "this client cannot use"
            )
        return value
    if not isinstance(token, str):
        raise UsageError("token must be an access token string or a Token")
    if not token or not sendable(token):
        raise UsageError("the access token is empty or contains whitespace or control characters")
    return token


def sendable(value: str) -> bool:
    """Whether an access token can travel in a header value as it is."""
    # Runs on every request. Providers issue tokens outside the b64token alphabet (with "|",
    # say) that servers accept; only what cannot travel in a header value is refused.
    return value.isascii() and value.isprintable() and " " not in value


def bearer_headers(token: str | Token) -> dict[str, str]:
    """The ``Authorization`` header for a bearer token (RFC 6750 §2.1).

    Raises:
        UsageError: See :func:`bearer_value`.
        UnusableTokenError: See :func:`bearer_value`.
    """
    return {"Authorization": f"Bearer {bearer_value(token)}"}


def build_bearer_patch(token: str | Token, placement: str = PLACEMENT_HEADER) -> RequestPatch:
    """The patch that carries a bearer access token (RFC 6750 §2).

    Args:
        token: The access token, or a :class:`Token` of type ``Bearer``.
        placement: ``"header"`` (§2.1, default), ``"body"`` (§2.2: form-encoded, non-GET
            requests only) or ``"query"`` (§2.3; adds ``Cache-Control: no-store``).

    Raises:
        UsageError: See :func:`bearer_value`; or an unknown placement.
        UnusableTokenError: See :func:`bearer_value`.
    """
    value = bearer_value(token)
    if placement == PLACEMENT_HEADER:
        return RequestPatch(headers=(("Authorization", f"Bearer {value}"),))
    if placement == PLACEMENT_QUERY:
        return RequestPatch(
            headers=(("Cache-Control", "no-store"),), query=(("access_token", value),)
        )
    if placement == PLACEMENT_BODY:
        return RequestPatch(form=(("access_token", value),))
    raise UsageError(f"placement must be 'header', 'body' or 'query', not {placement!r}")


def build_bearer_request(
    request: HttpRequest, token: str | Token, placement: str = PLACEMENT_HEADER
) -> HttpRequest:
    """``request`` carrying a bearer access token; ``build_bearer_patch(...).apply(request)``.

    Formerly ``apply_bearer``.

    Raises:
        UsageError: See :func:`build_bearer_patch` and :meth:`RequestPatch.apply` (body
            placement on a GET or on a body that is not a form; a parameter already present).
        UnusableTokenError: See :func:`bearer_value`.
    """
    return build_bearer_patch(token, placement).apply(request)
