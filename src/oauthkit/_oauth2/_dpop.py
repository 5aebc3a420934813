"""DPoP keys and proofs (RFC 9449): binding tokens to a key the client holds.

A :class:`DPoPKey` is the client's proof-of-possession key: generated (``ES256`` by default)
or loaded from a private JWK, with its public JWK and RFC 7638 thumbprint computed once.
:func:`build_dpop_proof` makes the ``DPoP`` header of one request (§4.2): a JWT of type
``dpop+jwt`` carrying the public key, signed by the private one, naming the request's method
(``htm``) and URI (``htu``), with a fresh ``jti``, ``iat``, and ``ath`` (the access token's
hash, §4.2) on requests to a resource server, and the server's ``nonce`` (§8, §9) when given.

Signing uses joserfc's algorithm objects (the ``jose`` extra), imported when a key is made,
never at import time. The protected header never changes for a key, so it is encoded once.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .._core._extras import require
from .._core._random import generate_jti
from .._errors import UsageError

__all__ = ["DPOP_ALGORITHMS", "DPoPKey", "access_token_hash", "build_dpop_proof", "dpop_htu"]

DPOP_ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "PS256", "EdDSA")
"""The algorithms a :class:`DPoPKey` signs with (asymmetric only, RFC 9449 §4.2)."""

_FEATURE = "DPoP proofs"
_EC_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_GENERATE: dict[str, tuple[str, object]] = {
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "RS256": ("RSA", 2048),
    "PS256": ("RSA", 2048),
    "EdDSA": ("OKP", "Ed25519"),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}
# One encoder: json.dumps(separators=...) builds a new one per call, a tenth of a proof's cost.
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode
_MEMO = 64


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _alg_for(key: Any, alg: str | None) -> str:
    kty = key.key_type
    if kty == "EC":
        expected = _EC_ALG.get(key.curve_name)
        if expected is None or alg not in (None, expected):
            raise UsageError(f"an EC key on {key.curve_name} cannot sign DPoP proofs as {alg!r}")
        return expected
    if kty == "RSA":
        if alg not in (None, "RS256", "PS256"):
            raise UsageError(f"an RSA DPoP key signs with RS256 or PS256, not {alg!r}")
        return alg or "RS256"
    if kty == "OKP":
        if key.curve_name != "Ed25519" or alg not in (None, "EdDSA"):
            raise UsageError("an OKP DPoP key must be Ed25519, signing with EdDSA")
        return "EdDSA"
    raise UsageError(f"a {kty} key cannot sign DPoP proofs: use an EC, RSA or OKP key")


class DPoPKey:
    """A client's DPoP key (RFC 9449 §2): private, asymmetric, with what proofs need prepared.

    Args:
        key: A private JWK (a dictionary) or a private joserfc key.
        alg: The signing algorithm; by default the key's own (``ES256`` for P-256, ``RS256``
            for RSA, ``EdDSA`` for Ed25519).

    Attributes:
        alg: The signing algorithm.
        public_jwk: The public JWK sent in every proof's header.
        thumbprint: The RFC 7638 SHA-256 thumbprint of the public key (``jkt``, RFC 9449 §6.1),
            also the ``dpop_jkt`` authorization request parameter (§10).

    Raises:
        UsageError: Not a private asymmetric key, an unreadable JWK, or an algorithm the key
            cannot use.
        MissingExtraError: joserfc is not installed (``pip install oauthkit[jose]``).
    """

    __slots__ = ("_algorithm", "_ath", "_header", "_htu", "_key", "alg", "public_jwk", "thumbprint")

    def __init__(self, key: Mapping[str, Any] | Any, alg: str | None = None) -> None:
        jwk = require("joserfc.jwk", "jose", _FEATURE)
        jws = require("joserfc.jws", "jose", _FEATURE)
        if isinstance(key, Mapping):
            if key.get("kty") not in ("EC", "RSA", "OKP"):
                raise UsageError("a DPoP key must be an EC, RSA or OKP private JWK (RFC 9449 §4.2)")
            errors = require("joserfc.errors", "jose", _FEATURE)
            try:
                key = jwk.import_key(dict(key))
            except (errors.JoseError, ValueError, TypeError, KeyError):
                # joserfc's message may quote the key material; say only what went wrong.
                raise UsageError("the DPoP key is not a readable private JWK") from None
        if not hasattr(key, "key_type") or not hasattr(key, "is_private"):
            raise UsageError("a DPoP key must be a private JWK dictionary or a joserfc key")
        if not key.is_private:
            raise UsageError("a DPoP key must be a private key: it signs proofs")
        self.alg = _alg_for(key, alg)
        self._key = key
        self._algorithm = jws.JWSRegistry.algorithms[self.alg]
        public: dict[str, Any] = dict(key.as_dict(private=False))
        for member in ("kid", "use", "key_ops", "alg"):
            public.pop(member, None)
        self.public_jwk: Mapping[str, Any] = public
        self.thumbprint: str = key.thumbprint()
        header = {"typ": "dpop+jwt", "alg": self.alg, "jwk": public}
        self._header = _b64(_ENCODE(header).encode("utf-8")) + "."
        # url -> htu and access token -> ath: a client sends many proofs to few URLs with one
        # token, so each is worked out once (bounded; cleared when full).
        self._htu: dict[str, str] = {}
        self._ath: dict[str, str] = {}

    @classmethod
    def generate(cls, alg: str = "ES256") -> DPoPKey:
        """A new key for ``alg`` (``ES256``, ``ES384``, ``ES512``, ``RS256``, ``PS256`` with a
        2048-bit modulus, or ``EdDSA`` on Ed25519).

        Raises:
            UsageError: Another algorithm.
            MissingExtraError: joserfc is not installed.
        """
        spec = _GENERATE.get(alg)
        if spec is None:
            raise UsageError(
                f"DPoP keys sign with one of {', '.join(DPOP_ALGORITHMS)}, not {alg!r}"
            )
        jwk = require("joserfc.jwk", "jose", _FEATURE)
        kty, parameter = spec
        factory = {"EC": jwk.ECKey, "RSA": jwk.RSAKey, "OKP": jwk.OKPKey}[kty]
        return cls(factory.generate_key(parameter, private=True), alg)

    def __repr__(self) -> str:
        return f"DPoPKey(alg={self.alg!r}, jkt={self.thumbprint!r})"

    def to_jwk(self) -> dict[str, Any]:
        """The private JWK, to keep the key across runs (store it as a secret)."""
        return dict(self._key.as_dict(private=True))

    def sign(self, claims: Mapping[str, Any]) -> str:
        """A compact JWS of ``claims`` under this key's DPoP header."""
        payload = _b64(_ENCODE(claims).encode("utf-8"))
        signing_input = self._header + payload
        signature = self._algorithm.sign(signing_input.encode("ascii"), self._key)
        return f"{signing_input}.{_b64(signature)}"


def dpop_htu(url: str) -> str:
    """The ``htu`` of a request to ``url`` (RFC 9449 §4.2): without query and fragment, the
    scheme and host lower-cased and a default port dropped (RFC 3986 §6.2.2, §6.2.3).

    Raises:
        UsageError: ``url`` has no scheme or host.
    """
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise UsageError("the request URL cannot be read") from None
    scheme = parts.scheme.lower()
    if not scheme or not host:
        raise UsageError("a DPoP proof needs an absolute request URL")
    if ":" in host:
        host = f"[{host}]"
    netloc = host if port is None or port == _DEFAULT_PORTS.get(scheme) else f"{host}:{port}"
    return f"{scheme}://{netloc}{parts.path or '/'}"


def access_token_hash(access_token: str) -> str:
    """The ``ath`` claim: base64url of the SHA-256 of the access token (RFC 9449 §4.2)."""
    return _b64(hashlib.sha256(access_token.encode("ascii")).digest())


def _memo(memo: dict[str, str], argument: str, compute: Callable[[str], str]) -> str:
    value = memo.get(argument)
    if value is None:
        if len(memo) >= _MEMO:
            memo.clear()
        value = memo[argument] = compute(argument)
    return value


def build_dpop_proof(
    key: DPoPKey,
    method: str,
    url: str,
    *,
    now: float,
    nonce: str | None = None,
    access_token: str | None = None,
    jti: str | None = None,
    jti_factory: Callable[[], str] = generate_jti,
) -> str:
    """The ``DPoP`` header value for one request (RFC 9449 §4.2).

    Args:
        key: The client's DPoP key.
        method: The request's HTTP method (``htm``).
        url: The request's URL; ``htu`` drops its query and fragment (:func:`dpop_htu`).
        now: Seconds since the epoch (``iat``).
        nonce: The server's latest ``DPoP-Nonce`` for this origin (§8, §9).
        access_token: The access token the request carries, for ``ath`` (resource requests).
        jti: The proof's unique identifier; a fresh random one by default.
        jti_factory: Makes ``jti`` when none is given.

    Raises:
        UsageError: An empty method, a URL without scheme or host, or an access token that is
            not ASCII.
    """
    if not method:
        raise UsageError("a DPoP proof needs the request's method")
    claims: dict[str, Any] = {
        "jti": jti or jti_factory(),
        "htm": method.upper(),
        "htu": _memo(key._htu, url, dpop_htu),
        "iat": int(now),
    }
    if access_token is not None:
        if not access_token.isascii():
            raise UsageError("the access token is not ASCII: it cannot be hashed for ath")
        ath = _memo(key._ath, access_token, access_token_hash)
        claims["ath"] = ath
    if nonce is not None:
        claims["nonce"] = nonce
    return key.sign(claims)
