"""Security profiles: FAPI 2.0 as a switch that turns oauthkit's own checks on.

A :class:`SecurityProfile` checks nothing itself that oauthkit does not check elsewhere: it makes
optional protections mandatory and narrows allow-lists, and a configuration the profile forbids
fails at construction with a :class:`~oauthkit.UsageError` naming the requirement. Two profiles:

* :data:`FAPI2` (``profile="fapi2"``), the client side of the FAPI 2.0 Security Profile:
  sender-constrained access tokens (a :class:`~oauthkit.DPoPKey`, RFC 9449, or a client
  certificate, RFC 8705); ``private_key_jwt`` or mutual-TLS client authentication only; the
  authorization code grant with PKCE ``S256``; every authorization request pushed (RFC 9126),
  so the browser carries only ``client_id`` and ``request_uri``; ``iss`` required in the
  authorization response (RFC 9207); the server's metadata only from discovery of the
  configured issuer; JWS algorithms PS256, ES256 and EdDSA only; access tokens only in the
  ``Authorization`` header; a token response that is not sender-constrained refused.
* :data:`FAPI2_MESSAGE_SIGNING` (``profile="fapi2-message-signing"``) adds FAPI 2.0 Message
  Signing's client requirements: the pushed request signed as a request object (RFC 9101,
  with ``aud``, ``nbf`` and ``exp`` at most an hour after ``nbf``), a JWT-secured authorization
  response (JARM, ``response_mode=jwt``) verified before the exchange, and introspection
  answers as signed JWTs (RFC 9701).

RSA keys under 2048 bits are refused whatever the profile (:data:`~oauthkit._jose._keys.
MIN_RSA_BITS` for the server's keys, the DPoP and client-key checks for the client's).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .._errors import UnusableTokenError, UsageError
from .._jose._keys import MIN_RSA_BITS
from .._jose._verify import FAPI2_ALGORITHMS

if TYPE_CHECKING:
    from ._client_auth import ClientAuth
    from ._dpop import DPoPKey
    from ._jar import RequestObjectSigner
    from ._manager import TokenManager
    from ._token import Token

__all__ = ["FAPI2", "FAPI2_MESSAGE_SIGNING", "PROFILES", "SecurityProfile", "profile_of"]

_AUTH_METHODS = frozenset({"private_key_jwt", "tls_client_auth", "self_signed_tls_client_auth"})


@dataclass(frozen=True, slots=True)
class SecurityProfile:
    """A security profile a client follows (see the module docstring for what each turns on).

    Attributes:
        name: ``fapi2`` or ``fapi2-message-signing``: what ``profile=`` takes.
        title: The specification's name, which starts every refusal's message.
        message_signing: FAPI 2.0 Message Signing: request objects, JARM, JWT introspection.
        algorithms: The JWS algorithms allowed for every JWT the client signs or verifies.
        auth_methods: The client authentication methods allowed.
    """

    name: str
    title: str
    message_signing: bool = False
    algorithms: frozenset[str] = FAPI2_ALGORITHMS
    auth_methods: frozenset[str] = _AUTH_METHODS

    def refusal(self, requirement: str) -> UsageError:
        """A :class:`UsageError` naming the profile and the requirement a setting breaks."""
        return UsageError(f"{self.title}: {requirement}")

    def check_alg(self, alg: str | None, what: str) -> None:
        """Refuse a signing algorithm outside the profile's list.

        Raises:
            UsageError: ``alg`` is not one of :attr:`algorithms`.
        """
        if alg not in self.algorithms:
            raise self.refusal(
                f"{what} must be signed with {', '.join(sorted(self.algorithms))}, not {alg!r}"
            )

    def check_key(self, key: Any, what: str) -> None:
        """Refuse an RSA key (a joserfc key) under :data:`MIN_RSA_BITS` bits.

        Raises:
            UsageError: The key is RSA and too short.
        """
        native = getattr(key, "raw_value", None)
        bits = getattr(native, "key_size", None)
        if getattr(key, "key_type", None) == "RSA" and (bits is None or bits < MIN_RSA_BITS):
            raise self.refusal(f"{what}: RSA keys must have at least {MIN_RSA_BITS} bits")

    def check_client(self, manager: TokenManager) -> None:
        """Refuse a client configuration the profile forbids (sans-I/O: the token manager's).

        Raises:
            UsageError: No DPoP key and no client certificate (tokens would not be
                sender-constrained); a client authentication other than ``private_key_jwt``
                or mutual TLS; a DPoP key or client assertion signing with an algorithm or
                an RSA key the profile refuses; tokens sent outside the header; plain http
                allowed beyond loopback (``allow_insecure_transport``).
        """
        auth, dpop = manager.auth, manager.dpop
        if dpop is None and manager.client_certificate is None:
            raise self.refusal(
                "access tokens must be sender-constrained: give the client a DPoP key "
                "(dpop=, RFC 9449) or a TLS client certificate (cert=, RFC 8705)"
            )
        if auth.method not in self.auth_methods:
            raise self.refusal(
                f"client authentication must be private_key_jwt or mutual TLS "
                f"(tls_client_auth, self_signed_tls_client_auth), not {auth.method!r}"
            )
        if auth.method == "private_key_jwt":
            self.check_alg(getattr(auth, "alg", None), "client assertions (private_key_jwt)")
            self.check_key(getattr(auth, "key", None), "private_key_jwt")
        if dpop is not None:
            self.check_alg(dpop.alg, "DPoP proofs")
            self.check_key(getattr(dpop, "_key", None), "DPoP proofs")
        self.check_placement(manager.placement)
        if manager.allow_insecure_transport:
            raise self.refusal(
                "requests go over TLS: plain http is allowed to loopback hosts only, so "
                "allow_insecure_transport must stay False"
            )

    def check_placement(self, placement: str) -> None:
        """Refuse access tokens in a form body or a query (RFC 6750 §2.2, §2.3).

        Raises:
            UsageError: ``placement`` is not ``header``.
        """
        if placement != "header":
            raise self.refusal(
                f"access tokens go only in the Authorization header, not in the {placement}"
            )

    def check_token(self, token: Token, dpop: DPoPKey | None) -> None:
        """Refuse a token the server did not bind to the client's DPoP key (a ``Bearer``
        answer to a DPoP request, RFC 9449 §5); certificate-bound tokens are checked against
        the client certificate by :func:`~oauthkit._oauth2._mtls.check_token_binding`.

        Raises:
            UnusableTokenError: A DPoP client was issued a token of another type.
        """
        if dpop is not None and token.token_type.lower() != "dpop":
            raise UnusableTokenError(
                f"{self.title}: access tokens must be sender-constrained, and the server "
                f"issued a {token.token_type[:20]!r} token to a DPoP client"
            )

    def check_session(
        self,
        *,
        kind: str,
        pkce: str | None,
        issuer: str | None,
        par: bool | str,
        request_object: RequestObjectSigner | bool | None,
        response_mode: str | None,
        client_auth: ClientAuth | None,
    ) -> tuple[bool, RequestObjectSigner | bool | None, str | None, ClientAuth | None]:
        """Refuse a session configuration the profile forbids; return its ``par``,
        ``request_object``, ``response_mode`` and ``client_auth`` as the profile makes them:
        every request pushed; client assertions addressed to the issuer identifier (not to
        each endpoint's URL, which a server mixing-up attack could redirect); under Message
        Signing, requests signed (``request_object=True`` signs with the client's
        ``private_key_jwt`` key unless given a signer) and answered with ``response_mode=jwt``.

        Raises:
            UsageError: A grant other than the authorization code (or client credentials);
                ``pkce`` other than ``S256``; no issuer to discover the metadata from; a
                pushed-request endpoint given by URL rather than discovered; under Message
                Signing, ``request_object=False``, a signer with an algorithm the profile
                refuses, or a ``response_mode`` that is not a JWT one.
        """
        from ._client_assertion import PrivateKeyJwt
        from ._jarm import is_jarm_mode

        if kind not in ("authorization_code", "client_credentials"):
            raise self.refusal(f"only the authorization code grant is allowed, not {kind}")
        if pkce != "S256":
            raise self.refusal(f"PKCE with S256 is required: pass pkce='S256', not {pkce!r}")
        if not issuer:
            raise self.refusal(
                "the server's metadata comes only from discovery of the configured issuer: "
                "give the session issuer="
            )
        if isinstance(par, str):
            raise self.refusal(
                "every authorization request is pushed to the endpoint the issuer's metadata "
                "names: pass par=True (or leave it out), not a URL"
            )
        if isinstance(client_auth, PrivateKeyJwt) and client_auth.audience is None:
            client_auth = dataclasses.replace(client_auth, audience=issuer)
        if not self.message_signing:
            return True, request_object, response_mode, client_auth
        if request_object is False:
            raise self.refusal("authorization requests are signed request objects (RFC 9101)")
        if request_object is None:
            request_object = True
        elif request_object is not True:
            self.check_alg(request_object.alg, "request objects")
            self.check_key(getattr(request_object, "key", None), "request objects")
        mode = response_mode or "jwt"
        if not is_jarm_mode(mode):
            raise self.refusal(
                f"authorization responses are signed JWTs (JARM): response_mode={mode!r} "
                "returns a plain one; use jwt, query.jwt, fragment.jwt or form_post.jwt"
            )
        return True, request_object, mode, client_auth

    def check_algorithms(self, given: Collection[str] | None, what: str) -> tuple[str, ...]:
        """The allow-list for ``what``: the profile's, or the caller's if all are allowed.

        Raises:
            UsageError: The caller's list names an algorithm the profile refuses.
        """
        if given is None:
            return tuple(sorted(self.algorithms))
        for alg in given:
            self.check_alg(alg, what)
        return tuple(given)


FAPI2 = SecurityProfile("fapi2", "FAPI 2.0 Security Profile")
"""The client requirements of the FAPI 2.0 Security Profile."""
FAPI2_MESSAGE_SIGNING = SecurityProfile(
    "fapi2-message-signing", "FAPI 2.0 Message Signing", message_signing=True
)
"""The Security Profile's requirements and those of FAPI 2.0 Message Signing."""
PROFILES = {p.name: p for p in (FAPI2, FAPI2_MESSAGE_SIGNING)}
"""The profiles ``profile=`` names."""


def profile_of(value: str | SecurityProfile | None) -> SecurityProfile | None:
    """The :class:`SecurityProfile` that ``profile=`` names (a name, a profile, or ``None``).

    Raises:
        UsageError: An unknown name.
    """
    if value is None or isinstance(value, SecurityProfile):
        return value
    if isinstance(value, str) and value in PROFILES:
        return PROFILES[value]
    raise UsageError(f"profile must be one of {sorted(PROFILES)} or None, not {value!r}")
