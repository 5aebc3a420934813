"""Reading a compact JWS (RFC 7515 §7.1) or telling a compact JWE (RFC 7516 §7.1) apart.

A compact JWS is three base64url segments; its header and payload must be strict JSON objects
(:mod:`oauthkit._core._json`: no repeated member, bounded nesting). Tokens over
:data:`MAX_TOKEN_SIZE` are refused before any decoding, so a huge token costs nothing.
Decoded protected headers are kept in a small cache: the tokens of one issuer repeat the same
few headers, and the cache makes the header's cost vanish from every validation but the first.

Validating an ID token costs one RSA verification (about 25 µs) plus this module's work on
every call, so the common path is a few C calls (benchmarks/bench_oidc.py): the dots are found
with ``str.find`` (``memchr``), the base64url alphabet is checked by ``bytes.translate`` and a
strict decoder rather than a regular expression stepping through the 342 characters of an RS256
signature, and the claims are read by the JSON scanner directly
(:func:`~oauthkit._core._json.scan_object`); a payload it does not take goes through the full
reader, which accepts or refuses as before, with its message.
"""

from __future__ import annotations

import binascii
import functools
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from .._core._json import JsonError, read_json_object, scan_object, too_deep

__all__ = [
    "MAX_TIME",
    "MAX_TOKEN_SIZE",
    "Compact",
    "Rejected",
    "b64decode",
    "is_jwe",
    "parse_jws",
    "peek_alg",
]

MAX_TIME = 100_000_000_000
"""The largest time read from a JWT or a JSON answer (the year 5138): anything beyond is not a
time. A bound compared as is, so that a 400-digit integer (valid JSON, and no float) is
refused rather than overflowing ``math.isfinite``."""
MAX_TOKEN_SIZE = 64 * 1024
"""The longest compact token read, in characters (ID tokens are a kilobyte or two)."""

_PADDING = (b"", b"", b"==", b"=")  # by length % 4 (1 is refused)


class Rejected(Exception):
    """A token failed ``check``; each user-facing validator turns it into its own error class.

    Attributes:
        check: The check that failed (``"format"``, ``"alg"``, ``"crit"``, ``"kid"``,
            ``"signature"``, ``"decryption"``...).
    """

    def __init__(self, check: str, message: str) -> None:
        super().__init__(message)
        self.check = check


class Compact(NamedTuple):
    """A compact JWS, decoded but not verified.

    Immutable like the package's frozen dataclasses, but made on every validation: a frozen
    dataclass's ``__init__`` (an ``object.__setattr__`` per field) cost more than splitting
    the token.

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
        payload = self.payload
        if payload[:1] == b"{":
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                # read_json_object's checks, without its white-space handling (scan_object);
                # nesting can only be too deep with brackets after the first one.
                nested = "[" in text or text.find("{", 1) > 0
                claims = None if nested and too_deep(text) else scan_object(text)
                if claims is not None:
                    return claims
        try:
            return read_json_object(payload)
        except JsonError as exc:
            raise Rejected("format", f"the payload is not a JSON object: {exc}") from None


_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_TO_STANDARD = bytes.maketrans(b"-_", b"+/")
# "+", "/" and "=" are not base64url: made invalid for the strict decoder, which then refuses
# anything outside the alphabet in the pass that decodes.
_TO_STRICT = bytes.maketrans(b"-_+/=", b"+/!!!")


def _decode_strict(data: bytes) -> bytes:
    padded = data.translate(_TO_STRICT) + _PADDING[len(data) % 4]
    return binascii.a2b_base64(padded, strict_mode=True)  # type: ignore[call-arg,unused-ignore]


def _decode_checked(data: bytes) -> bytes:
    # Without a strict mode (3.10), check the alphabet first: the lenient decoder skips
    # whatever is not base64.
    if data.translate(None, _ALPHABET):
        raise binascii.Error("not base64url")
    return binascii.a2b_base64(data.translate(_TO_STANDARD) + _PADDING[len(data) % 4])


_decode = _decode_strict if sys.version_info >= (3, 11) else _decode_checked


def b64decode(segment: str) -> bytes:
    """Decode one base64url segment without padding (RFC 7515 §2).

    Raises:
        Rejected: Not base64url (check ``"format"``).
    """
    try:
        data = segment.encode("ascii")
        if len(data) % 4 != 1:
            return _decode(data)
    except (UnicodeEncodeError, binascii.Error):
        pass
    raise Rejected("format", "a segment is not base64url")


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
    if not isinstance(token, str):
        return False
    third = token.find(".", token.find(".", token.find(".") + 1) + 1)
    return third > 0 and token.count(".") == 4  # a JWS has two dots: no count for it


def peek_alg(token: str) -> object:
    """The ``alg`` member of a compact JWS's header (any JSON value), or ``None`` when the
    header cannot be read; nothing else is decoded (the header is cached)."""
    first = token.find(".")
    if first <= 0 or len(token) > MAX_TOKEN_SIZE:
        return None
    try:
        return _header(token[:first]).get("alg")
    except Rejected:
        return None


def parse_jws(token: object) -> Compact:
    """Split and decode a compact JWS; nothing is verified yet.

    Raises:
        Rejected: Too long, not three base64url segments, or a header or payload that is not
            what RFC 7515 allows (check ``"format"``).
    """
    text = _check_size(token)
    first = text.find(".")
    second = text.find(".", first + 1)
    if first < 0 or second < 0 or text.find(".", second + 1) >= 0:
        raise Rejected("format", f"a compact JWS has 3 segments, this one {text.count('.') + 1}")
    if first == 0:
        raise Rejected("format", "the header is empty")
    header = _header(text[:first])
    # The rest as in b64decode, with the token encoded once: the header is ASCII (it decoded),
    # so whatever is not is in the payload or the signature, "not base64url" either way.
    try:
        data = text.encode("ascii")
        body, signature = data[first + 1 : second], data[second + 1 :]
        if len(body) % 4 != 1 and len(signature) % 4 != 1:
            return Compact(header, _decode(body), data[:second], _decode(signature))
    except (UnicodeEncodeError, binascii.Error):
        pass
    raise Rejected("format", "a segment is not base64url")
