"""``OAuth1(decoding=...)`` on requests, against requests-oauthlib 2.0.0 as the oracle (issue #8).

requests-oauthlib replaces every header of the request with those oauthlib's ``Client.sign``
returns, encoded with ``decoding`` (default ``"utf-8"``) or left as text (``None``); it sends
the bare form ``Content-Type`` and the form body it signed in the same type. The same requests
are prepared through requests-oauthlib, with oauthlib's nonce and timestamp patched (here
oauthlib is only the oracle), and through ``oauthkit.requests``, pinned with ``nonce=`` and
``timestamp=``; URL, body and every header value must be equal, types included.

httpx keeps header values as bytes itself, so ``decoding`` changes nothing there.
"""

from __future__ import annotations

from typing import Any
from unittest import mock

import httpx
import pytest
import requests
import requests_oauthlib
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit._core._http import HttpRequest
from oauthkit.oauth1 import OAuth1Signer
from oauthkit.oauth1._redirects import redirect_hop

FORM = "application/x-www-form-urlencoded"
URL = "http://a.b/path?query=retain"

CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "no body": ({}, {}),
    "form from a dict": ({}, {"data": {"a": "é", "b": ""}}),
    "form str with its type": (
        {},
        {"data": "this=really&is=&+form=encoded", "headers": {"Content-type": FORM}},
    ),
    "form type with charset": ({}, {"data": "x=1", "headers": {"Content-Type": f"{FORM}; c=u"}}),
    "form bytes": ({}, {"data": b"x=1&y=2", "headers": {"Content-Type": FORM}}),
    "bytes, no type": ({}, {"data": b"x=1&y=2"}),
    "bytes, body placement": ({"signature_type": "BODY"}, {"data": b"x=1&y=2"}),
    "form type, no body": ({}, {"headers": {"Content-Type": FORM}}),
    "text, no form": ({}, {"data": "this really is not form encoded"}),
    "json, bytes headers": (
        {},
        {"data": '{"a": 1}', "headers": {"Content-Type": b"application/json", "X-B": b"b"}},
    ),
    "json, body included": (
        {"force_include_body": True},
        {"data": '{"a": 1}', "headers": {"Content-Type": "application/json"}},
    ),
    "multipart": ({}, {"files": {"f": ("f.txt", b"hello")}}),
    "body placement": ({"signature_type": "BODY"}, {"data": {"a": "b"}}),
    "query placement": ({"signature_type": "QUERY"}, {"data": {"a": "b"}}),
    "query placement, no body": ({"signature_type": "QUERY"}, {}),
}
CREDENTIALS = {"client_secret": "cs", "resource_owner_key": "rk", "resource_owner_secret": "rs"}


def _prepare(auth: Any, request: dict[str, Any]) -> Any:
    session = requests.Session()
    session.cookies.set("c", "v")  # a header requests adds before the auth runs
    with mock.patch("urllib3.filepost.choose_boundary", return_value="boundary"):
        return session.prepare_request(requests.Request("POST", URL, auth=auth, **request))


def _typed(prepared: Any) -> tuple[Any, ...]:
    headers = {name: (type(value), value) for name, value in prepared.headers.items()}
    return prepared.url, type(prepared.body), prepared.body, headers


def _oracle(decoding: str | None, settings: dict[str, Any], request: dict[str, Any]) -> Any:
    with (
        mock.patch("oauthlib.oauth1.rfc5849.generate_nonce", return_value="abc"),
        mock.patch("oauthlib.oauth1.rfc5849.generate_timestamp", return_value="1"),
    ):
        auth = requests_oauthlib.OAuth1("ck", decoding=decoding, **CREDENTIALS, **settings)
        return _prepare(auth, request)


def _oauthkit(decoding: str | None, settings: dict[str, Any], request: dict[str, Any]) -> Any:
    pinned = {"nonce": "abc", "timestamp": "1", **CREDENTIALS, **settings}
    return _prepare(okrequests.OAuth1("ck", decoding=decoding, **pinned), request)


@pytest.mark.parametrize("decoding", ["utf-8", None])
@pytest.mark.parametrize("case", list(CASES))
def test_requests_values_have_requests_oauthlibs_types(decoding: str | None, case: str) -> None:
    settings, request = CASES[case]
    expected = _oracle(decoding, settings, request)
    assert _typed(_oauthkit(decoding, settings, request)) == _typed(expected)
    # requests sets Content-Length again, as str, after the auth ran on a request with a body.
    signed = [v for k, v in expected.headers.items() if k != "Content-Length"]
    assert all(isinstance(v, bytes if decoding else str) for v in signed)


def test_the_default_decoding_is_utf8_and_bytes_can_be_decoded() -> None:
    """What code written for requests-oauthlib does with the values: ``.decode()`` them."""
    auth = okrequests.OAuth1("ck", nonce="abc", timestamp="1")
    prepared = requests.Request("POST", URL, auth=auth, data={"a": "b"}).prepare()
    assert prepared.headers["Authorization"].decode().startswith('OAuth oauth_nonce="abc"')
    assert prepared.headers["Content-Type"].decode() == FORM
    assert prepared.body == b"a=b"


def test_a_session_passes_decoding_to_its_auth() -> None:
    session = okrequests.OAuth1Session("ck", decoding=None, nonce="abc", timestamp="1")
    prepared = session.prepare_request(requests.Request("POST", URL, data={"a": "b"}))
    assert isinstance(prepared.headers["Authorization"], str)
    assert prepared.body == "a=b"
    default = okrequests.OAuth1Session("ck", nonce="abc", timestamp="1")
    signed = default.prepare_request(requests.Request("POST", URL, data={"a": "b"}))
    assert signed.headers["Authorization"] == prepared.headers["Authorization"].encode()


@pytest.mark.parametrize("decoding", ["utf-8", None, "latin-1"])
def test_httpx_signs_the_same_whatever_the_decoding(decoding: str | None) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    for kwargs in ({}, {"decoding": decoding}):
        auth = okhttpx.OAuth1Auth("ck", nonce="abc", timestamp="1", **CREDENTIALS, **kwargs)
        with httpx.Client(transport=httpx.MockTransport(handler)) as client:
            client.post(URL, data={"a": "é"}, auth=auth)
        with okhttpx.OAuth1Client(
            "ck", nonce="abc", timestamp="1", transport=httpx.MockTransport(handler), **kwargs
        ) as client:
            client.post(URL, data={"a": "é"})
    default, client_default, chosen, client_chosen = sent
    assert chosen.headers.raw == default.headers.raw
    assert chosen.content == default.content == b"a=%C3%A9"
    assert client_chosen.headers.raw == client_default.headers.raw


class _RedirectOnce(BaseAdapter):
    """Answers the first request with a 307 to another path on the same origin, then 200."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request.copy())
        response = requests.Response()
        response.status_code = 307 if len(self.sent) == 1 else 200
        response.headers = CaseInsensitiveDict({"Location": "/next"} if len(self.sent) == 1 else {})
        response._content = b""
        response.request, response.url = request, request.url or ""
        return response

    def close(self) -> None:
        pass


@pytest.mark.parametrize("signature_type", ["AUTH_HEADER", "BODY"])
@pytest.mark.parametrize("decoding", ["utf-8", None])
def test_a_same_origin_hop_is_signed_again_with_the_same_types(
    signature_type: str, decoding: str | None
) -> None:
    session = okrequests.OAuth1Session("ck", signature_type=signature_type, decoding=decoding)
    adapter = _RedirectOnce()
    session.mount("http://", adapter)
    session.post(URL, data={"a": "b"})
    first, hop = adapter.sent
    assert hop.url == "http://a.b/next"
    for name in ("Content-Type", "User-Agent"):
        assert type(hop.headers[name]) is type(first.headers[name]) is (bytes if decoding else str)
    if signature_type == "BODY":
        assert b"oauth_signature=" in hop.body
        assert hop.body != first.body  # signed for its own URL
    else:
        assert type(hop.headers["Authorization"]) is (bytes if decoding else str)
        assert hop.headers["Authorization"] != first.headers["Authorization"]


def test_the_core_signs_a_body_placed_hop_whose_content_type_is_bytes() -> None:
    """A form type given as bytes (as requests-oauthlib's default leaves it) is still a form."""
    signer = OAuth1Signer("ck", signature_type="BODY", nonce="abc", timestamp="1")
    hop = HttpRequest("POST", "http://a.b/next", {"Content-Type": FORM.encode()}, b"a=b")
    signed = redirect_hop(signer, URL, hop)
    assert signed.body is not None
    assert signed.body.startswith(b"a=b&oauth_nonce=abc")
    direct = signer.sign("POST", "http://a.b/next", {"Content-Type": FORM}, b"a=b")
    assert signed.body == direct.body
