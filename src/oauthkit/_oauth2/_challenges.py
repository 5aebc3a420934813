"""Reading ``WWW-Authenticate`` challenges (RFC 9110 §11.6.1) and their RFC 6750 §3 errors.

:func:`parse_www_authenticate` reads any ``WWW-Authenticate`` value into :class:`Challenge`
values, and :func:`bearer_error` finds the RFC 6750 §3 error of a ``Bearer`` or ``DPoP``
challenge, which is how a client learns that its token is invalid or lacks scope. The parser
never raises: malformed parts are skipped and the rest is returned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .._core._http import HttpResponse

__all__ = [
    "BearerChallenge",
    "Challenge",
    "bearer_error",
    "is_token_rejected",
    "parse_www_authenticate",
]

# RFC 9110 §5.6.2 token characters.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 §11.2 token68, which must end the challenge (a comma or the end follows).
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*(?=[ \t]*(?:,|$))")
_OWS = re.compile(r"[ \t]*")


@dataclass(frozen=True, slots=True)
class Challenge:
    """One challenge of a ``WWW-Authenticate`` header (RFC 9110 §11.6.1).

    Attributes:
        scheme: The auth scheme as sent; compare it case-insensitively (:meth:`is_scheme`).
        params: Auth parameters, names lower-cased, quoted values unescaped. A name repeated
            within a challenge keeps its first value.
        token68: The token68 form of credentials, when the challenge uses it instead.
    """

    scheme: str
    params: Mapping[str, str] = field(default_factory=dict, hash=False)
    token68: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def is_scheme(self, name: str) -> bool:
        """Whether this challenge uses auth scheme ``name`` (case-insensitive)."""
        return self.scheme.lower() == name.lower()


class _Scanner:
    """A cursor over one header value; every method consumes what it returns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_ows(self) -> None:
        match = _OWS.match(self.text, self.pos)
        self.pos = match.end() if match else self.pos

    def match(self, pattern: re.Pattern[str]) -> str | None:
        found = pattern.match(self.text, self.pos)
        if not found:
            return None
        self.pos = found.end()
        return found.group()

    def skip_to_comma(self) -> None:
        # Skips a malformed element, honouring quotes so a comma inside one is not a boundary.
        while not self.done() and self.peek() != ",":
            if self.peek() == '"':
                self.quoted()
            else:
                self.pos += 1

    def quoted(self) -> str:
        # RFC 9110 §5.6.4 quoted-string; an unterminated one runs to the end of the value.
        self.pos += 1
        out = []
        while not self.done():
            char = self.text[self.pos]
            self.pos += 1
            if char == '"':
                break
            if char == "\\" and not self.done():
                char = self.text[self.pos]
                self.pos += 1
            out.append(char)
        return "".join(out)


def _param(scanner: _Scanner) -> tuple[str, str] | None:
    """Read ``name = value`` at the cursor; on failure, restore it and return ``None``."""
    start = scanner.pos
    name = scanner.match(_TOKEN)
    scanner.skip_ows()
    if name is None or scanner.peek() != "=":
        scanner.pos = start
        return None
    scanner.pos += 1
    scanner.skip_ows()
    if scanner.peek() == '"':
        return name.lower(), scanner.quoted()
    value = scanner.match(_TOKEN)
    if value is None:
        scanner.pos = start
        return None
    return name.lower(), value


def parse_www_authenticate(value: str) -> list[Challenge]:
    """Parse a ``WWW-Authenticate`` (or ``Proxy-Authenticate``) value (RFC 9110 §11.6.1).

    Handles several challenges in one value, quoted strings with escapes and commas, token68
    credentials and any letter case. Several header lines may be joined with ``", "`` first.

    Args:
        value: The header value.

    Returns:
        The challenges in order. Parts that cannot be parsed are skipped; an empty or
        hopeless value gives an empty list. Never raises for a string argument.
    """
    if not isinstance(value, str):
        return []
    scanner = _Scanner(value)
    challenges: list[Challenge] = []
    while True:
        while not scanner.done() and scanner.peek() in ", \t":
            scanner.pos += 1
        if scanner.done():
            return challenges
        scheme = scanner.match(_TOKEN)
        if scheme is None:
            scanner.skip_to_comma()
            continue
        params: dict[str, str] = {}
        token68 = None
        scanner.skip_ows()
        if scanner.peek() not in (",", ""):
            param = _param(scanner)
            if param is None:
                token68 = scanner.match(_TOKEN68)
                if token68 is None:
                    scanner.skip_to_comma()
            else:
                params[param[0]] = param[1]
                _more_params(scanner, params)
        challenges.append(Challenge(scheme, params, token68))


def _more_params(scanner: _Scanner, params: dict[str, str]) -> None:
    """Read ``, name=value`` pairs until what follows a comma is not a parameter."""
    while True:
        scanner.skip_ows()
        if scanner.peek() != ",":
            if scanner.done():
                return
            scanner.skip_to_comma()  # junk after a value: drop it, keep what we have
            continue
        mark = scanner.pos
        while not scanner.done() and scanner.peek() in ", \t":
            scanner.pos += 1
        param = _param(scanner)
        if param is None:
            scanner.pos = mark  # the next challenge starts here
            return
        params.setdefault(*param)


@dataclass(frozen=True, slots=True)
class BearerChallenge:
    """The RFC 6750 §3 error of a ``Bearer`` (or RFC 9449 §7.1 ``DPoP``) challenge.

    Attributes:
        scheme: ``Bearer`` or ``DPoP``, as sent.
        error: ``invalid_request``, ``invalid_token``, ``insufficient_scope``,
            ``use_dpop_nonce``, ... or ``None`` when the challenge carries no error (no
            credentials were sent, §3.1).
        error_description: The human-readable description, if any.
        error_uri: A page about the error, if any.
        scope: The scope the resource needs, split on spaces, if given.
        realm: The protection realm, if any.
        params: Every parameter of the challenge.
    """

    scheme: str
    error: str | None
    error_description: str | None = None
    error_uri: str | None = None
    scope: tuple[str, ...] | None = None
    realm: str | None = None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)


def bearer_error(
    value: str, schemes: tuple[str, ...] = ("Bearer", "DPoP")
) -> BearerChallenge | None:
    """Find the bearer-style challenge in a ``WWW-Authenticate`` value.

    Args:
        value: The header value.
        schemes: The schemes to look for, in order of preference of the result: a challenge
            carrying ``error`` wins over one without.

    Returns:
        The first challenge of one of ``schemes`` that has an ``error``, else the first one of
        those schemes, else ``None``. Never raises for a string argument.
    """
    wanted = {scheme.lower() for scheme in schemes}
    found = [c for c in parse_www_authenticate(value) if c.scheme.lower() in wanted]
    if not found:
        return None
    challenge = next((c for c in found if "error" in c.params), found[0])
    params = challenge.params
    scope = params.get("scope")
    return BearerChallenge(
        scheme=challenge.scheme,
        error=params.get("error"),
        error_description=params.get("error_description"),
        error_uri=params.get("error_uri"),
        scope=tuple(scope.split()) if scope is not None else None,
        realm=params.get("realm"),
        params=params,
    )


def is_token_rejected(response: HttpResponse) -> bool:
    """Whether a resource server rejected the access token itself (RFC 6750 §3.1).

    Only ``401`` with ``error="invalid_token"`` in a Bearer or DPoP challenge counts: other
    401s (missing scope, wrong credentials type) would not be fixed by a new token.
    """
    if response.status_code != 401:
        return False
    value = response.header("www-authenticate")
    if not value:
        return False
    challenge = bearer_error(value)
    return challenge is not None and challenge.error == "invalid_token"
