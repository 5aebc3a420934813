"""requests-oauthlib's session methods that do I/O, written once for blocking and async drivers.

Each function here takes a session and the method's arguments and returns a :class:`Call`: the
core flow to run, the call's settings for the HTTP library, and how to turn the flow's result
into the method's return value. :func:`blocking_method` and :func:`awaitable_method` make the
methods of the blocking sessions (requests, httpx) and of the async httpx client from the same
function, so the signatures, the docstrings and the argument handling exist once, and type
checkers see ``fetch_token(...) -> dict`` on one and ``-> Awaitable[dict]`` on the other.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar

from .._core._steps import Flow

if TYPE_CHECKING:
    from .._oauth2._device import DeviceAuthorization
    from .._oauth2._introspection import Introspection
    from ._attributes import SessionAttributes

__all__ = [
    "Call",
    "at",
    "awaitable_method",
    "blocking_method",
    "fetch_device_authorization",
    "fetch_token",
    "introspect_token",
    "poll_device_token",
    "refresh_token",
    "revoke_token",
    "same",
    "token_of",
]

P = ParamSpec("P")
T = TypeVar("T")
_INTROSPECTION = "introspection_endpoint"


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One I/O method call, ready to run.

    Attributes:
        flow: The core flow.
        finish: Turns the flow's result into the method's return value.
        native: Settings for the HTTP library (``auth``, ``verify``, ``proxies``, ``cert``,
            ``sleep``); ``None`` values mean "the driver's default".
    """

    flow: Flow[Any]
    finish: Callable[[Any], T]
    native: Mapping[str, Any] = field(default_factory=dict)


def blocking_method(
    build: Callable[Concatenate[Any, P], Call[T]],
) -> Callable[Concatenate[Any, P], T]:
    """A blocking session method from a call builder: run the flow, return the result."""

    def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        call = build(self, *args, **kwargs)
        return call.finish(self._execute(call.flow, **call.native))

    _wrap(method, build, "")
    return method


def _wrap(method: Callable[..., Any], build: Callable[..., Any], prefix: str) -> None:
    """Give ``method`` the name, docstring and signature of ``build``, returning what it returns."""
    import inspect  # loaded already: dataclasses imports it

    functools.update_wrapper(method, build)
    signature = inspect.signature(build)
    result = str(signature.return_annotation).removeprefix("Call[").removesuffix("]")
    shown = f"{prefix}[{result}]" if prefix else result
    method.__dict__["__signature__"] = signature.replace(return_annotation=shown)


def awaitable_method(
    build: Callable[Concatenate[Any, P], Call[T]],
) -> Callable[Concatenate[Any, P], Coroutine[Any, Any, T]]:
    """An async client method from a call builder: await the flow, return the result."""

    async def method(self: Any, /, *args: P.args, **kwargs: P.kwargs) -> T:
        call = build(self, *args, **kwargs)
        return call.finish(await self._aexecute(call.flow, **call.native))

    _wrap(method, build, "Awaitable")
    return method


def at(
    session: SessionAttributes, url: str | None, name: str, make: Callable[[str], Flow[T]]
) -> Flow[T]:
    """``make(url)``; without ``url``, the issuer's ``name`` endpoint, discovered first.

    Under a profile (FAPI 2.0) a given ``url`` must be that endpoint.
    """
    state = session._oauth
    if url is not None and state.profile is None:
        return make(url)
    from ._authorize import discovered_endpoint
    from ._oidc import discovered

    if url is None:
        return discovered(state, lambda: make(state.endpoint(name)))
    return discovered(state, lambda: make(discovered_endpoint(state, url, name)))


def token_of(session: SessionAttributes) -> Callable[[object], dict[str, Any]]:
    return lambda _: session.token


def same(value: T) -> T:
    return value


def fetch_token(
    session: SessionAttributes,
    /,
    token_url: str | None = None,
    code: str | None = None,
    authorization_response: str | bytes | Mapping[str, Any] | None = None,
    body: str = "",
    auth: Any = None,
    username: str | None = None,
    password: str | None = None,
    method: str = "POST",
    force_querystring: bool = False,
    timeout: Any = None,
    headers: Mapping[str, str] | None = None,
    verify: Any = None,
    proxies: Any = None,
    include_client_id: bool | None = None,
    client_secret: str | None = None,
    cert: Any = None,
    **kwargs: Any,
) -> Call[dict[str, Any]]:
    """Obtain a token at ``token_url`` (RFC 6749 §4.1.3, §4.3.2, §4.4.2).

    requests-oauthlib's arguments; ``grant=`` takes any core grant (JWT bearer, token
    exchange...). With httpx, ``verify``, ``proxies`` and ``cert`` belong to the client and are
    refused here. With ``issuer=``, ``token_url`` defaults to the discovered token endpoint,
    and an ID token in the answer is validated before any of its tokens is kept.

    ``authorization_response`` is the callback URL, or for ``response_mode=form_post`` (and
    ``form_post.jwt``) the POSTed body: a string, bytes, or the mapping of its fields. A
    JWT-secured response (JARM: a ``response`` parameter) is verified with the issuer's keys
    (signature, ``iss``, ``aud``, ``exp``) before its ``state`` and code are read; when the
    session asked for a JWT ``response_mode``, a plain response is refused.

    Returns:
        The token dictionary.

    Raises:
        StateMismatchError: ``authorization_response`` carries another ``state``, or one already
            exchanged.
        AuthorizationError: ``authorization_response`` is an error response.
        JARMError: The response JWT failed a check (``err.check``), or the callback is plain
            where the session asked for a JWT response mode.
        TokenEndpointError: The server refused (one subclass per ``error`` code).
        MalformedResponseError: The body is not a token response.
        UnexpectedRedirectError: The token endpoint redirected; nothing was re-sent.
        InsecureTransportError: ``token_url`` is plain http and not loopback.
        IDTokenError: The ID token failed validation (the subclass names the check); no token
            of that response is kept.
        UsageError: Missing arguments for the grant.
    """
    state = session._oauth

    def fetch(url: str) -> Flow[Any]:
        return state.fetch_token_flow(
            url,
            code,
            authorization_response,
            body,
            external_auth=auth is not None,
            username=username,
            password=password,
            include_client_id=include_client_id,
            client_secret=client_secret,
            method=method,
            force_querystring=force_querystring,
            headers=headers,
            timeout=session._seconds(timeout),
            **kwargs,
        )

    flow = at(session, token_url, "token_endpoint", fetch)
    native = {"auth": auth, "verify": verify, "proxies": proxies, "cert": cert}
    return Call(flow, token_of(session), native)


def refresh_token(
    session: SessionAttributes,
    /,
    token_url: str | None = None,
    refresh_token: str | None = None,
    body: str = "",
    auth: Any = None,
    timeout: Any = None,
    headers: Mapping[str, str] | None = None,
    verify: Any = None,
    proxies: Any = None,
    **kwargs: Any,
) -> Call[dict[str, Any]]:
    """Refresh the token now (RFC 6749 §6); the old refresh token is kept if not rotated.

    With ``issuer=``, ``token_url`` defaults to the discovered token endpoint, as for
    :func:`fetch_token`, and an ID token in the answer is validated against the previous one
    (OIDC Core §12.2) before any of its tokens is kept.

    Returns:
        The token dictionary.

    Raises:
        TokenEndpointError: The server refused.
        MalformedResponseError: The body is not a token response.
        IDTokenError: The new ID token failed validation; the previous token stays.
        UsageError: No endpoint or no refresh token.
    """

    def refresh(url: str) -> Flow[Any]:
        return session._oauth.refresh_token_flow(
            url,
            refresh_token,
            body,
            external_auth=auth is not None,
            headers=headers,
            timeout=session._seconds(timeout),
            **kwargs,
        )

    if session._oauth.oidc is None:
        flow = refresh(token_url or "")  # requests-oauthlib refuses a missing URL
    else:  # with an issuer: the session's token endpoint, or the discovered one
        url = token_url or session._oauth.core.token_endpoint
        flow = at(session, url, "token_endpoint", refresh)
    return Call(flow, token_of(session), {"auth": auth, "verify": verify, "proxies": proxies})


def fetch_device_authorization(
    session: SessionAttributes,
    /,
    url: str | None = None,
    scope: str | Sequence[str] | None = None,
    **kwargs: Any,
) -> Call[DeviceAuthorization]:
    """Start the device flow (RFC 8628 §3.1): show ``user_code`` and ``verification_uri``.

    Raises:
        TokenEndpointError: The server refused.
        MalformedResponseError: The body is not a device authorization response.
    """
    flow = at(
        session,
        url,
        "device_authorization_endpoint",
        lambda at: session._oauth.device_authorization_flow(at, scope, **kwargs),
    )
    return Call(flow, same)


def poll_device_token(
    session: SessionAttributes,
    /,
    authorization: DeviceAuthorization,
    token_url: str | None = None,
    *,
    deadline: float | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> Call[dict[str, Any]]:
    """Wait for the user to approve a device authorization (RFC 8628 §3.4, §3.5).

    ``sleep`` replaces the wait between polls (``time.sleep``, or ``anyio.sleep`` on the async
    client), for tests and UIs.

    Returns:
        The token dictionary.

    Raises:
        AccessDeniedError: The user refused.
        DeviceCodeExpiredError: The device code expired at the server.
        DeviceFlowExpiredError: The deadline passed.
    """
    flow = at(
        session,
        token_url,
        "token_endpoint",
        lambda at: session._oauth.device_token_flow(authorization, at, deadline),
    )
    return Call(flow, token_of(session), {"sleep": sleep})


def revoke_token(
    session: SessionAttributes,
    /,
    url: str | None = None,
    token: str | None = None,
    token_type_hint: str | None = None,
    *,
    timeout: Any = None,
) -> Call[None]:
    """Revoke a token (RFC 7009); without ``token``, the session's grant, then forget it.

    Raises:
        TokenEndpointError: The server refused.
        UsageError: No token given and none held.
    """
    flow = at(
        session,
        url,
        "revocation_endpoint",
        lambda at: session._oauth.core.revoke_flow(
            at, token, token_type_hint=token_type_hint, timeout=session._seconds(timeout)
        ),
    )
    return Call(flow, same)


def introspect_token(
    session: SessionAttributes,
    /,
    url: str | None = None,
    token: str | None = None,
    token_type_hint: str | None = None,
    *,
    timeout: Any = None,
    jwt: bool | None = None,
) -> Call[Introspection]:
    """What the server knows about a token (RFC 7662); default: the access token.

    ``jwt=True`` asks for a signed JWT answer (RFC 9701) and verifies it with the issuer's
    keys before reading it (decrypted first with the relying party's ``decryption_keys``
    when encrypted): the session needs ``issuer=``, and the client must have registered
    ``introspection_signed_response_alg``. It is the default, and the only way, under FAPI 2.0
    Message Signing (``profile="fapi2-message-signing"``), whose algorithms then apply.

    Raises:
        TokenEndpointError: The server refused.
        MalformedResponseError: The answer is not an introspection response (or, with
            ``jwt=True``, not a valid JWT introspection response).
        UsageError: ``jwt=True`` on a session without an issuer; ``jwt=False`` under FAPI 2.0
            Message Signing.
    """
    seconds = session._seconds(timeout)
    profile = session._oauth.profile
    if profile is not None and profile.message_signing:
        if jwt is False:
            raise profile.refusal("introspection responses are signed JWTs (RFC 9701): jwt=True")
        jwt = True
    if jwt:
        from ..oidc._introspection import jwt_introspection_flow
        from ._oidc import relying_party_of

        rp = relying_party_of(session._oauth)

        def signed(where: str | None) -> Flow[Introspection]:
            return jwt_introspection_flow(
                rp.provider,
                session._oauth.core,
                where,
                token,
                token_type_hint=token_type_hint,
                algorithms=None if profile is None else sorted(profile.algorithms),
                decryption_keys=rp.decryption_keys,
                timeout=seconds,
            )

        # a profile takes only the discovered endpoint (at() checks a given one)
        return Call(
            signed(url) if profile is None else at(session, url, _INTROSPECTION, signed), same
        )
    flow = at(
        session,
        url,
        _INTROSPECTION,
        lambda where: session._oauth.core.introspect_flow(
            where, token, token_type_hint=token_type_hint, timeout=seconds
        ),
    )
    return Call(flow, same)
