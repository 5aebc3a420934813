"""What the dev provider says about its OpenID Connect side: routes, metadata and user claims.

Kept apart from the endpoints so that the RFC 8414 metadata (built in
:mod:`~oauthkit.devserver._oauth2_grants`) can carry the OpenID members too, as RFC 8414 §2
allows, without importing the endpoints that serve them. Nothing here imports oauthlib or
joserfc.
"""

from __future__ import annotations

__all__ = [
    "CLAIMS_SUPPORTED",
    "DISCOVERY_PATH",
    "DOCUMENT_MAX_AGE",
    "JWKS_PATH",
    "LOGOUT_PATH",
    "PREFIX",
    "SCOPES_SUPPORTED",
    "USERINFO_PATH",
    "openid_metadata",
    "user_claims",
]

PREFIX = "/oidc"
# OpenID Connect Discovery 1.0 §4: the issuer followed by this path.
DISCOVERY_PATH = "/.well-known/openid-configuration"
JWKS_PATH = f"{PREFIX}/jwks"
USERINFO_PATH = f"{PREFIX}/userinfo"
LOGOUT_PATH = f"{PREFIX}/logout"
# Seconds a client may cache the discovery documents and the JWK Set (RFC 9111 §5.2.2.1).
# Short, because a test rotates keys; a client meeting an unknown kid refetches anyway.
DOCUMENT_MAX_AGE = 300

SCOPES_SUPPORTED = ("openid", "profile", "email", "read", "write")
# Core §5.4: what the profile and email scopes release at the userinfo endpoint.
_SCOPE_CLAIMS = {
    "profile": ("name", "given_name", "family_name", "preferred_username"),
    "email": ("email", "email_verified"),
}
_ID_TOKEN_CLAIMS = ("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash")
CLAIMS_SUPPORTED = (*_ID_TOKEN_CLAIMS, *(c for claims in _SCOPE_CLAIMS.values() for c in claims))


def openid_metadata(issuer: str) -> dict[str, object]:
    """The OpenID Provider metadata members (OpenID Connect Discovery 1.0 §3) beyond RFC 8414's.

    Args:
        issuer: The issuer identifier, the provider's base URL.

    Returns:
        Members to merge into the RFC 8414 document, which then serves both well-known paths.
    """
    return {
        "jwks_uri": issuer + JWKS_PATH,
        "userinfo_endpoint": issuer + USERINFO_PATH,
        "end_session_endpoint": issuer + LOGOUT_PATH,  # RP-Initiated Logout 1.0 §2.1
        "scopes_supported": list(SCOPES_SUPPORTED),
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": list(CLAIMS_SUPPORTED),
        # Discovery §3 defaults request_uri_parameter_supported to true; none are supported.
        "claims_parameter_supported": False,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
    }


def user_claims(user: str, scopes: tuple[str, ...] | list[str]) -> dict[str, object]:
    """The claims about ``user`` that ``scopes`` release (OpenID Connect Core §5.4).

    The dev provider's users exist only as names (``dev-user``, or whatever ``login_hint``
    said), so their profile is derived from the name: ``sub`` and ``preferred_username`` are
    the name itself, ``alice-smith`` is called Alice Smith, and mail goes to ``example.com``
    (RFC 2606), verified.
    """
    words = user.replace("_", "-").replace(".", "-").split("-")
    name = " ".join(word.capitalize() for word in words if word) or user
    values: dict[str, object] = {
        "name": name,
        "given_name": name.split(" ")[0],
        "family_name": name.split(" ")[-1],
        "preferred_username": user,
        "email": f"{user}@example.com",
        "email_verified": True,
    }
    claims: dict[str, object] = {"sub": user}
    for scope in scopes:
        claims.update((claim, values[claim]) for claim in _SCOPE_CLAIMS.get(scope, ()))
    return claims
