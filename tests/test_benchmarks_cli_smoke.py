"""``benchmarks/bench_cli.py`` runs in quick mode and writes well-formed JSON.

No timing is asserted: the quick mode only proves that every row can be measured (and the
benchmark itself checks that ``oauthkit token`` printed the stored token).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_cli_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "cli.json"
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "bench_cli.py", "--quick", "--json", str(out)],
        cwd=ROOT / "benchmarks",
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text())
    assert set(data["median_ms"]) == {
        "python -c pass",
        "oauthkit token",
        "oauthkit token bench --json",
        "oauthkit token (OAUTHKIT_CONFIG, store path)",
        "oauthkit --version (click loaded)",
    }
    assert data["ratio_to_python"]["python -c pass"] == 1.0
    assert "oauthkit token:" in result.stdout
