"""The user's browser for JWT-secured authorization responses (JARM) from oidc-provider.

A browser delivers the response in the mode the client asked for: ``query.jwt`` (and ``jwt``
with ``response_type=code``) in the redirect's query, ``fragment.jwt`` in its fragment (which
a browser never sends to the server: the page's script reads it), ``form_post.jwt`` as an
auto-submitting HTML form posted to the redirect URI. :func:`deliver` plays that part with a
plain httpx client (the :class:`~tests._oidc_agent.Browser`'s, so the login cookie is kept)
and returns what the relying party's callback route would hand to ``fetch_token``: the
callback URL, or the posted form's fields as the peer's ``/cb`` echo received them.
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin

from tests._oidc_agent import Browser

__all__ = ["deliver", "form_fields"]

_FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""(\w+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _attrs(tag: str) -> dict[str, str]:
    return {m[0].lower(): html.unescape(m[1] or m[2]) for m in _ATTR.findall(tag)}


def form_fields(page: str) -> tuple[str, str, dict[str, str]]:
    """The method, action and named fields of the first form of ``page``."""
    found = _FORM.search(page)
    assert found is not None, page[:500]
    form = _attrs(found.group(1))
    fields = {}
    for tag in _INPUT.findall(found.group(2)):
        attrs = _attrs(tag)
        if "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return form.get("method", "get").upper(), form.get("action", ""), fields


def deliver(browser: Browser, url: str) -> str | dict[str, Any]:
    """Open the authorization URL (auto login and consent) and deliver its response.

    Returns:
        The callback URL the browser was redirected to (query or fragment), or the fields
        of the form the provider made the browser post (``form_post``, ``form_post.jwt``),
        as the ``/cb`` route received them.
    """
    callback = browser.peer.url("/cb")
    http = browser.http
    response = http.get(url, follow_redirects=False)
    interactions = 0
    for _ in range(20):
        if response.is_redirect:
            target = urljoin(str(response.url), response.headers["location"])
            if target.split("#")[0].split("?")[0] == callback:
                browser.interactions = interactions
                return target  # the redirect to the client: its query or fragment
            interactions += "/interaction/" in target
            response = http.get(target, follow_redirects=False)
            continue
        assert response.status_code == 200, response.text[:500]
        method, action, fields = form_fields(response.text)
        assert method == "POST", method
        assert action == callback, action
        posted = http.post(action, data=fields, follow_redirects=False)
        assert posted.status_code == 200, posted.text[:500]
        echo: dict[str, Any] = posted.json()
        assert echo["endpoint"] == "/cb"
        assert echo["query"] == {}
        browser.interactions = interactions
        return dict(echo["form"])
    raise AssertionError(f"no response after 20 hops: {response.url}")
