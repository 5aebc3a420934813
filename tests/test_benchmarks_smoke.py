"""The benchmark scripts run, print every row and write well-formed JSON.

Nothing here asserts a duration: timings depend on the machine and its load. The quick mode of
``benchmarks/bench_oauth1.py`` runs each measurement a handful of times, enough to prove that
every contender can be called the way the full run calls it. The harness's pure helpers are
tested directly.
"""

from __future__ import annotations

import http.client
import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from tests._bench import BENCHMARKS, run_benchmark

SCENARIOS = {
    "hmac_get": "HMAC-SHA1 GET, 3 query params",
    "hmac_post": "HMAC-SHA1 POST, 10 form params",
    "rsa256_get": "RSA-SHA256 GET, 2048-bit PEM",
    "rsa1_get": "RSA-SHA1 GET, 2048-bit PEM",
}
IMPORT_ROWS = (
    "oauthkit",
    "from oauthkit.oauth1 import OAuth1Signer",
    "oauthkit.requests",
    "from oauthkit.requests import OAuth2Session",
    "oauthkit.httpx",
    "from oauthkit.httpx import OAuth2Client",
    "requests_oauthlib",
    "authlib.integrations.requests_client",
    "authlib.integrations.httpx_client",
)


def _load_harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_bench_harness", BENCHMARKS / "_harness.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "oauth1.json"
    return run_benchmark("bench_oauth1.py", out, "--quick", timeout=600)


def _lines_after(stdout: str, heading: str) -> list[str]:
    return stdout.split(heading, 1)[1].splitlines()


def test_prints_every_signing_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    stdout, _ = quick_run
    assert "Check: oauthkit and oauthlib produce identical signatures" in stdout
    lines = _lines_after(stdout, "1-3. Signing")
    lines = lines[: next(i for i, line in enumerate(lines) if line.startswith("4. End to end"))]
    for title in SCENARIOS.values():
        [index] = [i for i, line in enumerate(lines) if line.startswith(title)]
        block = lines[index : index + 3]
        assert block[0][len(title) :].split()[0] == "core"
        assert block[1].split()[0] == "requests"
        assert block[2].split()[0] == "httpx"
        assert "faster" in block[0] or "slower" in block[0]


def test_prints_end_to_end_and_import_rows(quick_run: tuple[str, dict[str, Any]]) -> None:
    stdout, _ = quick_run
    e2e = _lines_after(stdout, "4. End to end")
    assert any(line.startswith("requests.Session") for line in e2e)
    assert any(line.startswith("httpx.Client") for line in e2e)
    imports = _lines_after(stdout, "5. Cold import")
    labels = {line.rsplit(None, 3)[0].strip() for line in imports if line[:1].isalpha()}
    assert set(IMPORT_ROWS) <= labels
    bars = _lines_after(stdout, "Minimum bar")
    verdicts = [line for line in bars if line.endswith(("met", "MISSED"))]
    # six signing bars, two readings of the core import bar, the requests driver import bar
    assert len(verdicts) == 9


def test_json_has_every_measurement(quick_run: tuple[str, dict[str, Any]]) -> None:
    _, data = quick_run
    assert data["quick"] is True
    signing = data["signing"]
    assert isinstance(signing, list)
    seen = {(entry["scenario"], entry["layer"]): entry for entry in signing}
    assert set(seen) == {(s, layer) for s in SCENARIOS for layer in ("core", "requests", "httpx")}
    for (scenario, layer), entry in seen.items():
        expected = {"oauthkit"}
        if layer != "httpx":
            expected.add("oauthlib")
        if scenario != "rsa256_get":  # Authlib has no RSA-SHA256 for OAuth 1
            expected.add("Authlib")
        assert set(entry["results"]) == expected
        for stats in entry["results"].values():
            assert stats["samples"] >= 1
            assert set(stats) == {"samples", "median_us", "p90_us", "min_us"}
        assert set(entry["speedup_vs"]) == expected - {"oauthkit"}
    clients = {entry["client"]: entry for entry in data["end_to_end"]}
    assert set(clients) == {"requests.Session", "httpx.Client"}
    assert set(clients["requests.Session"]["overhead"]) == {"oauthkit", "oauthlib", "Authlib"}
    assert set(clients["httpx.Client"]["overhead"]) == {"oauthkit", "Authlib"}
    assert "import oauthkit" in data["imports"]["imports"]
    assert all(isinstance(bar["ok"], bool) for bar in data["bars"])


def test_stats_summarise_in_order() -> None:
    raw = [5e3, 1e3, 3e3, 2e3, 4e3, 6e3, 7e3, 8e3, 9e3, 10e3]
    stats = harness.Stats.of(raw)
    assert (stats.samples, stats.median_ns, stats.p90_ns, stats.min_ns) == (10, 5.5e3, 9e3, 1e3)
    assert stats.values == tuple(raw)
    assert stats.to_dict() == {"samples": 10, "median_us": 5.5, "p90_us": 9.0, "min_us": 1.0}
    with pytest.raises(ValueError, match="no samples"):
        harness.Stats.of([])


def test_paired_difference_is_call_by_call() -> None:
    base = harness.Stats.of([100.0, 300.0, 200.0])
    subject = harness.Stats.of([110.0, 330.0, 205.0])
    diff = harness.paired_difference(subject, base)
    assert diff.values == (10.0, 30.0, 5.0)
    assert diff.median_ns == 10.0


def test_compare_runs_every_contender_the_requested_number_of_times() -> None:
    calls: dict[str, list[Any]] = {"a": [], "b": []}
    counter = iter(range(1000))
    contenders = [
        harness.Contender("a", calls["a"].append, lambda: next(counter)),
        harness.Contender("b", calls["b"].append, iterations=7),
    ]
    stats = harness.compare(contenders, iterations=12, warmup=2, rounds=5)
    assert stats["a"].samples == 12
    assert stats["b"].samples == 7
    assert len(calls["a"]) == 14  # warm-up calls are made but not recorded
    assert calls["a"] == list(range(14))  # a fresh setup value per call, in order
    assert calls["b"] == [None] * 9
    with pytest.raises(ValueError, match="unique"):
        harness.compare([contenders[0], contenders[0]], iterations=1, warmup=0)


def test_speedup_wording() -> None:
    assert harness.speedup(480.0, 100.0) == "4.8x faster"
    assert harness.speedup(100.0, 130.0) == "1.3x slower"
    assert harness.speedup(None, 1.0) == "n/a"
    assert harness.speedup(50.0, -3.0) == "within noise"


def test_render_table_aligns_columns() -> None:
    table = harness.render_table(["name", "value"], [["a", "1.0"], ["longer", "22.5"]])
    assert table.splitlines() == [
        "name    value",
        "------  -----",
        "a         1.0",
        "longer   22.5",
    ]


def test_fmt_us() -> None:
    assert [harness.fmt_us(v) for v in (None, 3.14159, 265.4, 48123.0)] == [
        "n/a",
        "3.1",
        "265",
        "48,123",
    ]


def test_loopback_server_answers_keep_alive_requests() -> None:
    with harness.loopback_server() as base:
        host, port = base.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        try:
            for method, body in (("GET", None), ("POST", b"a=1&b=2"), ("GET", None)):
                connection.request(method, "/x?y=1", body=body)
                response = connection.getresponse()
                assert (response.status, response.read()) == (200, b"ok")
                assert response.version == 11  # the same connection serves the next request
        finally:
            connection.close()
