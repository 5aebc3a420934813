"""The authorization request of a requests-oauthlib-style session: in the URL, signed, or pushed.

``authorization_url()`` has always put the parameters in the URL (RFC 6749 §4.1.1). A session
may also

* sign them into a request object (``request_object=``, RFC 9101), sent by value in the URL's
  ``request`` parameter or inside a pushed request, and encrypt it to the server's key when the
  signer says ``encrypt=True`` (§6.1: the key comes from the issuer's ``jwks_uri``, loaded
  with the metadata by ``discover()``, by the blocking sessions' ``authorization_url()`` and
  by every push);
* push them to the server first (RFC 9126), so the URL carries only ``client_id`` and
  ``request_uri``: always with ``par=True`` (or ``par=`` the endpoint's URL), and whenever
  the issuer's metadata says ``require_pushed_authorization_requests``.

Why a session option and not an argument of every call: whether a client pushes is part of how
it is registered (RFC 9126 §6 ``require_pushed_authorization_requests``, FAPI 2.0 §5.3.1.2),
not a choice per login; and a per-call switch would let one forgotten call send the
parameters through the browser. ``push_authorization_request()`` pushes regardless, for the
odd call, and is the awaitable way on the async client, where ``authorization_url()`` stays
synchronous and refuses to push (the push is I/O, as ``discover()`` is).

The state, PKCE verifier and nonce are kept by the session exactly as without PAR or JAR.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._core._steps import Flow
from .._errors import UsageError
from ._calls import Call

if TYPE_CHECKING:
    from .._oauth2._jar import RequestObjectSigner
    from ._attributes import SessionAttributes
    from ._session import OAuth2SessionState

__all__ = [
    "authorization_request",
    "discovered_endpoint",
    "encryption_keys_flow",
    "encrypts",
    "front_channel_params",
    "must_push",
    "needs_discovery",
    "push_authorization_request",
    "push_flow",
]

_Pairs = list[tuple[str, str]]
_PAR_ENDPOINT = "pushed_authorization_request_endpoint"


def authorization_request(
    session: OAuth2SessionState, url: str | None, state: str | None, kwargs: dict[str, Any]
) -> tuple[str, _Pairs, str]:
    """The endpoint, the parameters and the ``state`` of the next authorization request; the
    session keeps its state, PKCE verifier and nonce for the callback.

    Raises:
        UsageError: Invalid parameters; no ``url`` and no known authorization endpoint.
    """
    from .._oauth2._authorization import authorization_params

    if session.oidc is not None:
        kwargs = session.oidc.authorization_params(kwargs)
        if session.profile is not None and url is not None:
            discovered_endpoint(session, url, "authorization_endpoint")
        if url is None:
            url = session.endpoint("authorization_endpoint")
    if url is None:
        raise UsageError("authorization_url() needs the authorization endpoint's URL")
    state = state or session.new_state()
    session._state = state
    mode = kwargs.get("response_mode", session.response_mode)
    if mode is not None:  # JARM or another mode: one the server lists (see _supported_mode)
        kwargs["response_mode"] = session.response_mode = session._supported_mode(str(mode))
    response_type = "token" if session.kind == "implicit" else "code"
    response_type = str(kwargs.pop("response_type", response_type))
    if session.profile is not None and response_type != "code":
        raise session.profile.refusal(f"response_type must be code, not {response_type[:40]!r}")
    core = session.core
    if core.dpop is not None:  # bind the code to the key (RFC 9449 §10)
        kwargs.setdefault("dpop_jkt", core.dpop.thumbprint)
    resource = kwargs.pop("resource", None)
    details = kwargs.pop("authorization_details", None)
    params, flow = authorization_params(
        client_id=session.client_id,
        redirect_uri=session.redirect_uri,
        scope=session.scope,
        state=state,
        pkce=session.pkce,
        response_type=response_type,
        nonce=kwargs.pop("nonce", None),
        resource=resource,
        authorization_details=details,
        extra={k: str(v) for k, v in kwargs.items()} or None,
    )
    session.code_verifier = flow.code_verifier
    session.nonce = flow.nonce
    if session.oidc is not None:
        session.oidc.nonce = flow.nonce
    return url, params, state


def discovered_endpoint(session: OAuth2SessionState, url: str, name: str) -> str:
    """``url``, when it is the issuer's ``name`` endpoint: a FAPI 2.0 client takes endpoints
    only from the metadata of the issuer it discovered.

    Raises:
        UsageError: Another URL (or the metadata is not loaded).
    """
    known = session.endpoint(name)
    if url != known and session.profile is not None:
        raise session.profile.refusal(
            f"endpoints come only from the discovered metadata of the issuer: {url[:80]!r} is "
            f"not its {name}; leave the URL out"
        )
    return url


def _signer(session: OAuth2SessionState) -> RequestObjectSigner | None:
    chosen = session.request_object
    if chosen is None or chosen is False:
        return None
    if chosen is True:
        from .._oauth2._jar import RequestObjectSigner

        return RequestObjectSigner.from_client_auth(session.core.auth)
    return chosen


def encrypts(session: OAuth2SessionState) -> bool:
    """Whether the session encrypts its request objects (RFC 9101 §6.1)."""
    chosen = session.request_object
    return chosen is not None and not isinstance(chosen, bool) and chosen.encrypt


def encryption_keys_flow(session: OAuth2SessionState) -> Flow[None]:
    """Load the issuer's keys (cached per process) when the session encrypts request objects:
    its encryption keys are those the request object is encrypted to."""
    if not encrypts(session) or session.oidc is None:
        return
    from ..oidc._provider import encryption_keys_flow as keys_flow

    yield from keys_flow(session.oidc.provider, session.core)


def needs_discovery(session: OAuth2SessionState, url: str | None) -> bool:
    """Whether an authorization URL needs the issuer's metadata loaded first: no ``url``
    given and none known, or a request object to encrypt to keys not loaded yet (or loaded
    without an encryption key: ``discover()`` then refetches them, rate-limited)."""
    rp = session.oidc
    if rp is None:
        return False
    if url is None and rp.provider.metadata is None:
        return True
    keys = rp.provider.keys_entry.value
    return encrypts(session) and (keys is None or not keys.encryption)


def _sealed(session: OAuth2SessionState, signer: RequestObjectSigner, signed: str) -> str:
    if not signer.encrypt:
        return signed
    if session.oidc is None:
        raise UsageError(
            "an encrypted request object is encrypted to the key in the issuer's jwks_uri: "
            "give the session issuer="
        )
    provider = session.oidc.provider
    keys = provider.keys_entry.value
    if keys is None:
        raise UsageError(
            "the issuer's keys are not loaded, and encrypting the request object needs them: "
            "call (await) discover() first"
        )
    return signer.seal(signed, keys, provider.metadata)


def front_channel_params(session: OAuth2SessionState, params: Sequence[tuple[str, str]]) -> _Pairs:
    """``params``, or with a request object signer ``client_id`` and the signed (and, when
    the signer says so, encrypted) ``request`` (RFC 9101 §5: the server reads only the request
    object's parameters).

    Raises:
        UsageError: A request object without an issuer to address it to, or a client that has
            no key to sign with; an encrypted one whose issuer's keys are not loaded, or that
            the server cannot receive (no encryption key, no algorithm in common).
    """
    signer = _signer(session)
    if signer is None:
        return list(params)
    audience = session.issuer
    if session.oidc is not None and session.oidc.provider.metadata is not None:
        audience = session.oidc.provider.metadata.issuer
    if not audience:
        raise UsageError("a request object is addressed to the issuer: give the session issuer=")
    client_id = session.client_id
    signed = signer.sign(params, client_id=client_id, audience=audience, now=session.core.clock())
    return [("client_id", client_id), ("request", _sealed(session, signer, signed))]


def must_push(session: OAuth2SessionState) -> bool:
    """Whether the next authorization request is pushed: the session says so, or the issuer's
    metadata requires it (RFC 9126 §5 ``require_pushed_authorization_requests``)."""
    if session.par:
        return True
    metadata = None if session.oidc is None else session.oidc.provider.metadata
    return metadata is not None and metadata.require_pushed_authorization_requests


def _par_endpoint(session: OAuth2SessionState) -> str:
    if isinstance(session.par, str):
        return session.par
    return session.endpoint(_PAR_ENDPOINT)


def push_flow(
    session: OAuth2SessionState,
    url: str | None,
    state: str | None,
    kwargs: dict[str, Any],
    timeout: float | None,
) -> Flow[tuple[str, str]]:
    """Push the authorization request (RFC 9126 §2); the URL carries ``client_id`` and the
    ``request_uri`` (§4)."""
    from .._oauth2._par import push, pushed_authorization_url

    endpoint, params, state = authorization_request(session, url, state, kwargs)
    par_endpoint = _par_endpoint(session)
    yield from encryption_keys_flow(session)
    pushed = yield from push(
        session.core, par_endpoint, front_channel_params(session, params), timeout=timeout
    )
    link = pushed_authorization_url(
        endpoint,
        session.client_id,
        pushed.request_uri,
        allow_insecure_transport=session.core.transport,
    )
    return link, state


def push_authorization_request(
    session: SessionAttributes,
    /,
    url: str | None = None,
    state: str | None = None,
    *,
    timeout: Any = None,
    **kwargs: Any,
) -> Call[tuple[str, str]]:
    """Push the authorization request (RFC 9126), then return the URL and its ``state``.

    The arguments are those of ``authorization_url()``; the parameters go to the issuer's
    ``pushed_authorization_request_endpoint`` (or the session's ``par=`` URL) with the client's
    authentication, a DPoP proof when the session has a key (with ``dpop_jkt``, RFC 9449
    §10.1), or signed as a request object when the session has one (RFC 9126 §3). The URL
    carries only ``client_id`` and ``request_uri``.

    Returns:
        The authorization URL and the ``state`` it carries (inside the pushed request).

    Raises:
        TokenEndpointError: The server refused the pushed request (the subclass of its
            ``error`` code).
        MalformedResponseError: The answer is not a pushed authorization response.
        UsageError: No endpoint known: no issuer whose metadata names one, and no ``par=``.
    """
    oauth = session._oauth
    seconds = session._seconds(timeout)

    def pushing() -> Flow[tuple[str, str]]:
        return push_flow(oauth, url, state, dict(kwargs), seconds)

    if oauth.oidc is not None and oauth.oidc.provider.metadata is None:
        from ._oidc import discovered

        return Call(discovered(oauth, pushing), _same)
    return Call(pushing(), _same)


def _same(value: tuple[str, str]) -> tuple[str, str]:
    return value
