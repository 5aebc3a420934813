"""One contract suite for the three OAuth 1.0a drivers, run against the dev provider.

The dev provider verifies with oauthlib's server-side endpoints, an implementation independent
of oauthkit's signer. Every test runs through requests, httpx sync and httpx async.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

import oauthkit
from oauthkit.devserver import DevProvider
from tests._drivers import DRIVERS, Session, follow_authorize, open_session
from tests._recorder import recorder

SIGNATURE_METHODS = [
    "HMAC-SHA1",
    "HMAC-SHA256",
    "HMAC-SHA512",
    "PLAINTEXT",
    "RSA-SHA1",
    "RSA-SHA256",
    "RSA-SHA512",
]
PLACEMENTS = ["AUTH_HEADER", "QUERY", "BODY"]


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def credentials(provider: DevProvider, method: str) -> dict[str, object]:
    if method.startswith("RSA-"):
        token = provider.issue_access_token(provider.rsa_client_key)
        return {
            "client_key": provider.rsa_client_key,
            "rsa_key": provider.rsa_private_key_pem,
            "resource_owner_key": token["oauth_token"],
            "resource_owner_secret": token["oauth_token_secret"],
        }
    token = provider.issue_access_token()
    return {
        "client_key": provider.client_key,
        "client_secret": provider.client_secret,
        "resource_owner_key": token["oauth_token"],
        "resource_owner_secret": token["oauth_token_secret"],
    }


def test_three_legged_flow(provider: DevProvider, driver: str) -> None:
    with open_session(
        driver,
        client_key=provider.client_key,
        client_secret=provider.client_secret,
        callback_uri="http://127.0.0.1:9/callback",
    ) as s:
        request_token = s.fetch_request_token(provider.request_token_url)
        assert request_token["oauth_callback_confirmed"] == "true"
        assert not s.authorized

        auth_url = s.authorization_url(provider.authorize_url)
        assert (
            dict(parse_qsl(urlsplit(auth_url).query))["oauth_token"]
            == (request_token["oauth_token"])
        )
        callback = follow_authorize(auth_url)
        assert callback.startswith("http://127.0.0.1:9/callback?")

        params = s.parse_authorization_response(callback)
        assert params["oauth_verifier"]
        access = s.fetch_access_token(provider.access_token_url)
        assert access["oauth_token"] != request_token["oauth_token"]
        assert s.authorized
        assert s.token["oauth_token"] == access["oauth_token"]

        reply = s.request("GET", provider.resource_url, params={"a": "1"})
        assert reply.status_code == 200, reply.text
        assert reply.json()["client_key"] == provider.client_key


def test_forged_callback_is_refused(provider: DevProvider, driver: str) -> None:
    with open_session(
        driver,
        client_key=provider.client_key,
        client_secret=provider.client_secret,
        callback_uri="oob",
    ) as s:
        s.fetch_request_token(provider.request_token_url)
        with pytest.raises(oauthkit.StateMismatchError):
            s.parse_authorization_response(
                "http://127.0.0.1:9/callback?oauth_token=forged&oauth_verifier=x"
            )


def test_access_token_without_verifier(provider: DevProvider, driver: str) -> None:
    # The provider requires oauth_callback; like requests-oauthlib, sessions send one only
    # when it is given.
    with open_session(
        driver,
        client_key=provider.client_key,
        client_secret=provider.client_secret,
        callback_uri="oob",
    ) as s:
        s.fetch_request_token(provider.request_token_url)
        with pytest.raises(oauthkit.MissingVerifierError):
            s.fetch_access_token(provider.access_token_url)


def test_refused_token_request_is_typed(provider: DevProvider, driver: str) -> None:
    with (
        open_session(driver, client_key=provider.client_key, client_secret="wrong-secret") as s,
        pytest.raises(oauthkit.TokenRequestDenied) as info,
    ):
        s.fetch_request_token(provider.request_token_url)
    assert info.value.status_code in (400, 401)
    assert info.value.response is not None
    assert "wrong-secret" not in str(info.value)


@pytest.mark.parametrize("method", SIGNATURE_METHODS)
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_every_method_and_placement_verifies(
    provider: DevProvider, driver: str, method: str, placement: str
) -> None:
    with open_session(
        driver, signature_method=method, signature_type=placement, **credentials(provider, method)
    ) as s:
        form = {"title": "a b&c", "empty": "", "snow": "\u2603"}
        reply = s.request("POST", provider.resource_url + "?x=1&x=2", data=form)
        assert reply.status_code == 200, reply.text
        echo = reply.json()
        assert echo["method"] == "POST"
        if placement != "BODY":
            reply = s.request("GET", provider.resource_url, params={"q": "%/+ ~"})
            assert reply.status_code == 200, reply.text


def test_body_placement_refuses_get(provider: DevProvider, driver: str) -> None:
    with (
        open_session(driver, signature_type="BODY", **credentials(provider, "HMAC-SHA1")) as s,
        pytest.raises(oauthkit.UsageError, match="GET"),
    ):
        s.request("GET", provider.resource_url)


def test_wrong_secret_is_rejected_by_the_provider(provider: DevProvider, driver: str) -> None:
    creds = credentials(provider, "HMAC-SHA1")
    creds["resource_owner_secret"] = "not-the-secret"
    with open_session(driver, **creds) as s:
        assert s.request("GET", provider.resource_url).status_code == 401


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("placement", PLACEMENTS)
def test_cross_origin_redirect_leaks_nothing(
    provider: DevProvider, driver: str, status: int, placement: str
) -> None:
    with recorder() as origin, recorder() as elsewhere:
        target = f"{elsewhere.base_url}/landing"
        with open_session(
            driver, signature_type=placement, **credentials(provider, "HMAC-SHA1")
        ) as s:
            reply = s.request(
                "POST", f"{origin.base_url}/redirect/{status}?to={target}", data={"k": "v"}
            )
        assert reply.status_code == 200
        assert reply.history == 1
        first = origin.requests[0]
        assert "oauth_signature" in (
            first.headers.get("Authorization", "") + first.path + first.body.decode()
        )
        [landed] = elsewhere.requests
        sent = f"{landed.headers}{landed.path}{landed.body!r}"
        assert "oauth_" not in sent
        assert "Authorization" not in landed.headers


@pytest.mark.parametrize("status", [302, 307])
def test_same_origin_redirect_is_signed_again(
    provider: DevProvider, driver: str, status: int
) -> None:
    with open_session(driver, **credentials(provider, "HMAC-SHA1")) as s:
        url = f"{provider.base_url}/redirect?status={status}&to=/oauth1/resource"
        reply = s.request("POST", url, data={"k": "v"})
    assert reply.history == 1
    assert reply.status_code == 200, reply.text
    assert reply.json()["method"] == ("POST" if status == 307 else "GET")


@pytest.mark.parametrize("status", [302, 303])
def test_body_signed_post_follows_post_redirect_get_unsigned(
    provider: DevProvider, driver: str, status: int
) -> None:
    # Issue #7: the server already processed the POST; the GET it redirects to cannot carry a
    # body signature, so it is followed without one instead of raising after the fact.
    with recorder() as origin:
        target = f"{origin.base_url}/landing"
        with open_session(driver, signature_type="BODY", **credentials(provider, "HMAC-SHA1")) as s:
            reply = s.request(
                "POST", f"{origin.base_url}/redirect/{status}?to={target}", data={"k": "v"}
            )
        assert reply.status_code == 200
        first, landed = origin.requests
        assert first.method == "POST"
        assert "oauth_signature=" in first.body.decode()
        assert landed.method == "GET"
        assert landed.path == "/landing"
        assert "oauth_" not in f"{landed.headers}{landed.path}{landed.body!r}"


@pytest.mark.parametrize(("decoding", "kind"), [({}, bytes), ({"decoding": None}, str)])
def test_header_values_are_typed_as_requests_oauthlibs_and_verify(
    provider: DevProvider, decoding: dict[str, None], kind: type
) -> None:
    """As with requests-oauthlib: bytes with the default ``decoding="utf-8"``, str with
    ``decoding=None``; the provider verifies both."""
    import requests

    from oauthkit.requests import OAuth1

    auth = OAuth1(**credentials(provider, "HMAC-SHA1"), **decoding)
    prepared = requests.Request("GET", provider.resource_url, auth=auth).prepare()
    assert isinstance(prepared.headers["Authorization"], kind)
    with requests.Session() as plain:
        reply = plain.post(provider.resource_url, data={"snow": "\u2603"}, auth=auth)
    assert reply.status_code == 200, reply.text
    for name in ("Authorization", "Content-Type", "User-Agent"):
        assert isinstance(reply.request.headers[name], kind)


def test_seed_example_against_requests_oauthlib_usage(provider: DevProvider) -> None:
    """The seed's OAuth1Session call, keyword for keyword, only the import changed."""
    from oauthkit.requests import OAuth1Session

    token = provider.issue_access_token()
    session = OAuth1Session(
        client_key=provider.client_key,
        client_secret=provider.client_secret,
        resource_owner_key=token["oauth_token"],
        resource_owner_secret=token["oauth_token_secret"],
    )
    assert session.authorized
    assert session.get(provider.resource_url).status_code == 200
    assert session.post(provider.resource_url, data={"a": "b"}).status_code == 200
    assert "secret" not in repr(session).lower() or provider.client_secret not in repr(session)
    assert token["oauth_token_secret"] not in repr(session)


_ = Session  # the adapters' shared protocol, imported for readers of this suite


@pytest.mark.parametrize("status", [302, 307])
def test_bare_auth_on_a_plain_requests_session_handles_redirects(
    provider: DevProvider, status: int
) -> None:
    """OAuth1 as ``auth=`` on an ordinary ``requests.Session`` gets the same redirect rules."""
    import requests

    from oauthkit.requests import OAuth1

    auth = OAuth1(**credentials(provider, "HMAC-SHA1"))
    with requests.Session() as plain:
        same = f"{provider.base_url}/redirect?status={status}&to=/oauth1/resource"
        reply = plain.post(same, data={"k": "v"}, auth=auth)
        assert reply.status_code == 200, reply.text
        assert len(reply.history) == 1
        with recorder() as origin, recorder() as elsewhere:
            target = f"{elsewhere.base_url}/landing"
            plain.post(
                f"{origin.base_url}/redirect/{status}?to={target}", data={"k": "v"}, auth=auth
            )
            [landed] = elsewhere.requests
            assert "Authorization" not in landed.headers
            assert b"oauth_" not in landed.body
