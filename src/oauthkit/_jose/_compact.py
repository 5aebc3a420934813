"""Reading a compact JWS (RFC 7515 §7.1) or telling a compact JWE (RFC 7516 §7.1) apart.

A compact JWS is three base64url segments; its header and payload must be strict JSON objects
(:mod:`oauthkit._core._json`: no repeated member, bounded nesting). Tokens over
:data:`MAX_TOKEN_SIZE` are refused before any decoding, so a huge token costs nothing.
Decoded protected headers are kept in a small cache: the tokens of one issuer repeat the same
few headers, and the cache makes the header's cost vanish from every validation but the first.
"""

from __future__ import annotations

import binascii
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from .._core._json import JsonError, read_json_object

__all__ = ["MAX_TOKEN_SIZE", "Compact", "Rejected", "b64decode", "is_jwe", "parse_jws"]

MAX_TOKEN_SIZE = 64 * 1024
"""The longest compact token read, in characters (ID tokens are a kilobyte or two)."""

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


class Rejected(Exception):
    """A token failed ``check``; each user-facing validator turns it into its own error class.

    Attributes:
        check: The check that failed (``"format"``, ``"alg"``, ``"crit"``, ``"kid"``,
            ``"signature"``, ``"decryption"``...).
    """

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True, slots=True)
class Compact:
    """A compact JWS, decoded but not verified.

    Attributes:
        header: The protected header, read-only.
        payload: The decoded payload bytes.
        signing_input: ``header.payload`` as sent (what the signature covers).
        signature: The decoded signature.
    """

    header: Mapping[str, Any]
    payload: bytes
    signing_input: bytes
    signature: bytes

    def claims(self) -> dict[str, Any]:
        """The payload as a strict JSON object (a JWT claims set).

        Raises:
            Rejected: The payload is not a JSON object (check ``"format"``).
        """
        try:
            return read_json_object(self.payload)
        except JsonError as exc:
            raise Rejected("format", f"the payload is not a JSON object: {exc}") from None


def b64decode(segment: str) -> bytes:
    """Decode one base64url segment without padding (RFC 7515 §2).

    Raises:
        Rejected: Not base64url (check ``"format"``).
    """
    if _SEGMENT.fullmatch(segment) is None or len(segment) % 4 == 1:
        raise Rejected("format", "a segment is not base64url")
    try:
        # the alphabet was checked above, so the lenient decoder skips nothing
        return binascii.a2b_base64(
            segment.replace("-", "+").replace("_", "/") + "=" * (-len(segment) % 4)
        )
    except binascii.Error:
        raise Rejected("format", "a segment is not base64url") from None


@functools.lru_cache(maxsize=64)
def _header(segment: str) -> Mapping[str, Any]:
    try:
        return MappingProxyType(read_json_object(b64decode(segment)))
    except JsonError as exc:
        raise Rejected("format", f"the protected header is not a JSON object: {exc}") from None


def _check_size(token: object) -> str:
    if not isinstance(token, str):
        raise Rejected("format", f"a JWT must be a string, not {type(token).__name__}")
    if len(token) > MAX_TOKEN_SIZE:
        raise Rejected("format", f"the token is longer than {MAX_TOKEN_SIZE} characters")
    return token


def is_jwe(token: object) -> bool:
    """Whether ``token`` has the five segments of a compact JWE (RFC 7516 §7.1)."""
    return isinstance(token, str) and token.count(".") == 4


def parse_jws(token: object) -> Compact:
    """Split and decode a compact JWS; nothing is verified yet.

    Raises:
        Rejected: Too long, not three base64url segments, or a header or payload that is not
            what RFC 7515 allows (check ``"format"``).
    """
    text = _check_size(token)
    parts = text.split(".")
    if len(parts) != 3:
        raise Rejected("format", f"a compact JWS has 3 segments, this one {len(parts)}")
    head, body, signature = parts
    if not head:
        raise Rejected("format", "the header is empty")
    header = _header(head)
    return Compact(
        header=header,
        payload=b64decode(body),
        signing_input=f"{head}.{body}".encode("ascii"),
        signature=b64decode(signature),
    )
