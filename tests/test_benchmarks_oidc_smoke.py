"""``benchmarks/bench_oidc.py`` runs, prints every row and writes well-formed JSON.

Nothing here asserts a duration: the quick mode runs each validator a handful of times, enough
to prove that every contender can be called the way the full run calls it, and that the key
rotation section prints its counts. That one JWKS request serves every login at once is
asserted by tests/test_oidc_single_flight.py; the provider the benchmark runs is tested
directly here.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests._bench import BENCHMARKS, run_benchmark

VALIDATION_ROWS = (
    "floor: cryptography RSA verify",
    "oauthkit validate_id_token",
    "oauthkit session (RelyingParty)",
    "Authlib OIDC client checks",
    "Authlib jose.jwt.decode",
    "PyJWT jwt.decode",
    "joserfc jwt.decode",
)
STORM_ROWS = {
    "oauthkit OAuth2Session (requests)": "16 threads",
    "oauthkit OAuth2Client (httpx)": "16 threads",
    "oauthkit AsyncOAuth2Client (httpx)": "200 tasks",
}
STATS_KEYS = {"samples", "median_us", "p90_us", "min_us"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "oidc.json"
    return run_benchmark("bench_oidc.py", out, "--quick", timeout=600)


def _section(stdout: str, heading: str, next_heading: str | None) -> list[str]:
    text = stdout.split(heading, 1)[1]
    if next_heading is not None:
        text = text.split(next_heading, 1)[0]
    return text.splitlines()


def _row(lines: list[str], label: str) -> list[str]:
    """The cells after ``label`` on the one line that starts with it (cells split on 2+ spaces)."""
    [line] = [line for line in lines if line.startswith(label + "  ")]
    return [cell.strip() for cell in line[len(label) :].strip().split("  ") if cell]


def _is_ratio(cell: str) -> bool:
    return cell in ("-", "within noise") or cell.endswith(("x faster", "x slower"))


def test_prints_every_validation_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "1. ID token validation", "2. Key rotation")
    for label in VALIDATION_ROWS:
        median, p90, floor, *ratios = _row(lines, label)
        assert float(median.replace(",", "")) > 0
        assert float(p90.replace(",", "")) > 0
        assert floor == "-" if label.startswith("floor") else floor.endswith("x")
        assert len(ratios) == 4
        assert all(_is_ratio(cell) for cell in ratios)


def test_prints_the_jwks_requests_of_every_storm(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "2. Key rotation", None)
    for driver, concurrency in STORM_ROWS.items():
        found, jwks, metadata, validated = _row(lines, driver)
        assert found == concurrency
        assert jwks.isdigit()
        assert metadata.isdigit()
        done, total = validated.split("/")
        assert done.isdigit()
        assert total == concurrency.split()[0]


def test_json_has_every_measurement(quick_run: tuple[str, dict[str, Any]]) -> None:
    data = quick_run[1]
    assert data["quick"] is True
    validation = data["validation"]
    assert tuple(validation["rows"]) == VALIDATION_ROWS
    assert set(validation["results"]) == set(VALIDATION_ROWS)
    for stats in validation["results"].values():
        assert set(stats) == STATS_KEYS
        assert stats["samples"] >= 1
    assert set(validation["x_floor"]) == set(VALIDATION_ROWS)
    for ratios in validation["speedup_vs"].values():
        assert len(ratios) == len(VALIDATION_ROWS) - 1
    storms = {entry["driver"]: entry for entry in data["rotation_storm"]}
    assert set(storms) == set(STORM_ROWS)
    for entry in storms.values():
        assert set(entry) >= {"concurrency", "jwks_requests", "metadata_requests", "validated"}
        assert 0 <= entry["validated"] <= entry["concurrency"]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The benchmark script as a module (it imports ``_harness`` from its own directory)."""
    import importlib.util

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("_bench_oidc", BENCHMARKS / "bench_oidc.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_provider_answers_every_token_request_together(bench: ModuleType) -> None:
    provider = bench.RotatingProvider(jwks_delay=0, base="http://127.0.0.1:1")
    provider.responses["c"] = {"access_token": "a", "token_type": "Bearer"}
    provider.reset(expected=2)
    answers: list[tuple[int, Any]] = []
    first = threading.Thread(target=lambda: answers.append(provider.token("c")))
    first.start()
    first.join(0.2)
    assert first.is_alive()  # held until the second request arrives
    answers.append(provider.token("unknown"))
    first.join(5)
    assert sorted(status for status, _ in answers) == [200, 400]
    assert provider.released_late == 0
    provider.keys = [{"kty": "RSA", "kid": "k"}]
    assert provider.jwks() == {"keys": [{"kty": "RSA", "kid": "k"}]}
    assert provider.metadata()["jwks_uri"] == "http://127.0.0.1:1/jwks"
    counts = (provider.jwks_requests, provider.metadata_requests, provider.token_requests)
    assert counts == (1, 1, 2)


def test_the_callgrind_child_mode_runs_natively(bench: ModuleType, tmp_path: Path) -> None:
    from cryptography.hazmat.primitives import serialization

    key = bench.SigningKey.generate("k")
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert bench.main(["--_calls", "oauthkit validate_id_token", "3", str(pem)]) == 0
