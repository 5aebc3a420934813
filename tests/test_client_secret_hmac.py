"""The client secret is the HMAC key of HS256 ID tokens (OIDC Core §10.1), wherever it was given.

Found against oidc-provider (tests/test_oidc_interop_jose.py): a session is given its secret
by ``fetch_token(client_secret=...)`` or ``client_auth=``, never as ``TokenManager``'s own
argument, so ``TokenManager.client_secret`` was ``None`` and every HS256 ID token of a session
was refused ("there is no client secret").
"""

from __future__ import annotations

import pytest
from joserfc import jwt
from joserfc.jwk import OctKey

from oauthkit import Token, TokenManager, oidc
from oauthkit._compat._clients import ExternalAuth, LegacyBasic
from oauthkit._compat._session import OAuth2SessionState
from oauthkit._oauth2._client_assertion import ClientSecretJwt
from oauthkit._oauth2._client_auth import ClientSecretBasic, ClientSecretPost, NoneAuth

SECRET = "s3cret-" + "0123456789abcdef" * 2
ISSUER = "https://op.example"
NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    "auth",
    [
        ClientSecretBasic("app", SECRET),
        ClientSecretPost("app", SECRET),
        ClientSecretJwt("app", SECRET),
        LegacyBasic("app", SECRET),
        ExternalAuth("app", True, SECRET),
    ],
)
def test_the_secret_held_by_the_authentication(auth: object) -> None:
    assert TokenManager("app", auth=auth).client_secret == SECRET


@pytest.mark.parametrize("auth", [NoneAuth("app"), LegacyBasic("app", ""), ExternalAuth("app")])
def test_no_secret(auth: object) -> None:
    assert TokenManager("app", auth=auth).client_secret is None


def test_the_given_secret_wins() -> None:
    manager = TokenManager("app", "given-secret", auth=ClientSecretPost("app", SECRET))
    assert manager.client_secret == "given-secret"


def test_a_session_validates_hs256_with_the_secret_of_fetch_token() -> None:
    state = OAuth2SessionState("app", redirect_uri="https://app/cb", issuer=ISSUER)
    state.fetch_token_flow(f"{ISSUER}/token", code="c", client_secret=SECRET)
    assert state.core.client_secret == SECRET
    claims = {"iss": ISSUER, "aud": "app", "sub": "alice", "iat": NOW, "exp": NOW + 60}
    id_token = jwt.encode({"alg": "HS256"}, claims, OctKey.import_key(SECRET))
    rp = state.oidc
    assert rp is not None
    expect = rp.expectations(state.core, Token("at", "Bearer", None), ["HS256"])
    assert oidc.validate_id_token(id_token, jwks=None, expect=expect, now=NOW).subject == "alice"
