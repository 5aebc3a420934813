"""Token introspection (RFC 7662).

An introspection request is built like a revocation request (§2.1, the same ``token`` and
``token_type_hint``); a successful answer is a JSON object read into :class:`Introspection`
(§2.2), and a refusal uses the token endpoint's error format (§2.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._core._http import HttpRequest, HttpResponse
from ._backchannel import malformed, read_answer
from ._client_auth import ClientAuth
from ._revocation import build_revocation_request

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import FormOptions

__all__ = [
    "Introspection",
    "build_introspection_request",
    "introspection_from",
    "parse_introspection_response",
]

_STRING_FIELDS = ("client_id", "username", "token_type", "sub", "iss", "jti")
_TIME_FIELDS = ("exp", "iat", "nbf")
_KNOWN = frozenset({"active", "scope", "aud", *_STRING_FIELDS, *_TIME_FIELDS})


def build_introspection_request(
    endpoint: str,
    token: str,
    auth: ClientAuth,
    *,
    token_type_hint: str | None = None,
    **options: Unpack[FormOptions],
) -> HttpRequest:
    """Build an introspection request (RFC 7662 §2.1): a revocation request's form, sent to
    the introspection endpoint, with the same arguments as
    :func:`~oauthkit.build_revocation_request`. ``auth`` is how the protected resource
    authenticates.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: An empty token or hint, a parameter given twice, or client credentials
            already present.
    """
    return build_revocation_request(
        endpoint, token, auth, token_type_hint=token_type_hint, **options
    )


@dataclass(frozen=True, slots=True)
class Introspection:
    """What the authorization server says about a token (RFC 7662 §2.2).

    When :attr:`active` is false every other attribute is empty: the RFC lets the server say
    nothing more, and a caller must not act on anything else it said.

    Attributes:
        active: Whether the token is currently active.
        scope: The token's scopes, if given.
        client_id: The client the token was issued to.
        username: A human-readable identifier of the resource owner.
        token_type: The token's type, e.g. ``Bearer``.
        exp: Expiry, seconds since the epoch.
        iat: Issue time, seconds since the epoch.
        nbf: Not-before time, seconds since the epoch.
        sub: The subject, usually a machine-readable resource owner id.
        aud: The intended audiences.
        iss: The issuer.
        jti: The token's identifier.
        extra: Every other member of the response; left out of ``repr``.
    """

    active: bool
    scope: tuple[str, ...] | None = None
    client_id: str | None = None
    username: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    nbf: int | None = None
    sub: str | None = None
    aud: tuple[str, ...] = ()
    iss: str | None = None
    jti: str | None = None
    # Not in repr: a server may add members that are credentials (an issued_token, say).
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))

    def is_active_at(self, now: float) -> bool:
        """Whether the token is active and, by ``exp``/``nbf``, valid at ``now``."""
        if not self.active:
            return False
        if self.exp is not None and now >= self.exp:
            return False
        return self.nbf is None or now >= self.nbf


def _time(value: object) -> int | None:
    """A NumericDate (RFC 7519 §2) as whole seconds; ``ValueError`` if it is not one."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError
    try:
        number = float(value)
    except OverflowError:
        raise ValueError from None
    if not math.isfinite(number):
        raise ValueError
    return int(number)


def parse_introspection_response(response: HttpResponse) -> Introspection:
    """Read an introspection response (RFC 7662 §2.2, §2.3).

    Raises:
        TokenEndpointError: The server refused (§2.3): the subclass for its ``error`` code,
            or a plain :class:`TokenEndpointError` for a non-2xx status without one.
        MalformedResponseError: A 2xx body that is not a strict JSON object, lacks a boolean
            ``active``, or has a member of the wrong type. JWT responses (RFC 9701) are read
            by :func:`~oauthkit._oauth2._jwt_introspection.parse_jwt_introspection_response`.
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    return introspection_from(read_answer(response, "introspection response"), response)


def introspection_from(data: dict[str, Any], response: HttpResponse) -> Introspection:
    """Read the members of an introspection answer (RFC 7662 §2.2), from a JSON response or
    a JWT response's ``token_introspection`` claim (RFC 9701 §5).

    Raises:
        MalformedResponseError: No boolean ``active``, or a member of the wrong type.
    """
    active = data.get("active")
    if not isinstance(active, bool):
        raise malformed("introspection response lacks a boolean 'active'", response)
    if not active:
        return Introspection(active=False)
    values: dict[str, Any] = {}
    for name in _STRING_FIELDS:
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            raise malformed(f"introspection member {name!r} is not a string", response)
        values[name] = value
    for name in _TIME_FIELDS:
        try:
            values[name] = _time(data.get(name))
        except ValueError:
            raise malformed(f"introspection member {name!r} is not a number", response) from None
    scope = data.get("scope")
    if scope is not None and not isinstance(scope, str):
        raise malformed("introspection member 'scope' is not a string", response)
    aud = data.get("aud")
    if isinstance(aud, str):
        audiences: tuple[str, ...] = (aud,)
    elif aud is None:
        audiences = ()
    elif isinstance(aud, list) and all(isinstance(item, str) for item in aud):
        audiences = tuple(aud)
    else:
        raise malformed("introspection member 'aud' is not a string or list of strings", response)
    return Introspection(
        active=True,
        scope=None if scope is None else tuple(scope.split()),
        aud=audiences,
        extra={key: value for key, value in data.items() if key not in _KNOWN},
        **values,
    )
