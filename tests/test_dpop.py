"""DPoP (RFC 9449): keys, proofs, nonces, and the flows of TokenManager driven step by step.

Proofs are checked with joserfc, independently of how oauthkit made them: the header, the
claims and the signature under the public key the header carries.
"""

from __future__ import annotations

import base64
import hashlib
import json
import warnings
from typing import Any

import pytest
from joserfc import jwk, jws

import oauthkit
from oauthkit import DPoPKey, DPoPNonces, HttpResponse, SendProtected, SendRequest, TokenManager
from oauthkit._oauth2._dpop import dpop_htu

NOW = 1_700_000_000.0
TOKEN_URL = "https://as.example/token"
API = "https://rs.example/api/items?page=2#top"


def _verify(proof: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and claims of a proof whose signature verifies under its own ``jwk``."""
    header = json.loads(base64.urlsafe_b64decode(proof.split(".", maxsplit=1)[0] + "=="))
    public = jwk.import_key(header["jwk"])
    assert not public.is_private
    registry = jws.JWSRegistry(algorithms=[header["alg"]], strict_check_header=False)
    registry.max_header_length = 4096  # an RSA key's header is longer than joserfc's default
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "EdDSA is deprecated")  # RFC 9864; peers still use it
        compact = jws.deserialize_compact(proof, public, registry=registry)
    return dict(compact.headers()), json.loads(compact.payload)


def _ath(token: str) -> str:
    digest = hashlib.sha256(token.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def key() -> DPoPKey:
    return DPoPKey.generate()


# ------------------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    ("alg", "kty"), [("ES256", "EC"), ("RS256", "RSA"), ("PS256", "RSA"), ("EdDSA", "OKP")]
)
def test_generated_keys_sign_verifiable_proofs(alg: str, kty: str) -> None:
    key = DPoPKey.generate(alg)
    assert key.alg == alg
    assert key.public_jwk["kty"] == kty
    header, claims = _verify(oauthkit.build_dpop_proof(key, "post", TOKEN_URL, now=NOW))
    assert header == {"typ": "dpop+jwt", "alg": alg, "jwk": dict(key.public_jwk)}
    assert claims["htm"] == "POST"
    assert claims["htu"] == TOKEN_URL
    assert claims["iat"] == int(NOW)
    assert "ath" not in claims
    assert "nonce" not in claims


def test_the_public_jwk_and_thumbprint_are_the_public_half(key: DPoPKey) -> None:
    private = key.to_jwk()
    assert "d" in private
    assert "d" not in key.public_jwk
    # RFC 7638 thumbprint, as joserfc computes it from the public members
    assert key.thumbprint == jwk.thumbprint(dict(key.public_jwk))
    assert DPoPKey(private).thumbprint == key.thumbprint  # persisted and loaded again


def test_repr_never_shows_the_private_key(key: DPoPKey) -> None:
    text = repr(key)
    assert key.thumbprint in text
    for value in key.to_jwk().values():
        if len(str(value)) > 8 and str(value) not in key.public_jwk.values():
            assert str(value) not in text


def test_a_joserfc_key_is_accepted() -> None:
    raw = jwk.ECKey.generate_key("P-384", private=True)
    assert DPoPKey(raw).alg == "ES384"


@pytest.mark.parametrize(
    "bad",
    [
        {"kty": "oct", "k": "c2VjcmV0"},
        {"kty": "EC", "crv": "P-256", "x": "nope"},
        "not a key",
    ],
)
def test_unusable_keys_are_usage_errors(bad: Any) -> None:
    with pytest.raises(oauthkit.UsageError):
        DPoPKey(bad)


def test_a_public_key_or_a_wrong_alg_is_refused(key: DPoPKey) -> None:
    with pytest.raises(oauthkit.UsageError, match="private"):
        DPoPKey(dict(key.public_jwk))
    with pytest.raises(oauthkit.UsageError):
        DPoPKey(key.to_jwk(), alg="RS256")
    with pytest.raises(oauthkit.UsageError):
        DPoPKey.generate("HS256")


# ----------------------------------------------------------------------------------- proofs


def test_a_resource_proof_has_ath_nonce_and_a_unique_jti(key: DPoPKey) -> None:
    first = oauthkit.build_dpop_proof(
        key,
        "GET",
        API,
        now=NOW,
        nonce="n-1",
        access_token="Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU",
    )
    _, claims = _verify(first)
    assert claims["htu"] == "https://rs.example/api/items"  # no query, no fragment (§4.2)
    assert claims["ath"] == "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"  # RFC 9449 §7.1
    assert claims["nonce"] == "n-1"
    _, again = _verify(oauthkit.build_dpop_proof(key, "GET", API, now=NOW))
    assert again["jti"] != claims["jti"]
    assert len(claims["jti"]) >= 22


def test_jti_is_injectable(key: DPoPKey) -> None:
    _, claims = _verify(oauthkit.build_dpop_proof(key, "GET", API, now=NOW, jti="fixed"))
    assert claims["jti"] == "fixed"


@pytest.mark.parametrize(
    ("url", "htu"),
    [
        ("HTTPS://RS.Example:443/a/b?x=1", "https://rs.example/a/b"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ("http://[::1]:80/p#f", "http://[::1]/p"),
        ("https://user:pw@rs.example/p", "https://rs.example/p"),
    ],
)
def test_htu_normalisation(url: str, htu: str) -> None:
    assert dpop_htu(url) == htu


@pytest.mark.parametrize("url", ["/relative", "https://bad:port/"])
def test_htu_needs_an_absolute_url(url: str) -> None:
    with pytest.raises(oauthkit.UsageError):
        dpop_htu(url)


# ----------------------------------------------------------------------------------- nonces


def _response(status: int, headers: dict[str, str] | None = None, body: Any = b"") -> HttpResponse:
    if not isinstance(body, bytes):
        body = json.dumps(body).encode()
    return HttpResponse(status, headers or {}, body)


def test_nonces_are_remembered_per_origin() -> None:
    nonces = DPoPNonces()
    assert nonces.get(TOKEN_URL) is None
    assert nonces.learn(TOKEN_URL, _response(200, {"DPoP-Nonce": "abc"}))
    assert not nonces.learn("https://as.example:443/other", _response(200, {"DPoP-Nonce": "abc"}))
    assert nonces.get("https://AS.example/elsewhere") == "abc"
    assert nonces.get("https://rs.example/") is None
    assert not nonces.learn(TOKEN_URL, _response(200))
    assert not nonces.learn(TOKEN_URL, _response(200, {"DPoP-Nonce": 'bad"quote'}))
    assert nonces.get(TOKEN_URL) == "abc"
    assert nonces.learn(TOKEN_URL, _response(200, {"DPoP-Nonce": "def"}))
    assert nonces.get(TOKEN_URL) == "def"


def test_nonce_memory_is_bounded() -> None:
    nonces = DPoPNonces()
    for i in range(100):
        nonces.learn(f"https://h{i}.example/", _response(200, {"DPoP-Nonce": "n"}))
    assert nonces.get("https://h0.example/") is None
    assert nonces.get("https://h99.example/") == "n"


# ------------------------------------------------------------------ TokenManager, step by step


def _manager(key: DPoPKey, **kw: Any) -> TokenManager:
    return TokenManager("c", token_endpoint=TOKEN_URL, dpop=key, clock=lambda: NOW, **kw)


_TOKEN = {"access_token": "at-1", "token_type": "DPoP", "expires_in": 300, "refresh_token": "rt"}
_NONCE_ERROR = {"error": "use_dpop_nonce", "error_description": "nonce"}


def test_a_token_request_carries_a_proof_and_retries_once_for_a_nonce(key: DPoPKey) -> None:
    manager = _manager(key)
    flow = manager.fetch_flow(
        oauthkit.AuthorizationCodeGrant(code="c0", redirect_uri="https://c/cb")
    )
    step = next(flow)
    assert isinstance(step, oauthkit.Exclusive)
    inner = step.flow
    first = next(inner)
    assert isinstance(first, SendRequest)
    _, claims = _verify(first.request.headers["DPoP"])
    assert claims["htm"] == "POST"
    assert claims["htu"] == TOKEN_URL
    assert "nonce" not in claims
    second = inner.send(_response(400, {"DPoP-Nonce": "n-1"}, _NONCE_ERROR))
    assert isinstance(second, SendRequest)
    _, claims2 = _verify(second.request.headers["DPoP"])
    assert claims2["nonce"] == "n-1"
    assert claims2["jti"] != claims["jti"]
    assert second.request.body == first.request.body  # the same code: it was not consumed (§8)
    with pytest.raises(StopIteration) as done:
        inner.send(_response(200, {"DPoP-Nonce": "n-2"}, _TOKEN))
    assert done.value.value.token_type == "DPoP"
    assert manager.dpop_nonces.get(TOKEN_URL) == "n-2"


def test_a_second_nonce_refusal_is_not_retried(key: DPoPKey) -> None:
    manager = _manager(key)
    inner = next(manager.fetch_flow(oauthkit.ClientCredentialsGrant())).flow
    next(inner)
    inner.send(_response(400, {"DPoP-Nonce": "n-1"}, _NONCE_ERROR))
    with pytest.raises(oauthkit.UseDpopNonceError):
        inner.send(_response(400, {"DPoP-Nonce": "n-2"}, _NONCE_ERROR))


def test_a_refusal_without_a_new_nonce_is_not_retried(key: DPoPKey) -> None:
    inner = next(_manager(key).fetch_flow(oauthkit.ClientCredentialsGrant())).flow
    next(inner)
    with pytest.raises(oauthkit.UseDpopNonceError):
        inner.send(_response(400, {}, _NONCE_ERROR))


def test_a_protected_request_sends_dpop_with_ath_and_retries_once_for_a_nonce(
    key: DPoPKey,
) -> None:
    manager = _manager(key, token=_TOKEN)
    assert manager.ready_step(API) is None  # each proof names the method: always the flow
    flow = manager.protected_flow("GET", API)
    step = next(flow)
    assert isinstance(step, SendProtected)
    headers = dict(step.patch.headers)
    assert headers["Authorization"] == "DPoP at-1"
    _, claims = _verify(headers["DPoP"])
    assert claims["ath"] == _ath("at-1")
    assert claims["htm"] == "GET"
    challenge = 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce"'
    retry = flow.send(_response(401, {"WWW-Authenticate": challenge, "DPoP-Nonce": "r-1"}))
    assert isinstance(retry, SendProtected)
    _, claims2 = _verify(dict(retry.patch.headers)["DPoP"])
    assert claims2["nonce"] == "r-1"
    assert claims2["jti"] != claims["jti"]
    with pytest.raises(StopIteration):
        flow.send(_response(401, {"WWW-Authenticate": challenge, "DPoP-Nonce": "r-2"}))


def test_a_bearer_token_stays_bearer_with_a_key(key: DPoPKey) -> None:
    manager = _manager(key, token={"access_token": "b", "token_type": "Bearer"})
    ready = manager.ready_step(API)
    assert ready is not None
    assert ready[1].patch.headers == (("Authorization", "Bearer b"),)


def test_a_dpop_token_without_a_key_is_a_usage_error() -> None:
    manager = TokenManager("c", token=_TOKEN)
    with pytest.raises(oauthkit.UsageError, match="DPoP"):
        manager.protected_step(manager.token, "GET", API)


def test_a_session_adds_dpop_jkt_to_the_authorization_url(key: DPoPKey) -> None:
    from oauthkit._compat._session import OAuth2SessionState

    state = OAuth2SessionState("c", redirect_uri="https://c/cb", pkce="S256", dpop=key)
    url, _ = state.authorization_url("https://as.example/authorize")
    assert f"dpop_jkt={key.thumbprint}" in url
