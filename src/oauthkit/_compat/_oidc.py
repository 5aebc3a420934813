"""OpenID Connect on the requests-oauthlib-style sessions: the methods an issuer adds.

A session given ``issuer=`` (or ``relying_party=``) holds a
:class:`~oauthkit.oidc.RelyingParty`. Its token responses are validated as ID tokens arrive;
these are the methods and attributes around that, written once for every driver:

* ``discover()`` loads the issuer's metadata (cached per process), and its keys when the
  session encrypts request objects; ``authorization_url()`` and ``fetch_token()`` then work
  without URLs;
* ``id_token_claims``: the claims of the last ID token accepted;
* ``userinfo()``: the UserInfo claims, their ``sub`` checked against the ID token's;
* ``end_session_url()``: the RP-initiated logout URL;
* ``validate_logout_token()``: a back-channel logout token, for a web app's route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from .._core._steps import Flow
from .._errors import UsageError
from ._calls import Call

if TYPE_CHECKING:
    from .._oauth2._metadata import ServerMetadata
    from ..oidc._claims import IDTokenClaims
    from ..oidc._logout import LogoutTokenClaims
    from ..oidc._relying_party import RelyingParty
    from ._attributes import SessionAttributes
    from ._session import OAuth2SessionState

__all__ = [
    "OpenIDAttributes",
    "discover",
    "discovered",
    "relying_party_of",
    "renewal_check",
    "userinfo",
    "validate_logout_token",
]

T = TypeVar("T")


def relying_party_of(state: OAuth2SessionState) -> RelyingParty:
    """The session's relying party.

    Raises:
        UsageError: The session was given no issuer.
    """
    if state.oidc is None:
        raise UsageError("this session has no issuer: pass issuer= (OpenID Connect) first")
    return state.oidc


def discovered(state: OAuth2SessionState, then: Callable[[], Flow[T]]) -> Flow[T]:
    """Load the issuer's metadata (once per process), then run ``then()``.

    The metadata's ``token_endpoint`` becomes the session's ``auto_refresh_url`` when it has
    none, so tokens from a discovered endpoint renew there.

    Raises:
        UsageError: Under a profile (FAPI 2.0), an ``auto_refresh_url`` that is not the
            discovered token endpoint (its mTLS alias with a client certificate).
    """
    yield from _load(state)
    return (yield from then())


def _load(state: OAuth2SessionState) -> Flow[ServerMetadata]:
    from ..oidc._provider import metadata_flow
    from ._authorize import discovered_endpoint, encryption_keys_flow

    metadata = yield from metadata_flow(relying_party_of(state).provider, state.core)
    core = state.core
    if core.token_endpoint is None:
        core.token_endpoint = metadata.endpoint(
            "token_endpoint", mtls=core.client_certificate is not None
        )
    elif state.profile is not None:  # renewals too go only to the discovered endpoint
        discovered_endpoint(state, core.token_endpoint, "token_endpoint")
    yield from encryption_keys_flow(state)  # the keys a request object is encrypted to
    return metadata


def renewal_check(state: OAuth2SessionState) -> Callable[[], Flow[None]]:
    """The token manager's ``before_renewal`` under a profile (FAPI 2.0): discover the issuer's
    metadata if not yet loaded, and refuse to renew at an ``auto_refresh_url`` (set when the
    session was made, or assigned later) that is not its token endpoint.
    """

    def check() -> Flow[None]:
        yield from _load(state)

    return check


def _same(value: T) -> T:
    return value


def discover(session: SessionAttributes, /) -> Call[ServerMetadata]:
    """Load the issuer's metadata (OIDC Discovery 1.0, RFC 8414), cached for the process.

    Returns:
        The metadata.

    Raises:
        IssuerMismatchError: The document names another issuer; nothing of it is used.
        MalformedResponseError: Not a metadata document.
        UsageError: The session has no issuer.
    """
    state = session._oauth
    relying_party_of(state)  # no issuer: raise now, not when the call is awaited
    # the metadata loaded, not a second metadata_flow: a no-store document would be fetched twice
    return Call(_load(state), _same)


def userinfo(session: SessionAttributes, /, *, timeout: Any = None) -> Call[dict[str, Any]]:
    """The end user's claims from the UserInfo endpoint (OIDC Core §5.3).

    Sent with the session's access token (renewed first when due, and once more after
    ``401 invalid_token``); a signed or encrypted answer is verified; its ``sub`` must be the
    ID token's.

    Returns:
        The claims.

    Raises:
        UserinfoSubjectError: The answer is about another user than the ID token.
        UserinfoError: The answer is refused, malformed, or fails its signature.
        UsageError: No issuer or no access token.
    """
    state = session._oauth
    rp = relying_party_of(state)
    return Call(rp.userinfo_flow(state.core, session._seconds(timeout)), _same)


def validate_logout_token(
    session: SessionAttributes, /, logout_token: str
) -> Call[LogoutTokenClaims]:
    """Validate a back-channel logout token (OIDC Back-Channel Logout 1.0 §2.6).

    Call it from the web app's ``backchannel_logout_uri`` route with the ``logout_token``
    form field; end the sessions its ``sub`` or ``sid`` names, and answer 200 (400 when it
    raises). A ``jti`` seen before within its lifetime is refused.

    Returns:
        The logout token's claims.

    Raises:
        LogoutTokenError: The check that failed (``err.check``).
        UsageError: The session has no issuer.
    """
    state = session._oauth
    return Call(relying_party_of(state).logout_token_flow(state.core, logout_token), _same)


class OpenIDAttributes:
    """The OpenID Connect attributes of a session that perform no I/O."""

    _oauth: OAuth2SessionState

    @property
    def relying_party(self) -> RelyingParty | None:
        """The session's :class:`~oauthkit.oidc.RelyingParty` (``None`` without an issuer)."""
        return self._oauth.oidc

    @property
    def id_token_claims(self) -> IDTokenClaims | None:
        """The claims of the last ID token this session validated, or ``None``."""
        rp = self._oauth.oidc
        return None if rp is None else rp.claims

    def end_session_url(
        self,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        **params: Any,
    ) -> str:
        """The RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2).

        ``id_token_hint`` is the session's ID token unless given; ``logout_hint`` and
        ``ui_locales`` may be given.

        Raises:
            UsageError: No issuer, metadata not loaded, or no ``end_session_endpoint``.
        """
        rp = relying_party_of(self._oauth)
        return rp.end_session_url(
            self._oauth.core,
            post_logout_redirect_uri=post_logout_redirect_uri,
            state=state,
            **params,
        )
