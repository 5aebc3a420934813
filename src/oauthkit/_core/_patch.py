"""What the core adds to a caller's request, and what a redirect must take away again.

Drivers make no protocol decisions. The core hands them a :class:`RequestPatch` (headers to
set, query or form pairs to add) to apply to their own request object, and, when the server
redirects, a :class:`RedirectStrip` naming what the next hop must not carry. Both are applied
mechanically; every rule about *which* credential goes where lives in the protocol modules
that build them (RFC 6750 §2 for bearer tokens).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlencode

from .._errors import UsageError
from ._http import FORM_CONTENT_TYPE, HttpRequest, header_value, same_origin

__all__ = ["EMPTY_PATCH", "RedirectStrip", "RequestPatch"]

_Pairs = tuple[tuple[str, str], ...]


def _names_in(encoded: str, names: frozenset[str]) -> bool:
    return any(unquote_plus(part.partition("=")[0]) in names for part in encoded.split("&"))


def _without(encoded: str, names: frozenset[str]) -> str:
    kept = [p for p in encoded.split("&") if p and unquote_plus(p.partition("=")[0]) not in names]
    return "&".join(kept)


@dataclass(frozen=True, slots=True)
class RedirectStrip:
    """What a redirect hop must lose, by name.

    Attributes:
        headers: Header names (lower case) to remove.
        query: Query parameter names to remove from the hop's URL.
        form: Form parameter names to remove from the hop's body.
    """

    headers: frozenset[str] = frozenset()
    query: frozenset[str] = frozenset()
    form: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.headers or self.query or self.form)

    def strip_url(self, url: str) -> str:
        """``url`` without the query parameters named in :attr:`query`."""
        if not self.query or "?" not in url:
            return url
        base, hash_sign, fragment = url.partition("#")
        path, _, query = base.partition("?")
        if not _names_in(query, self.query):
            return url
        kept = _without(query, self.query)
        return f"{path}{'?' if kept else ''}{kept}{hash_sign}{fragment}"

    def strip_body(self, body: bytes) -> bytes:
        """A form ``body`` without the parameters named in :attr:`form`."""
        if not self.form or not body:
            return body
        text = body.decode("utf-8", "surrogateescape")
        if not _names_in(text, self.form):
            return body
        return _without(text, self.form).encode("utf-8", "surrogateescape")


_NOTHING = RedirectStrip()


@dataclass(frozen=True, slots=True)
class RequestPatch:
    """Credentials to add to one request.

    Attributes:
        headers: Headers to set, replacing any of the same name.
        query: Pairs to append to the URL's query.
        form: Pairs to append to a form-encoded body (RFC 6750 §2.2 rules apply).
    """

    headers: _Pairs = ()
    query: _Pairs = ()
    form: _Pairs = ()

    def __bool__(self) -> bool:
        return bool(self.headers or self.query or self.form)

    def __repr__(self) -> str:
        # The values are credentials; the names say what the patch does.
        names = [name for name, _ in self.headers]
        names += [f"?{name}" for name, _ in self.query]
        names += [f"&{name}" for name, _ in self.form]
        return f"RequestPatch({', '.join(names)})"

    def apply_url(self, url: str) -> str:
        """``url`` with :attr:`query` appended.

        Raises:
            UsageError: The URL already carries one of the names.
        """
        if not self.query:
            return url
        base, hash_sign, fragment = url.partition("#")
        query = base.partition("?")[2]
        names = frozenset(name for name, _ in self.query)
        if query and _names_in(query, names):
            raise UsageError(f"the URL already has a parameter named {sorted(names)[0]!r}")
        sep = "&" if query else ("" if base.endswith("?") else "?")
        return f"{base}{sep}{urlencode(self.query)}{hash_sign}{fragment}"

    def apply_body(
        self,
        method: str,
        body: bytes | None,
        content_type: str | None,
        *,
        lenient: bool = False,
    ) -> tuple[bytes, str]:
        """A form body with :attr:`form` appended, and its ``Content-Type`` (RFC 6750 §2.2).

        ``lenient=True`` does what requests-oauthlib's ``OAuth2`` does when told to place the
        token in the body: on a GET or HEAD request too (§2.2 forbids that method), and on a
        body without a ``Content-Type``, read as a form.

        Raises:
            UsageError: A GET or HEAD request (it has no body); a body that is not
                ``application/x-www-form-urlencoded``; a body that already has one of the names.
        """
        verb = method.upper()
        if verb in ("GET", "HEAD") and not lenient:
            raise UsageError(f"a {verb} request has no body: use header placement")
        if content_type is None:
            if body and not lenient:
                raise UsageError("body placement needs a form-encoded body; this one has no type")
            content_type = FORM_CONTENT_TYPE
        elif content_type.partition(";")[0].strip().lower() != FORM_CONTENT_TYPE:
            raise UsageError("body placement needs an application/x-www-form-urlencoded body")
        body = body or b""
        names = frozenset(name for name, _ in self.form)
        if body and _names_in(body.decode("utf-8", "surrogateescape"), names):
            raise UsageError(f"the body already has a parameter named {sorted(names)[0]!r}")
        encoded = urlencode(self.form).encode("ascii")
        return (body + b"&" + encoded if body else encoded), content_type

    def apply(self, request: HttpRequest) -> HttpRequest:
        """A neutral request with this patch applied, for callers using the core directly.

        Raises:
            UsageError: See :meth:`apply_url` and :meth:`apply_body`.
        """
        headers = dict(request.headers)
        url = self.apply_url(request.url)
        body = request.body
        if self.form:
            body, content_type = self.apply_body(
                request.method, body, header_value(headers, "Content-Type")
            )
            headers = _set(headers, (("Content-Type", content_type),))
        return HttpRequest(request.method, url, _set(headers, self.headers), body)

    def undo(self) -> RedirectStrip:
        """Everything this patch adds, to take it off again (before applying a newer one)."""
        return RedirectStrip(
            headers=frozenset(name.lower() for name, _ in self.headers),
            query=frozenset(name for name, _ in self.query),
            form=frozenset(name for name, _ in self.form),
        )

    def redirect(self, previous_url: str, next_url: str) -> RedirectStrip:
        """What the hop from ``previous_url`` to ``next_url`` must lose.

        A credential in a header or the body stays only on a same-origin hop (RFC 6454
        origin: scheme, host and port); one in the query never rides along, whatever the
        ``Location`` says, because a server echoing the query would hand it on.
        """
        if same_origin(previous_url, next_url):
            if not self.query:
                return _NOTHING
            return RedirectStrip(query=frozenset(name for name, _ in self.query))
        return self.undo()


EMPTY_PATCH = RequestPatch()


def _set(headers: dict[str, str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    for name, value in pairs:
        lowered = name.lower()
        for existing in [key for key in headers if key.lower() == lowered]:
            del headers[existing]
        headers[name] = value
    return headers
