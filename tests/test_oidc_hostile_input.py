"""OpenID Connect parsers against hostile input: the findings of the fuzz campaign (issue #9).

Each test is the minimized reproducer of one finding of ``fuzz/campaign.py`` (targets
``id_token``, ``logout_token``, ``userinfo``, ``jwks``), now refused with the parser's own
error or handled; ``tests/test_fuzz_parsers.py`` runs the campaign's targets briefly.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwk, jwt

from oauthkit import HttpResponse
from oauthkit.oidc import (
    BACKCHANNEL_LOGOUT_EVENT,
    IDTokenExpectations,
    IDTokenSignatureError,
    KeySet,
    Provider,
    UserinfoError,
    import_jwks,
    parse_userinfo,
    validate_id_token,
    validate_logout_token,
)

ISSUER = "https://as.example"
CLIENT_ID = "client-1"
NOW = 1_700_000_000.0


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _dir_jwe(plaintext: bytes, header: dict[str, Any], key: bytes) -> str:
    """A compact JWE (RFC 7516 §7.1) with ``alg`` ``dir``, written by hand: joserfc would
    deflate a plaintext whose header says ``zip``."""
    head = _b64(json.dumps(header).encode())
    iv = os.urandom(12)
    sealed = AESGCM(key).encrypt(iv, plaintext, head.encode("ascii"))
    return f"{head}..{_b64(iv)}.{_b64(sealed[:-16])}.{_b64(sealed[-16:])}"


def test_an_encrypted_token_whose_zip_does_not_inflate_is_refused() -> None:
    # fuzz/campaign.py: zlib.error escaped from the decryption of an ID token or a UserInfo
    # response whose JWE header says "zip": "DEF" over a plaintext that is not DEFLATE data.
    # Anyone holding the client's public encryption key can send one.
    key = os.urandom(16)
    token = _dir_jwe(b"e30.e30.", {"alg": "dir", "enc": "A128GCM", "zip": "DEF"}, key)
    client_key = jwk.OctKey.import_key(key)
    expect = IDTokenExpectations(ISSUER, CLIENT_ID)
    with pytest.raises(IDTokenSignatureError, match="decrypt"):
        validate_id_token(
            token, jwks={"keys": []}, expect=expect, now=NOW, decryption_keys=client_key
        )
    response = HttpResponse(200, {"Content-Type": "application/jwt"}, token.encode())
    with pytest.raises(UserinfoError, match="decrypt") as caught:
        parse_userinfo(
            response, subject="u", issuer=ISSUER, client_id=CLIENT_ID, decryption_keys=client_key
        )
    assert caught.value.check == "decryption"


def test_the_claims_of_a_logout_token_without_sub_can_be_shown() -> None:
    # fuzz/campaign.py (logout_token): a valid logout token that names only sid (Back-Channel
    # Logout §2.4 allows it) came back as claims whose repr, and subject, raised KeyError.
    key = jwk.ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig"})
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": int(NOW),
        "jti": "jti-1",
        "sid": "sid-1",
        "events": {BACKCHANNEL_LOGOUT_EVENT: {}},
    }
    header = {"alg": "ES256", "typ": "logout+jwt", "kid": "ec-1"}
    token = jwt.encode(header, claims, key, algorithms=["ES256"])
    found = validate_logout_token(
        token,
        jwks={"keys": [key.as_dict(private=False)]},
        issuer=ISSUER,
        client_id=CLIENT_ID,
        now=NOW,
        algorithms=["ES256"],
    )
    assert repr(found) == f"LogoutTokenClaims(iss={ISSUER!r}, sub=None, sid='sid-1')"
    assert (found.subject, found.sid) == (None, "sid-1")


def test_an_rsa_key_shorter_than_2048_bits_is_skipped_without_a_warning() -> None:
    # fuzz/campaign.py (jwks): such a key was imported with joserfc's SecurityWarning, which
    # escapes as an exception where warnings are errors (as in this test suite); RFC 7518
    # §3.3 forbids it for RS256 and PS256 anyway.
    small = rsa.generate_private_key(65537, 1024).public_key().public_numbers()  # noqa: S505
    member = {"kty": "RSA", "kid": "small", "e": "AQAB", "n": _b64(small.n.to_bytes(128, "big"))}
    big = jwk.RSAKey.generate_key(2048, parameters={"kid": "big"}).as_dict(private=False)
    assert import_jwks({"keys": [member, big]}).kids() == {"big"}
    assert import_jwks({"keys": [{"n": "3600", "e": "AQAB", "kty": "RSA"}]}).keys == ()
    provider = Provider(ISSUER, jwks={"keys": [member]})
    assert provider.keys_entry.value == KeySet()
