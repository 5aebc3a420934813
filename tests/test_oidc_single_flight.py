"""A key rotation met by many logins at once costs the provider one JWKS request.

A provider publishes a new signing key; the process has its previous JWK Set cached. 16
threads (requests, httpx) or 200 asyncio tasks (httpx async), each with its own session as a
web app builds one per HTTP request, finish a login whose ID token names the new ``kid``. The
sessions share the process's :class:`~oauthkit.oidc.Provider` for the issuer, so the unknown
``kid`` must cause one refetch of the JWK Set, which every login then uses.

The loopback provider answers the JWKS request only once every token response has left, so the
logins are all under way while the refetch is in flight; no test sleeps.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from oauthkit import oidc
from oauthkit.httpx import AsyncOAuth2Client, OAuth2Client
from oauthkit.requests import OAuth2Session

CLIENT_ID = "rp-client"
CLIENT_SECRET = "rp-secret-0123456789"
NOW = 1_800_000_000.0
# httpx's default of 5 s also bounds the wait for another caller's refetch; 200 clients and
# their loopback server share one process and its GIL, on machines that may be busy.
TIMEOUT = 30.0


def clock() -> float:
    return NOW


@dataclass
class Provider:
    """Discovery, JWKS and token endpoints; counts requests, holds the JWKS answer until
    ``release`` is set."""

    base: str = ""
    keys: list[dict[str, Any]] = field(default_factory=list)
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)
    jwks_requests: int = 0
    metadata_requests: int = 0
    token_requests: int = 0
    expected: int = 0
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        if path == "/.well-known/openid-configuration":
            with self.lock:
                self.metadata_requests += 1
            return 200, {
                "issuer": self.base,
                "authorization_endpoint": f"{self.base}/authorize",
                "token_endpoint": f"{self.base}/token",
                "jwks_uri": f"{self.base}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        if path == "/jwks":
            with self.lock:
                self.jwks_requests += 1
            assert self.release.wait(10), "the token responses never all left"
            return 200, {"keys": list(self.keys)}
        if method == "POST" and path == "/token":
            response = self.responses.get(form.get("code", ""))
            return (400, {"error": "invalid_grant"}) if response is None else (200, response)
        return 404, {"error": "not_found"}

    def sent_token(self) -> None:
        with self.lock:
            self.token_requests += 1
            if self.token_requests >= self.expected:
                self.release.set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body leave in two writes
    provider: ClassVar[Provider]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode())) if length else {}
        status, payload = self.provider.answer(self.command, self.path, form)
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        if self.path == "/token":
            self.provider.sent_token()

    do_GET = do_POST = _handle


class _Server(ThreadingHTTPServer):
    request_queue_size = 512  # 200 clients connect at once
    daemon_threads = True
    block_on_close = False


@pytest.fixture(scope="module")
def signing_keys() -> tuple[RSAKey, RSAKey]:
    return (
        RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig", "alg": "RS256"}),
        RSAKey.generate_key(2048, parameters={"kid": "key-2", "use": "sig", "alg": "RS256"}),
    )


@pytest.fixture
def provider() -> Iterator[Provider]:
    state = Provider()
    server = _Server(("127.0.0.1", 0), type("Handler", (_Handler,), {"provider": state}))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    try:
        state.base = f"http://127.0.0.1:{server.server_address[1]}"
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(5)


@dataclass(frozen=True)
class Login:
    code: str
    nonce: str


def issue(provider: Provider, key: RSAKey, name: str) -> Login:
    """A token response for one login, its ID token signed by ``key``."""
    login = Login(f"code-{name}", f"nonce-{name}")
    claims = {
        "iss": provider.base,
        "sub": "user-1",
        "aud": CLIENT_ID,
        "iat": int(NOW),
        "exp": int(NOW) + 600,
        "nonce": login.nonce,
    }
    header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
    provider.responses[login.code] = {
        "access_token": f"access-{name}",
        "token_type": "Bearer",
        "expires_in": 3600,
        "id_token": jwt.encode(header, claims, key),
    }
    return login


def sync_login(kind: str, provider: Provider, login: Login) -> oidc.IDTokenClaims | None:
    options: dict[str, Any] = {
        "issuer": provider.base,
        "scope": "openid",
        "nonce": login.nonce,
        "clock": clock,
    }
    session: Any
    if kind == "requests":
        session = OAuth2Session(CLIENT_ID, **options)
        session.trust_env = False
    else:
        session = OAuth2Client(CLIENT_ID, timeout=TIMEOUT, trust_env=False, **options)
    with session:
        session.fetch_token(f"{provider.base}/token", code=login.code, client_secret=CLIENT_SECRET)
        claims: oidc.IDTokenClaims | None = session.id_token_claims
        return claims


def rotated(provider: Provider, keys: tuple[RSAKey, RSAKey], count: int) -> list[Login]:
    """Log in once with key-1 (caching the metadata and the set), publish key-2, and prepare
    ``count`` logins whose ID tokens it signs."""
    first, second = keys
    provider.keys = [first.as_dict(private=False)]
    provider.expected = 1
    assert sync_login("requests", provider, issue(provider, first, "first")) is not None
    assert (provider.metadata_requests, provider.jwks_requests) == (1, 1)
    provider.keys.append(second.as_dict(private=False))
    logins = [issue(provider, second, str(index)) for index in range(count)]
    with provider.lock:
        provider.jwks_requests = provider.metadata_requests = provider.token_requests = 0
        provider.expected = count
        provider.release.clear()
    return logins


@pytest.mark.parametrize("kind", ["requests", "httpx"])
def test_16_threads_meeting_a_new_kid_fetch_the_jwks_once(
    provider: Provider, signing_keys: tuple[RSAKey, RSAKey], kind: str
) -> None:
    logins = rotated(provider, signing_keys, 16)
    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda login: sync_login(kind, provider, login), logins))
    assert provider.jwks_requests == 1
    assert provider.metadata_requests == 0
    assert all(claims is not None and claims.header["kid"] == "key-2" for claims in results)


def test_200_tasks_meeting_a_new_kid_fetch_the_jwks_once(
    provider: Provider, signing_keys: tuple[RSAKey, RSAKey]
) -> None:
    logins = rotated(provider, signing_keys, 200)

    async def storm() -> list[oidc.IDTokenClaims | None]:
        transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=50))

        async def one(login: Login) -> oidc.IDTokenClaims | None:
            client = AsyncOAuth2Client(
                CLIENT_ID,
                issuer=provider.base,
                scope="openid",
                nonce=login.nonce,
                clock=clock,
                timeout=TIMEOUT,
                transport=transport,
                trust_env=False,
            )
            await client.fetch_token(
                f"{provider.base}/token", code=login.code, client_secret=CLIENT_SECRET
            )
            claims: oidc.IDTokenClaims | None = client.id_token_claims
            return claims

        try:
            return list(await asyncio.gather(*(one(login) for login in logins)))
        finally:
            await transport.aclose()

    results = asyncio.run(storm())
    assert provider.jwks_requests == 1
    assert provider.metadata_requests == 0
    assert all(claims is not None and claims.header["kid"] == "key-2" for claims in results)


def test_another_unknown_kid_right_after_is_not_fetched_again(
    provider: Provider, signing_keys: tuple[RSAKey, RSAKey]
) -> None:
    [login] = rotated(provider, signing_keys, 1)
    assert sync_login("requests", provider, login) is not None
    assert provider.jwks_requests == 1
    forged = issue(provider, RSAKey.generate_key(2048, parameters={"kid": "key-3"}), "forged")
    with pytest.raises(oidc.IDTokenSignatureError) as info:
        sync_login("requests", provider, forged)
    assert info.value.check == "kid"
    assert provider.jwks_requests == 1  # the refetch is rate-limited (refetch_interval)
