"""``oauthkit inspect [TOKEN|-]``: what a token says, and whether its issuer signed it.

A JWT (an ID token, an RFC 9068 access token) is decoded without trust: its header, its claims,
the times in local time and how far they are ("in 4 min", "3 min ago"). ``--issuer`` verifies
the signature with the issuer's JWK Set (fetched through its metadata, RFC 8414 / OIDC
Discovery; an unknown ``kid`` refetches once) under an asymmetric-algorithms allow-list (RFC
8725 §3.1), and checks ``iss`` and ``exp``. ``--introspect`` asks the profile's authorization
server about any token, opaque ones included (RFC 7662). Without TOKEN, the token comes from
stdin when it is not a terminal, else from the profile's store (``--profile``).
"""

from __future__ import annotations

import sys
import time
from typing import Any

import click

from .._jose._compact import Compact, Rejected, parse_jws
from ._config import load_config
from ._output import (
    EXIT_REFUSED,
    EXIT_USAGE,
    CliError,
    local_time,
    out_console,
    print_json,
    relative,
    shown,
)
from ._session import TIMEOUT, ProfileSession

__all__ = ["ASYMMETRIC", "COMMANDS", "TIME_CLAIMS", "inspect_command"]

TIME_CLAIMS = ("exp", "iat", "nbf", "auth_time")
ASYMMETRIC = (
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
)  # fmt: skip


@click.command("inspect")
@click.argument("token", required=False)
@click.option("--issuer", help="Verify the signature with this issuer's keys; check iss, exp.")
@click.option("--introspect", is_flag=True, help="Ask the profile's server (RFC 7662).")
@click.option("--profile", help="The profile whose token (or server) to use.")
@click.option("--id-token", is_flag=True, help="With a stored token: inspect its ID token.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def inspect_command(
    token: str | None,
    issuer: str | None,
    introspect: bool,
    profile: str | None,
    id_token: bool,
    as_json: bool,
) -> int:
    """Decode a JWT (and verify it with --issuer), or introspect a token."""
    token = _token_from(token, profile, id_token)
    if introspect:
        return _introspect(token, profile, as_json)
    try:
        compact = parse_jws(token)
        claims = compact.claims()
    except Rejected as exc:
        raise CliError(
            f"not a JWT: {exc}", "an opaque token can be introspected: --introspect", 1
        ) from None
    result: dict[str, Any] = {"header": dict(compact.header), "claims": claims}
    if issuer is not None:
        result["verified"] = _verify(compact, claims, issuer)
    if as_json:
        print_json(result)
    else:
        _show(result)
    verified = result.get("verified")
    return EXIT_REFUSED if verified is not None and not verified["valid"] else 0


def _token_from(token: str | None, profile: str | None, id_token: bool) -> str:
    if token == "-" or (token is None and profile is None and not sys.stdin.isatty()):
        token = sys.stdin.read().strip()
    if token:
        return token
    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    try:
        stored = session.fresh_token()
    finally:
        session.close()
    if id_token:
        if not stored.id_token:
            raise CliError("the stored token has no ID token", "", EXIT_USAGE)
        return stored.id_token
    return stored.access_token


def _verify(compact: Compact, claims: dict[str, Any], issuer: str) -> dict[str, Any]:
    from .._jose._verify import check_algorithms, verify_jws
    from ..httpx import OAuth2Client
    from ..oidc._provider import shared_provider, validated

    algorithms = check_algorithms(ASYMMETRIC, "inspect")
    with OAuth2Client("", issuer=issuer, timeout=TIMEOUT) as client:
        provider = shared_provider(issuer)
        check = validated(
            provider,
            client._oauth.core,
            lambda keys: verify_jws(compact, keys=keys, algorithms=algorithms),
        )
        problems: list[str] = []
        alg = None
        try:
            alg = client._execute(check)
        except Rejected as exc:
            problems.append(f"signature: {exc}")
    if claims.get("iss") != issuer:
        problems.append(f"iss is {claims.get('iss')!r}, not {issuer!r}")
    exp = claims.get("exp")
    if isinstance(exp, (int, float)) and exp <= time.time():
        problems.append(f"expired {relative(exp - time.time())}")
    return {
        "valid": not problems,
        "alg": alg,
        "kid": compact.header.get("kid"),
        "problems": problems,
    }


def _introspect(token: str, profile: str | None, as_json: bool) -> int:
    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    try:
        url = session.endpoint("introspection_endpoint")
        answer = session.client.introspect_token(url, token)
    finally:
        session.close()
    data = {k: getattr(answer, k) for k in ("active", "scope", "client_id", "username",
            "token_type", "exp", "iat", "nbf", "sub", "aud", "iss", "jti")}  # fmt: skip
    data = {
        k: list(v) if isinstance(v, tuple) else v for k, v in data.items() if v not in (None, ())
    }
    data.update(answer.extra)
    if as_json:
        print_json(data)
    else:
        _table("Introspection", data)
    return 0


def _show(result: dict[str, Any]) -> None:
    _table("Header", result["header"])
    _table("Claims", result["claims"])
    verified = result.get("verified")
    console = out_console()
    exp = result["claims"].get("exp")
    if isinstance(exp, (int, float)):
        span = relative(exp - time.time())
        console.print(f"expires {span}" if exp > time.time() else f"expired {span}")
    if verified is not None:
        if verified["valid"]:
            console.print(f"[green]valid[/green]: signed with {verified['alg']} by the issuer")
        else:
            console.print("[red]NOT valid[/red]: " + "; ".join(verified["problems"]))


def _table(title: str, data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("name", style="bold")
    table.add_column("value", overflow="fold")
    now = time.time()
    for name, value in data.items():
        if name in TIME_CLAIMS and isinstance(value, (int, float)) and not isinstance(value, bool):
            text = f"{value} = {local_time(value, now)}"
        else:
            text = shown(value)
        table.add_row(name, text)
    out_console().print(table)


COMMANDS = (inspect_command,)
