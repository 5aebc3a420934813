"""Issue #6's divergences between drivers, each run on requests, httpx and async httpx.

Before the restructure each of these behaved differently depending on the driver (or on the
builder). Now the decision is made once, in the core, and these tests hold every driver to it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
import requests

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit.devserver import DevProvider
from tests import _drivers as oauth1_drivers
from tests._drivers2 import DRIVERS, Clock, open_session
from tests._routes import Routes, answer_json, serve

DPOP_TOKEN = {"access_token": "bound-token", "token_type": "DPoP"}


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        yield routes


@pytest.mark.parametrize("driver", DRIVERS)
def test_client_credentials_renewal_runs_the_access_token_hooks(
    driver: str, origin: Routes
) -> None:
    issued = iter(range(10))
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": f"cc-{next(issued)}", "token_type": "Bearer", "expires_in": 60}
    )
    origin.handlers["/api"] = lambda hit: answer_json({"ok": True})
    fired: list[str] = []

    def on_request(url: str, headers: Any, body: Any) -> tuple[str, Any, Any]:
        fired.append("request")
        return url, headers, body

    def on_response(response: Any) -> Any:
        fired.append("response")
        return response

    clock = Clock()
    with open_session(driver, client_id="app", clock=clock) as s:
        s.s.register_compliance_hook("access_token_request", on_request)
        s.s.register_compliance_hook("access_token_response", on_response)
        s.fetch_token(
            origin.url("/token"), client_secret="s", grant=oauthkit.ClientCredentialsGrant()
        )
        assert fired == ["request", "response"]
        clock.advance(120)
        s.get(origin.url("/api"))  # the automatic renewal: a client-credentials token request
        assert s.token["access_token"] == "cc-1"
    assert fired == ["request", "response", "request", "response"]


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_dpop_bound_token_is_never_sent_as_bearer_by_a_session(
    driver: str, origin: Routes
) -> None:
    with (
        open_session(driver, client_id="app", token=DPOP_TOKEN) as s,
        pytest.raises(oauthkit.UsageError, match="DPoP"),
    ):
        s.get(origin.url("/api"))
    assert origin.hits == []


def test_a_dpop_bound_token_is_refused_by_every_bare_auth(origin: Routes) -> None:
    url = origin.url("/api")
    with requests.Session() as session:
        for auth in (okrequests.OAuth2(token=DPOP_TOKEN), okrequests.OAuth2Auth(token=DPOP_TOKEN)):
            with pytest.raises(oauthkit.UsageError, match="DPoP"):
                session.get(url, auth=auth)
    with httpx.Client() as client, pytest.raises(oauthkit.UsageError, match="DPoP"):
        client.get(url, auth=okhttpx.OAuth2Auth(token=DPOP_TOKEN))

    async def async_get() -> None:
        async with httpx.AsyncClient() as client:
            await client.get(url, auth=okhttpx.OAuth2Auth(token=DPOP_TOKEN))

    with pytest.raises(oauthkit.UsageError, match="DPoP"):
        anyio.run(async_get)
    assert origin.hits == []


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


@pytest.mark.parametrize("driver", oauth1_drivers.DRIVERS)
def test_oauth1_signs_a_form_whose_content_type_is_bytes(
    provider: DevProvider, driver: str
) -> None:
    token = provider.issue_access_token()
    with oauth1_drivers.open_session(
        driver,
        client_key=provider.client_key,
        client_secret=provider.client_secret,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
        signature_type="BODY",
    ) as s:
        reply = s.request(
            "POST",
            provider.resource_url,
            data="greeting=hello",
            headers={"Content-Type": b"application/x-www-form-urlencoded"},
        )
    # The provider (oauthlib's server side) verified a signature over the form's pairs.
    assert reply.status_code == 200, reply.text


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_scope_item_with_spaces_means_the_same_to_every_builder(
    driver: str, origin: Routes
) -> None:
    origin.handlers["/token"] = lambda hit: answer_json(
        {"access_token": "t", "token_type": "Bearer"}
    )
    origin.handlers["/device"] = lambda hit: answer_json(
        {"device_code": "d", "user_code": "U", "verification_uri": "https://as/d", "expires_in": 60}
    )
    scope = ["read write", "admin"]
    with open_session(driver, client_id="app", scope=scope) as s:
        url, _ = s.authorization_url("https://as.example/authorize")
        s.fetch_token(
            origin.url("/token"),
            client_secret="s",
            grant=oauthkit.ClientCredentialsGrant(scope=scope),
        )
        s.fetch_device_authorization(origin.url("/device"))
    assert httpx.URL(url).params["scope"] == "read write admin"
    assert origin.to("/token")[0].form["scope"] == "read write admin"
    assert origin.to("/device")[0].form["scope"] == "read write admin"
