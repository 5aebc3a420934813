"""Token revocation (RFC 7009) and token introspection (RFC 7662).

Both are authenticated form POSTs carrying ``token`` and an optional ``token_type_hint``
(RFC 7009 §2.1, RFC 7662 §2.1), built with the same :class:`~oauthkit._client_auth.ClientAuth`
as token requests. Their refusals use the token endpoint's error format (RFC 7009 §2.2.1,
RFC 6749 §5.2) and are raised as the same typed errors.

A successful revocation has no content worth reading (RFC 7009 §2.2). A successful
introspection is a JSON object read into :class:`Introspection` (RFC 7662 §2.2).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .._core._http import HttpRequest, HttpResponse
from .._core._params import ExtraParams, build_form_request
from .._errors import MalformedResponseError, TokenEndpointError, UsageError
from ._client_auth import ClientAuth
from ._token_response import parse_error_body

__all__ = [
    "Introspection",
    "build_introspection_request",
    "build_revocation_request",
    "parse_introspection_response",
    "parse_revocation_response",
]

_STRING_FIELDS = ("client_id", "username", "token_type", "sub", "iss", "jti")
_TIME_FIELDS = ("exp", "iat", "nbf")
_KNOWN = frozenset({"active", "scope", "aud", *_STRING_FIELDS, *_TIME_FIELDS})
# The request parameter of both RFCs is a bare ``token``, which the shared error excerpts do
# not recognise as a credential; a server that echoes the request must not leak it.
_ECHOED_TOKEN = re.compile(r"""(?i)((?<![\w-])["']?token["']?\s*[=:]\s*["']?)([^"'&,\s}]+)""")


def _token_params(token: object, token_type_hint: object) -> list[tuple[str, str]]:
    if not isinstance(token, str) or not token:
        raise UsageError("token must be a non-empty string")
    params = [("token", token)]
    if token_type_hint is not None:
        if not isinstance(token_type_hint, str) or not token_type_hint:
            raise UsageError("token_type_hint must be a non-empty string, such as 'access_token'")
        params.append(("token_type_hint", token_type_hint))
    return params


def build_revocation_request(
    endpoint: str,
    token: str,
    auth: ClientAuth,
    *,
    now: float,
    token_type_hint: str | None = None,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: bool = False,
) -> HttpRequest:
    """Build a revocation request (RFC 7009 §2.1).

    Args:
        endpoint: The revocation endpoint URL.
        token: The access or refresh token to revoke.
        auth: How the client authenticates.
        now: The current time, for JWT client assertions.
        token_type_hint: ``"access_token"``, ``"refresh_token"`` or a registered extension.
        extra: Extra body parameters.
        headers: Extra headers.
        allow_insecure_transport: Permit plain http to a non-loopback host.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: An empty token or hint, a parameter given twice, or client credentials
            already present.
    """
    return build_form_request(
        endpoint,
        _token_params(token, token_type_hint),
        auth,
        now=now,
        extra=extra,
        headers=headers,
        allow_insecure_transport=allow_insecure_transport,
    )


def _without_token(response: HttpResponse) -> HttpResponse:
    text = response.body.decode("utf-8", "replace")
    redacted = _ECHOED_TOKEN.sub(r"\1***", text)
    if redacted == text:
        return response
    return HttpResponse(response.status_code, response.headers, redacted.encode("utf-8"))


def _refusal(response: HttpResponse, what: str) -> TokenEndpointError:
    safe = _without_token(response)
    error = parse_error_body(safe)
    if error is not None:
        return error
    return TokenEndpointError(
        f"{what} endpoint refused the request without an OAuth error code",
        safe.status_code,
        safe.body,
    )


def parse_revocation_response(response: HttpResponse) -> None:
    """Check a revocation response (RFC 7009 §2.2).

    A 2xx answer means the token is revoked or was already invalid; its body is ignored.

    Raises:
        TokenEndpointError: The server refused; the subclass for its ``error`` code, such as
            :class:`~oauthkit.UnsupportedTokenTypeError` (§2.2.1) or
            :class:`~oauthkit.InvalidClientError`. A 503 without an error code (§2.2.1: try
            again later) is a plain :class:`TokenEndpointError` with ``status_code`` 503.
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    if 200 <= response.status_code < 300:
        return
    raise _refusal(response, "revocation")


def build_introspection_request(
    endpoint: str,
    token: str,
    auth: ClientAuth,
    *,
    now: float,
    token_type_hint: str | None = None,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: bool = False,
) -> HttpRequest:
    """Build an introspection request (RFC 7662 §2.1).

    Args:
        endpoint: The introspection endpoint URL.
        token: The token to ask about.
        auth: How the client (here: the protected resource) authenticates.
        now: The current time, for JWT client assertions.
        token_type_hint: ``"access_token"``, ``"refresh_token"`` or a registered extension.
        extra: Extra body parameters.
        headers: Extra headers.
        allow_insecure_transport: Permit plain http to a non-loopback host.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: An empty token or hint, a parameter given twice, or client credentials
            already present.
    """
    return build_form_request(
        endpoint,
        _token_params(token, token_type_hint),
        auth,
        now=now,
        extra=extra,
        headers=headers,
        allow_insecure_transport=allow_insecure_transport,
    )


@dataclass(frozen=True, slots=True)
class Introspection:
    """What the authorization server says about a token (RFC 7662 §2.2).

    When :attr:`active` is false every other attribute is empty: the RFC lets the server say
    nothing more, and a caller must not act on anything else it said.

    Attributes:
        active: Whether the token is currently active.
        scope: The token's scopes, if given.
        client_id: The client the token was issued to.
        username: A human-readable identifier of the resource owner.
        token_type: The token's type, e.g. ``Bearer``.
        exp: Expiry, seconds since the epoch.
        iat: Issue time, seconds since the epoch.
        nbf: Not-before time, seconds since the epoch.
        sub: The subject, usually a machine-readable resource owner id.
        aud: The intended audiences.
        iss: The issuer.
        jti: The token's identifier.
        extra: Every other member of the response.
    """

    active: bool
    scope: tuple[str, ...] | None = None
    client_id: str | None = None
    username: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    sub: str | None = None
    aud: tuple[str, ...] = ()
    iss: str | None = None
    jti: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def is_active_at(self, now: float) -> bool:
        """Whether the token is active and, by ``exp``/``nbf``, valid at ``now``."""
        if not self.active:
            return False
        if self.exp is not None and now >= self.exp:
            return False
        return self.nbf is None or now >= self.nbf


def _is_number(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | float) and math.isfinite(value)


def _malformed(message: str, response: HttpResponse) -> MalformedResponseError:
    return MalformedResponseError(message, response.status_code, _without_token(response).body)


def parse_introspection_response(response: HttpResponse) -> Introspection:
    """Read an introspection response (RFC 7662 §2.2, §2.3).

    Raises:
        TokenEndpointError: The server refused (§2.3): the subclass for its ``error`` code,
            or a plain :class:`TokenEndpointError` for a non-2xx status without one.
        MalformedResponseError: A 2xx body that is not a JSON object, lacks a boolean
            ``active``, or has a member of the wrong type. JWT responses (RFC 9701) are not
            read here.
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    if not 200 <= response.status_code < 300:
        raise _refusal(response, "introspection")
    try:
        data = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise _malformed("introspection response is not JSON", response) from None
    if not isinstance(data, dict):
        raise _malformed("introspection response is not a JSON object", response)
    active = data.get("active")
    if not isinstance(active, bool):
        raise _malformed("introspection response lacks a boolean 'active'", response)
    if not active:
        return Introspection(active=False)
    values: dict[str, Any] = {}
    for name in _STRING_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise _malformed(f"introspection member {name!r} is not a string", response)
        values[name] = value
    for name in _TIME_FIELDS:
        value = data.get(name)
        if value is not None and (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _malformed(f"introspection member {name!r} is not a number", response)
        values[name] = None if value is None else int(value)
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise _malformed("introspection member 'scope' is not a string", response)
    aud = data.get("aud")
    if isinstance(aud, str):
        audiences: tuple[str, ...] = (aud,)
    elif aud is None:
        audiences = ()
    elif isinstance(aud, list) and all(isinstance(item, str) for item in aud):
        audiences = tuple(aud)
    else:
        raise _malformed("introspection member 'aud' is not a string or list of strings", response)
    return Introspection(
        active=True,
        scope=None if scope is None else tuple(scope.split()),
        aud=audiences,
        extra={key: value for key, value in data.items() if key not in _KNOWN},
        **values,
    )
