"""Lazy imports of optional dependencies.

The core imports only the standard library. Features that need a third-party package import it
through :func:`require` at the moment they are used, so a missing package produces an error that
names the extra to install instead of a bare ``ModuleNotFoundError`` at import time.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from .._errors import MissingExtraError

__all__ = ["require"]


def require(module: str, extra: str, feature: str) -> ModuleType:
    """Import ``module`` or explain which extra provides it.

    Args:
        module: Dotted module name, e.g. ``"cryptography.hazmat.primitives.serialization"``.
        extra: The oauthkit extra that installs it, e.g. ``"rsa"``.
        feature: What the caller was trying to do, for the message.

    Returns:
        The imported module.

    Raises:
        MissingExtraError: The package is not installed.
    """
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        top = module.partition(".")[0]
        if exc.name is not None and exc.name.partition(".")[0] != top:
            raise  # a broken install of the package itself; do not disguise it
        raise MissingExtraError(top, extra, feature) from exc
