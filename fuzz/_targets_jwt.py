"""Issue #10's JWT parsers as fuzz targets: JARM, JWT introspection, request-object encryption.

* ``jarm``: :func:`oauthkit.oidc.validate_jarm_response` under one of four fixed settings (the
  input's variant): the bare JWT (RS256, ES256, EdDSA and HS256 allowed, a ``dir`` decryption
  key); a ``query.jwt`` callback URL (RS256, ES256; the JWK Set as parsed JSON; an ECDH-ES
  key); ``form_post.jwt`` parameters (EdDSA, HS256; no leeway); and parameters with an
  unsigned ``state`` beside the JWT, which must always be refused. Inputs are the ID-token
  target's JWTs, really signed with mutated claims. Only :class:`~oauthkit.CallbackError`
  (``JARMError`` and its subclasses) may come out; an accepted response must verify with the
  oracle of :mod:`_jwt` and name the issuer and the client.
* ``jwt_introspection``: ``parse_jwt_introspection_response`` (RFC 9701) on signed,
  encrypted and plain answers; the triple's ``application/jwt`` content types stand for
  ``application/token-introspection+jwt``. ``ServerResponseError`` may come out, and
  ``UnknownKey``, the internal verdict the session turns into a JWKS refetch.
* ``jar_encryption``: the server input request-object encryption reads: its JWK Set (the
  input) and its ``request_object_encryption_alg/enc_values_supported`` (the input's ``alg``
  and ``enc`` members, as :func:`oauthkit.parse_server_metadata` would hand them on), through
  ``choose_encryption`` and ``encrypt_jwt``. A set that does not import is ``Rejected`` (the
  ``jwks`` target covers that); a server without a usable key is the documented
  :class:`~oauthkit.UsageError`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from joserfc import jwk

from _checks import NOW, _require
from _jwt import (
    DIR_JWK,
    EC_KEY,
    ECDH_JWK,
    INTROSPECTION_CLAIMS,
    JARM_CLAIMS,
    JWKS,
    KEYSET,
    RSA_KEY,
    render,
    verified_alg,
)
from _model import JSONISH, JWT, SIGNED_RESPONSE, Target
from _oidc_tokens import _jws, _userinfo_response
from _vocabulary import CLIENT_ID, ISSUER, OIDC_NOW
from oauthkit import CallbackError, Introspection, ServerResponseError, UsageError
from oauthkit._jose._compact import Rejected
from oauthkit._jose._encrypt import (
    CONTENT_ENCRYPTION,
    KEY_MANAGEMENT,
    choose_encryption,
    encrypt_jwt,
)
from oauthkit._jose._keys import import_jwks
from oauthkit._jose._verify import UnknownKey
from oauthkit._oauth2._jwt_introspection import (
    JWT_INTROSPECTION_MEDIA_TYPE,
    parse_jwt_introspection_response,
)
from oauthkit.oidc import JARMExpectations, validate_jarm_response

# --- JARM -------------------------------------------------------------------------------------

JARM_SETTINGS = (
    (
        "jwt",
        JARMExpectations(
            ISSUER,
            CLIENT_ID,
            algorithms=("RS256", "ES256", "EdDSA", "HS256"),
            client_secret="fuzz-client-secret-0123456789abcdef",
            decryption_keys=DIR_JWK,
        ),
        KEYSET,
    ),
    (
        "query",
        JARMExpectations(
            ISSUER, CLIENT_ID, algorithms=("RS256", "ES256"), decryption_keys=ECDH_JWK
        ),
        JWKS,
    ),
    (
        "form",
        JARMExpectations(
            ISSUER,
            CLIENT_ID,
            algorithms=("EdDSA", "HS256"),
            client_secret="fuzz-client-secret-0123456789abcdef",
            leeway=0.0,
        ),
        KEYSET,
    ),
    ("unsigned-state", JARMExpectations(ISSUER, CLIENT_ID, algorithms=("RS256",)), KEYSET),
)


def _jarm_setting(value: Any) -> Any:
    return JARM_SETTINGS[value[0] % len(JARM_SETTINGS)]


def _jarm_input(value: Any) -> Any:
    mode = _jarm_setting(value)[0]
    token = render(value[1:])
    if mode == "query":
        raw = token.encode("utf-8", "surrogatepass")  # a callback URL is bytes on the wire
        return f"https://client.example/cb?response={quote(raw, safe='')}"
    if mode == "form":
        return {"response": token}
    if mode == "unsigned-state":
        return {"response": token, "state": "st-8a1f"}
    return token


def run_jarm(value: Any) -> Any:
    _, expect, jwks = _jarm_setting(value)
    return validate_jarm_response(_jarm_input(value), jwks=jwks, expect=expect, now=NOW)


def check_jarm(value: Any, result: Any) -> None:
    mode, expect, _ = _jarm_setting(value)
    _require(mode != "unsigned-state", "unsigned parameters beside the JWT accepted")
    _require(isinstance(result, dict), "not a dict")
    _require(all(isinstance(k, str) and isinstance(v, str) for k, v in result.items()), "types")
    _require(not {"aud", "exp"} & set(result), "JWT claims returned as parameters")
    _require(result.get("iss") == ISSUER, "iss not checked (or not handed on for RFC 9207)")
    alg = verified_alg(render(value[1:]), expect.decryption_keys)
    _require(
        alg is not None and alg in expect.allowed, "accepted a response the issuer did not sign"
    )


JARM_SEEDS = [
    (0, *_jws("RS256", JARM_CLAIMS)),
    (0, *_jws("ES256", JARM_CLAIMS)),
    (0, *_jws("EdDSA", JARM_CLAIMS)),
    (0, *_jws("HS256", JARM_CLAIMS)),
    (0, *_jws("RS256", JARM_CLAIMS, "RS256+jwe")),
    (0, *_jws("RS256", {**JARM_CLAIMS, "error": "access_denied", "code": None})),
    (0, *_jws("RS256", {**JARM_CLAIMS, "expires_in": 3600})),
    (0, *_jws("RS256", {**JARM_CLAIMS, "aud": [CLIENT_ID, "other"]})),
    (0, *_jws("RS256", {**JARM_CLAIMS, "exp": OIDC_NOW - 60})),
    (0, *_jws("RS256", JARM_CLAIMS, typ="logout+jwt")),
    (0, *_jws("ES256", JARM_CLAIMS, "attacker")),
    (0, *_jws("HS256", JARM_CLAIMS, "hs-pem")),
    (0, *_jws("none", JARM_CLAIMS, "empty")),
    (1, *_jws("ES256", JARM_CLAIMS)),
    (1, *_jws("RS256", {**JARM_CLAIMS, "iss": ISSUER + "/"})),
    (2, *_jws("EdDSA", JARM_CLAIMS)),
    (2, *_jws("HS256", {**JARM_CLAIMS, "state": ["a"]})),
    (3, *_jws("RS256", JARM_CLAIMS)),
]


# --- JWT introspection --------------------------------------------------------------------------

INTROSPECTION_TYP = {"typ": "token-introspection+jwt"}
INTROSPECTION_ALGS = ("RS256", "ES256", "EdDSA")


def _introspection_response(value: Any) -> Any:
    status, content_type, body = value
    if content_type.lower().startswith(("application/jwt", "jwt")):
        content_type = JWT_INTROSPECTION_MEDIA_TYPE
    return _userinfo_response((status, content_type, body))  # a body, or a JWT to render


def run_jwt_introspection(value: Any) -> Any:
    return parse_jwt_introspection_response(
        _introspection_response(value),
        keys=KEYSET,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        now=NOW,
        algorithms=INTROSPECTION_ALGS,
        decryption_keys=DIR_JWK,
    )


def check_jwt_introspection(value: Any, result: Any) -> None:
    _require(isinstance(result, Introspection), "not an Introspection")
    _require(200 <= value[0] < 300, "an introspection from a non-2xx answer")
    response = _introspection_response(value)
    _require(response.media_type == JWT_INTROSPECTION_MEDIA_TYPE, "another media type accepted")
    text = response.body.decode("ascii").strip()
    _require(verified_alg(text, DIR_JWK) in INTROSPECTION_ALGS, "accepted an unsigned answer")
    _require(result.active or result == Introspection(active=False), "inactive with claims")
    repr(result)


JIT = JWT_INTROSPECTION_MEDIA_TYPE
INTROSPECTION_SEEDS = [
    (200, JIT, _jws("RS256", INTROSPECTION_CLAIMS, **INTROSPECTION_TYP)),
    (200, JIT, _jws("ES256", INTROSPECTION_CLAIMS, **INTROSPECTION_TYP)),
    (200, JIT, _jws("EdDSA", INTROSPECTION_CLAIMS, "EdDSA+jwe", **INTROSPECTION_TYP)),
    (200, JIT, _jws("RS256", {**INTROSPECTION_CLAIMS, "token_introspection": {"active": False}})),
    (200, JIT, _jws("RS256", {**INTROSPECTION_CLAIMS, "aud": "other"}, **INTROSPECTION_TYP)),
    (200, JIT, _jws("HS256", INTROSPECTION_CLAIMS, **INTROSPECTION_TYP)),
    (200, JIT, _jws("RS256", INTROSPECTION_CLAIMS)),  # no typ
    (200, "application/json", b'{"active": true}'),
    (401, "application/json", b'{"error": "invalid_client"}'),
]


# --- request-object encryption keys --------------------------------------------------------------

_SIGNED = render(_jws("RS256", {"iss": CLIENT_ID, "aud": ISSUER, "response_type": "code"}))


def _listed(value: object) -> tuple[str, ...] | None:
    # parse_server_metadata hands on a list of strings as a tuple, and drops anything else
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def run_jar_encryption(value: Any) -> Any:
    keys = import_jwks(value)
    document = value if isinstance(value, dict) else {}
    alg_values, enc_values = _listed(document.get("alg")), _listed(document.get("enc"))
    choice = choose_encryption(keys.encryption, alg_values=alg_values, enc_values=enc_values)
    token = encrypt_jwt(_SIGNED, choice, feature="fuzzing", what="the request object")
    return keys, alg_values, enc_values, choice, token


def check_jar_encryption(value: Any, result: Any) -> None:
    keys, alg_values, enc_values, choice, token = result
    _require(choice.key in keys.encryption, "a key that is not an encryption key")
    _require(choice.alg in KEY_MANAGEMENT, f"alg {choice.alg!r} is not one oauthkit uses")
    _require(choice.enc in CONTENT_ENCRYPTION, f"enc {choice.enc!r} is not one oauthkit uses")
    _require(alg_values is None or choice.alg in alg_values, "an alg the server does not list")
    _require(enc_values is None or choice.enc in enc_values, "an enc the server does not list")
    _require(isinstance(token, str) and token.count(".") == 4, "not a compact JWE")


def _shape_jar(result: Any) -> str:
    choice = result[3]
    return f"{choice.key.kty}:{choice.alg}:{choice.enc}"


def _enc_key(key: Any, **extra: Any) -> dict[str, Any]:
    return {**key.as_dict(private=False), "use": "enc", **extra}


_RSA_ENC = _enc_key(jwk.RSAKey.import_key(RSA_KEY.public_key()), kid="op-enc-rsa")
_EC_ENC = _enc_key(jwk.ECKey.import_key(EC_KEY.public_key()), kid="op-enc-ec")
JAR_SEEDS = [
    {"keys": [_RSA_ENC, _EC_ENC]},
    {"keys": [_RSA_ENC, _EC_ENC], "alg": ["RSA-OAEP", "ECDH-ES"], "enc": ["A128GCM"]},
    {"keys": [_EC_ENC], "alg": ["ECDH-ES+A128KW"], "enc": ["A256CBC-HS512", "A128CBC-HS256"]},
    {"keys": [_RSA_ENC], "alg": ["RSA1_5", "dir"], "enc": ["A128GCM"]},
    {"keys": [{**_RSA_ENC, "alg": "RSA-OAEP"}, {**_EC_ENC, "key_ops": ["encrypt"]}]},
    {"keys": [{**_EC_ENC, "crv": "P-384"}]},
    {"keys": [*JWKS["keys"]]},
    {"keys": [_RSA_ENC], "enc": []},
]


JWT_TARGETS = [
    Target(
        "jarm",
        "oauthkit.oidc.validate_jarm_response",
        JWT,
        run_jarm,
        (CallbackError,),
        check_jarm,
        JARM_SEEDS,
    ),
    Target(
        "jwt_introspection",
        "oauthkit._oauth2._jwt_introspection.parse_jwt_introspection_response",
        SIGNED_RESPONSE,
        run_jwt_introspection,
        (ServerResponseError, UnknownKey),
        check_jwt_introspection,
        INTROSPECTION_SEEDS,
    ),
    Target(
        "jar_encryption",
        "oauthkit._jose._encrypt.choose_encryption",
        JSONISH,
        run_jar_encryption,
        (Rejected, UsageError),
        check_jar_encryption,
        JAR_SEEDS,
        _shape_jar,
    ),
]
