"""Running a benchmark script the way its smoke test does: our interpreter, fixed arguments.

The smoke tests assert no timing; they prove that a script runs to the end, prints its rows and
writes well-formed JSON.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

__all__ = ["BENCHMARKS", "ROOT", "run_benchmark"]

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"


def run_benchmark(
    script: str,
    out: Path,
    *args: str,
    cwd: Path = ROOT,
    timeout: float = 300,
    quiet: bool = True,
) -> tuple[str, Any]:
    """Run ``benchmarks/<script> <args> --json <out>``: what it printed and the JSON it wrote.

    ``quiet`` also asserts that nothing reached stderr (no stray warnings, logs or tracebacks).
    """
    done = subprocess.run(  # noqa: S603 - our own interpreter and script, fixed arguments
        [sys.executable, str(BENCHMARKS / script), *args, "--json", str(out)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    if quiet:
        assert done.stderr == "", done.stderr[-3000:]
    return done.stdout, json.loads(out.read_text())
