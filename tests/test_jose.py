"""The JOSE policy layer (issue #9): compact JWS parsing and verification under an allow-list.

Tokens are signed by joserfc (:mod:`tests._oidc`); what is tested here is what oauthkit decides
around it. Keys and decryption: ``test_jose_keys.py``.
"""

from __future__ import annotations

import json
from types import MappingProxyType
from typing import Any

import pytest

from oauthkit._jose._compact import MAX_TOKEN_SIZE, Rejected, _header, b64decode, is_jwe, parse_jws
from oauthkit._jose._keys import KeySet, import_jwks
from oauthkit._jose._verify import UnknownKey, check_algorithms, verify_jws

from ._oidc import SECRET, b64, claims, jwks, key, sign

ALL = import_jwks(jwks("rsa", "ec-256", "ec-384", "ec-521", "ed"))


def _rejected(check: str, call: Any, *args: Any, **kwargs: Any) -> Rejected:
    with pytest.raises(Rejected) as info:
        call(*args, **kwargs)
    assert info.value.check == check, str(info.value)
    return info.value


def _verify(token: str, *algs: str, keys: KeySet | None = ALL, secret: str | None = None) -> str:
    return verify_jws(parse_jws(token), keys=keys, algorithms=frozenset(algs), secret=secret)


# --- parse_jws (RFC 7515 §7.1) ---------------------------------------------------------------


def test_a_compact_jws_is_split_and_decoded_but_not_verified() -> None:
    token = sign({"sub": "a"}, typ="JWT")
    head, body, signature = token.split(".")
    compact = parse_jws(token)
    assert dict(compact.header) == {"alg": "RS256", "kid": "rsa", "typ": "JWT"}
    assert compact.payload == b'{"sub": "a"}'
    assert compact.signing_input == f"{head}.{body}".encode()
    assert compact.signature == b64decode(signature)
    assert len(compact.signature) == 256
    assert compact.claims() == {"sub": "a"}
    with pytest.raises(TypeError):
        compact.header["alg"] = "none"  # type: ignore[index]


@pytest.mark.parametrize(
    "token",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a.b.c.d.e.f",
        ".e30.",  # an empty header
        "e30.e30.a+b",  # base64, not base64url
        "e30.e30.a/b",
        "e30.e30=.",  # padding
        "e30.e30. x",
        "e30.e30.abcde",  # 5 characters: no whole byte in the last group
        "e30.é.",
        "e30.e30\n.",
    ],
)
def test_not_three_base64url_segments_is_a_format_error(token: str) -> None:
    _rejected("format", parse_jws, token)


@pytest.mark.parametrize("token", [None, 7, b"e30.e30.", ["e30", "e30", ""], {"alg": "RS256"}])
def test_a_token_must_be_a_string(token: object) -> None:
    assert "string" in str(_rejected("format", parse_jws, token))


def test_the_size_bound_is_checked_before_any_decoding() -> None:
    head = b64(b'{"alg":"HS256"}')
    fits = f"{head}.{'A' * (MAX_TOKEN_SIZE - len(head) - 2)}."
    assert len(fits) == MAX_TOKEN_SIZE
    assert parse_jws(fits).header["alg"] == "HS256"
    assert "longer" in str(_rejected("format", parse_jws, fits + "A"))
    assert "longer" in str(_rejected("format", parse_jws, "!" * (MAX_TOKEN_SIZE + 1)))


@pytest.mark.parametrize(
    "header",
    ["[]", '"RS256"', "1", "null", "{", '{"alg":"RS256","alg":"none"}', "\xff"],
)
def test_a_header_must_be_a_strict_json_object(header: str) -> None:
    token = f"{b64(header.encode('latin-1'))}.{b64(b'{}')}."
    assert "header" in str(_rejected("format", parse_jws, token))


@pytest.mark.parametrize("payload", [b"[]", b'"x"', b"", b"{", b'{"sub":"a","sub":"b"}', b"\xff"])
def test_a_payload_that_is_not_a_json_object_parses_but_has_no_claims(payload: bytes) -> None:
    compact = parse_jws(sign(payload))
    assert compact.payload == payload
    assert "payload" in str(_rejected("format", compact.claims))


def test_decoded_headers_are_cached_and_shared_read_only() -> None:
    first, second = sign(claims()), sign(claims(sub="other"))
    assert first.split(".")[0] == second.split(".")[0]
    before = _header.cache_info().hits
    one, two = parse_jws(first), parse_jws(second)
    assert one.header is two.header
    assert _header.cache_info().hits >= before + 1
    assert isinstance(one.header, MappingProxyType)


def test_base64url_and_jwe_shape() -> None:
    assert b64decode("") == b""
    assert b64decode("_-8") == b"\xff\xef"
    assert b64decode(b64(bytes(range(256)))) == bytes(range(256))
    assert is_jwe("a.b.c.d.e")
    assert not is_jwe("a.b.c")
    assert not is_jwe(b"a.b.c.d.e")


# --- verify_jws (RFC 7515 §5.2, RFC 8725 §3) ---------------------------------------------------


@pytest.mark.parametrize(
    ("signer", "alg"),
    [
        ("rsa", "RS256"),
        ("rsa", "RS512"),
        ("rsa", "PS256"),
        ("ec-256", "ES256"),
        ("ec-384", "ES384"),
        ("ec-521", "ES512"),
        ("ed", "EdDSA"),
        ("ed", "Ed25519"),
    ],
)
def test_each_asymmetric_algorithm_verifies(signer: str, alg: str) -> None:
    token = sign(claims(), signer, alg)
    assert _verify(token, alg) == alg
    assert _verify(sign(claims(), signer, alg, kid=None), alg) == alg  # no kid: by type
    tampered = token.split(".")
    tampered[1] = b64(json.dumps(claims(sub="admin")))
    assert "does not verify" in str(_rejected("signature", _verify, ".".join(tampered), alg))


@pytest.mark.parametrize("alg", ["none", "None", "NONE"])
def test_unsigned_tokens_are_never_accepted(alg: str) -> None:
    token = f"{b64(json.dumps({'alg': alg}))}.{b64(json.dumps(claims()))}."
    assert "never" in str(_rejected("alg", _verify, token, "RS256", "HS256"))


def test_only_allowed_algorithms_verify() -> None:
    message = str(_rejected("alg", _verify, sign(claims(), "rsa", "PS256"), "RS256"))
    assert "'PS256' is not allowed" in message
    assert "RS256" in message
    _rejected("alg", _verify, sign(claims(), header={"kid": "rsa"}), "RS256")
    _rejected("alg", _verify, sign(claims(), header={"alg": 256}), "RS256")


def test_a_critical_extension_is_refused_even_when_signed() -> None:
    token = sign(claims(), crit=["exp"], exp=1)
    _rejected("crit", _verify, token, "RS256")
    _rejected("crit", _verify, sign(claims(), crit=[]), "RS256")


def test_hmac_verifies_with_the_client_secret_only() -> None:
    token = sign(claims(), alg="HS256")
    assert _verify(token, "HS256", secret=SECRET) == "HS256"
    assert _verify(sign(claims(), alg="HS512"), "HS512", secret=SECRET.encode()) == "HS512"
    _rejected("signature", _verify, token, "HS256", secret=SECRET[::-1])
    assert "no" in str(_rejected("alg", _verify, token, "HS256", secret=None))
    _rejected("alg", _verify, token, "HS256", secret="")  # an empty secret is none


def test_a_public_key_is_never_an_hmac_secret() -> None:
    # RFC 8725 §2.1: the attacker signs HS256 with the issuer's public key as the secret.
    public = json.dumps(key("rsa").as_dict(private=False))
    forged = sign(claims(), alg="HS256", secret=public)
    _rejected("alg", _verify, forged, "HS256", "RS256")
    _rejected("signature", _verify, forged, "HS256", "RS256", secret=SECRET)


def test_a_key_the_token_names_itself_is_never_used() -> None:
    attacker = key("rsa-2").as_dict(private=False)
    for members in ({"jwk": attacker}, {"jku": "https://evil.example/jwks"}, {"x5u": "x"}):
        forged = sign(claims(), "rsa-2", kid="rsa", **members)
        _rejected("signature", _verify, forged, "RS256")
        unknown = sign(claims(), "rsa-2", **members)
        assert isinstance(_rejected("kid", _verify, unknown, "RS256"), UnknownKey)


def test_no_key_for_the_kid_is_an_unknown_key_and_a_bad_kid_a_rejection() -> None:
    token = sign(claims(), "rsa-2")
    error = _rejected("kid", _verify, token, "RS256")
    assert isinstance(error, UnknownKey)
    assert "'rsa-2'" in str(error)
    assert isinstance(_rejected("kid", _verify, sign(claims()), "RS256", keys=None), UnknownKey)
    no_kid = sign(claims(), "ec-256", "ES256", kid=None)
    assert "no kid" in str(_rejected("kid", _verify, no_kid, "ES256", keys=KeySet()))
    bad = _rejected("kid", _verify, sign(claims(), kid=["rsa"]), "RS256")
    assert not isinstance(bad, UnknownKey)


def test_every_candidate_with_the_kid_is_tried() -> None:
    members = [*jwks("rsa-2")["keys"], *jwks("rsa")["keys"]]  # the wrong key first
    same_kid = import_jwks({"keys": [{**m, "kid": "k"} for m in members]})
    assert _verify(sign(claims(), "rsa", kid="k"), "RS256", keys=same_kid) == "RS256"
    assert _verify(sign(claims(), "rsa", kid=None), "RS256", keys=import_jwks(members)) == "RS256"


@pytest.mark.parametrize(
    ("signer", "alg", "length"),
    [
        ("ec-256", "ES256", 0),
        ("ec-256", "ES256", 1),
        ("ec-256", "ES256", 63),
        ("ec-256", "ES256", 65),
        ("ec-256", "ES256", 72),  # a DER signature's typical size
        ("ec-384", "ES384", 64),
        ("ed", "EdDSA", 63),
        ("rsa", "RS256", 255),
        ("rsa", "PS256", 0),
    ],
)
def test_signatures_of_the_wrong_length_are_rejected_not_a_crash(
    signer: str, alg: str, length: int
) -> None:
    head, body, _ = sign(claims(), signer, alg).split(".")
    for filler in (b"\x00", b"\xff"):
        _rejected("signature", _verify, f"{head}.{body}.{b64(filler * length)}", alg)


@pytest.mark.parametrize("filler", [b"\x00", b"\xff"])
def test_an_es256_signature_of_the_right_length_but_out_of_range_is_rejected(
    filler: bytes,
) -> None:
    head, body, _ = sign(claims(), "ec-256", "ES256").split(".")
    _rejected("signature", _verify, f"{head}.{body}.{b64(filler * 64)}", "ES256")


def test_check_algorithms_refuses_none_unknown_and_empty() -> None:
    assert check_algorithms(["RS256", "ES256", "RS256"], "x") == {"RS256", "ES256"}
    for bad, words in (([], "empty"), (["none"], "none"), (["RS256", "XS1"], "XS1")):
        with pytest.raises(ValueError, match=words):
            check_algorithms(bad, "ID tokens")


def test_a_client_secret_too_short_for_hmac_is_refused_not_warned() -> None:
    """joserfc warns on an HMAC key under 112 bits; under ``-W error`` that warning would escape
    as an exception, so such a secret is refused as a verdict instead."""
    import hashlib
    import hmac

    from oauthkit._jose._verify import MIN_SECRET_BYTES

    short = "s" * (MIN_SECRET_BYTES - 1)
    signing_input = f"{b64(json.dumps({'alg': 'HS256'}).encode())}.{b64(b'{}')}"
    mac = hmac.new(short.encode(), signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64(mac)}"
    with pytest.raises(Rejected) as caught:
        verify_jws(parse_jws(token), keys=None, algorithms=frozenset({"HS256"}), secret=short)
    assert caught.value.check == "alg"
    assert "shorter" in str(caught.value)
