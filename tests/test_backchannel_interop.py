"""Registration (RFC 7591/7592), CIBA, JWT introspection (RFC 9701) and token exchange with
DPoP (RFC 8693, RFC 9449) against the oidc-provider peer, through every driver.

The peer enables dynamic registration with management (rotating the registration access token
on update), CIBA in poll mode (auto-approved after ``CIBA_APPROVE_DELAY_MS``,
``login_hint=deny`` refused), ``jwtIntrospection``, and a minimal token exchange grant of its
own (server.mjs) that binds the new token to a DPoP proof's key.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from oauthlib.oauth2 import BackendApplicationClient

import oauthkit
from oauthkit import oidc
from tests._drivers2 import DRIVERS, Driver, introspect, oauthkit_class, open_session, run_code_flow
from tests._oidc_agent import public, rsa_encryption_key
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def peer() -> Iterator[OidcProviderPeer]:
    # CIBA requests are approved 50 ms after they are made: the polls below wait that long
    with OidcProviderPeer(env={"CIBA_APPROVE_DELAY_MS": 50}) as started:
        yield started


def _call(s: Driver, name: str, *args: Any, **kw: Any) -> Any:
    """Call session method ``name`` (awaited on the async client)."""
    return s._call(getattr(s.s, name), *args, **kw)


def _sleeper(s: Driver) -> Callable[[float], Any]:
    """A short real wait between polls (the peer decides after 50 ms), as the driver wants it."""
    if s.name == "httpx-async":

        async def wait(seconds: float) -> None:
            time.sleep(0.05)

        return wait
    return lambda seconds: time.sleep(0.05)


def _metadata(peer: OidcProviderPeer, **extra: Any) -> dict[str, Any]:
    return {
        "client_name": "registered-by-oauthkit",
        "redirect_uris": [peer.url("/cb")],
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "client_secret_basic",
        **extra,
    }


def _register(peer: OidcProviderPeer, driver: str, **extra: Any) -> oauthkit.ClientRegistration:
    with open_session(driver, client_id="registrar", issuer=peer.issuer) as s:
        registration: oauthkit.ClientRegistration = _call(
            s, "register_client", _metadata(peer, **extra)
        )
    return registration


def _client_auth(registration: oauthkit.ClientRegistration) -> oauthkit.ClientSecretBasic:
    assert registration.client_secret is not None
    return oauthkit.ClientSecretBasic(registration.client_id, registration.client_secret)


# ---------------------------------------------------------------------- registration


def test_register_read_update_delete_and_use_the_client(
    peer: OidcProviderPeer, driver: str
) -> None:
    endpoint = peer.discovery["registration_endpoint"]
    with open_session(driver, client_id="registrar", issuer=peer.issuer) as s:
        registered = _call(s, "register_client", _metadata(peer))  # the endpoint discovered
        [sent] = s.recording.to(endpoint)
        assert sent.method == "POST"
        assert sent.headers["content-type"] == "application/json"
        assert json.loads(sent.body)["client_name"] == "registered-by-oauthkit"
        assert isinstance(registered, oauthkit.ClientRegistration)
        assert registered.client_secret
        assert registered.registration_access_token
        assert registered.registration_client_uri.startswith(peer.issuer)
        assert registered.metadata["client_name"] == "registered-by-oauthkit"
        assert registered.client_id_issued_at is not None
        for secret in (registered.client_secret, registered.registration_access_token):
            assert secret not in repr(registered)

        read = _call(s, "read_client_registration", registered)
        assert read.client_id == registered.client_id
        assert read.client_secret == registered.client_secret
        assert read.registration_access_token == registered.registration_access_token
        assert s.recording.to(registered.registration_client_uri)[-1].method == "GET"

        updated = _call(
            s,
            "update_client_registration",
            read,
            {**read.metadata, "client_name": "renamed-by-oauthkit"},
        )
        assert updated.metadata["client_name"] == "renamed-by-oauthkit"
        # the peer rotates the registration access token on update (RFC 7592 §2.2, §3)
        assert updated.registration_access_token != read.registration_access_token
        with pytest.raises(oauthkit.TokenEndpointError) as stale:
            _call(s, "read_client_registration", read)  # the old token is revoked
        assert stale.value.status_code == 401
        assert str(read.registration_access_token) not in str(stale.value)
        reread = _call(s, "read_client_registration", updated)
        assert reread.metadata["client_name"] == "renamed-by-oauthkit"
        [put] = [x for x in s.recording.to(updated.registration_client_uri) if x.method == "PUT"]
        assert put.method == "PUT"
        body = json.loads(put.body)
        assert body["client_id"] == registered.client_id
        assert "registration_access_token" not in body
        assert put.headers["authorization"] == f"Bearer {read.registration_access_token}"

        # the new client works: a client-credentials token, authenticated with its secret
        with open_session(
            driver,
            client=BackendApplicationClient(client_id=updated.client_id),
            client_auth=_client_auth(updated),
        ) as client:
            token = client.fetch_token(peer.discovery["token_endpoint"])
        assert introspect(peer, token["access_token"])["client_id"] == updated.client_id

        assert _call(s, "delete_client_registration", updated) is None
        assert s.recording.to(updated.registration_client_uri)[-1].method == "DELETE"
        with pytest.raises(oauthkit.TokenEndpointError) as gone:
            _call(s, "read_client_registration", updated)
        assert gone.value.status_code == 401


def test_a_registration_round_trips_through_its_dictionary(
    peer: OidcProviderPeer, driver: str
) -> None:
    registered = _register(peer, driver)
    again = oauthkit.ClientRegistration.from_dict(json.loads(json.dumps(registered.to_dict())))
    assert again == registered
    with open_session(driver, client_id="registrar") as s:
        assert _call(s, "read_client_registration", again).client_id == registered.client_id


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"redirect_uris": ["https://rp.example/cb#fragment"]}, "InvalidRedirectUriError"),
        ({"token_endpoint_auth_method": "no-such-method"}, "InvalidClientMetadataError"),
    ],
)
def test_refused_metadata_raises_the_class_of_rfc_7591(
    peer: OidcProviderPeer, driver: str, change: dict[str, Any], error: str
) -> None:
    with open_session(driver, client_id="registrar") as s, pytest.raises(Exception) as info:
        _call(
            s, "register_client", _metadata(peer, **change), peer.discovery["registration_endpoint"]
        )
    assert oauthkit_class(info.value) is getattr(oauthkit, error)
    assert info.value.status_code == 400


# ---------------------------------------------------------------------- CIBA


def _ciba_session(peer: OidcProviderPeer, driver: str, **kw: Any) -> Any:
    return open_session(
        driver,
        client_id="basic-client",
        client_auth=oauthkit.ClientSecretBasic("basic-client", client_secret("basic-client")),
        issuer=peer.issuer,
        scope=["openid"],
        **kw,
    )


def _claims(proof: str) -> dict[str, Any]:
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(proof.split(".")[1] + "=="))
    return claims


def test_ciba_approved_with_dpop_bound_tokens(peer: OidcProviderPeer, driver: str) -> None:
    key = oauthkit.DPoPKey.generate()
    token_endpoint = peer.discovery["token_endpoint"]
    with _ciba_session(peer, driver, dpop=key) as s:
        request = _call(
            s, "backchannel_authenticate", login_hint="ciba-user", binding_message="oauthkit 42"
        )
        assert isinstance(request, oauthkit.BackchannelAuthentication)
        assert request.auth_req_id not in repr(request)
        [sent] = s.recording.to(peer.discovery["backchannel_authentication_endpoint"])
        assert sent.form["login_hint"] == "ciba-user"
        assert sent.form["scope"] == "openid"
        assert sent.form["binding_message"] == "oauthkit 42"

        token = _call(s, "poll_backchannel_token", request, sleep=_sleeper(s))
        assert token["token_type"] == "DPoP"
        assert s.id_token_claims is not None
        assert s.id_token_claims.subject == "ciba-user"  # the ID token was validated
        polls = s.recording.to(token_endpoint)
        assert polls
        for poll in polls:
            assert poll.form["grant_type"] == "urn:openid:params:grant-type:ciba"
            assert poll.form["auth_req_id"] == request.auth_req_id
            assert _claims(poll.headers["dpop"])["htu"] == token_endpoint
        assert introspect(peer, token["access_token"])["cnf"] == {"jkt": key.thumbprint}


def test_ciba_denied_raises_access_denied(peer: OidcProviderPeer, driver: str) -> None:
    with _ciba_session(peer, driver) as s:
        request = _call(s, "backchannel_authenticate", login_hint="deny")
        with pytest.raises(Exception) as info:
            _call(s, "poll_backchannel_token", request, sleep=_sleeper(s))
        assert oauthkit_class(info.value) is oauthkit.AccessDeniedError
        assert request.auth_req_id not in str(info.value)
        assert s.token == {}


def test_ciba_with_an_id_token_hint_and_a_refused_login_hint_token(
    peer: OidcProviderPeer, driver: str
) -> None:
    with _ciba_session(peer, driver) as s:
        first = _call(s, "backchannel_authenticate", login_hint="hinted-user")
        id_token = _call(s, "poll_backchannel_token", first, sleep=_sleeper(s))["id_token"]
        again = _call(s, "backchannel_authenticate", id_token_hint=id_token, requested_expiry=60)
        assert again.expires_at <= time.time() + 60
        _call(s, "poll_backchannel_token", again, sleep=_sleeper(s))
        assert s.id_token_claims.subject == "hinted-user"
        # the peer supports no login_hint_token: its refusal is typed
        with pytest.raises(Exception) as info:
            _call(s, "backchannel_authenticate", login_hint_token="opaque-hint-token")
        assert oauthkit_class(info.value) is oauthkit.InvalidRequestError
        assert "opaque-hint-token" not in str(info.value)


def test_ciba_refuses_a_request_without_openid_before_sending(
    peer: OidcProviderPeer, driver: str
) -> None:
    with _ciba_session(peer, driver) as s:
        with pytest.raises(oauthkit.UsageError, match="openid"):
            _call(s, "backchannel_authenticate", login_hint="u", scope="profile")
        with pytest.raises(oauthkit.UsageError, match="exactly one"):
            _call(s, "backchannel_authenticate", login_hint="u", login_hint_token="t")
        assert not s.recording.to(peer.discovery["backchannel_authentication_endpoint"])


# ---------------------------------------------------------------------- JWT introspection


def test_jwt_introspection_with_a_registered_client(peer: OidcProviderPeer, driver: str) -> None:
    registered = _register(peer, driver, introspection_signed_response_alg="ES256")
    endpoint = peer.discovery["introspection_endpoint"]
    with open_session(
        driver,
        client=BackendApplicationClient(client_id=registered.client_id),
        client_auth=_client_auth(registered),
        issuer=peer.issuer,
    ) as s:
        token = s.fetch_token()
        info = _call(s, "introspect_token", jwt=True)
        assert isinstance(info, oauthkit.Introspection)
        assert info.active is True
        assert info.client_id == registered.client_id
        sent = s.recording.to(endpoint)[-1]
        assert sent.headers["accept"] == "application/token-introspection+jwt"
        assert sent.form["token"] == token["access_token"]
        plain = _call(s, "introspect_token")  # the JSON answer says the same
        assert (plain.active, plain.client_id, plain.exp) == (info.active, info.client_id, info.exp)


def test_encrypted_jwt_introspection(peer: OidcProviderPeer, driver: str) -> None:
    encryption_key = rsa_encryption_key()
    registered = _register(
        peer,
        driver,
        jwks={"keys": [public(encryption_key)]},
        introspection_signed_response_alg="RS256",
        introspection_encrypted_response_alg="RSA-OAEP-256",
        introspection_encrypted_response_enc="A256GCM",
    )
    rp = oidc.RelyingParty(peer.issuer, registered.client_id, decryption_keys=encryption_key)
    with open_session(
        driver,
        client=BackendApplicationClient(client_id=registered.client_id),
        client_auth=_client_auth(registered),
        relying_party=rp,
    ) as s:
        s.fetch_token(peer.discovery["token_endpoint"])
        info = _call(s, "introspect_token", jwt=True)
        assert info.active is True
        assert info.client_id == registered.client_id
        rp.decryption_keys = None  # without the key the answer cannot be read
        with pytest.raises(oauthkit.MalformedResponseError, match="decryption keys"):
            _call(s, "introspect_token", jwt=True)


def test_jwt_introspection_needs_an_issuer(peer: OidcProviderPeer, driver: str) -> None:
    with open_session(driver, client_id="basic-client") as s, pytest.raises(Exception) as info:
        _call(s, "introspect_token", peer.discovery["introspection_endpoint"], "t", jwt=True)
    assert isinstance(info.value, oauthkit.UsageError)


# ---------------------------------------------------------------------- token exchange + DPoP


def test_token_exchange_with_dpop(peer: OidcProviderPeer, driver: str) -> None:
    registered = _register(
        peer, driver, grant_types=["authorization_code", "refresh_token", TOKEN_EXCHANGE]
    )
    with open_session(
        driver,
        client_id=registered.client_id,
        client_auth=_client_auth(registered),
        redirect_uri=peer.url("/cb"),
        scope=["openid"],
    ) as user:
        subject = run_code_flow(user, peer)["access_token"]
    key = oauthkit.DPoPKey.generate()
    token_endpoint = peer.discovery["token_endpoint"]
    with open_session(
        driver, client_id=registered.client_id, client_auth=_client_auth(registered), dpop=key
    ) as s:
        grant = oauthkit.TokenExchangeGrant(subject_token=subject)
        token = s.fetch_token(token_endpoint, grant=grant)
        assert token["token_type"] == "DPoP"
        assert token["issued_token_type"] == "urn:ietf:params:oauth:token-type:access_token"
        [sent] = s.recording.to(token_endpoint)
        assert sent.form["grant_type"] == TOKEN_EXCHANGE
        assert _claims(sent.headers["dpop"])["htm"] == "POST"
    info = introspect(peer, token["access_token"])
    assert info["active"] is True
    assert info["cnf"] == {"jkt": key.thumbprint}
    assert info["sub"] == "test-user"


def test_jwt_bearer_with_dpop(peer: OidcProviderPeer, driver: str) -> None:
    """RFC 7523 §2.1 with a DPoP key (RFC 9449 §5): the assertion grant's request carries a
    proof and the token the peer's JWT bearer grant issues is bound to the key."""
    from joserfc import jwt
    from joserfc.jwk import ECKey

    signer = ECKey.generate_key("P-256", parameters={"kid": "assertion-key"}, private=True)
    registered = _register(
        peer,
        driver,
        grant_types=["authorization_code", JWT_BEARER],
        jwks={"keys": [signer.as_dict(private=False)]},
    )
    now = int(time.time())
    claims = {"iss": registered.client_id, "sub": "alice", "aud": peer.issuer}
    claims |= {"iat": now, "exp": now + 300, "jti": secrets.token_hex(16)}
    assertion = jwt.encode({"alg": "ES256", "kid": "assertion-key"}, claims, signer)
    key = oauthkit.DPoPKey.generate()
    token_endpoint = peer.discovery["token_endpoint"]
    with open_session(
        driver, client_id=registered.client_id, client_auth=_client_auth(registered), dpop=key
    ) as s:
        token = s.fetch_token(token_endpoint, grant=oauthkit.JwtBearerGrant(assertion=assertion))
        assert token["token_type"] == "DPoP"
        [sent] = s.recording.to(token_endpoint)
        assert sent.form["grant_type"] == JWT_BEARER
        assert _claims(sent.headers["dpop"])["htu"] == token_endpoint
    info = introspect(peer, token["access_token"])
    assert info["active"] is True
    assert info["cnf"] == {"jkt": key.thumbprint}
    assert info["sub"] == "alice"
