"""The relying party's flows, driven step by step against an in-memory provider (#9).

:class:`~oauthkit.oidc.RelyingParty` validates token responses (``accept_flow``), asks for
UserInfo and validates logout tokens as sans-I/O flows. Here every step is answered by the
test: back-channel requests by a scripted provider that counts them, locks by running the
sub-flow. The same flows run on the real drivers in ``test_oidc_provider_cache.py`` and
``test_oidc_interop.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

import oauthkit
from oauthkit import HttpResponse, Token, TokenManager, oidc
from oauthkit._core._http import HttpRequest
from oauthkit._core._steps import Exclusive, SendRequest
from oauthkit._oauth2._metadata import RFC8414
from oauthkit.oidc._claims import left_hash

from ._oidc import (
    CLIENT_ID,
    ISSUER,
    NONCE,
    NOW,
    SECRET,
    claims,
    encrypt,
    jwks,
    key,
    logout_claims,
    sign,
)

Handler = Callable[[HttpRequest], HttpResponse]


def _json(body: object, status: int = 200, **headers: str) -> HttpResponse:
    return HttpResponse(
        status, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()
    )


class Memory:
    """A provider answering the steps of a flow; every request is kept."""

    def __init__(self, **metadata: Any) -> None:
        self.keys: Any = jwks("rsa")
        self.metadata = {
            "issuer": ISSUER,
            "token_endpoint": f"{ISSUER}/token",
            "jwks_uri": f"{ISSUER}/jwks",
            "userinfo_endpoint": f"{ISSUER}/userinfo",
            **metadata,
        }
        self.requests: list[HttpRequest] = []
        self.handlers: dict[str, Handler] = {
            "/.well-known/openid-configuration": lambda r: _json(self.metadata),
            "/jwks": lambda r: _json(self.keys),
        }

    def hits(self, path: str) -> int:
        return sum(r.url.split("?")[0] == ISSUER + path for r in self.requests)

    def answer(self, request: HttpRequest) -> HttpResponse:
        self.requests.append(request)
        handler = self.handlers.get(request.url.removeprefix(ISSUER).split("?")[0])
        return handler(request) if handler else _json({"error": "not_found"}, 404)

    def run(self, flow: Any) -> Any:
        """Drive ``flow`` to its end: requests answered here, locks by running the sub-flow
        (whose errors are thrown into its parent), any other step (a token issued, a save
        without a store) with ``None``."""
        reply: Any = None
        error: BaseException | None = None
        while True:
            try:
                step = flow.send(reply) if error is None else flow.throw(error)
            except StopIteration as stop:
                return stop.value
            reply, error = None, None
            try:
                if isinstance(step, SendRequest):
                    reply = self.answer(step.request)
                elif isinstance(step, Exclusive):
                    reply = self.run(step.flow)
            except Exception as exc:
                error = exc


@pytest.fixture
def op() -> Memory:
    return Memory()


def _manager(**kw: Any) -> TokenManager:
    kw.setdefault("clock", lambda: NOW)
    return TokenManager(
        CLIENT_ID, kw.pop("client_secret", SECRET), token_endpoint=f"{ISSUER}/token", **kw
    )


def _rp(**kw: Any) -> oidc.RelyingParty:
    return oidc.RelyingParty(oidc.Provider(ISSUER), CLIENT_ID, **kw)


def _token(id_token: str | None = None, access_token: str = "at-1", **fields: Any) -> Token:
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 600, **fields}
    if id_token is not None:
        body["id_token"] = id_token
    return Token.from_response(body, now=NOW)


def _login(
    op: Memory, rp: oidc.RelyingParty, id_token: str, manager: TokenManager | None = None
) -> Token:
    rp.nonce = NONCE
    rp.login_started()
    token = _token(id_token)
    assert op.run(rp.accept_flow(manager or _manager(), token, None)) is token
    return token


# --- accept_flow: the ID token of each token response ------------------------------------------


def test_a_login_validates_the_id_token_with_the_fetched_keys(op: Memory) -> None:
    rp = _rp()
    _login(op, rp, sign(claims(at_hash=left_hash("at-1", "RS256"))))
    assert rp.claims is not None
    assert rp.claims.subject == "user-248289761001"
    assert rp.nonce is None  # single-use (§15.5.2)
    assert (op.hits("/.well-known/openid-configuration"), op.hits("/jwks")) == (1, 1)
    rp.login_started()
    replay = rp.accept_flow(_manager(), _token(sign(claims())), None)
    with pytest.raises(oidc.IDTokenNonceError, match="no nonce is pending"):
        op.run(replay)


def test_a_refused_id_token_raises_its_class_and_ends_the_login(op: Memory) -> None:
    rp = _rp()
    with pytest.raises(oidc.IDTokenHashError):
        _login(op, rp, sign(claims(at_hash=left_hash("another", "RS256"))))
    with pytest.raises(oidc.IDTokenNonceError):
        _login(op, rp, sign(claims(nonce="replayed")))
    assert rp.claims is None
    assert not rp._exchanging


def test_a_login_answer_must_carry_an_id_token_and_a_refresh_need_not(op: Memory) -> None:
    rp = _rp()
    rp.nonce = NONCE
    rp.login_started()
    with pytest.raises(oidc.IDTokenFormatError, match="no id_token"):
        op.run(rp.accept_flow(_manager(), _token(), None))
    assert not rp._exchanging
    plain = _token()
    assert op.run(rp.accept_flow(_manager(), plain, None)) is plain
    assert op.requests == []


def test_a_refreshed_id_token_must_name_the_same_subject(op: Memory) -> None:
    rp = _rp()
    first = _login(op, rp, sign(claims(auth_time=NOW - 60)))
    same = _token(sign(claims(nonce=None, auth_time=NOW - 60)))
    assert op.run(rp.accept_flow(_manager(), same, first)) is same
    other = _token(sign(claims(nonce=None, sub="someone-else")))
    with pytest.raises(oidc.IDTokenSubjectError):
        op.run(rp.accept_flow(_manager(), other, same))


def test_a_rotated_key_costs_one_refetch_and_no_failed_login(op: Memory) -> None:
    rp = _rp()
    _login(op, rp, sign(claims()))
    op.keys = jwks("rsa-2")
    _login(op, rp, sign(claims(), "rsa-2"))
    assert op.hits("/jwks") == 2
    with pytest.raises(oidc.IDTokenSignatureError, match="refetched less than 60 s ago"):
        _login(op, rp, sign(claims()))  # the old key, gone
    assert op.hits("/jwks") == 2


def test_provider_algorithms_hmac_and_encrypted_id_tokens(op: Memory) -> None:
    op.metadata["id_token_signing_alg_values_supported"] = ["HS256"]
    rp = _rp()
    _login(op, rp, sign(claims(), alg="HS256"))
    assert op.hits("/jwks") == 0  # verified with the client secret: no keys needed
    with pytest.raises(oidc.IDTokenSignatureError) as info:
        _login(op, _rp(), sign(claims(), alg="HS256"), _manager(client_secret=None))
    assert info.value.check == "alg"
    encrypted = _rp(algorithms=["RS256"], decryption_keys=key("enc"))
    _login(op, encrypted, encrypt(sign(claims())))
    assert encrypted.claims is not None
    assert op.hits("/jwks") == 1


# --- the provider: metadata and keys -------------------------------------------------------------


def test_provider_construction() -> None:
    metadata = oauthkit.parse_server_metadata(_json({"issuer": ISSUER}), issuer=ISSUER)
    assert oidc.Provider(ISSUER, metadata=metadata).metadata is metadata
    with pytest.raises(oauthkit.UsageError, match="metadata is for issuer"):
        oidc.Provider("https://other.example", metadata=metadata)
    with pytest.raises(oauthkit.UsageError, match="jwks"):
        oidc.Provider(ISSUER, jwks={"keys": "none"})
    with pytest.raises(oauthkit.UsageError, match="issuer"):
        oidc.Provider("op.example")
    given = oidc.import_jwks(jwks("rsa"))
    assert oidc.Provider(ISSUER, jwks=given).keys_entry.value is given
    assert repr(oidc.Provider(ISSUER)) == "Provider('https://op.example')"
    assert not oidc.Provider(ISSUER, kind=RFC8414).fallback


def test_clear_forgets_fetched_documents(op: Memory) -> None:
    provider = oidc.Provider(ISSUER)
    op.run(oidc.keys_flow(provider, _manager()))
    provider.clear()
    assert (provider.metadata, provider.keys_entry.value) == (None, None)
    op.run(oidc.keys_flow(provider, _manager()))
    assert (op.hits("/.well-known/openid-configuration"), op.hits("/jwks")) == (2, 2)


def test_an_rfc8414_provider_reads_only_its_own_document(op: Memory) -> None:
    op.handlers["/.well-known/oauth-authorization-server"] = op.handlers.pop(
        "/.well-known/openid-configuration"
    )
    with pytest.raises(oauthkit.TokenEndpointError):
        op.run(oidc.metadata_flow(oidc.Provider(ISSUER, fallback=False), _manager()))
    metadata = op.run(oidc.metadata_flow(oidc.Provider(ISSUER, kind=RFC8414), _manager()))
    assert metadata.issuer == ISSUER


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        (_json({"keys": "none"}), oauthkit.MalformedResponseError),
        (_json(["not", "a", "set"]), oauthkit.MalformedResponseError),
        (
            HttpResponse(200, {"Content-Type": "text/html"}, b"<html>"),
            oauthkit.MalformedResponseError,
        ),
        (_json({"error": "server_error"}, 500), oauthkit.ServerResponseError),
    ],
)
def test_a_jwks_uri_answer_that_is_not_a_set(op: Memory, answer: HttpResponse, error: type) -> None:
    op.handlers["/jwks"] = lambda r: answer
    provider = oidc.Provider(ISSUER)
    with pytest.raises(error):
        op.run(oidc.keys_flow(provider, _manager()))
    assert provider.keys_entry.value is None


def test_metadata_without_a_jwks_uri(op: Memory) -> None:
    del op.metadata["jwks_uri"]
    with pytest.raises(oauthkit.UsageError, match="jwks_uri"):
        op.run(oidc.keys_flow(oidc.Provider(ISSUER), _manager()))


# --- UserInfo (§5.3) -----------------------------------------------------------------------------


def _userinfo(
    op: Memory, rp: oidc.RelyingParty, manager: TokenManager | None = None
) -> dict[str, Any]:
    if manager is None:
        manager = _manager(token={"access_token": "at-1", "token_type": "Bearer"})
    result: dict[str, Any] = op.run(rp.userinfo_flow(manager))
    return result


def _logged_in(op: Memory) -> oidc.RelyingParty:
    rp = _rp()
    _login(op, rp, sign(claims()))
    return rp


def test_userinfo_json_and_signed(op: Memory) -> None:
    rp = _logged_in(op)
    op.handlers["/userinfo"] = lambda r: _json(
        {"sub": "user-248289761001", "auth": r.headers["Authorization"]}
    )
    assert _userinfo(op, rp)["auth"] == "Bearer at-1"
    body = {"sub": "user-248289761001", "iss": ISSUER, "aud": CLIENT_ID}
    op.handlers["/userinfo"] = lambda r: HttpResponse(
        200, {"Content-Type": "application/jwt"}, sign(body, "rsa-2").encode()
    )
    op.keys = jwks("rsa", "rsa-2")
    assert _userinfo(op, rp)["iss"] == ISSUER  # an unknown kid: the keys refetched once
    assert op.hits("/jwks") == 2
    op.handlers["/userinfo"] = lambda r: HttpResponse(
        200, {"Content-Type": "application/jwt"}, sign(body, "ec-256", "ES256").encode()
    )
    with pytest.raises(oidc.UserinfoError) as info:
        _userinfo(op, rp)
    assert info.value.check == "alg"
    op.handlers["/userinfo"] = lambda r: HttpResponse(
        200, {"Content-Type": "application/jwt"}, sign(body, kid="unknown").encode()
    )
    with pytest.raises(oidc.UserinfoError) as info:
        _userinfo(op, rp)  # unknown again, within the rate limit
    assert info.value.check == "kid"
    hmac = _rp(userinfo_algorithms=["HS256"])
    op.handlers["/userinfo"] = lambda r: HttpResponse(
        200, {"Content-Type": "application/jwt"}, sign(body, alg="HS256").encode()
    )
    assert _userinfo(op, hmac)["aud"] == CLIENT_ID


def test_userinfo_about_another_user_is_refused(op: Memory) -> None:
    rp = _logged_in(op)
    op.handlers["/userinfo"] = lambda r: _json({"sub": "intruder"})
    with pytest.raises(oidc.UserinfoSubjectError):
        _userinfo(op, rp)


def test_userinfo_renews_a_rejected_token_once(op: Memory) -> None:
    rp = _logged_in(op)
    sent: list[str] = []

    def userinfo(request: HttpRequest) -> HttpResponse:
        sent.append(request.headers["Authorization"])
        if request.headers["Authorization"] == "Bearer at-1":
            return HttpResponse(401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b"")
        return _json({"sub": "user-248289761001"})

    op.handlers["/userinfo"] = userinfo
    op.handlers["/token"] = lambda r: _json(
        {"access_token": "at-2", "token_type": "Bearer", "expires_in": 600}
    )
    manager = _manager(
        token={"access_token": "at-1", "token_type": "Bearer", "refresh_token": "rt"}
    )
    assert _userinfo(op, rp, manager)["sub"] == "user-248289761001"
    assert sent == ["Bearer at-1", "Bearer at-2"]
    op.handlers["/userinfo"] = lambda r: HttpResponse(
        401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b""
    )
    with pytest.raises(oidc.UserinfoError) as info:
        _userinfo(op, rp)  # no refresh token: no retry
    assert info.value.check == "status"


def test_userinfo_misuse(op: Memory) -> None:
    rp = _logged_in(op)
    with pytest.raises(oauthkit.UsageError, match="no access token"):
        op.run(rp.userinfo_flow(_manager()))
    del op.metadata["userinfo_endpoint"]
    with pytest.raises(oauthkit.UsageError, match="userinfo_endpoint"):
        _userinfo(op, _rp())


# --- RP-initiated logout and back-channel logout tokens ------------------------------------------


def test_end_session_url_from_the_metadata(op: Memory) -> None:
    rp = _rp()
    manager = _manager()
    with pytest.raises(oauthkit.UsageError, match="discover"):
        rp.end_session_url(manager)
    op.run(oidc.metadata_flow(rp.provider, manager))
    with pytest.raises(oauthkit.UsageError, match="end_session_endpoint"):
        rp.end_session_url(manager)
    op.metadata["end_session_endpoint"] = f"{ISSUER}/logout"
    rp = _rp()
    op.run(oidc.metadata_flow(rp.provider, manager))
    assert rp.end_session_url(manager) == f"{ISSUER}/logout?client_id={CLIENT_ID}"
    manager.token = _token("eyJ.id.token")
    assert "id_token_hint=eyJ.id.token" in rp.end_session_url(
        manager, state="s", post_logout_redirect_uri="https://rp/"
    )
    assert "id_token_hint=other" in rp.end_session_url(manager, id_token_hint="other")


@pytest.mark.parametrize(
    ("token", "check"),
    [
        (sign(logout_claims(), alg="HS256"), None),
        (sign(logout_claims(), "rsa-2"), "kid"),
        (encrypt(sign(logout_claims())), "format"),
        ("garbage", "format"),
        (sign(logout_claims(nonce="n")), "nonce"),
    ],
)
def test_logout_tokens_through_the_relying_party(op: Memory, token: str, check: str | None) -> None:
    op.metadata["id_token_signing_alg_values_supported"] = ["RS256", "HS256"]
    rp = _rp()
    if check is None:
        assert op.run(rp.logout_token_flow(_manager(), token)).sid == "sid-1"
        assert op.hits("/jwks") == 0
        return
    with pytest.raises(oidc.LogoutTokenError) as info:
        op.run(rp.logout_token_flow(_manager(), token))
    assert info.value.check == check
