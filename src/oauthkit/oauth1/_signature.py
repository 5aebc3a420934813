"""OAuth 1.0a signature base string and signature methods (RFC 5849 §3.4, §3.6).

Everything here is pure: strings in, strings out. The hot path (percent-encoding, normalising
parameters and HMAC) is written to do as little work per request as possible; keys are prepared
once per credential set, and PEM keys are parsed once per process.

Signature methods are *factories*: given the credentials they return a function from base string
to signature. Binding once lets HMAC keys be pre-encoded and RSA keys be pre-loaded, and lets
users register their own methods with :func:`register_signature_method`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from .._core._encoding import percent_encode
from .._core._extras import require
from .._core._values import Value
from .._errors import SignatureMethodError, UsageError

# typing costs milliseconds at import; annotations are strings here, so it is type-time only.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "HMAC_SHA1",
    "HMAC_SHA256",
    "HMAC_SHA512",
    "PLAINTEXT",
    "RSA_SHA1",
    "RSA_SHA256",
    "RSA_SHA512",
    "MethodFactory",
    "SignFunction",
    "SigningMaterial",
    "base_string_uri",
    "bind_signature_method",
    "load_rsa_private_key",
    "normalize_parameters",
    "percent_encode",
    "register_signature_method",
    "signature_base_string",
    "signature_methods",
]

HMAC_SHA1 = "HMAC-SHA1"
HMAC_SHA256 = "HMAC-SHA256"
HMAC_SHA512 = "HMAC-SHA512"
RSA_SHA1 = "RSA-SHA1"
RSA_SHA256 = "RSA-SHA256"
RSA_SHA512 = "RSA-SHA512"
PLAINTEXT = "PLAINTEXT"

SignFunction = Callable[[str], str]
"""Turns a signature base string into the ``oauth_signature`` value."""

_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _encode_normalized(normalized: str) -> str:
    # percent_encode() of a normalized parameter string, which holds only unreserved characters,
    # "%" escapes and the "=" and "&" separators: three replacements give the same result as
    # quote() at a fraction of its per-character cost. "%" must go first.
    return normalized.replace("%", "%25").replace("=", "%3D").replace("&", "%26")


def base_string_uri(url: str) -> str:
    """The base string URI of RFC 5849 §3.4.1.2.

    Scheme and host are lower-cased, a default port is dropped, query and fragment are
    dropped, and an empty path becomes ``/``.

    Raises:
        UsageError: ``url`` is not an absolute http(s) URL.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UsageError(f"malformed URL {url!r}") from None
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower-cased, userinfo and IPv6 brackets removed
    if not scheme or not host:
        raise UsageError(f"cannot sign a relative URL: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def normalize_parameters(params: Iterable[tuple[str, str]]) -> str:
    """Normalise request parameters per RFC 5849 §3.4.1.3.2.

    Names and values are encoded first and sorted afterwards (by name, then value), so that
    duplicates and empty values are kept and ordered exactly as the RFC requires.
    """
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    return "&".join(f"{k}={v}" for k, v in encoded)


def signature_base_string(method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """Build the signature base string of RFC 5849 §3.4.1.1.

    Args:
        method: HTTP method; upper-cased here.
        url: The request URL; its query is *not* read here (pass it in ``params``).
        params: Every parameter that takes part: query, form body and ``oauth_*`` (without
            ``realm`` and ``oauth_signature``).
    """
    return "&".join(
        (
            percent_encode(method.upper()),
            percent_encode(base_string_uri(url)),
            _encode_normalized(normalize_parameters(params)),
        )
    )


class SigningMaterial(Value):
    """What a signature method may use to build its signing function (a frozen value).

    Attributes:
        client_secret: The consumer secret (``""`` when none).
        token_secret: The token secret (``""`` before a token is known).
        rsa_key: A loaded ``cryptography`` RSA private key, for the RSA methods.
    """

    __slots__ = ("client_secret", "rsa_key", "token_secret")
    _compared = ("client_secret", "token_secret", "rsa_key")
    client_secret: str
    token_secret: str
    rsa_key: Any

    def __init__(self, client_secret: str, token_secret: str, rsa_key: Any = None) -> None:
        _set = object.__setattr__
        _set(self, "client_secret", client_secret)
        _set(self, "token_secret", token_secret)
        _set(self, "rsa_key", rsa_key)

    def __repr__(self) -> str:
        return "SigningMaterial(<redacted>)"


MethodFactory = Callable[[SigningMaterial], SignFunction]
"""Binds a signature method to credentials; what :func:`register_signature_method` takes."""
_METHODS: dict[str, MethodFactory] = {}


def register_signature_method(name: str, factory: MethodFactory) -> None:
    """Make a custom signature method available under ``name``.

    Args:
        name: The ``oauth_signature_method`` value, e.g. ``"HMAC-SHA384"``.
        factory: Called once per credential set with a :class:`SigningMaterial`; returns a
            function that maps a base string to the signature value.
    """
    _METHODS[name] = factory


def signature_methods() -> tuple[str, ...]:
    """Names of every registered signature method."""
    return tuple(sorted(_METHODS))


def bind_signature_method(name: str, material: SigningMaterial) -> SignFunction:
    """Return the signing function of method ``name`` bound to ``material``.

    Raises:
        SignatureMethodError: Unknown method, or the material does not suit it.
    """
    try:
        factory = _METHODS[name]
    except KeyError:
        known = ", ".join(signature_methods())
        raise SignatureMethodError(f"unknown signature method {name!r}; known: {known}") from None
    return factory(material)


def _hmac_key(material: SigningMaterial) -> bytes:
    # RFC 5849 §3.4.2: the key is the encoded client secret and token secret joined by "&".
    key = f"{percent_encode(material.client_secret)}&{percent_encode(material.token_secret)}"
    return key.encode("utf-8")


def _hmac_factory(digest: str) -> MethodFactory:
    def factory(material: SigningMaterial) -> SignFunction:
        key = _hmac_key(material)
        digestmod = getattr(hashlib, digest)

        def sign(base_string: str) -> str:
            mac = hmac.new(key, base_string.encode("utf-8"), digestmod).digest()
            return base64.b64encode(mac).decode("ascii")

        return sign

    return factory


def _plaintext_factory(material: SigningMaterial) -> SignFunction:
    signature = _hmac_key(material).decode("utf-8")  # §3.4.4: the key itself, no hashing
    return lambda _base_string: signature


def _rsa_factory(digest: str) -> MethodFactory:
    def factory(material: SigningMaterial) -> SignFunction:
        if material.rsa_key is None:
            raise SignatureMethodError(f"RSA-{digest.upper()} needs rsa_key (a PEM private key)")
        hashes = require("cryptography.hazmat.primitives.hashes", "rsa", "RSA signatures")
        padding = require(
            "cryptography.hazmat.primitives.asymmetric.padding", "rsa", "RSA signatures"
        )
        key = material.rsa_key
        pad = padding.PKCS1v15()
        algorithm = getattr(hashes, digest.upper())()

        def sign(base_string: str) -> str:
            raw = key.sign(base_string.encode("utf-8"), pad, algorithm)
            return base64.b64encode(raw).decode("ascii")

        return sign

    return factory


@lru_cache(maxsize=32)
def _load_pem(pem: bytes) -> Any:
    serialization = require("cryptography.hazmat.primitives.serialization", "rsa", "RSA signatures")
    rsa = require("cryptography.hazmat.primitives.asymmetric.rsa", "rsa", "RSA signatures")
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise SignatureMethodError("rsa_key is not an unencrypted PEM private key") from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureMethodError("rsa_key must be an RSA private key")
    return key


def load_rsa_private_key(key: Any) -> Any:
    """Load an RSA private key once, from PEM text/bytes or an already loaded key object.

    Parsed keys are cached per PEM value, so building many clients from the same PEM does not
    parse it again; the RSA work per request is then only the signature itself.

    Raises:
        SignatureMethodError: The value is not an unencrypted RSA private key.
        MissingExtraError: ``cryptography`` is not installed.
    """
    if isinstance(key, str):
        key = key.encode("utf-8")
    if isinstance(key, bytes):
        return _load_pem(key.strip())
    if not hasattr(key, "sign"):
        raise SignatureMethodError("rsa_key must be PEM text or a cryptography private key")
    return key


for _name, _digest in ((HMAC_SHA1, "sha1"), (HMAC_SHA256, "sha256"), (HMAC_SHA512, "sha512")):
    register_signature_method(_name, _hmac_factory(_digest))
for _name, _digest in ((RSA_SHA1, "sha1"), (RSA_SHA256, "sha256"), (RSA_SHA512, "sha512")):
    register_signature_method(_name, _rsa_factory(_digest))
register_signature_method(PLAINTEXT, _plaintext_factory)
