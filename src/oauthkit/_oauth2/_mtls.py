"""Mutual-TLS client authentication and certificate-bound tokens (RFC 8705).

A client that holds an X.509 certificate proves its identity in the TLS handshake, not in the
request: :class:`TlsClientAuth` (``tls_client_auth``, §2.1, a certificate from a CA the server
trusts, matched by subject) and :class:`SelfSignedTlsClientAuth`
(``self_signed_tls_client_auth``, §2.2, a certificate registered in the client's JWK Set) put
only ``client_id`` in the body. The drivers hand the certificate to their HTTP library
(requests' ``cert``, an ``ssl.SSLContext`` with ``load_cert_chain`` for httpx); nothing here
touches TLS.

A server may bind the tokens it issues over such a connection to the certificate (§3): the
token carries, or its introspection returns, ``cnf`` with ``x5t#S256``, the base64url SHA-256
of the certificate's DER encoding (§3.1). :class:`ClientCertificate` knows its own thumbprint;
:func:`check_token_binding` refuses a JWT access token bound to another certificate (it could
never be used), and :meth:`ClientCertificate.confirms` compares any ``cnf`` value, e.g. an
introspection response's.

Only the certificate is read (to compute the thumbprint); the private key file is never opened
here, and only its path appears in a ``repr``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .._core._extras import require
from .._errors import UnusableTokenError, UsageError
from .._jose._compact import Rejected, parse_jws
from ._client_auth import ClientIdInBody

if TYPE_CHECKING:
    from ._token import Token

__all__ = [
    "X5T_S256",
    "ClientCertificate",
    "SelfSignedTlsClientAuth",
    "TlsClientAuth",
    "bound_thumbprint",
    "certificate_thumbprint",
    "check_token_binding",
    "client_certificate",
    "mtls_auth_factory",
]

X5T_S256 = "x5t#S256"
"""The ``cnf`` member of a certificate-bound token (RFC 8705 §3.1)."""


def certificate_thumbprint(certificate: bytes | str) -> str:
    """The ``x5t#S256`` of a certificate: base64url SHA-256 of its DER encoding (RFC 8705 §3.1).

    Args:
        certificate: The certificate, PEM (text or bytes; the first one of a chain) or DER.

    Raises:
        UsageError: Not an X.509 certificate.
        MissingExtraError: The ``mtls`` extra (cryptography) is not installed.
    """
    x509 = require("cryptography.x509", "mtls", "reading a client certificate (RFC 8705)")
    data = certificate.encode("ascii", "replace") if isinstance(certificate, str) else certificate
    try:
        if b"-----BEGIN" in data:
            cert = x509.load_pem_x509_certificate(data)
        else:
            cert = x509.load_der_x509_certificate(data)
        serialization = require("cryptography.hazmat.primitives.serialization", "mtls", "mTLS")
        der = cert.public_bytes(serialization.Encoding.DER)
    except (ValueError, TypeError):
        raise UsageError("not an X.509 certificate (PEM or DER)") from None
    digest = hashlib.sha256(der).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class ClientCertificate:
    """The client's TLS certificate and key files, and the certificate's thumbprint.

    Args:
        certfile: A PEM file with the certificate (and any intermediates); it may hold the
            private key too.
        keyfile: A PEM file with the private key, unless ``certfile`` holds it. Never read
            here: the HTTP library loads it for the handshake.

    Attributes:
        thumbprint: ``x5t#S256`` of the certificate (RFC 8705 §3.1), read once at creation.

    Raises:
        UsageError: ``certfile`` cannot be read or holds no certificate; a path is not a
            non-empty string.
        MissingExtraError: The ``mtls`` extra (cryptography) is not installed.
    """

    certfile: str
    keyfile: str | None = None
    thumbprint: str = field(init=False, repr=False)
    thumbprint_of: ClassVar[Any] = staticmethod(certificate_thumbprint)

    def __post_init__(self) -> None:
        for name, path in (("certfile", self.certfile), ("keyfile", self.keyfile)):
            if path is not None and (not isinstance(path, str) or not path):
                raise UsageError(f"ClientCertificate: {name} must be a non-empty path")
        try:
            with open(self.certfile, "rb") as file:
                pem = file.read()
        except OSError as exc:
            raise UsageError(
                f"cannot read the client certificate {self.certfile!r}: {exc.strerror}"
            ) from None
        object.__setattr__(self, "thumbprint", certificate_thumbprint(pem))

    @property
    def files(self) -> str | tuple[str, str]:
        """requests' ``cert``: the certificate file, or (certificate file, key file)."""
        return self.certfile if self.keyfile is None else (self.certfile, self.keyfile)

    def confirms(self, cnf: object) -> bool:
        """Whether a ``cnf`` claim (a JWT's or an introspection response's, RFC 8705 §3.1, §3.2)
        binds to this certificate. Compared in constant time; anything else is ``False``."""
        if not isinstance(cnf, Mapping):
            return False
        bound = cnf.get(X5T_S256)
        return isinstance(bound, str) and hmac.compare_digest(
            bound.encode("utf-8", "replace"), self.thumbprint.encode("ascii")
        )


def _is_path(value: object) -> bool:
    return isinstance(value, (str, os.PathLike))


def client_certificate(value: object) -> ClientCertificate | None:
    """Read a ``cert=`` setting: ``None``, a :class:`ClientCertificate`, a certificate file
    (holding the key too) or ``(certfile, keyfile)``, as requests and httpx take it (paths as
    strings or :class:`os.PathLike`).

    Raises:
        UsageError: Any other shape, or a file that cannot be read (see ClientCertificate).
    """
    if value is None or isinstance(value, ClientCertificate):
        return value
    if isinstance(value, (str, os.PathLike)):
        return ClientCertificate(str(os.fspath(value)))
    if isinstance(value, tuple) and len(value) == 2 and all(_is_path(v) for v in value):
        return ClientCertificate(str(os.fspath(value[0])), str(os.fspath(value[1])))
    if isinstance(value, tuple) and len(value) == 3:
        raise UsageError("cert=: a key password is not supported; use an unencrypted key file")
    raise UsageError("cert= takes a certificate file, (certfile, keyfile) or a ClientCertificate")


def bound_thumbprint(access_token: str) -> str | None:
    """``cnf.x5t#S256`` of a JWT access token (RFC 8705 §3.1), or ``None``: an opaque token,
    or a JWT without one. The signature is not checked: the resource server enforces the
    binding; the client only learns which certificate the token needs."""
    try:
        claims = parse_jws(access_token).claims()
    except Rejected:
        return None
    cnf = claims.get("cnf")
    bound = cnf.get(X5T_S256) if isinstance(cnf, dict) else None
    return bound if isinstance(bound, str) else None


def check_token_binding(token: Token, certificate: ClientCertificate) -> None:
    """Refuse a token bound to another certificate than the client's (RFC 8705 §3).

    Raises:
        UnusableTokenError: The access token is a JWT whose ``cnf.x5t#S256`` names another
            certificate: every request with it would be refused.
    """
    bound = bound_thumbprint(token.access_token)
    if bound is not None and not certificate.confirms({X5T_S256: bound}):
        raise UnusableTokenError(
            "the access token is bound to another TLS client certificate (cnf x5t#S256, "
            f"RFC 8705 §3) than this client's {certificate.certfile!r}"
        )


@dataclass(frozen=True, slots=True)
class TlsClientAuth(ClientIdInBody):
    """``tls_client_auth`` (RFC 8705 §2.1): a CA-issued certificate, matched by its subject.

    The request carries ``client_id`` in the body (§2: it identifies the client); the TLS
    handshake authenticates.

    Raises:
        UsageError: Empty ``client_id``.
    """

    method: ClassVar[str] = "tls_client_auth"


@dataclass(frozen=True, slots=True)
class SelfSignedTlsClientAuth(ClientIdInBody):
    """``self_signed_tls_client_auth`` (RFC 8705 §2.2): a certificate in the client's JWK Set.

    The request carries ``client_id`` in the body, as for :class:`TlsClientAuth`.

    Raises:
        UsageError: Empty ``client_id``.
    """

    method: ClassVar[str] = "self_signed_tls_client_auth"


def mtls_auth_factory(method: str) -> Any:
    """The registry factory of ``method`` (``tls_client_auth`` or
    ``self_signed_tls_client_auth``): a secret the client may hold is never sent."""
    cls = TlsClientAuth if method == TlsClientAuth.method else SelfSignedTlsClientAuth

    def factory(client_id: str, client_secret: str | None = None, **options: Any) -> Any:
        if options:
            raise UsageError(f"{method} takes no options (got {', '.join(sorted(options))})")
        return cls(client_id)

    return factory
