"""Errors that requests-oauthlib code catches by the names it knows (issue #8).

Applied to every driver's requests-oauthlib-compatible classes: ``oauthkit.requests``'s, and
the httpx clients that take the same arguments.

requests-oauthlib's documentation teaches ``except TokenExpiredError`` (from
``oauthlib.oauth2``), ``except MismatchingStateError``, ``except InvalidGrantError``; its own
argument checks raise ``ValueError``. :func:`as_caught` re-classes an oauthkit error, in place
and only at the boundary of those classes, so that it is also an instance of those:

* every :class:`~oauthkit.UsageError` is also a ``ValueError``;
* when oauthlib has been imported (an ``except`` clause naming one of its classes needs the
  import), an error with an oauthlib counterpart is also an instance of it: the class for the
  same ``error`` code, picked as oauthlib's ``raise_from_error`` picks it, and
  ``TokenExpiredError``, ``MismatchingStateError``, ``MissingTokenError`` and
  ``InsecureTransportError`` for oauthkit's errors of the same meaning.

The error keeps its oauthkit class, name, message and attributes; oauthkit never imports
oauthlib for this.
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable
from typing import Any, TypeVar, cast

from .._errors import (
    AuthorizationError,
    InsecureTransportError,
    MissingTokenError,
    OAuthError,
    StateMismatchError,
    TokenEndpointError,
    TokenExpiredError,
    UsageError,
)

__all__ = ["SESSION_METHODS", "as_caught", "caught_as_before", "raising_as_before"]

# The public methods of requests-oauthlib's OAuth2Session (and oauthkit's additions) whose
# errors requests-oauthlib code catches by its own names.
SESSION_METHODS = (
    "__init__",
    "request",
    "authorization_url",
    "push_authorization_request",
    "fetch_token",
    "refresh_token",
    "token_from_fragment",
    "register_compliance_hook",
    "fetch_device_authorization",
    "poll_device_token",
    "revoke_token",
    "introspect_token",
    "register_client",
    "read_client_registration",
    "update_client_registration",
    "delete_client_registration",
    "backchannel_authenticate",
    "poll_backchannel_token",
)

_ERRORS_MODULE = "oauthlib.oauth2.rfc6749.errors"
# oauthkit class -> the name of the oauthlib class of the same meaning
_SAME_MEANING = (
    (TokenExpiredError, "TokenExpiredError"),
    (StateMismatchError, "MismatchingStateError"),
    (MissingTokenError, "MissingTokenError"),
    (InsecureTransportError, "InsecureTransportError"),
)
# Attributes oauthlib's OAuth2Error sets in __init__, which the re-classed error never ran.
_OAUTHLIB_ATTRIBUTES = (
    "uri",
    "state",
    "redirect_uri",
    "client_id",
    "scopes",
    "response_type",
    "response_mode",
    "grant_type",
)

F = TypeVar("F", bound=Callable[..., Any])


@functools.cache
def _by_code(module: Any) -> dict[str, type]:
    """oauthlib's error classes by ``error`` code, the first by name winning, as in its
    ``raise_from_error``."""
    found: dict[str, type] = {}
    for _, cls in inspect.getmembers(module, inspect.isclass):
        code = getattr(cls, "error", None)
        if isinstance(code, str):
            found.setdefault(code, cls)
    return found


def _oauthlib_class(error: OAuthError, module: Any) -> type | None:
    for ours, theirs in _SAME_MEANING:
        if isinstance(error, ours):
            cls: type = getattr(module, theirs)
            return cls
    code = getattr(error, "error", None)
    if isinstance(error, (TokenEndpointError, AuthorizationError)) and isinstance(code, str):
        found: type = _by_code(module).get(code, module.CustomOAuth2Error)
        return found
    return None


_COMBINED: dict[tuple[type, tuple[type, ...]], type[OAuthError]] = {}


def _combined(cls: type[OAuthError], extra: tuple[type, ...]) -> type[OAuthError]:
    combined = _COMBINED.get((cls, extra))
    if combined is None:
        namespace: dict[str, Any] = {
            "__module__": cls.__module__,
            "__qualname__": cls.__qualname__,
            "__repr__": cls.__repr__,  # oauthkit's view of the error, never oauthlib's
            "__str__": cls.__str__,
            "_oauthkit_class": cls,  # what it is without the added bases
        }
        combined = _COMBINED[cls, extra] = type(cls.__name__, (cls, *extra), namespace)
    return combined


def as_caught(error: BaseException) -> BaseException:
    """Make ``error`` also an instance of what requests-oauthlib code catches; return it."""
    if not isinstance(error, OAuthError):
        return error
    extra: list[type] = []
    if isinstance(error, UsageError) and not isinstance(error, ValueError):
        extra.append(ValueError)
    module = sys.modules.get(_ERRORS_MODULE)
    if module is not None:
        cls = _oauthlib_class(error, module)
        if cls is not None and not isinstance(error, cls):
            extra.append(cls)
            for name in _OAUTHLIB_ATTRIBUTES:
                error.__dict__.setdefault(name, None)
    if extra:
        error.__class__ = _combined(type(error), tuple(extra))
    return error


def caught_as_before(method: F) -> F:
    """Wrap a public method of a requests-oauthlib-compatible class with :func:`as_caught`."""

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def awaiting(*args: Any, **kwargs: Any) -> Any:
            try:
                return await method(*args, **kwargs)
            except OAuthError as error:
                as_caught(error)
                raise

        return cast(F, awaiting)

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except OAuthError as error:
            as_caught(error)
            raise

    return cast(F, wrapper)


C = TypeVar("C", bound=type)


def raising_as_before(*names: str) -> Callable[[C], C]:
    """A class decorator applying :func:`caught_as_before` to the methods ``names``."""

    def decorate(cls: C) -> C:
        for name in names:
            setattr(cls, name, caught_as_before(getattr(cls, name)))
        return cls

    return decorate
