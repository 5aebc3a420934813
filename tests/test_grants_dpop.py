"""DPoP proofs on the token exchange (RFC 8693) and JWT bearer (RFC 7523) grants.

A :class:`~oauthkit.TokenManager` with a DPoP key puts a fresh proof on every token request it
builds, whatever the grant (RFC 9449 §5), so the tokens these grants bring are bound to the
key. The interop test (tests/test_backchannel_interop.py) proves it for token exchange against
oidc-provider; oidc-provider has no JWT bearer grant, so that one is proved here.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import oauthkit
from oauthkit import HttpResponse, JwtBearerGrant, TokenExchangeGrant, TokenManager
from oauthkit._core._steps import SendRequest

TOKEN_URL = "https://as.example/token"
NOW = 1_700_000_000.0


def _claims(proof: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(proof.split(".")[1] + "=="))
    return claims


@pytest.mark.parametrize(
    "grant",
    [
        TokenExchangeGrant(subject_token="subject-at-value"),
        JwtBearerGrant(assertion="eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"),
    ],
    ids=["token-exchange", "jwt-bearer"],
)
def test_grants_carry_a_fresh_proof_and_the_token_comes_back_bound(grant: Any) -> None:
    key = oauthkit.DPoPKey.generate()
    manager = TokenManager("rp", "rp-secret", token_endpoint=TOKEN_URL, dpop=key, clock=lambda: NOW)
    flow = manager.fetch_flow(grant)
    locked = next(flow)  # the token request runs under the token's lock
    assert isinstance(locked, oauthkit.Exclusive)
    step = next(locked.flow)
    assert isinstance(step, SendRequest)
    proof = step.request.headers["DPoP"]
    assert _claims(proof)["htm"] == "POST"
    assert _claims(proof)["htu"] == TOKEN_URL
    header = json.loads(base64.urlsafe_b64decode(proof.split(".")[0] + "=="))
    assert header["typ"] == "dpop+jwt"
    assert header["jwk"] == dict(key.public_jwk)
    body = {"access_token": "bound-at", "token_type": "DPoP", "expires_in": 60}
    with pytest.raises(StopIteration) as done:
        locked.flow.send(
            HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(body).encode())
        )
    token = done.value.value
    assert token.token_type == "DPoP"
    assert manager.token is token
    again = manager.build_grant_request(grant)
    assert again.headers["DPoP"] != proof  # never reused (RFC 9449 §11.1)
