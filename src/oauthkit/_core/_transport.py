"""Where credentials may go: HTTPS everywhere, plain HTTP only to this machine.

RFC 6749 §1.6, §3.1 and §10.3 require TLS for every request that carries a credential. The one
exception oauthkit makes on its own is loopback (RFC 8252 §8.3): ``localhost``, 127.0.0.0/8
and ``::1``. ``*.localhost`` names are not exempt: many resolvers send them to DNS. Anything
more is the caller's decision, per client, never a process-wide environment variable:
``allow_insecure_transport=True`` allows every host, a collection of host names allows those.

The host checked must be the host the HTTP library will contact. Parsers disagree about a few
URL shapes: WHATWG URL parsers end the authority at a backslash and urllib3 follows them, while
:func:`urllib.parse.urlsplit` reads ``http://evil.example\\@127.0.0.1/`` as a loopback URL with
user information. Such URLs, and authorities with whitespace or control characters, are refused
outright with :class:`~oauthkit.UnsafeUrlError` rather than guessed at.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable

from .._errors import InsecureTransportError, UnsafeUrlError, UsageError

__all__ = ["InsecureAllowance", "TransportPolicy", "check_transport", "is_loopback_host"]

InsecureAllowance = bool | Iterable[str]
"""``allow_insecure_transport``: ``True`` for any host, or the host names allowed plain http."""

# scheme "://" authority; RFC 3986 §3.2: the authority runs to the first "/", "?" or "#".
_HEAD = re.compile(r"[^:/?#]+://[^/?#]*")
# What WHATWG and RFC 3986 parsers read differently, or what no valid authority holds.
_AMBIGUOUS = re.compile(r"[\\\x00-\x20\x7f]")


@functools.lru_cache(maxsize=256)
def is_loopback_host(host: str) -> bool:
    """Whether ``host`` names this machine: ``localhost``, 127.0.0.0/8 or ``::1``.

    ``*.localhost`` is not: resolvers differ in whether they answer it locally (RFC 6761 §6.3
    asks them to, many do not).
    """
    host = host.lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost":
        return True
    import ipaddress  # only needed here; deferred to keep the core import light

    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback


@functools.lru_cache(maxsize=512)
def _scheme_and_host(url_head: str) -> tuple[str, str]:
    """(lower-case scheme, lower-case host) of ``scheme://authority``.

    Raises:
        UsageError: Not an absolute http(s)-style URL, or an invalid port.
        UnsafeUrlError: The authority is read differently by different parsers.
    """
    scheme, sep, authority = url_head.partition("://")
    if not sep or not scheme:
        raise UsageError("not an absolute URL (it needs a scheme and a host)")
    if _AMBIGUOUS.search(authority):
        raise UnsafeUrlError(
            "refusing a URL whose host part holds a backslash, whitespace or a control "
            "character: HTTP libraries disagree about which host it names"
        )
    host_port = authority.rpartition("@")[2]
    if host_port.startswith("["):
        host, bracket, port = host_port.partition("]")
        host += bracket
        port = port.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
    if not host:
        raise UsageError("not an absolute URL (it has no host)")
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise UsageError("the URL has an invalid port")
    return scheme.lower(), host.lower()


class TransportPolicy:
    """A client's answer to "may a credential go over plain http to this host?".

    Args:
        allow_insecure: ``True`` (any host), ``False`` (loopback only) or host names.
        strict: Ignore ``OAUTHLIB_INSECURE_TRANSPORT`` (a security profile such as FAPI 2.0
            requires TLS whatever the environment says).

    Raises:
        UsageError: ``allow_insecure`` is neither a bool nor an iterable of host names.
    """

    __slots__ = ("_verified", "allow_all", "hosts", "strict")

    def __init__(self, allow_insecure: InsecureAllowance = False, *, strict: bool = False) -> None:
        self._verified: set[str] = set()  # URLs, and scheme://authority heads, that passed
        self.strict = strict
        if isinstance(allow_insecure, bool):
            self.allow_all = allow_insecure
            self.hosts: frozenset[str] = frozenset()
            return
        if isinstance(allow_insecure, (str, bytes)):
            raise UsageError("allow_insecure_transport takes a bool or a collection of host names")
        try:
            hosts = list(allow_insecure)
        except TypeError:
            raise UsageError(
                "allow_insecure_transport takes a bool or a collection of host names"
            ) from None
        if not all(isinstance(host, str) and host for host in hosts):
            raise UsageError("allow_insecure_transport host names must be non-empty strings")
        self.allow_all = False
        self.hosts = frozenset(host.lower() for host in hosts)

    def __repr__(self) -> str:
        if self.allow_all:
            return "TransportPolicy(allow_insecure=True)"
        return f"TransportPolicy(allow_insecure={sorted(self.hosts)!r})"

    def check(self, url: str) -> None:
        """Refuse to send a credential to ``url`` unless this policy allows it.

        Raises:
            InsecureTransportError: Plain http to a host that is neither loopback nor allowed.
            UnsafeUrlError: A URL whose host parsers read differently.
            UsageError: Not an absolute URL, or a scheme other than http and https.
        """
        if type(url) is str and url in self._verified:
            return  # a URL seen before (the common case: the same API URL, again)
        if not isinstance(url, str):
            raise UsageError("the URL must be a string")
        match = _HEAD.match(url)
        head = match.group() if match is not None else url
        if head in self._verified:
            return  # every protected request checks its URL: remember the hosts that passed
        scheme, host = _scheme_and_host(head)
        if scheme != "https":
            if scheme != "http":
                raise UsageError(f"unsupported URL scheme {scheme!r}: use https")
            if not (self.allow_all or host in self.hosts or is_loopback_host(host)):
                if not self.strict and os.environ.get("OAUTHLIB_INSECURE_TRANSPORT"):
                    return  # code written for oauthlib keeps working; never remembered
                raise InsecureTransportError(url)
        if len(self._verified) < 1024:
            self._verified.add(head)
            self._verified.add(url)


_DEFAULT = TransportPolicy()


def check_transport(url: str, *, allow_insecure: InsecureAllowance = False) -> None:
    """Refuse to send credentials to ``url`` over plain HTTP unless the host is loopback.

    ``OAUTHLIB_INSECURE_TRANSPORT`` is honoured so that code written for oauthlib keeps working,
    but oauthkit never needs it for loopback development.

    Args:
        url: Where the credential would go.
        allow_insecure: The per-client escape hatch: ``True`` for any host, or host names.

    Raises:
        InsecureTransportError: The URL is plain http to a non-loopback host.
        UnsafeUrlError: The URL's host is read differently by different parsers.
        UsageError: The URL is not absolute, or uses a scheme other than http/https.
    """
    policy = _DEFAULT if allow_insecure is False else TransportPolicy(allow_insecure)
    policy.check(url)
