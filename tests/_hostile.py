"""Hypothesis strategies for hostile server and user-agent input.

The parsers' property tests (``test_fuzz_parsers.py``) and the redaction properties
(``test_redaction.py``) draw from here. The strategies aim at the parsers' deep paths, not at
their first ``if``: JSON is written as text (so objects can repeat a member, numbers can be
``NaN``, ``1e999`` or 400 digits long, strings can hold lone surrogate escapes) from names the
parsers look up; forms carry percent escapes and separators; callback URLs mix schemes,
bracketed hosts, backslashes and control characters with the parameters a callback reads.
"""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from urllib.parse import quote

from hypothesis import strategies as st

from oauthkit import HttpResponse

# The words hostile input is made of (member names, numbers, content types, schemes, hosts,
# callback names, header parts), shared with the fuzz campaign, which needs no Hypothesis.
WORDS = runpy.run_path(str(Path(__file__).resolve().parent.parent / "fuzz" / "_vocabulary.py"))

# Member names that some parser reads, and a few it does not.
NAMES: tuple[str, ...] = WORDS["NAMES"]
names = st.sampled_from(NAMES)

# Characters that have a meaning somewhere: in URLs, forms, JSON, quoted strings, headers.
_SPECIALS = list(
    "aZ09-._~:/?#[]@!$&'()*+,;=% \\\"<>^`{|}\t\n\r\x00\x1f\x7f\x85é中\u2028\ufeff\ufffd"
)
odd_text = st.text(alphabet=st.sampled_from(_SPECIALS), max_size=24) | st.text(max_size=12)

# --- JSON, written as text -------------------------------------------------------------------

_NUMBER_TEXT = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.sampled_from([*WORDS["NUMBERS"], "-" + "9" * 400, "1E+2"]),
)
_STRING_TEXT = st.one_of(
    st.text(max_size=16).map(json.dumps),
    st.text(max_size=16).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.sampled_from(['"\\ud800"', '"\\udfff\\ud800"', '"\\u0000"', '"a\\"b"', '"\\x"', '"open']),
)
_SCALAR_TEXT = st.one_of(
    _NUMBER_TEXT, _STRING_TEXT, st.sampled_from(["true", "false", "null", "nul", "True"])
)


def _object(pairs: list[tuple[str, str]]) -> str:
    # Written by hand so that a member may repeat, which json.dumps cannot produce.
    return "{" + ",".join(f"{json.dumps(name)}:{value}" for name, value in pairs) + "}"


json_text = st.recursive(
    _SCALAR_TEXT,
    lambda inner: (
        st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]")
        | st.lists(st.tuples(names, inner), max_size=5).map(_object)
    ),
    max_leaves=12,
)
json_objects = st.lists(st.tuples(names, json_text), max_size=8).map(_object)


def _deep(depth: int, shape: str) -> str:
    if shape == "array":
        return "[" * depth + "]" * depth
    if shape == "open":
        return "[" * depth
    if shape == "object":
        return '{"a":' * depth + "1" + "}" * depth
    # A valid token whose extension member nests deeply.
    return '{"access_token":"x","oauth_token":"x","active":true,"x":' + _deep(depth, "array") + "}"


deep_json = st.builds(
    _deep,
    st.sampled_from([100, 127, 128, 129, 990, 1000, 5000, 100_000]) | st.integers(1, 3000),
    st.sampled_from(["array", "open", "object", "member"]),
)

# --- forms, pages and bytes --------------------------------------------------------------------


def _form(pairs: list[tuple[str, str]], encode: bool) -> str:
    if encode:
        return "&".join(f"{quote(n, safe='')}={quote(v, safe='')}" for n, v in pairs)
    return "&".join(f"{n}={v}" for n, v in pairs)


form_text = st.builds(
    _form, st.lists(st.tuples(names | odd_text, odd_text), max_size=6), st.booleans()
)
html_text = st.builds(
    lambda inner: f"<html><body>{inner}</body></html>", form_text | json_objects | odd_text
)


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate makes the body non-UTF-8


body_bytes = st.one_of(
    st.binary(max_size=200),
    json_objects.map(_utf8),
    json_text.map(_utf8),
    deep_json.map(_utf8),
    form_text.map(_utf8),
    html_text.map(_utf8),
    st.builds(lambda b: b"\xef\xbb\xbf" + b, json_objects.map(_utf8) | form_text.map(_utf8)),
    json_objects.map(lambda text: text.encode("utf-16", "surrogatepass")),
)
content_types = st.sampled_from([*WORDS["CONTENT_TYPES"], ";;;"]) | st.text(max_size=20)
statuses = st.integers(100, 599)


def _response(status: int, content_type: str, body: bytes) -> HttpResponse:
    return HttpResponse(status, {"Content-Type": content_type} if content_type else {}, body)


responses = st.builds(_response, statuses, content_types, body_bytes)
ok_responses = st.builds(_response, st.sampled_from([200, 201, 204]), content_types, body_bytes)

# --- callbacks --------------------------------------------------------------------------------

CALLBACK_NAMES: tuple[str, ...] = (
    *WORDS["CALLBACK_NAMES"],
    "error_uri",
    "oauth_token",
    "oauth_verifier",
    "x",
)
_SCHEMES = WORDS["SCHEMES"]
_HOSTS = [*WORDS["HOSTS"], "exa mple", "例え.jp"]


def _query(pairs: list[tuple[str, str, bool]]) -> str:
    return "&".join(f"{n}={quote(v, safe='') if escape else v}" for n, v, escape in pairs)


callback_pairs = st.lists(
    st.tuples(st.sampled_from(CALLBACK_NAMES) | odd_text, odd_text, st.booleans()), max_size=6
)
callback_urls = st.builds(
    lambda scheme, host, path, query, fragment: f"{scheme}{host}{path}?{query}{fragment}",
    st.sampled_from(_SCHEMES),
    st.sampled_from(_HOSTS) | odd_text,
    st.sampled_from(["/cb", "", "/a/../cb", "/%2e%2e/cb", "/cb;x"]) | odd_text,
    callback_pairs.map(_query),
    st.just("") | callback_pairs.map(lambda pairs: "#" + _query(pairs)),
)
callback_texts = st.one_of(
    callback_urls,
    callback_pairs.map(_query),  # a form_post body
    st.text(max_size=60),
)
callback_mappings = st.dictionaries(
    st.sampled_from(CALLBACK_NAMES) | odd_text | st.integers(),
    odd_text | st.lists(odd_text, max_size=2) | st.integers() | st.none(),
    max_size=6,
)

# --- WWW-Authenticate ---------------------------------------------------------------------------

_HEADER_PARTS = st.sampled_from([*WORDS["HEADER_PARTS"], "bearer", "scope=", "a/b+c=", "\r\n", "é"])
header_values = st.lists(_HEADER_PARTS | odd_text, max_size=12).map("".join) | st.text(max_size=80)
