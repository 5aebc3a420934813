"""Drop-in proof: the same requests-oauthlib code runs on requests_oauthlib and oauthkit.requests.

Each scenario is one function written against requests-oauthlib's API and handed the module
to use. It runs first on requests-oauthlib (showing the code is genuine requests-oauthlib
code), then on oauthkit.requests, against the dev provider (oauthlib's server side). Both must
reach the same outcome.
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests_oauthlib

import oauthkit.requests
from oauthkit.devserver import DevProvider

MODULES = [requests_oauthlib, oauthkit.requests]


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


@pytest.fixture(params=MODULES, ids=lambda m: m.__name__)
def lib(request: pytest.FixtureRequest) -> types.ModuleType:
    module: types.ModuleType = request.param
    return module


def approve(url: str) -> str:
    """The resource owner: the dev provider approves at once and redirects to the callback."""
    response = requests.get(url, allow_redirects=False, timeout=10)
    assert response.status_code == 302
    return response.headers["Location"]


def oauth1_three_legged(lib: Any, p: DevProvider) -> dict[str, Any]:
    oauth = lib.OAuth1Session(
        client_key=p.client_key, client_secret=p.client_secret, callback_uri=p.callback_url
    )
    oauth.fetch_request_token(p.request_token_url)
    authorization_url = oauth.authorization_url(p.authorize_url)
    oauth.parse_authorization_response(approve(authorization_url))
    tokens = oauth.fetch_access_token(p.access_token_url)
    protected = lib.OAuth1Session(
        client_key=p.client_key,
        client_secret=p.client_secret,
        resource_owner_key=tokens["oauth_token"],
        resource_owner_secret=tokens["oauth_token_secret"],
    )
    get = protected.get(p.resource_url, params={"q": "a b"})
    post = protected.post(p.resource_url, data={"note": "x&y"})
    return {"get": get.status_code, "post": post.status_code, "keys": sorted(tokens)}


def oauth1_auth_object(lib: Any, p: DevProvider) -> dict[str, Any]:
    token = p.issue_access_token()
    auth = lib.OAuth1(
        p.client_key, p.client_secret, token["oauth_token"], token["oauth_token_secret"]
    )
    response = requests.get(p.resource_url, auth=auth, timeout=10)
    return {"status": response.status_code}


def oauth2_code(lib: Any, p: DevProvider) -> dict[str, Any]:
    oauth = lib.OAuth2Session(p.oauth2_client_id, redirect_uri=p.callback_url, scope=["profile"])
    authorization_url, state = oauth.authorization_url(p.authorization_endpoint)
    token = oauth.fetch_token(
        p.token_endpoint,
        authorization_response=approve(authorization_url),
        client_secret=p.oauth2_client_secret,
    )
    status = oauth.get(p.oauth2_resource_url).status_code
    refreshed = oauth.refresh_token(
        p.token_endpoint, auth=(p.oauth2_client_id, p.oauth2_client_secret)
    )
    return {
        "status": status,
        "state_len": len(state) > 10,
        "token_keys": {"access_token", "token_type", "expires_in", "expires_at"} <= set(token),
        "rotated": refreshed["refresh_token"] != token["refresh_token"],
        "authorized": oauth.authorized,
    }


def oauth2_client_credentials(lib: Any, p: DevProvider) -> dict[str, Any]:
    from oauthlib.oauth2 import BackendApplicationClient

    client = BackendApplicationClient(client_id=p.oauth2_client_id)
    oauth = lib.OAuth2Session(client=client)
    token = oauth.fetch_token(
        token_url=p.token_endpoint,
        client_id=p.oauth2_client_id,
        client_secret=p.oauth2_client_secret,
    )
    return {"status": oauth.get(p.oauth2_resource_url).status_code, "type": token["token_type"]}


def oauth2_password(lib: Any, p: DevProvider) -> dict[str, Any]:
    from oauthlib.oauth2 import LegacyApplicationClient

    oauth = lib.OAuth2Session(client=LegacyApplicationClient(client_id=p.oauth2_client_id))
    oauth.fetch_token(
        token_url=p.token_endpoint,
        username=p.oauth2_username,
        password=p.oauth2_password,
        client_id=p.oauth2_client_id,
        client_secret=p.oauth2_client_secret,
    )
    return {"status": oauth.get(p.oauth2_resource_url).status_code}


def oauth2_auto_refresh(lib: Any, p: DevProvider) -> dict[str, Any]:
    # requests-oauthlib posts auto_refresh_kwargs in the body: a client_secret_post client
    token = p.issue_oauth2_token(p.oauth2_post_client_id)
    token["expires_in"] = -30  # known expired, as a stored token would be
    token.pop("expires_at", None)
    saved: list[dict[str, Any]] = []
    oauth = lib.OAuth2Session(
        p.oauth2_post_client_id,
        token=token,
        auto_refresh_url=p.token_endpoint,
        auto_refresh_kwargs={
            "client_id": p.oauth2_post_client_id,
            "client_secret": p.oauth2_post_client_secret,
        },
        token_updater=saved.append,
    )
    status = oauth.get(p.oauth2_resource_url).status_code
    return {"status": status, "saved": len(saved)}


SCENARIOS = [
    oauth1_three_legged,
    oauth1_auth_object,
    oauth2_code,
    oauth2_client_credentials,
    oauth2_password,
    oauth2_auto_refresh,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda f: f.__name__)
def test_same_code_same_outcome(
    provider: DevProvider, scenario: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every scenario reaches the same outcome on both libraries.

    requests-oauthlib needs the process-wide OAUTHLIB_INSECURE_TRANSPORT to talk to a loopback
    provider; oauthkit runs the same code without it.
    """
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    anchor = scenario(requests_oauthlib, provider)
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT")
    ours = scenario(oauthkit.requests, provider)
    assert ours == anchor
    assert 200 in anchor.values() or anchor.get("status") == 200


def test_lib_fixture_covers_both(lib: types.ModuleType) -> None:
    assert hasattr(lib, "OAuth1Session")
    assert hasattr(lib, "OAuth2Session")
