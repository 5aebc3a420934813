"""The authorization response a requests-oauthlib session's ``fetch_token`` is handed.

:class:`CallbackChecks` reads it: a JWT-secured one (JARM: a ``response`` parameter) is
recognised first, and refused when it is plain where the session asked for a JWT
``response_mode`` (a downgrade would skip the signature); the parameters (the plain ones, or
those of a verified JWT) then go through :func:`~oauthkit.parse_authorization_callback`:
``state`` in constant time, RFC 9207 ``iss``, an ``error``, and single use.
"""

from __future__ import annotations

import hmac
import warnings
from collections.abc import Mapping
from types import FrameType
from typing import TYPE_CHECKING, Any

from .._errors import StateMismatchError, UsageError

if TYPE_CHECKING:
    from .._oauth2._profile import SecurityProfile
    from ..oidc._relying_party import RelyingParty

__all__ = ["Callback", "CallbackChecks"]

Callback = str | bytes | Mapping[str, Any]
"""An authorization response: the callback URL, or a ``form_post`` body or its fields."""


def _outside_oauthkit() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside oauthkit: the
    caller's line, however many layers (drivers, call builders, flows) are in between."""
    import sys

    frame: FrameType | None = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("oauthkit"):
        frame, level = frame.f_back, level + 1
    return level


class CallbackChecks:
    """Reading the authorization response, for :class:`~._token_requests.TokenRequests`.

    A mixin: the session state supplies the attributes declared here.
    """

    issuer: str | None
    oidc: RelyingParty | None
    profile: SecurityProfile | None
    response_mode: str | None
    _warned_state: bool = False
    _state: str | None
    _used_state: str | None

    def _jarm_token(self, authorization_response: Callback) -> str | None:
        """The callback's ``response`` JWT (JARM), or ``None`` for a plain response, which is
        refused when the session asked for a JWT one (a downgrade would skip the signature).

        Raises:
            JARMFormatError: A plain response where a JWT one was asked for, or unsigned
                parameters beside the JWT.
            UsageError: A JWT response to a session without an issuer (no keys to check it).
        """
        from .._oauth2._callback import callback_params
        from .._oauth2._jarm import is_jarm_mode, jarm_error, read_jarm_response

        params = callback_params(authorization_response)  # read once, for both checks
        # requests-oauthlib's reading, unchanged, when the callback has a code or an error: a
        # redirect URI may carry its own query (RFC 6749 §3.1.2), "response" included.
        plain = "code" in params or "error" in params
        if plain and self.oidc is None and not is_jarm_mode(self.response_mode):
            return None
        token = read_jarm_response(params)
        if token is None and is_jarm_mode(self.response_mode):
            raise jarm_error(
                "response",
                f"the session asked for response_mode={self.response_mode} and the callback "
                "has no response JWT; a plain (unsigned) response is refused",
            )
        if token is not None and self.oidc is None:
            raise UsageError(
                "a JWT-secured authorization response (JARM) is checked with the issuer's "
                "keys: give the session issuer="
            )
        return token

    def _callback_code(self, authorization_response: Callback) -> str | None:
        """The code of a plain callback, or of the parameters of a checked response JWT,
        after its ``state`` (and RFC 9207 ``iss``) are checked."""
        from .._oauth2._callback import UncheckedStateWarning, parse_authorization_callback

        state = self._state
        if state is None and self._used_state is None and not self._warned_state:
            self._warned_state = True
            warnings.warn(
                "the callback's state is not checked: this session was given no state to "
                "expect, so a forged callback would be accepted. Keep the state from "
                "authorization_url() and pass OAuth2Session(..., state=saved) here",
                UncheckedStateWarning,
                stacklevel=_outside_oauthkit(),
            )
        oidc = self.oidc
        metadata = None if oidc is None else oidc.provider.metadata
        callback = parse_authorization_callback(
            authorization_response,
            expected_state=state,
            issuer=self.issuer,
            # RFC 9207 §2.4: a server that says it sends iss must send it; FAPI 2.0 requires it
            iss_required=self.profile is not None
            or bool(metadata and metadata.authorization_response_iss_parameter_supported),
            skip_state_check=state is None,  # requests-oauthlib accepts it; warned above
        )
        used = self._used_state
        if (
            used is not None
            and callback.state is not None
            and hmac.compare_digest(
                callback.state.encode("utf-8", "surrogatepass"),
                used.encode("utf-8", "surrogatepass"),
            )
        ):
            raise StateMismatchError(
                "this authorization response was already exchanged for a token; a state and "
                "its PKCE verifier are single-use"
            )
        return callback.code
