"""JWT-secured authorization requests (RFC 9101): the authorization request as a signed JWT.

A *request object* carries every authorization parameter as a claim, signed by the client, so
that the server can tell they come from it unaltered (RFC 9101 §4). It goes by value in the
``request`` parameter (§5.1) of the authorization URL, or in the body of a pushed
authorization request (RFC 9126 §3).

:class:`RequestObjectSigner` holds the key: the client's private key (RS256, PS256, ES256,
EdDSA..., read like ``private_key_jwt``'s, OIDC Core §9) or its secret (HS256, §10.1). Each
request object gets ``iss`` = ``client_id``, ``aud`` = the issuer (RFC 9101 §4), ``iat``,
``nbf``, a short ``exp`` and a fresh ``jti`` (FAPI 2.0 Message Signing §5.3.1), and the
``typ`` header ``oauth-authz-req+jwt`` (RFC 9101 §10.8). A request object is a credential
for the request it names: it never appears in a ``repr``.

With ``encrypt=True`` the signed request object is then encrypted to the server's public
encryption key from its ``jwks_uri`` (RFC 9101 §4 "signed and then encrypted", §6.1; a nested
JWT, RFC 7519 §5.2), with the algorithms :mod:`oauthkit._jose._encrypt` chooses from the
server's ``request_object_encryption_alg_values_supported`` and ``..._enc_values_supported``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .._core._random import generate_jti
from .._errors import UsageError
from .._jose._encrypt import CONTENT_ENCRYPTION, KEY_MANAGEMENT, choose_encryption, encrypt_jwt
from .._jose._sign import default_alg, hmac_key, import_private_key, sign_jwt, signing_algs
from ._client_assertion import ClientSecretJwt, PrivateKeyJwt
from ._client_auth import ClientAuth

if TYPE_CHECKING:
    from .._jose._keys import KeySet
    from ._metadata import ServerMetadata

__all__ = ["REQUEST_OBJECT_TYPE", "RequestObjectSigner", "request_object_claims"]

REQUEST_OBJECT_TYPE = "oauth-authz-req+jwt"
"""The ``typ`` of a request object (RFC 9101 §10.8)."""
_FEATURE = "request objects"
_HMAC_ALGS = frozenset({"HS256", "HS384", "HS512"})
# Parameters whose value is JSON: a claim of a request object holds the JSON itself (OIDC Core
# §6.1 for claims, RFC 9396 §3 for authorization_details), not a string of it.
_JSON_PARAMS = frozenset({"claims", "authorization_details"})
_MAX_LIFETIME = 3600


def request_object_claims(
    params: Sequence[tuple[str, str]],
    *,
    client_id: str,
    audience: str,
    now: float,
    lifetime: int,
    jti: str,
) -> dict[str, Any]:
    """The claims of a request object for the authorization ``params`` (RFC 9101 §4).

    ``claims`` and ``authorization_details`` become JSON values, ``max_age`` a number
    (OIDC Core §6.1); a ``resource`` given more than once becomes an array (RFC 8707 §2).

    Raises:
        UsageError: A parameter that cannot be a claim (``request``, ``request_uri``, a
            registered JWT claim name), or JSON parameters that do not parse.
    """
    issued = int(now)
    claims: dict[str, Any] = {}
    for name, value in params:
        if name in ("request", "request_uri", "iss", "aud", "iat", "nbf", "exp", "jti", "sub"):
            raise UsageError(f"{name!r} cannot be a parameter inside a request object")
        item: Any = value
        if name in _JSON_PARAMS:
            try:
                item = json.loads(value)
            except ValueError:
                raise UsageError(f"{name} is not JSON") from None
        elif name == "max_age" and value.isdigit():
            item = int(value)
        if name in claims:
            if name != "resource":
                raise UsageError(f"the parameter {name!r} is given twice")
            previous = claims[name]
            claims[name] = [*previous, item] if isinstance(previous, list) else [previous, item]
        else:
            claims[name] = item
    if claims.setdefault("client_id", client_id) != client_id:
        raise UsageError("the request object names another client_id (RFC 9101 §5)")
    claims.update(
        iss=client_id,
        aud=audience,
        iat=issued,
        nbf=issued,
        exp=issued + lifetime,
        jti=jti,
    )
    return claims


@dataclass(frozen=True, slots=True, repr=False)
class RequestObjectSigner:
    """How a client signs its request objects (RFC 9101 §4).

    Args:
        key: The client's private key (a JWK ``dict``, PEM, a ``cryptography`` or joserfc key:
            what :class:`~oauthkit.PrivateKeyJwt` takes), whose public half the server knows
            from the client's registered ``jwks`` or ``jwks_uri``.
        secret: Instead of ``key``, the client secret, for HS256/HS384/HS512.
        alg: The JWS algorithm; by default the key's (as for ``private_key_jwt``), HS256 with
            a secret. ``none`` is never used (FAPI 2.0 forbids unsigned request objects).
        kid: The ``kid`` header; by default the JWK's.
        lifetime: Seconds between ``iat`` and ``exp``, at most an hour (60 by default: the
            request object is used within the minute it is made).
        jti_factory: Makes the unique ``jti`` of each request object.
        encrypt: Encrypt each signed request object to the server's public key (RFC 9101
            §6.1); the session needs ``issuer=`` (the key comes from its ``jwks_uri``).
        encryption_alg: The JWE key management algorithm to insist on (``RSA-OAEP-256``,
            ``ECDH-ES``, ``ECDH-ES+A256KW``...); by default the first the server lists of
            :data:`~oauthkit._jose._encrypt.KEY_MANAGEMENT`. ``RSA1_5`` is refused.
        encryption_enc: The JWE content encryption to insist on (``A256GCM``...).

    Raises:
        MissingExtraError: joserfc or cryptography is not installed.
        UsageError: Neither or both of ``key`` and ``secret``; a public or symmetric ``key``; an
            ``alg`` that does not suit the key; a bad ``lifetime``; an encryption algorithm
            that is not used here, or one given without ``encrypt=True``.
    """

    key: Any = None
    secret: str | None = None
    alg: str | None = None
    kid: str | None = None
    lifetime: int = 60
    jti_factory: Callable[[], str] = field(default=generate_jti)
    encrypt: bool = False
    encryption_alg: str | None = None
    encryption_enc: str | None = None

    def __post_init__(self) -> None:
        self._check_encryption()
        if (self.key is None) == (self.secret is None):
            raise UsageError("a RequestObjectSigner needs a private key or a secret (not both)")
        lifetime = self.lifetime
        if isinstance(lifetime, bool) or not isinstance(lifetime, int):
            raise UsageError("lifetime must be a whole number of seconds")
        if not 0 < lifetime <= _MAX_LIFETIME:
            raise UsageError(f"lifetime must be between 1 and {_MAX_LIFETIME} seconds")
        if self.secret is not None:
            if not isinstance(self.secret, str) or not self.secret:
                raise UsageError("secret must be a non-empty string")
            alg = self.alg or "HS256"
            if alg not in _HMAC_ALGS:
                raise UsageError(f"a secret signs request objects with HS256/384/512, not {alg!r}")
            object.__setattr__(self, "alg", alg)
            return
        key = import_private_key(self.key, _FEATURE)
        allowed = signing_algs(key, _FEATURE)
        alg = self.alg or default_alg(key, allowed)
        if alg not in allowed:
            raise UsageError(
                f"request objects: alg {alg!r} does not suit this {key.key_type} key "
                f"(usable: {', '.join(sorted(allowed)) or 'none'})"
            )
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "alg", alg)
        if self.kid is None and key.kid:
            object.__setattr__(self, "kid", str(key.kid))

    def _check_encryption(self) -> None:
        if not isinstance(self.encrypt, bool):
            raise UsageError("encrypt must be True or False")
        for name, value, usable in (
            ("encryption_alg", self.encryption_alg, KEY_MANAGEMENT),
            ("encryption_enc", self.encryption_enc, CONTENT_ENCRYPTION),
        ):
            if value is None:
                continue
            if not self.encrypt:
                raise UsageError(f"{name} is given but encrypt is not True")
            if value not in usable:
                raise UsageError(
                    f"request objects are not encrypted with {name} {value!r} "
                    f"(usable: {', '.join(usable)})"
                )

    def __repr__(self) -> str:
        held = "secret" if self.secret is not None else "key"
        sealed = ", encrypt=True" if self.encrypt else ""
        return f"RequestObjectSigner(alg={self.alg!r}, kid={self.kid!r}, {held}=***{sealed})"

    def seal(self, signed: str, keys: KeySet, metadata: ServerMetadata | None) -> str:
        """The signed request object encrypted to the server (RFC 9101 §6.1), or as it is
        without ``encrypt``.

        Args:
            signed: What :meth:`sign` returned.
            keys: The server's keys (its ``jwks_uri``): only the encryption keys are used.
            metadata: The server's metadata, whose ``request_object_encryption_*`` lists
                bound the algorithms (``None``: not known).

        Raises:
            UsageError: The server has no encryption key, or none for an algorithm both
                sides use (see :func:`~oauthkit._jose._encrypt.choose_encryption`).
        """
        if not self.encrypt:
            return signed
        supported = {} if metadata is None else metadata.supported
        choice = choose_encryption(
            keys.encryption,
            alg_values=supported.get("request_object_encryption_alg_values_supported"),
            enc_values=supported.get("request_object_encryption_enc_values_supported"),
            alg=self.encryption_alg,
            enc=self.encryption_enc,
        )
        return encrypt_jwt(signed, choice, feature=_FEATURE, what="the request object")

    @classmethod
    def from_client_auth(cls, auth: ClientAuth, **options: Any) -> RequestObjectSigner:
        """The signer of a client's own authentication: the ``private_key_jwt`` key, or the
        secret of a confidential client (HS256).

        Raises:
            UsageError: A public client (no key, no secret): pass a ``RequestObjectSigner``.
        """
        if isinstance(auth, PrivateKeyJwt):
            return cls(key=auth.key, alg=options.pop("alg", auth.alg), kid=auth.kid, **options)
        secret = getattr(auth, "client_secret", None)
        if isinstance(auth, ClientSecretJwt) or (isinstance(secret, str) and secret):
            return cls(secret=secret, **options)
        raise UsageError(
            "this client has neither a private key nor a secret to sign request objects with: "
            "pass request_object=RequestObjectSigner(key=...)"
        )

    def sign(
        self,
        params: Sequence[tuple[str, str]],
        *,
        client_id: str,
        audience: str,
        now: float,
    ) -> str:
        """A signed request object carrying ``params`` (RFC 9101 §4).

        Args:
            params: The authorization request's parameters.
            client_id: The client (``iss`` and ``client_id``).
            audience: The authorization server's issuer identifier (``aud``).
            now: The current time.

        Raises:
            MissingExtraError: joserfc is not installed.
            UsageError: See :func:`request_object_claims`; an empty ``client_id`` or
                ``audience``; a ``jti_factory`` that returns no string.
        """
        for name, value in (("client_id", client_id), ("audience", audience)):
            if not isinstance(value, str) or not value:
                raise UsageError(f"a request object needs a {name}")
        jti = self.jti_factory()
        if not isinstance(jti, str) or not jti:
            raise UsageError("jti_factory must return a non-empty string")
        claims = request_object_claims(
            params,
            client_id=client_id,
            audience=audience,
            now=now,
            lifetime=self.lifetime,
            jti=jti,
        )
        header: dict[str, object] = {"alg": self.alg, "typ": REQUEST_OBJECT_TYPE}
        if self.kid and self.secret is None:
            header["kid"] = self.kid
        key = self.key if self.secret is None else hmac_key(self.secret, feature=_FEATURE)
        return sign_jwt(header, claims, key, feature=_FEATURE, what="the request object")
