"""requests-oauthlib 2.0.0's OAuth 1.0a behaviour, held on every driver (issue #8).

Two kinds of tests:

* twins of upstream tests that pin oauthlib's nonce and timestamp with ``mock.patch`` (which
  oauthkit never calls): the same requests, pinned through oauthkit's own ``nonce=`` and
  ``timestamp=``, must carry exactly the ``Authorization`` header the upstream test expects;
* regression tests for each difference the upstream suite found, run on requests, httpx and
  async httpx where the behaviour is shared.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from io import StringIO
from typing import Any
from unittest import mock

import anyio
import httpx
import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit.oauth1 import OAuth1FlowState, OAuth1Signer
from tests._drivers import DRIVERS, open_session
from tests._routes import Answer, Hit, Routes, serve

# requests-oauthlib 2.0.0's tests/test_oauth1_session.py: its RSA test key and what it expects.
TEST_RSA_KEY = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEogIBAAKCAQEApF1JaMSN8TEsh4N4O/5SpEAVLivJyLH+Cgl3OQBPGgJkt8cg\n"
    "49oasl+5iJS+VdrILxWM9/JCJyURpUuslX4Eb4eUBtQ0x5BaPa8+S2NLdGTaL7nB\n"
    "OO8o8n0C5FEUU+qlEip79KE8aqOj+OC44VsIquSmOvWIQD26n3fCVlgwoRBD1gzz\n"
    "sDOeaSyzpKrZR851Kh6rEmF2qjJ8jt6EkxMsRNACmBomzgA4M1TTsisSUO87444p\n"
    "e35Z4/n5c735o2fZMrGgMwiJNh7rT8SYxtIkxngioiGnwkxGQxQ4NzPAHg+XSY0J\n"
    "04pNm7KqTkgtxyrqOANJLIjXlR+U9SQ90NjHVQIDAQABAoIBABuBPOKaWcJt3yzC\n"
    "NGGduoif7KtwSnEaUA+v69KPGa2Zju8uFHPssKD+4dZYRc2qMeunKJLpaGaSjnRh\n"
    "yHyvvOBJCN1nr3lhz6gY5kzJTfwpUFXCOPJlGy4Q+2Xnp4YvcvYqQ9n5DVovDiZ8\n"
    "vJOBn16xqpudMPLHIa7D5LJ8SY76HBjE+imTXw1EShdh5TOV9bmPFQqH6JFzowRH\n"
    "hyH2DPHuyHJj6cl8FyqJw5lVWzG3n6Prvk7bYHsjmGjurN35UsumNAp6VouNyUP1\n"
    "RAEcUJega49aIs6/FJ0ENJzQjlsAzVbTleHkpez2aIok+wsWJGJ4SVxAjADOWAaZ\n"
    "uEJPc3UCgYEA1g4ZGrXOuo75p9/MRIepXGpBWxip4V7B9XmO9WzPCv8nMorJntWB\n"
    "msYV1I01aITxadHatO4Gl2xLniNkDyrEQzJ7w38RQgsVK+CqbnC0K9N77QPbHeC1\n"
    "YQd9RCNyUohOimKvb7jyv798FBU1GO5QI2eNgfnnfteSVXhD2iOoTOsCgYEAxJJ+\n"
    "8toxJdnLa0uUsAbql6zeNXGbUBMzu3FomKlyuWuq841jS2kIalaO/TRj5hbnE45j\n"
    "mCjeLgTVO6Ach3Wfk4zrqajqfFJ0zUg/Wexp49lC3RWiV4icBb85Q6bzeJD9Dn9v\n"
    "hjpfWVkczf/NeA1fGH/pcgfkT6Dm706GFFttLL8CgYBl/HeXk1H47xAiHO4dJKnb\n"
    "v0B+X8To/RXamF01r+8BpUoOubOQetdyX7ic+d6deuHu8i6LD/GSCeYJZYFR/KVg\n"
    "AtiW757QYalnq3ZogkhFrVCZP8IRfTPOFBxp752TlyAcrSI7T9pQ47IBe4094KXM\n"
    "CJWSfPgAJkOxd0iU0XJpmwKBgGfQxuMTgSlwYRKFlD1zKap5TdID8fbUbVnth0Q5\n"
    "GbH7vwlp/qrxCdS/aj0n0irOpbOaW9ccnlrHiqY25VpVMLYIkt3DrDOEiNNx+KNR\n"
    "TItdTwbcSiTYrS4L0/56ydM/H6bsfsXxRjI18hSJqMZiqXqS84OZz2aOn+h7HCzc\n"
    "LEiZAoGASk20wFvilpRKHq79xxFWiDUPHi0x0pp82dYIEntGQkKUWkbSlhgf3MAi\n"
    "5NEQTDmXdnB+rVeWIvEi+BXfdnNgdn8eC4zSdtF4sIAhYr5VWZo0WVWDhT7u2ccv\n"
    "ZBFymiz8lo3gN57wGUCi9pbZqzV1+ZppX6YTNDdDCE0q+KO3Cec=\n"
    "-----END RSA PRIVATE KEY-----"
)
TEST_RSA_OAUTH_SIGNATURE = (
    "j8WF8PGjojT82aUDd2EL%2Bz7HCoHInFzWUpiEKMCy%2BJ2cYHWcBS7mXlmFDLgAKV0"
    "P%2FyX4TrpXODYnJ6dRWdfghqwDpi%2FlQmB2jxCiGMdJoYxh3c5zDf26gEbGdP6D7O"
    "Ssp5HUnzH6sNkmVjuE%2FxoJcHJdc23H6GhOs7VJ2LWNdbhKWP%2FMMlTrcoQDn8lz"
    "%2Fb24WsJ6ae1txkUzpFOOlLM8aTdNtGL4OtsubOlRhNqnAFq93FyhXg0KjzUyIZzmMX"
    "9Vx90jTks5QeBGYcLE0Op2iHb2u%2FO%2BEgdwFchgEwE5LgMUyHUI4F3Wglp28yHOAM"
    "jPkI%2FkWMvpxtMrU3Z3KN31WQ%3D%3D"
)
PINNED = 'OAuth oauth_nonce="abc", oauth_timestamp="123", oauth_version="1.0", '
EMPTY_POST_HMAC = (
    PINNED + 'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="foo", '
    'oauth_signature="h2sRqLArjhlc5p3FTkuNogVHlKE%3D"'
)
SIGNING = ("requests", "httpx", "httpx-async")


class _Capture(BaseAdapter):
    """A requests adapter that keeps what it is given and answers from memory (no ``raw``)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = 200
        response.headers = CaseInsensitiveDict()
        response._content = b""
        response.request, response.url = request, request.url or ""
        return response

    def close(self) -> None:
        pass


def sent_by(driver: str, method: str, url: str, session: dict[str, Any], **kw: Any) -> Any:
    """The request ``driver``'s OAuth 1.0a session puts on the wire for one call."""
    if driver == "requests":
        s = okrequests.OAuth1Session(**session)
        adapter = _Capture()
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        s.request(method, url, **kw)
        return adapter.sent[0]
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        seen.append(request)
        return httpx.Response(200)

    if "data" in kw and isinstance(kw["data"], str):
        kw["content"] = kw.pop("data")
    if driver == "httpx":
        with okhttpx.OAuth1Client(transport=httpx.MockTransport(handler), **session) as c:
            c.request(method, url, **kw)
    else:

        async def main() -> None:
            transport = httpx.MockTransport(handler)
            async with okhttpx.AsyncOAuth1Client(transport=transport, **session) as c:
                await c.request(method, url, **kw)

        anyio.run(main)
    return seen[0]


def authorization(driver: str, method: str, url: str, session: dict[str, Any], **kw: Any) -> str:
    value = sent_by(driver, method, url, session, **kw).headers["Authorization"]
    # requests-oauthlib's default decoding="utf-8" leaves bytes; httpx reads headers as str.
    assert isinstance(value, bytes if driver == "requests" else str)
    return value.decode("utf-8") if isinstance(value, bytes) else value


# --- twins of the upstream tests that patch oauthlib's nonce and timestamp --------------------


@pytest.mark.parametrize("driver", SIGNING)
@pytest.mark.parametrize(
    ("method", "extra", "expected"),
    [
        ("HMAC-SHA1", {}, EMPTY_POST_HMAC),
        (
            "PLAINTEXT",
            {},
            PINNED + 'oauth_signature_method="PLAINTEXT", oauth_consumer_key="foo", '
            'oauth_signature="%26"',
        ),
        (
            "RSA-SHA1",
            {"rsa_key": TEST_RSA_KEY},
            PINNED + 'oauth_signature_method="RSA-SHA1", oauth_consumer_key="foo", '
            f'oauth_signature="{TEST_RSA_OAUTH_SIGNATURE}"',
        ),
    ],
)
def test_pinned_signature_per_method_matches_requests_oauthlib(
    driver: str, method: str, extra: dict[str, Any], expected: str
) -> None:
    """Twin of test_oauth1_session.py::OAuth1SessionTest::test_signature_methods."""
    session = {"client_key": "foo", "signature_method": method, "nonce": "abc", "timestamp": "123"}
    assert authorization(driver, "POST", "https://i.b", {**session, **extra}) == expected


@pytest.mark.parametrize("driver", SIGNING)
def test_pinned_signature_of_a_multipart_upload(driver: str) -> None:
    """Twin of test_oauth1_session.py::OAuth1SessionTest::test_binary_upload: a multipart body
    under ``Content-Type: application/xml`` stays out of the signature."""
    session = {"client_key": "foo", "nonce": "abc", "timestamp": "123"}
    files = [("fake", StringIO("hello world") if driver == "requests" else b"hello world")]
    headers = {"Content-Type": "application/xml"}
    header = authorization(driver, "POST", "https://i.b", session, headers=headers, files=files)
    assert header == EMPTY_POST_HMAC


@pytest.mark.parametrize("driver", SIGNING)
def test_pinned_signature_of_a_non_ascii_query(driver: str) -> None:
    """Twin of test_oauth1_session.py::OAuth1SessionTest::test_nonascii."""
    session = {"client_key": "foo", "nonce": "abc", "timestamp": "123"}
    assert authorization(driver, "POST", "https://i.b?cjk=%E5%95%A6%E5%95%A6", session) == (
        PINNED + 'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="foo", '
        'oauth_signature="W0haoue5IZAZoaJiYCtfqwMf8x8%3D"'
    )


@pytest.mark.parametrize("driver", SIGNING)
def test_a_body_that_is_no_form_stays_out_of_the_signature(driver: str) -> None:
    """Twin of test_core.py::OAuth1Test::testNonFormEncoded: a text body that is no form, no
    body and a multipart upload are signed alike (the value is oauthlib's for a bare POST)."""
    session = {"client_key": "client_key", "nonce": "abc", "timestamp": "1"}
    url = "http://a.b/path?query=retain"
    files = {"test": StringIO("hello") if driver == "requests" else b"hello"}
    expected = (
        'OAuth oauth_nonce="abc", oauth_timestamp="1", oauth_version="1.0", '
        'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="client_key", '
        'oauth_signature="6f58WSXKWFZMwUuAKOtpec7bVow%3D"'
    )
    assert authorization(driver, "POST", url, session, data="this really is not form encoded") == (
        expected
    )
    assert authorization(driver, "POST", url, session) == expected
    assert authorization(driver, "POST", url, session, files=files) == expected


def test_a_form_body_is_signed_alike_with_or_without_its_content_type() -> None:
    """Twin of test_core.py::OAuth1Test::testFormEncoded: a form body without Content-Type is
    guessed to be a form; both requests carry the bare form type and the body as bytes (the
    default ``decoding="utf-8"``) and the same Authorization header."""
    auth = okrequests.OAuth1("client_key", nonce="abc", timestamp="1")
    url, data = "http://a.b/path?query=retain", "this=really&is=&+form=encoded"
    headers = {"Content-type": "application/x-www-form-urlencoded"}
    a = requests.Request("POST", url, auth=auth, data=data, headers=headers).prepare()
    b = requests.Request("POST", url, auth=auth, data=data).prepare()
    for prepared in (a, b):
        assert prepared.url == url
        assert prepared.body == b"this=really&is=&+form=encoded"
        assert prepared.headers.get("Content-Type") == b"application/x-www-form-urlencoded"
    assert (
        a.headers.get("Authorization")
        == b.headers.get("Authorization")
        == (
            b'OAuth oauth_nonce="abc", oauth_timestamp="1", oauth_version="1.0", '
            b'oauth_signature_method="HMAC-SHA1", oauth_consumer_key="client_key", '
            b'oauth_signature="9eOoAk2sUSjAreSQnsB9RFRlatw%3D"'
        )
    )


@pytest.mark.parametrize(
    "make", [okrequests.OAuth1, okrequests.OAuth1Session, okhttpx.OAuth1Auth, okhttpx.OAuth1Client]
)
def test_an_oauthlib_client_class_is_refused(make: Callable[..., Any]) -> None:
    """requests-oauthlib signs with ``client_class`` (an oauthlib ``Client`` subclass);
    oauthkit signs without oauthlib and says where custom methods go instead."""
    from oauthlib.oauth1 import Client

    with pytest.raises(oauthkit.UsageError, match=r"oauthkit\.oauth1\.register_signature_method"):
        make("client_key", client_class=Client)


def test_a_client_class_assigned_to_the_class_is_refused_too() -> None:
    """requests-oauthlib reads ``OAuth1.client_class``; assigning it must not pass silently."""
    from oauthlib.oauth1 import Client

    class Custom(okrequests.OAuth1):
        client_class = Client

    with pytest.raises(oauthkit.UsageError, match="client_class is not supported"):
        Custom("client_key")
    assert okrequests.OAuth1("client_key").signer.client_key == "client_key"


# --- the three-legged flow as requests-oauthlib runs it, on every driver ----------------------


def _token_endpoint(body: bytes, status: int = 200) -> Callable[[Hit], Answer]:
    return lambda hit: (status, {"Content-Type": "application/x-www-form-urlencoded"}, body)


def _oauth_params(hit: Hit) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', hit.headers["authorization"]))


@pytest.fixture
def origin() -> Iterator[Routes]:
    with serve() as routes:
        routes.handlers["/request"] = _token_endpoint(b"oauth_token=rt&oauth_token_secret=rs")
        routes.handlers["/access"] = _token_endpoint(b"oauth_token=at&oauth_token_secret=as")
        routes.handlers["/api"] = _token_endpoint(b"ok")
        yield routes


@pytest.mark.parametrize("driver", DRIVERS)
def test_request_token_carries_a_callback_only_when_one_was_given(
    driver: str, origin: Routes
) -> None:
    with open_session(driver, client_key="foo", client_secret="s") as s:
        assert s.fetch_request_token(origin.url("/request"))["oauth_token"] == "rt"
    with open_session(driver, client_key="foo", client_secret="s", callback_uri="https://c/b") as s:
        s.fetch_request_token(origin.url("/request"))
    without, with_callback = (_oauth_params(hit) for hit in origin.to("/request"))
    assert "oauth_callback" not in without
    assert with_callback["oauth_callback"] == "https%3A%2F%2Fc%2Fb"


def test_the_native_flow_still_sends_oob_and_wants_a_request_token() -> None:
    state = OAuth1FlowState(OAuth1Signer("foo", "s", verifier="bar"))
    assert state.request_token_signer("https://i.b/request").callback_uri == "oob"
    with pytest.raises(oauthkit.UsageError, match="no request token"):
        state.access_token_signer("https://i.b/access")


@pytest.mark.parametrize("driver", DRIVERS)
def test_access_token_is_fetched_with_a_verifier_and_no_request_token(
    driver: str, origin: Routes
) -> None:
    with open_session(driver, client_key="key", client_secret="secret", verifier="bar") as s:
        assert not s.authorized
        token = s.fetch_access_token(origin.url("/access"))
        assert token == {"oauth_token": "at", "oauth_token_secret": "as"}
        assert s.authorized
        assert s.token == {"oauth_token": "at", "oauth_token_secret": "as"}  # verifier spent
    (hit,) = origin.to("/access")
    params = _oauth_params(hit)
    assert params["oauth_verifier"] == "bar"
    assert "oauth_token" not in params
    assert "oauth_callback" not in params


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_missing_verifier_is_requests_oauthlibs_value_error(driver: str, origin: Routes) -> None:
    with open_session(driver, client_key="foo") as s, pytest.raises(ValueError) as info:
        s.fetch_access_token(origin.url("/access"))
    assert isinstance(info.value, okrequests.VerifierMissing)
    assert str(info.value) == "No client verifier has been set."
    assert origin.hits == []


@pytest.mark.parametrize("driver", DRIVERS)
def test_token_requests_take_stream(driver: str, origin: Routes) -> None:
    extra: dict[str, Any] = {"verify": False} if driver == "requests" else {}
    with open_session(driver, client_key="foo") as s:
        assert s.fetch_request_token(origin.url("/request"), stream=True, **extra)
    with open_session(driver, client_key="foo", verifier="bar") as s:
        assert s.fetch_access_token(origin.url("/access"), stream=True, **extra)
    assert len(origin.hits) == 2


def _client_of(session: Any) -> Any:
    """requests-oauthlib's ``OAuth1.client`` of a driver's session."""
    return session.s._client.client if hasattr(session.s, "_client") else session.s.auth.client


@pytest.mark.parametrize("driver", DRIVERS)
def test_client_fields_are_settable_and_sign_the_next_request(driver: str, origin: Routes) -> None:
    token = {"oauth_token": "key", "oauth_token_secret": "secret", "oauth_verifier": "v"}
    with open_session(
        driver,
        client_key="foo",
        resource_owner_key="key",
        resource_owner_secret="secret",
        verifier="v",
    ) as s:
        client = _client_of(s)
        assert s.token == token
        before = s.s._flow.signer
        client.resource_owner_key = "different-key"
        del client.verifier
        assert client.resource_owner_key == "different-key"
        assert client.verifier is None
        assert s.token == {"oauth_token": "different-key", "oauth_token_secret": "secret"}
        assert before.resource_owner_key == "key"  # replaced, never mutated
        s.request("GET", origin.url("/api"))
        with pytest.raises(AttributeError):
            client.not_a_field = 1
    assert _oauth_params(origin.to("/api")[0])["oauth_token"] == "different-key"


def test_the_signer_under_the_client_view_stays_frozen() -> None:
    auth = okrequests.OAuth1("foo", nonce="abc", timestamp="123")
    signer = auth.signer
    with pytest.raises(AttributeError):
        signer.resource_owner_key = "k"  # type: ignore[misc]
    auth.client.resource_owner_key = "k"
    assert auth.signer is not signer
    assert auth.signer == signer.replace(resource_owner_key="k")
    assert "secret" not in repr(okhttpx.OAuth1Auth("foo", client_secret="secret").client)


# --- requests: reading a response built in memory; the body as requests-oauthlib leaves it ---


def _in_memory(body: str, status: int = 200) -> Callable[..., Any]:
    """A ``send`` answering like requests-oauthlib's own tests: a Mock with ``text`` only."""

    def send(request: requests.PreparedRequest, **kwargs: Any) -> Any:
        response = mock.MagicMock(spec=requests.Response)
        response.cookies = []
        response.text = body
        response.status_code = status
        return response

    return send


def test_a_response_without_raw_is_read_from_its_text() -> None:
    session = okrequests.OAuth1Session("foo", verifier="bar")
    session.send = _in_memory("oauth_token=t&oauth_token_secret=s")  # type: ignore[method-assign]
    assert session.fetch_access_token("https://i.b/access") == {
        "oauth_token": "t",
        "oauth_token_secret": "s",
    }
    session.send = _in_memory("not valid urlencoded response!")  # type: ignore[method-assign]
    with pytest.raises(oauthkit.MalformedResponseError):
        session.fetch_request_token("https://i.b/request")
    session.send = _in_memory("valid=response", 401)  # type: ignore[method-assign]
    with pytest.raises(oauthkit.TokenRequestDenied) as info:
        session.fetch_request_token("https://i.b/request")
    assert info.value.status_code == 401
    assert isinstance(info.value.response, requests.Response)


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        ("this=really&is=&+form=encoded", None, b"this=really&is=&+form=encoded"),
        ("a=%C3%A9", "application/x-www-form-urlencoded", b"a=%C3%A9"),
        (b"a=b", None, b"a=b"),
        ("this really is not form encoded", None, "this really is not form encoded"),
        ('{"a": "é"}', "application/json", '{"a": "é"}'),
    ],
)
def test_a_signed_form_body_is_bytes_and_any_other_body_is_kept(
    data: str | bytes, content_type: str | None, expected: str | bytes
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    auth = okrequests.OAuth1("client_key")
    prepared = requests.Request(
        "POST", "http://a.b/path", auth=auth, data=data, headers=headers
    ).prepare()
    assert prepared.body == expected
    assert type(prepared.body) is type(expected)
    sent = prepared.body.encode("utf-8") if isinstance(prepared.body, str) else prepared.body
    assert prepared.headers["Content-Length"] == str(len(sent or b""))
