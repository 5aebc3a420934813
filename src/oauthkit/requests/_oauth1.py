"""OAuth 1.0a on requests: ``OAuth1`` (an ``AuthBase``) and ``OAuth1Session``.

Both accept requests-oauthlib's arguments and behave like it, ``decoding`` included: with its
default ``"utf-8"`` the header values left after signing are ``bytes``, with ``None`` ``str``.
One correction: redirects follow the core's rule (:func:`oauthkit.oauth1.redirect_hop`): a
same-origin hop is signed again for its new method and URL, a hop to another origin carries no
OAuth credential at all. requests-oauthlib re-signs *every* redirect, sending credentials
wherever a server points.

The three-legged flow is the core's (:class:`~oauthkit.oauth1.OAuth1FlowState`): its token
requests never follow a redirect. This module only copies values between requests' objects
and the core's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest

from .._compat._oauth1 import (
    OAuth1SessionAttributes,
    SignerHolder,
    as_signed_by_oauthlib,
    transcode_header_values,
)
from .._core._http import HttpRequest, header_value
from .._core._run import run
from .._errors import UsageError
from .._locks import ThreadLocks
from ..oauth1._redirects import redirect_hop
from ..oauth1._signature import HMAC_SHA1
from ..oauth1._signer import (
    CONTENT_TYPE_FORM_URLENCODED,
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    OAuth1Signer,
)
from ._io import _REDIRECT_RULES, RequestsIO, redirect_target, seconds

__all__ = ["OAuth1", "OAuth1Session"]

_NATIVE_SETTINGS = frozenset({"verify", "proxies", "cert", "stream", "allow_redirects"})


def _neutral(r: PreparedRequest) -> HttpRequest:
    body = r.body.encode("utf-8") if isinstance(r.body, str) else r.body
    return HttpRequest(r.method or "GET", r.url or "", dict(r.headers), body)


def _sign_prepared(auth: OAuth1, r: PreparedRequest) -> None:
    body = r.body if isinstance(r.body, (bytes, str)) else None  # streams are never read
    signer = auth.signer
    if (
        isinstance(body, bytes)
        and not r.headers.get("Content-Type")
        and signer.signature_type != SIGNATURE_TYPE_BODY
        and not signer.body_hash
    ):
        # requests-oauthlib guesses a form in a str body only (oauthlib parses no bytes), so a
        # bytes body without Content-Type is sent as it is and signed as no form.
        body = None
    signed = signer.sign(r.method or "GET", r.url or "", r.headers, body)
    r.url = signed.url
    if "Authorization" in signed.headers:
        r.headers["Authorization"] = signed.headers["Authorization"]
    if _is_form(signed.headers) and (r.body is None or body is not None):
        # requests-oauthlib sends the bare form type (no charset) and the form as oauthlib
        # returns it: bytes with a decoding, else text (kept as the UTF-8 bytes it was signed
        # as if it is not ASCII: http.client would encode it as Latin-1); never a stream.
        r.headers["Content-Type"] = CONTENT_TYPE_FORM_URLENCODED
        r.body = as_signed_by_oauthlib(signed.body, auth.decoding) if signed.body else ""
        r.prepare_content_length(r.body)
    elif signer.body_hash and body:
        # force_include_body: requests-oauthlib hands this body through oauthlib's sign as well.
        r.body = as_signed_by_oauthlib(body, auth.decoding)
        r.prepare_content_length(r.body)
    transcode_header_values(r.headers, auth.decoding)


def _is_form(headers: Mapping[str, Any]) -> bool:
    value = header_value(headers, "Content-Type")
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return isinstance(value, str) and CONTENT_TYPE_FORM_URLENCODED in value.lower()


def _copy_hop(r: PreparedRequest, hop: HttpRequest, decoding: str | None) -> None:
    """Make ``r`` what the core decided the hop carries, its header values typed as the first
    request's were."""
    r.url = hop.url
    if "Authorization" in hop.headers:
        r.headers["Authorization"] = hop.headers["Authorization"]
    else:
        r.headers.pop("Authorization", None)
    if r.body is not None or hop.body is not None:
        r.body = hop.body
        r.prepare_content_length(hop.body)
    transcode_header_values(r.headers, decoding)


class _Redirects:
    """A response hook preparing, on a plain ``requests.Session``, the next redirect hop.

    requests copies ``response.request`` to build the hop after the hooks ran and takes its URL
    from ``Location``: the hook predicts the hop, has the core sign or strip it, and puts the
    result where requests will find it.
    """

    __slots__ = ("auth", "first_url")

    def __init__(self, auth: OAuth1, first_url: str) -> None:
        self.auth = auth
        self.first_url = first_url

    def __call__(self, response: requests.Response, **_: Any) -> requests.Response:
        request = response.request
        target = redirect_target(response) if response.is_redirect else None
        if target is None or not isinstance(request, PreparedRequest):
            return response
        nxt = request.copy()
        nxt.url = target
        _REDIRECT_RULES.rebuild_method(nxt, response)
        if response.status_code not in (307, 308):
            nxt.body = None
            for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
                nxt.headers.pop(header, None)
        hop = redirect_hop(self.auth.signer, self.first_url, _neutral(nxt))
        # The hop is copied from this request, but its URL comes from Location (below).
        nxt_hop = HttpRequest(hop.method, request.url or "", hop.headers, hop.body)
        _copy_hop(request, nxt_hop, self.auth.decoding)
        if hop.url != target:
            response.headers["location"] = hop.url
        return response


class OAuth1(SignerHolder, AuthBase):
    """Signs requests made with ``requests`` (RFC 5849 §3).

    Args: the same as requests-oauthlib's ``OAuth1``; see :class:`oauthkit.oauth1.OAuth1Signer`
    for their meaning. ``realm``, ``nonce``, ``timestamp`` and ``body_hash`` are keywords.

    Raises:
        UsageError: Invalid arguments (see ``SignerHolder``).
        SignatureMethodError: Unknown method or unusable RSA key.
    """

    def __repr__(self) -> str:
        return f"OAuth1(client_key={self.signer.client_key!r}, <credentials redacted>)"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        _sign_prepared(self, r)
        # Signing twice (requests re-runs auth hooks on a copied request) must not hook twice.
        if not any(isinstance(hook, _Redirects) for hook in r.hooks["response"]):
            r.hooks["response"].append(_Redirects(self, r.url or ""))
        return r


class OAuth1Session(OAuth1SessionAttributes, requests.Session):
    """A ``requests.Session`` that signs every request and runs the three-legged flow.

    The constructor and methods are requests-oauthlib's: ``fetch_request_token``,
    ``authorization_url``, ``parse_authorization_response``, ``fetch_access_token``, and the
    ``token`` and ``authorized`` properties.
    """

    def __init__(
        self,
        client_key: str,
        client_secret: str | None = None,
        resource_owner_key: str | None = None,
        resource_owner_secret: str | None = None,
        callback_uri: str | None = None,
        signature_method: str = HMAC_SHA1,
        signature_type: str = SIGNATURE_TYPE_AUTH_HEADER,
        rsa_key: Any = None,
        verifier: str | None = None,
        client_class: Any = None,
        force_include_body: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self._client = OAuth1(
            client_key,
            client_secret,
            resource_owner_key,
            resource_owner_secret,
            callback_uri,
            signature_method,
            signature_type,
            rsa_key,
            verifier,
            client_class=client_class,
            force_include_body=force_include_body,
            **kwargs,
        )
        self._flow = self._client.state  # one state: the flow advances what the auth signs with
        self.auth = self._client

    def __repr__(self) -> str:
        return f"<oauthkit.requests.OAuth1Session {self._flow!r}>"

    def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1).

        Raises:
            TokenRequestDenied: The server refused (carries ``status_code`` and ``response``).
            MalformedResponseError: The body cannot be read.
            MissingTokenError: The body has no ``oauth_token``.
            UnexpectedRedirectError: The endpoint redirected; nothing was re-sent.
            InsecureTransportError: ``url`` is plain http and not loopback.
        """
        signer = self._flow.request_token_signer(url, realm)
        return self._fetch_token(url, signer, request_token=True, **request_kwargs)

    def fetch_access_token(
        self, url: str, verifier: str | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Exchange the request token and verifier for token credentials (RFC 5849 §2.3).

        Raises:
            MissingVerifierError: No verifier is known.
            TokenRequestDenied: The server refused.
            MalformedResponseError: The body cannot be read.
            MissingTokenError: The body has no ``oauth_token``.
            UnexpectedRedirectError: The endpoint redirected; nothing was re-sent.
        """
        signer = self._flow.access_token_signer(url, verifier)
        return self._fetch_token(url, signer, request_token=False, **request_kwargs)

    def _fetch_token(
        self, url: str, signer: OAuth1Signer, *, request_token: bool, **request_kwargs: Any
    ) -> dict[str, str]:
        headers = request_kwargs.pop("headers", None)
        data = request_kwargs.pop("data", None)
        timeout = request_kwargs.pop("timeout", None)
        unknown = sorted(set(request_kwargs) - _NATIVE_SETTINGS)
        if unknown:
            raise UsageError(f"unsupported arguments for a token request: {', '.join(unknown)}")
        request_kwargs.pop("allow_redirects", None)  # token requests never follow redirects
        request_kwargs.pop("stream", None)  # token bodies are always read (and capped)
        if isinstance(data, (dict, list, tuple)):
            data = urlencode(data)
        body = data.encode("utf-8") if isinstance(data, str) else data
        flow = self._flow.token_flow(
            url,
            signer,
            request_token=request_token,
            headers=headers,
            body=body,
            timeout=seconds(timeout),
        )
        return run(flow, RequestsIO(self, ThreadLocks(), settings=request_kwargs))

    def rebuild_auth(self, prepared_request: PreparedRequest, response: requests.Response) -> None:
        """Re-sign same-origin redirects; send nothing to another origin.

        requests calls this after it has settled the next hop's method, URL and body, so the
        signature made here is exact.
        """
        original = response.history[0].request if response.history else response.request
        first_url = (original.url if original is not None else None) or ""
        hop = redirect_hop(self._client.signer, first_url, _neutral(prepared_request))
        _copy_hop(prepared_request, hop, self._client.decoding)
