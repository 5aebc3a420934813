"""Issue #10's back-channel parsers as fuzz targets: registration, CIBA, CIBA pings.

* ``registration``: :func:`oauthkit.parse_registration_response` with the registration
  endpoint (a ``registration_client_uri`` of another origin is refused); an accepted answer
  is read again as the answer to a read request (``previous=``), which must keep its client.
  Only :class:`~oauthkit.ServerResponseError` may come out.
* ``ciba_authentication``: :func:`oauthkit.parse_backchannel_authentication_response`; only
  ``ServerResponseError``.
* ``ciba_ping``: :func:`oauthkit.parse_ping_notification`, the client's own endpoint reading
  the provider's POST. The input is a response-shaped triple: its body is the POST's, its
  status picks the ``Authorization`` header (the right bearer token; the triple's content
  type as the header's whole value; none; the right token and an awaited ``auth_req_id``).
  Only :class:`~oauthkit.PingNotificationError` may come out, and a ping is accepted only
  with the right bearer token.
"""

from __future__ import annotations

import hmac
import json
import math
from typing import Any
from urllib.parse import urlsplit

from _checks import NOW, _ok_status, _require, response_of
from _model import RESPONSE, Target
from oauthkit import (
    BackchannelAuthentication,
    ClientRegistration,
    PingNotificationError,
    ServerResponseError,
    parse_backchannel_authentication_response,
    parse_ping_notification,
    parse_registration_response,
)

J = "application/json"
ENDPOINT = "https://as.example/register"
PING_TOKEN = "cnt-Qm8Zr2Xw5Lp0Vd7Ty4Hs1Nb6"
AWAITED = "ciba-req-1"


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


# --- registration -----------------------------------------------------------------------------


def _registration(value: Any) -> Any:
    registration = parse_registration_response(response_of(value), endpoint=ENDPOINT)
    again = parse_registration_response(response_of(value), previous=registration)
    _require(again == registration, "a re-read registration differs")
    return registration


def check_registration(value: Any, result: Any) -> None:
    _require(isinstance(result, ClientRegistration), "not a ClientRegistration")
    _require(_ok_status(value), "a registration from a non-2xx answer")
    _require(isinstance(result.client_id, str) and bool(result.client_id), "no client_id")
    uri = result.registration_client_uri
    if uri is not None:
        _require(urlsplit(uri).netloc.lower() == "as.example", "another origin's client uri")
    text = repr(result)
    for secret in (result.client_secret, result.registration_access_token):
        _require(secret is None or len(secret) < 4 or secret not in text, "a secret in repr")
    result.to_dict()


REGISTRATION = {
    "client_id": "c-1",
    "client_secret": "s3cr3t-value-0123",
    "client_id_issued_at": 1_700_000_000,
    "client_secret_expires_at": 0,
    "registration_access_token": "rat-9Zk2Qw",
    "registration_client_uri": "https://as.example/register/c-1",
    "redirect_uris": ["https://client.example/cb"],
    "grant_types": ["authorization_code"],
    "token_endpoint_auth_method": "client_secret_basic",
}
REGISTRATION_SEEDS = [
    (201, J, _json(REGISTRATION)),
    (200, J, _json({"client_id": "c-2", "client_secret_expires_at": "0"})),
    (201, J, _json({**REGISTRATION, "registration_client_uri": "https://evil.example/c-1"})),
    (201, J, _json({**REGISTRATION, "client_id_issued_at": 1e999})),
    (400, J, _json({"error": "invalid_redirect_uri", "error_description": "fragment"})),
    (401, J, _json({"error": "invalid_token"})),
]


# --- CIBA authentication responses -------------------------------------------------------------


def check_ciba(value: Any, result: Any) -> None:
    _require(isinstance(result, BackchannelAuthentication), "not a BackchannelAuthentication")
    _require(_ok_status(value), "an acknowledgement from a non-2xx answer")
    _require(math.isfinite(result.expires_at) and result.expires_at >= NOW, "bad expires_at")
    _require(math.isfinite(result.interval) and result.interval > 0, "bad interval")
    _require(bool(result.auth_req_id), "no auth_req_id")
    _require(len(result.auth_req_id) < 4 or result.auth_req_id not in repr(result), "repr")


CIBA_SEEDS = [
    (200, J, _json({"auth_req_id": "1c266114-a1be-4252", "expires_in": 120, "interval": 2})),
    (200, J, _json({"auth_req_id": "r", "expires_in": 60.5, "x": [1]})),
    (200, J, _json({"auth_req_id": "r", "expires_in": "60"})),
    (200, J, _json({"auth_req_id": "r", "expires_in": 60, "interval": 0})),
    (400, J, _json({"error": "unknown_user_id", "error_description": "who?"})),
    (400, J, _json({"error": "invalid_binding_message"})),
]


# --- CIBA pings -------------------------------------------------------------------------------


def _ping_headers(value: Any) -> dict[str, str]:
    status, content_type, _ = value
    mode = status % 4
    if mode in (0, 3):
        return {"Authorization": f"Bearer {PING_TOKEN}", "Content-Type": J}
    if mode == 1:
        return {"Authorization": content_type}
    return {"Content-Type": content_type}


def _ping(value: Any) -> Any:
    awaited = AWAITED if value[0] % 4 == 3 else None
    return parse_ping_notification(
        _ping_headers(value), value[2], client_notification_token=PING_TOKEN, auth_req_id=awaited
    )


def check_ping(value: Any, result: Any) -> None:
    _require(isinstance(result, str) and bool(result), "not an auth_req_id")
    scheme, _, credential = _ping_headers(value).get("Authorization", "").strip().partition(" ")
    _require(scheme.lower() == "bearer", "a ping accepted without a Bearer token")
    _require(hmac.compare_digest(credential.strip(), PING_TOKEN), "a ping with another token")
    _require(json.loads(value[2])["auth_req_id"] == result, "not the body's auth_req_id")
    _require(value[0] % 4 != 3 or result == AWAITED, "another request's ping accepted")


PING_SEEDS = [
    (200, J, _json({"auth_req_id": "1c266114-a1be-4252"})),
    (203, J, _json({"auth_req_id": AWAITED})),
    (203, J, _json({"auth_req_id": "another"})),
    (201, f"Bearer {PING_TOKEN}", _json({"auth_req_id": "r"})),
    (201, f"bearer  {PING_TOKEN} ", _json({"auth_req_id": "r"})),
    (201, "Bearer wrong-token", _json({"auth_req_id": "r"})),
    (202, J, _json({"auth_req_id": "r"})),
    (200, J, b"auth_req_id=r"),
]


BACKCHANNEL_TARGETS = [
    Target(
        "registration",
        "oauthkit.parse_registration_response",
        RESPONSE,
        _registration,
        (ServerResponseError,),
        check_registration,
        REGISTRATION_SEEDS,
    ),
    Target(
        "ciba_authentication",
        "oauthkit.parse_backchannel_authentication_response",
        RESPONSE,
        lambda v: parse_backchannel_authentication_response(response_of(v), now=NOW),
        (ServerResponseError,),
        check_ciba,
        CIBA_SEEDS,
    ),
    Target(
        "ciba_ping",
        "oauthkit.parse_ping_notification",
        RESPONSE,
        _ping,
        (PingNotificationError,),
        check_ping,
        PING_SEEDS,
    ),
]
