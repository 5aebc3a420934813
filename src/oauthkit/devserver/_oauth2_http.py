"""Between the dev provider's neutral HTTP values and oauthlib's OAuth 2 endpoints.

oauthlib takes ``(uri, http_method, body, headers)`` and answers ``(headers, body, status)``;
these helpers convert both ways, and build the refusals the provider words itself: malformed
requests (RFC 6749 §5.2 ``invalid_request``) and a protected resource's Bearer challenges
(RFC 6750 §3), shared by the OAuth 2 resource and the OpenID Connect userinfo endpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._core._http import HttpRequest, HttpResponse
from ._server import json_response

__all__ = [
    "CHALLENGE",
    "FORM",
    "bearer_refusal",
    "header",
    "invalid_request",
    "is_form",
    "oauthlib_args",
    "oauthlib_error",
    "oauthlib_response",
]

FORM = "application/x-www-form-urlencoded"
CHALLENGE = 'realm="oauthkit-dev"'
_INVALID_TOKEN = {
    "expired": "The access token expired",
    "no_user": "The access token is the client's own, about no end-user",
}


def header(headers: Mapping[str, str], name: str) -> str:
    """The value of header ``name``, whatever its case; empty when absent."""
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")


def is_form(request: HttpRequest) -> bool:
    """Whether the body is a form (RFC 6749 Appendix B), the only body OAuth 2 reads."""
    return header(request.headers, "Content-Type").split(";")[0].strip().lower() == FORM


def oauthlib_args(request: HttpRequest) -> tuple[str, str, dict[str, str]]:
    """(uri, body, headers) as oauthlib takes them; only form bodies carry parameters.

    Raises:
        UnicodeDecodeError: A form body is not UTF-8.
    """
    body = request.body.decode("utf-8") if request.body and is_form(request) else ""
    return request.url, body, dict(request.headers)


def oauthlib_response(headers: Mapping[str, str], body: str | None, status: int) -> HttpResponse:
    """An oauthlib endpoint's answer as a response, with the token endpoint's challenge."""
    merged = dict(headers)
    if status == 401 and "WWW-Authenticate" in merged:
        # oauthlib challenges with "Bearer" even at the token endpoint; RFC 6749 §5.2 wants the
        # scheme clients authenticate with there, which is Basic.
        merged["WWW-Authenticate"] = f"Basic {CHALLENGE}"
    return HttpResponse(status, merged, (body or "").encode("utf-8"))


def oauthlib_error(exc: Any) -> HttpResponse:
    """An oauthlib ``OAuth2Error`` as its JSON error response (RFC 6749 §5.2)."""
    headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **exc.headers}
    return oauthlib_response(headers, exc.json, exc.status_code)


def invalid_request(description: str) -> HttpResponse:
    """400 ``invalid_request``, saying what is wrong."""
    return json_response(400, {"error": "invalid_request", "error_description": description})


def bearer_refusal(problem: str, required: list[str]) -> HttpResponse:
    """A protected resource's refusal (RFC 6750 §3) for the validator's ``bearer`` verdict."""
    # RFC 6750 §3: no error code when no token came; invalid_token for a bad one;
    # insufficient_scope, with the scope needed, for a good one that is not enough.
    if problem == "missing":
        challenge, status, payload = f"Bearer {CHALLENGE}", 401, {"error": "unauthorized"}
    elif problem == "insufficient_scope":
        scope = " ".join(required)
        challenge = f'Bearer {CHALLENGE}, error="insufficient_scope", scope="{scope}"'
        status, payload = 403, {"error": "insufficient_scope", "scope": scope}
    else:
        description = _INVALID_TOKEN.get(problem, "Unknown token")
        challenge = f'Bearer {CHALLENGE}, error="invalid_token", error_description="{description}"'
        status, payload = 401, {"error": "invalid_token", "error_description": description}
    return json_response(status, payload, {"WWW-Authenticate": challenge})
