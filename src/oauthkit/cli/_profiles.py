"""``oauthkit profiles``: list, add, show and remove the profiles of the configuration file.

``profiles add``/``remove`` rewrite the file: it is read as TOML, changed, checked as every
command reads it (:class:`~._config.Config`, so a change that would break the file is refused
before anything is written), serialised with ``tomli-w`` and written atomically with mode 0600
(:func:`oauthkit.stores._file.write_private_file`). ``tomli-w`` writes data, not layout: the
file's comments are not kept.

Secrets never reach the file, nor the command line (where other users see them in the process
list): ``--client-secret-env VAR`` names the environment variable that will hold the client
secret, and ``--client-secret-keyring`` stores it in the keyring (service ``oauthkit``, user
``client_secret:NAME``), read from a prompt that does not echo on a terminal, else from the
first line of stdin.
"""

from __future__ import annotations

import contextlib
import sys
import time
from pathlib import Path
from typing import Any

import click

from ._config import (
    Config,
    ConfigError,
    Profile,
    config_path,
    load_config,
    read_document,
    store_key,
)
from ._fast import renew_at
from ._output import EXIT_USAGE, CliError, err_console, out_console, print_json, relative, shown
from ._session import open_store

__all__ = [
    "CLIENT_AUTH",
    "COMMANDS",
    "KEYRING_SERVICE",
    "add_command",
    "profiles_command",
    "remove_command",
    "show_command",
    "write_document",
]

KEYRING_SERVICE = "oauthkit"
"""The keyring service of client secrets (user ``client_secret:NAME``), as :class:`Profile`
reads them."""
CLIENT_AUTH = ("none", "client_secret_basic", "client_secret_post", "client_secret_jwt")


def write_document(path: str, data: dict[str, Any]) -> Config:
    """Check ``data`` as a configuration and write it to ``path`` (atomically, mode 0600).

    Raises:
        ConfigError: ``data`` is not a valid configuration (nothing is written), or the file
            cannot be written.
    """
    import tomli_w

    config = Config(path, data)
    try:
        from ..stores._file import write_private_file

        write_private_file(Path(path), tomli_w.dumps(data).encode("utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from None
    return config


def _profiles(data: dict[str, Any], path: str) -> dict[str, Any]:
    """The document's ``profiles`` table (the same object: changing it changes ``data``)."""
    profiles = data.setdefault("profiles", {})
    if not isinstance(profiles, dict):
        raise ConfigError(f"{path}: profiles must be tables: [profiles.NAME]")
    return profiles


def _state(name: str, store: Any, now: float) -> str:
    """``not logged in``, ``logged in, expires in 4 min``...: a profile's login state."""
    record = store.load(store_key(name)) if store is not None else None
    if record is None:
        return "not logged in"
    due = renew_at(dict(record.token))
    expires_at = record.token.get("expires_at")
    if due is None or not isinstance(expires_at, (int, float)):
        return "logged in"
    if now < due:
        return f"logged in, expires {relative(expires_at - now)}"
    return "logged in, renews at next use"


@click.group("profiles", invoke_without_command=True)
@click.option("--path", "show_path", is_flag=True, help="Print the configuration file's path.")
@click.option("--json", "as_json", is_flag=True, help="Print the profiles as JSON.")
@click.pass_context
def profiles_command(ctx: click.Context, show_path: bool, as_json: bool) -> int:
    """List the configured profiles and whether each is logged in; add, show, remove them."""
    if ctx.invoked_subcommand is not None:
        return 0
    if show_path:
        click.echo(config_path())
        return 0
    config = load_config()
    store = open_store(config) if config.profiles else None
    now = time.time()
    rows: list[dict[str, Any]] = [
        {
            "name": name,
            "default": name == config.default_profile,
            "issuer": profile.issuer,
            "token_endpoint": profile.endpoints.get("token_endpoint"),
            "client_id": profile.client_id,
            "scope": profile.scope,
            "state": _state(name, store, now),
        }
        for name, profile in sorted(config.profiles.items())
    ]
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


def _refuse_secret(ctx: click.Context, param: click.Parameter, value: object) -> None:
    if value is not None:
        raise CliError(
            "a client secret is not taken on the command line (other users can read it there)",
            "--client-secret-env VARIABLE names where it will be, or --client-secret-keyring "
            "stores it in the keyring (prompted for, or read from stdin)",
            EXIT_USAGE,
        )


@profiles_command.command("add")
@click.argument("name")
@click.option("--issuer", help="The issuer: endpoints are discovered (OIDC Discovery, RFC 8414).")
@click.option("--token-endpoint", help="The token endpoint, when there is no issuer to discover.")
@click.option("--client-id", required=True, help="The client id.")
@click.option("--scope", "scopes", multiple=True, help="A scope (repeat, or space-separated).")
@click.option("--client-auth", type=click.Choice(CLIENT_AUTH), help="Client authentication.")
@click.option("--client-secret-env", metavar="VAR", help="The client secret's variable.")
@click.option(
    "--client-secret-keyring",
    is_flag=True,
    help="Store the client secret in the keyring (prompted for without echo, or from stdin).",
)
@click.option("--client-secret", hidden=True, expose_value=False, callback=_refuse_secret)
@click.option("--redirect-port", type=click.IntRange(0, 65535), help="Loopback login port.")
@click.option("--redirect-path", help="The registered loopback redirect URI's path.")
@click.option("--dpop", is_flag=True, help="Bind the tokens to a DPoP key (RFC 9449).")
@click.option("--resource", help="An RFC 8707 resource indicator for renewals.")
@click.option("--default", "make_default", is_flag=True, help="Make it the default profile.")
@click.option("--replace", is_flag=True, help="Replace a profile of that name.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def add_command(name: str, make_default: bool, replace: bool, as_json: bool, **flags: Any) -> int:
    """Add profile NAME to the configuration file (written with mode 0600)."""
    path = config_path()
    data = read_document(path)
    profiles = data["profiles"] = _profiles(data, path)
    if name in profiles and not replace:
        raise CliError(f"profile {name!r} exists in {path}", "add --replace to replace it")
    if flags["client_secret_env"] and flags["client_secret_keyring"]:
        raise CliError(
            "--client-secret-env and --client-secret-keyring exclude each other", "", EXIT_USAGE
        )
    needs_secret = flags["client_auth"] not in (None, "none")
    if needs_secret and not (flags["client_secret_env"] or flags["client_secret_keyring"]):
        raise CliError(
            f"--client-auth {flags['client_auth']} needs a client secret",
            "add --client-secret-env VARIABLE or --client-secret-keyring",
            EXIT_USAGE,
        )
    table = _table(flags)
    profiles[name] = table
    if make_default or (len(profiles) == 1 and "default_profile" not in data):
        data["default_profile"] = name
    Config(path, data)  # checked before a secret is stored or anything written
    if flags["client_secret_keyring"]:
        _store_secret(name, _read_secret())
    config = write_document(path, data)
    return _show(config, config.profile(name), as_json, f"Added profile [bold]{name}[/bold]")


def _table(flags: dict[str, Any]) -> dict[str, Any]:
    """The ``[profiles.NAME]`` table for the options given (those left out stay out)."""
    table: dict[str, Any] = {}
    for option in ("issuer", "token_endpoint", "client_id", "client_auth", "client_secret_env"):
        if flags[option]:
            table[option] = flags[option]
    if flags["client_secret_keyring"]:
        table["client_secret_keyring"] = True
    scope = " ".join(flags["scopes"]).split()
    if scope:
        table["scope"] = scope
    if flags["redirect_port"] is not None:
        table["redirect_port"] = flags["redirect_port"]
    for option in ("redirect_path", "resource"):
        if flags[option]:
            table[option] = flags[option]
    if flags["dpop"]:
        table["dpop"] = True
    return table


def _read_secret() -> str:
    """The client secret: from a prompt without echo on a terminal, else stdin's first line."""
    if sys.stdin.isatty():
        secret = str(click.prompt("Client secret", hide_input=True, err=True))
    else:
        secret = sys.stdin.readline().strip()
    if not secret:
        raise CliError("no client secret given", "type it at the prompt or pipe it on stdin")
    return secret


def _keyring(feature: str) -> Any:
    from .._core._extras import require

    return require("keyring", "keyring", feature)


def _store_secret(name: str, secret: str) -> None:
    keyring = _keyring("--client-secret-keyring")
    keyring.set_password(KEYRING_SERVICE, f"client_secret:{name}", secret)


@profiles_command.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def show_command(name: str, as_json: bool) -> int:
    """Show profile NAME's settings, where its secret comes from, and its login state."""
    config = load_config()
    return _show(config, config.profile(name), as_json, "")


def _show(config: Config, profile: Profile, as_json: bool, said: str) -> int:
    settings = _profiles(read_document(config.path), config.path).get(profile.name, {})
    secret = None
    if profile.client_secret_env:
        secret = f"environment variable {profile.client_secret_env}"
    elif profile.client_secret_keyring:
        secret = f"keyring: service {KEYRING_SERVICE}, user client_secret:{profile.name}"
    view = {
        "name": profile.name,
        "config": config.path,
        "default": profile.name == config.default_profile,
        "settings": settings,
        "client_secret": secret,
        "state": _state(profile.name, open_store(config), time.time()),
    }
    if said:
        err_console().print(f"{said} to {config.path}.")
    if as_json:
        print_json(view)
        return 0
    from rich.table import Table

    title = f"Profile {profile.name}" + (" (default)" if view["default"] else "")
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("setting", style="bold", overflow="fold")
    table.add_column("value", overflow="fold")
    for key, value in settings.items():
        table.add_row(key, shown(value))
    table.add_row("client secret", secret or "none")
    table.add_row("state", str(view["state"]))
    out_console().print(table)
    return 0


@profiles_command.command("remove")
@click.argument("name")
@click.option("--keep-token", is_flag=True, help="Keep its token in the store.")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
def remove_command(name: str, keep_token: bool, as_json: bool) -> int:
    """Remove profile NAME, its keyring secret and its stored token (revoke nothing: run
    `oauthkit logout NAME` first for that)."""
    config = load_config()
    profile = config.profile(name)
    data = read_document(config.path)
    del _profiles(data, config.path)[name]
    if data.get("default_profile") == name:
        del data["default_profile"]
    forgotten = False if keep_token else open_store(config).delete(store_key(name))
    write_document(config.path, data)
    if profile.client_secret_keyring:
        keyring = _keyring("removing a keyring secret")
        from keyring.errors import PasswordDeleteError

        with contextlib.suppress(PasswordDeleteError):  # already gone
            keyring.delete_password(KEYRING_SERVICE, f"client_secret:{name}")
    outcome = {"profile": name, "removed": True, "token_forgotten": forgotten}
    if as_json:
        print_json(outcome)
    else:
        err_console().print(f"Removed profile [bold]{name}[/bold] from {config.path}.")
    return 0


COMMANDS = (profiles_command,)
