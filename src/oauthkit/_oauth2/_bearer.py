"""Using bearer tokens (RFC 6750) and reading ``WWW-Authenticate`` challenges (RFC 9110 §11.6.1).

:func:`apply_bearer` puts an access token on a neutral request, in the ``Authorization``
header (§2.1, the default and the only placement servers must support), a form body (§2.2) or
the query (§2.3). Tokens of type ``DPoP`` are refused: sending one as a bearer token would
either fail or, worse, work against a server that does not check the binding (RFC 9449 §7.1).

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
from urllib.parse import urlencode

from .._core._http import HttpRequest
from .._core._params import FORM_CONTENT_TYPE
from .._errors import UsageError
from ._token import Token

__all__ = [
    "PLACEMENT_BODY",
    "PLACEMENT_HEADER",
    "PLACEMENT_QUERY",
    "BearerChallenge",
    "Challenge",
    "apply_bearer",
    "bearer_error",
    "bearer_headers",
    "parse_www_authenticate",
]

PLACEMENT_HEADER = "header"
PLACEMENT_BODY = "body"
PLACEMENT_QUERY = "query"

# RFC 9110 §5.6.2 token characters.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 §11.2 token68, which must end the challenge (a comma or the end follows).
_TOKEN68 = re.compile(r"[A-Za-z0-9._~+/-]+=*(?=[ \t]*(?:,|$))")
_OWS = re.compile(r"[ \t]*")
# Bytes that would split a header or a query; every other byte of a token is left alone,
# because providers issue tokens outside the RFC 6750 b64token alphabet (e.g. with "|").
_UNSAFE_TOKEN = re.compile(r"[\x00-\x20\x7f]")


def _access_token(token: str | Token) -> str:
    if isinstance(token, Token):
        kind = token.token_type.lower()  # one lower() for Token.is_bearer and is_dpop
        if kind != "bearer":
            if kind == "dpop":
                raise UsageError(
                    "this is a DPoP-bound token (token_type DPoP): it must be sent with a DPoP "
                    "proof (RFC 9449), not as a bearer token"
                )
            raise UsageError(f"token_type {token.token_type!r} is not a bearer token type")
        value = token.access_token
    elif isinstance(token, str):
        value = token
    else:
        raise UsageError("token must be an access token string or a Token")
    if not value or _unsafe_token(value):
        raise UsageError("the access token is empty or contains whitespace or control characters")
    return value


def _unsafe_token(value: str) -> bool:
    # Runs on every request. In printable ASCII the space is the only unsafe byte, and the two
    # str checks are cheaper than the regular expression, kept for everything else.
    if value.isascii() and value.isprintable():
        return " " in value
    return _UNSAFE_TOKEN.search(value) is not None


def bearer_headers(token: str | Token) -> dict[str, str]:
    """The ``Authorization`` header for a bearer token (RFC 6750 §2.1).

    Raises:
        UsageError: A DPoP or other non-bearer token, or an unusable token string.
    """
    return {"Authorization": f"Bearer {_access_token(token)}"}


def _without(headers: Mapping[str, str], name: str) -> dict[str, str]:
    lowered = name.lower()
    return {key: value for key, value in headers.items() if key.lower() != lowered}


def _header(headers: Mapping[str, str], name: str) -> str | None:
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), None)


def apply_bearer(
    request: HttpRequest, token: str | Token, placement: str = PLACEMENT_HEADER
) -> HttpRequest:
    """Return ``request`` carrying a bearer access token.

    Args:
        request: The request to authorize; not modified.
        token: The access token, or a :class:`~oauthkit._token.Token` of type ``Bearer``.
        placement: ``"header"`` (RFC 6750 §2.1, default), ``"body"`` (§2.2: form-encoded,
            non-GET requests only) or ``"query"`` (§2.3; adds ``Cache-Control: no-store``).

    Returns:
        A new request. Header placement replaces any existing ``Authorization`` header.

    Raises:
        UsageError: A DPoP or other non-bearer token; an unusable token string; an unknown
            placement; body placement on a GET/HEAD or on a body that is not form-encoded;
            a body or query that already has ``access_token``.
    """
    value = _access_token(token)
    if placement == PLACEMENT_HEADER:
        headers = _without(request.headers, "Authorization")
        headers["Authorization"] = f"Bearer {value}"
        return HttpRequest(request.method, request.url, headers, request.body)
    if placement == PLACEMENT_QUERY:
        base, hash_sign, fragment = request.url.partition("#")
        query = base.partition("?")[2]
        if any(part.partition("=")[0] == "access_token" for part in query.split("&")):
            raise UsageError("the URL already has an access_token parameter")
        sep = "&" if query else ("" if base.endswith("?") else "?")
        url = f"{base}{sep}{urlencode({'access_token': value})}{hash_sign}{fragment}"
        headers = {**_without(request.headers, "Cache-Control"), "Cache-Control": "no-store"}
        return HttpRequest(request.method, url, headers, request.body)
    if placement == PLACEMENT_BODY:
        return _apply_body(request, value)
    raise UsageError(f"placement must be 'header', 'body' or 'query', not {placement!r}")


def _apply_body(request: HttpRequest, value: str) -> HttpRequest:
    # RFC 6750 §2.2: only a single-part form body, and never with GET.
    method = request.method.upper()
    if method in ("GET", "HEAD"):
        raise UsageError(f"a {method} request has no body: use header placement")
    content_type = _header(request.headers, "Content-Type")
    headers = dict(request.headers)
    if content_type is None:
        if request.body:
            raise UsageError("body placement needs a form-encoded body; this one has no type")
        headers["Content-Type"] = FORM_CONTENT_TYPE
    elif content_type.partition(";")[0].strip().lower() != FORM_CONTENT_TYPE:
        raise UsageError("body placement needs an application/x-www-form-urlencoded body")
    body = request.body or b""
    if any(part.partition(b"=")[0] == b"access_token" for part in body.split(b"&")):
        raise UsageError("the body already has an access_token parameter")
    encoded = urlencode({"access_token": value}).encode("ascii")
    return HttpRequest(
        request.method, request.url, headers, body + b"&" + encoded if body else encoded
    )


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
