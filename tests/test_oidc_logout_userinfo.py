"""The relying party's requests, logout and UserInfo (OIDC Core §3.1.2.1, §5.3; RP-Initiated
Logout 1.0; Back-Channel Logout 1.0), without I/O."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

import oauthkit
from oauthkit import HttpResponse, oidc
from oauthkit._core._transport import TransportPolicy
from oauthkit._oauth2._metadata import parse_server_metadata

from ._oidc import (
    CLIENT_ID,
    ISSUER,
    NOW,
    SECRET,
    claims,
    encrypt,
    jwks,
    key,
    logout_claims,
    sign,
)

KEYS = oidc.import_jwks(jwks("rsa", "ec-256"))


def _metadata(**members: Any) -> oauthkit.ServerMetadata:
    body = {"issuer": ISSUER, "token_endpoint": f"{ISSUER}/token", **members}
    response = HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(body).encode())
    return parse_server_metadata(response, issuer=ISSUER)


def _rp(**kw: Any) -> oidc.RelyingParty:
    return oidc.RelyingParty(oidc.Provider(ISSUER), CLIENT_ID, **kw)


# --- RelyingParty: the authorization request (OIDC Core §3.1.2.1, §5.5) -------------------------


@pytest.mark.parametrize(
    ("prompt", "sent"),
    [
        ("login", "login"),
        ("none", "none"),
        (["login", "consent"], "login consent"),
        (("select_account",), "select_account"),
        ("create", "create"),
    ],
)
def test_prompt_values(prompt: Any, sent: str) -> None:
    assert _rp().authorization_params({"prompt": prompt})["prompt"] == sent


@pytest.mark.parametrize("prompt", ["none login", ["none", "consent"], "logout", ["login", 7], 7])
def test_prompt_misuse(prompt: Any) -> None:
    with pytest.raises(oauthkit.UsageError, match="prompt"):
        _rp().authorization_params({"prompt": prompt})


def test_max_age_is_sent_and_remembered_for_the_login() -> None:
    rp = _rp(max_age=3600)
    assert rp.authorization_params({})["max_age"] == "3600"
    assert rp.login_max_age == 3600
    assert rp.authorization_params({"max_age": "60"})["max_age"] == "60"
    assert rp.login_max_age == 60
    assert "max_age" not in rp.authorization_params({"max_age": None})
    assert rp.login_max_age is None
    for bad in (-1, "1.5", 2.0, True, "ten"):
        with pytest.raises(oauthkit.UsageError, match="max_age"):
            rp.authorization_params({"max_age": bad})
    with pytest.raises(oauthkit.UsageError, match="max_age"):
        _rp(max_age=-5)


def test_claims_are_sent_as_json_and_an_essential_acr_is_recorded() -> None:
    rp = _rp(acr_values=["urn:silver"])
    request = {"id_token": {"acr": {"essential": True, "values": ["urn:gold", "urn:plat"]}}}
    out = rp.authorization_params({"claims": request, "scope": "openid"})
    assert json.loads(out["claims"]) == request
    assert " " not in out["claims"]
    assert out["scope"] == "openid"
    assert rp.login_acr == ("urn:gold", "urn:plat")
    rp.authorization_params({"claims": {"id_token": {"acr": {"values": ["urn:gold"]}}}})
    assert rp.login_acr == ("urn:silver",)  # not essential: the client's own setting
    rp.authorization_params({"claims": {"userinfo": {"email": None}}})
    assert rp.login_acr == ("urn:silver",)
    rp.authorization_params({"claims": {"id_token": "not a mapping"}})
    assert rp.authorization_params({"claims": '{"raw":1}'})["claims"] == '{"raw":1}'
    with pytest.raises(oauthkit.UsageError, match="claims"):
        rp.authorization_params({"claims": ["acr"]})


def test_an_essential_acr_asked_as_one_value_is_recorded() -> None:
    rp = _rp()
    rp.authorization_params({"claims": {"id_token": {"acr": {"essential": True, "value": "u"}}}})
    assert rp.login_acr == ("u",)
    # "values" must be a list (§5.5.1): a string is not split into characters
    rp.authorization_params({"claims": {"id_token": {"acr": {"essential": True, "values": "u"}}}})
    assert rp.login_acr is None


def test_locales_and_acr_values_may_be_lists() -> None:
    out = _rp().authorization_params(
        {"ui_locales": ["fr-CA", "fr", "en"], "claims_locales": "de", "acr_values": ("a", "b")}
    )
    assert (out["ui_locales"], out["claims_locales"], out["acr_values"]) == (
        "fr-CA fr en",
        "de",
        "a b",
    )
    with pytest.raises(oauthkit.UsageError, match="ui_locales"):
        _rp().authorization_params({"ui_locales": ["fr", None]})


def test_id_token_algorithms() -> None:
    assert _rp(algorithms=["ES256"]).id_token_algorithms(_metadata()) == ("ES256",)
    offered = _metadata(id_token_signing_alg_values_supported=["none", "PS256", "XX1", "HS256"])
    assert _rp().id_token_algorithms(offered) == ("PS256", "HS256")
    assert _rp().id_token_algorithms(_metadata()) == ("RS256",)
    assert _rp().id_token_algorithms(None) == ("RS256",)
    only_none = _metadata(id_token_signing_alg_values_supported=["none"])
    assert _rp().id_token_algorithms(only_none) == ("RS256",)


def test_a_relying_party_for_an_issuer_uses_the_shared_provider() -> None:
    rp = oidc.RelyingParty("https://shared.example", CLIENT_ID)
    assert rp.provider is oidc.shared_provider("https://shared.example")
    assert rp.issuer == "https://shared.example"


# --- ReplayWindow ------------------------------------------------------------------------------


def test_a_jti_is_refused_until_it_expires() -> None:
    window = oidc.ReplayWindow()
    assert window.first_use("a", 100.0, 50.0)
    assert not window.first_use("a", 100.0, 60.0)
    assert not window.first_use("a", 200.0, 100.0)  # at its expiry still refused
    assert window.first_use("b", 100.0, 60.0)
    assert window.first_use("a", 300.0, 100.5)  # expired: a new use, remembered anew
    assert not window.first_use("a", 300.0, 299.0)


def test_the_window_keeps_at_most_limit_values() -> None:
    window = oidc.ReplayWindow(limit=3)
    for jti in ("a", "b", "c"):
        assert window.first_use(jti, 1000.0, 0.0)
    assert window.first_use("d", 1000.0, 0.0)  # full: the oldest, "a", is dropped
    assert window.first_use("a", 1000.0, 0.0)
    assert not window.first_use("d", 1000.0, 0.0)
    expiring = oidc.ReplayWindow(limit=3)
    expiring.first_use("x", 10.0, 0.0)
    expiring.first_use("y", 10.0, 0.0)
    expiring.first_use("z", 1000.0, 0.0)
    assert expiring.first_use("w", 1000.0, 20.0)  # full: every expired value goes
    assert not expiring.first_use("z", 1000.0, 20.0)


# --- build_end_session_url (RP-Initiated Logout 1.0 §2) ------------------------------------------


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_end_session_url() -> None:
    url = oidc.build_end_session_url(
        "https://op.example/logout?tenant=a",
        id_token_hint="eyJ.x.y",
        post_logout_redirect_uri="https://rp.example/bye",
        state="s1",
        logout_hint="user@example",
        ui_locales=["fr", "en"],
    )
    assert url.startswith("https://op.example/logout?tenant=a&id_token_hint=")
    assert _query(url) == {
        "tenant": ["a"],
        "id_token_hint": ["eyJ.x.y"],
        "logout_hint": ["user@example"],
        "post_logout_redirect_uri": ["https://rp.example/bye"],
        "state": ["s1"],
        "ui_locales": ["fr en"],
    }
    assert oidc.build_end_session_url("https://op.example/logout") == "https://op.example/logout"
    by_client = oidc.build_end_session_url(
        "https://op.example/logout", client_id=CLIENT_ID, post_logout_redirect_uri="https://r/"
    )
    assert _query(by_client)["client_id"] == [CLIENT_ID]
    assert _query(oidc.build_end_session_url("https://op/l", ui_locales="de")) == {
        "ui_locales": ["de"]
    }


def test_end_session_url_rules() -> None:
    with pytest.raises(oauthkit.UsageError, match="id_token_hint or client_id"):
        oidc.build_end_session_url("https://op/l", post_logout_redirect_uri="https://rp/")
    with pytest.raises(oauthkit.UsageError, match="state"):
        oidc.build_end_session_url("https://op/l", client_id="c", state="s")
    with pytest.raises(oauthkit.InsecureTransportError):
        oidc.build_end_session_url("http://op.example/logout")
    assert oidc.build_end_session_url("http://127.0.0.1:8080/logout").startswith("http://")
    allowed = TransportPolicy(True)
    assert oidc.build_end_session_url("http://op.example/l", transport=allowed)


# --- validate_logout_token (Back-Channel Logout 1.0 §2.6) -----------------------------------------


def logout(token: str, *, now: float = NOW, **kw: Any) -> oidc.IDTokenClaims:
    kw.setdefault("jwks", KEYS)
    return oidc.validate_logout_token(token, issuer=ISSUER, client_id=CLIENT_ID, now=now, **kw)


def logout_refused(check: str, token: str, **kw: Any) -> str:
    with pytest.raises(oidc.LogoutTokenError) as info:
        logout(token, **kw)
    assert info.value.check == check, info.value
    assert str(info.value).startswith(f"logout token rejected ({check}): ")
    return str(info.value)


def test_a_valid_logout_token() -> None:
    got = logout(sign(logout_claims(), typ="logout+jwt"))
    assert (got.subject, got.sid, got["jti"]) == ("user-248289761001", "sid-1", "jti-1")
    assert logout(sign(logout_claims(sub=None), typ="application/logout+jwt")).sid == "sid-1"
    assert logout(sign(logout_claims(sid=None, exp=None))).subject
    assert logout(sign(logout_claims(aud=["other", CLIENT_ID]))).sid
    hmac = sign(logout_claims(), alg="HS256")
    assert logout(hmac, jwks=None, algorithms=["HS256"], client_secret=SECRET).sid
    assert logout(sign(logout_claims()), jwks=jwks("rsa")).sid  # a JWK Set mapping


@pytest.mark.parametrize(
    ("changes", "check"),
    [
        ({"events": None}, "events"),
        ({"events": {}}, "events"),
        ({"events": [LOGOUT := "http://schemas.openid.net/event/backchannel-logout"]}, "events"),
        ({"events": {LOGOUT: "yes"}}, "events"),
        ({"events": {"http://schemas.openid.net/event/other": {}}}, "events"),
        ({"nonce": "n"}, "nonce"),
        ({"nonce": None, "sub": None, "sid": None}, "sub"),
        ({"sub": "", "sid": None}, "sub"),
        ({"sub": 7}, "sub"),
        ({"sid": ["s"]}, "sid"),
        ({"jti": None}, "jti"),
        ({"jti": 7}, "jti"),
        ({"iss": "https://other.example"}, "iss"),
        ({"aud": "other"}, "aud"),
        ({"aud": None}, "aud"),
        ({"iat": None}, "iat"),
        ({"iat": NOW + 31}, "iat"),
        ({"exp": NOW - 31}, "exp"),
        ({"exp": "soon"}, "exp"),
    ],
)
def test_each_logout_check(changes: dict[str, Any], check: str) -> None:
    logout_refused(check, sign(logout_claims(**changes)))


@pytest.mark.parametrize(
    ("token", "check"),
    [
        (sign(logout_claims(), typ="JWT"), "typ"),
        (sign(logout_claims(), typ="at+jwt"), "typ"),
        (sign(logout_claims(), header={"alg": "none"}), "alg"),
        (sign(logout_claims(), "rsa-2"), "kid"),
        (sign(logout_claims(), crit=["x"]), "crit"),
        (sign([logout_claims()]), "format"),
        ("a.b", "format"),
        (sign(logout_claims(), alg="HS256"), "alg"),
    ],
)
def test_logout_token_header_and_signature(token: str, check: str) -> None:
    logout_refused(check, token)


def test_an_id_token_is_not_a_logout_token() -> None:
    logout_refused("events", sign(claims(nonce=None)))
    logout_refused("nonce", sign(logout_claims(nonce="n")))


def test_a_replayed_jti_is_refused_within_its_lifetime() -> None:
    window = oidc.ReplayWindow(window=600)
    token = sign(logout_claims())
    assert logout(token, replay=window).sid
    assert "replay" in logout_refused("jti", token, replay=window)
    assert "replay" in logout_refused("jti", token, replay=window, now=NOW + 150)  # exp + leeway
    assert logout(token, replay=window, now=NOW + 150.5, leeway=31).sid  # remembered until then
    other_issuer = oidc.validate_logout_token(
        sign(logout_claims(iss="https://op2.example")),
        jwks=KEYS,
        issuer="https://op2.example",
        client_id=CLIENT_ID,
        now=NOW,
        replay=window,
    )
    assert other_issuer.sid  # jti values are per issuer
    no_exp = sign(logout_claims(exp=None, jti="no-exp"))
    assert logout(no_exp, replay=window).sid
    logout_refused("jti", no_exp, replay=window, now=NOW + 600)
    assert logout(no_exp, replay=window, now=NOW + 601).sid
    assert logout(token).sid == logout(token).sid == "sid-1"  # no window: no replay check


def test_logout_algorithm_misuse() -> None:
    for bad in ([], ["none"], ["RS1"]):
        with pytest.raises(oauthkit.UsageError):
            logout(sign(logout_claims()), algorithms=bad)


# --- parse_userinfo (OIDC Core §5.3.2, §5.3.4) ---------------------------------------------------

SUB = "user-248289761001"


def _json(body: object, status: int = 200) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": "application/json"}, json.dumps(body).encode())


def _jwt(token: str | bytes, status: int = 200) -> HttpResponse:
    body = token.encode() if isinstance(token, str) else token
    return HttpResponse(status, {"Content-Type": "application/jwt; charset=ascii"}, body)


def userinfo(response: HttpResponse, subject: str | None = SUB, **kw: Any) -> dict[str, Any]:
    kw.setdefault("keys", KEYS)
    return oidc.parse_userinfo(response, subject=subject, issuer=ISSUER, client_id=CLIENT_ID, **kw)


def userinfo_refused(check: str, response: HttpResponse, **kw: Any) -> oidc.UserinfoError:
    with pytest.raises(oidc.UserinfoError) as info:
        userinfo(response, **kw)
    assert info.value.check == check, info.value
    return info.value


def test_userinfo_as_json() -> None:
    assert userinfo(_json({"sub": SUB, "email": "a@b"})) == {"sub": SUB, "email": "a@b"}
    assert userinfo(_json({"sub": "anyone"}), subject=None)["sub"] == "anyone"


def test_userinfo_as_a_signed_or_encrypted_jwt() -> None:
    body = {"sub": SUB, "iss": ISSUER, "aud": CLIENT_ID, "name": "Jane"}
    assert userinfo(_jwt(sign(body) + "\n"))["name"] == "Jane"
    assert userinfo(_jwt(sign({"sub": SUB})))["sub"] == SUB  # iss and aud are optional
    signed = sign(body, "ec-256", "ES256")
    assert userinfo(_jwt(signed), algorithms=["ES256"])["sub"] == SUB
    hmac = sign(body, alg="HS256")
    assert userinfo(_jwt(hmac), keys=None, algorithms=["HS256"], client_secret=SECRET)["sub"]
    nested = encrypt(sign(body))
    assert userinfo(_jwt(nested), decryption_keys=key("enc"))["name"] == "Jane"
    userinfo_refused("decryption", _jwt(nested))


@pytest.mark.parametrize(
    ("response", "check"),
    [
        (_jwt(sign({"sub": SUB, "iss": "https://evil.example"})), "iss"),
        (_jwt(sign({"sub": SUB, "aud": "another-client"})), "aud"),
        (_jwt(sign({"sub": SUB, "aud": 7})), "aud"),
        (_jwt(sign({"sub": SUB}, "rsa-2")), "kid"),
        (_jwt(sign({"sub": SUB}, "rsa-2", kid="rsa")), "signature"),
        (_jwt(sign({"sub": SUB}, header={"alg": "none"})), "alg"),
        (_jwt("not.a.jwt!"), "format"),
        (_jwt(b"\xff\xfe"), "format"),
        (_jwt(sign(["sub"])), "format"),
        (_json({"sub": SUB}, 401), "status"),
        (_json({"sub": SUB}, 403), "status"),
        (_json({"error": "server_error"}, 500), "status"),
        (_jwt(sign({"sub": SUB}), 500), "status"),
        (HttpResponse(200, {"Content-Type": "text/html"}, b"<html>"), "format"),
        (_json([{"sub": SUB}]), "format"),
        (_json({"email": "a@b"}), "sub"),
        (_json({"sub": ""}), "sub"),
        (_json({"sub": 248289761001}), "sub"),
        (_jwt(sign({"name": "no sub"})), "sub"),
    ],
)
def test_userinfo_refusals(response: HttpResponse, check: str) -> None:
    error = userinfo_refused(check, response)
    assert type(error) is oidc.UserinfoError


@pytest.mark.parametrize("other", ["user-248289761002", SUB + " ", SUB.upper(), "\udc80"])
def test_userinfo_about_another_subject_is_refused(other: str) -> None:
    for response in (_json({"sub": other}), _jwt(sign({"sub": other}))):
        error = userinfo_refused("sub", response)
        assert isinstance(error, oidc.UserinfoSubjectError)
        assert other not in str(error)


def test_logout_token_claims_and_a_typ_in_any_case() -> None:
    """``typ`` compares case-insensitively (media types do, RFC 7515 §4.1.9); the claims
    type says what a logout token may leave out."""
    token = sign(logout_claims(sub=None), typ="Logout+JWT")
    claims = oidc.validate_logout_token(
        token, jwks=jwks("rsa"), issuer=ISSUER, client_id=CLIENT_ID, now=NOW
    )
    assert isinstance(claims, oidc.LogoutTokenClaims)
    assert claims.subject is None
    assert claims.sid == "sid-1"
    assert claims.audience == (CLIENT_ID,)
    assert claims.issued_at == NOW
    assert claims.expires_at is None or claims.expires_at > NOW
    assert "sid-1" in repr(claims)


def test_import_jwks_refuses_what_is_not_a_key_set() -> None:
    with pytest.raises(oauthkit.UsageError, match="jwks"):
        oidc.import_jwks({"no": "keys"})  # type: ignore[arg-type]
    assert oidc.import_jwks(jwks("rsa")).kids()


def test_a_userinfo_server_error_is_named_as_such() -> None:
    response = oauthkit.HttpResponse(502, {"Content-Type": "text/html"}, b"<h1>bad gateway</h1>")
    with pytest.raises(oidc.UserinfoError, match="HTTP 502") as caught:
        oidc.parse_userinfo(response, subject="u", issuer=ISSUER, client_id=CLIENT_ID)
    assert caught.value.check == "status"
