"""validate_id_token check by check, with each check's error class and name (OIDC Core
§3.1.3.7): the fast path written for the benchmark refuses and accepts exactly as before.

Tokens are signed here with joserfc (RS256, ES256 and the client secret for HS256), then
altered one claim or header member at a time. Every case asserts the error class and its
``check``; together they pin what the validation accepts and refuses, so that work on its speed
cannot drop a check or reorder them (the signature before any claim).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwe, jws
from joserfc.jwk import ECKey, RSAKey

from oauthkit import UsageError, oidc
from oauthkit._core._json import JsonError, read_json_object
from oauthkit._jose import _compact

ISSUER = "https://op.example.com"
CLIENT_ID = "s6BhdRkqt3"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
CODE = "Qcb0Orv1zh30vL1MPRsbm-diHiMwcLyZvn1arpZv-Jxf_11jnpEX3Tgfvk"
CLIENT_SECRET = "7Fjfp0ZBr1KtDRbnfVdmIw-0123456789abcdef"
NOW = 1_800_000_000
RSA_KID, EC_KID = "rsa-1", "ec-1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _half_hash(value: str, hash_name: str = "sha256") -> str:
    digest = hashlib.new(hash_name, value.encode("ascii")).digest()
    return _b64(digest[: len(digest) // 2])


@pytest.fixture(scope="module")
def rsa_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": RSA_KID})


@pytest.fixture(scope="module")
def ec_key() -> ECKey:
    return ECKey.generate_key("P-256", parameters={"kid": EC_KID})


@pytest.fixture(scope="module")
def jwks(rsa_key: RSAKey, ec_key: ECKey) -> dict[str, Any]:
    return {"keys": [rsa_key.as_dict(private=False), ec_key.as_dict(private=False)]}


@pytest.fixture(scope="module")
def keys(jwks: dict[str, Any]) -> oidc.KeySet:
    return oidc.import_jwks(jwks)


def claims_of(**changes: Any) -> dict[str, Any]:
    """A valid ID token's claims, with ``changes`` (``None`` removes a claim)."""
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "sub": "24400320",
        "aud": CLIENT_ID,
        "exp": NOW + 600,
        "iat": NOW - 10,
        "auth_time": NOW - 20,
        "nonce": NONCE,
        "at_hash": _half_hash(ACCESS_TOKEN),
        "name": "Jane Doe",
        "email": "janedoe@example.com",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


Signer = Callable[..., str]


@pytest.fixture(scope="module")
def sign(rsa_key: RSAKey, ec_key: ECKey) -> Signer:
    """Sign a payload (claims, or raw bytes) with a header (RS256 with the RSA kid unless
    given); ``key`` may be "rsa", "ec" or an HMAC secret."""

    def signer(
        payload: Mapping[str, Any] | bytes | None = None,
        *,
        key: str = "rsa",
        **header: Any,
    ) -> str:
        if key == "rsa":
            header = {"alg": "RS256", "kid": RSA_KID, **header}
            jwk: Any = rsa_key
        elif key == "ec":
            header = {"alg": "ES256", "kid": EC_KID, **header}
            jwk = ec_key
        else:
            header = {"alg": "HS256", **header}
            jwk = key.encode()  # any bytes, even what joserfc refuses as a secret (a PEM)
        header = {k: v for k, v in header.items() if v is not None}
        body = (
            payload if isinstance(payload, bytes) else json.dumps(payload or claims_of()).encode()
        )
        signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(body)}".encode()
        if isinstance(jwk, bytes):
            signature = hmac.new(jwk, signing_input, hashlib.sha256).digest()
        else:
            signature = jws.JWSRegistry.algorithms[header["alg"]].sign(signing_input, jwk)
        return f"{signing_input.decode()}.{_b64(signature)}"

    return signer


def expect(**changes: Any) -> oidc.IDTokenExpectations:
    settings: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "nonce": NONCE,
        "access_token": ACCESS_TOKEN,
    }
    settings.update(changes)
    return oidc.IDTokenExpectations(**settings)


def validate(
    token: object, keys: oidc.KeySet | None, expectations: oidc.IDTokenExpectations | None = None
) -> oidc.IDTokenClaims:
    return oidc.validate_id_token(
        token,  # type: ignore[arg-type]
        jwks=keys,
        expect=expectations or expect(),
        now=NOW,
    )


def refused(
    error: type[oidc.IDTokenError],
    check: str,
    token: object,
    keys: oidc.KeySet | None,
    expectations: oidc.IDTokenExpectations | None = None,
) -> str:
    with pytest.raises(error) as info:
        validate(token, keys, expectations)
    assert info.value.check == check, str(info.value)
    assert str(info.value).startswith(f"ID token rejected ({check}): ")
    return str(info.value)


# --- the valid token ---------------------------------------------------------------------------


def test_a_valid_token_gives_its_claims_and_header(sign: Signer, keys: oidc.KeySet) -> None:
    claims = validate(sign(claims_of(), typ="JWT"), keys)
    assert dict(claims) == claims_of()
    assert claims.header == {"alg": "RS256", "kid": RSA_KID, "typ": "JWT"}
    assert (claims.issuer, claims.subject, claims.audience) == (ISSUER, "24400320", (CLIENT_ID,))
    assert (claims.expires_at, claims.issued_at, claims.auth_time) == (
        NOW + 600,
        NOW - 10,
        NOW - 20,
    )
    assert claims.nonce == NONCE
    with pytest.raises(TypeError):
        claims.claims["sub"] = "someone else"  # type: ignore[index]
    with pytest.raises(TypeError):
        claims.header["alg"] = "none"  # type: ignore[index]
    assert "janedoe" not in repr(claims)


def test_the_claims_are_a_copy_of_what_the_caller_gives() -> None:
    given = {"iss": ISSUER, "sub": "x", "aud": CLIENT_ID}
    claims = oidc.IDTokenClaims(given, {"alg": "RS256"})
    given["sub"] = "changed"
    assert claims.subject == "x"


@pytest.mark.parametrize(
    ("key", "alg", "hash_name"),
    [("rsa", "RS256", "sha256"), ("ec", "ES256", "sha256"), (CLIENT_SECRET, "HS256", "sha256")],
)
def test_each_kind_of_key_verifies(
    sign: Signer, keys: oidc.KeySet, key: str, alg: str, hash_name: str
) -> None:
    token = sign(claims_of(at_hash=_half_hash(ACCESS_TOKEN, hash_name)), key=key)
    expectations = expect(algorithms=[alg], client_secret=CLIENT_SECRET)
    assert validate(token, keys, expectations).header["alg"] == alg


def test_jwks_may_be_given_as_json(sign: Signer, jwks: dict[str, Any]) -> None:
    assert oidc.validate_id_token(sign(), jwks=jwks, expect=expect(), now=NOW).subject == "24400320"


def test_without_a_kid_the_key_that_fits_verifies(sign: Signer, keys: oidc.KeySet) -> None:
    assert validate(sign(kid=None), keys).subject == "24400320"


def test_json_white_space_around_the_claims_is_accepted(sign: Signer, keys: oidc.KeySet) -> None:
    payload = b" \r\n" + json.dumps(claims_of()).encode() + b"\n "
    assert validate(sign(payload), keys).subject == "24400320"


def test_an_encrypted_id_token_is_decrypted_with_the_clients_keys(
    sign: Signer, keys: oidc.KeySet
) -> None:
    client_key = RSAKey.generate_key(2048)
    token = jwe.encrypt_compact(
        {"alg": "RSA-OAEP", "enc": "A128GCM", "cty": "JWT"}, sign(), client_key
    )
    claims = oidc.validate_id_token(
        token, jwks=keys, expect=expect(), now=NOW, decryption_keys=client_key
    )
    assert claims.subject == "24400320"
    refused(oidc.IDTokenSignatureError, "decryption", token, keys)  # no decryption keys


# --- the token's form ---------------------------------------------------------------------------


def _segment(value: object) -> str:
    return _b64(json.dumps(value).encode())


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(12345, id="not a string"),
        pytest.param("a.b", id="two segments"),
        pytest.param("a.b.c.d", id="four segments"),
        pytest.param(".e30.c2ln", id="empty header"),
        pytest.param("e@J.e30.c2ln", id="header not base64url"),
        pytest.param(_segment({"alg": "RS256"}) + ".e30=.c2ln", id="padding"),
        pytest.param(_segment({"alg": "RS256"}) + ".e+0.c2ln", id="standard alphabet"),
        pytest.param(_segment({"alg": "RS256"}) + ".abcde.c2ln", id="length 1 mod 4"),
        pytest.param(_segment({"alg": "RS256"}) + ".e30.c2ln\u00e9", id="non-ASCII"),
        pytest.param(_segment([1]) + ".e30.c2ln", id="header not an object"),
        pytest.param(_b64(b'{"alg":"RS256","alg":"none"}') + ".e30.c2ln", id="header repeats"),
        pytest.param("x" * (64 * 1024 + 1), id="too long"),
    ],
)
def test_malformed_tokens_are_format_errors(token: object, keys: oidc.KeySet) -> None:
    refused(oidc.IDTokenFormatError, "format", token, keys)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b"[1, 2]", id="an array"),
        pytest.param(b"{not json}", id="not JSON"),
        pytest.param(b'{"sub": "a", "sub": "b"}', id="a repeated member"),
        pytest.param(b'{"exp": NaN}', id="NaN"),
        pytest.param(b'{"exp": 1e999}', id="an overflowing number"),
        pytest.param(b'{"a": ' + b"[" * 101 + b"]" * 101 + b"}", id="nested too deeply"),
        pytest.param(b"\xff\xfe{}", id="not UTF-8"),
        pytest.param(b'{"sub": "a"} x', id="trailing data"),
    ],
)
def test_a_payload_that_is_not_a_strict_json_object_is_a_format_error(
    sign: Signer, keys: oidc.KeySet, payload: bytes
) -> None:
    refused(oidc.IDTokenFormatError, "format", sign(payload), keys)


@pytest.mark.parametrize("typ", ["logout+jwt", "at+jwt", 5, ""])
def test_a_typ_of_another_kind_of_jwt_is_refused(
    sign: Signer, keys: oidc.KeySet, typ: object
) -> None:
    refused(oidc.IDTokenFormatError, "format", sign(typ=typ), keys)


@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt"])
def test_jwt_types_are_accepted(sign: Signer, keys: oidc.KeySet, typ: str) -> None:
    assert validate(sign(typ=typ), keys).subject == "24400320"


def test_a_critical_extension_is_refused(sign: Signer, keys: oidc.KeySet) -> None:
    refused(oidc.IDTokenFormatError, "crit", sign(crit=["exp"], exp=1), keys)


# --- algorithm, key and signature -------------------------------------------------------------


def test_alg_none_is_never_accepted(keys: oidc.KeySet) -> None:
    token = f"{_segment({'alg': 'none'})}.{_segment(claims_of())}."
    message = refused(oidc.IDTokenSignatureError, "alg", token, keys)
    assert "none" in message
    with pytest.raises(UsageError):
        expect(algorithms=["none"])


@pytest.mark.parametrize(
    ("header", "expectations"),
    [
        pytest.param({"alg": None}, {}, id="no alg"),
        pytest.param({"alg": 256}, {}, id="alg not a string"),
        pytest.param({"alg": "RS384"}, {}, id="alg not allowed"),
        pytest.param({"alg": "HS256"}, {}, id="HMAC not allowed"),
        pytest.param({"alg": "HS256"}, {"algorithms": ["HS256"]}, id="HMAC without a secret"),
    ],
)
def test_an_algorithm_outside_the_allow_list_is_refused(
    sign: Signer, keys: oidc.KeySet, header: dict[str, Any], expectations: dict[str, Any]
) -> None:
    payload = _segment(claims_of())
    token = f"{_segment({**header, 'kid': RSA_KID})}.{payload}.c2ln"
    refused(oidc.IDTokenSignatureError, "alg", token, keys, expect(**expectations))


def test_a_public_key_is_never_an_hmac_secret(
    sign: Signer, keys: oidc.KeySet, rsa_key: RSAKey
) -> None:
    # The HS256 "secret" of the classic attack: the issuer's public key, which anyone has.
    token = sign(key=rsa_key.as_pem(private=False).decode(), kid=RSA_KID)
    expectations = expect(algorithms=["HS256", "RS256"], client_secret=CLIENT_SECRET)
    refused(oidc.IDTokenSignatureError, "signature", token, keys, expectations)


def test_an_unknown_kid_names_the_key_check(sign: Signer, keys: oidc.KeySet) -> None:
    refused(oidc.IDTokenSignatureError, "kid", sign(kid="rotated-2"), keys)
    refused(oidc.IDTokenSignatureError, "kid", sign(), None)


def test_a_kid_that_is_not_a_string_is_refused(sign: Signer, keys: oidc.KeySet) -> None:
    refused(oidc.IDTokenSignatureError, "kid", sign(kid=7), keys)


def test_a_key_of_the_wrong_type_for_alg_is_not_used(sign: Signer, keys: oidc.KeySet) -> None:
    token = sign(key="ec", kid=RSA_KID)  # ES256 naming the RSA key
    refused(oidc.IDTokenSignatureError, "kid", token, keys, expect(algorithms=["ES256"]))


def test_a_tampered_payload_or_signature_does_not_verify(sign: Signer, keys: oidc.KeySet) -> None:
    head, body, signature = sign().split(".")
    forged = _segment(claims_of(sub="someone-else"))
    refused(oidc.IDTokenSignatureError, "signature", f"{head}.{forged}.{signature}", keys)
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BA")
    refused(oidc.IDTokenSignatureError, "signature", f"{head}.{body}.{flipped}", keys)
    refused(oidc.IDTokenSignatureError, "signature", f"{head}.{body}.c2ln", keys)  # short
    refused(oidc.IDTokenSignatureError, "signature", f"{head}.{body}.", keys)  # empty


def test_the_signature_is_checked_before_any_claim(sign: Signer, keys: oidc.KeySet) -> None:
    head, _, signature = sign().split(".")
    forged = _segment(claims_of(iss="https://evil.example", exp=1, nonce="other"))
    refused(oidc.IDTokenSignatureError, "signature", f"{head}.{forged}.{signature}", keys)


# --- claims -----------------------------------------------------------------------------------

CLAIM_CASES: list[Any] = [
    # (error, check, claim changes, expectation changes)
    (oidc.IDTokenIssuerError, "iss", {"iss": "https://op.example.com/"}, {}),
    (oidc.IDTokenIssuerError, "iss", {"iss": None}, {}),
    (oidc.IDTokenIssuerError, "iss", {"iss": ["https://op.example.com"]}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": None}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": "another-client"}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": []}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": ""}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": [CLIENT_ID, 5]}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": {"client": CLIENT_ID}}, {}),
    (oidc.IDTokenAudienceError, "azp", {"aud": [CLIENT_ID, "api"]}, {}),
    (oidc.IDTokenAudienceError, "azp", {"azp": "another-client"}, {}),
    (oidc.IDTokenAudienceError, "azp", {"azp": 5}, {}),
    (oidc.IDTokenAudienceError, "aud", {"aud": [CLIENT_ID, "api"], "azp": CLIENT_ID}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": NOW - 31}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": NOW - 2}, {"leeway": 1}),
    (oidc.IDTokenTimeError, "exp", {"exp": None}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": "1800000600"}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": True}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": 1e12}, {}),
    (oidc.IDTokenTimeError, "exp", {"exp": [NOW]}, {}),
    (oidc.IDTokenTimeError, "iat", {"iat": NOW + 31}, {}),
    (oidc.IDTokenTimeError, "iat", {"iat": None}, {}),
    (oidc.IDTokenTimeError, "iat", {"iat": -1e12}, {}),
    (oidc.IDTokenTimeError, "nbf", {"nbf": NOW + 31}, {}),
    (oidc.IDTokenTimeError, "nbf", {"nbf": "soon"}, {}),
    (oidc.IDTokenSubjectError, "sub", {"sub": None}, {}),
    (oidc.IDTokenSubjectError, "sub", {"sub": ""}, {}),
    (oidc.IDTokenSubjectError, "sub", {"sub": 24400320}, {}),
    (oidc.IDTokenNonceError, "nonce", {"nonce": None}, {}),
    (oidc.IDTokenNonceError, "nonce", {"nonce": NONCE + "x"}, {}),
    (oidc.IDTokenNonceError, "nonce", {"nonce": 5}, {}),
    (oidc.IDTokenNonceError, "nonce", {"nonce": "n\u00e9"}, {}),
    (oidc.IDTokenAcrError, "acr", {}, {"acr_values": ("urn:mace:incommon:iap:silver",)}),
    (oidc.IDTokenAcrError, "acr", {"acr": "0"}, {"acr_values": ("1", "2")}),
    (oidc.IDTokenAuthTimeError, "auth_time", {"auth_time": None}, {"max_age": 600}),
    (oidc.IDTokenAuthTimeError, "auth_time", {"auth_time": None}, {"require_auth_time": True}),
    (oidc.IDTokenAuthTimeError, "auth_time", {"auth_time": NOW - 700}, {"max_age": 600}),
    (oidc.IDTokenAuthTimeError, "auth_time", {"auth_time": "recent"}, {}),
    (oidc.IDTokenHashError, "at_hash", {"at_hash": _half_hash("another token")}, {}),
    (oidc.IDTokenHashError, "at_hash", {"at_hash": 5}, {}),
    (oidc.IDTokenHashError, "at_hash", {"at_hash": _half_hash(ACCESS_TOKEN, "sha512")}, {}),
    (oidc.IDTokenHashError, "c_hash", {"c_hash": _half_hash("another code")}, {"code": CODE}),
]


@pytest.mark.parametrize(("error", "check", "changes", "expectations"), CLAIM_CASES)
def test_each_claim_check(
    sign: Signer,
    keys: oidc.KeySet,
    error: type[oidc.IDTokenError],
    check: str,
    changes: dict[str, Any],
    expectations: dict[str, Any],
) -> None:
    refused(error, check, sign(claims_of(**changes)), keys, expect(**expectations))


ACCEPTED_CASES: list[Any] = [
    ({"exp": NOW - 29}, {}),  # within the leeway
    ({"iat": NOW + 29, "nbf": NOW + 29}, {}),
    ({"exp": NOW + 600.5, "iat": NOW - 0.5}, {}),  # NumericDate may be fractional
    ({"aud": [CLIENT_ID]}, {}),  # one audience in a list: no azp needed
    ({"aud": [CLIENT_ID, "api"], "azp": CLIENT_ID}, {"trusted_audiences": frozenset({"api"})}),
    ({"azp": CLIENT_ID}, {}),
    ({"nonce": None}, {"nonce": None}),  # a refresh: no nonce was sent
    ({"nonce": "anything"}, {"nonce": None}),
    ({"at_hash": None}, {}),  # optional in the code flow
    ({"at_hash": "not checked"}, {"access_token": None}),
    ({"c_hash": _half_hash(CODE)}, {"code": CODE}),
    ({"acr": "2"}, {"acr_values": ("1", "2")}),
    ({"auth_time": NOW - 620}, {"max_age": 600}),  # within max_age + leeway
    ({"auth_time": None}, {}),
    ({"amr": ["pwd", "otp"], "sid": "08a5019c"}, {}),
]


@pytest.mark.parametrize(("changes", "expectations"), ACCEPTED_CASES)
def test_accepted_variations(
    sign: Signer, keys: oidc.KeySet, changes: dict[str, Any], expectations: dict[str, Any]
) -> None:
    claims = validate(sign(claims_of(**changes)), keys, expect(**expectations))
    assert dict(claims) == claims_of(**changes)


# --- refresh (OIDC Core §12.2) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "check", "changes"),
    [
        (oidc.IDTokenSubjectError, "sub", {"sub": "another-user"}),
        (oidc.IDTokenAudienceError, "aud", {"aud": [CLIENT_ID, "api"], "azp": CLIENT_ID}),
        (oidc.IDTokenAudienceError, "azp", {"azp": CLIENT_ID}),
        (oidc.IDTokenAuthTimeError, "auth_time", {"auth_time": NOW - 5}),
    ],
)
def test_a_refreshed_id_token_must_match_the_first(
    sign: Signer,
    keys: oidc.KeySet,
    error: type[oidc.IDTokenError],
    check: str,
    changes: dict[str, Any],
) -> None:
    first = validate(sign(), keys)
    trusted = frozenset({"api"})
    refreshed = expect(nonce=None, previous=first, trusted_audiences=trusted)
    assert validate(sign(claims_of(nonce=None)), keys, refreshed) is not None
    assert validate(sign(claims_of(nonce=None, auth_time=None)), keys, refreshed) is not None
    refused(error, check, sign(claims_of(nonce=None, **changes)), keys, refreshed)


# --- expectations -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"issuer": ""},
        {"client_id": ""},
        {"algorithms": []},
        {"algorithms": ["none"]},
        {"algorithms": ["RS256", "XX999"]},
    ],
)
def test_expectations_refuse_misconfiguration(changes: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        expect(**changes)


@pytest.mark.parametrize("algorithms", [("RS256",), ["RS256"], {"RS256"}, ("ES256", "RS256")])
def test_expectations_take_any_collection_of_algorithms(
    sign: Signer, keys: oidc.KeySet, algorithms: Any
) -> None:
    expectations = expect(algorithms=algorithms)
    assert expectations.allowed == frozenset(algorithms)
    assert validate(sign(), keys, expectations).subject == "24400320"


# --- the parser under validation: properties ------------------------------------------------

_SEGMENT = re.compile(r"[A-Za-z0-9_-]*")


def _reference_b64decode(segment: str) -> bytes | None:
    """RFC 7515 §2 base64url without padding, as a regular expression and the lenient
    decoder read it (what oauthkit did before its faster decoders)."""
    if _SEGMENT.fullmatch(segment) is None or len(segment) % 4 == 1:
        return None
    return binascii.a2b_base64(
        segment.replace("-", "+").replace("_", "/") + "=" * (-len(segment) % 4)
    )


_segments = st.text(
    alphabet=st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    | st.sampled_from("+/=! \n\t.\x00\x7f\u00e9\u2028"),
    max_size=40,
)


@given(_segments)
@settings(max_examples=2000)
def test_both_base64url_decoders_read_what_the_reference_reads(segment: str) -> None:
    expected = _reference_b64decode(segment)
    for decode in (_compact._decode_strict, _compact._decode_checked):
        data = segment.encode("ascii", "replace") if segment.isascii() else None
        if data is None or len(data) % 4 == 1:
            continue  # b64decode refuses these before either decoder
        try:
            got: bytes | None = decode(data)
        except binascii.Error:
            got = None
        assert got == expected, (decode.__name__, segment)
    check = None
    try:
        got = _compact.b64decode(segment)
    except _compact.Rejected as exc:
        check, got = exc.check, None
    assert got == expected
    assert check == (None if expected is not None else "format")


_payload_texts = st.one_of(
    st.builds(json.dumps, st.dictionaries(st.text(max_size=5), st.integers() | st.text())),
    st.text(max_size=60),
    st.sampled_from(['{"a":1,"a":2}', '{"a":NaN}', ' {"a":1} ', '{"a":[[[[]]]]}', "{}x"]),
)


@given(_payload_texts)
@settings(max_examples=500)
def test_claims_are_read_as_the_strict_reader_reads_them(text: str) -> None:
    compact = _compact.Compact({"alg": "RS256"}, text.encode("utf-8", "surrogatepass"), b"", b"")
    try:
        expected: object = read_json_object(compact.payload)
    except JsonError:
        expected = None
    check = None
    try:
        got: object = compact.claims()
    except _compact.Rejected as exc:
        check, got = exc.check, None
    assert got == expected
    assert check == (None if expected is not None else "format")


@given(st.text(alphabet=st.sampled_from("eyJhbGciOiJSUzI1NiJ9.x-_+/=\u00e9 "), max_size=80))
@settings(max_examples=1000)
def test_any_text_is_refused_with_an_id_token_error(token: str) -> None:
    with pytest.raises(oidc.IDTokenError):
        oidc.validate_id_token(token, jwks=None, expect=expect(), now=NOW)


# --- the checks logout tokens share -------------------------------------------------------------


def _logout_claims(**changes: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": NOW - 5,
        "jti": "bWJq",
        "sid": "08a5019c-17e1-4977-8f42-65a12843ea02",
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "check"),
    [
        ({}, None),  # no exp: optional in a logout token
        ({"exp": NOW + 120}, None),
        ({"exp": NOW - 31}, "exp"),
        ({"exp": "soon"}, "exp"),
        ({"iat": NOW + 31}, "iat"),
        ({"iat": None}, "iat"),
        ({"nbf": NOW + 31}, "nbf"),
        ({"nonce": NONCE}, "nonce"),
    ],
)
def test_logout_tokens_share_the_time_checks(
    sign: Signer, keys: oidc.KeySet, changes: dict[str, Any], check: str | None
) -> None:
    token = sign(_logout_claims(**changes), typ="logout+jwt")

    def validate_logout() -> oidc.IDTokenClaims:
        return oidc.validate_logout_token(
            token, jwks=keys, issuer=ISSUER, client_id=CLIENT_ID, now=NOW
        )

    if check is None:
        assert validate_logout().jti == "bWJq"
    else:
        with pytest.raises(oidc.LogoutTokenError) as info:
            validate_logout()
        assert info.value.check == check
