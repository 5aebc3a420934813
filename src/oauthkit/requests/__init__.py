"""The requests driver: requests-oauthlib's API over oauthkit's core.

Change ``from requests_oauthlib import OAuth1Session`` to
``from oauthkit.requests import OAuth1Session`` and the code runs unchanged.
"""

from .._core._extras import require

require("requests", "requests", "oauthkit.requests")

from .._errors import MalformedResponseError as MalformedResponseError  # noqa: E402
from .._errors import MissingTokenError as TokenMissing  # noqa: E402
from .._errors import MissingVerifierError as VerifierMissing  # noqa: E402
from .._errors import TokenExpiredError as TokenExpiredError  # noqa: E402
from .._errors import TokenRequestDenied as TokenRequestDenied  # noqa: E402
from ._auth import OAuth2 as OAuth2  # noqa: E402
from ._auth import OAuth2Auth as OAuth2Auth  # noqa: E402
from ._oauth1 import OAuth1 as OAuth1  # noqa: E402
from ._oauth1 import OAuth1Session as OAuth1Session  # noqa: E402
from ._session import OAuth2Session as OAuth2Session  # noqa: E402

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
    "VerifierMissing",
]
