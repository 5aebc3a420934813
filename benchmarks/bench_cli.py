"""``oauthkit token PROFILE`` with a fresh stored token, as a whole process, beside
``python -c pass``.

Usage::

    python benchmarks/bench_cli.py [--quick] [--runs N] [--json out.json]

A shell prompt or a script runs ``oauthkit token`` often (``gh auth token`` is the model;
gcloud's ``print-access-token`` takes over a second). Issue #12 sets the bar: the whole process
within 6x of a bare interpreter, the goal within 3x. The fast path (``oauthkit/cli/_fast.py``)
reads the config and the SQLite store with the standard library alone.

The setup is a user's: the config file and the store at their platform default locations
(``XDG_CONFIG_HOME`` and ``XDG_DATA_HOME`` point into a temporary directory), the store written
by ``SQLiteStore``, the command run through the installed ``oauthkit`` script when there is one
(else ``python -m oauthkit``). Processes are started interleaved, round by round, so background
load hits every row alike; the medians and their ratio to ``python -c pass`` are printed. As
contrast, ``oauthkit --version`` loads click and the whole command group.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _harness import Stats, environment, render_table, write_json
from oauthkit.stores import SQLiteStore

TOKEN = "bench-access-token-0123456789"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("oauthkit")
    return [str(script)] if script.exists() else [sys.executable, "-m", "oauthkit"]


def _prepare(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("OAUTHKIT_CONFIG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a user's install is byte-compiled
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env["XDG_CONFIG_HOME"] = str(root / "config")
    env["XDG_DATA_HOME"] = str(root / "data")
    source = str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (source, env.get("PYTHONPATH")) if p)
    config = root / "config" / "oauthkit" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'default_profile = "bench"\n\n[profiles.bench]\n'
        'token_endpoint = "https://login.example.com/token"\nclient_id = "bench-cli"\n'
    )
    explicit = root / "explicit.toml"  # OAUTHKIT_CONFIG and a store path: no platformdirs
    db = root / "data" / "oauthkit" / "tokens.db"
    explicit.write_text(f'{config.read_text()}\n[store]\npath = "{db}"\n')
    store = SQLiteStore(db)
    token = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 3600}
    store.save("profile:bench", {**token, "expires_at": time.time() + 3600}, version=None)
    return env


def _spawn_ns(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    start = time.perf_counter_ns()
    done = subprocess.run(argv, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter_ns() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stderr.decode(errors='replace')[-300:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few runs: checks it runs")
    parser.add_argument("--runs", type=int, default=41, help="rounds of processes")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    env_info = environment(["oauthkit", "click", "rich"])
    print("oauthkit CLI benchmark: whole processes, milliseconds")
    print(f"Python {env_info['python']} on {env_info['platform']}, {env_info['cpus']} CPUs")
    command = _command()
    with tempfile.TemporaryDirectory() as tmp:
        env = _prepare(Path(tmp))
        explicit = {**env, "OAUTHKIT_CONFIG": str(Path(tmp) / "explicit.toml")}
        contenders = {
            "python -c pass": ([sys.executable, "-c", "pass"], env),
            "oauthkit token": ([*command, "token"], env),
            "oauthkit token bench --json": ([*command, "token", "bench", "--json"], env),
            "oauthkit token (OAUTHKIT_CONFIG, store path)": ([*command, "token"], explicit),
            "oauthkit --version (click loaded)": ([*command, "--version"], env),
        }
        for label, (argv, where) in contenders.items():  # also primes the .pyc files
            printed = _spawn_ns(argv, where)[1].decode().strip()
            if label.startswith("oauthkit token") and TOKEN not in printed:
                raise RuntimeError(f"{label} printed {printed!r}, not the stored token")
        samples: dict[str, list[float]] = {label: [] for label in contenders}
        labels = list(contenders)
        for round_ in range(runs):
            shift = round_ % len(labels)
            for label in labels[shift:] + labels[:shift]:
                samples[label].append(_spawn_ns(*contenders[label])[0])
    stats = {label: Stats.of(values) for label, values in samples.items()}
    bare = stats["python -c pass"].median_ns
    rows = [
        [label, f"{s.median_ns / 1e6:.1f}", f"{s.p90_ns / 1e6:.1f}", f"{s.median_ns / bare:.2f}x"]
        for label, s in stats.items()
    ]
    print(f"\n`{' '.join(command)}`, {runs} rounds")
    print(render_table(["process", "median", "p90", "vs python -c pass"], rows))
    ratio = stats["oauthkit token"].median_ns / bare
    verdict = "goal met" if ratio <= 3 else "within the bar" if ratio <= 6 else "OVER THE BAR"
    print(f"\noauthkit token: {ratio:.2f}x python -c pass (bar 6x, goal 3x): {verdict}")
    if args.json:
        results: dict[str, Any] = {
            "environment": env_info,
            "runs": runs,
            "median_ms": {label: s.median_ns / 1e6 for label, s in stats.items()},
            "ratio_to_python": {label: s.median_ns / bare for label, s in stats.items()},
        }
        write_json(args.json, results)


if __name__ == "__main__":
    main()
