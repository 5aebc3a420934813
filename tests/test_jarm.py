"""JWT-secured authorization responses (JARM): the hostile corpus, the session's use, redaction.

The validator is driven directly (:func:`oauthkit.oidc.validate_jarm_response`), then the
sessions' sans-I/O state (:class:`~oauthkit._compat._session.OAuth2SessionState`) with a
provider whose metadata and keys are given, so its flow sends nothing but the token request.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from oauthkit import (
    AuthorizationError,
    CallbackError,
    IssuerMismatchError,
    OAuthError,
    SendRequest,
    ServerMetadata,
    StateMismatchError,
    UsageError,
    oidc,
    parse_authorization_callback,
)
from oauthkit._compat._session import OAuth2SessionState
from oauthkit._core._steps import Exclusive

from ._drivers2 import DRIVERS, open_session
from ._oidc import CLIENT_ID, ISSUER, NOW, SECRET, b64, encrypt, jwks, key, serve_op, sign
from ._routes import answer_json

CB = "https://rp.example/cb"
STATE = "st-4f9a1c"
CODE = "code-SplxlOBeZQQYbYS6WxSbIA"
EXPECT = oidc.JARMExpectations(issuer=ISSUER, client_id=CLIENT_ID)
HS = oidc.JARMExpectations(
    issuer=ISSUER, client_id=CLIENT_ID, algorithms=["HS256", "RS256"], client_secret=SECRET
)
KEYS = jwks("rsa")


def jarm_claims(**changes: Any) -> dict[str, Any]:
    """The claims of a valid JARM response at NOW (a change to None removes the claim)."""
    base = {"iss": ISSUER, "aud": CLIENT_ID, "exp": NOW + 60, "code": CODE, "state": STATE}
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def url_of(jwt: str, **plain: str) -> str:
    return f"{CB}?{urlencode({'response': jwt, **plain})}"


def validate(response: Any, expect: oidc.JARMExpectations = EXPECT, **kw: Any) -> dict[str, str]:
    return oidc.validate_jarm_response(response, jwks=kw.pop("jwks", KEYS), expect=expect, now=NOW)


# -- what is accepted ----------------------------------------------------------------------


def test_a_valid_response_gives_the_parameters_and_not_the_jwt_claims() -> None:
    params = validate(url_of(sign(jarm_claims(iat=NOW, jti="j1"))))
    assert params == {"iss": ISSUER, "code": CODE, "state": STATE}


@pytest.mark.parametrize(
    "deliver",
    [
        pytest.param(url_of, id="query.jwt"),
        pytest.param(lambda jwt: f"{CB}#{urlencode({'response': jwt})}", id="fragment.jwt"),
        pytest.param(lambda jwt: urlencode({"response": jwt}), id="form_post.jwt body"),
        pytest.param(lambda jwt: urlencode({"response": jwt}).encode(), id="form bytes"),
        pytest.param(lambda jwt: {"response": jwt}, id="form fields"),
        pytest.param(lambda jwt: {"response": [jwt]}, id="parse_qs fields"),
        pytest.param(lambda jwt: jwt, id="the JWT alone"),
    ],
)
def test_every_mode_delivers_the_same_parameters(deliver: Any) -> None:
    assert validate(deliver(sign(jarm_claims())))["code"] == CODE


def test_aud_may_be_a_list_naming_the_client() -> None:
    assert validate(url_of(sign(jarm_claims(aud=["other", CLIENT_ID]))))["state"] == STATE


def test_exp_within_the_leeway_is_accepted() -> None:
    assert validate(url_of(sign(jarm_claims(exp=NOW - 29))))["code"] == CODE


def test_hs256_verifies_with_the_client_secret() -> None:
    assert validate(url_of(sign(jarm_claims(), alg="HS256")), HS, jwks=None)["code"] == CODE


def test_an_encrypted_response_is_decrypted_with_the_client_keys() -> None:
    expect = oidc.JARMExpectations(issuer=ISSUER, client_id=CLIENT_ID, decryption_keys=key("enc"))
    assert validate(url_of(encrypt(sign(jarm_claims()))), expect)["code"] == CODE


def test_a_number_parameter_is_read_as_text() -> None:
    assert validate(url_of(sign(jarm_claims(expires_in=3600))))["expires_in"] == "3600"


# -- the hostile corpus: each refused with the check it failed -----------------------------

WRONG_KEY_SIGNED = sign(jarm_claims(), "rsa-2", kid="rsa")  # another key, claiming kid "rsa"
NONE_ALG = f"{b64(json.dumps({'alg': 'none'}))}.{b64(json.dumps(jarm_claims()))}."
HOSTILE = [
    ("wrong iss", sign(jarm_claims(iss="https://evil.example")), oidc.JARMIssuerError, "iss"),
    ("no iss", sign(jarm_claims(iss=None)), oidc.JARMIssuerError, "iss"),
    ("wrong aud", sign(jarm_claims(aud="other-client")), oidc.JARMAudienceError, "aud"),
    ("no aud", sign(jarm_claims(aud=None)), oidc.JARMAudienceError, "aud"),
    ("expired", sign(jarm_claims(exp=NOW - 31)), oidc.JARMTimeError, "exp"),
    ("no exp", sign(jarm_claims(exp=None)), oidc.JARMTimeError, "exp"),
    ("exp not a number", sign(jarm_claims(exp="soon")), oidc.JARMTimeError, "exp"),
    ("alg none", NONE_ALG, oidc.JARMSignatureError, "alg"),
    ("bad signature", WRONG_KEY_SIGNED, oidc.JARMSignatureError, "signature"),
    ("unknown kid", sign(jarm_claims(), "rsa-2"), oidc.JARMSignatureError, "kid"),
    ("alg not allowed", sign(jarm_claims(), "ec-256", "ES256"), oidc.JARMSignatureError, "alg"),
    ("HS256 not allowed", sign(jarm_claims(), alg="HS256"), oidc.JARMSignatureError, "alg"),
    ("crit", sign(jarm_claims(), crit=["x"], x=1), oidc.JARMFormatError, "crit"),
    ("a logout token", sign(jarm_claims(), typ="logout+jwt"), oidc.JARMFormatError, "format"),
    ("an object claim", sign(jarm_claims(code={"x": 1})), oidc.JARMFormatError, "format"),
    ("not a JWT", "a.b.c", oidc.JARMFormatError, "format"),
    ("encrypted, no keys", encrypt(sign(jarm_claims())), oidc.JARMSignatureError, "decryption"),
]


@pytest.mark.parametrize(
    ("jwt", "error", "check"), [pytest.param(*case[1:], id=case[0]) for case in HOSTILE]
)
def test_a_hostile_response_is_refused_naming_the_check(
    jwt: str, error: type[oidc.JARMError], check: str
) -> None:
    with pytest.raises(error) as caught:
        validate(url_of(jwt))
    assert caught.value.check == check
    assert isinstance(caught.value, CallbackError)
    assert jwt not in str(caught.value)
    assert jwt not in repr(caught.value)


def test_a_wrong_issuer_is_also_an_issuer_mismatch() -> None:
    with pytest.raises(IssuerMismatchError):
        validate(url_of(sign(jarm_claims(iss="https://evil.example"))))


def test_hs256_with_a_wrong_secret_or_none_is_refused() -> None:
    forged = sign(jarm_claims(), alg="HS256", secret="another-secret-0123456789abcdef")
    with pytest.raises(oidc.JARMSignatureError) as caught:
        validate(url_of(forged), HS, jwks=None)
    assert caught.value.check == "signature"
    no_secret = oidc.JARMExpectations(issuer=ISSUER, client_id=CLIENT_ID, algorithms=["HS256"])
    with pytest.raises(oidc.JARMSignatureError):
        validate(url_of(sign(jarm_claims(), alg="HS256")), no_secret, jwks=None)


def test_a_missing_response_is_refused() -> None:
    with pytest.raises(oidc.JARMFormatError) as caught:
        validate(f"{CB}?code={CODE}&state={STATE}")
    assert caught.value.check == "response"


def test_unsigned_parameters_beside_the_jwt_are_refused() -> None:
    jwt = sign(jarm_claims())
    with pytest.raises(oidc.JARMFormatError) as caught:
        validate(url_of(jwt, code="attacker-code"))
    assert caught.value.check == "response"
    assert "attacker-code" not in str(caught.value)


def test_a_repeated_response_is_refused() -> None:
    jwt = sign(jarm_claims())
    with pytest.raises(CallbackError):
        validate(f"{CB}?response={jwt}&response={jwt}")


def test_an_error_inside_the_jwt_is_reported_after_the_state_check() -> None:
    params = validate(
        url_of(sign(jarm_claims(code=None, error="access_denied", error_description="no")))
    )
    with pytest.raises(AuthorizationError) as caught:
        parse_authorization_callback(params, expected_state=STATE, issuer=ISSUER)
    assert caught.value.error == "access_denied"
    forged = validate(url_of(sign(jarm_claims(code=None, state="other", error="access_denied"))))
    with pytest.raises(StateMismatchError):
        parse_authorization_callback(forged, expected_state=STATE, issuer=ISSUER)


def test_a_state_mismatch_inside_the_jwt_is_refused() -> None:
    params = validate(url_of(sign(jarm_claims(state="someone-elses"))))
    with pytest.raises(StateMismatchError):
        parse_authorization_callback(params, expected_state=STATE, issuer=ISSUER)


def test_expectations_refuse_bad_settings() -> None:
    with pytest.raises(UsageError):
        oidc.JARMExpectations(issuer="", client_id=CLIENT_ID)
    with pytest.raises(UsageError):
        oidc.JARMExpectations(issuer=ISSUER, client_id="")
    with pytest.raises(UsageError):
        oidc.JARMExpectations(issuer=ISSUER, client_id=CLIENT_ID, algorithms=["none"])


def test_jwt_response_modes() -> None:
    assert {"jwt", "query.jwt", "fragment.jwt", "form_post.jwt"} == oidc.JWT_RESPONSE_MODES


# -- the sessions (sans I/O: the provider's metadata and keys are given) -----------------------


def _metadata(**supported: tuple[str, ...]) -> ServerMetadata:
    endpoints = {
        "authorization_endpoint": f"{ISSUER}/authorize",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
    }
    return ServerMetadata(ISSUER, endpoints, supported=supported)


def session(response_mode: str | None = "query.jwt", **metadata: Any) -> OAuth2SessionState:
    provider = oidc.Provider(ISSUER, metadata=_metadata(**metadata), jwks=KEYS)
    rp = oidc.RelyingParty(provider, CLIENT_ID)
    return OAuth2SessionState(
        CLIENT_ID,
        redirect_uri=CB,
        state=STATE,
        relying_party=rp,
        clock=lambda: NOW,
        response_mode=response_mode,
    )


def token_request(flow: Any) -> SendRequest:
    locked = next(flow)
    assert isinstance(locked, Exclusive)
    step = next(locked.flow)
    assert isinstance(step, SendRequest)
    return step


def test_the_session_exchanges_the_code_inside_the_jwt() -> None:
    s = session()
    flow = s.fetch_token_flow(f"{ISSUER}/token", authorization_response=url_of(sign(jarm_claims())))
    body = (token_request(flow).request.body or b"").decode()
    assert f"code={CODE}" in body


def test_the_session_takes_the_form_post_fields() -> None:
    s = session("form_post.jwt")
    fields = {"response": sign(jarm_claims())}
    flow = s.fetch_token_flow(f"{ISSUER}/token", authorization_response=fields)
    assert f"code={CODE}" in (token_request(flow).request.body or b"").decode()


def test_the_session_refuses_a_plain_callback_when_it_asked_for_a_jwt() -> None:
    s = session("jwt")
    with pytest.raises(oidc.JARMFormatError) as caught:
        s.fetch_token_flow(f"{ISSUER}/token", authorization_response=f"{CB}?code=c&state={STATE}")
    assert caught.value.check == "response"


def test_the_session_verifies_a_jwt_it_did_not_ask_for() -> None:
    s = session(None)
    flow = s.fetch_token_flow(f"{ISSUER}/token", authorization_response=url_of(WRONG_KEY_SIGNED))
    with pytest.raises(oidc.JARMSignatureError):
        next(flow)


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"state": "forged"}, StateMismatchError),
        ({"code": None, "error": "access_denied"}, AuthorizationError),
        ({"iss": "https://evil.example"}, oidc.JARMIssuerError),
        ({"exp": NOW - 3600}, oidc.JARMTimeError),
    ],
)
def test_the_session_raises_the_typed_error_and_sends_nothing(
    changes: dict[str, Any], error: type[OAuthError]
) -> None:
    s = session()
    jwt = sign(jarm_claims(**changes))
    flow = s.fetch_token_flow(f"{ISSUER}/token", authorization_response=url_of(jwt))
    with pytest.raises(error) as caught:
        next(flow)
    assert jwt not in str(caught.value)
    assert s.core.token is None


def test_a_jwt_response_needs_an_issuer() -> None:
    s = OAuth2SessionState(CLIENT_ID, redirect_uri=CB, state=STATE)
    with pytest.raises(UsageError, match="issuer="):
        s.fetch_token_flow(f"{ISSUER}/token", authorization_response=url_of(sign(jarm_claims())))
    with pytest.raises(UsageError, match="issuer="):
        s.authorization_url(f"{ISSUER}/authorize", response_mode="form_post.jwt")
    plain, _ = s.authorization_url(f"{ISSUER}/authorize", response_mode="form_post")
    assert "response_mode=form_post" in plain  # without metadata, any other mode is sent


def test_authorization_url_sends_and_remembers_the_mode() -> None:
    s = session(None, response_modes_supported=("query", "jwt", "query.jwt"))
    url, _ = s.authorization_url(None, response_mode="query.jwt")
    assert "response_mode=query.jwt" in url
    assert s.response_mode == "query.jwt"
    with pytest.raises(oidc.JARMFormatError):
        s.fetch_token_flow(f"{ISSUER}/token", authorization_response=f"{CB}?code=c&state={STATE}")


def test_authorization_url_refuses_a_mode_the_server_does_not_list() -> None:
    s = session(None, response_modes_supported=("query", "fragment"))
    with pytest.raises(UsageError, match="response_modes_supported"):
        s.authorization_url(None, response_mode="form_post.jwt")
    bare = session(None)  # no list: RFC 8414's default, query and fragment
    with pytest.raises(UsageError):
        bare.authorization_url(None, response_mode="jwt")
    assert "response_mode=query" in bare.authorization_url(None, response_mode="query")[0]


def test_the_algorithm_allow_list_follows_the_metadata_or_the_client() -> None:
    hs = sign(jarm_claims(), alg="HS256")
    s = session(authorization_signing_alg_values_supported=("HS256", "RS256"))
    flow = s.fetch_token_flow(
        f"{ISSUER}/token", authorization_response=url_of(hs), client_secret=SECRET
    )
    assert f"code={CODE}" in (token_request(flow).request.body or b"").decode()
    pinned = session(authorization_signing_alg_values_supported=("HS256", "RS256"))
    assert pinned.oidc is not None
    pinned.oidc.authorization_algorithms = ("RS256",)
    flow = pinned.fetch_token_flow(
        f"{ISSUER}/token", authorization_response=url_of(hs), client_secret=SECRET
    )
    with pytest.raises(oidc.JARMSignatureError):
        next(flow)


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_rotated_key_is_refetched_once_on_every_driver(driver: str) -> None:
    """An unknown ``kid`` refetches the issuer's keys once (the provider cache's rule, shared
    by the sessions of the process); a forged ``kid`` right after is not worth another."""
    with serve_op() as op:
        op.routes.handlers["/token"] = lambda hit: answer_json(
            {"access_token": "at-1", "token_type": "Bearer", "expires_in": 60}
        )
        claims = jarm_claims(iss=op.issuer, exp=time.time() + 60)

        def login(jwt: str) -> dict[str, Any]:
            with open_session(
                driver,
                client_id=CLIENT_ID,
                redirect_uri=CB,
                state=STATE,
                issuer=op.issuer,
                response_mode="jwt",
            ) as s:
                token: dict[str, Any] = s.fetch_token(authorization_response=url_of(jwt))
                return token

        assert login(sign(claims, "rsa"))["access_token"] == "at-1"
        assert op.hits("/jwks") == 1
        op.keys = jwks("rsa", "rsa-2")  # the provider rotates
        assert login(sign(claims, "rsa-2"))["access_token"] == "at-1"
        assert op.hits("/jwks") == 2
        with pytest.raises(oidc.JARMSignatureError) as caught:
            login(sign(claims, "rsa-2", kid="forged"))
        assert caught.value.check == "kid"
        assert op.hits("/jwks") == 2  # rate-limited
        assert [hit.form["code"] for hit in op.routes.to("/token")] == [CODE, CODE]


# -- redaction -----------------------------------------------------------------------------


def test_the_response_jwt_never_shows_in_errors_or_reprs() -> None:
    secret_keys = oidc.JARMExpectations(
        issuer=ISSUER, client_id=CLIENT_ID, client_secret=SECRET, decryption_keys=key("enc")
    )
    shown = repr(secret_keys)
    assert SECRET not in shown
    assert "enc" not in shown
    jwt = sign(jarm_claims(state="forged"))
    s = session()
    flow = s.fetch_token_flow(f"{ISSUER}/token", authorization_response=url_of(jwt))
    with pytest.raises(StateMismatchError) as caught:
        next(flow)
    for text in (str(caught.value), repr(caught.value), repr(s.core)):
        assert jwt not in text
        assert CODE not in text
    for check in ("format", "alg", "iss", "aud", "exp"):
        error = oidc.JARMError("JWT authorization response rejected", check)
        assert jwt not in repr(error)


def test_a_redirect_uri_of_its_own_with_a_response_parameter_stays_plain() -> None:
    """RFC 6749 §3.1.2 lets a redirect URI carry a query; a session that asked for no JWT
    response mode and has no issuer reads such a callback as requests-oauthlib does."""
    s = OAuth2SessionState(CLIENT_ID, redirect_uri=f"{CB}?response=json", state=STATE)
    flow = s.fetch_token_flow(
        f"{ISSUER}/token",
        authorization_response=f"{CB}?response=json&code=the-code&state={STATE}",
    )
    body = (token_request(flow).request.body or b"").decode()
    assert "code=the-code" in body
