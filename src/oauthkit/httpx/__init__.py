"""The httpx driver: one ``httpx.Auth`` per protocol, and sync and async clients.

``OAuth1Auth`` and ``OAuth2Auth`` each serve ``httpx.Client`` and ``httpx.AsyncClient`` from
one flow. ``OAuth1Client``/``AsyncOAuth1Client`` add requests-oauthlib's three-legged methods,
``OAuth2Client``/``AsyncOAuth2Client`` the methods of its ``OAuth2Session``.
"""

from .._core._extras import require

require("httpx", "httpx", "oauthkit.httpx")

from ._auth import OAuth2Auth as OAuth2Auth  # noqa: E402
from ._oauth1 import AsyncOAuth1Client as AsyncOAuth1Client  # noqa: E402
from ._oauth1 import OAuth1Auth as OAuth1Auth  # noqa: E402
from ._oauth1 import OAuth1Client as OAuth1Client  # noqa: E402
from ._session import AsyncOAuth2Client as AsyncOAuth2Client  # noqa: E402
from ._session import OAuth2Client as OAuth2Client  # noqa: E402

__all__ = [
    "AsyncOAuth1Client",
    "AsyncOAuth2Client",
    "OAuth1Auth",
    "OAuth1Client",
    "OAuth2Auth",
    "OAuth2Client",
]
