"""Keys, signed tokens and claims for the OpenID Connect unit tests (issue #9).

Tokens are signed by joserfc, the library oauthkit verifies with, through its algorithm
objects, so that a test can also write a header or payload no well-behaved signer would (a
repeated member, a ``crit``, a non-object payload). Keys are generated once per process.
"""

from __future__ import annotations

import base64
import functools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwe, jwk
from joserfc.jws import JWSRegistry

from ._routes import Answer, Routes, answer_json, serve

__all__ = [
    "CLIENT_ID",
    "ISSUER",
    "LOGOUT_EVENT",
    "NONCE",
    "NOW",
    "OP",
    "SECRET",
    "b64",
    "claims",
    "encrypt",
    "jwks",
    "key",
    "logout_claims",
    "serve_op",
    "sign",
]

NOW = 1_700_000_000.0
ISSUER = "https://op.example"
CLIENT_ID = "rp-client"
SECRET = "client-secret-0123456789abcdef0123456789"  # 40 bytes: long enough for HS384/HS512
NONCE = "n-0S6_WzA2Mj"

_SPECS: dict[str, tuple[str, Any]] = {
    "rsa": ("RSA", 2048),
    "rsa-2": ("RSA", 2048),
    "ec-256": ("EC", "P-256"),
    "ec-384": ("EC", "P-384"),
    "ec-521": ("EC", "P-521"),
    "ed": ("OKP", "Ed25519"),
    "enc": ("RSA", 2048),
}


@functools.cache
def key(name: str) -> Any:
    """A private key named ``name`` (its ``kid``): ``rsa``, ``ec-256``, ``ed``, ``enc``..."""
    kty, size = _SPECS[name]
    cls = {"RSA": jwk.RSAKey, "EC": jwk.ECKey, "OKP": jwk.OKPKey}[kty]
    return cls.generate_key(size, parameters={"kid": name}, private=True)


def jwks(*names: str, **extra: Any) -> dict[str, Any]:
    """The public JWK Set of the named keys; ``extra`` members are added to each."""
    return {"keys": [{**key(n).as_dict(private=False), **extra} for n in names]}


def b64(data: bytes | str) -> str:
    raw = data.encode() if isinstance(data, str) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _text(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode()


def sign(
    payload: Any,
    signer: str = "rsa",
    alg: str = "RS256",
    *,
    header: Any = None,
    secret: str = SECRET,
    **members: Any,
) -> str:
    """A compact JWS of ``payload`` signed by the key named ``signer`` (or the secret for
    HS*). ``header`` replaces the whole header (a dict or raw JSON text); otherwise it is
    ``alg`` and ``kid`` plus ``members`` (a member given as ``None`` is left out)."""
    if header is None:
        kid = None if alg.startswith("HS") else signer
        header = {k: v for k, v in {"alg": alg, "kid": kid, **members}.items() if v is not None}
    signing_input = f"{b64(_text(header))}.{b64(_text(payload))}".encode()
    secret_key = jwk.OctKey.import_key(secret.encode())
    private = secret_key if alg.startswith("HS") else key(signer)
    signature = JWSRegistry.algorithms[alg].sign(signing_input, private)
    return f"{signing_input.decode()}.{b64(signature)}"


def encrypt(plaintext: str | bytes, recipient: str = "enc") -> str:
    """A compact JWE (RSA-OAEP-256, A256GCM) of ``plaintext`` for the named key."""
    return str(
        jwe.encrypt_compact(
            {"alg": "RSA-OAEP-256", "enc": "A256GCM"},
            _text(plaintext),
            key(recipient),
            algorithms=["RSA-OAEP-256", "A256GCM"],
        )
    )


def claims(**changes: Any) -> dict[str, Any]:
    """The claims of a valid ID token at :data:`NOW`; a change to ``None`` removes it."""
    base = {
        "iss": ISSUER,
        "sub": "user-248289761001",
        "aud": CLIENT_ID,
        "exp": NOW + 300,
        "iat": NOW,
        "nonce": NONCE,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def logout_claims(**changes: Any) -> dict[str, Any]:
    """The claims of a valid back-channel logout token at :data:`NOW` (``None`` removes)."""
    base = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": NOW,
        "exp": NOW + 120,
        "jti": "jti-1",
        "sub": "user-248289761001",
        "sid": "sid-1",
        "events": {LOGOUT_EVENT: {}},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


@dataclass
class OP:
    """A scripted OpenID Provider on loopback: its discovery document and JWK Set.

    Each attribute may be changed while it serves; every hit is in ``routes.hits``.

    Attributes:
        routes: The server.
        keys: The JWK Set served at ``/jwks``.
        delay: Seconds the discovery and JWKS answers take (to let callers pile up).
        cache_control: The ``Cache-Control`` of the discovery and JWKS answers.
        named_issuer: The issuer the metadata names (another one: a mismatch).
        extra: More metadata members.
    """

    routes: Routes
    keys: dict[str, Any] = field(default_factory=lambda: jwks("rsa"))
    delay: float = 0.0
    cache_control: str | None = None
    named_issuer: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.routes.base_url

    def metadata(self) -> dict[str, Any]:
        base = self.issuer
        return {
            "issuer": self.named_issuer or base,
            "authorization_endpoint": f"{base}/authorize",
            "token_endpoint": f"{base}/token",
            "jwks_uri": f"{base}/jwks",
            "userinfo_endpoint": f"{base}/userinfo",
            "end_session_endpoint": f"{base}/logout",
            **self.extra,
        }

    def hits(self, path: str) -> int:
        return len(self.routes.to(path))

    def _cached(self, payload: object) -> Answer:
        time.sleep(self.delay)
        headers = {} if self.cache_control is None else {"Cache-Control": self.cache_control}
        return answer_json(payload, **headers)


@contextmanager
def serve_op(**settings: Any) -> Iterator[OP]:
    """Serve an :class:`OP` with ``settings`` until the block ends."""
    with serve() as routes:
        op = OP(routes, **settings)
        routes.handlers.update(
            {
                "/.well-known/openid-configuration": lambda hit: op._cached(op.metadata()),
                "/jwks": lambda hit: op._cached(op.keys),
            }
        )
        yield op
