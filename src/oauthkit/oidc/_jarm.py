"""A JWT-secured authorization response (JARM) checked with the issuer's keys, as a flow.

:func:`jarm_flow` runs :func:`~oauthkit._oauth2._jarm.check_jarm_response` with the keys of
the relying party's :class:`~oauthkit.oidc.Provider`: fetched once per process, and refetched
once (rate-limited after that) when the response names a ``kid`` the cached set lacks, as
for ID tokens. The algorithm allow-list is the relying party's ``authorization_algorithms``
when set (the registered ``authorization_signed_response_alg``), else the server's
``authorization_signing_alg_values_supported``, else RS256 (JARM §3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._jose._compact import Rejected
from .._oauth2._jarm import JARMExpectations, check_jarm_response, jarm_error
from .._oauth2._metadata import ServerMetadata
from ._provider import metadata_flow, validated
from ._relying_party import KNOWN_ALGORITHMS, needs_keys

if TYPE_CHECKING:
    from .._core._steps import Flow
    from .._oauth2._manager import TokenManager
    from ._relying_party import RelyingParty

__all__ = ["jarm_algorithms", "jarm_flow"]


def jarm_algorithms(rp: RelyingParty, metadata: ServerMetadata | None) -> tuple[str, ...]:
    """The allow-list for JWT authorization responses: the client's, the server's, or RS256."""
    if rp.authorization_algorithms is not None:
        return rp.authorization_algorithms
    offered = (
        metadata.supported.get("authorization_signing_alg_values_supported", ()) if metadata else ()
    )
    return tuple(a for a in offered if a in KNOWN_ALGORITHMS) or ("RS256",)


def jarm_flow(
    rp: RelyingParty, manager: TokenManager, token: str, client_secret: str | None = None
) -> Flow[dict[str, str]]:
    """Check the ``response`` JWT of an authorization response (JARM §2.4); return its
    parameters, for the ``state`` check that follows.

    Args:
        rp: The relying party: issuer, client ID, leeway, decryption keys.
        manager: The client (transport, clock, timeouts; its secret for HS256).
        token: The ``response`` JWT.
        client_secret: The HMAC key, when the call was given one the client does not hold yet.

    Raises:
        JARMError: The subclass naming the failed check.
    """
    metadata = yield from metadata_flow(rp.provider, manager)
    expect = JARMExpectations(
        issuer=rp.issuer,
        client_id=rp.client_id,
        algorithms=jarm_algorithms(rp, metadata),
        leeway=rp.leeway,
        client_secret=client_secret or manager.client_secret,
        decryption_keys=rp.decryption_keys,
    )
    now = manager.clock()
    try:
        return (
            yield from validated(
                rp.provider,
                manager,
                lambda keys: check_jarm_response(token, keys, expect, now),
                needs_keys=needs_keys(token),
            )
        )
    except Rejected as exc:
        raise jarm_error(exc.check, str(exc)) from None
