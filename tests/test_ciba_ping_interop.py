"""CIBA ping mode (OpenID CIBA Core §10.2) against the oidc-provider peer, through every driver.

A client registered dynamically with ``backchannel_token_delivery_mode: "ping"`` and a loopback
``backchannel_client_notification_endpoint`` (a :class:`oauthkit.CibaPingReceiver`) sends a
``client_notification_token``; the peer decides after 50 ms and POSTs the ping with it as a
bearer token (its outgoing-request guard lets loopback through, as for back-channel logout);
the client then makes one token request. A denied request pings too, and the token request
yields ``access_denied``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

import oauthkit
from tests._drivers2 import DRIVERS, Driver, introspect, oauthkit_class, open_session
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

CIBA = "urn:openid:params:grant-type:ciba"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def peer() -> Iterator[OidcProviderPeer]:
    with OidcProviderPeer(env={"CIBA_APPROVE_DELAY_MS": 50}) as started:
        yield started


@pytest.fixture
def receiver() -> Iterator[oauthkit.CibaPingReceiver]:
    with oauthkit.CibaPingReceiver() as started:
        yield started


def _call(s: Driver, name: str, *args: Any, **kw: Any) -> Any:
    return s._call(getattr(s.s, name), *args, **kw)


def _no_sleep(s: Driver, slept: list[float]) -> Callable[[float], Any]:
    """Records every wait between polls; after a ping there must be none."""
    if s.name == "httpx-async":

        async def wait(seconds: float) -> None:
            slept.append(seconds)

        return wait
    return slept.append


def _ping_client(
    peer: OidcProviderPeer, driver: str, receiver: oauthkit.CibaPingReceiver
) -> oauthkit.ClientRegistration:
    metadata = {
        "client_name": "ciba-ping-by-oauthkit",
        "grant_types": [CIBA],
        "response_types": [],
        "redirect_uris": [],
        "token_endpoint_auth_method": "client_secret_basic",
        "backchannel_token_delivery_mode": "ping",
        "backchannel_client_notification_endpoint": receiver.url,
    }
    with open_session(driver, client_id="registrar", issuer=peer.issuer) as s:
        registered: oauthkit.ClientRegistration = _call(s, "register_client", metadata)
    assert registered.metadata["backchannel_token_delivery_mode"] == "ping"
    return registered


def _session(peer: OidcProviderPeer, driver: str, registered: oauthkit.ClientRegistration) -> Any:
    assert registered.client_secret is not None
    return open_session(
        driver,
        client_id=registered.client_id,
        client_auth=oauthkit.ClientSecretBasic(registered.client_id, registered.client_secret),
        issuer=peer.issuer,
        scope=["openid"],
    )


def test_ciba_ping_approved(
    peer: OidcProviderPeer, driver: str, receiver: oauthkit.CibaPingReceiver
) -> None:
    registered = _ping_client(peer, driver, receiver)
    token_endpoint = peer.discovery["token_endpoint"]
    with _session(peer, driver, registered) as s:
        notification_token = receiver.new_token()
        request = _call(
            s,
            "backchannel_authenticate",
            login_hint="ping-user",
            client_notification_token=notification_token,
        )
        assert request.client_notification_token == notification_token
        assert notification_token not in repr(request)
        [sent] = s.recording.to(peer.discovery["backchannel_authentication_endpoint"])
        assert sent.form["client_notification_token"] == notification_token

        assert receiver.wait(request, timeout=30) is True  # the peer's ping came, and checked
        slept: list[float] = []
        token = _call(s, "poll_backchannel_token", request, pinged=True, sleep=_no_sleep(s, slept))
        assert slept == []  # the token request was made at once
        [poll] = s.recording.to(token_endpoint)  # one token request, no polling
        assert poll.form == {"grant_type": CIBA, "auth_req_id": request.auth_req_id}
        assert s.id_token_claims is not None
        assert s.id_token_claims.subject == "ping-user"  # the ID token was validated
        assert introspect(peer, token["access_token"])["client_id"] == registered.client_id


def test_ciba_ping_denied_pings_and_the_token_request_is_refused(
    peer: OidcProviderPeer, driver: str, receiver: oauthkit.CibaPingReceiver
) -> None:
    registered = _ping_client(peer, driver, receiver)
    with _session(peer, driver, registered) as s:
        request = _call(
            s,
            "backchannel_authenticate",
            login_hint="deny",
            client_notification_token=receiver.new_token(),
        )
        assert receiver.wait(request, timeout=30) is True  # a refusal is pinged too (§10.2)
        slept: list[float] = []
        with pytest.raises(Exception) as info:
            _call(s, "poll_backchannel_token", request, pinged=True, sleep=_no_sleep(s, slept))
        assert oauthkit_class(info.value) is oauthkit.AccessDeniedError
        assert slept == []
        assert len(s.recording.to(peer.discovery["token_endpoint"])) == 1
        assert request.auth_req_id not in str(info.value)
        assert s.token == {}


def test_a_ping_mode_client_without_a_notification_token_is_refused(
    peer: OidcProviderPeer, driver: str, receiver: oauthkit.CibaPingReceiver
) -> None:
    registered = _ping_client(peer, driver, receiver)
    with _session(peer, driver, registered) as s, pytest.raises(Exception) as info:
        _call(s, "backchannel_authenticate", login_hint="ping-user")
    assert oauthkit_class(info.value) is oauthkit.InvalidRequestError
