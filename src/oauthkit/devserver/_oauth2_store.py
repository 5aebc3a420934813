"""The OAuth 2 half of the dev provider's in-memory state (RFC 6749, RFC 7009, RFC 8628).

Clients (registered as :class:`~oauthkit.devserver._oauth2_clients.DevOAuth2Client`), resource
owners, authorization codes, tokens and device authorizations live in dictionaries behind one
lock, as in :class:`~oauthkit.devserver._store.OAuth1Store`. Time comes
from the provider's injected clock, so a test decides when a token expires by moving its clock
rather than by sleeping.

Tokens issued under one authorization share a *grant id*: a refresh keeps it, so revoking a
refresh token can also revoke the access tokens of the same grant (RFC 7009 §2.1).

There is no browser, so no cookie, but there are *sessions*: approving an authorization request
signs its user in (once; later requests reuse the session and its ``auth_time``, as a browser
holding the provider's cookie would), and :meth:`OAuth2Store.sign_out` ends a user's session
and forgets everything issued to them (OpenID Connect RP-Initiated Logout 1.0 §2).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from .._errors import UsageError
from ._oauth2_clients import DEVICE_CODE_GRANT, DevOAuth2Client

__all__ = [
    # Re-exported: the device grant's name stays where its users have always imported it.
    "DEVICE_CODE_GRANT",
    "AccessTokenRecord",
    "CodeRecord",
    "DeviceRecord",
    "IssuedRecord",
    "OAuth2Store",
    "RefreshTokenRecord",
    "new_user_code",
    "normalize_user_code",
]


@dataclass(frozen=True, slots=True)
class CodeRecord:
    """An authorization code (RFC 6749 §4.1.2) and what it was issued for."""

    client_id: str
    redirect_uri: str
    redirect_uri_given: bool
    scopes: tuple[str, ...]
    user: str
    expires_at: float
    code_challenge: str | None = field(default=None, repr=False)
    code_challenge_method: str | None = None
    nonce: str | None = None  # OpenID Connect Core §3.1.2.1, for the ID token
    auth_time: float | None = None  # when the user signed in (Core §2)


@dataclass(frozen=True, slots=True)
class IssuedRecord:
    """What the provider records of every token it issues.

    ``grant_id`` names the grant the token belongs to: revoking one token of a grant revokes
    all of them. ``auth_time`` is when the user signed in for the grant, if they did (OpenID
    Connect Core §2); a refreshed ID token repeats it (§12.2).
    """

    client_id: str
    scopes: tuple[str, ...]
    user: str | None
    issued_at: float
    grant_id: str
    auth_time: float | None = field(default=None, kw_only=True)


@dataclass(frozen=True, slots=True)
class AccessTokenRecord(IssuedRecord):
    """An issued access token (RFC 6749 §1.4)."""

    expires_at: float


@dataclass(frozen=True, slots=True)
class RefreshTokenRecord(IssuedRecord):
    """An issued refresh token (RFC 6749 §1.5); it does not expire, it is rotated."""


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A device authorization (RFC 8628 §3.2) waiting for, or holding, the user's decision.

    Attributes:
        status: ``"pending"``, ``"approved"`` or ``"denied"``.
        last_poll: When the device last polled, to tell when it polls too fast (§3.5).
    """

    client_id: str
    user_code: str
    scopes: tuple[str, ...]
    expires_at: float
    interval: int
    status: str = "pending"
    user: str | None = None
    last_poll: float | None = None


def new_user_code() -> str:
    """A user code like ``WDJB-MJHT`` (RFC 8628 §6.1): 8 consonants, so no words are spelled."""
    letters = "".join(secrets.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def normalize_user_code(user_code: str) -> str:
    """RFC 8628 §6.1: compare user codes without case, dashes or spaces."""
    return "".join(ch for ch in user_code.upper() if ch.isalnum())


class OAuth2Store:
    """Thread-safe storage for the OAuth 2 side of the dev provider.

    Args:
        clock: Seconds since the epoch; decides every expiry.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, DevOAuth2Client] = {}
        self._users: dict[str, str] = {}
        self._codes: dict[str, CodeRecord] = {}
        self._access: dict[str, AccessTokenRecord] = {}
        self._refresh: dict[str, RefreshTokenRecord] = {}
        self._devices: dict[str, DeviceRecord] = {}
        self._user_codes: dict[str, str] = {}  # normalized user code -> device code
        self._sessions: dict[str, float] = {}  # user -> when they signed in

    # -- clients and resource owners --------------------------------------------------------

    def add_client(self, client: DevOAuth2Client) -> None:
        """Register ``client``.

        Raises:
            UsageError: The client_id is already taken.
        """
        with self._lock:
            if client.client_id in self._clients:
                raise UsageError(f"client_id {client.client_id!r} is already registered")
            self._clients[client.client_id] = client

    def client(self, client_id: str | None) -> DevOAuth2Client | None:
        """The client registered under ``client_id``, if any."""
        with self._lock:
            return self._clients.get(client_id or "")

    def add_user(self, username: str, password: str) -> None:
        """Add (or replace) a resource owner for the password grant (RFC 6749 §4.3)."""
        with self._lock:
            self._users[username] = password

    def user_password(self, username: str) -> str | None:
        """The password of ``username``, if that resource owner exists."""
        with self._lock:
            return self._users.get(username)

    # -- authorization codes (RFC 6749 §4.1) ------------------------------------------------

    def add_code(self, code: str, record: CodeRecord) -> None:
        """Remember an issued authorization code."""
        with self._lock:
            self._codes[code] = record

    def code(self, code: str) -> CodeRecord | None:
        """The unexpired authorization code ``code``, if it was issued and not yet used."""
        with self._lock:
            record = self._codes.get(code)
            if record is not None and self.clock() >= record.expires_at:
                del self._codes[code]
                return None
            return record

    def discard_code(self, code: str) -> None:
        """Forget a code once it has been exchanged: a code is used once (§4.1.2)."""
        with self._lock:
            self._codes.pop(code, None)

    # -- tokens -----------------------------------------------------------------------------

    def save_tokens(
        self,
        *,
        access_token: str,
        expires_in: int,
        client_id: str,
        scopes: tuple[str, ...],
        user: str | None,
        refresh_token: str | None = None,
        rotated_from: str | None = None,
        auth_time: float | None = None,
    ) -> None:
        """Record a token response.

        Args:
            rotated_from: The refresh token this response replaces (RFC 6749 §6). It stops
                working now, and the new tokens join its grant, keeping its ``auth_time``.
            auth_time: When the user signed in for a new grant.
        """
        with self._lock:
            now = self.clock()
            old = self._refresh.pop(rotated_from, None) if rotated_from else None
            grant_id = old.grant_id if old is not None else secrets.token_hex(8)
            auth_time = old.auth_time if old is not None else auth_time
            self._access[access_token] = AccessTokenRecord(
                client_id, scopes, user, now, grant_id, now + expires_in, auth_time=auth_time
            )
            if refresh_token is not None:
                self._refresh[refresh_token] = RefreshTokenRecord(
                    client_id, scopes, user, now, grant_id, auth_time=auth_time
                )

    def access_token(self, token: str) -> AccessTokenRecord | None:
        """The access token ``token``, expired or not, if it was issued and not revoked."""
        with self._lock:
            return self._access.get(token)

    def refresh_token(self, token: str) -> RefreshTokenRecord | None:
        """The refresh token ``token``, if it is still current (not rotated nor revoked)."""
        with self._lock:
            return self._refresh.get(token)

    def revoke(self, token: str, client_id: str) -> bool:
        """Revoke a token of ``client_id`` (RFC 7009 §2.1).

        Revoking a refresh token also revokes the access tokens of its grant.

        Returns:
            Whether a token was revoked; another client's token is left alone.
        """
        with self._lock:
            access = self._access.get(token)
            if access is not None and access.client_id == client_id:
                del self._access[token]
                return True
            refresh = self._refresh.get(token)
            if refresh is None or refresh.client_id != client_id:
                return False
            grant = refresh.grant_id
            self._refresh = {k: r for k, r in self._refresh.items() if r.grant_id != grant}
            self._access = {k: r for k, r in self._access.items() if r.grant_id != grant}
            return True

    def expire_access_tokens(self) -> int:
        """Make every access token expired as of now.

        Returns:
            How many tokens were still live.
        """
        with self._lock:
            now = self.clock()
            live = [k for k, r in self._access.items() if r.expires_at > now]
            for key in live:
                self._access[key] = replace(self._access[key], expires_at=now)
            return len(live)

    # -- sessions (OpenID Connect Core §2 auth_time, RP-Initiated Logout 1.0 §2) -------------

    def sign_in(self, user: str, *, fresh: bool = False) -> float:
        """Start a session for ``user``, or keep the one they have.

        Args:
            fresh: Sign in again even with a session, as ``prompt=login`` or an exceeded
                ``max_age`` asks (OpenID Connect Core §3.1.2.1).

        Returns:
            When the user signed in: the ``auth_time`` of what is issued in this session.
        """
        with self._lock:
            signed_in = self._sessions.get(user)
            if signed_in is None or fresh:
                signed_in = self._sessions[user] = self.clock()
            return signed_in

    def signed_in_at(self, user: str) -> float | None:
        """When ``user`` signed in, or ``None`` when they have no session."""
        with self._lock:
            return self._sessions.get(user)

    def sign_out(self, user: str) -> int:
        """End the session of ``user`` and forget their codes, access and refresh tokens.

        Returns:
            How many tokens were forgotten.
        """
        with self._lock:
            self._sessions.pop(user, None)
            self._codes = {k: r for k, r in self._codes.items() if r.user != user}
            access = {k: r for k, r in self._access.items() if r.user != user}
            refresh = {k: r for k, r in self._refresh.items() if r.user != user}
            forgotten = len(self._access) - len(access) + len(self._refresh) - len(refresh)
            self._access, self._refresh = access, refresh
            return forgotten

    # -- device authorization (RFC 8628) ----------------------------------------------------

    def add_device(self, device_code: str, record: DeviceRecord) -> None:
        """Remember a device authorization until the device exchanges or abandons it."""
        with self._lock:
            self._devices[device_code] = record
            self._user_codes[normalize_user_code(record.user_code)] = device_code

    def decide_device(self, user_code: str, user: str, *, deny: bool) -> DeviceRecord | None:
        """Approve or deny the pending device authorization that shows ``user_code`` (§3.3).

        Returns:
            The updated record, or ``None`` when no pending, unexpired one has that code.
        """
        with self._lock:
            device_code = self._user_codes.get(normalize_user_code(user_code), "")
            record = self._devices.get(device_code)
            if record is None or record.status != "pending" or self.clock() >= record.expires_at:
                return None
            status = "denied" if deny else "approved"
            record = replace(record, status=status, user=None if deny else user)
            self._devices[device_code] = record
            return record

    def poll_device(self, device_code: str, client_id: str) -> tuple[str, DeviceRecord | None]:
        """One token-endpoint poll by the device (RFC 8628 §3.4, §3.5).

        Returns:
            ``(status, record)``: ``"authorized"`` (the record is consumed: a device code is
            exchanged once), ``"authorization_pending"``, ``"slow_down"`` (the poll came
            sooner than the interval, which grows by 5 seconds), ``"expired_token"``,
            ``"access_denied"``, or ``"unknown"`` for a code that is not this client's.
        """
        with self._lock:
            now = self.clock()
            record = self._devices.get(device_code)
            if record is None or record.client_id != client_id:
                return "unknown", None
            if now >= record.expires_at:
                self._forget_device(device_code, record)
                return "expired_token", record
            if record.status == "denied":
                self._forget_device(device_code, record)
                return "access_denied", record
            if record.status == "approved":
                self._forget_device(device_code, record)
                return "authorized", record
            too_soon = record.last_poll is not None and now - record.last_poll < record.interval
            interval = record.interval + 5 if too_soon else record.interval
            self._devices[device_code] = replace(record, last_poll=now, interval=interval)
            return ("slow_down" if too_soon else "authorization_pending"), record

    def _forget_device(self, device_code: str, record: DeviceRecord) -> None:
        self._devices.pop(device_code, None)
        self._user_codes.pop(normalize_user_code(record.user_code), None)
