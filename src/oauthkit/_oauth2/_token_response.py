"""Reading token endpoint responses (RFC 6749 §5.1 success, §5.2 error).

The RFC says a token response is a JSON object. Real servers also send form-encoded bodies
(GitHub without ``Accept: application/json``, Facebook's old API), ``text/plain`` labels,
lifetimes as strings, errors with status 200, and HTML error pages from a proxy. This module
accepts what can be read unambiguously and turns everything else into a typed error:

* a body with an ``error`` field, whatever the status, raises the class that
  :func:`~oauthkit._errors.token_error_class` picks for the code (``InvalidGrantError``...);
* another non-2xx answer raises :class:`TokenEndpointError` with the status;
* an unreadable 2xx body raises :class:`MalformedResponseError`, one without an access token
  :class:`MissingTokenError`.

Every exception carries a short excerpt of the body in which credentials are replaced by
``***`` (fields are redacted by name before the excerpt is cut), so logging one is safe.
:func:`parse_error_body` is the reusable half, for revocation (RFC 7009 §2.2.1), introspection
(RFC 7662 §2.3) and device authorization (RFC 8628 §3.2) responses.
"""

from __future__ import annotations

import json
from codecs import BOM_UTF8
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from .._core._http import HttpResponse
from .._errors import (
    MalformedResponseError,
    TokenEndpointError,
    UsageError,
    excerpt,
    token_error_class,
)
from ._token import Token, response_token

__all__ = ["parse_error_body", "parse_token_response"]

# Response fields whose values are credentials, redacted before any excerpt is made.
_SECRET_FIELDS = frozenset(
    {
        "access_token",
        "refresh_token",
        "id_token",
        "issued_token",
        "device_code",
        "device_secret",
        "code",
        "client_secret",
        "password",
        "assertion",
        "client_assertion",
        "subject_token",
        "actor_token",
    }
)
_REDACT_DEPTH = 8


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
        MalformedResponseError: A 2xx body that is neither a JSON object nor a form, or has a
            field of the wrong type (``expires_in`` a list, ``access_token`` a number...).
        UsageError: ``response`` is not an :class:`HttpResponse`, ``now`` is not a finite
            number, or ``requested_scope`` is not a string or sequence of strings.
    """
    fields = _read_fields(response)
    status = response.status_code
    if fields is not None and _has_error(fields):
        raise _error_from_fields(fields, status, _redacted_body(fields, response.body))
    if not 200 <= status < 300:
        raise TokenEndpointError(
            "token endpoint refused the request without an OAuth error code",
            status,
            _redacted_body(fields, response.body),
        )
    if fields is None:
        raise MalformedResponseError(
            "token response is neither a JSON object nor form-encoded", status, response.body
        )
    parsed = fields  # the redacted excerpt is only made if the token turns out malformed
    return response_token(
        Token,
        parsed,
        now=now,
        requested_scope=requested_scope,
        status_code=status,
        body=lambda: _redacted_body(parsed, response.body),
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
    fields = _read_fields(response)
    if fields is None or not _has_error(fields):
        return None
    return _error_from_fields(fields, response.status_code, _redacted_body(fields, response.body))


def _read_fields(response: HttpResponse) -> dict[str, Any] | None:
    """The body as a mapping, or ``None`` when it is neither a JSON object nor a form."""
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    body = response.body
    if not isinstance(body, (bytes, bytearray)):
        raise UsageError("HttpResponse.body must be bytes")
    if body[:3] == BOM_UTF8:
        body = body[3:]  # what the "utf-8-sig" codec does, but the plain UTF-8 decoder is in C
    try:
        text = body.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None
    if not text or text.startswith("<"):
        return None  # empty, or an HTML/XML page from a proxy or a login screen
    if (
        text.startswith("{")
        or (media_type := response.media_type) == "application/json"
        or media_type.endswith("+json")
    ):
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            if text.startswith("{"):
                return None
            # A form mislabelled as JSON; oauthlib falls back the same way.
            return _read_form(text)
        return data if isinstance(data, dict) else None
    return _read_form(text)


def _read_form(text: str) -> dict[str, Any] | None:
    # GitHub (without Accept: application/json) and old Facebook answer with a form body,
    # sometimes labelled text/plain; oauthlib accepts it for the same reason.
    try:
        pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields: dict[str, Any] = {}
    for name, value in pairs:
        if name in fields:
            return None  # a repeated field is ambiguous; refuse to guess which one counts
        fields[name] = value
    return fields


def _has_error(fields: dict[str, Any]) -> bool:
    # Some APIs put "error": null in successful answers.
    return fields.get("error") not in (None, "")


def _error_from_fields(
    fields: dict[str, Any], status: int, body: str | bytes
) -> TokenEndpointError:
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


def _redacted_body(fields: dict[str, Any] | None, body: bytes) -> str | bytes:
    """The body for an error excerpt: re-serialized without credentials when it was parsed."""
    if fields is None:
        return body  # unparsed; excerpt() still masks anything that looks like a credential
    return json.dumps(_redact(fields, _REDACT_DEPTH), ensure_ascii=False, default=str)


def _redact(value: Any, depth: int) -> Any:
    if depth <= 0 and isinstance(value, (dict, list)):
        return "…"
    if isinstance(value, dict):
        return {
            key: "***" if key in _SECRET_FIELDS and item is not None else _redact(item, depth - 1)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_redact(item, depth - 1) for item in value]
    return value
