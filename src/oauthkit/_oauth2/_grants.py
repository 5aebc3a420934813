"""Token requests for every grant type, as neutral HTTP values.

Each grant is a small frozen value that knows its own parameters; :func:`build_token_request`
adds the parameters common to all grants, the client's authentication and the headers, and
returns an :class:`~oauthkit._http.HttpRequest` for a driver to send.

* authorization code: RFC 6749 §4.1.3, with the PKCE ``code_verifier`` of RFC 7636 §4.5
* refresh token: RFC 6749 §6
* client credentials: RFC 6749 §4.4
* resource owner password: RFC 6749 §4.3 (legacy, kept for migration)
* JWT bearer assertion: RFC 7523 §2.1
* token exchange: RFC 8693 §2.1
* device code: RFC 8628 §3.4
* any extension grant named by an absolute URI: RFC 6749 §4.5

Common parameters: ``resource`` (RFC 8707 §2, repeated), ``authorization_details``
(RFC 9396 §6, JSON) and extra parameters. Per RFC 6749 §3.2 no parameter is sent twice, except
those defined as repeatable (``resource``, ``audience``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol
from urllib.parse import urlsplit

from .._core._http import HttpRequest
from .._core._params import (
    AuthorizationDetails,
    Scope,
    encode_authorization_details,
    encode_scope,
    extra_params,
    merge_params,
    resource_params,
    strings,
)
from .._core._steps import Purpose
from .._errors import UsageError
from ._backchannel import build_form_request
from ._client_auth import ClientAuth

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import FormOptions

__all__ = [
    "TOKEN_TYPE_ACCESS_TOKEN",
    "AuthorizationCodeGrant",
    "ClientCredentialsGrant",
    "DeviceCodeGrant",
    "ExtensionGrant",
    "Grant",
    "JwtBearerGrant",
    "PasswordGrant",
    "RefreshTokenGrant",
    "TokenExchangeGrant",
    "build_token_request",
]

TOKEN_TYPE_ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"
_PKCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class Grant(Protocol):
    """A token request's grant: its ``grant_type`` and the parameters that go with it.

    Grants may also say why they are sent (``purpose``, a :class:`~oauthkit.Purpose`; default
    ``TOKEN``) and whether they carry a one-time credential (``one_time``; default ``True``,
    the safe answer: such a request is never re-sent once it may have reached the server).
    """

    @property
    def grant_type(self) -> str:
        """The ``grant_type`` value."""
        ...

    def params(self) -> list[tuple[str, str]]:
        """The body parameters, ``grant_type`` first."""
        ...


def _required(value: object, name: str, grant: str) -> None:
    if not isinstance(value, str) or not value:
        raise UsageError(f"the {grant} grant needs {name} (a non-empty string)")


def _optional(value: object, name: str) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise UsageError(f"{name} must be a non-empty string when given")


def _with_scope(params: list[tuple[str, str]], scope: Scope) -> list[tuple[str, str]]:
    encoded = encode_scope(scope)
    return [*params, ("scope", encoded)] if encoded else params


@dataclass(frozen=True, slots=True)
class AuthorizationCodeGrant:
    """Exchange an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5).

    Raises:
        UsageError: No ``code``; a ``code_verifier`` that is not 43-128 unreserved characters.
    """

    code: str = field(repr=False)
    redirect_uri: str | None = None
    code_verifier: str | None = field(default=None, repr=False)
    grant_type: ClassVar[str] = "authorization_code"
    purpose: ClassVar[Purpose] = Purpose.CODE_EXCHANGE
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _required(self.code, "code", self.grant_type)
        _optional(self.redirect_uri, "redirect_uri")
        verifier = self.code_verifier
        if verifier is not None and (
            not isinstance(verifier, str)
            or not 43 <= len(verifier) <= 128
            or not _PKCE_CHARS.issuperset(verifier)
        ):
            raise UsageError("code_verifier must be 43-128 unreserved characters (RFC 7636 §4.1)")

    def params(self) -> list[tuple[str, str]]:
        """``grant_type``, ``code``, then ``redirect_uri`` and ``code_verifier`` if set."""
        out = [("grant_type", self.grant_type), ("code", self.code)]
        if self.redirect_uri:
            out.append(("redirect_uri", self.redirect_uri))
        if self.code_verifier:
            out.append(("code_verifier", self.code_verifier))
        return out


@dataclass(frozen=True, slots=True)
class RefreshTokenGrant:
    """Refresh an access token (RFC 6749 §6); ``scope`` may only narrow the original.

    Raises:
        UsageError: No ``refresh_token``, or a malformed scope.
    """

    refresh_token: str = field(repr=False)
    scope: Scope = None
    grant_type: ClassVar[str] = "refresh_token"
    purpose: ClassVar[Purpose] = Purpose.REFRESH
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _required(self.refresh_token, "refresh_token", self.grant_type)
        encode_scope(self.scope)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type``, ``refresh_token`` and ``scope`` if set."""
        base = [("grant_type", self.grant_type), ("refresh_token", self.refresh_token)]
        return _with_scope(base, self.scope)


@dataclass(frozen=True, slots=True)
class ClientCredentialsGrant:
    """A token for the client itself (RFC 6749 §4.4).

    Raises:
        UsageError: A malformed scope.
    """

    scope: Scope = None
    grant_type: ClassVar[str] = "client_credentials"
    purpose: ClassVar[Purpose] = Purpose.TOKEN
    one_time: ClassVar[bool] = False

    def __post_init__(self) -> None:
        encode_scope(self.scope)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` and ``scope`` if set."""
        return _with_scope([("grant_type", self.grant_type)], self.scope)


@dataclass(frozen=True, slots=True)
class PasswordGrant:
    """The resource owner password credentials grant (RFC 6749 §4.3).

    OAuth 2.1 drops it; it is here for code migrating from it.

    Raises:
        UsageError: No ``username`` or ``password``, or a malformed scope.
    """

    username: str
    password: str = field(repr=False)
    scope: Scope = None
    grant_type: ClassVar[str] = "password"
    purpose: ClassVar[Purpose] = Purpose.TOKEN
    one_time: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _required(self.username, "username", self.grant_type)
        _required(self.password, "password", self.grant_type)
        encode_scope(self.scope)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type``, ``username``, ``password`` and ``scope`` if set."""
        base = [
            ("grant_type", self.grant_type),
            ("username", self.username),
            ("password", self.password),
        ]
        return _with_scope(base, self.scope)


@dataclass(frozen=True, slots=True)
class JwtBearerGrant:
    """A JWT used as an authorization grant (RFC 7523 §2.1).

    Raises:
        UsageError: No ``assertion``, or a malformed scope.
    """

    assertion: str = field(repr=False)
    scope: Scope = None
    grant_type: ClassVar[str] = "urn:ietf:params:oauth:grant-type:jwt-bearer"
    purpose: ClassVar[Purpose] = Purpose.TOKEN
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _required(self.assertion, "assertion", "JWT bearer")
        encode_scope(self.scope)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type``, ``assertion`` and ``scope`` if set."""
        base = [("grant_type", self.grant_type), ("assertion", self.assertion)]
        return _with_scope(base, self.scope)


@dataclass(frozen=True, slots=True)
class TokenExchangeGrant:
    """OAuth 2.0 Token Exchange (RFC 8693 §2.1).

    Args:
        subject_token: The token that represents the party on whose behalf we ask.
        subject_token_type: Its type URI; defaults to an access token.
        actor_token: The token of the acting party, for delegation.
        actor_token_type: Its type URI; required with ``actor_token`` and only with it.
        requested_token_type: The type URI of the token wanted.
        audience: Logical names of the target services (repeatable).
        resource: Absolute URIs of the target services (repeatable, RFC 8707).
        scope: The scope wanted.

    Raises:
        UsageError: A missing ``subject_token``; ``actor_token`` and ``actor_token_type``
            not given together; a malformed resource or scope.
    """

    subject_token: str = field(repr=False)
    subject_token_type: str = TOKEN_TYPE_ACCESS_TOKEN
    actor_token: str | None = field(default=None, repr=False)
    actor_token_type: str | None = None
    requested_token_type: str | None = None
    audience: str | Sequence[str] | None = None
    resource: str | Sequence[str] | None = None
    scope: Scope = None
    grant_type: ClassVar[str] = "urn:ietf:params:oauth:grant-type:token-exchange"
    purpose: ClassVar[Purpose] = Purpose.TOKEN
    one_time: ClassVar[bool] = False

    def __post_init__(self) -> None:
        _required(self.subject_token, "subject_token", "token exchange")
        _required(self.subject_token_type, "subject_token_type", "token exchange")
        _optional(self.actor_token, "actor_token")
        _optional(self.actor_token_type, "actor_token_type")
        _optional(self.requested_token_type, "requested_token_type")
        if (self.actor_token is None) != (self.actor_token_type is None):
            raise UsageError(
                "actor_token_type is required with actor_token, and only with it (RFC 8693 §2.1)"
            )
        for name in strings(self.audience):
            _required(name, "audience values", "token exchange")
        resource_params(self.resource)
        encode_scope(self.scope)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` and every token exchange parameter that is set."""
        out = [
            ("grant_type", self.grant_type),
            ("subject_token", self.subject_token),
            ("subject_token_type", self.subject_token_type),
        ]
        if self.actor_token and self.actor_token_type:
            out += [("actor_token", self.actor_token), ("actor_token_type", self.actor_token_type)]
        if self.requested_token_type:
            out.append(("requested_token_type", self.requested_token_type))
        out += [("audience", name) for name in strings(self.audience)]
        out += resource_params(self.resource)
        return _with_scope(out, self.scope)


@dataclass(frozen=True, slots=True)
class DeviceCodeGrant:
    """Poll for the token of a device authorization (RFC 8628 §3.4).

    Raises:
        UsageError: No ``device_code``.
    """

    device_code: str = field(repr=False)
    grant_type: ClassVar[str] = "urn:ietf:params:oauth:grant-type:device_code"
    purpose: ClassVar[Purpose] = Purpose.DEVICE_POLL
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _required(self.device_code, "device_code", "device code")

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` and ``device_code``."""
        return [("grant_type", self.grant_type), ("device_code", self.device_code)]


@dataclass(frozen=True, slots=True)
class ExtensionGrant:
    """Any other grant, named by an absolute URI (RFC 6749 §4.5).

    Args:
        grant_type: The grant's URI, e.g. ``urn:ietf:params:oauth:grant-type:saml2-bearer``.
        parameters: Its parameters, as a mapping or a sequence of pairs.

    Raises:
        UsageError: ``grant_type`` is not an absolute URI, or a parameter is reserved or not
            a string.
    """

    grant_type: str
    parameters: Mapping[str, object] | Sequence[tuple[str, object]] = field(default=(), repr=False)
    purpose: ClassVar[Purpose] = Purpose.TOKEN
    one_time: ClassVar[bool] = True

    def __post_init__(self) -> None:
        _required(self.grant_type, "grant_type", "extension")
        if ":" not in self.grant_type or not urlsplit(self.grant_type).scheme:
            raise UsageError("an extension grant_type must be an absolute URI (RFC 6749 §4.5)")
        extra_params(self.parameters)

    def params(self) -> list[tuple[str, str]]:
        """``grant_type`` followed by the parameters."""
        return [("grant_type", self.grant_type), *extra_params(self.parameters)]


def build_token_request(
    endpoint: str,
    grant: Grant,
    auth: ClientAuth,
    *,
    resource: str | Sequence[str] | None = None,
    authorization_details: AuthorizationDetails = None,
    **options: Unpack[FormOptions],
) -> HttpRequest:
    """Build a token request (RFC 6749 §3.2) for any grant.

    Args:
        endpoint: The token endpoint URL.
        grant: One of the grant values of this module, or any object with ``grant_type`` and
            ``params()``.
        auth: How the client authenticates (:mod:`oauthkit._client_auth`).
        resource: Target resource URIs (RFC 8707 §2), one parameter each.
        authorization_details: Rich authorization requests (RFC 9396 §6).
        **options: The keywords of every back-channel form:

            - ``now`` (required): the current time in seconds since the epoch, for JWT
              client assertions;
            - ``extra``: extra body parameters; ``None`` values are dropped;
            - ``headers``: extra headers, e.g. ``DPoP``;
            - ``allow_insecure_transport``: permit plain http to non-loopback hosts (all, or
              these).

    Returns:
        The POST request to send.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: ``grant`` is not a grant; a malformed resource or authorization details;
            a parameter given twice; a reserved extra parameter; a non-form ``Content-Type``;
            client credentials already present.
    """
    make_params = getattr(grant, "params", None)
    params = make_params() if callable(make_params) else None
    if not params or params[0][0] != "grant_type":
        raise UsageError("grant must be a grant value whose params() start with grant_type")
    params = merge_params(params, resource_params(resource))
    details = encode_authorization_details(authorization_details)
    if details is not None:
        params = merge_params(params, [("authorization_details", details)])
    return build_form_request(endpoint, params, auth, **options)
