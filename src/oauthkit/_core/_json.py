"""The one JSON reader for outside input: objects only, strict, bounded.

Token, device, introspection, metadata and error responses are JSON objects (RFC 6749 §5.1,
RFC 8628 §3.2, RFC 7662 §2.2). What Python's :mod:`json` accepts beyond RFC 8259 is refused
here, so a parsed value always serialises back to strict JSON:

* a repeated member name (RFC 8259 §4 leaves its meaning open; one parser would take the first,
  another the last, and two layers could disagree about which token they hold);
* ``NaN``, ``Infinity`` and numbers that overflow a float;
* nesting deeper than the interpreter can parse (a ``RecursionError`` otherwise escapes).
"""

from __future__ import annotations

import json
import math
from typing import Any

__all__ = ["STRICT_DECODER", "JsonError", "decode_text", "read_json", "read_json_object"]

_BOM = b"\xef\xbb\xbf"


class JsonError(ValueError):
    """Outside input that is not acceptable JSON; the message says why, never what it held."""


class _Duplicate(ValueError):
    pass


class _NonFinite(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


def _constant(name: str) -> Any:
    raise _NonFinite


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _NonFinite
    return value


STRICT_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_constant=_constant, parse_float=_float
)
"""Raises ``ValueError`` (or ``RecursionError``) on what :func:`read_json` refuses."""


def decode_text(body: bytes | str) -> str | None:
    """``body`` as text: UTF-8 with an optional BOM, stripped; ``None`` if not UTF-8."""
    if isinstance(body, str):
        return body.strip()
    if body[:3] == _BOM:
        body = body[3:]
    try:
        return body.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None


def read_json(body: bytes | str) -> Any:
    """Parse ``body`` as one strict JSON value.

    Raises:
        JsonError: Not UTF-8, not JSON, a repeated member, a non-finite number, or nesting
            too deep to parse.
    """
    text = decode_text(body)
    if text is None:
        raise JsonError("the body is not UTF-8")
    try:
        return STRICT_DECODER.decode(text)
    except _Duplicate:
        raise JsonError("a JSON object repeats a member name") from None
    except _NonFinite:
        raise JsonError("a JSON number is not finite (NaN, Infinity or out of range)") from None
    except RecursionError:
        raise JsonError("the JSON is nested too deeply") from None
    except ValueError:
        raise JsonError("the body is not JSON") from None


def read_json_object(body: bytes | str) -> dict[str, Any]:
    """Parse ``body`` as one strict JSON object.

    Raises:
        JsonError: See :func:`read_json`; also when the value is not an object.
    """
    value = read_json(body)
    if not isinstance(value, dict):
        raise JsonError("the JSON is not an object")
    return value
