"""OAuth 1.0a: oauthkit against oauthlib/requests-oauthlib and Authlib, in one run.

Usage::

    python benchmarks/bench_oauth1.py [--quick] [--json out.json] [--cpu N]

Sections (issue #2):

1. HMAC-SHA1 signing of a GET with 3 query parameters (header placement);
2. HMAC-SHA1 signing of a POST with 10 form parameters;
3. RSA signing with a 2048-bit PEM key: each client is built once from the PEM, as users do,
   and then signs many requests;
4. end-to-end overhead per request against a keep-alive loopback server, requests and httpx;
5. cold import time over a bare interpreter.

Signing is measured at three layers: the *core* (``OAuth1Signer.sign``,
``oauthlib.oauth1.Client.sign``, Authlib's ``ClientAuth.prepare``), the *requests* auth hooks
called on a freshly prepared request, and the *httpx* auth flows. Every figure is the median of
per-call ``perf_counter_ns`` timings with the garbage collector off, the contenders interleaved.
"""

from __future__ import annotations

import argparse
import re
import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

from _harness import (
    Contender,
    Stats,
    compare,
    environment,
    fmt_us,
    loopback_server,
    paired_difference,
    pin_cpu,
    render_table,
    speedup,
    time_imports,
    write_json,
)

OAUTHKIT, OAUTHLIB, AUTHLIB = "oauthkit", "oauthlib", "Authlib"
CLIENT_KEY, CLIENT_SECRET = "dpf43f3p2l4k3l03", "kd94hf93k423kf44"
TOKEN, TOKEN_SECRET = "nnch734d00sl2jdk", "pfkkdhi9sl3r4s00"
CREDS = (CLIENT_KEY, CLIENT_SECRET, TOKEN, TOKEN_SECRET)
FORM = "application/x-www-form-urlencoded"
HMAC, RSA1, RSA256 = "HMAC-SHA1", "RSA-SHA1", "RSA-SHA256"
GET_PATH = "/1.1/statuses/home_timeline.json?count=20&since_id=12345&include_entities=true"
GET_URL = "https://api.example.com" + GET_PATH
POST_URL = "https://api.example.com/1.1/statuses/update.json"
POST_FORM = {
    "status": "Hello Ladies + Gentlemen, a signed OAuth request!",
    "in_reply_to_status_id": "1234567890",
    "lat": "37.7821120598956",
    "long": "-122.400612831116",
    "place_id": "df51dec6f4ee2b2c",
    "display_coordinates": "true",
    "trim_user": "true",
    "include_entities": "true",
    "media_ids": "471592142565957632,471592142565957633",
    "auto_populate_reply_metadata": "false",
}
FIXED_NONCE, FIXED_TIMESTAMP = "7d8f3e4a5b6c7d8e9f0a1b2c3d4e5f", "1318622958"


@dataclass(frozen=True, slots=True)
class Plan:
    """Iteration counts; ``--quick`` only proves that every row runs."""

    iterations: int  # fast signing operations
    warmup: int
    rsa_iterations: int  # oauthkit RSA (key loaded once)
    rsa_anchor_iterations: int  # anchors that parse the PEM on every signature
    http_iterations: int
    import_runs: int
    rounds: int


FULL = Plan(3000, 200, 300, 20, 2000, 15, 5)
QUICK = Plan(20, 3, 3, 1, 10, 1, 1)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One request to sign, and the signature method each library uses for it."""

    key: str
    title: str
    method: str
    url: str
    form: dict[str, str] | None
    signature_method: str  # oauthkit and oauthlib
    authlib_method: str | None  # None: Authlib cannot sign with this method

    @property
    def body(self) -> str | None:
        return urlencode(self.form) if self.form else None

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": FORM} if self.form else {}

    @property
    def rsa(self) -> bool:
        return self.signature_method.startswith("RSA-")


SCENARIOS = (
    Scenario("hmac_get", "HMAC-SHA1 GET, 3 query params", "GET", GET_URL, None, HMAC, HMAC),
    Scenario(
        "hmac_post", "HMAC-SHA1 POST, 10 form params", "POST", POST_URL, POST_FORM, HMAC, HMAC
    ),
    Scenario("rsa256_get", "RSA-SHA256 GET, 2048-bit PEM", "GET", GET_URL, None, RSA256, None),
    Scenario("rsa1_get", "RSA-SHA1 GET, 2048-bit PEM", "GET", GET_URL, None, RSA1, RSA1),
)


def make_pem() -> str:
    """A fresh 2048-bit RSA private key in PKCS#8 PEM, the form keys are usually stored in."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


# --- the three libraries, each called the way its users call it -----------------------------


def authlib_httpx_auth() -> Any:
    """Authlib's httpx ``OAuth1Auth``, imported without its deprecation warning.

    Authlib prefers the ``httpx2`` package and warns (with an "always" filter of its own) when
    it falls back to ``httpx``; that notice is not a result of this benchmark.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from authlib.integrations.httpx_client import OAuth1Auth

    return OAuth1Auth


def _kit_kwargs(sc: Scenario, pem: str) -> dict[str, Any]:
    return {"signature_method": sc.signature_method, "rsa_key": pem if sc.rsa else None}


def _authlib_kwargs(sc: Scenario, pem: str) -> dict[str, Any]:
    return {"signature_method": sc.authlib_method, "rsa_key": pem if sc.rsa else None}


def core_contenders(sc: Scenario, pem: str) -> list[Contender]:
    import oauthlib.oauth1
    from authlib.oauth1 import ClientAuth

    import oauthkit

    signer = oauthkit.oauth1.OAuth1Signer(*CREDS, **_kit_kwargs(sc, pem))
    client = oauthlib.oauth1.Client(*CREDS, **_kit_kwargs(sc, pem))
    method, url, body, headers = sc.method, sc.url, sc.body, sc.headers
    out = [
        Contender(OAUTHKIT, lambda h: signer.sign(method, url, h, body), lambda: dict(headers)),
        Contender(OAUTHLIB, lambda h: client.sign(url, method, body, h), lambda: dict(headers)),
    ]
    if sc.authlib_method:
        auth = ClientAuth(*CREDS, **_authlib_kwargs(sc, pem))
        out.append(
            Contender(
                AUTHLIB, lambda h: auth.prepare(method, url, h, body or b""), lambda: dict(headers)
            )
        )
    return out


def requests_contenders(sc: Scenario, pem: str) -> list[Contender]:
    import requests
    import requests_oauthlib
    from authlib.integrations.requests_client import OAuth1Auth as AuthlibAuth

    import oauthkit.requests

    def fresh() -> requests.PreparedRequest:
        # A new prepared request per call (untimed): auth hooks mutate what they are given.
        return requests.Request(sc.method, sc.url, data=sc.form).prepare()

    kit = oauthkit.requests.OAuth1(*CREDS, **_kit_kwargs(sc, pem))
    rol = requests_oauthlib.OAuth1(*CREDS, **_kit_kwargs(sc, pem))
    out = [Contender(OAUTHKIT, kit, fresh), Contender(OAUTHLIB, rol, fresh)]
    if sc.authlib_method:
        alb = AuthlibAuth(*CREDS, **_authlib_kwargs(sc, pem))
        out.append(Contender(AUTHLIB, alb, fresh))
    return out


def httpx_contenders(sc: Scenario, pem: str) -> list[Contender]:
    import httpx

    AuthlibAuth = authlib_httpx_auth()

    import oauthkit.httpx

    def fresh() -> httpx.Request:
        return httpx.Request(sc.method, sc.url, data=sc.form)

    def flow(auth: httpx.Auth) -> Callable[[httpx.Request], httpx.Request]:
        # What httpx.Client does with an Auth: start its flow and take the request it yields.
        return lambda request: next(auth.sync_auth_flow(request))

    kit = oauthkit.httpx.OAuth1Auth(*CREDS, **_kit_kwargs(sc, pem))
    out = [Contender(OAUTHKIT, flow(kit), fresh)]
    if sc.authlib_method:
        alb = AuthlibAuth(*CREDS, **_authlib_kwargs(sc, pem))
        out.append(Contender(AUTHLIB, flow(alb), fresh))
    return out


LAYERS: tuple[tuple[str, Callable[[Scenario, str], list[Contender]]], ...] = (
    ("core", core_contenders),
    ("requests", requests_contenders),
    ("httpx", httpx_contenders),
)


# --- correctness guard: time only implementations that compute the same signature -----------

_SIGNATURE = re.compile(r'oauth_signature="([^"]+)"')


def check_equivalence(pem: str) -> None:
    """With a pinned nonce and timestamp, oauthkit and oauthlib must produce the same signature.

    Raises:
        SystemExit: They differ, so a comparison of their speed would be meaningless.
    """
    import oauthlib.oauth1

    import oauthkit

    for sc in SCENARIOS:
        pins = {"nonce": FIXED_NONCE, "timestamp": FIXED_TIMESTAMP}
        kwargs = {**_kit_kwargs(sc, pem), **pins}
        ours = oauthkit.oauth1.OAuth1Signer(*CREDS, **kwargs)
        theirs = oauthlib.oauth1.Client(*CREDS, **kwargs)
        mine = ours.sign(sc.method, sc.url, sc.headers, sc.body).headers["Authorization"]
        _, their_headers, _ = theirs.sign(sc.url, sc.method, sc.body, sc.headers)
        a, b = _SIGNATURE.search(mine), _SIGNATURE.search(their_headers["Authorization"])
        if a is None or b is None or a.group(1) != b.group(1):
            raise SystemExit(f"{sc.title}: oauthkit and oauthlib signatures differ; not timing")


# --- sections -----------------------------------------------------------------------------


def _cell(stats: Stats | None) -> str:
    return "n/a" if stats is None else f"{fmt_us(stats.median_us)} / {fmt_us(stats.p90_us)}"


def _median(stats: Stats | None) -> float | None:
    return None if stats is None else stats.median_us


def run_signing(plan: Plan, pem: str) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for sc in SCENARIOS:
        for layer, factory in LAYERS:
            contenders = factory(sc, pem)
            base = plan.rsa_iterations if sc.rsa else plan.iterations
            if sc.rsa:
                # The anchors parse the PEM key on every signature (~50 ms each): fewer calls.
                contenders = [
                    c if c.name == OAUTHKIT else replace(c, iterations=plan.rsa_anchor_iterations)
                    for c in contenders
                ]
            stats = compare(
                contenders,
                iterations=base,
                warmup=1 if sc.rsa else plan.warmup,
                rounds=min(plan.rounds, plan.rsa_anchor_iterations) if sc.rsa else plan.rounds,
            )
            kit, lib, alb = stats.get(OAUTHKIT), stats.get(OAUTHLIB), stats.get(AUTHLIB)
            results.append(
                {
                    "scenario": sc.key,
                    "title": sc.title,
                    "layer": layer,
                    "results": {name: s.to_dict() for name, s in stats.items()},
                    "speedup_vs": {
                        name: s.median_ns / kit.median_ns
                        for name, s in stats.items()
                        if kit is not None and name != OAUTHKIT
                    },
                }
            )
            rows.append(
                [
                    sc.title if layer == "core" else "",
                    layer,
                    _cell(kit),
                    _cell(lib) if layer != "httpx" else "-",
                    _cell(alb) if sc.authlib_method else "n/a (1)",
                    speedup(_median(lib), _median(kit)) if layer != "httpx" else "-",
                    speedup(_median(alb), _median(kit)) if sc.authlib_method else "n/a",
                ]
            )
    print("\n1-3. Signing: median / p90, microseconds per signed request")
    print(
        render_table(
            [
                "scenario",
                "layer",
                OAUTHKIT,
                f"{OAUTHLIB} (2)",
                AUTHLIB,
                "vs oauthlib",
                "vs Authlib",
            ],
            rows,
        )
    )
    print(
        "  core: OAuth1Signer.sign | oauthlib.oauth1.Client.sign | authlib ClientAuth.prepare\n"
        "  requests: auth(prepared request) for oauthkit.requests.OAuth1 | requests_oauthlib.OAuth1"
        " | authlib requests_client.OAuth1Auth\n"
        "  httpx: next(auth.sync_auth_flow(request)) for oauthkit.httpx.OAuth1Auth"
        " | authlib httpx_client.OAuth1Auth\n"
        "  (1) Authlib's OAuth 1 client implements RSA-SHA1 only; see the RSA-SHA1 row.\n"
        "  (2) at the requests layer this column is requests-oauthlib (over oauthlib); it has no"
        " httpx integration."
    )
    return results


def _e2e_rows(client: str, stats: dict[str, Stats]) -> tuple[list[str], dict[str, Stats]]:
    bare = stats["bare"]
    overheads = {name: paired_difference(s, bare) for name, s in stats.items() if name != "bare"}
    kit = overheads[OAUTHKIT].median_us
    row = [client, f"{fmt_us(bare.median_us)} / {fmt_us(bare.p90_us)}"]
    ratios = []
    for name in (OAUTHKIT, OAUTHLIB, AUTHLIB):
        if name not in overheads:
            row.append("-")
            ratios.append("-")
            continue
        row.append(f"{overheads[name].median_us:+.1f}")
        if name != OAUTHKIT:
            ratios.append(speedup(overheads[name].median_us, kit))
    return row + ratios, overheads


def _getter(client: Any, url: str) -> Callable[[Any], object]:
    # Read the body, as an application would; the connection goes back to the pool.
    return lambda _: client.get(url).content


def run_end_to_end(plan: Plan) -> list[dict[str, Any]]:
    import httpx
    import requests
    import requests_oauthlib

    AuthlibHttpxAuth = authlib_httpx_auth()
    from authlib.integrations.requests_client import OAuth1Auth as AuthlibRequestsAuth

    import oauthkit.httpx
    import oauthkit.requests

    results: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    with loopback_server() as base:
        url = base + GET_PATH
        sessions: dict[str, requests.Session] = {}
        for name, auth in (
            ("bare", None),
            (OAUTHKIT, oauthkit.requests.OAuth1(*CREDS)),
            (OAUTHLIB, requests_oauthlib.OAuth1(*CREDS)),
            (AUTHLIB, AuthlibRequestsAuth(*CREDS)),
        ):
            session = requests.Session()
            # Without this a session with no auth looks up ~/.netrc on every request and the
            # authenticated ones do not, which would hide part of the auth overhead.
            session.trust_env = False
            session.auth = auth
            sessions[name] = session
        clients: dict[str, httpx.Client] = {
            "bare": httpx.Client(trust_env=False),
            OAUTHKIT: httpx.Client(auth=oauthkit.httpx.OAuth1Auth(*CREDS), trust_env=False),
            AUTHLIB: httpx.Client(auth=AuthlibHttpxAuth(*CREDS), trust_env=False),
        }
        try:
            pools: list[tuple[str, dict[str, Any]]] = [
                ("requests.Session", dict(sessions)),
                ("httpx.Client", dict(clients)),
            ]
            for client, pool in pools:
                contenders = [Contender(name, _getter(obj, url)) for name, obj in pool.items()]
                # One call per contender per round: call k of each runs back to back with the
                # others', and the overhead is the median of the call-by-call differences.
                stats = compare(
                    contenders,
                    iterations=plan.http_iterations,
                    warmup=max(5, plan.http_iterations // 20),
                    rounds=plan.http_iterations,
                )
                row, overheads = _e2e_rows(client, stats)
                rows.append(row)
                results.append(
                    {
                        "client": client,
                        "results": {name: s.to_dict() for name, s in stats.items()},
                        "overhead": {name: s.to_dict() for name, s in overheads.items()},
                    }
                )
        finally:
            for session in sessions.values():
                session.close()
            for http_client in clients.values():
                http_client.close()
    print("\n4. End to end: GET with 3 query params to a keep-alive loopback server")
    print(
        render_table(
            [
                "client",
                "bare med / p90 µs",
                "+oauthkit µs",
                "+oauthlib µs",
                "+Authlib µs",
                "vs oauthlib",
                "vs Authlib",
            ],
            rows,
        )
    )
    print(
        "  +X = overhead per request: median of (request with X's auth - the same client's request"
        " without auth\n  made just before or after it).\n"
        "  oauthlib = requests_oauthlib.OAuth1; Authlib = authlib.integrations.*_client"
        ".OAuth1Auth. trust_env=False everywhere."
    )
    return results


DISTRIBUTIONS = (
    "oauthkit",
    "oauthlib",
    "requests-oauthlib",
    "Authlib",
    "requests",
    "httpx",
    "cryptography",
    "PyJWT",
)
# (statement, the HTTP client it builds on); "import X" rows are labelled X.
IMPORTS = (
    ("import oauthkit", None),
    ("from oauthkit.oauth1 import OAuth1Signer", None),
    ("import oauthkit.requests", "requests"),
    ("from oauthkit.requests import OAuth1Session", "requests"),
    ("from oauthkit.requests import OAuth2Session", "requests"),
    ("import oauthkit.httpx", "httpx"),
    ("from oauthkit.httpx import OAuth2Client", "httpx"),
    ("import requests_oauthlib", "requests"),
    ("import authlib.integrations.requests_client", "requests"),
    ("import authlib.integrations.httpx_client", "httpx"),
    ("import oauthlib.oauth1", None),
    ("import authlib.oauth1", None),
    ("import requests", None),
    ("import httpx", None),
)


def _label(statement: str) -> str:
    return statement.removeprefix("import ")


def run_imports(plan: Plan) -> dict[str, Any]:
    stats = time_imports({_label(code): code for code, _ in IMPORTS}, runs=plan.import_runs)
    ms = {label: s.median_ns / 1e6 for label, s in stats.items()}
    rows = []
    for code, client in IMPORTS:
        label = _label(code)
        beyond = f"{ms[label] - ms[client]:.1f}" if client else "-"
        rows.append([label, f"{ms[label]:.1f}", f"{stats[label].p90_ns / 1e6:.1f}", beyond])
    print(
        f"\n5. Cold import, ms over a bare interpreter ({ms['']:.1f} ms), median of"
        f" {plan.import_runs} rounds of fresh processes (bytecode caches warm)"
    )
    print(render_table(["import", "median ms", "p90 ms", "beyond its HTTP client"], rows))
    return {
        "bare_interpreter_ms": round(ms[""], 2),
        "imports": {
            code: {
                "median_ms": round(ms[_label(code)], 2),
                "p90_ms": round(stats[_label(code)].p90_ns / 1e6, 2),
            }
            for code, _ in IMPORTS
        },
    }


def evaluate_bars(signing: list[dict[str, Any]], imports: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's minimum bar, checked against this run's numbers."""
    bars: list[dict[str, Any]] = []
    for entry in signing:
        if entry["layer"] == "httpx" or entry["scenario"] == "rsa1_get":
            continue
        need = 20.0 if entry["scenario"].startswith("rsa") else 4.0
        got = entry["speedup_vs"].get(OAUTHLIB)
        bars.append(
            {
                "bar": f"{entry['title']} ({entry['layer']}) >= {need:g}x faster than oauthlib",
                "value": f"{got:.1f}x" if got is not None else "n/a",
                "ok": got is not None and got >= need,
            }
        )
    # Both readings of "the core": the package (its names load on first use), and the package
    # plus what a signature needs. The second is where the standard library's own imports
    # (re, urllib.parse, hashlib) set a floor.
    for label, statement in (
        ("import oauthkit", "import oauthkit"),
        ("from oauthkit.oauth1 import OAuth1Signer", "from oauthkit.oauth1 import OAuth1Signer"),
    ):
        core_ms = imports["imports"][statement]["median_ms"]
        bars.append(
            {
                "bar": f"cold import of the core ({label}) <= 30 ms",
                "value": f"{core_ms:.1f} ms",
                "ok": core_ms <= 30.0,
            }
        )
    for statement, client, limit in (("import oauthkit.requests", "import requests", 10.0),):
        beyond = (
            imports["imports"][statement]["median_ms"] - imports["imports"][client]["median_ms"]
        )
        bars.append(
            {
                "bar": f"{statement} beyond its HTTP client <= {limit:g} ms (issue #6)",
                "value": f"{beyond:.1f} ms",
                "ok": beyond <= limit,
            }
        )
    print("\nMinimum bar (issues #2 and #6)")
    print(
        render_table(
            ["bar", "this run", "verdict"],
            [[b["bar"], b["value"], "met" if b["ok"] else "MISSED"] for b in bars],
        )
    )
    return bars


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks it runs")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--cpu", type=int, metavar="N", help="pin this process to CPU N")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL

    env = environment(DISTRIBUTIONS)
    env["cpu_affinity"] = pin_cpu(args.cpu) if args.cpu is not None else "not pinned"
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    print(f"oauthkit OAuth 1.0a benchmark{' (--quick: numbers are not meaningful)' * args.quick}")
    print(
        f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs, {env['cpu_affinity']},"
        f" load average {env['load_average']} at start"
    )
    print(f"{versions}")
    print(
        "Timing: per-call perf_counter_ns, median and p90; garbage collector disabled inside"
        " timing loops;\ncontenders interleaved (signing: in"
        f" {plan.rounds} rounds, rotating who goes first; end to end: call by call).\n"
        f"Iterations: {plan.iterations} per signing contender ({plan.rsa_iterations} for oauthkit"
        f" RSA, {plan.rsa_anchor_iterations} for anchors that parse the PEM on every call),"
        f" {plan.http_iterations} requests per HTTP contender,\n{plan.import_runs} rounds of"
        " fresh interpreters per import."
    )
    sys.stdout.flush()

    pem = make_pem()
    check_equivalence(pem)
    print("Check: oauthkit and oauthlib produce identical signatures for every scenario.")
    signing = run_signing(plan, pem)
    sys.stdout.flush()
    end_to_end = run_end_to_end(plan)
    sys.stdout.flush()
    imports = run_imports(plan)
    bars = evaluate_bars(signing, imports)
    if args.json:
        write_json(
            args.json,
            {
                "quick": args.quick,
                "environment": env,
                "plan": asdict(plan),
                "signing": signing,
                "end_to_end": end_to_end,
                "imports": imports,
                "bars": bars,
            },
        )
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
