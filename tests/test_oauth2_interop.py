"""OAuth 2 interop against oidc-provider: grants and client authentication, through every driver.

oidc-provider (tests/peers) is the OpenID-certified Node.js authorization server; none of it was
written here. Each test runs through requests, httpx sync and httpx async with the
requests-oauthlib style API, and checks both what the peer answered and what left the client
(the adapters in :mod:`tests._drivers2` record it at the transport).

Renewal, device flow and leak tests live in ``test_oauth2_interop_renewal.py`` (its own peer).
"""

from __future__ import annotations

import base64
import functools
import json
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from oauthlib.oauth2 import BackendApplicationClient

import oauthkit
from tests._drivers2 import (
    DRIVERS,
    Driver,
    Recording,
    RecordingAdapter,
    Sent,
    headless_authorize,
    introspect,
    open_session,
    run_code_flow,
)
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

pytestmark = pytest.mark.peer

SCOPE = ["openid", "offline_access"]
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@pytest.fixture(params=DRIVERS)
def driver(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {**dict(parse_qsl(parts.query)), **changes}
    return urlunsplit(parts._replace(query=urlencode(query)))


def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode("ascii")


def _pkjwt_key(peer: OidcProviderPeer) -> dict[str, Any]:
    key: dict[str, Any] = json.loads(peer.pkjwt_ec_key_path.read_text())
    return key


def _assert_userinfo(s: Driver, peer: OidcProviderPeer) -> None:
    """A protected call with the session's token succeeds, carrying that token."""
    userinfo = peer.discovery["userinfo_endpoint"]
    reply = s.get(userinfo)
    assert reply.status_code == 200, reply.text
    assert reply.json()["sub"] == "test-user"
    assert s.recording.to(userinfo)[-1].headers["authorization"] == f"Bearer {s.access_token}"


# ---------------------------------------------------------------------- 1. public client + PKCE


def test_public_client_code_with_pkce(oidc_peer: OidcProviderPeer, driver: str) -> None:
    """The seed's OAuth2Session practice, unchanged but for the import, against a strict server."""
    discovery = oidc_peer.discovery
    with open_session(
        driver,
        client_id="public-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope=SCOPE,
        pkce="S256",
    ) as s:
        url, state = s.authorization_url(discovery["authorization_endpoint"])
        sent = _query(url)
        assert sent["client_id"] == "public-client"
        assert sent["code_challenge_method"] == "S256"
        assert sent["state"] == state

        callback = headless_authorize(oidc_peer, url)
        token = s.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, include_client_id=True
        )

        assert token["token_type"].lower() == "bearer"
        assert token["refresh_token"]
        assert token["id_token"]
        # oidc-provider grants offline_access only with prompt=consent (it issues a refresh
        # token anyway): the narrower grant is recorded on the token, not raised as oauthlib does
        assert token["scope"] == ["openid"]
        [exchange] = s.recording.to(discovery["token_endpoint"])
        # RFC 6749 §3.2.1: a public client names itself in the body and sends no Basic header
        assert "authorization" not in exchange.headers
        assert exchange.form["client_id"] == "public-client"
        assert exchange.form["grant_type"] == "authorization_code"
        assert exchange.form["code_verifier"] == s.s.code_verifier
        _assert_userinfo(s, oidc_peer)


def test_a_public_client_authenticates_as_requests_oauthlib_does(
    oidc_peer: OidcProviderPeer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same wire as requests-oauthlib, against the strict peer (issue #8).

    Without ``include_client_id`` both send ``Basic public-client:`` (an empty secret), which
    the peer reads as a failed client_secret_basic attempt; with ``include_client_id=True``,
    requests-oauthlib's documented way for public clients, both send ``client_id`` in the body
    and get a token.
    """
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error
    from requests_oauthlib import OAuth2Session as UpstreamSession

    from oauthkit.requests import OAuth2Session

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # oauthlib refuses loopback http
    # oauthlib raises when the peer grants less than offline_access; this lets it record it
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")
    discovery = oidc_peer.discovery
    seed_arguments: dict[str, Any] = {
        "client_id": "public-client",
        "redirect_uri": oidc_peer.url("/cb"),
        "scope": SCOPE,
        "pkce": "S256",
    }
    for session_class in (UpstreamSession, OAuth2Session):
        for include_client_id in (None, True):
            recording = Recording()
            session = session_class(**seed_arguments)
            session.trust_env = False
            session.mount("http://", RecordingAdapter(recording))
            with session:
                url, _ = session.authorization_url(discovery["authorization_endpoint"])
                callback = headless_authorize(oidc_peer, url)
                fetch = functools.partial(
                    session.fetch_token,
                    discovery["token_endpoint"],
                    authorization_response=callback,
                    include_client_id=include_client_id,
                )
                if include_client_id:
                    fetch()
                    response = session.get(discovery["userinfo_endpoint"])
                    assert response.status_code == 200, response.text
                else:
                    # oauthkit's error is also oauthlib's class, for code that catches that
                    with pytest.raises(OAuth2Error) as refused:
                        fetch()
                    assert refused.value.status_code == 400
                    assert "client_secret" in refused.value.description
            [exchange] = recording.to(discovery["token_endpoint"])
            if include_client_id:
                assert "authorization" not in exchange.headers
                assert exchange.form["client_id"] == "public-client"
            else:
                assert exchange.headers["authorization"] == _basic("public-client", "")
                assert "client_id" not in exchange.form


# ---------------------------------------------------------------------- 2. confidential clients
#
# client_secret_basic and client_secret_post are requests-oauthlib arguments of fetch_token.
# The JWT methods have none: the session takes ``client_auth=`` (any oauthkit.ClientAuth, e.g.
# ``client_auth_for("private_key_jwt", ...)``), used for every token request.


def _jwt_auth(method: str, peer: OidcProviderPeer) -> oauthkit.ClientAuth:
    if method == "client_secret_jwt":
        return oauthkit.client_auth_for(
            method, "secretjwt-client", client_secret("secretjwt-client")
        )
    return oauthkit.client_auth_for(method, "pkjwt-client", key=_pkjwt_key(peer))


# method -> (client_id, fetch_token arguments)
METHODS: dict[str, tuple[str, dict[str, Any]]] = {
    "client_secret_basic": ("basic-client", {"client_secret": client_secret("basic-client")}),
    "client_secret_post": (
        "post-client",
        {"include_client_id": True, "client_secret": client_secret("post-client")},
    ),
    "client_secret_jwt": ("secretjwt-client", {}),
    "private_key_jwt": ("pkjwt-client", {}),
}
JWT_METHODS = ["client_secret_jwt", "private_key_jwt"]


def _session_auth(method: str, peer: OidcProviderPeer) -> dict[str, Any]:
    """The session constructor arguments for ``method``: ``client_auth=`` for the JWT ones."""
    return {"client_auth": _jwt_auth(method, peer)} if method in JWT_METHODS else {}


def _assert_authenticated_by(method: str, client_id: str, sent: Sent) -> None:
    """The token request carried exactly the credentials of ``method``, nothing else."""
    form = sent.form
    secret = client_secret(client_id)
    if method == "client_secret_basic":
        assert sent.headers["authorization"] == _basic(client_id, secret)
        assert "client_secret" not in form
    else:
        assert "authorization" not in sent.headers
    if method == "client_secret_post":
        assert (form["client_id"], form["client_secret"]) == (client_id, secret)
    if method in JWT_METHODS:
        assert form["client_assertion_type"] == ASSERTION_TYPE
        assert form["client_assertion"].count(".") == 2
        assert "client_secret" not in form
        assert secret not in sent.body.decode()


@pytest.mark.parametrize("method", list(METHODS))
def test_confidential_code_then_refresh(
    oidc_peer: OidcProviderPeer, driver: str, method: str
) -> None:
    client_id, fetch_kwargs = METHODS[method]
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with open_session(
        driver,
        client_id=client_id,
        redirect_uri=oidc_peer.url("/cb"),
        scope=SCOPE,
        **_session_auth(method, oidc_peer),
    ) as s:
        token = run_code_flow(s, oidc_peer, **fetch_kwargs)
        assert token["refresh_token"]
        _assert_userinfo(s, oidc_peer)

        # the session's refresh authenticates the way the code exchange did
        refreshed = s.refresh_token(token_endpoint)
        assert refreshed["access_token"] != token["access_token"]
        assert refreshed["refresh_token"] != token["refresh_token"]
        exchange, refresh = s.recording.to(token_endpoint)
        assert exchange.form["grant_type"] == "authorization_code"
        assert refresh.form["grant_type"] == "refresh_token"
        _assert_authenticated_by(method, client_id, exchange)
        _assert_authenticated_by(method, client_id, refresh)
        _assert_userinfo(s, oidc_peer)


# ---------------------------------------------------------------------- 3. client credentials


@pytest.mark.parametrize("method", list(METHODS))
def test_client_credentials(oidc_peer: OidcProviderPeer, driver: str, method: str) -> None:
    client_id, fetch_kwargs = METHODS[method]
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with open_session(
        driver,
        client=BackendApplicationClient(client_id=client_id),
        **_session_auth(method, oidc_peer),
    ) as s:
        token = s.fetch_token(token_endpoint, **fetch_kwargs)
        assert token["token_type"].lower() == "bearer"
        assert "refresh_token" not in token
        [sent] = s.recording.to(token_endpoint)
        assert sent.form["grant_type"] == "client_credentials"
        _assert_authenticated_by(method, client_id, sent)
    info = introspect(oidc_peer, token["access_token"])
    assert info["active"] is True
    assert info["client_id"] == client_id


def test_fetch_token_keeps_a_client_auth_assigned_to_the_core(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    """``session.oauth_client.auth = ...`` after construction must not be silently dropped.

    Refreshes, renewals and the device flow use ``oauth_client.auth``; fetch_token() instead
    uses ``client_auth=`` from the constructor or else infers one from its own arguments
    (here: NoneAuth, as no secret was passed), so the peer answers invalid_client.
    FAILS today: see the report; the supported knob is the constructor's ``client_auth=``.
    """
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    with open_session(driver, client=BackendApplicationClient(client_id="pkjwt-client")) as s:
        s.oauth_client.auth = _jwt_auth("private_key_jwt", oidc_peer)
        token = s.fetch_token(token_endpoint)
        [sent] = s.recording.to(token_endpoint)
        _assert_authenticated_by("private_key_jwt", "pkjwt-client", sent)
    assert introspect(oidc_peer, token["access_token"])["client_id"] == "pkjwt-client"


def _no_auth(request: Any) -> Any:
    """A caller-supplied ``auth=`` that adds nothing (a callable, as requests and httpx take)."""
    return request


def test_external_auth_with_include_client_id_posts_the_secret(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    """requests-oauthlib: ``auth=`` plus ``include_client_id=True`` and ``client_secret=`` puts
    client_id and client_secret in the body (oauth2_session.py, fetch_token).

    FAILS today with UsageError: prepare_fetch_token() adds ``client_secret`` to the extra
    parameters, which build_form_request() refuses as reserved for client authentication.
    """
    token_endpoint = oidc_peer.discovery["token_endpoint"]
    secret = client_secret("post-client")
    with open_session(driver, client=BackendApplicationClient(client_id="post-client")) as s:
        token = s.fetch_token(
            token_endpoint, auth=_no_auth, include_client_id=True, client_secret=secret
        )
        [sent] = s.recording.to(token_endpoint)
        _assert_authenticated_by("client_secret_post", "post-client", sent)
    assert introspect(oidc_peer, token["access_token"])["client_id"] == "post-client"


# ---------------------------------------------------------------------- 8. wrong secret


@pytest.mark.parametrize("include_client_id", [False, True], ids=["basic", "post"])
def test_wrong_secret_is_a_typed_invalid_client(
    oidc_peer: OidcProviderPeer, driver: str, include_client_id: bool
) -> None:
    client_id = "post-client" if include_client_id else "basic-client"
    wrong = "not-the-secret-" + "x" * 24
    with (
        open_session(driver, client=BackendApplicationClient(client_id=client_id)) as s,
        pytest.raises(oauthkit.InvalidClientError) as caught,
    ):
        s.fetch_token(
            oidc_peer.discovery["token_endpoint"],
            client_secret=wrong,
            include_client_id=include_client_id or None,
        )
    error = caught.value
    assert error.status_code == 401
    assert error.error == "invalid_client"
    assert error.response is not None  # the driver's own response object is attached
    for text in (str(error), repr(error), error.body_excerpt):
        assert wrong not in text
        assert client_secret(client_id) not in text
    assert not s.s.authorized


# ---------------------------------------------------------------------- 9. forged state


def test_forged_state_is_refused_before_the_token_endpoint(
    oidc_peer: OidcProviderPeer, driver: str
) -> None:
    discovery = oidc_peer.discovery
    with open_session(
        driver,
        client_id="public-client",
        redirect_uri=oidc_peer.url("/cb"),
        scope=SCOPE,
        pkce="S256",
    ) as s:
        url, state = s.authorization_url(discovery["authorization_endpoint"])
        callback = headless_authorize(oidc_peer, url)
        assert _query(callback)["state"] == state
        forged = _with_query(callback, state=state[::-1] + "x")
        with pytest.raises(oauthkit.StateMismatchError):
            s.fetch_token(discovery["token_endpoint"], authorization_response=forged)
        assert s.recording.to(discovery["token_endpoint"]) == []
        assert not s.s.authorized

        # the genuine callback still works: the refusal consumed nothing at the server
        s.fetch_token(
            discovery["token_endpoint"], authorization_response=callback, include_client_id=True
        )
        _assert_userinfo(s, oidc_peer)


# ---------------------------------------------------------------------- RFC 9207 issuer check


def test_callback_issuer_is_checked(oidc_peer: OidcProviderPeer, driver: str) -> None:
    """The peer sends ``iss``; a session that knows its issuer accepts it and refuses another."""
    discovery = oidc_peer.discovery
    redirect = f"http://127.0.0.1:{oidc_peer.port}/cb"
    for issuer, ok in ((oidc_peer.issuer, True), ("https://other-server.example", False)):
        with open_session(
            driver,
            client_id="public-client",
            redirect_uri=redirect,
            scope=SCOPE,
            pkce="S256",
            issuer=issuer,
        ) as s:
            url, _ = s.authorization_url(discovery["authorization_endpoint"])
            callback = headless_authorize(oidc_peer, url)
            assert _query(callback)["iss"] == oidc_peer.issuer
            if ok:
                s.fetch_token(
                    discovery["token_endpoint"],
                    authorization_response=callback,
                    include_client_id=True,
                )
                assert s.access_token
            else:
                with pytest.raises(oauthkit.IssuerMismatchError):
                    s.fetch_token(discovery["token_endpoint"], authorization_response=callback)
                assert not s.recording.to(discovery["token_endpoint"])
