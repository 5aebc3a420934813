"""The ``oauthkit token`` fast path: a fresh stored token printed without loading the CLI.

``oauthkit token`` is run by scripts and shell prompts, often many times a minute, the way
``gh auth token`` is. With a fresh token in the default SQLite store, it reads the record and
prints it with the standard library alone (``tomllib``, ``sqlite3``, ``json``): no click, rich,
httpx or protocol module is imported. Anything else (no record, a token due for renewal, an
encrypted or keyring store, an option this path does not know, an error to report) returns
``None`` and the full command runs, which renews under the store's lock.

This path only *reads*: a record written by :class:`oauthkit.stores.SQLiteStore` (schema,
key and shapes checked as :func:`oauthkit.stores._base.decode_record` checks them; a test keeps
the two in agreement). It never writes, so it cannot break the store's compare-and-set.
"""

from __future__ import annotations

import json
import os
import sys
import time

from ._config import load_config, store_key

__all__ = [
    "DPOP_KEY",
    "LEEWAY",
    "LEEWAY_FRACTION",
    "print_token",
    "quiet_stdout",
    "read_record",
    "renew_at",
    "token_fast",
    "token_view",
]

LEEWAY = 60.0
"""Seconds before expiry the CLI renews: a printed token should outlive the command using it."""
LEEWAY_FRACTION = 0.5
"""As :data:`oauthkit._oauth2._manager.LEEWAY_FRACTION`: never earlier than half the lifetime."""
DPOP_KEY = "oauthkit_dpop_jwk"
"""The record member holding a DPoP private key (:data:`oauthkit._oauth2._stored.DPOP_KEY`):
never printed."""
_SCHEMA = 1


def read_record(path: str, key: str) -> dict[str, object] | None:
    """The token a :class:`~oauthkit.stores.SQLiteStore` at ``path`` holds for ``key``, or
    ``None`` when there is none or it is not a plain record (encrypted, damaged, foreign)."""
    import sqlite3

    if not os.path.isfile(path):
        return None
    db = sqlite3.connect(path, timeout=5.0)
    try:
        row = db.execute("SELECT record FROM oauthkit_tokens WHERE key = ?", (key,)).fetchone()
    except sqlite3.Error:
        return None
    finally:
        db.close()
    if row is None:
        return None
    try:
        data = json.loads(row[0])
    except ValueError:
        return None
    if (
        not isinstance(data, dict)
        or data.get("schema") != _SCHEMA
        or data.get("key") != key
        or type(data.get("version")) is not int
        or "sealed" in data
    ):
        return None
    token = data.get("token")
    if not isinstance(token, dict) or not isinstance(token.get("access_token"), str):
        return None
    return token


def renew_at(token: dict[str, object]) -> float | None:
    """When the CLI renews ``token`` (``None``: it does not expire), by the rule of
    :meth:`oauthkit.TokenManager.should_renew` with a leeway of :data:`LEEWAY`."""
    expires_at = token.get("expires_at")
    if isinstance(expires_at, bool) or not isinstance(expires_at, (int, float)):
        return None
    leeway = LEEWAY
    lifetime = token.get("expires_in")
    if isinstance(lifetime, (int, float)) and not isinstance(lifetime, bool) and lifetime > 0:
        leeway = min(leeway, lifetime * LEEWAY_FRACTION)
    return float(expires_at) - leeway


def token_view(token: dict[str, object], now: float) -> dict[str, object]:
    """The token as ``oauthkit token --json`` prints it: every member but a DPoP key, with
    ``expires_in`` counted from ``now`` and ``expires`` in UTC (ISO 8601)."""
    view = {k: v for k, v in token.items() if k != DPOP_KEY}
    expires_at = token.get("expires_at")
    if isinstance(expires_at, (int, float)) and not isinstance(expires_at, bool):
        view["expires_in"] = int(expires_at - now)
        view["expires"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires_at))
    if DPOP_KEY in token or str(token.get("token_type", "")).lower() == "dpop":
        view["dpop_bound"] = True  # useless without its key, which is never printed
    return view


def print_token(token: dict[str, object], as_json: bool, now: float) -> int:
    """Print the access token (or the record) on stdout; a closed pipe ends quietly."""
    if as_json:
        text = json.dumps(token_view(token, now), indent=2, ensure_ascii=True) + "\n"
    else:
        text = f"{token['access_token']}\n"
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()
    return 0


def quiet_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null, so that the interpreter's final flush
    does not fail again (the recipe of Python's ``signal`` documentation)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def token_fast(argv: list[str]) -> int | None:
    """Run ``oauthkit token [PROFILE] [--json]`` from a fresh stored token, or return ``None``
    for the full command to run."""
    if not argv or argv[0] != "token":
        return None
    words = argv[1:]
    as_json = "--json" in words
    words = [w for w in words if w != "--json"]
    if len(words) > 1 or any(w.startswith("-") for w in words):
        return None
    try:
        config = load_config()
        profile = config.profile(words[0] if words else None)
        if config.store_kind != "sqlite":
            return None
        token = read_record(config.token_store_path(), store_key(profile.name))
    except Exception:  # the full command reports it, with a hint
        return None
    if token is None:
        return None
    now = time.time()
    due = renew_at(token)
    if due is not None and now >= due:
        return None
    return print_token(token, as_json, now)
