"""OAuth 1.0a on httpx: ``OAuth1Auth``, ``OAuth1Client`` and ``AsyncOAuth1Client``.

``OAuth1Auth`` is one ``httpx.Auth`` for sync and async clients. The body is read only when it
takes part in the signature (a form, or ``body_hash``), so streaming uploads stay streaming.

The clients add what an ``Auth`` cannot do on its own in httpx: redirects. httpx does not run
the auth flow again for a redirect hop. The clients install a request hook that hands each hop
to the core's rule (:func:`oauthkit.oauth1.redirect_hop`): signed again on the first request's
origin, stripped of every OAuth credential elsewhere. The three-legged flow's token requests
are the core's (:class:`~oauthkit.oauth1.OAuth1FlowState`) and never follow a redirect.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from typing import Any
from urllib.parse import urlencode

import httpx

from .._compat._oauth1 import (
    OAuth1SessionAttributes,
    SignerHolder,
    split_oauth1_kwargs,
)
from .._core._http import HttpRequest
from .._core._run import arun, run
from .._core._steps import Flow
from .._locks import AsyncLocks, ThreadLocks
from ..oauth1._redirects import redirect_hop
from ..oauth1._signer import CONTENT_TYPE_FORM_URLENCODED, SIGNATURE_TYPE_BODY, OAuth1Signer
from ..oauth1._state import OAuth1FlowState
from ._io import AsyncHttpxIO, HttpxIO, seconds

__all__ = ["AsyncOAuth1Client", "OAuth1Auth", "OAuth1Client"]

_ORIGIN_KEY = "oauthkit.oauth1.origin"  # request extension carried by httpx onto redirect hops


class OAuth1Auth(SignerHolder, httpx.Auth):
    """Signs httpx requests (RFC 5849 §3); requests-oauthlib's constructor arguments.

    On a plain ``httpx.Client`` httpx never runs an auth again for a redirect: it drops the
    ``Authorization`` header on a hop to another origin and sends a same-origin hop with the
    old signature. Body placement (``signature_type="BODY"``) keeps its ``oauth_*`` fields in
    a 307/308 body. Use :class:`OAuth1Client` / :class:`AsyncOAuth1Client`, which re-sign
    same-origin hops and strip every credential from the others.

    Raises:
        UsageError: Invalid arguments.
        SignatureMethodError: Unknown method or unusable RSA key.
    """

    def __repr__(self) -> str:
        return f"OAuth1Auth(client_key={self.signer.client_key!r}, <credentials redacted>)"

    def needs_body(self, request: httpx.Request) -> bool:
        """Whether the body takes part in the signature, and so must be read first."""
        if self.signer.body_hash or self.signer.signature_type == SIGNATURE_TYPE_BODY:
            return True
        content_type = request.headers.get("content-type")
        return content_type is None or CONTENT_TYPE_FORM_URLENCODED in content_type.lower()

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        if self.needs_body(request):
            request.read()
        yield _sign(self.signer, request)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if self.needs_body(request):
            await request.aread()
        yield _sign(self.signer, request)


def _body_of(request: httpx.Request) -> bytes | None:
    try:
        return request.content or None
    except httpx.RequestNotRead:
        return None  # a stream that does not take part in the signature


def _sign(signer: OAuth1Signer, request: httpx.Request) -> httpx.Request:
    body = _body_of(request)
    signed = signer.sign(request.method, str(request.url), request.headers, body)
    extensions = dict(request.extensions)
    extensions[_ORIGIN_KEY] = signed.url  # what the first hop goes to; any other URL is a redirect
    if signer.signature_type == SIGNATURE_TYPE_BODY or signed.body != body:
        headers = {k: v for k, v in signed.headers.items() if k.lower() != "content-length"}
        return httpx.Request(
            request.method, signed.url, headers=headers, content=signed.body, extensions=extensions
        )
    if signed.url != str(request.url):  # query placement
        request.url = httpx.URL(signed.url)
    for name in ("Authorization", "Content-Type"):
        value = signed.headers.get(name)
        if value is not None:
            request.headers[name] = value
    request.extensions = extensions
    return request


def _redirect_hop(signer: OAuth1Signer, request: httpx.Request) -> None:
    """Hand a redirect hop httpx built to the core's rule, and apply the answer."""
    origin = request.extensions.get(_ORIGIN_KEY)
    if not isinstance(origin, str) or origin == str(request.url):
        return  # not one of ours, or the first hop, already signed
    body = _body_of(request)
    hop = redirect_hop(
        signer, origin, HttpRequest(request.method, str(request.url), dict(request.headers), body)
    )
    request.url = httpx.URL(hop.url)
    request.headers.pop("Authorization", None)
    if "Authorization" in hop.headers:
        request.headers["Authorization"] = hop.headers["Authorization"]
    if hop.body != body and hop.body is not None:
        request.stream = httpx.ByteStream(hop.body)
        request.headers["Content-Length"] = str(len(hop.body))
    request.extensions = {**request.extensions, _ORIGIN_KEY: origin}


def _token_request(
    flow: OAuth1FlowState, url: str, signer: OAuth1Signer, request_token: bool, kw: dict[str, Any]
) -> Flow[dict[str, str]]:
    data = kw.pop("data", None)
    if isinstance(data, (dict, list, tuple)):
        data = urlencode(data)
    return flow.token_flow(
        url,
        signer,
        request_token=request_token,
        headers=kw.pop("headers", None),
        body=data.encode("utf-8") if isinstance(data, str) else data,
        timeout=seconds(kw.pop("timeout", None)),
    )


class _Flow(OAuth1SessionAttributes):
    """Three-legged flow state shared by the sync and async clients (no I/O here)."""

    _flow: OAuth1FlowState
    auth: httpx.Auth | None

    def _setup(
        self,
        client_key: str,
        oauth: Mapping[str, Any],
        hooks: Mapping[str, Any],
        on_request: Callable[[httpx.Request], Any],
    ) -> None:
        self.auth = auth = OAuth1Auth(client_key, **oauth)
        self._flow = auth.state  # one state: the flow advances what the auth signs with
        client: Any = self
        client.event_hooks = {
            "request": [on_request, *hooks.get("request", [])],
            "response": list(hooks.get("response", [])),
        }


class OAuth1Client(_Flow, httpx.Client):
    """An ``httpx.Client`` that signs every request and runs the three-legged flow.

    Takes ``client_key`` and requests-oauthlib's OAuth1 keywords; every other keyword goes to
    ``httpx.Client``.
    """

    def __init__(self, client_key: str, **kwargs: Any) -> None:
        oauth, client = split_oauth1_kwargs(kwargs)
        hooks = client.pop("event_hooks", None) or {}
        super().__init__(**client)
        self._setup(client_key, oauth, hooks, self._on_request)

    def _on_request(self, request: httpx.Request) -> None:
        if _ORIGIN_KEY in request.extensions and isinstance(self.auth, OAuth1Auth):
            if self.auth.needs_body(request):
                request.read()
            _redirect_hop(self.auth.signer, request)

    def _fetch(self, url: str, signer: OAuth1Signer, request_token: bool, **kw: Any) -> Any:
        flow = _token_request(self._flow, url, signer, request_token, kw)
        return run(flow, HttpxIO(self, ThreadLocks()))

    def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1); see the requests driver."""
        signer = self._flow.request_token_signer(url, realm)
        token: dict[str, str] = self._fetch(url, signer, True, **request_kwargs)
        return token

    def fetch_access_token(
        self, url: str, verifier: str | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Exchange the request token and verifier for token credentials (RFC 5849 §2.3)."""
        signer = self._flow.access_token_signer(url, verifier)
        token: dict[str, str] = self._fetch(url, signer, False, **request_kwargs)
        return token


class AsyncOAuth1Client(_Flow, httpx.AsyncClient):
    """The ``httpx.AsyncClient`` twin of :class:`OAuth1Client`; fetch methods are awaitable."""

    def __init__(self, client_key: str, **kwargs: Any) -> None:
        oauth, client = split_oauth1_kwargs(kwargs)
        hooks = client.pop("event_hooks", None) or {}
        super().__init__(**client)
        self._setup(client_key, oauth, hooks, self._on_request)

    async def _on_request(self, request: httpx.Request) -> None:
        if _ORIGIN_KEY in request.extensions and isinstance(self.auth, OAuth1Auth):
            if self.auth.needs_body(request):
                await request.aread()
            _redirect_hop(self.auth.signer, request)

    async def _fetch(self, url: str, signer: OAuth1Signer, request_token: bool, **kw: Any) -> Any:
        flow = _token_request(self._flow, url, signer, request_token, kw)
        return await arun(flow, AsyncHttpxIO(self, AsyncLocks()))

    async def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1)."""
        signer = self._flow.request_token_signer(url, realm)
        token: dict[str, str] = await self._fetch(url, signer, True, **request_kwargs)
        return token

    async def fetch_access_token(
        self, url: str, verifier: str | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Exchange the request token and verifier for token credentials (RFC 5849 §2.3)."""
        signer = self._flow.access_token_signer(url, verifier)
        token: dict[str, str] = await self._fetch(url, signer, False, **request_kwargs)
        return token
