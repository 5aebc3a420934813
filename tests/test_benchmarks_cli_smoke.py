"""``benchmarks/bench_cli.py`` runs in quick mode and writes well-formed JSON.

No timing is asserted: the quick mode only proves that every row can be measured (and the
benchmark itself checks that ``oauthkit token`` printed the stored token).
"""

from __future__ import annotations

from pathlib import Path

from tests._bench import BENCHMARKS, run_benchmark


def test_the_cli_benchmark_runs(tmp_path: Path) -> None:
    out = tmp_path / "cli.json"
    stdout, data = run_benchmark("bench_cli.py", out, "--quick", cwd=BENCHMARKS, quiet=False)
    assert set(data["median_ms"]) == {
        "python -c pass",
        "oauthkit token",
        "oauthkit token bench --json",
        "oauthkit token (OAUTHKIT_CONFIG, store path)",
        "oauthkit --version (click loaded)",
    }
    assert data["ratio_to_python"]["python -c pass"] == 1.0
    assert "oauthkit token:" in stdout
