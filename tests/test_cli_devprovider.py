"""``oauthkit dev-provider``'s flags for the CLI (issue #12): fixed client credentials, the
access tokens' lifetime, and ``-v`` request logging (paths only); and one-shot grants of
``oauthkit token`` against it (oidc-provider has no password grant).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._cli import SRC
from tests.test_cli import _finish, _read_banner, _start

SECRET = "fixed-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[subprocess.Popen[str], dict[str, str]]]:
    process = _start(
        "--client-id",
        "fixed-client",
        "--public-client-id",
        "fixed-public",
        "--token-lifetime",
        "120",
        "-v",
        "--rsa-key-out",
        os.devnull,
    )
    try:
        _, rows = _read_banner(process)
        yield process, rows
    finally:
        _finish(process)


def _token(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p),
        "OAUTHKIT_CONFIG": str(Path(os.devnull)),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "oauthkit", "token", *args, "--json"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_fixed_credentials_and_the_token_lifetime(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    _, rows = served
    assert rows["fixed client ID"] == "fixed-client"
    assert rows["fixed public client"] == "fixed-public"
    secret = rows["fixed client secret"]
    result = _token(
        "--grant",
        "client_credentials",
        "--token-url",
        rows["token endpoint"],
        "--client-id",
        "fixed-client",
        OAUTHKIT_CLIENT_SECRET=secret,
    )
    assert result.returncode == 0, result.stderr
    assert 110 <= json.loads(result.stdout)["expires_in"] <= 120


def test_a_fixed_secret_from_the_environment() -> None:
    env = {**os.environ, "OAUTHKIT_DEV_CLIENT_SECRET": SECRET, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "oauthkit", "dev-provider", "--client-id", "env-client"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _, rows = _read_banner(process)
    finally:
        _finish(process)
    assert rows["fixed client secret"] == SECRET


def test_password_grant_and_request_log(
    served: tuple[subprocess.Popen[str], dict[str, str]],
) -> None:
    process, rows = served
    result = _token(
        "--grant",
        "password",
        "--token-url",
        rows["token endpoint"],
        "--client-id",
        rows["basic client ID"],
        "--username",
        rows["username"],
        OAUTHKIT_CLIENT_SECRET=rows["basic client secret"],
        OAUTHKIT_PASSWORD=rows["password"],
    )
    assert result.returncode == 0, result.stderr
    token = json.loads(result.stdout)
    assert token["refresh_token"]
    process.terminate()  # the log is complete once it stops
    _, log = process.communicate(timeout=30)
    assert "POST /oauth2/token" in log
    for secret in (rows["password"], rows["basic client secret"], token["access_token"]):
        assert secret not in log


def test_a_password_grant_without_a_password_is_a_usage_error() -> None:
    result = _token("--grant", "password", "--token-url", "https://a/t", "--client-id", "c")
    assert result.returncode == 2
    assert "--username and --password" in result.stderr
