"""Reading token endpoint responses (RFC 6749 §5.1 success, §5.2 error).

The RFC says a token response is a JSON object. Real servers also send form-encoded bodies
(GitHub without ``Accept: application/json``, Facebook's old API), ``text/plain`` labels,
lifetimes as strings, errors with status 200, and HTML error pages from a proxy. This module
accepts what can be read unambiguously and turns everything else into a typed error:

* a body with an ``error`` field, whatever the status, raises the class that
  :func:`~oauthkit._errors.token_error_class` picks for the code (``InvalidGrantError``...);
* another non-2xx answer raises :class:`TokenEndpointError` with the status;
* an unreadable 2xx body raises :class:`MalformedResponseError`, one without an access token
  :class:`MissingTokenError`. Unreadable includes ambiguous: a repeated JSON member or form
  field, ``NaN`` or ``Infinity`` (:mod:`oauthkit._core._json`), and tokens with characters
  outside RFC 6749's VSCHAR (Appendix A.12, A.17), which could not be sent anyway.

Success is validated in one pass over the fields, and the :class:`Token` is built without
validating them a second time. Every exception carries a short excerpt of the body in which
credentials are replaced by ``***`` (:mod:`oauthkit._core._redact`), made only on error.
:func:`parse_error_body` is the reusable half, for revocation (RFC 7009 §2.2.1), introspection
(RFC 7662 §2.3) and device authorization (RFC 8628 §3.2) responses.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

from .._core._http import HttpResponse
from .._core._json import JsonError, decode_text, read_json
from .._core._params import scope_tokens
from .._core._redact import excerpt
from .._error_codes import token_error_class
from .._errors import MalformedResponseError, MissingTokenError, TokenEndpointError, UsageError
from ._token import STANDARD_KEYS, Token, check_now

__all__ = [
    "parse_error_body",
    "parse_token_response",
    "read_fields",
    "token_from_fields",
    "trusted_token",
]


def parse_token_response(
    response: HttpResponse,
    *,
    now: float,
    requested_scope: str | Sequence[str] | None = None,
) -> Token:
    """Turn a token endpoint response into a :class:`Token` (RFC 6749 §5.1) or raise its error.

    Args:
        response: The response the driver received.
        now: When it was received, in seconds since the epoch; ``expires_in`` counts from it.
        requested_scope: The scope the request asked for. A response granting a different
            scope sets :attr:`Token.scope_changed` (RFC 6749 §3.3 allows it; never raised);
            one without ``scope`` grants the requested one (§5.1).

    Returns:
        The token.

    Raises:
        TokenEndpointError: The body carries an RFC 6749 §5.2 ``error`` (then the subclass for
            the code, such as :class:`~oauthkit.InvalidGrantError`, with ``error``,
            ``description``, ``uri`` and ``status_code``), or the status is not 2xx.
        MissingTokenError: A 2xx body without ``access_token``.
        MalformedResponseError: A 2xx body that is neither a JSON object nor a form, that is
            ambiguous, or that has a field of the wrong type or with invisible characters.
        UsageError: ``response`` is not an :class:`HttpResponse`, ``now`` is not a finite
            number, or ``requested_scope`` is not a string or sequence of strings.
    """
    fields = read_fields(response)
    status = response.status_code
    body = response.body
    if fields is not None and _has_error(fields):
        raise _error_from_fields(fields, status, body)
    if not 200 <= status < 300:
        raise TokenEndpointError(
            "token endpoint refused the request without an OAuth error code", status, body
        )
    if fields is None:
        raise MalformedResponseError(
            "token response is neither a JSON object nor form-encoded", status, body
        )
    return token_from_fields(
        fields, now=now, requested_scope=requested_scope, status_code=status, body=lambda: body
    )


def parse_error_body(response: HttpResponse) -> TokenEndpointError | None:
    """Read an RFC 6749 §5.2 error body, whatever the status, without raising it.

    Endpoints that share the token endpoint's error format (revocation, introspection, device
    authorization) use this to turn a refusal into the right exception.

    Args:
        response: The response the driver received.

    Returns:
        The exception to raise (the class for the ``error`` code, or :class:`TokenEndpointError`
        for an unknown code or an ``error`` that is not a string), or ``None`` when the body is
        not a JSON object or form carrying a non-empty ``error``.

    Raises:
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    fields = read_fields(response)
    if fields is None or not _has_error(fields):
        return None
    return _error_from_fields(fields, response.status_code, response.body)


def read_fields(response: HttpResponse) -> dict[str, Any] | None:
    """The body as a mapping, or ``None`` when it is neither a JSON object nor a form.

    Raises:
        UsageError: ``response`` is not an :class:`HttpResponse` with a bytes body.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    body = response.body
    if not isinstance(body, (bytes, bytearray)):
        raise UsageError("HttpResponse.body must be bytes")
    text = decode_text(body)
    if not text or text[0] == "<":
        return None  # not UTF-8, empty, or an HTML/XML page from a proxy or a login screen
    if (
        text[0] == "{"
        or (media := response.media_type) == "application/json"
        or (media.endswith("+json"))
    ):
        try:
            data = read_json(text)
        except JsonError:
            if text[0] == "{":
                return None
            return _read_form(text)  # a form mislabelled as JSON; oauthlib falls back the same way
        return data if isinstance(data, dict) else None
    return _read_form(text)


def _read_form(text: str) -> dict[str, Any] | None:
    # GitHub (without Accept: application/json) and old Facebook answer with a form body,
    # sometimes labelled text/plain; oauthlib accepts it for the same reason.
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs):
        return None  # a repeated field is ambiguous; refuse to guess which one counts
    return fields


def _has_error(fields: Mapping[str, Any]) -> bool:
    # Some APIs put "error": null in successful answers.
    return fields.get("error") not in (None, "")


def _error_from_fields(fields: Mapping[str, Any], status: int, body: bytes) -> TokenEndpointError:
    # The excerpt is of the body as sent, not of ``fields``: reading a text page as a form
    # turns "+" into a space, which would split an echoed "Basic dXNl+cjpw" credential in
    # two and leave its tail outside the redaction.
    code = fields.get("error")
    description = fields.get("error_description")
    uri = fields.get("error_uri")
    description = description if isinstance(description, str) else None
    uri = uri if isinstance(uri, str) else None
    if not isinstance(code, str):
        return TokenEndpointError(
            "token endpoint returned an error that is not an RFC 6749 error code",
            status,
            body,
            description=description,
            uri=uri,
        )
    message = f"token endpoint error {excerpt(code, 80)!r}"
    if description:
        message += f": {excerpt(description)}"
    cls = token_error_class(code)
    return cls(message, status, body, error=code, description=description, uri=uri)


def _visible(value: object) -> TypeGuard[str]:
    # RFC 6749 Appendix A: VSCHAR = %x20-7E. In ASCII, isprintable() is exactly that range.
    return type(value) is str and value.isascii() and value.isprintable()


def _optional_visible(value: object, name: str) -> str | None:
    """An optional string field: ``None`` when absent or empty, else visible ASCII."""
    if value is None or value == "":
        return None
    if not _visible(value):
        raise ValueError(f"{name} must be a string of visible ASCII characters")
    return value


def _seconds(value: object, name: str) -> float | None:
    """A JSON number or a numeric string (form bodies carry only strings), finite, >= 0."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{name} must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ValueError(f"{name} must be a number") from None
    if not math.isfinite(number) or number < 0:
        raise ValueError(f"{name} must be a finite number, not negative")
    return number


def token_from_fields(
    fields: Mapping[str, Any],
    *,
    now: float,
    requested_scope: str | Sequence[str] | None,
    status_code: int,
    body: Callable[[], Any],
) -> Token:
    """Validate the fields of a successful token response in one pass and build the token.

    Args:
        fields: The decoded response.
        now: When it was received.
        requested_scope: The scope asked for.
        status_code: For errors.
        body: Makes the body (or the fields) an error's excerpt is taken from; only called
            on error.

    Raises:
        MissingTokenError: There is no ``access_token``.
        MalformedResponseError: A field has the wrong type or invisible characters.
        UsageError: ``now`` or ``requested_scope`` is invalid.
    """
    now = check_now(now)
    requested = None if requested_scope is None else scope_tokens(requested_scope)
    if not isinstance(fields, Mapping):
        raise MalformedResponseError("token response is not an object", status_code, body())
    get = fields.get
    access_token = get("access_token")
    if access_token is None or access_token == "":
        raise MissingTokenError("token response has no access_token", status_code, body())
    try:
        if not _visible(access_token):
            raise ValueError("access_token must be a string of visible ASCII characters")
        # RFC 6749 §5.1 requires token_type; servers that omit it mean Bearer.
        token_type = _optional_visible(get("token_type"), "token_type") or "Bearer"
        refresh_token = _optional_visible(get("refresh_token"), "refresh_token")
        id_token = _optional_visible(get("id_token"), "id_token")
        expires_in = _seconds(get("expires_in"), "expires_in")
        expires_at: float | None
        if expires_in is not None:
            expires_at = now + expires_in
            if not math.isfinite(expires_at):
                raise ValueError("expires_in is out of range")
        else:
            # ``expires_at`` is not in RFC 6749, but some servers send it; like oauthlib, use it
            # only when there is no ``expires_in``.
            expires_at = _seconds(get("expires_at"), "expires_at")
        scope = get("scope")
        if scope is not None:
            if not isinstance(scope, (str, list)):
                raise ValueError("scope must be a string or a list of strings")
            try:
                granted = scope_tokens(scope)
            except UsageError:
                raise ValueError("scope must be a string or a list of strings") from None
        else:
            granted = None
        extra = {}
        for key, value in fields.items():
            if key not in STANDARD_KEYS:
                if type(key) is not str:
                    raise ValueError("field names must be strings")
                extra[key] = value
    except ValueError as exc:
        raise MalformedResponseError(f"token response: {exc}", status_code, body()) from None
    changed = granted is not None and requested is not None and set(granted) != set(requested)
    return trusted_token(
        access_token,
        token_type,
        expires_at,
        refresh_token,
        granted if granted is not None else requested,
        id_token,
        extra,
        changed,
        now if expires_in is not None else None,
    )


_new = object.__new__
_set = object.__setattr__


def trusted_token(
    access_token: str,
    token_type: str,
    expires_at: float | None,
    refresh_token: str | None,
    scope: tuple[str, ...] | None,
    id_token: str | None,
    extra: dict[str, Any],
    scope_changed: bool,
    issued_at: float | None,
) -> Token:
    """A :class:`Token` from fields a parser has already validated, without validating again.

    Token responses are parsed in one pass (:mod:`oauthkit._oauth2._token_response`); running
    ``__post_init__`` over the same fields would double the cost of every token response.
    """
    token: Token = _new(Token)
    _set(token, "access_token", access_token)
    _set(token, "token_type", token_type)
    _set(token, "expires_at", expires_at)
    _set(token, "refresh_token", refresh_token)
    _set(token, "scope", scope)
    _set(token, "id_token", id_token)
    _set(token, "extra", MappingProxyType(extra))
    _set(token, "scope_changed", scope_changed)
    _set(token, "issued_at", issued_at)
    return token
