"""The dev provider's answers to oauthlib's OAuth 2 questions (RFC 6749, 7009, 7636, 7662, 8628).

oauthlib's OAuth 2 endpoints parse requests and run each grant's checks, but keep no state:
they ask a ``RequestValidator`` who a client is, whether a code, token or device code is good,
and where to save what they issue. :class:`DevOAuth2Validator` answers from an
:class:`~oauthkit.devserver._oauth2_store.OAuth2Store`.

Client authentication (RFC 6749 §2.3) follows each client's registration strictly: a
confidential client must use the method it registered (``client_secret_basic`` or
``client_secret_post``) and exactly one method per request (§2.3.1); a public client sends its
``client_id`` alone. A client that uses the wrong method gets ``invalid_client``, which is how a
real provider catches a client library choosing the wrong one.

This module imports oauthlib at the top; :mod:`oauthkit.devserver` only imports it after
checking that the ``dev`` extra is installed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from oauthlib.oauth2 import RequestValidator
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant

from .._core._transport import is_loopback_host
from ._oauth2_clients import SCOPE_TOKEN, DevOAuth2Client
from ._oauth2_store import CodeRecord, OAuth2Store

__all__ = ["CODE_LIFETIME", "DevOAuth2Validator", "basic_credentials", "redirect_uri_matches"]

# RFC 6749 §4.1.2: "A maximum authorization code lifetime of 10 minutes is RECOMMENDED."
CODE_LIFETIME = 600
_DUMMY_SECRET = "dummy-secret-compared-for-unknown-clients"


def basic_credentials(authorization: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an HTTP Basic header (RFC 6749 §2.3.1).

    Both halves are form-urlencoded before being joined and base64-encoded, so they are
    decoded here the same way.

    Returns:
        ``None`` when the header is absent, not Basic, or malformed.
    """
    if not authorization:
        return None
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        return None
    return unquote_plus(client_id), unquote_plus(secret)


def redirect_uri_matches(registered: str, candidate: str) -> bool:
    """Whether ``candidate`` may be used where ``registered`` was registered (RFC 6749 §3.1.2).

    URIs are compared as strings, except that a loopback ``http`` registration accepts any
    port: native apps listen on whatever port is free (RFC 8252 §7.3).
    """
    if registered == candidate:
        return True
    reg, cand = urlsplit(registered), urlsplit(candidate)
    if reg.scheme != "http" or cand.scheme != "http" or cand.fragment:
        return False
    if not is_loopback_host(reg.hostname or "") or reg.hostname != cand.hostname:
        return False
    try:
        _ = cand.port  # parsing is the check: a malformed port raises
    except ValueError:
        return False
    return (reg.path or "/", reg.query) == (cand.path or "/", cand.query)


class DevOAuth2Validator(RequestValidator):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's OAuth 2 validator, backed by the in-memory store.

    Args:
        store: Clients, users, codes and tokens.
        issuer: The provider's issuer identifier, for introspection responses.
    """

    def __init__(self, store: OAuth2Store, issuer: Callable[[], str]) -> None:
        super().__init__()
        self._store = store
        self._issuer = issuer

    # -- clients (RFC 6749 §2.3, §3.2.1) ----------------------------------------------------

    def client_authentication_required(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        # Whoever presents a secret authenticates (§3.2.1), and so does every client that is
        # not registered as public; an unknown client falls on the authenticating path too,
        # where it fails as invalid_client.
        if basic_credentials(request.headers.get("Authorization")) is not None:
            return True
        if request.client_secret is not None:
            return True
        client = self._store.client(request.client_id)
        return client is None or not client.is_public

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        basic = basic_credentials(request.headers.get("Authorization"))
        if basic is not None:
            if request.client_secret is not None:
                return False  # §2.3: one authentication method per request
            method = "client_secret_basic"
            client_id, secret = basic
            if request.client_id is not None and request.client_id != client_id:
                return False
        elif request.client_secret is not None:
            method, client_id, secret = (
                "client_secret_post",
                request.client_id,
                request.client_secret,
            )
        else:
            return False
        client = self._store.client(client_id)
        expected = _DUMMY_SECRET if client is None else client.client_secret or _DUMMY_SECRET
        matches = hmac.compare_digest(expected.encode(), str(secret).encode())
        if client is None or client.token_endpoint_auth_method != method or not matches:
            return False
        request.client = client
        return True

    def authenticate_client_id(self, client_id: str, request: Any, *args: Any, **kw: Any) -> bool:
        client = self._store.client(client_id)
        if client is None or not client.is_public:
            return False
        request.client = client
        return True

    def validate_client_id(self, client_id: str, request: Any, *args: Any, **kwargs: Any) -> bool:
        return self._store.client(client_id) is not None

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        registered = self._store.client(client_id)
        return registered is not None and grant_type in registered.grant_types

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        registered = self._store.client(client_id)
        return (
            response_type == "code"
            and registered is not None
            and "authorization_code" in registered.grant_types
        )

    # -- redirection (RFC 6749 §3.1.2, §4.1.3) ----------------------------------------------

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        client = self._store.client(client_id)
        if client is None:
            return False
        return any(redirect_uri_matches(uri, redirect_uri) for uri in client.redirect_uris)

    def get_default_redirect_uri(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> str | None:
        # §3.1.2.3: with several registered URIs the client must name one.
        client = self._store.client(client_id)
        if client is None or len(client.redirect_uris) != 1:
            return None
        return client.redirect_uris[0]

    def confirm_redirect_uri(
        self,
        client_id: str,
        code: str,
        redirect_uri: str,
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        record = self._store.code(code)
        if record is None:
            return False
        # §4.1.3: required, and identical, if the authorization request included it.
        if record.redirect_uri_given and request.using_default_redirect_uri:
            return False
        return redirect_uri == record.redirect_uri

    # -- scopes (RFC 6749 §3.3) -------------------------------------------------------------

    def get_default_scopes(
        self, client_id: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        client = self._store.client(client_id)
        return [] if client is None else list(client.default_scopes)

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Any, *args: Any, **kw: Any
    ) -> bool:
        registered = self._store.client(client_id)
        if registered is None:
            return False
        # "scope=" is a parameter sent without a value: treat it as omitted (§3.1).
        wanted = [scope for scope in scopes or () if scope]
        if not wanted:
            request.scopes = list(registered.default_scopes)
            return True
        if not all(SCOPE_TOKEN.fullmatch(scope) for scope in wanted):
            return False
        return registered.scopes is None or set(wanted) <= registered.scopes

    def get_original_scopes(
        self, refresh_token: str, request: Any, *args: Any, **kwargs: Any
    ) -> list[str]:
        record = self._store.refresh_token(refresh_token)
        return [] if record is None else list(record.scopes)

    # -- authorization codes and PKCE (RFC 6749 §4.1, RFC 7636) -----------------------------

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        # RFC 7636 §1 and RFC 9700 §2.1.1: public clients must use PKCE.
        client = self._store.client(client_id)
        return client is not None and client.is_public

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        record = CodeRecord(
            client_id=client_id,
            redirect_uri=request.redirect_uri,
            redirect_uri_given=not request.using_default_redirect_uri,
            scopes=tuple(request.scopes or ()),
            user=request.user,
            expires_at=self._store.clock() + CODE_LIFETIME,
            code_challenge=request.code_challenge,
            code_challenge_method=request.code_challenge_method,
            nonce=request.nonce,
            auth_time=self._store.sign_in(request.user, fresh=self.fresh_login(request)),
        )
        self._store.add_code(code["code"], record)

    def fresh_login(self, request: Any) -> bool:
        """Whether approving ``request`` must sign its user in again; plain OAuth 2 never asks."""
        return False

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        record = self._store.code(code)
        if record is None or record.client_id != client_id:
            return False
        request.user = record.user
        request.scopes = list(record.scopes)
        return True

    def get_code_challenge(self, code: str, request: Any) -> str | None:
        record = self._store.code(code)
        return None if record is None else record.code_challenge

    def get_code_challenge_method(self, code: str, request: Any) -> str | None:
        record = self._store.code(code)
        return None if record is None else record.code_challenge_method

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        self._store.discard_code(code)

    # -- the password grant (RFC 6749 §4.3) -------------------------------------------------

    def validate_user(
        self,
        username: str,
        password: str,
        client: Any,
        request: Any,
        *args: Any,
        **kwargs: Any,
    ) -> bool:
        expected = self._store.user_password(username)
        matches = hmac.compare_digest((expected or _DUMMY_SECRET).encode(), password.encode())
        if expected is None or not matches:
            return False
        request.user = username
        return True

    # -- tokens (RFC 6749 §5.1, §6) ---------------------------------------------------------

    def save_bearer_token(
        self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        rotated = request.refresh_token if request.grant_type == "refresh_token" else None
        # The code is retired only after this, so its record still says when the user signed in.
        code = (
            self._store.code(request.code) if request.grant_type == "authorization_code" else None
        )
        client: DevOAuth2Client | None = request.client
        self._store.save_tokens(
            access_token=token["access_token"],
            expires_in=int(token["expires_in"]),
            client_id=client.client_id if client is not None else request.client_id,
            scopes=tuple(request.scopes or ()),
            user=request.user,
            refresh_token=token.get("refresh_token"),
            rotated_from=rotated,
            auth_time=code.auth_time if code is not None else None,
        )

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        record = self._store.refresh_token(refresh_token)
        if record is None or client is None or record.client_id != client.client_id:
            return False
        request.user = record.user
        return True

    def rotate_refresh_token(self, request: Any) -> bool:
        # Every refresh issues a new refresh token and retires the old one (RFC 9700 §4.14.2).
        return True

    def validate_bearer_token(self, token: str | None, scopes: list[str], request: Any) -> bool:
        # Why a token failed goes into validator_log, so the resource can answer with the
        # right RFC 6750 §3.1 error instead of a bare 401.
        record = self._store.access_token(token) if token else None
        if record is None:
            request.validator_log["bearer"] = "missing" if not token else "unknown"
            return False
        if self._store.clock() >= record.expires_at:
            request.validator_log["bearer"] = "expired"
            return False
        if not set(scopes or ()) <= set(record.scopes):
            request.validator_log["bearer"] = "insufficient_scope"
            return False
        request.client_id = record.client_id
        request.user = record.user
        request.scopes = list(record.scopes)
        return True

    # -- revocation and introspection (RFC 7009, RFC 7662) ----------------------------------

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        # §2.2: the answer is 200 whether or not there was anything to revoke.
        self._store.revoke(token, request.client.client_id)

    def introspect_token(
        self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any
    ) -> dict[str, Any] | None:
        access = self._store.access_token(token)
        if access is not None and self._store.clock() < access.expires_at:
            claims: dict[str, Any] = {
                "token_type": "Bearer",
                "exp": int(access.expires_at),
                "iat": int(access.issued_at),
            }
            scopes, client_id, user = access.scopes, access.client_id, access.user
        elif (refresh := self._store.refresh_token(token)) is not None:
            claims = {"iat": int(refresh.issued_at)}
            scopes, client_id, user = refresh.scopes, refresh.client_id, refresh.user
        else:
            return None  # §2.2: unknown, expired, revoked and rotated tokens are all inactive
        claims.update(
            scope=" ".join(scopes),
            client_id=client_id,
            sub=user or client_id,
            iss=self._issuer(),
        )
        if user is not None:
            claims["username"] = user
        return claims

    # -- the device grant (RFC 8628 §3.4, §3.5) ---------------------------------------------

    def validate_device_code(
        self, client_id: str, code: str, request: Any, *args: Any, **kwargs: Any
    ) -> str | None:
        status, record = self._store.poll_device(code, client_id)
        if status == "unknown":
            return None  # oauthlib answers invalid_grant
        if status == "authorized" and record is not None:
            request.user = record.user
            request.scopes = list(record.scopes)
            return str(DeviceCodeGrant.DEVICE_CODE_AUTHORIZED)
        return status  # the RFC 8628 §3.5 error codes double as oauthlib's statuses
