"""Validated claims: :class:`IDTokenClaims` and the claim checks every JWT validator shares."""

from __future__ import annotations

import binascii
import hashlib
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .._jose._compact import Rejected

__all__ = [
    "IDTokenClaims",
    "audiences",
    "check_hash",
    "check_times",
    "left_hash",
    "number",
    "string",
]


_MAX_TIME = 100_000_000_000
"""The largest NumericDate read (the year 5138): anything beyond is not a time."""


def number(claims: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    """A NumericDate claim (RFC 7519 §2) as a float; ``None`` when absent and not required.

    Raises:
        Rejected: Missing while required, or not a finite number (check ``name``).
    """
    value = claims.get(name)
    if type(value) is int and -_MAX_TIME <= value <= _MAX_TIME:
        return float(value)  # what JSON gives for a time, nearly always
    if value is None:
        if required:
            raise Rejected(name, f"the {name} claim is missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Rejected(name, f"the {name} claim is not a number")
    if not abs(value) <= _MAX_TIME:  # also NaN
        raise Rejected(name, f"the {name} claim is not a plausible time")
    return float(value)


def string(claims: Mapping[str, Any], name: str, *, required: bool) -> str | None:
    """A string claim; ``None`` when absent and not required.

    Raises:
        Rejected: Missing (or empty) while required, or not a string (check ``name``).
    """
    value = claims.get(name)
    if value is None:
        if required:
            raise Rejected(name, f"the {name} claim is missing")
        return None
    if not isinstance(value, str) or (required and not value):
        raise Rejected(name, f"the {name} claim is not a non-empty string")
    return value


def audiences(claims: Mapping[str, Any]) -> tuple[str, ...]:
    """``aud`` as a tuple (RFC 7519 §4.1.3: a string or an array of strings).

    Raises:
        Rejected: Missing, empty, or not strings (check ``"aud"``).
    """
    value = claims.get("aud")
    if isinstance(value, str) and value:
        return (value,)
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise Rejected("aud", "the aud claim is missing or not a string or list of strings")


def check_times(
    claims: Mapping[str, Any], now: float, leeway: float, *, require_exp: bool = True
) -> None:
    """``exp`` not passed, ``iat`` present and not in the future, ``nbf`` not ahead.

    Raises:
        Rejected: Checks ``"exp"``, ``"iat"``, ``"nbf"``.
    """
    expires, issued = claims.get("exp"), claims.get("iat")
    if (
        type(expires) is int
        and type(issued) is int
        and "nbf" not in claims
        and -_MAX_TIME <= expires <= _MAX_TIME
        and -_MAX_TIME <= issued <= _MAX_TIME
    ):
        # The usual ID token: whole-second exp and iat, no nbf. The same checks, in the same
        # order, as below.
        if now > expires + leeway:
            raise Rejected("exp", f"it expired {now - expires:.0f} s ago")
        if issued > now + leeway:
            raise Rejected("iat", f"it claims to be issued {issued - now:.0f} s in the future")
        return
    expires = number(claims, "exp", required=require_exp)
    if expires is not None and now > expires + leeway:
        raise Rejected("exp", f"it expired {now - expires:.0f} s ago")
    issued = number(claims, "iat", required=True)
    assert issued is not None  # noqa: S101 - required above
    if issued > now + leeway:
        raise Rejected("iat", f"it claims to be issued {issued - now:.0f} s in the future")
    not_before = number(claims, "nbf", required=False)
    if not_before is not None and not_before > now + leeway:
        raise Rejected("nbf", f"it is not valid for another {not_before - now:.0f} s")


_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_SHA2 = {
    **dict.fromkeys(("RS256", "PS256", "ES256", "ES256K", "HS256"), hashlib.sha256),
    **dict.fromkeys(("RS384", "PS384", "ES384", "HS384"), hashlib.sha384),
    **dict.fromkeys(("RS512", "PS512", "ES512", "HS512", "EdDSA", "Ed25519"), hashlib.sha512),
}
"""The hash of the usual algorithms, found at once; :func:`_left_hash` works out the rest."""


def left_hash(value: str, alg: str) -> str:
    """OIDC Core §3.1.3.6 / §3.3.2.11: the left half of the hash of ``value`` that goes with
    the JWS ``alg``, base64url (SHA-512 for Ed25519, SHAKE256 for Ed448)."""
    return _left_hash(value, alg).decode("ascii")


def _left_hash(value: str, alg: str) -> bytes:
    # Codes and tokens are ASCII (RFC 6749 Appendix A); one that is not (a caller's or a
    # callback's mistake) is hashed as UTF-8 and fails the comparison instead of raising
    data = value.encode("utf-8", "surrogatepass")
    sha = _SHA2.get(alg)
    if sha is not None:
        digest = sha(data).digest()
    elif alg == "Ed448":
        digest = hashlib.shake_256(data).digest(114)
    elif alg.endswith("384"):
        digest = hashlib.sha384(data).digest()
    elif alg.endswith("512") or alg in ("EdDSA", "Ed25519"):
        digest = hashlib.sha512(data).digest()
    else:
        digest = hashlib.sha256(data).digest()
    encoded = binascii.b2a_base64(digest[: len(digest) // 2], newline=False)
    return encoded.translate(_TO_URLSAFE).rstrip(b"=")


def check_hash(claims: Mapping[str, Any], name: str, value: str | None, alg: str) -> None:
    """Compare ``at_hash`` / ``c_hash`` with ``value``'s, in constant time, when both exist.

    Raises:
        Rejected: The claim is not a string or does not match (check ``name``).
    """
    claimed = claims.get(name)
    if claimed is None or value is None:
        return
    if not isinstance(claimed, str) or not hmac.compare_digest(
        claimed.encode("utf-8", "surrogatepass"), _left_hash(value, alg)
    ):
        what = "access token" if name == "at_hash" else "authorization code"
        raise Rejected(name, f"{name} does not match the {what}")


@dataclass(frozen=True, slots=True, eq=False)
class IDTokenClaims(Mapping[str, Any]):
    """The claims of a validated ID token, read-only (OIDC Core §2).

    A mapping of every claim, with the standard ones as attributes.

    Attributes:
        claims: Every claim.
        header: The JWS protected header (``alg``, ``kid``...).
    """

    claims: Mapping[str, Any]
    header: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "claims", MappingProxyType(dict(self.claims)))
        object.__setattr__(self, "header", MappingProxyType(dict(self.header)))

    @classmethod
    def _of_parsed(cls, claims: dict[str, Any], header: Mapping[str, Any]) -> IDTokenClaims:
        """Wrap what a validator just parsed, without the copies the constructor makes.

        Args:
            claims: A dict no one else holds (fresh from the JSON reader), now read-only.
            header: The protected header: a read-only view (the header cache's) is shared,
                anything else copied.
        """
        self = object.__new__(cls)
        object.__setattr__(self, "claims", MappingProxyType(claims))
        if type(header) is not MappingProxyType:
            header = MappingProxyType(dict(header))
        object.__setattr__(self, "header", header)
        return self

    def __getitem__(self, name: str) -> Any:
        return self.claims[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)

    def __repr__(self) -> str:
        # Other claims are personal data (email, name): only what identifies the token.
        return f"IDTokenClaims(iss={self.issuer!r}, sub={self.subject!r}, aud={self.audience!r})"

    @property
    def issuer(self) -> str:
        """``iss``."""
        return str(self.claims["iss"])

    @property
    def subject(self) -> str:
        """``sub``: the end user's identifier at this issuer."""
        return str(self.claims["sub"])

    @property
    def audience(self) -> tuple[str, ...]:
        """``aud`` as a tuple."""
        return audiences(self.claims)

    @property
    def expires_at(self) -> float:
        """``exp``."""
        return float(self.claims["exp"])

    @property
    def issued_at(self) -> float:
        """``iat``."""
        return float(self.claims["iat"])

    @property
    def auth_time(self) -> float | None:
        """``auth_time``: when the user authenticated, if stated."""
        value = self.claims.get("auth_time")
        return None if value is None else float(value)

    @property
    def nonce(self) -> str | None:
        """``nonce``."""
        return self.claims.get("nonce")

    @property
    def acr(self) -> str | None:
        """``acr``: the authentication context class satisfied."""
        return self.claims.get("acr")

    @property
    def amr(self) -> tuple[str, ...]:
        """``amr``: the authentication methods used."""
        value = self.claims.get("amr")
        return tuple(value) if isinstance(value, list) else ()

    @property
    def azp(self) -> str | None:
        """``azp``: the authorized party."""
        return self.claims.get("azp")

    @property
    def sid(self) -> str | None:
        """``sid``: the session at the provider (Front- and Back-Channel Logout)."""
        return self.claims.get("sid")
