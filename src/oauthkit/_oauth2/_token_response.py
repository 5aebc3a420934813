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
  outside RFC 6749's VSCHAR (Appendix A.12, A.17), which could not be sent anyway. A body
  over a mebibyte (:data:`MAX_BODY`) is unreadable too: it is not parsed at all.

Success is validated in one pass over the fields, and the :class:`Token` is built without
validating them a second time. Every exception carries a short excerpt of the body in which
credentials are replaced by ``***`` (:mod:`oauthkit._core._redact`), made only on error.
:func:`parse_error_body` is the reusable half, for revocation (RFC 7009 §2.2.1), introspection
(RFC 7662 §2.3) and device authorization (RFC 8628 §3.2) responses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

from .._core._http import MAX_BODY, HttpResponse
from .._core._json import (
    MAX_DEPTH,
    STRICT_DECODER,
    JsonError,
    decode_text,
    read_json_object,
    scan_object,
    value_too_deep,
)
from .._core._params import scope_tokens
from .._core._redact import excerpt
from .._error_codes import token_error_class
from .._errors import MalformedResponseError, MissingTokenError, TokenEndpointError, UsageError
from ._rar import AUTHORIZATION_DETAILS, check_authorization_details
from ._token import STANDARD_KEYS, Token, check_now
from ._trusted import trusted_token

__all__ = [
    "MAX_BODY",
    "parse_error_body",
    "parse_token_response",
    "read_fields",
    "token_from_fields",
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
    if fields is not None and fields.get("error") not in (None, ""):
        raise _error_from_fields(fields, status, body)
    if not 200 <= status < 300:
        raise TokenEndpointError(
            "token endpoint refused the request without an OAuth error code", status, body
        )
    if fields is None:
        raise MalformedResponseError(_unreadable(body), status, body)
    return token_from_fields(fields, now, requested_scope, status, body)


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
    """The body as a mapping, or ``None`` when it is neither a JSON object nor a form, or is
    longer than :data:`MAX_BODY`.

    Raises:
        UsageError: ``response`` is not an :class:`HttpResponse` with a bytes body.
    """
    if type(response) is not HttpResponse and not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    body = response.body
    if type(body) is not bytes and not isinstance(body, bytearray):
        raise UsageError("HttpResponse.body must be bytes")
    if len(body) > MAX_BODY:
        return None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text[:1] == "{":
        return scan_object(text)  # the usual answer
    text = text.lstrip("\ufeff").strip()  # a UTF-8 byte order mark, white space
    if not text or text[0] == "<":
        return None  # empty, or an HTML/XML page from a proxy or a login screen
    if text[0] == "{":
        return scan_object(text)
    media = response.media_type
    if media == "application/json" or media.endswith("+json"):
        try:
            data = STRICT_DECODER.decode(text)
        except (ValueError, RecursionError):
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


def _unreadable(body: bytes) -> str:
    """Why a 2xx body is not a token response: the JSON reader's reason for an object."""
    if len(body) > MAX_BODY:
        return "token response is larger than a mebibyte"
    text = decode_text(body)
    if text and text[0] == "{":
        try:
            read_json_object(text)
        except JsonError as exc:
            return f"token response: {exc}"
    return "token response is neither a JSON object nor form-encoded"


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


_CONTROL_BYTES = bytes([*range(0x20), 0x7F])


def _visible(value: object) -> TypeGuard[str]:
    # RFC 6749 Appendix A: VSCHAR = %x20-7E. In ASCII, isprintable() is exactly that range; for
    # long values (ID Tokens run to kilobytes) deleting the control bytes in C is twice as fast.
    if type(value) is not str or not value.isascii():
        return False
    if len(value) < 128:
        return value.isprintable()
    raw = value.encode("ascii")
    return len(raw.translate(None, _CONTROL_BYTES)) == len(raw)


def _seconds(value: object, name: str) -> float | None:
    """A JSON number or a numeric string (form bodies carry only strings), finite, >= 0."""
    if type(value) is int and 0 <= value < 1 << 52:
        return float(value)  # the usual case, exact
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
    now: float,
    requested_scope: str | Sequence[str] | None,
    status_code: int,
    body: object,
) -> Token:
    """Validate the fields of a successful token response in one pass and build the token.

    Args:
        fields: The decoded response.
        now: When it was received.
        requested_scope: The scope asked for.
        status_code: For errors.
        body: The body (or the parsed fields) an error's excerpt is taken from.

    Raises:
        MissingTokenError: There is no ``access_token``.
        MalformedResponseError: A field has the wrong type or invisible characters.
        UsageError: ``now`` or ``requested_scope`` is invalid.
    """
    if type(now) is not float or now - now != 0.0:  # not a finite float: check it properly
        now = check_now(now)
    if requested_scope is None:
        requested = None
    elif type(requested_scope) is str:
        requested = tuple(requested_scope.split())
    else:
        requested = scope_tokens(requested_scope)
    if type(fields) is not dict and not isinstance(fields, Mapping):
        raise MalformedResponseError("token response is not an object", status_code, body)
    # One pass, written out: this runs for every token response (see benchmarks/).
    get = fields.get
    access_token = get("access_token")
    if access_token is None or access_token == "":
        raise MissingTokenError("token response has no access_token", status_code, body)
    try:
        if not (
            type(access_token) is str
            and access_token.isascii()
            and (access_token.isprintable() if len(access_token) < 128 else _visible(access_token))
        ):
            raise ValueError("access_token must be a string of visible ASCII characters")
        # RFC 6749 §5.1 requires token_type; servers that omit it mean Bearer.
        token_type = get("token_type")
        if token_type is None or token_type == "":
            token_type = "Bearer"
        elif token_type != "Bearer" and not _visible(token_type):
            raise ValueError("token_type must be a string of visible ASCII characters")
        refresh_token = get("refresh_token")
        if refresh_token == "":
            refresh_token = None
        elif refresh_token is not None and not _visible(refresh_token):
            raise ValueError("refresh_token must be a string of visible ASCII characters")
        id_token = get("id_token")
        if id_token == "":
            id_token = None
        elif id_token is not None and (type(id_token) is not str or not id_token.isascii()):
            # A JWT is ASCII; it is validated as one (OIDC Core §3.1.3.7), not sent in a header.
            raise ValueError("id_token must be an ASCII string")
        raw = get("expires_in")
        expires_in = (
            float(raw)  # the usual case, exact
            if type(raw) is int and 0 <= raw < 1 << 52
            else _seconds(raw, "expires_in")
        )
        expires_at: float | None
        if expires_in is None:
            # ``expires_at`` is not in RFC 6749, but some servers send it; like oauthlib, use it
            # only when there is no ``expires_in``.
            expires_at = _seconds(get("expires_at"), "expires_at")
        else:
            expires_at = now + expires_in
            if not math.isfinite(expires_at):
                raise ValueError("expires_in is out of range")
        raw = get("scope")
        granted = tuple(raw.split()) if type(raw) is str else _granted_scope(raw)
        extra = {} if STANDARD_KEYS.issuperset(fields) else _extra_fields(fields)
    except ValueError as exc:
        raise MalformedResponseError(f"token response: {exc}", status_code, body) from None
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
        fields if type(fields) is dict else dict(fields),
    )


def _granted_scope(scope: object) -> tuple[str, ...] | None:
    if scope is None:
        return None
    if type(scope) is str:
        return tuple(scope.split())
    if isinstance(scope, list) and all(type(item) is str for item in scope):
        return tuple(token for item in scope for token in item.split())
    raise ValueError("scope must be a string or a list of strings")


def _extra_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    if STANDARD_KEYS.issuperset(fields):
        return {}  # the usual case, decided in C
    names = fields.keys() - STANDARD_KEYS
    if not all(type(name) is str for name in names):
        raise ValueError("field names must be strings")
    extra = {name: value for name, value in fields.items() if name in names}
    # The object itself is one level; what it holds may nest MAX_DEPTH - 1 more (RFC 8259 §9).
    if value_too_deep(list(extra.values()), MAX_DEPTH):
        raise ValueError(f"the JSON nests deeper than {MAX_DEPTH} levels")
    if AUTHORIZATION_DETAILS in extra:  # RFC 9396 §7: an array of objects with a type
        check_authorization_details(extra[AUTHORIZATION_DETAILS])
    return extra
