"""The loopback redirect receiver of a native-app login (RFC 8252 §7.3, §8.3).

:class:`RedirectReceiver` is the handler a :class:`~oauthkit._loopback.LoopbackServer` runs
while the user signs in. It answers what a browser actually sends to a loopback port, not only
the redirect:

* ``GET <callback path>?code=…&state=…`` — the first one is the authorization response: its
  ``state`` is checked in constant time (:func:`~oauthkit.parse_authorization_callback`), it is
  handed to the waiting login, and the browser is answered once the login knows whether the
  code exchange worked (a "you can close this tab" page, or an error page).
* the same path again (a reload, a second tab) — the page of the outcome, never a second
  exchange;
* ``/favicon.ico`` and every other path — ``404``; other methods on the callback — ``405``;
* preconnects (connections that send nothing) — left to the server's read timeout on their own
  threads, so they never block the redirect.

A callback with another ``state`` or an ``error`` (``access_denied``) ends the login with that
error (:class:`~oauthkit.StateMismatchError`, :class:`~oauthkit.AuthorizationError`) and an
error page. The pages are static HTML without scripts or links, sent with ``no-store``,
``no-referrer`` and a ``default-src 'none'`` content security policy, since their URL holds
the authorization code.
"""

from __future__ import annotations

import html
import threading
import time
from urllib.parse import urlsplit

from .._core._http import HttpRequest, HttpResponse
from .._core._redact import excerpt
from .._errors import AuthorizationError, LoginTimeoutError, OAuthError, UsageError
from .._oauth2._callback import parse_authorization_callback

__all__ = ["RedirectReceiver", "page"]

_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    "X-Content-Type-Options": "nosniff",
}
_STYLE = "body{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em}"


def page(status: int, title: str, text: str) -> HttpResponse:
    """A small static HTML page; ``title`` and ``text`` are escaped."""
    body = (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{html.escape(title)}</h1><p>{html.escape(text)}</p></body></html>\n"
    )
    return HttpResponse(status, dict(_HEADERS), body.encode("utf-8"))


def _describe(error: BaseException) -> str:
    if isinstance(error, AuthorizationError):
        # server text, shown redacted and cut short; the code is the registered word
        detail = f": {excerpt(error.description, 200)}" if error.description else ""
        return f"The authorization server answered {excerpt(error.error, 80)}{detail}."
    if isinstance(error, OAuthError):
        return f"{type(error).__name__}: {excerpt(str(error), 200)}"
    return "The sign-in could not be completed."


class RedirectReceiver:
    """Receives one authorization response on a loopback redirect URI.

    Args:
        path: The redirect URI's path (``/callback``); only it is answered.
        answer_within: Seconds a browser's request for the callback waits for the login's
            outcome before it is told to go back to the application.
    """

    def __init__(self, path: str, *, answer_within: float = 60.0) -> None:
        self.path = path
        self._answer_within = answer_within
        self._lock = threading.Lock()
        self._state: str | None = None
        self._redirect_uri = ""
        self._callback: str | None = None
        self._error: BaseException | None = None
        self._received = threading.Event()
        self._finished = threading.Event()
        self._answered = threading.Event()
        self._outcome: BaseException | None = None

    def expect(self, state: str, redirect_uri: str) -> None:
        """Set the ``state`` sent in the authorization request, and the redirect URI."""
        self._state = state
        self._redirect_uri = redirect_uri

    @property
    def received(self) -> bool:
        """Whether the authorization response (or a refusal) has arrived."""
        return self._received.is_set()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        parts = urlsplit(request.url)
        if parts.path != self.path:
            return page(404, "Not found", "This address only receives a sign-in response.")
        if request.method != "GET":
            return HttpResponse(405, {"Allow": "GET", **_HEADERS}, b"")
        with self._lock:
            first = not self._received.is_set()
            if first:
                self._take(parts.query)
        if self._error is not None:
            self._answered.set()
            return page(400, "Sign-in failed", _describe(self._error))
        self._finished.wait(self._answer_within)
        try:
            if not self._finished.is_set():
                return page(200, "Signing in", "Return to the application to finish.")
            if self._outcome is not None:
                return page(400, "Sign-in failed", _describe(self._outcome))
            return page(200, "Signed in", "You can close this tab and return to the application.")
        finally:
            self._answered.set()

    def _take(self, query: str) -> None:
        """Check the first callback; runs under the lock."""
        try:
            if self._state is None:
                raise UsageError("a callback came before any authorization request was sent")
            parse_authorization_callback(query, expected_state=self._state)
        except OAuthError as exc:
            self._error = exc
        else:
            # the redirect URI we registered, with the query as received: the session checks
            # it again (state, then iss) before exchanging the code
            self._callback = f"{self._redirect_uri}?{query}"
        self._received.set()

    def wait(self, deadline: float) -> str:
        """Block until the authorization response arrives; its URL, for ``fetch_token``.

        Args:
            deadline: ``time.monotonic()`` value after which to give up.

        Raises:
            LoginTimeoutError: Nothing arrived before ``deadline``.
            StateMismatchError: The callback carried another ``state``.
            AuthorizationError: The callback was an error response (``access_denied``).
            CallbackError: The callback carried neither a code nor an error.
        """
        if not self._received.wait(max(0.0, deadline - time.monotonic())):
            raise LoginTimeoutError("the browser did not come back to the redirect URI in time")
        return self.result()

    def result(self) -> str:
        """The callback URL once :attr:`received`, or the error it carried (see :meth:`wait`)."""
        if self._error is not None:
            raise self._error
        if self._callback is None:
            raise UsageError("no authorization response has arrived yet")
        return self._callback

    def finish(self, error: BaseException | None = None, *, linger: float = 2.0) -> None:
        """Tell the browser how the code exchange went, and give it ``linger`` seconds to
        receive the page before the caller stops the server."""
        self._outcome = error
        self._finished.set()
        if self._received.is_set():
            self._answered.wait(linger)
