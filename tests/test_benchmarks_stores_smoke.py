"""``benchmarks/bench_stores.py`` runs every store in quick mode and writes well-formed JSON.

No timing is asserted: the quick mode only proves that every row can be measured.
"""

from __future__ import annotations

from pathlib import Path

from tests._bench import BENCHMARKS, run_benchmark


def test_the_store_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "stores.json"
    stdout, data = run_benchmark("bench_stores.py", out, "--quick", cwd=BENCHMARKS, quiet=False)
    stores = {"MemoryStore", "FileStore", "SQLiteStore", "RedisStore"}
    assert set(data["fresh_request_overhead_us"]) == stores
    assert set(data["renewal_overhead_us"]) == stores
    assert "2. A request that renews its token first" in stdout
