"""The dev provider's answers to oauthlib's OpenID Connect questions (OpenID Connect Core 1.0).

oauthlib's OpenID Connect grants (``oauthlib.openid``) wrap its OAuth 2 grants: they check the
OpenID parameters of an authorization request (``prompt``, ``id_token_hint``, ``claims``),
put ``aud``, ``iat``, ``nonce`` and ``at_hash`` (§3.1.3.6) in an ID token, and ask the
validator for the rest. :class:`DevOIDCValidator` answers from the same
:class:`~oauthkit.devserver._oauth2_store.OAuth2Store` as the OAuth 2 validator it extends:

* the ``nonce`` of the authorization request and the user's ``auth_time`` travel with the code
  (§3.1.2.1, §2), and a refresh repeats the grant's ``auth_time`` without a ``nonce`` (§12.2);
* ``iss``, ``sub`` (the user's name), ``exp`` and ``iat`` come from the provider, with its
  injected clock, and the token is signed RS256 by the provider's current key;
* the user has a session (see :mod:`~oauthkit.devserver._oauth2_store`): ``prompt=none``
  succeeds only within it, ``prompt=login`` or an exceeded ``max_age`` signs in again, and an
  ``id_token_hint`` must be one of this provider's ID tokens naming the same user (§3.1.2.1);
* the userinfo endpoint releases the claims of the token's scopes (§5.3, §5.4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oauthlib.openid import RequestValidator as OpenIDRequestValidator

from ._oauth2_clients import DEFAULT_USER
from ._oauth2_store import OAuth2Store
from ._oauth2_validator import DevOAuth2Validator
from ._oidc_keys import SigningKeys
from ._oidc_metadata import user_claims

__all__ = ["DevOIDCValidator"]


class DevOIDCValidator(DevOAuth2Validator, OpenIDRequestValidator):  # type: ignore[misc]
    """The OAuth 2 validator, answering oauthlib's OpenID Connect questions too.

    Args:
        store: Clients, users, sessions, codes and tokens.
        issuer: Returns the issuer identifier once the provider is running.
        keys: The keys ID tokens are signed with.
        id_token_ttl: Seconds an ID token is valid (its ``exp`` after ``iat``).
    """

    def __init__(
        self,
        store: OAuth2Store,
        issuer: Callable[[], str],
        keys: SigningKeys,
        *,
        id_token_ttl: int,
    ) -> None:
        super().__init__(store, issuer)
        self.keys = keys
        self._id_token_ttl = id_token_ttl

    # -- ID tokens (§2, §3.1.3.6, §12.2) ----------------------------------------------------

    def id_token_claims(self, client_id: str, user: str, auth_time: float | None) -> dict[str, Any]:
        """The claims every ID token of this provider carries (§2), dated by its clock."""
        now = int(self._store.clock())
        claims: dict[str, Any] = {
            "iss": self._issuer(),
            "sub": user,
            "aud": client_id,
            "iat": now,
            "exp": now + self._id_token_ttl,
        }
        if auth_time is not None:
            claims["auth_time"] = int(auth_time)
        return claims

    def sign_id_token(self, claims: Mapping[str, Any]) -> str:
        """Sign ``claims`` as an ID token with the current key."""
        return self.keys.sign(claims)

    def finalize_id_token(
        self, id_token: dict[str, Any], token: dict[str, Any], token_handler: Any, request: Any
    ) -> str:
        # oauthlib brings aud, nonce and at_hash, and an iat from time.time(), which the
        # provider's own clock replaces.
        client_id = request.client.client_id if request.client else request.client_id
        claims = self.id_token_claims(client_id, request.user, self._auth_time(request))
        return self.sign_id_token({**id_token, **claims})

    def _auth_time(self, request: Any) -> float | None:
        # Called before the token response is saved, so the code or refresh token is still
        # current.
        if request.grant_type == "authorization_code":
            code = self._store.code(request.code)
            return code.auth_time if code is not None else None
        refresh = self._store.refresh_token(request.refresh_token or "")
        return refresh.auth_time if refresh is not None else None

    def refresh_id_token(self, request: Any) -> bool:
        # §12.2: an ID token on refresh, for a grant that has a user (oauthlib checks openid).
        return request.user is not None

    def verify_id_token(self, token: str) -> dict[str, Any] | None:
        """The claims of ``token`` if this provider issued it: its signature, ``iss`` and
        ``sub``; expiry is not checked, since a hint may be an expired token (§3.1.2.1)."""
        claims = self.keys.verify(token)
        if claims is None or claims.get("iss") != self._issuer():
            return None
        return claims if isinstance(claims.get("sub"), str) else None

    # -- the code and its user --------------------------------------------------------------

    def get_authorization_code_scopes(
        self, client_id: str | None, code: str, redirect_uri: str | None, request: Any
    ) -> list[str]:
        record = self._store.code(code)
        if record is None or (client_id is not None and record.client_id != client_id):
            return []
        return list(record.scopes)

    def get_authorization_code_nonce(
        self, client_id: str | None, code: str, redirect_uri: str | None, request: Any
    ) -> str | None:
        record = self._store.code(code)
        return None if record is None else record.nonce

    def fresh_login(self, request: Any) -> bool:
        # §3.1.2.1: prompt=login asks for a new sign-in; so does a session older than max_age.
        if "login" in (request.prompt or "").split():
            return True
        return self._session_too_old(request)

    def _session_too_old(self, request: Any) -> bool:
        try:
            max_age = int(request.max_age)
        except (TypeError, ValueError):
            return False
        signed_in = self._store.signed_in_at(_end_user(request))
        return signed_in is not None and self._store.clock() - signed_in > max_age

    def validate_silent_login(self, request: Any) -> bool:
        # prompt=none: only a user who is signed in, recently enough, gets a code.
        signed_in = self._store.signed_in_at(_end_user(request))
        return signed_in is not None and not self._session_too_old(request)

    def validate_silent_authorization(self, request: Any) -> bool:
        return True  # every client has the user's consent

    def validate_user_match(
        self, id_token_hint: str | None, scopes: list[str], claims: Any, request: Any
    ) -> bool:
        if not id_token_hint:
            return True
        hinted = self.verify_id_token(id_token_hint)
        return hinted is not None and hinted["sub"] == _end_user(request)

    # -- userinfo (§5.3) --------------------------------------------------------------------

    def get_userinfo_claims(self, request: Any) -> dict[str, object] | None:
        if request.user is None:
            return None  # a token of the client itself, about nobody
        return user_claims(request.user, list(request.scopes or ()))


def _end_user(request: Any) -> str:
    """Who approves: the one named by ``login_hint``, as at the authorization endpoint."""
    return str(request.user or request.login_hint or DEFAULT_USER)
