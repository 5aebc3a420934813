"""Authenticated form POSTs to back-channel endpoints, and reading their refusals.

Token requests (RFC 6749 §3.2), revocation (RFC 7009 §2.1), introspection (RFC 7662 §2.1) and
device authorization (RFC 8628 §3.1) requests are all ``application/x-www-form-urlencoded``
POSTs authenticated by the client (RFC 6749 §2.3). :func:`build_form_request` is their common
tail. Their refusals share the token endpoint's error format (RFC 6749 §5.2);
:func:`refusal` turns one into the typed error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from .._core._http import FORM_CONTENT_TYPE, MAX_BODY, HttpRequest, HttpResponse
from .._core._json import JsonError, read_json_object
from .._core._params import AuthorizationDetails, ExtraParams, extra_params, merge_params
from .._core._transport import InsecureAllowance, TransportPolicy
from .._errors import MalformedResponseError, TokenEndpointError, UsageError
from ._client_auth import ClientAuth
from ._token_response import parse_error_body

__all__ = ["build_form_request", "malformed", "read_answer", "refusal", "transport_policy"]

if TYPE_CHECKING:
    from typing import TypedDict

    from typing_extensions import Required

    class FormOptions(TypedDict, total=False):
        """The keywords every back-channel form builder takes (:func:`build_form_request`).

        ``now`` (the current time, for JWT client assertions) is required; ``extra`` (body
        parameters, ``None`` values dropped), ``headers`` (e.g. ``DPoP``) and
        ``allow_insecure_transport`` (plain http to non-loopback hosts: all, or these) are not.
        """

        now: Required[float]
        extra: ExtraParams
        headers: Mapping[str, str] | None
        allow_insecure_transport: InsecureAllowance | TransportPolicy

    class GrantOptions(TypedDict, total=False):
        """What a :class:`~oauthkit.TokenManager` adds to a token request besides the grant,
        the endpoint and the client authentication: ``extra`` (body parameters), ``headers``,
        ``resource`` (RFC 8707) and ``authorization_details`` (RFC 9396), as for
        :func:`~oauthkit.build_token_request`.
        """

        extra: ExtraParams
        headers: Mapping[str, str] | None
        resource: str | Sequence[str] | None
        authorization_details: AuthorizationDetails


def transport_policy(
    allow_insecure_transport: InsecureAllowance | TransportPolicy,
) -> TransportPolicy:
    """The policy for an ``allow_insecure_transport`` argument (a policy passes through).

    Raises:
        UsageError: Neither a bool, host names nor a policy.
    """
    if isinstance(allow_insecure_transport, TransportPolicy):
        return allow_insecure_transport
    return TransportPolicy(allow_insecure_transport)


def build_form_request(
    endpoint: str,
    params: list[tuple[str, str]],
    auth: ClientAuth,
    *,
    now: float,
    extra: ExtraParams = None,
    headers: Mapping[str, str] | None = None,
    allow_insecure_transport: InsecureAllowance | TransportPolicy = False,
) -> HttpRequest:
    """Build an authenticated form POST to a back-channel endpoint.

    This is the shared tail of token, revocation, introspection and device authorization
    requests: extra parameters, client authentication, and the form headers.

    Args:
        endpoint: The endpoint URL.
        params: The request's own parameters.
        auth: The client authentication.
        now: The current time, for JWT client assertions.
        extra: Extra body parameters; ``None`` values are dropped.
        headers: Extra headers, e.g. ``DPoP``.
        allow_insecure_transport: Permit plain http to non-loopback hosts (all, or these).

    Returns:
        The POST request, with ``Content-Type: application/x-www-form-urlencoded`` and
        ``Accept: application/json``.

    Raises:
        InsecureTransportError: ``endpoint`` is plain http to a non-loopback host.
        UnsafeUrlError: ``endpoint`` names a host that parsers read differently.
        UsageError: A relative ``endpoint``; a parameter given twice; an extra parameter that
            is reserved; a header that is not a string pair, or a ``Content-Type`` that is not
            form-encoded; credentials the client authentication would add already present.
    """
    transport_policy(allow_insecure_transport).check(endpoint)
    form = merge_params(list(params), extra_params(extra))
    out_headers = {"Content-Type": FORM_CONTENT_TYPE, "Accept": "application/json"}
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise UsageError("header names and values must be strings")
        lowered = name.lower()
        if lowered == "content-type" and value.partition(";")[0].strip().lower() != (
            FORM_CONTENT_TYPE
        ):
            raise UsageError("a token request body is form-encoded; Content-Type cannot change")
        for existing in [key for key in out_headers if key.lower() == lowered]:
            del out_headers[existing]
        out_headers[name] = value
    form, out_headers = auth.apply(form, out_headers, endpoint=endpoint, now=now)
    body = urlencode(form).encode("ascii")
    return HttpRequest("POST", endpoint, out_headers, body)


def refusal(response: HttpResponse, endpoint: str) -> TokenEndpointError:
    """The error for a non-2xx answer of a back-channel endpoint (RFC 6749 §5.2 format).

    Args:
        response: The answer.
        endpoint: What answered, for the message ("revocation endpoint").

    Returns:
        The class for the body's ``error`` code, or a plain :class:`TokenEndpointError` naming
        the status when there is none.
    """
    error = parse_error_body(response)
    if error is not None:
        return error
    return TokenEndpointError(
        f"{endpoint} refused the request without an OAuth error code",
        response.status_code,
        response.body,
    )


def read_answer(response: HttpResponse, what: str) -> dict[str, Any]:
    """The JSON object of a back-channel endpoint's successful answer.

    Args:
        response: The answer.
        what: The response, for messages ("introspection response").

    Raises:
        UsageError: ``response`` is not an :class:`HttpResponse`.
        TokenEndpointError: A non-2xx answer (see :func:`refusal`).
        MalformedResponseError: A 2xx body that is not a strict JSON object, or is longer
            than :data:`~oauthkit._core._http.MAX_BODY`.
    """
    if not isinstance(response, HttpResponse):
        raise UsageError("expected an oauthkit.HttpResponse")
    if not 200 <= response.status_code < 300:
        raise refusal(response, what.replace("response", "endpoint"))
    if len(response.body) > MAX_BODY:
        raise malformed(f"{what} is larger than a mebibyte", response)
    try:
        return read_json_object(response.body)
    except JsonError as exc:
        raise malformed(f"{what}: {exc}", response) from None


def malformed(message: str, response: HttpResponse) -> MalformedResponseError:
    """A :class:`MalformedResponseError` about ``response``, with its status and body excerpt."""
    return MalformedResponseError(message, response.status_code, response.body)
