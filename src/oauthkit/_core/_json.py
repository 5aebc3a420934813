"""The one JSON reader for outside input: objects only, strict, bounded.

Token, device, introspection, metadata and error responses are JSON objects (RFC 6749 §5.1,
RFC 8628 §3.2, RFC 7662 §2.2). What Python's :mod:`json` accepts beyond RFC 8259 is refused
here, so a parsed value always serialises back to strict JSON:

* a repeated member name (RFC 8259 §4 leaves its meaning open; one parser would take the first,
  another the last, and two layers could disagree about which token they hold);
* ``NaN``, ``Infinity`` and numbers that overflow a float;
* nesting deeper than :data:`MAX_DEPTH` levels (RFC 8259 §9 lets a parser limit it).

Without that limit, what parsed depended on how deep the caller's stack was, and a value
parsed near the interpreter's recursion limit could not be serialised again a few frames
deeper: a token response nested 990 levels gave a :class:`~oauthkit.Token` whose
``json.dumps(token.to_dict())`` raised ``RecursionError`` wherever a store or a log called it.
100 is Ruby's ``JSON.parse`` default; OAuth responses nest a handful of levels.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from itertools import accumulate
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "STRICT_DECODER",
    "JsonError",
    "decode_text",
    "read_json",
    "read_json_object",
    "scan_object",
    "too_deep",
    "value_too_deep",
]

MAX_DEPTH = 100
"""The deepest nesting of arrays and objects accepted."""

_BOM = b"\xef\xbb\xbf"
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


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
"""Raises ``ValueError`` (or ``RecursionError``) on what :func:`read_json` refuses, except
nesting: check :func:`too_deep` first."""


# CPython's C scanner, which JSONDecoder.decode calls after skipping white space (typeshed does
# not declare the attribute).
_scan: Callable[[str, int], tuple[Any, int]] = STRICT_DECODER.scan_once  # type: ignore[attr-defined]


def scan_object(text: str) -> dict[str, Any] | None:
    """``text``, which starts with ``{``, as a strict JSON object; ``None`` if it is not one.

    The token parser's fast path: the checks of :func:`read_json` but nesting (the caller checks
    what it keeps, :func:`value_too_deep`), without ``JSONDecoder.decode``'s white-space
    regular expressions, a fifth of the cost of a token response.
    """
    try:
        data, end = _scan(text, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    if end != len(text) and not text[end:].isspace():
        return None  # something after the object
    return data if type(data) is dict else None


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


def too_deep(text: str) -> bool:
    """Whether arrays and objects nest deeper than :data:`MAX_DEPTH` in ``text`` (brackets
    inside strings do not count)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False  # cannot be too deep: the common case, without a scan
    brackets = _BRACKET.findall(_STRING.sub("", text))
    return max(accumulate(1 if b in "[{" else -1 for b in brackets), default=0) > MAX_DEPTH


def value_too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest deeper than ``limit`` in an already parsed value.

    The token-response parser decodes first and checks only the members it keeps as they
    came (``extra``): every standard member must be a string or a number anyway, and counting
    brackets in every body would cost more than the rest of the parse.
    """
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


def read_json(body: bytes | str) -> Any:
    """Parse ``body`` as one strict JSON value.

    Raises:
        JsonError: Not UTF-8, not JSON, a repeated member, a non-finite number, or nesting
            deeper than :data:`MAX_DEPTH`.
    """
    text = decode_text(body)
    if text is None:
        raise JsonError("the body is not UTF-8")
    if too_deep(text):
        raise JsonError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    try:
        return STRICT_DECODER.decode(text)
    except _Duplicate:
        raise JsonError("a JSON object repeats a member name") from None
    except _NonFinite:
        raise JsonError("a JSON number is not finite (NaN, Infinity or out of range)") from None
    except RecursionError:  # only when the caller's own stack is already nearly exhausted
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
