"""JWT introspection responses (RFC 9701): verification before any claim is read.

The tokens are signed by joserfc (tests/_oidc.py) with keys the test controls, so every check
can be failed on its own: ``typ``, the signature and its algorithm, ``iss``, ``aud``, ``iat``,
the ``token_introspection`` claim; a property test feeds the parser arbitrary signed claims.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oauthkit
from oauthkit import (
    HttpResponse,
    Introspection,
    MalformedResponseError,
    ServerResponseError,
    TokenEndpointError,
    TokenManager,
    UsageError,
    oidc,
)
from oauthkit._core._steps import SendRequest
from oauthkit._jose._verify import UnknownKey
from oauthkit._oauth2._jwt_introspection import parse_jwt_introspection_response
from oauthkit._oauth2._metadata import parse_server_metadata
from oauthkit.oidc._introspection import jwt_introspection_flow

from ._hostile import json_objects, responses
from ._oidc import CLIENT_ID, ISSUER, NOW, encrypt, jwks, sign

KEYS = oidc.import_jwks(jwks("rsa", "ec-256"))
MEDIA = {"Content-Type": "application/token-introspection+jwt"}
ACCESS = "at-5ecret-INTROSPECTED-token"


def server_fault(exc: Exception) -> None:
    """A hostile response is never the caller's fault, and its error can be shown."""
    assert not isinstance(exc, UsageError), f"UsageError for server input: {exc}"
    assert isinstance(str(exc), str)
    assert isinstance(repr(exc), str)


def payload(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": NOW,
        "token_introspection": {
            "active": True,
            "client_id": "rs-1",
            "scope": "read write",
            "sub": "alice",
            "exp": NOW + 60,
        },
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def jwt_answer(token: str, headers: dict[str, str] = MEDIA) -> HttpResponse:
    return HttpResponse(200, headers, token.encode())


def parse(response: HttpResponse, **kw: Any) -> Introspection:
    kw.setdefault("algorithms", ("RS256", "ES256"))
    return parse_jwt_introspection_response(
        response, keys=KEYS, issuer=ISSUER, client_id=CLIENT_ID, now=NOW, **kw
    )


def signed(claims: Any = None, **header: Any) -> str:
    header.setdefault("typ", "token-introspection+jwt")
    return sign(payload() if claims is None else claims, **header)


def test_a_valid_response_is_read_into_an_introspection() -> None:
    result = parse(jwt_answer(signed()))
    assert result.active is True
    assert (result.client_id, result.sub, result.scope) == ("rs-1", "alice", ("read", "write"))
    assert result.exp == int(NOW + 60)
    es = parse(
        jwt_answer(signed(signer="ec-256", alg="ES256", typ="application/token-introspection+jwt"))
    )
    assert es.active is True
    inactive = parse(jwt_answer(signed(payload(token_introspection={"active": False, "sub": "x"}))))
    assert inactive == Introspection(active=False)
    listed = parse(jwt_answer(signed(payload(aud=["other", CLIENT_ID]))))
    assert listed.active is True


@pytest.mark.parametrize(
    ("token", "reason"),
    [
        (signed(typ=None), "typ"),
        (signed(typ="JWT"), "typ"),
        (signed(typ="at+jwt"), "typ"),
        (signed(payload(iss="https://evil.example")), "issuer"),
        (signed(payload(iss=None)), "issuer"),
        (signed(payload(aud="someone-else")), "client"),
        (signed(payload(aud=None)), "client"),
        (signed(payload(aud=[1, 2])), "client"),
        (signed(payload(iat=None)), "iat"),
        (signed(payload(iat="now")), "iat"),
        (signed(payload(iat=NOW + 3600)), "future"),
        # fuzz/campaign.py, target jwt_introspection: a 400-digit iat (valid JSON) made
        # math.isfinite() raise OverflowError
        (signed(payload(iat=10**400)), "iat"),
        (signed(payload(iat=-(10**400))), "iat"),
        (signed(payload(token_introspection=None)), "token_introspection"),
        (signed(payload(token_introspection="active")), "token_introspection"),
        (signed(payload(token_introspection={"active": "yes"})), "active"),
        (signed(payload(token_introspection={"active": True, "exp": "soon"})), "exp"),
        (signed(alg="HS256"), "not allowed"),
        (signed(alg="RS384"), "not allowed"),
        (signed(header={"alg": "none", "typ": "token-introspection+jwt"}), "alg"),
        (signed() + "x", "signature"),
        (signed(signer="rsa-2", kid="rsa"), "signature"),
        (encrypt(signed()), "encrypted"),
        ("not a jwt", "rejected"),
    ],
)
def test_each_check_refuses(token: str, reason: str) -> None:
    with pytest.raises(MalformedResponseError, match=reason) as info:
        parse(jwt_answer(token))
    assert ACCESS not in str(info.value)


def test_an_encrypted_response_is_decrypted_with_the_clients_keys() -> None:
    from ._oidc import key

    token = encrypt(signed())
    assert parse(jwt_answer(token), decryption_keys=key("enc")).active is True
    with pytest.raises(MalformedResponseError, match="does not decrypt"):
        parse(jwt_answer(token), decryption_keys=key("rsa"))
    with pytest.raises(MalformedResponseError, match="no decryption keys"):
        parse(jwt_answer(token))
    inner_unsigned = encrypt(signed(header={"alg": "none", "typ": "token-introspection+jwt"}))
    with pytest.raises(MalformedResponseError, match="alg"):
        parse(jwt_answer(inner_unsigned), decryption_keys=key("enc"))


def test_an_unknown_kid_is_left_to_the_caller_to_refetch() -> None:
    with pytest.raises(UnknownKey):
        parse(jwt_answer(signed(signer="rsa-2")))


@pytest.mark.parametrize(
    "response",
    [
        HttpResponse(200, {"Content-Type": "application/json"}, b'{"active": true}'),
        HttpResponse(200, {"Content-Type": "application/jwt"}, signed().encode()),
        HttpResponse(200, {}, signed().encode()),
        HttpResponse(200, MEDIA, "é".encode()),
    ],
)
def test_anything_but_the_media_type_asked_for_is_refused(response: HttpResponse) -> None:
    with pytest.raises(MalformedResponseError):
        parse(response)


def test_refusals_and_bad_arguments() -> None:
    refusal = HttpResponse(401, {"Content-Type": "application/json"}, b'{"error":"invalid_client"}')
    with pytest.raises(oauthkit.InvalidClientError):
        parse(refusal)
    with pytest.raises(TokenEndpointError):
        parse(HttpResponse(500, {}, b""))
    with pytest.raises(UsageError):
        parse(jwt_answer(signed()), algorithms=("none",))
    with pytest.raises(UsageError):
        parse("response")  # type: ignore[arg-type]


# ---------------------------------------------------------------------- the flow


def _provider(**members: Any) -> oidc.Provider:
    body = {"issuer": ISSUER, "introspection_endpoint": f"{ISSUER}/introspect", **members}
    metadata = parse_server_metadata(
        HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(body).encode()),
        issuer=ISSUER,
    )
    return oidc.Provider(ISSUER, metadata=metadata, jwks=jwks("rsa", "ec-256"))


def test_the_flow_asks_for_a_jwt_and_verifies_it_with_the_providers_keys() -> None:
    manager = TokenManager(
        CLIENT_ID, "rp-secret", clock=lambda: NOW, token={"access_token": ACCESS}
    )
    provider = _provider(introspection_signing_alg_values_supported=["ES256", "HS256"])
    flow = jwt_introspection_flow(provider, manager, None, None)
    step = next(flow)
    assert isinstance(step, SendRequest)
    assert step.request.url == f"{ISSUER}/introspect"
    assert step.request.headers["Accept"] == "application/token-introspection+jwt"
    assert b"token_type_hint=access_token" in (step.request.body or b"")
    with pytest.raises(StopIteration) as done:
        flow.send(jwt_answer(signed(signer="ec-256", alg="ES256")))
    assert done.value.value.active is True


def test_the_flow_uses_the_providers_algorithms_only() -> None:
    manager = TokenManager(
        CLIENT_ID, "rp-secret", clock=lambda: NOW, token={"access_token": ACCESS}
    )
    flow = jwt_introspection_flow(
        _provider(introspection_signing_alg_values_supported=["ES256"]), manager, None, None
    )
    next(flow)
    with pytest.raises(MalformedResponseError, match="not allowed"):
        flow.send(jwt_answer(signed()))  # RS256, which the provider does not list


def test_the_flow_refuses_a_key_the_provider_does_not_hold() -> None:
    manager = TokenManager(CLIENT_ID, "rp-secret", clock=lambda: NOW)
    flow = jwt_introspection_flow(_provider(), manager, None, "some-token")
    next(flow)
    with pytest.raises(MalformedResponseError, match="rejected"):
        flow.send(jwt_answer(signed(signer="rsa-2")))


def test_the_flow_needs_a_token() -> None:
    manager = TokenManager(CLIENT_ID, "rp-secret", clock=lambda: NOW)
    with pytest.raises(UsageError):
        next(jwt_introspection_flow(_provider(), manager, None, None))


# ---------------------------------------------------------------------- properties


@settings(max_examples=200, deadline=None)
@given(json_objects)
def test_any_signed_claims_give_an_introspection_or_a_server_error(body: str) -> None:
    token = sign(body, typ="token-introspection+jwt")
    try:
        result = parse(jwt_answer(token))
    except ServerResponseError:
        return
    assert isinstance(result, Introspection)


@settings(max_examples=200, deadline=None)
@given(json_objects)
def test_any_token_introspection_member_gives_a_value_or_a_server_error(inner: str) -> None:
    claims = (
        json.dumps(payload(token_introspection=None))[:-1] + f', "token_introspection": {inner}}}'
    )
    try:
        result = parse(jwt_answer(sign(claims, typ="token-introspection+jwt")))
    except ServerResponseError:
        return
    assert isinstance(result.active, bool)


@settings(max_examples=200, deadline=None)
@given(responses, st.sampled_from([MEDIA, {"Content-Type": "application/json"}]))
def test_any_response_gives_a_value_or_a_server_error(response: HttpResponse, headers: Any) -> None:
    response = HttpResponse(response.status_code, headers, response.body)
    try:
        parse(response)
    except ServerResponseError as exc:
        server_fault(exc)
