"""Applies ``tests/upstream/requests_oauthlib.toml`` to requests-oauthlib's own tests.

Copied beside those tests by ``scripts/upstream_tests.py``. Every listed test is expected to
fail (a strict ``xfail``: should it pass, the run fails and the list must shrink), except those
that need the internet, which are skipped with their reason. A listed test that does not exist
fails the run, so the list cannot go stale.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
LIST = ROOT / "tests" / "upstream" / "requests_oauthlib.toml"
ENTRIES = tomllib.loads(LIST.read_text(encoding="utf-8"))

collect_ignore = [entry["path"] for entry in ENTRIES.get("ignore", [])]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    by_id = {item.nodeid.split("requests_oauthlib_tests/", 1)[-1]: item for item in items}
    unknown = []
    for entry in ENTRIES.get("test", []):
        item = by_id.get(entry["id"])
        if item is None:
            if (here / entry["id"].split("::", 1)[0]).exists():
                unknown.append(entry["id"])
            continue  # a module outside this run (a -k or path selection)
        if entry["kind"] == "internet":
            item.add_marker(pytest.mark.skip(reason=f"needs the internet: {entry['reason']}"))
        else:
            item.add_marker(
                pytest.mark.xfail(strict=True, reason=f"{entry['kind']}: {entry['reason']}")
            )
    if unknown:
        raise pytest.UsageError(f"{LIST.name} lists tests that do not exist: {unknown}")
