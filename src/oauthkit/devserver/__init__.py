"""A local OAuth provider for tests and demos, built on oauthlib's server endpoints.

Importing this package needs nothing beyond oauthkit itself; constructing a
:class:`DevProvider` needs the ``dev`` extra (oauthlib and cryptography) and says so with a
:class:`~oauthkit.MissingExtraError` when it is missing.
"""

from ._oauth2_clients import DevOAuth2Client as DevOAuth2Client
from ._provider import DevProvider as DevProvider
from ._store import DevClient as DevClient

__all__ = ["DevClient", "DevOAuth2Client", "DevProvider"]
