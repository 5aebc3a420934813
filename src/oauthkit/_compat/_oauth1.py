"""requests-oauthlib's OAuth 1.0a constructor arguments and session members, written once.

``OAuth1`` (requests), ``OAuth1Auth`` (httpx) and the OAuth 1.0a sessions and clients take
requests-oauthlib's arguments; :class:`SignerHolder` turns them into one
:class:`~oauthkit.oauth1.OAuth1Signer`, held in a :class:`CompatFlowState` that the auth
object and its session share. :class:`SignerView` is requests-oauthlib's settable
``OAuth1.client`` over that state. :class:`OAuth1SessionAttributes` holds the I/O-free members
of ``OAuth1Session``.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from .._errors import UsageError
from ..oauth1._signature import HMAC_SHA1
from ..oauth1._signer import SIGNATURE_TYPE_AUTH_HEADER, OAuth1Signer
from ..oauth1._state import OAuth1FlowState

__all__ = [
    "CompatFlowState",
    "OAuth1SessionAttributes",
    "SignerHolder",
    "SignerView",
    "as_signed_by_oauthlib",
    "split_oauth1_kwargs",
    "transcode_header_values",
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
# requests-oauthlib's OAuth1 arguments after client_key, in order.
_POSITIONAL = (
    "client_secret",
    "resource_owner_key",
    "resource_owner_secret",
    "callback_uri",
    "signature_method",
    "signature_type",
    "rsa_key",
    "verifier",
)
_OAUTH_NAMES = _SIGNER_KEYWORDS | {*_POSITIONAL, "decoding", "client_class", "force_include_body"}


def split_oauth1_kwargs(
    kwargs: Mapping[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split keywords into requests-oauthlib OAuth1 arguments and the HTTP client's own."""
    oauth = {k: v for k, v in kwargs.items() if k in _OAUTH_NAMES}
    client = {k: v for k, v in kwargs.items() if k not in _OAUTH_NAMES}
    return oauth, client


def as_signed_by_oauthlib(value: str | bytes, decoding: str | None) -> str | bytes:
    """``value`` as requests-oauthlib hands it back from signing: oauthlib's ``Client.sign``
    reads every header value (and the body it signs) as UTF-8 text and, when ``decoding`` is
    set, returns it encoded with ``decoding``; with ``decoding=None`` it stays text.

    Bytes that are not UTF-8 are kept as they are (oauthlib would raise), and so is text that
    is not ASCII when ``decoding`` is ``None``: http.client would send a ``str`` body as
    Latin-1, which is not what was signed.

    Raises:
        UnicodeEncodeError: ``value`` cannot be encoded with ``decoding`` (as with oauthlib).
        LookupError: ``decoding`` names no codec (as with oauthlib).
    """
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    else:
        text = value
    if decoding:
        return text.encode(decoding)
    return text if text.isascii() or isinstance(value, str) else value


def transcode_header_values(headers: MutableMapping[str, Any], decoding: str | None) -> None:
    """Give every header value the type requests-oauthlib leaves after signing.

    requests-oauthlib replaces *all* the request's headers with those oauthlib's ``Client.sign``
    returns (``requests.PreparedRequest.prepare_headers``), so with its default
    ``decoding="utf-8"`` every value (``Authorization``, ``Content-Type``, ``User-Agent``,
    ``Cookie``...) is ``bytes``, and with ``decoding=None`` every value is ``str``. Code written
    for it may call ``.decode()`` on them.

    Raises:
        UnicodeEncodeError: A value cannot be encoded with ``decoding``.
        LookupError: ``decoding`` names no codec.
    """
    for name, value in list(headers.items()):
        if isinstance(value, (str, bytes)):
            headers[name] = as_signed_by_oauthlib(value, decoding)


class CompatFlowState(OAuth1FlowState):
    """The three-legged flow as requests-oauthlib runs it.

    Two rules of the native flow are relaxed, because code moved from requests-oauthlib relies
    on what it sends:

    * the request-token request carries ``oauth_callback`` only when a ``callback_uri`` was
      given (the native flow sends ``oob``);
    * the access-token request is sent with whatever token is held, even none: the server
      decides (the native flow refuses it without a request token).
    """

    __slots__ = ()

    default_callback = None
    requires_request_token = False


# The oauthlib Client attributes requests-oauthlib users read and assign on ``OAuth1.client``.
_VIEW_FIELDS = frozenset({"client_key", *_POSITIONAL, "realm", "nonce", "timestamp"})


class SignerView:
    """requests-oauthlib's ``OAuth1.client``: the current signer, with settable fields.

    requests-oauthlib exposes a mutable oauthlib ``Client``, and code assigns
    ``auth.client.resource_owner_key`` or deletes ``auth.client.verifier``. The signer stays
    immutable: an assignment replaces the shared state's signer with a validated copy
    (:meth:`~oauthkit.oauth1.OAuth1Signer.replace`), so a request being signed keeps one
    consistent set of credentials. Deleting a field sets it to ``None``, which is what
    requests-oauthlib's ``getattr(client, name, None)`` then reads.

    Everything else (``sign``, ``signature_type``...) is read from the current signer.
    """

    __slots__ = ("_state",)
    _state: OAuth1FlowState

    def __init__(self, state: OAuth1FlowState) -> None:
        object.__setattr__(self, "_state", state)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._state.signer, name)

    def __setattr__(self, name: str, value: object) -> None:
        """Replace the signer with one whose ``name`` is ``value``.

        Raises:
            AttributeError: ``name`` is not a field requests-oauthlib lets users set.
            UsageError: The new value makes no valid signer (an empty ``client_key``...).
            SignatureMethodError: An unknown method, or an RSA method without a usable key.
        """
        if name not in _VIEW_FIELDS:
            raise AttributeError(f"cannot set {name!r} on an OAuth 1.0a client")
        state = self._state
        state.signer = state.signer.replace(**{name: value})

    def __delattr__(self, name: str) -> None:
        self.__setattr__(name, None)

    def __repr__(self) -> str:
        return repr(self._state.signer)  # the signer's repr redacts every secret


class OAuth1SessionAttributes:
    """requests-oauthlib's I/O-free ``OAuth1Session`` members, shared by the drivers.

    A mixin over ``self._flow``, the state the session's auth object signs with.
    """

    _flow: OAuth1FlowState

    @property
    def token(self) -> dict[str, str]:
        """``oauth_token``, ``oauth_token_secret`` and ``oauth_verifier``, where set."""
        return self._flow.token

    @token.setter
    def token(self, value: dict[str, str]) -> None:
        self._flow.token = value

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
        return self._flow.parse_authorization_response(url)


class SignerHolder:
    """The constructor of requests-oauthlib's ``OAuth1``, shared by the auth classes of the
    requests and httpx drivers: the arguments become one :class:`OAuth1Signer`, held in
    :attr:`state` (which a session shares) and shown, settable, as :attr:`client`.

    ``realm``, ``nonce``, ``timestamp``, ``body_hash``, ``nonce_factory``, ``timestamp_factory``
    and ``allow_insecure_transport`` are accepted as keywords. ``decoding`` is kept as
    :attr:`decoding`: the requests driver gives the values it signs the types requests-oauthlib
    gives them (see :func:`transcode_header_values`); httpx stores every header as bytes itself.

    Raises:
        UsageError: ``client_class`` is given or assigned to the class (oauthkit does not wrap
            oauthlib clients; register a custom signature method instead), or an unknown
            keyword is passed.
        SignatureMethodError: Unknown method or unusable RSA key.
    """

    state: CompatFlowState
    decoding: str | None

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
        self.decoding = decoding
        # requests-oauthlib also reads a client_class assigned to the class (OAuth1.client_class).
        if client_class is not None or getattr(type(self), "client_class", None) is not None:
            raise UsageError(
                "client_class is not supported: oauthkit signs without oauthlib; "
                "use oauthkit.oauth1.register_signature_method for custom methods"
            )
        unknown = sorted(set(kwargs) - _SIGNER_KEYWORDS)
        if unknown:
            raise UsageError(f"unexpected OAuth1 argument(s): {', '.join(unknown)}")
        if force_include_body:
            kwargs.setdefault("body_hash", True)
        self.state = CompatFlowState(
            OAuth1Signer(
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
        )

    @property
    def signer(self) -> OAuth1Signer:
        """The signer the next request is signed with."""
        return self.state.signer

    @signer.setter
    def signer(self, value: OAuth1Signer) -> None:
        self.state.signer = value

    @property
    def client(self) -> SignerView:
        """requests-oauthlib's ``client``: the signer's fields, readable and settable."""
        return SignerView(self.state)
