"""OAuth 1.0a on requests: ``OAuth1`` (an ``AuthBase``) and ``OAuth1Session``.

Both accept requests-oauthlib's arguments and behave like it, with two corrections:

* header values are ``str``, never ``bytes``;
* redirects: a redirect to another origin carries no OAuth credentials (the ``Authorization``
  header and any ``oauth_*`` body parameters are removed), while a same-origin redirect is
  signed again for its new method and URL. requests-oauthlib re-signs *every* redirect,
  sending credentials wherever a server points.

All protocol work happens in the core (:mod:`oauthkit._oauth1`, :mod:`oauthkit._oauth1_session`);
this module only copies values between requests' objects and the core's.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from requests.auth import AuthBase
from requests.models import PreparedRequest
from requests.sessions import SessionRedirectMixin
from requests.utils import requote_uri

from .._core._http import HttpResponse, same_origin
from .._errors import ServerResponseError
from ..oauth1._signature import HMAC_SHA1
from ..oauth1._signer import (
    SIGNATURE_TYPE_AUTH_HEADER,
    SIGNATURE_TYPE_BODY,
    OAuth1Signer,
    strip_oauth_params,
)
from ..oauth1._state import OAuth1Session as _FlowState
from ..oauth1._state import OAuth1SessionAttributes, SignerHolder

__all__ = ["OAuth1", "OAuth1Session"]

# requests' own redirect rules, used to predict the next hop of a redirect on a plain Session.
_REDIRECT_RULES = SessionRedirectMixin()


class OAuth1(SignerHolder, AuthBase):
    """Signs requests made with ``requests`` (RFC 5849 §3).

    Args: the same as requests-oauthlib's ``OAuth1``; see :class:`oauthkit.OAuth1Signer` for
    their meaning. ``realm``, ``nonce``, ``timestamp`` and ``body_hash`` are keywords.

    Raises:
        UsageError: Invalid arguments (see :func:`oauthkit._oauth1_session.signer_from_arguments`).
        SignatureMethodError: Unknown method or unusable RSA key.
    """

    @property
    def client(self) -> OAuth1Signer:
        """The core signer (requests-oauthlib exposes its oauthlib client here)."""
        return self.signer

    def __repr__(self) -> str:
        return f"OAuth1(client_key={self.signer.client_key!r}, <credentials redacted>)"

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        _sign_prepared(self.signer, r)
        if self._on_response not in r.hooks["response"]:  # signing twice must not hook twice
            r.hooks["response"].append(self._on_response)
        return r

    def _on_response(self, response: requests.Response, **_: Any) -> requests.Response:
        # Runs before requests builds the next hop, which copies response.request: what we do to
        # that request here is what the redirect will carry.
        if response.is_redirect:
            _prepare_redirect(self.signer, response)
        return response


def _sign_prepared(signer: OAuth1Signer, r: PreparedRequest) -> None:
    body = r.body if isinstance(r.body, (bytes, str)) else None  # streams are never read
    signed = signer.sign(r.method or "GET", r.url or "", r.headers, body)
    r.url = signed.url
    for name in ("Authorization", "Content-Type"):
        value = signed.headers.get(name)
        if value is not None:
            r.headers[name] = value
    if signer.signature_type == SIGNATURE_TYPE_BODY:
        r.body = signed.body
        r.prepare_content_length(r.body)


def _strip_credentials(r: PreparedRequest) -> None:
    r.headers.pop("Authorization", None)
    body = r.body
    if isinstance(body, (bytes, str)) and body:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        r.body = strip_oauth_params(raw)
        r.prepare_content_length(r.body)


def _redirect_target(response: requests.Response) -> str | None:
    location = _REDIRECT_RULES.get_redirect_target(response)
    if location is None:
        return None
    if location.startswith("//"):
        location = f"{urlsplit(response.url).scheme}:{location}"
    return urljoin(response.url, requote_uri(location))


def _prepare_redirect(signer: OAuth1Signer, response: requests.Response) -> None:
    request = response.request
    target = _redirect_target(response)
    if not isinstance(request, PreparedRequest) or target is None:
        return
    _strip_credentials(request)
    if not same_origin(request.url or "", target):
        return  # the next hop gets no credentials at all
    # Same origin: sign for the hop requests is about to make (its method and body rules).
    nxt = request.copy()
    nxt.url = target
    _REDIRECT_RULES.rebuild_method(nxt, response)
    if response.status_code not in (307, 308):
        nxt.body = None
        for header in ("Content-Length", "Content-Type", "Transfer-Encoding"):
            nxt.headers.pop(header, None)
    _sign_prepared(signer, nxt)
    if "Authorization" in nxt.headers:
        request.headers["Authorization"] = nxt.headers["Authorization"]


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
        self._flow = _FlowState(self._client.signer)
        self.auth = self._client

    def __repr__(self) -> str:
        return f"<oauthkit.requests.OAuth1Session {self._flow!r}>"

    def _adopt(self) -> None:
        self._client.signer = self._flow.signer

    def fetch_request_token(
        self, url: str, realm: str | list[str] | None = None, **request_kwargs: Any
    ) -> dict[str, str]:
        """Obtain temporary credentials (RFC 5849 §2.1).

        Raises:
            TokenRequestDenied: The server refused (carries ``status_code`` and ``response``).
            MalformedResponseError: The body cannot be read.
            MissingTokenError: The body has no ``oauth_token``.
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
        """
        signer = self._flow.access_token_signer(url, verifier)
        return self._fetch_token(url, signer, request_token=False, **request_kwargs)

    def _fetch_token(
        self, url: str, signer: OAuth1Signer, *, request_token: bool, **request_kwargs: Any
    ) -> dict[str, str]:
        response = self.post(url, auth=OAuth1.from_signer(signer), **request_kwargs)
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

    def rebuild_auth(self, prepared_request: PreparedRequest, response: requests.Response) -> None:
        """Re-sign same-origin redirects; send nothing to another origin.

        requests calls this after it has settled the next hop's method, URL and body, so the
        signature made here is exact.
        """
        _strip_credentials(prepared_request)
        original = response.history[0].request if response.history else response.request
        if original is not None and same_origin(original.url or "", prepared_request.url or ""):
            _sign_prepared(self._client.signer, prepared_request)
