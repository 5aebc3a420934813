"""The ``oauthkit`` command: ``dev-provider`` in a real subprocess, ``demo`` in-process."""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from requests_oauthlib import OAuth1

from oauthkit import OAuthError
from oauthkit.cli import _dev_provider, main
from oauthkit.cli._demo import Printer, run_demo, shorten
from oauthkit.devserver import DevProvider
from oauthkit.oauth1 import OAuth1Signer

_ROW = re.compile(r"^  (.+?)\s{2,}(\S.*)$")


def _start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, "-m", "oauthkit", "dev-provider", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_banner(process: subprocess.Popen[str]) -> tuple[list[str], dict[str, str]]:
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Serving"):
            break
    else:
        raise AssertionError("the command printed no banner:\n" + "\n".join(lines))
    rows = {}
    for line in lines:
        match = _ROW.match(line)
        if match:
            rows[match.group(1)] = match.group(2)
    return lines, rows


def _finish(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], list[str], dict[str, str]]]:
    process = _start("--rsa-key-out", str(tmp_path / "rsa.pem"))
    try:
        lines, rows = _read_banner(process)
        yield process, lines, rows
    finally:
        _finish(process)


def test_dev_provider_prints_urls_and_working_credentials(
    served: tuple[subprocess.Popen[str], list[str], dict[str, str]], tmp_path: Path
) -> None:
    process, lines, rows = served
    assert lines[0].startswith("oauthkit dev provider listening on http://127.0.0.1:")
    base = lines[0].rsplit(" ", 1)[1]
    assert rows["request token URL"] == base + "/oauth1/request_token"
    assert rows["authorize URL"] == base + "/oauth1/authorize"
    assert rows["access token URL"] == base + "/oauth1/access_token"
    assert rows["resource URL"] == base + "/oauth1/resource"

    # The printed credentials are the real ones: sign with them and get through.
    auth = OAuth1(
        rows["client key"],
        rows["client secret"],
        rows["access token"],
        rows["access token secret"],
    )
    assert requests.get(rows["resource URL"], auth=auth, timeout=10).status_code == 200

    # The OpenID Connect URLs it prints are served: discovery names the rest.
    discovery = requests.get(rows["OpenID discovery"], timeout=10).json()
    assert discovery["issuer"] == rows["issuer"]
    assert discovery["jwks_uri"] == rows["JWK Set"]
    assert discovery["userinfo_endpoint"] == rows["userinfo endpoint"]
    assert discovery["end_session_endpoint"] == rows["logout endpoint"]
    assert requests.get(rows["JWK Set"], timeout=10).json()["keys"]

    key_file = tmp_path / "rsa.pem"
    assert rows["RSA private key"] == f"written to {key_file}"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    signer = OAuth1Signer(
        rows["RSA client key"],
        signature_method="RSA-SHA1",
        rsa_key=key_file.read_text(),
        callback_uri="oob",
    )
    signed = signer.sign("POST", rows["request token URL"])
    reply = requests.post(signed.url, headers=dict(signed.headers), timeout=10)
    assert reply.status_code == 200, reply.text

    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    assert "Stopped." in out


def test_dev_provider_stops_on_ctrl_c_and_prints_the_pem() -> None:
    process = _start()
    try:
        lines, rows = _read_banner(process)
        assert rows["RSA private key"] == "(PEM below)"
        assert "-----BEGIN PRIVATE KEY-----" in lines
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        _finish(process)
    assert process.returncode == 0, err
    assert "Stopped." in out
    assert "Traceback" not in err


def test_dev_provider_port_option() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = _start("--port", str(port))
    try:
        lines, _ = _read_banner(process)
        assert lines[0].endswith(f"http://127.0.0.1:{port}")
        process.terminate()
        out, _ = process.communicate(timeout=30)
        assert process.returncode == 0
        assert "Stopped." in out
    finally:
        _finish(process)


def test_dev_provider_banner_in_process() -> None:
    stop = threading.Event()
    stop.set()  # return as soon as the banner is out
    out = io.StringIO()
    assert _dev_provider("127.0.0.1", 0, None, out, stop) == 0
    text = out.getvalue()
    assert "/oauth1/request_token" in text
    assert "-----BEGIN PRIVATE KEY-----" in text
    assert text.rstrip().endswith("Stopped.")


def test_dev_provider_reports_a_busy_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["dev-provider", "--port", str(busy.getsockname()[1])]) == 1
    assert "oauthkit: error:" in capsys.readouterr().err


def test_dev_provider_refuses_non_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["dev-provider", "--host", "192.0.2.1"]) == 1
    assert "loopback" in capsys.readouterr().err


def test_demo_runs_every_step(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    for step in (
        "1. Request token",
        "2. Authorize",
        "3. Verifier",
        "4. Access token",
        "5. Signed GET",
        "6. Signed POST",
    ):
        assert step in out
    assert "302 redirect to /callback?oauth_token=" in out
    assert "echoed query greeting=hello" in out
    assert "echoed form note=signed body" in out
    assert out.rstrip().endswith("verified every step.")
    oauth2 = out[out.index("== OAuth 2") :]
    for step in (
        "1. Authorization URL",
        "2. Approval",
        "3. Token",
        "4. Protected call",
        "5. Refresh",
    ):
        assert step in oauth2
    assert "401 invalid_token -> 1 refresh -> retried: 200; token_updater called 1 time(s)" in out
    oidc = out[out.index("== OpenID Connect") :]
    for step in ("1. Discovery", "3. Token", "4. UserInfo", "5. Key rotation", "6. Logout"):
        assert step in oidc
    assert "nonce, at_hash checked; sub=dev-user" in oidc
    assert "refetched the JWK Set 1 time(s) and succeeded" in oidc
    # Tokens appear shortened only: oauthlib issues 30-character tokens.
    assert not re.search(r"[0-9a-f]{30}", out)


@pytest.mark.parametrize("method", ["RSA-SHA512", "PLAINTEXT"])
def test_demo_with_other_signature_methods(capsys: pytest.CaptureFixture[str], method: str) -> None:
    assert main(["demo", "--signature-method", method]) == 0
    assert f"verified {method} (AUTH_HEADER)" in capsys.readouterr().out


def test_demo_reports_a_failing_step() -> None:
    def failing(provider: DevProvider, printer: Printer) -> None:
        printer.heading("broken flow")
        printer.step("Refused", "POST " + provider.request_token_url)
        raise OAuthError("the provider said no")

    out = io.StringIO()
    assert run_demo(out, sections=[failing]) == 1
    text = out.getvalue()
    assert "1. Refused" in text
    assert "POST /oauth1/request_token" in text
    assert "FAILED: OAuthError: the provider said no" in text


def test_shorten() -> None:
    assert shorten("abcdefghij") == "abcdef…"
    assert shorten("abc") == "abc"


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2
    assert "COMMAND" in capsys.readouterr().err


def test_python_dash_m_oauthkit() -> None:
    from oauthkit import __version__

    out = subprocess.run(
        [sys.executable, "-m", "oauthkit", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert out.stdout.strip() == f"oauthkit {__version__}"


def test_without_the_cli_extra_the_command_names_it() -> None:
    """click missing (the ``cli`` extra not installed): one line naming the extra, no
    traceback, exit status 1."""
    import subprocess

    script = (
        "import sys; sys.modules['click'] = None\n"
        "from oauthkit.cli import main\n"
        "raise SystemExit(main(['demo']))\n"
    )
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    assert "pip install 'oauthkit[cli]'" in done.stderr
    assert "click" in done.stderr
    assert "Traceback" not in done.stderr
