"""requests-oauthlib's client objects and client authentication, mapped onto the core.

oauthlib client objects passed as ``client=`` are recognised by class name, so oauthlib is
never imported. requests-oauthlib's ways of authenticating a token request (an ``auth=``
object of the caller's, ``include_client_id``, ``client_secret``) become :class:`ClientAuth`
values that put exactly what requests-oauthlib puts on the wire: without ``include_client_id``,
a Basic header (with an empty password when there is no secret); with it, ``client_id`` (and a
given ``client_secret``) in the body. A public client that talks to a strict server passes
``include_client_id=True``, as with requests-oauthlib, or ``client_auth=NoneAuth(client_id)``.
"""

from __future__ import annotations

from base64 import b64encode
from dataclasses import dataclass, field

from .._errors import UsageError
from .._oauth2._client_auth import ClientAuth, ClientAuthBase, ClientSecretPost, NoneAuth

__all__ = [
    "CLIENT_KINDS",
    "ExternalAuth",
    "LegacyBasic",
    "client_kind",
    "default_auth",
    "renews_with",
    "session_auth",
]

# oauthlib client class -> the grant its sessions use.
CLIENT_KINDS = {
    "WebApplicationClient": "authorization_code",
    "LegacyApplicationClient": "password",
    "BackendApplicationClient": "client_credentials",
    "MobileApplicationClient": "implicit",
    "DeviceClient": "device_code",
}


def client_kind(client: object) -> str:
    """The grant an oauthlib client object stands for, found by class name (no import).

    Raises:
        UsageError: An oauthlib client class oauthkit does not map.
    """
    for cls in type(client).__mro__:
        if cls.__name__ in CLIENT_KINDS:
            return CLIENT_KINDS[cls.__name__]
    raise UsageError(
        f"unsupported client object {type(client).__name__}: pass one of oauthlib's "
        + ", ".join(sorted(CLIENT_KINDS))
    )


@dataclass(frozen=True, slots=True)
class ExternalAuth(ClientAuthBase):
    """The caller authenticates the token request itself (requests-oauthlib's ``auth=``).

    Adds nothing but, when asked, the ``client_id`` to the body.
    """

    client_id: str
    include_client_id: bool = False
    client_secret: str | None = field(default=None, repr=False)
    method: str = "external"

    def credentials(
        self, form: list[tuple[str, str]], headers: dict[str, str], *, endpoint: str, now: float
    ) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """The form with ``client_id`` (and ``client_secret``) added when asked."""
        if self.include_client_id and not any(name == "client_id" for name, _ in form):
            form = [*form, ("client_id", self.client_id)]
            if self.client_secret is not None:  # requests-oauthlib posts it alongside
                form.append(("client_secret", self.client_secret))
        return form, headers


@dataclass(frozen=True, slots=True)
class LegacyBasic(ClientAuthBase):
    """requests-oauthlib's Basic header: ``client_id:client_secret`` as they are, Latin-1, the
    secret possibly empty (``requests.auth.HTTPBasicAuth``).

    :class:`~oauthkit.ClientSecretBasic` form-encodes both first (RFC 6749 §2.3.1) and refuses
    an empty secret; the two agree for every id and secret of unreserved characters.
    """

    client_id: str
    client_secret: str = field(default="", repr=False)
    method: str = "client_secret_basic"

    def credentials(
        self, form: list[tuple[str, str]], headers: dict[str, str], *, endpoint: str, now: float
    ) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """The headers with the Basic ``Authorization`` added."""
        pair = f"{self.client_id}:{self.client_secret}".encode("latin-1", "replace")
        return form, {**headers, "Authorization": f"Basic {b64encode(pair).decode('ascii')}"}


def session_auth(
    client_id: str, client_secret: str | None, include_client_id: bool | None
) -> ClientAuth:
    """The authentication requests-oauthlib's ``fetch_token`` uses.

    ``include_client_id=True`` puts ``client_id`` (and ``client_secret`` when not ``None``,
    even empty) in the body; otherwise a Basic header carries both, the secret possibly empty.
    Without a ``client_id`` nothing is added.
    """
    if not client_id:
        return ExternalAuth("")
    if include_client_id:
        return ExternalAuth(client_id, True, client_secret)
    return LegacyBasic(client_id, client_secret or "")


def default_auth(client_id: str | None, client_secret: str | None) -> ClientAuth:
    """How a session authenticates renewals and its other back-channel calls until a
    ``fetch_token`` says otherwise: ``auto_refresh_kwargs``' secret in the body, as
    requests-oauthlib sends it, or else the ``client_id`` alone in the body (RFC 6749 §3.2.1).
    """
    if not client_id:
        return ExternalAuth("")
    if client_secret:
        return ClientSecretPost(client_id, client_secret)
    return NoneAuth(client_id)


def renews_with(auth: ClientAuth) -> bool:
    """Whether the authentication of a ``fetch_token`` is also right for renewals: one that
    carries a secret. A Basic header with an empty password is requests-oauthlib's wire form
    for the exchange only; a public client renews with its ``client_id`` in the body."""
    if isinstance(auth, LegacyBasic):
        return bool(auth.client_secret)
    if isinstance(auth, ExternalAuth):
        return auth.include_client_id
    return True
