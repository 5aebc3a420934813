"""What the provider compliance fixes share: the session they hook into and body/URL helpers.

A compliance fix adapts one provider's deviations from RFC 6749 / RFC 6750 by registering
hooks on a session (see :class:`HookSession` for the hook types). The helpers here read and
rewrite a token response the way requests-oauthlib's fixes do, so that a fix ported from
requests-oauthlib gives the session the same body, but they refuse a body they cannot read
with :class:`~oauthkit.MalformedResponseError` instead of leaking ``JSONDecodeError``,
``KeyError`` or ``TypeError``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit

from ..._errors import MalformedResponseError, UsageError

if TYPE_CHECKING:
    import requests

__all__ = [
    "HookSession",
    "PlacementSession",
    "RequestHook",
    "TokenSession",
    "add_query_parameter",
    "has_query_parameter",
    "hooked",
    "malformed",
    "read_json",
    "read_json_object",
    "require_access_token",
    "token_parameter_hook",
    "write_json",
]


RequestHook = Callable[
    [str, Mapping[str, str] | None, Any], tuple[str, Mapping[str, str] | None, Any]
]
"""A ``protected_request`` (or token request) hook: ``(url, headers, body)`` in and out."""


class HookSession(Protocol):
    """A session that accepts compliance hooks, like requests-oauthlib's ``OAuth2Session``.

    Hook types and the signature of their hooks:

    * ``access_token_request``, ``refresh_token_request``, ``protected_request``:
      ``hook(url, headers, body) -> (url, headers, body)``, called before the request is sent;
    * ``access_token_response``, ``refresh_token_response``:
      ``hook(response) -> response``, called before the token response is parsed. A hook may
      replace ``response._content``.
    """

    def register_compliance_hook(self, hook_type: str, hook: Callable[..., Any]) -> None:
        """Register ``hook`` to run at the point named by ``hook_type``."""


class TokenSession(HookSession, Protocol):
    """A hook session that exposes the access token it will send."""

    @property
    def access_token(self) -> str | None:
        """The current access token, or ``None`` before one was obtained."""


class PlacementSession(HookSession, Protocol):
    """A hook session whose access-token placement can be changed (RFC 6750 §2).

    ``token_placement`` takes the values of :mod:`oauthkit._bearer`: ``"header"``,
    ``"body"`` or ``"query"``.
    """

    token_placement: str


def malformed(response: requests.Response, provider: str, problem: str) -> MalformedResponseError:
    """Build the error for a token response a fix cannot read, with the response attached.

    The message carries a redacted excerpt of the body only (see :func:`oauthkit._errors.excerpt`).
    """
    error = MalformedResponseError(
        f"{provider} token response {problem}", response.status_code, response.content or b""
    )
    error.response = response
    return error


def read_json(response: requests.Response, provider: str) -> Any:
    """Decode the body of a token response as JSON (RFC 6749 §5.1), whatever its shape.

    The body is decoded from ``response.text``, as requests-oauthlib's fixes do, so that the
    same bytes give the same value under either library.

    Raises:
        MalformedResponseError: The body is not JSON.
    """
    try:
        return json.loads(response.text)
    except (ValueError, RecursionError) as exc:
        raise malformed(response, provider, "is not JSON") from exc


def read_json_object(response: requests.Response, provider: str) -> dict[str, Any]:
    """Decode the body of a token response, which must be a JSON object (RFC 6749 §5.1, §5.2).

    Raises:
        MalformedResponseError: The body is not JSON, or is JSON but not an object.
    """
    value = read_json(response, provider)
    if not isinstance(value, dict):
        raise malformed(response, provider, "is not a JSON object")
    return value


def write_json(response: requests.Response, value: Any) -> requests.Response:
    """Replace the body of ``response`` with ``value`` serialised as JSON.

    The serialisation is ``json.dumps`` with its defaults (ASCII, ``", "`` and ``": "``
    separators), byte for byte what requests-oauthlib's fixes write.
    """
    response._content = json.dumps(value).encode()
    return response


def require_access_token(session: TokenSession, provider: str) -> str:
    """The session's access token, which a protected-request hook is about to send.

    Raises:
        UsageError: The session has no access token.
    """
    token = session.access_token
    if token is None:
        raise UsageError(f"{provider}_compliance_fix: the session has no access token to send")
    return token


def has_query_parameter(url: str, name: str) -> bool:
    """Whether the query of ``url`` carries ``name`` with a non-empty value.

    Raises:
        UsageError: ``url`` cannot be parsed.
    """
    try:
        query = urlsplit(url).query
        return any(key == name for key, _ in parse_qsl(query))
    except ValueError as exc:
        raise UsageError("the request URL cannot be parsed") from exc


def add_query_parameter(url: str, name: str, value: str) -> str:
    """Append ``name=value`` to the query of ``url`` (RFC 6750 §2.3 style).

    The existing query is kept as sent and the new pair is form-encoded after it; requests-
    oauthlib decodes and re-encodes the whole query instead, which gives the same URL for any
    query that is itself form-encoded, but rewrites one that is not (``?flag`` becomes
    ``?flag=``, ``%ZZ`` becomes ``%25ZZ``) and drops an empty ``;`` parameter from the path.

    Raises:
        UsageError: ``url`` is not a string or cannot be parsed, or ``value`` cannot be
            encoded as UTF-8.
    """
    if not isinstance(url, str):
        raise UsageError("the request URL must be a str to add a query parameter to it")
    try:
        parts = urlsplit(url)
        pair = f"{quote_plus(name)}={quote_plus(value)}"
    except ValueError as exc:  # UnicodeEncodeError included
        raise UsageError("the request URL or the token cannot be encoded") from exc
    query = parts.query
    if query and not query.endswith("&"):
        query += "&"
    return urlunsplit(parts._replace(query=query + pair))


_Session = TypeVar("_Session", bound=HookSession)


def hooked(session: _Session, hook: Callable[..., Any], *points: str) -> _Session:
    """Register ``hook`` at each of ``points`` on ``session``, and return the session."""
    for point in points:
        session.register_compliance_hook(point, hook)
    return session


def token_parameter_hook(
    session: TokenSession, name: str, provider: str, *, in_form: bool
) -> RequestHook:
    """A ``protected_request`` hook that sends the session's access token as parameter ``name``.

    A token the caller already put there (in the URL's query, or in a ``data`` dict when
    ``in_form``) wins: that is how a request is made with another token. Otherwise the token
    goes into the form when ``in_form`` and ``data`` is empty or a dict (a copy: the caller's
    dict would carry the token into any later request made with it), and into the URL's query
    in every other case (a string, bytes, a file or pairs cannot be extended safely).

    The hook raises :class:`~oauthkit.UsageError` when the session has no access token, or
    when the URL cannot be parsed or extended.
    """

    def add_token(
        url: str, headers: Mapping[str, str] | None, data: Any
    ) -> tuple[str, Mapping[str, str] | None, Any]:
        if has_query_parameter(url, name) or (
            in_form and isinstance(data, dict) and data.get(name)
        ):
            return url, headers, data
        token = require_access_token(session, provider)
        if in_form and not data:
            return url, headers, {name: token}
        if in_form and isinstance(data, dict):
            return url, headers, {**data, name: token}
        return add_query_parameter(url, name, token), headers, data

    return add_token
