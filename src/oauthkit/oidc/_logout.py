"""Logging out: the RP-initiated logout URL and back-channel logout tokens.

* :func:`build_end_session_url`: where to send the browser to end the user's session at the
  provider (OpenID Connect RP-Initiated Logout 1.0 §2), with ``id_token_hint``,
  ``post_logout_redirect_uri``, ``state``, ``client_id``, ``logout_hint`` and ``ui_locales``.
* :func:`validate_logout_token`: what a web app's back-channel logout route calls with the
  ``logout_token`` the provider POSTed (OpenID Connect Back-Channel Logout 1.0 §2.6): signed
  by the issuer, ``iss``, ``aud``, ``iat``/``exp``, the back-channel logout event, ``sub`` or
  ``sid``, no ``nonce``, and a ``jti`` not seen within the replay window.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator, Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from .._core._transport import TransportPolicy
from .._errors import UsageError
from .._jose._compact import Rejected, parse_jws
from .._jose._keys import KeySet, import_jwks
from .._jose._verify import check_algorithms, verify_jws
from ._claims import audiences, check_times, string
from ._errors import LogoutTokenError

__all__ = [
    "BACKCHANNEL_LOGOUT_EVENT",
    "LogoutTokenClaims",
    "ReplayWindow",
    "build_end_session_url",
    "check_logout_token",
    "validate_logout_token",
]

BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"
"""The member of ``events`` that makes a JWT a logout token (Back-Channel Logout §2.4)."""


def build_end_session_url(
    endpoint: str,
    *,
    id_token_hint: str | None = None,
    post_logout_redirect_uri: str | None = None,
    state: str | None = None,
    client_id: str | None = None,
    logout_hint: str | None = None,
    ui_locales: str | Collection[str] | None = None,
    transport: TransportPolicy | None = None,
) -> str:
    """The RP-initiated logout URL (RP-Initiated Logout 1.0 §2).

    Raises:
        UsageError: ``post_logout_redirect_uri`` without ``id_token_hint`` or ``client_id``
            (§2: the provider must know which client registered it), or ``state`` without it.
        InsecureTransportError: A plain-http endpoint that is not loopback.
    """
    (transport or TransportPolicy(False)).check(endpoint)
    if post_logout_redirect_uri is not None and id_token_hint is None and client_id is None:
        raise UsageError("post_logout_redirect_uri needs id_token_hint or client_id (§2)")
    if state is not None and post_logout_redirect_uri is None:
        raise UsageError("state is only returned with a post_logout_redirect_uri (§2)")
    locales = (
        ui_locales if isinstance(ui_locales, str) or ui_locales is None else " ".join(ui_locales)
    )
    params = [
        (name, value)
        for name, value in (
            ("id_token_hint", id_token_hint),
            ("logout_hint", logout_hint),
            ("client_id", client_id),
            ("post_logout_redirect_uri", post_logout_redirect_uri),
            ("state", state),
            ("ui_locales", locales),
        )
        if value is not None
    ]
    parts = urlsplit(endpoint)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


class ReplayWindow:
    """Remembers the ``jti`` of each logout token until it expires, to refuse replays.

    Args:
        window: Seconds a ``jti`` is remembered when the token has no ``exp``.
        limit: The most ``jti`` values kept (the oldest go first).
    """

    def __init__(self, window: float = 600.0, limit: int = 100_000) -> None:
        self.window = window
        self.limit = limit
        self._seen: dict[str, tuple[float]] = {}

    def first_use(self, jti: str, until: float, now: float) -> bool:
        """Record ``jti`` until ``until``; ``False`` if it was seen and has not expired.

        Safe across threads without a lock: ``dict.setdefault`` is one atomic step, so of two
        threads offering the same ``jti`` exactly one records it. Each call records a new
        one-element tuple, so that ``is`` tells this call's record from an earlier one (``until``
        itself may be the very float object an earlier call passed: a constant, a shared time).
        """
        seen = self._seen
        if len(seen) >= self.limit:
            expired = [k for k, (t,) in list(seen.items()) if t < now] or list(seen)[:1]
            for old in expired:
                seen.pop(old, None)
        record = (until,)
        kept = seen.setdefault(jti, record)
        if kept is record:
            return True
        if kept[0] >= now:
            return False
        seen[jti] = record
        return True


class LogoutTokenClaims(Mapping[str, Any]):
    """The claims of a validated back-channel logout token (Back-Channel Logout 1.0 §2.4).

    A read-only mapping of every claim; ``sub`` and ``sid`` name what to log out (one of them
    may be absent).
    """

    __slots__ = ("_claims", "header")

    def __init__(self, claims: Mapping[str, Any], header: Mapping[str, Any]) -> None:
        self._claims = MappingProxyType(dict(claims))
        self.header = MappingProxyType(dict(header))

    def __getitem__(self, name: str) -> Any:
        return self._claims[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._claims)

    def __len__(self) -> int:
        return len(self._claims)

    def __repr__(self) -> str:
        return f"LogoutTokenClaims(iss={self.issuer!r}, sub={self.subject!r}, sid={self.sid!r})"

    @property
    def issuer(self) -> str:
        """``iss``."""
        return str(self._claims["iss"])

    @property
    def audience(self) -> tuple[str, ...]:
        """``aud`` as a tuple."""
        return audiences(self._claims)

    @property
    def subject(self) -> str | None:
        """``sub``: the user to log out of every session, if named."""
        return self._claims.get("sub")

    @property
    def sid(self) -> str | None:
        """``sid``: the provider session to log out of, if named."""
        return self._claims.get("sid")

    @property
    def jti(self) -> str:
        """``jti``: the token's unique ID."""
        return str(self._claims["jti"])

    @property
    def issued_at(self) -> float:
        """``iat``."""
        return float(self._claims["iat"])

    @property
    def expires_at(self) -> float | None:
        """``exp``, when given."""
        value = self._claims.get("exp")
        return None if value is None else float(value)


def check_logout_token(
    token: object,
    keys: KeySet | None,
    *,
    issuer: str,
    client_id: str,
    now: float,
    algorithms: frozenset[str],
    leeway: float,
    replay: ReplayWindow | None,
    client_secret: str | None = None,
) -> LogoutTokenClaims:
    """:func:`validate_logout_token` with imported keys, raising the internal verdict."""
    compact = parse_jws(token)
    typ = compact.header.get("typ")
    if typ is not None and (
        not isinstance(typ, str) or typ.lower() not in ("logout+jwt", "application/logout+jwt")
    ):
        raise Rejected("typ", f"typ {str(typ)[:40]!r} is not a logout token's")
    verify_jws(compact, keys=keys, algorithms=algorithms, secret=client_secret)
    claims = compact.claims()
    if claims.get("iss") != issuer:
        raise Rejected("iss", f"iss is not {issuer!r}")
    if client_id not in audiences(claims):
        raise Rejected("aud", "aud does not name this client")
    check_times(claims, now, leeway, require_exp=False)
    events = claims.get("events")
    if not isinstance(events, Mapping) or not isinstance(
        events.get(BACKCHANNEL_LOGOUT_EVENT), Mapping
    ):
        raise Rejected("events", "events does not hold the back-channel logout event")
    if "nonce" in claims:
        raise Rejected(
            "nonce", "a logout token must not carry a nonce (it could pass for an ID token)"
        )
    sub = string(claims, "sub", required=False)
    sid = string(claims, "sid", required=False)
    if not sub and not sid:
        raise Rejected("sub", "a logout token names sub, sid or both")
    jti = string(claims, "jti", required=True)
    if replay is not None and jti is not None:
        expires = claims.get("exp")
        until = (
            float(expires) + leeway if isinstance(expires, (int, float)) else now + replay.window
        )
        if not replay.first_use(f"{issuer} {jti}", until if math.isfinite(until) else now, now):
            raise Rejected("jti", "this logout token was already received (replay)")
    return LogoutTokenClaims(claims, compact.header)


def validate_logout_token(
    logout_token: str,
    *,
    jwks: KeySet | Mapping[str, Any] | None,
    issuer: str,
    client_id: str,
    now: float,
    algorithms: Collection[str] = ("RS256",),
    leeway: float = 30.0,
    replay: ReplayWindow | None = None,
    client_secret: str | None = None,
) -> LogoutTokenClaims:
    """Validate a back-channel logout token (Back-Channel Logout 1.0 §2.6); return its claims.

    Call it from the route registered as ``backchannel_logout_uri`` with the ``logout_token``
    form field, then end the sessions its ``sub`` or ``sid`` names. Answer 200 when it
    validates and 400 when it raises (§2.8).

    Raises:
        LogoutTokenError: The check that failed, in ``check``.
        UsageError: An empty or unknown algorithm list.
    """
    try:
        allowed = check_algorithms(algorithms, "logout tokens")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        keys = jwks if isinstance(jwks, KeySet) or jwks is None else import_jwks(jwks)
        return check_logout_token(
            logout_token,
            keys,
            issuer=issuer,
            client_id=client_id,
            now=now,
            algorithms=allowed,
            leeway=leeway,
            replay=replay,
            client_secret=client_secret,
        )
    except Rejected as exc:
        raise LogoutTokenError(f"logout token rejected ({exc.check}): {exc}", exc.check) from None
