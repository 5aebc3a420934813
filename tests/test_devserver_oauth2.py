"""The dev provider's OAuth 2 side, driven by clients nobody here wrote.

authlib's ``OAuth2Session`` (which allows plain HTTP to loopback by itself) runs the flows; for
refusals, raw ``requests`` calls, with bodies built by oauthlib's client classes where they
help, show the exact status and error code. The provider's clock is fake, so expiry is tested
by advancing it, never by sleeping.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib.oauth2 import DeviceClient, LegacyApplicationClient, WebApplicationClient

import oauthkit
from oauthkit import HttpRequest
from oauthkit.cli import _dev_provider
from oauthkit.devserver import DevOAuth2Client, DevProvider
from oauthkit.devserver._oauth2 import OAuth2Endpoints
from oauthkit.devserver._oauth2_store import DEVICE_CODE_GRANT, OAuth2Store

VERIFIER = "v" * 43 + "-._~0123456789"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
BASIC = "basic"  # stands for the provider's client_secret_basic credentials


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
    with DevProvider(clock=clock, rsa_key_size=1024, access_token_ttl=300) as started:
        yield started


def _session(provider: DevProvider, kind: str = BASIC, **kwargs: Any) -> OAuth2Session:
    if kind == "public":
        client_id = provider.oauth2_public_client_id
        return OAuth2Session(client_id, token_endpoint_auth_method="none", **kwargs)
    if kind == "post":
        secret, method = provider.oauth2_post_client_secret, "client_secret_post"
        kwargs |= {"token_endpoint_auth_method": method, "revocation_endpoint_auth_method": method}
        return OAuth2Session(provider.oauth2_post_client_id, secret, **kwargs)
    return OAuth2Session(provider.oauth2_client_id, provider.oauth2_client_secret, **kwargs)


def _authorize_url(provider: DevProvider, client_id: str | None = None, **params: Any) -> str:
    query = {"response_type": "code", "client_id": client_id or provider.oauth2_client_id}
    query |= {"redirect_uri": provider.callback_url, **params}
    encoded = urlencode({k: v for k, v in query.items() if v is not None})
    return f"{provider.authorization_endpoint}?{encoded}"


def _code(provider: DevProvider, client_id: str | None = None, **params: Any) -> str:
    return _follow(_authorize_url(provider, client_id, **params))[1]["code"]


def _follow(url: str) -> tuple[str, dict[str, str]]:
    reply = requests.get(url, allow_redirects=False, timeout=10)
    assert reply.status_code == 302, reply.text
    parts = urlsplit(reply.headers["Location"])
    return reply.headers["Location"], dict(parse_qsl(parts.fragment or parts.query))


def _post(
    provider: DevProvider, url: str, data: dict[str, str] | str, auth: Any = None
) -> requests.Response:
    if auth == BASIC:
        auth = (provider.oauth2_client_id, provider.oauth2_client_secret)
    return requests.post(url, data=data, auth=auth, headers=FORM, timeout=10)


def _exchange(provider: DevProvider, code: str, auth: Any = BASIC, **extra: str) -> Any:
    body = {"grant_type": "authorization_code", "code": code, **extra}
    body.setdefault("redirect_uri", provider.callback_url)
    return _post(provider, provider.token_endpoint, body, auth)


def _bearer(provider: DevProvider, token: object, **kwargs: Any) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    url = provider.oauth2_resource_url
    method = kwargs.pop("method", "GET")
    return requests.request(method, url, headers=headers, timeout=10, **kwargs)


# -- discovery -----------------------------------------------------------------------------


def test_metadata_is_valid_rfc8414(provider: DevProvider) -> None:
    document = requests.get(provider.metadata_url, timeout=10).json()
    AuthorizationServerMetadata(document).validate()  # authlib's own RFC 8414 checks
    assert document["issuer"] == provider.issuer == provider.base_url
    for key in ("authorization_endpoint", "token_endpoint", "device_authorization_endpoint"):
        assert document[key] == getattr(provider, key)
    for key in ("revocation_endpoint", "introspection_endpoint"):
        assert document[key] == getattr(provider, key)
    assert document["authorization_response_iss_parameter_supported"] is True
    assert DEVICE_CODE_GRANT in document["grant_types_supported"]
    assert set(document["code_challenge_methods_supported"]) == {"S256", "plain"}
    assert document["response_types_supported"] == ["code"]
    index = requests.get(provider.base_url + "/", timeout=10).json()
    assert index["oauth2"]["resource_url"] == provider.oauth2_resource_url


# -- authorization code and PKCE -----------------------------------------------------------


@pytest.mark.parametrize("kind", [BASIC, "post", "public"])
def test_authorization_code_flow_with_pkce(provider: DevProvider, kind: str) -> None:
    options = {"redirect_uri": provider.callback_url, "code_challenge_method": "S256"}
    with _session(provider, kind, scope="read write", **options) as session:
        url, state = session.create_authorization_url(
            provider.authorization_endpoint, code_verifier=VERIFIER
        )
        location, received = _follow(url)
        assert location.startswith(provider.callback_url + "?")
        assert (received["state"], received["iss"]) == (state, provider.issuer)  # RFC 9207
        token = session.fetch_token(
            provider.token_endpoint, authorization_response=location, code_verifier=VERIFIER
        )
        assert (token["token_type"], token["expires_in"]) == ("Bearer", 300)
        echo = session.get(provider.oauth2_resource_url, params={"q": "a b"}).json()
    assert (echo["client_id"], echo["user"]) == (session.client_id, "dev-user")
    assert (echo["scopes"], echo["query"]) == (["read", "write"], [["q", "a b"]])
    assert token["access_token"] not in json.dumps(echo)


def test_plain_pkce_and_a_wrong_verifier(provider: DevProvider) -> None:
    client = provider.oauth2_public_client_id
    plain = {"code_challenge": VERIFIER, "code_challenge_method": "plain"}
    code = _code(provider, client, **plain)
    assert _exchange(provider, code, None, client_id=client, code_verifier=VERIFIER).ok

    digest = hashlib.sha256(VERIFIER.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    code = _code(provider, client, code_challenge=challenge, code_challenge_method="S256")
    reply = _exchange(provider, code, None, client_id=client, code_verifier="w" * 43)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")


def test_pkce_required_of_public_clients_and_not_downgraded(provider: DevProvider) -> None:
    received = _follow(_authorize_url(provider, provider.oauth2_public_client_id, state="s1"))[1]
    assert (received["error"], received["state"]) == ("invalid_request", "s1")
    assert received["iss"] == provider.issuer
    code = _code(provider)  # a confidential client may skip PKCE, but not half of it
    assert _exchange(provider, code, code_verifier=VERIFIER).json()["error"] == "invalid_grant"
    received = _follow(_authorize_url(provider, code_challenge="too-short"))[1]
    assert received["error"] == "invalid_request"


def test_code_is_single_use_and_bound_to_its_redirect_uri(provider: DevProvider) -> None:
    code = _code(provider)
    assert _exchange(provider, code, redirect_uri="http://127.0.0.1:1/callback").status_code == 400
    assert _exchange(provider, code).status_code == 200
    again = _exchange(provider, code)
    assert (again.status_code, again.json()["error"]) == (400, "invalid_grant")


def test_redirect_uris(provider: DevProvider) -> None:
    for uri in (f"http://{host}/callback" for host in ("127.0.0.1:4567", "[::1]:1", "localhost:9")):
        location = _follow(_authorize_url(provider, redirect_uri=uri))[0]
        assert location.startswith(uri + "?code=")  # any loopback port (RFC 8252 §7.3)
    for bad in ("http://127.0.0.1:1/elsewhere", "https://attacker.example/callback", None):
        reply = requests.get(_authorize_url(provider, redirect_uri=bad), timeout=10)
        assert reply.status_code == 400  # shown here, never redirected to an unregistered URI
        assert "Location" not in reply.headers
    reply = requests.get(_authorize_url(provider, "nobody-registered"), timeout=10)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_request")


def test_login_hint_names_the_user_or_denies(provider: DevProvider) -> None:
    code = _code(provider, login_hint="alice")
    token = _exchange(provider, code).json()
    assert _bearer(provider, token["access_token"]).json()["user"] == "alice"

    received = _follow(_authorize_url(provider, login_hint="deny", state="xyz"))[1]
    assert (received["error"], received["state"]) == ("access_denied", "xyz")
    assert received["iss"] == provider.issuer
    url = _authorize_url(provider, login_hint="deny", response_mode="fragment")
    location, received = _follow(url)
    assert "#" in location
    assert received["error"] == "access_denied"


def test_form_post_response_mode(provider: DevProvider) -> None:
    url = _authorize_url(provider, state="a<b", response_mode="form_post")
    reply = requests.get(url, timeout=10)
    assert reply.status_code == 200
    assert reply.headers["Content-Type"].startswith("text/html")
    assert f'action="{provider.callback_url}"' in reply.text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', reply.text))
    assert (fields["state"], fields["iss"]) == ("a&lt;b", provider.issuer)
    assert _exchange(provider, fields["code"]).status_code == 200


# -- refresh, client credentials, password ---------------------------------------------------


def test_refresh_token_rotation(provider: DevProvider) -> None:
    first = provider.issue_oauth2_token(provider.oauth2_post_client_id, scope="read write")
    with _session(provider, "post", token=first) as session:
        provider.reset_hits()
        second = session.refresh_token(provider.token_endpoint)
        assert provider.hits("/oauth2/token") == provider.hits(provider.token_endpoint) == 1
        assert second["refresh_token"] != first["refresh_token"]
        assert second["scope"] == "read write"
        assert session.refresh_token(provider.token_endpoint, scope="read")["scope"] == "read"
    client = WebApplicationClient(provider.oauth2_post_client_id)
    for old in (first["refresh_token"], second["refresh_token"]):
        body = client.prepare_refresh_body(
            refresh_token=old, client_secret=provider.oauth2_post_client_secret
        )
        body += f"&client_id={provider.oauth2_post_client_id}"
        reply = _post(provider, provider.token_endpoint, body)
        assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")
    # Access tokens issued before a rotation keep working until they expire.
    assert _bearer(provider, first["access_token"]).status_code == 200


def test_racing_refreshes_with_one_token_succeed_once(provider: DevProvider) -> None:
    token = provider.issue_oauth2_token()
    body = {"grant_type": "refresh_token", "refresh_token": str(token["refresh_token"])}
    url = provider.token_endpoint
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: _post(provider, url, body, BASIC), range(6)))
    assert sorted(reply.status_code for reply in replies) == [200] + [400] * 5


def test_client_credentials(provider: DevProvider) -> None:
    for kind in (BASIC, "post"):
        with _session(provider, kind, scope="reports") as session:
            token = session.fetch_token(provider.token_endpoint, grant_type="client_credentials")
            assert "refresh_token" not in token  # RFC 6749 §4.4.3
            echo = session.get(provider.oauth2_resource_url).json()
        assert (echo["user"], echo["scopes"]) == (None, ["reports"])
    body = {"grant_type": "client_credentials", "client_id": provider.oauth2_public_client_id}
    reply = _post(provider, provider.token_endpoint, body)
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")


def test_password_grant(provider: DevProvider) -> None:
    client = LegacyApplicationClient(provider.oauth2_client_id)
    owner = provider.oauth2_username
    body = client.prepare_request_body(username=owner, password=provider.oauth2_password)
    token = _post(provider, provider.token_endpoint, body, BASIC).json()
    assert (token["scope"], "refresh_token" in token) == ("read", True)
    assert _bearer(provider, token["access_token"]).json()["user"] == owner
    body = client.prepare_request_body(username=owner, password="wrong")
    reply = _post(provider, provider.token_endpoint, body, BASIC)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_grant")


@pytest.mark.parametrize(
    "case", ["wrong secret", "secret posted", "two methods", "no secret", "unknown client"]
)
def test_client_authentication_failures(provider: DevProvider, case: str) -> None:
    cid, secret = provider.oauth2_client_id, provider.oauth2_client_secret
    body: dict[str, str] = {"grant_type": "client_credentials"}
    auth: tuple[str, str] | None = None
    if case == "wrong secret":
        auth = (cid, "wrong")
    elif case == "secret posted":  # a client_secret_basic client must not use the body
        body |= {"client_id": cid, "client_secret": secret}
    elif case == "two methods":  # RFC 6749 §2.3: one method per request
        auth, body["client_secret"] = (cid, secret), secret
    elif case == "no secret":
        body["client_id"] = cid
    else:
        auth = ("nobody-registered", "x")
    reply = _post(provider, provider.token_endpoint, body, auth)
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")
    assert reply.headers["WWW-Authenticate"].startswith("Basic ")  # RFC 6749 §5.2


def test_token_endpoint_refusals(provider: DevProvider) -> None:
    url, grant = provider.token_endpoint, {"grant_type": "client_credentials"}
    reply = requests.post(url, json=grant, timeout=10)
    assert (reply.status_code, reply.json()["error"]) == (400, "invalid_request")
    reply = _post(provider, url, {"grant_type": "implicit"}, BASIC)
    assert reply.json()["error"] == "unsupported_grant_type"
    assert _post(provider, url + "?scope=x", grant, BASIC).status_code == 400  # §3.2
    assert requests.get(url, timeout=10).status_code == 405
    narrow = provider.register_oauth2_client(scopes=["read"], grant_types=["client_credentials"])
    auth = (narrow.client_id, narrow.client_secret)
    reply = _post(provider, url, {**grant, "scope": "admin"}, auth)
    assert reply.json()["error"] == "invalid_scope"
    owner = {"username": provider.oauth2_username, "password": provider.oauth2_password}
    reply = _post(provider, url, {"grant_type": "password", **owner}, auth)
    assert reply.json()["error"] == "unauthorized_client"


# -- device authorization (RFC 8628) ------------------------------------------------------


def _device_start(provider: DevProvider, auth: Any = None) -> dict[str, Any]:
    body = (
        {"scope": "tv"} if auth else {"scope": "tv", "client_id": provider.oauth2_public_client_id}
    )
    reply = _post(provider, provider.device_authorization_endpoint, body, auth)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def _device_poll(provider: DevProvider, device_code: str, auth: Any = None) -> Any:
    if auth:
        body = {"grant_type": DEVICE_CODE_GRANT, "device_code": device_code}
    else:
        client = DeviceClient(provider.oauth2_public_client_id)
        body = client.prepare_request_body(device_code, include_client_id=True)
    return _post(provider, provider.token_endpoint, body, auth).json()


def test_device_flow_pending_slow_down_approved(provider: DevProvider, clock: FakeClock) -> None:
    start = _device_start(provider)
    assert re.fullmatch(r"[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}", start["user_code"])
    assert start["verification_uri"] == provider.base_url + "/oauth2/device"
    assert start["verification_uri_complete"].endswith("?user_code=" + start["user_code"])
    assert (start["interval"], start["expires_in"]) == (5, 600)
    page = requests.get(start["verification_uri_complete"], timeout=10)
    assert start["user_code"] in page.text

    device_code = start["device_code"]
    assert _device_poll(provider, device_code)["error"] == "authorization_pending"
    assert _device_poll(provider, device_code)["error"] == "slow_down"
    clock.now += 5  # too soon still: slow_down raised the interval to 10 s (§3.5)
    assert _device_poll(provider, device_code)["error"] == "slow_down"
    clock.now += 15
    assert _device_poll(provider, device_code)["error"] == "authorization_pending"

    form = {"user_code": start["user_code"].lower()}
    approval = _post(provider, provider.device_approval_url, form)
    assert approval.json()["status"] == "approved"
    token = _device_poll(provider, device_code)
    assert (token["scope"], "refresh_token" in token) == ("tv", True)
    assert _bearer(provider, token["access_token"]).json()["user"] == "dev-user"
    assert _device_poll(provider, device_code)["error"] == "invalid_grant"  # used once
    with _session(provider, "public", token=token) as session:  # a public client refreshes
        assert session.refresh_token(provider.token_endpoint)["scope"] == "tv"


def test_device_flow_denied_and_expired(provider: DevProvider, clock: FakeClock) -> None:
    denied, expired = _device_start(provider), _device_start(provider)
    form = {"user_code": denied["user_code"], "deny": "1"}
    assert _post(provider, provider.device_approval_url, form).json()["status"] == "denied"
    assert _device_poll(provider, denied["device_code"])["error"] == "access_denied"
    clock.now += 601
    assert _device_poll(provider, expired["device_code"])["error"] == "expired_token"
    with pytest.raises(oauthkit.UsageError, match="user_code"):
        provider.approve_device(expired["user_code"])
    reply = _post(provider, provider.device_approval_url, {"user_code": "BCDF-GHJK"})
    assert reply.status_code == 400


def test_device_flow_of_a_confidential_client(provider: DevProvider) -> None:
    start = _device_start(provider, BASIC)  # no client_id in the body: Basic names the client
    provider.approve_device(start["user_code"].replace("-", " "), user="carol")
    token = _device_poll(provider, start["device_code"], BASIC)
    assert _bearer(provider, token["access_token"]).json()["user"] == "carol"
    # Another client cannot redeem it, even once it has been approved.
    start = _device_start(provider, BASIC)
    provider.approve_device(start["user_code"])
    assert _device_poll(provider, start["device_code"])["error"] == "invalid_grant"


# -- revocation, introspection and the resource ---------------------------------------------


def test_introspection_and_revocation(provider: DevProvider, clock: FakeClock) -> None:
    token = provider.issue_oauth2_token(scope="read", user="dave")
    access, refresh = token["access_token"], token["refresh_token"]
    with _session(provider, token=token) as session:
        info = session.introspect_token(provider.introspection_endpoint, access).json()
        assert (info["active"], info["username"], info["scope"]) == (True, "dave", "read")
        assert (info["client_id"], info["iss"]) == (provider.oauth2_client_id, provider.issuer)
        assert info["exp"] == int(clock.now) + 300
        info = session.introspect_token(provider.introspection_endpoint, refresh).json()
        assert info["active"] is True

        assert session.revoke_token(provider.revocation_endpoint, access).status_code == 200
        assert _bearer(provider, access).json()["error"] == "invalid_token"
        info = session.introspect_token(provider.introspection_endpoint, access).json()
        assert info == {"active": False}
        # Revoking a refresh token ends the access tokens of its grant too (RFC 7009 §2.1).
        second = provider.issue_oauth2_token()
        session.revoke_token(provider.revocation_endpoint, second["refresh_token"])
        assert _bearer(provider, second["access_token"]).status_code == 401
        assert session.revoke_token(provider.revocation_endpoint, "never-issued").ok
    third = provider.issue_oauth2_token()
    with _session(provider, "post") as intruder:  # cannot revoke another client's token
        assert intruder.revoke_token(provider.revocation_endpoint, third["access_token"]).ok
    assert _bearer(provider, third["access_token"]).status_code == 200
    wrong = (provider.oauth2_client_id, "wrong")
    reply = _post(provider, provider.introspection_endpoint, {"token": "x"}, wrong)
    assert (reply.status_code, reply.json()["error"]) == (401, "invalid_client")


def test_expired_token_gets_401_invalid_token(provider: DevProvider, clock: FakeClock) -> None:
    token = provider.issue_oauth2_token()
    assert _bearer(provider, token["access_token"]).status_code == 200
    clock.now += 301
    reply = _bearer(provider, token["access_token"])
    assert reply.status_code == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer ")
    assert 'error="invalid_token"' in reply.headers["WWW-Authenticate"]
    with _session(provider, token=token) as session:
        session.refresh_token(provider.token_endpoint)
        assert session.get(provider.oauth2_resource_url).status_code == 200
    assert provider.expire_access_tokens() >= 1
    assert _bearer(provider, session.token["access_token"]).status_code == 401


def test_resource_refusals_and_token_placement(provider: DevProvider) -> None:
    url = provider.oauth2_resource_url
    reply = requests.get(url, timeout=10)
    assert reply.status_code == 401
    assert "error=" not in reply.headers["WWW-Authenticate"]  # no token, no error (RFC 6750 §3)
    token = provider.issue_oauth2_token(scope="read")["access_token"]
    reply = _bearer(provider, token, params={"require_scope": "write"})
    assert (reply.status_code, reply.json()["scope"]) == (403, "write")
    assert 'error="insufficient_scope"' in reply.headers["WWW-Authenticate"]
    echo = requests.post(url, data={"access_token": token, "n": "1"}, timeout=10).json()
    assert echo["form"] == [["n", "1"]]  # RFC 6750 §2.2, and never echoed
    echo = requests.get(url, params={"access_token": token, "x": "y"}, timeout=10).json()
    assert echo["query"] == [["x", "y"]]  # §2.3
    assert _bearer(provider, token, params={"access_token": token}).status_code == 400
    json_body = {"headers": {"Content-Type": "application/json"}, "data": b'{"a": 1}'}
    echo = _bearer(provider, token, method="PUT", **json_body).json()
    assert (echo["method"], echo["body"]) == ("PUT", '{"a": 1}')


# -- the Python API, the command, robustness ------------------------------------------------


def test_register_oauth2_client(provider: DevProvider) -> None:
    uri, auth = "https://app.example/cb", ("my-oauth2-client", "s3cret")
    client = provider.register_oauth2_client(*auth, redirect_uris=[uri])
    assert isinstance(client, DevOAuth2Client)
    assert "s3cret" not in repr(client)
    # One registered URI is the default; once named, the token request must repeat it (§4.1.3).
    code = _code(provider, auth[0], redirect_uri=uri)
    assert _exchange(provider, code, auth, redirect_uri=None).status_code == 400
    code = _code(provider, auth[0], redirect_uri=None)
    assert _exchange(provider, code, auth, redirect_uri=None).status_code == 200
    for kwargs, message in [
        ({"client_id": auth[0]}, "already registered"),
        ({"client_id": "bad id!"}, "client_id"),
        ({"token_endpoint_auth_method": "private_key_jwt"}, "token_endpoint_auth_method"),
        ({"token_endpoint_auth_method": "none", "client_secret": "x"}, "not public"),
        ({"token_endpoint_auth_method": "none", "grant_types": ["client_credentials"]}, "public"),
        ({"grant_types": ["implicit"]}, "unknown grant"),
        ({"redirect_uris": ["/relative"]}, "redirect URI"),
        ({"scopes": ["two words"]}, "scope"),
    ]:
        with pytest.raises(oauthkit.UsageError, match=message):
            provider.register_oauth2_client(**kwargs)
    with pytest.raises(oauthkit.UsageError, match="no OAuth 2 client"):
        provider.issue_oauth2_token("never-registered")
    with pytest.raises(oauthkit.UsageError, match="at least 1"):
        DevProvider(access_token_ttl=0)


def test_dev_provider_command_prints_working_oauth2_credentials() -> None:
    class Banner(io.StringIO):
        ready = threading.Event()

        def write(self, text: str) -> int:
            if text.startswith("\nServing"):
                self.ready.set()
            return super().write(text)

    out, stop = Banner(), threading.Event()
    thread = threading.Thread(target=_dev_provider, args=("127.0.0.1", 0, None, out, stop))
    thread.start()
    try:
        assert out.ready.wait(30)
        rows = dict(re.findall(r"^  (.+?)\s{2,}(\S.*)$", out.getvalue(), re.MULTILINE))
        auth = (rows["basic client ID"], rows["basic client secret"])
        body = {"grant_type": "client_credentials"}
        reply = requests.post(rows["token endpoint"], data=body, auth=auth, timeout=10)
        assert reply.json()["token_type"] == "Bearer"
        headers = {"Authorization": f"Bearer {rows['bearer token']}"}
        assert requests.get(rows["OAuth 2 resource"], headers=headers, timeout=10).ok
        assert requests.get(rows["metadata"], timeout=10).json()["issuer"] == rows["issuer"]
    finally:
        stop.set()
        thread.join(30)
    assert "/oauth1/request_token" in out.getvalue()  # the OAuth 1.0a banner is still there


@pytest.fixture(scope="module")
def endpoints() -> OAuth2Endpoints:
    store = OAuth2Store(lambda: 1_700_000_000.0)
    store.add_client(DevOAuth2Client("client-id-1", "secret", redirect_uris=("http://[::1]/",)))
    ttls = {"access_token_ttl": 60, "device_code_ttl": 60, "device_interval": 5}
    return OAuth2Endpoints(store, lambda: "http://127.0.0.1:1", **ttls)


_text = st.text(st.characters(codec="utf-8"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(authorization=_text, query=_text, body=st.binary(max_size=80))
def test_garbage_gets_4xx_not_500(
    endpoints: OAuth2Endpoints, authorization: str, query: str, body: bytes
) -> None:
    url = "http://127.0.0.1:1/oauth2/x?" + query
    request = HttpRequest("POST", url, {"Authorization": authorization, **FORM}, body)
    names = "token revoke introspect device_authorization device_approve resource authorize"
    for handler in (getattr(endpoints, name) for name in names.split()):
        response = handler(request)
        assert 200 <= response.status_code < 500, response.body
