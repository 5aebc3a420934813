"""Encrypted ID tokens (OIDC Core §10.2): which JWE algorithms and headers are accepted.

Found against oidc-provider (tests/test_oidc_interop_jose.py): it encrypts with
``RSA-OAEP-256``, which joserfc's default registry leaves out, and replicates ``iss`` and
``aud`` in the JWE header (RFC 7519 §5.3), which joserfc's strict header check refused.
"""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from joserfc import jwe, jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import RSAKey
from joserfc.registry import HeaderParameter

from oauthkit import oidc

ISSUER = "https://op.example"
CLIENT = "rp"
NOW = 1_700_000_000.0


@pytest.fixture(scope="module", name="keys")
def fixture_keys() -> tuple[RSAKey, RSAKey]:
    signing = RSAKey.generate_key(2048, parameters={"kid": "op", "alg": "RS256"}, private=True)
    encryption = RSAKey.generate_key(2048, parameters={"kid": "rp-enc", "use": "enc"}, private=True)
    return signing, encryption


def _id_token(signing: RSAKey) -> str:
    claims = {"iss": ISSUER, "aud": CLIENT, "sub": "alice", "iat": NOW, "exp": NOW + 300}
    return jwt.encode({"alg": "RS256", "kid": "op"}, claims, signing)


def _encrypt(plaintext: str, key: RSAKey, alg: str, enc: str, **header: Any) -> str:
    # a provider's encrypter: any algorithm, any header (the refused ones too)
    extra = {name: HeaderParameter(name, "int") for name in header if name.startswith("x-")}
    registry = jwe.JWERegistry(
        header_registry=extra, algorithms=[alg, enc], strict_check_header=False
    )
    protected = {"alg": alg, "enc": enc, "cty": "JWT", "kid": "rp-enc", **header}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)  # RSA1_5 is deprecated: so we refuse it
        return jwe.encrypt_compact(protected, plaintext, key, registry=registry)


def _validate(token: str, keys: tuple[RSAKey, RSAKey]) -> oidc.IDTokenClaims:
    signing, encryption = keys
    return oidc.validate_id_token(
        token,
        jwks={"keys": [signing.as_dict(private=False)]},
        expect=oidc.IDTokenExpectations(issuer=ISSUER, client_id=CLIENT),
        now=NOW,
        decryption_keys=encryption.as_dict(private=True),
    )


@pytest.mark.parametrize("alg", ["RSA-OAEP-256", "RSA-OAEP"])
@pytest.mark.parametrize("enc", ["A256GCM", "A128CBC-HS256"])
def test_rsa_oaep_id_tokens_decrypt(keys: tuple[RSAKey, RSAKey], alg: str, enc: str) -> None:
    token = _encrypt(_id_token(keys[0]), keys[1], alg, enc)
    assert _validate(token, keys).subject == "alice"


def test_claims_replicated_in_the_jwe_header_are_ignored(keys: tuple[RSAKey, RSAKey]) -> None:
    # what oidc-provider sends (RFC 7519 §5.3)
    token = _encrypt(_id_token(keys[0]), keys[1], "RSA-OAEP-256", "A256GCM", iss=ISSUER, aud=CLIENT)
    assert _validate(token, keys).subject == "alice"


@pytest.mark.parametrize(
    ("alg", "header"),
    [
        ("RSA1_5", {}),  # RFC 8725 §3.2
        ("RSA-OAEP-256", {"crit": ["x-unknown"], "x-unknown": 1}),  # RFC 7516 §4.1.13
    ],
)
def test_refused_encryptions(keys: tuple[RSAKey, RSAKey], alg: str, header: dict[str, Any]) -> None:
    token = _encrypt(_id_token(keys[0]), keys[1], alg, "A256GCM", **header)
    with pytest.raises(oidc.IDTokenSignatureError) as caught:
        _validate(token, keys)
    assert caught.value.check == "decryption"
