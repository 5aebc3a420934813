"""A small timing harness shared by oauthkit's benchmark scripts.

No third-party dependency: ``time.perf_counter_ns`` around each operation, warm-up calls first,
the garbage collector paused inside timing loops, and medians (with the 90th percentile) rather
than means, because a shared machine produces rare slow outliers that a mean would smear over
every row.

Contenders are measured *interleaved*: the iterations are split into rounds and every round runs
each contender in turn (rotating who goes first), so a burst of background load slows all of
them alike instead of landing on whichever happened to run at that moment.

What lives here, for every ``bench_*.py``:

* :func:`compare` / :func:`measure`: in-process timing, with an untimed per-iteration setup;
* :func:`paired_difference`: the overhead of one contender over another, call by call;
* :func:`time_imports`: cold import cost in fresh interpreters, over a bare interpreter;
* :func:`loopback_server`: a keep-alive HTTP/1.1 server on 127.0.0.1 in a background thread,
  answering ``200 ok`` (:class:`OkHandler`) or running a handler of the script's own;
* :func:`redis_server`: a ``redis-server`` on an ephemeral loopback port, when installed;
* :func:`render_table`, :func:`speedup`, :func:`environment`, :func:`write_json`: reporting.
"""

from __future__ import annotations

import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "Contender",
    "OkHandler",
    "Stats",
    "compare",
    "environment",
    "fmt_us",
    "gc_paused",
    "loopback_server",
    "measure",
    "paired_difference",
    "pin_cpu",
    "redis_server",
    "render_table",
    "speedup",
    "time_imports",
    "write_json",
]


@dataclass(frozen=True, slots=True)
class Stats:
    """Summary of the timings of one operation, in nanoseconds per operation.

    ``values`` keeps the raw timings in the order they were taken, so that two contenders
    measured call by call in alternation can be compared pairwise (:func:`paired_difference`).
    """

    samples: int
    median_ns: float
    p90_ns: float
    min_ns: float
    values: tuple[float, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def of(cls, samples_ns: Sequence[float]) -> Stats:
        """Summarise raw per-operation timings."""
        if not samples_ns:
            raise ValueError("no samples")
        ordered = sorted(samples_ns)
        p90 = ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]
        return cls(len(ordered), statistics.median(ordered), p90, ordered[0], tuple(samples_ns))

    @property
    def median_us(self) -> float:
        return self.median_ns / 1e3

    @property
    def p90_us(self) -> float:
        return self.p90_ns / 1e3

    def to_dict(self) -> dict[str, float | int]:
        return {
            "samples": self.samples,
            "median_us": round(self.median_ns / 1e3, 3),
            "p90_us": round(self.p90_ns / 1e3, 3),
            "min_us": round(self.min_ns / 1e3, 3),
        }


@dataclass(frozen=True, slots=True)
class Contender:
    """One implementation of an operation.

    Attributes:
        name: Column name in the report.
        op: The timed call. It receives what ``setup`` returned (``None`` without a setup).
        setup: Builds a fresh input per iteration, outside the timed region (for example a
            copy of a prepared request, since auth hooks mutate the request they are given).
        iterations: Overrides the caller's iteration count, for contenders that are orders of
            magnitude slower than the rest (an RSA signature that re-parses its PEM key).
    """

    name: str
    op: Callable[[Any], object]
    setup: Callable[[], Any] | None = None
    iterations: int | None = None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Collect garbage first, then keep the collector off for the duration of a timing loop."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _run(contender: Contender, count: int, out: list[float]) -> None:
    op, setup, clock = contender.op, contender.setup, time.perf_counter_ns
    for _ in range(count):
        arg = setup() if setup is not None else None
        start = clock()
        op(arg)
        out.append(clock() - start)


def compare(
    contenders: Sequence[Contender], *, iterations: int, warmup: int, rounds: int = 5
) -> dict[str, Stats]:
    """Time several contenders, interleaved round by round.

    Args:
        contenders: What to time; names must be unique.
        iterations: Timed calls per contender (unless a contender overrides it).
        warmup: Untimed calls per contender before the first round.
        rounds: How many slices the iterations are cut into.

    Returns:
        The statistics of each contender, by name.
    """
    samples: dict[str, list[float]] = {c.name: [] for c in contenders}
    if len(samples) != len(contenders):
        raise ValueError("contender names must be unique")
    for contender in contenders:
        _run(contender, warmup, [])
    with gc_paused():
        for index in range(rounds):
            # Rotate who goes first, so that no contender always runs right after a switch.
            shift = index % len(contenders)
            for contender in [*contenders[shift:], *contenders[:shift]]:
                total = contender.iterations or iterations
                # Spread `total` over the rounds; every round gets at least one call.
                count = max(1, total * (index + 1) // rounds - total * index // rounds)
                _run(contender, count, samples[contender.name])
    return {name: Stats.of(values) for name, values in samples.items()}


def paired_difference(subject: Stats, baseline: Stats) -> Stats:
    """Statistics of the call-by-call differences ``subject - baseline``.

    Meaningful when both were measured by :func:`compare` with ``rounds == iterations``: call
    *k* of each then ran back to back, and slow drifts of the machine cancel out of each
    difference. Far steadier than a difference of two medians when the operation is noisy
    (a request over loopback) and the difference is small.
    """
    return Stats.of([a - b for a, b in zip(subject.values, baseline.values, strict=True)])


def measure(
    op: Callable[[Any], object],
    setup: Callable[[], Any] | None = None,
    *,
    iterations: int,
    warmup: int,
) -> Stats:
    """Time a single operation (see :func:`compare`)."""
    return compare([Contender("op", op, setup)], iterations=iterations, warmup=warmup)["op"]


def _import_env() -> dict[str, str]:
    # A user's installation is byte-compiled (pip compiles on install). With
    # PYTHONDONTWRITEBYTECODE set, as on some development machines, every import would compile
    # from source and measure the compiler, so the priming runs are allowed to write .pyc files.
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def _spawn_ns(code: str, env: dict[str, str]) -> int:
    start = time.perf_counter_ns()
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        check=False,
    )
    elapsed = time.perf_counter_ns() - start
    if done.returncode != 0:
        error = done.stderr.decode(errors="replace").strip().splitlines()
        raise RuntimeError(f"{code!r} failed: {error[-1] if error else done.returncode}")
    return elapsed


def time_imports(statements: Mapping[str, str], *, runs: int) -> dict[str, Stats]:
    """Cold import cost of each statement, over a bare interpreter, in fresh subprocesses.

    Each round starts ``python -c pass`` and then ``python -c STATEMENT`` for every entry, in
    turn; the median over rounds of (statement run - bare run of the same round) is the cost of
    the import alone. One untimed priming round writes the bytecode caches first.

    Args:
        statements: Label -> Python source, e.g. ``{"oauthkit": "import oauthkit"}``.
        runs: Rounds of fresh processes.

    Returns:
        Per label, statistics of the extra wall-clock time in nanoseconds. The key ``""``
        holds the bare interpreter's own start-up time.
    """
    env = _import_env()
    for code in ("pass", *statements.values()):
        _spawn_ns(code, env)
    extra: dict[str, list[float]] = {label: [] for label in statements}
    bare: list[float] = []
    for _ in range(runs):
        base = _spawn_ns("pass", env)
        bare.append(base)
        for label, code in statements.items():
            extra[label].append(_spawn_ns(code, env) - base)
    result = {label: Stats.of(values) for label, values in extra.items()}
    result[""] = Stats.of(bare)
    return result


class OkHandler(BaseHTTPRequestHandler):
    """Answer ``200 ok`` to every method; subclass it for endpoints that need more."""

    protocol_version = "HTTP/1.1"  # keep-alive: one TCP connection per client session
    # Headers and body leave in two writes; with Nagle's algorithm on, the second one waits
    # for the client's delayed ACK (~40 ms on Linux) and every request would measure that.
    disable_nagle_algorithm = True
    body = b"ok"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(self.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _answer

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: a log line per request would dominate the timings."""


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler] = OkHandler) -> Iterator[str]:
    """Serve ``200 ok`` to every request on 127.0.0.1, from a thread of this process.

    Args:
        handler: The request handler class; keep ``protocol_version = "HTTP/1.1"`` and
            ``disable_nagle_algorithm = True`` (as :class:`OkHandler` sets them) in a custom
            one, or keep-alive and the timings are lost.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:54321``.
    """
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, name="bench-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host!s}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def redis_server() -> Iterator[str | None]:
    """A ``redis-server`` on an ephemeral loopback port, stopped after: its URL, or ``None``
    when none is installed (the Redis rows are then left out)."""
    import shutil
    import socket

    binary = shutil.which("redis-server")
    if binary is None:
        yield None
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def pin_cpu(cpu: int) -> str:
    """Pin this process to one CPU where the OS allows it; describe the outcome."""
    if not hasattr(os, "sched_setaffinity"):
        return "not supported on this OS"
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def fmt_us(value_us: float | None) -> str:
    """Format microseconds with sensible precision (``None`` is "n/a")."""
    if value_us is None:
        return "n/a"
    if abs(value_us) >= 1000:
        return f"{value_us:,.0f}"
    if abs(value_us) >= 100:
        return f"{value_us:.0f}"
    return f"{value_us:.1f}"


def speedup(anchor: float | None, subject: float | None) -> str:
    """How ``subject`` compares with ``anchor`` (both costs): "4.8x faster" or "1.3x slower"."""
    if anchor is None or subject is None:
        return "n/a"
    if subject <= 0 or anchor <= 0:
        return "within noise"
    ratio = anchor / subject
    if ratio >= 1:
        return f"{ratio:.1f}x faster"
    return f"{1 / ratio:.1f}x slower"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table: first column left-aligned, the others right-aligned."""
    widths = [len(h) for h in headers]
    for row in rows:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        first, *rest = cells
        parts = [first.ljust(widths[0])]
        parts.extend(cell.rjust(width) for cell, width in zip(rest, widths[1:], strict=True))
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def environment(distributions: Sequence[str]) -> dict[str, Any]:
    """What the numbers depend on: interpreter, machine and library versions."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "versions": {name: _version(name) for name in distributions},
    }


def write_json(path: str | Path, payload: dict[str, Any]) -> None:
    """Write the machine-readable results."""
    Path(path).write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
