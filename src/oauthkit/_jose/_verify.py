"""Verifying a compact JWS under a policy (RFC 7515 §5.2, RFC 8725 §3).

:func:`verify_jws` checks, in order:

* ``alg`` is a string on the caller's allow-list, and never ``none`` (RFC 8725 §3.1, §3.2);
* no ``crit`` member: oauthkit understands no extension, so any critical one is refused
  (RFC 7515 §4.1.11);
* the key: an HMAC algorithm verifies with the client's own secret only; any other algorithm
  with a key of the caller's :class:`~oauthkit._jose._keys.KeySet` that fits it, chosen by
  ``kid``. A key the token names itself (``jku``, ``x5u``, ``jwk``, ``x5c``) is never fetched
  or used, and a public key is never taken as an HMAC secret (RFC 8725 §2.1, §3.1);
* the signature, by joserfc's implementation of the algorithm.

An unknown ``kid`` raises :class:`UnknownKey`, so the caller can refetch the keys once.

joserfc's algorithm objects are looked up once per name and kept (:func:`_algorithm`), and
the keys that fit a ``kid`` and ``alg`` once per key set (:func:`_candidates`): a provider's
tokens name the same few keys, and every validation used to search the set again.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._core._extras import require
from ._compact import Compact, Rejected
from ._keys import ALGORITHM_KEY_TYPES, HMAC_ALGORITHMS, KeySet, PublicKey

__all__ = ["FAPI2_ALGORITHMS", "MIN_SECRET_BYTES", "UnknownKey", "check_algorithms", "verify_jws"]

FAPI2_ALGORITHMS = frozenset({"PS256", "ES256", "EdDSA"})
"""The JWS algorithms the FAPI 2.0 Security Profile allows; a refusal under this allow-list
names the profile (:mod:`oauthkit._oauth2._profile`)."""


class UnknownKey(Rejected):
    """No key of the set has the token's ``kid`` (or fits its algorithm): refetch, maybe."""


_ALGORITHMS: dict[str, Any] = {}
"""joserfc's algorithm object for each JWS ``alg`` name used so far."""


def _algorithm(alg: str) -> Any:
    algorithm = _ALGORITHMS.get(alg)
    if algorithm is None:
        jws = require("joserfc.jws", "jose", "verifying signed tokens")
        algorithm = _ALGORITHMS[alg] = jws.JWSRegistry.algorithms[alg]
    return algorithm


_CANDIDATES: dict[tuple[int, str, str | None], tuple[KeySet, tuple[PublicKey, ...]]] = {}
"""(id of a key set, alg, kid) -> the set (to tell a reused id apart) and the keys that fit."""
_MAX_CANDIDATES = 64


def _candidates(keys: KeySet, alg: str, kid: str | None) -> tuple[PublicKey, ...]:
    entry = (id(keys), alg, kid)
    found = _CANDIDATES.get(entry)
    if found is not None and found[0] is keys:
        return found[1]
    candidates = tuple(keys.candidates(alg, kid))
    if candidates:  # only kids of real keys: forged ones cannot fill the cache
        if len(_CANDIDATES) >= _MAX_CANDIDATES:
            _CANDIDATES.clear()
        _CANDIDATES[entry] = (keys, candidates)
    return candidates


def check_algorithms(algorithms: Collection[str], what: str) -> frozenset[str]:
    """``algorithms`` as a set, refusing ``none`` and names joserfc does not know.

    Raises:
        ValueError: An empty list, ``none``, or an unknown name.
    """
    names = frozenset(algorithms)
    if not names:
        raise ValueError(f"{what}: the algorithm allow-list is empty")
    unknown = sorted(n for n in names if n not in ALGORITHM_KEY_TYPES and n not in HMAC_ALGORITHMS)
    if unknown:
        raise ValueError(f"{what}: {unknown} are not JWS signature algorithms oauthkit accepts")
    return names


def verify_jws(
    compact: Compact,
    *,
    keys: KeySet | None,
    algorithms: frozenset[str],
    secret: str | bytes | None = None,
) -> str:
    """Verify ``compact``'s signature; return the algorithm it used.

    Args:
        compact: The parsed token.
        keys: The issuer's (or the caller's) public keys.
        algorithms: The allow-list, from :func:`check_algorithms`.
        secret: The client secret, the only HMAC key.

    Raises:
        Rejected: ``alg`` missing, ``none`` or not allowed (``"alg"``); a ``crit`` header
            (``"crit"``); an HMAC token without a client secret (``"alg"``); a bad signature
            (``"signature"``).
        UnknownKey: No key with the token's ``kid`` fits its algorithm (``"kid"``).
    """
    header = compact.header
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise Rejected("alg", "the header names no algorithm")
    if alg not in algorithms:
        if alg.lower() == "none":
            raise Rejected("alg", "unsigned tokens (alg none) are never accepted")
        why = "the FAPI 2.0 Security Profile's" if algorithms == FAPI2_ALGORITHMS else "allowed"
        raise Rejected("alg", f"alg {alg[:20]!r} is not allowed here ({why}: {sorted(algorithms)})")
    if "crit" in header:
        raise Rejected(
            "crit", "the header marks an extension critical, which oauthkit does not know"
        )
    algorithm = _algorithm(alg)
    if alg in HMAC_ALGORITHMS:
        if not secret:  # an empty secret is none: joserfc refuses to import it (ValueError)
            raise Rejected("alg", f"{alg} tokens verify with the client secret, and there is none")
        if not _verifies(algorithm, compact, _oct(secret)):
            raise Rejected("signature", f"the {alg} signature does not verify")
        return alg
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise Rejected("kid", "the header's kid is not a string")
    candidates = () if keys is None else _candidates(keys, alg, kid)
    if not candidates:
        named = f"kid {kid[:64]!r}" if kid is not None else "no kid"
        raise UnknownKey("kid", f"no key of the issuer's set ({named}) verifies {alg}")
    for candidate in candidates:
        if _verifies(algorithm, compact, candidate.key):
            return alg
    raise Rejected("signature", f"the {alg} signature does not verify")


def _verifies(algorithm: Any, compact: Compact, key: Any) -> bool:
    try:
        return bool(algorithm.verify(compact.signing_input, compact.signature, key))
    except (ValueError, TypeError, IndexError):  # a signature of the wrong length or shape
        return False


MIN_SECRET_BYTES = 14
"""The shortest client secret used as an HMAC key (112 bits, as joserfc and NIST SP 800-107
require; RFC 7518 §3.2 asks for the hash's size)."""


def _oct(secret: str | bytes) -> Any:
    jwk = require("joserfc.jwk", "jose", "verifying signed tokens")
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    if len(raw) < MIN_SECRET_BYTES:
        # joserfc would warn, which a program running with -W error meets as an exception
        raise Rejected(
            "alg",
            f"the client secret is shorter than {MIN_SECRET_BYTES} bytes: too weak an HMAC key",
        )
    return jwk.OctKey.import_key(raw)
