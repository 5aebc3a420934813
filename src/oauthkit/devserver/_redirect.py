"""The dev provider's ``/redirect`` route: same-origin redirects only, as a browser sees them.

Client tests use ``/redirect?status=307&to=/oauth1/resource`` to check how a client follows a
redirect. The target comes from the query, so the route must not become an open redirector
(`RFC 6749 §10.15`_): whatever ``to`` holds, the ``Location`` it sends must resolve to the
provider's own origin in every user agent.

"Starts with one ``/``" is not that test. A browser parses ``Location`` with the WHATWG URL
Standard (`basic URL parser`_), not RFC 3986, and for the special schemes (``http``,
``https``, ...) it

- strips leading and trailing C0 controls and spaces, and removes every tab, LF and CR, so
  ``/\\t/evil.example`` (sent as ``to=/%09/evil.example``) becomes ``//evil.example``;
- reads ``\\`` as ``/``, so ``/\\evil.example`` and ``\\/evil.example`` are scheme-relative
  (the *relative slash* and *special authority ignore slashes* states);
- treats ``http:/\\evil.example`` and ``http:///evil.example`` as a host, and
  ``https:evil.example`` as ``https://evil.example/``.

Emulating that parser and comparing origins would work, but would have to track the standard.
The route instead accepts a narrow language in which none of those rules can fire:

1. the target is an RFC 3986 URI reference (`RFC 3986 §4.1`_) spelled in its own ASCII
   characters, with every other octet percent-encoded: no controls, spaces, backslashes or
   non-ASCII characters, so there is nothing for a browser to strip, remove or reinterpret,
   and nothing that could split the ``Location`` header (CR, LF);
2. and it is either a path that starts with exactly one ``/`` (`RFC 3986 §4.2`_'s
   *absolute-path reference*), which the parser's *path state* resolves against the
   provider's own host, or an absolute URL that starts with the provider's origin followed by
   ``/``, ``?``, ``#`` or nothing, whose authority therefore is exactly the provider's.

Everything else is refused with a 400 that says so. The check runs on the value after query
decoding, which is the very string sent in ``Location``; browsers do not percent-decode it
again, so ``to=/%255Cevil.example`` (``Location: /%5Cevil.example``) stays a path.

.. _RFC 6749 §10.15: https://www.rfc-editor.org/rfc/rfc6749#section-10.15
.. _basic URL parser: https://url.spec.whatwg.org/#concept-basic-url-parser
.. _RFC 3986 §4.1: https://www.rfc-editor.org/rfc/rfc3986#section-4.1
.. _RFC 3986 §4.2: https://www.rfc-editor.org/rfc/rfc3986#section-4.2
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qsl, urlsplit

from .._core._http import HttpRequest, HttpResponse
from ._server import Handler, json_response

__all__ = ["REDIRECT_STATUSES", "is_same_origin_target", "redirect_handler"]

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})

# RFC 3986 §2: unreserved and reserved characters, or a complete percent-encoded octet.
_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")


def is_same_origin_target(target: str, origin: str) -> bool:
    """Whether a browser resolves ``target``, relative to ``origin``, to ``origin`` itself.

    Sound, not complete: it accepts only the two shapes described in the module docstring (an
    absolute-path reference starting with a single ``/``, or a URL starting with ``origin``),
    so some same-origin targets, such as ``callback`` or ``/a b``, are refused too.

    Args:
        target: The ``Location`` value, exactly as it will be sent.
        origin: ``scheme://host:port`` of the page being redirected from, without a trailing
            slash (the WHATWG URL Standard's `origin`_ of the base URL, serialized).

    Returns:
        ``True`` if ``target`` is safe to send as a same-origin ``Location``.

    .. _origin: https://url.spec.whatwg.org/#concept-url-origin
    """
    if not _URI_REFERENCE.fullmatch(target):
        return False
    if target.startswith("/"):
        # "//host" is a network-path reference (RFC 3986 §4.2); "\" is already excluded.
        return not target.startswith("//")
    # The origin, then a delimiter that ends the authority in both RFC 3986 §3.2 and the WHATWG
    # authority state ("\" would too, for special schemes, but it cannot occur here).
    return target.startswith(origin) and target[len(origin) : len(origin) + 1] in (
        "",
        "/",
        "?",
        "#",
    )


def redirect_handler(origin: Callable[[], str]) -> Handler:
    """The ``/redirect?status=30x&to=...`` route, redirecting within ``origin`` only.

    Args:
        origin: Returns the provider's ``scheme://host:port``; called per request, because
            the port is known only once the server is listening.

    Returns:
        A handler answering ``status`` (301, 302, 303, 307 or 308; default 302) with
        ``Location: <to>`` when :func:`is_same_origin_target` accepts ``to``, and 400
        ``invalid_request`` otherwise.
    """

    def redirect(request: HttpRequest) -> HttpResponse:
        query = dict(parse_qsl(urlsplit(request.url).query))
        target = query.get("to", "")
        try:
            status = int(query.get("status", "302"))
        except ValueError:
            status = 0
        if status not in REDIRECT_STATUSES:
            return json_response(
                400,
                {"error": "invalid_request", "detail": "status must be 301, 302, 303, 307 or 308"},
            )
        base = origin()
        if not is_same_origin_target(target, base):
            detail = (
                "'to' must be a path starting with a single '/', or a URL starting with "
                f"{base}, written in RFC 3986 characters (percent-encode anything else)"
            )
            return json_response(400, {"error": "invalid_request", "detail": detail})
        # No Content-Length here: the server adds it for every response.
        return HttpResponse(status, {"Location": target}, b"")

    return redirect
