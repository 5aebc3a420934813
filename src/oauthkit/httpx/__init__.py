"""The httpx driver: one ``httpx.Auth`` per protocol, and sync and async clients.

``OAuth1Auth`` and ``OAuth2Auth`` each serve ``httpx.Client`` and ``httpx.AsyncClient`` from
one flow. ``OAuth1Client``/``AsyncOAuth1Client`` add requests-oauthlib's three-legged methods,
``OAuth2Client``/``AsyncOAuth2Client`` the methods of its ``OAuth2Session``.

Names load on first use (PEP 562): importing this package costs little beyond httpx itself.
"""

from .._core._exports import lazy_exports
from .._core._extras import require

require("httpx", "httpx", "oauthkit.httpx")

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from ._auth import OAuth2Auth as OAuth2Auth
    from ._oauth1 import AsyncOAuth1Client as AsyncOAuth1Client
    from ._oauth1 import OAuth1Auth as OAuth1Auth
    from ._oauth1 import OAuth1Client as OAuth1Client
    from ._session import AsyncOAuth2Client as AsyncOAuth2Client
    from ._session import OAuth2Client as OAuth2Client

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "AsyncOAuth1Client": "._oauth1",
    "AsyncOAuth2Client": "._session",
    "OAuth1Auth": "._oauth1",
    "OAuth1Client": "._oauth1",
    "OAuth2Auth": "._auth",
    "OAuth2Client": "._session",
}

__all__ = [
    "AsyncOAuth1Client",
    "AsyncOAuth2Client",
    "OAuth1Auth",
    "OAuth1Client",
    "OAuth2Auth",
    "OAuth2Client",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {})
