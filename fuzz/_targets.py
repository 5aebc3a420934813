"""The fuzz targets: every parser of outside input, with what it may raise and must return.

A target runs one parser on one input and says whether the outcome is acceptable. The rule is
the one of ``tests/test_fuzz_parsers.py``: a value that keeps the parser's promises, or an
exception of the classes the target allows. Anything else is a finding:

* ``escape``: an exception outside :class:`oauthkit.OAuthError` (``KeyError``,
  ``RecursionError``, ``UnicodeError``...);
* ``wrong-error``: an :class:`~oauthkit.OAuthError` the target does not allow, chiefly a
  :class:`~oauthkit.UsageError` for a server's answer, which is never the caller's fault;
* ``invariant``: a value that breaks a promise (a ``Token`` from a 500, an infinite expiry);
* ``unshowable``: an error whose message or excerpt cannot be shown in one short line.

Every target takes its input in one of the shapes named in :mod:`_model` (``RESPONSE``,
``HEADER``...), so the campaign can generate, mutate and shrink inputs without knowing the
parser; what each parser must return is checked by :mod:`_checks` (:mod:`_targets_oidc` for
the OpenID Connect targets).
"""

from __future__ import annotations

import json
from typing import Any

from _checks import (
    CALLBACK_MODES,
    NOW,
    STATE,
    check_bearer,
    check_callback,
    check_challenges,
    check_device,
    check_error_body,
    check_fields,
    check_introspection,
    check_json,
    check_json_object,
    check_oauth1_callback,
    check_oauth1_token,
    check_pushed,
    check_rejected,
    check_revocation,
    check_stored,
    check_token,
    response_of,
)
from _model import (
    BYTES,
    CALLBACK,
    CHALLENGED,
    FIELDS,
    HEADER,
    OAUTH1_CALLBACK,
    RESPONSE,
    STORED,
    Target,
)
from _targets_backchannel import BACKCHANNEL_TARGETS
from _targets_jwt import JWT_TARGETS
from _targets_oidc import OIDC_TARGETS
from oauthkit import (
    AuthorizationError,
    CallbackError,
    HttpResponse,
    ServerResponseError,
    Token,
    TokenEndpointError,
    UsageError,
    bearer_error,
    is_token_rejected,
    oauth1,
    parse_authorization_callback,
    parse_device_authorization_response,
    parse_error_body,
    parse_introspection_response,
    parse_revocation_response,
    parse_token_response,
    parse_www_authenticate,
)
from oauthkit._core._json import JsonError, read_json, read_json_object
from oauthkit._oauth2._par import parse_par_response


def _json(data: Any) -> bytes:
    return json.dumps(data).encode()


J = "application/json"
TOKEN_SEEDS = [
    (200, J, _json({"access_token": "at", "token_type": "Bearer", "expires_in": 3600})),
    (200, J, _json({"access_token": "at", "refresh_token": "rt", "scope": "a b", "id_token": "x"})),
    (200, "", b"access_token=at&token_type=bearer&expires_in=60&scope=a%20b"),
    (400, J, _json({"error": "invalid_grant", "error_description": "expired"})),
    (200, J, _json({"error": "authorization_pending"})),
    (401, "text/html", b"<html><body>Authorization: Basic dXNlcjpwYXNz</body></html>"),
    (200, J, _json({"access_token": "at", "expires_at": 1.7e9, "x": [1, {"a": None}]})),
]
DEVICE_SEEDS = [
    (
        200,
        J,
        _json(
            {
                "device_code": "dc",
                "user_code": "UC-1",
                "verification_uri": "https://as.example/device",
                "verification_uri_complete": "https://as.example/device?c=UC-1",
                "expires_in": 600,
                "interval": 5,
            }
        ),
    ),
    (
        200,
        J,
        _json({"device_code": "d", "user_code": "u", "verification_url": "v", "expires_in": "9"}),
    ),
    (400, J, _json({"error": "invalid_client"})),
]
PUSHED_SEEDS = [
    (
        201,
        J,
        _json(
            {"request_uri": "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc", "expires_in": 60}
        ),
    ),
    (201, J, _json({"request_uri": "urn:x", "expires_in": "60"})),
    (400, J, _json({"error": "invalid_request_object", "error_description": "bad"})),
]
INTROSPECTION_SEEDS = [
    (200, J, _json({"active": True, "scope": "a b", "client_id": "c", "exp": 1.7e9, "aud": ["x"]})),
    (200, J, _json({"active": False})),
    (401, J, _json({"error": "invalid_client"})),
]
CALLBACK_SEEDS = [
    (2, f"https://client.example/cb?code=C&state={STATE}&iss=https%3A%2F%2Fas.example"),
    (3, f"code=C&state={STATE}&iss=https://as.example"),
    (1, f"https://client.example/cb#access_token=at&token_type=Bearer&state={STATE}"),
    (1, f"/cb?error=access_denied&error_description=no&state={STATE}"),
    (1, {"code": ["C"], "state": STATE}),
    (0, b"code=C&state=S"),
]
HEADER_SEEDS = [
    'Bearer realm="example", error="invalid_token", error_description="expired"',
    'DPoP algs="ES256 PS256", error="use_dpop_nonce", Basic realm="x"',
    "Negotiate abc==, Bearer",
]


def _oauth1_token(value: Any) -> Any:
    return oauth1.parse_token_response(response_of(value))


def _callback(value: Any) -> Any:
    state, issuer, required = CALLBACK_MODES[value[0]]
    return parse_authorization_callback(
        value[1],
        expected_state=state,
        issuer=issuer,
        iss_required=required,
        skip_state_check=state is None,
    )


TARGETS = [
    Target(
        "token_response",
        "oauthkit.parse_token_response",
        RESPONSE,
        lambda v: parse_token_response(response_of(v), now=NOW, requested_scope="a b"),
        (ServerResponseError,),
        check_token,
        TOKEN_SEEDS,
    ),
    Target(
        "error_body",
        "oauthkit.parse_error_body",
        RESPONSE,
        lambda v: parse_error_body(response_of(v)),
        (),
        check_error_body,
        TOKEN_SEEDS,
    ),
    Target(
        "device_authorization",
        "oauthkit.parse_device_authorization_response",
        RESPONSE,
        lambda v: parse_device_authorization_response(response_of(v), now=NOW),
        (ServerResponseError,),
        check_device,
        DEVICE_SEEDS,
    ),
    Target(
        "pushed_authorization",
        "oauthkit._oauth2._par.parse_par_response",
        RESPONSE,
        lambda v: parse_par_response(response_of(v), now=NOW),
        (ServerResponseError,),
        check_pushed,
        PUSHED_SEEDS,
    ),
    Target(
        "introspection",
        "oauthkit.parse_introspection_response",
        RESPONSE,
        lambda v: parse_introspection_response(response_of(v)),
        (ServerResponseError,),
        check_introspection,
        INTROSPECTION_SEEDS,
    ),
    Target(
        "revocation",
        "oauthkit.parse_revocation_response",
        RESPONSE,
        lambda v: parse_revocation_response(response_of(v)),
        (TokenEndpointError,),
        check_revocation,
        TOKEN_SEEDS,
    ),
    Target(
        "authorization_callback",
        "oauthkit.parse_authorization_callback",
        CALLBACK,
        _callback,
        (CallbackError, AuthorizationError),
        check_callback,
        CALLBACK_SEEDS,
    ),
    Target(
        "www_authenticate",
        "oauthkit.parse_www_authenticate",
        HEADER,
        parse_www_authenticate,
        (),
        check_challenges,
        HEADER_SEEDS,
    ),
    Target(
        "bearer_error",
        "oauthkit.bearer_error",
        HEADER,
        bearer_error,
        (),
        check_bearer,
        HEADER_SEEDS,
    ),
    Target(
        "is_token_rejected",
        "oauthkit.is_token_rejected",
        CHALLENGED,
        lambda v: is_token_rejected(HttpResponse(v[0], {"WWW-Authenticate": v[1]})),
        (),
        check_rejected,
        [(401, h) for h in HEADER_SEEDS],
    ),
    Target(
        "oauth1_token_response",
        "oauthkit.oauth1.parse_token_response",
        RESPONSE,
        _oauth1_token,
        (ServerResponseError,),
        check_oauth1_token,
        [
            (200, "", b"oauth_token=t&oauth_token_secret=s&oauth_callback_confirmed=true"),
            (200, J, _json({"oauth_token": "t", "oauth_token_secret": "s", "x": [1]})),
            (401, "", b"oauth_problem=token_rejected"),
        ],
    ),
    Target(
        "oauth1_callback",
        "oauthkit.oauth1.parse_authorization_callback",
        OAUTH1_CALLBACK,
        lambda v: oauth1.parse_authorization_callback(v[1], v[0]),
        (CallbackError,),
        check_oauth1_callback,
        [
            ("t", "https://client.example/cb?oauth_token=t&oauth_verifier=v"),
            (None, "/cb?oauth_token=x"),
        ],
    ),
    Target(
        "token_from_dict",
        "oauthkit.Token.from_dict",
        STORED,
        lambda v: Token.from_dict(v[1], now=v[0]),
        (UsageError,),  # the documented answer to a bad stored dictionary
        check_stored,
        [
            (None, {"access_token": "a", "expires_at": 1.7e9, "scope": ["a", "b"]}),
            (NOW, {"access_token": "a", "expires_in": "60", "refresh_token": "r", "x": 1}),
        ],
    ),
    Target(
        "token_from_response",
        "oauthkit.Token.from_response",
        FIELDS,
        lambda v: Token.from_response(v, now=NOW, requested_scope=["a"]),
        (ServerResponseError,),
        check_fields,
        [{"access_token": "a", "expires_in": 60, "scope": ["a", "b"]}, {"access_token": "a"}],
    ),
    Target(
        "read_json",
        "oauthkit._core._json.read_json",
        BYTES,
        read_json,
        (JsonError,),
        check_json,
        [b'{"a": [1, 2.5, "x", null, true]}', b"[]", b'"\\u00e9"'],
    ),
    Target(
        "read_json_object",
        "oauthkit._core._json.read_json_object",
        BYTES,
        read_json_object,
        (JsonError,),
        check_json_object,
        [b'{"a": {"b": [1, {"c": -0.0}]}}', b"\xef\xbb\xbf{}"],
    ),
    *OIDC_TARGETS,  # OpenID Connect (issue #9): ID and logout tokens, UserInfo, keys, metadata
    *BACKCHANNEL_TARGETS,  # issue #10: registration, CIBA acknowledgements and pings
    *JWT_TARGETS,  # issue #10: JARM, JWT introspection, request-object encryption keys
]
BY_NAME = {target.name: target for target in TARGETS}
