"""The CLI without a server: configuration, the ``token`` fast path, exit statuses, output
conventions (``--json``, ``NO_COLOR``, a closed pipe, an ASCII-only terminal).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import platformdirs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit import Token, TokenManager
from oauthkit._oauth2._stored import DPOP_KEY
from oauthkit.cli import _config, _fast
from oauthkit.cli._config import Config, ConfigError, load_config, user_dir
from oauthkit.cli._output import local_time, relative
from oauthkit.stores import SQLiteStore
from tests._cli import SRC

COLOUR = re.compile(r"\x1b\[[0-9;]*(3[0-8]|9[0-7])[0-9;]*m")  # SGR foreground colours
PROFILE = """default_profile = "api"
[store]
path = "{store}"
[profiles.api]
token_endpoint = "https://login.example.com/token"
client_id = "cli"
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env.update(
        OAUTHKIT_CONFIG=str(tmp_path / "config.toml"),
        PYTHONPATH=os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p),
    )
    env.update(extra)
    return env


def _cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "oauthkit", *args],
        env=_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def configured(tmp_path: Path) -> SQLiteStore:
    (tmp_path / "config.toml").write_text(PROFILE.format(store=tmp_path / "tokens.db"))
    return SQLiteStore(tmp_path / "tokens.db")


def _save(store: SQLiteStore, lifetime: float = 3600, **extra: Any) -> dict[str, Any]:
    now = time.time()
    token = Token("at-" + "x" * 20, expires_at=now + lifetime, refresh_token="rt", issued_at=now)
    data = {**token.to_dict(now=token.issued_at), **extra}
    store.save("profile:api", data, version=None)
    return data


# -- configuration -----------------------------------------------------------------------------


def test_a_secret_in_the_config_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[profiles.x]\ntoken_endpoint = "https://a/t"\nclient_secret = "s3cr3t"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(str(path))
    assert "must not be written in the config" in str(caught.value)
    assert "s3cr3t" not in str(caught.value)
    assert "client_secret_env" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[profiles.x]\nclient_id = 'a'\n", "neither an issuer nor a token_endpoint"),
        ("[profiles.x]\nissuer = 'https://a'\ncolour = 1\n", "unknown setting 'colour'"),
        ("[profiles.x]\nissuer = 'https://a'\nscope = 3\n", "scope must be"),
        ("[profiles.x]\nissuer = 'https://a'\nredirect_port = 70000\n", "redirect_port"),
        ("[profiles.x]\nissuer = 'https://a'\ndpop = 'yes'\n", "dpop must be true or false"),
        ("[store]\nkind = 'memory'\n", "store kind"),
        ("[store]\nkind = 'redis'\n", "url or url_env"),
        ("[store]\nkind = 'redis'\nurl = 'redis://:pw@h/0'\n", "holds a password"),
        ("surprise = 1\n", "unknown top-level setting"),
        ("[profiles\n", "not valid TOML"),
    ],
)
def test_config_errors_name_the_problem(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=words):
        load_config(str(path))


def test_profiles_default_and_scope_forms(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        "[profiles.one]\nissuer = 'https://a.example'\nscope = 'openid email'\n"
        "client_secret_env = 'ONE_SECRET'\n"
    )
    config = load_config(str(path))
    profile = config.profile(None)  # the only profile is the default
    assert profile.name == "one"
    assert profile.scope == ["openid", "email"]
    with pytest.raises(ConfigError, match="ONE_SECRET is not set"):
        profile.client_secret()
    os.environ["ONE_SECRET"] = "from-env"
    try:
        assert profile.client_secret() == "from-env"
    finally:
        del os.environ["ONE_SECRET"]
    with pytest.raises(ConfigError, match="no profile 'two'"):
        config.profile("two")


def test_a_missing_config_file_is_an_empty_configuration(tmp_path: Path) -> None:
    config = load_config(str(tmp_path / "absent.toml"))
    assert config.profiles == {}
    with pytest.raises(ConfigError, match="no profiles"):
        config.profile(None)


_toml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["default_profile", "store", "profiles", "x"]), _toml_values)
)
def test_any_document_gives_a_config_or_a_config_error(data: dict[str, Any]) -> None:
    with contextlib.suppress(ConfigError):
        Config("c.toml", {k: v for k, v in data.items() if v is not None})


@pytest.mark.parametrize("kind", ["config", "data"])
@pytest.mark.parametrize("xdg", [None, "", "relative/dir", "/abs/xdg"])
def test_user_dir_agrees_with_platformdirs(
    monkeypatch: pytest.MonkeyPatch, kind: str, xdg: str | None
) -> None:
    variable = "XDG_CONFIG_HOME" if kind == "config" else "XDG_DATA_HOME"
    if xdg is None:
        monkeypatch.delenv(variable, raising=False)
    else:
        monkeypatch.setenv(variable, xdg)
    find = platformdirs.user_config_dir if kind == "config" else platformdirs.user_data_dir
    assert user_dir(kind) == find("oauthkit", appauthor=False)


# -- the fast path ------------------------------------------------------------------------------


def test_the_fast_path_reads_what_the_store_wrote(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "t.db")
    data = _save(store)
    assert _fast.read_record(str(tmp_path / "t.db"), "profile:api") == data
    assert _fast.read_record(str(tmp_path / "t.db"), "profile:other") is None
    assert _fast.read_record(str(tmp_path / "absent.db"), "profile:api") is None
    assert _fast.DPOP_KEY == DPOP_KEY


def test_the_fast_path_leaves_encrypted_records_to_the_store(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    store = SQLiteStore(tmp_path / "t.db", encryption_key=Fernet.generate_key())
    _save(store)
    assert _fast.read_record(str(tmp_path / "t.db"), "profile:api") is None


_RECORDS = st.fixed_dictionaries(
    {},
    optional={
        "schema": st.sampled_from([1, 2, "1", None]),
        "key": st.sampled_from(["k", "other", 1]),
        "version": st.sampled_from([1, True, "1", 1.5]),
        "sealed": st.text(max_size=3),
        "token": _toml_values,
    },
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=100) | st.text(max_size=100) | _RECORDS.map(json.dumps))
def test_the_fast_path_reads_any_row_as_a_token_or_none(row: bytes | str) -> None:
    import sqlite3
    import tempfile

    where = tempfile.mkdtemp()
    path = os.path.join(where, "t.db")
    SQLiteStore(path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO oauthkit_tokens VALUES ('k', 1, ?)", (row,))
    found = _fast.read_record(path, "k")
    assert found is None or isinstance(found["access_token"], str)
    for name in os.listdir(where):
        os.unlink(os.path.join(where, name))
    os.rmdir(where)


@pytest.mark.parametrize("lifetime", [5, 60, 119, 121, 3600])
@pytest.mark.parametrize("age", [0, 2, 3, 30, 59, 61, 3540, 3541, 4000])
def test_the_fast_path_renews_when_the_manager_would(lifetime: int, age: int) -> None:
    issued = 1_000_000.0
    token = Token("at", expires_at=issued + lifetime, refresh_token="rt", issued_at=issued)
    now = issued + age
    manager = TokenManager(
        "c", token_endpoint="https://a/t", leeway=_fast.LEEWAY, clock=lambda: now
    )
    due = _fast.renew_at(token.to_dict(now=issued))
    assert due is not None
    assert (now >= due) == manager.should_renew(token)


def test_json_view_hides_the_dpop_key_and_tells_the_expiry() -> None:
    view = _fast.token_view({"access_token": "a", "expires_at": 1000, DPOP_KEY: {"d": "x"}}, 400)
    assert DPOP_KEY not in view
    assert view["dpop_bound"] is True
    assert view["expires_in"] == 600
    assert view["expires"] == "1970-01-01T00:16:40Z"


def test_the_fast_path_imports_no_cli_library(tmp_path: Path, configured: SQLiteStore) -> None:
    data = _save(configured)
    code = (
        "import sys; from oauthkit.cli import main; status = main(['token']);"
        "loaded = sorted({m.split('.')[0] for m in sys.modules} & "
        "{'click', 'rich', 'httpx', 'joserfc', 'requests', 'platformdirs', 'segno'});"
        "print(status, loaded)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", code], env=_env(tmp_path), capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [data["access_token"], "0 []"]


# -- exit statuses and output conventions ----------------------------------------------------


def test_token_without_a_login_says_login_needed(tmp_path: Path, configured: SQLiteStore) -> None:
    result = _cli(tmp_path, "token")
    assert result.returncode == 3
    assert result.stderr == "oauthkit: error: not logged in to 'api'\n  hint: oauthkit login api\n"


def test_exit_statuses(tmp_path: Path, configured: SQLiteStore) -> None:
    assert _cli(tmp_path, "token", "nope").returncode == 1  # no such profile
    assert _cli(tmp_path, "token", "--no-such-option").returncode == 2
    assert _cli(tmp_path, "token", "--audience", "x").returncode == 2  # one-shot only
    assert _cli(tmp_path, "request", "FETCH", "https://a").returncode == 2
    assert _cli(tmp_path, "inspect", "not-a-jwt").returncode == 1
    expired = _save(configured, lifetime=1)
    record = configured.load("profile:api")
    assert record is not None
    gone = {**expired, "expires_at": time.time() - 100, "refresh_token": None}
    configured.save("profile:api", {k: v for k, v in gone.items() if v}, version=record.version)
    assert _cli(tmp_path, "token").returncode == 3  # expired, no refresh token


def test_errors_are_one_line_without_traceback_unless_debug(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[profiles.x]\ntoken_endpoint = 'https://a/t'\n")
    plain = _cli(tmp_path, "token")
    assert plain.returncode == 1
    assert "Traceback" not in plain.stderr
    assert plain.stderr.startswith("oauthkit: error: profile 'x' has no client_id")
    debug = _cli(tmp_path, "--debug", "token")
    assert "Traceback" in debug.stderr


def test_token_json_is_valid_json(tmp_path: Path, configured: SQLiteStore) -> None:
    data = _save(configured, scope=["read"])
    result = _cli(tmp_path, "token", "--json")
    view = json.loads(result.stdout)
    assert view["access_token"] == data["access_token"]
    assert view["scope"] == ["read"]
    assert 3500 < view["expires_in"] <= 3600


def test_every_data_command_takes_json(tmp_path: Path, configured: SQLiteStore) -> None:
    _save(configured)
    listed = json.loads(_cli(tmp_path, "profiles", "--json").stdout)
    assert listed["profiles"][0]["name"] == "api"
    header = "eyJhbGciOiJSUzI1NiJ9"
    claims = "eyJzdWIiOiJaby1cdTAwZWIiLCJleHAiOjQxMDI0NDQ4MDB9"
    decoded = json.loads(_cli(tmp_path, "inspect", f"{header}.{claims}.c2ln", "--json").stdout)
    assert decoded["claims"]["sub"] == "Zo-\u00eb"


def test_a_closed_pipe_ends_quietly(tmp_path: Path, configured: SQLiteStore) -> None:
    _save(configured)
    for command in ("token", "profiles"):
        shell = f"{sys.executable} -m oauthkit {command} | head -c1"
        result = subprocess.run(  # noqa: S603 - a fixed pipeline of our own
            ["/bin/bash", "-c", f"set -o pipefail; {shell}; echo status=$?"],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.stderr == "", result.stderr
        assert "status=0" in result.stdout


@pytest.mark.parametrize(
    "args", [("token",), ("token", "--json"), ("profiles",), ("profiles", "--json"), ("--help",)]
)
def test_a_reader_gone_before_the_output_is_no_crash(
    tmp_path: Path, configured: SQLiteStore, args: tuple[str, ...]
) -> None:
    _save(configured)
    read, write = os.pipe()
    os.close(read)  # every write to the pipe fails with EPIPE
    try:
        result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
            [sys.executable, "-m", "oauthkit", *args],
            env=_env(tmp_path),
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


def test_no_color_and_ascii_terminals(tmp_path: Path, configured: SQLiteStore) -> None:
    _save(configured)
    header = "eyJhbGciOiJSUzI1NiJ9"
    claims = "eyJzdWIiOiJaby1cdTAwZWIiLCJleHAiOjQxMDI0NDQ4MDB9"  # sub: "Zo-ë"
    jwt = f"{header}.{claims}.c2ln"
    styled = _cli(tmp_path, "inspect", jwt, FORCE_COLOR="1", NO_COLOR="1")
    assert "\x1b[" in styled.stdout  # bold and italic stay: NO_COLOR is about colour
    assert not COLOUR.search(styled.stdout)
    piped = _cli(tmp_path, "inspect", jwt)
    assert "\x1b[" not in piped.stdout  # not a terminal: no escapes at all
    ascii_only = _cli(tmp_path, "inspect", jwt, LANG="C", LC_ALL="C", PYTHONIOENCODING="ascii")
    assert ascii_only.returncode == 0, ascii_only.stderr
    assert ascii_only.stdout.isascii()
    assert "Zo-\\xeb" in ascii_only.stdout
    assert "+--" in ascii_only.stdout or "| sub" in ascii_only.stdout  # ASCII table lines


def test_relative_and_local_times() -> None:
    assert relative(240) == "in 4 min"
    assert relative(-12) == "12 s ago"
    assert relative(2 * 3600 + 300) == "in 2 h 5 min"
    assert relative(-3 * 86400) == "3 d ago"
    assert local_time(1000, now=1000).endswith("(in 0 s)")


def test_shell_completion_is_clicks(tmp_path: Path) -> None:
    result = _cli(tmp_path, _OAUTHKIT_COMPLETE="bash_source")
    assert result.returncode == 0
    assert "_OAUTHKIT_COMPLETE=bash_complete" in result.stdout


def test_config_module_loads_nothing_heavy() -> None:
    assert "platformdirs" not in _config.__dict__
