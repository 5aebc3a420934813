"""Differential tests: oauthkit's compliance fixes do what requests-oauthlib's do.

Each fix is applied to a recording session, once from ``requests_oauthlib.compliance_fixes``
and once from ``oauthkit.requests.compliance_fixes``; the recorded hooks then run on equal
inputs (a fresh ``requests.Response`` each, or a copied ``(url, headers, data)`` triple) and
the outputs must be equal byte for byte. requests-oauthlib keeps hooks in a set, so its hooks
of one type run here in every order.

Deliberate divergences, each pinned by a test at the end of this file and kept out of the
generated corpus:

* a body a fix cannot read (not JSON, not an object, a malformed Fitbit ``errors``) raises
  ``MalformedResponseError`` where requests-oauthlib raises ``JSONDecodeError``, ``KeyError``,
  ``IndexError``, ``TypeError`` or ``AttributeError``; requests-oauthlib's Mailchimp fix
  passes most non-object JSON through for the token parser to reject later;
* the Slack fix writes the token into a copy of the caller's ``data`` dict, not into it;
* a token added to the URL leaves the existing query as sent, where requests-oauthlib decodes
  and re-encodes it (and drops an empty ``;`` parameter). Generated queries are form-encoded,
  where both give the same URL;
* a protected request without an access token raises ``UsageError``; requests-oauthlib sends
  ``token=None``.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import pytest
import requests
import requests_oauthlib.compliance_fixes as theirs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from requests.utils import get_encoding_from_headers

import oauthkit.requests.compliance_fixes as ours
from oauthkit import MalformedResponseError, OAuthError, UsageError

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOOK_TYPES = {
    "access_token_request",
    "access_token_response",
    "refresh_token_request",
    "refresh_token_response",
    "protected_request",
}
JSON = "application/json"
TOKEN = "xoxp-1234|é+/="  # characters that need encoding in a query
Fix = Callable[[Any], Any]


class RecordingSession:
    """The least a fix needs: hook registration, an access token and somewhere to put placement.

    ``_client`` is where requests-oauthlib's Weibo fix sets the placement; ``token_placement``
    is where oauthkit's does.
    """

    def __init__(self, access_token: str | None = TOKEN) -> None:
        self.hooks: dict[str, list[Callable[..., Any]]] = {}
        self.access_token = access_token
        self._client = type("FakeClient", (), {"default_token_placement": "auth_header"})()
        self.token_placement = "header"

    def register_compliance_hook(self, hook_type: str, hook: Callable[..., Any]) -> None:
        assert hook_type in HOOK_TYPES
        self.hooks.setdefault(hook_type, []).append(hook)


def fixed(fix: Fix, access_token: str | None = TOKEN) -> RecordingSession:
    session = RecordingSession(access_token)
    returned: object = fix(session)
    assert returned is session
    return session


def make_response(body: bytes | str, content_type: str | None = JSON, status: int = 200) -> Any:
    response = requests.Response()
    response.status_code = status
    response._content = body.encode() if isinstance(body, str) else body
    if content_type is not None:
        response.headers["Content-Type"] = content_type
    response.encoding = get_encoding_from_headers(response.headers)  # as requests' adapter does
    response.url = "https://provider.example/token"
    return response


def hook_orders(session: RecordingSession, hook_type: str) -> list[tuple[Callable[..., Any], ...]]:
    return list(itertools.permutations(session.hooks.get(hook_type, [])))


def run_response_hooks(hooks: tuple[Callable[..., Any], ...], response: Any) -> Any:
    for hook in hooks:
        response = hook(response)
    return response


FIX_NAMES = sorted(ours.__all__)


def fix_pair(name: str) -> tuple[Fix, Fix]:
    return getattr(theirs, name), getattr(ours, name)


def assert_same_response(
    name: str,
    body: bytes | str,
    content_type: str | None = JSON,
    status: int = 200,
    hook_types: tuple[str, ...] = ("access_token_response", "refresh_token_response"),
) -> bytes | None:
    """Run both fixes' response hooks on equal responses; return the (equal) body they make of
    it as an access token response."""
    their_fix, our_fix = fix_pair(name)
    their_session, our_session = fixed(their_fix), fixed(our_fix)
    assert set(their_session.hooks) == set(our_session.hooks)
    result: bytes | None = None
    for hook_type in hook_types:
        ours_out = run_response_hooks(
            tuple(our_session.hooks.get(hook_type, [])), make_response(body, content_type, status)
        )
        for order in hook_orders(their_session, hook_type):
            theirs_out = run_response_hooks(order, make_response(body, content_type, status))
            assert ours_out.content == theirs_out.content
            assert ours_out.status_code == theirs_out.status_code
            assert dict(ours_out.headers) == dict(theirs_out.headers)
        if hook_type == "access_token_response":
            result = ours_out.content
    return result


def assert_both_fail(
    name: str, body: bytes | str, content_type: str = JSON
) -> MalformedResponseError:
    """requests-oauthlib's hooks crash on this body; oauthkit's raise MalformedResponseError."""
    their_fix, our_fix = fix_pair(name)
    their_session, our_session = fixed(their_fix), fixed(our_fix)
    hook_type = "access_token_response"
    for order in hook_orders(their_session, hook_type):
        with pytest.raises((ValueError, KeyError, IndexError, TypeError, AttributeError)):
            run_response_hooks(order, make_response(body, content_type, 400))
    response = make_response(body, content_type, 400)
    with pytest.raises(MalformedResponseError) as caught:
        run_response_hooks(tuple(our_session.hooks[hook_type]), response)
    assert caught.value.response is response
    assert caught.value.status_code == 400
    assert isinstance(caught.value, ValueError)  # existing `except ValueError` still matches
    return caught.value


def run_protected(
    fix: Fix, url: str, headers: Any, data: Any, access_token: str | None = TOKEN
) -> tuple[str, Any, Any]:
    session = fixed(fix, access_token)
    for hook in session.hooks["protected_request"]:
        url, headers, data = hook(url, headers, data)
    return url, headers, data


def assert_same_protected(name: str, url: str, headers: Any, data: Any) -> tuple[str, Any, Any]:
    their_fix, our_fix = fix_pair(name)
    expected = run_protected(their_fix, url, copy.deepcopy(headers), copy.deepcopy(data))
    actual = run_protected(our_fix, url, copy.deepcopy(headers), copy.deepcopy(data))
    assert actual == expected
    return actual


# --- the package ----------------------------------------------------------------------------


def test_the_same_eight_fixes_as_requests_oauthlib() -> None:
    names = {name for name in vars(theirs) if name.endswith("_compliance_fix")}
    assert set(ours.__all__) == names
    assert len(names) == 8


@pytest.mark.parametrize("name", FIX_NAMES)
def test_each_fix_registers_the_same_hook_types(name: str) -> None:
    their_fix, our_fix = fix_pair(name)
    assert set(fixed(their_fix).hooks) == set(fixed(our_fix).hooks)


# --- facebook ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        ("access_token=EAAB&expires=5183999", "text/plain; charset=UTF-8", 200),
        ("access_token=EAAB", "text/plain", 200),  # no lifetime: no expires_in
        ("access_token=EAAB&token_type=mac&expires=", "text/plain", 200),  # type overwritten
        ("access_token=a&access_token=b&x", "text/plain", 200),  # last wins; blanks kept
        ("caf\xe9=\xe9&expires=1", "text/plain", 200),  # decoded as ISO-8859-1
        ('{"access_token": "EAAB", "token_type": "bearer"}', JSON, 200),  # JSON: untouched
        ("access_token=EAAB", "text/plain; application/json", 200),  # says JSON: untouched
        ("access_token=EAAB", "text/plain", 201),  # only a 200 is rewritten
        ("error=denied", "text/plain", 400),
        ("access_token=EAAB", "application/x-www-form-urlencoded", 200),  # not text/plain
        ("access_token=EAAB", "Text/Plain", 200),  # the test is case-sensitive in both
        ("access_token=EAAB", None, 200),
        ("", "text/plain", 200),
    ],
)
def test_facebook(body: str, content_type: str | None, status: int) -> None:
    assert_same_response(
        "facebook_compliance_fix",
        body.encode("latin-1"),
        content_type,
        status,
        ("access_token_response",),
    )


def test_facebook_form_becomes_an_rfc6749_token() -> None:
    body = assert_same_response(
        "facebook_compliance_fix",
        "access_token=EAAB&expires=5183999",
        "text/plain",
        hook_types=("access_token_response",),
    )
    assert body is not None
    assert json.loads(body) == {
        "access_token": "EAAB",
        "expires": "5183999",
        "expires_in": "5183999",
        "token_type": "Bearer",
    }


@PROPERTY
@given(body=st.binary(max_size=60), status=st.sampled_from([200, 400]))
def test_facebook_any_text_body(body: bytes, status: int) -> None:
    assert_same_response(
        "facebook_compliance_fix", body, "text/plain", status, ("access_token_response",)
    )


# --- JSON-rewriting fixes: fitbit, mailchimp, weibo, ebay -------------------------------------

FITBIT_ERROR = {
    "errors": [
        {"errorType": "invalid_grant", "message": "Authorization code invalid"},
        {"errorType": "expired_token", "message": "second"},
    ],
    "success": False,
}


@pytest.mark.parametrize(
    "token",
    [
        FITBIT_ERROR,
        {**FITBIT_ERROR, "error": "overwritten"},
        {"errors": [{"errorType": 7}]},  # copied as is, like requests-oauthlib
        {"access_token": "a", "token_type": "Bearer", "expires_in": 28800},
        {},
    ],
)
def test_fitbit(token: dict[str, Any]) -> None:
    assert_same_response("fitbit_compliance_fix", json.dumps(token, indent=2))


def test_fitbit_error_becomes_the_rfc6749_error_code() -> None:
    body = assert_same_response("fitbit_compliance_fix", json.dumps(FITBIT_ERROR), status=400)
    assert body is not None
    assert json.loads(body)["error"] == "invalid_grant"


@pytest.mark.parametrize(
    "token",
    [
        {"access_token": "a", "expires_in": 0, "scope": None},
        {"access_token": "a", "expires_in": 0.0, "scope": "x"},
        {"access_token": "a", "expires_in": False},  # false == 0 in both
        {"access_token": "a", "expires_in": 3599, "scope": ""},
        {"access_token": "a", "expires_in": "0"},  # a string is not 0
        {"access_token": "a", "expires_in": None},
        {"error": "invalid_grant"},
    ],
)
def test_mailchimp(token: dict[str, Any]) -> None:
    assert_same_response("mailchimp_compliance_fix", json.dumps(token, separators=(",", ":")))


def test_mailchimp_never_expiring_token() -> None:
    body = assert_same_response(
        "mailchimp_compliance_fix",
        '{"access_token": "a", "expires_in": 0, "scope": null}',
        hook_types=("access_token_response",),
    )
    assert body is not None
    assert json.loads(body) == {"access_token": "a", "expires_in": 3600}


@pytest.mark.parametrize(
    "token",
    [
        {"access_token": "a", "remind_in": "157679999", "expires_in": 157679999, "uid": "1"},
        {"access_token": "a", "token_type": "mac"},  # overwritten, as in requests-oauthlib
        {"error": "invalid_client", "error_code": 21324},
    ],
)
def test_weibo(token: dict[str, Any]) -> None:
    body = assert_same_response("weibo_compliance_fix", json.dumps(token))
    assert body is not None
    assert json.loads(body)["token_type"] == "Bearer"


def test_weibo_sends_the_token_in_the_query() -> None:
    their_session = fixed(theirs.weibo_compliance_fix)
    our_session = fixed(ours.weibo_compliance_fix)
    assert their_session._client.default_token_placement == "query"
    assert our_session.token_placement == "query"


@pytest.mark.parametrize(
    "token",
    [
        {"access_token": "v^1.1#i^1", "token_type": "Application Access Token"},
        {"access_token": "v^1.1#i^1", "token_type": "User Access Token", "expires_in": 7200},
        {"access_token": "a", "token_type": "user access token"},  # exact match only
        {"access_token": "a", "token_type": "Bearer"},
        {"access_token": "a", "token_type": ["Application Access Token"]},
        {"access_token": "a"},
    ],
)
def test_ebay(token: dict[str, Any]) -> None:
    # indent=1: a body that is not rewritten must come back byte for byte as received.
    body = json.dumps(token, indent=1)
    assert_same_response("ebay_compliance_fix", body)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
SPECIAL_MEMBERS = st.fixed_dictionaries(
    {},
    optional={
        "scope": st.none() | st.text(max_size=5),
        "expires_in": st.sampled_from([0, 0.0, False, 1, "0", None, 3600]),
        "token_type": st.sampled_from(
            ["Application Access Token", "User Access Token", "Bearer", "bearer"]
        ),
        "errors": st.lists(
            st.fixed_dictionaries({"errorType": JSON_VALUES}, optional={"message": JSON_VALUES}),
            min_size=1,
            max_size=2,
        ),
        "error": st.text(max_size=5),
    },
)


@PROPERTY
@given(
    name=st.sampled_from(
        [
            "fitbit_compliance_fix",
            "mailchimp_compliance_fix",
            "weibo_compliance_fix",
            "ebay_compliance_fix",
        ]
    ),
    members=SPECIAL_MEMBERS,
    others=st.dictionaries(st.text(max_size=5), JSON_VALUES, max_size=3),
    ensure_ascii=st.booleans(),
    status=st.sampled_from([200, 400, 401]),
)
def test_json_fixes_on_any_object(
    name: str, members: dict[str, Any], others: dict[str, Any], ensure_ascii: bool, status: int
) -> None:
    body = json.dumps({**others, **members}, ensure_ascii=ensure_ascii).encode()
    assert_same_response(name, body, JSON, status)


# --- plentymarkets ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "content_type", "status"),
    [
        (
            {"accessToken": "a", "tokenType": "Bearer", "expiresIn": 86400, "refreshToken": "r"},
            JSON,
            200,
        ),
        ({"accessTokenExpiresIn": 1, "XMLHttpRequest": 2, "a\nBc": 3}, JSON, 200),  # the quirks
        ({"accessToken": "first", "access_token": "second"}, JSON, 200),  # collision: later wins
        ({"accessToken": "a"}, "application/json; charset=utf-8", 200),
        ({"accessToken": "a"}, JSON, 400),  # not 200: untouched
        ({"accessToken": "a"}, "text/plain", 200),  # not JSON: untouched
        ({"accessToken": "a"}, None, 200),
    ],
)
def test_plentymarkets(token: dict[str, Any], content_type: str | None, status: int) -> None:
    assert_same_response(
        "plentymarkets_compliance_fix",
        json.dumps(token),
        content_type,
        status,
        ("access_token_response",),
    )


def test_plentymarkets_renames_camel_case_members() -> None:
    body = assert_same_response(
        "plentymarkets_compliance_fix",
        '{"accessToken": "a", "tokenType": "Bearer", "expiresIn": 86400}',
        hook_types=("access_token_response",),
    )
    assert body is not None
    assert json.loads(body) == {"access_token": "a", "token_type": "Bearer", "expires_in": 86400}


KEY_CHARS = st.sampled_from(["a", "b", "z", "A", "B", "Z", "_", "1", "\n", "é", "É", " "])


@PROPERTY
@given(keys=st.lists(st.text(KEY_CHARS, max_size=12), max_size=6))
def test_plentymarkets_any_member_names(keys: list[str]) -> None:
    body = json.dumps({key: i for i, key in enumerate(keys)})
    assert_same_response(
        "plentymarkets_compliance_fix", body, JSON, 200, ("access_token_response",)
    )


# --- bodies a fix cannot read ---------------------------------------------------------------

JSON_FIXES = [
    "ebay_compliance_fix",
    "fitbit_compliance_fix",
    "mailchimp_compliance_fix",
    "plentymarkets_compliance_fix",
    "weibo_compliance_fix",
]


@pytest.mark.parametrize("name", JSON_FIXES)
@pytest.mark.parametrize("body", ["<html>502 Bad Gateway</html>", "", '{"access_token": "a"'])
def test_a_body_that_is_not_json_raises_a_typed_error(name: str, body: str) -> None:
    if name == "plentymarkets_compliance_fix":
        # Only a 200 is read, so the same body as a successful answer.
        their_session = fixed(theirs.plentymarkets_compliance_fix)
        with pytest.raises(ValueError):  # json.JSONDecodeError
            their_session.hooks["access_token_response"][0](make_response(body))
        hook = fixed(ours.plentymarkets_compliance_fix).hooks["access_token_response"][0]
        with pytest.raises(MalformedResponseError):
            hook(make_response(body))
        return
    assert_both_fail(name, body)


@pytest.mark.parametrize("name", ["ebay_compliance_fix", "weibo_compliance_fix"])
@pytest.mark.parametrize("body", ["[]", '"token"', "null"])
def test_json_that_is_not_an_object_raises_a_typed_error(name: str, body: str) -> None:
    assert_both_fail(name, body)


@pytest.mark.parametrize(
    "errors", [[], {}, "invalid_grant", [["errorType"]], [{"message": "no type"}], [None]]
)
def test_fitbit_malformed_errors_raise_a_typed_error(errors: Any) -> None:
    assert_both_fail("fitbit_compliance_fix", json.dumps({"errors": errors}))


def test_deeply_nested_json_raises_a_typed_error() -> None:
    hook = fixed(ours.weibo_compliance_fix).hooks["access_token_response"][0]
    with pytest.raises(MalformedResponseError):
        hook(make_response("[" * 100_000 + "]" * 100_000))


def test_error_messages_do_not_leak_the_token() -> None:
    error = assert_both_fail("fitbit_compliance_fix", '{"access_token": "s3cr3t-value", "x":')
    assert "s3cr3t" not in str(error)
    assert "s3cr3t" not in repr(error)


def test_mailchimp_rejects_json_that_is_not_an_object() -> None:
    # requests-oauthlib passes [] through and lets the token parser fail on it.
    hook = fixed(ours.mailchimp_compliance_fix).hooks["access_token_response"][0]
    with pytest.raises(MalformedResponseError, match="not a JSON object"):
        hook(make_response("[]"))


# --- slack and instagram: the token as a parameter ----------------------------------------------

SLACK_URL = "https://slack.com/api/chat.postMessage"


@pytest.mark.parametrize(
    ("url", "data"),
    [
        (SLACK_URL, None),
        (SLACK_URL, {}),
        (SLACK_URL, ""),
        (SLACK_URL, {"channel": "C1", "text": "hi"}),
        (SLACK_URL, {"channel": "C1", "token": ""}),  # empty: replaced in place
        (SLACK_URL, {"token": "xoxb-bot"}),  # the caller's token wins
        (SLACK_URL + "?token=xoxb-bot", None),
        (SLACK_URL + "?token=xoxb-bot", {"channel": "C1"}),
        (SLACK_URL + "?token=", {"channel": "C1"}),  # empty in the query does not count
        (SLACK_URL + "?channel=C1&text=a+b", "raw body"),  # not a dict: into the query
        (SLACK_URL + "?channel=C1#frag", b"bytes body"),
        (SLACK_URL, [("channel", "C1")]),
        ("https://slack.com/api/a;b/c?x=%C3%A9&y=", "body"),
        (SLACK_URL + "?", "body"),
    ],
)
def test_slack(url: str, data: Any) -> None:
    headers = {"Accept": "application/json"}
    assert_same_protected("slack_compliance_fix", url, headers, data)


def test_slack_adds_the_token_to_the_form() -> None:
    url, headers, data = assert_same_protected(
        "slack_compliance_fix", SLACK_URL, None, {"channel": "C1"}
    )
    assert (url, headers, data) == (SLACK_URL, None, {"channel": "C1", "token": TOKEN})


@pytest.mark.parametrize(
    "url",
    [
        "https://api.instagram.com/v1/users/self",
        "https://api.instagram.com/v1/users/self?count=5",
        "https://api.instagram.com/v1/users/self?access_token=other",
        "https://api.instagram.com/v1/users/self?access_token=",
        "https://api.instagram.com/v1/media/search?lat=48.8&lng=2.3#top",
        "https://api.instagram.com/v1/users/self?",
    ],
)
@pytest.mark.parametrize("data", [None, {"a": "b"}, "body"])
def test_instagram(url: str, data: Any) -> None:
    assert_same_protected("instagram_compliance_fix", url, {"X": "1"}, data)


def test_instagram_puts_the_token_in_the_query() -> None:
    url, _, _ = assert_same_protected(
        "instagram_compliance_fix", "https://api.instagram.com/v1/users/self?count=5", None, None
    )
    assert url == (
        "https://api.instagram.com/v1/users/self?count=5&access_token=xoxp-1234%7C%C3%A9%2B%2F%3D"
    )


QUERY_PAIRS = st.lists(
    st.tuples(
        st.sampled_from(["token", "access_token", "channel", "q", "é", ""]) | st.text(max_size=4),
        st.sampled_from(["", "x", "a b", "é&=", "xoxb"]) | st.text(max_size=4),
    ),
    max_size=3,
)
PATHS = st.sampled_from(["", "/", "/api/chat.postMessage", "/a;b/c", "/v1/users/self/"])
DATA = st.one_of(
    st.none(),
    st.just(""),
    st.just(b"raw"),
    st.text(max_size=5),
    st.dictionaries(st.sampled_from(["token", "channel", "text"]), st.text(max_size=3), max_size=3),
    st.lists(st.tuples(st.just("channel"), st.text(max_size=3)), max_size=2),
)


@PROPERTY
@given(
    name=st.sampled_from(["slack_compliance_fix", "instagram_compliance_fix"]),
    path=PATHS,
    pairs=QUERY_PAIRS,
    fragment=st.sampled_from(["", "#", "#top"]),
    data=DATA,
    token=st.text(min_size=1, max_size=8),
)
def test_protected_request_fixes_on_any_form_encoded_url(
    name: str, path: str, pairs: list[tuple[str, str]], fragment: str, data: Any, token: str
) -> None:
    query = urlencode(pairs)
    url = f"https://api.example.com{path}" + (f"?{query}" if query else "") + fragment
    their_fix, our_fix = fix_pair(name)
    expected = run_protected(their_fix, url, None, copy.deepcopy(data), token)
    actual = run_protected(our_fix, url, None, copy.deepcopy(data), token)
    assert actual == expected


# --- deliberate divergences ---------------------------------------------------------------------


def test_slack_does_not_write_into_the_callers_dict() -> None:
    data = {"channel": "C1"}
    _, _, sent = run_protected(ours.slack_compliance_fix, SLACK_URL, None, data)
    assert sent == {"channel": "C1", "token": TOKEN}
    assert data == {"channel": "C1"}
    their_data = {"channel": "C1"}
    run_protected(theirs.slack_compliance_fix, SLACK_URL, None, their_data)
    assert their_data == {"channel": "C1", "token": TOKEN}  # requests-oauthlib mutates it


@pytest.mark.parametrize(
    ("url", "ours_url", "theirs_url"),
    [
        (
            "https://api.example.com/a?flag",
            "https://api.example.com/a?flag&access_token=t",
            "https://api.example.com/a?flag=&access_token=t",
        ),
        (
            "https://api.example.com/a?x=%ZZ",
            "https://api.example.com/a?x=%ZZ&access_token=t",
            "https://api.example.com/a?x=%25ZZ&access_token=t",
        ),
        (
            "https://api.example.com/a;?x=1&",
            "https://api.example.com/a;?x=1&access_token=t",
            "https://api.example.com/a?x=1&access_token=t",
        ),
    ],
)
def test_the_existing_query_is_kept_as_sent(url: str, ours_url: str, theirs_url: str) -> None:
    assert run_protected(ours.instagram_compliance_fix, url, None, None, "t")[0] == ours_url
    assert run_protected(theirs.instagram_compliance_fix, url, None, None, "t")[0] == theirs_url


@pytest.mark.parametrize("name", ["slack_compliance_fix", "instagram_compliance_fix"])
def test_no_access_token_is_a_usage_error(name: str) -> None:
    with pytest.raises(UsageError, match="no access token"):
        run_protected(getattr(ours, name), "https://api.example.com/", None, "body", None)


@pytest.mark.parametrize("name", ["slack_compliance_fix", "instagram_compliance_fix"])
@pytest.mark.parametrize(
    ("url", "token"),
    [
        ("https://[::1/api", TOKEN),  # unparseable
        (b"https://api.example.com/", TOKEN),  # bytes: cannot be extended
        ("https://api.example.com/", "\ud800"),  # not encodable as UTF-8
    ],
)
def test_unusable_url_or_token_is_a_usage_error(name: str, url: Any, token: str) -> None:
    with pytest.raises(OAuthError) as caught:
        run_protected(getattr(ours, name), url, None, "body", token)
    assert isinstance(caught.value, UsageError)
    assert token not in str(caught.value)
