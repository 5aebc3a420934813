"""``benchmarks/bench_oauth2.py`` runs, prints every row and writes well-formed JSON.

Nothing here asserts a duration or a count that depends on scheduling: the quick mode runs
each measurement a handful of times, enough to prove that every contender can be called the
way the full run calls it. The refresh-storm token endpoint, whose behaviour the counts rest
on, is tested directly.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

import pytest

from tests._bench import BENCHMARKS, run_benchmark

AUTHORIZATION_ROWS = (
    "floor: secrets + sha256 + urlencode",
    "oauthkit build_authorization_url",
    "oauthkit OAuth2Session.authorization_url",
    "requests-oauthlib OAuth2Session.authorization_url",
    "Authlib OAuth2Session.create_authorization_url",
)
PARSING_ROWS = (
    "oauthkit parse_token_response",
    "oauthlib parameters.parse_token_response",
    "Authlib OAuth2Client.parse_response_token",
)
FLOOR = "static Authorization header (floor)"
BEARER_ROWS = {
    "requests.Session": (
        FLOOR,
        "oauthkit OAuth2Session",
        "requests-oauthlib OAuth2Session",
        "Authlib OAuth2Session",
    ),
    "httpx.Client": (FLOOR, "oauthkit OAuth2Client", "Authlib OAuth2Client"),
    "httpx.AsyncClient": (FLOOR, "oauthkit AsyncOAuth2Client", "Authlib AsyncOAuth2Client"),
}
STORM_ROWS = {
    "oauthkit OAuth2Session (requests)": "16 threads",
    "oauthkit OAuth2Client (httpx)": "16 threads",
    "requests-oauthlib OAuth2Session": "16 threads",
    "Authlib OAuth2Session (requests)": "16 threads",
    "Authlib OAuth2Client (httpx)": "16 threads",
    "oauthkit AsyncOAuth2Client": "200 tasks",
    "Authlib AsyncOAuth2Client": "200 tasks",
}
STATS_KEYS = {"samples", "median_us", "p90_us", "min_us"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any]]:
    out = tmp_path_factory.mktemp("bench") / "oauth2.json"
    return run_benchmark("bench_oauth2.py", out, "--quick", timeout=600)


def _section(stdout: str, heading: str, next_heading: str | None) -> list[str]:
    text = stdout.split(heading, 1)[1]
    if next_heading is not None:
        text = text.split(next_heading, 1)[0]
    return text.splitlines()


def _row(lines: list[str], label: str) -> list[str]:
    """The cells after ``label`` on the one line that starts with it (cells split on 2+ spaces)."""
    [line] = [line for line in lines if line.startswith(label + "  ")]
    return [cell for cell in line[len(label) :].strip().split("  ") if cell]


def _is_ratio(cell: str) -> bool:
    return cell in ("-", "within noise") or cell.endswith(("x faster", "x slower"))


def test_prints_every_authorization_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "1. Authorization URL with PKCE", "2. Token-response")
    for label in AUTHORIZATION_ROWS:
        median, p90, vs_ro, vs_authlib, floor = _row(lines, label)
        assert float(median.replace(",", "")) > 0
        assert float(p90.replace(",", "")) > 0
        assert _is_ratio(vs_ro.strip())
        assert _is_ratio(vs_authlib.strip())
        assert floor.strip() == "-" or floor.strip().endswith("x")


def test_prints_every_parsing_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "2. Token-response parsing", "3. Bearer overhead")
    for label in PARSING_ROWS:
        median, _, vs_oauthlib, vs_authlib = _row(lines, label)
        assert float(median.replace(",", "")) > 0
        assert _is_ratio(vs_oauthlib.strip())
        assert _is_ratio(vs_authlib.strip())


def test_prints_every_bearer_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "3. Bearer overhead", "4. Refresh storm")
    for client, labels in BEARER_ROWS.items():
        assert any(line.startswith(f"{client}: a request without auth takes") for line in lines)
        start = next(i for i, line in enumerate(lines) if line.startswith(f"{client}  "))
        table = lines[start : start + 2 + len(labels)]
        for label in labels:
            median, p90, vs_ro, vs_authlib = _row(table, label)
            assert median.strip()[0] in "+-"
            assert p90.strip()[0] in "+-"
            assert _is_ratio(vs_ro.strip())
            assert _is_ratio(vs_authlib.strip())


def test_prints_every_refresh_storm_row(quick_run: tuple[str, dict[str, Any]]) -> None:
    lines = _section(quick_run[0], "4. Refresh storm", None)
    for driver, concurrency in STORM_ROWS.items():
        cells = [cell.strip() for cell in _row(lines, driver)]
        assert cells[0] == concurrency
        requests_sent, failures, revoked = cells[1:]
        assert requests_sent.replace("-", "").isdigit()
        assert failures.replace("-", "").isdigit()
        assert revoked in ("yes", "no", "no-yes")


def test_json_has_every_measurement(quick_run: tuple[str, dict[str, Any]]) -> None:
    data = quick_run[1]
    assert data["quick"] is True
    for key, rows in (("authorization_url", AUTHORIZATION_ROWS), ("token_parsing", PARSING_ROWS)):
        section = data[key]
        assert tuple(section["rows"]) == rows
        assert set(section["results"]) == set(rows)
        for stats in section["results"].values():
            assert set(stats) == STATS_KEYS
            assert stats["samples"] >= 1
        for ratios in section["speedup_vs"].values():
            assert len(ratios) == len(rows) - 1
    bearer = {entry["client"]: entry for entry in data["bearer"]}
    assert set(bearer) == set(BEARER_ROWS)
    for client, labels in BEARER_ROWS.items():
        assert set(bearer[client]["results"]) == {"bare", *labels}
        assert set(bearer[client]["overhead"]) == set(labels)
        for stats in bearer[client]["overhead"].values():
            assert set(stats) == STATS_KEYS
    storm = {entry["driver"]: entry for entry in data["refresh_storm"]}
    assert set(storm) == set(STORM_ROWS)
    for entry in storm.values():
        assert entry["trials"]
        for trial in entry["trials"]:
            assert set(trial) == {"token_requests", "failed_requests", "grant_revoked"}
            assert 1 <= trial["token_requests"] <= entry["concurrency"]
            assert 0 <= trial["failed_requests"] <= entry["concurrency"]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The benchmark script as a module (it imports ``_harness`` from its own directory)."""
    import importlib.util

    monkeypatch.syspath_prepend(str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location("_bench_oauth2", BENCHMARKS / "bench_oauth2.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_storm_endpoint_rotates_and_revokes_on_reuse(bench: ModuleType) -> None:
    server = bench.StormServer(delay=0)
    start = server.issue_expired()
    assert server.allows(f"Bearer {start['access_token']}")
    status, first = server.token({"grant_type": "refresh_token", "refresh_token": "forged"})
    assert (status, first["error"]) == (400, "invalid_grant")
    assert server.revoked
    assert not server.allows(f"Bearer {start['access_token']}")  # the grant's tokens too


def test_storm_endpoint_accepts_each_refresh_token_once(bench: ModuleType) -> None:
    server = bench.StormServer(delay=0)
    start = server.issue_expired()
    status, renewed = server.token(
        {"grant_type": "refresh_token", "refresh_token": start["refresh_token"]}
    )
    assert status == 200
    assert renewed["refresh_token"] != start["refresh_token"]
    assert renewed["expires_in"] == 3600
    assert server.allows(f"Bearer {renewed['access_token']}")
    assert not server.allows(renewed["access_token"])  # no scheme, no access
    status, _ = server.token(
        {"grant_type": "refresh_token", "refresh_token": start["refresh_token"]}
    )
    assert status == 400
    assert server.revoked
    assert not server.allows(f"Bearer {renewed['access_token']}")
    assert server.token_requests == 2
    assert server.token({"grant_type": "client_credentials"})[0] == 400
