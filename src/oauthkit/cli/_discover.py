"""``oauthkit discover ISSUER`` and ``oauthkit profiles``.

``discover`` fetches an issuer's metadata (OIDC Discovery 1.0 §4, falling back to RFC 8414's
well-known URL on 404), checks it (the issuer it names, absolute endpoint URLs) and shows it as
a table; ``--json`` prints the document as served. ``profiles`` lists the configured profiles
with their login state; ``--path`` prints the configuration file's path.
"""

from __future__ import annotations

import time
from typing import Any

import click

from ._config import config_path, load_config, store_key
from ._fast import renew_at
from ._output import out_console, print_json, relative, shown
from ._session import TIMEOUT, open_store

__all__ = ["COMMANDS", "discover_command", "profiles_command"]


@click.command("discover")
@click.argument("issuer")
@click.option("--json", "as_json", is_flag=True, help="Print the metadata document as JSON.")
def discover_command(issuer: str, as_json: bool) -> int:
    """Show ISSUER's metadata (OpenID Connect Discovery, RFC 8414)."""
    from ..httpx import OAuth2Client

    with OAuth2Client("", issuer=issuer, timeout=TIMEOUT) as client:
        document = dict(client.discover().document)
    if as_json:
        print_json(document)
        return 0
    from rich.table import Table

    table = Table(title=f"Metadata of {issuer}", title_justify="left")
    table.add_column("member", style="bold", overflow="fold", ratio=2)
    table.add_column("value", overflow="fold", ratio=3)
    for name in sorted(document, key=lambda n: (not n.endswith(("endpoint", "uri")), n)):
        table.add_row(name, shown(document[name]))
    out_console().print(table)
    return 0


@click.command("profiles")
@click.option("--path", "show_path", is_flag=True, help="Print the configuration file's path.")
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON.")
def profiles_command(show_path: bool, as_json: bool) -> int:
    """List the configured profiles and whether each is logged in."""
    if show_path:
        click.echo(config_path())
        return 0
    config = load_config()
    store = open_store(config) if config.profiles else None
    rows: list[dict[str, Any]] = []
    now = time.time()
    for name, profile in sorted(config.profiles.items()):
        record = store.load(store_key(name)) if store is not None else None
        state = "not logged in"
        if record is not None:
            due = renew_at(dict(record.token))
            expires_at = record.token.get("expires_at")
            if due is None or not isinstance(expires_at, (int, float)):
                state = "logged in"
            elif now < due:
                state = f"logged in, expires {relative(expires_at - now)}"
            else:
                state = "logged in, renews at next use"
        rows.append(
            {
                "name": name,
                "default": name == config.default_profile,
                "issuer": profile.issuer,
                "token_endpoint": profile.endpoints.get("token_endpoint"),
                "client_id": profile.client_id,
                "scope": profile.scope,
                "state": state,
            }
        )
    if as_json:
        print_json({"config": config.path, "profiles": rows})
        return 0
    from rich.table import Table

    table = Table(title=f"Profiles in {config.path}", title_justify="left")
    for column in ("name", "server", "client id", "state"):
        table.add_column(column, overflow="fold")
    for row in rows:
        name = row["name"] + (" (default)" if row["default"] else "")
        server = row["issuer"] or row["token_endpoint"] or ""
        table.add_row(name, server, row["client_id"] or "", row["state"])
    out_console().print(table)
    return 0


COMMANDS = (discover_command, profiles_command)
