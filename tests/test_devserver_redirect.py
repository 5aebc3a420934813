"""The dev provider's ``/redirect`` is no open redirector (RFC 6749 §10.15), as browsers see it.

Each case is the ``to`` value as it travels in the request line, sent byte for byte over a raw
socket (``requests`` and ``http.client`` would re-quote or refuse some of them), next to the
value the route sees once the query is decoded and how a browser (WHATWG URL Standard) resolves
that value against ``http://127.0.0.1:<port>/redirect``. ``{origin}`` stands for the running
provider's ``http://127.0.0.1:<port>``.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest

from oauthkit.devserver import DevProvider
from oauthkit.devserver._redirect import is_same_origin_target

# to= on the wire; decoded, each is a Location a browser resolves off-origin or not at all
OFF_ORIGIN = [
    pytest.param("//evil.example/", id="scheme-relative //host"),
    pytest.param("/\\evil.example/", id="backslash after slash /\\host"),
    pytest.param("/%5Cevil.example/", id="encoded backslash /%5Chost"),
    pytest.param("\\/evil.example/", id="backslash first \\/host"),
    pytest.param("%5C/evil.example/", id="encoded backslash first %5C/host"),
    pytest.param("/%09/evil.example/", id="tab /%09/host"),
    pytest.param("%2F%09%2Fevil.example%2F", id="tab, fully encoded: /\\t/host decoded"),
    pytest.param("/%0A/evil.example/", id="LF /%0A/host"),
    pytest.param("/%0D%0A/evil.example/", id="CRLF /\\r\\n/host"),
    pytest.param("/%0D%0ASet-Cookie:%20x=1", id="CRLF header injection"),
    pytest.param("%2F%2Fevil.example/", id="encoded slashes %2F%2Fhost"),
    pytest.param("https:evil.example/", id="other special scheme, no slashes"),
    pytest.param("http:\\\\evil.example/", id="http:\\\\host"),
    pytest.param("http:%5C%5Cevil.example/", id="http:%5C%5Chost"),
    pytest.param("http:/%5Cevil.example/", id="same scheme http:/\\host"),
    pytest.param("http:///evil.example/", id="same scheme, three slashes"),
    pytest.param("%20//evil.example/", id="leading space"),
    pytest.param("+//evil.example/", id="leading space as +"),
    pytest.param("%01//evil.example/", id="leading C0 control"),
    pytest.param("http://evil.example/", id="absolute, other origin"),
    pytest.param("{origin}@evil.example/", id="provider origin as userinfo"),
    pytest.param("{origin}.evil.example/", id="provider origin, then more host"),
    pytest.param("javascript:alert(1)", id="javascript:"),
    pytest.param("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", id="data:"),
]

# (to= on the wire, the Location expected back, which a browser resolves on the provider)
SAME_ORIGIN = [
    pytest.param("/callback?x=1", "/callback?x=1", id="path with query"),
    pytest.param("/callback%3Fx%3D1%26y%3D2", "/callback?x=1&y=2", id="encoded path with query"),
    pytest.param("/", "/", id="root"),
    pytest.param("/oauth1/resource%23top", "/oauth1/resource#top", id="path with fragment"),
    # Decoded once, "/%5C..." is what the browser gets, and it keeps %5C inside the path.
    pytest.param("/%255Cevil.example/", "/%5Cevil.example/", id="double-encoded backslash"),
    pytest.param("{origin}/callback?x=1", "{origin}/callback?x=1", id="absolute, same origin"),
    pytest.param("{origin}", "{origin}", id="the origin alone"),
]


def _raw_get(provider: DevProvider, target: str) -> tuple[int, dict[str, list[str]], bytes]:
    """Send ``target`` exactly as given; answer the status, the headers by name, the body."""
    parts = urlsplit(provider.base_url)
    with socket.create_connection((parts.hostname or "", parts.port or 80), timeout=10) as sock:
        head = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
        sock.sendall(head.encode("ascii"))
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    raw_head, _, body = reply.partition(b"\r\n\r\n")
    status_line, *lines = raw_head.decode("latin-1").split("\r\n")
    headers: dict[str, list[str]] = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize("wire", OFF_ORIGIN)
@pytest.mark.parametrize("status", [302, 307])
def test_off_origin_targets_are_refused(
    oauthkit_dev_provider: DevProvider, wire: str, status: int
) -> None:
    to = wire.replace("{origin}", oauthkit_dev_provider.base_url)
    code, headers, body = _raw_get(oauthkit_dev_provider, f"/redirect?status={status}&to={to}")
    assert code == 400
    assert "location" not in headers
    assert "set-cookie" not in headers
    reply = json.loads(body)
    assert reply["error"] == "invalid_request"
    assert "single '/'" in reply["detail"]
    assert oauthkit_dev_provider.base_url in reply["detail"]


@pytest.mark.parametrize(("wire", "location"), SAME_ORIGIN)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_same_origin_targets_redirect(
    oauthkit_dev_provider: DevProvider, wire: str, location: str, status: int
) -> None:
    base = oauthkit_dev_provider.base_url
    to = wire.replace("{origin}", base)
    code, headers, body = _raw_get(oauthkit_dev_provider, f"/redirect?status={status}&to={to}")
    assert code == status
    assert headers["location"] == [location.replace("{origin}", base)]
    assert headers["content-length"] == ["0"]
    assert body == b""


@pytest.mark.parametrize("status", ["200", "300", "304", "x"])
def test_a_status_other_than_a_redirect_is_refused(
    oauthkit_dev_provider: DevProvider, status: str
) -> None:
    code, headers, body = _raw_get(oauthkit_dev_provider, f"/redirect?status={status}&to=/x")
    assert code == 400
    assert "location" not in headers
    assert "status must be" in json.loads(body)["detail"]


def test_a_missing_target_is_refused(oauthkit_dev_provider: DevProvider) -> None:
    code, headers, _ = _raw_get(oauthkit_dev_provider, "/redirect")
    assert code == 400
    assert "location" not in headers


# Decoded values, for the check itself: the forms a browser would strip or rewrite into an
# off-origin URL, including ones that cannot cross a request line undecoded.
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "/\\evil.example/",
        "\\/evil.example/",
        "\\\\evil.example/",
        "/\t/evil.example/",
        "/\n/evil.example/",
        "/\r\n/evil.example/",
        "\t//evil.example/",
        " //evil.example/",
        "\x00//evil.example/",
        "\x1f//evil.example/",
        "//evil.example/ ",
        "/\u3000/evil.example/",
        "/\uff0fevil.example/",
        "https:evil.example/",
        "http:evil.example/",
        "http:\\\\evil.example/",
        "http:/\\evil.example/",
        "http:///evil.example/",
        "HTTP://127.0.0.1:8000/",
        "http://127.0.0.1:8000@evil.example/",
        "http://127.0.0.1:80001/",
        "http://127.0.0.1:8000\\@evil.example/",
        "javascript:alert(1)",
        "data:text/html,x",
        "evil.example",
        "/%zzevil",
        "",
    ],
)
def test_check_refuses(target: str) -> None:
    assert not is_same_origin_target(target, "http://127.0.0.1:8000")


@pytest.mark.parametrize(
    "target",
    [
        "/",
        "/callback?x=1&y=%2F%2Fevil.example",
        "/%5Cevil.example/",
        "/%09/evil.example/",
        "/a//b",
        "/?next=//evil.example",
        "/#//evil.example",
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/",
        "http://127.0.0.1:8000//evil.example/",
        "http://127.0.0.1:8000?x=1",
        "http://127.0.0.1:8000#x",
    ],
)
def test_check_accepts(target: str) -> None:
    assert is_same_origin_target(target, "http://127.0.0.1:8000")
