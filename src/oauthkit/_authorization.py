"""The front channel of the authorization code flow: the request URL and the callback.

* :func:`build_authorization_url` makes the authorization request of RFC 6749 §4.1.1, with
  ``state`` against CSRF (§10.12), PKCE S256 by default (RFC 7636 §4.3), an OpenID Connect
  ``nonce`` when ``openid`` is requested (OIDC Core 1.0 §3.1.2.1), resource indicators
  (RFC 8707 §2) and rich authorization requests (RFC 9396 §2). It returns the URL and a
  :class:`FlowState` holding the secrets the client must keep until the callback.
* :func:`parse_authorization_callback` reads the redirect back (§4.1.2): a callback URL, with
  the response in its query or (implicit, hybrid) its fragment, or a ``form_post`` body. It
  checks ``state`` in constant time before believing anything else, then the RFC 9207 ``iss``
  parameter, then reports an error response (§4.1.2.1) as :class:`AuthorizationError`.

Nothing here performs I/O or reads the clock; ``state``, the PKCE verifier and the nonce come
from injectable factories backed by :mod:`secrets`.
"""

from __future__ import annotations

import hmac
import json
import math
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any
from urllib.parse import SplitResult, parse_qsl, quote, urlencode, urlsplit, urlunsplit

from ._errors import (
    AuthorizationError,
    CallbackError,
    IssuerMismatchError,
    OAuthError,
    StateMismatchError,
    UsageError,
)
from ._http import check_transport
from ._pkce import PKCE_METHODS, code_challenge, generate_code_verifier
from ._token import normalize_scope

__all__ = [
    "AuthorizationCallback",
    "FlowState",
    "build_authorization_url",
    "generate_nonce",
    "generate_state",
    "parse_authorization_callback",
]

_OPTIONAL_STR_FIELDS = ("code_verifier", "nonce", "redirect_uri", "issuer")


def generate_state() -> str:
    """A fresh ``state`` value: 256 bits from :mod:`secrets`, base64url (RFC 6749 §10.10)."""
    return secrets.token_urlsafe(32)


def generate_nonce() -> str:
    """A fresh OpenID Connect ``nonce``: 256 bits from :mod:`secrets` (OIDC Core §15.5.2)."""
    return secrets.token_urlsafe(32)


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
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise UsageError(f"FlowState.{name} must be a non-empty string or None")
        object.__setattr__(self, "scope", normalize_scope(self.scope))
        created: object = self.created_at
        if created is not None and (
            isinstance(created, bool)
            or not isinstance(created, (int, float))
            or not math.isfinite(created)
        ):
            raise UsageError("FlowState.created_at must be a finite number or None")

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
    authorization_details: Sequence[Mapping[str, Any]] | None = None,
    response_type: str = "code",
    extra: Mapping[str, str] | None = None,
    issuer: str | None = None,
    now: float | None = None,
    allow_insecure_transport: bool = False,
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
        allow_insecure_transport: Allow plain http to a non-loopback endpoint.
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
    _require_text("endpoint", endpoint)
    parts = _split(endpoint, UsageError, "the authorization endpoint")
    check_transport(endpoint, allow_insecure=allow_insecure_transport)
    if parts.fragment or endpoint.endswith("#"):
        raise UsageError("the authorization endpoint must not have a fragment (RFC 6749 §3.1)")
    _require_text("client_id", client_id)
    _require_text("response_type", response_type)
    if redirect_uri is not None:
        _require_absolute("redirect_uri", redirect_uri)
    scopes = normalize_scope(scope)
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
    params += [("resource", uri) for uri in _resources(resource)]
    if authorization_details is not None:
        params.append(("authorization_details", _details_json(authorization_details)))
    params += _extra_params(extra, {name for name, _ in params})
    existing = {name for name, _ in parse_qsl(parts.query, keep_blank_values=True)}
    repeated = existing & {name for name, _ in params}
    if repeated:
        raise UsageError(
            f"the endpoint URL already carries {sorted(repeated)!r}; parameters must not be "
            "repeated (RFC 6749 §3.1)"
        )
    query = urlencode(params, quote_via=quote, safe="")
    url = urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))
    flow = FlowState(
        state=state,
        code_verifier=verifier,
        nonce=nonce,
        redirect_uri=redirect_uri,
        issuer=issuer,
        scope=scopes,
        created_at=now,
    )
    return url, flow


def _require_text(name: str, value: object) -> str:
    if not isinstance(value, str) or not value:
        raise UsageError(f"{name} must be a non-empty string")
    return value


def _require_absolute(name: str, value: object) -> None:
    uri = _require_text(name, value)
    if not _split(uri, UsageError, name).scheme or "#" in uri:
        raise UsageError(f"{name} must be an absolute URI without a fragment: {uri!r}")


def _resources(resource: str | Sequence[str] | None) -> list[str]:
    if resource is None:
        return []
    if not isinstance(resource, (str, Sequence)):
        raise UsageError("resource must be a URI or a sequence of URIs (RFC 8707 §2)")
    uris = [resource] if isinstance(resource, str) else list(resource)
    for uri in uris:
        # RFC 8707 §2: an absolute URI, with no fragment.
        _require_absolute("resource", uri)
    return uris


def _details_json(details: Sequence[Mapping[str, Any]]) -> str:
    if isinstance(details, (str, bytes, Mapping)) or not isinstance(details, Sequence):
        raise UsageError("authorization_details must be a list of objects (RFC 9396 §2)")
    for detail in details:
        if not isinstance(detail, Mapping) or not isinstance(detail.get("type"), str):
            raise UsageError("each authorization_details object needs a string 'type'")
    try:
        return json.dumps([dict(detail) for detail in details], separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise UsageError(f"authorization_details is not JSON-serializable: {exc}") from None


def _extra_params(extra: Mapping[str, str] | None, taken: set[str]) -> list[tuple[str, str]]:
    if extra is None:
        return []
    if not isinstance(extra, Mapping):
        raise UsageError("extra must be a mapping of parameter names to strings")
    pairs = []
    for name, value in extra.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise UsageError("extra must map parameter names to strings")
        if name in taken:
            raise UsageError(f"parameter {name!r} is set by its own argument; not via extra")
        pairs.append((name, value))
    return pairs


@dataclass(frozen=True, slots=True, repr=False)
class AuthorizationCallback:
    """A checked authorization response (RFC 6749 §4.1.2).

    Attributes:
        code: The authorization code, or ``None`` in an implicit response.
        state: The ``state`` returned.
        iss: The RFC 9207 issuer identifier, if the server sent one.
        params: Every parameter of the response, read-only (``access_token`` and
            ``id_token`` of implicit and hybrid responses are here).
    """

    code: str | None
    state: str | None
    iss: str | None
    params: Mapping[str, str] = field(default_factory=dict, hash=False)

    def __repr__(self) -> str:
        code = None if self.code is None else "'***'"
        return (
            f"AuthorizationCallback(code={code}, state={self.state!r}, iss={self.iss!r}, "
            f"param_names={sorted(self.params)!r})"
        )


def parse_authorization_callback(
    response: str | bytes | Mapping[str, str],
    flow: FlowState | None = None,
    *,
    expected_state: str | None = None,
    issuer: str | None = None,
    iss_required: bool = False,
) -> AuthorizationCallback:
    """Check the authorization response the user agent brought back (RFC 6749 §4.1.2).

    The checks run in the order that keeps a forged response from being acted on: ``state``
    first (§10.12; compared with :func:`hmac.compare_digest`), then ``iss`` (RFC 9207 §2.4),
    and only then an ``error`` (§4.1.2.1), which an attacker could otherwise inject.

    Args:
        response: The full callback URL (query, or fragment for implicit and hybrid flows), a
            relative ``/path?query``, a raw query or ``form_post`` body (``str`` or ``bytes``),
            or the already-parsed parameters.
        flow: The :class:`FlowState` from :func:`build_authorization_url`; supplies the
            expected ``state`` and issuer.
        expected_state: The expected ``state``, overriding ``flow.state``. With neither, no
            state check is made: the caller takes that responsibility.
        issuer: The expected issuer, overriding ``flow.issuer``. When known, a present ``iss``
            must equal it exactly.
        iss_required: The server's metadata has ``authorization_response_iss_parameter_supported``
            (RFC 9207 §3), so a response without ``iss`` is refused.

    Returns:
        The callback, with ``code`` (or the implicit-flow tokens in ``params``).

    Raises:
        StateMismatchError: ``state`` is missing or differs from the expected one.
        IssuerMismatchError: ``iss`` differs from the expected issuer, or is absent while
            required.
        AuthorizationError: The server answered with an ``error`` (``access_denied``...).
        CallbackError: The response cannot be parsed (not UTF-8, a repeated parameter, a
            non-string value) or carries neither ``code`` nor a token.
        UsageError: ``iss_required`` without a known issuer, or an argument of the wrong type
            (``response``, ``flow``, ``expected_state``).
    """
    if flow is not None and not isinstance(flow, FlowState):
        raise UsageError("flow must be the FlowState from build_authorization_url (or None)")
    params = _callback_params(response)
    if expected_state is None and flow is not None:
        expected_state = flow.state
    if issuer is None and flow is not None:
        issuer = flow.issuer
    if iss_required and issuer is None:
        raise UsageError("iss_required needs the expected issuer (issuer= or flow.issuer)")

    state = params.get("state") or None
    if expected_state is not None:
        _require_text("expected_state", expected_state)
        if state is None:
            raise StateMismatchError("authorization callback has no state; refusing it")
        if not hmac.compare_digest(_utf8(state), _utf8(expected_state)):
            raise StateMismatchError(
                "authorization callback state differs from the one sent; refusing it"
            )

    iss = params.get("iss")
    if iss is not None and issuer is not None and iss != issuer:
        raise IssuerMismatchError(
            f"authorization callback comes from issuer {iss[:200]!r}, expected {issuer!r} "
            "(RFC 9207); possible mix-up attack"
        )
    if iss is None and iss_required:
        raise IssuerMismatchError("authorization callback has no iss, which the server promised")

    error = params.get("error")
    if error:
        raise AuthorizationError(error, params.get("error_description"), params.get("error_uri"))
    code = params.get("code") or None
    if code is None and not params.get("access_token") and not params.get("id_token"):
        raise CallbackError("authorization callback has neither code nor error")
    return AuthorizationCallback(code=code, state=state, iss=iss, params=MappingProxyType(params))


def _split(url: str, error: type[OAuthError], what: str = "URL") -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # "Invalid IPv6 URL" and other unparsable hosts
        raise error(f"{what} is not a valid URL") from None  # it may carry a code: not echoed


def _utf8(text: str) -> bytes:
    # compare_digest takes ASCII-only str; bytes work for any text, lone surrogates included.
    return text.encode("utf-8", "surrogatepass")


def _callback_params(response: object) -> dict[str, str]:
    if isinstance(response, Mapping):
        return _collect(response.items())
    if isinstance(response, (bytes, bytearray)):
        try:
            response = bytes(response).decode("utf-8")
        except UnicodeDecodeError:
            raise CallbackError("authorization response body is not UTF-8") from None
    if not isinstance(response, str):
        raise UsageError("the callback must be a URL, a form body or a mapping of parameters")
    text = response.strip()
    if "://" not in text and not text.startswith(("?", "#", "/")):
        return _collect(parse_qsl(text, keep_blank_values=True))  # a form_post body
    parts = _split(text, CallbackError, "the authorization callback")
    # Implicit and hybrid responses come in the fragment (RFC 6749 §4.2.2, OAuth 2.0
    # Multiple Response Type Encoding Practices §2.1).
    fragment = parse_qsl(parts.fragment, keep_blank_values=True)
    return _collect([*parse_qsl(parts.query, keep_blank_values=True), *fragment])


def _collect(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, raw in pairs:
        if not isinstance(name, str):
            raise CallbackError("authorization response parameter names must be strings")
        if name in params:
            # RFC 6749 §3.1: parameters must not be repeated; a second state or code is how
            # parameter-pollution attacks look.
            raise CallbackError(f"authorization response repeats parameter {name[:50]!r}")
        # Frameworks hand over parse_qs-style lists; one value is fine, several are not.
        value = raw[0] if isinstance(raw, (list, tuple)) and len(raw) == 1 else raw
        if not isinstance(value, str):
            raise CallbackError(f"authorization response parameter {name[:50]!r} is not a string")
        params[name] = value
    return params
