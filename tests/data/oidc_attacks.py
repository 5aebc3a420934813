"""The ID token attack corpus of issue #9, as data.

Each :class:`Attack` says how the hostile provider (:mod:`tests._hostile_op`) misbehaves (its
:class:`~tests._hostile_op.Script`), which flow the test runs (:data:`FLOWS`), and what oauthkit
must raise: the exception class and its ``check``. ``tests/test_oidc_attacks.py`` runs every
entry on every driver; ``tests/test_oidc_attacks_authlib.py`` runs some against Authlib.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import oauthkit
from oauthkit import oidc
from tests._hostile_op import (
    ATTACKER_JKU,
    ATTACKER_JWK,
    CLIENT_ID,
    DROP,
    OTHER_ISSUER,
    Nested,
    Rel,
    Script,
)

__all__ = ["ATTACKS", "BY_NAME", "FLOWS", "OTHER_CLIENT", "Attack"]

FLOWS = {
    "login": "one login; fetch_token refuses the token response",
    "replay": "a valid login, then a second session's login answered with the first response",
    "unknown-kid": "a login refused after one JWKS refetch, then one within the rate limit",
    "discovery": "discover() and fetch_token() refuse the metadata; no other URL is used",
    "userinfo": "a valid login, then userinfo() refuses the answer",
    "accepted": "a valid login, UserInfo included (the control: the provider is correct)",
}

_WITH_HS256 = {"id_token_signing_alg_values_supported": ["RS256", "ES256", "HS256"]}
OTHER_CLIENT = "another-client"


@dataclass(frozen=True)
class Attack:
    """One case of the corpus.

    Attributes:
        name: Its test ID.
        misbehaviour: What the provider does, in words.
        script: What the provider does, as its script.
        error: What oauthkit raises (``None``: it accepts, the control cases).
        check: The error's ``check`` (``None`` for an error without one).
        flow: How the test drives the session (a key of :data:`FLOWS`).
    """

    name: str
    misbehaviour: str
    script: Script = field(default_factory=Script)
    error: type[oauthkit.OAuthError] | None = None
    check: str | None = None
    flow: str = "login"


ATTACKS: tuple[Attack, ...] = (
    Attack("valid-rs256", "nothing: a correct RS256 ID token", flow="accepted"),
    Attack(
        "valid-es256",
        "nothing: a correct ES256 ID token",
        Script(signer="ec"),
        flow="accepted",
    ),
    Attack(
        "alg-none",
        "alg none and an empty signature",
        Script(signer="none"),
        oidc.IDTokenSignatureError,
        "alg",
    ),
    Attack(
        "alg-not-a-string",
        "alg a JSON array, the signature made with RS256",
        Script(header={"alg": ["RS256"]}),
        oidc.IDTokenSignatureError,
        "alg",
    ),
    Attack(
        "hs256-with-rsa-pem",
        "HS256 keyed with its RSA public key as PEM, HS256 advertised in its metadata",
        Script(signer="hs256-pem", discovery=_WITH_HS256),
        oidc.IDTokenSignatureError,
        "signature",  # verified with the client secret, the only HMAC key: it does not match
    ),
    Attack(
        "hs256-with-rsa-jwk",
        "HS256 keyed with its RSA public key as JWK JSON, HS256 advertised in its metadata",
        Script(signer="hs256-jwk", discovery=_WITH_HS256),
        oidc.IDTokenSignatureError,
        "signature",  # verified with the client secret, the only HMAC key: it does not match
    ),
    Attack(
        "signature-stripped",
        "the signature segment left empty",
        Script(mangle="strip"),
        oidc.IDTokenSignatureError,
        "signature",
    ),
    Attack(
        "signature-altered",
        "one bit of the signature flipped",
        Script(mangle="alter"),
        oidc.IDTokenSignatureError,
        "signature",
    ),
    Attack(
        "payload-tampered",
        "sub changed to admin after signing",
        Script(mangle="tamper"),
        oidc.IDTokenSignatureError,
        "signature",
    ),
    Attack(
        "iss-wrong",
        "iss names another issuer",
        Script(claims={"iss": OTHER_ISSUER}),
        oidc.IDTokenIssuerError,
        "iss",
    ),
    Attack(
        "aud-wrong",
        "aud names another client only",
        Script(claims={"aud": OTHER_CLIENT}),
        oidc.IDTokenAudienceError,
        "aud",
    ),
    Attack(
        "aud-wrong-azp-us",
        "aud names another client, azp names this one",
        Script(claims={"aud": OTHER_CLIENT, "azp": CLIENT_ID}),
        oidc.IDTokenAudienceError,
        "aud",
    ),
    Attack(
        "aud-extra-no-azp",
        "aud names this client and another, no azp",
        Script(claims={"aud": [CLIENT_ID, OTHER_CLIENT]}),
        oidc.IDTokenAudienceError,
        "azp",
    ),
    Attack(
        "aud-extra-untrusted",
        "aud names this client and an untrusted other, azp names this one",
        Script(claims={"aud": [CLIENT_ID, OTHER_CLIENT], "azp": CLIENT_ID}),
        oidc.IDTokenAudienceError,
        "aud",
    ),
    Attack(
        "issued-to-another-client",
        "a token issued to another client: aud and azp name it",
        Script(claims={"aud": OTHER_CLIENT, "azp": OTHER_CLIENT}),
        oidc.IDTokenAudienceError,
        "aud",
    ),
    Attack(
        "expired",
        "exp an hour ago",
        Script(claims={"exp": Rel(-3600), "iat": Rel(-7200), "auth_time": Rel(-7200)}),
        oidc.IDTokenTimeError,
        "exp",
    ),
    Attack(
        "issued-in-the-future",
        "iat an hour ahead",
        Script(claims={"iat": Rel(3600), "exp": Rel(7200)}),
        oidc.IDTokenTimeError,
        "iat",
    ),
    Attack(
        "nbf-ahead",
        "nbf an hour ahead",
        Script(claims={"nbf": Rel(3600)}),
        oidc.IDTokenTimeError,
        "nbf",
    ),
    Attack(
        "nonce-missing",
        "no nonce claim",
        Script(claims={"nonce": DROP}),
        oidc.IDTokenNonceError,
        "nonce",
    ),
    Attack(
        "nonce-wrong",
        "a nonce that is not the login's",
        Script(claims={"nonce": "not-the-nonce-sent"}),
        oidc.IDTokenNonceError,
        "nonce",
    ),
    Attack(
        "nonce-replayed",
        "a second login answered with the first login's response (its ID token and nonce)",
        Script(replay=True),
        oidc.IDTokenNonceError,
        "nonce",
        flow="replay",
    ),
    Attack(
        "sub-missing",
        "no sub claim",
        Script(claims={"sub": DROP}),
        oidc.IDTokenSubjectError,
        "sub",
    ),
    Attack(
        "kid-unknown",
        "signed with a key its JWK Set does not hold, under a kid the set does not name",
        Script(signer="attacker"),
        oidc.IDTokenSignatureError,
        "kid",
        flow="unknown-kid",
    ),
    Attack(
        "jku-attacker",
        "signed with the attacker's key, jku naming the attacker's JWK Set",
        Script(signer="attacker", header={"jku": ATTACKER_JKU}),
        oidc.IDTokenSignatureError,
        "kid",
    ),
    Attack(
        "jwk-embedded",
        "signed with the attacker's key, embedded as the jwk header (no kid)",
        Script(signer="attacker", header={"jwk": ATTACKER_JWK, "kid": DROP}),
        oidc.IDTokenSignatureError,
        "signature",
    ),
    Attack(
        "crit-unknown",
        "a validly signed header marking an unknown extension critical",
        Script(header={"crit": ["urn:example:ext"], "urn:example:ext": True}),
        oidc.IDTokenFormatError,
        "crit",
    ),
    Attack(
        "huge-token",
        "a validly signed ID token over 64 KiB",
        Script(claims={"padding": "A" * 70_000}),
        oidc.IDTokenFormatError,
        "format",
    ),
    Attack(
        "deeply-nested-claims",
        "a validly signed claims set nesting objects 150 levels deep",
        Script(claims={"profile": Nested(150)}),
        oidc.IDTokenFormatError,
        "format",
    ),
    Attack(
        "at-hash-mismatch",
        "at_hash that is not the access token's",
        Script(claims={"at_hash": "AAAAAAAAAAAAAAAAAAAAAA"}),
        oidc.IDTokenHashError,
        "at_hash",
    ),
    Attack(
        "typ-logout-jwt",
        "a back-channel logout token (typ logout+jwt, events) passed off as an ID token",
        Script(
            header={"typ": "logout+jwt"},
            claims={"events": {oidc.BACKCHANNEL_LOGOUT_EVENT: {}}, "sid": "sid-1"},
        ),
        oidc.IDTokenFormatError,
        "format",
    ),
    Attack(
        "discovery-issuer-mixup",
        "its discovery document (and its ID tokens) name another issuer",
        Script(discovery={"issuer": OTHER_ISSUER}, claims={"iss": OTHER_ISSUER}),
        oauthkit.IssuerMismatchError,
        None,
        flow="discovery",
    ),
    Attack(
        "userinfo-sub-mismatch",
        "after a valid login, UserInfo about another subject",
        Script(userinfo_sub="user-2"),
        oidc.UserinfoSubjectError,
        "sub",
        flow="userinfo",
    ),
)

BY_NAME = {attack.name: attack for attack in ATTACKS}
assert len(BY_NAME) == len(ATTACKS), "attack names must be unique"
assert all(attack.flow in FLOWS for attack in ATTACKS)
