"""requests-oauthlib 2.0.0's own tests that do not pass on ``oauthkit.requests`` (issue #8).

Each entry names one test (its id below the tests directory) and why it does not pass. The only
acceptable kinds:

* ``internet``: the test needs the internet; it is skipped with its reason;
* ``oauthlib``: it patches an oauthlib internal oauthkit does not call; ``twin`` names the test
  of ours that proves the same behaviour through oauthkit's own seams;
* ``security``: a deliberate difference, listed in the README's "Differences from
  requests-oauthlib"; ``readme`` quotes the words there that explain it;
* ``no-oauthlib``: the test needs oauthlib's own client classes under oauthkit's client,
  which oauthkit never uses there (oauthlib is only a server-side peer and test oracle here);
  ``readme`` quotes the README's words on it.

Every other listed test is a strict ``xfail``: one that starts to pass fails the run until its
entry is removed. ``tests/upstream/conftest.py`` applies this list and checks that every twin
and README quote exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Expected:
    id: str
    kind: Literal["internet", "oauthlib", "security", "no-oauthlib"]
    reason: str
    twin: str | None = None
    readme: str | None = None


# Directories not collected at all, with the reason.
IGNORED = {
    "examples": "drives a Chrome browser through selenium against auth0.com: needs the internet",
}

EXPECTED: list[Expected] = [
    # --- OAuth 1 (test_core.py, test_oauth1_session.py) ---
    Expected(
        "test_core.py::OAuth1Test::testCanPostBinaryData",
        "internet",
        "posts a multipart upload to http://httpbin.org/post",
    ),
    Expected(
        "test_core.py::OAuth1Test::test_url_is_native_str",
        "internet",
        "sends a GET to http://httpbin.org/get",
    ),
    Expected(
        "test_core.py::OAuth1Test::test_content_type_override",
        "internet",
        "posts to http://httpbin.org/get",
    ),
    Expected(
        "test_core.py::OAuth1Test::testFormEncoded",
        "oauthlib",
        "its last assertion compares the Authorization headers of two requests signed with the "
        "nonce pinned by patching oauthlib.oauth1.rfc5849.generate_nonce",
        twin="tests/test_dropin_oauth1.py::test_a_form_body_is_signed_alike_with_or_without_its_"
        "content_type",
    ),
    Expected(
        "test_core.py::OAuth1Test::test_register_client_class",
        "no-oauthlib",
        "requires OAuth1.client_class to be oauthlib.oauth1.Client and the auth's client to be "
        "an instance of a registered oauthlib Client subclass",
        readme="oauthkit signs without oauthlib**, so `client_class=` and `OAuth1.client_class` "
        "are refused",
    ),
    Expected(
        "test_core.py::OAuth1Test::testNonFormEncoded",
        "oauthlib",
        "pins the nonce and timestamp by patching oauthlib.oauth1.rfc5849.generate_nonce and "
        "generate_timestamp",
        twin="tests/test_dropin_oauth1.py::test_a_body_that_is_no_form_stays_out_of_the_signature",
    ),
    Expected(
        "test_oauth1_session.py::OAuth1SessionTest::test_signature_methods",
        "oauthlib",
        "pins the nonce and timestamp by patching oauthlib.oauth1.rfc5849.generate_nonce and "
        "generate_timestamp",
        twin="tests/test_dropin_oauth1.py::test_pinned_signature_per_method_matches_requests_oauthlib",
    ),
    Expected(
        "test_oauth1_session.py::OAuth1SessionTest::test_binary_upload",
        "oauthlib",
        "pins the nonce and timestamp by patching oauthlib.oauth1.rfc5849.generate_nonce and "
        "generate_timestamp",
        twin="tests/test_dropin_oauth1.py::test_pinned_signature_of_a_multipart_upload",
    ),
    Expected(
        "test_oauth1_session.py::OAuth1SessionTest::test_nonascii",
        "oauthlib",
        "pins the nonce and timestamp by patching oauthlib.oauth1.rfc5849.generate_nonce and "
        "generate_timestamp",
        twin="tests/test_dropin_oauth1.py::test_pinned_signature_of_a_non_ascii_query",
    ),
]
