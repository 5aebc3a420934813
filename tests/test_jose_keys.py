"""The keys of the JOSE layer (issue #9): the issuer's JWK Set imported once (public
signature keys only), the choice of key for a token, and the client's own private keys
decrypting a JWE."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import pytest
from joserfc import jwe, jwk

from oauthkit._jose._compact import MAX_TOKEN_SIZE, Rejected, b64decode, is_jwe
from oauthkit._jose._decrypt import decrypt, import_private_keys
from oauthkit._jose._keys import MAX_KEYS, KeySet, PublicKey, import_jwks

from ._oidc import b64, claims, encrypt, jwks, key, sign

ALL = import_jwks(jwks("rsa", "ec-256", "ec-384", "ec-521", "ed"))


def _rejected(check: str, call: Any, *args: Any, **kwargs: Any) -> Rejected:
    with pytest.raises(Rejected) as info:
        call(*args, **kwargs)
    assert info.value.check == check, str(info.value)
    return info.value


# --- import_jwks (RFC 7517 §5) -----------------------------------------------------------------


def test_a_set_keeps_public_signature_keys_in_order() -> None:
    keys = import_jwks(jwks("rsa", "ec-256", "ed"))
    assert [(k.kid, k.kty, k.crv) for k in keys.keys] == [
        ("rsa", "RSA", None),
        ("ec-256", "EC", "P-256"),
        ("ed", "OKP", "Ed25519"),
    ]
    assert keys.kids() == {"rsa", "ec-256", "ed"}
    assert repr(keys) == "KeySet(3 keys: ['ec-256', 'ed', 'rsa'])"


def test_members_that_cannot_verify_are_skipped() -> None:
    rsa = key("rsa").as_dict(private=False)
    members = [
        jwk.OctKey.generate_key(256, parameters={"kid": "oct"}).as_dict(),
        {**rsa, "kid": "enc", "use": "enc"},
        {**rsa, "kid": "wrap", "key_ops": ["wrapKey"]},
        {**rsa, "kid": "ops-str", "key_ops": "verify"},
        {"kty": "unknown", "kid": "unknown"},
        {"kty": "EC", "kid": "curve", "crv": "P-999", "x": "AA", "y": "AA"},
        {**rsa, "kid": "broken", "n": "!!"},
        {"kid": "no-kty"},
        {**rsa, "kid": "ops", "key_ops": ["verify"]},
        {**rsa, "kid": "sig", "use": "sig"},
    ]
    assert import_jwks({"keys": members}).kids() == {"ops", "sig"}


def test_rsa_keys_under_2048_bits_are_skipped_without_a_warning() -> None:
    # RFC 7518 §3.3; joserfc warns on import, which this suite (filterwarnings=error) and any
    # program run with -W error would see as an exception out of import_jwks.
    rsa = key("rsa").as_dict(private=False)
    n = int.from_bytes(b64decode(rsa["n"]), "big")
    assert n.bit_length() == 2048

    def modulus(bits: int) -> str:
        return b64((n >> (2048 - bits)).to_bytes(256, "big"))  # leading zero octets kept

    members = [{**rsa, "kid": str(bits), "n": modulus(bits)} for bits in (1024, 2047, 2048)]
    members.append({**rsa, "kid": "not-b64", "n": "!!"})
    members.append({**rsa, "kid": "not-str", "n": 7})
    assert import_jwks({"keys": members}).kids() == {"2048"}


def test_private_members_are_dropped_before_import() -> None:
    private = [key(n).as_dict(private=True) for n in ("rsa", "ec-256", "ed")]
    assert all("d" in member for member in private)
    keys = import_jwks({"keys": private})
    assert len(keys.keys) == 3
    assert not any(k.key.is_private for k in keys.keys)
    assert all("d" not in k.key.as_dict() for k in keys.keys)


def test_at_most_max_keys_members_are_read() -> None:
    rsa = key("rsa").as_dict(private=False)
    members: list[Any] = [{**rsa, "kid": f"k{i}"} for i in range(MAX_KEYS)] + ["not read"]
    keys = import_jwks({"keys": members})
    assert len(keys.keys) == MAX_KEYS
    assert keys.keys[-1].kid == f"k{MAX_KEYS - 1}"


def test_a_single_jwk_a_list_and_a_read_only_mapping_are_sets_too() -> None:
    rsa = key("rsa").as_dict(private=False)
    assert import_jwks(rsa).kids() == {"rsa"}
    assert import_jwks([rsa]).kids() == {"rsa"}
    assert import_jwks(MappingProxyType({"keys": [rsa]})).kids() == {"rsa"}
    assert import_jwks({"keys": []}) == KeySet()


@pytest.mark.parametrize(
    "document",
    [
        {"keys": "abc"},
        {"keys": {"kty": "RSA"}},
        {},
        {"jwks": []},
        "keys",
        b"{}",
        7,
        None,
        ["not an object"],
        {"keys": [None]},
        {"keys": [{**key("rsa").as_dict(private=False), "kid": 7}]},
        {"keys": [{**key("rsa").as_dict(private=False), "alg": ["RS256"]}]},
        KeySet(),
    ],
)
def test_what_is_not_a_jwk_set_is_refused(document: object) -> None:
    _rejected("jwks", import_jwks, document)


# --- KeySet.candidates (RFC 7515 §4.1.4, OIDC Core §10.1) --------------------------------------


def _candidates(alg: str, kid: str | None = None, keys: KeySet = ALL) -> list[str | None]:
    return [k.kid for k in keys.candidates(alg, kid)]


def test_candidates_fit_the_algorithm_by_type_and_curve() -> None:
    assert _candidates("RS256") == _candidates("PS512") == ["rsa"]
    assert _candidates("ES256") == ["ec-256"]
    assert _candidates("ES384") == ["ec-384"]
    assert _candidates("ES512") == ["ec-521"]
    assert _candidates("EdDSA") == _candidates("Ed25519") == ["ed"]
    assert _candidates("Ed448") == []
    assert _candidates("ES256K") == []
    assert _candidates("HS256") == []


def test_candidates_are_chosen_by_kid() -> None:
    assert _candidates("RS256", "rsa") == ["rsa"]
    assert _candidates("RS256", "ec-256") == []  # the kid exists, but not for RSA
    assert _candidates("ES256", "ec-384") == []  # the kid exists, on another curve
    assert _candidates("RS256", "nope") == []


def test_a_key_restricted_to_an_algorithm_fits_only_that_one() -> None:
    keys = import_jwks(jwks("rsa", alg="RS384"))
    assert _candidates("RS384", keys=keys) == ["rsa"]
    assert _candidates("RS256", keys=keys) == []
    anonymous = PublicKey(None, "EC", "P-256", None, None)
    assert anonymous.fits("ES256")
    assert not anonymous.fits("ES384")
    assert KeySet((anonymous,)).kids() == frozenset()


# --- decrypt (RFC 7516 §5.2, OIDC Core §10.2) --------------------------------------------------


def test_a_jwe_decrypts_with_the_clients_key_in_every_form() -> None:
    inner = sign(claims())
    token = encrypt(inner)
    assert is_jwe(token)
    private = key("enc")
    for keys in (private, private.as_dict(private=True), {"keys": [private.as_dict(private=True)]}):
        assert decrypt(token, keys, "ID token") == inner
    key_set = jwk.KeySet([private])
    assert import_private_keys(key_set) is key_set


@pytest.mark.parametrize("keys", [key("rsa"), "junk", 7, {"kty": "RSA"}, {"keys": []}])
def test_a_jwe_that_does_not_decrypt_is_rejected(keys: object) -> None:
    message = str(_rejected("decryption", decrypt, encrypt(sign(claims())), keys, "ID token"))
    assert "does not decrypt" in message


def test_decryption_needs_keys_and_a_jws_inside() -> None:
    assert "no decryption keys" in str(
        _rejected("decryption", decrypt, encrypt("a.b.c"), None, "UserInfo response")
    )
    _rejected("decryption", decrypt, encrypt(b"\xff\xfe"), key("enc"), "ID token")
    _rejected("format", decrypt, "a." * MAX_TOKEN_SIZE, key("enc"), "ID token")
    with pytest.raises(ValueError, match="JWK"):
        import_private_keys("junk")


def test_a_compressed_plaintext_is_refused_before_decompression() -> None:
    # zip=DEF is not accepted at all: a small JWE could otherwise inflate without bound
    # before any size check (a decompression bomb), and no provider compresses its tokens.
    huge = b"a" * (MAX_TOKEN_SIZE + 1)
    token = jwe.encrypt_compact(
        {"alg": "RSA-OAEP-256", "enc": "A256GCM", "zip": "DEF"},
        huge,
        key("enc"),
        algorithms=["RSA-OAEP-256", "A256GCM", "DEF"],
    )
    assert len(token) < 2000
    assert "does not decrypt" in str(
        _rejected("decryption", decrypt, token, key("enc"), "ID token")
    )


def test_rsa1_5_is_refused() -> None:
    with pytest.warns(UserWarning, match="RSA1_5"):
        token = jwe.encrypt_compact(
            {"alg": "RSA1_5", "enc": "A128GCM"},
            sign(claims()),
            key("enc"),
            algorithms=["RSA1_5", "A128GCM"],
        )
    _rejected("decryption", decrypt, token, key("enc"), "ID token")
