"""The UserInfo request and response (OpenID Connect Core 1.0 §5.3).

The request carries the access token the way its type requires (a bearer token in the
``Authorization`` header, RFC 6750 §2.1), renewed first when it is due and once more after a
``401`` with ``error="invalid_token"``. The response is a JSON object, or a signed (and maybe
encrypted) JWT when the client registered ``userinfo_signed_response_alg`` (§5.3.2): then its
signature, and its ``iss`` and ``aud`` when present, are checked like an ID token's. Either
way its ``sub`` must equal the ID token's, compared in constant time (§5.3.4), or none of its
claims is returned.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any

from .._core._http import HttpResponse
from .._core._steps import Flow, Purpose
from .._errors import UsageError
from .._jose._compact import Rejected, is_jwe, parse_jws
from .._jose._decrypt import decrypt
from .._jose._keys import HMAC_ALGORITHMS, KeySet
from .._jose._verify import check_algorithms, verify_jws
from .._oauth2._backchannel import read_answer
from .._oauth2._bearer import bearer_headers
from .._oauth2._challenges import is_token_rejected
from .._oauth2._dpop_nonces import build_dpop_patch, is_nonce_challenge
from .._oauth2._protected import current
from ._claims import audiences
from ._errors import UserinfoError, UserinfoSubjectError
from ._id_token import JWT_TYPES
from ._provider import Provider, get, metadata_flow, validated

if TYPE_CHECKING:
    from .._oauth2._manager import TokenManager

__all__ = ["check_userinfo_subject", "parse_userinfo", "userinfo_flow"]


def check_userinfo_subject(claims: dict[str, Any], subject: str | None) -> dict[str, Any]:
    """``claims`` when their ``sub`` is ``subject`` (§5.3.4).

    Raises:
        UserinfoError: No ``sub``.
        UserinfoSubjectError: Another ``sub``.
    """
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise UserinfoError("the UserInfo response has no sub (OIDC Core §5.3.2)", "sub")
    if subject is not None and not hmac.compare_digest(
        sub.encode("utf-8", "surrogatepass"), subject.encode("utf-8", "surrogatepass")
    ):
        raise UserinfoSubjectError(
            "the UserInfo response is about another subject than the ID token; its claims "
            "must not be used (OIDC Core §5.3.4)",
            "sub",
        )
    return claims


def _jwt_claims(
    text: str,
    keys: KeySet | None,
    *,
    issuer: str,
    client_id: str,
    algorithms: frozenset[str],
    client_secret: str | None,
    decryption_keys: Any,
) -> dict[str, Any]:
    if is_jwe(text):
        text = decrypt(text, decryption_keys, "UserInfo response")
    compact = parse_jws(text)
    typ = compact.header.get("typ")
    if typ is not None and (not isinstance(typ, str) or typ.lower() not in JWT_TYPES):
        raise Rejected("format", f"typ {str(typ)[:40]!r} is not a UserInfo response's")
    verify_jws(compact, keys=keys, algorithms=algorithms, secret=client_secret)
    claims = compact.claims()
    if "iss" in claims and claims["iss"] != issuer:
        raise Rejected("iss", "the signed UserInfo response names another issuer")
    if "aud" in claims and client_id not in audiences(claims):
        raise Rejected("aud", "the signed UserInfo response is for another client")
    return claims


def parse_userinfo(
    response: HttpResponse,
    *,
    subject: str | None,
    issuer: str,
    client_id: str,
    keys: KeySet | None = None,
    algorithms: Collection[str] = ("RS256",),
    client_secret: str | None = None,
    decryption_keys: Any = None,
) -> dict[str, Any]:
    """The claims of a UserInfo response, checked (§5.3.2, §5.3.4).

    Args:
        response: The answer.
        subject: The ID token's ``sub``; ``None`` skips the comparison (no ID token).
        issuer: The issuer, for a signed response's ``iss``.
        client_id: The client, for a signed response's ``aud``.
        keys: The issuer's keys, for a signed response.
        algorithms: Accepted algorithms for a signed response.
        client_secret: The HMAC key, for HS256 responses.
        decryption_keys: The client's private keys, for an encrypted response.

    Raises:
        UserinfoError: A refusal, or a body that is neither a JSON object nor a valid JWT.
        UserinfoSubjectError: Another ``sub`` than the ID token's.
    """
    if response.status_code in (401, 403):
        raise UserinfoError(
            f"the userinfo endpoint refused the access token (HTTP {response.status_code})",
            "status",
        )
    if not 200 <= response.status_code < 300:
        raise UserinfoError(f"the userinfo endpoint answered HTTP {response.status_code}", "status")
    if response.media_type == "application/jwt" and 200 <= response.status_code < 300:
        try:
            text = response.body.decode("ascii").strip()
            claims = _jwt_claims(
                text,
                keys,
                issuer=issuer,
                client_id=client_id,
                algorithms=check_algorithms(algorithms, "UserInfo"),
                client_secret=client_secret,
                decryption_keys=decryption_keys,
            )
        except (Rejected, UnicodeDecodeError) as exc:
            check = exc.check if isinstance(exc, Rejected) else "format"
            raise UserinfoError(f"the signed UserInfo response is rejected: {exc}", check) from None
    else:
        try:
            claims = read_answer(response, "UserInfo response")
        except Exception as exc:  # refusals and malformed bodies, as one error class
            raise UserinfoError(str(exc), "format") from None
    return check_userinfo_subject(claims, subject)


def userinfo_flow(
    provider: Provider,
    manager: TokenManager,
    *,
    subject: str | None,
    algorithms: Collection[str],
    decryption_keys: Any = None,
    timeout: float | None = None,
) -> Flow[dict[str, Any]]:
    """Ask the userinfo endpoint about the token's user; see :func:`parse_userinfo`.

    Raises:
        UserinfoError, UserinfoSubjectError: See :func:`parse_userinfo`.
        UsageError: No access token, or the provider names no userinfo endpoint.
        TokenExpiredError: The token expired and cannot be renewed.
    """
    metadata = yield from metadata_flow(provider, manager)
    endpoint = metadata.endpoint("userinfo_endpoint", mtls=manager.client_certificate is not None)
    if endpoint is None:
        raise UsageError(f"the metadata of {provider.issuer} names no userinfo_endpoint")
    manager.transport.check(endpoint)
    response = yield from _send(manager, endpoint, force=False, timeout=timeout)
    if manager.dpop is not None and is_nonce_challenge(response):
        # RFC 9449 §9: once more, with the nonce the challenge's DPoP-Nonce brought
        response = yield from _send(manager, endpoint, force=False, timeout=timeout)
    if (
        response.status_code == 401
        and is_token_rejected(response)
        and manager.renewal_kind(manager.token)
    ):
        response = yield from _send(manager, endpoint, force=True, timeout=timeout)
    signed = response.media_type == "application/jwt"

    def parse(keys: KeySet | None) -> dict[str, Any]:
        return parse_userinfo(
            response,
            subject=subject,
            issuer=provider.issuer,
            client_id=manager.client_id,
            keys=keys,
            algorithms=algorithms,
            client_secret=manager.client_secret,
            decryption_keys=decryption_keys,
        )

    if not signed:
        return parse(None)
    needs_keys = not set(algorithms) <= HMAC_ALGORITHMS
    try:
        return (yield from validated(provider, manager, _rethrowing(parse), needs_keys=needs_keys))
    except Rejected as exc:
        message = str(exc)
        if not message.startswith("the signed UserInfo response is rejected"):
            message = f"the signed UserInfo response is rejected: {message}"
        raise UserinfoError(message, exc.check) from None


def _rethrowing(
    parse: Callable[[KeySet | None], dict[str, Any]],
) -> Callable[[KeySet | None], dict[str, Any]]:
    # validated() refetches the keys on an unknown kid, which parse_userinfo reports as a
    # UserinfoError with check "kid": turn it back into the verdict validated() knows.
    from .._jose._verify import UnknownKey

    def check(keys: KeySet | None) -> dict[str, Any]:
        try:
            return parse(keys)
        except UserinfoError as exc:
            if exc.check == "kid":
                raise UnknownKey("kid", str(exc)) from None
            raise

    return check


def _send(
    manager: TokenManager, endpoint: str, *, force: bool, timeout: float | None
) -> Flow[HttpResponse]:
    token = yield from current(manager, force=force, timeout=timeout)
    if token is None:
        raise UsageError("no access token: log in (fetch_token) before asking for UserInfo")
    headers: dict[str, str] = {}
    if manager.dpop is not None and token.token_type.lower() == "dpop":
        # RFC 9449 §7.1: the token with a fresh proof bound to it (ath), never as Bearer
        patch = build_dpop_patch(
            manager.dpop,
            token,
            "GET",
            endpoint,
            now=manager.clock(),
            nonce=manager.dpop_nonces.get(endpoint),
        )
        headers.update(patch.headers)
    else:
        headers.update(bearer_headers(token))
    accept = "application/json, application/jwt"
    response = yield from get(manager, endpoint, Purpose.USERINFO, accept, headers)
    if manager.dpop is not None:
        manager.dpop_nonces.learn(endpoint, response)
    return response
