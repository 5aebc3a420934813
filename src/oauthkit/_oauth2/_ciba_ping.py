"""CIBA ping mode, the client's side of the notification (OpenID CIBA Core 1.0 §10.2), sans I/O.

In ping mode the client sends a fresh ``client_notification_token`` with its authentication
request (§7.1; :func:`new_client_notification_token`), and the provider, once the user has
decided, POSTs ``{"auth_req_id": "..."}`` to the client's registered
``backchannel_client_notification_endpoint`` with ``Authorization: Bearer
<client_notification_token>`` (§10.2). The client then makes one token request, as a poll
would (§10.1).

:func:`parse_ping_notification` checks such a POST: the bearer token, compared in constant
time with the one the client sent, then the body. A web framework's route calls it with the
request's headers and body, answers ``204`` (or the error's ``status_code``), and hands the
``auth_req_id`` to whatever waits for it (:class:`oauthkit.CibaPingReceiver` does this on the
loopback server for scripts and tests).

Push mode (§10.3), where the provider posts the tokens themselves, is not implemented: FAPI-CIBA
forbids it (FAPI CIBA Security Profile §5.2.2), and it moves the ID token's checks to an
unauthenticated inbound request.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping

from .._core._http import header_value
from .._core._json import JsonError, read_json_object
from .._core._random import random_urlsafe
from .._errors import CallbackError, UsageError

__all__ = [
    "PingNotificationError",
    "new_client_notification_token",
    "parse_ping_notification",
    "same_text",
]

_MAX_BODY = 1 << 16  # a ping is one short member; more is not a ping


class PingNotificationError(CallbackError):
    """A POST to the client notification endpoint is not the ping of the request awaited.

    ``status_code`` is what the endpoint should answer: ``401`` when the bearer token is
    missing or wrong (the sender is not the provider, or not for this request), ``400`` for
    a body that is not a ping or names another ``auth_req_id``. The message never holds the
    bearer token or the ``auth_req_id``.
    """

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


def new_client_notification_token() -> str:
    """A fresh ``client_notification_token`` (CIBA Core §7.1): 256 bits, base64url.

    §7.1 asks for at least 128 bits of entropy; a bearer token's characters only (RFC 6750
    §2.1), so the provider can send it back in an ``Authorization`` header.
    """
    return random_urlsafe(32)


def same_text(sent: str, expected: str) -> bool:
    """Whether two secrets are equal, in constant time (``hmac.compare_digest``).

    Compared as UTF-8 with ``surrogatepass``: outside text may hold a lone surrogate (a JSON
    ``"\\udcfe"`` escape), which never matches and must not raise.
    """
    return hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass")
    )


def _bearer(headers: Mapping[str, str]) -> str:
    value = header_value(headers, "Authorization")
    if not isinstance(value, str):
        raise PingNotificationError("the ping carries no Authorization header", 401)
    scheme, _, credential = value.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or " " in credential:
        raise PingNotificationError("the ping's Authorization is not a Bearer token", 401)
    return credential


def parse_ping_notification(
    headers: Mapping[str, str],
    body: bytes | str | None,
    *,
    client_notification_token: str,
    auth_req_id: str | None = None,
) -> str:
    """Check a ping notification (CIBA Core §10.2); return the ``auth_req_id`` it names.

    Args:
        headers: The POST's headers (any case).
        body: Its body, JSON.
        client_notification_token: The token sent with the authentication request
            (:attr:`oauthkit.BackchannelAuthentication.client_notification_token`).
        auth_req_id: The request awaited, when there is one: a ping naming another is refused.

    Returns:
        The ``auth_req_id``: make the token request for it (one poll, §10.1).

    Raises:
        PingNotificationError: ``status_code`` 401 for a missing or wrong bearer token (checked
            first, in constant time), 400 for a body that is not a JSON object with a string
            ``auth_req_id``, or one naming another request.
        UsageError: ``client_notification_token`` or ``auth_req_id`` is empty or not a string,
            or ``headers`` is not a mapping.
    """
    if not isinstance(client_notification_token, str) or not client_notification_token:
        raise UsageError("client_notification_token must be a non-empty string")
    if auth_req_id is not None and (not isinstance(auth_req_id, str) or not auth_req_id):
        raise UsageError("auth_req_id must be a non-empty string")
    if not isinstance(headers, Mapping):
        raise UsageError("headers must be a mapping of header names to values")
    sent = _bearer(headers)
    if not same_text(sent, client_notification_token):
        raise PingNotificationError("the ping's bearer token is not this client's", 401)
    if body is None or not isinstance(body, bytes | str) or len(body) > _MAX_BODY:
        raise PingNotificationError("the ping has no JSON body")
    try:
        data = read_json_object(body)
    except JsonError as exc:
        raise PingNotificationError(f"the ping's body is not a JSON object: {exc}") from None
    named = data.get("auth_req_id")
    if not isinstance(named, str) or not named:
        raise PingNotificationError("the ping's body has no auth_req_id")
    if auth_req_id is not None and not same_text(named, auth_req_id):
        raise PingNotificationError("the ping names another auth_req_id")
    return named
