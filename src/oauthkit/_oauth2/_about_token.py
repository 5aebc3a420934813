"""The flows about a token the client holds: revocation (RFC 7009) and introspection (RFC 7662).

Both send the same form about one token (RFC 7662 §2.1) with the manager's client
authentication; with no token given, they are about the current one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .._core._http import HttpRequest
from .._core._steps import Exclusive, Flow, Purpose
from .._errors import UsageError
from ._flows import ask, deadline_for, send
from ._token import Token

if TYPE_CHECKING:
    from ._introspection import Introspection
    from ._manager import TokenManager

__all__ = ["about_token", "introspect", "revoke", "to_introspect"]


def _forget(manager: TokenManager, revoked: Token | None) -> Flow[None]:
    if manager.token is revoked:
        manager.forget()
    return None
    yield  # pragma: no cover - a generator, so it can run under Exclusive


def revoke(
    manager: TokenManager,
    endpoint: str,
    token: str | None,
    token_type_hint: str | None,
    timeout: float | None,
) -> Flow[None]:
    """Revoke a token (RFC 7009 §2); with no ``token``, the current grant, then forget it.

    Without ``token`` the current refresh token is revoked (which ends the whole grant at
    most servers, §2.1), or the access token when there is none; the client then forgets
    its token.

    Raises:
        UsageError: No token given and none held.
        TokenEndpointError: The server refused.
    """
    from ._revocation import build_revocation_request, parse_revocation_response

    current = None
    if token is None:
        current = manager.token
        if current is None:
            raise UsageError("there is no token to revoke")
        if current.refresh_token:
            token, token_type_hint = current.refresh_token, token_type_hint or "refresh_token"
        else:
            token, token_type_hint = current.access_token, token_type_hint or "access_token"
    deadline = deadline_for(manager, timeout)
    about = about_token(manager, build_revocation_request, endpoint, token, token_type_hint)
    response = yield from send(manager, about, Purpose.REVOCATION, deadline, one_time=False)
    parse_revocation_response(response)
    if current is not None:
        yield Exclusive(manager.lock_key, _forget(manager, current), deadline.remaining())


def introspect(
    manager: TokenManager,
    endpoint: str,
    token: str | None,
    token_type_hint: str | None,
    timeout: float | None,
) -> Flow[Introspection]:
    """Ask about a token (RFC 7662 §2); with no ``token``, the current access token.

    Raises:
        UsageError: No token given and none held.
        TokenEndpointError: The server refused.
        MalformedResponseError: The answer is not an introspection response.
    """
    from ._introspection import build_introspection_request, parse_introspection_response

    token, token_type_hint = to_introspect(manager, token, token_type_hint)
    about = about_token(manager, build_introspection_request, endpoint, token, token_type_hint)
    response = yield from ask(manager, about, Purpose.INTROSPECTION, timeout)
    return parse_introspection_response(response)


def to_introspect(
    manager: TokenManager, token: str | None, token_type_hint: str | None
) -> tuple[str, str | None]:
    """The token to introspect and its hint: ``token``, or the current access token.

    Raises:
        UsageError: No token given and none held.
    """
    if token is not None:
        return token, token_type_hint
    current = manager.token
    if current is None:
        raise UsageError("there is no token to introspect")
    return current.access_token, token_type_hint or "access_token"


def about_token(
    manager: TokenManager,
    builder: Callable[..., HttpRequest],
    endpoint: str,
    token: str,
    token_type_hint: str | None,
    **options: Any,
) -> Callable[[float], HttpRequest]:
    """Build a request about ``token`` with the manager's client: revocation and introspection
    requests share one form (RFC 7662 §2.1); ``options`` go to ``builder`` (``headers=``)."""

    def build(now: float) -> HttpRequest:
        return builder(
            endpoint,
            token,
            manager.auth,
            now=now,
            token_type_hint=token_type_hint,
            allow_insecure_transport=manager.transport,
            **options,
        )

    return build
