"""Shared test configuration.

The interop peer fixtures (``oidc_peer``, ``oidc_peer_factory``, ``redis_url``) live in
tests/peers; a peer process starts only when a test asks for one.
"""

pytest_plugins = ["tests.peers.fixtures", "tests.peers.redis_server"]
