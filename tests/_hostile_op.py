"""A scriptable hostile OpenID Provider on loopback, for the ID token attack corpus (issue #9).

:func:`hostile_op` serves one provider on :mod:`tests._routes`'s server: a discovery document,
its JWK Set (an RSA and an ES256 key), an authorization endpoint that redirects straight back
with ``code`` and ``state`` (so a session's ``authorization_url()`` leads to a callback without a
browser), a token endpoint, a userinfo endpoint and, beside them, an attacker's JWK Set that a
token may point at. Every request is kept in the server's log (:meth:`HostileOP.hits`).

Left alone (``Script()``) it is a correct provider: the ID token it issues is valid for the
login that asked for it. A :class:`Script` makes it misbehave: override claims or header members,
sign with another key or none, mangle the signature, lie in its discovery document or about the
UserInfo subject, or replay an earlier response. Tokens are signed with joserfc's algorithms;
the HS256 forgeries use :mod:`hmac` because joserfc (rightly) refuses a public key as an HMAC key.

Each provider lives under its own random path, so its issuer is new to the process: oauthkit
caches metadata and keys per issuer for the whole process, and a port the system hands out again
must not inherit an earlier provider's keys.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from joserfc import jwk, jwt
from joserfc.jws import JWSRegistry

from tests._routes import Answer, Hit, Routes, answer_json, serve

__all__ = [
    "ATTACKER_JKU",
    "ATTACKER_JWK",
    "ATTACKER_JWKS",
    "AUTHORIZE",
    "CALLBACK",
    "CLIENT_ID",
    "CLIENT_SECRET",
    "DISCOVERY",
    "DROP",
    "JWKS",
    "OTHER_ISSUER",
    "SUBJECT",
    "TOKEN",
    "USERINFO",
    "HostileOP",
    "Nested",
    "Rel",
    "Script",
    "hostile_op",
    "left_hash",
]

CLIENT_ID = "rp-client"
CLIENT_SECRET = "rp-client-secret-0123456789abcdef"
SUBJECT = "user-1"
OTHER_ISSUER = "https://op.example.test"
"""An issuer the provider is not: what a mixed-up discovery document or ``iss`` names."""

DISCOVERY = "/.well-known/openid-configuration"
JWKS = "/jwks"
ATTACKER_JWKS = "/attacker/jwks"
AUTHORIZE = "/authorize"
TOKEN = "/token"
USERINFO = "/userinfo"
CALLBACK = "/cb"


@dataclass(frozen=True)
class _Marker:
    name: str

    def __repr__(self) -> str:
        return self.name


DROP = _Marker("DROP")
"""As a claim or header value: leave that member out."""
ATTACKER_JKU = _Marker("ATTACKER_JKU")
"""As a header value: the URL of the attacker's JWK Set (served here, never to be fetched)."""
ATTACKER_JWK = _Marker("ATTACKER_JWK")
"""As a header value: the attacker's public key, embedded in the token."""


@dataclass(frozen=True)
class Rel:
    """As a claim value: the provider's clock plus ``seconds``."""

    seconds: float


@dataclass(frozen=True)
class Nested:
    """As a claim value: objects nested ``depth`` levels deep."""

    depth: int


@dataclass(frozen=True)
class Script:
    """How the provider misbehaves; the defaults make it a correct provider.

    Attributes:
        claims: ID token claims to override (:data:`DROP` removes one).
        header: JOSE header members to override (:data:`DROP` removes one).
        signer: ``rsa`` or ``ec`` (its own keys), ``attacker`` (a key it does not publish),
            ``none`` (no signature), ``hs256-pem`` / ``hs256-jwk`` (HMAC with its RSA public key,
            as PEM or as JWK JSON, for the secret), ``hs256-secret`` (HMAC with the client
            secret, as a provider may do honestly).
        mangle: ``strip`` the signature, ``alter`` a byte of it, or ``tamper`` with the payload
            after signing.
        discovery: Members of the discovery document to override.
        userinfo_sub: The ``sub`` its userinfo endpoint answers.
        replay: Answer every code after the first with the first token response, verbatim.
    """

    claims: Mapping[str, Any] = field(default_factory=dict)
    header: Mapping[str, Any] = field(default_factory=dict)
    signer: str = "rsa"
    mangle: str | None = None
    discovery: Mapping[str, Any] = field(default_factory=dict)
    userinfo_sub: str = SUBJECT
    replay: bool = False


@dataclass(frozen=True)
class _Keys:
    rsa: jwk.RSAKey
    ec: jwk.ECKey
    attacker: jwk.RSAKey


@functools.cache
def _keys() -> _Keys:
    # Generated once per test process: RSA key generation is the slow part of a provider.
    return _Keys(
        rsa=jwk.RSAKey.generate_key(2048, parameters={"kid": "rsa-1", "use": "sig"}),
        ec=jwk.ECKey.generate_key("P-256", parameters={"kid": "ec-1", "use": "sig"}),
        attacker=jwk.RSAKey.generate_key(2048, parameters={"kid": "attacker-1"}),
    )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _compact(
    header: Mapping[str, Any], claims: Mapping[str, Any], sign: Callable[[bytes], bytes]
) -> str:
    head = _b64(json.dumps(header).encode())
    body = _b64(json.dumps(claims).encode())
    return f"{head}.{body}.{_b64(sign(f'{head}.{body}'.encode('ascii')))}"


def _mangled(token: str, how: str | None) -> str:
    head, body, signature = token.split(".")
    if how == "strip":
        return f"{head}.{body}."
    if how == "alter":
        raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
        raw[len(raw) // 2] ^= 0x01
        return f"{head}.{body}.{_b64(bytes(raw))}"
    if how == "tamper":
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["sub"] = "admin"
        return f"{head}.{_b64(json.dumps(claims).encode())}.{signature}"
    return token


def left_hash(value: str) -> str:
    """``at_hash`` for an RS256 or ES256 token (OIDC Core §3.1.3.6)."""
    return _b64(hashlib.sha256(value.encode("ascii")).digest()[:16])


class HostileOP:
    """One provider: its URLs, its clock, what it issued and every request it received.

    Attributes:
        issuer: Its issuer identifier (``http://127.0.0.1:PORT/<random>``).
        now: Its clock, which the sessions under test share (``clock=op.clock``).
        script: How it misbehaves; tests may change it between logins.
        issued: The token responses it sent, in order.
    """

    def __init__(self, routes: Routes, script: Script) -> None:
        self.routes = routes
        self.prefix = "/" + secrets.token_hex(6)
        self.issuer = routes.url(self.prefix)
        self.now = float(int(time.time()))
        self.script = script
        self.keys = _keys()
        self.codes: dict[str, dict[str, str]] = {}
        self.issued: list[dict[str, Any]] = []
        handlers: dict[str, Callable[[Hit], Answer]] = {
            DISCOVERY: self._discovery,
            JWKS: lambda _: answer_json(self.jwks()),
            ATTACKER_JWKS: lambda _: answer_json({"keys": [self.attacker_jwk()]}),
            AUTHORIZE: self._authorize,
            TOKEN: self._token,
            USERINFO: self._userinfo,
        }
        for path, handler in handlers.items():
            routes.handlers[self.prefix + path] = handler

    def url(self, path: str) -> str:
        return self.issuer + path

    @property
    def redirect_uri(self) -> str:
        return self.url(CALLBACK)

    @property
    def discovery_url(self) -> str:
        return self.url(DISCOVERY)

    def clock(self) -> float:
        return self.now

    def hits(self, path: str) -> list[Hit]:
        """The requests to ``path`` (relative to the issuer), in order."""
        return self.routes.to(self.prefix + path)

    def paths(self) -> list[str]:
        """Every path requested, relative to the issuer, in order."""
        return [hit.path.removeprefix(self.prefix) for hit in self.routes.hits]

    def jwks(self) -> dict[str, Any]:
        """Its published JWK Set: the RSA and the EC key."""
        return {"keys": [key.as_dict(private=False) for key in (self.keys.rsa, self.keys.ec)]}

    def attacker_jwk(self) -> dict[str, Any]:
        return dict(self.keys.attacker.as_dict(private=False))

    # -- the documents -------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "issuer": self.issuer,
            "authorization_endpoint": self.url(AUTHORIZE),
            "token_endpoint": self.url(TOKEN),
            "userinfo_endpoint": self.url(USERINFO),
            "jwks_uri": self.url(JWKS),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "email"],
        }
        document.update(self.script.discovery)
        return document

    def _discovery(self, _: Hit) -> Answer:
        return answer_json(self.metadata())

    # -- the ID token ----------------------------------------------------------------------------

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, Rel):
            return int(self.now + value.seconds)
        if isinstance(value, Nested):
            nested: Any = 1
            for _ in range(value.depth):
                nested = {"x": nested}
            return nested
        if value is ATTACKER_JKU:
            return self.url(ATTACKER_JWKS)
        if value is ATTACKER_JWK:
            return self.attacker_jwk()
        return value

    def _merged(self, base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
        for name, value in overrides.items():
            if value is DROP:
                base.pop(name, None)
            else:
                base[name] = self._resolve(value)
        return base

    def id_token(self, nonce: str, access_token: str) -> str:
        """The ID token for a login with ``nonce``, as scripted."""
        now = int(self.now)
        claims = {
            "iss": self.issuer,
            "sub": SUBJECT,
            "aud": CLIENT_ID,
            "exp": now + 600,
            "iat": now,
            "auth_time": now,
            "nonce": nonce,
            "at_hash": left_hash(access_token),
        }
        script = self.script
        alg, key = {
            "rsa": ("RS256", self.keys.rsa),
            "ec": ("ES256", self.keys.ec),
            "attacker": ("RS256", self.keys.attacker),
        }.get(script.signer, ("HS256" if script.signer.startswith("hs") else "none", None))
        header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
        if key is not None:
            header["kid"] = key.kid
        header = self._merged(header, script.header)
        claims = self._merged(claims, script.claims)
        return _mangled(self._signed(alg, header, claims, key), script.mangle)

    def _signed(self, alg: str, header: dict[str, Any], claims: dict[str, Any], key: Any) -> str:
        signer = self.script.signer
        if signer == "none":
            return _compact(header, claims, lambda _: b"")
        if signer.startswith("hs256-"):
            public = self.keys.rsa
            secret = {
                "hs256-pem": public.as_pem(private=False),
                "hs256-jwk": json.dumps(public.as_dict(private=False)).encode(),
                "hs256-secret": CLIENT_SECRET.encode(),
            }[signer]
            return _compact(header, claims, lambda data: hmac.digest(secret, data, "sha256"))
        if "crit" in header or header.get("alg") != alg:
            # joserfc will not sign a header naming an extension it does not know, or an alg
            # that is not the key's: sign the bytes with its algorithm directly.
            algorithm = JWSRegistry.algorithms[alg]
            return _compact(header, claims, lambda data: algorithm.sign(data, key))
        return jwt.encode(header, claims, key, algorithms=[alg])

    # -- the endpoints -----------------------------------------------------------------------------

    def _authorize(self, hit: Hit) -> Answer:
        query = hit.query
        if query.get("response_type") != "code" or query.get("client_id") != CLIENT_ID:
            return 400, {}, b"unsupported request"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "nonce": query.get("nonce", ""),
            "redirect_uri": query.get("redirect_uri", ""),
        }
        back = urlencode({"code": code, "state": query.get("state", "")})
        return 302, {"Location": f"{query.get('redirect_uri', '')}?{back}"}, b""

    def _token(self, hit: Hit) -> Answer:
        grant = self.codes.pop(hit.form.get("code", ""), None)
        if (
            hit.method != "POST"
            or grant is None
            or hit.form.get("redirect_uri") != grant["redirect_uri"]
        ):
            return answer_json({"error": "invalid_grant"}, 400)
        if self.script.replay and self.issued:
            body = dict(self.issued[0])
        else:
            access_token = "at-" + secrets.token_urlsafe(16)
            body = {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 3600,
                "scope": "openid",
                "id_token": self.id_token(grant["nonce"], access_token),
            }
        self.issued.append(body)
        return answer_json(body, **{"Cache-Control": "no-store"})

    def _userinfo(self, hit: Hit) -> Answer:
        tokens = {body["access_token"] for body in self.issued}
        scheme, _, value = hit.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or value not in tokens:
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b""
        return answer_json({"sub": self.script.userinfo_sub, "email": "user-1@example.test"})

    # -- the user agent ----------------------------------------------------------------------------

    def authorize(self, url: str) -> str:
        """Open the authorization URL as the user's browser would; return the callback URL."""
        assert url.startswith(self.url(AUTHORIZE) + "?"), url
        with httpx.Client(trust_env=False, timeout=10) as http:
            response = http.get(url, follow_redirects=False)
        assert response.status_code == 302, response.text
        location = response.headers["location"]
        assert urlsplit(location).path == self.prefix + CALLBACK, location
        assert parse_qs(urlsplit(location).query)["code"]
        return location


@contextmanager
def hostile_op(script: Script | None = None) -> Iterator[HostileOP]:
    """Serve a provider following ``script`` (a correct one without) until the block ends."""
    with serve() as routes:
        yield HostileOP(routes, script or Script())
