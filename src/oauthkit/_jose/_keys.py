"""A server's public keys: a JWK Set imported once, and the choice of key for a token.

:func:`import_jwks` reads a JWK Set (RFC 7517 §5) into a frozen :class:`KeySet` of public
keys, importing each through joserfc once, so that a validation only looks keys up.
Members it cannot use are skipped, not fatal (a set may hold key types for other clients):
symmetric keys (HMAC uses the client's own secret, never a published key), keys whose
``key_ops`` allow neither verifying nor encrypting, RSA keys under 2048 bits (RFC 7518 §3.3;
joserfc would warn, which a ``-W error`` program turns into an exception), and key types or
curves joserfc does not know. Private members are dropped before import.

Signature keys (``use`` ``sig`` or none) and encryption keys (``use`` ``enc``, RFC 7517 §4.2)
are kept apart: :attr:`KeySet.keys` holds only the first, so no signature is ever checked
with a key the server published for encryption; :attr:`KeySet.encryption` holds the second,
for the request objects a client encrypts to the server (RFC 9101 §6.1).

:meth:`KeySet.candidates` picks the keys that may verify a token with a given ``alg`` and
``kid`` (RFC 7515 §4.1.4; OIDC Core §10.1): the key type must fit the algorithm, the curve
must be the algorithm's, and a key's own ``alg`` must match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .._core._extras import require
from ._compact import Rejected, b64decode

__all__ = [
    "ALGORITHM_KEY_TYPES",
    "HMAC_ALGORITHMS",
    "MAX_KEYS",
    "MIN_RSA_BITS",
    "KeySet",
    "PublicKey",
    "import_jwks",
]

HMAC_ALGORITHMS = frozenset({"HS256", "HS384", "HS512"})
ALGORITHM_KEY_TYPES = {
    **dict.fromkeys(("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"), "RSA"),
    **dict.fromkeys(("ES256", "ES384", "ES512", "ES256K"), "EC"),
    **dict.fromkeys(("EdDSA", "Ed25519", "Ed448"), "OKP"),
}
"""The key type each asymmetric JWS algorithm needs (RFC 7518 §3.1, RFC 8037, RFC 9864)."""
_CURVES = {
    "ES256": ("P-256",),
    "ES384": ("P-384",),
    "ES512": ("P-521",),
    "ES256K": ("secp256k1",),
    "Ed25519": ("Ed25519",),
    "Ed448": ("Ed448",),
    "EdDSA": ("Ed25519", "Ed448"),
}
_PRIVATE = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
MAX_KEYS = 100
"""The most keys read from one set; the rest are ignored."""
MIN_RSA_BITS = 2048
"""The smallest RSA modulus used (RFC 7518 §3.3: "2048 bits or larger MUST be used")."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    """One verification key of a set.

    Attributes:
        kid: Its key ID, if any.
        kty: ``RSA``, ``EC`` or ``OKP``.
        crv: Its curve (EC, OKP).
        alg: The algorithm it is restricted to, if any.
        key: The joserfc key.
    """

    kid: str | None
    kty: str
    crv: str | None
    alg: str | None
    key: Any

    def fits(self, alg: str) -> bool:
        """Whether this key may verify a signature made with ``alg``."""
        if ALGORITHM_KEY_TYPES.get(alg) != self.kty or self.alg not in (None, alg):
            return False
        curves = _CURVES.get(alg)
        return curves is None or self.crv in curves


@dataclass(frozen=True, slots=True)
class KeySet:
    """The usable public keys of a JWK Set, imported.

    Attributes:
        keys: The keys, in the set's order.
    """

    keys: tuple[PublicKey, ...] = ()
    encryption: tuple[PublicKey, ...] = ()
    """The encryption keys (``use`` ``enc``), never used to verify."""

    def candidates(self, alg: str, kid: str | None) -> list[PublicKey]:
        """The keys that may verify a token signed with ``alg`` and naming ``kid``.

        With a ``kid``, only keys with that ``kid``; without one, every key that fits the
        algorithm (OIDC Core §10.1 lets a provider with one key of a kind omit it).
        """
        return [k for k in self.keys if (kid is None or k.kid == kid) and k.fits(alg)]

    def kids(self) -> frozenset[str]:
        """The key IDs in the set."""
        return frozenset(k.kid for k in self.keys if k.kid is not None)

    def __repr__(self) -> str:
        more = f", {len(self.encryption)} encryption keys" if self.encryption else ""
        return f"KeySet({len(self.keys)} keys: {sorted(self.kids())}{more})"


_ENCRYPTING_OPS = frozenset({"encrypt", "wrapKey", "deriveKey", "deriveBits"})


def _role(member: Mapping[str, Any]) -> str | None:
    """``sig``, ``enc`` or ``None`` (unusable): RFC 7517 §4.2 ``use``, §4.3 ``key_ops``."""
    if member.get("kty") not in ("RSA", "EC", "OKP"):
        return None
    use = member.get("use")
    ops = member.get("key_ops")
    if ops is not None and not isinstance(ops, list):
        return None
    if use in (None, "sig") and (ops is None or "verify" in ops):
        return "sig"
    if use == "enc" and (ops is None or not _ENCRYPTING_OPS.isdisjoint(ops)):
        return "enc"
    return None


def import_jwks(document: object, *, feature: str = "verifying signed tokens") -> KeySet:
    """Import the usable signature keys (and, apart, encryption keys) of a JWK Set.

    Args:
        document: ``{"keys": [...]}``, as parsed JSON (or a single JWK, or a list of JWKs).
        feature: What needs the keys, for the missing-extra message.

    Raises:
        Rejected: Not a JWK Set, or a usable-looking key that does not import (check
            ``"jwks"``).
        MissingExtraError: joserfc is not installed (the ``jose`` extra).
    """
    members = _members(document)
    registry = require("joserfc.jwk", "jose", feature).JWKRegistry
    errors = require("joserfc.errors", "jose", feature)
    keys: dict[str, list[PublicKey]] = {"sig": [], "enc": []}
    for member in members[:MAX_KEYS]:
        if not isinstance(member, dict):
            raise Rejected("jwks", "a member of the JWK Set is not an object")
        role = _role(member)
        if role is None:
            continue
        public = {k: v for k, v in member.items() if k not in _PRIVATE}
        kid, alg, crv = public.get("kid"), public.get("alg"), public.get("crv")
        if not all(v is None or isinstance(v, str) for v in (kid, alg, crv)):
            raise Rejected("jwks", "a key's kid, alg or crv is not a string")
        if public["kty"] == "RSA" and _bits(public.get("n")) < MIN_RSA_BITS:
            continue
        try:
            key = registry.import_key(public)
        except (errors.JoseError, ValueError, TypeError, KeyError):
            continue  # a curve or parameter joserfc does not take: this key cannot be used
        keys[role].append(PublicKey(kid, str(public["kty"]), crv, alg, key))
    return KeySet(tuple(keys["sig"]), tuple(keys["enc"]))


def _bits(modulus: object) -> int:
    if not isinstance(modulus, str):
        return 0
    try:
        return int.from_bytes(b64decode(modulus), "big").bit_length()
    except Rejected:
        return 0


def _members(document: object) -> list[Any]:
    if isinstance(document, KeySet):
        raise Rejected("jwks", "already a KeySet")
    if isinstance(document, Mapping):
        if "keys" in document:
            members = document["keys"]
            if not isinstance(members, list):
                raise Rejected("jwks", "the JWK Set's keys member is not a list")
            return members
        if "kty" in document:
            return [dict(document)]
        raise Rejected("jwks", "the JWK Set has no keys member")
    if isinstance(document, Iterable) and not isinstance(document, (str, bytes)):
        return list(document)
    raise Rejected("jwks", "a JWK Set must be a JSON object with a keys list")
