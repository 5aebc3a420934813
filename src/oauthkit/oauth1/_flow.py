"""The OAuth 1.0a three-legged flow as pure build/parse steps (RFC 5849 §2).

1. :func:`build_token_request` with a signer carrying ``callback_uri`` asks for a temporary
   (request) token, §2.1; :func:`parse_token_response` reads the answer.
2. :func:`build_authorization_url` sends the resource owner to the server, §2.2.
3. :func:`parse_authorization_callback` checks the callback against the pending request token
   and extracts ``oauth_verifier``.
4. :func:`build_token_request` again, with the request token and verifier, exchanges them for
   token credentials, §2.3.

Drivers send the requests and feed responses back; nothing here performs I/O.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from .._core._http import HttpRequest, HttpResponse
from .._core._transport import check_transport
from .._errors import (
    CallbackError,
    MalformedResponseError,
    MissingTokenError,
    MissingVerifierError,
    StateMismatchError,
    TokenRequestDenied,
    UsageError,
)
from ._signer import OAuth1Signer

__all__ = [
    "build_access_token_request",
    "build_authorization_url",
    "build_token_request",
    "parse_authorization_callback",
    "parse_token_response",
    "token_from_mapping",
]


def build_token_request(signer: OAuth1Signer, url: str, method: str = "POST") -> HttpRequest:
    """Build a signed request to a request-token or access-token endpoint (§2.1, §2.3).

    Raises:
        InsecureTransportError: ``url`` is plain http and not loopback; the response would
            carry a token secret in the clear.
    """
    check_transport(url, allow_insecure=signer.allow_insecure_transport)
    return signer.sign(method, url)


def build_access_token_request(
    signer: OAuth1Signer, url: str, verifier: str | None = None, method: str = "POST"
) -> HttpRequest:
    """Build the access-token request of §2.3 from a signer holding the request token.

    Args:
        signer: Carries the temporary credentials from step 1.
        url: The access-token endpoint.
        verifier: ``oauth_verifier`` from the callback; defaults to the signer's.
        method: HTTP method.

    Raises:
        UsageError: The signer holds no request token.
        MissingVerifierError: No verifier is known.
        InsecureTransportError: ``url`` is plain http and not loopback.
    """
    if not signer.resource_owner_key:
        raise UsageError("no request token: fetch a request token before the access token")
    verifier = verifier or signer.verifier
    if not verifier:
        raise MissingVerifierError(
            "no oauth_verifier: parse the authorization callback or pass verifier="
        )
    return build_token_request(
        signer.with_token(signer.resource_owner_key, signer.resource_owner_secret, verifier),
        url,
        method,
    )


def parse_token_response(response: HttpResponse) -> dict[str, str]:
    """Read a request-token or access-token response.

    The body is form-encoded per §2.1; JSON is accepted as well, because some providers send it.

    Returns:
        Every field of the response; ``oauth_token`` is guaranteed to be present.

    Raises:
        TokenRequestDenied: The server answered with an error status.
        MalformedResponseError: The body is neither a form nor a JSON object (an HTML page,
            say).
        MissingTokenError: The body has no ``oauth_token``.
    """
    status = response.status_code
    if status >= 400:
        raise TokenRequestDenied("token request refused", status, response.body)
    text = response.body.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        # An HTML page (a login or error page served with 200) can hold "&oauth_token=" in a
        # link and would otherwise parse as a form; no form body starts with "<".
        raise MalformedResponseError(
            "token response is an HTML or XML page, not a form", status, response.body
        )
    token = _parse_json(text, status) if _looks_like_json(response, text) else None
    if token is None:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True)
        except ValueError:
            raise MalformedResponseError(
                "token response is neither form-encoded nor JSON", status, response.body
            ) from None
        token = dict(pairs)
    if not token.get("oauth_token"):
        raise MissingTokenError("token response has no oauth_token", status, response.body)
    return token


def _looks_like_json(response: HttpResponse, text: str) -> bool:
    return text.startswith("{") or response.media_type.endswith("json")


def _parse_json(text: str, status: int) -> dict[str, str]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        raise MalformedResponseError("token response is not valid JSON", status, text) from None
    if not isinstance(data, dict):
        raise MalformedResponseError("token response is not a JSON object", status, text)
    # null means absent: {"oauth_token": null} must not become the token "null".
    return {
        str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items() if v is not None
    }


def build_authorization_url(url: str, request_token: str | None, **params: str) -> str:
    """The resource-owner authorization URL of §2.2.

    Args:
        url: The authorization endpoint; an existing query is kept.
        request_token: The temporary token from step 1.
        **params: Extra query parameters the provider wants.

    Raises:
        UsageError: No request token is known.
    """
    if not request_token:
        raise UsageError("no request token: fetch a request token first")
    query = urlencode([("oauth_token", request_token), *params.items()])
    base, _, fragment = url.partition("#")
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}{query}" if not fragment else f"{base}{sep}{query}#{fragment}"


def parse_authorization_callback(url: str, expected_token: str | None = None) -> dict[str, str]:
    """Read the callback URL of §2.2.

    Args:
        url: The full callback URL the resource owner was redirected to.
        expected_token: The pending request token; the callback must name it.

    Returns:
        The callback parameters, with ``oauth_token`` and (for 1.0a) ``oauth_verifier``.

    Raises:
        CallbackError: The callback is not a valid URL or carries no ``oauth_token``.
        StateMismatchError: It names a different token than the pending one.
    """
    try:
        query = urlsplit(url).query
    except ValueError:  # e.g. "Invalid IPv6 URL", or a netloc that changes under NFKC
        raise CallbackError("authorization callback is not a valid URL") from None
    params = dict(parse_qsl(query, keep_blank_values=True))
    token = params.get("oauth_token")
    if not token:
        raise CallbackError("authorization callback has no oauth_token")
    # surrogatepass: a callback decoded by a web framework may carry lone surrogates.
    if expected_token is not None and not hmac.compare_digest(
        token.encode("utf-8", "surrogatepass"), expected_token.encode("utf-8", "surrogatepass")
    ):
        raise StateMismatchError(
            "authorization callback names a different request token than the one pending"
        )
    return params


def token_from_mapping(token: Mapping[str, str]) -> tuple[str | None, str | None, str | None]:
    """Split a token mapping into (key, secret, verifier), accepting requests-oauthlib's keys."""
    return (
        token.get("oauth_token") or token.get("resource_owner_key"),
        token.get("oauth_token_secret") or token.get("resource_owner_secret"),
        token.get("oauth_verifier") or token.get("verifier"),
    )
