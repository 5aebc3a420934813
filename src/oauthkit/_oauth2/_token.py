"""The OAuth 2 token value (RFC 6749 §5.1, §6; OpenID Connect Core 1.0 §3.1.3.3).

:class:`Token` is what a token endpoint grants: an access token and what the client needs to
know about it. It is a frozen value, not a ``dict`` subclass, and it never reads the clock: the
absolute expiry ``expires_at`` is computed from an ``expires_in`` lifetime and a ``now`` the
caller passes in, so expiry logic is testable with a fixed clock.

Two constructors face the outside world: :meth:`Token.from_response` reads a token response's
fields (RFC 6749 §5.1; the rules are in :mod:`oauthkit._oauth2._token_response`), and
:meth:`Token.from_dict` the dictionaries requests-oauthlib users keep (``scope`` a list,
``expires_at`` in seconds since the epoch), which :meth:`Token.to_dict` writes back.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .._core._params import scope_tokens
from .._errors import UsageError
from ._rar import AUTHORIZATION_DETAILS, check_authorization_details, granted_details

__all__ = ["STANDARD_KEYS", "Token", "check_now", "normalize_scope"]

# Keys with a meaning of their own in a token response or a stored token dictionary; every
# other key is kept in ``Token.extra``.
STANDARD_KEYS = frozenset(
    {"access_token", "token_type", "expires_in", "expires_at", "refresh_token", "scope", "id_token"}
)
_SECRET_ATTRIBUTES = ("access_token", "refresh_token", "id_token")
_REDACTED = "'***'"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Invalid(Exception):
    """A field of the wrong shape; each constructor turns it into its own error type."""


def normalize_scope(scope: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """A scope as a tuple of tokens (RFC 6749 §3.3), by the one rule of ``scope_tokens``; a
    ``UsageError`` when it is neither a string nor a sequence of strings."""
    return scope_tokens(scope)


def _scope(value: object, name: str) -> tuple[str, ...] | None:
    if value is not None and not isinstance(value, (str, Sequence)):
        raise _Invalid(f"{name} must be a string or a list of strings")
    try:
        return scope_tokens(value)
    except UsageError:
        raise _Invalid(f"{name} must be a string or a list of strings") from None


def _checked_str(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{name} must be a non-empty string")
    if _CONTROL.search(value):
        # RFC 6749 Appendix A: tokens and types are VSCHAR / NQCHAR. A CR or LF would let a
        # server smuggle headers into every request the token authorizes.
        raise _Invalid(f"{name} contains control characters")
    return value


def _optional_str(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    return _checked_str(value, name)


def _number(fields: Mapping[str, Any], name: str) -> float | None:
    """A JSON number or a numeric string; ``None`` if absent."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise _Invalid(f"{name} must be a number")
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise _Invalid(f"{name} must be a number") from None
    if not math.isfinite(number):
        raise _Invalid(f"{name} must be a finite number")
    return number


def check_now(now: object) -> float:
    """``now`` as a float.

    Raises:
        UsageError: Not a finite number of seconds since the epoch.
    """
    if type(now) is float and math.isfinite(now):
        return now  # what time.time() returns: checked on every protected request
    if isinstance(now, bool) or not isinstance(now, (int, float)) or not math.isfinite(now):
        raise UsageError("now must be a finite number of seconds since the epoch")
    return float(now)


def _extras(fields: Mapping[Any, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key, value in fields.items():
        if not isinstance(key, str):
            raise _Invalid("field names must be strings")
        if key not in STANDARD_KEYS:
            extra[key] = value
    return extra


@dataclass(frozen=True, slots=True, repr=False)
class Token:
    """An OAuth 2 access token and what came with it (RFC 6749 §5.1).

    Attributes:
        access_token: The access token.
        token_type: The type as the server sent it (``Bearer``, ``bearer``, ``DPoP``...);
            compare it with :attr:`is_bearer` / :attr:`is_dpop`, which ignore case (§7.1).
        expires_at: Expiry in seconds since the epoch, or ``None`` when the server gave no
            lifetime.
        refresh_token: The refresh token, if one was issued (§6).
        scope: The granted scope tokens; ``None`` when neither granted nor requested scope
            is known.
        id_token: The OpenID Connect ID Token (a JWT, not validated here).
        extra: Every other field of the response, read-only.
        scope_changed: The server granted a scope different from the requested one. RFC 6749
            §3.3 allows that, so it is recorded, never raised. It describes the response, not
            the credential: it is neither stored by :meth:`to_dict` nor compared by ``==``.
        issued_at: When the token was received (seconds since the epoch), if known. With
            :attr:`expires_at` it gives the lifetime the server granted, which bounds how early
            a client renews (a 5-second token is not renewed 10 seconds before it expires).
            Not compared by ``==``.
    """

    access_token: str
    token_type: str = "Bearer"
    expires_at: float | None = None
    refresh_token: str | None = None
    scope: tuple[str, ...] | None = None
    id_token: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    scope_changed: bool = field(default=False, compare=False)
    issued_at: float | None = field(default=None, compare=False)
    _source: dict[str, Any] | None = field(default=None, compare=False, hash=False, repr=False)

    def __post_init__(self) -> None:
        """Validate the fields and freeze ``extra``.

        Raises:
            UsageError: A field has the wrong type, a required string is empty, a string holds
                control characters, or ``extra`` uses one of the standard field names.
        """
        try:
            _checked_str(self.access_token, "access_token")
            _checked_str(self.token_type, "token_type")
            for name in ("refresh_token", "id_token"):
                value = getattr(self, name)
                if value is not None:
                    _checked_str(value, name)
            for name in ("expires_at", "issued_at"):
                value = getattr(self, name)
                if value is not None and (
                    isinstance(value, bool)
                    or not isinstance(value, (int, float))
                    or not math.isfinite(value)
                ):
                    raise _Invalid(f"{name} must be a finite number")
            scope = _scope(self.scope, "scope")
            if not isinstance(self.extra, Mapping):
                raise _Invalid("extra must be a mapping")
            extra = _extras(self.extra)
            if len(extra) != len(self.extra):
                raise _Invalid("extra must not repeat the standard token fields")
            if AUTHORIZATION_DETAILS in extra:  # RFC 9396 §7: checked once, here
                check_authorization_details(extra[AUTHORIZATION_DETAILS])
            if not isinstance(self.scope_changed, bool):
                raise _Invalid("scope_changed must be a bool")
            if self._source is not None and not isinstance(self._source, Mapping):
                raise _Invalid("_source must be a mapping or None")
        except (_Invalid, ValueError) as exc:
            raise UsageError(f"invalid Token: {exc}") from None
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "extra", MappingProxyType(extra))
        if self._source is not None and type(self._source) is not dict:
            object.__setattr__(self, "_source", dict(self._source))

    @property
    def source(self) -> Mapping[str, Any] | None:
        """What the token was read from, as it was (read-only), or ``None``."""
        return None if self._source is None else MappingProxyType(self._source)

    @classmethod
    def from_response(
        cls,
        fields: Mapping[str, Any],
        *,
        now: float,
        requested_scope: str | Sequence[str] | None = None,
        status_code: int = 200,
        body: bytes | str = b"",
    ) -> Token:
        """Build a token from the fields of a successful token response (RFC 6749 §5.1).

        Args:
            fields: The decoded response (a JSON object, or a form-encoded body as a mapping).
            now: The time the response was received, in seconds since the epoch;
                ``expires_at`` is ``now + expires_in``.
            requested_scope: The scope the request asked for. When the response has no
                ``scope``, the granted scope is the requested one (§5.1); when it has a
                different one, :attr:`scope_changed` is set.
            status_code: HTTP status, and ``body`` the body, for the error's (redacted) excerpt.

        Raises:
            MissingTokenError: There is no ``access_token``.
            MalformedResponseError: A field has the wrong type (a numeric ``access_token``,
                a list as ``expires_in``, a negative lifetime...) or a token holds characters
                outside RFC 6749's VSCHAR.
            UsageError: ``now`` is not a finite number, or ``requested_scope`` is neither a
                string nor a sequence of strings.
        """
        from ._token_response import token_from_fields

        if isinstance(fields, Mapping):
            fields = dict(fields)  # the token's source must not change with the caller's mapping
        return token_from_fields(fields, now, requested_scope, status_code, body or fields)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, now: float | None = None) -> Token:
        """Read a stored token dictionary, such as requests-oauthlib's ``session.token``.

        Accepts ``scope`` as a list (as oauthlib stores it) or a space-delimited string, and
        ``expires_at`` as a number or numeric string. A dictionary with only ``expires_in``
        needs ``now`` to place the expiry in time. Unknown keys go to :attr:`extra`.

        Args:
            data: The dictionary.
            now: The current time, used only when ``expires_at`` is absent.

        Raises:
            UsageError: ``data`` is not a mapping, has no ``access_token``, has a field of the
                wrong type, or has ``expires_in`` without ``expires_at`` and no ``now``.
        """
        if not isinstance(data, Mapping):
            raise UsageError("a token dictionary must be a mapping")
        if now is not None:
            now = check_now(now)
        try:
            expires_at = _number(data, "expires_at")
            expires_in = _number(data, "expires_in")
            issued_at = None
            if expires_at is None and expires_in is not None:
                if now is None:
                    raise UsageError(
                        "token has expires_in but no expires_at: pass now= so that the expiry "
                        "can be computed"
                    )
                issued_at, expires_at = now, now + expires_in
                if not math.isfinite(expires_at):
                    raise _Invalid("expires_in is out of range")
            elif expires_at is not None and expires_in is not None:
                issued_at = expires_at - expires_in  # requests-oauthlib keeps both
                if not math.isfinite(issued_at):
                    issued_at = None
            return cls(
                access_token=_checked_str(data.get("access_token"), "access_token"),
                token_type=_optional_str(data, "token_type") or "Bearer",
                expires_at=expires_at,
                refresh_token=_optional_str(data, "refresh_token"),
                scope=_scope(data.get("scope"), "scope"),
                id_token=_optional_str(data, "id_token"),
                extra=_extras(data),
                issued_at=issued_at,
                _source=dict(data),
            )
        except _Invalid as exc:
            raise UsageError(f"invalid token dictionary: {exc}") from None

    def to_dict(self, *, now: float | None = None) -> dict[str, Any]:
        """Write the token as a requests-oauthlib style dictionary.

        The result is JSON-safe when :attr:`extra` is, and :meth:`from_dict` reads it back to
        an equal token.

        Args:
            now: When given, ``expires_in`` (whole seconds left, negative once expired) is
                written too, for code that reads it; ``expires_at`` is always written when
                known and is what :meth:`from_dict` trusts.

        Returns:
            A new dictionary: ``access_token``, ``token_type``, then ``expires_in`` /
            ``expires_at``, ``refresh_token``, ``scope`` (a list), ``id_token`` when known,
            then the extras.
        """
        data: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type}
        if self.expires_at is not None:
            if now is not None:
                data["expires_in"] = int(self.expires_at - check_now(now))
            data["expires_at"] = self.expires_at
        if self.refresh_token is not None:
            data["refresh_token"] = self.refresh_token
        if self.scope is not None:
            data["scope"] = list(self.scope)
        if self.id_token is not None:
            data["id_token"] = self.id_token
        data.update(self.extra)
        return data

    @property
    def is_bearer(self) -> bool:
        """Whether ``token_type`` is ``Bearer``, in any case (RFC 6750 §4, RFC 6749 §7.1)."""
        return self.token_type.lower() == "bearer"

    @property
    def is_dpop(self) -> bool:
        """Whether ``token_type`` is ``DPoP``, in any case (RFC 9449 §5)."""
        return self.token_type.lower() == "dpop"

    @property
    def authorization_details(self) -> tuple[Mapping[str, Any], ...] | None:
        """The ``authorization_details`` granted (RFC 9396 §7), each with a ``type``, or None."""
        return granted_details(self.extra)

    @property
    def scope_string(self) -> str | None:
        """The scope as the space-delimited string requests carry (RFC 6749 §3.3)."""
        return None if self.scope is None else " ".join(self.scope)

    @property
    def lifetime(self) -> float | None:
        """Seconds the token was granted for (``expires_at - issued_at``), if both are known."""
        if self.expires_at is None or self.issued_at is None:
            return None
        return max(0.0, self.expires_at - self.issued_at)

    def expires_in(self, now: float) -> float | None:
        """Seconds left until expiry at ``now`` (negative once expired); ``None`` if unknown.

        Raises:
            UsageError: ``now`` is not a finite number.
        """
        now = check_now(now)
        return None if self.expires_at is None else self.expires_at - now

    def is_expired(self, now: float, leeway: float = 0.0) -> bool:
        """Whether the token is expired at ``now``, or will be within ``leeway`` seconds.

        A token without a known lifetime is never considered expired; the resource server's
        ``401 invalid_token`` is then the signal to refresh (RFC 6750 §3.1).

        Raises:
            UsageError: ``now`` is not a finite number.
        """
        now = check_now(now)
        return self.expires_at is not None and now + leeway >= self.expires_at

    def with_refresh(self, new: Token) -> Token:
        """Combine this token with the one a refresh returned (RFC 6749 §6).

        The server may rotate the refresh token; if the response omits it, the old one stays
        valid and is kept. A response without ``scope`` grants the previous scope (§5.1).

        Args:
            new: The token built from the refresh response.

        Returns:
            ``new``, with the refresh token and scope filled in from this token if absent.

        Raises:
            UsageError: ``new`` is not a :class:`Token`.
        """
        if not isinstance(new, Token):
            raise UsageError("with_refresh() expects a Token")
        refresh_token = new.refresh_token if new.refresh_token is not None else self.refresh_token
        scope = new.scope if new.scope is not None else self.scope
        return dataclasses.replace(new, refresh_token=refresh_token, scope=scope)

    def __repr__(self) -> str:
        parts = []
        for name in ("access_token", "token_type", "expires_at", "refresh_token", "scope"):
            value = getattr(self, name)
            hidden = name in _SECRET_ATTRIBUTES and value is not None
            parts.append(f"{name}={_REDACTED if hidden else repr(value)}")
        parts.append(f"id_token={_REDACTED if self.id_token is not None else None}")
        # Extension fields may be credentials too (an issued_token, a device_secret): keys only.
        parts.append(f"extra_keys={sorted(self.extra)!r}")
        if self.scope_changed:
            parts.append("scope_changed=True")
        return f"Token({', '.join(parts)})"

    def __reduce__(self) -> tuple[Any, ...]:
        # ``extra`` is a mappingproxy, which pickle and copy cannot handle; rebuild instead.
        values = (getattr(self, item.name) for item in dataclasses.fields(self))
        return (
            type(self),
            tuple(dict(v) if isinstance(v, MappingProxyType) else v for v in values),
        )
