"""Proof Key for Code Exchange, PKCE (RFC 7636).

The client invents a one-time ``code_verifier`` (§4.1), sends only its transform, the
``code_challenge`` (§4.2), with the authorization request, and reveals the verifier in the token
request (§4.5). A stolen authorization code is then useless to anyone who lacks the verifier.

``S256`` is the default everywhere in oauthkit; ``plain`` exists only for servers that support
nothing else, and must be asked for by name (§4.2: "If the client is capable of using S256, it
MUST use S256"). OAuth 2.0 Security BCP (RFC 9700 §2.1.1) recommends PKCE for every client.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from .._core._random import random_urlsafe
from .._errors import UsageError

__all__ = [
    "PKCE_METHODS",
    "PkcePair",
    "code_challenge",
    "generate_code_verifier",
]

PKCE_METHODS = ("S256", "plain")
"""The ``code_challenge_method`` values of RFC 7636 §4.2, preferred first."""

# §4.1: code-verifier = 43*128unreserved, unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~".
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# base64url without padding turns n bytes into ceil(4n/3) characters: 32 -> 43, 96 -> 128.
_MIN_BYTES = 32
_MAX_BYTES = 96


def generate_code_verifier(nbytes: int = 32) -> str:
    """Make a high-entropy ``code_verifier`` from the OS's CSPRNG (RFC 7636 §4.1, §7.1).

    Args:
        nbytes: Random bytes to encode; 32 (the RFC's recommendation, 256 bits, 43 characters)
            up to 96 (128 characters).

    Returns:
        A base64url string of 43 to 128 unreserved characters.

    Raises:
        UsageError: ``nbytes`` is outside 32..96, which would give a verifier of the wrong
            length.
    """
    if isinstance(nbytes, bool) or not isinstance(nbytes, int):
        raise UsageError("nbytes must be an int")
    if not _MIN_BYTES <= nbytes <= _MAX_BYTES:
        raise UsageError(
            f"nbytes must be between {_MIN_BYTES} and {_MAX_BYTES} for a 43 to 128 "
            f"character code_verifier (RFC 7636 §4.1), got {nbytes}"
        )
    return random_urlsafe(nbytes)


def code_challenge(verifier: str, method: str = "S256") -> str:
    """Derive the ``code_challenge`` for ``verifier`` (RFC 7636 §4.2).

    Args:
        verifier: The ``code_verifier``.
        method: ``"S256"`` (BASE64URL(SHA256(ASCII(verifier)))) or ``"plain"`` (the verifier
            itself). The names are case-sensitive, as in the RFC.

    Returns:
        The challenge to send as ``code_challenge``.

    Raises:
        UsageError: ``verifier`` is not 43 to 128 unreserved characters, or ``method`` is not
            one of :data:`PKCE_METHODS`. The message never contains the verifier.
    """
    _check_verifier(verifier)
    if method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    if method == "plain":
        return verifier
    raise UsageError(f"unknown code_challenge_method {method!r}: use 'S256' (or 'plain')")


def _check_verifier(verifier: object) -> None:
    if not isinstance(verifier, str):
        raise UsageError("code_verifier must be a str")
    if _VERIFIER.fullmatch(verifier) is None:
        # Length is safe to report; the value is a secret until the token request.
        raise UsageError(
            "code_verifier must be 43 to 128 characters from A-Z a-z 0-9 - . _ ~ "
            f"(RFC 7636 §4.1); got {len(verifier)} characters"
        )


@dataclass(frozen=True, slots=True, repr=False)
class PkcePair:
    """A ``code_verifier`` with its ``code_challenge`` (RFC 7636 §4.1-4.3).

    Attributes:
        verifier: The secret ``code_verifier``, sent only in the token request.
        challenge: The ``code_challenge`` for the authorization request.
        method: The ``code_challenge_method``, ``"S256"`` or ``"plain"``.
    """

    verifier: str
    challenge: str
    method: str = "S256"

    def __post_init__(self) -> None:
        """Check that the challenge is the one derived from the verifier.

        Raises:
            UsageError: Bad verifier or method, or a challenge that does not match.
        """
        if code_challenge(self.verifier, self.method) != self.challenge:
            raise UsageError("code_challenge does not match code_verifier")

    @classmethod
    def generate(
        cls,
        method: str = "S256",
        *,
        verifier_factory: Callable[[], str] = generate_code_verifier,
    ) -> PkcePair:
        """Make a fresh pair.

        Args:
            method: ``"S256"`` (default) or ``"plain"``.
            verifier_factory: Source of the verifier; tests inject a fixed one.

        Raises:
            UsageError: Unknown method, or the factory returned an invalid verifier.
        """
        verifier = verifier_factory()
        return cls(verifier, code_challenge(verifier, method), method)

    def authorization_params(self) -> dict[str, str]:
        """The parameters the authorization request carries (RFC 7636 §4.3)."""
        return {"code_challenge": self.challenge, "code_challenge_method": self.method}

    def __repr__(self) -> str:
        # With "plain" the challenge is the verifier, so it is a secret too.
        challenge = "'***'" if self.method == "plain" else repr(self.challenge)
        return f"PkcePair(verifier='***', challenge={challenge}, method={self.method!r})"
