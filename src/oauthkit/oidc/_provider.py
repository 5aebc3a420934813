"""An OpenID Provider as the process knows it: metadata and keys, fetched once and shared.

:class:`Provider` holds an issuer's metadata document (OIDC Discovery 1.0 §4, RFC 8414 §3)
and its JWK Set, each in a shared cache entry (:mod:`oauthkit._core._cache`): fetched lazily,
once for any number of concurrent callers, and kept as long as the response's ``Cache-Control``
allows. :func:`shared_provider` returns the one :class:`Provider` per issuer of the process,
so sessions built per HTTP request reuse what the first one fetched. Both documents can be
given instead of fetched, for tests and offline use. It also keeps the ``jti`` of the
back-channel logout tokens its sessions accepted (a :class:`ReplayWindow`), so that a replay is
refused by whichever session of the process receives it.

:func:`keys_flow` returns the keys; :func:`validated` runs a validation with them and, when
a token names a ``kid`` the set does not hold, refetches the set once (the first refetch is
allowed at once, so a key rotation costs no failed login; later ones wait
``refetch_interval`` seconds, so a stream of forged ``kid`` values cannot make the client
hammer the provider).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from .._core._cache import Entry, cached, lifetime, refetched
from .._core._exchange import exchange
from .._core._http import HttpRequest, HttpResponse
from .._core._steps import Flow, Purpose
from .._errors import UsageError
from .._jose import _keys
from .._jose._compact import Rejected
from .._jose._keys import KeySet
from .._jose._verify import UnknownKey
from .._oauth2._backchannel import malformed, read_answer
from .._oauth2._flows import deadline_for
from .._oauth2._metadata import OPENID, RFC8414, ServerMetadata, metadata_url, parse_server_metadata
from ._logout import ReplayWindow

if TYPE_CHECKING:
    from .._oauth2._manager import TokenManager

__all__ = [
    "Provider",
    "encryption_keys_flow",
    "get",
    "import_jwks",
    "keys_flow",
    "metadata_flow",
    "shared_provider",
    "validated",
]

T = TypeVar("T")

_DAY = 86400.0
_HOUR = 3600.0


class Provider:
    """An issuer's metadata and keys, cached.

    Args:
        issuer: The issuer identifier, exactly as the provider states it.
        kind: Which well-known document to read: :data:`~oauthkit.OPENID` (OIDC Discovery) or
            :data:`~oauthkit.RFC8414`.
        fallback: When the OIDC document is not found (404), try RFC 8414's.
        metadata: The metadata, given instead of fetched (tests, offline use).
        jwks: The JWK Set, given instead of fetched from ``jwks_uri``.
        refetch_interval: Seconds between two refetches of the keys for unknown ``kid`` values.
        default_ttl: Seconds a document without ``Cache-Control`` is kept.

    Raises:
        UsageError: An issuer that is not an https URL without query or fragment.
    """

    def __init__(
        self,
        issuer: str,
        *,
        kind: str = OPENID,
        fallback: bool = True,
        metadata: ServerMetadata | None = None,
        jwks: Mapping[str, Any] | KeySet | None = None,
        refetch_interval: float = 60.0,
        default_ttl: float = _HOUR,
    ) -> None:
        metadata_url(issuer, kind)  # checks the issuer
        if metadata is not None and metadata.issuer != issuer:
            raise UsageError(f"the metadata is for issuer {metadata.issuer!r}, not {issuer!r}")
        self.issuer = issuer
        self.kind = kind
        self.fallback = fallback and kind == OPENID
        self.refetch_interval = refetch_interval
        self.default_ttl = default_ttl
        self.metadata_entry: Entry[ServerMetadata] = Entry(f"oidc metadata {issuer}")
        self.keys_entry: Entry[KeySet] = Entry(f"oidc jwks {issuer}")
        self.replay = ReplayWindow()  # logout tokens' jti, shared by the issuer's sessions
        self._given_keys = jwks is not None
        self._given_metadata = metadata is not None
        if metadata is not None:
            self.metadata_entry.store(metadata, 0.0, math.inf)
        if jwks is not None:
            keys = jwks if isinstance(jwks, KeySet) else import_jwks(jwks)
            self.keys_entry.store(keys, 0.0, math.inf)

    def __repr__(self) -> str:
        return f"Provider({self.issuer!r})"

    @property
    def metadata(self) -> ServerMetadata | None:
        """The metadata if fetched (or given) and not expired... or expired: what is known."""
        return self.metadata_entry.value

    def clear(self) -> None:
        """Forget the fetched metadata and keys; the next use fetches them again. What was
        given instead of fetched is kept, and so are the logout tokens seen."""
        if not self._given_metadata:
            self.metadata_entry.clear()
        if not self._given_keys:
            self.keys_entry.clear()


def import_jwks(jwks: Mapping[str, Any] | list[Any]) -> KeySet:
    """Import the keys of a JWK Set once, to verify many tokens with (RFC 7517 §5).

    Encryption keys (``use: "enc"``) are kept apart, for encrypting request objects (RFC 9101
    §6.1), and never verify a signature. Keys it cannot use are skipped: symmetric keys, RSA
    keys under 2048 bits, unknown key types and curves; private members are dropped.

    Raises:
        UsageError: Not a JWK Set.
        MissingExtraError: joserfc is not installed (the ``jose`` extra).
    """
    try:
        return _keys.import_jwks(jwks)
    except Rejected as exc:
        raise UsageError(f"jwks: {exc}") from None


_SHARED: dict[tuple[str, str], Provider] = {}


def shared_provider(issuer: str, kind: str = OPENID) -> Provider:
    """The process's one :class:`Provider` for ``issuer`` (created on first use)."""
    key = (issuer, kind)
    provider = _SHARED.get(key)
    if provider is None:
        provider = _SHARED.setdefault(key, Provider(issuer, kind=kind))
    return provider


def get(
    manager: TokenManager,
    url: str,
    purpose: Purpose,
    accept: str,
    headers: Mapping[str, str] | None = None,
) -> Flow[HttpResponse]:
    """GET ``url`` (with ``headers``, such as an access token's) under the client's transport
    policy, timeout and retry policy."""
    manager.transport.check(url)
    request = HttpRequest("GET", url, {"Accept": accept, **(headers or {})})
    return exchange(
        lambda _: request,
        purpose,
        clock=manager.clock,
        deadline=deadline_for(manager, None),
        policy=manager.retry,
        one_time=False,
    )


def metadata_flow(provider: Provider, manager: TokenManager) -> Flow[ServerMetadata]:
    """The provider's metadata: cached, or fetched once for every waiting caller.

    Raises:
        IssuerMismatchError: The document names another issuer; nothing of it is used.
        MalformedResponseError: Not a metadata document.
        TokenEndpointError: The server refused (not found, after the fallback if any).
    """

    def fetch() -> Flow[tuple[ServerMetadata, float]]:
        url = metadata_url(provider.issuer, provider.kind)
        response = yield from get(manager, url, Purpose.DISCOVERY, "application/json")
        if response.status_code == 404 and provider.fallback:
            url = metadata_url(provider.issuer, RFC8414)
            response = yield from get(manager, url, Purpose.DISCOVERY, "application/json")
        metadata = parse_server_metadata(
            response, issuer=provider.issuer, allow_insecure_transport=manager.transport
        )
        ttl = lifetime(response, default=provider.default_ttl, floor=0.0, ceiling=_DAY)
        return metadata, ttl

    return cached(provider.metadata_entry, fetch, manager.clock, manager.timeout)


def _keys_fetch(
    provider: Provider, manager: TokenManager
) -> Callable[[], Flow[tuple[KeySet, float]]]:
    def fetch() -> Flow[tuple[KeySet, float]]:
        metadata = yield from metadata_flow(provider, manager)
        uri = metadata.endpoint("jwks_uri")
        if uri is None:
            raise UsageError(f"the metadata of {provider.issuer} names no jwks_uri")
        response = yield from get(
            manager, uri, Purpose.JWKS, "application/jwk-set+json, application/json"
        )
        document = read_answer(response, "JWK Set")
        try:
            keys = _keys.import_jwks(document)
        except Rejected as exc:
            raise malformed(f"JWK Set: {exc}", response) from None
        return keys, lifetime(response, default=provider.default_ttl, floor=0.0, ceiling=_DAY)

    return fetch


def keys_flow(provider: Provider, manager: TokenManager) -> Flow[KeySet]:
    """The provider's keys: cached, or fetched once for every waiting caller.

    Raises:
        MalformedResponseError: The ``jwks_uri`` answer is not a JWK Set.
        UsageError: The metadata names no ``jwks_uri``.
    """
    return cached(
        provider.keys_entry, _keys_fetch(provider, manager), manager.clock, manager.timeout
    )


def encryption_keys_flow(provider: Provider, manager: TokenManager) -> Flow[KeySet]:
    """The provider's keys, for the encryption keys among them (RFC 9101 §6.1): cached, or
    fetched; a cached set without an encryption key is refetched once (rate-limited as for an
    unknown ``kid``), so a key the provider has just added is found.

    Raises:
        MalformedResponseError: The ``jwks_uri`` answer is not a JWK Set.
        UsageError: The metadata names no ``jwks_uri``.
    """
    entry = provider.keys_entry
    before = entry.generation
    keys = yield from keys_flow(provider, manager)
    if keys.encryption or provider._given_keys or entry.generation != before:
        return keys  # has one, or was given, or was fetched just now
    newer = yield from refetched(
        entry,
        _keys_fetch(provider, manager),
        manager.clock,
        seen=entry.generation,
        min_interval=provider.refetch_interval,
        timeout=manager.timeout,
    )
    return keys if newer is None else newer


def validated(
    provider: Provider,
    manager: TokenManager,
    check: Callable[[KeySet | None], T],
    *,
    needs_keys: bool = True,
) -> Flow[T]:
    """Run ``check`` with the provider's keys, refetching them once for an unknown ``kid``.

    Args:
        provider: The provider.
        manager: The client (transport, clock, timeouts).
        check: Validates with the keys it is given; raises ``UnknownKey`` when none fits.
        needs_keys: ``False`` for a token verified with the client secret (HMAC).

    Raises:
        Rejected: What ``check`` raises, also after the refetch; ``UnknownKey`` with a message
            saying the refetch was rate-limited when it was.
    """
    if not needs_keys:
        return check(None)
    entry = provider.keys_entry
    keys = yield from keys_flow(provider, manager)
    seen = entry.generation
    try:
        return check(keys)
    except UnknownKey:
        if provider._given_keys:
            raise
    newer = yield from refetched(
        entry,
        _keys_fetch(provider, manager),
        manager.clock,
        seen=seen,
        min_interval=provider.refetch_interval,
        timeout=manager.timeout,
    )
    if newer is None:
        raise UnknownKey(
            "kid",
            f"no key of the issuer's set verifies this token, and the set was refetched less "
            f"than {provider.refetch_interval:g} s ago",
        )
    return check(newer)
