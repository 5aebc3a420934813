"""requests-oauthlib's OAuth 1.0a constructor arguments and session members, written once.

``OAuth1`` (requests), ``OAuth1Auth`` (httpx) and the OAuth 1.0a sessions and clients take
requests-oauthlib's arguments; :class:`SignerHolder` turns them into one
:class:`~oauthkit.oauth1.OAuth1Signer`. :class:`OAuth1SessionAttributes` holds the I/O-free
members of ``OAuth1Session`` over an :class:`~oauthkit.oauth1.OAuth1FlowState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._errors import UsageError
from ..oauth1._signature import HMAC_SHA1
from ..oauth1._signer import SIGNATURE_TYPE_AUTH_HEADER, OAuth1Signer
from ..oauth1._state import OAuth1FlowState

__all__ = [
    "OAuth1SessionAttributes",
    "SignerHolder",
    "split_oauth1_kwargs",
]


# Keywords beyond requests-oauthlib's that reach OAuth1Signer.
_SIGNER_KEYWORDS = frozenset(
    {
        "realm",
        "nonce",
        "timestamp",
        "body_hash",
        "nonce_factory",
        "timestamp_factory",
        "allow_insecure_transport",
    }
)
_OAUTH_NAMES = _SIGNER_KEYWORDS | {
    "client_secret",
    "resource_owner_key",
    "resource_owner_secret",
    "callback_uri",
    "signature_method",
    "signature_type",
    "rsa_key",
    "verifier",
    "force_include_body",
}


def split_oauth1_kwargs(
    kwargs: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keywords into requests-oauthlib OAuth1 arguments and the HTTP client's own."""
    oauth = {k: v for k, v in kwargs.items() if k in _OAUTH_NAMES}
    client = {k: v for k, v in kwargs.items() if k not in _OAUTH_NAMES}
    return oauth, client


class OAuth1SessionAttributes:
    """requests-oauthlib's I/O-free ``OAuth1Session`` members, shared by the drivers.

    A mixin over ``self._flow``; drivers implement :meth:`_adopt` to hand the current signer
    to their auth object whenever the flow replaces it.
    """

    _flow: OAuth1FlowState

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


class SignerHolder:
    """The constructor of requests-oauthlib's ``OAuth1``, shared by the auth classes of the
    requests and httpx drivers: the arguments become one :class:`OAuth1Signer`.

    ``realm``, ``nonce``, ``timestamp``, ``body_hash``, ``nonce_factory``, ``timestamp_factory``
    and ``allow_insecure_transport`` are accepted as keywords. ``decoding`` is accepted and
    ignored: oauthkit always produces ``str`` header values.

    Raises:
        UsageError: ``client_class`` is given (oauthkit does not wrap oauthlib clients; register
            a custom signature method instead), or an unknown keyword is passed.
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
        del decoding
        if client_class is not None:
            raise UsageError(
                "client_class is not supported: oauthkit signs without oauthlib; "
                "use oauthkit.register_signature_method for custom methods"
            )
        unknown = sorted(set(kwargs) - _SIGNER_KEYWORDS)
        if unknown:
            raise UsageError(f"unexpected OAuth1 argument(s): {', '.join(unknown)}")
        if force_include_body:
            kwargs.setdefault("body_hash", True)
        self.signer = OAuth1Signer(
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
