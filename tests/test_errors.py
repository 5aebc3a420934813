"""The error tree and the redaction of response bodies carried by errors."""

from __future__ import annotations

import inspect
import json
import re

import pytest

import oauthkit
from oauthkit import _error_codes, _errors
from oauthkit._core._extras import require
from oauthkit._core._redact import excerpt
from oauthkit._errors import (
    InsecureTransportError,
    MalformedResponseError,
    MissingExtraError,
    MissingVerifierError,
    OAuthError,
    ServerResponseError,
    TokenEndpointError,
    TokenRequestDenied,
    UsageError,
)


def _drawn_tree() -> dict[str, str | None]:
    """Read the class -> parent mapping from the tree drawn in the module docstring."""
    doc = _errors.__doc__ or ""
    lines = doc[doc.index("    OAuthError\n") :].splitlines()
    parents: dict[str, str | None] = {"OAuthError": None}
    stack = ["OAuthError"]
    for line in lines[1:]:
        if not line.strip():
            break
        match = re.match(r"^    ((?:[│ ]   )*)[├└]── (\w+)", line)
        if match is None:
            continue  # a continuation line of a description
        depth = len(match.group(1)) // 4 + 1
        del stack[depth:]
        parents[match.group(2)] = stack[-1]
        stack.append(match.group(2))
    return parents


def _error_classes() -> dict[str, type[BaseException]]:
    # The tree is drawn in _errors; the classes of registered error codes live in _error_codes.
    return {
        name: obj
        for module in (_errors, _error_codes)
        for name, obj in vars(module).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == module.__name__
    }


def test_the_drawing_covers_every_error_class() -> None:
    drawn = _drawn_tree()
    assert len(drawn) >= 15
    assert set(drawn) == set(_error_classes())


@pytest.mark.parametrize(("name", "parent"), sorted(_drawn_tree().items(), key=str))
def test_each_class_derives_from_its_drawn_parent(name: str, parent: str | None) -> None:
    classes = _error_classes()
    cls = classes[name]
    if parent is None:
        assert cls.__bases__ == (Exception,)
        return
    # The drawn parent is a direct base, not merely an ancestor.
    assert classes[parent] in cls.__bases__
    assert issubclass(cls, OAuthError)


def test_errors_are_exported_and_unique_by_name() -> None:
    for name, cls in _error_classes().items():
        assert getattr(oauthkit, name, cls) is cls
    for required in ("OAuthError", "UsageError", "TokenRequestDenied", "MissingExtraError"):
        assert getattr(oauthkit, required) is getattr(_errors, required)


def test_compatibility_bases() -> None:
    # requests-oauthlib raises ValueError for these; callers' except clauses must keep working.
    assert issubclass(TokenRequestDenied, ValueError)
    assert issubclass(MalformedResponseError, ValueError)
    assert issubclass(MissingVerifierError, ValueError)  # requests-oauthlib's VerifierMissing
    assert issubclass(MissingExtraError, ImportError)
    assert not issubclass(UsageError, ValueError)


def test_missing_extra_error_names_the_extra() -> None:
    error = MissingExtraError("cryptography", "rsa", "RSA signatures")
    assert isinstance(error, ImportError)
    assert isinstance(error, UsageError)
    assert (error.module, error.extra) == ("cryptography", "rsa")
    assert "pip install 'oauthkit[rsa]'" in str(error)
    assert "RSA signatures" in str(error)
    with pytest.raises(ImportError):
        raise error


def test_require_raises_missing_extra_error_for_an_absent_package() -> None:
    with pytest.raises(MissingExtraError, match=r"oauthkit\[fancy\]") as info:
        require("oauthkit_no_such_package.sub", "fancy", "A fancy feature")
    assert info.value.module == "oauthkit_no_such_package"
    assert require("json", "x", "y") is json


def test_insecure_transport_error_carries_the_url() -> None:
    error = InsecureTransportError("http://api.example.com/token")
    assert error.url == "http://api.example.com/token"
    assert "http://api.example.com/token" in str(error)


# --- excerpt() --------------------------------------------------------------------------------

SECRET_FIELDS = ["access_token", "refresh_token", "oauth_token_secret", "client_secret", "password"]


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_excerpt_redacts_json_bodies(field: str) -> None:
    body = json.dumps({field: "S3CR3T-value_1", "token_type": "Bearer", "expires_in": 60})
    text = excerpt(body)
    assert "S3CR3T" not in text
    assert f'"{field}": "***"' in text
    assert '"token_type": "Bearer"' in text
    compact = excerpt(json.dumps({field: "S3CR3T"}, separators=(",", ":")).encode())
    assert "S3CR3T" not in compact


@pytest.mark.parametrize("field", SECRET_FIELDS)
def test_excerpt_redacts_form_bodies(field: str) -> None:
    text = excerpt(f"a=1&{field}=S3CR3T%2Bx&oauth_callback_confirmed=true".encode())
    assert "S3CR3T" not in text
    assert f"{field}=***" in text
    assert text.startswith("a=1&")
    assert text.endswith("&oauth_callback_confirmed=true")


def test_excerpt_redacts_every_occurrence_and_any_case() -> None:
    body = "Access_Token=one1&x=2&REFRESH_TOKEN=two2&oauth_token=three3&oauth_token_secret=four4"
    text = excerpt(body)
    for secret in ("one1", "two2", "three3", "four4"):
        assert secret not in text


def test_excerpt_truncates_and_flattens() -> None:
    text = excerpt("line one\n\n\tline   two " + "x" * 500)
    assert len(text) == 200
    assert text.endswith("…")
    assert text.startswith("line one line two x")
    assert excerpt("short") == "short"
    assert excerpt(b"ab", limit=1) == "…"
    assert excerpt("abc", limit=3) == "abc"


def test_excerpt_redacts_before_truncating() -> None:
    # A secret that straddles the cut must not survive as a prefix.
    text = excerpt("x" * 180 + " access_token=ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    assert "ABC" not in text


HUGE = 20 * 1024 * 1024


@pytest.mark.parametrize(
    "body",
    [
        b"x" * HUGE,  # one run of name characters
        b"eyJ-" * (HUGE // 4),  # JWT starts inside one run
        b"a:" * (HUGE // 2),
        b"<p>" + b"&quot;error&quot; " * (HUGE // 18),
    ],
    ids=["run", "jwt-starts", "pairs", "html"],
)
def test_excerpt_of_a_huge_body_reads_only_what_it_can_show(body: bytes) -> None:
    # Each took 5 to 20 s: the patterns ran over all of the body to show 200 characters of it.
    text = excerpt(body)
    assert len(text) <= 200
    assert text.endswith("…")


def test_excerpt_drops_a_credential_cut_by_its_window() -> None:
    jwt = "eyJhbGciOiJSUzI1NiJ9." + "eyJzdWIiOiJ1c2VyIn0" * 100 + ".c2lnbmF0dXJl"
    # White space collapses, so the end of the window shows in the excerpt.
    text = excerpt(("see" + " " * 780 + jwt).encode())
    assert "eyJ" not in text  # cut before its signature, it no longer looks like a JWT
    assert text == "see …"


def test_excerpt_of_a_long_json_value_keeps_redacting() -> None:
    body = json.dumps({"refresh_token": "RT-SECRET", "error_description": "d" * 500_000})
    text = excerpt(body.encode())
    assert '"refresh_token": "***"' in text
    assert "RT-SECRET" not in text
    many = excerpt(json.dumps([{"access_token": f"AT-{i}"} for i in range(20_000)]))
    assert many.startswith('[{"access_token": "***"}, {"access_token": "***"}')
    assert "AT-" not in many
    long_name = excerpt({"x" * HUGE + "_secret": "S3CR3T", "ok": 1})
    assert "S3CR3T" not in long_name
    assert '_secret": "***"' in long_name


def test_excerpt_shows_none_of_a_json_body_too_long_to_parse() -> None:
    secret = json.dumps({"refresh_token": {"value": "RT-SECRET"}, "d": "x" * HUGE})
    assert excerpt(secret.encode()) == "(a JSON body too long to show)"
    assert excerpt(b"[" + b"[]," * (HUGE // 3) + b"[]]") == "(a JSON body too long to show)"


def test_excerpt_of_undecodable_bytes() -> None:
    text = excerpt(b"\xff\xfe oauth_token_secret=s3cr3t")
    assert "s3cr3t" not in text
    assert "\ufffd" in text


def test_server_response_error_message_uses_the_redacted_excerpt() -> None:
    error = TokenEndpointError(
        "token request refused",
        400,
        b'{"error": "invalid_grant", "refresh_token": "RT-SECRET"}',
        error="invalid_grant",
    )
    assert isinstance(error, ServerResponseError)
    assert error.status_code == 400
    assert error.error == "invalid_grant"
    assert "RT-SECRET" not in str(error)
    assert "RT-SECRET" not in error.body_excerpt
    assert "HTTP 400" in str(error)
    assert error.response is None
    assert str(ServerResponseError("no body", 502)).endswith("(HTTP 502)")
