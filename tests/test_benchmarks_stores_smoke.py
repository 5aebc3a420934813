"""``benchmarks/bench_stores.py`` runs every store in quick mode and writes well-formed JSON.

No timing is asserted: the quick mode only proves that every row can be measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_store_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "stores.json"
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "bench_stores.py", "--quick", "--json", str(out)],
        cwd=ROOT / "benchmarks",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    stores = {"MemoryStore", "FileStore", "SQLiteStore", "RedisStore"}
    assert set(data["fresh_request_overhead_us"]) == stores
    assert set(data["renewal_overhead_us"]) == stores
    assert "2. A request that renews its token first" in result.stdout
