"""DPoP proof creation: oauthkit against joserfc used directly and a bare ECDSA signature.

Usage::

    python benchmarks/bench_dpop.py [--quick] [--json out.json] [--cpu N]

One section (issue #10): making the ``DPoP`` header of one resource request (RFC 9449 §4.2):
ES256 on P-256, header ``typ``/``alg``/``jwk``, claims ``jti`` (fresh, 256 bits), ``htm``,
``htu`` (query and fragment dropped), ``iat`` and ``ath`` (SHA-256 of the access token).

* ``oauthkit build_dpop_proof``: a :class:`oauthkit.DPoPKey` made once, one call per proof;
* ``joserfc jwt.encode``: the same header and claims, the same key imported once, the claims
  built per call as oauthkit builds them (htu split, ath hashed, jti drawn);
* the floor: the ECDSA P-256 / SHA-256 signature alone with ``cryptography`` over a signing
  input of the same length, nothing else (no JSON, no base64, no claims).

The bar from the issue: oauthkit within 1.5x the floor. Timings are medians of per-call
``perf_counter_ns`` with the garbage collector off and the contenders interleaved.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from _harness import (
    Contender,
    compare,
    environment,
    fmt_us,
    pin_cpu,
    render_table,
    speedup,
    write_json,
)

DISTRIBUTIONS = ("joserfc", "cryptography")
URL = "https://api.example.com/v1/items?page=2&limit=50"
ACCESS_TOKEN = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"
FLOOR = "floor: cryptography ECDSA P-256 sign"
OAUTHKIT = "oauthkit build_dpop_proof"
JOSERFC = "joserfc jwt.encode"
BAR = 1.5


@dataclass(frozen=True)
class Plan:
    iterations: int
    warmup: int
    rounds: int


FULL = Plan(iterations=20_000, warmup=1_000, rounds=10)
QUICK = Plan(iterations=50, warmup=5, rounds=2)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def contenders() -> dict[str, Callable[[Any], object]]:
    """The three ways to make one proof, each checked to produce a verifiable one."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from joserfc import jwk, jws, jwt

    import oauthkit

    key = oauthkit.DPoPKey.generate("ES256")
    imported = jwk.import_key(key.to_jwk())
    private = imported.private_key
    header = {"typ": "dpop+jwt", "alg": "ES256", "jwk": dict(key.public_jwk)}

    def with_oauthkit(_: object) -> str:
        return oauthkit.build_dpop_proof(
            key, "GET", URL, now=time.time(), access_token=ACCESS_TOKEN
        )

    def with_joserfc(_: object) -> str:
        parts = urlsplit(URL)
        claims = {
            "jti": _b64(os.urandom(32)),
            "htm": "GET",
            "htu": f"{parts.scheme}://{parts.netloc}{parts.path}",
            "iat": int(time.time()),
            "ath": _b64(hashlib.sha256(ACCESS_TOKEN.encode("ascii")).digest()),
        }
        return jwt.encode(header, claims, imported, algorithms=["ES256"])

    sample = with_oauthkit(None)
    signing_input = sample.rpartition(".")[0].encode("ascii")
    algorithm = ec.ECDSA(hashes.SHA256())

    def floor(_: object) -> bytes:
        return private.sign(signing_input, algorithm)

    for proof in (sample, with_joserfc(None)):
        registry = jws.JWSRegistry(algorithms=["ES256"])
        registry.max_header_length = 4096
        verified = jws.deserialize_compact(proof, imported, registry=registry)
        claims = json.loads(verified.payload)
        assert verified.headers()["jwk"] == header["jwk"], "the proof names another key"
        assert claims["htu"] == "https://api.example.com/v1/items", claims
    return {FLOOR: floor, OAUTHKIT: with_oauthkit, JOSERFC: with_joserfc}


def run(plan: Plan) -> dict[str, Any]:
    ops = contenders()
    stats = compare(
        [Contender(label, op) for label, op in ops.items()],
        iterations=plan.iterations,
        warmup=plan.warmup,
        rounds=plan.rounds,
    )
    floor = stats[FLOOR].median_ns
    rows = []
    for label, s in stats.items():
        row = [label, fmt_us(s.median_us), fmt_us(s.p90_us)]
        row.append("-" if label == FLOOR else f"{s.median_ns / floor:.2f}x")
        row.append("-" if label == JOSERFC else speedup(stats[JOSERFC].median_us, s.median_us))
        rows.append(row)
    print("\n1. DPoP proof creation: ES256, P-256, resource request (htm, htu, iat, jti, ath)")
    print(render_table(["contender", "median µs", "p90 µs", "x floor", "vs joserfc"], rows))
    ratio = stats[OAUTHKIT].median_ns / floor
    verdict = "meets" if ratio <= BAR else "misses"
    print(f"  oauthkit is {ratio:.2f}x the bare signature: {verdict} the {BAR}x bar of issue #10.")
    return {
        "rows": list(ops),
        "results": {label: s.to_dict() for label, s in stats.items()},
        "x_floor": {label: s.median_ns / floor for label, s in stats.items()},
        "bar": BAR,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks it runs")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--cpu", type=int, metavar="N", help="pin this process to CPU N")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    env = environment(DISTRIBUTIONS)
    env["cpu_affinity"] = pin_cpu(args.cpu) if args.cpu is not None else "not pinned"
    print(f"oauthkit DPoP benchmark{' (--quick: numbers are not meaningful)' * args.quick}")
    print(
        f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs, {env['cpu_affinity']},"
        f" load average {env['load_average']} at start"
    )
    print(", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    print(
        "Timing: per-call perf_counter_ns, median and p90; garbage collector disabled inside"
        f" timing loops;\ncontenders interleaved in {plan.rounds} rounds, rotating who goes first."
        f" Iterations: {plan.iterations} per contender."
    )
    sys.stdout.flush()
    results = {"proof": run(plan)}
    if args.json:
        payload = {"quick": args.quick, "environment": env, "plan": asdict(plan), **results}
        write_json(args.json, payload)
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
