"""The layout rules of issue #6, which a review would not keep on its own.

* Imports go one way: the error tree and ``_core`` at the bottom, then the policy over joserfc
  (``_jose``), then the protocols (``_oauth2``, ``oauth1``, which know nothing of each other),
  then OpenID Connect (``oidc``), then requests-oauthlib's
  semantics (``_compat``), then the drivers and the dev provider, then the CLI and the pytest
  plugin on top.
* Drivers make no protocol decisions: no OAuth vocabulary in ``oauthkit/requests/`` and
  ``oauthkit/httpx/`` (the provider compliance fixes aside, which are requests-oauthlib's API).
* Only the executor steps flows (``Stepper.advance``, ``flow.throw``).
* One export table per public package, against which ``__all__`` and the ``TYPE_CHECKING``
  imports are checked; names are exported under the name they are defined with; no two public
  classes share a name; renamed names warn.
* Modules stay under 400 lines.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import warnings
from pathlib import Path

import pytest

import oauthkit
import oauthkit.devserver
import oauthkit.httpx
import oauthkit.native
import oauthkit.oauth1
import oauthkit.oidc
import oauthkit.requests
import oauthkit.requests.compliance_fixes

PACKAGE_DIR = Path(oauthkit.__file__).parent
SOURCES = sorted(PACKAGE_DIR.rglob("*.py"))
MAX_LINES = 400

# Lower layers may be imported by higher ones, never the reverse.
LAYERS: list[tuple[str, ...]] = [
    (
        "oauthkit._core._redact",
        "oauthkit._errors",
        "oauthkit._error_codes",
        "oauthkit._exports_table",
    ),
    ("oauthkit._core",),
    ("oauthkit._jose",),
    ("oauthkit._oauth2", "oauthkit.oauth1"),
    ("oauthkit.oidc",),
    ("oauthkit._compat",),
    (
        "oauthkit._locks",
        "oauthkit._loopback",
        "oauthkit._ciba_receiver",
        "oauthkit.stores",
        "oauthkit._blocking",
        "oauthkit.requests",
        "oauthkit.httpx",
        "oauthkit.devserver",
    ),
    ("oauthkit.cli", "oauthkit.native", "oauthkit.testing", "oauthkit.__main__"),
]
# Siblings in one layer that must not know each other.
STRANGERS = [
    ("oauthkit._oauth2", "oauthkit.oauth1"),
    ("oauthkit.requests", "oauthkit.httpx"),
]
# What drivers must leave to the core.
OAUTH_VOCABULARY = ("Bearer", "access_token", "refresh_token", "client_secret", "oauth_")
# requests-oauthlib's own names for errors, kept as aliases for drop-in code.
COMPAT_ALIASES = {("oauthkit.requests", "TokenMissing"), ("oauthkit.requests", "VerifierMissing")}
# The one name two drivers share: each HTTP library's auth object, named for what it is
# (issue #6 names both ``oauthkit.requests.OAuth2Auth`` and ``oauthkit.httpx.OAuth2Auth``).
DRIVER_COUNTERPARTS = {"OAuth2Auth": {"oauthkit.requests", "oauthkit.httpx"}}
PUBLIC_NAMESPACES = (
    oauthkit,
    oauthkit.oauth1,
    oauthkit.oidc,
    oauthkit.requests,
    oauthkit.httpx,
    oauthkit.devserver,
    oauthkit.native,
    oauthkit.requests.compliance_fixes,
)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _layer(module: str) -> int:
    for index, prefixes in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return index
    if module == "oauthkit":
        return 1  # the package itself: at run time, lazy exports (``_core._exports``) only
    raise AssertionError(f"{module} belongs to no layer: add it to LAYERS")


def _is_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports(path: Path) -> list[str]:
    """The oauthkit modules ``path`` imports at run time (not under ``if TYPE_CHECKING``)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            return
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{a.name}" for a in node.names]
            found.extend(n if _is_module(n) else target for n in names)
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text("utf-8")))
    return [name for name in found if name.startswith("oauthkit")]


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split(".")[1:])
    return (PACKAGE_DIR / relative).with_suffix(".py").exists() or (
        PACKAGE_DIR / relative / "__init__.py"
    ).exists()


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_imports_go_one_way(path: Path) -> None:
    importer = _module_name(path)
    for imported in _imports(path):
        if imported.startswith(importer + ".") or imported == importer:
            continue
        assert _layer(imported) <= _layer(importer), f"{importer} imports {imported}"
        for a, b in STRANGERS:
            for one, other in ((a, b), (b, a)):
                if importer.startswith(one) and imported.startswith(other):
                    raise AssertionError(f"{importer} imports {imported}")


def _string_constants(tree: ast.Module) -> list[str]:
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


DRIVER_SOURCES = [
    p
    for driver in ("requests", "httpx")
    for p in sorted((PACKAGE_DIR / driver).rglob("*.py"))
    if "compliance_fixes" not in p.parts
]


@pytest.mark.parametrize("path", DRIVER_SOURCES, ids=_module_name)
def test_drivers_carry_no_oauth_vocabulary(path: Path) -> None:
    # String literals are where protocol decisions hide (a header value, a parameter name);
    # method and argument names such as fetch_access_token() are requests-oauthlib's API.
    texts = _string_constants(ast.parse(path.read_text("utf-8")))
    found = sorted({word for word in OAUTH_VOCABULARY for text in texts if word in text})
    assert not found, f"{_module_name(path)} spells {found}: that decision belongs to the core"


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_only_the_executor_steps_flows(path: Path) -> None:
    if _module_name(path) == "oauthkit._core._run":
        return
    text = path.read_text("utf-8")
    for call in (".advance(", "flow.throw(", "flow.send("):
        assert call not in text, f"{_module_name(path)} steps a flow by hand ({call})"


@pytest.mark.parametrize("path", SOURCES, ids=_module_name)
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{_module_name(path)} has {lines} lines: two concepts?"


def _type_checking_imports(
    package: object, aliases: dict[str, tuple[str, str]] | None = None
) -> dict[str, str]:
    """Name -> relative module of the ``TYPE_CHECKING`` imports in a package's ``__init__``."""
    renamed = {name: original for name, (_, original) in (aliases or {}).items()}
    tree = ast.parse(Path(inspect.getfile(package)).read_text("utf-8"))  # type: ignore[arg-type]
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for item in node.body:
                if isinstance(item, ast.ImportFrom):
                    for alias in item.names:
                        public = alias.asname or alias.name
                        expected = renamed.get(public, public)
                        assert alias.name == expected, f"{alias.name} re-exported renamed"
                        found[public] = "." * item.level + (item.module or "")
    return found


@pytest.mark.parametrize(
    "package",
    [oauthkit, oauthkit.oauth1, oauthkit.requests, oauthkit.httpx, oauthkit.native],
    ids=lambda p: p.__name__,
)
def test_one_export_table(package: object) -> None:
    table: dict[str, str] = package._EXPORTS  # type: ignore[attr-defined]
    aliases: dict[str, tuple[str, str]] = getattr(package, "_ALIASES", {})
    assert set(table) | set(aliases) == set(package.__all__)  # type: ignore[attr-defined]
    imports = _type_checking_imports(package, aliases)
    assert imports == {**table, **{name: module for name, (module, _) in aliases.items()}}
    for name, module in table.items():
        defined_in = importlib.import_module(module, package.__name__)  # type: ignore[attr-defined]
        value = vars(defined_in)[name]  # defined (or bound) there, under that name
        if inspect.isclass(value) or inspect.isfunction(value):
            assert value.__name__ == name
            assert value.__module__ == defined_in.__name__


def test_no_two_public_classes_share_a_name() -> None:
    seen: dict[str, tuple[str, object]] = {}
    for namespace in PUBLIC_NAMESPACES:
        for name in namespace.__all__:
            value = getattr(namespace, name)
            if not inspect.isclass(value):
                continue
            if (namespace.__name__, name) not in COMPAT_ALIASES:
                assert value.__name__ == name, f"{namespace.__name__}.{name} is {value.__name__}"
            where, other = seen.setdefault(value.__name__, (namespace.__name__, value))
            counterparts = DRIVER_COUNTERPARTS.get(value.__name__, set())
            if {where, namespace.__name__} <= counterparts:
                continue
            assert other is value, f"{value.__name__} names two classes ({where}, {namespace})"


def test_renamed_names_warn_and_still_work() -> None:
    for old, new in oauthkit._DEPRECATED.items():
        home, _, name = new.rpartition(".")
        with pytest.warns(DeprecationWarning, match=new):
            value = getattr(oauthkit, old)
        assert value is getattr(importlib.import_module(home), name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert oauthkit.TokenManager is not None  # the new names are silent


def test_sync_and_async_httpx_clients_are_not_twins() -> None:
    # Every session method that does I/O is one call builder: the blocking sessions (requests
    # and httpx, through one mixin) and the async client make their methods from it.
    from oauthkit._compat import _calls
    from oauthkit._compat._attributes import SyncSessionMethods

    assert issubclass(oauthkit.requests.OAuth2Session, SyncSessionMethods)
    assert issubclass(oauthkit.httpx.OAuth2Client, SyncSessionMethods)
    for name in (
        "fetch_token",
        "refresh_token",
        "fetch_device_authorization",
        "poll_device_token",
        "revoke_token",
        "introspect_token",
    ):
        build = getattr(_calls, name)
        for cls in (oauthkit.requests.OAuth2Session, oauthkit.httpx.AsyncOAuth2Client):
            assert inspect.unwrap(getattr(cls, name)) is build
