"""Rich authorization requests (RFC 9396): the ``authorization_details`` a server granted.

A request's ``authorization_details`` are encoded by :mod:`oauthkit._core._params` (one rule
for every request that carries them). This module reads what comes back: a token response
may say which details were granted (RFC 9396 §7), as a JSON array of objects, each with a
string ``type`` (§2). :func:`check_authorization_details` is the one rule for that shape,
applied when a token is built (from a response, a stored record or by hand), and
:func:`granted_details` gives them to the caller as a tuple of read-only mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

__all__ = ["AUTHORIZATION_DETAILS", "MAX_DETAILS", "check_authorization_details", "granted_details"]

AUTHORIZATION_DETAILS = "authorization_details"
MAX_DETAILS = 256
"""The most authorization details read from one token."""


def check_authorization_details(value: object) -> tuple[Mapping[str, Any], ...]:
    """``value`` as RFC 9396 §2 requires it: an array of objects, each with a string ``type``.

    Returns:
        A tuple of read-only mappings (the nested values as they were).

    Raises:
        ValueError: Another shape: not an array, an element that is not an object, a missing
            or empty or non-string ``type``, more than :data:`MAX_DETAILS` elements. The
            caller turns it into its own error (a token response's is
            :class:`~oauthkit.MalformedResponseError`).
    """
    if not isinstance(value, list | tuple):
        raise ValueError("authorization_details must be a JSON array (RFC 9396 §2)")
    if len(value) > MAX_DETAILS:
        raise ValueError(f"authorization_details has more than {MAX_DETAILS} elements")
    details = []
    for item in value:
        if not isinstance(item, Mapping) or not all(type(name) is str for name in item):
            raise ValueError("each authorization detail must be a JSON object (RFC 9396 §2)")
        kind = item.get("type")
        if type(kind) is not str or not kind:
            raise ValueError("each authorization detail needs a string type (RFC 9396 §2)")
        details.append(MappingProxyType(dict(item)))
    return tuple(details)


def granted_details(extra: Mapping[str, Any]) -> tuple[Mapping[str, Any], ...] | None:
    """The ``authorization_details`` among a token's extra fields, or ``None`` without any.

    Raises:
        UsageError: They do not have the shape of RFC 9396 §2 (a token built by hand).
    """
    value = extra.get(AUTHORIZATION_DETAILS)
    if value is None:
        return None
    try:
        return check_authorization_details(value)
    except ValueError as exc:
        from .._errors import UsageError

        raise UsageError(f"invalid Token: {exc}") from None
