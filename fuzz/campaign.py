"""A long fuzzing campaign over every parser of outside input (issue #7).

Usage, from the repository root::

    PYTHONPATH=src python fuzz/campaign.py [--count N] [--seed S] [--target NAME ...]
                                           [--report FILE] [--findings DIR]

Each target (``--list`` names them) runs for ``--count`` inputs (default 1,000,000), one after
the other in this one process, from a deterministic seed: the same seed and count replay the
same inputs. The report (Markdown) gives per target the inputs run, the outcomes by type (the
value returned, or the exception class), the slowest input, and every finding with a
minimized reproducer; each reproducer is also written, as a Python literal, under
``--findings``. The exit status is 1 when there is a finding.

Neither Hypothesis nor atheris is needed: see ``fuzz/README.md`` for why, and for what a
finding means.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import sys
import time
from pathlib import Path
from typing import Any

from _engine import TargetReport, run_target, size_of
from _targets import BY_NAME, TARGETS

DEFAULT_COUNT = 1_000_000


def _literal(value: Any, limit: int = 600) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters in all)"


def _outcomes(report: TargetReport) -> str:
    parts = [f"{label} {n:,}" for label, n in report.outcomes.most_common()]
    return "; ".join(parts)


def render(reports: list[TargetReport], args: argparse.Namespace, seconds: float) -> str:
    lines = [
        "# Fuzz campaign report",
        "",
        f"* Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"* Python {platform.python_version()} on {platform.machine()} ({platform.system()})",
        f"* Seed {args.seed}, {args.count:,} inputs per target, {len(reports)} targets, "
        f"{sum(r.inputs for r in reports):,} inputs in {seconds / 60:.1f} min",
        f"* Slow-input limit {args.slow} s plus 2 µs a byte, hang limit {args.hang} s",
        "",
        "| target | API | inputs | findings | slowest input | time |",
        "|---|---|---:|---:|---|---:|",
    ]
    for r in reports:
        found = sum(f.count for f in r.findings.values())
        lines.append(
            f"| {r.target.name} | `{r.target.api}` | {r.inputs:,} | {found:,} | "
            f"{r.slowest * 1000:.1f} ms (size {r.slowest_size:,}) | {r.seconds:.0f} s |"
        )
    lines += ["", "## Outcomes by type", ""]
    for r in reports:
        lines.append(f"* **{r.target.name}** (corpus {r.corpus_size}): {_outcomes(r)}")
    lines += ["", "## Findings", ""]
    if not any(r.findings for r in reports):
        lines.append("None: every input returned a value or raised an allowed OAuthError.")
    for r in reports:
        for finding in r.findings.values():
            lines += [
                f"### {r.target.name}: {finding.problem}, {finding.label} "
                f"{'at ' + finding.where if finding.where else 'in the value returned'}",
                "",
                f"* {finding.count:,} inputs; {finding.detail}",
                f"* first input (size {size_of(finding.example):,}): "
                f"`{_literal(finding.example, 300)}`",
            ]
            if finding.minimized is not None:
                lines.append(f"* minimized: `{_literal(finding.minimized)}`")
            lines.append("")
    return "\n".join(lines) + "\n"


def _write_findings(reports: list[TargetReport], directory: Path) -> None:
    for r in reports:
        for n, finding in enumerate(r.findings.values(), 1):
            directory.mkdir(parents=True, exist_ok=True)
            value = finding.minimized if finding.minimized is not None else finding.example
            path = directory / f"{r.target.name}-{n}-{finding.problem}.txt"
            path.write_text(f"# {finding.label} at {finding.where}: {finding.detail}\n{value!r}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="inputs per target")
    parser.add_argument("--seed", type=int, default=7, help="campaign seed (default 7)")
    parser.add_argument("--target", action="append", choices=sorted(BY_NAME), help="repeatable")
    parser.add_argument(
        "--slow", type=float, default=0.5, help="slow-input limit, seconds, plus 2 µs a byte"
    )
    parser.add_argument("--hang", type=float, default=20.0, help="hang limit, seconds")
    parser.add_argument("--report", type=Path, help="write the Markdown report here")
    parser.add_argument("--findings", type=Path, default=Path("fuzz/findings"))
    parser.add_argument("--list", action="store_true", help="list the targets and exit")
    args = parser.parse_args(argv)
    if args.list:
        for target in TARGETS:
            print(f"{target.name:24} {target.api}")
        return 0
    targets = [BY_NAME[name] for name in args.target] if args.target else TARGETS
    reports = []
    started = time.perf_counter()

    def progress(report: TargetReport) -> None:
        found = sum(f.count for f in report.findings.values())
        print(
            f"  {report.target.name}: {report.inputs:,} inputs, {found} findings, "
            f"{report.seconds:.0f} s",
            flush=True,
        )

    for target in targets:
        print(f"{target.name} ({target.api}): {args.count:,} inputs", flush=True)
        report = run_target(
            target,
            args.count,
            args.seed,
            slow_seconds=args.slow,
            hang_seconds=args.hang,
            progress=progress,
        )
        reports.append(report)
        print(f"  done in {report.seconds:.0f} s: {_outcomes(report)}", flush=True)
    text = render(reports, args, time.perf_counter() - started)
    if args.report:
        args.report.write_text(text)
    print(text)
    _write_findings(reports, args.findings)
    return 1 if any(r.findings for r in reports) else 0


if __name__ == "__main__":
    sys.exit(main())
