"""The core's small values and rules: frozen values, the transport policy, request patches."""

from __future__ import annotations

import copy
import pickle

import pytest

import oauthkit
from oauthkit import HttpRequest, HttpResponse
from oauthkit._core._patch import RedirectStrip, RequestPatch
from oauthkit._core._transport import TransportPolicy
from oauthkit.oauth1 import OAuth1Signer

# -- Value: frozen, compared by fields, copied through __init__ --------------------------------


def test_values_are_frozen() -> None:
    request = HttpRequest("GET", "https://api.example/me")
    with pytest.raises(AttributeError, match="frozen HttpRequest"):
        request.url = "https://evil.example/"  # type: ignore[misc]
    with pytest.raises(AttributeError, match="cannot delete"):
        del request.url  # type: ignore[misc]


def test_values_compare_and_hash_by_their_fields() -> None:
    a = HttpResponse(200, {"X": "1"}, b"body", raw="driver object one")
    b = HttpResponse(200, {"X": "1"}, b"body", raw="driver object two")
    assert a == b  # raw is not compared
    assert a != HttpResponse(201, {"X": "1"}, b"body")
    assert a != HttpRequest("GET", "https://api.example/")
    assert hash(OAuth1Signer("key", "secret")) == hash(OAuth1Signer("key", "secret"))


def test_replace_validates_like_a_new_value() -> None:
    signer = OAuth1Signer("key", "secret")
    other = signer.replace(resource_owner_key="token", resource_owner_secret="s")
    assert other.resource_owner_key == "token"
    assert signer.resource_owner_key is None
    with pytest.raises(TypeError, match="no field 'colour'"):
        signer.replace(colour="red")
    with pytest.raises(oauthkit.UsageError):
        signer.replace(client_key="")


@pytest.mark.parametrize(
    "value",
    [
        HttpRequest("POST", "https://as.example/token", {"A": "b"}, b"x=1"),
        HttpResponse(200, {"A": "b"}, b"{}"),
        OAuth1Signer("key", "secret", resource_owner_key="t", resource_owner_secret="ts"),
    ],
)
def test_copies_and_pickles_are_equal_values(value: object) -> None:
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own value


# -- TransportPolicy ------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["example.com", b"example.com", 3, [""], [None], object()])
def test_insecure_allowance_is_a_bool_or_host_names(bad: object) -> None:
    with pytest.raises(oauthkit.UsageError, match="allow_insecure_transport"):
        TransportPolicy(bad)  # type: ignore[arg-type]


def test_a_policy_says_what_it_allows() -> None:
    assert repr(TransportPolicy(True)) == "TransportPolicy(allow_insecure=True)"
    named = TransportPolicy(["B.example", "a.example"])
    assert repr(named) == "TransportPolicy(allow_insecure=['a.example', 'b.example'])"
    named.check("http://A.EXAMPLE/path")  # host names are case-insensitive
    TransportPolicy(True).check("http://anywhere.example/")


@pytest.mark.parametrize(
    ("url", "error", "says"),
    [
        ("ftp://as.example/token", oauthkit.UsageError, "scheme"),
        ("https:///token", oauthkit.UsageError, "no host"),
        ("/relative/token", oauthkit.UsageError, "absolute"),
        ("https://as.example:99999/token", oauthkit.UsageError, "port"),
        ("https://as.example:8x/token", oauthkit.UsageError, "port"),
        ("http://[2001:db8::1]:8080/token", oauthkit.InsecureTransportError, "http"),
    ],
)
def test_urls_the_policy_refuses(url: str, error: type[Exception], says: str) -> None:
    with pytest.raises(error, match=says):
        TransportPolicy().check(url)


def test_ipv6_loopback_with_a_port_is_loopback() -> None:
    TransportPolicy().check("http://[::1]:8080/token")


def test_a_url_that_is_not_text_is_a_usage_error() -> None:
    with pytest.raises(oauthkit.UsageError, match="string"):
        TransportPolicy().check(b"https://as.example/")  # type: ignore[arg-type]


# -- RequestPatch and what a redirect strips ----------------------------------------------------

QUERY_PATCH = RequestPatch(query=(("access_token", "t0k3n"),))
FORM_PATCH = RequestPatch(form=(("access_token", "t0k3n"),))


def test_a_patch_repr_names_what_it_adds_never_the_values() -> None:
    patch = RequestPatch(headers=(("Authorization", "Bearer t0k3n"),), query=(("a", "t0k3n"),))
    assert repr(patch) == "RequestPatch(Authorization, ?a)"
    assert "t0k3n" not in repr(patch)


def test_strip_url_removes_only_the_patch_names() -> None:
    strip = QUERY_PATCH.undo()
    assert strip.strip_url("https://a/p?x=1&access_token=t0k3n#f") == "https://a/p?x=1#f"
    assert strip.strip_url("https://a/p?access_token=t0k3n") == "https://a/p"
    assert strip.strip_url("https://a/p?x=1") == "https://a/p?x=1"
    assert strip.strip_url("https://a/p") == "https://a/p"


def test_strip_body_removes_only_the_patch_names() -> None:
    strip = FORM_PATCH.undo()
    assert strip.strip_body(b"k=v&access_token=t0k3n") == b"k=v"
    assert strip.strip_body(b"k=v") == b"k=v"
    assert strip.strip_body(b"") == b""


def test_a_query_credential_never_rides_a_redirect_even_on_the_same_origin() -> None:
    same = QUERY_PATCH.redirect("https://a/p?access_token=t0k3n", "https://a/q")
    assert same == RedirectStrip(query=frozenset({"access_token"}))
    header = RequestPatch(headers=(("Authorization", "Bearer t0k3n"),))
    assert not header.redirect("https://a/p", "https://a/q")  # same origin: kept
    assert header.redirect("https://a/p", "https://b/q").headers == frozenset({"authorization"})
    assert not RedirectStrip()
