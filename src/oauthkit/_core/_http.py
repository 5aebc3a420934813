"""Neutral HTTP values shared by the core and the drivers.

The core never performs I/O. It describes requests as :class:`HttpRequest` values and reads
:class:`HttpResponse` values that a driver (requests, httpx) fills in. Both are deliberately
minimal: a method, a URL, headers and a byte body.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable, Iterable, Mapping
from urllib.parse import urlsplit

from .._errors import UsageError
from ._values import Value

__all__ = [
    "FORM_CONTENT_TYPE",
    "MAX_BODY",
    "HttpRequest",
    "HttpResponse",
    "acollect_body",
    "collect_body",
    "header_value",
    "origin_of",
    "same_origin",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

MAX_BODY = 1 << 20
"""The longest back-channel body read, in bytes; a driver stops one byte after it.

Token, device, introspection and error responses are a few kilobytes, ID tokens included. A
body of megabytes is a fault (an error page, a proxy streaming something else, a compression
bomb), and parsing one made of millions of small JSON members or form fields takes seconds,
long after the caller's timeout. Go's x/oauth2 reads no more of a token response either.
"""


class _Body:
    """A back-channel body being collected: its chunks, and whether to stop."""

    __slots__ = ("deadline", "late", "parts", "size")

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.parts: list[bytes] = []
        self.size = 0
        self.late = False

    def add(self, chunk: bytes) -> bool:
        """Keep ``chunk``; whether to read on (not past the cap nor the deadline)."""
        self.parts.append(chunk)
        self.size += len(chunk)
        if self.size > MAX_BODY:
            return False
        self.late = self.deadline is not None and time.monotonic() > self.deadline
        return not self.late

    def result(self) -> bytes | None:
        return None if self.late else b"".join(self.parts)[: MAX_BODY + 1]


def collect_body(chunks: Iterable[bytes], deadline: float | None) -> bytes | None:
    """Read a back-channel body from a driver's chunks, at most ``MAX_BODY + 1`` bytes.

    Args:
        chunks: The body, decompressed, as the HTTP library streams it.
        deadline: ``time.monotonic()`` by which the whole body must be in, or ``None``.

    Returns:
        The body (cut one byte past :data:`MAX_BODY`, so a parser can tell it was too long),
        or ``None`` when the deadline passed first: HTTP libraries time out each read, so a
        server that sends a byte now and then would otherwise hold the caller for ever.
    """
    body = _Body(deadline)
    for chunk in chunks:
        if not body.add(chunk):
            break
    return body.result()


async def acollect_body(chunks: AsyncIterable[bytes], deadline: float | None) -> bytes | None:
    """The async twin of :func:`collect_body`."""
    body = _Body(deadline)
    async for chunk in chunks:
        if not body.add(chunk):
            break
    return body.result()


_set = object.__setattr__

_DEFAULT_PORTS = {"http": 80, "https": 443}


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header ``name`` in ``headers``, matched case-insensitively."""
    value = headers.get(name)
    if value is not None:
        return value
    lowered = name.lower()
    for key, val in headers.items():
        if key.lower() == lowered:
            return val
    return None


class HttpRequest(Value):
    """A request the core wants a driver to send (a frozen value).

    Attributes:
        method: Upper-case HTTP method.
        url: Absolute URL, query included.
        headers: Header names and values, all ``str``.
        body: The encoded body, or ``None``.
    """

    __slots__ = ("body", "headers", "method", "url")
    _compared = ("method", "url", "headers", "body")
    method: str
    url: str
    headers: Mapping[str, str]
    body: bytes | None

    def __init__(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
    ) -> None:
        _set(self, "method", method)
        _set(self, "url", url)
        _set(self, "headers", {} if headers is None else headers)
        _set(self, "body", body)

    def __repr__(self) -> str:
        # Headers, body and query carry credentials (Authorization, client_secret, tokens in
        # the query): show only where the request goes.
        return f"HttpRequest({self.method} {_where(self.url)})"


class HttpResponse(Value):
    """A response handed back to the core by a driver (a frozen value).

    Attributes:
        status_code: HTTP status.
        headers: Header names (any case) and values.
        body: The full body. Only back-channel responses are ever read into the core; for the
            caller's own requests it is empty.
        raw: The driver's own response object (``requests.Response``, ``httpx.Response``), which
            the executor attaches to the errors a flow raises about this response. Not compared.
    """

    __slots__ = ("body", "headers", "raw", "status_code")
    _compared = ("status_code", "headers", "body")
    status_code: int
    headers: Mapping[str, str]
    body: bytes
    raw: object

    def __init__(
        self,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        body: bytes = b"",
        raw: object = None,
    ) -> None:
        _set(self, "status_code", status_code)
        _set(self, "headers", {} if headers is None else headers)
        _set(self, "body", body)
        _set(self, "raw", raw)

    def __repr__(self) -> str:
        return f"HttpResponse({self.status_code}, {len(self.body)} bytes)"  # bodies hold tokens

    def header(self, name: str) -> str | None:
        """Return a header value, matching the name case-insensitively."""
        return header_value(self.headers, name)

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` without parameters, lower-cased (``""`` when absent)."""
        value = self.header("content-type") or ""
        return value.partition(";")[0].strip().lower()


def _where(url: str) -> str:
    """``scheme://host/path`` of ``url``, without query, fragment or user information."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return "<unparsable URL>"
    return f"{parts.scheme}://{host}{port}{parts.path}"


def origin_of(url: str) -> tuple[str, str, int]:
    """Return the (scheme, host, port) origin of ``url``, with default ports filled in.

    Raises:
        UsageError: The URL has no scheme or host, or an invalid port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"malformed URL {_where(url)!r}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        raise UsageError(f"not an absolute URL: {_where(url)!r}")
    return scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme, 0)


def same_origin(a: str, b: str) -> bool:
    """Whether two absolute URLs share scheme, host and port (RFC 6454)."""
    try:
        return origin_of(a) == origin_of(b)
    except UsageError:
        return False
