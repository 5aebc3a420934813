"""Architecture rules that code review alone would not keep: a pure core, curated exports.

* Importing the core never imports an HTTP client, a crypto/JOSE library or oauthlib; those
  are loaded lazily by the features that need them (CONVENTIONS.md, rule 1).
* Every private module and every package declares ``__all__``, sorted the way ruff's RUF022
  sorts it, complete with respect to the public names it defines, and every name resolves
  (rule 5).
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import oauthkit
import oauthkit.oauth1

PACKAGE_DIR = Path(oauthkit.__file__).parent
HEAVY = ("requests", "httpx", "cryptography", "joserfc", "oauthlib")


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _checked_files() -> list[Path]:
    """Every private module (core and subpackages), and every package's ``__init__.py``."""
    private = [p for p in sorted(PACKAGE_DIR.rglob("_*.py")) if not p.name.startswith("__")]
    return private + sorted(PACKAGE_DIR.rglob("__init__.py"))


# The sans-I/O layers: the error tree, the plumbing, the protocols, requests-oauthlib's semantics.
PROTOCOL_PACKAGES = ("_core", "_oauth2", "oauth1", "_compat")


def _protocol_modules() -> list[Path]:
    root = [PACKAGE_DIR / "_errors.py", PACKAGE_DIR / "_error_codes.py"]
    return root + [p for pkg in PROTOCOL_PACKAGES for p in sorted((PACKAGE_DIR / pkg).glob("*.py"))]


CHECKED = [pytest.param(path, id=_module_name(path)) for path in _checked_files()]
CORE_MODULES = [_module_name(p) for p in _protocol_modules()]


# --- the core imports nothing heavy ----------------------------------------------------------


def _imported_top_levels(statement: str) -> set[str]:
    report = "print(json.dumps(sorted({m.partition('.')[0] for m in sys.modules})))"
    code = f"import sys, json\n{statement}\n{report}"
    out = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_importing_oauthkit_imports_no_heavy_dependency() -> None:
    loaded = _imported_top_levels("import oauthkit")
    assert "oauthkit" in loaded
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_modules_import_no_heavy_dependency(module: str) -> None:
    loaded = _imported_top_levels(f"import {module}")
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


def test_signing_with_hmac_loads_no_crypto_library() -> None:
    loaded = _imported_top_levels(
        "import oauthkit\n"
        "oauthkit.oauth1.OAuth1Signer('k', client_secret='s').sign('GET', 'https://example.com/')"
    )
    assert loaded.isdisjoint(HEAVY), sorted(loaded & set(HEAVY))


# --- __all__ ----------------------------------------------------------------------------------


def ruf022_key(name: str) -> tuple[int, list[str | int]]:
    """The order ruff's RUF022 ("isort-style") gives ``__all__`` members.

    SCREAMING_SNAKE_CASE constants first, then CamelCase names, then everything else; within a
    group a natural sort (runs of digits compare as numbers, everything else by code point).
    """
    if len(name) > 1 and name.isupper():
        group = 0
    elif name[:1].isupper():
        group = 1
    else:
        group = 2
    # re.split with a capturing group alternates text and digit runs, so equal positions
    # always compare str with str and int with int.
    natural: list[str | int] = [
        int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", name))
    ]
    return group, natural


def test_ruf022_key_matches_ruff() -> None:
    # The order `ruff check --select RUF022 --fix` produced for these names (ruff 0.17).
    ruff_order = [
        "A_1", "A_2", "A_10", "BA", "XY", "Z9",
        "Ab", "B", "HTTP2Client", "Http2", "T", "X", "Zz",
        "__version__", "_x", "a9", "a10", "aB", "a_b", "ab", "b2", "b10",
    ]  # fmt: skip
    code_point_order = sorted(ruff_order)
    assert code_point_order != ruff_order
    assert sorted(code_point_order, key=ruf022_key) == ruff_order


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text("utf-8"), filename=str(path))


def _declared_all(tree: ast.Module) -> list[str] | None:
    for node in tree.body:
        value: ast.expr | None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign):
            targets, value = [node.target], node.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
            assert isinstance(value, (ast.List, ast.Tuple)), "__all__ must be a literal list"
            names = []
            for element in value.elts:
                assert isinstance(element, ast.Constant)
                assert isinstance(element.value, str)
                names.append(element.value)
            return names
    return None


def _is_type_variable(value: ast.expr) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name in ("TypeVar", "ParamSpec", "TypeVarTuple")


def _public_definitions(tree: ast.Module, *, is_package: bool) -> set[str]:
    """Public names a module defines at top level (a package: also its ``X as X`` re-exports)."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            if _is_type_variable(node.value):
                continue  # T = TypeVar("T") is typing machinery, not API
            for target in node.targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif hasattr(ast, "TypeAlias") and isinstance(node, ast.TypeAlias):  # Python 3.12+
            assert isinstance(node.name, ast.Name)
            names.add(node.name.id)
        elif is_package and isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(a.asname for a in node.names if a.asname and a.asname == a.name)
    # TYPE_CHECKING = False is the typing-free guard for type-only imports, not API.
    return {n for n in names if not n.startswith("_") and n != "TYPE_CHECKING"}


@pytest.mark.parametrize("path", CHECKED)
def test_all_is_declared_sorted_and_complete(path: Path) -> None:
    tree = _parse(path)
    declared = _declared_all(tree)
    assert declared is not None, f"{path.name} has no __all__"
    assert len(declared) == len(set(declared)), "duplicate names in __all__"
    assert declared == sorted(declared, key=ruf022_key), "__all__ is not sorted (ruff RUF022)"
    missing = _public_definitions(tree, is_package=path.name == "__init__.py") - set(declared)
    assert not missing, f"public names missing from __all__: {sorted(missing)}"


@pytest.mark.parametrize("path", CHECKED)
def test_all_names_resolve(path: Path) -> None:
    module = importlib.import_module(_module_name(path))
    unresolved = [name for name in module.__all__ if not hasattr(module, name)]
    assert not unresolved


def test_package_all_resolves_and_re_exports_the_core() -> None:
    for name in oauthkit.__all__:
        assert getattr(oauthkit, name) is not None
    core = {"TokenManager", "OAuthError", "parse_token_response", "HttpRequest", "Token"}
    assert core <= set(oauthkit.__all__)
    assert {"OAuth1Signer", "HMAC_SHA1", "build_token_request"} <= set(oauthkit.oauth1.__all__)
