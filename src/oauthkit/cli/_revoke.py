"""``oauthkit revoke [PROFILE]`` and ``oauthkit logout [PROFILE]`` (RFC 7009).

``revoke`` asks the server to revoke the profile's grant: the refresh token when there is one
(which revokes the access tokens of the grant too, RFC 7009 §2.1), else the access token. The
record stays in the store, so ``token`` then reports the refusal. ``logout`` revokes (when the
server has a revocation endpoint) and deletes the record.
"""

from __future__ import annotations

import click

from ._config import load_config
from ._output import err_console, print_json
from ._session import ProfileSession

__all__ = ["COMMANDS", "logout_command", "revoke_command"]


def _revoke(session: ProfileSession) -> bool:
    """Revoke the stored grant at the server; whether there was a token to revoke."""
    token = session.stored()
    if token is None:
        return False
    url = session.endpoint("revocation_endpoint") or ""  # required: raises when unknown
    if token.refresh_token:
        session.client.revoke_token(url, token.refresh_token, "refresh_token")
    session.client.revoke_token(url, token.access_token, "access_token")
    return True


@click.command("revoke")
@click.argument("profile", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def revoke_command(profile: str | None, as_json: bool) -> int:
    """Revoke PROFILE's tokens at the server (the record stays)."""
    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    try:
        revoked = _revoke(session)
    finally:
        session.close()
    if not revoked:
        raise session.login_needed()
    _tell(as_json, {"profile": session.profile.name, "revoked": True}, "Revoked the tokens of")
    return 0


@click.command("logout")
@click.argument("profile", required=False)
@click.option("--keep-grant", is_flag=True, help="Only forget the token; revoke nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def logout_command(profile: str | None, keep_grant: bool, as_json: bool) -> int:
    """Revoke PROFILE's tokens and delete them from the store."""
    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    try:
        revoked = False
        if not keep_grant and (
            session.profile.endpoints.get("revocation_endpoint") or session.profile.issuer
        ):
            has_endpoint = session.endpoint("revocation_endpoint", required=False) is not None
            revoked = has_endpoint and _revoke(session)
        forgotten = session.forget()
    finally:
        session.close()
    outcome = {"profile": session.profile.name, "revoked": revoked, "forgotten": forgotten}
    _tell(as_json, outcome, "Logged out of" if forgotten else "Was not logged in to")
    return 0


def _tell(as_json: bool, outcome: dict[str, object], words: str) -> None:
    if as_json:
        print_json(outcome)
    else:
        err_console().print(f"{words} [bold]{outcome['profile']}[/bold].")


COMMANDS = (revoke_command, logout_command)
