"""requests-oauthlib's client objects and client authentication, mapped onto the core.

oauthlib client objects passed as ``client=`` are recognised by class name, so oauthlib is
never imported. requests-oauthlib's ways of authenticating a token request (an ``auth=``
object of the caller's, ``include_client_id``, ``client_secret``) become :class:`ClientAuth`
values, with one correction: a client without a secret is public, so its ``client_id`` goes in
the body and never in a Basic header with an empty password (RFC 6749 §2.3.1, §3.2.1), which
strict servers refuse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .._errors import UsageError
from .._oauth2._client_auth import (
    ClientAuth,
    ClientAuthBase,
    ClientSecretBasic,
    ClientSecretPost,
    NoneAuth,
)

__all__ = ["CLIENT_KINDS", "ExternalAuth", "client_kind", "session_auth"]

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


def session_auth(
    client_id: str, client_secret: str | None, include_client_id: bool | None
) -> ClientAuth:
    """The authentication requests-oauthlib would use, but public clients stay public.

    requests-oauthlib sends Basic with an empty password for a client without a secret; a
    public client must instead identify itself in the body (RFC 6749 §3.2.1).
    """
    if not client_secret:
        return NoneAuth(client_id)
    if include_client_id:
        return ClientSecretPost(client_id, client_secret)
    return ClientSecretBasic(client_id, client_secret)
