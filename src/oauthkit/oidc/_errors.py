"""The errors of OpenID Connect validation.

Each names the check that failed (``err.check``) and says why in its message; none holds the
token that failed::

    OAuthError
    ├── IDTokenError                    an ID token failed validation (OIDC Core §3.1.3.7)
    │   ├── IDTokenFormatError          not a JWT, too large, not JSON, a critical extension
    │   ├── IDTokenSignatureError       alg none or not allowed, no such key, bad signature,
    │   │                               cannot decrypt
    │   ├── IDTokenIssuerError          iss is not the issuer
    │   ├── IDTokenAudienceError        aud does not name us, or azp names another client
    │   ├── IDTokenTimeError            expired, issued in the future, nbf ahead
    │   ├── IDTokenNonceError           nonce missing, different, or already used
    │   ├── IDTokenAuthTimeError        auth_time missing or older than max_age
    │   ├── IDTokenAcrError             acr is not one of the essential acr_values
    │   ├── IDTokenHashError            at_hash or c_hash does not match
    │   └── IDTokenSubjectError         sub missing, or changed on refresh (§12.2)
    ├── UserinfoError                   a UserInfo response we cannot use (§5.3.4)
    │   └── UserinfoSubjectError        its sub is not the ID token's
    └── LogoutTokenError                a back-channel logout token failed validation
                                        (OIDC Back-Channel Logout 1.0 §2.6)

When an ID token fails, the session keeps no token from that response: the access and refresh
tokens it came with are dropped too.
"""

from __future__ import annotations

from .._errors import OAuthError

__all__ = [
    "IDTokenAcrError",
    "IDTokenAudienceError",
    "IDTokenAuthTimeError",
    "IDTokenError",
    "IDTokenFormatError",
    "IDTokenHashError",
    "IDTokenIssuerError",
    "IDTokenNonceError",
    "IDTokenSignatureError",
    "IDTokenSubjectError",
    "IDTokenTimeError",
    "LogoutTokenError",
    "UserinfoError",
    "UserinfoSubjectError",
    "id_token_error",
]


class _Checked(OAuthError):
    """An error that names the check that failed."""

    def __init__(self, message: str, check: str = "") -> None:
        super().__init__(message)
        self.check = check


class IDTokenError(_Checked):
    """An ID token failed validation; ``check`` names the check (``"aud"``, ``"nonce"``...)."""


class IDTokenFormatError(IDTokenError):
    """Not a compact JWT, too large, not a JSON object, or a ``crit`` header."""


class IDTokenSignatureError(IDTokenError):
    """``alg`` is ``none`` or not allowed, no key verifies it, or it cannot be decrypted."""


class IDTokenIssuerError(IDTokenError):
    """``iss`` is not exactly the issuer (OIDC Core §3.1.3.7 step 2)."""


class IDTokenAudienceError(IDTokenError):
    """``aud`` does not contain the client ID, or ``azp`` is required or names another client
    (§3.1.3.7 steps 3 to 5)."""


class IDTokenTimeError(IDTokenError):
    """``exp`` passed, ``iat`` is in the future or missing, or ``nbf`` is ahead (steps 9, 10)."""


class IDTokenNonceError(IDTokenError):
    """``nonce`` is missing, differs from the one sent, or was used already (step 11)."""


class IDTokenAuthTimeError(IDTokenError):
    """``auth_time`` is missing while required, or older than ``max_age`` allows (step 13)."""


class IDTokenAcrError(IDTokenError):
    """``acr`` is not one of the ``acr_values`` requested as essential (step 12)."""


class IDTokenHashError(IDTokenError):
    """``at_hash`` or ``c_hash`` does not match the access token or code (§3.2.2.9, §3.3.2.11)."""


class IDTokenSubjectError(IDTokenError):
    """``sub`` is missing, or a refreshed ID token names another subject (§2, §12.2)."""


class UserinfoError(_Checked):
    """A UserInfo response that cannot be used (not JSON or a valid JWT, no ``sub``)."""


class UserinfoSubjectError(UserinfoError):
    """The UserInfo ``sub`` is not the ID token's: its claims must not be used (§5.3.4)."""


class LogoutTokenError(_Checked):
    """A back-channel logout token failed validation (OIDC Back-Channel Logout 1.0 §2.6)."""


_BY_CHECK: dict[str, type[IDTokenError]] = {
    "format": IDTokenFormatError,
    "crit": IDTokenFormatError,
    "alg": IDTokenSignatureError,
    "kid": IDTokenSignatureError,
    "signature": IDTokenSignatureError,
    "decryption": IDTokenSignatureError,
    "iss": IDTokenIssuerError,
    "aud": IDTokenAudienceError,
    "azp": IDTokenAudienceError,
    "exp": IDTokenTimeError,
    "iat": IDTokenTimeError,
    "nbf": IDTokenTimeError,
    "nonce": IDTokenNonceError,
    "auth_time": IDTokenAuthTimeError,
    "acr": IDTokenAcrError,
    "at_hash": IDTokenHashError,
    "c_hash": IDTokenHashError,
    "sub": IDTokenSubjectError,
}


def id_token_error(check: str, message: str) -> IDTokenError:
    """The :class:`IDTokenError` subclass for ``check``, with ``message``."""
    return _BY_CHECK.get(check, IDTokenError)(f"ID token rejected ({check}): {message}", check)
