"""``oauthkit.requests.OAuth2Auth``: a renewing auth for any ``requests.Session`` (issue #6).

It renews before use, once after ``401 invalid_token`` (sending the request again through the
same adapter), and fetches client-credentials tokens by itself; against a loopback server
scripted per test, then against oidc-provider.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests

import oauthkit
from oauthkit.requests import OAuth2Auth
from tests._drivers2 import Clock
from tests._routes import Answer, Hit, Routes, answer_json, serve
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

REJECTED = {"WWW-Authenticate": 'Bearer error="invalid_token"'}


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        yield routes


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        s.trust_env = False
        yield s


def _issuer(prefix: str = "new") -> Any:
    issued = iter(range(100))

    def token(hit: Hit) -> Answer:
        n = next(issued)
        return answer_json(
            {"access_token": f"{prefix}-{n}", "refresh_token": f"r-{n}", "expires_in": 3600}
        )

    return token


def _api(valid: set[str]) -> Any:
    def api(hit: Hit) -> Answer:
        presented = hit.headers.get("authorization", "").removeprefix("Bearer ")
        if presented in valid:
            return answer_json({"ok": True, "body": hit.body.decode()})
        return 401, {**REJECTED, "Content-Length": "0"}, b""

    return api


def _manager(origin: Routes, clock: Clock, **kw: Any) -> oauthkit.TokenManager:
    kw.setdefault("token", {"access_token": "old", "refresh_token": "r-old", "expires_in": -10})
    return oauthkit.TokenManager(
        "app", "s3cret", token_endpoint=origin.url("/token"), clock=clock, **kw
    )


def test_an_expired_token_is_renewed_before_the_request(
    origin: Routes, session: requests.Session
) -> None:
    origin.handlers["/token"] = _issuer()
    origin.handlers["/api"] = _api({"new-0"})
    updates: list[dict[str, Any]] = []
    auth = OAuth2Auth(_manager(origin, Clock()), token_updater=updates.append, session=session)
    response = session.get(origin.url("/api"), auth=auth)
    assert response.status_code == 200
    assert [hit.form["grant_type"] for hit in origin.to("/token")] == ["refresh_token"]
    assert origin.to("/token")[0].form["refresh_token"] == "r-old"
    assert [u["access_token"] for u in updates] == ["new-0"]


def test_a_rejected_token_is_renewed_once_and_the_request_sent_again(
    origin: Routes, session: requests.Session
) -> None:
    origin.handlers["/token"] = _issuer()
    origin.handlers["/api"] = _api({"new-0"})
    fresh = {"access_token": "revoked", "refresh_token": "r-old", "expires_in": 3600}
    auth = OAuth2Auth(_manager(origin, Clock(), token=fresh), session=session)
    response = session.post(origin.url("/api"), data={"note": "sent twice"}, auth=auth)
    assert response.status_code == 200
    assert response.json()["body"] == "note=sent+twice"  # the body went again too
    assert [r.status_code for r in response.history] == [401]
    assert len(origin.to("/token")) == 1
    assert [h.headers["authorization"] for h in origin.to("/api")] == [
        "Bearer revoked",
        "Bearer new-0",
    ]


def test_a_second_rejection_is_the_callers(origin: Routes, session: requests.Session) -> None:
    origin.handlers["/token"] = _issuer()
    origin.handlers["/api"] = _api(set())  # rejects every token
    fresh = {"access_token": "revoked", "refresh_token": "r-old", "expires_in": 3600}
    auth = OAuth2Auth(_manager(origin, Clock(), token=fresh), session=session)
    response = session.get(origin.url("/api"), auth=auth)
    assert response.status_code == 401
    assert len(origin.to("/token")) == 1
    assert len(origin.to("/api")) == 2


def test_client_credentials_are_fetched_and_renewed_by_the_auth(
    origin: Routes, session: requests.Session
) -> None:
    origin.handlers["/token"] = _issuer("cc")
    origin.handlers["/api"] = _api({"cc-0", "cc-1"})
    clock = Clock()
    manager = _manager(origin, clock, token=None, renew="client_credentials")
    auth = OAuth2Auth(manager, session=session)
    assert session.get(origin.url("/api"), auth=auth).status_code == 200
    clock.advance(7200)
    assert session.get(origin.url("/api"), auth=auth).status_code == 200
    assert [hit.form["grant_type"] for hit in origin.to("/token")] == ["client_credentials"] * 2


def test_sixteen_threads_one_renewal(origin: Routes, session: requests.Session) -> None:
    origin.handlers["/token"] = _issuer()
    origin.handlers["/api"] = _api({"new-0"})
    auth = OAuth2Auth(_manager(origin, Clock()), session=session)
    barrier = threading.Barrier(16)
    statuses: list[int] = []

    def call() -> None:
        with requests.Session() as own:  # the caller's sessions; the auth is shared
            own.trust_env = False
            barrier.wait()
            statuses.append(own.get(origin.url("/api"), auth=auth).status_code)

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert statuses == [200] * 16
    assert len(origin.to("/token")) == 1


def test_the_auth_timeout_bounds_a_renewal(origin: Routes, session: requests.Session) -> None:
    release = threading.Event()

    def stall(hit: Hit) -> Answer:
        release.wait(10)
        return answer_json({"access_token": "late"})

    origin.handlers["/token"] = stall
    auth = OAuth2Auth(_manager(origin, Clock()), session=session, timeout=0.3)
    try:
        with pytest.raises(requests.exceptions.ReadTimeout):
            session.get(origin.url("/api"), auth=auth)
    finally:
        release.set()
    assert auth.manager.token is not None
    assert auth.manager.token.access_token == "old"


def test_no_token_goes_to_another_origin_on_a_redirect(session: requests.Session) -> None:
    with serve() as origin, serve() as other:
        origin.handlers["/api"] = lambda hit: (307, {"Location": other.url("/landing")}, b"")
        other.handlers["/landing"] = lambda hit: answer_json({"landed": True})
        fresh = {"access_token": "valid-token", "expires_in": 3600}
        manager = oauthkit.TokenManager("app", token=fresh, placement="body")
        response = session.post(
            origin.url("/api"), data={"k": "v"}, auth=OAuth2Auth(manager, session=session)
        )
        assert response.status_code == 200
        assert "valid-token" in origin.to("/api")[0].everything()
        assert "valid-token" not in other.to("/landing")[0].everything()


@pytest.mark.peer
def test_against_oidc_provider_client_credentials(
    oidc_peer: OidcProviderPeer, session: requests.Session
) -> None:
    clock = Clock()
    manager = oauthkit.TokenManager(
        "basic-client",
        client_secret("basic-client"),
        token_endpoint=oidc_peer.discovery["token_endpoint"],
        renew="client_credentials",
        clock=clock,
    )
    auth = OAuth2Auth(manager, session=session)
    echo = oidc_peer.url("/cb")  # the peer has no resource server for client tokens
    first = session.get(echo, auth=auth)
    assert first.status_code == 200
    token = manager.token
    assert token is not None
    assert first.request.headers["Authorization"] == f"Bearer {token.access_token}"
    clock.advance(token.lifetime or 3600)
    session.get(echo, auth=auth)
    assert manager.token is not None
    assert manager.token.access_token != token.access_token
