"""Token revocation (RFC 7009).

A revocation request is an authenticated form POST carrying ``token`` and an optional
``token_type_hint`` (§2.1), built with the same :class:`~oauthkit.ClientAuth` as token
requests. A successful revocation has no content worth reading (§2.2); a refusal uses the
token endpoint's error format (§2.2.1, RFC 6749 §5.2) and is raised as the same typed errors.
"""

from __future__ import annotations

from collections.abc import Mapping

from .._core._http import HttpRequest, HttpResponse
from .._core._params import ExtraParams
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import UsageError
from ._backchannel import build_form_request, refusal
from ._client_auth import ClientAuth

__all__ = ["build_revocation_request", "parse_revocation_response", "token_params"]


def token_params(token: object, token_type_hint: object) -> list[tuple[str, str]]:
    """``token`` and ``token_type_hint``, the parameters of RFC 7009 §2.1 and RFC 7662 §2.1.

    Raises:
        UsageError: An empty token or hint.
    """
    if not isinstance(token, str) or not token:
        raise UsageError("token must be a non-empty string")
    params = [("token", token)]
    if token_type_hint is not None:
        if not isinstance(token_type_hint, str) or not token_type_hint:
            raise UsageError("token_type_hint must be a non-empty string, such as 'access_token'")
        params.append(("token_type_hint", token_type_hint))
    return params


def build_revocation_request(
    endpoint: str,
    token: str,
    auth: ClientAuth,
    *,
    now: float,
    token_type_hint: str | None = None,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build a revocation request (RFC 7009 §2.1).

    Args:
        endpoint: The revocation endpoint URL.
        token: The access or refresh token to revoke.
        auth: How the client authenticates.
        now: The current time, for JWT client assertions.
        token_type_hint: ``"access_token"``, ``"refresh_token"`` or a registered extension.
        extra: Extra body parameters.
        headers: Extra headers.
        allow_insecure_transport: Permit plain http to non-loopback hosts (all, or these).

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UsageError: An empty token or hint, a parameter given twice, or client credentials
            already present.
    """
    return build_form_request(
        endpoint,
        token_params(token, token_type_hint),
        auth,
        now=now,
        extra=extra,
        headers=headers,
        allow_insecure_transport=allow_insecure_transport,
    )


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
