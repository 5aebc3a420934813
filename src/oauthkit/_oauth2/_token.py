"""The OAuth 2 token value (RFC 6749 §5.1, §6; OpenID Connect Core 1.0 §3.1.3.3).

:class:`Token` is what a token endpoint grants: an access token and what the client needs to
know about it. It is a frozen value, not a ``dict`` subclass, and it never reads the clock: the
absolute expiry ``expires_at`` is computed from an ``expires_in`` lifetime and a ``now`` the
caller passes in, so expiry logic is testable with a fixed clock.

Two constructors face the outside world:

* :meth:`Token.from_response` reads the fields of a token response (RFC 6749 §5.1). Servers
  that do not follow the RFC to the letter are tolerated where it is harmless: ``expires_in``
  as a numeric string, a missing ``token_type`` (taken as ``Bearer``, as oauthlib does), a
  ``scope`` sent as a JSON array.
* :meth:`Token.from_dict` reads the dictionaries that requests-oauthlib users already keep
  (``scope`` as a list, ``expires_at`` as seconds since the epoch); :meth:`Token.to_dict`
  writes them back.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .._errors import MalformedResponseError, MissingTokenError, UsageError

__all__ = ["Token", "normalize_scope", "response_token"]

# Keys with a meaning of their own in a token response or a stored token dictionary; every
# other key is kept in ``Token.extra``.
_STANDARD_KEYS = frozenset(
    {"access_token", "token_type", "expires_in", "expires_at", "refresh_token", "scope", "id_token"}
)
_SECRET_ATTRIBUTES = ("access_token", "refresh_token", "id_token")
_FIELD_ORDER = ("access_token", "token_type", "expires_at", "refresh_token", "scope")
_REDACTED = "'***'"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x20), 0x7F])


class _Invalid(Exception):
    """A field of the wrong shape; each constructor turns it into its own error type."""


def normalize_scope(scope: str | Sequence[str] | None) -> tuple[str, ...] | None:
    """Turn a scope given as a string or a sequence into a tuple of scope tokens (RFC 6749 §3.3).

    Args:
        scope: ``None``, a space-delimited string, or a sequence of strings (each of which
            may itself hold several space-delimited tokens).

    Returns:
        The scope tokens in order, or ``None`` when ``scope`` is ``None``.

    Raises:
        UsageError: ``scope`` is neither a string nor a sequence of strings.
    """
    try:
        return _scope(scope, "scope")
    except _Invalid as exc:
        raise UsageError(str(exc)) from None


def _scope(value: object, name: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        if not all(isinstance(item, str) for item in value):
            raise _Invalid(f"{name} must be a string or a list of strings")
        return tuple(token for item in value for token in item.split())
    raise _Invalid(f"{name} must be a string or a list of strings")


def _required_str(fields: Mapping[str, Any], name: str) -> str:
    return _checked_str(fields.get(name), name)


def _checked_str(value: object, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise _Invalid(f"{name} must be a non-empty string")
    if _has_control(value):
        # RFC 6749 Appendix A: tokens and types are VSCHAR / NQCHAR. A CR or LF would let a
        # server smuggle headers into every request the token authorizes.
        raise _Invalid(f"{name} contains control characters")
    return value


def _has_control(value: str) -> bool:
    """Whether ``value`` holds a C0 control character or DEL."""
    if value.isascii():
        # In ASCII the control characters are exactly the unprintable ones. For long values
        # (ID Tokens run to kilobytes) deleting the control bytes in C is faster still; both
        # beat a regex search several times over, on every token response.
        if len(value) < 128:
            return not value.isprintable()
        raw = value.encode("ascii")
        return len(raw.translate(None, _CONTROL_BYTES)) != len(raw)
    return _CONTROL.search(value) is not None


def _optional_str(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None or value == "":
        return None
    return _checked_str(value, name)


def _number(fields: Mapping[str, Any], name: str) -> float | None:
    """A JSON number or a numeric string (as form-encoded responses carry); ``None`` if absent."""
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


def _check_now(now: object) -> float:
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
        if key not in _STANDARD_KEYS:
            extra[key] = value
    return extra


def _expiry(expires_at: float | None, expires_in: float | None, now: float | None) -> float | None:
    if expires_at is not None or expires_in is None:
        return expires_at
    if now is None:
        raise UsageError(
            "token has expires_in but no expires_at: pass now= so that the expiry can be computed"
        )
    expires_at = now + expires_in
    if not math.isfinite(expires_at):
        raise _Invalid("expires_in is out of range")
    return expires_at


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
    """

    access_token: str
    token_type: str = "Bearer"
    expires_at: float | None = None
    refresh_token: str | None = None
    scope: tuple[str, ...] | None = None
    id_token: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False)
    scope_changed: bool = field(default=False, compare=False)

    def __post_init__(self) -> None:
        """Validate the fields and freeze ``extra``.

        Raises:
            UsageError: A field has the wrong type, a required string is empty, a string holds
                control characters, or ``extra`` uses one of the standard field names.
        """
        try:
            values: dict[str, Any] = {
                "access_token": self.access_token,
                "token_type": self.token_type,
                "refresh_token": self.refresh_token,
                "id_token": self.id_token,
            }
            for name, value in values.items():
                if value is not None or name in ("access_token", "token_type"):
                    _required_str(values, name)
            expires_at: object = self.expires_at
            if expires_at is not None and (
                isinstance(expires_at, bool)
                or not isinstance(expires_at, (int, float))
                or not math.isfinite(expires_at)
            ):
                raise _Invalid("expires_at must be a finite number")
            scope = _scope(self.scope, "scope")
            if not isinstance(self.extra, Mapping):
                raise _Invalid("extra must be a mapping")
            extra = _extras(self.extra)
            if len(extra) != len(self.extra):
                raise _Invalid("extra must not repeat the standard token fields")
            if not isinstance(self.scope_changed, bool):
                raise _Invalid("scope_changed must be a bool")
        except _Invalid as exc:
            raise UsageError(f"invalid Token: {exc}") from None
        object.__setattr__(self, "scope", scope)
        object.__setattr__(self, "extra", MappingProxyType(extra))

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
            status_code: HTTP status, only for the error raised on a bad response.
            body: The body (or a redacted form of it), only for the error's excerpt.

        Returns:
            The token.

        Raises:
            MissingTokenError: There is no ``access_token``.
            MalformedResponseError: A field has the wrong type (a numeric ``access_token``,
                a list as ``expires_in``, a negative lifetime...) or a token holds control
                characters.
            UsageError: ``now`` is not a finite number, or ``requested_scope`` is neither a
                string nor a sequence of strings.
        """
        return response_token(
            cls,
            fields,
            now=now,
            requested_scope=requested_scope,
            status_code=status_code,
            body=lambda: body,
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, now: float | None = None) -> Token:
        """Read a stored token dictionary, such as requests-oauthlib's ``session.token``.

        Accepts ``scope`` as a list (as oauthlib stores it) or a space-delimited string, and
        ``expires_at`` as a number or numeric string. A dictionary with only ``expires_in``
        needs ``now`` to place the expiry in time. Unknown keys go to :attr:`extra`.

        Args:
            data: The dictionary.
            now: The current time, used only when ``expires_at`` is absent.

        Returns:
            The token.

        Raises:
            UsageError: ``data`` is not a mapping, has no ``access_token``, has a field of the
                wrong type, or has ``expires_in`` without ``expires_at`` and no ``now``.
        """
        if not isinstance(data, Mapping):
            raise UsageError("a token dictionary must be a mapping")
        if now is not None:
            now = _check_now(now)
        try:
            return cls(
                access_token=_required_str(data, "access_token"),
                token_type=_optional_str(data, "token_type") or "Bearer",
                expires_at=_expiry(_number(data, "expires_at"), _number(data, "expires_in"), now),
                refresh_token=_optional_str(data, "refresh_token"),
                scope=_scope(data.get("scope"), "scope"),
                id_token=_optional_str(data, "id_token"),
                extra=_extras(data),
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
                data["expires_in"] = int(self.expires_at - _check_now(now))
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
    def scope_string(self) -> str | None:
        """The scope as the space-delimited string requests carry (RFC 6749 §3.3)."""
        return None if self.scope is None else " ".join(self.scope)

    def expires_in(self, now: float) -> float | None:
        """Seconds left until expiry at ``now`` (negative once expired); ``None`` if unknown.

        Raises:
            UsageError: ``now`` is not a finite number.
        """
        now = _check_now(now)
        return None if self.expires_at is None else self.expires_at - now

    def is_expired(self, now: float, leeway: float = 0.0) -> bool:
        """Whether the token is expired at ``now``, or will be within ``leeway`` seconds.

        A token without a known lifetime is never considered expired; the resource server's
        ``401 invalid_token`` is then the signal to refresh (RFC 6750 §3.1).

        Raises:
            UsageError: ``now`` is not a finite number.
        """
        now = _check_now(now)
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
        for name in (*_FIELD_ORDER, "id_token"):
            value = getattr(self, name)
            hidden = name in _SECRET_ATTRIBUTES and value is not None
            parts.append(f"{name}={_REDACTED if hidden else repr(value)}")
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


def _present(value: Any) -> Any:
    """``None`` for an absent or empty field (as servers send ``""``), else the value as is."""
    return None if value is None or value == "" else value


def response_token(
    cls: type[Token],
    fields: Mapping[str, Any],
    *,
    now: float,
    requested_scope: str | Sequence[str] | None,
    status_code: int,
    body: Callable[[], bytes | str],
) -> Token:
    """:meth:`Token.from_response`, with the body for an error excerpt made only on error.

    :func:`~oauthkit.parse_token_response` re-serializes the body without credentials for its
    excerpts; doing that for every successful response would cost more than the parsing.

    Raises:
        MissingTokenError: There is no ``access_token``.
        MalformedResponseError: A field has the wrong type or holds control characters.
        UsageError: ``now`` or ``requested_scope`` is invalid.
    """
    now = _check_now(now)
    requested = normalize_scope(requested_scope)
    if not isinstance(fields, Mapping):
        raise MalformedResponseError("token response is not an object", status_code, body())
    if fields.get("access_token") in (None, ""):
        raise MissingTokenError("token response has no access_token", status_code, body())
    try:
        # The strings are checked once, by Token.__post_init__ below.
        access_token = fields["access_token"]
        token_type = _present(fields.get("token_type"))
        if token_type is None:
            token_type = "Bearer"  # RFC 6749 §5.1 requires it; servers that omit it mean Bearer
        expires_in = _number(fields, "expires_in")
        if expires_in is not None and expires_in < 0:
            raise _Invalid("expires_in must not be negative")
        # ``expires_at`` is not in RFC 6749, but some servers send it; like oauthlib, use it
        # only when there is no ``expires_in``.
        expires_at = None if expires_in is not None else _number(fields, "expires_at")
        expires_at = _expiry(expires_at, expires_in, now)
        refresh_token = _present(fields.get("refresh_token"))
        id_token = _present(fields.get("id_token"))
        granted = _scope(fields.get("scope"), "scope")
        extra = _extras(fields)
    except _Invalid as exc:
        raise MalformedResponseError(f"token response: {exc}", status_code, body()) from None
    changed = granted is not None and requested is not None and set(granted) != set(requested)
    try:
        return cls(
            access_token=access_token,
            token_type=token_type,
            expires_at=expires_at,
            refresh_token=refresh_token,
            scope=granted if granted is not None else requested,
            id_token=id_token,
            extra=extra,
            scope_changed=changed,
        )
    except UsageError as exc:  # a field of the wrong type, or with control characters
        detail = str(exc).removeprefix("invalid Token: ")
        raise MalformedResponseError(f"token response: {detail}", status_code, body()) from None
