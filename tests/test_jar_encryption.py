"""Encrypted request objects (RFC 9101 §6.1) without a server: the algorithm and key choice,
refusals with typed errors, the key cache keeping encryption keys away from signature checks,
the nested JWT decrypting to the signed request object, and secrets never shown."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import requests_mock
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwe, jwt
from joserfc.jwk import ECKey, KeySet, OctKey, OKPKey, RSAKey

import oauthkit
from oauthkit import OAuthError, RequestObjectSigner, ServerMetadata, UsageError, oidc
from oauthkit._jose._compact import Rejected
from oauthkit._jose._encrypt import (
    CONTENT_ENCRYPTION,
    DEFAULT_CONTENT_ENCRYPTION,
    KEY_MANAGEMENT,
    choose_encryption,
)
from oauthkit._jose._keys import import_jwks

ISSUER = "https://as.example"
AUTHZ_URL = "https://as.example/authorize"
SECRET = "s3cr3t-" + "0123456789abcdef" * 2
ALG_LIST = "request_object_encryption_alg_values_supported"
ENC_LIST = "request_object_encryption_enc_values_supported"

RSA_ENC = RSAKey.generate_key(2048, {"kid": "enc-rsa", "use": "enc"})
EC_ENC = ECKey.generate_key("P-256", {"kid": "enc-ec", "use": "enc"})
RSA_SIG = RSAKey.generate_key(2048, {"kid": "sig-rsa", "use": "sig", "alg": "RS256"})
CLIENT_EC = ECKey.generate_key("P-256", {"kid": "client-es256"})


def _public(*keys: Any) -> dict[str, Any]:
    return {"keys": [key.as_dict(private=False) for key in keys]}


def _metadata(**lists: list[str]) -> ServerMetadata:
    return ServerMetadata(
        issuer=ISSUER,
        endpoints={"authorization_endpoint": AUTHZ_URL, "jwks_uri": f"{ISSUER}/jwks"},
        supported={name: tuple(values) for name, values in lists.items()},
    )


def _header(token: str) -> dict[str, Any]:
    import base64

    part = token.split(".", 1)[0]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return value


def _open(token: str, *private: Any) -> str:
    registry = jwe.JWERegistry(algorithms=[*KEY_MANAGEMENT, *CONTENT_ENCRYPTION])
    plaintext = jwe.decrypt_compact(token, KeySet(list(private)), registry=registry).plaintext
    assert plaintext is not None
    return plaintext.decode()


# --- the key cache: encryption keys apart (RFC 7517 §4.2) -------------------------------------


def test_encryption_keys_are_kept_apart_from_signature_keys() -> None:
    keys = import_jwks(_public(RSA_SIG, RSA_ENC, EC_ENC))
    assert [k.kid for k in keys.keys] == ["sig-rsa"]
    assert [k.kid for k in keys.encryption] == ["enc-rsa", "enc-ec"]
    # a token naming an encryption key's kid finds no key to verify it
    assert keys.candidates("RS256", "enc-rsa") == []
    assert keys.candidates("ES256", "enc-ec") == []
    assert [k.kid for k in keys.candidates("RS256", None)] == ["sig-rsa"]
    assert keys.kids() == frozenset({"sig-rsa"})
    assert "2 encryption keys" in repr(keys)


def test_a_token_signed_with_an_encryption_key_is_not_verified() -> None:
    """The server's encryption key pair signing a token (a forgery or a confusion) is refused:
    verification looks only at signature keys."""
    from oauthkit._jose._compact import parse_jws
    from oauthkit._jose._verify import UnknownKey, verify_jws

    private = RSAKey.import_key(RSA_ENC.as_dict(private=True) | {"use": "sig"})
    keys = import_jwks(_public(RSA_SIG, RSA_ENC))
    for kid in ("enc-rsa", None):
        header = {"alg": "RS256"} | ({"kid": kid} if kid else {})
        token = parse_jws(jwt.encode(header, {"sub": "x"}, private))
        with pytest.raises(Rejected) as caught:
            verify_jws(token, keys=keys, algorithms=frozenset({"RS256"}))
        # named: no key has that kid; unnamed: the one signature key does not verify it
        assert isinstance(caught.value, UnknownKey) == (kid is not None)


@pytest.mark.parametrize(
    ("member", "role"),
    [
        ({"use": "enc"}, "enc"),
        ({"use": "enc", "key_ops": ["wrapKey"]}, "enc"),
        ({"use": "enc", "key_ops": ["sign"]}, None),
        ({"use": "sig"}, "sig"),
        ({}, "sig"),
        ({"key_ops": ["verify"]}, "sig"),
        ({"key_ops": ["encrypt"]}, None),  # no use: only a signature key may omit it
        ({"use": "other"}, None),
        ({"use": "enc", "key_ops": "wrapKey"}, None),
    ],
)
def test_use_and_key_ops_decide_the_role(member: dict[str, Any], role: str | None) -> None:
    base = {k: v for k, v in RSA_ENC.as_dict(private=False).items() if k not in ("use",)}
    keys = import_jwks({"keys": [base | member]})
    assert (len(keys.keys), len(keys.encryption)) == (role == "sig", role == "enc")


def test_small_rsa_and_symmetric_encryption_keys_are_skipped() -> None:
    import base64

    modulus = base64.urlsafe_b64encode(b"\xc1" * 128).rstrip(b"=").decode()  # 1024 bits
    small = {"kty": "RSA", "n": modulus, "e": "AQAB", "use": "enc"}
    oct_key = {"kty": "oct", "k": "c2VjcmV0", "use": "enc"}
    keys = import_jwks({"keys": [small, oct_key]})
    assert keys.encryption == ()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "kty": st.sampled_from(["RSA", "EC", "OKP", "oct", 1]),
                "use": st.sampled_from(["enc", "sig", None, 3, ""]),
                "key_ops": st.one_of(st.none(), st.lists(st.sampled_from(["verify", "wrapKey"]))),
                "crv": st.sampled_from(["P-256", "X25519", "P-999", 7]),
                "x": st.text(max_size=8),
                "y": st.text(max_size=8),
                "n": st.text(max_size=8),
                "e": st.sampled_from(["AQAB", ""]),
                "kid": st.one_of(st.text(max_size=4), st.integers()),
            },
        ),
        max_size=4,
    )
)
def test_import_jwks_returns_a_key_set_or_rejects(members: list[dict[str, Any]]) -> None:
    try:
        keys = import_jwks({"keys": members})
    except Rejected:
        return
    assert all(key.kty in ("RSA", "EC", "OKP") for key in (*keys.keys, *keys.encryption))


# --- the choice of algorithms and key ----------------------------------------------------------


def _enc_keys(*keys: Any) -> Any:
    return import_jwks(_public(*keys)).encryption


def test_preferred_algorithms_among_those_listed() -> None:
    choice = choose_encryption(
        _enc_keys(EC_ENC, RSA_ENC),
        alg_values=["RSA-OAEP", "RSA-OAEP-256", "ECDH-ES", "A128KW"],
        enc_values=["A128CBC-HS256", "A256GCM"],
    )
    assert (choice.alg, choice.enc, choice.key.kid) == ("RSA-OAEP-256", "A256GCM", "enc-rsa")


def test_an_ec_key_gets_ecdh_es_with_key_wrapping() -> None:
    choice = choose_encryption(
        _enc_keys(EC_ENC), alg_values=None, enc_values=["A128GCM", "A128CBC-HS256"]
    )
    assert (choice.alg, choice.enc) == ("ECDH-ES+A256KW", "A128CBC-HS256")


def test_without_an_enc_list_the_registration_default() -> None:
    choice = choose_encryption(_enc_keys(RSA_ENC), alg_values=None, enc_values=None)
    assert (choice.alg, choice.enc) == ("RSA-OAEP-256", DEFAULT_CONTENT_ENCRYPTION)


def test_a_key_restricted_to_an_algorithm_is_used_only_with_it() -> None:
    restricted = RSAKey.import_key(RSA_ENC.as_dict(private=False) | {"alg": "RSA-OAEP"})
    choice = choose_encryption(_enc_keys(restricted), alg_values=None, enc_values=None)
    assert choice.alg == "RSA-OAEP"


def test_x25519_keys_are_used_for_ecdh() -> None:
    okp = OKPKey.generate_key("X25519", {"kid": "x", "use": "enc"})
    choice = choose_encryption(_enc_keys(okp), alg_values=["ECDH-ES"], enc_values=None)
    assert (choice.alg, choice.key.kid) == ("ECDH-ES", "x")


@pytest.mark.parametrize(
    ("keys", "alg_values", "enc_values", "pinned", "message"),
    [
        ((), None, None, {}, 'use: "enc"'),
        ((RSA_ENC,), ["RSA1_5"], None, {}, "include none oauthkit uses"),
        ((RSA_ENC,), ["dir", "A128KW", "A256KW"], None, {}, "include none"),
        ((RSA_ENC,), None, ["A128CBC"], {}, "content encryption"),
        ((EC_ENC,), ["RSA-OAEP-256"], None, {}, "no encryption key of the server"),
        ((RSA_ENC,), ["RSA-OAEP"], None, {"alg": "RSA-OAEP-256"}, "key management"),
        ((RSA_ENC,), None, ["A128GCM"], {"enc": "A256GCM"}, "content encryption"),
        ((RSA_ENC,), None, None, {"alg": "ECDH-ES"}, "no encryption key"),
    ],
)
def test_refusals(
    keys: tuple[Any, ...],
    alg_values: list[str] | None,
    enc_values: list[str] | None,
    pinned: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(UsageError, match=message):
        choose_encryption(_enc_keys(*keys), alg_values=alg_values, enc_values=enc_values, **pinned)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.lists(st.text(max_size=16) | st.sampled_from(KEY_MANAGEMENT))),
    st.one_of(st.none(), st.lists(st.text(max_size=16) | st.sampled_from(CONTENT_ENCRYPTION))),
)
def test_any_server_lists_give_a_choice_or_a_usage_error(
    alg_values: list[str] | None, enc_values: list[str] | None
) -> None:
    try:
        choice = choose_encryption(
            _enc_keys(RSA_ENC, EC_ENC), alg_values=alg_values, enc_values=enc_values
        )
    except UsageError:
        return
    assert choice.alg in KEY_MANAGEMENT
    assert choice.alg != "RSA1_5"
    assert alg_values is None or choice.alg in alg_values
    assert choice.enc in CONTENT_ENCRYPTION


# --- the signer ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"encrypt": True, "encryption_alg": "RSA1_5"}, "RSA1_5"),
        ({"encrypt": True, "encryption_alg": "dir"}, "usable"),
        ({"encrypt": True, "encryption_enc": "A128CBC"}, "usable"),
        ({"encryption_alg": "RSA-OAEP-256"}, "encrypt is not True"),
        ({"encrypt": "yes"}, "True or False"),
    ],
)
def test_bad_encryption_options(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        RequestObjectSigner(secret=SECRET, **kwargs)


def test_the_sealed_request_object_is_the_signed_one_encrypted() -> None:
    signer = RequestObjectSigner(key=CLIENT_EC.as_dict(private=True), encrypt=True)
    signed = signer.sign([("state", "st")], client_id="c1", audience=ISSUER, now=1.7e9)
    keys = import_jwks(_public(RSA_SIG, RSA_ENC, EC_ENC))
    sealed = signer.seal(signed, keys, _metadata(**{ALG_LIST: ["ECDH-ES"], ENC_LIST: ["A128GCM"]}))
    assert sealed.count(".") == 4
    assert _header(sealed) == _header(sealed) | {"alg": "ECDH-ES", "enc": "A128GCM", "cty": "JWT"}
    assert _header(sealed)["kid"] == "enc-ec"
    assert _open(sealed, EC_ENC) == signed
    assert signed not in sealed
    # without encrypt, seal is the identity
    plain = RequestObjectSigner(key=CLIENT_EC.as_dict(private=True))
    assert plain.seal(signed, keys, None) == signed


def test_repr_says_encrypt_and_shows_no_secret() -> None:
    signer = RequestObjectSigner(secret=SECRET, encrypt=True, encryption_alg="RSA-OAEP-256")
    assert "encrypt=True" in repr(signer)
    assert SECRET not in repr(signer)


# --- on a session --------------------------------------------------------------------------------


def _relying_party(*keys: Any, **lists: list[str]) -> oidc.RelyingParty:
    provider = oidc.Provider(ISSUER, metadata=_metadata(**lists), jwks=_public(*keys))
    return oidc.RelyingParty(provider, "c1")


def test_a_session_sends_the_encrypted_request_object_by_value() -> None:
    import oauthkit.requests as okrequests

    signer = RequestObjectSigner(secret=SECRET, encrypt=True)
    rp = _relying_party(RSA_SIG, RSA_ENC, **{ALG_LIST: ["RSA-OAEP-256"], ENC_LIST: ["A256GCM"]})
    session = okrequests.OAuth2Session(
        "c1", redirect_uri="https://client.example/cb", relying_party=rp, request_object=signer
    )
    url, state = session.authorization_url()
    query = dict(parse_qsl(urlsplit(url).query))
    assert set(query) == {"client_id", "request"}
    inner = _open(query["request"], RSA_ENC)
    claims = jwt.decode(inner, OctKey.import_key(SECRET)).claims
    assert claims["state"] == state
    assert claims["aud"] == ISSUER


def test_a_session_refuses_a_server_without_encryption_keys() -> None:
    import oauthkit.requests as okrequests

    signer = RequestObjectSigner(secret=SECRET, encrypt=True)
    session = okrequests.OAuth2Session(
        "c1",
        redirect_uri="https://client.example/cb",
        relying_party=_relying_party(RSA_SIG),
        request_object=signer,
    )
    with pytest.raises(UsageError, match='use: "enc"') as caught:
        session.authorization_url()
    assert SECRET not in str(caught.value)


def test_encryption_needs_an_issuer() -> None:
    import oauthkit.requests as okrequests

    signer = RequestObjectSigner(secret=SECRET, encrypt=True)
    session = okrequests.OAuth2Session("c1", request_object=signer, issuer=None)
    with pytest.raises(UsageError, match="issuer"):
        session.authorization_url(AUTHZ_URL)


def test_the_async_client_asks_for_discover_when_the_keys_are_not_loaded() -> None:
    import anyio

    import oauthkit.httpx as okhttpx

    provider = oidc.Provider(ISSUER, metadata=_metadata())  # metadata known, keys not
    rp = oidc.RelyingParty(provider, "c1")
    signer = RequestObjectSigner(secret=SECRET, encrypt=True)

    async def main() -> None:
        def refuse(request: httpx.Request) -> httpx.Response:
            raise AssertionError(f"no I/O expected: {request.url}")

        async with okhttpx.AsyncOAuth2Client(
            "c1",
            redirect_uri="https://client.example/cb",
            relying_party=rp,
            request_object=signer,
            transport=httpx.MockTransport(refuse),
        ) as client:
            with pytest.raises(UsageError, match="discover"):
                client.authorization_url()

    anyio.run(main)


def test_an_echoed_encrypted_request_object_is_redacted() -> None:
    """A server error echoing the pushed body keeps the request object out of the message."""
    import oauthkit.requests as okrequests

    seen: list[str] = []
    signer = RequestObjectSigner(secret=SECRET, encrypt=True)
    rp = _relying_party(RSA_ENC)
    session = okrequests.OAuth2Session(
        "c1",
        redirect_uri="https://client.example/cb",
        relying_party=rp,
        request_object=signer,
        par="https://as.example/par",
        client_auth=oauthkit.ClientSecretBasic("c1", SECRET),
    )
    with requests_mock.Mocker() as mock:

        def echo(request: Any, context: Any) -> str:
            body = request.text
            seen.append(dict(parse_qsl(body))["request"])
            context.status_code = 400
            return json.dumps({"error": "invalid_request_object", "error_description": body})

        mock.post("https://as.example/par", text=echo)
        with pytest.raises(OAuthError) as caught:
            session.authorization_url()
    [sealed] = seen
    assert sealed.count(".") == 4
    assert sealed not in str(caught.value)
    assert sealed not in repr(caught.value)


def test_a_key_set_without_an_encryption_key_is_refetched_once() -> None:
    """The provider added its encryption key after the client cached the set: the client
    refetches the set (once, rate-limited) rather than failing until the cache expires."""
    import oauthkit.requests as okrequests

    issuer = "https://rotating.example"
    document = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "jwks_uri": f"{issuer}/jwks",
    }
    rp = oidc.RelyingParty(oidc.Provider(issuer), "c1")
    session = okrequests.OAuth2Session(
        "c1",
        redirect_uri="https://client.example/cb",
        relying_party=rp,
        request_object=RequestObjectSigner(secret=SECRET, encrypt=True),
    )
    with requests_mock.Mocker() as mock:
        mock.get(f"{issuer}/.well-known/openid-configuration", json=document)
        jwks = mock.get(f"{issuer}/jwks", json=_public(RSA_SIG))
        with pytest.raises(UsageError, match='use: "enc"'):
            session.authorization_url()
        assert jwks.call_count == 1  # fetched just now: not fetched again at once
        jwks = mock.get(f"{issuer}/jwks", json=_public(RSA_SIG, RSA_ENC))
        url, _ = session.authorization_url()
        assert jwks.call_count == 1  # the refetch found the new key
        request = dict(parse_qsl(urlsplit(url).query))["request"]
        assert _header(request)["kid"] == "enc-rsa"
        session.authorization_url()
        assert jwks.call_count == 1  # and it is cached from then on
