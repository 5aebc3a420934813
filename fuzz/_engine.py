"""The campaign loop for one target: generate or mutate, run, judge, keep, shrink.

Each iteration either writes a fresh input (:class:`~_generate.Gen`) or mutates one from the
target's corpus. The corpus starts from the target's seeds and keeps every input that produced
an outcome not seen before (an exception class with a new message, a value of a new shape):
a cheap stand-in for coverage feedback that steers mutation towards the parser's branches.

An input that breaks the target's promise (see :mod:`_targets`) is a finding. Findings are
grouped by kind, exception class and the innermost oauthkit line that raised, and the first
of each group is shrunk (delta debugging over bytes, characters, members and list items) to
a minimal reproducer. An input slower than the limit is a finding too, and one that runs for
longer than the hang limit is interrupted by ``SIGALRM``.
"""

from __future__ import annotations

import random
import re
import signal
import time
import traceback
import warnings
import zlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from _checks import CALLBACK_MODES, NOW, Violation, showable
from _generate import Gen, mutate_bytes, mutate_text, mutate_value
from _generate_oidc import OIDC_KINDS, generate_oidc, mutate_oidc
from _model import (
    BYTES,
    CALLBACK,
    CHALLENGED,
    FIELDS,
    HEADER,
    OAUTH1_CALLBACK,
    RESPONSE,
    STORED,
    Target,
)
from oauthkit import OAuthError, TokenEndpointError

CORPUS_LIMIT = 2000
CORPUS_INPUT_LIMIT = 20_000  # bytes; bigger inputs are run but not kept for mutation
SHRINK_BUDGET = 4000  # runs per finding
NOWS = (None, NOW, 0, -1, 1e308, float("nan"), float("inf"), True, "now")


class Hang(BaseException):
    """Raised by SIGALRM in the parser: a BaseException, so no ``except Exception`` eats it."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang


# --- input kinds: generate and mutate ---------------------------------------------------------


def generate(kind: str, gen: Gen) -> Any:
    r = gen.r
    if kind == RESPONSE:
        return gen.response()
    if kind == HEADER:
        return gen.header()
    if kind == CHALLENGED:
        return (r.choice((401, 401, 403, 200)), gen.header())
    if kind == CALLBACK:
        return (r.randrange(len(CALLBACK_MODES)), gen.callback())
    if kind == OAUTH1_CALLBACK:
        return (r.choice((None, "t", gen.text(3))), gen.url())
    if kind == FIELDS:  # any mapping: a caller may hand over a read-only view
        return gen.fields() if r.random() < 0.8 else MappingProxyType(gen.fields())
    if kind == STORED:
        return (r.choice(NOWS), gen.fields())
    if kind == BYTES:
        return gen.body()
    if kind in OIDC_KINDS:
        return generate_oidc(kind, gen)
    raise ValueError(kind)


def _mutate_any(gen: Gen, value: Any, donor: Any) -> Any:
    if isinstance(value, bytes):
        return mutate_bytes(gen.r, value, donor if isinstance(donor, bytes) else b"")
    if isinstance(value, str):
        return mutate_text(gen.r, value, donor if isinstance(donor, str) else "")
    return mutate_value(gen, value)


def mutate(kind: str, gen: Gen, value: Any, donor: Any) -> Any:
    """A mutant of ``value`` of the same kind (an argument type the API takes)."""
    if kind in OIDC_KINDS:
        return mutate_oidc(kind, gen, value, donor)
    mutant = _mutate(kind, gen, value, donor)
    last = mutant if kind in (HEADER, BYTES, FIELDS) else mutant[-1]
    # mutate_value() may turn a mapping into a list: no longer a server's fault but a caller's.
    wanted = {CALLBACK: (str, bytes, Mapping), FIELDS: Mapping, STORED: Mapping}.get(kind)
    if wanted is not None and not isinstance(last, wanted):
        return generate(kind, gen)
    return mutant


def _mutate(kind: str, gen: Gen, value: Any, donor: Any) -> Any:
    r = gen.r
    if kind in (HEADER, BYTES, FIELDS):
        return _mutate_any(gen, value, donor)
    # A pair or triple: mutate its last member (the body, header, URL or mapping) mostly.
    parts = list(value)
    other = list(donor)
    if r.random() < 0.85:
        parts[-1] = _mutate_any(gen, parts[-1], other[-1])
    elif kind == RESPONSE and r.random() < 0.5:
        parts[0] = gen.status()
    elif kind == RESPONSE:
        parts[1] = gen.content_type() if r.random() < 0.7 else mutate_text(r, parts[1])
    else:
        parts[0] = generate(kind, gen)[0]
    return tuple(parts)


# --- running one input ------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one input did."""

    label: str  # "returned <type>" or the exception class name
    signature: str  # label plus message shape, for corpus feedback
    problem: str | None = None  # finding kind, or None
    detail: str = ""
    where: str = ""  # innermost oauthkit frame of the exception
    seconds: float = 0.0


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/oauthkit/" in f.filename] or frames
    if not ours:
        return ""
    frame = ours[-1]
    return f"{frame.filename.rsplit('/src/', 1)[-1]}:{frame.lineno}"


_SHAPE = re.compile(r"\(HTTP \d+.*|'[^']*'|\d+")


def execute(target: Target, value: Any, hang_seconds: float) -> Outcome:
    started = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, hang_seconds)
    try:
        # Warnings are errors, as in the test suite (pyproject.toml): one that a hostile input
        # provokes raises out of the parser in an application run that way, an escape.
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            result = target.run(value)
    except Hang as exc:
        outcome = Outcome("Hang", "Hang", "hang", f"still running after {hang_seconds} s")
        outcome.where = _where(exc)  # where it was interrupted
    except Exception as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        name = type(exc).__name__
        message = _SHAPE.sub("_", str(exc))[:80] if isinstance(exc, OAuthError) else ""
        if isinstance(exc, TokenEndpointError) and exc.error is not None:
            # The description is free text: a new one is not a new branch.
            message = f"{exc.description is None}{exc.uri is None}"
        outcome = Outcome(name, f"{name}:{message}", where=_where(exc))
        if not isinstance(exc, target.allowed):
            outcome.problem = "wrong-error" if isinstance(exc, OAuthError) else "escape"
            outcome.detail = f"{name}: {str(exc)[:300]}"
        else:
            try:
                showable(exc)
            except Violation as bad:
                outcome.problem, outcome.detail = "unshowable", str(bad)
    else:
        signal.setitimer(signal.ITIMER_REAL, 0)
        label = f"returned {type(result).__name__}"
        outcome = Outcome(label, f"{label}:{target.shape(result)}")
        try:
            target.check(value, result)
        except Violation as bad:
            outcome.problem, outcome.detail = "invariant", str(bad)
        except Exception as exc:
            outcome.problem, outcome.detail = "escape", f"checking the result: {exc!r}"[:300]
            outcome.where = _where(exc)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    outcome.seconds = time.perf_counter() - started
    return outcome


# --- shrinking --------------------------------------------------------------------------------


def _shorter(value: Any) -> list[Any]:
    """Simpler variants of ``value``, most aggressive first."""
    if isinstance(value, (bytes, str)):
        n = len(value)
        out = []
        chunk = n // 2
        while chunk >= 1:
            out += [value[:i] + value[i + chunk :] for i in range(0, n, chunk)]
            chunk //= 2
        return out
    if isinstance(value, dict):
        out = [{k: v for k, v in value.items() if k != key} for key in value]
        for key, item in value.items():
            out += [{**value, key: simpler} for simpler in _shorter(item)[:40]]
        return out
    if isinstance(value, (list, tuple)):
        items = list(value)
        out = []
        if isinstance(value, list):
            out += [items[:i] + items[i + 1 :] for i in range(len(items))]
        for i, item in enumerate(items):
            out += [
                type(value)([*items[:i], simpler, *items[i + 1 :]])
                for simpler in _shorter(item)[:60]
            ]
        return out
    return []


def shrink(still_fails: Callable[[Any], bool], value: Any, budget: int = SHRINK_BUDGET) -> Any:
    """The smallest variant of ``value`` found for which ``still_fails`` holds (greedy ddmin)."""
    runs = 0
    improved = True
    while improved and runs < budget:
        improved = False
        for candidate in _shorter(value):
            runs += 1
            if runs >= budget:
                break
            if still_fails(candidate):
                value, improved = candidate, True
                break
    return value


# --- the loop ---------------------------------------------------------------------------------


@dataclass
class Finding:
    problem: str
    label: str
    where: str
    detail: str
    count: int = 0
    example: Any = None
    minimized: Any = None
    seconds: float = 0.0


@dataclass
class TargetReport:
    target: Target
    inputs: int = 0
    seconds: float = 0.0
    outcomes: Counter[str] = field(default_factory=Counter)
    findings: dict[tuple[str, str, str], Finding] = field(default_factory=dict)
    corpus_size: int = 0
    slowest: float = 0.0
    slowest_size: int = 0


def size_of(value: Any) -> int:
    if isinstance(value, (bytes, str)):
        return len(value)
    if isinstance(value, (list, tuple)):
        return sum(size_of(item) for item in value)
    if isinstance(value, dict):
        return sum(size_of(k) + size_of(v) for k, v in value.items())
    return 1


def run_target(
    target: Target,
    count: int,
    seed: int,
    *,
    slow_seconds: float,
    hang_seconds: float,
    progress: Callable[[TargetReport], None] | None = None,
) -> TargetReport:
    rng = random.Random(seed ^ zlib.crc32(target.name.encode()))
    gen = Gen(rng)
    corpus = list(target.seeds)
    seen: set[str] = set()
    report = TargetReport(target)
    previous = signal.signal(signal.SIGALRM, _alarm)
    started = time.perf_counter()
    try:
        for i in range(count):
            if corpus and rng.random() < 0.6:
                value = mutate(target.kind, gen, rng.choice(corpus), rng.choice(corpus))
            else:
                value = generate(target.kind, gen)
            outcome = execute(target, value, hang_seconds)
            report.outcomes[outcome.label] += 1
            if outcome.seconds > report.slowest:
                report.slowest, report.slowest_size = outcome.seconds, size_of(value)
            # Slow: over the limit, plus 2 µs a byte, so that a big body parsed in linear time
            # on a busy machine is not taken for a quadratic one (40 kB took 30 s when it was).
            if outcome.problem is None and outcome.seconds > slow_seconds + 2e-6 * size_of(value):
                outcome.problem = "slow"
                outcome.detail = f"{outcome.seconds:.2f} s for an input of size {size_of(value)}"
            if outcome.problem is not None:
                _record(report, target, outcome, value, hang_seconds)
            if outcome.signature not in seen and size_of(value) <= CORPUS_INPUT_LIMIT:
                seen.add(outcome.signature)
                if len(corpus) < CORPUS_LIMIT:
                    corpus.append(value)
                else:
                    corpus[rng.randrange(CORPUS_LIMIT)] = value
            if progress is not None and (i + 1) % 100_000 == 0:
                report.inputs, report.seconds = i + 1, time.perf_counter() - started
                progress(report)
        report.inputs = count
    finally:
        signal.signal(signal.SIGALRM, previous)
    report.seconds = time.perf_counter() - started
    report.corpus_size = len(corpus)
    return report


def _record(
    report: TargetReport, target: Target, outcome: Outcome, value: Any, hang_seconds: float
) -> None:
    key = (outcome.problem or "", outcome.label, outcome.where)
    finding = report.findings.get(key)
    if finding is None:
        finding = Finding(outcome.problem or "", outcome.label, outcome.where, outcome.detail)
        finding.example, finding.seconds = value, outcome.seconds
        if outcome.problem not in ("slow", "hang"):  # re-running those to shrink costs too much

            def still_fails(candidate: Any) -> bool:
                again = execute(target, candidate, hang_seconds)
                return (again.problem, again.label, again.where) == key

            finding.minimized = shrink(still_fails, value)
        report.findings[key] = finding
        shown = finding.minimized if finding.minimized is not None else value
        print(
            f"  finding: {finding.problem}, {finding.label} at {finding.where}: {finding.detail}"
            f"\n    {repr(shown)[:400]}",
            flush=True,
        )
    finding.count += 1
