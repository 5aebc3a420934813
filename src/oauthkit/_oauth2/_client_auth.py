"""Client authentication at the token endpoint (RFC 6749 §2.3, RFC 7523 §2.2, OIDC Core §9).

A :class:`ClientAuth` adds a client's credentials to one back-channel request (token,
revocation, introspection, device authorization). It receives the form parameters and headers
built so far and returns new ones; it never mutates its inputs and performs no I/O.

============================  =============================================================
method                        what is sent
============================  =============================================================
``client_secret_basic``       ``Authorization: Basic`` of the form-encoded id and secret
``client_secret_post``        ``client_id`` and ``client_secret`` in the body
``client_secret_jwt``         an HMAC-signed JWT assertion keyed by the secret (RFC 7523)
``private_key_jwt``           a JWT assertion signed with the client's private key
``none``                      ``client_id`` in the body: a public client (RFC 6749 §2.1)
============================  =============================================================

RFC 8705's ``tls_client_auth`` and ``self_signed_tls_client_auth`` (:mod:`._mtls`) send
``client_id`` in the body too: the client's certificate authenticates it in the TLS handshake.

Rules that hold for every method here: the method is chosen explicitly (or, with
``method=None``, a client with a secret uses ``client_secret_basic`` and one without is public);
a client without a secret never sends Basic with an empty password; the secret is never sent
twice (header *and* body); and no secret, key or assertion appears in a ``repr`` or a message.

The JWT methods live in :mod:`oauthkit._client_assertion`; signing needs the ``jose`` extra
(joserfc), imported only when an assertion is made.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol
from urllib.parse import quote_plus

from .._errors import UsageError

if TYPE_CHECKING:
    from typing import TypeAlias

    Pairs: TypeAlias = list[tuple[str, str]]
    """A form as name-value pairs, in order."""
    Form: TypeAlias = Sequence[tuple[str, str]]
    """A form handed in (not modified)."""
    Credentialed: TypeAlias = tuple[list[tuple[str, str]], dict[str, str]]
    """A form and headers with the client's credentials added."""

__all__ = [
    "ClientAuth",
    "ClientAuthBase",
    "ClientAuthFactory",
    "ClientIdInBody",
    "ClientSecretBasic",
    "ClientSecretPost",
    "NoneAuth",
    "check_client_form",
    "check_client_id",
    "check_client_secret",
    "client_auth_for",
    "client_auth_methods",
    "register_client_auth",
    "with_client_id",
]

# Parameters only a ClientAuth may put in the body; finding one already there means the
# credential would be sent twice, or by two different methods.
_RESERVED = frozenset({"client_secret", "client_assertion", "client_assertion_type"})


class ClientAuth(Protocol):
    """How a client proves its identity to the authorization server."""

    @property
    def method(self) -> str:
        """The ``token_endpoint_auth_method`` name (RFC 7591 §2)."""
        ...

    @property
    def client_id(self) -> str:
        """The client identifier."""
        ...

    def apply(
        self, form: Form, headers: Mapping[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Return the form and headers with this client's credentials added.

        Args:
            form: The body parameters built so far; not modified.
            headers: The headers built so far; not modified.
            endpoint: The URL the request goes to (the default JWT audience).
            now: The current time in seconds since the epoch, for JWT ``iat``/``exp``.

        Raises:
            UsageError: The request already carries client credentials.
        """
        ...


ClientAuthFactory = Callable[..., ClientAuth]
"""``factory(client_id, client_secret, **options) -> ClientAuth``, for the registry."""


def check_client_id(client_id: object) -> None:
    """Raise :class:`UsageError` unless ``client_id`` is a non-empty string."""
    if not isinstance(client_id, str) or not client_id:
        raise UsageError("client_id must be a non-empty string")


def check_client_secret(secret: object, method: str) -> None:
    """Raise :class:`UsageError` unless ``secret`` is a non-empty string, naming ``method``."""
    if secret is None or secret == "":
        raise UsageError(
            f"{method} needs a client_secret; a client without a secret is public: "
            "use method 'none' (NoneAuth) so its client_id goes in the body"
        )
    if not isinstance(secret, str):
        raise UsageError(f"{method}: client_secret must be a string")


def check_client_form(form: Sequence[tuple[str, str]], client_id: str) -> list[tuple[str, str]]:
    """Copy ``form``, refusing client credentials already in it or another ``client_id``.

    Raises:
        UsageError: ``form`` carries ``client_secret`` or an assertion, or a different id.
    """
    out = list(form)
    for name, value in out:
        if name in _RESERVED:
            raise UsageError(
                f"the request already carries {name!r}; client credentials are added by the "
                "client authentication method and must not be passed as parameters"
            )
        if name == "client_id" and value != client_id:
            raise UsageError("the request names a different client_id than its authentication")
    return out


def with_client_id(form: list[tuple[str, str]], client_id: str) -> list[tuple[str, str]]:
    """``form`` with ``client_id`` appended unless it is there already."""
    if any(name == "client_id" for name, _ in form):
        return form
    return [*form, ("client_id", client_id)]


class ClientAuthBase:
    """What every method here shares: one ``apply`` that refuses credentials already present.

    Subclasses say what they add in :meth:`credentials`; :meth:`apply` first copies the form and
    refuses client credentials already in it (RFC 6749 §2.3: one method per request).
    """

    __slots__ = ()
    client_id: str
    credentials: Callable[..., Credentialed]
    """``credentials(form, headers, *, endpoint, now)``: add this method's credentials to a
    checked form and headers (both already copies); each method defines it."""

    def apply(
        self, form: Form, headers: Mapping[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Return the form and headers with this client's credentials added.

        See :meth:`ClientAuth.apply`.

        Raises:
            UsageError: The request already carries client credentials (in its body, or an
                ``Authorization`` header for Basic).
            MissingExtraError: A JWT method without the ``jose`` extra.
        """
        return self.credentials(
            check_client_form(form, self.client_id), dict(headers), endpoint=endpoint, now=now
        )


@dataclass(frozen=True, slots=True)
class ClientSecretBasic(ClientAuthBase):
    """HTTP Basic authentication with the client id and secret (RFC 6749 §2.3.1).

    Both values are form-encoded (Appendix B) *before* base64, as §2.3.1 requires; servers that
    skip this step disagree only for ids or secrets with reserved characters.

    Raises:
        UsageError: Empty ``client_id`` or no secret (a public client must use :class:`NoneAuth`).
    """

    client_id: str
    client_secret: str = field(repr=False)
    method: ClassVar[str] = "client_secret_basic"

    def __post_init__(self) -> None:
        check_client_id(self.client_id)
        check_client_secret(self.client_secret, self.method)

    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        user = quote_plus(self.client_id, safe="")
        password = quote_plus(self.client_secret, safe="")
        raw = f"{user}:{password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def credentials(
        self, form: Pairs, headers: dict[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Add the ``Authorization`` header.

        Raises:
            UsageError: The request already has an ``Authorization`` header.
        """
        if any(name.lower() == "authorization" for name in headers):
            raise UsageError("the request already has an Authorization header")
        headers["Authorization"] = self.authorization()
        return form, headers


@dataclass(frozen=True, slots=True)
class ClientSecretPost(ClientAuthBase):
    """``client_id`` and ``client_secret`` in the request body (RFC 6749 §2.3.1).

    The RFC discourages this method; use it only for servers that do not accept Basic.

    Raises:
        UsageError: Empty ``client_id`` or no secret.
    """

    client_id: str
    client_secret: str = field(repr=False)
    method: ClassVar[str] = "client_secret_post"

    def __post_init__(self) -> None:
        check_client_id(self.client_id)
        check_client_secret(self.client_secret, self.method)

    def credentials(
        self, form: Pairs, headers: dict[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Add ``client_id`` and ``client_secret`` to the body."""
        return [
            *with_client_id(form, self.client_id),
            ("client_secret", self.client_secret),
        ], headers


@dataclass(frozen=True, slots=True)
class ClientIdInBody(ClientAuthBase):
    """The methods whose request carries only ``client_id``, in the body: a public client
    (:class:`NoneAuth`), or mutual TLS, where the handshake authenticates (RFC 8705 §2).

    Raises:
        UsageError: Empty ``client_id``.
    """

    client_id: str

    def __post_init__(self) -> None:
        check_client_id(self.client_id)

    def credentials(
        self, form: Pairs, headers: dict[str, str], *, endpoint: str, now: float
    ) -> Credentialed:
        """Add ``client_id`` to the body (RFC 6749 §2.1, §3.2.1; RFC 8705 §2)."""
        return with_client_id(form, self.client_id), headers


@dataclass(frozen=True, slots=True)
class NoneAuth(ClientIdInBody):
    """A public client: only ``client_id``, in the body (RFC 6749 §2.1, §3.2.1).

    Raises:
        UsageError: Empty ``client_id``.
    """

    method: ClassVar[str] = "none"


def _secret_factory(cls: Callable[..., ClientAuth]) -> ClientAuthFactory:
    def factory(client_id: str, client_secret: str | None = None, **options: Any) -> ClientAuth:
        return cls(client_id, client_secret, **options)

    return factory


def _none_factory(client_id: str, client_secret: str | None = None, **options: Any) -> ClientAuth:
    if client_secret:
        raise UsageError("method 'none' is for public clients; this client has a secret")
    if options:
        raise UsageError(f"method 'none' takes no options (got {', '.join(sorted(options))})")
    return NoneAuth(client_id)


def _client_secret_jwt_factory(
    client_id: str, client_secret: str | None = None, **options: Any
) -> ClientAuth:
    from ._client_assertion import ClientSecretJwt

    return ClientSecretJwt(client_id, client_secret or "", **options)


def _private_key_factory(
    client_id: str, client_secret: str | None = None, **options: Any
) -> ClientAuth:
    from ._client_assertion import PrivateKeyJwt

    # A secret the client may also hold is simply not used: it is never sent.
    if "key" not in options:
        raise UsageError("private_key_jwt needs key=")
    return PrivateKeyJwt(client_id, **options)


def _mtls_factory(method: str) -> ClientAuthFactory:
    def factory(client_id: str, client_secret: str | None = None, **options: Any) -> ClientAuth:
        from ._mtls import mtls_auth_factory

        made: ClientAuth = mtls_auth_factory(method)(client_id, client_secret, **options)
        return made

    return factory


_METHODS: dict[str, ClientAuthFactory] = {
    "client_secret_basic": _secret_factory(ClientSecretBasic),
    "client_secret_post": _secret_factory(ClientSecretPost),
    # The JWT methods are imported on first use; they are the only ones needing joserfc.
    "client_secret_jwt": _client_secret_jwt_factory,
    "private_key_jwt": _private_key_factory,
    "none": _none_factory,
    # RFC 8705 §2: the TLS handshake authenticates; the drivers configure the certificate.
    "tls_client_auth": _mtls_factory("tls_client_auth"),
    "self_signed_tls_client_auth": _mtls_factory("self_signed_tls_client_auth"),
}


def register_client_auth(name: str, factory: ClientAuthFactory) -> None:
    """Make a client authentication method available to :func:`client_auth_for`.

    Args:
        name: The ``token_endpoint_auth_method`` name, e.g. ``"tls_client_auth"``.
        factory: Called as ``factory(client_id, client_secret, **options)``.

    Raises:
        UsageError: ``name`` is empty.
    """
    if not isinstance(name, str) or not name:
        raise UsageError("a client authentication method needs a non-empty name")
    _METHODS[name] = factory


def client_auth_methods() -> tuple[str, ...]:
    """Names of every registered client authentication method."""
    return tuple(sorted(_METHODS))


def client_auth_for(
    method: str | None, client_id: str, client_secret: str | None = None, **options: Any
) -> ClientAuth:
    """Make the :class:`ClientAuth` for a named method.

    Args:
        method: A registered method name. ``None`` chooses by the one rule that needs no
            guessing: ``client_secret_basic`` if there is a secret, else ``none``.
        client_id: The client identifier.
        client_secret: The client secret, if the client has one.
        **options: Passed to the method's factory (``key=``, ``alg=``, ``audience=``, ...).

    Returns:
        The configured authentication.

    Raises:
        UsageError: Unknown method, a secret method without a secret, a public method with a
            secret, or options the method does not take.
        MissingExtraError: The method needs the ``jose`` extra and it is not installed.
    """
    if method is None:
        method = "client_secret_basic" if client_secret else "none"
    try:
        factory = _METHODS[method]
    except KeyError:
        known = ", ".join(client_auth_methods())
        raise UsageError(
            f"unknown client authentication method {method!r}; known: {known}"
        ) from None
    try:
        return factory(client_id, client_secret, **options)
    except TypeError as exc:
        # A misspelt option reaches the dataclass constructor; its message names only the
        # parameter, never a value.
        raise UsageError(f"{method}: {exc}") from None
