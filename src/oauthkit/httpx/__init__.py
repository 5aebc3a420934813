"""The httpx driver: one ``httpx.Auth`` per protocol, and sync and async clients.

``OAuth1Auth`` serves ``httpx.Client`` and ``httpx.AsyncClient`` from one flow.
``OAuth1Client`` and ``AsyncOAuth1Client`` add requests-oauthlib's three-legged methods.
"""

from .._extras import require

require("httpx", "httpx", "oauthkit.httpx")

from ._oauth1 import AsyncOAuth1Client as AsyncOAuth1Client  # noqa: E402
from ._oauth1 import OAuth1Auth as OAuth1Auth  # noqa: E402
from ._oauth1 import OAuth1Client as OAuth1Client  # noqa: E402

__all__ = ["AsyncOAuth1Client", "OAuth1Auth", "OAuth1Client"]
