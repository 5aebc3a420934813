"""The redirect back from the authorization server (RFC 6749 §4.1.2, RFC 9207).

:func:`parse_authorization_callback` reads a callback URL, with the response in its query or
(implicit, hybrid) its fragment, or a ``response_mode=form_post`` body. It checks ``state`` in
constant time before believing anything else (§10.12), then the RFC 9207 ``iss`` parameter,
and only then reports an error response (§4.1.2.1) as :class:`AuthorizationError`, which an
attacker could otherwise inject.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qsl

from .._core._redact import excerpt
from .._errors import (
    AuthorizationError,
    CallbackError,
    IssuerMismatchError,
    StateMismatchError,
    UsageError,
)
from ._authorization import FlowState, _require_text, _split

__all__ = [
    "AuthorizationCallback",
    "UncheckedStateWarning",
    "callback_params",
    "parse_authorization_callback",
]

# What a URL starts with: a scheme (RFC 3986 §3.1), including the private-use schemes of
# native apps (``com.example.app:/cb``, RFC 8252 §7.1), or a relative reference's "/", "?"
# or "#". A form_post body starts with a parameter name and "=", never with either, however
# many "://" its values hold (the RFC 9207 ``iss`` always has one).
_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|[/?#]")


@dataclass(frozen=True, slots=True, repr=False)
class AuthorizationCallback:
    """A checked authorization response (RFC 6749 §4.1.2).

    Attributes:
        code: The authorization code, or ``None`` in an implicit response.
        state: The ``state`` returned.
        iss: The RFC 9207 issuer identifier, if the server sent one.
        params: Every parameter of the response, read-only (``access_token`` and
            ``id_token`` of implicit and hybrid responses are here).
    """

    code: str | None
    state: str | None
    iss: str | None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __repr__(self) -> str:
        code = None if self.code is None else "'***'"
        return (
            f"AuthorizationCallback(code={code}, state={self.state!r}, iss={self.iss!r}, "
            f"param_names={sorted(self.params)!r})"
        )


class UncheckedStateWarning(UserWarning):
    """A requests-oauthlib-compatible session accepted a callback without checking its
    ``state``, because it was given none to expect (requests-oauthlib accepts it silently).

    Keep the ``state`` from the request that built the authorization URL and pass it to the
    session of the callback's request (``OAuth2Session(..., state=saved)``): then a forged
    callback is refused. Shown once per session.
    """


def parse_authorization_callback(
    response: str | bytes | Mapping[str, str],
    flow: FlowState | None = None,
    *,
    expected_state: str | None = None,
    issuer: str | None = None,
    iss_required: bool = False,
    skip_state_check: bool = False,
) -> AuthorizationCallback:
    """Check the authorization response the user agent brought back (RFC 6749 §4.1.2).

    The checks run in the order that keeps a forged response from being acted on: ``state``
    first (§10.12; compared with :func:`hmac.compare_digest`), then ``iss`` (RFC 9207 §2.4),
    and only then an ``error`` (§4.1.2.1), which an attacker could otherwise inject.

    Args:
        response: The full callback URL (query, or fragment for implicit and hybrid flows), a
            relative ``/path?query``, a raw query or ``form_post`` body (``str`` or ``bytes``),
            or the already-parsed parameters.
        flow: The :class:`FlowState` from :func:`build_authorization_url`; supplies the
            expected ``state`` and issuer.
        expected_state: The expected ``state``, overriding ``flow.state``. One of the two is
            required: without it the callback cannot be told from a forged one (§10.12).
        skip_state_check: Accept the callback without an expected state, because the caller
            has verified ``state`` itself.
        issuer: The expected issuer, overriding ``flow.issuer``. When known, a present ``iss``
            must equal it exactly.
        iss_required: The server's metadata has ``authorization_response_iss_parameter_supported``
            (RFC 9207 §3), so a response without ``iss`` is refused.

    Returns:
        The callback, with ``code`` (or the implicit-flow tokens in ``params``).

    Raises:
        StateMismatchError: ``state`` is missing or differs from the expected one.
        IssuerMismatchError: ``iss`` differs from the expected issuer, or is absent while
            required.
        AuthorizationError: The server answered with an ``error`` (``access_denied``...).
        CallbackError: The response cannot be parsed (not UTF-8, a repeated parameter, a
            non-string value) or carries neither ``code`` nor a token.
        UsageError: No expected state (neither ``flow`` nor ``expected_state``, and not
            ``skip_state_check``), ``iss_required`` without a known issuer, or an argument of
            the wrong type (``response``, ``flow``, ``expected_state``).
    """
    if flow is not None and not isinstance(flow, FlowState):
        raise UsageError("flow must be the FlowState from build_authorization_url (or None)")
    params = callback_params(response)
    if expected_state is None and flow is not None:
        expected_state = flow.state
    if issuer is None and flow is not None:
        issuer = flow.issuer
    if iss_required and issuer is None:
        raise UsageError("iss_required needs the expected issuer (issuer= or flow.issuer)")
    if expected_state is None and not skip_state_check:
        raise UsageError(
            "no state to check the callback against (RFC 6749 §10.12): pass flow= (or "
            "expected_state=) kept from the request that built the authorization URL, or "
            "skip_state_check=True if you have verified state yourself"
        )

    state = params.get("state") or None
    if expected_state is not None:
        _require_text("expected_state", expected_state)
        if state is None:
            raise StateMismatchError("authorization callback has no state; refusing it")
        if not hmac.compare_digest(_utf8(state), _utf8(expected_state)):
            raise StateMismatchError(
                "authorization callback state differs from the one sent; refusing it"
            )

    iss = params.get("iss")
    if iss is not None and issuer is not None and iss != issuer:
        raise IssuerMismatchError(
            f"authorization callback comes from issuer {excerpt(iss)!r}, expected {issuer!r} "
            "(RFC 9207); possible mix-up attack"
        )
    if iss is None and iss_required:
        raise IssuerMismatchError("authorization callback has no iss, which the server promised")

    error = params.get("error")
    if error:
        raise AuthorizationError(error, params.get("error_description"), params.get("error_uri"))
    code = params.get("code") or None
    if code is None and not params.get("access_token") and not params.get("id_token"):
        raise CallbackError("authorization callback has neither code nor error")
    return AuthorizationCallback(code=code, state=state, iss=iss, params=MappingProxyType(params))


def _utf8(text: str) -> bytes:
    # compare_digest takes ASCII-only str; bytes work for any text, lone surrogates included.
    return text.encode("utf-8", "surrogatepass")


def callback_params(response: object) -> dict[str, str]:
    """The parameters of a callback URL (query and fragment), a ``form_post`` body or a
    mapping, each name once (RFC 6749 §3.1).

    Raises:
        CallbackError: Not UTF-8, a repeated parameter, a non-string value, a bad URL.
        UsageError: Not a URL, a body or a mapping.
    """
    if isinstance(response, Mapping):
        return _collect(response.items())
    if isinstance(response, (bytes, bytearray)):
        try:
            response = bytes(response).decode("utf-8")
        except UnicodeDecodeError:
            raise CallbackError("authorization response body is not UTF-8") from None
    if not isinstance(response, str):
        raise UsageError("the callback must be a URL, a form body or a mapping of parameters")
    text = response.strip()
    if not _URL_START.match(text):
        return _collect(parse_qsl(text, keep_blank_values=True))  # a form_post body
    parts = _split(text, CallbackError, "the authorization callback")
    # Implicit and hybrid responses come in the fragment (RFC 6749 §4.2.2, OAuth 2.0
    # Multiple Response Type Encoding Practices §2.1).
    fragment = parse_qsl(parts.fragment, keep_blank_values=True)
    return _collect([*parse_qsl(parts.query, keep_blank_values=True), *fragment])


def _collect(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, raw in pairs:
        if not isinstance(name, str):
            raise CallbackError("authorization response parameter names must be strings")
        if name in params:
            # RFC 6749 §3.1: parameters must not be repeated; a second state or code is how
            # parameter-pollution attacks look.
            raise CallbackError(f"authorization response repeats parameter {excerpt(name, 50)!r}")
        # Frameworks hand over parse_qs-style lists; one value is fine, several are not.
        value = raw[0] if isinstance(raw, (list, tuple)) and len(raw) == 1 else raw
        if not isinstance(value, str):
            raise CallbackError(
                f"authorization response parameter {excerpt(name, 50)!r} is not a string"
            )
        params[name] = value
    return params
