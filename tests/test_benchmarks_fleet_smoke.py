"""``benchmarks/bench_fleet.py`` runs every contender and writes well-formed JSON.

Only what does not depend on timing is asserted: every contender ran and made calls, and
oauthkit on a store kept the grant (its renewals share one refresh token chain, so none can be
a reuse). The counts themselves are the benchmark's to print.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_fleet_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [
            sys.executable,
            "bench_fleet.py",
            "--processes",
            "2",
            "--threads",
            "2",
            "--seconds",
            "1.5",
            "--json",
            str(out),
        ],
        cwd=ROOT / "benchmarks",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    rows = {r["contender"]: r for r in json.loads(out.read_text())["results"]}
    assert {"requests-oauthlib", "Authlib", "oauthkit (SQLiteStore)"} <= set(rows)
    for row in rows.values():
        assert row["calls"] > 0
    for name, row in rows.items():
        if name.startswith("oauthkit"):
            assert (row["revoked"], row["failed"]) == (False, 0)
    assert "grant revoked" in result.stdout
