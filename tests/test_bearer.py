"""Bearer token usage (RFC 6750 §2) and the WWW-Authenticate parser (RFC 9110 §11.6.1)."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit import HttpRequest, OAuthError, UsageError
from oauthkit._oauth2._bearer import bearer_headers
from oauthkit._oauth2._bearer import build_bearer_request as apply_bearer
from oauthkit._oauth2._challenges import (
    BearerChallenge,
    Challenge,
    bearer_error,
    parse_www_authenticate,
)
from oauthkit._oauth2._token import Token

ACCESS = "mF_9.B5f-4.1JqM"
URL = "https://rs.example/resource"
FORM = "application/x-www-form-urlencoded"


def test_header_placement_is_the_default() -> None:
    request = HttpRequest("GET", URL, {"authorization": "Basic old", "X-A": "1"})
    out = apply_bearer(request, ACCESS)
    assert out.headers == {"X-A": "1", "Authorization": f"Bearer {ACCESS}"}
    assert (out.method, out.url, out.body) == ("GET", URL, None)
    assert request.headers["authorization"] == "Basic old"  # the input is untouched
    assert bearer_headers(ACCESS) == {"Authorization": f"Bearer {ACCESS}"}


def test_token_values_are_accepted() -> None:
    token = Token(access_token=ACCESS, token_type="bearer")
    assert apply_bearer(HttpRequest("GET", URL), token).headers["Authorization"] == (
        f"Bearer {ACCESS}"
    )


def test_dpop_tokens_are_not_sent_as_bearer() -> None:
    token = Token(access_token=ACCESS, token_type="DPoP")
    with pytest.raises(UsageError, match="DPoP") as info:
        apply_bearer(HttpRequest("GET", URL), token)
    assert ACCESS not in str(info.value)
    with pytest.raises(UsageError, match="DPoP"):
        bearer_headers(token)


def test_other_token_types_are_refused() -> None:
    with pytest.raises(UsageError, match="not a bearer"):
        bearer_headers(Token(access_token=ACCESS, token_type="mac"))


@pytest.mark.parametrize("bad", ["", "a b", "a\r\nX-Evil: 1", "tab\there", "\x7f"])
def test_unsafe_token_strings_are_refused(bad: str) -> None:
    with pytest.raises(UsageError, match="access token"):
        bearer_headers(bad)


def test_non_token_argument() -> None:
    with pytest.raises(UsageError, match="Token"):
        bearer_headers(42)  # type: ignore[arg-type]


def test_tokens_outside_b64token_still_work() -> None:
    # Some providers issue tokens such as "appid|secret"; only header-breaking bytes are refused.
    assert bearer_headers("123|abc")["Authorization"] == "Bearer 123|abc"


@pytest.mark.parametrize(
    ("url", "expected_query"),
    [
        (URL, [("access_token", ACCESS)]),
        (URL + "?a=1", [("a", "1"), ("access_token", ACCESS)]),
        (URL + "?", [("access_token", ACCESS)]),
    ],
)
def test_query_placement(url: str, expected_query: list[tuple[str, str]]) -> None:
    out = apply_bearer(HttpRequest("GET", url, {"cache-control": "max-age=1"}), ACCESS, "query")
    assert parse_qsl(urlsplit(out.url).query) == expected_query
    assert out.headers == {"Cache-Control": "no-store"}  # RFC 6750 §2.3


def test_query_placement_keeps_the_fragment_and_refuses_a_second_token() -> None:
    out = apply_bearer(HttpRequest("GET", URL + "?x=1#frag"), "a/b+c", "query")
    assert out.url == URL + "?x=1&access_token=a%2Fb%2Bc#frag"
    with pytest.raises(UsageError, match="already"):
        apply_bearer(HttpRequest("GET", URL + "?access_token=x"), ACCESS, "query")


def test_body_placement() -> None:
    request = HttpRequest("POST", URL, {"Content-Type": FORM + "; charset=utf-8"}, b"a=1")
    out = apply_bearer(request, ACCESS, "body")
    assert out.body == f"a=1&access_token={ACCESS}".encode()
    assert "Authorization" not in out.headers
    empty = apply_bearer(HttpRequest("PUT", URL), ACCESS, "body")
    assert empty.body == f"access_token={ACCESS}".encode()
    assert empty.headers == {"Content-Type": FORM}


@pytest.mark.parametrize(
    ("request_", "match"),
    [
        (HttpRequest("GET", URL), "GET"),
        (HttpRequest("HEAD", URL), "HEAD"),
        (HttpRequest("POST", URL, {"Content-Type": "application/json"}, b"{}"), "form"),
        (HttpRequest("POST", URL, {}, b"raw"), "type"),
        (HttpRequest("POST", URL, {"Content-Type": FORM}, b"access_token=x"), "already"),
    ],
)
def test_body_placement_rules(request_: HttpRequest, match: str) -> None:
    with pytest.raises(UsageError, match=match):
        apply_bearer(request_, ACCESS, "body")


def test_unknown_placement() -> None:
    with pytest.raises(UsageError, match="placement"):
        apply_bearer(HttpRequest("GET", URL), ACCESS, "cookie")


# -- WWW-Authenticate ------------------------------------------------------------------------


def _simple(challenges: list[Challenge]) -> list[tuple[str, dict[str, str], str | None]]:
    return [(c.scheme, dict(c.params), c.token68) for c in challenges]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 6750 §3 examples.
        ('Bearer realm="example"', [("Bearer", {"realm": "example"}, None)]),
        (
            'Bearer realm="example", error="invalid_token", '
            'error_description="The access token expired"',
            [
                (
                    "Bearer",
                    {
                        "realm": "example",
                        "error": "invalid_token",
                        "error_description": "The access token expired",
                    },
                    None,
                )
            ],
        ),
        # RFC 9110 §11.6.1 example: two challenges, an escaped quote, a token value.
        (
            'Newauth realm="apps", type=1, title="Login to \\"apps\\"", Basic realm="simple"',
            [
                ("Newauth", {"realm": "apps", "type": "1", "title": 'Login to "apps"'}, None),
                ("Basic", {"realm": "simple"}, None),
            ],
        ),
        (
            'Negotiate YII=, Basic realm="a, b"',
            [("Negotiate", {}, "YII="), ("Basic", {"realm": "a, b"}, None)],
        ),
        ("Basic, Bearer", [("Basic", {}, None), ("Bearer", {}, None)]),
        ("Negotiate", [("Negotiate", {}, None)]),
        (
            'BEARER REALM = "x" , Error=invalid_token',
            [("BEARER", {"realm": "x", "error": "invalid_token"}, None)],
        ),
        ('Bearer realm="first", realm="second"', [("Bearer", {"realm": "first"}, None)]),
        ('Bearer error="unterminated', [("Bearer", {"error": "unterminated"}, None)]),
        ('Bearer realm="x" junk, error=e', [("Bearer", {"realm": "x", "error": "e"}, None)]),
        ('"quoted", Basic realm=r', [("Basic", {"realm": "r"}, None)]),
        ('Bearer "junk, x", Basic', [("Bearer", {}, None), ("Basic", {}, None)]),
        ("", []),
        (" ,, ,", []),
        ("=, =", []),
    ],
)
def test_parse_www_authenticate(value: str, expected: list[Any]) -> None:
    assert _simple(parse_www_authenticate(value)) == expected


def test_challenge_values() -> None:
    challenge = parse_www_authenticate('DPoP algs="ES256 PS256"')[0]
    assert challenge.is_scheme("dpop")
    assert not challenge.is_scheme("bearer")
    with pytest.raises(TypeError):
        challenge.params["x"] = "y"  # type: ignore[index]
    assert challenge == Challenge("DPoP", {"algs": "ES256 PS256"})
    assert hash(challenge) == hash(Challenge("DPoP", {"other": "params"}))


def test_bearer_error() -> None:
    value = (
        'Basic realm="x", Bearer realm="api", '
        'DPoP error="invalid_token", error_description="expired", scope="a b", '
        'error_uri="https://as.example/e", algs="ES256"'
    )
    found = bearer_error(value)
    assert found == BearerChallenge(
        scheme="DPoP",
        error="invalid_token",
        error_description="expired",
        error_uri="https://as.example/e",
        scope=("a", "b"),
        realm=None,
        params={
            "error": "invalid_token",
            "error_description": "expired",
            "scope": "a b",
            "error_uri": "https://as.example/e",
            "algs": "ES256",
        },
    )
    # Without an error anywhere, the first matching challenge is returned.
    plain = bearer_error('Bearer realm="api"')
    assert plain is not None
    assert (plain.error, plain.realm, plain.scope) == (None, "api", None)
    assert bearer_error('Basic realm="x"') is None
    assert bearer_error("") is None
    only_bearer = bearer_error('DPoP error="use_dpop_nonce"', schemes=("Bearer",))
    assert only_bearer is None
    insufficient = bearer_error('bearer error="insufficient_scope", scope="admin"')
    assert insufficient is not None
    assert (insufficient.error, insufficient.scope) == ("insufficient_scope", ("admin",))


def test_parser_ignores_non_strings() -> None:
    assert parse_www_authenticate(None) == []  # type: ignore[arg-type]
    assert bearer_error(b"Bearer") is None  # type: ignore[arg-type]


_HEADERISH = st.text(
    alphabet=st.sampled_from(list('Bearer Basic DPoP realm=error"\\,; \t=abcXYZ019-._~+/')),
    max_size=80,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_HEADERISH, st.text(max_size=80)))
def test_parser_never_raises(value: str) -> None:
    try:
        challenges = parse_www_authenticate(value)
        found = bearer_error(value)
    except OAuthError:  # allowed by the contract, though the parser aims never to raise
        return
    assert isinstance(challenges, list)
    for challenge in challenges:
        assert isinstance(challenge, Challenge)
        assert challenge.scheme
        assert all(name == name.lower() for name in challenge.params)
    assert found is None or isinstance(found, BearerChallenge)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Bearer", "DPoP", "Basic", "Custom"]),
            st.dictionaries(
                st.sampled_from(["realm", "error", "scope", "error_description", "algs"]),
                st.text(
                    alphabet=st.characters(
                        blacklist_categories=("Cs", "Cc"), blacklist_characters="\x7f"
                    ),
                    max_size=15,
                ),
                max_size=4,
            ),
        ),
        max_size=4,
    )
)
def test_parser_round_trips_quoted_params(challenges: list[tuple[str, dict[str, str]]]) -> None:
    def quote(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    value = ", ".join(
        scheme + (" " + ", ".join(f"{k}={quote(v)}" for k, v in params.items()) if params else "")
        for scheme, params in challenges
    )
    assert _simple(parse_www_authenticate(value)) == [
        (scheme, params, None) for scheme, params in challenges
    ]
