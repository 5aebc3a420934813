"""The README's code runs: each example, with its example.com URLs and credentials pointed at
the dev provider (a real OAuth 2 server, oauthlib's server side)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from oauthkit.devserver import DevProvider
from tests._drivers2 import headless_authorize
from tests.peers.fixtures import fixture_oidc_peer  # noqa: F401
from tests.peers.oidc_provider import OidcProviderPeer, client_secret

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.DOTALL)


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


def _block(marker: str) -> str:
    [block] = [b for b in BLOCKS if marker in b]
    return block


def test_a_renewing_auth_for_any_requests_session(provider: DevProvider) -> None:
    code = (
        _block("OAuth2Auth(manager)")
        .replace("https://auth.example.com/token", provider.token_endpoint)
        .replace("https://api.example.com/me", provider.oauth2_resource_url)
        .replace('"my-service"', repr(provider.oauth2_client_id))
        .replace('"my-secret"', repr(provider.oauth2_client_secret))
    )
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    response = namespace["response"]
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    manager = namespace["manager"]
    assert manager.token is not None  # type: ignore[attr-defined]


def test_the_oauth2_example_hands_the_state_over_between_two_web_requests(
    provider: DevProvider,
) -> None:
    import requests

    def follow(url: str) -> str:
        """The user: the dev provider approves at once and redirects to the callback."""
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return str(response.headers["Location"])

    code = (
        _block("Request 2: the callback")
        .replace("https://auth.example.com/authorize", provider.authorization_endpoint)
        .replace("https://auth.example.com/token", provider.token_endpoint)
        .replace("https://app.example.com/cb", "http://127.0.0.1/callback")
        .replace('"my-app"', repr(provider.oauth2_client_id))
        .replace('"my-secret"', repr(provider.oauth2_client_secret))
        .replace(
            "# ... redirect the user to `url`; they come back to the redirect URI ...",
            "callback_url = follow(url)",
        )
    )
    namespace: dict[str, object] = {"follow": follow}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    token = namespace["token"]
    assert isinstance(token, dict)
    assert token["access_token"]
    assert namespace["session"].authorized  # type: ignore[attr-defined]


def test_the_store_example_takes_its_token_from_the_store(
    provider: DevProvider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    import oauthkit
    from oauthkit.stores import SQLiteStore

    monkeypatch.chdir(tmp_path)
    issued = provider.issue_oauth2_token()
    token = oauthkit.Token.from_dict(issued, now=time.time())
    SQLiteStore("tokens.db").save("github:alice", token.to_dict(), version=None)
    code = (
        _block("token_store=SQLiteStore")
        .replace("https://auth.example.com/token", provider.token_endpoint)
        .replace("https://api.example.com/me", provider.oauth2_resource_url)
        .replace('"my-app"', repr(provider.oauth2_client_id))
    )
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    response = namespace["response"]
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert namespace["session"].access_token == issued["access_token"]  # type: ignore[attr-defined]


def test_the_openid_connect_example_logs_in_at_oidc_provider(oidc_peer: OidcProviderPeer) -> None:
    """The OIDC example, two web requests, against the certified provider (not ours)."""
    block = _block("Request 1: send the user to the provider")
    first, second = block.split("# Request 2: back from the provider.")

    def pointed(code: str) -> str:
        return (
            code.replace("https://accounts.example.com", oidc_peer.issuer)
            .replace("https://app.example.com/cb", oidc_peer.url("/cb"))
            .replace("https://app.example.com/bye", oidc_peer.url("/logged-out"))
            .replace('"my-app"', '"basic-client"')
            .replace('"my-secret"', repr(client_secret("basic-client")))
        )

    namespace: dict[str, object] = {}
    exec(compile(pointed(first), "README.md", "exec"), namespace)  # noqa: S102
    namespace["callback_url"] = headless_authorize(oidc_peer, str(namespace["url"]))
    exec(compile(pointed(second), "README.md", "exec"), namespace)  # noqa: S102
    claims = namespace["claims"]
    assert claims.subject == "test-user"  # type: ignore[attr-defined]
    assert claims.audience == ("basic-client",)  # type: ignore[attr-defined]
    assert namespace["profile"]["email"] == "test-user@example.test"  # type: ignore[index]
    assert str(namespace["logout_url"]).startswith(oidc_peer.discovery["end_session_endpoint"])


def test_the_native_login_example_signs_in_through_chromium(
    oidc_peer: OidcProviderPeer, tmp_path: Path
) -> None:
    """The README's native-app login, run as written against oidc-provider; only the browser
    opener (headless Chromium instead of the desktop's) and the registered loopback path of the
    peer's native client are given."""
    import shutil
    import subprocess

    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is required: apt-get install chromium")
    launched: list[subprocess.Popen[bytes]] = []

    def open_url(url: str) -> bool:
        flags = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic"]
        flags += ["--no-first-run", "--disable-background-networking", "--disable-sync"]
        flags += ["--disable-component-update", f"--user-data-dir={tmp_path / 'profile'}"]
        launched.append(
            subprocess.Popen(  # noqa: S603 - fixed argv, no shell
                [chromium, *flags, url],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        return True

    code = (
        _block("from oauthkit.native import login")
        .replace('"my-cli"', '"public-client"')
        .replace("https://id.example.com", oidc_peer.issuer)
        .replace("login(session)", 'login(session, open_browser=open_url, redirect_path="/cb")')
    )
    namespace: dict[str, object] = {"open_url": open_url}
    try:
        exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    finally:
        for process in launched:
            process.terminate()
            process.wait(timeout=10)
    assert launched, "the login never opened the browser"
    assert namespace["result"].mode == "loopback"  # type: ignore[attr-defined]
    assert namespace["profile"]["sub"] == "test-user"  # type: ignore[index]


def test_the_fapi2_example_logs_in_at_oidc_provider(oidc_peer: OidcProviderPeer) -> None:
    """The README's FAPI 2.0 example, run as written against oidc-provider with a client
    registered there the way a FAPI 2.0 client is (private_key_jwt, DPoP-bound tokens, PAR
    required, ES256 ID tokens); the 'accounts' API is the peer's UserInfo endpoint."""
    from joserfc.jwk import ECKey

    from oauthkit.requests import OAuth2Session

    key = dict(ECKey.generate_key("P-256", {"alg": "ES256"}, private=True).as_dict(private=True))
    with OAuth2Session("registrar", issuer=oidc_peer.issuer) as registrar:
        registration = registrar.register_client(
            {
                "redirect_uris": [oidc_peer.url("/cb")],
                "grant_types": ["authorization_code", "refresh_token"],
                "response_types": ["code"],
                "token_endpoint_auth_method": "private_key_jwt",
                "token_endpoint_auth_signing_alg": "ES256",
                "jwks": {"keys": [{k: v for k, v in key.items() if k != "d"}]},
                "dpop_bound_access_tokens": True,
                "require_pushed_authorization_requests": True,
                "id_token_signed_response_alg": "ES256",
            }
        )
    code = (
        _block('profile="fapi2"')
        .replace('"my-fapi-client"', repr(registration.client_id))
        .replace("https://app.example.com/cb", oidc_peer.url("/cb"))
        .replace("https://bank.example.com/accounts", oidc_peer.discovery["userinfo_endpoint"])
        .replace("https://bank.example.com", oidc_peer.issuer)
    )
    head, tail = code.split("# ... the user signs in and comes back ...\n")
    namespace: dict[str, object] = {"private_jwk": key}
    exec(compile(head, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    url = str(namespace["url"])
    assert set(dict(parse_qsl(urlsplit(url).query))) == {"client_id", "request_uri"}
    namespace["callback_url"] = headless_authorize(oidc_peer, url)
    exec(compile(tail, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    assert namespace["token"]["token_type"] == "DPoP"  # type: ignore[index]
    response = namespace["response"]
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    assert response.json()["sub"] == "test-user"  # type: ignore[attr-defined]
