"""The device authorization grant (RFC 8628) as pure steps and a polling generator.

1. :func:`build_device_authorization_request` asks for a device code (§3.1);
   :func:`parse_device_authorization_response` reads it into :class:`DeviceAuthorization`
   (§3.2), with the relative ``expires_in`` turned into an absolute ``expires_at``.
2. The application shows ``user_code`` and ``verification_uri`` to the user (§3.3).
3. :func:`~oauthkit._oauth2._polling.poll_device_token` polls the token endpoint (§3.4, §3.5).

Nothing here reads the clock except through the ``clock`` the caller passes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._core._http import HttpRequest, HttpResponse
from .._core._params import Scope, encode_scope, resource_params
from .._errors import UsageError
from ._backchannel import build_form_request, malformed, read_answer
from ._client_auth import ClientAuth

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import FormOptions
    from ._ciba import BackchannelAuthentication

__all__ = [
    "DEFAULT_INTERVAL",
    "SLOW_DOWN_INCREMENT",
    "DeviceAuthorization",
    "build_device_authorization_request",
    "check_timing",
    "parse_device_authorization_response",
]

DEFAULT_INTERVAL = 5.0
"""Seconds between polls when the server names no ``interval`` (RFC 8628 §3.2)."""
SLOW_DOWN_INCREMENT = 5.0
"""Seconds added to the interval after each ``slow_down`` (RFC 8628 §3.5)."""

_KNOWN = frozenset(
    {
        "device_code",
        "user_code",
        "verification_uri",
        "verification_url",
        "verification_uri_complete",
        "expires_in",
        "interval",
    }
)


@dataclass(frozen=True, slots=True)
class DeviceAuthorization:
    """A device authorization response (RFC 8628 §3.2), with an absolute expiry.

    Attributes:
        device_code: The code the client polls with; a credential, kept out of ``repr``.
        user_code: The code the user types at ``verification_uri``.
        verification_uri: Where the user goes.
        expires_at: When both codes expire, seconds since the epoch.
        interval: Minimum seconds between polls.
        verification_uri_complete: A URI embedding the user code, e.g. for a QR code.
        extra: Every other member of the response.
    """

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    expires_at: float
    interval: float = DEFAULT_INTERVAL
    verification_uri_complete: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    def __post_init__(self) -> None:
        for name in ("device_code", "user_code", "verification_uri"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise UsageError(f"DeviceAuthorization.{name} must be a non-empty string")
        check_timing(self)


def check_timing(pending: DeviceAuthorization | BackchannelAuthentication) -> None:
    """Check the ``expires_at`` and ``interval`` of a device authorization or a CIBA request,
    and freeze its ``extra``: the shared tail of their ``__post_init__``.

    Raises:
        UsageError: Not a number, not finite, or negative.
    """
    owner = type(pending).__name__
    for name in ("expires_at", "interval"):
        value = getattr(pending, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UsageError(f"{owner}.{name} must be a number")
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"{owner}.{name} must be finite and not negative")
    object.__setattr__(pending, "extra", MappingProxyType(dict(pending.extra)))


def build_device_authorization_request(
    endpoint: str,
    auth: ClientAuth,
    *,
    scope: Scope = None,
    resource: str | Sequence[str] | None = None,
    **options: Unpack[FormOptions],
) -> HttpRequest:
    """Build the device authorization request (RFC 8628 §3.1).

    Args:
        endpoint: The device authorization endpoint URL.
        auth: How the client authenticates; a public client uses
            :class:`~oauthkit._client_auth.NoneAuth`, which sends ``client_id``.
        scope: The scope wanted, a string or a sequence of scopes.
        resource: Target resource URIs (RFC 8707 §2).
        **options: ``now`` (required), ``extra``, ``headers`` and ``allow_insecure_transport``,
            as for every back-channel form (:func:`~oauthkit.build_token_request`).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: A malformed scope or resource, a parameter given twice, or client
            credentials already present.
    """
    params: list[tuple[str, str]] = []
    encoded = encode_scope(scope)
    if encoded:
        params.append(("scope", encoded))
    params += resource_params(resource)
    return build_form_request(endpoint, params, auth, **options)


def _number(value: object, name: str, response: HttpResponse) -> float:
    # Numeric strings are tolerated, as for a token's expires_in: some servers send them.
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise malformed(f"device authorization {name!r} is not a number", response)
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except (ValueError, OverflowError):
        raise malformed(f"device authorization {name!r} is not a number", response) from None
    if not math.isfinite(number):
        raise malformed(f"device authorization {name!r} is not a valid duration", response)
    return number


def _expires_in(value: object, response: HttpResponse) -> float:
    number = _number(value, "expires_in", response)
    if number < 0:
        raise malformed("device authorization 'expires_in' is not a valid duration", response)
    return number


def _interval(value: object, response: HttpResponse) -> float:
    # RFC 8628 §3.2: absent means 5 seconds; so does a value that is not positive, rather than
    # polling without a pause.
    if value is None:
        return DEFAULT_INTERVAL
    number = _number(value, "interval", response)
    return number if number > 0 else DEFAULT_INTERVAL


def parse_device_authorization_response(
    response: HttpResponse, *, now: float
) -> DeviceAuthorization:
    """Read the device authorization response (RFC 8628 §3.2).

    Args:
        response: The response the driver received.
        now: When it was received; ``expires_in`` counts from it.

    Returns:
        The authorization, with ``interval`` 5 seconds when the server names none, or one
        that is not positive.
        ``verification_url`` (the name Google uses) is accepted for ``verification_uri``.

    Raises:
        TokenEndpointError: The server refused (§3.2 uses the RFC 6749 §5.2 format): the
            subclass for its ``error`` code, or a plain one for a non-2xx status without one.
        MalformedResponseError: A 2xx body that is not a JSON object, lacks a required
            member or has one of the wrong type.
        UsageError: ``response`` is not an :class:`HttpResponse`, or ``now`` not a number.
    """
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
        raise UsageError("now must be a finite number of seconds since the epoch")
    data = read_answer(response, "device authorization response")
    if "verification_uri" not in data and "verification_url" in data:
        data["verification_uri"] = data["verification_url"]
    for name in ("device_code", "user_code", "verification_uri"):
        value = data.get(name)
        if not isinstance(value, str) or not value:
            raise malformed(f"device authorization response lacks {name!r}", response)
    complete = data.get("verification_uri_complete")
    if complete is not None and not isinstance(complete, str):
        raise malformed("'verification_uri_complete' is not a string", response)
    if "expires_in" not in data:
        raise malformed("device authorization response lacks 'expires_in'", response)
    expires_in = _expires_in(data["expires_in"], response)
    return DeviceAuthorization(
        device_code=data["device_code"],
        user_code=data["user_code"],
        verification_uri=data["verification_uri"],
        expires_at=now + expires_in,
        interval=_interval(data.get("interval"), response),
        verification_uri_complete=complete or None,
        extra={key: value for key, value in data.items() if key not in _KNOWN},
    )
