"""Dynamic client registration (RFC 7591) and its management (RFC 7592), sans I/O.

1. :func:`build_registration_request` POSTs the client's metadata as JSON to the
   ``registration_endpoint`` (RFC 7591 §3.1), with an initial access token when the server
   requires one (§3) and a software statement passed through unchanged (§2.3).
2. :func:`parse_registration_response` reads the answer (§3.2.1) into a
   :class:`ClientRegistration`; a refusal (§3.2.2) raises the typed error for its code
   (:class:`~oauthkit.InvalidRedirectUriError`, :class:`~oauthkit.InvalidClientMetadataError`...).
3. With the ``registration_access_token``, the client reads (RFC 7592 §2.1, GET), updates
   (§2.2, PUT with the full metadata) or deletes (§2.3, DELETE) its registration at its
   ``registration_client_uri``. A read or update may rotate the registration access token:
   the one in the answer replaces the old one, and an answer without one keeps it (§3).

The registration access token is sent only to a ``registration_client_uri`` of the origin that
issued it: a server's answer cannot send it anywhere else.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .._core._exchange import exchange
from .._core._http import HttpRequest, HttpResponse, same_origin
from .._core._steps import Flow, Purpose
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import OAuthError, UsageError
from .._jose._compact import MAX_TIME
from ._backchannel import malformed, read_answer, refusal, transport_policy
from ._bearer import sendable

if TYPE_CHECKING:
    from ._manager import TokenManager

__all__ = [
    "ClientRegistration",
    "build_client_delete_request",
    "build_client_read_request",
    "build_client_update_request",
    "build_registration_request",
    "parse_client_delete_response",
    "parse_registration_response",
    "registration_flow",
]

_JSON = "application/json"
_ISSUED = ("client_id_issued_at", "client_secret_expires_at")
_SERVER_ONLY = frozenset({"registration_access_token", "registration_client_uri", *_ISSUED})
"""Members only the server sets (RFC 7592 §2.2: never sent back in an update)."""
_RESPONSE_ONLY = frozenset({"client_id", "client_secret", *_SERVER_ONLY})


@dataclass(frozen=True, slots=True)
class ClientRegistration:
    """A registered client as the server described it (RFC 7591 §3.2.1, RFC 7592 §3).

    ``client_secret`` and ``registration_access_token`` are credentials: they are left out of
    ``repr``. :meth:`to_dict` gives the server's JSON back, :meth:`from_dict` reads it again.

    Attributes:
        client_id: The client identifier.
        client_secret: The client secret, for a confidential client.
        registration_access_token: The bearer token for reading, updating and deleting this
            registration (RFC 7592 §3).
        registration_client_uri: Where to read, update and delete it.
        client_id_issued_at: When ``client_id`` was issued, seconds since the epoch.
        client_secret_expires_at: When the secret expires; ``0`` for never.
        metadata: Every other member: the client metadata the server registered (§2).

    Raises:
        UsageError: A field of the wrong type.
    """

    client_id: str
    client_secret: str | None = field(default=None, repr=False)
    registration_access_token: str | None = field(default=None, repr=False)
    registration_client_uri: str | None = None
    client_id_issued_at: int | None = None
    client_secret_expires_at: int | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.client_id, str) or not self.client_id:
            raise UsageError("ClientRegistration.client_id must be a non-empty string")
        for name in ("client_secret", "registration_access_token", "registration_client_uri"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise UsageError(f"ClientRegistration.{name} must be a non-empty string")
        for name in _ISSUED:
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise UsageError(f"ClientRegistration.{name} must be an int")
        if not isinstance(self.metadata, Mapping):
            raise UsageError("ClientRegistration.metadata must be a mapping")
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))

    def to_dict(self) -> dict[str, Any]:
        """The registration as the server's JSON members (for storage)."""
        data: dict[str, Any] = {**self.metadata, "client_id": self.client_id}
        for name in ("client_secret", "registration_access_token", "registration_client_uri"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        for name in _ISSUED:
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClientRegistration:
        """Read what :meth:`to_dict` wrote.

        Raises:
            UsageError: Not a registration (no ``client_id``, a member of the wrong type).
        """
        if not isinstance(data, Mapping):
            raise UsageError("a client registration must be a mapping")
        return _read(dict(data), None, UsageError)


def _time(value: object, name: str, fail: Callable[[str], OAuthError]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise fail(f"registration member {name!r} is not a number")
    if not 0 <= value <= MAX_TIME:
        raise fail(f"registration member {name!r} is not a valid time")
    return int(value)


def _read(
    data: dict[str, Any],
    previous: ClientRegistration | None,
    fail: Callable[[str], OAuthError],
) -> ClientRegistration:
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not client_id:
        raise fail("the registration lacks a client_id")
    if previous is not None and not hmac.compare_digest(
        client_id.encode("utf-8", "surrogatepass"),
        previous.client_id.encode("utf-8", "surrogatepass"),
    ):
        raise fail("the registration answer is about another client_id")
    values: dict[str, Any] = {}
    for name in ("client_secret", "registration_access_token", "registration_client_uri"):
        value = data.get(name)
        if value is None:
            value = None if previous is None else getattr(previous, name)  # kept (RFC 7592 §3)
        elif not isinstance(value, str) or not value:
            raise fail(f"registration member {name!r} is not a non-empty string")
        values[name] = value
    token = values["registration_access_token"]
    if token is not None and not sendable(token):
        raise fail("the registration_access_token cannot be sent in an Authorization header")
    for name in _ISSUED:
        values[name] = _time(data.get(name), name, fail)
        if values[name] is None and previous is not None:
            values[name] = getattr(previous, name)
    metadata = {key: value for key, value in data.items() if key not in _RESPONSE_ONLY}
    return ClientRegistration(client_id=client_id, metadata=metadata, **values)


def _json_body(document: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(dict(document), allow_nan=False, separators=(",", ":")).encode()
    except (TypeError, ValueError) as exc:
        raise UsageError(f"client metadata must be JSON: {exc}") from None


def _metadata(metadata: object, refused: frozenset[str]) -> dict[str, Any]:
    if not isinstance(metadata, Mapping) or not all(isinstance(k, str) for k in metadata):
        raise UsageError("client metadata must be a mapping of member names to JSON values")
    wrong = sorted(name for name in metadata if name in refused)
    if wrong:
        raise UsageError(f"{wrong} are set by the server, not sent in client metadata")
    return dict(metadata)


def build_registration_request(
    endpoint: str,
    metadata: Mapping[str, Any],
    *,
    initial_access_token: str | None = None,
    software_statement: str | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build a client registration request (RFC 7591 §3.1).

    Args:
        endpoint: The ``registration_endpoint``.
        metadata: The client metadata (§2): ``redirect_uris``, ``grant_types``,
            ``token_endpoint_auth_method``, ``jwks``...
        initial_access_token: A bearer token the server requires for registration (§3).
        software_statement: A signed JWT about the software (§2.3), sent unchanged.
        allow_insecure_transport: Permit plain http to non-loopback hosts (all, or these).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: Metadata that is not a JSON object or carries members only the server
            sets; an empty or unsendable initial access token or software statement.
    """
    transport_policy(allow_insecure_transport).check(endpoint)
    document = _metadata(metadata, _SERVER_ONLY)
    if software_statement is not None:
        if not isinstance(software_statement, str) or not software_statement:
            raise UsageError("software_statement must be a non-empty string (a JWT)")
        if "software_statement" in document:
            raise UsageError("software_statement is given twice (argument and metadata)")
        document["software_statement"] = software_statement
    headers = {"Content-Type": _JSON, "Accept": _JSON}
    if initial_access_token is not None:
        if (
            not isinstance(initial_access_token, str)
            or not initial_access_token
            or not sendable(initial_access_token)
        ):
            raise UsageError("initial_access_token must be a token an HTTP header can carry")
        headers["Authorization"] = f"Bearer {initial_access_token}"
    return HttpRequest("POST", endpoint, headers, _json_body(document))


def _management(
    registration: ClientRegistration,
    method: str,
    body: bytes | None,
    policy: InsecureAllowance | TransportPolicy,
) -> HttpRequest:
    if not isinstance(registration, ClientRegistration):
        raise UsageError("registration must be a ClientRegistration")
    uri, token = registration.registration_client_uri, registration.registration_access_token
    if uri is None or token is None:
        raise UsageError(
            "this registration has no registration_client_uri and registration_access_token: "
            "the server does not offer RFC 7592 management for it"
        )
    transport_policy(policy).check(uri)
    headers = {"Accept": _JSON, "Authorization": f"Bearer {token}"}
    if body is not None:
        headers["Content-Type"] = _JSON
    return HttpRequest(method, uri, headers, body)


def build_client_read_request(
    registration: ClientRegistration,
    *,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build the request that reads a registration (RFC 7592 §2.1).

    Raises:
        UsageError: The registration has no ``registration_client_uri`` or access token.
        InsecureTransportError: The URI is plain http to a non-loopback host.
    """
    return _management(registration, "GET", None, allow_insecure_transport)


def build_client_update_request(
    registration: ClientRegistration,
    metadata: Mapping[str, Any],
    *,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build the request that replaces a registration's metadata (RFC 7592 §2.2).

    ``metadata`` is the whole new metadata (fields left out may be deleted by the server),
    such as ``{**registration.metadata, "client_name": "new"}``; ``client_id`` and the
    current ``client_secret`` are added, as §2.2 requires.

    Raises:
        UsageError: As for :func:`build_client_read_request`; metadata that is not a JSON
            object or carries members only the server sets, or another ``client_id``.
        InsecureTransportError: The URI is plain http to a non-loopback host.
    """
    document = _metadata(metadata, _SERVER_ONLY | {"client_secret"})
    given = document.get("client_id", registration.client_id)
    if given != registration.client_id:
        raise UsageError("an update cannot change the client_id (RFC 7592 §2.2)")
    document["client_id"] = registration.client_id
    if registration.client_secret is not None:
        document["client_secret"] = registration.client_secret
    return _management(registration, "PUT", _json_body(document), allow_insecure_transport)


def build_client_delete_request(
    registration: ClientRegistration,
    *,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build the request that deletes a registration (RFC 7592 §2.3).

    Raises:
        UsageError: As for :func:`build_client_read_request`.
        InsecureTransportError: The URI is plain http to a non-loopback host.
    """
    return _management(registration, "DELETE", None, allow_insecure_transport)


def parse_registration_response(
    response: HttpResponse,
    *,
    endpoint: str | None = None,
    previous: ClientRegistration | None = None,
) -> ClientRegistration:
    """Read a registration, read or update answer (RFC 7591 §3.2, RFC 7592 §2.1, §2.2).

    Args:
        response: The answer.
        endpoint: Where the request went; a ``registration_client_uri`` of another origin
            is refused, so the registration access token never leaves it.
        previous: For a read or update, the registration it describes: its ``client_id``
            must be the same, and the credentials the answer leaves out are kept (a rotated
            registration access token replaces the old one).

    Raises:
        TokenEndpointError: The server refused: :class:`~oauthkit.InvalidRedirectUriError`,
            :class:`~oauthkit.InvalidClientMetadataError`,
            :class:`~oauthkit.InvalidSoftwareStatementError`,
            :class:`~oauthkit.UnapprovedSoftwareStatementError` (§3.2.2) or another class
            for its ``error`` code; a plain one (``status_code`` 401, 403...) without one.
        MalformedResponseError: A 2xx body that is not a JSON object, lacks ``client_id``,
            names another client, has a member of the wrong type, or a
            ``registration_client_uri`` of another origin.
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    data = read_answer(response, "registration response")
    registration = _read(data, previous, lambda message: malformed(message, response))
    uri = registration.registration_client_uri
    origin = endpoint if previous is None else previous.registration_client_uri or endpoint
    if uri is not None and origin is not None and not same_origin(uri, origin):
        raise malformed(
            "the registration_client_uri is on another origin than the registration endpoint; "
            "the registration access token is never sent there",
            response,
        )
    return registration


def parse_client_delete_response(response: HttpResponse) -> None:
    """Check a delete answer (RFC 7592 §2.3): ``204 No Content`` (any 2xx) means deleted.

    Raises:
        TokenEndpointError: The server refused (a 401 when the token is no longer valid).
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    if not 200 <= response.status_code < 300:
        raise refusal(response, "registration endpoint")


def registration_flow(
    manager: TokenManager,
    request: HttpRequest,
    parse: Callable[[HttpResponse], Any],
    timeout: float | None,
) -> Flow[Any]:
    """Send one registration request under the client's transport, timeout and retry policy,
    and parse the answer. Never re-sent once it may have reached the server: a registration
    creates a client, and a read or update may rotate the token it carries."""
    from ._flows import deadline_for

    response = yield from exchange(
        lambda _: request,
        Purpose.REGISTRATION,
        clock=manager.clock,
        deadline=deadline_for(manager, timeout),
        policy=manager.retry,
        one_time=True,
    )
    return parse(response)
