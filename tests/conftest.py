"""Shared test configuration.

The interop peer fixtures (``oidc_peer``, ``oidc_peer_factory``, ``redis_url``) live in
tests/peers; a peer process starts only when a test asks for one.
"""

from __future__ import annotations

import pytest

pytest_plugins = ["tests.peers.fixtures", "tests.peers.redis_server"]


@pytest.fixture(autouse=True)
def _no_provider_from_an_earlier_test() -> None:
    """Each test starts without the process's shared OpenID providers (``shared_provider``).

    Servers of a test run listen on ephemeral ports, and a port freed by one test's server can
    be taken by a later test's: the issuer URL is then the same while the server behind it is
    another (other endpoints, other keys). In a real deployment an issuer keeps its server and
    the cache follows its ``Cache-Control``; in one pytest process it must not outlive a test.
    """
    import sys

    provider = sys.modules.get("oauthkit.oidc._provider")  # only if a test loaded it
    if provider is not None:
        provider._SHARED.clear()
