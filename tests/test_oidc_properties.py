"""The OpenID Connect parsers return a value or raise their documented error, whatever they read
(issue #9; the properties of ``test_fuzz_parsers.py`` for JWTs, JWK Sets and UserInfo).

Hostile input here is mostly well-formed enough to reach the deep checks: tokens are really
signed (by a key the validator trusts) over headers and claim sets that mutate a valid one, so
a property exercises ``aud``, ``exp``, ``nonce`` or ``at_hash`` handling rather than stopping
at the base64. Plain junk (any text, bytes, numbers) is mixed in. Documented errors:

* ``parse_jws`` and ``import_jwks``: ``Rejected`` (the internal verdict, with its ``check``);
* ``validate_id_token``: :class:`~oauthkit.oidc.IDTokenError`;
* ``validate_logout_token``: :class:`~oauthkit.oidc.LogoutTokenError`;
* ``parse_userinfo``: :class:`~oauthkit.oidc.UserinfoError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from oauthkit import HttpResponse, OAuthError, UsageError, oidc
from oauthkit._jose._compact import Compact, Rejected, parse_jws
from oauthkit._jose._keys import KeySet, import_jwks

from ._hostile import body_bytes, content_types, json_objects, json_text, statuses
from ._oidc import (
    CLIENT_ID,
    ISSUER,
    LOGOUT_EVENT,
    NONCE,
    NOW,
    claims,
    jwks,
    key,
    logout_claims,
    sign,
)

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
KEYS = import_jwks(jwks("rsa", "ec-256", "ed"))
PREVIOUS = oidc.validate_id_token(
    sign(claims(auth_time=NOW - 60)),
    jwks=KEYS,
    expect=oidc.IDTokenExpectations(issuer=ISSUER, client_id=CLIENT_ID),
    now=NOW,
)

CLAIMS = ("iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "azp", "auth_time", "acr")
CLAIMS += ("at_hash", "c_hash", "sid", "jti", "events", "amr", "x")
HEADERS = ("alg", "kid", "typ", "crit", "jku", "jwk", "x5u", "x5c", "cty", "enc")
SPECIAL = (
    ISSUER,
    CLIENT_ID,
    NONCE,
    NOW,
    NOW + 31,
    NOW - 31,
    1e11,
    10**400,
    float("nan"),
    float("inf"),
    "",
    "RS256",
    "HS256",
    "none",
    "rsa",
    "logout+jwt",
    "JWT",
    LOGOUT_EVENT,
    {LOGOUT_EVENT: {}},
    "user-248289761001",
)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=10)
    | st.sampled_from(SPECIAL),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(CLAIMS) | st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)


def _mutate(base: dict[str, Any], changes: dict[str, Any], drop: list[str]) -> dict[str, Any]:
    out = {**base, **changes}
    for name in drop:
        out.pop(name, None)
    return out


claim_sets = st.builds(
    _mutate,
    st.sampled_from([claims(), claims(auth_time=NOW - 10, acr="urn:gold"), logout_claims(), {}]),
    st.dictionaries(st.sampled_from(CLAIMS), values, max_size=3),
    st.lists(st.sampled_from(CLAIMS), max_size=2),
)
headers = st.builds(
    _mutate,
    st.sampled_from([{"alg": "RS256", "kid": "rsa"}, {"alg": "RS256"}, {}]),
    st.dictionaries(st.sampled_from(HEADERS), values, max_size=2),
    st.lists(st.sampled_from(HEADERS), max_size=1),
)
payloads = st.one_of(
    claim_sets.map(lambda c: json.dumps(c).encode()),
    json_objects.map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
)
_HEADER = {"alg": "RS256", "kid": "rsa"}
_claims_text = claim_sets.map(lambda c: json.dumps(c).encode())  # NaN, Infinity: not strict JSON
signed = st.one_of(
    # mostly a good header over mutated claims: the claim checks are the deep part
    _claims_text.map(lambda payload: sign(payload, header=_HEADER)),
    _claims_text.map(lambda payload: sign(payload, header=_HEADER)),
    _claims_text.map(lambda payload: sign(payload, header=_HEADER)),
    st.builds(lambda h, p: sign(p, header=json.dumps(h)), headers, payloads),
)
junk = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="ab.-_=+/", max_size=40),
    st.binary(max_size=20),
    st.none(),
    st.integers(),
    st.lists(st.text(max_size=3), max_size=3),
)
tokens = signed | signed | junk
moments = st.sampled_from([NOW, NOW + 100, NOW - 29]) | st.floats(NOW - 1000, NOW + 1000)


def shown(exc: OAuthError) -> None:
    """A fuzzed token is never the caller's fault, and its error names the failed check."""
    assert not isinstance(exc, UsageError), exc
    assert isinstance(str(exc), str)
    assert isinstance(repr(exc), str)
    assert exc.check  # type: ignore[attr-defined]


def verdict(exc: Rejected, check: str) -> None:
    """The internal verdict names the check a parser makes."""
    assert exc.check == check, exc


@FUZZ
@given(tokens)
def test_parse_jws(token: Any) -> None:
    try:
        compact = parse_jws(token)
    except Rejected as exc:
        verdict(exc, "format")
        return
    assert isinstance(compact, Compact)
    assert isinstance(compact.header, Mapping)
    assert compact.signing_input.count(b".") == 1
    assert compact.signing_input.decode("ascii") == token.rsplit(".", 1)[0]
    try:
        assert isinstance(compact.claims(), dict)
    except Rejected as exc:
        verdict(exc, "format")


expectations = st.builds(
    oidc.IDTokenExpectations,
    issuer=st.just(ISSUER),
    client_id=st.just(CLIENT_ID),
    algorithms=st.sampled_from([("RS256",), ("RS256", "ES256", "EdDSA"), ("HS256", "RS256")]),
    nonce=st.none() | st.just(NONCE),
    max_age=st.none() | st.integers(0, 10**6),
    require_auth_time=st.booleans(),
    acr_values=st.none() | st.just(("urn:gold",)),
    trusted_audiences=st.just(frozenset()) | st.just(frozenset({"api"})),
    leeway=st.floats(0, 120),
    client_secret=st.none() | st.just("s" * 32),
    access_token=st.none() | st.text(max_size=8),
    code=st.none() | st.text(max_size=8),
    previous=st.none() | st.just(PREVIOUS),
)


@FUZZ
@given(tokens, expectations, moments)
def test_validate_id_token(token: Any, expect: oidc.IDTokenExpectations, now: float) -> None:
    try:
        got = oidc.validate_id_token(
            token, jwks=KEYS, expect=expect, now=now, decryption_keys=key("enc")
        )
    except oidc.IDTokenError as exc:
        shown(exc)
        event(f"refused: {exc.check}")
        return
    event("valid")
    assert got.issuer == ISSUER
    assert CLIENT_ID in got.audience
    assert isinstance(got.subject, str)
    assert got.subject
    assert got.expires_at + expect.leeway >= now
    assert expect.nonce is None or got.nonce == expect.nonce
    assert isinstance(repr(got), str)


@FUZZ
@given(tokens, moments)
def test_validate_logout_token(token: Any, now: float) -> None:
    window = oidc.ReplayWindow()
    for _ in range(2):  # the second time, a valid token is a replay
        try:
            got = oidc.validate_logout_token(
                token,
                jwks=KEYS,
                issuer=ISSUER,
                client_id=CLIENT_ID,
                now=now,
                replay=window,
                algorithms=("RS256", "ES256"),
            )
        except oidc.LogoutTokenError as exc:
            shown(exc)
            event(f"refused: {exc.check}")
            continue
        event("valid")
        assert got.issuer == ISSUER
        assert "nonce" not in got
        assert got.get("sub") or got.get("sid")
        assert LOGOUT_EVENT in got["events"]


def _userinfo_response(status: int, content_type: str, body: bytes) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": content_type}, body)


userinfo_bodies = st.one_of(
    body_bytes,
    signed.map(str.encode),
    claim_sets.map(lambda c: json.dumps(c).encode()),
    claim_sets.map(lambda c: json.dumps(c).encode()),
)
_userinfo_types = st.sampled_from(["application/jwt", "application/json; charset=utf-8"])
userinfo_responses = st.builds(
    _userinfo_response,
    st.just(200) | st.just(200) | statuses,
    _userinfo_types | _userinfo_types | content_types,
    userinfo_bodies,
)


@FUZZ
@given(userinfo_responses, st.none() | st.just("user-248289761001"))
def test_parse_userinfo(response: HttpResponse, subject: str | None) -> None:
    try:
        got = oidc.parse_userinfo(
            response, subject=subject, issuer=ISSUER, client_id=CLIENT_ID, keys=KEYS
        )
    except oidc.UserinfoError as exc:
        shown(exc)
        event(f"refused: {exc.check}")
        return
    event("valid")
    assert 200 <= response.status_code < 300
    assert isinstance(got["sub"], str)
    assert got["sub"]
    assert subject is None or got["sub"] == subject


_MEMBERS = [key(n).as_dict(private=False) for n in ("rsa", "ec-256", "ed")]
_MEMBER_NAMES = ("kty", "crv", "n", "e", "x", "y", "d", "use", "key_ops", "alg", "kid", "k")
members = st.builds(
    _mutate,
    st.sampled_from(_MEMBERS),
    st.dictionaries(
        st.sampled_from(_MEMBER_NAMES),
        values | st.sampled_from(["RSA", "EC", "OKP", "oct", "sig", "enc", "P-256", "X25519"]),
        max_size=3,
    ),
    st.lists(st.sampled_from(_MEMBER_NAMES), max_size=2),
)
jwk_sets = st.one_of(
    st.lists(members | values, max_size=4).map(lambda keys: {"keys": keys}),
    st.lists(members, max_size=3),
    members,
    values,
)


@FUZZ
@given(jwk_sets)
def test_import_jwks(document: Any) -> None:
    try:
        keys = import_jwks(document)
    except Rejected as exc:
        verdict(exc, "jwks")
        return
    event(f"{len(keys.keys)} keys")
    assert isinstance(keys, KeySet)
    for public in keys.keys:
        assert public.kty in ("RSA", "EC", "OKP")
        assert not public.key.is_private
    assert isinstance(repr(keys), str)


@FUZZ
@given(jwk_sets)
def test_validate_id_token_with_any_jwk_set(document: Any) -> None:
    expect = oidc.IDTokenExpectations(issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE)
    try:
        got = oidc.validate_id_token(sign(claims()), jwks=document, expect=expect, now=NOW)
    except oidc.IDTokenError as exc:
        shown(exc)
        return
    assert got.subject == "user-248289761001"
