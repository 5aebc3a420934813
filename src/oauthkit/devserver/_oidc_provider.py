"""The OpenID Connect half of :class:`~oauthkit.devserver.DevProvider`: its URLs and controls.

:class:`OIDCProviderMixin` gives the provider the OpenID Provider's URLs (Discovery 1.0 §4,
Core §5.3, RP-Initiated Logout 1.0 §2), its public keys, and the controls a test drives instead
of waiting for a provider's schedule: rotating the signing key (Core §10.1.1), minting an ID
token with chosen claims, and ending a user's session. The endpoints themselves are
:class:`~oauthkit.devserver._oidc.OIDCEndpoints`; the ID tokens of the code flow come from the
OAuth 2 token endpoint.

Importing this module needs nothing beyond oauthkit: oauthlib and joserfc are loaded when the
provider is built.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._errors import UsageError
from ._oauth2_clients import DEFAULT_USER
from ._oidc_metadata import DISCOVERY_PATH, JWKS_PATH, LOGOUT_PATH, USERINFO_PATH

if TYPE_CHECKING:
    from ._oauth2 import OAuth2Endpoints
    from ._oauth2_store import OAuth2Store
    from ._oidc import OIDCEndpoints

__all__ = ["OIDCProviderMixin", "at_hash"]


class OIDCProviderMixin:
    """The OpenID Connect members of the dev provider.

    The class using it calls :meth:`_init_oidc` once its OAuth 2 endpoints exist, mounts
    ``self._oidc`` on its router, and supplies ``base_url`` and ``oauth2_client_id``.
    """

    _oidc: OIDCEndpoints
    _oauth2: OAuth2Endpoints
    _oauth2_store: OAuth2Store

    if TYPE_CHECKING:

        @property
        def base_url(self) -> str:
            """The provider's ``http://host:port``."""

        @property
        def oauth2_client_id(self) -> str:
            """The default confidential client."""

    def _init_oidc(self) -> None:
        """Build the OpenID Connect endpoints over the OAuth 2 ones."""
        # Imported only now: the module imports oauthlib at the top.
        from ._oidc import OIDCEndpoints

        self._oidc = OIDCEndpoints(self._oauth2, self._oauth2_store, lambda: self.base_url)

    def _oidc_index(self) -> dict[str, str]:
        """The OpenID Connect part of the provider's ``/`` page."""
        return {
            "openid_configuration_url": self.openid_configuration_url,
            "jwks_uri": self.jwks_uri,
            "userinfo_endpoint": self.userinfo_endpoint,
            "end_session_endpoint": self.end_session_endpoint,
        }

    # -- URLs -------------------------------------------------------------------------------

    @property
    def openid_configuration_url(self) -> str:
        """The OpenID Provider configuration (Discovery 1.0 §4): the RFC 8414 document, whose
        ``issuer`` is :attr:`issuer`."""
        return self.base_url + DISCOVERY_PATH

    @property
    def jwks_uri(self) -> str:
        """The JWK Set the ID tokens verify against (Discovery 1.0 §3 ``jwks_uri``)."""
        return self.base_url + JWKS_PATH

    @property
    def userinfo_endpoint(self) -> str:
        """The UserInfo endpoint (Core §5.3): GET or POST with a Bearer token."""
        return self.base_url + USERINFO_PATH

    @property
    def end_session_endpoint(self) -> str:
        """RP-initiated logout (RP-Initiated Logout 1.0 §2)."""
        return self.base_url + LOGOUT_PATH

    # -- keys and controls ------------------------------------------------------------------

    @property
    def jwks(self) -> dict[str, Any]:
        """The public JWK Set, as :attr:`jwks_uri` serves it (never a private member)."""
        return self._oauth2.validator.keys.jwks()

    @property
    def signing_kid(self) -> str:
        """The ``kid`` (RFC 7638 thumbprint) of the key that signs ID tokens now."""
        return self._oauth2.validator.keys.kid

    def rotate_signing_key(self) -> str:
        """Sign ID tokens with a new key from now on, still publishing the old ones.

        A client that cached the JWK Set meets a ``kid`` it does not know and should fetch
        :attr:`jwks_uri` again, once; :meth:`hits` counts whether it did.

        Returns:
            The new key's ``kid``.
        """
        return self._oauth2.validator.keys.rotate()

    def issue_id_token(
        self,
        client_id: str | None = None,
        *,
        user: str = DEFAULT_USER,
        nonce: str | None = None,
        access_token: str | None = None,
        claims: Mapping[str, object] | None = None,
    ) -> str:
        """Sign an ID token directly, as the token endpoint would, with chosen claims.

        For testing how a client judges ID tokens, including ones it must refuse: the token
        is signed with the current key whatever the claims say.

        Args:
            client_id: The audience; the ``client_secret_basic`` client's if omitted.
            user: The ``sub``. ``auth_time`` is when they signed in, if they have a session.
            nonce: Put in ``nonce`` (Core §3.1.2.1).
            access_token: Its ``at_hash`` is added (Core §3.1.3.6).
            claims: Set last, over the others; a ``None`` value removes that claim.

        Returns:
            The compact JWS.

        Raises:
            UsageError: ``client_id`` is not registered.
        """
        cid = self.oauth2_client_id if client_id is None else client_id
        if self._oauth2_store.client(cid) is None:
            raise UsageError(f"no OAuth 2 client is registered under {cid!r}")
        validator = self._oauth2.validator
        body = validator.id_token_claims(cid, user, self._oauth2_store.signed_in_at(user))
        if nonce is not None:
            body["nonce"] = nonce
        if access_token is not None:
            body["at_hash"] = at_hash(access_token)
        for name, value in (claims or {}).items():
            if value is None:
                body.pop(name, None)
            else:
                body[name] = value
        return validator.sign_id_token(body)

    def sign_out(self, user: str = DEFAULT_USER) -> int:
        """End ``user``'s session and forget their codes and tokens, as logout does.

        Afterwards ``prompt=none`` answers ``login_required`` for them, and their access and
        refresh tokens are refused.

        Returns:
            How many tokens were forgotten.
        """
        return self._oauth2_store.sign_out(user)


def at_hash(access_token: str) -> str:
    """The ``at_hash`` of an RS256 ID token (OpenID Connect Core §3.1.3.6): the base64url
    left half of the access token's SHA-256."""
    digest = hashlib.sha256(access_token.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest[: len(digest) // 2]).rstrip(b"=").decode("ascii")
