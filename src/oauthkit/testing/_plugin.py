"""pytest fixtures for testing OAuth clients against oauthkit's dev provider.

Installed with oauthkit and registered through the ``pytest11`` entry point, so the fixtures
are available in any project that has oauthkit installed:

``oauthkit_dev_provider``
    A running :class:`~oauthkit.devserver.DevProvider`, shared by the tests of one module.
    Starting a provider generates an RSA key, so sharing it keeps suites fast.
``oauthkit_fresh_dev_provider``
    A provider of its own for one test, for tests that need empty state (no tokens issued,
    no nonces seen, no user signed in, the first signing key) or that stop the provider.

Both serve every protocol the provider speaks, OpenID Connect included: a code flow with
``openid`` in its scope gets an RS256 ID token carrying the request's ``nonce``, and the
provider's ``issuer``, ``openid_configuration_url`` (``/.well-known/openid-configuration``),
``jwks_uri``, ``userinfo_endpoint`` and ``end_session_endpoint`` are the URLs to give a
relying party under test; ``rotate_signing_key()``, ``issue_id_token()`` and ``sign_out()``
drive what a real provider would do on its own schedule. Rotating a key or signing a user out
changes the provider for every test that shares it, so such tests want the fresh one.

Loading the plugin imports nothing beyond pytest and the standard library; oauthlib (and
cryptography and joserfc) are needed only when a fixture is used, and their absence is then
reported as :class:`~oauthkit.MissingExtraError` naming the ``dev`` extra.
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
    """A running dev provider (OAuth 1.0a, OAuth 2, OpenID Connect) shared by a module's tests."""
    with _provider() as provider:
        yield provider


@pytest.fixture
def oauthkit_fresh_dev_provider() -> Iterator[DevProvider]:
    """A running dev provider (OAuth 1.0a, OAuth 2, OpenID Connect) for one test only."""
    with _provider() as provider:
        yield provider
