"""The ``oauthkit`` command end to end against oidc-provider (issue #12), each command in its
own process with a config file and a store of the test's own.

Logins happen through the CLI (the device flow approved while it polls, the paste fallback
fed on stdin); the other tests start from a token the library saved the way ``login`` does.
The peer rotates refresh tokens and revokes the whole grant when a used one comes back, so
two processes renewing one expiry would fail the second: ``two oauthkit token at once``
succeeding with one token proves a single renewal.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from tests._cli import CliHome
from tests._drivers2 import approve_device, headless_authorize
from tests.peers.oidc_provider import OidcProviderPeer

pytestmark = pytest.mark.peer

LOGIN_NEEDED, REFUSED = 3, 4


@pytest.fixture
def home(oidc_peer: OidcProviderPeer, tmp_path: Path) -> CliHome:
    return CliHome(tmp_path, oidc_peer)


def test_device_login_approved_while_polling_then_token(home: CliHome) -> None:
    login = home.start("login", "--mode", "device")
    code = login.wait_for(r"enter the code\s+(\S+)").group(1)
    login.wait_for(r"user_code=")  # the complete URL, for the QR code
    approve_device(home.peer, code)
    status, _out, err = login.finish()
    assert status == 0, err
    assert "Logged in to peer" in err
    record = home.store.load("profile:peer")
    assert record is not None
    token = home.run("token")
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip() == record.token["access_token"]


def test_paste_login_reads_the_redirect_from_stdin(home: CliHome) -> None:
    login = home.start("login", "peer", "--mode", "paste", "--json")
    url = login.wait_for(r"^\s*(http\S+/auth\?\S+)").group(1)
    callback = headless_authorize(home.peer, url)  # the user signs in in a browser
    status, out, err = login.finish(input=callback + "\n")
    assert status == 0, err
    summary = json.loads(out)
    assert summary["profile"] == "peer"
    assert summary["mode"] == "paste"
    assert summary["refresh_token"] is True
    assert "access_token" not in out  # a summary, no secret
    assert home.store.load("profile:peer") is not None


def test_token_renews_an_expired_token_through_the_store(home: CliHome) -> None:
    home.seed()
    old = home.expire()
    renewed = home.run("token", "--json")
    assert renewed.returncode == 0, renewed.stderr
    data = json.loads(renewed.stdout)
    assert data["access_token"] != old
    assert data["expires_in"] > 60
    stored = home.store.load("profile:peer")
    assert stored is not None
    assert stored.token["access_token"] == data["access_token"]
    again = home.run("token")  # fresh now: the fast path prints the same token
    assert again.stdout.strip() == data["access_token"]


def test_two_token_commands_at_once_renew_once(home: CliHome) -> None:
    home.seed()
    for _ in range(3):
        old = home.expire()
        first, second = home.start("token"), home.start("token")
        results = [first.finish(), second.finish()]
        for status, _out, err in results:
            assert status == 0, err  # a second renewal would reuse a rotated refresh token
        tokens = {out.strip() for _status, out, _err in results}
        assert len(tokens) == 1
        assert old not in tokens


def test_request_calls_userinfo_with_the_token(home: CliHome) -> None:
    home.seed()
    userinfo = home.peer.discovery["userinfo_endpoint"]
    piped = home.run("request", "GET", userinfo)
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout) == {"sub": "test-user"}
    assert piped.stdout == '{"sub":"test-user"}'  # raw when piped
    whole = home.run("request", "peer", "GET", userinfo, "--json")
    data = json.loads(whole.stdout)
    assert data["status"] == 200
    assert data["body"] == {"sub": "test-user"}


def test_request_renews_after_invalid_token(home: CliHome) -> None:
    home.seed()
    record = home.store.load("profile:peer")
    assert record is not None
    forged = {**record.token, "access_token": "revoked-or-unknown"}
    home.store.save("profile:peer", forged, version=record.version)
    answer = home.run("request", "GET", home.peer.discovery["userinfo_endpoint"])
    assert answer.returncode == 0, answer.stderr
    stored = home.store.load("profile:peer")
    assert stored is not None
    assert stored.token["access_token"] not in ("revoked-or-unknown", record.token["access_token"])


def test_inspect_verifies_an_id_token_against_the_issuer(home: CliHome) -> None:
    token = home.seed()
    result = home.run("inspect", token["id_token"], "--issuer", home.peer.issuer, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["verified"]["valid"] is True
    assert data["header"]["alg"] == "RS256"
    assert data["claims"]["sub"] == "test-user"
    stored = home.run("inspect", "--profile", "peer", "--id-token")
    assert "test-user" in stored.stdout
    assert "expires in" in stored.stdout


def test_inspect_verifies_a_jwt_access_token_and_refuses_a_forgery(home: CliHome) -> None:
    grant = home.run(
        "token",
        "--grant",
        "client_credentials",
        "--issuer",
        home.peer.issuer,
        "--client-id",
        "basic-client",
        "--resource",
        "https://api.example.test",
        OAUTHKIT_CLIENT_SECRET=home.env["PEER_BASIC_SECRET"],
    )
    assert grant.returncode == 0, grant.stderr
    token = grant.stdout.strip()
    ok = home.run("inspect", "-", "--issuer", home.peer.issuer, "--json", input=token)
    data = json.loads(ok.stdout)
    assert data["verified"] == {"valid": True, "alg": "ES256", "kid": "op-es256", "problems": []}
    assert data["header"]["typ"] == "at+jwt"
    header, claims, signature = token.split(".")
    forged = f"{header}.{claims}.{signature[:-4]}AAAA"
    bad = home.run("inspect", forged, "--issuer", home.peer.issuer)
    assert bad.returncode == REFUSED
    assert "NOT valid" in bad.stdout


def test_one_shot_client_credentials_prints_json(home: CliHome) -> None:
    result = home.run(
        "token",
        "--grant",
        "client_credentials",
        "--token-url",
        home.peer.discovery["token_endpoint"],
        "--client-id",
        "basic-client",
        "--auth-method",
        "client_secret_post",
        "--json",
        OAUTHKIT_CLIENT_SECRET=home.env["PEER_BASIC_SECRET"],
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["token_type"] == "Bearer"
    assert data["expires_in"] > 0
    assert home.store.load("profile:peer") is None  # one-shot: nothing stored


def test_one_shot_with_a_wrong_secret_is_a_refusal(home: CliHome) -> None:
    result = home.run(
        "token",
        "--grant",
        "client_credentials",
        "--issuer",
        home.peer.issuer,
        "--client-id",
        "basic-client",
        OAUTHKIT_CLIENT_SECRET="wrong-secret-0123456789abcdef0123456789",
    )
    assert result.returncode == REFUSED
    assert result.stderr.startswith("oauthkit: error:")
    assert "wrong-secret" not in result.stderr
    assert "Traceback" not in result.stderr


def test_revoke_then_the_grant_is_gone(home: CliHome) -> None:
    home.seed()
    assert home.run("revoke").returncode == 0
    assert home.store.load("profile:peer") is not None  # revoke keeps the record
    renewal = home.run("token", "--force-renew")
    assert renewal.returncode == LOGIN_NEEDED
    assert "oauthkit login" in renewal.stderr


def test_logout_revokes_and_forgets(home: CliHome) -> None:
    token = home.seed()
    result = home.run("logout", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"profile": "peer", "revoked": True, "forgotten": True}
    assert home.store.load("profile:peer") is None
    after = home.run("token")
    assert after.returncode == LOGIN_NEEDED
    probe = home.run(
        "inspect", "--introspect", "--profile", "basic", token["access_token"], "--json"
    )
    assert probe.returncode == 0, probe.stderr
    assert json.loads(probe.stdout)["active"] is False


def test_discover_prints_the_metadata(home: CliHome) -> None:
    raw = home.run("discover", home.peer.issuer, "--json")
    assert raw.returncode == 0, raw.stderr
    assert json.loads(raw.stdout) == home.peer.discovery
    table = home.run("discover", home.peer.issuer)
    assert "token_endpoint" in table.stdout
    assert home.peer.discovery["token_endpoint"] in table.stdout


def test_profiles_shows_the_login_state(home: CliHome) -> None:
    home.seed()
    result = home.run("profiles", "--json")
    data = json.loads(result.stdout)
    states = {p["name"]: p["state"] for p in data["profiles"]}
    assert states["basic"] == "not logged in"
    assert states["peer"].startswith("logged in, expires in")


def test_a_dpop_profile_logs_in_calls_and_renews_with_its_key(home: CliHome) -> None:
    status, _out, err = home.paste_login("dpop")
    assert status == 0, err
    printed = json.loads(home.run("token", "dpop", "--json").stdout)
    assert printed["token_type"] == "DPoP"
    assert printed["dpop_bound"] is True
    assert "oauthkit_dpop_jwk" not in json.dumps(printed)  # the private key stays stored
    userinfo = home.peer.discovery["userinfo_endpoint"]
    assert home.run("request", "dpop", "GET", userinfo).stdout == '{"sub":"test-user"}'
    old = home.expire("dpop")
    renewed = home.run("token", "dpop", "--json")  # the refresh carries a proof of the same key
    assert renewed.returncode == 0, renewed.stderr
    assert json.loads(renewed.stdout)["access_token"] != old
    assert home.run("request", "dpop", "GET", userinfo).returncode == 0


def test_the_keyring_store(home: CliHome) -> None:
    home.config.write_text(
        home.config.read_text().replace(
            f'path = "{home.store_path}"', f'kind = "keyring"\npath = "{home.root}/locks"'
        )
    )
    keychain = {
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
        "XDG_DATA_HOME": str(home.root / "data"),
    }
    home.env.update(keychain)
    status, _out, err = home.paste_login("peer")
    assert status == 0, err
    assert not home.store_path.exists()  # nothing went to the SQLite store
    keyfile = home.root / "data" / "python_keyring" / "keyring_pass.cfg"
    assert "profile_3apeer" in keyfile.read_text()  # the key, escaped by keyrings.alt
    token = home.run("token")
    assert token.returncode == 0, token.stderr
    assert len(token.stdout.strip()) > 20
    assert home.run("logout").returncode == 0
    assert home.run("token").returncode == LOGIN_NEEDED


CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def test_loopback_login_with_headless_chromium(home: CliHome) -> None:
    """``auto`` with a display opens the browser ($BROWSER: headless Chromium, which also asks
    for a favicon and preconnects) on a receiver on 127.0.0.1 at an ephemeral port."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is required for this test: apt-get install chromium")
    pids = home.root / "chromium.pids"
    opener = home.root / "open-browser"
    flags = " ".join(CHROMIUM_FLAGS)
    opener.write_text(
        f'#!/bin/sh\n{chromium} {flags} --user-data-dir={home.root}/chromium-profile "$1"'
        f" >/dev/null 2>&1 </dev/null &\necho $! >> {pids}\n"
    )
    opener.chmod(0o700)
    try:
        result = home.run(
            "login",
            "native",
            "--json",
            BROWSER=f"{opener} %s",
            DISPLAY=":99",
            SSH_TTY="",
            SSH_CONNECTION="",
        )
    finally:
        for pid in pids.read_text().split() if pids.exists() else ():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["mode"] == "loopback"
    assert summary["refresh_token"] is True
    stored = home.store.load("profile:native")
    assert stored is not None
    assert home.run("token", "native").stdout.strip() == stored.token["access_token"]


def test_one_shot_device_grant(home: CliHome) -> None:
    running = home.start(
        "token",
        "--grant",
        "device",
        "--issuer",
        home.peer.issuer,
        "--client-id",
        "public-client",
        "--scope",
        "openid",  # oidc-provider ends a device interaction that asks for no scope
    )
    code = running.wait_for(r"enter the code\s+(\S+)").group(1)
    approve_device(home.peer, code)
    status, out, err = running.finish()
    assert status == 0, err
    assert len(out.strip()) > 20
    assert home.store.load("profile:peer") is None  # one-shot: nothing stored


def test_debug_log_keeps_tokens_out(home: CliHome) -> None:
    token = home.seed()
    result = home.run("--debug", "token", "--force-renew")
    assert result.returncode == 0, result.stderr
    assert "oauthkit" in result.stderr  # the library's debug log is on
    new = result.stdout.strip()
    for secret in (token["access_token"], token["refresh_token"], new):
        assert secret not in result.stderr
