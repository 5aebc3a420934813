"""The CLI's configuration: a TOML file of profiles, in the platform's config directory.

The file is ``$OAUTHKIT_CONFIG`` when set, else ``config.toml`` in ``platformdirs``'s user
config directory for ``oauthkit``. Example::

    default_profile = "work"

    [store]                    # where tokens live (optional)
    kind = "sqlite"            # "sqlite" (the default), "keyring", "file" or "redis"
    path = "tokens.db"         # relative to this file; default: the platform's data directory
    url_env = "TOKENS_REDIS"   # redis: the URL from this variable (or url = "redis://host/0")

    [profiles.work]
    issuer = "https://login.example.com"   # discovered (OIDC Discovery, RFC 8414) ...
    token_endpoint = "https://..."         # ... or named: any *_endpoint member overrides
    client_id = "my-cli"
    client_auth = "none"                   # client_secret_basic, client_secret_post, ...
    client_secret_env = "WORK_SECRET"      # the secret comes from the environment ...
    client_secret_keyring = false          # ... or the keyring (service "oauthkit")
    scope = ["openid", "offline_access"]
    redirect_port = 0                      # loopback login port; 0 picks a free one
    redirect_path = "/callback"            # the registered loopback redirect URI's path
    dpop = false                           # bind tokens to a DPoP key (RFC 9449)
    resource = "https://api.example.com"   # RFC 8707 resource indicator

Secrets are never read from the file: a ``client_secret`` member is refused. This module is
read by the ``token`` fast path too, so it imports only the standard library (``platformdirs``
lazily, where :func:`user_dir` needs it).
"""

from __future__ import annotations

import os
import sys

__all__ = [
    "ENDPOINTS",
    "STORE_KINDS",
    "Config",
    "ConfigError",
    "Profile",
    "config_path",
    "load_config",
    "read_document",
    "store_key",
    "user_dir",
]

ENDPOINTS = (
    "authorization_endpoint",
    "token_endpoint",
    "device_authorization_endpoint",
    "revocation_endpoint",
    "introspection_endpoint",
    "userinfo_endpoint",
)
_PROFILE_KEYS = frozenset(
    {
        "issuer",
        "client_id",
        "client_auth",
        "client_secret_env",
        "client_secret_keyring",
        "scope",
        "redirect_port",
        "redirect_path",
        "dpop",
        "resource",
        *ENDPOINTS,
    }
)
STORE_KINDS = ("sqlite", "keyring", "file", "redis")
_SECRET_KEYS = frozenset({"client_secret", "password", "refresh_token", "access_token"})


class ConfigError(Exception):
    """The configuration file is missing, unreadable or wrong (exit status 1, with a hint)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class Profile:
    """One ``[profiles.NAME]`` table, checked."""

    __slots__ = (
        "client_auth",
        "client_id",
        "client_secret_env",
        "client_secret_keyring",
        "dpop",
        "endpoints",
        "issuer",
        "name",
        "redirect_path",
        "redirect_port",
        "resource",
        "scope",
    )

    def __init__(self, name: str, table: dict[str, object]) -> None:
        where = f"profile {name!r}"
        for key in table:
            if key in _SECRET_KEYS:
                raise ConfigError(
                    f"{where}: {key} must not be written in the config file",
                    f'set {key}_env = "VARIABLE" and export the secret, or use the keyring',
                )
            if key not in _PROFILE_KEYS:
                raise ConfigError(f"{where}: unknown setting {key!r}", _known())
        self.name = name
        self.issuer = _opt_str(table, "issuer", where)
        self.client_id = _opt_str(table, "client_id", where)
        self.client_auth = _opt_str(table, "client_auth", where)
        self.client_secret_env = _opt_str(table, "client_secret_env", where)
        self.client_secret_keyring = _bool(table, "client_secret_keyring", where)
        self.dpop = _bool(table, "dpop", where)
        self.resource = _opt_str(table, "resource", where)
        scope = table.get("scope")
        if isinstance(scope, str):
            scope = scope.split()
        if scope is not None and (
            not isinstance(scope, list) or not all(isinstance(s, str) for s in scope)
        ):
            raise ConfigError(f"{where}: scope must be a string or a list of strings")
        self.scope: list[str] | None = scope
        port = table.get("redirect_port", 0)
        if type(port) is not int or not 0 <= port <= 65535:
            raise ConfigError(f"{where}: redirect_port must be a port number (0: any free one)")
        self.redirect_port = port
        path = _opt_str(table, "redirect_path", where) or "/callback"
        if not path.startswith("/"):
            raise ConfigError(f"{where}: redirect_path must start with '/'")
        self.redirect_path = path
        self.endpoints = {k: v for k in ENDPOINTS if (v := _opt_str(table, k, where)) is not None}
        if self.issuer is None and "token_endpoint" not in self.endpoints:
            raise ConfigError(
                f"{where} has neither an issuer nor a token_endpoint",
                'add issuer = "https://..." (discovered) or token_endpoint = "https://..."',
            )

    def client_secret(self) -> str | None:
        """The client secret from the environment or the keyring, if the profile names one."""
        if self.client_secret_env:
            value = os.environ.get(self.client_secret_env)
            if not value:
                raise ConfigError(
                    f"profile {self.name!r}: the environment variable "
                    f"{self.client_secret_env} is not set",
                    f"export {self.client_secret_env}=... (the client secret)",
                )
            return value
        if self.client_secret_keyring:
            import keyring

            value = keyring.get_password("oauthkit", f"client_secret:{self.name}")
            if not value:
                raise ConfigError(
                    f"profile {self.name!r}: no client secret in the keyring",
                    f"keyring set oauthkit client_secret:{self.name}",
                )
            return str(value)
        return None


class Config:
    """The whole file: profiles, the default profile and the token store's settings."""

    __slots__ = ("default_profile", "path", "profiles", "store_kind", "store_path", "store_url")

    def __init__(self, path: str, data: dict[str, object]) -> None:
        self.path = path
        for key in data:
            if key not in ("default_profile", "store", "profiles"):
                raise ConfigError(
                    f"{path}: unknown top-level setting {key!r}",
                    "top-level settings: default_profile, [store], [profiles.NAME]",
                )
        default = data.get("default_profile")
        if default is not None and not isinstance(default, str):
            raise ConfigError(f"{path}: default_profile must be a string")
        self.default_profile = default
        store = data.get("store", {})
        if not isinstance(store, dict) or not set(store) <= {"kind", "path", "url", "url_env"}:
            raise ConfigError(f"{path}: [store] takes kind, path, url and url_env")
        kind = store.get("kind", "sqlite")
        if kind not in STORE_KINDS:
            raise ConfigError(
                f"{path}: store kind must be one of {', '.join(STORE_KINDS)}, not {kind!r}"
            )
        self.store_kind: str = kind
        where = store.get("path")
        if where is not None and not isinstance(where, str):
            raise ConfigError(f"{path}: the store path must be a string")
        if where is not None:
            where = os.path.join(os.path.dirname(os.path.abspath(path)), os.path.expanduser(where))
        self.store_path: str | None = where
        self.store_url = _store_url(path, store) if kind == "redis" else None
        tables = data.get("profiles", {})
        if not isinstance(tables, dict):
            raise ConfigError(f"{path}: profiles must be tables: [profiles.NAME]")
        self.profiles: dict[str, Profile] = {}
        for name, table in tables.items():
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: profiles.{name} must be a table")
            self.profiles[name] = Profile(name, table)

    def profile(self, name: str | None) -> Profile:
        """The profile called ``name``; without one, the default (or the only) profile."""
        if name is None:
            name = self.default_profile
            if name is None and len(self.profiles) == 1:
                name = next(iter(self.profiles))
            if name is None:
                raise ConfigError(
                    "no profile named and no default_profile in the config"
                    if self.profiles
                    else f"no profiles in {self.path}",
                    "see `oauthkit profiles`; the format is in docs/cli.md",
                )
        found = self.profiles.get(name)
        if found is None:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(f"no profile {name!r} in {self.path} (profiles: {known})")
        return found

    def token_store_path(self) -> str:
        """The SQLite store's file, the file store's directory, or the keyring (or Redis)
        store's lock directory."""
        if self.store_path is not None:
            return self.store_path
        name = {"sqlite": "tokens.db", "file": "tokens"}.get(self.store_kind, "locks")
        return os.path.join(user_dir("data"), name)


def config_path() -> str:
    """``$OAUTHKIT_CONFIG``, or ``config.toml`` in the platform's user config directory."""
    given = os.environ.get("OAUTHKIT_CONFIG")
    if given:
        return os.path.expanduser(given)
    return os.path.join(user_dir("config"), "config.toml")


_XDG = {"config": ("XDG_CONFIG_HOME", ".config"), "data": ("XDG_DATA_HOME", ".local/share")}


def user_dir(kind: str) -> str:
    """``platformdirs``' user ``config`` or ``data`` directory for ``oauthkit``.

    On Linux with an absolute ``$HOME`` this is the XDG Base Directory rule, worked out here
    (``tests/test_cli_config.py`` keeps it equal to platformdirs' answer): importing
    platformdirs (pathlib, tempfile, shutil and the compression modules with it) costs about
    as much as starting the interpreter, which the ``token`` fast path cannot afford.
    Everywhere else, platformdirs answers.
    """
    home = os.environ.get("HOME", "")
    if sys.platform.startswith("linux") and os.path.isabs(home):
        variable, default = _XDG[kind]
        base = os.environ.get(variable, "")
        if not os.path.isabs(base):  # unset, empty or relative: ignored, as the spec says
            base = os.path.join(home, default)
        return os.path.join(base, "oauthkit")
    import platformdirs

    find = platformdirs.user_config_dir if kind == "config" else platformdirs.user_data_dir
    return str(find("oauthkit", appauthor=False))


def load_config(path: str | None = None) -> Config:
    """Read and check the configuration file; a missing file is an empty configuration."""
    path = path or config_path()
    return Config(path, read_document(path))


def read_document(path: str) -> dict[str, object]:
    """The configuration file as TOML data, unchecked (``{}`` when it is missing)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - the cli extra installs tomli there
        import tomli as tomllib  # type: ignore[no-redef, import-not-found, unused-ignore]
    try:
        with open(path, "rb") as handle:
            data: dict[str, object] = tomllib.load(handle)
            return data
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


def store_key(profile: str) -> str:
    """The key of a profile's token in the store."""
    return f"profile:{profile}"


def _store_url(path: str, store: dict[str, object]) -> str:
    """The Redis store's URL: ``url_env``'s variable, or ``url`` (without a password)."""
    variable, url = store.get("url_env"), store.get("url")
    if (variable is None) == (url is None):
        raise ConfigError(
            f"{path}: a redis store takes url or url_env (one of them)",
            'url = "redis://host:6379/0", or url_env = "VARIABLE" when it holds a password',
        )
    if variable is not None:
        if not isinstance(variable, str) or not variable:
            raise ConfigError(f"{path}: the store's url_env must name a variable")
        url = os.environ.get(variable)
        if not url:
            raise ConfigError(
                f"{path}: the environment variable {variable} is not set",
                f"export {variable}=redis://...",
            )
        return url
    if not isinstance(url, str) or not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"{path}: the store url must be a redis://, rediss:// or unix:// URL")
    if ":" in url.partition("://")[2].partition("@")[0] and "@" in url:
        raise ConfigError(
            f"{path}: the store url holds a password, which must not be written in the file",
            'set url_env = "VARIABLE" and export the URL',
        )
    return url


def _opt_str(table: dict[str, object], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise ConfigError(f"{where}: {key} must be a non-empty string")
    return value


def _bool(table: dict[str, object], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false")
    return value


def _known() -> str:
    return "known settings: " + ", ".join(sorted(_PROFILE_KEYS))
