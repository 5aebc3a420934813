"""Authenticated form POSTs to back-channel endpoints, and their shared parameters.

Token requests (RFC 6749 §3.2), revocation (RFC 7009 §2.1), introspection (RFC 7662 §2.1) and
device authorization (RFC 8628 §3.1) requests are all ``application/x-www-form-urlencoded``
POSTs authenticated by the client (RFC 6749 §2.3). :func:`build_form_request` is their common
tail; the helpers encode the parameters several of them share: ``scope`` (RFC 6749 §3.3),
``resource`` (RFC 8707 §2) and ``authorization_details`` (RFC 9396 §2).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from .._errors import UsageError
from .._oauth2._client_auth import ClientAuth
from ._http import HttpRequest, check_transport

__all__ = [
    "FORM_CONTENT_TYPE",
    "ExtraParams",
    "Scope",
    "build_form_request",
    "encode_authorization_details",
    "encode_scope",
    "extra_params",
    "merge_params",
    "resource_params",
    "strings",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# RFC 6749 §3.2: parameters are sent once, except those their RFC defines as repeatable.
_REPEATABLE = frozenset({"resource", "audience"})
# Names a caller may not set through ``extra``: they belong to the grant or to ClientAuth.
_NOT_EXTRA = frozenset({"grant_type", "client_secret", "client_assertion", "client_assertion_type"})

Scope = str | Sequence[str] | None
ExtraParams = Mapping[str, object] | Sequence[tuple[str, object]] | None


def encode_scope(scope: Scope) -> str | None:
    """Join scopes with spaces (RFC 6749 §3.3); ``None`` or empty means "omit".

    Raises:
        UsageError: A scope in a sequence is empty, not a string or contains whitespace.
    """
    if scope is None:
        return None
    if isinstance(scope, str):
        return scope.strip() or None
    items = strings(scope, "scope")
    for item in items:
        if not isinstance(item, str) or not item or any(ch.isspace() for ch in item):
            raise UsageError("each scope must be a non-empty string without whitespace")
    return " ".join(items) or None


def strings(value: str | Sequence[str] | None, name: str = "value") -> list[str]:
    """A single string or an iterable of them, as a list.

    Raises:
        UsageError: ``value`` is neither a string nor an iterable of strings.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes | Mapping):
        raise UsageError(f"{name} must be a string or a sequence of strings")
    try:
        items = list(value)
    except TypeError:
        raise UsageError(f"{name} must be a string or a sequence of strings") from None
    if not all(isinstance(item, str) for item in items):
        raise UsageError(f"{name} must be a string or a sequence of strings")
    return items


def resource_params(resource: str | Sequence[str] | None) -> list[tuple[str, str]]:
    """``resource`` parameters, one per URI (RFC 8707 §2).

    Raises:
        UsageError: A resource is not an absolute URI, or has a fragment.
    """
    out = []
    for uri in strings(resource, "resource"):
        try:
            absolute = bool(urlsplit(uri).scheme)
        except ValueError:
            absolute = False
        if not absolute or "#" in uri:
            raise UsageError("resource must be an absolute URI without a fragment (RFC 8707)")
        out.append(("resource", uri))
    return out


def encode_authorization_details(details: str | Sequence[Mapping[str, Any]] | None) -> str | None:
    """Encode RFC 9396 ``authorization_details`` as compact JSON.

    Args:
        details: A sequence of objects, each with a string ``type``, or its JSON text.

    Raises:
        UsageError: Not a JSON array of objects that each have a string ``type``.
    """
    if details is None:
        return None
    parsed: Any = details
    if isinstance(details, str):
        try:
            parsed = json.loads(details)
        except ValueError:
            raise UsageError("authorization_details is not valid JSON") from None
    if not isinstance(parsed, Sequence) or isinstance(parsed, str):
        raise UsageError("authorization_details must be a JSON array of objects (RFC 9396 §2)")
    for item in parsed:
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise UsageError("each authorization_details object needs a string 'type'")
    try:
        return json.dumps([dict(item) for item in parsed], separators=(",", ":"))
    except (TypeError, ValueError):
        raise UsageError("authorization_details holds values JSON cannot encode") from None


def extra_params(
    extra: Mapping[str, object] | Sequence[tuple[str, object]] | None,
) -> list[tuple[str, str]]:
    """Normalise caller-supplied extra parameters; ``None`` values are dropped.

    Raises:
        UsageError: A name is reserved for the grant or for client authentication, or a value
            is not a string or integer.
    """
    if extra is None:
        return []
    if isinstance(extra, Mapping):
        items = list(extra.items())
    elif isinstance(extra, Sequence) and not isinstance(extra, str | bytes):
        items = list(extra)
    else:
        raise UsageError("extra parameters must be a mapping or a sequence of (name, value)")
    if not all(isinstance(item, tuple | list) and len(item) == 2 for item in items):
        raise UsageError("extra parameters must be a mapping or a sequence of (name, value)")
    out = []
    for name, value in items:
        if not isinstance(name, str) or not name:
            raise UsageError("extra parameter names must be non-empty strings")
        if name in _NOT_EXTRA:
            raise UsageError(f"{name!r} cannot be passed as an extra parameter")
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise UsageError(f"extra parameter {name!r} must be a string")
        out.append((name, str(value)))
    return out


def merge_params(
    params: list[tuple[str, str]], more: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """``params + more``, refusing a non-repeatable name given twice.

    Raises:
        UsageError: A parameter other than ``resource``/``audience`` would appear twice.
    """
    seen = {name for name, _ in params}
    for name, _ in more:
        if name in seen and name not in _REPEATABLE:
            raise UsageError(f"parameter {name!r} would be sent twice (RFC 6749 §3.2)")
        seen.add(name)
    return params + more


def build_form_request(
    endpoint: str,
    params: list[tuple[str, str]],
    auth: ClientAuth,
    *,
    now: float,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: bool = False,
) -> HttpRequest:
    """Build an authenticated form POST to a back-channel endpoint.

    This is the shared tail of token, revocation, introspection and device authorization
    requests: extra parameters, client authentication, and the form headers.

    Args:
        endpoint: The endpoint URL.
        params: The request's own parameters.
        auth: The client authentication.
        now: The current time, for JWT client assertions.
        extra: Extra body parameters; ``None`` values are dropped.
        headers: Extra headers, e.g. ``DPoP``.
        allow_insecure_transport: Permit plain http to a non-loopback host.

    Returns:
        The POST request, with ``Content-Type: application/x-www-form-urlencoded`` and
        ``Accept: application/json``.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: A relative ``endpoint``; a parameter given twice; an extra parameter that
            is reserved; a header that is not a string pair, or a ``Content-Type`` that is not
            form-encoded; credentials the client authentication would add already present.
    """
    check_transport(endpoint, allow_insecure=allow_insecure_transport)
    form = merge_params(list(params), extra_params(extra))
    out_headers = {"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise UsageError("header names and values must be strings")
        lowered = name.lower()
        if lowered == "content-type" and value.partition(";")[0].strip().lower() != (
            FORM_CONTENT_TYPE
        ):
            raise UsageError("a token request body is form-encoded; Content-Type cannot change")
        for existing in [key for key in out_headers if key.lower() == lowered]:
            del out_headers[existing]
        out_headers[name] = value
    form, out_headers = auth.apply(form, out_headers, endpoint=endpoint, now=now)
    body = urlencode(form).encode("ascii")
    return HttpRequest("POST", endpoint, out_headers, body)
