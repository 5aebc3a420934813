"""OAuth 1.0a on httpx: ``OAuth1Auth``, ``OAuth1Client`` and ``AsyncOAuth1Client``.

``OAuth1Auth`` is one ``httpx.Auth`` for sync and async clients. The body is read only when it
takes part in the signature (a form, or ``body_hash``), so streaming uploads stay streaming.

The clients add what an ``Auth`` cannot do on its own in httpx: redirects. httpx does not run
the auth flow again for a redirect hop. The clients install a request hook that re-signs a
same-origin hop and removes every OAuth credential from a hop to another origin.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx

from .._core._http import HttpResponse, same_origin
from .._errors import ServerResponseError
from ..oauth1._signer import (
    CONTENT_TYPE_FORM_URLENCODED,
    SIGNATURE_TYPE_BODY,
    SIGNATURE_TYPE_QUERY,
    OAuth1Signer,
    strip_oauth_params,
)
from ..oauth1._state import OAuth1Session as _FlowState
from ..oauth1._state import OAuth1SessionAttributes, SignerHolder, signer_from_arguments

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
    if signer.signature_type == SIGNATURE_TYPE_QUERY:  # only query placement changes the URL
        request.url = httpx.URL(signed.url)
    for name in ("Authorization", "Content-Type"):
        value = signed.headers.get(name)
        if value is not None:
            request.headers[name] = value
    request.extensions = extensions
    return request


def _strip_body_credentials(request: httpx.Request) -> None:
    body = _body_of(request)
    if body:
        kept = strip_oauth_params(body)
        request.stream = httpx.ByteStream(kept)
        request.headers["Content-Length"] = str(len(kept))


def _redirect_origin(request: httpx.Request) -> str | None:
    """The first hop's URL if ``request`` is a redirect hop of a request we signed."""
    origin = request.extensions.get(_ORIGIN_KEY)
    if not isinstance(origin, str) or origin == str(request.url):
        return None  # not one of ours, or the first hop, already signed
    return origin


def _redirect_hop(signer: OAuth1Signer, request: httpx.Request, origin: str) -> None:
    """Prepare a redirect hop built by httpx: re-sign it, or strip it of credentials."""
    request.headers.pop("Authorization", None)
    if signer.signature_type == SIGNATURE_TYPE_BODY:
        _strip_body_credentials(request)
    if same_origin(origin, str(request.url)):
        signed = _sign(signer, request)
        if signed is not request:  # body placement: carry the re-signed body over
            request.stream = signed.stream
            request.headers.update(signed.headers)
        request.extensions = {**request.extensions, _ORIGIN_KEY: str(request.url)}


class _Flow(OAuth1SessionAttributes):
    """Three-legged flow state shared by the sync and async clients (no I/O here)."""

    _flow: _FlowState
    auth: httpx.Auth | None

    def _init_flow(self, signer: OAuth1Signer) -> OAuth1Auth:
        self._flow = _FlowState(signer)
        return OAuth1Auth.from_signer(signer)

    def _adopt(self) -> None:
        if isinstance(self.auth, OAuth1Auth):
            self.auth.signer = self._flow.signer

    def _accept(self, response: httpx.Response, *, request_token: bool) -> dict[str, str]:
        try:
            token = self._flow.accept_token_response(
                HttpResponse(response.status_code, response.headers, response.content),
                request_token=request_token,
            )
        except ServerResponseError as exc:
            exc.response = response
            raise
        self._adopt()
        return token


def _split_kwargs(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    oauth_names = {
        "client_secret",
        "resource_owner_key",
        "resource_owner_secret",
        "callback_uri",
        "signature_method",
        "signature_type",
        "rsa_key",
        "verifier",
        "force_include_body",
        "realm",
        "nonce",
        "timestamp",
        "body_hash",
        "nonce_factory",
        "timestamp_factory",
        "allow_insecure_transport",
    }
    oauth = {k: v for k, v in kwargs.items() if k in oauth_names}
    client = {k: v for k, v in kwargs.items() if k not in oauth_names}
    return oauth, client


class OAuth1Client(_Flow, httpx.Client):
    """An ``httpx.Client`` that signs every request and runs the three-legged flow.

    Takes ``client_key`` and requests-oauthlib's OAuth1 keywords; every other keyword goes to
    ``httpx.Client``.
    """

    def __init__(self, client_key: str, **kwargs: Any) -> None:
        oauth, client = _split_kwargs(kwargs)
        hooks = client.pop("event_hooks", None) or {}
        super().__init__(**client)
        self.auth = self._init_flow(signer_from_arguments(client_key, **oauth))
        self.event_hooks = {
            "request": [self._on_request, *hooks.get("request", [])],
            "response": list(hooks.get("response", [])),
        }

    def _on_request(self, request: httpx.Request) -> None:
        origin = _redirect_origin(request)
        if origin is not None and isinstance(self.auth, OAuth1Auth):
            if self.auth.needs_body(request):
                request.read()
            _redirect_hop(self.auth.signer, request, origin)

    def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1); see the requests driver."""
        auth = OAuth1Auth.from_signer(self._flow.request_token_signer(url, realm))
        return self._accept(self.post(url, auth=auth, **request_kwargs), request_token=True)

    def fetch_access_token(
        self, url: str, verifier: str | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Exchange the request token and verifier for token credentials (RFC 5849 §2.3)."""
        auth = OAuth1Auth.from_signer(self._flow.access_token_signer(url, verifier))
        return self._accept(self.post(url, auth=auth, **request_kwargs), request_token=False)


class AsyncOAuth1Client(_Flow, httpx.AsyncClient):
    """The ``httpx.AsyncClient`` twin of :class:`OAuth1Client`; fetch methods are awaitable."""

    def __init__(self, client_key: str, **kwargs: Any) -> None:
        oauth, client = _split_kwargs(kwargs)
        hooks = client.pop("event_hooks", None) or {}
        super().__init__(**client)
        self.auth = self._init_flow(signer_from_arguments(client_key, **oauth))
        self.event_hooks = {
            "request": [self._on_request, *hooks.get("request", [])],
            "response": list(hooks.get("response", [])),
        }

    async def _on_request(self, request: httpx.Request) -> None:
        origin = _redirect_origin(request)
        if origin is not None and isinstance(self.auth, OAuth1Auth):
            if self.auth.needs_body(request):
                await request.aread()
            _redirect_hop(self.auth.signer, request, origin)

    async def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1)."""
        auth = OAuth1Auth.from_signer(self._flow.request_token_signer(url, realm))
        response = await self.post(url, auth=auth, **request_kwargs)
        return self._accept(response, request_token=True)

    async def fetch_access_token(
        self, url: str, verifier: str | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Exchange the request token and verifier for token credentials (RFC 5849 §2.3)."""
        auth = OAuth1Auth.from_signer(self._flow.access_token_signer(url, verifier))
        response = await self.post(url, auth=auth, **request_kwargs)
        return self._accept(response, request_token=False)
