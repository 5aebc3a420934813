"""``oauthkit token``: print a valid access token, or obtain one with a one-shot grant.

``oauthkit token [PROFILE]`` prints the profile's access token, renewed first through the
store when it is due (a fresh one never gets here: :mod:`._fast` prints it). ``--json`` prints
the whole record with its expiry (never a DPoP private key).

``oauthkit token --grant GRANT`` obtains a token once, without storing it, as oauth2c does:
``client_credentials`` (RFC 6749 §4.4), ``password`` (§4.3), ``device`` (RFC 8628),
``token-exchange`` (RFC 8693) and ``jwt-bearer`` (RFC 7523), with the client's authentication
from flags (``--auth-method``, a secret from ``--client-secret`` or ``$OAUTHKIT_CLIENT_SECRET``,
a ``--signing-key`` for ``private_key_jwt``). ``--resource`` may be repeated: each URI is one
``resource`` parameter (RFC 8707 §2). A PROFILE given with ``--grant`` supplies the client and
endpoints the flags leave out.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from .._errors import TokenEndpointError
from ._config import Profile, load_config
from ._fast import print_token
from ._output import EXIT_REFUSED, EXIT_USAGE, CliError
from ._session import TIMEOUT, ProfileSession

__all__ = ["COMMANDS", "GRANTS", "token_command"]

_OPTION = {"scopes": "scope", "resources": "resource"}  # parameter name -> option name
GRANTS = ("client_credentials", "device", "password", "token-exchange", "jwt-bearer")


@click.command("token")
@click.argument("profile", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the whole token record as JSON.")
@click.option("--force-renew", is_flag=True, help="Renew now even if the token is fresh.")
@click.option("--grant", type=click.Choice(GRANTS), help="Obtain a token once with this grant.")
@click.option("--issuer", help="One-shot: the issuer (its token endpoint is discovered).")
@click.option("--token-url", help="One-shot: the token endpoint.")
@click.option("--device-url", help="One-shot device grant: the device authorization endpoint.")
@click.option("--client-id", help="One-shot: the client id.")
@click.option(
    "--client-secret",
    envvar="OAUTHKIT_CLIENT_SECRET",
    help="One-shot: the client secret (better: $OAUTHKIT_CLIENT_SECRET).",
)
@click.option(
    "--auth-method",
    help="Client authentication: client_secret_basic, client_secret_post, client_secret_jwt, "
    "private_key_jwt, none (default: basic with a secret, else none).",
)
@click.option(
    "--signing-key",
    type=click.Path(exists=True, dir_okay=False),
    help="private_key_jwt: the client's private key (PEM or JWK file).",
)
@click.option("--scope", "scopes", multiple=True, help="A scope (repeat, or space-separated).")
@click.option(
    "--resource",
    "resources",
    multiple=True,
    help="An RFC 8707 resource indicator (repeat for several: one parameter each).",
)
@click.option("--audience", help="token-exchange: the target audience.")
@click.option("--username", help="password grant: the resource owner's name.")
@click.option(
    "--password", envvar="OAUTHKIT_PASSWORD", help="password grant (better: $OAUTHKIT_PASSWORD)."
)
@click.option("--subject-token", help="token-exchange: the token to exchange ('-' reads stdin).")
@click.option(
    "--subject-token-type",
    default="urn:ietf:params:oauth:token-type:access_token",
    show_default=True,
    help="token-exchange: its type.",
)
@click.option("--assertion", help="jwt-bearer: the JWT assertion ('-' reads stdin).")
def token_command(profile: str | None, as_json: bool, force_renew: bool, **flags: Any) -> int:
    """Print a valid access token for PROFILE, renewing it through the store if needed."""
    config = load_config()
    if flags["grant"] is None:
        used = sorted(k for k, v in flags.items() if v and k not in ("subject_token_type",))
        if used:
            raise CliError(
                f"--{_OPTION.get(used[0], used[0]).replace('_', '-')} is for one-shot grants",
                "add --grant GRANT, or drop the option to print PROFILE's token",
                EXIT_USAGE,
            )
        session = ProfileSession(config, config.profile(profile))
        try:
            token = session.fresh_token(force=force_renew)
            data = token.to_dict(now=token.issued_at) if token.issued_at else token.to_dict()
        finally:
            session.close()
        return print_token(data, as_json, time.time())
    base = config.profile(profile) if profile is not None else None
    data = _one_shot(base, flags)
    return print_token(data, as_json, time.time())


def _read(value: str | None) -> str | None:
    if value == "-":
        return sys.stdin.read().strip()
    return value


def _one_shot(base: Profile | None, flags: dict[str, Any]) -> dict[str, Any]:
    from .. import client_auth_for
    from ..httpx import OAuth2Client

    client_id = flags["client_id"] or (base.client_id if base else None)
    if not client_id:
        raise CliError("a one-shot grant needs --client-id", "", EXIT_USAGE)
    secret = flags["client_secret"] or (base.client_secret() if base else None)
    options: dict[str, Any] = {}
    if flags["signing_key"]:
        options["key"] = Path(flags["signing_key"]).read_text("utf-8")
    method = flags["auth_method"] or (base.client_auth if base else None)
    auth = client_auth_for(method, client_id, secret, **options)
    issuer = flags["issuer"] or (base.issuer if base else None)
    token_url = flags["token_url"] or (base.endpoints.get("token_endpoint") if base else None)
    if not (issuer or token_url):
        raise CliError("a one-shot grant needs --token-url or --issuer", "", EXIT_USAGE)
    scope = " ".join(flags["scopes"]).split() or (base.scope if base else None)
    resource = list(flags["resources"]) or (base.resource if base else None)
    with OAuth2Client(
        client_id, scope=scope, issuer=issuer, client_auth=auth, timeout=TIMEOUT
    ) as client:
        if issuer and not token_url:
            token_url = client.discover().endpoint("token_endpoint")
        grant = _grant(flags, scope)
        if grant is None:  # the device grant
            from ._login import device_login

            device_url = flags["device_url"] or (
                base.endpoints.get("device_authorization_endpoint") if base else None
            )
            if device_url is None and issuer:
                device_url = client.discover().endpoint("device_authorization_endpoint")
            if device_url is None:
                raise CliError("the device grant needs --device-url or --issuer", "", EXIT_USAGE)
            return device_login(client, device_url, token_url)
        extra: dict[str, Any] = {"resource": resource} if resource else {}
        try:
            result: dict[str, Any] = client.fetch_token(token_url, grant=grant, **extra)
        except TokenEndpointError as exc:
            if exc.error != "invalid_grant":
                raise
            # not "log in again" (status 3): a one-shot grant's own input was refused
            hint = f"the server refused the {flags['grant']} grant (its token or assertion)"
            raise CliError(str(exc), hint, EXIT_REFUSED) from None
        return result


def _grant(flags: dict[str, Any], scope: list[str] | None) -> Any:
    from .. import ClientCredentialsGrant, JwtBearerGrant, PasswordGrant, TokenExchangeGrant

    name = flags["grant"]
    if name == "client_credentials":
        return ClientCredentialsGrant(scope=scope)
    if name == "password":
        if not flags["username"] or not flags["password"]:
            raise CliError("the password grant needs --username and --password", "", EXIT_USAGE)
        return PasswordGrant(flags["username"], flags["password"], scope=scope)
    if name == "token-exchange":
        subject = _read(flags["subject_token"])
        if not subject:
            raise CliError("token-exchange needs --subject-token", "", EXIT_USAGE)
        return TokenExchangeGrant(
            subject,
            subject_token_type=flags["subject_token_type"],
            audience=flags["audience"],
            scope=scope,
        )
    if name == "jwt-bearer":
        assertion = _read(flags["assertion"])
        if not assertion:
            raise CliError("jwt-bearer needs --assertion", "", EXIT_USAGE)
        return JwtBearerGrant(assertion, scope=scope)
    return None


COMMANDS = (token_command,)
