"""The steps that sans-I/O flows yield, and the replies the executor sends back.

Every operation that does I/O (a token request, a renewal under a lock, the caller's protected
request with its retry, device polling) is a generator, a *flow*. It yields a step; the
executor (:mod:`oauthkit._core._run`) has the driver perform it and sends back the result:

======================  =========================================  ===========================
step                    the driver...                              and sends back
======================  =========================================  ===========================
:class:`SendRequest`    sends a back-channel request, no redirects  :class:`HttpResponse` (body
                                                                    read), or :class:`SendFailed`
:class:`SendProtected`  sends the caller's request with a patch    :class:`HttpResponse`
                                                                    (status and headers only)
:class:`Sleep`          waits                                      ``None``
:class:`Exclusive`      runs a sub-flow holding the lock for a key  the sub-flow's result
:class:`TokenIssued`    hands a new token to the caller's updater  ``None``
:class:`LoadToken`      reads a key of the session's token store   a ``StoredToken`` or
                                                                    ``None``
:class:`SaveToken`      writes it over the version read            the new version, or
                                                                    ``None`` without a store
======================  =========================================  ===========================

The vocabulary is the contract between the protocol and the drivers. A token store's lock,
which spans processes, is held with the driver's own by an :class:`Exclusive` marked
``shared``. Every step names the driver method that answers it (``handler``), so the executor
stays one loop however many steps there are.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, TypeVar

from .._errors import UsageError
from ._http import HttpRequest, _where
from ._patch import RequestPatch

__all__ = [
    "Exclusive",
    "Flow",
    "LoadToken",
    "Purpose",
    "SaveToken",
    "SendFailed",
    "SendProtected",
    "SendRequest",
    "Sleep",
    "Step",
    "TokenIssued",
]

T = TypeVar("T")


class Purpose(str, Enum):
    """Why a back-channel request is sent.

    The purpose decides which requests-oauthlib compliance hooks run around it
    (:mod:`oauthkit._compat._hooks`) and is named in every log line about it.
    """

    CODE_EXCHANGE = "code_exchange"
    """The authorization code grant (RFC 6749 §4.1.3)."""
    TOKEN = "token"
    """Any other grant asked for by the caller: password, client credentials, JWT bearer..."""
    REFRESH = "refresh"
    """A refresh token grant (RFC 6749 §6), automatic or asked for."""
    CLIENT_CREDENTIALS_RENEWAL = "client_credentials_renewal"
    """A new client-credentials token replacing an expired one (RFC 6749 §4.4)."""
    DEVICE_AUTHORIZATION = "device_authorization"
    """The device authorization request (RFC 8628 §3.1)."""
    PUSHED_AUTHORIZATION = "pushed_authorization"
    """A pushed authorization request (RFC 9126 §2)."""
    DEVICE_POLL = "device_poll"
    """A device access token request (RFC 8628 §3.4)."""
    REVOCATION = "revocation"
    """Token revocation (RFC 7009)."""
    INTROSPECTION = "introspection"
    """Token introspection (RFC 7662)."""
    DISCOVERY = "discovery"
    """An issuer's metadata document (OIDC Discovery 1.0 §4, RFC 8414 §3)."""
    JWKS = "jwks"
    """An issuer's JWK Set (RFC 7517 §5, at ``jwks_uri``)."""
    USERINFO = "userinfo"
    """The UserInfo request (OIDC Core §5.3)."""
    REGISTRATION = "registration"
    """Dynamic client registration and its management (RFC 7591 §3, RFC 7592 §2)."""
    BACKCHANNEL_AUTHENTICATION = "backchannel_authentication"
    """The CIBA authentication request (OpenID CIBA Core 1.0 §7.1)."""
    CIBA_POLL = "ciba_poll"
    """A CIBA token request in poll mode (OpenID CIBA Core 1.0 §10.1)."""
    OAUTH1_TEMPORARY_CREDENTIALS = "oauth1_temporary_credentials"
    """An OAuth 1.0a request-token request (RFC 5849 §2.1)."""
    OAUTH1_TOKEN_CREDENTIALS = "oauth1_token_credentials"
    """An OAuth 1.0a access-token request (RFC 5849 §2.3)."""

    @property
    def endpoint(self) -> str:
        """A human name for the endpoint, for messages."""
        return _ENDPOINTS.get(self, "token endpoint")


_ENDPOINTS = {
    Purpose.DEVICE_AUTHORIZATION: "device authorization endpoint",
    Purpose.PUSHED_AUTHORIZATION: "pushed authorization request endpoint",
    Purpose.REVOCATION: "revocation endpoint",
    Purpose.INTROSPECTION: "introspection endpoint",
    Purpose.DISCOVERY: "metadata endpoint",
    Purpose.JWKS: "jwks_uri",
    Purpose.USERINFO: "userinfo endpoint",
    Purpose.REGISTRATION: "registration endpoint",
    Purpose.BACKCHANNEL_AUTHENTICATION: "backchannel authentication endpoint",
    Purpose.OAUTH1_TEMPORARY_CREDENTIALS: "request-token endpoint",
    Purpose.OAUTH1_TOKEN_CREDENTIALS: "access-token endpoint",
}


@dataclass(frozen=True, slots=True)
class SendRequest:
    """Send a back-channel request exactly as built, never following a redirect.

    Attributes:
        request: The request.
        purpose: Why it is sent.
        timeout: Seconds the driver may spend on it (connect and read), or ``None`` for the
            driver's own default.
    """

    request: HttpRequest
    purpose: Purpose = Purpose.TOKEN
    timeout: float | None = None
    handler: ClassVar[str] = "send"

    def __repr__(self) -> str:
        # The request carries client credentials (Authorization header, client_secret,
        # assertions, device codes) in its headers and body; show only where it goes.
        return f"SendRequest({self.request.method} {_where(self.request.url)})"


@dataclass(frozen=True, slots=True)
class SendFailed:
    """The reply to a :class:`SendRequest` the driver could not complete.

    Attributes:
        error: The driver's exception, passed on unwrapped if the flow gives up.
        not_sent: ``True`` when the request certainly never reached the server (connection
            refused, name resolution failed, connect timeout), so that re-sending it cannot
            replay a one-time credential.
    """

    error: BaseException
    not_sent: bool


@dataclass(frozen=True, slots=True)
class SendProtected:
    """Send the caller's own request with ``patch`` applied; its body is never read here.

    Attributes:
        patch: What to add to the request (an empty patch sends it as it is).
    """

    patch: RequestPatch
    handler: ClassVar[str] = "send_protected"


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait, then send back ``None``.

    Attributes:
        seconds: How long to wait; finite and not negative.

    Raises:
        UsageError: ``seconds`` is negative, infinite or not a number.
    """

    seconds: float
    handler: ClassVar[str] = "sleep"

    def __post_init__(self) -> None:
        value = self.seconds
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UsageError(f"Sleep.seconds must be a number, not {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"Sleep.seconds must be finite and >= 0, not {value!r}")


@dataclass(frozen=True, slots=True)
class Exclusive:
    """Run ``flow`` while holding the lock for ``key``; send back its result.

    The driver's lock (a thread lock, an asyncio lock, later a file or Redis lock of a token
    store) is held around the sub-flow only, never around the caller's own request.

    Attributes:
        key: What the lock protects, such as one token.
        flow: The sub-flow.
        timeout: Seconds to wait for the lock before giving up with
            :class:`~oauthkit.LockTimeoutError`; ``None`` waits as long as it takes.
        shared: Also hold the token store's lock for ``key``, which spans processes (when
            the driver has a store).
        process: Hold the process's lock for ``key`` instead of the session's: for what every
            session of the process shares, such as an issuer's metadata and keys.
    """

    key: str
    flow: Flow[Any] = field(repr=False)
    timeout: float | None = None
    shared: bool = False
    process: bool = False
    handler: ClassVar[str] = "exclusive"


@dataclass(frozen=True, slots=True)
class TokenIssued:
    """A renewal issued a new token: hand it to the caller's ``token_updater``.

    Yielded once per new token, outside any lock, by the flow that renewed it.

    Attributes:
        token: The new token (an OAuth 2 :class:`~oauthkit.Token`).
    """

    token: Any = field(repr=False)
    handler: ClassVar[str] = "token_issued"


@dataclass(frozen=True, slots=True)
class LoadToken:
    """Read the record stored under ``key`` in the driver's token store.

    Sends back a :class:`~oauthkit.stores.StoredToken`, or ``None`` when there is none (or the
    driver has no store).
    """

    key: str
    handler: ClassVar[str] = "load_token"


@dataclass(frozen=True, slots=True)
class SaveToken:
    """Save ``token`` under ``key`` if the stored version is still ``version``.

    Sends back the new version (``None`` when the driver has no store); a save that finds a
    newer version raises :class:`~oauthkit.StoreConflictError` into the flow.

    Attributes:
        key: The token's key.
        token: The token dictionary (JSON-safe).
        version: The version the token was based on; ``None`` for a key not stored yet.
    """

    key: str
    token: Mapping[str, Any] = field(repr=False)
    version: int | None
    handler: ClassVar[str] = "save_token"


Step = SendRequest | SendProtected | Sleep | Exclusive | TokenIssued | LoadToken | SaveToken
"""Any step a flow may yield."""

Flow = Generator[Step, Any, T]
"""A generator of steps returning ``T``."""
