"""No OpenID Connect value or error shows the client secret, the access token, the ID token or
the nonce (issue #9; ``test_redaction.py`` does the same for the OAuth 2 parsers).

Every case runs twice, with two sets of secrets of the same shape, and must give the very same
text both times: so not even a fragment of a secret (a prefix, a length) shows. The text is
everything a caller could log: ``str`` and ``repr`` of each error, and ``repr`` of each value
(``IDTokenExpectations``, ``RelyingParty``, ``IDTokenClaims``, ``KeySet``, ``Provider``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from oauthkit import HttpResponse, Token, TokenManager, oidc
from oauthkit._jose._keys import import_jwks
from oauthkit.oidc._claims import left_hash

from ._oidc import CLIENT_ID, ISSUER, NOW, claims, encrypt, jwks, key, logout_claims, sign

KEYS = import_jwks(jwks("rsa"))


@dataclass(frozen=True)
class Secrets:
    client_secret: str
    access_token: str
    code: str
    nonce: str

    @property
    def id_token(self) -> str:
        return sign(self.claims())

    def claims(self, **changes: Any) -> dict[str, Any]:
        mine = {"nonce": self.nonce, "at_hash": left_hash(self.access_token, "RS256")}
        return claims(**{**mine, **changes})

    def all(self) -> list[str]:
        return [self.client_secret, self.access_token, self.code, self.nonce, self.id_token]


A = Secrets(
    "cs-Qx81vTnPzL0aW2e9", "at-M3kR7yHs92LdQwPx", "co-Vb4nJ8sKq1ZtE0rY", "n-Hf6Gp2Lw9XcT4uAz"
)
B = Secrets(
    "cs-Zu5eKc0QmB7rT1y3", "at-P0wN4dTj6VgL8aQe", "co-Kr9mWs2Hx5YbN7pC", "n-Lc3Vq8Rt0FyM6kDs"
)


def expect(s: Secrets, **changes: Any) -> oidc.IDTokenExpectations:
    fields: dict[str, Any] = {
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "nonce": s.nonce,
        "client_secret": s.client_secret,
        "access_token": s.access_token,
        "code": s.code,
    }
    return oidc.IDTokenExpectations(**{**fields, **changes})


def _id_token(token: Callable[[Secrets], str], **changes: Any) -> Callable[[Secrets], object]:
    def case(s: Secrets) -> object:
        return oidc.validate_id_token(
            token(s), jwks=KEYS, expect=expect(s, **changes), now=NOW, decryption_keys=key("enc")
        )

    return case


def _logout(token: Callable[[Secrets], str]) -> Callable[[Secrets], object]:
    window = oidc.ReplayWindow()

    def case(s: Secrets) -> object:
        return oidc.validate_logout_token(
            token(s),
            jwks=KEYS,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            now=NOW,
            replay=window,
            client_secret=s.client_secret,
        )

    return case


def _userinfo(status: int, content_type: str, body: Callable[[Secrets], str]) -> Any:
    def case(s: Secrets) -> object:
        response = HttpResponse(status, {"Content-Type": content_type}, body(s).encode())
        return oidc.parse_userinfo(
            response,
            subject="user-248289761001",
            issuer=ISSUER,
            client_id=CLIENT_ID,
            keys=KEYS,
            client_secret=s.client_secret,
        )

    return case


def _nonce_pending(s: Secrets) -> object:
    rp = oidc.RelyingParty(oidc.Provider(ISSUER), CLIENT_ID)
    manager = TokenManager(CLIENT_ID, s.client_secret, clock=lambda: NOW)
    rp.login_started()
    token = Token.from_response({"access_token": s.access_token, "id_token": s.id_token}, now=NOW)
    return rp.expectations(manager, token, ("RS256",))


CASES: dict[str, Callable[[Secrets], object]] = {
    "iss": _id_token(lambda s: sign(s.claims(iss="https://evil.example"))),
    "aud": _id_token(lambda s: sign(s.claims(aud="another"))),
    "azp": _id_token(lambda s: sign(s.claims(azp="another"))),
    "exp": _id_token(lambda s: sign(s.claims(exp=NOW - 100))),
    "iat": _id_token(lambda s: sign(s.claims(iat=NOW + 100))),
    "nbf": _id_token(lambda s: sign(s.claims(nbf=NOW + 100))),
    "nonce": _id_token(lambda s: sign(s.claims(nonce=s.nonce[::-1]))),
    "nonce missing": _id_token(lambda s: sign(s.claims(nonce=None))),
    "auth_time": _id_token(lambda s: s.id_token, max_age=60),
    "acr": _id_token(lambda s: s.id_token, acr_values=("urn:gold",)),
    "at_hash": _id_token(lambda s: sign(s.claims(at_hash=left_hash(s.code, "RS256")))),
    "c_hash": _id_token(lambda s: sign(s.claims(c_hash=left_hash(s.nonce, "RS256")))),
    "sub": _id_token(lambda s: sign(s.claims(sub=None))),
    "typ": _id_token(lambda s: sign(s.claims(), typ="logout+jwt")),
    "alg": _id_token(lambda s: sign(s.claims(), header={"alg": "none"})),
    "kid": _id_token(lambda s: sign(s.claims(), "rsa-2")),
    "signature": _id_token(lambda s: sign(s.claims(), "rsa-2", kid="rsa")),
    "hmac": _id_token(lambda s: sign(s.claims(), alg="HS256"), algorithms=["HS256"]),
    "crit": _id_token(lambda s: sign(s.claims(), crit=[s.nonce])),
    "format": _id_token(lambda s: sign(json.dumps(s.claims())[:-1])),
    "decryption": _id_token(lambda s: encrypt(s.id_token, "rsa")),
    "not a jwt": _id_token(lambda s: s.access_token),
    "pending nonce": _nonce_pending,
    "logout events": _logout(lambda s: sign(logout_claims(events=None))),
    "logout nonce": _logout(lambda s: sign(logout_claims(nonce=s.nonce))),
    "logout kid": _logout(lambda s: sign(logout_claims(), "rsa-2")),
    "logout id token": _logout(lambda s: s.id_token),
    "userinfo 401": _userinfo(401, "application/json", lambda s: "{}"),
    "userinfo echo": _userinfo(
        500,
        "application/json",
        lambda s: json.dumps({"error": "x", "error_description": f"Bearer {s.access_token}"}),
    ),
    "userinfo form": _userinfo(200, "text/plain", lambda s: f"access_token={s.access_token}"),
    "userinfo no sub": _userinfo(
        200, "application/json", lambda s: json.dumps({"access_token": s.access_token})
    ),
    "userinfo sub": _userinfo(200, "application/json", lambda s: json.dumps({"sub": s.nonce})),
    "userinfo jwt": _userinfo(200, "application/jwt", lambda s: s.access_token),
    "userinfo signed": _userinfo(
        200, "application/jwt", lambda s: sign({"sub": s.nonce, "nonce": s.nonce})
    ),
}


def _text(case: Callable[[Secrets], object], s: Secrets) -> str:
    with pytest.raises((oidc.IDTokenError, oidc.LogoutTokenError, oidc.UserinfoError)) as info:
        case(s)
    error = info.value
    return f"{error}\n{error!r}\n{error.check}"


@pytest.mark.parametrize("name", CASES)
def test_errors_show_no_secret(name: str) -> None:
    first, second = _text(CASES[name], A), _text(CASES[name], B)
    for secret in A.all():
        assert secret not in first
    assert first == second


def _values(s: Secrets) -> str:
    previous = oidc.validate_id_token(
        s.id_token, jwks=KEYS, expect=expect(s), now=NOW
    )  # its nonce claim is the secret nonce
    rp = oidc.RelyingParty(
        oidc.Provider(ISSUER, jwks=jwks("rsa")),
        CLIENT_ID,
        nonce=s.nonce,
        decryption_keys=key("enc"),
    )
    rp.claims = previous
    shown = [expect(s, previous=previous), rp, previous, rp.provider, KEYS]
    return "\n".join(repr(value) for value in shown)


def test_values_show_no_secret() -> None:
    first = _values(A)
    for secret in A.all():
        assert secret not in first
    private = key("enc").as_dict(private=True)
    assert private["d"] not in first
    assert first == _values(B)
    assert "IDTokenExpectations(issuer='https://op.example'" in first
    assert "RelyingParty('https://op.example', client_id='rp-client')" in first
