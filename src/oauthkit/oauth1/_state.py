"""The state of an OAuth 1.0a client session, shared by every driver (RFC 5849 §2).

A requests session, an httpx client and an async httpx client all walk the same three-legged
flow. :class:`OAuth1FlowState` holds what changes along the way (the current signer: temporary
credentials, then token credentials) and turns each step into a flow: a signed token request
sent through :func:`~oauthkit._core._exchange.exchange` (never following a redirect), then the
parsed answer adopted. Drivers only run the flows, so the three-legged flow is written once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import ClassVar

from .._core._exchange import DEFAULT_TIMEOUT, Deadline, RetryPolicy, exchange
from .._core._http import HttpRequest
from .._core._steps import Flow, Purpose
from .._core._transport import TransportPolicy
from .._errors import MissingVerifierError, UsageError
from ._flow import (
    build_authorization_url,
    parse_authorization_callback,
    parse_token_response,
    token_from_mapping,
)
from ._signer import OAuth1Signer

__all__ = ["OAuth1FlowState"]


class OAuth1FlowState:
    """Mutable flow state over an immutable signer; one per driver session.

    Attributes:
        signer: The signer used for the next request. Replaced, never mutated, as the flow
            advances, so a request already being signed keeps a consistent set of credentials.
    """

    __slots__ = ("signer", "temporary")

    # §2.1 makes oauth_callback required: "oob" when the client has no callback.
    default_callback: ClassVar[str | None] = "oob"
    # An access-token request needs the request token it exchanges (§2.3).
    requires_request_token: ClassVar[bool] = True

    def __init__(self, signer: OAuth1Signer) -> None:
        self.signer = signer
        self.temporary = False  # True while the held token is a request token (§2.1)

    def __repr__(self) -> str:
        return (
            f"OAuth1FlowState(client_key={self.signer.client_key!r}, authorized={self.authorized})"
        )

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
        """The signer for the temporary-credentials request (§2.1): callback and realm.

        Without a callback, :attr:`default_callback` (``oob``) is sent.

        Raises:
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        TransportPolicy(self.signer.allow_insecure_transport).check(url)
        if isinstance(realm, list):
            realm = " ".join(realm)
        callback = self.signer.callback_uri or self.default_callback
        return self.signer.replace(realm=realm or self.signer.realm, callback_uri=callback)

    def access_token_signer(self, url: str, verifier: str | None = None) -> OAuth1Signer:
        """The signer for the token-credentials request (§2.3).

        Raises:
            MissingVerifierError: No verifier was given or parsed from the callback.
            UsageError: No request token is held.
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        TransportPolicy(self.signer.allow_insecure_transport).check(url)
        signer = self.signer
        verifier = verifier or signer.verifier
        if not verifier:
            raise MissingVerifierError("No client verifier has been set.")
        if self.requires_request_token and not signer.resource_owner_key:
            raise UsageError("no request token: fetch a request token before the access token")
        return signer.replace(verifier=verifier, callback_uri=None)

    def token_flow(
        self,
        url: str,
        signer: OAuth1Signer,
        *,
        request_token: bool,
        method: str = "POST",
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> Flow[dict[str, str]]:
        """Send a signed token request, then adopt the token for the following requests.

        The request is signed again for each attempt (a fresh nonce and timestamp); it never
        follows a redirect. An access-token request carries the one-time verifier, so it is
        re-sent only when it certainly never reached the server.

        Args:
            url: The request-token (§2.1) or access-token (§2.3) endpoint.
            signer: From :meth:`request_token_signer` or :meth:`access_token_signer`.
            request_token: ``True`` for §2.1: the callback is then no longer sent.
            method: HTTP method.
            headers: Extra headers.
            body: A form body to send (and sign) with the request.
            timeout: Seconds for the exchange, retries included.
            retry: When to send again.
            clock: Seconds since the epoch.

        Raises:
            TokenRequestDenied: Error status.
            MalformedResponseError: Unreadable body.
            MissingTokenError: No ``oauth_token`` in it.
            UnexpectedRedirectError: The endpoint redirected; nothing was re-sent.
        """

        def build(now: float) -> HttpRequest:
            del now  # the signer's own timestamp factory dates the request
            return signer.sign(method, url, headers, body)

        purpose = (
            Purpose.OAUTH1_TEMPORARY_CREDENTIALS
            if request_token
            else Purpose.OAUTH1_TOKEN_CREDENTIALS
        )
        response = yield from exchange(
            build,
            purpose,
            clock=clock,
            deadline=Deadline(clock, DEFAULT_TIMEOUT if timeout is None else timeout),
            policy=retry or RetryPolicy(),
            one_time=not request_token,
        )
        token = parse_token_response(response)
        adopted = self.signer.with_token(token["oauth_token"], token.get("oauth_token_secret"))
        self.signer = adopted.replace(callback_uri=None) if request_token else adopted
        self.temporary = request_token
        return token

    def authorization_url(self, url: str, request_token: str | None = None, **params: str) -> str:
        """The authorization URL of §2.2 for the held (or given) request token.

        Raises:
            UsageError: No request token is known.
        """
        return build_authorization_url(
            url, request_token or self.signer.resource_owner_key, **params
        )

    def parse_authorization_response(self, url: str) -> dict[str, str]:
        """Check the callback against the pending request token and keep its verifier.

        Raises:
            CallbackError: No ``oauth_token`` in the callback.
            StateMismatchError: It names another token than the pending one.
        """
        params = parse_authorization_callback(url, self.signer.resource_owner_key)
        self.signer = self.signer.with_token(
            params["oauth_token"],
            self.signer.resource_owner_secret,
            params.get("oauth_verifier"),
        )
        return params
