"""A fleet sharing one grant: oauthkit on token stores against requests-oauthlib and Authlib.

Usage::

    python benchmarks/bench_fleet.py [--processes N] [--threads N] [--seconds S] [--ttl S]
                                     [--json out.json]

Several processes, each with several threads, call one API with one grant whose access
tokens live ``--ttl`` seconds. The token server rotates refresh tokens and, as oidc-provider
does (RFC 9700 §4.14), revokes the whole grant when a rotated refresh token comes back.

* requests-oauthlib and Authlib: each thread's session holds the grant in its own memory (they
  have no store), renewing it when it expires, as their documentation shows;
* oauthkit: the sessions share the grant through an ``SQLiteStore``, and through a
  ``RedisStore`` when ``redis-server`` is on the PATH.

Printed per contender: token requests, whether the grant was revoked, API calls that failed
and API calls made. Contenders run one after the other, each against a fresh grant.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _harness import environment, loopback_server, redis_server, render_table, write_json
from bench_oauth2 import StormServer, _StormHandler


class FleetServer(StormServer):
    """The storm server's rotating grant, with short-lived access tokens."""

    ttl: int = 2

    def token(self, form: Any) -> tuple[int, dict[str, Any]]:
        status, payload = super().token(form)
        if status == 200:
            payload["expires_in"] = self.ttl
        return status, payload


def _session(contender: str, token: dict[str, Any], base: str, store_url: str) -> Any:
    token_url = f"{base}/token"
    if contender == "requests-oauthlib":
        from requests_oauthlib import OAuth2Session as Upstream

        return Upstream("app", token=token, auto_refresh_url=token_url, token_updater=_ignore)
    if contender == "Authlib":
        from authlib.integrations.requests_client import OAuth2Session as Authlib

        return Authlib("app", token=token, token_endpoint=token_url, update_token=_ignore)
    from oauthkit.requests import OAuth2Session
    from oauthkit.stores import RedisStore, SQLiteStore

    store = (
        RedisStore(store_url, prefix="bench-fleet")
        if store_url.startswith("redis")
        else SQLiteStore(store_url)
    )
    return OAuth2Session("app", auto_refresh_url=token_url, token_store=store, token_key="fleet")


def _ignore(*args: Any, **kwargs: Any) -> None:
    """A token updater that keeps nothing: each session holds its token in memory."""


def _member(
    contender: str, token: dict[str, Any], base: str, store_url: str, plan: dict[str, Any], out: Any
) -> None:
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # oauthlib refuses loopback http otherwise
    calls = [0, 0]  # made, failed
    lock = threading.Lock()

    def run() -> None:
        session = _session(contender, dict(token), base, store_url)
        session.trust_env = False
        deadline = time.monotonic() + plan["seconds"]
        while time.monotonic() < deadline:
            try:
                ok = session.get(f"{base}/api", timeout=10).status_code == 200
            except Exception:  # a refused renewal, a revoked grant: counted, the run goes on
                ok = False
            with lock:
                calls[0] += 1
                calls[1] += not ok
            time.sleep(0.02)

    threads = [threading.Thread(target=run) for _ in range(plan["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(calls)


def run_contender(contender: str, store_url: str, plan: dict[str, Any]) -> dict[str, Any]:
    server = FleetServer(0.0)
    server.ttl = plan["ttl"]
    handler = type("Handler", (_StormHandler,), {"server_state": server})
    with loopback_server(handler) as base:
        token = server.issue_expired()
        if contender.startswith("oauthkit"):
            from oauthkit.stores import RedisStore, SQLiteStore

            seed = (
                RedisStore(store_url, prefix="bench-fleet")
                if store_url.startswith("redis")
                else SQLiteStore(store_url)
            )
            current = seed.load("fleet")
            seed.save("fleet", token, version=None if current is None else current.version)
        context = multiprocessing.get_context("spawn")
        out = context.Queue()
        members = [
            context.Process(target=_member, args=(contender, token, base, store_url, plan, out))
            for _ in range(plan["processes"])
        ]
        for member in members:
            member.start()
        totals = [out.get(timeout=300) for _ in members]
        for member in members:
            member.join(30)
    return {
        "contender": contender,
        "token_requests": server.token_requests,
        "revoked": server.revoked,
        "calls": sum(made for made, _ in totals),
        "failed": sum(failed for _, failed in totals),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--ttl", type=int, default=2, help="access token lifetime, seconds")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    plan = {k: getattr(args, k) for k in ("processes", "threads", "seconds", "ttl")}
    env = environment(["oauthkit", "requests-oauthlib", "Authlib", "redis"])
    print("oauthkit fleet benchmark")
    print(f"Python {env['python']} on {env['platform']}; {env['versions']}")
    print(
        f"{args.processes} processes x {args.threads} threads for {args.seconds:g} s, one grant,"
        f" {args.ttl}-second access tokens, refresh rotation with reuse detection"
    )
    results = []
    with ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory())
        contenders = [
            ("requests-oauthlib", ""),
            ("Authlib", ""),
            ("oauthkit (SQLiteStore)", str(Path(workdir) / "tokens.db")),
        ]
        redis_url = stack.enter_context(redis_server())
        if redis_url is not None:
            contenders.append(("oauthkit (RedisStore)", redis_url))
        for contender, store_url in contenders:
            results.append(run_contender(contender, store_url, plan))
    expiries = args.seconds / (args.ttl / 2)
    rows = [
        [
            r["contender"],
            str(r["token_requests"]),
            f"{r['token_requests'] / expiries:.1f}",
            "yes" if r["revoked"] else "no",
            f"{r['failed']:,}",
            f"{r['calls']:,}",
        ]
        for r in results
    ]
    print(
        render_table(
            ["contender", "token requests", "per renewal due", "grant revoked", "failed", "calls"],
            rows,
        )
    )
    print(
        f"  'per renewal due': token requests over the {expiries:.0f} renewals a single holder"
        " would make (renewing at half the token's life); 1.0 is one per expiry for the fleet."
    )
    if redis_url is None:
        print("  (redis-server not found: the RedisStore row is left out)")
    if args.json:
        write_json(args.json, {"environment": env, "plan": plan, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
