"""Neutral HTTP values shared by the core and the drivers, and transport-security rules.

The core never performs I/O. It describes requests as :class:`HttpRequest` values and reads
:class:`HttpResponse` values that a driver (requests, httpx) fills in. Both are deliberately
minimal: a method, a URL, headers and a byte body.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .._errors import InsecureTransportError, UsageError

__all__ = [
    "HttpRequest",
    "HttpResponse",
    "check_transport",
    "is_loopback_host",
    "origin_of",
    "same_origin",
]

_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """A request the core wants a driver to send.

    Attributes:
        method: Upper-case HTTP method.
        url: Absolute URL, query included.
        headers: Header names and values, all ``str``.
        body: The encoded body, or ``None``.
    """

    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes | None = None

    def __repr__(self) -> str:
        # Headers, body and query carry credentials (Authorization, client_secret, tokens in
        # the query): show only where the request goes.
        parts = urlsplit(self.url)
        return f"HttpRequest({self.method} {parts.scheme}://{parts.netloc}{parts.path})"


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A response handed back to the core by a driver.

    Attributes:
        status_code: HTTP status.
        headers: Header names (any case) and values.
        body: The full body. Only token-endpoint style responses are ever read into the core.
    """

    status_code: int
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""

    def __repr__(self) -> str:
        return f"HttpResponse({self.status_code}, {len(self.body)} bytes)"  # bodies hold tokens

    def header(self, name: str) -> str | None:
        """Return a header value, matching the name case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def media_type(self) -> str:
        """The ``Content-Type`` without parameters, lower-cased (``""`` when absent)."""
        value = self.header("content-type") or ""
        return value.partition(";")[0].strip().lower()


def origin_of(url: str) -> tuple[str, str, int]:
    """Return the (scheme, host, port) origin of ``url``, with default ports filled in.

    Raises:
        UsageError: The URL has no scheme or host, or an invalid port.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"malformed URL {url!r}") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        raise UsageError(f"not an absolute URL: {url!r}")
    return scheme, host, port if port is not None else _DEFAULT_PORTS.get(scheme, 0)


def same_origin(a: str, b: str) -> bool:
    """Whether two absolute URLs share scheme, host and port (RFC 6454)."""
    try:
        return origin_of(a) == origin_of(b)
    except UsageError:
        return False


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    import ipaddress  # only needed here; deferred to keep the core import light

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_transport(url: str, *, allow_insecure: bool = False) -> None:
    """Refuse to send credentials to ``url`` over plain HTTP unless the host is loopback.

    ``OAUTHLIB_INSECURE_TRANSPORT`` is honoured so that code written for oauthlib keeps working,
    but oauthkit never needs it for loopback development.

    Args:
        url: Where the credential would go.
        allow_insecure: The per-client escape hatch for non-loopback plain HTTP.

    Raises:
        InsecureTransportError: The URL is plain http to a non-loopback host.
        UsageError: The URL is not absolute, or uses a scheme other than http/https.
    """
    scheme, host, _ = origin_of(url)
    if scheme == "https":
        return
    if scheme != "http":
        raise UsageError(f"unsupported URL scheme {scheme!r} in {url!r}")
    if allow_insecure or is_loopback_host(host) or os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"):
        return
    raise InsecureTransportError(url)
