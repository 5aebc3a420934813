"""Authorization server metadata (RFC 8414) and OpenID Provider metadata (OIDC Discovery 1.0).

:func:`metadata_url` says where an issuer publishes its metadata; :func:`parse_server_metadata`
reads the document into a frozen :class:`ServerMetadata`, after the checks that keep a client
from being pointed elsewhere: the document's ``issuer`` must equal the configured one exactly
(RFC 8414 §3.3, OIDC Discovery §4.3: a mix-up defence), and every endpoint must be an absolute
URL that the client's transport policy allows, so no URL is ever built from a document that
fails them. Fetching, caching and refreshing the document are the discovery flow's (issue #9).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

from .._core._http import HttpResponse
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import InsecureTransportError, IssuerMismatchError, UsageError
from ._backchannel import malformed, read_answer, transport_policy

__all__ = ["OPENID", "RFC8414", "ServerMetadata", "metadata_url", "parse_server_metadata"]

OPENID = "openid-configuration"
"""OIDC Discovery 1.0 §4: ``{issuer}/.well-known/openid-configuration``."""
RFC8414 = "oauth-authorization-server"
"""RFC 8414 §3: ``https://host/.well-known/oauth-authorization-server{path}``."""

_ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "registration_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "device_authorization_endpoint",
    "pushed_authorization_request_endpoint",
    "end_session_endpoint",
    "backchannel_authentication_endpoint",
)
# RFC 8705 §5: the endpoints a client reaches with its certificate; the authorization and
# end-session endpoints are the browser's, and jwks_uri needs no client authentication.
_MTLS_ALIASED = frozenset(
    {
        "token_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "pushed_authorization_request_endpoint",
        "userinfo_endpoint",
        "device_authorization_endpoint",
        "backchannel_authentication_endpoint",
    }
)
_LISTS = (
    "scopes_supported",
    "response_types_supported",
    "response_modes_supported",
    "grant_types_supported",
    "code_challenge_methods_supported",
    "token_endpoint_auth_methods_supported",
    "id_token_signing_alg_values_supported",
    "dpop_signing_alg_values_supported",
    "authorization_signing_alg_values_supported",
    "introspection_signing_alg_values_supported",
    "backchannel_token_delivery_modes_supported",
    "request_object_signing_alg_values_supported",
    "request_object_encryption_alg_values_supported",
    "request_object_encryption_enc_values_supported",
    "authorization_details_types_supported",
)
_FLAGS = (
    "authorization_response_iss_parameter_supported",
    "require_pushed_authorization_requests",
)


def metadata_url(issuer: str, kind: str = OPENID) -> str:
    """Where ``issuer`` publishes its metadata.

    OpenID Connect appends the well-known path to the issuer (``/tenant`` becomes
    ``/tenant/.well-known/openid-configuration``); RFC 8414 inserts it between the host and the
    path (``/.well-known/oauth-authorization-server/tenant``).

    Raises:
        UsageError: ``issuer`` is not an https (or http) URL without query and fragment, or
            ``kind`` is neither :data:`OPENID` nor :data:`RFC8414`.
    """
    parts = _issuer_parts(issuer)
    path = parts.path.rstrip("/")
    if kind == OPENID:
        return urlunsplit(parts._replace(path=f"{path}/.well-known/{OPENID}"))
    if kind == RFC8414:
        return urlunsplit(parts._replace(path=f"/.well-known/{RFC8414}{path}"))
    raise UsageError(f"kind must be {OPENID!r} or {RFC8414!r}, not {kind!r}")


def _issuer_parts(issuer: object) -> SplitResult:
    if not isinstance(issuer, str) or not issuer:
        raise UsageError("the issuer must be a non-empty URL")
    try:
        parts = urlsplit(issuer)
    except ValueError:
        raise UsageError("the issuer is not a valid URL") from None
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise UsageError("the issuer must be an absolute https URL (RFC 8414 §2)")
    if parts.query or parts.fragment or "#" in issuer or "?" in issuer:
        raise UsageError("the issuer must have no query or fragment (RFC 8414 §2)")
    return parts


@dataclass(frozen=True, slots=True)
class ServerMetadata:
    """What an authorization server says about itself, checked (RFC 8414 §2, OIDC Discovery §3).

    Attributes:
        issuer: The issuer, equal to the one the client was configured with.
        endpoints: Each endpoint the document names (``token_endpoint``, ``jwks_uri``...).
        supported: Each ``*_supported`` list the document names, as a tuple of strings.
        authorization_response_iss_parameter_supported: RFC 9207 §3: callbacks carry ``iss``.
        require_pushed_authorization_requests: RFC 9126 §5: authorization requests must be
            pushed.
        mtls_endpoint_aliases: RFC 8705 §5, kept for mutual-TLS clients.
        document: Every member of the document, read-only.
    """

    issuer: str
    endpoints: Mapping[str, str] = field(default_factory=dict)
    supported: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    authorization_response_iss_parameter_supported: bool = False
    require_pushed_authorization_requests: bool = False
    mtls_endpoint_aliases: Mapping[str, str] = field(default_factory=dict)
    document: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def endpoint(self, name: str, *, mtls: bool = False) -> str | None:
        """The URL of endpoint ``name`` (``"token_endpoint"``...), or ``None`` if not named.

        With ``mtls`` (the client presents a TLS certificate), the ``mtls_endpoint_aliases``
        entry of a back-channel endpoint wins when there is one (RFC 8705 §5).
        """
        if mtls and name in _MTLS_ALIASED:
            alias = self.mtls_endpoint_aliases.get(name)
            if alias is not None:
                return alias
        return self.endpoints.get(name)

    def supports(self, member: str, value: str) -> bool:
        """Whether the ``member`` list (``"grant_types_supported"``...) names ``value``."""
        return value in self.supported.get(member, ())


def parse_server_metadata(
    response: HttpResponse,
    *,
    issuer: str,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> ServerMetadata:
    """Read and check a metadata document (RFC 8414 §3.2, OIDC Discovery §4.2).

    Args:
        response: The answer of :func:`metadata_url`.
        issuer: The issuer the client was configured with.
        allow_insecure_transport: Plain http beyond loopback for the endpoints (all, or these).

    Raises:
        IssuerMismatchError: The document names another issuer (RFC 8414 §3.3).
        MalformedResponseError: Not a JSON object; an endpoint that is not an absolute URL
            (an invalid port, a host that parsers read differently); a ``*_supported`` member
            that is not a list of strings; a flag (RFC 9207's, RFC 9126's) not a boolean.
        TokenEndpointError: A non-2xx answer.
        InsecureTransportError: An endpoint over plain http to a non-loopback host.
        UsageError: ``issuer`` is not a valid issuer URL.
    """
    _issuer_parts(issuer)
    data = read_answer(response, "metadata document")
    named = data.get("issuer")
    if named != issuer:
        raise IssuerMismatchError(
            f"the metadata document names issuer {str(named)[:200]!r}, not {issuer!r} "
            "(RFC 8414 §3.3); none of its URLs is used"
        )
    policy = transport_policy(allow_insecure_transport)
    endpoints: dict[str, str] = {}
    for name in _ENDPOINTS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, str) or not _absolute(value):
            raise malformed(f"metadata document: {name} is not an absolute URL", response)
        try:
            policy.check(value)
        except InsecureTransportError:
            raise  # the caller's policy refuses plain http there: its allow_insecure_transport
        except UsageError as exc:  # an invalid port, a host that parsers read differently
            raise malformed(f"metadata document: {name}: {exc}", response) from None
        endpoints[name] = value
    supported: dict[str, tuple[str, ...]] = {}
    for name in _LISTS:
        value = data.get(name)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise malformed(f"metadata document: {name} is not a list of strings", response)
        supported[name] = tuple(value)
    aliases = data.get("mtls_endpoint_aliases", {})
    if not isinstance(aliases, dict) or not all(
        isinstance(v, str) and _absolute(v) for v in aliases.values()
    ):
        raise malformed("metadata document: mtls_endpoint_aliases is not a URL map", response)
    for name, value in aliases.items():
        try:
            policy.check(value)
        except InsecureTransportError:
            raise
        except UsageError as exc:
            where = f"mtls_endpoint_aliases {str(name)[:100]!r}"
            raise malformed(f"metadata document: {where}: {exc}", response) from None
    flags: dict[str, bool] = {}
    for name in _FLAGS:
        flag = data.get(name, False)
        if not isinstance(flag, bool):
            raise malformed(f"metadata document: {name} is not a boolean", response)
        flags[name] = flag
    return ServerMetadata(
        issuer=issuer,
        endpoints=MappingProxyType(endpoints),
        supported=MappingProxyType(supported),
        authorization_response_iss_parameter_supported=flags[_FLAGS[0]],
        require_pushed_authorization_requests=flags[_FLAGS[1]],
        mtls_endpoint_aliases=MappingProxyType(dict(aliases)),
        document=MappingProxyType(data),
    )


def _absolute(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.netloc) and "#" not in url
