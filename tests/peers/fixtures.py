"""Pytest fixtures that run the oidc-provider interop peer.

The fixtures are named ``oidc_peer`` and ``oidc_peer_factory``; their functions carry a
``fixture_`` prefix so that importing them does not clash (ruff F811) with the test parameters.
Use them from a test module by importing the functions (the import looks unused to linters)::

    from tests.peers.fixtures import fixture_oidc_peer, fixture_oidc_peer_factory  # noqa: F401

or make them available everywhere with ``pytest_plugins = ["tests.peers.fixtures"]`` in
``tests/conftest.py``. The peer process only starts when a test asks for a fixture.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pytest

from tests.peers.oidc_provider import OidcProviderPeer

__all__ = ["fixture_oidc_peer", "fixture_oidc_peer_factory"]


@pytest.fixture(scope="module", name="oidc_peer")
def fixture_oidc_peer() -> Iterator[OidcProviderPeer]:
    """A peer with the default settings, fresh for each test module.

    One per module because the peer's in-memory store holds at most 1000 entries, and because a
    replayed code or refresh token revokes a whole grant: modules must not see each other's state.
    """
    with OidcProviderPeer() as peer:
        yield peer


@pytest.fixture(name="oidc_peer_factory")
def fixture_oidc_peer_factory() -> Iterator[Callable[..., OidcProviderPeer]]:
    """Start peers with custom settings; every peer started is stopped after the test.

    Call it with the peer's settings as keywords, e.g.
    ``oidc_peer_factory(ACCESS_TOKEN_TTL=5, DPOP_REQUIRE_NONCE=1)``.
    """
    with contextlib.ExitStack() as started:

        def start(**env: str | int) -> OidcProviderPeer:
            return started.enter_context(OidcProviderPeer(env=env))

        yield start
