"""The dev provider really verifies: oauthlib's server endpoints, clients nobody here wrote.

requests-oauthlib (oauthlib's client) and authlib are the independent clients; oauthkit's own
signer is checked against the same provider. The provider comes from the pytest plugin's
``oauthkit_dev_provider`` fixture, which these tests therefore exercise too.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib.oauth1 import Client as OAuthlibClient
from requests_oauthlib import OAuth1, OAuth1Session

import oauthkit
from oauthkit import HttpRequest, HttpResponse
from oauthkit.devserver import DevClient, DevProvider
from oauthkit.devserver._oauth1 import OAuth1Endpoints
from oauthkit.devserver._server import LoopbackServer, Router, json_response
from oauthkit.devserver._store import OAuth1Store
from oauthkit.oauth1 import OAuth1Signer

HMAC_METHODS = ["HMAC-SHA1", "HMAC-SHA256", "HMAC-SHA512", "PLAINTEXT"]
RSA_METHODS = ["RSA-SHA1", "RSA-SHA256", "RSA-SHA512"]
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _rsa_signer(algorithm: type[hashes.HashAlgorithm]) -> Any:
    def sign(base_string: str, client: Any) -> str:
        key = serialization.load_pem_private_key(client.rsa_key.encode(), password=None)
        assert isinstance(key, rsa.RSAPrivateKey)
        raw = key.sign(base_string.encode("ascii"), padding.PKCS1v15(), algorithm())
        return base64.b64encode(raw).decode("ascii")

    return sign


class CryptographyRSAClient(OAuthlibClient):  # type: ignore[misc]
    """oauthlib's client with RSA signing done by cryptography (oauthlib's needs PyJWT).

    The base string is still oauthlib's, so the signature is independent of oauthkit.
    """

    SIGNATURE_METHODS: ClassVar[dict[str, Any]] = {
        **OAuthlibClient.SIGNATURE_METHODS,
        "RSA-SHA1": _rsa_signer(hashes.SHA1),
        "RSA-SHA256": _rsa_signer(hashes.SHA256),
        "RSA-SHA512": _rsa_signer(hashes.SHA512),
    }


@pytest.fixture
def provider(oauthkit_dev_provider: DevProvider) -> DevProvider:
    return oauthkit_dev_provider


def _oauthlib_session(provider: DevProvider, method: str, **kwargs: Any) -> OAuth1Session:
    if method.startswith("RSA-"):
        return OAuth1Session(
            provider.rsa_client_key,
            signature_method=method,
            rsa_key=provider.rsa_private_key_pem,
            client_class=CryptographyRSAClient,
            **kwargs,
        )
    return OAuth1Session(
        provider.client_key, provider.client_secret, signature_method=method, **kwargs
    )


def _signer(provider: DevProvider, method: str, **kwargs: Any) -> OAuth1Signer:
    if method.startswith("RSA-"):
        token = provider.issue_access_token(provider.rsa_client_key)
        return OAuth1Signer(
            provider.rsa_client_key,
            resource_owner_key=token["oauth_token"],
            resource_owner_secret=token["oauth_token_secret"],
            signature_method=method,
            rsa_key=provider.rsa_private_key_pem,
            **kwargs,
        )
    token = provider.issue_access_token()
    return OAuth1Signer(
        provider.client_key,
        provider.client_secret,
        token["oauth_token"],
        token["oauth_token_secret"],
        signature_method=method,
        **kwargs,
    )


def _send(request: HttpRequest) -> requests.Response:
    return requests.request(
        request.method, request.url, headers=dict(request.headers), data=request.body, timeout=10
    )


def _authorize(url: str) -> str:
    reply = requests.get(url, allow_redirects=False, timeout=10)
    assert reply.status_code == 302, reply.text
    return reply.headers["Location"]


# -- the three-legged flow, by independent clients -----------------------------------------


@pytest.mark.parametrize("method", ["HMAC-SHA1", "PLAINTEXT", "RSA-SHA256"])
def test_three_legged_flow_with_requests_oauthlib(provider: DevProvider, method: str) -> None:
    with _oauthlib_session(provider, method, callback_uri=provider.callback_url) as session:
        request_token = session.fetch_request_token(provider.request_token_url)
        assert request_token["oauth_callback_confirmed"] == "true"

        callback = _authorize(session.authorization_url(provider.authorize_url))
        assert callback.startswith(provider.callback_url + "?")
        received = dict(parse_qsl(urlsplit(callback).query))
        assert received["oauth_token"] == request_token["oauth_token"]

        session.parse_authorization_response(callback)
        access = session.fetch_access_token(provider.access_token_url)
        assert access["oauth_token"] != request_token["oauth_token"]

        reply = session.get(provider.resource_url, params={"q": "a b"})
        assert reply.status_code == 200, reply.text
        echo = reply.json()
        assert echo["method"] == "GET"
        assert echo["token"] == access["oauth_token"]
        assert echo["signature_method"] == method
        assert echo["signature_type"] == "AUTH_HEADER"
        assert echo["query"] == [["q", "a b"]]

        reply = session.post(provider.resource_url, data={"note": "x&y"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["form"] == [["note", "x&y"]]


def test_requested_realms_are_granted(provider: DevProvider) -> None:
    with OAuth1Session(provider.client_key, provider.client_secret, callback_uri="oob") as s:
        s.fetch_request_token(provider.request_token_url, realm=["photos", "profile"])
        reply = requests.get(s.authorization_url(provider.authorize_url), timeout=10)
        access = s.fetch_access_token(provider.access_token_url, reply.json()["oauth_verifier"])
    assert access["oauth_authorized_realms"] == "photos profile"


def test_request_token_is_single_use(provider: DevProvider) -> None:
    with _oauthlib_session(provider, "HMAC-SHA1", callback_uri=provider.callback_url) as session:
        session.fetch_request_token(provider.request_token_url)
        auth_url = session.authorization_url(provider.authorize_url)
        session.parse_authorization_response(_authorize(auth_url))

        again = requests.get(auth_url, allow_redirects=False, timeout=10)
        assert again.status_code == 400  # approved once already
        assert again.json()["error"] == "invalid_client"
        session.fetch_access_token(provider.access_token_url)

    pending = dict(parse_qsl(urlsplit(auth_url).query))["oauth_token"]
    assert requests.get(auth_url, allow_redirects=False, timeout=10).status_code == 400
    with OAuth1Session(
        provider.client_key,
        provider.client_secret,
        resource_owner_key=pending,
        resource_owner_secret="whatever-it-was",
        verifier="a" * 30,
    ) as replay:
        reply = replay.post(provider.access_token_url)
    assert reply.status_code == 401
    assert dict(parse_qsl(reply.text))["oauth_problem"] == "token_rejected"


def test_racing_exchanges_of_one_request_token_issue_one_access_token(
    provider: DevProvider,
) -> None:
    with OAuth1Session(provider.client_key, provider.client_secret, callback_uri="oob") as s:
        pending = s.fetch_request_token(provider.request_token_url)
        reply = requests.get(s.authorization_url(provider.authorize_url), timeout=10)
    signer = OAuth1Signer(
        provider.client_key,
        provider.client_secret,
        pending["oauth_token"],
        pending["oauth_token_secret"],
        verifier=reply.json()["oauth_verifier"],
    )
    attempts = [signer.sign("POST", provider.access_token_url) for _ in range(6)]
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = sorted(pool.map(lambda r: _send(r).status_code, attempts))
    assert statuses == [200] + [401] * 5


def test_oob_authorization_shows_the_verifier(provider: DevProvider) -> None:
    with OAuth1Session(provider.client_key, provider.client_secret, callback_uri="oob") as s:
        s.fetch_request_token(provider.request_token_url)
        reply = requests.get(s.authorization_url(provider.authorize_url), timeout=10)
        assert reply.status_code == 200
        verifier = reply.json()["oauth_verifier"]
        access = s.fetch_access_token(provider.access_token_url, verifier=verifier)
        assert s.get(provider.resource_url).json()["token"] == access["oauth_token"]


def test_wrong_verifier_is_refused(provider: DevProvider) -> None:
    with OAuth1Session(provider.client_key, provider.client_secret, callback_uri="oob") as s:
        s.fetch_request_token(provider.request_token_url)
        requests.get(s.authorization_url(provider.authorize_url), timeout=10)
        with pytest.raises(ValueError, match="verifier_invalid"):
            s.fetch_access_token(provider.access_token_url, verifier="b" * 30)


def test_authorize_without_or_with_unknown_token(provider: DevProvider) -> None:
    reply = requests.get(provider.authorize_url, timeout=10)
    assert reply.status_code == 400
    assert reply.json()["error"] == "invalid_request"
    reply = requests.get(provider.authorize_url, params={"oauth_token": "x" * 30}, timeout=10)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_client")


def test_request_token_needs_a_valid_callback(provider: DevProvider) -> None:
    with OAuth1Session(provider.client_key, provider.client_secret) as s:
        reply = s.post(provider.request_token_url)
        assert reply.status_code == 400
        assert "callback" in dict(parse_qsl(reply.text))["error_description"].lower()
    with OAuth1Session(provider.client_key, provider.client_secret, callback_uri="/relative") as s:
        reply = s.post(provider.request_token_url)
        assert reply.status_code == 401
        assert dict(parse_qsl(reply.text))["oauth_problem"] == "parameter_rejected"


# -- every signature method, at the resource endpoint --------------------------------------


@pytest.mark.parametrize("method", HMAC_METHODS + RSA_METHODS)
def test_every_method_verifies_requests_oauthlib(provider: DevProvider, method: str) -> None:
    owner = provider.rsa_client_key if method.startswith("RSA-") else provider.client_key
    token = provider.issue_access_token(owner)
    with _oauthlib_session(
        provider,
        method,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
    ) as session:
        reply = session.put(provider.resource_url + "?x=1", data={"y": "2"})
    assert reply.status_code == 200, reply.text
    echo = reply.json()
    assert (echo["signature_method"], echo["client_key"]) == (method, owner)
    assert (echo["query"], echo["form"]) == ([["x", "1"]], [["y", "2"]])


@pytest.mark.parametrize("placement", ["AUTH_HEADER", "QUERY", "BODY"])
@pytest.mark.parametrize("method", HMAC_METHODS + RSA_METHODS)
def test_every_method_and_placement_verifies_oauthkit(
    provider: DevProvider, method: str, placement: str
) -> None:
    signer = _signer(provider, method, signature_type=placement)
    reply = _send(signer.sign("POST", provider.resource_url + "?x=1", FORM, "y=2"))
    assert reply.status_code == 200, reply.text
    assert reply.json()["signature_type"] == placement
    assert reply.json()["signature_method"] == method


@pytest.mark.parametrize("method", ["HMAC-SHA1", "RSA-SHA1", "PLAINTEXT"])
def test_authlib_client_verifies(provider: DevProvider, method: str) -> None:
    from authlib.integrations.requests_client import OAuth1Auth

    rsa_method = method.startswith("RSA-")
    owner = provider.rsa_client_key if rsa_method else provider.client_key
    token = provider.issue_access_token(owner)
    auth = OAuth1Auth(
        owner,
        client_secret=None if rsa_method else provider.client_secret,
        token=token["oauth_token"],
        token_secret=token["oauth_token_secret"],
        signature_method=method,
        rsa_key=provider.rsa_private_key_pem if rsa_method else None,
    )
    reply = requests.get(provider.resource_url, params={"a": "1"}, auth=auth, timeout=10)
    assert reply.status_code == 200, reply.text


# -- refusals ------------------------------------------------------------------------------


def test_wrong_secret_gets_401_signature_invalid(provider: DevProvider) -> None:
    token = provider.issue_access_token()
    auth = OAuth1(provider.client_key, "wrong-secret", token["oauth_token"], "wrong")
    reply = requests.get(provider.resource_url, auth=auth, timeout=10)
    assert reply.status_code == 401
    assert reply.json()["oauth_problem"] == "signature_invalid"


def test_tampered_request_gets_401(provider: DevProvider) -> None:
    signed = _signer(provider, "HMAC-SHA256").sign("GET", provider.resource_url + "?amount=1")
    tampered = HttpRequest(
        signed.method, signed.url.replace("amount=1", "amount=9"), signed.headers
    )
    assert _send(tampered).status_code == 401


def test_rsa_signature_from_another_key_gets_401(provider: DevProvider) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = provider.issue_access_token(provider.rsa_client_key)
    signer = OAuth1Signer(
        provider.rsa_client_key,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        signature_method="RSA-SHA256",
        rsa_key=other,
    )
    reply = _send(signer.sign("GET", provider.resource_url))
    assert (reply.status_code, reply.json()["oauth_problem"]) == (401, "signature_invalid")


def test_rsa_method_from_a_client_without_a_key_gets_401(provider: DevProvider) -> None:
    token = provider.issue_access_token()
    signer = OAuth1Signer(
        provider.client_key,  # registered without an RSA key
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        signature_method="RSA-SHA1",
        rsa_key=provider.rsa_private_key_pem,
    )
    assert _send(signer.sign("GET", provider.resource_url)).status_code == 401


def test_replayed_nonce_is_refused(provider: DevProvider) -> None:
    signed = _signer(provider, "HMAC-SHA1").sign("GET", provider.resource_url)
    assert _send(signed).status_code == 200
    replay = _send(signed)
    assert replay.status_code == 401
    assert replay.json()["oauth_problem"] == "nonce_used"


def test_replayed_request_token_request_is_refused(provider: DevProvider) -> None:
    signer = OAuth1Signer(
        provider.client_key, provider.client_secret, callback_uri=provider.callback_url
    )
    signed = signer.sign("POST", provider.request_token_url)
    assert _send(signed).status_code == 200
    replay = _send(signed)
    assert replay.status_code == 401
    assert dict(parse_qsl(replay.text))["oauth_problem"] == "nonce_used"


def test_stale_timestamp_is_refused(provider: DevProvider) -> None:
    signer = _signer(provider, "HMAC-SHA1", timestamp="1000000000")
    reply = _send(signer.sign("GET", provider.resource_url))
    assert reply.status_code == 401
    assert reply.json()["oauth_problem"] == "parameter_rejected"


def test_unknown_client_and_unknown_token(provider: DevProvider) -> None:
    token = provider.issue_access_token()
    auth = OAuth1("nobody-registered", "s", token["oauth_token"], token["oauth_token_secret"])
    reply = requests.get(provider.resource_url, auth=auth, timeout=10)
    assert reply.json()["oauth_problem"] == "consumer_key_unknown"
    auth = OAuth1(provider.client_key, provider.client_secret, "t" * 30, "s")
    reply = requests.get(provider.resource_url, auth=auth, timeout=10)
    assert (reply.status_code, reply.json()["oauth_problem"]) == (401, "token_rejected")


def test_another_clients_token_is_refused(provider: DevProvider) -> None:
    token = provider.issue_access_token(provider.rsa_client_key)
    auth = OAuth1(
        provider.client_key,
        provider.client_secret,
        token["oauth_token"],
        token["oauth_token_secret"],
    )
    assert requests.get(provider.resource_url, auth=auth, timeout=10).status_code == 401


def test_unsigned_request_gets_401_with_a_reason(provider: DevProvider) -> None:
    reply = requests.get(provider.resource_url, timeout=10)
    assert reply.status_code == 401
    assert reply.json()["oauth_problem"] == "parameter_rejected"


def test_body_hash_is_checked(provider: DevProvider) -> None:
    signer = _signer(provider, "HMAC-SHA256", body_hash=True)
    json_type = {"Content-Type": "application/json"}
    signed = signer.sign("PUT", provider.resource_url, json_type, b'{"a": 1}')
    reply = _send(signed)
    assert reply.status_code == 200, reply.text
    assert reply.json()["body_hash"] == "verified"
    assert reply.json()["body"] == '{"a": 1}'

    signed = signer.sign("PUT", provider.resource_url, json_type, b'{"a": 1}')
    forged = HttpRequest(signed.method, signed.url, signed.headers, b'{"a": 2}')
    reply = _send(forged)
    assert (reply.status_code, reply.json()["oauth_problem"]) == (401, "body_hash_invalid")


def test_concurrent_requests_all_verify(provider: DevProvider) -> None:
    signer = _signer(provider, "HMAC-SHA1")
    requests_ = [signer.sign("GET", f"{provider.resource_url}?i={i}") for i in range(16)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda r: _send(r).status_code, requests_))
    assert statuses == [200] * 16


# -- malformed input never crashes the provider --------------------------------------------


@pytest.fixture(scope="module")
def endpoints() -> OAuth1Endpoints:
    store = OAuth1Store(lambda: 1_700_000_000.0, 600)
    store.add_client(DevClient("client-key-1", "secret"))
    return OAuth1Endpoints(store)


_text = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=200, deadline=None)
@given(authorization=_text, query=_text, body=st.binary(max_size=60))
def test_garbage_gets_4xx_not_500(
    endpoints: OAuth1Endpoints, authorization: str, query: str, body: bytes
) -> None:
    url = "http://127.0.0.1:1/oauth1/resource?" + query
    headers = {"Authorization": "OAuth " + authorization, **FORM}
    for handler in (endpoints.resource, endpoints.request_token, endpoints.access_token):
        response = handler(HttpRequest("POST", url, headers, body))
        assert response.status_code in (400, 401), response.body
    response = endpoints.authorize(HttpRequest("GET", url))
    assert response.status_code in (400, 401), response.body


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"Authorization": 'OAuth oauth_nonce="a", oauth_nonce="b"'}, b"", 401),
        ({"Authorization": 'OAuth oauth_nonce="a"', **FORM}, b"oauth_nonce=b", 401),
        (FORM, b"\xff\xfe", 400),
    ],
)
def test_malformed_resource_requests(
    provider: DevProvider, headers: dict[str, str], body: bytes, status: int
) -> None:
    reply = requests.post(provider.resource_url, headers=headers, data=body, timeout=10)
    assert reply.status_code == status


def test_oauth_parameters_in_two_places_are_refused(provider: DevProvider) -> None:
    signer = OAuth1Signer(provider.client_key, provider.client_secret, callback_uri="oob")
    signed = signer.sign("POST", provider.request_token_url)
    reply = requests.post(
        signed.url + "?oauth_nonce=extra", headers=dict(signed.headers), timeout=10
    )
    assert reply.status_code == 400
    assert "1 signature" in dict(parse_qsl(reply.text))["error_description"]


def test_body_hash_never_accompanies_a_form_body() -> None:
    form = HttpRequest("POST", "http://127.0.0.1/", FORM, b"a=1")
    digest = base64.b64encode(hashlib.sha1(b"a=1").digest()).decode()  # noqa: S324 (spec)
    assert not OAuth1Endpoints._body_hash_matches(form, "HMAC-SHA1", digest)
    raw = HttpRequest("POST", "http://127.0.0.1/", {}, b"a=1")
    assert OAuth1Endpoints._body_hash_matches(raw, "HMAC-SHA1", digest)
    assert OAuth1Endpoints._body_hash_matches(raw, "PLAINTEXT", digest)
    assert not OAuth1Endpoints._body_hash_matches(raw, "RSA-SHA256", digest)


def test_malformed_token_requests(provider: DevProvider) -> None:
    header = {"Authorization": 'OAuth oauth_nonce="a", oauth_nonce="b"'}
    reply = requests.post(provider.request_token_url, headers=header, timeout=10)
    assert reply.status_code == 400
    assert dict(parse_qsl(reply.text))["error"] == "invalid_request"
    reply = requests.post(provider.access_token_url, headers=FORM, data=b"\xff", timeout=10)
    assert reply.status_code == 400


# -- server, routing and pages -------------------------------------------------------------


def test_index_and_callback_pages(provider: DevProvider) -> None:
    index = requests.get(provider.base_url + "/", timeout=10).json()
    assert index["oauth1"]["resource_url"] == provider.resource_url
    assert index["callback_url"] == provider.callback_url
    page = requests.get(provider.callback_url, params={"oauth_verifier": "v"}, timeout=10)
    assert page.json() == {"callback_received": {"oauth_verifier": "v"}}


def test_unknown_path_and_wrong_method(provider: DevProvider) -> None:
    assert requests.get(provider.base_url + "/nope", timeout=10).status_code == 404
    reply = requests.delete(provider.authorize_url, timeout=10)
    assert reply.status_code == 405
    assert reply.headers["Allow"] == "GET"


def test_oversized_body_is_refused(provider: DevProvider) -> None:
    parts = urlsplit(provider.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest("POST", "/oauth1/resource")
        conn.putheader("Content-Length", str(2 << 20))
        conn.endheaders()
        assert conn.getresponse().status == 413
    finally:
        conn.close()
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest("POST", "/oauth1/resource")
        conn.putheader("Content-Length", "many")
        conn.endheaders()
        assert conn.getresponse().status == 400
    finally:
        conn.close()


def test_handler_crash_is_a_500_and_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    def boom(request: HttpRequest) -> HttpResponse:
        raise RuntimeError("bug")

    router = Router()
    router.add("/boom", boom)
    router.add("/ok", lambda r: json_response(200, {"ok": True}), ("GET", "POST"))
    with pytest.raises(oauthkit.UsageError, match="already routed"):
        router.add("/ok", boom, ("post",))
    server = LoopbackServer(router, "::1")
    server.start()
    try:
        assert server.base_url.startswith("http://[::1]:")
        reply = requests.get(server.base_url + "/boom", timeout=10)
        assert (reply.status_code, reply.json()) == (500, {"error": "server_error"})
        assert "bug" not in reply.text
        assert any("loopback server failed on GET /boom" in r.message for r in caplog.records)
        assert requests.get(server.base_url + "/ok", timeout=10).json() == {"ok": True}
    finally:
        server.stop()
    assert not server.running


# -- the Python API ------------------------------------------------------------------------


def test_lifecycle_errors() -> None:
    provider = DevProvider(rsa_key_size=2048)
    assert "not running" in repr(provider)
    with pytest.raises(oauthkit.UsageError, match="start"):
        _ = provider.base_url
    provider.start()
    try:
        with pytest.raises(oauthkit.UsageError, match="already"):
            provider.start()
        assert provider.base_url in repr(provider)
        assert provider.client_secret not in repr(provider)
    finally:
        provider.stop()
    provider.stop()  # idempotent


def test_refuses_non_loopback_hosts() -> None:
    with pytest.raises(oauthkit.UsageError, match="loopback"):
        DevProvider("0.0.0.0", rsa_key_size=2048)  # noqa: S104 (the point of the test)


def test_register_client(provider: DevProvider) -> None:
    client = provider.register_client("my-test-client", "my-secret")
    assert "my-secret" not in repr(client)
    token = provider.issue_access_token("my-test-client")
    auth = OAuth1("my-test-client", "my-secret", token["oauth_token"], token["oauth_token_secret"])
    assert requests.get(provider.resource_url, auth=auth, timeout=10).status_code == 200

    random_client = provider.register_client()
    assert random_client.client_key != client.client_key
    with pytest.raises(oauthkit.UsageError, match="already registered"):
        provider.register_client("my-test-client")
    with pytest.raises(oauthkit.UsageError, match="client_key"):
        provider.register_client("bad key!")
    with pytest.raises(oauthkit.UsageError, match="PEM"):
        provider.register_client(rsa_public_key_pem="not a key")
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(oauthkit.UsageError, match="not an RSA key"):
        provider.register_client(rsa_public_key_pem=ec_pem)
    with pytest.raises(oauthkit.UsageError, match="no client"):
        provider.issue_access_token("never-registered")


def test_rsa_key_pair_matches(provider: DevProvider) -> None:
    private = serialization.load_pem_private_key(provider.rsa_private_key_pem.encode(), None)
    public = serialization.load_pem_public_key(provider.rsa_public_key_pem.encode())
    assert isinstance(private, rsa.RSAPrivateKey)
    assert isinstance(public, rsa.RSAPublicKey)
    assert private.public_key().public_numbers() == public.public_numbers()


def test_register_rsa_client(provider: DevProvider) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    client = provider.register_client(rsa_public_key_pem=public_pem)
    token = provider.issue_access_token(client.client_key)
    signer = OAuth1Signer(
        client.client_key,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        signature_method="RSA-SHA512",
        rsa_key=key,
    )
    assert _send(signer.sign("DELETE", provider.resource_url)).status_code == 200


def test_nonce_memory_uses_the_injected_clock() -> None:
    now = [1_700_000_000.0]
    store = OAuth1Store(lambda: now[0], timestamp_lifetime=600)
    assert store.use_nonce("c", "1700000000", "n" * 30, "tok")
    assert not store.use_nonce("c", "1700000000", "n" * 30, "tok")
    assert store.use_nonce("c", "1700000000", "n" * 30, "other-token")
    assert store.use_nonce("c", "1700000001", "n" * 30, "tok")
    assert not store.use_nonce("c", "not-a-number", "n" * 30, "tok")
    now[0] += 601  # every remembered timestamp has expired: forget them
    assert store.use_nonce("c", "1700000601", "m" * 30, "tok")
    assert store.use_nonce("c", "1700000000", "n" * 30, "tok")  # oauthlib refuses it earlier


def test_import_without_oauthlib_fails_only_at_construction() -> None:
    code = (
        "import sys\n"
        "sys.modules['oauthlib'] = None\n"
        "import oauthkit.devserver, oauthkit.testing._plugin, oauthkit.cli\n"
        "from oauthkit import MissingExtraError\n"
        "try:\n"
        "    oauthkit.devserver.DevProvider()\n"
        "except MissingExtraError as exc:\n"
        "    print(exc.extra, exc.module)\n"
    )
    out = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.split() == ["dev", "oauthlib"]


def test_json_bodies_are_not_cached(provider: DevProvider) -> None:
    reply = requests.get(provider.resource_url, timeout=10)
    assert reply.headers["Cache-Control"] == "no-store"
    assert json.loads(reply.text)["error"] == "unauthorized"
