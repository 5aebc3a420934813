"""ID tokens, logout tokens and UserInfo responses as fuzz targets: settings, runs, checks, seeds.

Each JWT target's input picks one of a few fixed settings (its variant): what the client
expects, how it holds the issuer's keys, which keys decrypt, which replay window it keeps.
An accepted token must also verify with :func:`_jwt.verified_alg`, an oracle written apart
from oauthkit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jwk

from _checks import NOW, _require, response_of
from _jwt import (
    ACCESS_TOKEN,
    CLIENT_SECRET,
    CODE,
    DIR_JWK,
    EC_KEY,
    ECDH_JWK,
    ID_CLAIMS,
    JWKS,
    KEYSET,
    KIDS,
    LOGOUT_CLAIMS,
    USERINFO_CLAIMS,
    b64,
    left_hash,
    render,
    sign,
    verified_alg,
)
from _vocabulary import CLIENT_ID, ISSUER, NONCE, SUBJECT
from oauthkit.oidc import (
    BACKCHANNEL_LOGOUT_EVENT,
    IDTokenClaims,
    IDTokenExpectations,
    LogoutTokenClaims,
    ReplayWindow,
    parse_userinfo,
    validate_id_token,
    validate_logout_token,
)


def _jws(alg: str, claims: Mapping[str, Any], signer: str = "", **header: Any) -> tuple[Any, ...]:
    head = {"alg": alg, "typ": "JWT", **({"kid": KIDS[alg]} if alg in KIDS else {}), **header}
    head = {name: value for name, value in head.items() if value is not None}
    claims = {name: value for name, value in claims.items() if value is not None}  # dropped
    segments = [json.dumps(head).encode(), json.dumps(claims).encode(), b""]
    return signer or alg, segments


# --- ID tokens ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdSetting:
    expect: IDTokenExpectations
    jwks: Any
    decryption_keys: Any


ED_CLAIMS = {**ID_CLAIMS, "at_hash": left_hash(ACCESS_TOKEN, "EdDSA")}
ED_CLAIMS["c_hash"] = left_hash(CODE, "EdDSA")
ID_SETTINGS = (
    IdSetting(
        IDTokenExpectations(
            ISSUER,
            CLIENT_ID,
            algorithms=("RS256", "ES256", "EdDSA", "HS256"),
            nonce=NONCE,
            max_age=3600,
            trusted_audiences=frozenset({"https://api.example"}),
            client_secret=CLIENT_SECRET,
            access_token=ACCESS_TOKEN,
            code=CODE,
        ),
        KEYSET,
        DIR_JWK,
    ),
    IdSetting(
        IDTokenExpectations(
            ISSUER,
            CLIENT_ID,
            algorithms=("RS256", "ES256"),
            trusted_audiences=frozenset({"https://api.example"}),
            previous=IDTokenClaims(ID_CLAIMS, {"alg": "RS256"}),
        ),
        KEYSET,
        ECDH_JWK,
    ),
    IdSetting(
        IDTokenExpectations(
            ISSUER,
            CLIENT_ID,
            algorithms=("EdDSA", "HS256"),
            nonce=NONCE,
            acr_values=("urn:acr:gold",),
            require_auth_time=True,
            client_secret=CLIENT_SECRET,
            leeway=0.0,
        ),
        JWKS,
        None,
    ),
)


def _id_setting(value: Any) -> IdSetting:
    return ID_SETTINGS[value[0] % len(ID_SETTINGS)]


def run_id_token(value: Any) -> Any:
    setting = _id_setting(value)
    return validate_id_token(
        render(value[1:]),
        jwks=setting.jwks,
        expect=setting.expect,
        now=NOW,
        decryption_keys=setting.decryption_keys,
    )


def _times(claims: IDTokenClaims, leeway: float, require_exp: bool) -> None:
    exp = claims.get("exp")
    _require(exp is not None or not require_exp, "no exp")
    _require(exp is None or (math.isfinite(exp) and exp + leeway >= NOW), "exp not checked")
    _require(claims.issued_at <= NOW + leeway, "iat not checked")


def check_id_token(value: Any, result: Any) -> None:
    setting = _id_setting(value)
    expect = setting.expect
    _require(isinstance(result, IDTokenClaims), "not IDTokenClaims")
    _require(result.issuer == ISSUER, "iss not checked")
    _require(CLIENT_ID in result.audience, "aud not checked")
    _require(expect.nonce is None or result.nonce == expect.nonce, "nonce not checked")
    previous = expect.previous
    _require(previous is None or result.subject == previous.subject, "sub changed on refresh")
    _require(expect.acr_values is None or result.acr in expect.acr_values, "acr not checked")
    _require(bool(result.subject), "no sub")
    _times(result, expect.leeway, require_exp=True)
    for name in ("auth_time", "amr", "azp", "sid", "header"):
        getattr(result, name)
    _require(len(result) == len(dict(result)), "len")
    repr(result)
    alg = verified_alg(render(value[1:]), setting.decryption_keys)
    _require(alg is not None and alg in expect.allowed, "accepted a token the issuer did not sign")
    _require(result.header.get("alg") == alg, "the header returned is not the token's")


_TAMPERED = _jws("RS256", ID_CLAIMS)
_TAMPERED[1][2] = sign("RS256", f"{b64(_TAMPERED[1][0])}.{b64(_TAMPERED[1][1])}".encode())
_TAMPERED[1][1] = json.dumps({**ID_CLAIMS, "sub": "admin"}).encode()
_EPK = jwk.ECKey.import_key(EC_KEY.public_key()).as_dict()
_JWE_ECDH = json.dumps({"alg": "ECDH-ES", "enc": "A128GCM", "epk": _EPK}).encode()
AZP = CLIENT_ID
ID_SEEDS = [
    (0, *_jws("RS256", ID_CLAIMS)),
    (0, *_jws("ES256", ID_CLAIMS)),
    (0, *_jws("EdDSA", ED_CLAIMS)),
    (0, *_jws("HS256", ID_CLAIMS)),
    (0, *_jws("RS256", ID_CLAIMS, "RS256+jwe")),
    (0, *_jws("ES256", ID_CLAIMS, "ES256+zip")),
    (1, *_jws("RS256", {**ID_CLAIMS, "nonce": None})),
    (2, *_jws("EdDSA", ID_CLAIMS)),
    (2, *_jws("HS256", ID_CLAIMS)),
    (0, *_jws("ES256", ID_CLAIMS, "attacker")),
    (0, *_jws("HS256", ID_CLAIMS, "hs-pem")),
    (0, *_jws("none", ID_CLAIMS, "empty")),
    (0, *_jws("RS256", ID_CLAIMS, typ="logout+jwt")),
    (0, *_jws("RS256", ID_CLAIMS, crit=["exp"], exp=1)),
    (0, *_jws("RS256", ID_CLAIMS, jku="https://evil.example/jwks")),
    (0, *_jws("RS256", {**ID_CLAIMS, "exp": NOW - 3600})),
    (0, *_jws("RS256", {**ID_CLAIMS, "aud": [CLIENT_ID, "https://api.example"]})),
    (0, "keep", _TAMPERED[1]),
    (1, "keep", [_JWE_ECDH, b"", b"\x00" * 12, b"ct", b"\x00" * 16]),
    (0, "keep", ["e30.e30.e30"]),
    (0, *_jws("RS256", {**ID_CLAIMS, "aud": [CLIENT_ID, "https://evil.example"], "azp": AZP})),
    (1, *_jws("ES256", {**ID_CLAIMS, "aud": [CLIENT_ID, "https://api.example"], "azp": AZP})),
    (1, *_jws("RS256", {**ID_CLAIMS, "azp": CLIENT_ID, "auth_time": 1})),
    (0, *_jws("RS256", {**ID_CLAIMS, "x": "a" * 100_000}, "RS256+zip")),  # inflates past 64 KiB
]


# --- logout tokens -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LogoutSetting:
    algorithms: tuple[str, ...]
    jwks: Any
    replay: str  # "fresh", "none" or "seen": a window that has seen the seeds' jti
    client_secret: str | None = CLIENT_SECRET


LOGOUT_SETTINGS = (
    LogoutSetting(("RS256", "ES256", "HS256"), KEYSET, "fresh"),
    LogoutSetting(("RS256", "HS256"), JWKS, "none", client_secret=None),
    LogoutSetting(("RS256", "EdDSA"), KEYSET, "seen"),
)
SEEN_JTI = LOGOUT_CLAIMS["jti"]


def _logout_setting(value: Any) -> LogoutSetting:
    return LOGOUT_SETTINGS[value[0] % len(LOGOUT_SETTINGS)]


def run_logout_token(value: Any) -> Any:
    setting = _logout_setting(value)
    replay = None if setting.replay == "none" else ReplayWindow()
    if replay is not None and setting.replay == "seen":
        replay.first_use(f"{ISSUER} {SEEN_JTI}", NOW + 600, NOW)  # as _logout keys the window
    return validate_logout_token(
        render(value[1:]),
        jwks=setting.jwks,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        now=NOW,
        algorithms=setting.algorithms,
        replay=replay,
        client_secret=setting.client_secret,
    )


def check_logout_token(value: Any, result: Any) -> None:
    setting = _logout_setting(value)
    _require(isinstance(result, LogoutTokenClaims), "not LogoutTokenClaims")
    _require(result.get("iss") == ISSUER, "iss not checked")
    _require(CLIENT_ID in result.audience, "aud not checked")
    _require(repr(result).startswith("LogoutTokenClaims("), "repr")
    events = result.get("events")
    event = events.get(BACKCHANNEL_LOGOUT_EVENT) if isinstance(events, Mapping) else None
    _require(isinstance(event, Mapping), "events not checked")
    _require("nonce" not in result, "a nonce accepted")
    _require(bool(result.get("sub") or result.get("sid")), "neither sub nor sid")
    jti = result.get("jti")
    _require(isinstance(jti, str) and bool(jti), "no jti")
    _require(setting.replay != "seen" or jti != SEEN_JTI, "a replayed jti accepted")
    typ = result.header.get("typ")
    _require(typ is None or typ.lower() in ("logout+jwt", "application/logout+jwt"), "typ")
    _times(result, 30.0, require_exp=False)
    repr(result)
    alg = verified_alg(render(value[1:]), None)
    _require(alg in setting.algorithms, "accepted a token the issuer did not sign")


LOGOUT_TYP = {"typ": "logout+jwt"}
LOGOUT_SEEDS = [
    (0, *_jws("RS256", LOGOUT_CLAIMS, **LOGOUT_TYP)),
    (0, *_jws("ES256", {**LOGOUT_CLAIMS, "sub": None}, **LOGOUT_TYP)),
    (0, *_jws("HS256", LOGOUT_CLAIMS, typ=None)),
    (1, *_jws("RS256", {**LOGOUT_CLAIMS, "sid": None}, **LOGOUT_TYP)),
    (2, *_jws("RS256", LOGOUT_CLAIMS, **LOGOUT_TYP)),  # a replay
    (2, *_jws("EdDSA", {**LOGOUT_CLAIMS, "jti": "jti-2"}, **LOGOUT_TYP)),
    (0, *_jws("RS256", {**LOGOUT_CLAIMS, "nonce": NONCE}, **LOGOUT_TYP)),
    (0, *_jws("RS256", {**LOGOUT_CLAIMS, "events": {}}, **LOGOUT_TYP)),
    (0, *_jws("RS256", ID_CLAIMS)),
    (0, *_jws("ES256", LOGOUT_CLAIMS, "attacker", **LOGOUT_TYP)),
]


# --- UserInfo ---------------------------------------------------------------------------------

USERINFO_ALGS = ("RS256", "ES256", "EdDSA", "HS256")


def _userinfo_response(value: Any) -> Any:
    status, content_type, body = value
    data = body if isinstance(body, bytes) else render(body).encode("utf-8", "surrogatepass")
    return response_of((status, content_type, data))


def run_userinfo(value: Any) -> Any:
    return parse_userinfo(
        _userinfo_response(value),
        subject=SUBJECT,
        issuer=ISSUER,
        client_id=CLIENT_ID,
        keys=KEYSET,
        algorithms=USERINFO_ALGS,
        client_secret=CLIENT_SECRET,
        decryption_keys=DIR_JWK,
    )


def check_userinfo(value: Any, result: Any) -> None:
    _require(isinstance(result, dict), "not a dict")
    _require(result.get("sub") == SUBJECT, "sub not checked")
    _require(200 <= value[0] < 300, "claims from a non-2xx answer")
    response = _userinfo_response(value)
    if response.media_type == "application/jwt":
        text = response.body.decode("ascii").strip()
        _require(verified_alg(text, DIR_JWK) in USERINFO_ALGS, "accepted an unsigned answer")
        _require(result.get("iss", ISSUER) == ISSUER, "iss not checked")
        aud = result.get("aud", CLIENT_ID)
        _require(aud == CLIENT_ID or (isinstance(aud, list) and CLIENT_ID in aud), "aud")


J, JWT_TYPE = "application/json", "application/jwt"
USERINFO_SEEDS = [
    (200, J, json.dumps(USERINFO_CLAIMS).encode()),
    (200, JWT_TYPE, _jws("RS256", USERINFO_CLAIMS)),
    (200, JWT_TYPE, _jws("EdDSA", USERINFO_CLAIMS)),
    (200, JWT_TYPE, _jws("HS256", USERINFO_CLAIMS, "HS256+jwe")),
    (200, JWT_TYPE, _jws("ES256", {**USERINFO_CLAIMS, "aud": "other"})),
    (200, JWT_TYPE, _jws("RS256", USERINFO_CLAIMS, typ="logout+jwt")),
    (200, J, json.dumps({**USERINFO_CLAIMS, "sub": "other"}).encode()),
    (401, J, b'{"error": "invalid_token"}'),
]
