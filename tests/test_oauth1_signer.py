"""OAuth1Signer behaviour: placement, realm, body hash, nonce/time injection, keys, misuse.

Signatures themselves are checked against the RFC (test_signature.py) and against oauthlib
(test_oauth1_differential.py); this module pins down everything around them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit import HttpRequest, InsecureTransportError, SignatureMethodError, UsageError
from oauthkit.oauth1 import (
    HMAC_SHA1,
    HMAC_SHA256,
    PLAINTEXT,
    RSA_SHA1,
    RSA_SHA256,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    OAuth1Signer,
    SigningMaterial,
    _signature,
    register_signature_method,
)
from oauthkit.oauth1._signature import signature_base_string

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
URL = "https://api.example.com/1/resource"


def _signer(**kw: Any) -> OAuth1Signer:
    kw.setdefault("client_secret", "consumer-secret")
    kw.setdefault("resource_owner_key", "token-key")
    kw.setdefault("resource_owner_secret", "token-secret")
    kw.setdefault("nonce", "fixednonce")
    kw.setdefault("timestamp", "1700000000")
    return OAuth1Signer("consumer-key", **kw)


def _header_params(request: HttpRequest) -> dict[str, str]:
    header = request.headers["Authorization"]
    assert header.startswith("OAuth ")
    return {k: unquote(v) for k, v in re.findall(r'(\w+)="([^"]*)"', header)}


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@functools.cache
def _rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _signed_base_string(request: HttpRequest, oauth: dict[str, str]) -> str:
    """Recompute the base string a server would, from what is on the wire."""
    params = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
    params += [(k, v) for k, v in oauth.items() if k not in ("realm", "oauth_signature")]
    return signature_base_string(request.method, request.url, params)


# --- realm and header shape ------------------------------------------------------------------


def test_realm_goes_in_the_header_but_not_in_the_signature() -> None:
    plain = _header_params(_signer().sign("GET", URL))
    with_realm_request = _signer(realm="Photos").sign("GET", URL)
    with_realm = _header_params(with_realm_request)
    assert with_realm_request.headers["Authorization"].startswith('OAuth realm="Photos", ')
    assert with_realm.pop("realm") == "Photos"
    assert with_realm == plain


def test_realm_is_a_quoted_string() -> None:
    header = _signer(realm='a "b" \\c').sign("GET", URL).headers["Authorization"]
    assert header.startswith('OAuth realm="a \\"b\\" \\\\c", ')


def test_headers_are_str_and_body_is_bytes() -> None:
    request = _signer().sign("post", URL, {"X-Trace": "1", **FORM}, "a=1&b=%C3%A9")
    assert request.method == "POST"
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in request.headers.items())
    assert request.headers["X-Trace"] == "1"
    assert request.body == b"a=1&b=%C3%A9"
    assert request.url == URL


def test_header_lists_protocol_parameters_in_a_stable_order() -> None:
    request = _signer(callback_uri="oob", verifier="v").sign("GET", URL)
    names = re.findall(r'(\w+)="', request.headers["Authorization"])
    assert names == [
        "oauth_nonce",
        "oauth_timestamp",
        "oauth_version",
        "oauth_signature_method",
        "oauth_consumer_key",
        "oauth_token",
        "oauth_callback",
        "oauth_verifier",
        "oauth_signature",
    ]


def test_header_signature_verifies() -> None:
    request = _signer().sign("GET", URL + "?q=a%20b&q=")
    oauth = _header_params(request)
    key = b"consumer-secret&token-secret"
    base = _signed_base_string(request, oauth)
    expected = base64.b64encode(hmac.new(key, base.encode(), hashlib.sha1).digest()).decode()
    assert oauth["oauth_signature"] == expected


# --- query and body placement ----------------------------------------------------------------


def test_query_placement_keeps_existing_query_and_fragment() -> None:
    url = "https://api.example.com/p?x=1&y=a%20b#section-2"
    request = _signer(signature_type=SIGNATURE_TYPE_QUERY).sign("GET", url)
    assert "Authorization" not in request.headers
    base, _, fragment = request.url.partition("#")
    assert fragment == "section-2"
    assert base.startswith("https://api.example.com/p?x=1&y=a%20b&oauth_nonce=fixednonce&")
    pairs = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
    assert pairs[:2] == [("x", "1"), ("y", "a b")]
    oauth = dict(pairs[2:])
    assert set(oauth) >= {"oauth_signature", "oauth_token", "oauth_consumer_key"}
    key = b"consumer-secret&token-secret"
    unsigned = [p for p in pairs if p[0] != "oauth_signature"]
    base_string = signature_base_string("GET", request.url, unsigned)
    digest = hmac.new(key, base_string.encode(), hashlib.sha1).digest()
    assert oauth["oauth_signature"] == base64.b64encode(digest).decode()


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://h.example/p", "https://h.example/p?oauth_nonce="),
        ("https://h.example/p?", "https://h.example/p?oauth_nonce="),
        ("https://h.example/p?a=1&", "https://h.example/p?a=1&oauth_nonce="),
    ],
)
def test_query_placement_joins_cleanly(url: str, prefix: str) -> None:
    assert _signer(signature_type="query").sign("GET", url).url.startswith(prefix)


def test_body_placement_appends_to_the_form_and_sets_content_type() -> None:
    signer = _signer(signature_type=SIGNATURE_TYPE_BODY)
    request = signer.sign("POST", URL, None, b"status=hello%20world")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "Authorization" not in request.headers
    assert request.url == URL
    assert request.body is not None
    pairs = parse_qsl(request.body.decode(), keep_blank_values=True)
    assert pairs[0] == ("status", "hello world")
    assert [k for k, _ in pairs[1:]][-1] == "oauth_signature"
    empty = signer.sign("POST", URL)
    assert empty.body is not None
    assert empty.body.startswith(b"oauth_nonce=fixednonce&")


@pytest.mark.parametrize("method", ["GET", "HEAD", "get"])
def test_body_placement_on_get_or_head_is_refused(method: str) -> None:
    with pytest.raises(UsageError, match=r"signature_type=BODY cannot sign a (GET|HEAD)"):
        _signer(signature_type=SIGNATURE_TYPE_BODY).sign(method, URL)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data"])
def test_body_placement_needs_a_form_body(content_type: str) -> None:
    signer = _signer(signature_type=SIGNATURE_TYPE_BODY)
    with pytest.raises(UsageError, match="application/x-www-form-urlencoded") as info:
        signer.sign("POST", URL, {"Content-Type": content_type}, b'{"a": 1}')
    assert content_type in str(info.value)


@pytest.mark.parametrize("headers", [FORM, None])
def test_form_body_on_get_is_refused(headers: dict[str, str] | None) -> None:
    # Without a Content-Type, a body made only of form characters is taken to be a form.
    with pytest.raises(UsageError, match="GET request must not carry a form body"):
        _signer().sign("GET", URL, headers, "a=1")


def test_form_body_without_content_type_is_detected_and_signed() -> None:
    signed = _signer().sign("POST", URL, None, "a=1&b=2")
    explicit = _signer().sign("POST", URL, FORM, "a=1&b=2")
    assert signed.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert signed.headers["Authorization"] == explicit.headers["Authorization"]
    assert signed.headers["Authorization"] != _signer().sign("POST", URL).headers["Authorization"]


def test_non_form_body_is_left_alone_and_out_of_the_signature() -> None:
    body = b'{"a": "b=c"}'
    request = _signer().sign("POST", URL, JSON, body)
    assert request.body == body
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Authorization"] == _signer().sign("POST", URL).headers["Authorization"]


def test_non_utf8_form_body_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="UTF-8"):
        _signer().sign("POST", URL, FORM, b"name=\xe9t\xe9")


# --- body hash (OAuth Request Body Hash) -----------------------------------------------------


@pytest.mark.parametrize(
    ("method", "digest"), [(HMAC_SHA1, hashlib.sha1), (HMAC_SHA256, hashlib.sha256)]
)
def test_body_hash_covers_a_json_body(method: str, digest: Any) -> None:
    body = json.dumps({"text": "héllo", "n": 1}).encode()
    request = _signer(body_hash=True, signature_method=method).sign("PUT", URL, JSON, body)
    oauth = _header_params(request)
    assert oauth["oauth_body_hash"] == base64.b64encode(digest(body).digest()).decode()
    other = _signer(body_hash=True, signature_method=method).sign("PUT", URL, JSON, body + b" ")
    assert _header_params(other)["oauth_signature"] != oauth["oauth_signature"]


def test_body_hash_is_never_sent_for_form_bodies_or_when_off() -> None:
    form = _signer(body_hash=True).sign("POST", URL, FORM, "a=1")
    assert "oauth_body_hash" not in _header_params(form)
    off = _signer().sign("POST", URL, JSON, b"{}")
    assert "oauth_body_hash" not in _header_params(off)


# --- nonce and timestamp ---------------------------------------------------------------------


def test_pinned_nonce_and_timestamp_are_used_and_beat_the_factories() -> None:
    def never() -> str:
        raise AssertionError("factory called although the value is pinned")

    signer = _signer(nonce="n-1", timestamp="42", nonce_factory=never, timestamp_factory=never)
    oauth = _header_params(signer.sign("GET", URL))
    assert (oauth["oauth_nonce"], oauth["oauth_timestamp"]) == ("n-1", "42")


def test_factories_are_called_once_per_request() -> None:
    nonces = iter(["first", "second"])
    times = iter(["100", "200"])
    signer = OAuth1Signer(
        "k",
        client_secret="s",
        nonce_factory=lambda: next(nonces),
        timestamp_factory=lambda: next(times),
    )
    one, two = (_header_params(signer.sign("GET", URL)) for _ in range(2))
    assert (one["oauth_nonce"], one["oauth_timestamp"]) == ("first", "100")
    assert (two["oauth_nonce"], two["oauth_timestamp"]) == ("second", "200")
    assert one["oauth_signature"] != two["oauth_signature"]


def test_default_nonce_is_fresh_and_timestamp_numeric() -> None:
    signer = OAuth1Signer("k", client_secret="s")
    one, two = (_header_params(signer.sign("GET", URL)) for _ in range(2))
    assert one["oauth_nonce"] != two["oauth_nonce"]
    assert 20 <= len(one["oauth_nonce"]) <= 30
    assert one["oauth_timestamp"].isdigit()


# --- signature methods and keys --------------------------------------------------------------


def test_unknown_signature_method_is_refused_at_construction() -> None:
    with pytest.raises(SignatureMethodError, match="HMAC-MD5"):
        _signer(signature_method="HMAC-MD5")


@pytest.mark.parametrize("method", ["RSA-SHA1", "RSA-SHA256", "RSA-SHA512"])
def test_rsa_method_without_key_is_refused(method: str) -> None:
    with pytest.raises(SignatureMethodError, match="rsa_key"):
        OAuth1Signer("k", signature_method=method)


@pytest.mark.parametrize(
    "bad_key",
    [
        "not a pem at all",
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        object(),
    ],
)
def test_bad_rsa_key_is_a_signature_method_error(bad_key: object) -> None:
    with pytest.raises(SignatureMethodError):
        OAuth1Signer("k", signature_method=RSA_SHA1, rsa_key=bad_key)


def test_encrypted_or_non_rsa_pem_is_a_signature_method_error() -> None:
    encrypted = _rsa_key().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(b"pw"),
    )
    with pytest.raises(SignatureMethodError, match="unencrypted"):
        OAuth1Signer("k", signature_method=RSA_SHA1, rsa_key=encrypted)
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    with pytest.raises(SignatureMethodError, match="RSA"):
        OAuth1Signer("k", signature_method=RSA_SHA1, rsa_key=ec_pem)


def test_pem_is_parsed_once_and_shared(monkeypatch: pytest.MonkeyPatch) -> None:
    # A key of its own, so no earlier test has already put it in the cache.
    pem = _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    calls: list[bytes] = []
    real = serialization.load_pem_private_key

    def counting(data: bytes, *args: Any, **kw: Any) -> Any:
        calls.append(data)
        return real(data, *args, **kw)

    monkeypatch.setattr(serialization, "load_pem_private_key", counting)
    first = OAuth1Signer("k", signature_method=RSA_SHA256, rsa_key=pem)
    second = OAuth1Signer("k", signature_method=RSA_SHA256, rsa_key=pem.decode() + "\n")
    third = first.with_token("tok", "sec", "ver")
    assert len(calls) == 1
    assert first.rsa_key is second.rsa_key is third.rsa_key
    assert third.resource_owner_key == "tok"
    assert third.verifier == "ver"
    assert _header_params(third.sign("GET", URL))["oauth_token"] == "tok"


@pytest.mark.parametrize(
    ("method", "algorithm"),
    [("RSA-SHA1", hashes.SHA1), ("RSA-SHA256", hashes.SHA256), ("RSA-SHA512", hashes.SHA512)],
)
def test_rsa_signature_verifies_with_the_public_key(method: str, algorithm: Any) -> None:
    key = _rsa_key()
    for rsa_key in (_pem(key), _pem(key).decode(), key):
        request = OAuth1Signer("k", signature_method=method, rsa_key=rsa_key).sign("GET", URL)
        oauth = _header_params(request)
        signature = base64.b64decode(oauth["oauth_signature"])
        base = _signed_base_string(request, oauth).encode()
        key.public_key().verify(signature, base, padding.PKCS1v15(), algorithm())


def test_custom_signature_method_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    # Work on a copy of the registry so the new method does not leak into other tests.
    monkeypatch.setattr(_signature, "_METHODS", dict(_signature._METHODS))
    seen: list[SigningMaterial] = []

    def hmac_sha384(material: SigningMaterial) -> Any:
        seen.append(material)
        key = f"{material.client_secret}&{material.token_secret}".encode()

        def sign(base_string: str) -> str:
            mac = hmac.new(key, base_string.encode(), hashlib.sha384).digest()
            return base64.b64encode(mac).decode()

        return sign

    register_signature_method("HMAC-SHA384", hmac_sha384)
    assert "HMAC-SHA384" in _signature.signature_methods()
    request = _signer(signature_method="HMAC-SHA384").sign("GET", URL)
    oauth = _header_params(request)
    assert oauth["oauth_signature_method"] == "HMAC-SHA384"
    assert seen[0].client_secret == "consumer-secret"
    base = _signed_base_string(request, oauth)
    digest = hmac.new(b"consumer-secret&token-secret", base.encode(), hashlib.sha384).digest()
    assert oauth["oauth_signature"] == base64.b64encode(digest).decode()


# --- transport and misuse --------------------------------------------------------------------


@pytest.fixture
def no_insecure_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)


@pytest.mark.usefixtures("no_insecure_env")
def test_plaintext_over_plain_http_is_refused() -> None:
    with pytest.raises(InsecureTransportError) as info:
        _signer(signature_method=PLAINTEXT).sign("GET", "http://api.example.com/x")
    assert info.value.url == "http://api.example.com/x"
    assert "token-secret" not in str(info.value)


@pytest.mark.usefixtures("no_insecure_env")
@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/x",
        "http://127.0.0.1/x",
        "http://[::1]:9000/x",
        "https://api.example.com/x",
    ],
)
def test_plaintext_over_loopback_or_https_is_fine(url: str) -> None:
    oauth = _header_params(_signer(signature_method=PLAINTEXT).sign("GET", url))
    assert oauth["oauth_signature"] == "consumer-secret&token-secret"


@pytest.mark.usefixtures("no_insecure_env")
def test_dot_localhost_is_not_loopback() -> None:
    # Issue #7: many resolvers send *.localhost to DNS, so it gets no plain-http exemption.
    with pytest.raises(InsecureTransportError):
        _signer(signature_method=PLAINTEXT).sign("GET", "http://app.localhost/x")


@pytest.mark.usefixtures("no_insecure_env")
def test_plaintext_escape_hatch_and_hmac_over_http() -> None:
    allowed = _signer(signature_method=PLAINTEXT, allow_insecure_transport=True)
    assert allowed.sign("GET", "http://api.example.com/x").url == "http://api.example.com/x"
    # HMAC does not reveal the secrets, so it is not held to the transport rule here.
    assert "Authorization" in _signer().sign("GET", "http://api.example.com/x").headers


@pytest.mark.parametrize("url", ["/relative", "api.example.com/x", "https://h:99999/"])
def test_unsignable_url_is_a_usage_error(url: str) -> None:
    with pytest.raises(UsageError):
        _signer().sign("GET", url)


def test_bad_constructor_arguments_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="signature_type"):
        _signer(signature_type="COOKIE")
    with pytest.raises(UsageError, match="client_key"):
        OAuth1Signer("")
    assert _signer(signature_type="query").signature_type == "QUERY"


def test_repr_shows_no_secret_token_verifier_or_key() -> None:
    pem = _pem(_rsa_key())
    signer = OAuth1Signer(
        "visible-key",
        client_secret="SECRET-client",
        resource_owner_key="SECRET-token",
        resource_owner_secret="SECRET-token-secret",
        verifier="SECRET-verifier",
        nonce="SECRET-nonce",
    )
    text = repr(signer)
    assert "SECRET" not in text
    assert "visible-key" in text
    rsa_text = repr(OAuth1Signer("k", signature_method=RSA_SHA1, rsa_key=pem))
    assert "PRIVATE KEY" not in rsa_text
    assert "RSAPrivateKey" not in rsa_text


@settings(max_examples=300)
@given(st.text(alphabet="ab=&+%20%E2%98x;~ \u2603", max_size=40))
def test_parse_form_matches_parse_qsl(text: str) -> None:
    """The signer's fast form reader decodes exactly as the standard library does."""
    from urllib.parse import parse_qsl

    from oauthkit.oauth1._signer import parse_form

    assert parse_form(text) == parse_qsl(text, keep_blank_values=True)


def test_strip_oauth_params_undoes_body_placement() -> None:
    from oauthkit.oauth1._redirects import strip_oauth_params

    signer = OAuth1Signer("ck", "cs", "tk", "ts", signature_type="BODY", nonce="n", timestamp="1")
    signed = signer.sign("POST", "https://api.example/x", {}, "a=1&b=oauth_x")
    assert signed.body is not None
    assert b"oauth_signature=" in signed.body
    assert strip_oauth_params(signed.body) == b"a=1&b=oauth_x"
