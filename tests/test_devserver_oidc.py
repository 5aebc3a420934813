"""The dev provider as an OpenID Provider, checked with plain requests and joserfc.

Nothing here uses oauthkit's client: the discovery document, the JWK Set, the ID tokens,
userinfo and logout are read the way any relying party would read them, and the ID tokens are
verified by joserfc against the keys the provider publishes. The provider's clock is fake, so
``iat``, ``exp`` and ``auth_time`` are known exactly and expiry is tested without sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import logging
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from authlib.oidc.discovery import OpenIDProviderMetadata
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet, RSAKey

from oauthkit import HttpRequest, UsageError
from oauthkit._loopback import _Handler
from oauthkit.devserver import DevProvider
from oauthkit.devserver._oauth2 import OAuth2Endpoints
from oauthkit.devserver._oauth2_clients import DevOAuth2Client
from oauthkit.devserver._oauth2_store import OAuth2Store
from oauthkit.devserver._oidc import OIDCEndpoints
from oauthkit.devserver._server import LOG

VERIFIER = "v" * 43 + "-._~0123456789"
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=")
TTL = 300
_users = (f"oidc-user-{n}" for n in itertools.count())


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def provider(clock: FakeClock) -> Iterator[DevProvider]:
    with DevProvider(clock=clock, rsa_key_size=1024, access_token_ttl=TTL) as started:
        yield started


def _credentials(provider: DevProvider, kind: str) -> tuple[str, dict[str, Any]]:
    """(client_id, requests keyword arguments authenticating it at the token endpoint)."""
    if kind == "public":
        cid = provider.oauth2_public_client_id
        return cid, {"data": {"client_id": cid}}
    if kind == "post":
        cid, secret = provider.oauth2_post_client_id, provider.oauth2_post_client_secret
        return cid, {"data": {"client_id": cid, "client_secret": secret}}
    return provider.oauth2_client_id, {
        "auth": (provider.oauth2_client_id, provider.oauth2_client_secret)
    }


def _authorize(provider: DevProvider, client_id: str, **params: str) -> dict[str, str]:
    """The authorization response's parameters; the provider approves at once (a 302)."""
    query = {"response_type": "code", "client_id": client_id, "redirect_uri": provider.callback_url}
    url = f"{provider.authorization_endpoint}?{urlencode({**query, **params})}"
    reply = requests.get(url, allow_redirects=False, timeout=10)
    assert reply.status_code == 302, reply.text
    return dict(parse_qsl(urlsplit(reply.headers["Location"]).query))


def _token(provider: DevProvider, kind: str, **form: str) -> requests.Response:
    _, auth = _credentials(provider, kind)
    data = {**auth.pop("data", {}), **form}
    return requests.post(provider.token_endpoint, data=data, timeout=10, **auth)


def _code_flow(
    provider: DevProvider, kind: str = "basic", scope: str = "openid", **params: str
) -> dict[str, Any]:
    """A whole code flow with PKCE; the token response."""
    client_id, _ = _credentials(provider, kind)
    pkce = {"code_challenge": CHALLENGE.decode(), "code_challenge_method": "S256"}
    received = _authorize(provider, client_id, scope=scope, **pkce, **params)
    assert received["iss"] == provider.issuer  # RFC 9207
    reply = _token(
        provider,
        kind,
        grant_type="authorization_code",
        code=received["code"],
        redirect_uri=provider.callback_url,
        code_verifier=VERIFIER,
    )
    assert reply.status_code == 200, reply.text
    token: dict[str, Any] = reply.json()
    return token


def _verify(provider: DevProvider, id_token: str, clock: FakeClock, **expect: Any) -> jwt.Token:
    """Verify as a relying party: the signature against the published JWK Set, then claims."""
    keys = KeySet.import_key_set(requests.get(provider.jwks_uri, timeout=10).json())
    token = jwt.decode(id_token, keys, algorithms=["RS256"])
    options = {name: {"essential": True, "value": value} for name, value in expect.items()}
    registry = jwt.JWTClaimsRegistry(
        now=lambda: int(clock.now), iss={"essential": True, "value": provider.issuer}, **options
    )
    registry.validate(token.claims)
    return token


def _at_hash(access_token: str) -> str:
    # OpenID Connect Core §3.1.3.6, computed here independently of the provider.
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def _userinfo(provider: DevProvider, access_token: str, method: str = "GET") -> requests.Response:
    if method == "POST":
        body = {"access_token": access_token}
        return requests.post(provider.userinfo_endpoint, data=body, timeout=10)
    headers = {"Authorization": f"Bearer {access_token}"}
    return requests.get(provider.userinfo_endpoint, headers=headers, timeout=10)


def _logout(provider: DevProvider, method: str = "GET", **params: str) -> requests.Response:
    kwargs: dict[str, Any] = {"params": params} if method == "GET" else {"data": params}
    url = provider.end_session_endpoint
    return requests.request(method, url, allow_redirects=False, timeout=10, **kwargs)


# -- discovery and keys ---------------------------------------------------------------------


def test_discovery_document(provider: DevProvider) -> None:
    reply = requests.get(provider.openid_configuration_url, timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"] == "application/json"
    assert "max-age=300" in reply.headers["Cache-Control"]
    document = reply.json()
    OpenIDProviderMetadata(document).validate()  # authlib's own OpenID Discovery checks
    assert document["issuer"] == provider.issuer == provider.base_url
    for key in ("jwks_uri", "userinfo_endpoint", "end_session_endpoint", "token_endpoint"):
        assert document[key] == getattr(provider, key)
    assert document["id_token_signing_alg_values_supported"] == ["RS256"]
    assert document["subject_types_supported"] == ["public"]
    assert document["response_types_supported"] == ["code"]
    assert "openid" in document["scopes_supported"]
    assert "S256" in document["code_challenge_methods_supported"]
    assert {"sub", "nonce", "auth_time", "at_hash", "email"} <= set(document["claims_supported"])
    assert document["request_uri_parameter_supported"] is False
    # one document: the RFC 8414 metadata carries the OpenID members too
    assert requests.get(provider.metadata_url, timeout=10).json() == document
    assert requests.get(provider.base_url + "/", timeout=10).json()["oidc"]["jwks_uri"] == (
        provider.jwks_uri
    )


def test_jwks_is_public_and_named_by_thumbprint(provider: DevProvider) -> None:
    reply = requests.get(provider.jwks_uri, timeout=10)
    assert reply.status_code == 200
    assert "max-age=300" in reply.headers["Cache-Control"]
    jwks = reply.json()
    assert jwks == provider.jwks
    assert provider.signing_kid in [key["kid"] for key in jwks["keys"]]
    for key in jwks["keys"]:
        assert (key["kty"], key["use"], key["alg"]) == ("RSA", "sig", "RS256")
        assert set(key) == {"kty", "use", "alg", "kid", "n", "e"}  # no private member
        assert key["kid"] == RSAKey.import_key(key).thumbprint()  # RFC 7638
    assert provider.signing_kid in repr(provider._oauth2.validator.keys)
    assert "'d'" not in repr(provider._oauth2.validator.keys)


# -- ID tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["basic", "post", "public"])
def test_code_flow_id_token(provider: DevProvider, clock: FakeClock, kind: str) -> None:
    client_id, _ = _credentials(provider, kind)
    token = _code_flow(provider, kind, scope="openid profile", nonce="n-0S6_WzA2Mj", state="s1")
    id_token = _verify(provider, token["id_token"], clock, aud=client_id, nonce="n-0S6_WzA2Mj")
    assert token["scope"] == "openid profile"
    assert token["id_token"].count(".") == 2
    assert (id_token.header["alg"], id_token.header["kid"]) == ("RS256", provider.signing_kid)
    claims = id_token.claims
    assert claims["sub"] == "dev-user"
    assert claims["at_hash"] == _at_hash(token["access_token"])
    assert (claims["iat"], claims["exp"]) == (int(clock.now), int(clock.now) + TTL)
    assert claims["auth_time"] <= claims["iat"]


def test_no_openid_scope_no_id_token(provider: DevProvider) -> None:
    token = _code_flow(provider, scope="read", nonce="unused")
    assert "id_token" not in token


def test_refresh_repeats_the_identity_without_nonce(
    provider: DevProvider, clock: FakeClock
) -> None:
    user = next(_users)
    first = _code_flow(provider, nonce="n-1", login_hint=user)
    original = _verify(provider, first["id_token"], clock).claims
    clock.now += 60
    reply = _token(
        provider, "basic", grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert reply.status_code == 200, reply.text
    refreshed = reply.json()
    claims = _verify(provider, refreshed["id_token"], clock).claims
    for name in ("iss", "sub", "aud", "auth_time"):  # OpenID Connect Core §12.2
        assert claims[name] == original[name]
    assert claims["sub"] == user
    assert "nonce" not in claims
    assert claims["iat"] == original["iat"] + 60
    assert claims["at_hash"] == _at_hash(refreshed["access_token"])


def test_sessions_prompt_and_max_age(provider: DevProvider, clock: FakeClock) -> None:
    user, cid = next(_users), provider.oauth2_client_id
    silent = {"scope": "openid", "prompt": "none", "login_hint": user, "state": "st"}
    refused = _authorize(provider, cid, **silent)
    assert (refused["error"], refused["state"]) == ("login_required", "st")  # no session yet
    first = _verify(provider, _code_flow(provider, login_hint=user)["id_token"], clock).claims
    clock.now += 30
    again = _verify(
        provider, _code_flow(provider, login_hint=user, prompt="none")["id_token"], clock
    )
    assert again.claims["auth_time"] == first["auth_time"]  # the same session
    relogin = _code_flow(provider, login_hint=user, prompt="login")
    assert _verify(provider, relogin["id_token"], clock).claims["auth_time"] == int(clock.now)
    clock.now += 60
    aged = _code_flow(provider, login_hint=user, max_age="10")
    assert _verify(provider, aged["id_token"], clock).claims["auth_time"] == int(clock.now)
    other = _code_flow(provider, login_hint=next(_users))["id_token"]
    mismatch = _authorize(provider, cid, scope="openid", login_hint=user, id_token_hint=other)
    assert mismatch["error"] == "login_required"


def test_issue_id_token_for_client_tests(provider: DevProvider, clock: FakeClock) -> None:
    minted = provider.issue_id_token(nonce="abc", access_token="at-1", claims={"exp": None})
    token = jwt.decode(minted, KeySet.import_key_set(provider.jwks), algorithms=["RS256"])
    assert token.claims["aud"] == provider.oauth2_client_id
    assert (token.claims["nonce"], token.claims["at_hash"]) == ("abc", _at_hash("at-1"))
    assert "exp" not in token.claims
    forged = provider.issue_id_token(claims={"iss": "https://elsewhere.example"})
    assert jwt.decode(forged, KeySet.import_key_set(provider.jwks)).claims["iss"] != provider.issuer
    with pytest.raises(UsageError):
        provider.issue_id_token("no-such-client")


# -- userinfo ---------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_userinfo(provider: DevProvider, clock: FakeClock, method: str) -> None:
    token = _code_flow(provider, scope="openid profile email", login_hint="alice-smith")
    reply = _userinfo(provider, token["access_token"], method)
    assert reply.status_code == 200, reply.text
    assert reply.headers["Content-Type"] == "application/json"
    claims = reply.json()
    assert claims["sub"] == _verify(provider, token["id_token"], clock).claims["sub"]  # §5.3.2
    assert claims == {
        "sub": "alice-smith",
        "name": "Alice Smith",
        "given_name": "Alice",
        "family_name": "Smith",
        "preferred_username": "alice-smith",
        "email": "alice-smith@example.com",
        "email_verified": True,
    }
    narrow = _code_flow(provider, scope="openid", login_hint="alice-smith")
    assert _userinfo(provider, narrow["access_token"]).json() == {"sub": "alice-smith"}


def test_userinfo_refusals(provider: DevProvider, clock: FakeClock) -> None:
    def refused(reply: requests.Response, status: int, error: str | None) -> None:
        assert reply.status_code == status, reply.text
        challenge = reply.headers["WWW-Authenticate"]
        assert challenge.startswith("Bearer ")
        assert (f'error="{error}"' in challenge) if error else ("error=" not in challenge)

    refused(_userinfo(provider, "not-a-token"), 401, "invalid_token")
    refused(requests.get(provider.userinfo_endpoint, timeout=10), 401, None)
    plain = _code_flow(provider, scope="read")
    refused(_userinfo(provider, plain["access_token"]), 403, "insufficient_scope")
    own = requests.post(
        provider.token_endpoint,
        data={"grant_type": "client_credentials", "scope": "openid"},
        auth=(provider.oauth2_client_id, provider.oauth2_client_secret),
        timeout=10,
    ).json()
    refused(_userinfo(provider, own["access_token"]), 401, "invalid_token")  # about nobody
    token = _code_flow(provider)
    clock.now += TTL
    refused(_userinfo(provider, token["access_token"]), 401, "invalid_token")
    assert requests.put(provider.userinfo_endpoint, timeout=10).status_code == 405


# -- RP-initiated logout ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_logout_redirects_and_ends_the_session(provider: DevProvider, method: str) -> None:
    user = next(_users)
    token = _code_flow(provider, login_hint=user)
    reply = _logout(
        provider,
        method,
        id_token_hint=token["id_token"],
        post_logout_redirect_uri=provider.callback_url,
        state="bye 1",
    )
    assert reply.status_code == 302, reply.text
    assert reply.headers["Location"] == provider.callback_url + "?state=bye+1"
    assert _userinfo(provider, token["access_token"]).status_code == 401
    refresh = _token(
        provider, "basic", grant_type="refresh_token", refresh_token=token["refresh_token"]
    )
    assert refresh.json()["error"] == "invalid_grant"
    silent = _authorize(
        provider, provider.oauth2_client_id, scope="openid", prompt="none", login_hint=user
    )
    assert silent["error"] == "login_required"


def test_logout_by_client_id_to_its_registered_uri(provider: DevProvider, clock: FakeClock) -> None:
    rp = provider.register_oauth2_client(post_logout_redirect_uris=["https://rp.example/bye"])
    reply = _logout(
        provider, client_id=rp.client_id, post_logout_redirect_uri="https://rp.example/bye"
    )
    assert reply.headers["Location"] == "https://rp.example/bye"
    # an expired ID token is still a good hint (RP-Initiated Logout 1.0 §2)
    hint = provider.issue_id_token(rp.client_id, user=next(_users))
    clock.now += 10 * TTL
    reply = _logout(provider, id_token_hint=hint)
    assert reply.status_code == 200
    assert (
        reply.json()["signed_out"]
        == jwt.decode(hint, KeySet.import_key_set(provider.jwks)).claims["sub"]
    )


def test_logout_refusals(provider: DevProvider) -> None:
    user = next(_users)
    token = _code_flow(provider, login_hint=user)
    hint = token["id_token"]
    head, body, signature = hint.split(".")
    stranger = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
    claims = jwt.decode(hint, KeySet.import_key_set(provider.jwks)).claims
    foreign = jwt.encode({"alg": "RS256", "kid": provider.signing_kid}, claims, stranger)
    other_issuer = provider.issue_id_token(user=user, claims={"iss": "https://other.example"})
    for bad in (
        f"{head}.{body}.{signature[:-4]}AAAA",
        foreign,
        other_issuer,
        "garbage",
        hint + ".",
    ):
        reply = _logout(provider, id_token_hint=bad, post_logout_redirect_uri=provider.callback_url)
        assert reply.status_code == 400, bad
        assert "Location" not in reply.headers
        assert reply.json()["error"] == "invalid_request"
        assert "id_token_hint" in reply.json()["error_description"]
    cases = [
        (
            {"id_token_hint": hint, "post_logout_redirect_uri": "https://evil.example/"},
            "not registered",
        ),
        ({"post_logout_redirect_uri": provider.callback_url}, "needs client_id"),
        ({"id_token_hint": hint, "client_id": provider.oauth2_post_client_id}, "audience"),
        ({"id_token_hint": hint, "logout_hint": "someone-else"}, "another user"),
        (
            {"client_id": "no-such-client", "post_logout_redirect_uri": provider.callback_url},
            "no client",
        ),
    ]
    for params, reason in cases:
        reply = _logout(provider, **params)
        assert (reply.status_code, reply.json()["error"]) == (400, "invalid_request"), params
        assert reason in reply.json()["error_description"]
        assert "Location" not in reply.headers
    query = f"{provider.end_session_endpoint}?state=a&state=b"
    assert requests.get(query, timeout=10).status_code == 400
    # nothing was signed out by a refused request
    assert _userinfo(provider, token["access_token"]).status_code == 200


def test_hints_and_tokens_stay_out_of_the_log(
    provider: DevProvider, caplog: pytest.LogCaptureFixture
) -> None:
    token = _code_flow(provider, login_hint=next(_users))
    # The request line is logged after the response is sent, so the server's handler is
    # called here directly rather than raced.
    handler = _Handler.__new__(_Handler)
    handler.client_address = ("127.0.0.1", 50000)
    handler.server = SimpleNamespace(log=LOG)  # type: ignore[assignment]
    query = urlencode({"id_token_hint": token["id_token"], "access_token": token["access_token"]})
    with caplog.at_level(logging.DEBUG, logger="oauthkit.devserver"):
        handler.log_message('"%s" %s %s', f"GET /oidc/logout?{query} HTTP/1.1", "302", "0")
        handler.log_message("code %d, message %s", 400, f"Bad request syntax ('GET /?{query}')")
    [first, second] = [r.getMessage() for r in caplog.records]
    assert first == '127.0.0.1 - "GET /oidc/logout?... HTTP/1.1" 302 0'
    for secret in (token["id_token"], token["access_token"], "eyJ"):
        assert secret not in first + second


# -- rotation ---------------------------------------------------------------------------------


class _CachingVerifier:
    """What a relying party does: cache the JWK Set, refetch once on an unknown kid."""

    def __init__(self, jwks_uri: str) -> None:
        self.jwks_uri = jwks_uri
        self.keys = self._fetch()

    def _fetch(self) -> KeySet:
        return KeySet.import_key_set(requests.get(self.jwks_uri, timeout=10).json())

    def verify(self, token: str) -> dict[str, Any]:
        try:
            return jwt.decode(token, self.keys, algorithms=["RS256"]).claims
        except InvalidKeyIdError:
            self.keys = self._fetch()
            return jwt.decode(token, self.keys, algorithms=["RS256"]).claims


def test_key_rotation(provider: DevProvider) -> None:
    before = _code_flow(provider)["id_token"]
    old_kid = provider.signing_kid
    relying_party = _CachingVerifier(provider.jwks_uri)
    relying_party.verify(before)
    new_kid = provider.rotate_signing_key()
    assert new_kid == provider.signing_kid != old_kid
    assert [key["kid"] for key in provider.jwks["keys"]][:2] == [new_kid, old_kid]
    after = _code_flow(provider)["id_token"]
    assert jwt.decode(after, KeySet.import_key_set(provider.jwks)).header["kid"] == new_kid
    provider.reset_hits()
    relying_party.verify(after)
    relying_party.verify(after)
    relying_party.verify(before)
    assert provider.hits(provider.jwks_uri) == 1  # one refetch, for the one new kid
    # a hint signed by the retired key is still this provider's
    assert _logout(provider, id_token_hint=before).status_code == 200


# -- the plugin's fixture, and garbage ----------------------------------------------------------


def test_the_plugin_fixture_serves_openid(oauthkit_fresh_dev_provider: DevProvider) -> None:
    provider = oauthkit_fresh_dev_provider
    document = requests.get(provider.openid_configuration_url, timeout=10).json()
    assert document["issuer"] == provider.issuer
    assert requests.get(document["jwks_uri"], timeout=10).json() == provider.jwks


@pytest.fixture(scope="module")
def endpoints() -> OIDCEndpoints:
    store = OAuth2Store(lambda: 1_700_000_000.0)
    store.add_client(DevOAuth2Client("client-id-1", "secret", redirect_uris=("http://[::1]/",)))
    ttls = {"access_token_ttl": 60, "device_code_ttl": 60, "device_interval": 5}
    oauth2 = OAuth2Endpoints(store, lambda: "http://127.0.0.1:1", **ttls)
    return OIDCEndpoints(oauth2, store, lambda: "http://127.0.0.1:1")


_text = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=100, deadline=None)
@given(
    authorization=_text,
    query=_text,
    body=st.binary(max_size=80),
    method=st.sampled_from(["GET", "POST"]),
)
def test_garbage_gets_4xx_not_500(
    endpoints: OIDCEndpoints, authorization: str, query: str, body: bytes, method: str
) -> None:
    headers = {"Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded"}
    request = HttpRequest(method, "http://127.0.0.1:1/oidc/x?" + query, headers, body)
    for handler in (endpoints.userinfo, endpoints.logout):
        response = handler(request)
        assert 200 <= response.status_code < 500, response.body
