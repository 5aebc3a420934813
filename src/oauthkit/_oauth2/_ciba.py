"""Client-Initiated Backchannel Authentication (OpenID CIBA Core 1.0), poll mode, sans I/O.

1. :func:`build_backchannel_authentication_request` asks the provider to authenticate a user
   on their own device (§7.1): an authenticated form POST to the
   ``backchannel_authentication_endpoint`` with a ``scope`` that includes ``openid`` and
   exactly one hint (``login_hint``, ``id_token_hint`` or ``login_hint_token``).
2. :func:`parse_backchannel_authentication_response` reads the acknowledgement (§7.3) into a
   :class:`BackchannelAuthentication`, its ``expires_in`` made an absolute ``expires_at``.
3. :func:`ciba_token` polls the token endpoint with the CIBA grant (§10.1) through the device
   flow's poller (:func:`~oauthkit._oauth2._polling.manager_poll`): ``authorization_pending``
   and ``slow_down`` mean the same there (§11), ``access_denied`` raises
   :class:`~oauthkit.AccessDeniedError`, ``expired_token``
   :class:`~oauthkit.DeviceCodeExpiredError`, and the client's own deadline
   :class:`~oauthkit.DeviceFlowExpiredError`. The token passes the manager's ``accept`` check
   (an OpenID Connect session validates the ID token) before it becomes current.

Ping mode (§10.2): the request carries a ``client_notification_token``
(:func:`~oauthkit._oauth2._ciba_ping.new_client_notification_token`), kept on the
:class:`BackchannelAuthentication`; the provider's ping is checked by
:func:`~oauthkit._oauth2._ciba_ping.parse_ping_notification`, and :func:`ciba_token` with
``pinged=True`` makes its first token request at once instead of after an interval (and
polls on, should the provider still say ``authorization_pending``). Push mode (§10.3) is not
implemented: FAPI-CIBA forbids it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from .._core._http import HttpRequest, HttpResponse
from .._core._params import (
    Scope,
    encode_scope,
    extra_params,
    scope_tokens,
    text_params,
)
from .._core._steps import Flow, Purpose
from .._errors import UsageError
from ._backchannel import build_form_request, malformed, read_answer
from ._client_auth import ClientAuth
from ._device import DEFAULT_INTERVAL, check_timing

if TYPE_CHECKING:
    from typing import TypedDict

    from typing_extensions import Required, Unpack

    from ._backchannel import FormOptions
    from ._manager import TokenManager
    from ._token import Token

__all__ = [
    "CIBA_GRANT_TYPE",
    "BackchannelAuthentication",
    "CibaGrant",
    "backchannel_authentication",
    "backchannel_params",
    "build_backchannel_authentication_request",
    "ciba_token",
    "parse_backchannel_authentication_response",
]

CIBA_GRANT_TYPE = "urn:openid:params:grant-type:ciba"
_HINTS = ("login_hint", "id_token_hint", "login_hint_token")
_FORM_OPTIONS = ("now", "extra", "headers", "allow_insecure_transport")
_PARAMS = frozenset(
    {
        "scope",
        *_HINTS,
        "binding_message",
        "requested_expiry",
        "acr_values",
        "user_code",
        "client_notification_token",
    }
)


@dataclass(frozen=True, slots=True)
class BackchannelAuthentication:
    """A provider's acknowledgement of a CIBA request (CIBA Core §7.3), with an absolute expiry.

    Attributes:
        auth_req_id: The request's identifier, which the client polls with; a credential,
            kept out of ``repr``.
        expires_at: When it expires, seconds since the epoch.
        interval: Minimum seconds between polls (5 when the provider names none).
        extra: Every other member of the answer.
        client_notification_token: In ping mode, the bearer token the provider's ping must
            carry (§10.2); a credential, kept out of ``repr``.

    Raises:
        UsageError: A field of the wrong type.
    """

    auth_req_id: str = field(repr=False)
    expires_at: float
    interval: float = DEFAULT_INTERVAL
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)
    client_notification_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.auth_req_id, str) or not self.auth_req_id:
            raise UsageError("BackchannelAuthentication.auth_req_id must be a non-empty string")
        text_params(("client_notification_token", self.client_notification_token))
        check_timing(self)


@dataclass(frozen=True, slots=True)
class CibaGrant:
    """Poll for the token of a CIBA request (CIBA Core §10.1).

    Raises:
        UsageError: No ``auth_req_id``.
    """

    auth_req_id: str = field(repr=False)
    grant_type: ClassVar[str] = CIBA_GRANT_TYPE
    purpose: ClassVar[Purpose] = Purpose.CIBA_POLL
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not isinstance(self.auth_req_id, str) or not self.auth_req_id:
            raise UsageError("CibaGrant needs the auth_req_id of a CIBA request")

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` and ``auth_req_id``."""
        return [("grant_type", self.grant_type), ("auth_req_id", self.auth_req_id)]


if TYPE_CHECKING:

    class BackchannelParams(TypedDict, total=False):
        """The parameters of a CIBA request (§7.1); see
        :func:`build_backchannel_authentication_request`."""

        scope: Required[Scope]
        login_hint: str | None
        id_token_hint: str | None
        login_hint_token: str | None
        binding_message: str | None
        requested_expiry: int | None
        acr_values: str | Sequence[str] | None
        user_code: str | None
        client_notification_token: str | None

    class BackchannelRequest(BackchannelParams, FormOptions, total=False):
        """:class:`BackchannelParams` and the options of every back-channel form."""


def build_backchannel_authentication_request(
    endpoint: str, auth: ClientAuth, **options: Unpack[BackchannelRequest]
) -> HttpRequest:
    """Build a CIBA authentication request (CIBA Core §7.1).

    Args:
        endpoint: The ``backchannel_authentication_endpoint``.
        auth: How the client authenticates (CIBA clients are confidential, §7.1).
        **options: ``now`` (required), ``extra``, ``headers`` and ``allow_insecure_transport``,
            as for every back-channel form; and the request's parameters:

            * ``scope`` (required): must include ``openid``;
            * exactly one of ``login_hint`` (who to authenticate, as the provider knows
              them), ``id_token_hint`` (an ID token the provider issued about them) and
              ``login_hint_token`` (a token that identifies them);
            * ``binding_message``: a short text shown on both devices, to tie them together;
            * ``requested_expiry``: seconds the client asks the request to stay valid;
            * ``acr_values``: authentication context classes wanted, in order of preference;
            * ``user_code``: a secret the user knows, when the provider asks for one;
            * ``client_notification_token``: ping mode's bearer token for the provider's
              ping (§7.1, §10.2), a fresh :func:`oauthkit.new_client_notification_token`.

    Raises:
        UsageError: No ``openid`` in ``scope``; not exactly one hint; an empty value, or a
            ``requested_expiry`` that is not a positive int.
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
    """
    given: dict[str, Any] = dict(options)
    form = {name: given.pop(name) for name in _FORM_OPTIONS if name in given}
    return build_form_request(endpoint, backchannel_params(**given), auth, **form)


def backchannel_params(**params: Unpack[BackchannelParams]) -> list[tuple[str, str]]:
    """The parameters of a CIBA request (§7.1), checked; see
    :func:`build_backchannel_authentication_request`.

    Raises:
        UsageError: As for :func:`build_backchannel_authentication_request`; also an
            unknown parameter.
    """
    unknown = sorted(set(params) - _PARAMS)
    if unknown:
        raise UsageError(f"unknown CIBA request parameter(s): {', '.join(unknown)}")
    tokens = scope_tokens(params.get("scope")) or ()
    if "openid" not in tokens:
        raise UsageError("a CIBA request's scope must include openid (CIBA Core §7.1)")
    hints = text_params(*((name, params.get(name)) for name in _HINTS))
    if len(hints) != 1:
        raise UsageError(
            "a CIBA request names its user with exactly one of login_hint, id_token_hint and "
            "login_hint_token (CIBA Core §7.1)"
        )
    out = [("scope", encode_scope(tokens) or ""), *hints]
    out += text_params(("binding_message", params.get("binding_message")))
    expiry = params.get("requested_expiry")
    if expiry is not None:
        if isinstance(expiry, bool) or not isinstance(expiry, int) or expiry <= 0:
            raise UsageError("requested_expiry must be a positive number of seconds (an int)")
        out.append(("requested_expiry", str(expiry)))
    acr_values = params.get("acr_values")
    if acr_values is not None:
        acr = encode_scope(acr_values)  # the same shape: space-separated tokens
        if not acr:
            raise UsageError("acr_values must name at least one class")
        out.append(("acr_values", acr))
    return out + text_params(
        ("user_code", params.get("user_code")),
        ("client_notification_token", params.get("client_notification_token")),
    )


def _seconds(value: object, name: str, response: HttpResponse) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise malformed(f"CIBA response member {name!r} is not a number", response)
    try:
        number = float(value)
    except OverflowError:  # an int of 400 digits is JSON, and no float
        raise malformed(
            f"CIBA response member {name!r} is not a valid duration", response
        ) from None
    if not math.isfinite(number) or number < 0:
        raise malformed(f"CIBA response member {name!r} is not a valid duration", response)
    return number


def parse_backchannel_authentication_response(
    response: HttpResponse, *, now: float
) -> BackchannelAuthentication:
    """Read a CIBA acknowledgement (CIBA Core §7.3) or refusal (§13).

    Args:
        response: The answer.
        now: When it was received; ``expires_in`` counts from it.

    Raises:
        TokenEndpointError: The provider refused (§13): the class for its ``error`` code
            (:class:`~oauthkit.InvalidRequestError`, :class:`~oauthkit.AccessDeniedError`...),
            or a plain one (``unknown_user_id``, ``invalid_binding_message``...).
        MalformedResponseError: A 2xx body that is not a JSON object, lacks ``auth_req_id``
            or ``expires_in``, or has a member of the wrong type.
        UsageError: ``response`` is not an :class:`HttpResponse`, or ``now`` not a number.
    """
    if isinstance(now, bool) or not isinstance(now, int | float) or not math.isfinite(now):
        raise UsageError("now must be a finite number of seconds since the epoch")
    data = read_answer(response, "backchannel authentication response")
    auth_req_id = data.get("auth_req_id")
    if not isinstance(auth_req_id, str) or not auth_req_id:
        raise malformed("the CIBA response lacks an auth_req_id", response)
    if "expires_in" not in data:
        raise malformed("the CIBA response lacks expires_in", response)
    expires_in = _seconds(data["expires_in"], "expires_in", response)
    interval = data.get("interval")
    seconds = DEFAULT_INTERVAL if interval is None else _seconds(interval, "interval", response)
    known = {"auth_req_id", "expires_in", "interval"}
    return BackchannelAuthentication(
        auth_req_id=auth_req_id,
        expires_at=now + expires_in,
        interval=seconds or DEFAULT_INTERVAL,
        extra={key: value for key, value in data.items() if key not in known},
    )


def backchannel_authentication(
    manager: TokenManager,
    endpoint: str,
    timeout: float | None,
    **params: Any,
) -> Flow[BackchannelAuthentication]:
    """Send a CIBA request with the manager's client authentication; read the answer.

    ``params`` are those of :func:`backchannel_params`, and ``extra`` (more body parameters).

    Raises:
        UsageError: See :func:`build_backchannel_authentication_request` (raised at once).
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host (at once).
        TokenEndpointError, MalformedResponseError: See
            :func:`parse_backchannel_authentication_response`.
    """
    from ._flows import ask

    scope = params.pop("scope", None)
    extra = params.pop("extra", None)
    # checked now, not when the flow first runs
    form = backchannel_params(scope=manager.scope if scope is None else scope, **params)
    manager.transport.check(endpoint)
    extra_params(extra)

    def build(now: float) -> HttpRequest:
        return build_form_request(
            endpoint,
            form,
            manager.auth,
            now=now,
            extra=extra,
            allow_insecure_transport=manager.transport,
        )

    token = dict(form).get("client_notification_token")
    sending = ask(manager, build, Purpose.BACKCHANNEL_AUTHENTICATION, timeout)
    return _acknowledged(manager, token, sending)


def _acknowledged(
    manager: TokenManager, token: str | None, sending: Flow[HttpResponse]
) -> Flow[BackchannelAuthentication]:
    response = yield from sending
    answer = parse_backchannel_authentication_response(response, now=manager.clock())
    return answer if token is None else replace(answer, client_notification_token=token)


def ciba_token(
    manager: TokenManager,
    authentication: BackchannelAuthentication,
    endpoint: str,
    *,
    deadline: float | None,
    scope: Scope,
    pinged: bool = False,
) -> Flow[Token]:
    """Poll for the token of a CIBA request (CIBA Core §10.1, §11), then make it current.

    ``pinged``: the provider's ping came (ping mode, §10.2), so the first token request is
    made at once; should it still be ``authorization_pending``, polling goes on.

    Raises:
        UsageError: ``authentication`` is not a :class:`BackchannelAuthentication`.
        AccessDeniedError: The user refused.
        DeviceCodeExpiredError: The provider says the request expired (``expired_token``).
        DeviceFlowExpiredError: It expires (or ``deadline`` passes) before the next poll.
        TokenEndpointError, MalformedResponseError: Another refusal, a malformed token.
        IDTokenError: The ID token failed validation (an OpenID Connect session).
    """
    from ._flows import adopt_polled
    from ._polling import manager_poll

    if not isinstance(authentication, BackchannelAuthentication):
        raise UsageError("authentication must be a BackchannelAuthentication")
    grant = CibaGrant(authentication.auth_req_id)
    token = yield from manager_poll(
        manager,
        authentication,
        grant,
        endpoint,
        deadline=deadline,
        scope=scope,
        wait_first=not pinged,
    )
    return (yield from adopt_polled(manager, token))
