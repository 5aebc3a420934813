"""``oauthkit request [PROFILE] METHOD URL``: call an API with the profile's token.

The token is applied by the httpx driver's auth (``Bearer``, or ``DPoP`` with a proof for a
DPoP-bound token, RFC 9449 §7.1), renewed first when due and once more after a ``401`` with
``error="invalid_token"`` (RFC 6750 §3.1), all under the store's lock. The response body goes
to stdout: JSON pretty-printed on a terminal, the raw bytes when piped. ``-i`` adds the status
line and headers (on stderr), ``--json`` prints status, headers and body as one JSON object.
An answer of 400 or more exits with status 4.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ._config import load_config
from ._output import EXIT_OK, EXIT_REFUSED, EXIT_USAGE, CliError, err_console, print_json
from ._session import ProfileSession

__all__ = ["COMMANDS", "METHODS", "request_command"]

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@click.command("request")
@click.argument("words", nargs=-1, required=True, metavar="[PROFILE] METHOD URL")
@click.option("-H", "--header", "headers", multiple=True, help="A header, 'Name: value'.")
@click.option("-d", "--data", help="The request body ('@FILE' reads a file, '-' stdin).")
@click.option("--json-body", help="A JSON body (sets Content-Type: application/json).")
@click.option("-i", "--include", is_flag=True, help="Show the status line and headers (stderr).")
@click.option("--json", "as_json", is_flag=True, help="Print status, headers and body as JSON.")
def request_command(
    words: tuple[str, ...],
    headers: tuple[str, ...],
    data: str | None,
    json_body: str | None,
    include: bool,
    as_json: bool,
) -> int:
    """Call an API at URL with PROFILE's token, renewing it if needed."""
    if len(words) == 2:
        profile, (method, url) = None, words
    elif len(words) == 3:
        profile, method, url = words
    else:
        raise CliError("expected [PROFILE] METHOD URL", "e.g. oauthkit request GET https://...", 2)
    method = method.upper()
    if method not in METHODS:
        raise CliError(f"unknown method {method!r}", f"one of {', '.join(METHODS)}", EXIT_USAGE)
    config = load_config()
    session = ProfileSession(config, config.profile(profile))
    try:
        session.fresh_token()  # a clear "login needed" before any request
        session.endpoint("token_endpoint")  # known, so that a 401 invalid_token can renew
        response = session.client.request(
            method, url, headers=_headers(headers), **_body(data, json_body)
        )
    finally:
        session.close()
    body = response.content
    if as_json:
        print_json(
            {
                "status": response.status_code,
                "headers": dict(response.headers),
                "body": _decoded(body),
            }
        )
    else:
        if include:
            console = err_console()
            console.print(f"HTTP {response.status_code} {response.reason_phrase}", markup=False)
            for name, value in response.headers.items():
                console.print(f"{name}: {value}", markup=False)
        _write_body(body, response.headers.get("content-type", ""))
    return EXIT_REFUSED if response.status_code >= 400 else EXIT_OK


def _headers(lines: tuple[str, ...]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise CliError(f"not a header: {line!r}", "write it as 'Name: value'", EXIT_USAGE)
        found[name.strip()] = value.strip()
    return found


def _body(data: str | None, json_body: str | None) -> dict[str, Any]:
    if data is not None and json_body is not None:
        raise CliError("--data and --json-body exclude each other", "", EXIT_USAGE)
    if json_body is not None:
        try:
            return {"json": json.loads(json_body)}
        except ValueError as exc:
            raise CliError(f"--json-body is not JSON: {exc}", "", EXIT_USAGE) from None
    if data is None:
        return {}
    if data == "-":
        return {"content": sys.stdin.buffer.read()}
    if data.startswith("@"):
        with open(data[1:], "rb") as handle:
            return {"content": handle.read()}
    return {"content": data.encode("utf-8")}


def _decoded(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", "replace")


def _write_body(body: bytes, content_type: str) -> None:
    if sys.stdout.isatty() and "json" in content_type:
        try:
            print_json(json.loads(body), pretty=True)
            return
        except ValueError:
            pass
    out = sys.stdout.buffer
    out.write(body)
    if sys.stdout.isatty() and body and not body.endswith(b"\n"):
        out.write(b"\n")
    out.flush()


COMMANDS = (request_command,)
