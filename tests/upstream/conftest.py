"""Applies ``tests/upstream/expected.py`` to requests-oauthlib's own tests.

Copied beside those tests by ``scripts/upstream_tests.py``. A listed test that needs the
internet is skipped with its reason; every other listed test is a strict ``xfail`` (should it
pass, the run fails and the list must shrink). A listed test that does not exist, a twin test
that does not exist, or a README quote that the README does not contain fails the run, so the
list cannot go stale.
"""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").exists())
_LIST = runpy.run_path(str(ROOT / "tests" / "upstream" / "expected.py"))

collect_ignore = list(_LIST["IGNORED"])


def _problems(entry: object) -> list[str]:
    kind, twin, readme = entry.kind, entry.twin, entry.readme  # type: ignore[attr-defined]
    if kind == "oauthlib":
        if not twin:
            return ["an oauthlib entry needs a twin test"]
        path, _, name = twin.partition("::")
        source = ROOT / path
        if not source.exists() or f"def {name.split('::')[-1]}(" not in source.read_text():
            return [f"twin {twin} does not exist"]
    if kind in ("security", "no-oauthlib"):
        text = (ROOT / "README.md").read_text(encoding="utf-8")
        if not readme or "## Differences from requests-oauthlib" not in text or readme not in text:
            return [f"the README does not say {readme!r}"]
    return []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    by_id = {item.nodeid.split("requests_oauthlib_tests/", 1)[-1]: item for item in items}
    for item in items:
        # oauthkit's own warning for a callback whose state nobody checks: requests-oauthlib's
        # tests do that on purpose, so it is shown there, not turned into an error.
        item.add_marker(pytest.mark.filterwarnings("default::oauthkit.UncheckedStateWarning"))
    modules = {nodeid.split("::", 1)[0] for nodeid in by_id}
    problems = []
    for entry in _LIST["EXPECTED"]:
        problems += [f"{entry.id}: {p}" for p in _problems(entry)]
        item = by_id.get(entry.id)
        if item is None:
            if entry.id.split("::", 1)[0] in modules:
                problems.append(f"{entry.id}: no such test")
            continue  # a module outside this run (a path selection)
        if entry.kind == "internet":
            item.add_marker(pytest.mark.skip(reason=f"needs the internet: {entry.reason}"))
        else:
            item.add_marker(pytest.mark.xfail(strict=True, reason=f"{entry.kind}: {entry.reason}"))
    if problems:
        raise pytest.UsageError("tests/upstream/expected.py: " + "; ".join(problems))
