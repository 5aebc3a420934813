"""ID token validation, check by check (OpenID Connect Core 1.0 §3.1.3.7, §3.1.3.8, §12.2).

Each check of :func:`oauthkit.oidc.validate_id_token` is driven to its boundary with an
injected ``now``, and each failure must raise the :class:`~oauthkit.oidc.IDTokenError`
subclass that names it.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt

from oauthkit import OAuthError, UsageError, oidc
from oauthkit.oidc._claims import left_hash
from oauthkit.oidc._errors import _BY_CHECK, id_token_error

from ._oidc import CLIENT_ID, ISSUER, NONCE, NOW, SECRET, claims, encrypt, jwks, key, sign

KEYS = oidc.import_jwks(jwks("rsa", "ec-256", "ec-384", "ed"))
VECTORS = json.loads((Path(__file__).parent / "data" / "oidc_core_hashes.json").read_text())


def expect(**changes: Any) -> oidc.IDTokenExpectations:
    fields: dict[str, Any] = {"issuer": ISSUER, "client_id": CLIENT_ID, "nonce": NONCE}
    fields.update(changes)
    return oidc.IDTokenExpectations(**fields)


def validate(
    token: str, *, now: float = NOW, jwks: Any = KEYS, decryption_keys: Any = None, **changes: Any
) -> oidc.IDTokenClaims:
    return oidc.validate_id_token(
        token, jwks=jwks, expect=expect(**changes), now=now, decryption_keys=decryption_keys
    )


def refused(error: type[oidc.IDTokenError], check: str, token: str, **kw: Any) -> str:
    with pytest.raises(oidc.IDTokenError) as info:
        validate(token, **kw)
    assert type(info.value) is error, info.value
    assert info.value.check == check
    assert str(info.value).startswith(f"ID token rejected ({check}): ")
    return str(info.value)


def test_a_valid_id_token_gives_its_claims() -> None:
    token = sign(claims(auth_time=NOW - 5, acr="urn:mace:incommon:iap:silver", amr=["pwd"]))
    got = validate(token)
    assert isinstance(got, oidc.IDTokenClaims)
    assert (got.issuer, got.subject, got.audience) == (ISSUER, "user-248289761001", (CLIENT_ID,))
    assert (got.expires_at, got.issued_at, got.auth_time) == (NOW + 300, NOW, NOW - 5)
    assert (got.nonce, got.acr, got.amr, got.azp, got.sid) == (
        NONCE,
        "urn:mace:incommon:iap:silver",
        ("pwd",),
        None,
        None,
    )
    assert got["sub"] == got.subject
    assert len(got) == len(list(got)) == 9
    assert got.header["kid"] == "rsa"
    with pytest.raises(TypeError):
        got.claims["sub"] = "x"  # type: ignore[index]


def test_joserfcs_own_jwt_and_a_jwk_set_mapping_are_accepted() -> None:
    token = jwt.encode({"alg": "ES256", "kid": "ec-256"}, claims(), key("ec-256"), ["ES256"])
    assert validate(token, jwks=jwks("ec-256"), algorithms=["ES256"]).subject
    assert validate(sign(claims(), typ="application/jwt")).subject


@pytest.mark.parametrize(
    ("changes", "error", "check"),
    [
        ({"iss": "https://op.example/"}, oidc.IDTokenIssuerError, "iss"),
        ({"iss": None}, oidc.IDTokenIssuerError, "iss"),
        ({"aud": "someone-else"}, oidc.IDTokenAudienceError, "aud"),
        ({"aud": None}, oidc.IDTokenAudienceError, "aud"),
        ({"aud": []}, oidc.IDTokenAudienceError, "aud"),
        ({"aud": [CLIENT_ID, 7]}, oidc.IDTokenAudienceError, "aud"),
        ({"aud": ""}, oidc.IDTokenAudienceError, "aud"),
        ({"exp": None}, oidc.IDTokenTimeError, "exp"),
        ({"exp": "tomorrow"}, oidc.IDTokenTimeError, "exp"),
        ({"exp": True}, oidc.IDTokenTimeError, "exp"),
        ({"exp": 1e300}, oidc.IDTokenTimeError, "exp"),
        ({"iat": None}, oidc.IDTokenTimeError, "iat"),
        ({"nbf": "now"}, oidc.IDTokenTimeError, "nbf"),
        ({"sub": None}, oidc.IDTokenSubjectError, "sub"),
        ({"sub": ""}, oidc.IDTokenSubjectError, "sub"),
        ({"sub": 42}, oidc.IDTokenSubjectError, "sub"),
        ({"nonce": None}, oidc.IDTokenNonceError, "nonce"),
        ({"nonce": "n-other"}, oidc.IDTokenNonceError, "nonce"),
        ({"nonce": ["n-0S6_WzA2Mj"]}, oidc.IDTokenNonceError, "nonce"),
        ({"nonce": NONCE + "\udc80"}, oidc.IDTokenNonceError, "nonce"),
    ],
)
def test_each_claim_check_raises_its_own_class(
    changes: dict[str, Any], error: type[oidc.IDTokenError], check: str
) -> None:
    refused(error, check, sign(claims(**changes)))


@pytest.mark.parametrize(
    ("claim", "at_limit", "error"),
    [
        ("exp", NOW - 30, "expired"),  # valid until exp + leeway
        ("iat", NOW + 30, "future"),  # may be up to leeway ahead
        ("nbf", NOW + 30, "not valid"),
    ],
)
def test_times_are_checked_at_the_leeway(claim: str, at_limit: float, error: str) -> None:
    beyond = at_limit - 1 if claim == "exp" else at_limit + 1
    assert validate(sign(claims(**{claim: at_limit})))[claim] == at_limit
    assert error in refused(oidc.IDTokenTimeError, claim, sign(claims(**{claim: beyond})))
    # the same token with no leeway
    assert validate(sign(claims(**{claim: NOW})), leeway=0)[claim] == NOW
    refused(oidc.IDTokenTimeError, claim, sign(claims(**{claim: at_limit})), leeway=0)


def test_azp_rules() -> None:
    both = [CLIENT_ID, "api"]
    assert "azp" in refused(
        oidc.IDTokenAudienceError, "azp", sign(claims(aud=both)), trusted_audiences={"api"}
    )
    assert validate(sign(claims(aud=both, azp=CLIENT_ID)), trusted_audiences={"api"}).azp
    refused(
        oidc.IDTokenAudienceError,
        "azp",
        sign(claims(aud=both, azp="api")),
        trusted_audiences={"api"},
    )
    message = refused(oidc.IDTokenAudienceError, "aud", sign(claims(aud=both, azp=CLIENT_ID)))
    assert "1 audience(s)" in message
    assert "api" not in message
    assert validate(sign(claims(azp=CLIENT_ID))).azp == CLIENT_ID  # one audience, azp optional
    refused(oidc.IDTokenAudienceError, "azp", sign(claims(azp="other")))
    refused(oidc.IDTokenAudienceError, "azp", sign(claims(azp="")))
    refused(
        oidc.IDTokenAudienceError, "azp", sign(claims(aud=both, azp=7)), trusted_audiences={"api"}
    )


def test_nonce_is_only_checked_when_one_was_sent() -> None:
    assert validate(sign(claims(nonce="anything")), nonce=None).nonce == "anything"
    assert validate(sign(claims(nonce=None)), nonce=None).nonce is None


def test_max_age_needs_a_recent_auth_time() -> None:
    limit = NOW - 600 - 30  # max_age plus leeway
    assert validate(sign(claims(auth_time=limit)), max_age=600).auth_time == limit
    assert "max_age=600" in refused(
        oidc.IDTokenAuthTimeError, "auth_time", sign(claims(auth_time=limit - 1)), max_age=600
    )
    refused(oidc.IDTokenAuthTimeError, "auth_time", sign(claims()), max_age=600)
    refused(oidc.IDTokenAuthTimeError, "auth_time", sign(claims(auth_time="x")), max_age=600)
    assert validate(sign(claims(auth_time=0))).auth_time == 0  # no max_age: not compared


def test_require_auth_time() -> None:
    refused(oidc.IDTokenAuthTimeError, "auth_time", sign(claims()), require_auth_time=True)
    assert validate(sign(claims(auth_time=1)), require_auth_time=True).auth_time == 1


def test_essential_acr_values() -> None:
    gold = ("urn:gold", "urn:platinum")
    assert validate(sign(claims(acr="urn:gold")), acr_values=gold).acr == "urn:gold"
    refused(oidc.IDTokenAcrError, "acr", sign(claims(acr="urn:bronze")), acr_values=gold)
    refused(oidc.IDTokenAcrError, "acr", sign(claims()), acr_values=gold)
    refused(oidc.IDTokenAcrError, "acr", sign(claims(acr=["urn:gold"])), acr_values=gold)
    assert validate(sign(claims(acr="urn:bronze"))).acr == "urn:bronze"  # not requested


@pytest.mark.parametrize("vector", VECTORS["vectors"], ids=lambda v: v["id"])
def test_spec_hash_vectors(vector: dict[str, str]) -> None:
    assert left_hash(vector["value"], vector["alg"]) == vector["hash"]
    given = "access_token" if vector["claim"] == "at_hash" else "code"
    token = sign(claims(**{vector["claim"]: vector["hash"]}))
    assert validate(token, **{given: vector["value"]})[vector["claim"]] == vector["hash"]
    refused(oidc.IDTokenHashError, vector["claim"], token, **{given: vector["value"] + "x"})


def _half(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode()


@pytest.mark.parametrize(
    ("signer", "alg", "hasher"),
    [
        ("rsa", "RS256", hashlib.sha256),
        ("rsa", "PS256", hashlib.sha256),
        ("ec-384", "ES384", hashlib.sha384),
        ("rsa", "RS512", hashlib.sha512),
        ("ed", "EdDSA", hashlib.sha512),
        ("ed", "Ed25519", hashlib.sha512),
    ],
)
def test_at_hash_and_c_hash_use_the_algorithms_hash(signer: str, alg: str, hasher: Any) -> None:
    at, code = "SlAV32hkKG", "Qcb0Orv1zh30vL1MPRsbm"
    good = {"at_hash": _half(hasher(at.encode()).digest())}
    good["c_hash"] = _half(hasher(code.encode()).digest())
    token = sign(claims(**good), signer, alg)
    got = validate(token, algorithms=[alg], access_token=at, code=code)
    assert got["at_hash"] == good["at_hash"]
    assert validate(token, algorithms=[alg]).subject  # nothing to compare with: not checked
    wrong = _half(hashlib.sha224(at.encode()).digest())
    for claim, value in (("at_hash", wrong), ("c_hash", wrong), ("at_hash", 7)):
        bad = sign(claims(**{**good, claim: value}), signer, alg)
        message = refused(
            oidc.IDTokenHashError, claim, bad, algorithms=[alg], access_token=at, code=code
        )
        assert ("access token" if claim == "at_hash" else "authorization code") in message


def test_a_value_that_is_not_ascii_never_matches() -> None:
    # The hash is of the ASCII octets (§3.1.3.6); a code or token with other characters cannot
    # be one the provider issued, and must be refused, not crash the validation.
    for value in ("cod\u00e9", "\ud800"):
        token = sign(claims(c_hash=left_hash("code", "RS256"), at_hash="AAAA"))
        refused(oidc.IDTokenHashError, "c_hash", token, code=value)
        refused(oidc.IDTokenHashError, "at_hash", token, access_token=value)


def test_ed448_hashes_with_shake256() -> None:
    digest = hashlib.shake_256(b"token").digest(114)
    assert left_hash("token", "Ed448") == _half(digest)


def _previous(**changes: Any) -> oidc.IDTokenClaims:
    return validate(sign(claims(**changes)))


@pytest.mark.parametrize(
    ("now", "before", "error", "check"),
    [
        ({"sub": "another"}, {}, oidc.IDTokenSubjectError, "sub"),
        ({"aud": [CLIENT_ID, "api"], "azp": CLIENT_ID}, {}, oidc.IDTokenAudienceError, "aud"),
        ({"azp": CLIENT_ID}, {}, oidc.IDTokenAudienceError, "azp"),
        ({"auth_time": NOW - 5}, {"auth_time": NOW - 100}, oidc.IDTokenAuthTimeError, "auth_time"),
        ({"iss": "https://other.example"}, {}, oidc.IDTokenIssuerError, "iss"),
    ],
)
def test_a_refreshed_id_token_must_match_the_previous_one(
    now: dict[str, Any], before: dict[str, Any], error: type[oidc.IDTokenError], check: str
) -> None:
    previous = _previous(**before)
    token = sign(claims(nonce=None, **now))
    refused(error, check, token, nonce=None, previous=previous, trusted_audiences={"api"})


def test_a_refresh_may_keep_or_omit_auth_time() -> None:
    previous = _previous(auth_time=NOW - 100)
    for auth_time in (NOW - 100, None):
        token = sign(claims(nonce=None, auth_time=auth_time))
        assert validate(token, nonce=None, previous=previous).subject == previous.subject
    # the first ID token had none: a refreshed one may state it
    token = sign(claims(nonce=None, auth_time=NOW - 1))
    assert validate(token, nonce=None, previous=_previous()).auth_time == NOW - 1


@pytest.mark.parametrize(
    "typ", ["logout+jwt", "at+jwt", "application/logout+jwt", "JOSE", 1, ["JWT"]]
)
def test_a_typ_naming_another_kind_of_token_is_refused(typ: object) -> None:
    refused(oidc.IDTokenFormatError, "format", sign(claims(), typ=typ))


@pytest.mark.parametrize(
    ("token", "error", "check"),
    [
        ("not a jwt", oidc.IDTokenFormatError, "format"),
        (sign([1, 2]), oidc.IDTokenFormatError, "format"),
        (sign(claims(), crit=["b64"], b64=False), oidc.IDTokenFormatError, "crit"),
        (sign(claims(), header={"alg": "none"}), oidc.IDTokenSignatureError, "alg"),
        (sign(claims(), "rsa", "PS256"), oidc.IDTokenSignatureError, "alg"),
        (sign(claims(), "rsa-2"), oidc.IDTokenSignatureError, "kid"),
        (sign(claims(), "rsa-2", kid="rsa"), oidc.IDTokenSignatureError, "signature"),
        (sign(claims(), alg="HS256"), oidc.IDTokenSignatureError, "alg"),
        (encrypt(sign(claims())), oidc.IDTokenSignatureError, "decryption"),
    ],
)
def test_format_and_signature_failures(
    token: str, error: type[oidc.IDTokenError], check: str
) -> None:
    refused(error, check, token)


def test_hmac_id_tokens_verify_with_the_client_secret() -> None:
    token = sign(claims(), alg="HS256")
    assert validate(token, jwks=None, algorithms=["HS256"], client_secret=SECRET).subject
    refused(oidc.IDTokenSignatureError, "alg", token, jwks=None, algorithms=["HS256"])
    refused(oidc.IDTokenSignatureError, "alg", token, algorithms=["HS256"], client_secret="")


def test_a_jwe_id_token_is_decrypted_with_the_clients_keys() -> None:
    token = encrypt(sign(claims()))
    assert validate(token, decryption_keys=key("enc")).subject == "user-248289761001"
    assert "does not decrypt" in refused(
        oidc.IDTokenSignatureError, "decryption", token, decryption_keys=key("rsa")
    )
    # the plaintext is validated like any ID token
    forged = encrypt(sign(claims(), "rsa-2", kid="rsa"))
    refused(oidc.IDTokenSignatureError, "signature", forged, decryption_keys=key("enc"))
    refused(
        oidc.IDTokenNonceError,
        "nonce",
        encrypt(sign(claims(nonce="x"))),
        decryption_keys=key("enc"),
    )


def test_a_jwk_set_that_does_not_import_is_an_id_token_error() -> None:
    with pytest.raises(oidc.IDTokenError) as info:
        validate(sign(claims()), jwks={"keys": "none"})
    assert info.value.check == "jwks"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"algorithms": []}, "empty"),
        ({"algorithms": ["none"]}, "none"),
        ({"algorithms": ["RS256", "RSA-OAEP"]}, "RSA-OAEP"),
        ({"algorithms": "RS256"}, "not JWS"),  # a string is not a list of names
        ({"issuer": ""}, "issuer"),
        ({"client_id": ""}, "client_id"),
        ({"client_id": None}, "client_id"),
    ],
)
def test_expectations_refuse_misuse(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        expect(**changes)


def test_expectations_keep_their_allow_list_through_replace() -> None:
    first = expect(algorithms=["ES256", "RS256"])
    assert first.allowed == {"ES256", "RS256"}
    assert dataclasses.replace(first, algorithms=("PS256",)).allowed == {"PS256"}


def test_each_check_maps_to_its_error_class() -> None:
    for check, cls in _BY_CHECK.items():
        error = id_token_error(check, "why")
        assert type(error) is cls
        assert isinstance(error, oidc.IDTokenError)
        assert isinstance(error, OAuthError)
        assert (error.check, str(error)) == (check, f"ID token rejected ({check}): why")
    assert type(id_token_error("jwks", "x")) is oidc.IDTokenError
    assert set(_BY_CHECK.values()) == {
        cls
        for cls in vars(oidc._errors).values()  # type: ignore[attr-defined]
        if isinstance(cls, type)
        and issubclass(cls, oidc.IDTokenError)
        and cls is not oidc.IDTokenError
    }
