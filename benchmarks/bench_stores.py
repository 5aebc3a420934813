"""What a token store costs a session: per request with a fresh token, and per renewal.

Usage::

    python benchmarks/bench_stores.py [--quick] [--json out.json]

Sections (issue #11):

1. the overhead per protected request of a session on each store, with a fresh token, over
   the same session without a store (bar: within 5 µs); the token is kept in memory while it
   is fresh, so no store is read;
2. the latency a store adds to a renewal (its lock, a load and a save), over a renewal without
   a store, against a loopback token endpoint.

Calls of every contender are interleaved call by call (``rounds == iterations``) and the
differences taken call by call, so that a drift of the machine cancels out.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from _harness import (
    Contender,
    OkHandler,
    Stats,
    compare,
    environment,
    fmt_us,
    loopback_server,
    paired_difference,
    redis_server,
    render_table,
    write_json,
)
from oauthkit.requests import OAuth2Session
from oauthkit.stores import FileStore, MemoryStore, RedisStore, SQLiteStore


class _TokenHandler(OkHandler):
    """``POST /token`` issues a token; anything else answers ``200 ok``."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"] or 0))
        body = json.dumps(
            {"access_token": "fresh", "refresh_token": "rt", "expires_in": 3600}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HEADERS = ["session", "median µs", "+µs median", "+µs p90"]


def _overhead(
    stats: dict[str, Stats], names: list[str]
) -> tuple[list[list[str]], dict[str, float]]:
    """Rows for ``names`` (the first, "no store", is the baseline) and each store's +µs median."""
    baseline = stats[names[0]]
    rows = [[names[0], fmt_us(baseline.median_us), "-", "-"]]
    added = {}
    for name in names[1:]:
        diff = paired_difference(stats[name], baseline)
        rows.append(
            [name, fmt_us(stats[name].median_us), f"{diff.median_us:+.1f}", f"{diff.p90_us:+.1f}"]
        )
        added[name] = diff.median_us
    return rows, added


def _stores(workdir: Path, redis_url: str | None) -> dict[str, Any]:
    stores: dict[str, Any] = {
        "no store": None,
        "MemoryStore": MemoryStore(),
        "FileStore": FileStore(workdir / "tokens"),
        "SQLiteStore": SQLiteStore(workdir / "tokens.db"),
    }
    if redis_url is not None:
        stores["RedisStore"] = RedisStore(redis_url, prefix="bench-stores")
    return stores


def _session(base: str, store: Any, token: dict[str, Any], key: str) -> OAuth2Session:
    options: dict[str, Any] = {}
    if store is not None:
        store.save(key, token, version=None)
        options = {"token_store": store, "token_key": key}
    else:
        options = {"token": token}
    session = OAuth2Session(
        "app", auto_refresh_url=f"{base}/token", token_updater=lambda t: None, **options
    )
    session.trust_env = False
    return session


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks it runs")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    requests_n, renewals_n = (20, 5) if args.quick else (2000, 200)
    env = environment(["oauthkit", "requests", "redis"])
    print("oauthkit token store benchmark")
    print(f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs")
    results: dict[str, Any] = {"environment": env}
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        redis_url = stack.enter_context(redis_server())
        base = stack.enter_context(loopback_server(_TokenHandler))
        stores = _stores(workdir, redis_url)

        fresh = {"access_token": "fresh", "refresh_token": "rt", "expires_at": time.time() + 1e6}
        sessions = {name: _session(base, store, fresh, "fresh") for name, store in stores.items()}
        for session in sessions.values():
            session.get(f"{base}/api")  # loads the token once: later requests use memory
        stats = compare(
            [Contender(name, lambda _, s=s: s.get(f"{base}/api")) for name, s in sessions.items()],
            iterations=requests_n,
            warmup=min(50, requests_n),
            rounds=requests_n,
        )
        rows, section1 = _overhead(stats, list(stores))
        print("\n1. A protected request with a fresh token: microseconds per request")
        print(render_table(HEADERS, rows))
        print("  The token is kept in memory while fresh: no store is read on these requests.")

        expired = {"access_token": "old", "refresh_token": "rt", "expires_at": 1.0}
        counter = iter(range(10**9))

        def renewal(name: str, store: Any) -> Contender:
            def setup() -> OAuth2Session:
                # a new key per call: each renewal starts from a stored, expired token
                return _session(base, store, expired, f"renew-{next(counter)}")

            return Contender(name, lambda session: session.get(f"{base}/api"), setup=setup)

        contenders = [renewal(name, store) for name, store in stores.items()]
        renew_stats = compare(
            contenders, iterations=renewals_n, warmup=min(10, renewals_n), rounds=renewals_n
        )
        rows, section2 = _overhead(renew_stats, list(stores))
        print("\n2. A request that renews its token first: microseconds per request")
        print(render_table(HEADERS, rows))
        print(
            "  The store's part: its lock (taken and released), a load and a compare-and-set"
            " save; the token request itself is the same for every row."
        )
        if redis_url is None:
            print("  (redis-server not found: the RedisStore rows are left out)")
        results["fresh_request_overhead_us"] = section1
        results["renewal_overhead_us"] = section2
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
