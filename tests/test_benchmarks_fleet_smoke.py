"""``benchmarks/bench_fleet.py`` runs every contender and writes well-formed JSON.

Only what does not depend on timing is asserted: every contender ran and made calls, and
oauthkit on a store kept the grant (its renewals share one refresh token chain, so none can be
a reuse). The counts themselves are the benchmark's to print.
"""

from __future__ import annotations

from pathlib import Path

from tests._bench import BENCHMARKS, run_benchmark


def test_the_fleet_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "fleet.json"
    args = ("--processes", "2", "--threads", "2", "--seconds", "1.5")
    stdout, data = run_benchmark("bench_fleet.py", out, *args, cwd=BENCHMARKS, quiet=False)
    rows = {r["contender"]: r for r in data["results"]}
    assert {"requests-oauthlib", "Authlib", "oauthkit (SQLiteStore)"} <= set(rows)
    for row in rows.values():
        assert row["calls"] > 0
    for name, row in rows.items():
        if name.startswith("oauthkit"):
            assert (row["revoked"], row["failed"]) == (False, 0)
    assert "grant revoked" in stdout
