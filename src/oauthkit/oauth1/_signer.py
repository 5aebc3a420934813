"""OAuth 1.0a request signing (RFC 5849 §3).

:class:`OAuth1Signer` is an immutable description of one set of credentials plus how to place
the signature. :meth:`OAuth1Signer.sign` turns (method, URL, headers, body) into the signed
request as a plain :class:`~oauthkit._http.HttpRequest`; the drivers copy it onto their own
request objects. No I/O happens here.

The rules for which body takes part in the signature follow requests-oauthlib, so that code
moved from it signs exactly the same requests:

* a body with ``Content-Type: application/x-www-form-urlencoded`` is parsed and signed;
* a body without a ``Content-Type`` that looks form-encoded is treated as form-encoded;
* any other body is left out of the signature, unless ``body_hash`` is on, in which case its
  digest travels as ``oauth_body_hash`` (the OAuth Request Body Hash extension).
"""

from __future__ import annotations

import base64
import hashlib
import time
from collections.abc import Callable, Mapping
from urllib.parse import unquote, urlsplit

from .._core._http import HttpRequest, header_value
from .._core._random import random_hex
from .._core._transport import check_transport
from .._core._values import Value
from .._errors import SignatureMethodError, UsageError
from ._signature import (
    HMAC_SHA1,
    PLAINTEXT,
    SignFunction,
    SigningMaterial,
    bind_signature_method,
    load_rsa_private_key,
    percent_encode,
    signature_base_string,
)

# typing costs milliseconds at import; annotations are strings here, so it is type-time only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_set = object.__setattr__

__all__ = [
    "CONTENT_TYPE_FORM_URLENCODED",
    "SIGNATURE_TYPE_AUTH_HEADER",
    "SIGNATURE_TYPE_BODY",
    "SIGNATURE_TYPE_QUERY",
    "OAuth1Signer",
    "default_nonce",
    "default_timestamp",
    "parse_form",
]

SIGNATURE_TYPE_AUTH_HEADER = "AUTH_HEADER"
SIGNATURE_TYPE_QUERY = "QUERY"
SIGNATURE_TYPE_BODY = "BODY"
_SIGNATURE_TYPES = frozenset(
    {SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY, SIGNATURE_TYPE_BODY}
)
CONTENT_TYPE_FORM_URLENCODED = "application/x-www-form-urlencoded"

# Characters that may appear in an application/x-www-form-urlencoded body. A body without a
# Content-Type made only of these is treated as a form, as requests-oauthlib does.
_FORM_CHARS = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-~=&;:%+,*@!()/?'$"
)
_BODY_HASHES = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}


def default_nonce() -> str:
    """A fresh 120-bit nonce from the OS's CSPRNG (RFC 5849 §3.3).

    Thirty characters, because servers built on oauthlib accept nonces of 20 to 30 characters.
    """
    return random_hex(15)


def default_timestamp() -> str:
    """Seconds since the epoch, as RFC 5849 §3.3 requires."""
    return str(int(time.time()))


def _header(headers: Mapping[str, str], name: str) -> str | None:
    # requests lets callers pass header values as bytes (requests-oauthlib handles them);
    # HTTP header values are ISO-8859-1 on the wire (RFC 9110 §5.5).
    value: object = header_value(headers, name)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    return value if isinstance(value, str) else None


def _is_utf8(text: str) -> bool:
    # Bodies are decoded with surrogateescape, so invalid UTF-8 shows up as lone surrogates.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_form(text: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` pairs, keeping blanks (RFC 5849 §3.4.1.3.1).

    The same result as ``urllib.parse.parse_qsl(text, keep_blank_values=True)``, but a name or
    value without ``%`` or ``+`` is taken as it is: on the signing hot path most of them are
    plain words, and skipping ``unquote`` for them halves the cost of reading a form.
    """
    pairs = []
    for part in text.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        if "+" in name:
            name = name.replace("+", " ")
        if "%" in name:
            name = unquote(name)
        if "+" in value:
            value = value.replace("+", " ")
        if "%" in value:
            value = unquote(value)
        pairs.append((name, value))
    return pairs


def _quote_header_value(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


class OAuth1Signer(Value):
    """Signs HTTP requests with one set of OAuth 1.0a credentials.

    The argument names are those of requests-oauthlib's ``OAuth1``; ``nonce_factory`` and
    ``timestamp_factory`` are the injectable versions of the fixed ``nonce``/``timestamp`` pins.

    Args:
        client_key: The consumer key.
        client_secret: The consumer secret (not needed for RSA methods).
        resource_owner_key: The request or access token.
        resource_owner_secret: Its secret.
        callback_uri: Sent as ``oauth_callback``; only the request-token request needs it.
        signature_method: Any registered method; HMAC-SHA1 by default.
        signature_type: ``AUTH_HEADER`` (default), ``QUERY`` or ``BODY`` (RFC 5849 §3.5).
        rsa_key: PEM text/bytes or a loaded ``cryptography`` key, for the RSA methods.
        verifier: ``oauth_verifier``, for the access-token request.
        realm: Added to the ``Authorization`` header (never to the signature).
        nonce: A fixed nonce, for tests and for reproducing a signature.
        timestamp: A fixed timestamp, likewise.
        body_hash: Sign non-form bodies through ``oauth_body_hash``.
        nonce_factory: Produces a nonce per request.
        timestamp_factory: Produces a timestamp per request.
        allow_insecure_transport: Permit PLAINTEXT over http to non-loopback hosts.

    Raises:
        UsageError: ``signature_type`` is not one of the three placements.
        SignatureMethodError: Unknown method, or an RSA method without a usable key.
    """

    __slots__ = (
        "_sign",
        "allow_insecure_transport",
        "body_hash",
        "callback_uri",
        "client_key",
        "client_secret",
        "nonce",
        "nonce_factory",
        "realm",
        "resource_owner_key",
        "resource_owner_secret",
        "rsa_key",
        "signature_method",
        "signature_type",
        "timestamp",
        "timestamp_factory",
        "verifier",
    )
    _compared = tuple(name for name in __slots__ if name != "_sign")
    client_key: str
    client_secret: str | None
    resource_owner_key: str | None
    resource_owner_secret: str | None
    callback_uri: str | None
    signature_method: str
    signature_type: str
    rsa_key: Any
    verifier: str | None
    realm: str | None
    nonce: str | None
    timestamp: str | None
    body_hash: bool
    nonce_factory: Callable[[], str]
    timestamp_factory: Callable[[], str]
    allow_insecure_transport: bool
    _sign: SignFunction

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
        realm: str | None = None,
        nonce: str | None = None,
        timestamp: str | None = None,
        body_hash: bool = False,
        nonce_factory: Callable[[], str] = default_nonce,
        timestamp_factory: Callable[[], str] = default_timestamp,
        allow_insecure_transport: bool = False,
    ) -> None:
        if not isinstance(client_key, str) or not client_key:
            raise UsageError("client_key must be a non-empty string")
        placement = signature_type.upper() if isinstance(signature_type, str) else ""
        if placement not in _SIGNATURE_TYPES:
            raise UsageError(
                f"signature_type must be AUTH_HEADER, QUERY or BODY, not {signature_type!r}"
            )
        if signature_method.startswith("RSA-"):
            if rsa_key is None:
                raise SignatureMethodError(f"{signature_method} needs rsa_key")
            rsa_key = load_rsa_private_key(rsa_key)  # parsed once, shared by replace()
        material = SigningMaterial(client_secret or "", resource_owner_secret or "", rsa_key)
        sign = bind_signature_method(signature_method, material)
        for name, value in (
            ("client_key", client_key),
            ("client_secret", client_secret),
            ("resource_owner_key", resource_owner_key),
            ("resource_owner_secret", resource_owner_secret),
            ("callback_uri", callback_uri),
            ("signature_method", signature_method),
            ("signature_type", placement),
            ("rsa_key", rsa_key),
            ("verifier", verifier),
            ("realm", realm),
            ("nonce", nonce),
            ("timestamp", timestamp),
            ("body_hash", body_hash),
            ("nonce_factory", nonce_factory),
            ("timestamp_factory", timestamp_factory),
            ("allow_insecure_transport", allow_insecure_transport),
            ("_sign", sign),
        ):
            _set(self, name, value)

    def __repr__(self) -> str:
        # Secrets, tokens, the verifier, the key and the nonce stay out.
        return (
            f"OAuth1Signer(client_key={self.client_key!r}, callback_uri={self.callback_uri!r}, "
            f"signature_method={self.signature_method!r}, "
            f"signature_type={self.signature_type!r}, realm={self.realm!r}, "
            f"timestamp={self.timestamp!r}, body_hash={self.body_hash!r}, "
            f"allow_insecure_transport={self.allow_insecure_transport!r})"
        )

    def with_token(
        self, key: str | None, secret: str | None, verifier: str | None = None
    ) -> OAuth1Signer:
        """Return a signer for another token, reusing the parsed key material."""
        return self.replace(resource_owner_key=key, resource_owner_secret=secret, verifier=verifier)

    def oauth_params(self, body_digest: str | None = None) -> list[tuple[str, str]]:
        """The ``oauth_*`` protocol parameters of one request (RFC 5849 §3.1), unsigned."""
        params = [
            ("oauth_nonce", self.nonce or self.nonce_factory()),
            ("oauth_timestamp", self.timestamp or self.timestamp_factory()),
            ("oauth_version", "1.0"),
            ("oauth_signature_method", self.signature_method),
            ("oauth_consumer_key", self.client_key),
        ]
        if self.resource_owner_key:
            params.append(("oauth_token", self.resource_owner_key))
        if self.callback_uri:
            params.append(("oauth_callback", self.callback_uri))
        if self.verifier:
            params.append(("oauth_verifier", self.verifier))
        if body_digest is not None:
            params.append(("oauth_body_hash", body_digest))
        return params

    def sign(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | str | None = None,
    ) -> HttpRequest:
        """Sign one request.

        Args:
            method: HTTP method.
            url: Absolute URL including the query.
            headers: The request headers; ``Content-Type`` decides how the body is treated.
            body: The encoded body, if any.

        Returns:
            The request to send: URL (changed for query placement), headers (with
            ``Authorization`` for header placement) and body (changed for body placement).

        Raises:
            UsageError: Body placement on GET/HEAD or on a body that is not a form, a form body
                on GET/HEAD or one that is not UTF-8, or a relative URL.
            InsecureTransportError: PLAINTEXT over http to a host that is not loopback.
        """
        method = method.upper()
        out_headers = dict(headers) if headers else {}
        text = body.decode("utf-8", "surrogateescape") if isinstance(body, bytes) else body
        content_type = _header(out_headers, "Content-Type")
        placement = self.signature_type
        if not content_type and (
            placement == SIGNATURE_TYPE_BODY or (text and _FORM_CHARS.issuperset(text))
        ):
            content_type = CONTENT_TYPE_FORM_URLENCODED
            out_headers["Content-Type"] = content_type
        is_form = content_type is not None and CONTENT_TYPE_FORM_URLENCODED in content_type.lower()
        if is_form and text and not _is_utf8(text):
            # Form parameters are signed as UTF-8 (§3.6); undecodable bytes would otherwise
            # surface as a UnicodeEncodeError from deep inside percent-encoding.
            raise UsageError("a form-encoded body must be UTF-8 text (RFC 5849 §3.6)")
        body_params = parse_form(text) if is_form and text else []

        if placement == SIGNATURE_TYPE_BODY:
            if method in ("GET", "HEAD"):
                raise UsageError(
                    f"signature_type=BODY cannot sign a {method} request: a {method} has no "
                    "body; use AUTH_HEADER or QUERY"
                )
            if not is_form:
                raise UsageError(
                    "signature_type=BODY needs an application/x-www-form-urlencoded body "
                    f"(got Content-Type {content_type!r})"
                )
        elif body_params and method in ("GET", "HEAD"):
            raise UsageError(f"a {method} request must not carry a form body")
        if self.signature_method == PLAINTEXT:
            check_transport(url, allow_insecure=self.allow_insecure_transport)

        digest = None
        if self.body_hash and not is_form and body is not None:
            algorithm = self.signature_method.rpartition("-")[2]
            hasher = _BODY_HASHES.get(algorithm, hashlib.sha1)
            raw = body if isinstance(body, bytes) else body.encode("utf-8")
            digest = base64.b64encode(hasher(raw).digest()).decode("ascii")

        oauth = self.oauth_params(digest)
        query = urlsplit(url).query
        params = parse_form(query) if query else []
        params.extend(body_params)
        params.extend(oauth)
        oauth.append(("oauth_signature", self._sign(signature_base_string(method, url, params))))

        out_body = body if body is None or isinstance(body, bytes) else body.encode("utf-8")
        if placement == SIGNATURE_TYPE_AUTH_HEADER:
            parts = [f'{k}="{percent_encode(v)}"' for k, v in oauth]
            if self.realm:
                parts.insert(0, f'realm="{_quote_header_value(self.realm)}"')
            out_headers["Authorization"] = "OAuth " + ", ".join(parts)
        else:
            encoded = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in oauth)
            if placement == SIGNATURE_TYPE_QUERY:
                url = _append_query(url, encoded)
            else:
                out_body = (f"{text}&{encoded}" if text else encoded).encode("utf-8")
        return HttpRequest(method, url, out_headers, out_body)


def _append_query(url: str, encoded: str) -> str:
    base, hash_sign, fragment = url.partition("#")
    if "?" not in base:
        base += "?"
    elif not base.endswith(("?", "&")):
        base += "&"
    return base + encoded + hash_sign + fragment
