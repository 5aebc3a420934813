"""``oauthkit discover ISSUER`` (``oauthkit profiles`` lives in :mod:`._profiles`).

``discover`` fetches an issuer's metadata (OIDC Discovery 1.0 §4, falling back to RFC 8414's
well-known URL on 404), checks it (the issuer it names, absolute endpoint URLs) and shows it as
a table; ``--json`` prints the document as served.
"""

from __future__ import annotations

import click

from ._output import out_console, print_json, shown
from ._session import TIMEOUT

__all__ = ["COMMANDS", "discover_command"]


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


COMMANDS = (discover_command,)
