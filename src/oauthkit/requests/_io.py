"""The requests driver's I/O: answering the core's steps with a ``requests.Session``.

Everything here is mechanical. :class:`RequestsIO` sends the back-channel requests the core
builds (never following a redirect, running the compliance hooks the core's table names) and
the caller's own request with the patch the core hands over; :func:`apply_patch` and
:class:`RedirectGuard` put a patch on a ``PreparedRequest`` and take away, on a redirect hop,
exactly what the patch says (:meth:`~oauthkit.RequestPatch.redirect`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.models import PreparedRequest
from requests.sessions import SessionRedirectMixin
from requests.utils import requote_uri

from .._blocking import BlockingIO
from .._core._http import MAX_BODY, HttpRequest, HttpResponse, collect_body
from .._core._patch import RequestPatch
from .._core._steps import SendRequest
from .._locks import ThreadLocks

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from .._blocking import IOOptions

__all__ = [
    "RedirectGuard",
    "RequestsIO",
    "apply_patch",
    "neutral",
    "no_auth",
    "not_sent",
    "redirect_target",
    "seconds",
]

_CHUNK = 16384

# requests' own redirect rules, used to predict the next hop of a redirect on a plain Session.
_REDIRECT_RULES = SessionRedirectMixin()


def no_auth(r: PreparedRequest) -> PreparedRequest:
    """An auth that adds nothing: requests carry exactly the credentials the core put in them,
    never a session-wide auth object, never ``~/.netrc``."""
    return r


def neutral(response: requests.Response, *, body: bool = True) -> HttpResponse:
    """The core's view of a response; ``body=False`` leaves the caller's body unread."""
    return HttpResponse(
        response.status_code, response.headers, response.content if body else b"", response
    )


def _chunks(response: requests.Response) -> Iterator[bytes]:
    """The body as it arrives: urllib3's ``read1`` returns what the socket has, where
    ``iter_content`` waits to fill each chunk (a slow server would hold it past the deadline).
    urllib3's errors become requests' own, as ``iter_content`` raises them."""
    read1 = getattr(response.raw, "read1", None)
    if read1 is None:  # urllib3 before 2.3
        yield from response.iter_content(_CHUNK)
        return
    from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError

    while True:
        try:
            chunk = read1(_CHUNK, decode_content=True)
        except ProtocolError as exc:
            raise requests.exceptions.ChunkedEncodingError(exc) from exc
        except DecodeError as exc:
            raise requests.exceptions.ContentDecodingError(exc) from exc
        except ReadTimeoutError as exc:
            raise requests.exceptions.ConnectionError(exc) from exc
        if not chunk:
            return
        yield chunk


def _as_sent(request: HttpRequest) -> bytes | str | None:
    """The body as requests-oauthlib hands it to requests: a form as text (the same bytes on
    the wire, and what adapters, mocks and hooks that read ``request.body`` expect)."""
    body = request.body
    content_type = request.headers.get("Content-Type", "")
    if body and content_type.startswith("application/x-www-form-urlencoded") and body.isascii():
        return body.decode("ascii")
    return body


def _streams(response: requests.Response) -> bool:
    """Whether the body is still to be read from urllib3 (else the response holds it)."""
    from urllib3.response import BaseHTTPResponse

    return isinstance(getattr(response, "raw", None), BaseHTTPResponse)


def _held_body(response: requests.Response) -> bytes:
    """The body of a response built without a connection: its ``content``, else its ``text``
    (what requests-oauthlib reads), else nothing."""
    content = response.content
    if isinstance(content, bytes):
        return content
    text: object = getattr(response, "text", None)
    return text.encode("utf-8") if isinstance(text, str) else b""


def not_sent(error: BaseException) -> bool:
    """Whether a requests exception proves the request never reached the server."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(error, requests.exceptions.ConnectionError):
        return False
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    reason = error.args[0] if error.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    # NewConnectionError covers refused connections and failed name resolution.
    return isinstance(reason, NewConnectionError)


def seconds(timeout: Any) -> float | None:
    """A requests ``timeout=`` (a number or a (connect, read) pair) as one budget in seconds."""
    if timeout is None:
        return None
    if isinstance(timeout, tuple):
        parts = [float(part) for part in timeout if part is not None]
        return sum(parts) if parts else None
    return float(timeout)


def redirect_target(response: requests.Response) -> str | None:
    """The absolute URL requests will go to next, if ``response`` is a redirect."""
    location = _REDIRECT_RULES.get_redirect_target(response)
    if location is None:
        return None
    if location.startswith("//"):
        location = f"{urlsplit(response.url).scheme}:{location}"
    return str(urljoin(response.url, requote_uri(location)))


def apply_patch(r: PreparedRequest, patch: RequestPatch, *, lenient: bool = False) -> None:
    """Put ``patch`` on a prepared request (``lenient``: see ``RequestPatch.apply_body``).

    Raises:
        UsageError: The patch cannot go on this request (body placement on a GET...).
    """
    if patch.query:
        r.url = patch.apply_url(r.url or "")
    if patch.form:
        body = r.body.encode("utf-8") if isinstance(r.body, str) else r.body
        content, content_type = patch.apply_body(
            r.method or "GET", body, r.headers.get("Content-Type"), lenient=lenient
        )
        r.headers["Content-Type"] = content_type
        # A body given as text stays text, as requests-oauthlib leaves it.
        r.body = content.decode("utf-8") if isinstance(r.body, str) else content
        r.prepare_content_length(r.body)
    for name, value in patch.headers:
        r.headers[name] = value


class RedirectGuard:
    """A response hook that strips what the patch says from the next redirect hop.

    requests copies ``response.request`` to build the next hop after the response hooks ran,
    so changing that request here is what the hop carries; a credential in the query is
    removed from the ``Location`` the hop is built from.
    """

    __slots__ = ("patch",)

    def __init__(self, patch: RequestPatch) -> None:
        self.patch = patch

    def __call__(self, response: requests.Response, **_: Any) -> requests.Response:
        request = response.request
        if not response.is_redirect or not isinstance(request, PreparedRequest):
            return response
        target = redirect_target(response)
        if target is None:
            return response
        strip = self.patch.redirect(request.url or "", target)
        for name in strip.headers:
            request.headers.pop(name, None)
        if strip.form and isinstance(request.body, (bytes, str)):
            raw = request.body.encode("utf-8") if isinstance(request.body, str) else request.body
            request.body = strip.strip_body(raw)
            request.prepare_content_length(request.body)
        if strip.query:
            cleaned = strip.strip_url(target)
            if cleaned != target:
                response.headers["location"] = cleaned
        return response


class RequestsIO(BlockingIO):
    """Answers the core's steps for one call, through a ``requests.Session``.

    Args:
        session: Sends every request (``requests.Session.request`` on it, so adapters mounted
            on the session and a replaced ``send`` see token requests too).
        locks: The session's locks.
        settings: Other requests arguments for token requests (``verify``, ``proxies``,
            ``cert``).
        **options: Those of :class:`~oauthkit._blocking.BlockingIO`; without ``auth``, token
            requests carry no requests auth (not even netrc's).
    """

    def __init__(
        self,
        session: requests.Session,
        locks: ThreadLocks,
        *,
        settings: Mapping[str, Any] | None = None,
        **options: Unpack[IOOptions],
    ) -> None:
        super().__init__(locks, **options)
        self.session = session
        if self.auth is None:
            self.auth = no_auth
        self.settings = {k: v for k, v in (settings or {}).items() if v is not None}

    def send(self, step: SendRequest) -> HttpResponse:
        """Send a back-channel request, never following a redirect."""
        if self.hooks:
            step = self.hooks.prepare(step)
        request = step.request
        deadline = None if step.timeout is None else time.monotonic() + step.timeout
        response = requests.Session.request(
            self.session,
            request.method,
            request.url,
            headers=dict(request.headers),
            data=_as_sent(request),
            auth=self.auth,
            allow_redirects=False,
            timeout=step.timeout,
            stream=True,
            **self.settings,
        )
        if not _streams(response):
            # An adapter (or a test double) that hands over a body it already holds.
            body: bytes | None = _held_body(response)[: MAX_BODY + 1]
        else:
            with response:
                body = collect_body(_chunks(response), deadline)
        if body is None:
            raise requests.exceptions.ReadTimeout(
                f"the body did not arrive within {step.timeout:.3g} s", response=response
            )
        # What response.content would hold, capped (requests reads it the same way).
        response._content = body
        if self.hooks:
            for hook in self.hooks.responders(step.purpose):
                response = hook(response)
        content, headers = response.content, getattr(response, "headers", None)
        status = response.status_code
        return HttpResponse(
            # A double without a numeric status is read by its body alone, as requests-oauthlib
            # reads every token response.
            status if isinstance(status, int) else 200,
            headers if isinstance(headers, Mapping) else {},
            content if isinstance(content, bytes) else body,
            response,
        )

    def not_sent(self, error: BaseException) -> bool:
        """See :func:`not_sent`."""
        return not_sent(error)
