"""requests-oauthlib's OAuth 1.0a constructor arguments and session members, written once.

``OAuth1`` (requests), ``OAuth1Auth`` (httpx) and the OAuth 1.0a sessions and clients take
requests-oauthlib's arguments; :func:`signer_from_arguments` turns them into one
:class:`~oauthkit.oauth1.OAuth1Signer`. :class:`OAuth1SessionAttributes` holds the I/O-free
members of ``OAuth1Session`` over an :class:`~oauthkit.oauth1.OAuth1FlowState`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from .._errors import UsageError
from ..oauth1._signature import HMAC_SHA1
from ..oauth1._signer import SIGNATURE_TYPE_AUTH_HEADER, OAuth1Signer
from ..oauth1._state import OAuth1FlowState

__all__ = [
    "OAuth1SessionAttributes",
    "SignerHolder",
    "signer_from_arguments",
    "split_oauth1_kwargs",
]


_OAUTH_NAMES = frozenset(
    {
        "client_secret",
        "resource_owner_key",
        "resource_owner_secret",
        "callback_uri",
        "signature_method",
        "signature_type",
        "rsa_key",
        "verifier",
        "force_include_body",
        "realm",
        "nonce",
        "timestamp",
        "body_hash",
        "nonce_factory",
        "timestamp_factory",
        "allow_insecure_transport",
    }
)


def split_oauth1_kwargs(
    kwargs: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keywords into requests-oauthlib OAuth1 arguments and the HTTP client's own."""
    oauth = {k: v for k, v in kwargs.items() if k in _OAUTH_NAMES}
    client = {k: v for k, v in kwargs.items() if k not in _OAUTH_NAMES}
    return oauth, client


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
