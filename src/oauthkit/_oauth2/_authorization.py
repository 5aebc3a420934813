"""The front channel of the authorization code flow: the authorization request URL.

* :func:`build_authorization_url` makes the authorization request of RFC 6749 §4.1.1, with
  ``state`` against CSRF (§10.12), PKCE S256 by default (RFC 7636 §4.3), an OpenID Connect
  ``nonce`` when ``openid`` is requested (OIDC Core 1.0 §3.1.2.1), resource indicators
  (RFC 8707 §2) and rich authorization requests (RFC 9396 §2). It returns the URL and a
  :class:`FlowState` holding the secrets the client must keep until the callback.
* the callback that comes back is read by :mod:`oauthkit._callback`.

Nothing here performs I/O or reads the clock; ``state``, the PKCE verifier and the nonce come
from injectable factories backed by :mod:`secrets`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import SplitResult, parse_qsl, urlsplit, urlunsplit

from .._core._encoding import percent_encode
from .._core._params import (
    AuthorizationDetails,
    ExtraParams,
    encode_authorization_details,
    extra_params,
    merge_params,
    resource_params,
    scope_tokens,
)
from .._core._random import generate_nonce, generate_state
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import (
    OAuthError,
    UsageError,
)
from ._backchannel import transport_policy
from ._pkce import PKCE_METHODS, code_challenge, generate_code_verifier

__all__ = [
    "FlowState",
    "authorization_endpoint_url",
    "authorization_params",
    "build_authorization_url",
]

_OPTIONAL_STR_FIELDS = ("code_verifier", "nonce", "redirect_uri", "issuer")


@dataclass(frozen=True, slots=True, repr=False)
class FlowState:
    """What the client keeps between the authorization request and the callback.

    Store it server-side (or in an encrypted session) keyed to the user agent; it is JSON-safe
    through :meth:`to_dict` / :meth:`from_dict`.

    Attributes:
        state: The ``state`` sent; the callback must return it (RFC 6749 §10.12).
        code_verifier: The PKCE verifier for the token request (RFC 7636 §4.5), if PKCE is on.
        nonce: The OpenID Connect nonce the ID Token must carry (OIDC Core §3.1.3.7).
        redirect_uri: The ``redirect_uri`` sent, which the token request must repeat (§4.1.3).
        issuer: The authorization server's issuer identifier, to check ``iss`` (RFC 9207).
        scope: The requested scope tokens, to detect a changed grant (RFC 6749 §3.3).
        created_at: When the request was built, if the caller passed ``now``.
    """

    state: str
    code_verifier: str | None = None
    nonce: str | None = None
    redirect_uri: str | None = None
    issuer: str | None = None
    scope: tuple[str, ...] | None = None
    created_at: float | None = None

    def __post_init__(self) -> None:
        """Validate the field types.

        Raises:
            UsageError: ``state`` is not a non-empty string, another field has the wrong type.
        """
        if not isinstance(self.state, str) or not self.state:
            raise UsageError("FlowState.state must be a non-empty string")
        for name in _OPTIONAL_STR_FIELDS:
            _check_optional_text(name, getattr(self, name))
        object.__setattr__(self, "scope", scope_tokens(self.scope))
        _check_created_at(self.created_at)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dictionary of every field (``scope`` as a list)."""
        data = {item.name: getattr(self, item.name) for item in fields(self)}
        data["scope"] = None if self.scope is None else list(self.scope)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FlowState:
        """Read what :meth:`to_dict` wrote; unknown keys are ignored.

        Raises:
            UsageError: ``data`` is not a mapping, lacks ``state``, or has a field of the
                wrong type.
        """
        if not isinstance(data, Mapping):
            raise UsageError("a FlowState dictionary must be a mapping")
        values: dict[str, Any] = {item.name: data.get(item.name) for item in fields(cls)}
        return cls(**values)

    def __repr__(self) -> str:
        verifier = None if self.code_verifier is None else "'***'"
        return (
            f"FlowState(state={self.state!r}, code_verifier={verifier}, nonce={self.nonce!r}, "
            f"redirect_uri={self.redirect_uri!r}, issuer={self.issuer!r}, scope={self.scope!r}, "
            f"created_at={self.created_at!r})"
        )


def build_authorization_url(
    endpoint: str,
    *,
    client_id: str,
    redirect_uri: str | None = None,
    scope: str | Sequence[str] | None = None,
    state: str | None = None,
    pkce: str | None = "S256",
    nonce: str | None = None,
    resource: str | Sequence[str] | None = None,
    authorization_details: AuthorizationDetails = None,
    response_type: str = "code",
    extra: ExtraParams = None,
    issuer: str | None = None,
    now: float | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
    state_factory: Callable[[], str] = generate_state,
    verifier_factory: Callable[[], str] = generate_code_verifier,
    nonce_factory: Callable[[], str] = generate_nonce,
) -> tuple[str, FlowState]:
    """Build the authorization request URL (RFC 6749 §4.1.1) and the state to keep.

    Args:
        endpoint: The authorization endpoint. An existing query is kept (§3.1).
        client_id: The client identifier (§2.2).
        redirect_uri: Where the server sends the user back (§3.1.2); absolute, no fragment.
        scope: Space-delimited string or sequence of scope tokens (§3.3).
        state: The ``state`` to send; a fresh one from ``state_factory`` when ``None``.
        pkce: ``"S256"`` (default), ``"plain"`` (only if the server supports nothing else) or
            ``None`` to send no challenge (RFC 7636 §4.2).
        nonce: The OpenID Connect nonce; one is generated when ``scope`` contains ``openid``.
        resource: One or more target resource URIs, each sent as its own ``resource``
            parameter (RFC 8707 §2).
        authorization_details: RFC 9396 objects, each with a ``type``; sent as JSON.
        response_type: ``code`` unless a hybrid or implicit flow is wanted (§3.1.1).
        extra: Further parameters (``prompt``, ``login_hint``, ``audience``...). They may not
            repeat a parameter set above (§3.1).
        issuer: The server's issuer identifier, kept for the RFC 9207 check of the callback.
        now: The current time, recorded as :attr:`FlowState.created_at`.
        allow_insecure_transport: Allow plain http to non-loopback endpoints (all, or these).
        state_factory: Source of ``state``.
        verifier_factory: Source of the PKCE ``code_verifier``.
        nonce_factory: Source of ``nonce``.

    Returns:
        The URL to send the user agent to, and the :class:`FlowState` for the callback and the
        token request.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: A malformed argument: no ``client_id``, an endpoint with a fragment or not
            absolute, a relative ``redirect_uri`` or ``resource``, an unknown PKCE method, an
            authorization detail without ``type`` or not JSON-serializable, or a parameter
            given twice.
    """
    parts = _endpoint_parts(endpoint, allow_insecure_transport)
    params, flow = authorization_params(
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        pkce=pkce,
        nonce=nonce,
        resource=resource,
        authorization_details=authorization_details,
        response_type=response_type,
        extra=extra,
        issuer=issuer,
        now=now,
        state_factory=state_factory,
        verifier_factory=verifier_factory,
        nonce_factory=nonce_factory,
    )
    return _compose(endpoint, parts, params), flow


def authorization_params(
    *,
    client_id: str,
    redirect_uri: str | None = None,
    scope: str | Sequence[str] | None = None,
    state: str | None = None,
    pkce: str | None = "S256",
    nonce: str | None = None,
    resource: str | Sequence[str] | None = None,
    authorization_details: AuthorizationDetails = None,
    response_type: str = "code",
    extra: ExtraParams = None,
    issuer: str | None = None,
    now: float | None = None,
    state_factory: Callable[[], str] = generate_state,
    verifier_factory: Callable[[], str] = generate_code_verifier,
    nonce_factory: Callable[[], str] = generate_nonce,
) -> tuple[list[tuple[str, str]], FlowState]:
    """The parameters of an authorization request (RFC 6749 §4.1.1), and the state to keep.

    :func:`build_authorization_url` puts them in the URL; a pushed authorization request
    (RFC 9126 §2.1) sends them in its body, and a request object (RFC 9101 §4) carries them as
    claims. The arguments are those of :func:`build_authorization_url`.

    Raises:
        UsageError: See :func:`build_authorization_url`.
    """
    _require_text("client_id", client_id)
    _require_text("response_type", response_type)
    if redirect_uri is not None:
        _require_absolute("redirect_uri", redirect_uri)
    scopes = scope_tokens(scope)
    params: list[tuple[str, str]] = [("response_type", response_type), ("client_id", client_id)]
    if redirect_uri is not None:
        params.append(("redirect_uri", redirect_uri))
    if scopes:
        params.append(("scope", " ".join(scopes)))
    state = state_factory() if state is None else state
    _require_text("state", state)
    params.append(("state", state))
    verifier = None
    if pkce is not None:
        if pkce not in PKCE_METHODS:
            raise UsageError(f"unknown PKCE method {pkce!r}: use 'S256', 'plain' or None")
        verifier = verifier_factory()
        params += [("code_challenge", code_challenge(verifier, pkce))]
        params += [("code_challenge_method", pkce)]
    if nonce is None and scopes is not None and "openid" in scopes:
        nonce = nonce_factory()
    if nonce is not None:
        _require_text("nonce", nonce)
        params.append(("nonce", nonce))
    params = merge_params(params, resource_params(resource))
    details = encode_authorization_details(authorization_details)
    if details is not None:
        params = merge_params(params, [("authorization_details", details)])
    params = merge_params(params, extra_params(extra))
    flow = FlowState(
        state=state,
        code_verifier=verifier,
        nonce=nonce,
        redirect_uri=redirect_uri,
        issuer=issuer,
        scope=scopes,
        created_at=now,
    )
    return params, flow


def authorization_endpoint_url(
    endpoint: str,
    params: Sequence[tuple[str, str]],
    *,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> str:
    """``endpoint`` with ``params`` added to its query (RFC 6749 §3.1): the front-channel URL of
    a pushed request (``client_id`` and ``request_uri``, RFC 9126 §4) or of a request object
    passed by value (``client_id`` and ``request``, RFC 9101 §5).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: ``endpoint`` is not absolute, has a fragment, or already carries one of
            ``params``.
    """
    parts = _endpoint_parts(endpoint, allow_insecure_transport)
    return _compose(endpoint, parts, params)


def _endpoint_parts(
    endpoint: str, allow_insecure_transport: InsecureAllowance | TransportPolicy
) -> SplitResult:
    _require_text("endpoint", endpoint)
    parts = _split(endpoint, UsageError, "the authorization endpoint")
    transport_policy(allow_insecure_transport).check(endpoint)
    if parts.fragment or endpoint.endswith("#"):
        raise UsageError("the authorization endpoint must not have a fragment (RFC 6749 §3.1)")
    return parts


def _compose(endpoint: str, parts: SplitResult, params: Sequence[tuple[str, str]]) -> str:
    if parts.query:
        existing = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
        repeated = existing & {name for name, _ in params}
        if repeated:
            raise UsageError(
                f"the endpoint URL already carries {sorted(repeated)!r}; parameters must not be "
                "repeated (RFC 6749 §3.1)"
            )
    query = _encode_query(params)
    if not parts.query and f"{parts.scheme}://{parts.netloc}{parts.path}" == endpoint:
        return f"{endpoint}?{query}"  # what urlunsplit would build, without rebuilding it
    return urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))


def _check_optional_text(name: str, value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value):
        raise UsageError(f"FlowState.{name} must be a non-empty string or None")


def _check_created_at(created: object) -> None:
    if created is not None and (
        isinstance(created, bool)
        or not isinstance(created, (int, float))
        or not math.isfinite(created)
    ):
        raise UsageError("FlowState.created_at must be a finite number or None")


def _encode_query(params: Sequence[tuple[str, str]]) -> str:
    """``urlencode(params, quote_via=quote, safe="")`` through the fast :func:`percent_encode`."""
    return "&".join([f"{percent_encode(name)}={percent_encode(value)}" for name, value in params])


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{name} must be a non-empty string")
    return value


def _require_absolute(name: str, value: object) -> None:
    uri = _require_text(name, value)
    if not _split(uri, UsageError, name).scheme or "#" in uri:
        raise UsageError(f"{name} must be an absolute URI without a fragment: {uri!r}")


def _split(url: str, error: type[OAuthError], what: str = "URL") -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL" and other unparsable hosts
        raise error(f"{what} is not a valid URL") from None  # it may carry a code: not echoed
