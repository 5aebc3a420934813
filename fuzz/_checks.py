"""What each parser promises, checked on what it returned or raised.

A target's ``check`` raises :class:`Violation` when a returned value breaks a promise of its
parser (a ``Token`` from a 500, an infinite expiry, a state that was not checked, accepted
JSON that cannot be serialised again from deeper in the stack); :func:`showable` does the same
for an error that cannot be shown in one short line.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any

from oauthkit import (
    AuthorizationCallback,
    BearerChallenge,
    Challenge,
    DeviceAuthorization,
    HttpResponse,
    Introspection,
    ServerResponseError,
    Token,
    TokenEndpointError,
    bearer_error,
)
from oauthkit._core._redact import EXCERPT_LIMIT

NOW = 1_700_000_000.0
STATE = "st-8a1f"
ISSUER = "https://as.example"
# (expected_state, issuer, iss_required) for the callback target, chosen by the input.
CALLBACK_MODES = (
    (None, None, False),
    (STATE, None, False),
    (STATE, ISSUER, False),
    (STATE, ISSUER, True),
)


class Violation(Exception):
    """A returned value or raised error that breaks the target's promise."""


def response_of(value: tuple[int, str, bytes]) -> HttpResponse:
    status, content_type, body = value
    return HttpResponse(status, {"Content-Type": content_type} if content_type else {}, body)


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise Violation(what)


def _ok_status(value: Any) -> bool:
    return 200 <= value[0] < 300


def _visible(text: object) -> bool:
    return isinstance(text, str) and text.isascii() and text.isprintable() and bool(text)


def check_token(value: Any, result: Any) -> None:
    _require(isinstance(result, Token), "not a Token")
    _require(_ok_status(value), "a Token from a non-2xx response")
    _require(_visible(result.access_token), "access_token is not visible ASCII")
    _require(result.expires_at is None or math.isfinite(result.expires_at), "infinite expiry")
    repr(result)
    try:  # a store writes it, further down the stack
        _deeper(100, lambda: json.dumps(result.to_dict(), allow_nan=False))
    except (ValueError, RecursionError) as exc:
        raise Violation(f"the Token cannot be stored as JSON: {type(exc).__name__}") from None


def check_error_body(value: Any, result: Any) -> None:
    if result is not None:
        _require(isinstance(result, TokenEndpointError), "not a TokenEndpointError")
        _require(result.status_code == value[0], "wrong status_code")
        showable(result)


def check_device(value: Any, result: Any) -> None:
    _require(isinstance(result, DeviceAuthorization), "not a DeviceAuthorization")
    _require(_ok_status(value), "a result from a non-2xx response")
    _require(math.isfinite(result.expires_at) and result.expires_at >= NOW, "bad expires_at")
    _require(math.isfinite(result.interval) and result.interval >= 0, "bad interval")
    repr(result)


def check_pushed(value: Any, result: Any) -> None:
    from oauthkit._oauth2._par import MAX_REQUEST_URI, PushedAuthorization

    _require(isinstance(result, PushedAuthorization), "not a PushedAuthorization")
    _require(_ok_status(value), "a result from a non-2xx response")
    uri = result.request_uri
    _require(0 < len(uri) <= MAX_REQUEST_URI and uri.isascii() and uri.isprintable(), "bad uri")
    _require(" " not in uri, "a request_uri with a space")
    _require(result.expires_in > 0 and result.expires_at > NOW, "bad expiry")
    repr(result)


def check_introspection(value: Any, result: Any) -> None:
    _require(isinstance(result, Introspection), "not an Introspection")
    _require(_ok_status(value), "a result from a non-2xx response")
    _require(result.active or result == Introspection(active=False), "inactive with claims")
    repr(result)


def check_revocation(value: Any, result: Any) -> None:
    _require(result is None and _ok_status(value), "revocation accepted a non-2xx answer")


def check_callback(value: Any, result: Any) -> None:
    state, issuer, iss_required = CALLBACK_MODES[value[0]]
    _require(isinstance(result, AuthorizationCallback), "not an AuthorizationCallback")
    params = result.params
    _require(bool(result.code or params.get("access_token") or params.get("id_token")), "empty")
    _require(state is None or result.state == state, "state not checked")
    _require(not iss_required or result.iss == issuer, "iss not checked")
    _require(not params.get("error"), "an error response accepted")
    repr(result)


def check_challenges(value: Any, result: Any) -> None:
    _require(isinstance(result, list), "not a list")
    _require(all(isinstance(c, Challenge) and c.scheme for c in result), "bad challenge")


def check_bearer(value: Any, result: Any) -> None:
    _require(result is None or isinstance(result, BearerChallenge), "not a BearerChallenge")


def check_rejected(value: Any, result: Any) -> None:
    status, header = value
    found = bearer_error(header)
    expected = status == 401 and found is not None and found.error == "invalid_token"
    _require(result is expected, "is_token_rejected disagrees with bearer_error")


def check_oauth1_token(value: Any, result: Any) -> None:
    _require(value[0] < 400, "accepted an error status")
    _require(isinstance(result, dict) and bool(result.get("oauth_token")), "no oauth_token")
    _require(all(isinstance(k, str) and isinstance(v, str) for k, v in result.items()), "types")


def check_oauth1_callback(value: Any, result: Any) -> None:
    expected, _ = value
    _require(isinstance(result, dict) and bool(result.get("oauth_token")), "no oauth_token")
    _require(expected is None or result["oauth_token"] == expected, "token not checked")


def check_stored(value: Any, result: Any) -> None:
    _require(isinstance(result, Token), "not a Token")
    _require(Token.from_dict(result.to_dict()) == result, "to_dict/from_dict round trip")


def check_fields(value: Any, result: Any) -> None:
    _require(isinstance(result, Token), "not a Token")
    _require(_visible(result.access_token), "access_token is not visible ASCII")


def _deeper(frames: int, call: Callable[[], Any]) -> Any:
    return _deeper(frames - 1, call) if frames else call()


def check_json(value: Any, result: Any) -> None:
    # _core/_json's promise: what it accepts serialises back to strict JSON, unchanged, and
    # not only from the caller's own frame (a store or a log is further down the stack).
    try:
        again = json.loads(_deeper(100, lambda: json.dumps(result, allow_nan=False)))
    except (ValueError, RecursionError) as exc:
        raise Violation(f"accepted JSON does not serialise back: {type(exc).__name__}") from None
    _require(again == result, "accepted JSON changes on a round trip")


def check_json_object(value: Any, result: Any) -> None:
    _require(isinstance(result, dict), "not a dict")
    check_json(value, result)


def showable(exc: BaseException) -> None:
    """An error's message and repr are text; an excerpt is one short line."""
    str(exc)
    repr(exc)
    if isinstance(exc, ServerResponseError):
        _require(len(exc.body_excerpt) <= EXCERPT_LIMIT, "body_excerpt too long")
        _require("\n" not in exc.body_excerpt, "body_excerpt has a line break")


def shape_of(result: Any) -> str:
    """A coarse description of a returned value: which members it has, not their values."""
    if isinstance(result, dict):
        return ",".join(sorted(str(k)[:20] for k in result)[:8])
    if isinstance(result, list) and all(isinstance(c, Challenge) for c in result):
        return ";".join(
            f"{c.scheme.lower()[:8]}:{','.join(sorted(c.params))[:40]}:{c.token68 is not None}"
            for c in result[:4]
        )
    if isinstance(result, BearerChallenge):
        return f"{result.scheme.lower()}:{result.error}"[:40]
    if isinstance(result, list):
        return ",".join(type(item).__name__ for item in result[:8])
    if isinstance(result, Token):
        return f"{result.refresh_token is None}{result.expires_at is None}{result.scope_changed}"
    return ""
