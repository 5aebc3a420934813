"""The dev provider's routing over the shared loopback server (:mod:`oauthkit._loopback`).

Handlers are plain functions from :class:`~oauthkit.HttpRequest` to :class:`~oauthkit.HttpResponse`,
so the protocol code can be called directly in tests. The :class:`Router` maps paths to
handlers; each protocol mounts its routes under its own prefix (``/oauth1/...``,
``/oauth2/...``, ``/oidc/...``), and :class:`~oauthkit._loopback.LoopbackServer` (re-exported
here, as the dev provider always used it) serves one router, one thread per connection, with a
read timeout per connection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from .._core._http import HttpRequest, HttpResponse
from .._errors import UsageError
from .._loopback import DEFAULT_READ_TIMEOUT, Handler, LoopbackServer

__all__ = [
    "DEFAULT_READ_TIMEOUT",
    "LOG",
    "Handler",
    "LoopbackServer",
    "Router",
    "json_response",
    "text_response",
]

LOG = logging.getLogger("oauthkit.devserver")
"""The dev provider's logger: request lines (queries elided) and handler crashes."""


def json_response(
    status: int, payload: object, headers: Mapping[str, str] | None = None
) -> HttpResponse:
    """A JSON response, never cached (tokens may be inside)."""
    merged = {"Content-Type": "application/json", "Cache-Control": "no-store"}
    merged.update(headers or {})
    body = json.dumps(payload, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    return HttpResponse(status, merged, body)


def text_response(
    status: int, text: str, content_type: str = "text/plain; charset=utf-8"
) -> HttpResponse:
    """A plain (or form-encoded, via ``content_type``) response, never cached."""
    headers = {"Content-Type": content_type, "Cache-Control": "no-store"}
    return HttpResponse(status, headers, text.encode("utf-8"))


class Router:
    """Dispatches requests by exact path, then by method.

    Unknown paths get 404 and known paths with another method get 405 with ``Allow``, so a
    client bug shows up as the right status rather than as a confusing OAuth error.
    """

    def __init__(self) -> None:
        self._routes: dict[str, dict[str, Handler]] = {}

    def add(self, path: str, handler: Handler, methods: Iterable[str] = ("GET",)) -> None:
        """Serve ``path`` with ``handler`` for each of ``methods``.

        Raises:
            UsageError: The path and method are already routed.
        """
        table = self._routes.setdefault(path, {})
        for name in methods:
            method = name.upper()
            if method in table:
                raise UsageError(f"{method} {path} is already routed")
            table[method] = handler

    def __call__(self, request: HttpRequest) -> HttpResponse:
        """Answer ``request`` by its URL's path: a router is a loopback server's handler."""
        return self.dispatch(request, urlsplit(request.url).path or "/")

    def dispatch(self, request: HttpRequest, path: str) -> HttpResponse:
        """Answer ``request``, whose URL path is ``path``."""
        table = self._routes.get(path)
        if table is None:
            return json_response(404, {"error": "not_found", "path": path})
        handler = table.get(request.method)
        if handler is None:
            allowed = ", ".join(sorted(table))
            return HttpResponse(
                405,
                {"Allow": allowed, "Content-Type": "application/json"},
                json.dumps({"error": "method_not_allowed", "allow": allowed}).encode(),
            )
        return handler(request)
