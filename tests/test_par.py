"""PAR (RFC 9126), JAR (RFC 9101) and RAR (RFC 9396) as pure functions and flows: requests
built, hostile responses refused with typed errors, request objects signed and verifiable,
granted authorization details typed, kept in a stored token, and secrets never shown."""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey, RSAKey

import oauthkit
from oauthkit import (
    HttpResponse,
    InsecureTransportError,
    MalformedResponseError,
    OAuthError,
    RequestObjectSigner,
    Token,
    TokenEndpointError,
    UsageError,
)
from oauthkit._core._steps import Purpose, SendRequest
from oauthkit._error_codes import InvalidClientError, InvalidRequestError
from oauthkit._oauth2._authorization import authorization_params
from oauthkit._oauth2._client_auth import ClientSecretBasic, NoneAuth
from oauthkit._oauth2._jar import REQUEST_OBJECT_TYPE, request_object_claims
from oauthkit._oauth2._par import (
    PushedAuthorization,
    build_par_request,
    parse_par_response,
    push,
    pushed_authorization_url,
)
from oauthkit._oauth2._rar import check_authorization_details
from oauthkit._oauth2._token_response import parse_token_response

from ._hostile import responses

NOW = 1_700_000_000.0
PAR_URL = "https://as.example/par"
AUTHZ_URL = "https://as.example/authorize"
ISSUER = "https://as.example"
REQUEST_URI = "urn:ietf:params:oauth:request_uri:6esc_11ACC5bwc014ltc14eY22c"
SECRET = "s3cr3t-" + "0123456789abcdef" * 2
DETAILS = [{"type": "payment_initiation", "instructedAmount": {"currency": "EUR", "amount": "1"}}]


def _json(status: int, data: Any, headers: dict[str, str] | None = None) -> HttpResponse:
    body = json.dumps(data).encode()
    return HttpResponse(status, {"Content-Type": "application/json", **(headers or {})}, body)


def _form(request: oauthkit.HttpRequest) -> dict[str, str]:
    return dict(parse_qsl((request.body or b"").decode()))


def _params(**kw: Any) -> list[tuple[str, str]]:
    params, _ = authorization_params(
        client_id="c1", redirect_uri="https://client.example/cb", scope="openid", **kw
    )
    return params


# --- the pushed request (RFC 9126 §2.1) -------------------------------------------------------


def test_the_pushed_request_is_the_authorization_request_authenticated() -> None:
    params = _params(state="st", resource="https://rs.example/", authorization_details=DETAILS)
    request = build_par_request(PAR_URL, params, ClientSecretBasic("c1", SECRET), now=NOW)
    assert request.method == "POST"
    assert request.url == PAR_URL
    assert request.headers["Authorization"].startswith("Basic ")
    form = _form(request)
    assert form["response_type"] == "code"
    assert form["client_id"] == "c1"
    assert form["state"] == "st"
    assert form["resource"] == "https://rs.example/"
    assert json.loads(form["authorization_details"]) == DETAILS
    assert form["code_challenge_method"] == "S256"


def test_a_public_client_pushes_its_client_id_alone() -> None:
    request = build_par_request(PAR_URL, _params(), NoneAuth("c1"), now=NOW)
    assert "Authorization" not in request.headers
    assert [v for k, v in parse_qsl(request.body.decode()) if k == "client_id"] == ["c1"]


def test_the_pushed_request_refuses_request_uri_and_another_client() -> None:
    with pytest.raises(UsageError, match="request_uri"):
        build_par_request(PAR_URL, [("request_uri", "urn:x")], NoneAuth("c1"), now=NOW)
    with pytest.raises(UsageError, match="different client_id"):
        build_par_request(PAR_URL, _params(), NoneAuth("other"), now=NOW)
    with pytest.raises(InsecureTransportError):
        build_par_request("http://as.example/par", _params(), NoneAuth("c1"), now=NOW)


# --- the response (RFC 9126 §2.2, §2.3) -------------------------------------------------------


def test_a_created_response_gives_the_request_uri_and_its_expiry() -> None:
    pushed = parse_par_response(_json(201, {"request_uri": REQUEST_URI, "expires_in": 60}), now=NOW)
    assert pushed == PushedAuthorization(REQUEST_URI, 60, NOW + 60)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (b"<html>oops</html>", "JSON"),
        (b"[1, 2]", "object"),
        (json.dumps({"expires_in": 60}).encode(), "request_uri"),
        (json.dumps({"request_uri": 7, "expires_in": 60}).encode(), "request_uri"),
        (json.dumps({"request_uri": "", "expires_in": 60}).encode(), "request_uri"),
        (json.dumps({"request_uri": "urn:a b", "expires_in": 60}).encode(), "request_uri"),
        (json.dumps({"request_uri": "urn:x\r\nSet-Cookie: a", "expires_in": 1}).encode(), "URI"),
        (json.dumps({"request_uri": "urn:" + "x" * 3000, "expires_in": 1}).encode(), "URI"),
        (json.dumps({"request_uri": REQUEST_URI}).encode(), "expires_in"),
        (json.dumps({"request_uri": REQUEST_URI, "expires_in": "60"}).encode(), "expires_in"),
        (json.dumps({"request_uri": REQUEST_URI, "expires_in": True}).encode(), "expires_in"),
        (json.dumps({"request_uri": REQUEST_URI, "expires_in": 0}).encode(), "expires_in"),
        (json.dumps({"request_uri": REQUEST_URI, "expires_in": -5}).encode(), "expires_in"),
        (json.dumps({"request_uri": REQUEST_URI, "expires_in": 1.5}).encode(), "expires_in"),
        # found by fuzz/campaign.py: now + 10**400 overflowed a float (OverflowError)
        (b'{"request_uri": "urn:x", "expires_in": 6' + b"0" * 400 + b"}", "out of range"),
    ],
)
def test_a_malformed_success_is_a_malformed_response(body: bytes, problem: str) -> None:
    response = HttpResponse(201, {"Content-Type": "application/json"}, body)
    with pytest.raises(MalformedResponseError, match=problem) as caught:
        parse_par_response(response, now=NOW)
    assert caught.value.status_code == 201


def test_error_bodies_are_the_typed_errors_of_their_codes() -> None:
    with pytest.raises(InvalidRequestError) as caught:
        parse_par_response(
            _json(400, {"error": "invalid_request", "error_description": "no"}), now=NOW
        )
    assert caught.value.error == "invalid_request"
    with pytest.raises(InvalidClientError):
        parse_par_response(_json(401, {"error": "invalid_client"}), now=NOW)
    with pytest.raises(TokenEndpointError, match="pushed authorization endpoint") as bare:
        parse_par_response(HttpResponse(503, {}, b"busy"), now=NOW)
    assert bare.value.status_code == 503


@settings(max_examples=300, deadline=None)
@given(responses)
def test_any_response_is_a_pushed_authorization_or_an_oauth_error(response: HttpResponse) -> None:
    outcome: PushedAuthorization | OAuthError
    try:
        outcome = parse_par_response(response, now=NOW)
    except OAuthError as exc:
        outcome = exc
    if isinstance(outcome, OAuthError):
        # a server's answer is never the caller's fault, and its error can be shown
        assert not isinstance(outcome, UsageError), str(outcome)
        assert isinstance(repr(outcome), str)
    else:
        assert outcome.request_uri.isascii()
        assert outcome.expires_at > NOW


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.text(max_size=40), st.integers(), st.none(), st.booleans()),
    st.one_of(st.integers(), st.floats(), st.text(max_size=5), st.none(), st.booleans()),
)
def test_any_member_values_are_accepted_or_malformed(request_uri: Any, expires_in: Any) -> None:
    response = _json(201, {"request_uri": request_uri, "expires_in": expires_in})
    try:
        pushed = parse_par_response(response, now=NOW)
    except MalformedResponseError:
        return
    assert pushed.request_uri == request_uri
    assert pushed.expires_in == expires_in > 0


# --- the front channel (RFC 9126 §4) ----------------------------------------------------------


def test_the_browser_url_carries_client_id_and_request_uri_only() -> None:
    url = pushed_authorization_url(AUTHZ_URL, "c1", REQUEST_URI)
    assert urlsplit(url)._replace(query="").geturl() == AUTHZ_URL
    assert dict(parse_qsl(urlsplit(url).query)) == {"client_id": "c1", "request_uri": REQUEST_URI}
    kept = pushed_authorization_url(AUTHZ_URL + "?tenant=a", "c1", REQUEST_URI)
    assert dict(parse_qsl(urlsplit(kept).query))["tenant"] == "a"
    with pytest.raises(UsageError, match="repeated"):
        pushed_authorization_url(AUTHZ_URL + "?client_id=x", "c1", REQUEST_URI)
    with pytest.raises(UsageError):
        pushed_authorization_url(AUTHZ_URL, "c1", "")


# --- the flow ---------------------------------------------------------------------------------


def _manager(**kw: Any) -> oauthkit.TokenManager:
    return oauthkit.TokenManager("c1", SECRET, clock=lambda: NOW, **kw)


def test_the_push_flow_is_one_back_channel_request_with_its_purpose() -> None:
    flow = push(_manager(), PAR_URL, _params())
    step = next(flow)
    assert isinstance(step, SendRequest)
    assert step.purpose is Purpose.PUSHED_AUTHORIZATION
    assert Purpose.PUSHED_AUTHORIZATION.endpoint == "pushed authorization request endpoint"
    assert "Basic " in step.request.headers["Authorization"]
    with pytest.raises(StopIteration) as done:
        flow.send(_json(201, {"request_uri": REQUEST_URI, "expires_in": 90}))
    assert done.value.value.expires_at == NOW + 90


def test_with_a_dpop_key_each_push_carries_a_proof_and_learns_the_nonce() -> None:
    key = oauthkit.DPoPKey.generate()
    manager = _manager(dpop=key)
    flow = push(manager, PAR_URL, _params(extra={"dpop_jkt": key.thumbprint}))
    first = next(flow)
    proof = jwt.decode(first.request.headers["DPoP"], ECKey.import_key(key.public_jwk))
    assert proof.claims["htu"] == PAR_URL
    assert "nonce" not in proof.claims
    assert _form(first.request)["dpop_jkt"] == key.thumbprint
    refusal = _json(400, {"error": "use_dpop_nonce"}, {"DPoP-Nonce": "n-1"})
    second = flow.send(refusal)
    assert isinstance(second, SendRequest)
    retried = jwt.decode(second.request.headers["DPoP"], ECKey.import_key(key.public_jwk))
    assert retried.claims["nonce"] == "n-1"
    with pytest.raises(StopIteration):
        flow.send(_json(201, {"request_uri": REQUEST_URI, "expires_in": 90}))


# --- request objects (RFC 9101) ---------------------------------------------------------------


def test_a_request_object_signed_with_the_client_key_carries_every_parameter() -> None:
    key = ECKey.generate_key("P-256", private=True, parameters={"kid": "k1"})
    signer = RequestObjectSigner(key=key.as_dict(private=True), jti_factory=lambda: "j-1")
    params = _params(
        state="st", nonce="n", resource="https://rs.example/", authorization_details=DETAILS
    )
    token = signer.sign(params, client_id="c1", audience=ISSUER, now=NOW)
    decoded = jwt.decode(token, key, algorithms=["ES256"])
    assert decoded.header == {"alg": "ES256", "typ": REQUEST_OBJECT_TYPE, "kid": "k1"}
    claims = decoded.claims
    assert claims["iss"] == claims["client_id"] == "c1"
    assert claims["aud"] == ISSUER
    assert (claims["iat"], claims["nbf"], claims["exp"]) == (int(NOW), int(NOW), int(NOW) + 60)
    assert claims["jti"] == "j-1"
    assert claims["state"] == "st"
    assert claims["nonce"] == "n"
    assert claims["redirect_uri"] == "https://client.example/cb"
    assert claims["authorization_details"] == DETAILS  # JSON, not a string of it
    assert claims["resource"] == "https://rs.example/"


def test_a_request_object_with_the_client_secret_is_hs256() -> None:
    signer = RequestObjectSigner.from_client_auth(ClientSecretBasic("c1", SECRET))
    token = signer.sign(_params(), client_id="c1", audience=ISSUER, now=NOW)
    decoded = jwt.decode(token, OctKey.import_key(SECRET.encode()), algorithms=["HS256"])
    assert decoded.header == {"alg": "HS256", "typ": REQUEST_OBJECT_TYPE}


def test_the_private_key_jwt_key_signs_request_objects_too() -> None:
    key = RSAKey.generate_key(2048, private=True)
    auth = oauthkit.PrivateKeyJwt("c1", key, alg="PS256")
    signer = RequestObjectSigner.from_client_auth(auth)
    token = signer.sign(_params(), client_id="c1", audience=ISSUER, now=NOW)
    assert jwt.decode(token, key, algorithms=["PS256"]).header["alg"] == "PS256"
    with pytest.raises(UsageError, match="neither a private key nor a secret"):
        RequestObjectSigner.from_client_auth(NoneAuth("c1"))


def test_request_object_claims_rules() -> None:
    claims = request_object_claims(
        [
            ("client_id", "c1"),
            ("resource", "https://a/"),
            ("resource", "https://b/"),
            ("max_age", "30"),
        ],
        client_id="c1",
        audience=ISSUER,
        now=NOW,
        lifetime=30,
        jti="j",
    )
    assert claims["resource"] == ["https://a/", "https://b/"]
    assert claims["max_age"] == 30
    for name in ("request", "request_uri", "iss", "exp"):
        with pytest.raises(UsageError, match=name):
            request_object_claims(
                [(name, "x")], client_id="c1", audience=ISSUER, now=NOW, lifetime=1, jti="j"
            )
    with pytest.raises(UsageError, match="another client_id"):
        request_object_claims(
            [("client_id", "evil")], client_id="c1", audience=ISSUER, now=NOW, lifetime=1, jti="j"
        )
    with pytest.raises(UsageError, match="JSON"):
        request_object_claims(
            [("claims", "{")], client_id="c1", audience=ISSUER, now=NOW, lifetime=1, jti="j"
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"key": "k", "secret": "s"},
        {"secret": SECRET, "alg": "RS256"},
        {"secret": SECRET, "lifetime": 0},
        {"secret": SECRET, "lifetime": 7200},
        {"secret": SECRET, "lifetime": True},
        {"key": {"kty": "oct", "k": "AAAA"}},
        {"key": ECKey.generate_key("P-256", private=True).as_dict(private=False)},
        {"key": ECKey.generate_key("P-256", private=True), "alg": "RS256"},
    ],
)
def test_a_signer_refuses_what_cannot_sign_request_objects(kwargs: dict[str, Any]) -> None:
    with pytest.raises(UsageError):
        RequestObjectSigner(**kwargs)


def test_a_request_object_needs_an_audience() -> None:
    signer = RequestObjectSigner(secret=SECRET)
    with pytest.raises(UsageError, match="audience"):
        signer.sign(_params(), client_id="c1", audience="", now=NOW)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=20)), max_size=8))
def test_any_parameters_make_claims_or_a_usage_error(params: list[tuple[str, str]]) -> None:
    try:
        claims = request_object_claims(
            params, client_id="c1", audience=ISSUER, now=NOW, lifetime=60, jti="j"
        )
    except UsageError:
        return
    assert claims["iss"] == claims["client_id"] == "c1"
    json.dumps(claims)  # a JWT claims set: JSON


# --- secrets are never shown ------------------------------------------------------------------


def test_the_signer_and_the_request_object_are_never_shown(
    caplog: pytest.LogCaptureFixture,
) -> None:
    signer = RequestObjectSigner(secret=SECRET)
    assert SECRET not in repr(signer)
    assert "***" in repr(signer)
    key = ECKey.generate_key("P-256", private=True)
    private = key.as_dict(private=True)["d"]
    assert private not in repr(RequestObjectSigner(key=key))
    request_object = signer.sign(_params(), client_id="c1", audience=ISSUER, now=NOW)
    manager = _manager()
    caplog.set_level(logging.DEBUG, logger="oauthkit")
    flow = push(manager, PAR_URL, [("client_id", "c1"), ("request", request_object)])
    step = next(flow)
    assert request_object not in repr(step)
    echo = {"error": "invalid_request_object", "error_description": f"bad request={request_object}"}
    with pytest.raises(TokenEndpointError) as caught:
        flow.send(_json(400, echo))
    shown = f"{caught.value} {caught.value!r} {caught.value.body_excerpt}"
    assert request_object not in shown
    assert request_object.split(".")[1] not in shown
    assert request_object not in caplog.text


# --- granted authorization details (RFC 9396 §7) ----------------------------------------------


def _token_response(**fields: Any) -> HttpResponse:
    return _json(200, {"access_token": "at", "token_type": "Bearer", "expires_in": 60, **fields})


def test_granted_details_are_a_typed_tuple_on_the_token() -> None:
    token = parse_token_response(_token_response(authorization_details=DETAILS), now=NOW)
    granted = token.authorization_details
    assert granted is not None
    assert [dict(item) for item in granted] == DETAILS
    assert granted[0]["type"] == "payment_initiation"
    with pytest.raises(TypeError):
        granted[0]["type"] = "other"  # type: ignore[index]
    assert parse_token_response(_token_response(), now=NOW).authorization_details is None


@pytest.mark.parametrize(
    "details",
    ["payment", {"type": "x"}, [1], [{"actions": ["read"]}], [{"type": ""}], [{"type": 3}], [None]],
)
def test_malformed_granted_details_are_refused(details: Any) -> None:
    with pytest.raises(MalformedResponseError, match="authorization"):
        parse_token_response(_token_response(authorization_details=details), now=NOW)
    with pytest.raises(UsageError, match="authorization"):
        Token("at", extra={"authorization_details": details})
    with pytest.raises(UsageError, match="authorization"):
        Token.from_dict({"access_token": "at", "authorization_details": details})


def test_granted_details_survive_the_token_store_record() -> None:
    from oauthkit._core._steps import Exclusive, LoadToken, SaveToken
    from oauthkit.stores import StoredToken

    manager = _manager(token_endpoint="https://as.example/token", store_key="k")
    flow = manager.fetch_flow(oauthkit.ClientCredentialsGrant())
    step = next(flow)
    assert isinstance(step, Exclusive)
    inner = step.flow
    assert isinstance(next(inner), SendRequest)
    save = inner.send(_token_response(authorization_details=DETAILS))
    assert isinstance(save, SaveToken)
    record = json.loads(json.dumps(dict(save.token)))  # what a store writes
    assert record["authorization_details"] == DETAILS

    other = _manager(token_endpoint="https://as.example/token", store_key="k")
    from oauthkit._oauth2._stored import load_stored

    loading = load_stored(other)
    assert isinstance(next(loading), LoadToken)
    with pytest.raises(StopIteration) as done:
        loading.send(StoredToken(record, 1))
    restored = done.value.value
    assert [dict(item) for item in restored.authorization_details] == DETAILS


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=6),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=10,
    )
)
def test_any_details_value_is_a_typed_tuple_or_a_value_error(value: Any) -> None:
    try:
        details = check_authorization_details(value)
    except ValueError:
        return
    assert isinstance(details, tuple)
    assert all(isinstance(item["type"], str) and item["type"] for item in details)


# --- metadata (RFC 9126 §5) -------------------------------------------------------------------


def _metadata(**members: Any) -> oauthkit.ServerMetadata:
    return oauthkit.parse_server_metadata(_json(200, {"issuer": ISSUER, **members}), issuer=ISSUER)


def test_the_metadata_flag_that_requires_pushing() -> None:
    assert not _metadata().require_pushed_authorization_requests
    assert _metadata(
        require_pushed_authorization_requests=True
    ).require_pushed_authorization_requests
    with pytest.raises(MalformedResponseError, match="require_pushed_authorization_requests"):
        _metadata(require_pushed_authorization_requests="yes")
    listed = _metadata(request_object_signing_alg_values_supported=["PS256", "ES256"])
    assert listed.supports("request_object_signing_alg_values_supported", "PS256")


# --- the sessions' parameters -----------------------------------------------------------------


def test_a_session_encodes_details_and_repeats_resources() -> None:
    import httpx

    import oauthkit.httpx as okhttpx

    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"access_token": "at", "token_type": "Bearer"})

    resources = ["https://a.example/", "https://b.example/"]
    with okhttpx.OAuth2Client(
        "c1", redirect_uri="https://client.example/cb", transport=httpx.MockTransport(answer)
    ) as client:
        url, _ = client.authorization_url(
            AUTHZ_URL, authorization_details=DETAILS, resource=resources
        )
        query = parse_qsl(urlsplit(url).query)
        assert json.loads(dict(query)["authorization_details"]) == DETAILS
        assert [v for k, v in query if k == "resource"] == resources
        client.fetch_token(
            "https://as.example/token", code="c", resource=resources, authorization_details=DETAILS
        )
        client.refresh_token("https://as.example/token", refresh_token="rt", resource=resources[0])
    exchange, refresh = (parse_qsl(request.content.decode()) for request in seen)
    assert [v for k, v in exchange if k == "resource"] == resources
    assert json.loads(dict(exchange)["authorization_details"]) == DETAILS
    assert [v for k, v in refresh if k == "resource"] == resources[:1]


def test_a_request_object_without_an_issuer_is_a_usage_error() -> None:
    import oauthkit.requests as okrequests

    session = okrequests.OAuth2Session("c1", request_object=RequestObjectSigner(secret=SECRET))
    with pytest.raises(UsageError, match="issuer"):
        session.authorization_url(AUTHZ_URL)
    with pytest.raises(UsageError, match="par"):
        okrequests.OAuth2Session("c1", par="")
