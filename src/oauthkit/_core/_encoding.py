"""Percent-encoding of the unreserved set, shared by OAuth 1.0a and OAuth 2.

RFC 5849 §3.6 (signature base strings) and RFC 3986 §2.3 (query parameters built here) encode
the same way: UTF-8, then every byte but ``ALPHA DIGIT - . _ ~`` as ``%XX`` in upper case.
This runs for every parameter of every signed request and authorization URL, so the common
cases skip the standard library's byte-by-byte path.
"""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["percent_encode"]

_is_unreserved = re.compile(r"[A-Za-z0-9._~-]*").fullmatch
# ASCII is its own UTF-8, so escaping it is a character-to-string table.
_ASCII_ESCAPES = {code: f"%{code:02X}" for code in range(128) if not _is_unreserved(chr(code))}


def percent_encode(value: str) -> str:
    """Percent-encode ``value``: the same result as ``urllib.parse.quote(value, safe="")``.

    Raises:
        TypeError: ``value`` is not a string (as :func:`~urllib.parse.quote` would).
    """
    if isinstance(value, str):
        if _is_unreserved(value):
            return value  # keys, nonces, timestamps, method names: nothing to escape
        if value.isascii():
            return value.translate(_ASCII_ESCAPES)
    return quote(value, safe="")
