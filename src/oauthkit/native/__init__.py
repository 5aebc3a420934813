"""Native-app login (RFC 8252) in one call: :func:`login`, and :func:`alogin` for asyncio.

A command-line or desktop program signs its user in through the system browser and a loopback
redirect URI (``http://127.0.0.1:<ephemeral port>/callback``, RFC 8252 §7.3), with PKCE S256,
``state`` and, for OpenID Connect, a ``nonce``; where no browser can be opened (an SSH session,
no display) it falls back to the device flow (RFC 8628) or to pasting the redirect URL back.
The token lands in the session that was passed, and in its token store::

    from oauthkit.native import login
    from oauthkit.requests import OAuth2Session

    with OAuth2Session("my-cli", scope=["openid"], issuer="https://id.example") as session:
        result = login(session)          # result.mode: "loopback", "device" or "paste"
        session.get("https://api.example/me")

Nothing is imported until first use.
"""

from __future__ import annotations

from .._core._exports import lazy_exports

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from .._errors import LoginTimeoutError as LoginTimeoutError
    from ._alogin import alogin as alogin
    from ._login import login as login
    from ._plan import MODES as MODES
    from ._plan import LoginResult as LoginResult
    from ._plan import browser_unavailable as browser_unavailable

# The one export table: public name -> the private module that defines it.
_EXPORTS = {
    "MODES": "._plan",
    "LoginResult": "._plan",
    "LoginTimeoutError": ".._errors",
    "alogin": "._alogin",
    "browser_unavailable": "._plan",
    "login": "._login",
}

__all__ = ["MODES", "LoginResult", "LoginTimeoutError", "alogin", "browser_unavailable", "login"]

__getattr__, __dir__ = lazy_exports(__name__, globals(), _EXPORTS, {})
