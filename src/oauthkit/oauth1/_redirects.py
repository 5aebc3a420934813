"""The OAuth 1.0a redirect rule, for every driver (RFC 5849 §3.4.1, RFC 6454).

A signature covers one method and one URL, so a redirect hop needs a new one or none:

* on the origin the request was first sent to (scheme, host and port), the hop is signed
  again for its own method, URL and body;
* anywhere else it carries no OAuth credential at all: no ``Authorization`` header, no
  ``oauth_*`` body or query parameter;
* with body placement, a hop without a form body (the GET after a POST answered 302 or 303)
  cannot carry a signature: it is followed unsigned rather than refused, since the server has
  already processed the POST.

requests-oauthlib re-signs every hop, sending credentials wherever a server points.
"""

from __future__ import annotations

from .._core._http import FORM_CONTENT_TYPE, HttpRequest, header_value, same_origin
from ._signer import SIGNATURE_TYPE_BODY, SIGNATURE_TYPE_QUERY, OAuth1Signer

__all__ = ["redirect_hop", "strip_oauth_params"]


def strip_oauth_params(encoded: bytes) -> bytes:
    """A form body (or query) without its ``oauth_*`` parameters (RFC 5849 §3.5.2, §3.5.3)."""
    return b"&".join(part for part in encoded.split(b"&") if not part.startswith(b"oauth_"))


def _strip_query(url: str) -> str:
    base, hash_sign, fragment = url.partition("#")
    path, question, query = base.partition("?")
    if not query:
        return url
    kept = strip_oauth_params(query.encode("utf-8", "surrogateescape")).decode(
        "utf-8", "surrogateescape"
    )
    return f"{path}{question if kept else ''}{kept}{hash_sign}{fragment}"


def redirect_hop(signer: OAuth1Signer, first_url: str, hop: HttpRequest) -> HttpRequest:
    """The next redirect hop as it must be sent.

    Args:
        signer: The credentials the first request was signed with.
        first_url: The URL of the first request.
        hop: The hop as the HTTP library built it (its method rules applied, the body dropped
            where the library drops it), still carrying the previous hop's credentials.

    Returns:
        The hop, signed again or stripped of every OAuth credential.

    Raises:
        UsageError: The hop cannot be signed (a body that is not UTF-8...).
    """
    headers = {k: v for k, v in hop.headers.items() if k.lower() != "authorization"}
    url, body = hop.url, hop.body
    placement = signer.signature_type
    if placement == SIGNATURE_TYPE_BODY and body:
        body = strip_oauth_params(body)
    if placement == SIGNATURE_TYPE_QUERY:
        url = _strip_query(url)
    stripped = HttpRequest(hop.method, url, headers, body)
    if not same_origin(first_url, url):
        return stripped
    if placement == SIGNATURE_TYPE_BODY:
        content_type: object = header_value(headers, "Content-Type") or ""
        if isinstance(content_type, bytes):  # requests-oauthlib's drop-in sets bytes values
            content_type = content_type.decode("latin-1")
        is_form = isinstance(content_type, str) and FORM_CONTENT_TYPE in content_type.lower()
        if hop.method.upper() in ("GET", "HEAD") or not is_form:
            return stripped  # nowhere to put a body signature; the server has the POST already
    return signer.sign(hop.method, url, headers, body)
