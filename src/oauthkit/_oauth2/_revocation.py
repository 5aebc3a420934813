"""Token revocation (RFC 7009).

A revocation request is an authenticated form POST carrying ``token`` and an optional
``token_type_hint`` (§2.1), built with the same :class:`~oauthkit.ClientAuth` as token
requests. A successful revocation has no content worth reading (§2.2); a refusal uses the
token endpoint's error format (§2.2.1, RFC 6749 §5.2) and is raised as the same typed errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._core._http import HttpRequest, HttpResponse
from .._core._params import text_params
from .._errors import UsageError
from ._backchannel import build_form_request, refusal
from ._client_auth import ClientAuth

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from ._backchannel import FormOptions

__all__ = ["build_revocation_request", "parse_revocation_response", "token_params"]


def token_params(token: object, token_type_hint: object) -> list[tuple[str, str]]:
    """``token`` and ``token_type_hint``, the parameters of RFC 7009 §2.1 and RFC 7662 §2.1.

    Raises:
        UsageError: An empty token or hint.
    """
    if token is None:
        raise UsageError("token must be a non-empty string")
    return text_params(("token", token), ("token_type_hint", token_type_hint))


def build_revocation_request(
    endpoint: str,
    token: str,
    auth: ClientAuth,
    *,
    token_type_hint: str | None = None,
    **options: Unpack[FormOptions],
) -> HttpRequest:
    """Build a revocation request (RFC 7009 §2.1).

    Args:
        endpoint: The revocation endpoint URL.
        token: The access or refresh token to revoke.
        auth: How the client authenticates.
        token_type_hint: ``"access_token"``, ``"refresh_token"`` or a registered extension.
        **options: ``now`` (required), ``extra``, ``headers`` and ``allow_insecure_transport``,
            as for every back-channel form (:func:`~oauthkit.build_token_request`).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: An empty token or hint, a parameter given twice, or client credentials
            already present.
    """
    return build_form_request(endpoint, token_params(token, token_type_hint), auth, **options)


def parse_revocation_response(response: HttpResponse) -> None:
    """Check a revocation response (RFC 7009 §2.2).

    A 2xx answer means the token is revoked or was already invalid; its body is ignored.

    Raises:
        TokenEndpointError: The server refused; the subclass for its ``error`` code, such as
            :class:`~oauthkit.UnsupportedTokenTypeError` (§2.2.1) or
            :class:`~oauthkit.InvalidClientError`. A 503 without an error code (§2.2.1: try
            again later) is a plain :class:`TokenEndpointError` with ``status_code`` 503.
        UsageError: ``response`` is not an :class:`HttpResponse`.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    if 200 <= response.status_code < 300:
        return
    raise refusal(response, "revocation endpoint")
