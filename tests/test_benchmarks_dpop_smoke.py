"""``benchmarks/bench_dpop.py`` runs, prints every row and writes well-formed JSON.

Nothing here asserts a duration: the quick mode makes each proof a handful of times, enough to
prove that every contender can be called the way the full run calls it (and that the proofs of
oauthkit and joserfc verify, which the script checks before timing).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests._bench import run_benchmark

ROWS = (
    "floor: cryptography ECDSA P-256 sign",
    "oauthkit build_dpop_proof",
    "joserfc jwt.encode",
)


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "dpop.json"
    return run_benchmark("bench_dpop.py", out, "--quick")


def test_prints_every_row_and_the_bar(quick_run: tuple[str, dict[str, Any]]) -> None:
    stdout = quick_run[0]
    lines = stdout.split("1. DPoP proof creation", 1)[1].splitlines()
    for label in ROWS:
        [line] = [line for line in lines if line.startswith(label + "  ")]
        median, p90, floor = line[len(label) :].split()[:3]
        assert float(median.replace(",", "")) > 0
        assert float(p90.replace(",", "")) > 0
        assert floor == "-" if label.startswith("floor") else floor.endswith("x")
    assert "the bare signature" in stdout


def test_json_has_every_measurement(quick_run: tuple[str, dict[str, Any]]) -> None:
    data = quick_run[1]
    assert data["quick"] is True
    proof = data["proof"]
    assert tuple(proof["rows"]) == ROWS
    assert set(proof["results"]) == set(ROWS)
    for stats in proof["results"].values():
        assert set(stats) == {"samples", "median_us", "p90_us", "min_us"}
        assert stats["samples"] >= 1
    assert set(proof["x_floor"]) == set(ROWS)
    assert proof["bar"] == 1.5
