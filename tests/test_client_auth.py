"""Client authentication (RFC 6749 §2.3, RFC 7523 §2.2, OIDC Core §9): encoding, JWT claims,
the registry, the public-client and never-twice rules, and redaction."""

from __future__ import annotations

import base64
import itertools
from typing import Any
from urllib.parse import unquote_plus

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwk, jwt

from oauthkit import MissingExtraError, UsageError
from oauthkit._oauth2._client_assertion import (
    CLIENT_ASSERTION_TYPE_JWT_BEARER,
    ClientSecretJwt,
    PrivateKeyJwt,
)
from oauthkit._oauth2._client_auth import (
    ClientAuth,
    ClientSecretBasic,
    ClientSecretPost,
    NoneAuth,
    client_auth_for,
    client_auth_methods,
    register_client_auth,
)

NOW = 1_700_000_000.25
TOKEN_URL = "https://as.example/token"
SECRET = "s3cr3t-value-never-shown"


def _apply(auth: ClientAuth, form: list[tuple[str, str]] | None = None) -> Any:
    return auth.apply(
        form if form is not None else [("grant_type", "client_credentials")],
        {"Accept": "application/json"},
        endpoint=TOKEN_URL,
        now=NOW,
    )


def _basic_parts(header: str) -> tuple[str, str]:
    scheme, _, encoded = header.partition(" ")
    assert scheme == "Basic"
    user, sep, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    assert sep == ":"
    return user, password


# -- client_secret_basic ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("client_id", "secret", "encoded_pair"),
    [
        ("client", "secret", "client:secret"),
        ("my:client", "pa:ss", "my%3Aclient:pa%3Ass"),
        ("a+b", "c d", "a%2Bb:c+d"),
        ("ünï", "çødé€", "%C3%BCn%C3%AF:%C3%A7%C3%B8d%C3%A9%E2%82%AC"),
        ("id/=&?", "%41~._-", "id%2F%3D%26%3F:%2541~._-"),
    ],
)
def test_basic_form_encodes_before_base64(client_id: str, secret: str, encoded_pair: str) -> None:
    auth = ClientSecretBasic(client_id, secret)
    form, headers = _apply(auth)
    expected = "Basic " + base64.b64encode(encoded_pair.encode("ascii")).decode("ascii")
    assert headers["Authorization"] == expected
    user, password = _basic_parts(headers["Authorization"])
    assert (unquote_plus(user), unquote_plus(password)) == (client_id, secret)
    # Basic puts nothing in the body: the secret travels once.
    assert form == [("grant_type", "client_credentials")]
    assert headers["Accept"] == "application/json"


def test_basic_does_not_mutate_its_inputs() -> None:
    form = [("grant_type", "client_credentials")]
    headers = {"Accept": "application/json"}
    ClientSecretBasic("c", "s").apply(form, headers, endpoint=TOKEN_URL, now=NOW)
    assert form == [("grant_type", "client_credentials")]
    assert headers == {"Accept": "application/json"}


def test_basic_refuses_an_existing_authorization_header() -> None:
    with pytest.raises(UsageError, match="Authorization"):
        ClientSecretBasic("c", "s").apply([], {"authorization": "x"}, endpoint=TOKEN_URL, now=NOW)


@pytest.mark.parametrize("cls", [ClientSecretBasic, ClientSecretPost, ClientSecretJwt])
@pytest.mark.parametrize("secret", [None, ""])
def test_secret_methods_refuse_a_missing_secret(cls: Any, secret: str | None) -> None:
    with pytest.raises(UsageError, match="public"):
        cls("client", secret)


@pytest.mark.parametrize("cls", [ClientSecretBasic, ClientSecretPost, NoneAuth])
@pytest.mark.parametrize("client_id", ["", None, 42])
def test_client_id_must_be_a_non_empty_string(cls: Any, client_id: Any) -> None:
    args = (client_id,) if cls is NoneAuth else (client_id, "secret")
    with pytest.raises(UsageError, match="client_id"):
        cls(*args)


# -- client_secret_post and none -------------------------------------------------------------


def test_post_puts_id_and_secret_in_the_body_only() -> None:
    form, headers = _apply(ClientSecretPost("client", SECRET))
    assert form == [
        ("grant_type", "client_credentials"),
        ("client_id", "client"),
        ("client_secret", SECRET),
    ]
    assert "Authorization" not in headers


def test_post_keeps_a_matching_client_id_once() -> None:
    form, _ = _apply(ClientSecretPost("client", SECRET), [("client_id", "client")])
    assert form == [("client_id", "client"), ("client_secret", SECRET)]


def test_none_auth_sends_only_the_client_id() -> None:
    form, headers = _apply(NoneAuth("public-app"))
    assert form == [("grant_type", "client_credentials"), ("client_id", "public-app")]
    assert "Authorization" not in headers
    assert NoneAuth("public-app").method == "none"


@pytest.mark.parametrize(
    "auth",
    [
        ClientSecretBasic("client", SECRET),
        ClientSecretPost("client", SECRET),
        NoneAuth("client"),
        ClientSecretJwt("client", SECRET),
    ],
)
@pytest.mark.parametrize("param", ["client_secret", "client_assertion", "client_assertion_type"])
def test_credentials_already_in_the_body_are_refused(auth: ClientAuth, param: str) -> None:
    # The secret is never sent twice, nor by two methods at once.
    with pytest.raises(UsageError, match=param) as info:
        _apply(auth, [("grant_type", "x"), (param, SECRET)])
    assert SECRET not in str(info.value)


@pytest.mark.parametrize(
    "auth", [ClientSecretBasic("client", SECRET), ClientSecretPost("client", SECRET)]
)
def test_a_different_client_id_in_the_body_is_refused(auth: ClientAuth) -> None:
    with pytest.raises(UsageError, match="different client_id"):
        _apply(auth, [("client_id", "someone-else")])


# -- client_secret_jwt -----------------------------------------------------------------------


def _counter() -> Any:
    numbers = itertools.count(1)
    return lambda: f"jti-{next(numbers)}"


def _decode_hmac(assertion: str, secret: str, alg: str = "HS256") -> jwt.Token:
    raw = secret.encode("utf-8")
    return jwt.decode(assertion, jwk.OctKey(raw, raw), algorithms=[alg])


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_client_secret_jwt_claims(alg: str) -> None:
    auth = ClientSecretJwt("client-1", SECRET, alg=alg, lifetime=90, jti_factory=_counter())
    form, headers = _apply(auth)
    assert "Authorization" not in headers
    params = dict(form)
    assert params["client_assertion_type"] == CLIENT_ASSERTION_TYPE_JWT_BEARER
    assert "client_secret" not in params
    assert "client_id" not in params
    token = _decode_hmac(params["client_assertion"], SECRET, alg)
    assert token.header["alg"] == alg
    assert token.claims == {
        "iss": "client-1",
        "sub": "client-1",
        "aud": TOKEN_URL,
        "jti": "jti-1",
        "iat": int(NOW),
        "exp": int(NOW) + 90,
    }


def test_client_secret_jwt_short_secret_signs_without_warning() -> None:
    # Server-issued secrets are the key whatever their length; pytest turns warnings into errors.
    form, _ = _apply(ClientSecretJwt("c", "short"))
    assert _decode_hmac(dict(form)["client_assertion"], "short").claims["iss"] == "c"


def test_client_secret_jwt_audience_override_and_unique_jti() -> None:
    auth = ClientSecretJwt("c", SECRET, audience="https://as.example")
    first = _decode_hmac(auth.assertion(endpoint=TOKEN_URL, now=NOW), SECRET).claims
    second = _decode_hmac(auth.assertion(endpoint=TOKEN_URL, now=NOW), SECRET).claims
    assert first["aud"] == second["aud"] == "https://as.example"
    assert first["jti"] != second["jti"]
    assert len(first["jti"]) >= 32


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"alg": "RS256"}, "HS256"),
        ({"alg": "none"}, "HS256"),
        ({"lifetime": 0}, "lifetime"),
        ({"lifetime": -5}, "lifetime"),
        ({"lifetime": 1.5}, "lifetime"),
        ({"lifetime": True}, "lifetime"),
    ],
)
def test_client_secret_jwt_bad_options(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(UsageError, match=match):
        ClientSecretJwt("c", SECRET, **kwargs)


@pytest.mark.parametrize("bad", [lambda: "", lambda: 7])
def test_jti_factory_must_return_a_string(bad: Any) -> None:
    with pytest.raises(UsageError, match="jti_factory"):
        _apply(ClientSecretJwt("c", SECRET, jti_factory=bad))


# -- private_key_jwt -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rsa_key() -> jwk.RSAKey:
    return jwk.RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})


def _verify(assertion: str, key: Any, alg: str) -> jwt.Token:
    public = jwk.import_key(key.as_dict(private=False))
    return jwt.decode(assertion, public, algorithms=[alg])


def test_private_key_jwt_with_a_jwk_dict(rsa_key: jwk.RSAKey) -> None:
    auth = PrivateKeyJwt("client-9", rsa_key.as_dict(private=True), lifetime=120)
    assert (auth.alg, auth.kid) == ("RS256", "rsa-1")
    form, _ = _apply(auth)
    params = dict(form)
    assert params["client_assertion_type"] == CLIENT_ASSERTION_TYPE_JWT_BEARER
    token = _verify(params["client_assertion"], rsa_key, "RS256")
    assert token.header["kid"] == "rsa-1"
    assert token.header["alg"] == "RS256"
    claims = token.claims
    assert claims["iss"] == claims["sub"] == "client-9"
    assert claims["aud"] == TOKEN_URL
    assert claims["exp"] - claims["iat"] == 120
    assert claims["iat"] == int(NOW)


def test_private_key_jwt_jti_is_unique_per_call(rsa_key: jwk.RSAKey) -> None:
    auth = PrivateKeyJwt("c", rsa_key)
    jtis = {
        _verify(auth.assertion(endpoint=TOKEN_URL, now=NOW), rsa_key, "RS256").claims["jti"]
        for _ in range(5)
    }
    assert len(jtis) == 5


def test_private_key_jwt_explicit_alg_kid_and_issuer_audience(rsa_key: jwk.RSAKey) -> None:
    auth = PrivateKeyJwt(
        "c",
        rsa_key,
        alg="PS384",
        kid="other",
        audience="https://as.example",
        jti_factory=_counter(),
    )
    token = _verify(auth.assertion(endpoint=TOKEN_URL, now=NOW), rsa_key, "PS384")
    assert token.header["kid"] == "other"
    assert token.claims["aud"] == "https://as.example"
    assert token.claims["jti"] == "jti-1"


@pytest.mark.parametrize(
    ("curve", "alg"),
    [("P-256", "ES256"), ("P-384", "ES384"), ("P-521", "ES512"), ("secp256k1", "ES256K")],
)
def test_private_key_jwt_ec_pem_default_alg(curve: str, alg: str) -> None:
    key = jwk.ECKey.generate_key(curve)  # type: ignore[arg-type]
    pem = key.as_pem(private=True)
    auth = PrivateKeyJwt("c", pem.decode("ascii"))
    assert auth.alg == alg
    assert auth.kid is None
    token = _verify(auth.assertion(endpoint=TOKEN_URL, now=NOW), key, alg)
    assert "kid" not in token.header
    assert token.claims["sub"] == "c"


def test_private_key_jwt_with_cryptography_keys() -> None:
    for native, alg in [
        (rsa.generate_private_key(65537, 2048), "RS256"),
        (ec.generate_private_key(ec.SECP256R1()), "ES256"),
        (ed25519.Ed25519PrivateKey.generate(), "Ed25519"),
    ]:
        auth = PrivateKeyJwt("c", native)
        assert auth.alg == alg
        assertion = auth.assertion(endpoint=TOKEN_URL, now=NOW)
        public = jwk.import_key(auth.key.as_dict(private=False))
        assert jwt.decode(assertion, public, algorithms=[alg]).claims["iss"] == "c"


def test_private_key_jwt_uses_the_jwk_alg(rsa_key: jwk.RSAKey) -> None:
    data = {**rsa_key.as_dict(private=True), "alg": "RS512"}
    assert PrivateKeyJwt("c", data).alg == "RS512"


@pytest.mark.parametrize(
    ("key", "alg", "match"),
    [
        ({"kty": "oct", "k": "c2VjcmV0"}, None, "kty"),
        ({"kty": "RSA", "n": "x"}, None, "not a valid key"),
        ("-----BEGIN NOTHING-----", None, "PEM"),
        (b"\x00\x01", None, "PEM"),
        (12345, None, "private key"),
    ],
)
def test_private_key_jwt_rejects_unusable_keys(key: Any, alg: str | None, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        PrivateKeyJwt("c", key, alg=alg)


def test_private_key_jwt_rejects_public_and_symmetric_keys(rsa_key: jwk.RSAKey) -> None:
    with pytest.raises(UsageError, match="private key"):
        PrivateKeyJwt("c", rsa_key.as_dict(private=False))
    with pytest.raises(UsageError, match="client_secret_jwt"):
        PrivateKeyJwt("c", jwk.OctKey.generate_key(256))


@pytest.mark.parametrize("alg", ["ES256", "HS256", "Ed25519", "none"])
def test_private_key_jwt_alg_must_suit_the_key(rsa_key: jwk.RSAKey, alg: str) -> None:
    with pytest.raises(UsageError, match="does not suit"):
        PrivateKeyJwt("c", rsa_key, alg=alg)


def test_private_key_jwt_ec_curve_fixes_the_alg() -> None:
    with pytest.raises(UsageError, match="does not suit"):
        PrivateKeyJwt("c", jwk.ECKey.generate_key("P-256"), alg="ES384")


# -- registry --------------------------------------------------------------------------------


def test_registry_builds_each_builtin_method(rsa_key: jwk.RSAKey) -> None:
    assert {"client_secret_basic", "client_secret_post", "client_secret_jwt"} <= set(
        client_auth_methods()
    )
    assert isinstance(client_auth_for("client_secret_basic", "c", SECRET), ClientSecretBasic)
    assert isinstance(client_auth_for("client_secret_post", "c", SECRET), ClientSecretPost)
    jwt_auth = client_auth_for("client_secret_jwt", "c", SECRET, alg="HS512")
    assert isinstance(jwt_auth, ClientSecretJwt)
    assert jwt_auth.alg == "HS512"
    key_auth = client_auth_for("private_key_jwt", "c", key=rsa_key, audience="https://as")
    assert isinstance(key_auth, PrivateKeyJwt)
    assert key_auth.audience == "https://as"
    assert isinstance(client_auth_for("none", "c"), NoneAuth)


def test_registry_default_method_follows_the_secret() -> None:
    assert isinstance(client_auth_for(None, "c", SECRET), ClientSecretBasic)
    public = client_auth_for(None, "c")
    assert isinstance(public, NoneAuth)
    assert isinstance(client_auth_for(None, "c", ""), NoneAuth)
    form, headers = _apply(public)
    assert ("client_id", "c") in form
    assert "Authorization" not in headers


def test_registry_never_makes_basic_with_an_empty_password() -> None:
    with pytest.raises(UsageError, match="public"):
        client_auth_for("client_secret_basic", "c")
    with pytest.raises(UsageError, match="public"):
        client_auth_for("client_secret_basic", "c", "")


@pytest.mark.parametrize(
    ("method", "secret", "options", "match"),
    [
        ("tls_client_auth_typo", SECRET, {}, "unknown client authentication method"),
        ("none", SECRET, {}, "has a secret"),
        ("none", None, {"alg": "x"}, "no options"),
        ("private_key_jwt", None, {}, "key="),
        ("client_secret_basic", SECRET, {"alg": "HS256"}, "client_secret_basic"),
        ("client_secret_jwt", SECRET, {"bogus": 1}, "bogus"),
    ],
)
def test_registry_misuse(
    method: str, secret: str | None, options: dict[str, Any], match: str
) -> None:
    with pytest.raises(UsageError, match=match) as info:
        client_auth_for(method, "c", secret, **options)
    assert SECRET not in str(info.value)


def test_register_a_custom_method() -> None:
    class HeaderAuth:
        method = "x_custom_header"

        def __init__(self, client_id: str, client_secret: str | None) -> None:
            self.client_id = client_id
            self._secret = client_secret

        def apply(
            self,
            form: Any,
            headers: Any,
            *,
            endpoint: str,
            now: float,
        ) -> tuple[list[tuple[str, str]], dict[str, str]]:
            return list(form), {**headers, "X-Client": f"{self.client_id}/{self._secret}"}

    register_client_auth("x_custom_header", HeaderAuth)
    assert "x_custom_header" in client_auth_methods()
    auth = client_auth_for("x_custom_header", "c", "s")
    assert _apply(auth)[1]["X-Client"] == "c/s"
    with pytest.raises(UsageError, match="name"):
        register_client_auth("", HeaderAuth)


def test_missing_jose_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def fake(name: str, package: str | None = None) -> Any:
        if name.startswith("joserfc"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", fake)
    with pytest.raises(MissingExtraError, match=r"oauthkit\[jose\]"):
        _apply(ClientSecretJwt("c", SECRET))


# -- redaction -------------------------------------------------------------------------------


def test_no_secret_or_key_in_any_repr(rsa_key: jwk.RSAKey) -> None:
    private = rsa_key.as_dict(private=True)
    auths: list[Any] = [
        ClientSecretBasic("client", SECRET),
        ClientSecretPost("client", SECRET),
        ClientSecretJwt("client", SECRET),
        PrivateKeyJwt("client", private),
        NoneAuth("client"),
    ]
    for auth in auths:
        text = repr(auth) + str(auth)
        assert "client" in text
        assert SECRET not in text
        assert str(private["d"]) not in text
        assert "BEGIN" not in text
    basic = ClientSecretBasic("client", SECRET).authorization()
    assert basic.split()[1] not in repr(ClientSecretBasic("client", SECRET))


def test_secret_must_be_a_string() -> None:
    with pytest.raises(UsageError, match="must be a string"):
        ClientSecretBasic("c", 5)  # type: ignore[arg-type]


def test_unsupported_curve_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="not supported"):
        PrivateKeyJwt("c", ec.generate_private_key(ec.SECP192R1()))


def test_signing_failures_do_not_quote_the_library(
    rsa_key: jwk.RSAKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from joserfc.errors import JoseError

    auth = PrivateKeyJwt("c", rsa_key)

    def broken(*args: Any, **kwargs: Any) -> str:
        raise JoseError(f"key material {SECRET}")

    monkeypatch.setattr(jwt, "encode", broken)
    with pytest.raises(UsageError, match="cannot sign") as info:
        auth.assertion(endpoint=TOKEN_URL, now=NOW)
    assert SECRET not in str(info.value)


_B64 = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=12
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"kty": st.sampled_from(["RSA", "EC", "OKP", "oct", "x", ""])},
        optional={
            name: st.one_of(_B64, st.integers(), st.none())
            for name in ("n", "e", "d", "p", "q", "x", "y", "crv", "k", "alg", "kid")
        },
    )
)
def test_arbitrary_jwks_give_usage_errors(data: dict[str, Any]) -> None:
    try:
        auth = PrivateKeyJwt("c", data)
    except UsageError:
        return
    assert auth.alg


def test_encrypted_pem_is_refused_without_quoting_it() -> None:
    from cryptography.hazmat.primitives import serialization

    pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"passphrase"),
    )
    with pytest.raises(UsageError, match="unencrypted PEM") as info:
        PrivateKeyJwt("c", pem)
    assert "ENCRYPTED" not in str(info.value)
