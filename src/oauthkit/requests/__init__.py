"""The requests driver: requests-oauthlib's API over oauthkit's core.

Change ``from requests_oauthlib import OAuth1Session`` to
``from oauthkit.requests import OAuth1Session`` and the code runs unchanged. Beyond
requests-oauthlib: :class:`OAuth2Auth`, a renewing auth for any ``requests.Session``.

Names load on first use (PEP 562): importing this package costs little beyond requests itself.
"""

from .._core._exports import lazy_exports
from .._core._extras import require

require("requests", "requests", "oauthkit.requests")

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from .._compat._session import TokenUpdated as TokenUpdated
    from .._errors import MalformedResponseError as MalformedResponseError
    from .._errors import MissingTokenError as TokenMissing
    from .._errors import MissingVerifierError as VerifierMissing
    from .._errors import TokenExpiredError as TokenExpiredError
    from .._errors import TokenRequestDenied as TokenRequestDenied
    from .._oauth2._callback import UncheckedStateWarning as UncheckedStateWarning
    from ._auth import OAuth2 as OAuth2
    from ._auth import OAuth2Auth as OAuth2Auth
    from ._oauth1 import OAuth1 as OAuth1
    from ._oauth1 import OAuth1Session as OAuth1Session
    from ._session import OAuth2Session as OAuth2Session

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "MalformedResponseError": ".._errors",
    "OAuth1": "._oauth1",
    "OAuth1Session": "._oauth1",
    "OAuth2": "._auth",
    "OAuth2Auth": "._auth",
    "OAuth2Session": "._session",
    "TokenExpiredError": ".._errors",
    "TokenRequestDenied": ".._errors",
    "TokenUpdated": ".._compat._session",
    "UncheckedStateWarning": ".._oauth2._callback",
}
# requests-oauthlib's names for two errors, kept for drop-in code.
_ALIASES = {
    "TokenMissing": (".._errors", "MissingTokenError"),
    "VerifierMissing": (".._errors", "MissingVerifierError"),
}

__all__ = [
    "MalformedResponseError",
    "OAuth1",
    "OAuth1Session",
    "OAuth2",
    "OAuth2Auth",
    "OAuth2Session",
    "TokenExpiredError",
    "TokenMissing",
    "TokenRequestDenied",
    "TokenUpdated",
    "UncheckedStateWarning",
    "VerifierMissing",
]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {}, aliases=_ALIASES)
