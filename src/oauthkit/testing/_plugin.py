"""pytest fixtures for testing OAuth clients against oauthkit's dev provider.

Installed with oauthkit and registered through the ``pytest11`` entry point, so the fixtures
are available in any project that has oauthkit installed:

``oauthkit_dev_provider``
    A running :class:`~oauthkit.devserver.DevProvider`, shared by the tests of one module.
    Starting a provider generates an RSA key, so sharing it keeps suites fast.
``oauthkit_fresh_dev_provider``
    A provider of its own for one test, for tests that need empty state (no tokens issued,
    no nonces seen) or that stop the provider.

Loading the plugin imports nothing beyond pytest and the standard library; oauthlib is needed
only when a fixture is used, and its absence is then reported as
:class:`~oauthkit.MissingExtraError` naming the ``dev`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from ..devserver import DevProvider

__all__ = ["oauthkit_dev_provider", "oauthkit_fresh_dev_provider"]


def _provider() -> DevProvider:
    from ..devserver import DevProvider

    return DevProvider()


@pytest.fixture(scope="module")
def oauthkit_dev_provider() -> Iterator[DevProvider]:
    """A running dev provider shared by the tests of a module."""
    with _provider() as provider:
        yield provider


@pytest.fixture
def oauthkit_fresh_dev_provider() -> Iterator[DevProvider]:
    """A running dev provider for one test only."""
    with _provider() as provider:
        yield provider
