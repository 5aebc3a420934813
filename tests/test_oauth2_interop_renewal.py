"""OAuth 2 interop against oidc-provider: renewal, the device flow and what renewals send.

Every test runs through requests, httpx sync and httpx async (:mod:`tests._drivers2`). Token
expiry is driven by the session's injected clock, never by waiting: the peer's own expiry does
not matter for a proactive renewal, and a rejected token is made by tampering with the access
token while keeping the (valid) refresh token.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from oauthlib.oauth2 import BackendApplicationClient

import oauthkit
from tests._drivers2 import (
    DRIVERS,
    Clock,
    Driver,
    approve_device,
    introspect,
    open_session,
    run_code_flow,
)
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer

SCOPE = ["openid", "offline_access"]
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CANARY = "canary-9f2e6b"  # marks the caller's request arguments; must never reach a token request


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _public(peer: OidcProviderPeer, **kw: Any) -> dict[str, Any]:
    """The seed's public-client session arguments, plus ``kw``."""
    return {
        "client_id": "public-client",
        "redirect_uri": peer.url("/cb"),
        "scope": SCOPE,
        "pkce": "S256",
        **kw,
    }


def _assert_userinfo(s: Driver, peer: OidcProviderPeer) -> None:
    userinfo = peer.discovery["userinfo_endpoint"]
    reply = s.get(userinfo)
    assert reply.status_code == 200, reply.text
    assert reply.json()["sub"] == "test-user"
    assert s.recording.to(userinfo)[-1].headers["authorization"] == f"Bearer {s.access_token}"


# ---------------------------------------------------------------------- 4. refresh with rotation


def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with open_session(driver, **_public(oidc_peer)) as s:
        first = run_code_flow(s, oidc_peer, include_client_id=True)
        second = s.refresh_token(token_endpoint)
        third = s.refresh_token(token_endpoint)
        tokens = [first, second, third]
        assert len({t["refresh_token"] for t in tokens}) == 3  # rotated every time
        assert len({t["access_token"] for t in tokens}) == 3
        assert s.token["refresh_token"] == third["refresh_token"]
        _assert_userinfo(s, oidc_peer)
        refreshes = s.recording.to(token_endpoint)[1:]
        assert [r.form["refresh_token"] for r in refreshes] == [
            first["refresh_token"],
            second["refresh_token"],
        ]
        assert all(r.form["client_id"] == "public-client" for r in refreshes)

        with pytest.raises(oauthkit.InvalidGrantError) as caught:
            s.refresh_token(token_endpoint, refresh_token=first["refresh_token"])
        assert caught.value.error == "invalid_grant"
        assert caught.value.status_code == 400
        assert first["refresh_token"] not in str(caught.value)
        assert s.token["access_token"] == third["access_token"]  # a refusal replaces nothing


# ---------------------------------------------------------------------- 5. device flow


def test_device_flow_approved_while_polling(oidc_peer: OidcProviderPeer, driver: str) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with open_session(driver, client_id="public-client", scope=SCOPE) as s:
        authorization = s.fetch_device_authorization(
            oidc_peer.discovery["device_authorization_endpoint"]
        )
        assert authorization.verification_uri == oidc_peer.url("/device")
        naps: list[float] = []

        def sleep(seconds: float) -> None:
            # no real waiting: the user approves on the second screen during the second nap
            naps.append(seconds)
            if len(naps) == 2:
                approve_device(oidc_peer, authorization.user_code)

        token = s.poll_device_token(authorization, token_endpoint, sleep=sleep)
        assert naps == [5, 5]  # the peer sends no interval: RFC 8628 §3.2 default
        polls = s.recording.to(token_endpoint)
        assert len(polls) == 2  # authorization_pending, then the token
        for poll in polls:
            assert poll.form["grant_type"] == DEVICE_GRANT
            assert poll.form["client_id"] == "public-client"
            assert "authorization" not in poll.headers
        assert token["refresh_token"]
        _assert_userinfo(s, oidc_peer)


def test_device_flow_with_private_key_jwt(oidc_peer: OidcProviderPeer, driver: str) -> None:
    """A confidential device client: both device requests carry the ``client_auth=`` assertion."""
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    device_endpoint = oidc_peer.discovery["device_authorization_endpoint"]
    key = json.loads(oidc_peer.pkjwt_ec_key_path.read_text())
    auth = oauthkit.client_auth_for("private_key_jwt", "pkjwt-client", key=key)
    with open_session(driver, client_id="pkjwt-client", scope=SCOPE, client_auth=auth) as s:
        authorization = s.fetch_device_authorization(device_endpoint)
        approve_device(oidc_peer, authorization.user_code)
        s.poll_device_token(authorization, token_endpoint, sleep=lambda _: None)
        [start] = s.recording.to(device_endpoint)
        [poll] = s.recording.to(token_endpoint)
        for sent in (start, poll):
            assert sent.form["client_assertion_type"].endswith(":jwt-bearer")
            assert "authorization" not in sent.headers
        _assert_userinfo(s, oidc_peer)


# ---------------------------------------------------------------------- 6. automatic refresh


def test_expired_token_is_refreshed_before_use(oidc_peer: OidcProviderPeer, driver: str) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    clock = Clock()
    updates: list[dict[str, Any]] = []
    with open_session(
        driver,
        **_public(oidc_peer),
        auto_refresh_url=token_endpoint,
        token_updater=updates.append,
        clock=clock,
    ) as s:
        first = run_code_flow(s, oidc_peer, include_client_id=True)
        clock.advance(first["expires_in"] + 1)
        _assert_userinfo(s, oidc_peer)

        assert len(updates) == 1
        assert updates[0]["access_token"] == s.access_token != first["access_token"]
        assert updates[0]["refresh_token"] != first["refresh_token"]
        [_, refresh] = s.recording.to(token_endpoint)
        assert refresh.form["grant_type"] == "refresh_token"
        assert refresh.form["refresh_token"] == first["refresh_token"]

        _assert_userinfo(s, oidc_peer)  # the new token is fresh: no second refresh
        assert len(updates) == 1
        assert len(s.recording.to(token_endpoint)) == 2


def test_peer_rejects_an_unknown_bearer_token_with_invalid_token(
    oidc_peer: OidcProviderPeer,
) -> None:
    """What the 401 test relies on: RFC 6750 §3.1 ``error="invalid_token"`` from the peer."""
    with httpx.Client(trust_env=False) as http:
        response = http.get(
            oidc_peer.discovery["userinfo_endpoint"],
            headers={"Authorization": "Bearer not-a-token-the-peer-issued"},
        )
    assert response.status_code == 401
    challenge = oauthkit.bearer_error(response.headers["www-authenticate"])
    assert challenge is not None
    assert challenge.error == "invalid_token"
    wrapped = oauthkit.HttpResponse(response.status_code, response.headers, b"")
    assert oauthkit.is_token_rejected(wrapped)


def test_rejected_token_is_refreshed_once_and_the_call_retried(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    userinfo = oidc_peer.discovery["userinfo_endpoint"]
    updates: list[dict[str, Any]] = []
    with open_session(
        driver,
        **_public(oidc_peer),
        auto_refresh_url=token_endpoint,
        token_updater=updates.append,
    ) as s:
        first = run_code_flow(s, oidc_peer, include_client_id=True)
        tampered = "tampered-" + first["access_token"]
        s.token = {**s.token, "access_token": tampered}  # the refresh token stays valid

        reply = s.get(userinfo)
        assert reply.status_code == 200, reply.text
        assert reply.json()["sub"] == "test-user"

        rejected, retried = s.recording.to(userinfo)
        assert rejected.headers["authorization"] == f"Bearer {tampered}"
        assert retried.headers["authorization"] == f"Bearer {s.access_token}"
        assert len(updates) == 1
        assert updates[0]["access_token"] == s.access_token
        [_, refresh] = s.recording.to(token_endpoint)
        assert refresh.form["refresh_token"] == first["refresh_token"]


# ---------------------------------------------------------------------- 7. client credentials


def test_client_credentials_session_renews_itself(oidc_peer: OidcProviderPeer, driver: str) -> None:
    """No refresh token, no auto_refresh_url: an expired grant is fetched again, same place."""
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    echo = oidc_peer.url("/cb")  # the peer has no resource server for client tokens
    clock = Clock()
    updates: list[dict[str, Any]] = []
    with open_session(
        driver,
        client=BackendApplicationClient(client_id="basic-client"),
        token_updater=updates.append,
        clock=clock,
    ) as s:
        first = s.fetch_token(token_endpoint, client_secret=client_secret("basic-client"))
        clock.advance(first["expires_in"] + 1)

        reply = s.get(echo, params={"probe": "1"})
        assert reply.status_code == 200, reply.text
        assert len(updates) == 1
        assert s.access_token != first["access_token"]
        fetch, renewal = s.recording.to(token_endpoint)
        assert renewal.form["grant_type"] == "client_credentials"
        assert renewal.headers["authorization"] == fetch.headers["authorization"]
        assert s.recording.to(echo)[-1].headers["authorization"] == f"Bearer {s.access_token}"
        renewed = s.access_token
    assert renewed is not None
    info = introspect(oidc_peer, renewed)
    assert info["active"] is True
    assert info["client_id"] == "basic-client"


# ---------------------------------------------------------------------- 10. no leaks into renewals


# (method, arguments, the peer's answer): its userinfo endpoint takes form bodies only, so the
# JSON call ends in 400 invalid_request, after the renewed token was accepted.
CALLS = {
    "get-params-headers": (
        "GET",
        {"params": {"leak": CANARY}, "headers": {"X-Leak": CANARY}},
        200,
    ),
    "post-json": ("POST", {"json": {"leak": CANARY}, "headers": {"X-Leak": CANARY}}, 400),
    "post-data": ("POST", {"data": {"leak": CANARY}, "headers": {"X-Leak": CANARY}}, 200),
}


@pytest.mark.parametrize("call", list(CALLS))
def test_request_arguments_never_reach_the_token_endpoint(
    oidc_peer: OidcProviderPeer, driver: str, call: str
) -> None:
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    userinfo = oidc_peer.discovery["userinfo_endpoint"]
    clock = Clock()
    with open_session(
        driver, **_public(oidc_peer), auto_refresh_url=token_endpoint, clock=clock
    ) as s:
        first = run_code_flow(s, oidc_peer, include_client_id=True)
        clock.advance(first["expires_in"] + 1)
        method, kwargs, status = CALLS[call]
        reply = s.request(method, userinfo, **kwargs)
        assert reply.status_code == status, reply.text

        exchange, refresh = s.recording.to(token_endpoint)
        assert refresh.form["grant_type"] == "refresh_token"
        assert set(refresh.form) == {"grant_type", "refresh_token", "client_id"}
        for sent in (exchange, refresh):
            assert CANARY not in sent.everything()
            assert "x-leak" not in sent.headers
        [protected] = s.recording.to(userinfo)
        assert CANARY in protected.everything()  # the caller's arguments went where they belong
        assert protected.headers["authorization"] == f"Bearer {s.access_token}"


# ---------------------------------------------------------------------- issue #7: short tokens


def test_tokens_shorter_lived_than_the_leeway_are_renewed_once_by_16_callers(
    oidc_peer_factory: Callable[..., OidcProviderPeer], driver: str
) -> None:
    """oidc-provider issuing 5-second tokens, a 10-second leeway, 16 threads at an expiry."""
    import threading

    peer = oidc_peer_factory(ACCESS_TOKEN_TTL=5)
    token_endpoint = peer.discovery["token_endpoint"]
    clock = Clock()
    updates: list[dict[str, Any]] = []
    with open_session(
        driver,
        **_public(peer),
        auto_refresh_url=token_endpoint,
        token_updater=updates.append,
        clock=clock,
        leeway=10,
    ) as s:
        first = run_code_flow(s, peer, include_client_id=True)
        assert first["expires_in"] == 5
        clock.advance(6)
        barrier = threading.Barrier(16)
        statuses: list[int] = []

        def call() -> None:
            barrier.wait()
            statuses.append(s.get(peer.discovery["userinfo_endpoint"]).status_code)

        threads = [threading.Thread(target=call) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert statuses == [200] * 16
        # And callers that come later use it too: the leeway shrank to fit its lifetime.
        assert s.get(peer.discovery["userinfo_endpoint"]).status_code == 200
        refreshes = s.recording.to(token_endpoint)[1:]
        assert len(refreshes) == 1  # one refresh for 16 callers; the 5-second token was used
        assert len(updates) == 1
