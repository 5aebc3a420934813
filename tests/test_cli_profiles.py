"""``oauthkit profiles add/show/remove``: the configuration file written atomically with mode
0600, checked before it is written, and secrets kept out of it and off the command line (an
environment variable's name, or the keyring, read from stdin or from a prompt that does not
echo, which tmux shows on a real terminal). And the ``[store]`` table's settings (the file and
Redis stores).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit.cli._config import STORE_KINDS, Config, ConfigError, load_config
from oauthkit.stores import SQLiteStore
from tests._cli import SRC

SECRET = "s3cr3t-client-secret-0123456789"


def _env(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(
        OAUTHKIT_CONFIG=str(root / "conf" / "config.toml"),
        PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p),
        PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
        XDG_DATA_HOME=str(root / "data"),  # the keyring file and the default token store
        COLUMNS="200",
        **extra,
    )
    return env


def _cli(root: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "oauthkit", *args],
        env=_env(root),
        input=input,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _config(root: Path) -> Path:
    return root / "conf" / "config.toml"


def _keychain(root: Path, name: str) -> str | None:
    """The client secret the keyring (keyrings.alt's file, as the CLI used it) holds for
    profile ``name``."""
    from keyrings.alt.file import PlaintextKeyring

    backend = PlaintextKeyring()
    backend.file_path = str(root / "data" / "python_keyring" / "keyring_pass.cfg")
    secret: str | None = backend.get_password("oauthkit", f"client_secret:{name}")
    return secret


def _add(root: Path, name: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return _cli(root, "profiles", "add", name, "--client-id", f"{name}-cli", *args, **kw)


def test_add_writes_a_private_file_that_every_command_reads(tmp_path: Path) -> None:
    added = _add(
        tmp_path,
        "work",
        "--issuer",
        "https://login.example.com",
        "--scope",
        "openid offline_access",
        "--scope",
        "email",
        "--redirect-port",
        "8765",
        "--dpop",
        "--json",
    )
    assert added.returncode == 0, added.stderr
    path = _config(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    config = load_config(str(path))
    assert config.default_profile == "work"  # the first profile becomes the default
    profile = config.profile("work")
    assert profile.issuer == "https://login.example.com"
    assert profile.client_id == "work-cli"
    assert profile.scope == ["openid", "offline_access", "email"]
    assert profile.redirect_port == 8765
    assert profile.dpop is True
    shown = json.loads(added.stdout)
    assert shown["settings"]["scope"] == ["openid", "offline_access", "email"]
    assert shown["default"] is True
    assert shown["state"] == "not logged in"
    assert shown["client_secret"] is None
    assert [p.name for p in path.parent.iterdir()] == ["config.toml"]  # no temporary left


def test_add_keeps_other_settings_and_replaces_the_file_atomically(tmp_path: Path) -> None:
    path = _config(tmp_path)
    path.parent.mkdir()
    path.write_text(
        'default_profile = "old"\n[store]\npath = "t.db"\n'
        '[profiles.old]\ntoken_endpoint = "https://a.example/token"\nclient_id = "o"\n'
    )
    path.chmod(0o644)
    before = path.stat().st_ino
    added = _add(tmp_path, "new", "--token-endpoint", "https://b.example/token", "--default")
    assert added.returncode == 0, added.stderr
    assert path.stat().st_ino != before  # a new file renamed over the old one
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = load_config(str(path))
    assert sorted(config.profiles) == ["new", "old"]
    assert config.default_profile == "new"
    assert config.store_path == str(path.parent / "t.db")


def test_add_refuses_to_overwrite_or_to_write_a_broken_file(tmp_path: Path) -> None:
    assert _add(tmp_path, "a", "--issuer", "https://a.example").returncode == 0
    text = _config(tmp_path).read_text()
    again = _add(tmp_path, "a", "--issuer", "https://b.example")
    assert again.returncode == 1
    assert "--replace" in again.stderr
    broken = _add(tmp_path, "b", "--issuer", "https://b.example", "--redirect-path", "cb")
    assert broken.returncode == 1
    assert "redirect_path must start with '/'" in broken.stderr
    neither = _add(tmp_path, "c")
    assert "neither an issuer nor a token_endpoint" in neither.stderr
    assert _config(tmp_path).read_text() == text  # nothing written
    replaced = _add(tmp_path, "a", "--issuer", "https://b.example", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert load_config(str(_config(tmp_path))).profile("a").issuer == "https://b.example"


def test_a_secret_on_the_command_line_is_refused(tmp_path: Path) -> None:
    result = _add(tmp_path, "a", "--issuer", "https://a.example", "--client-secret", SECRET)
    assert result.returncode == 2
    assert SECRET not in result.stderr + result.stdout
    assert "--client-secret-env" in result.stderr
    assert not _config(tmp_path).exists()
    for args, words in (
        (["--client-auth", "client_secret_post"], "needs a client secret"),
        (["--client-secret-env", "X", "--client-secret-keyring"], "exclude each other"),
    ):
        refused = _add(tmp_path, "a", "--issuer", "https://a.example", *args, input=SECRET)
        assert refused.returncode == 2
        assert words in refused.stderr
    assert _keychain(tmp_path, "a") is None
    assert not _config(tmp_path).exists()


def test_a_secret_from_an_environment_variable(tmp_path: Path) -> None:
    added = _add(
        tmp_path,
        "app",
        "--token-endpoint",
        "https://a.example/token",
        "--client-auth",
        "client_secret_post",
        "--client-secret-env",
        "APP_SECRET",
    )
    assert added.returncode == 0, added.stderr
    profile = load_config(str(_config(tmp_path))).profile("app")
    assert profile.client_secret_env == "APP_SECRET"
    assert profile.client_auth == "client_secret_post"
    shown = json.loads(_cli(tmp_path, "profiles", "show", "app", "--json").stdout)
    assert shown["client_secret"] == "environment variable APP_SECRET"


def test_a_secret_from_stdin_goes_to_the_keyring_only(tmp_path: Path) -> None:
    added = _add(
        tmp_path,
        "kr",
        "--issuer",
        "https://a.example",
        "--client-auth",
        "client_secret_basic",
        "--client-secret-keyring",
        input=SECRET + "\n",
    )
    assert added.returncode == 0, added.stderr
    assert SECRET not in _config(tmp_path).read_text()
    assert SECRET not in added.stdout + added.stderr
    assert _keychain(tmp_path, "kr") == SECRET
    read = _cli(tmp_path, "profiles", "show", "kr", "--json")
    assert json.loads(read.stdout)["client_secret"].startswith("keyring: service oauthkit")
    # what a command that needs the secret gets: the profile reads it back from the keyring
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from oauthkit.cli._config import load_config;"
            "print(load_config().profile('kr').client_secret())",
        ],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip() == SECRET
    empty = _add(tmp_path, "none", "--issuer", "https://a.example", "--client-secret-keyring")
    assert empty.returncode == 1
    assert "no client secret given" in empty.stderr
    assert "none" not in load_config(str(_config(tmp_path))).profiles


def test_show_and_list(tmp_path: Path) -> None:
    _add(tmp_path, "one", "--issuer", "https://a.example")
    _add(tmp_path, "two", "--token-endpoint", "https://b.example/token")
    store = SQLiteStore(tmp_path / "data" / "oauthkit" / "tokens.db")
    store.save("profile:two", {"access_token": "at", "expires_at": time.time() + 600}, version=None)
    table = _cli(tmp_path, "profiles", "show", "two")
    assert table.returncode == 0, table.stderr
    assert "https://b.example/token" in table.stdout
    assert "logged in, expires in" in table.stdout
    listed = json.loads(_cli(tmp_path, "profiles", "--json").stdout)
    assert [p["name"] for p in listed["profiles"]] == ["one", "two"]
    assert listed["profiles"][0]["default"] is True
    missing = _cli(tmp_path, "profiles", "show", "three")
    assert missing.returncode == 1
    assert "no profile 'three'" in missing.stderr
    assert _cli(tmp_path, "profiles", "--path").stdout.strip() == str(_config(tmp_path))


def test_remove_forgets_the_profile_its_secret_and_its_token(tmp_path: Path) -> None:
    _add(tmp_path, "keep", "--issuer", "https://a.example")
    _add(
        tmp_path,
        "gone",
        "--issuer",
        "https://a.example",
        "--client-secret-keyring",
        "--default",
        input=SECRET,
    )
    store = SQLiteStore(tmp_path / "data" / "oauthkit" / "tokens.db")
    for name in ("keep", "gone"):
        store.save(f"profile:{name}", {"access_token": f"at-{name}"}, version=None)
    assert _keychain(tmp_path, "gone") == SECRET
    removed = _cli(tmp_path, "profiles", "remove", "gone", "--json")
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout) == {
        "profile": "gone",
        "removed": True,
        "token_forgotten": True,
    }
    config = load_config(str(_config(tmp_path)))
    assert list(config.profiles) == ["keep"]
    assert config.default_profile is None  # it was the default
    assert store.load("profile:gone") is None
    assert store.load("profile:keep") is not None
    assert _keychain(tmp_path, "gone") is None
    kept = _cli(tmp_path, "profiles", "remove", "keep", "--keep-token", "--json")
    assert json.loads(kept.stdout)["token_forgotten"] is False
    assert store.load("profile:keep") is not None
    assert _cli(tmp_path, "profiles", "remove", "keep").returncode == 1  # no such profile now


def test_the_secret_prompt_does_not_echo_on_a_terminal(tmp_path: Path) -> None:
    from tests.test_cli_terminal import Terminal

    if shutil.which("tmux") is None:
        pytest.fail("tmux is required for this test: apt-get install tmux")
    env = _env(tmp_path)
    del env["COLUMNS"]  # the terminal's own width
    term = Terminal(tmp_path, env)
    try:
        term.type(
            f"{sys.executable} -m oauthkit profiles add tty --issuer https://a.example "
            "--client-id tty-cli --client-secret-keyring; echo EXIT=$?"
        )
        term.wait_for(r"Client secret:")
        term.type(SECRET)
        term.wait_for(r"EXIT=0")
        screen = term.screen()
    finally:
        term.close()
    assert SECRET not in screen  # typed, never echoed
    assert "Added profile tty" in screen
    assert _keychain(tmp_path, "tty") == SECRET


# -- the [store] table's settings -----------------------------------------------------------------

_store_values = st.none() | st.booleans() | st.integers() | st.text(max_size=30)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "kind": st.sampled_from([*STORE_KINDS, "memory"]) | _store_values,
            "path": _store_values,
            "url": st.sampled_from(["redis://h:6379/0", "redis://:pw@h/0", "http://h"])
            | _store_values,
            "url_env": st.sampled_from(["HOME", "OAUTHKIT_TEST_UNSET_VARIABLE"]) | _store_values,
        },
    )
)
def test_any_store_table_gives_a_config_or_a_config_error(store: dict[str, Any]) -> None:
    table = {k: v for k, v in store.items() if v is not None}
    try:
        config = Config("c.toml", {"store": table})
    except ConfigError as exc:
        problem = exc
    else:
        problem = None
    if problem is not None:
        assert "pw@" not in str(problem) + problem.hint  # a URL's password is never repeated
        return
    assert config.store_kind in STORE_KINDS
    if config.store_kind == "redis":
        assert config.store_url is not None


def test_a_redis_store_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[store]\nkind = "redis"\nurl_env = "TOKENS_REDIS"\n')
    with pytest.raises(ConfigError, match="TOKENS_REDIS is not set"):
        load_config(str(path))
    monkeypatch.setenv("TOKENS_REDIS", "redis://:pw@cache:6379/0")
    assert load_config(str(path)).store_url == "redis://:pw@cache:6379/0"
    path.write_text('[store]\nkind = "redis"\nurl = "redis://:hunter2@cache:6379/0"\n')
    with pytest.raises(ConfigError) as refused:
        load_config(str(path))
    assert "hunter2" not in str(refused.value)
    assert "url_env" in refused.value.hint
