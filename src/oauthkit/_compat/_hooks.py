"""requests-oauthlib's compliance hooks: which ones run for which request, in one table.

A provider fix registers hooks at five points (``register_compliance_hook``). Which points a
back-channel request passes through is decided here, by its purpose, once for every driver:

=================================  =========================  ===========================
purpose                            before sending             after receiving
=================================  =========================  ===========================
code exchange, other grants,       ``access_token_request``   ``access_token_response``
client-credentials renewal,
device and CIBA polling
refresh (explicit or automatic)    ``refresh_token_request``  ``refresh_token_response``
the caller's protected request     ``protected_request``      --
device authorization, revocation,  --                         --
introspection, registration,
CIBA authentication request
=================================  =========================  ===========================

Request hooks take and return plain values (URL, headers, and the body as requests-oauthlib
passes it), so they run here on the neutral request. Response hooks take the HTTP library's
own response object: drivers run :meth:`ComplianceHooks.responders` on it before converting it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._core._http import HttpRequest
from .._core._steps import Purpose, SendRequest
from .._errors import UsageError

__all__ = ["COMPLIANCE_HOOKS", "HOOK_POINTS", "ComplianceHooks"]

COMPLIANCE_HOOKS = (
    "access_token_request",
    "access_token_response",
    "protected_request",
    "refresh_token_request",
    "refresh_token_response",
)

_ACCESS = ("access_token_request", "access_token_response")
HOOK_POINTS: Mapping[Purpose, tuple[str, str]] = {
    Purpose.CODE_EXCHANGE: _ACCESS,
    Purpose.TOKEN: _ACCESS,
    Purpose.CLIENT_CREDENTIALS_RENEWAL: _ACCESS,
    Purpose.DEVICE_POLL: _ACCESS,
    Purpose.CIBA_POLL: _ACCESS,
    Purpose.REFRESH: ("refresh_token_request", "refresh_token_response"),
}
"""Purpose -> (request hook point, response hook point); purposes not listed have none."""


class ComplianceHooks:
    """The hooks registered on one session, by hook point.

    Attributes:
        hooks: Hook point -> the set of hooks registered there (requests-oauthlib's
            ``session.compliance_hook``).
    """

    __slots__ = ("hooks",)

    def __init__(self) -> None:
        self.hooks: dict[str, set[Callable[..., Any]]] = {name: set() for name in COMPLIANCE_HOOKS}

    def register(self, hook_type: str, hook: Callable[..., Any]) -> None:
        """Register a provider fix at one of the five hook points.

        Raises:
            UsageError: Unknown hook type.
        """
        if hook_type not in self.hooks:
            raise UsageError(f"hook type {hook_type!r} is not one of {', '.join(COMPLIANCE_HOOKS)}")
        self.hooks[hook_type].add(hook)

    def __bool__(self) -> bool:
        return any(self.hooks.values())

    def prepare(self, step: SendRequest) -> SendRequest:
        """``step`` after the request hooks of its purpose.

        ``access_token_request`` hooks get ``(url, headers, {"data": form})`` as in
        requests-oauthlib's ``fetch_token`` and may change ``data`` or add ``params``;
        ``refresh_token_request`` hooks get ``(url, headers, body)`` with the body as a string.

        Raises:
            UsageError: A hook returned request arguments other than ``data`` and ``params``.
        """
        points = HOOK_POINTS.get(step.purpose)
        hooks = self.hooks[points[0]] if points is not None else ()
        if not hooks:
            return step
        request = step.request
        url, headers = request.url, dict(request.headers)
        body = (request.body or b"").decode("utf-8")
        encoded: bytes | None
        if points is not None and points[0] == "refresh_token_request":
            for hook in hooks:
                url, headers, body = hook(url, headers, body)
            encoded = body.encode("utf-8") if isinstance(body, str) else body
        else:
            kwargs: dict[str, Any] = {"data": dict(parse_qsl(body, keep_blank_values=True))}
            if request.body is None:
                kwargs = {"params": dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))}
                url = urlunsplit(urlsplit(url)._replace(query=""))
            for hook in hooks:
                url, headers, kwargs = hook(url, headers, kwargs)
            url, encoded = _apply_request_kwargs(url, kwargs, request.body is not None)
        rebuilt = HttpRequest(request.method, url, headers, encoded)
        return SendRequest(rebuilt, step.purpose, step.timeout)

    def responders(self, purpose: Purpose) -> tuple[Callable[[Any], Any], ...]:
        """The response hooks of ``purpose``, to run on the driver's response object."""
        points = HOOK_POINTS.get(purpose)
        return tuple(self.hooks[points[1]]) if points is not None else ()

    def protected(self, url: Any, headers: Any, data: Any) -> tuple[Any, Any, Any]:
        """Run the ``protected_request`` hooks over the caller's request arguments."""
        for hook in self.hooks["protected_request"]:
            url, headers, data = hook(url, headers, data)
        return url, headers, data


def _apply_request_kwargs(
    url: str, kwargs: Mapping[str, Any], has_body: bool
) -> tuple[str, bytes | None]:
    unknown = sorted(set(kwargs) - {"data", "params"})
    if unknown:
        raise UsageError(
            f"an access_token_request hook returned unsupported request arguments: {unknown}"
        )
    params = kwargs.get("params")
    if params:
        parts = urlsplit(url)
        query = urlencode(params, doseq=True) if not isinstance(params, str) else params
        url = urlunsplit(parts._replace(query="&".join(q for q in (parts.query, query) if q)))
    data = kwargs.get("data")
    if data is None:
        return url, None if not has_body else b""
    if isinstance(data, bytes):
        return url, data
    if isinstance(data, str):
        return url, data.encode("utf-8")
    return url, urlencode(data, doseq=True).encode("utf-8")
