"""One rule per shared request parameter: scope, resource, authorization_details and extras.

The authorization URL, every grant, the device request (and later PAR and CIBA) take the same
parameters. Each is validated and encoded here, once, so that a value accepted by one builder is
accepted by all of them and encoded the same way:

* ``scope`` (RFC 6749 §3.3): a space-delimited string or a sequence of strings; every item is
  split on whitespace, so ``["read write"]`` and ``["read", "write"]`` are the same two scopes;
* ``resource`` (RFC 8707 §2): absolute URIs without a fragment, one parameter each;
* ``authorization_details`` (RFC 9396 §2): a JSON array of objects with a string ``type``,
  given as a sequence of mappings or as its JSON text;
* extra parameters: a mapping or a sequence of pairs, values strings or integers, ``None``
  dropped; names reserved for the grant or for client authentication are refused, and no
  parameter is sent twice except the repeatable ``resource`` and ``audience`` (RFC 6749 §3.2,
  §3.1).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from .._errors import UsageError

__all__ = [
    "AuthorizationDetails",
    "ExtraParams",
    "Scope",
    "encode_authorization_details",
    "encode_scope",
    "extra_params",
    "merge_params",
    "resource_params",
    "scope_tokens",
    "strings",
    "text_params",
]

# RFC 6749 §3.2: parameters are sent once, except those their RFC defines as repeatable.
_REPEATABLE = frozenset({"resource", "audience"})
# Names a caller may not set through ``extra``: they belong to the grant or to ClientAuth.
_NOT_EXTRA = frozenset({"grant_type", "client_secret", "client_assertion", "client_assertion_type"})

Scope = str | Sequence[str] | None
ExtraParams = Mapping[str, object] | Sequence[tuple[str, object]] | None
AuthorizationDetails = str | Sequence[Mapping[str, Any]] | None


def text_params(*pairs: tuple[str, object]) -> list[tuple[str, str]]:
    """The ``(name, value)`` pairs whose value is not ``None``, each a non-empty string.

    Raises:
        UsageError: A value that is empty or not a string (named).
    """
    for name, value in pairs:
        if value is not None and (not isinstance(value, str) or not value):
            raise UsageError(f"{name} must be a non-empty string")
    return [(name, value) for name, value in pairs if isinstance(value, str)]


def strings(value: str | Iterable[str] | None, name: str = "value") -> list[str]:
    """A single string or an iterable of them, as a list.

    Raises:
        UsageError: ``value`` is neither a string nor an iterable of strings.
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes | bytearray | Mapping):
        raise UsageError(f"{name} must be a string or a sequence of strings")
    try:
        items = list(value)
    except TypeError:
        raise UsageError(f"{name} must be a string or a sequence of strings") from None
    if not all(isinstance(item, str) for item in items):
        raise UsageError(f"{name} must be a string or a sequence of strings")
    return items


def scope_tokens(scope: Scope) -> tuple[str, ...] | None:
    """The scope tokens of ``scope`` in order (RFC 6749 §3.3), or ``None`` when not given.

    Raises:
        UsageError: Not a string or a sequence of strings.
    """
    if scope is None:
        return None
    if isinstance(scope, str):
        return tuple(scope.split())
    return tuple(token for item in strings(scope, "scope") for token in item.split())


def encode_scope(scope: Scope) -> str | None:
    """The ``scope`` parameter value (RFC 6749 §3.3); ``None`` when there is no scope.

    Raises:
        UsageError: See :func:`scope_tokens`.
    """
    tokens = scope_tokens(scope)
    return " ".join(tokens) if tokens else None


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
            raise UsageError("resource must be an absolute URI without a fragment (RFC 8707 §2)")
        out.append(("resource", uri))
    return out


def encode_authorization_details(details: AuthorizationDetails) -> str | None:
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
        except (ValueError, RecursionError):
            raise UsageError("authorization_details is not valid JSON") from None
    if isinstance(parsed, (str, bytes, Mapping)) or not isinstance(parsed, Sequence):
        raise UsageError("authorization_details must be a JSON array of objects (RFC 9396 §2)")
    for item in parsed:
        if not isinstance(item, Mapping) or not isinstance(item.get("type"), str):
            raise UsageError("each authorization_details object needs a string 'type'")
    try:
        return json.dumps([dict(item) for item in parsed], separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError, RecursionError):
        raise UsageError("authorization_details holds values JSON cannot encode") from None


def extra_params(extra: ExtraParams) -> list[tuple[str, str]]:
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
    if not more:
        return params
    seen = {name for name, _ in params}
    for name, _ in more:
        if name in seen and name not in _REPEATABLE:
            raise UsageError(f"parameter {name!r} would be sent twice (RFC 6749 §3.2)")
        seen.add(name)
    return params + more
