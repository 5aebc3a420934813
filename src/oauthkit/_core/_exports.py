"""Lazy public names (PEP 562), for ``oauthkit`` and ``oauthkit.oauth1``.

A package lists its public names once, in a table from name to the private module that
defines it under that same name; a name is loaded on first use, so ``import oauthkit`` costs
almost nothing and using OAuth 1.0a never loads OAuth 2, nor the reverse. Renamed names stay
importable through the 0.x series from a second table, with a :class:`DeprecationWarning` that
names their new home.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    namespace: dict[str, Any],
    exports: Mapping[str, str],
    deprecated: Mapping[str, str],
    submodules: frozenset[str] = frozenset(),
    aliases: Mapping[str, tuple[str, str]] | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package with lazy exports.

    Args:
        package: The package's ``__name__``.
        namespace: Its ``globals()``; loaded names are cached there.
        exports: Public name -> private module (relative, such as ``"._oauth2._token"``).
        deprecated: Old name -> the new name's public path (``"oauthkit.TokenManager"``).
        submodules: Subpackages reachable as attributes without importing them first
            (``oauthkit.oauth1``), as ``os.path`` is.
        aliases: Compatibility name -> (module, name) of what it stands for
            (requests-oauthlib's ``TokenMissing`` is oauthkit's ``MissingTokenError``), served
            without a warning.
    """
    aliased = dict(aliases or {})

    def __getattr__(name: str) -> Any:
        if name in aliased:
            home, original = aliased[name]
            value = getattr(importlib.import_module(home, package), original)
            namespace[name] = value
            return value
        module = exports.get(name)
        if module is not None:
            value = getattr(importlib.import_module(module, package), name)
            namespace[name] = value  # later lookups skip this function
            return value
        if name in submodules:
            return importlib.import_module(f"{package}.{name}")
        target = deprecated.get(name)
        if target is not None:
            import warnings

            warnings.warn(
                f"{package}.{name} is deprecated; use {target}", DeprecationWarning, stacklevel=2
            )
            home, _, new = target.rpartition(".")
            return getattr(importlib.import_module(home), new)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted({*namespace, *exports, *aliased})

    return __getattr__, __dir__
