"""JWT introspection responses (RFC 9701) verified with the issuer's cached keys.

:func:`jwt_introspection_flow` asks the introspection endpoint for a
``application/token-introspection+jwt`` answer and verifies it with the
:class:`~oauthkit.oidc.Provider`'s JWK Set (fetched once per process, refetched once for an
unknown ``kid``), then reads it into an :class:`~oauthkit.Introspection`; the checks are those
of :func:`~oauthkit._oauth2._jwt_introspection.parse_jwt_introspection_response`.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from .._core._steps import Flow, Purpose
from .._errors import UsageError
from .._jose._keys import ALGORITHM_KEY_TYPES, KeySet
from .._jose._verify import UnknownKey
from .._oauth2._about_token import about_token, to_introspect
from .._oauth2._backchannel import malformed
from .._oauth2._flows import ask
from .._oauth2._introspection import Introspection, build_introspection_request
from .._oauth2._jwt_introspection import (
    JWT_INTROSPECTION_MEDIA_TYPE,
    parse_jwt_introspection_response,
)
from .._oauth2._manager import TokenManager
from ._provider import Provider, metadata_flow, validated

__all__ = ["jwt_introspection_flow"]


def jwt_introspection_flow(
    provider: Provider,
    manager: TokenManager,
    endpoint: str | None,
    token: str | None,
    *,
    token_type_hint: str | None = None,
    algorithms: Collection[str] | None = None,
    decryption_keys: Any = None,
    timeout: float | None = None,
) -> Flow[Introspection]:
    """Introspect ``token`` (default: the current access token) as a JWT (RFC 9701 §4, §5).

    Args:
        provider: The authorization server (its issuer, metadata and keys).
        manager: The client: its authentication, ``client_id`` (the JWT's ``aud``), clock,
            transport policy and timeout.
        endpoint: The introspection endpoint; default: the provider's.
        token: The token to ask about.
        token_type_hint: ``access_token`` or ``refresh_token``.
        algorithms: Accepted signature algorithms; default: those the provider lists in
            ``introspection_signing_alg_values_supported`` that oauthkit knows, else RS256.
        decryption_keys: The client's private keys, for an encrypted response.
        timeout: Seconds for the whole operation.

    Raises:
        UsageError: No token; no endpoint.
        TokenEndpointError: The server refused.
        MalformedResponseError: Not a valid JWT introspection response (see
            :func:`~oauthkit._oauth2._jwt_introspection.parse_jwt_introspection_response`),
            or signed by a key the provider's set does not hold, even refetched.
    """
    metadata = yield from metadata_flow(provider, manager)
    url = endpoint or metadata.endpoint("introspection_endpoint")
    if url is None:
        raise UsageError(f"the metadata of {provider.issuer} names no introspection_endpoint")
    token, token_type_hint = to_introspect(manager, token, token_type_hint)
    if algorithms is None:
        offered = metadata.supported.get("introspection_signing_alg_values_supported", ())
        algorithms = tuple(a for a in offered if a in ALGORITHM_KEY_TYPES) or ("RS256",)
    headers = {"Accept": JWT_INTROSPECTION_MEDIA_TYPE}
    build = about_token(
        manager, build_introspection_request, url, token, token_type_hint, headers=headers
    )
    response = yield from ask(manager, build, Purpose.INTROSPECTION, timeout)
    allowed = tuple(algorithms)

    def check(keys: KeySet | None) -> Introspection:
        return parse_jwt_introspection_response(
            response,
            keys=keys,
            issuer=provider.issuer,
            client_id=manager.client_id,
            now=manager.clock(),
            algorithms=allowed,
            decryption_keys=decryption_keys,
        )

    if not 200 <= response.status_code < 300:
        return check(None)  # the refusal, raised without fetching keys
    try:
        return (yield from validated(provider, manager, check))
    except UnknownKey as exc:
        raise malformed(f"the JWT introspection response is rejected: {exc}", response) from None
