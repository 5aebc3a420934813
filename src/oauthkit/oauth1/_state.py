"""The state of an OAuth 1.0a client session, shared by every driver (RFC 5849 §2).

A requests session, an httpx client and an async httpx client all walk the same three-legged
flow. :class:`OAuth1Session` holds what changes along the way (the current signer: temporary
credentials, then token credentials) and turns each step into a signer to send with or a
parsed result. Drivers only perform the HTTP calls in between, so the flow is written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

from .._core._http import HttpResponse, check_transport
from .._errors import MissingVerifierError, UsageError
from ._flow import (
    authorization_url,
    parse_authorization_response,
    parse_token_response,
    token_from_mapping,
)
from ._signature import HMAC_SHA1
from ._signer import SIGNATURE_TYPE_AUTH_HEADER, OAuth1Signer

__all__ = ["OAuth1Session", "OAuth1SessionAttributes", "SignerHolder", "signer_from_arguments"]


def signer_from_arguments(
    client_key: str,
    client_secret: str | None = None,
    resource_owner_key: str | None = None,
    resource_owner_secret: str | None = None,
    callback_uri: str | None = None,
    signature_method: str = HMAC_SHA1,
    signature_type: str = SIGNATURE_TYPE_AUTH_HEADER,
    rsa_key: Any = None,
    verifier: str | None = None,
    decoding: str | None = "utf-8",
    client_class: Any = None,
    force_include_body: bool = False,
    **kwargs: Any,
) -> OAuth1Signer:
    """Build a signer from requests-oauthlib's ``OAuth1``/``OAuth1Session`` arguments.

    ``realm``, ``nonce``, ``timestamp``, ``body_hash``, ``nonce_factory``, ``timestamp_factory``
    and ``allow_insecure_transport`` are accepted as keywords. ``decoding`` is accepted and
    ignored: oauthkit always produces ``str`` header values.

    Raises:
        UsageError: ``client_class`` is given (oauthkit does not wrap oauthlib clients; register
            a custom signature method instead), or an unknown keyword is passed.
    """
    del decoding
    if client_class is not None:
        raise UsageError(
            "client_class is not supported: oauthkit signs without oauthlib; "
            "use oauthkit.register_signature_method for custom methods"
        )
    allowed = {
        "realm",
        "nonce",
        "timestamp",
        "body_hash",
        "nonce_factory",
        "timestamp_factory",
        "allow_insecure_transport",
    }
    unknown = sorted(set(kwargs) - allowed)
    if unknown:
        raise UsageError(f"unexpected OAuth1 argument(s): {', '.join(unknown)}")
    if force_include_body:
        kwargs.setdefault("body_hash", True)
    return OAuth1Signer(
        client_key,
        client_secret,
        resource_owner_key,
        resource_owner_secret,
        callback_uri,
        signature_method,
        signature_type,
        rsa_key,
        verifier,
        **kwargs,
    )


class OAuth1Session:
    """Mutable flow state over an immutable signer; one per driver session.

    Attributes:
        signer: The signer used for the next request. Replaced, never mutated, as the flow
            advances, so a request already being signed keeps a consistent set of credentials.
    """

    __slots__ = ("signer", "temporary")

    def __init__(self, signer: OAuth1Signer) -> None:
        self.signer = signer
        self.temporary = False  # True while the held token is a request token (§2.1)

    def __repr__(self) -> str:
        return f"OAuth1Session(client_key={self.signer.client_key!r}, authorized={self.authorized})"

    @property
    def token(self) -> dict[str, str]:
        """The current token as requests-oauthlib exposes it (only the keys that are set)."""
        signer = self.signer
        items = (
            ("oauth_token", signer.resource_owner_key),
            ("oauth_token_secret", signer.resource_owner_secret),
            ("oauth_verifier", signer.verifier),
        )
        return {k: v for k, v in items if v}

    @token.setter
    def token(self, value: Mapping[str, str]) -> None:
        key, secret, verifier = token_from_mapping(value)
        self.signer = self.signer.with_token(key, secret, verifier)
        self.temporary = False

    @property
    def authorized(self) -> bool:
        """Whether token credentials are held.

        requests-oauthlib also answers ``True`` while only temporary credentials (a request
        token) are held; oauthkit answers ``True`` only once the access token is in.
        """
        signer = self.signer
        if self.temporary:
            return False
        if signer.signature_method.startswith("RSA-"):
            return bool(signer.resource_owner_key)
        return bool(
            signer.client_secret and signer.resource_owner_key and signer.resource_owner_secret
        )

    def request_token_signer(self, url: str, realm: str | list[str] | None = None) -> OAuth1Signer:
        """The signer for the temporary-credentials request (§2.1): callback (or ``oob``) and realm.

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        check_transport(url, allow_insecure=self.signer.allow_insecure_transport)
        if isinstance(realm, list):
            realm = " ".join(realm)
        # §2.1: oauth_callback is required; "oob" when the client has no callback.
        callback = self.signer.callback_uri or "oob"
        return replace(self.signer, realm=realm or self.signer.realm, callback_uri=callback)

    def access_token_signer(self, url: str, verifier: str | None = None) -> OAuth1Signer:
        """The signer for the token-credentials request (§2.3).

        Raises:
            MissingVerifierError: No verifier was given or parsed from the callback.
            UsageError: No request token is held.
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        check_transport(url, allow_insecure=self.signer.allow_insecure_transport)
        signer = self.signer
        verifier = verifier or signer.verifier
        if not verifier:
            raise MissingVerifierError("no client verifier has been set")
        if not signer.resource_owner_key:
            raise UsageError("no request token: fetch a request token before the access token")
        return replace(signer, verifier=verifier, callback_uri=None)

    def accept_token_response(
        self, response: HttpResponse, *, request_token: bool
    ) -> dict[str, str]:
        """Parse a token response and adopt the token for the following requests.

        Args:
            response: The token endpoint's answer.
            request_token: ``True`` after §2.1; the callback is then no longer sent.

        Raises:
            TokenRequestDenied: Error status.
            MalformedResponseError: Unreadable body.
            MissingTokenError: No ``oauth_token`` in it.
        """
        token = parse_token_response(response)
        signer = self.signer.with_token(token["oauth_token"], token.get("oauth_token_secret"))
        self.signer = replace(signer, callback_uri=None) if request_token else signer
        self.temporary = request_token
        return token

    def authorization_url(self, url: str, request_token: str | None = None, **params: str) -> str:
        """The authorization URL of §2.2 for the held (or given) request token.

        Raises:
            UsageError: No request token is known.
        """
        return authorization_url(url, request_token or self.signer.resource_owner_key, **params)

    def parse_authorization_response(self, url: str) -> dict[str, str]:
        """Check the callback against the pending request token and keep its verifier.

        Raises:
            CallbackError: No ``oauth_token`` in the callback.
            StateMismatchError: It names another token than the pending one.
        """
        params = parse_authorization_response(url, self.signer.resource_owner_key)
        self.signer = self.signer.with_token(
            params["oauth_token"],
            self.signer.resource_owner_secret,
            params.get("oauth_verifier"),
        )
        return params


class OAuth1SessionAttributes:
    """requests-oauthlib's I/O-free ``OAuth1Session`` members, shared by the drivers.

    A mixin over ``self._flow``; drivers implement :meth:`_adopt` to hand the current signer
    to their auth object whenever the flow replaces it.
    """

    _flow: OAuth1Session

    def _adopt(self) -> None:
        """Give the driver's auth object the flow's current signer."""

    @property
    def token(self) -> dict[str, str]:
        """``oauth_token``, ``oauth_token_secret`` and ``oauth_verifier``, where set."""
        return self._flow.token

    @token.setter
    def token(self, value: dict[str, str]) -> None:
        self._flow.token = value
        self._adopt()

    @property
    def authorized(self) -> bool:
        """Whether token credentials (not just a request token) are held."""
        return self._flow.authorized

    def authorization_url(self, url: str, request_token: str | None = None, **kwargs: str) -> str:
        """The URL to send the resource owner to (RFC 5849 §2.2).

        Raises:
            UsageError: No request token is known.
        """
        return self._flow.authorization_url(url, request_token, **kwargs)

    def parse_authorization_response(self, url: str) -> dict[str, str]:
        """Read the callback, check it names the pending token, and keep the verifier.

        Raises:
            CallbackError: No ``oauth_token``.
            StateMismatchError: A different token than the pending one.
        """
        token = self._flow.parse_authorization_response(url)
        self._adopt()
        return token


_Holder = TypeVar("_Holder", bound="SignerHolder")


class SignerHolder:
    """The constructor of requests-oauthlib's ``OAuth1``, shared by the auth classes of the
    requests and httpx drivers: the arguments become one :class:`OAuth1Signer`.

    Raises:
        UsageError: Invalid arguments (see :func:`signer_from_arguments`).
        SignatureMethodError: Unknown method or unusable RSA key.
    """

    signer: OAuth1Signer

    def __init__(
        self,
        client_key: str,
        client_secret: str | None = None,
        resource_owner_key: str | None = None,
        resource_owner_secret: str | None = None,
        callback_uri: str | None = None,
        signature_method: str = HMAC_SHA1,
        signature_type: str = SIGNATURE_TYPE_AUTH_HEADER,
        rsa_key: Any = None,
        verifier: str | None = None,
        decoding: str | None = "utf-8",
        client_class: Any = None,
        force_include_body: bool = False,
        **kwargs: Any,
    ) -> None:
        self.signer = signer_from_arguments(
            client_key,
            client_secret,
            resource_owner_key,
            resource_owner_secret,
            callback_uri,
            signature_method,
            signature_type,
            rsa_key,
            verifier,
            decoding,
            client_class,
            force_include_body,
            **kwargs,
        )

    @classmethod
    def from_signer(cls: type[_Holder], signer: OAuth1Signer) -> _Holder:
        """Wrap an existing core signer."""
        holder = cls.__new__(cls)
        holder.signer = signer
        return holder
