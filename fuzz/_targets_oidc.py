"""The OpenID Connect parsers of outside input as fuzz targets (issue #9), and their promises.

* ``id_token``: :func:`oauthkit.oidc.validate_id_token` under one of three fixed settings
  (the input's variant): a login with nonce, ``max_age``, ``at_hash``/``c_hash`` and a ``dir``
  decryption key; a refresh (§12.2) with an ECDH-ES decryption key; essential ``acr``, no
  leeway and the JWK Set as parsed JSON. Only :class:`~oauthkit.oidc.IDTokenError` may come
  out (a :class:`~oauthkit.UsageError` is a finding: the token is the provider's).
* ``logout_token``: :func:`oauthkit.oidc.validate_logout_token`, with a fresh replay window,
  none (and HS256 allowed without a client secret), or one that has seen the seeds' ``jti``;
  only ``LogoutTokenError``.
* ``userinfo``: :func:`oauthkit.oidc.parse_userinfo` on JSON and ``application/jwt`` answers;
  only ``UserinfoError``.
* ``jwks``: :class:`oauthkit.oidc.Provider` given a JWK Set, where a bad set is the caller's
  ``UsageError``. :func:`oauthkit.oidc.import_jwks` itself raises the internal
  ``oauthkit._jose._compact.Rejected``, which public callers only meet wrapped: as that
  ``UsageError`` here, as a ``MalformedResponseError`` when the set comes from ``jwks_uri``.
* ``server_metadata``: :func:`oauthkit.parse_server_metadata`; ``ServerResponseError``,
  ``IssuerMismatchError`` and ``InsecureTransportError`` (see the target).

What a returned value must be is checked independently where it can be: an accepted token
must verify, by :func:`_jwt.verified_alg` (cryptography, not oauthkit), with the issuer's
key for its ``alg`` or the client secret.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from joserfc import jwk

from _checks import _require, response_of, shape_of
from _jwt import EC_KEY, JWKS
from _model import JSONISH, JWT, RESPONSE, SIGNED_RESPONSE, Target
from _oidc_tokens import (
    ID_SEEDS,
    LOGOUT_SEEDS,
    USERINFO_SEEDS,
    check_id_token,
    check_logout_token,
    check_userinfo,
    run_id_token,
    run_logout_token,
    run_userinfo,
)
from _vocabulary import ISSUER, METADATA
from oauthkit import (
    InsecureTransportError,
    IssuerMismatchError,
    ServerMetadata,
    ServerResponseError,
    UsageError,
    parse_server_metadata,
)
from oauthkit._core._transport import is_loopback_host
from oauthkit._jose._keys import ALGORITHM_KEY_TYPES, HMAC_ALGORITHMS, MAX_KEYS
from oauthkit.oidc import (
    IDTokenClaims,
    IDTokenError,
    KeySet,
    LogoutTokenError,
    Provider,
    UserinfoError,
)

J = "application/json"


def _shape(result: Any) -> str:
    if isinstance(result, IDTokenClaims):
        return ",".join(sorted(name[:20] for name in result)[:8])
    if isinstance(result, KeySet):
        return ",".join(sorted(f"{k.kty}:{k.alg}:{k.crv}" for k in result.keys)[:6])
    if isinstance(result, ServerMetadata):
        return ",".join(sorted(result.endpoints)[:8])
    return shape_of(result)


# --- JWK Sets and metadata --------------------------------------------------------------------


def _jwks(value: Any) -> Any:
    return Provider(ISSUER, jwks=value).keys_entry.value


def check_jwks(value: Any, result: Any) -> None:
    if value is None:
        _require(result is None, "keys from no set")
        return
    _require(isinstance(result, KeySet), "not a KeySet")
    _require(len(result.keys) <= MAX_KEYS, "more keys than MAX_KEYS")
    for key in result.keys:
        _require(key.kty in ("RSA", "EC", "OKP"), f"a key of type {key.kty!r}")
        _require(all(v is None or isinstance(v, str) for v in (key.kid, key.alg, key.crv)), "kid")
        _require(not key.key.is_private, "a private key kept")
        _require(not any(key.fits(alg) for alg in HMAC_ALGORITHMS), "an HMAC key")
        for alg in ALGORITHM_KEY_TYPES:
            key.fits(alg)
    for alg in ALGORITHM_KEY_TYPES:
        result.candidates(alg, None)
    result.kids()
    repr(result)


_PRIVATE_EC = jwk.ECKey.import_key(EC_KEY, {"kid": "ec-1"}).as_dict(private=True)
JWKS_SEEDS = [
    JWKS,
    {"keys": [_PRIVATE_EC, {"kty": "oct", "k": "c2VjcmV0"}]},
    {"keys": [{**JWKS["keys"][0], "use": "enc"}, {**JWKS["keys"][1], "key_ops": ["sign"]}]},
    JWKS["keys"][2],
    JWKS["keys"],
    {"keys": "x"},
    None,
]


def check_metadata(value: Any, result: Any) -> None:
    _require(isinstance(result, ServerMetadata), "not ServerMetadata")
    _require(200 <= value[0] < 300, "metadata from a non-2xx answer")
    _require(result.issuer == ISSUER, "issuer not checked")
    for name, url in result.endpoints.items():
        parts = urlsplit(url)
        loopback = parts.scheme == "http" and is_loopback_host(parts.hostname or "")
        _require(parts.scheme == "https" or loopback, f"{name} is not https")
    for names in result.supported.values():
        _require(isinstance(names, tuple) and all(isinstance(n, str) for n in names), "lists")
    _require(isinstance(result.authorization_response_iss_parameter_supported, bool), "iss")
    _require(result.endpoint("token_endpoint") == result.endpoints.get("token_endpoint"), "url")
    _require(result.supports("scopes_supported", "openid") is not None, "supports")
    repr(result)


METADATA_SEEDS = [
    (200, J, json.dumps(METADATA).encode()),
    (200, J, json.dumps({**METADATA, "token_endpoint": "http://as.example/token"}).encode()),
    (200, J, json.dumps({**METADATA, "issuer": ISSUER + "/"}).encode()),
    (200, J, json.dumps({**METADATA, "scopes_supported": "openid"}).encode()),
    (404, "text/html", b"<html><body>Not Found</body></html>"),
]


OIDC_TARGETS = [
    Target(
        "id_token",
        "oauthkit.oidc.validate_id_token",
        JWT,
        run_id_token,
        (IDTokenError,),
        check_id_token,
        ID_SEEDS,
        _shape,
    ),
    Target(
        "logout_token",
        "oauthkit.oidc.validate_logout_token",
        JWT,
        run_logout_token,
        (LogoutTokenError,),
        check_logout_token,
        LOGOUT_SEEDS,
        _shape,
    ),
    Target(
        "userinfo",
        "oauthkit.oidc.parse_userinfo",
        SIGNED_RESPONSE,
        run_userinfo,
        (UserinfoError,),
        check_userinfo,
        USERINFO_SEEDS,
    ),
    Target(
        "jwks",
        "oauthkit.oidc.Provider(jwks=...)",
        JSONISH,
        _jwks,
        (UsageError,),  # a JWK Set given to the constructor is the caller's input
        check_jwks,
        JWKS_SEEDS,
        _shape,
    ),
    Target(
        "server_metadata",
        "oauthkit.parse_server_metadata",
        RESPONSE,
        lambda v: parse_server_metadata(response_of(v), issuer=ISSUER),
        # InsecureTransportError: the documented refusal of an http endpoint by the caller's
        # transport policy (allow_insecure_transport), tested in tests/test_metadata.py; any
        # other UsageError for the server's document is a finding.
        (ServerResponseError, IssuerMismatchError, InsecureTransportError),
        check_metadata,
        METADATA_SEEDS,
        _shape,
    ),
]
