"""What a fuzz target is, and the shapes of input the campaign can generate, mutate and shrink.

Every target (:mod:`_targets`, :mod:`_targets_oidc`) takes its input in one of the shapes
named here, so the engine can make inputs without knowing the parser.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _checks import shape_of

RESPONSE = "response"  # (status, content type, body bytes)
HEADER = "header"  # a WWW-Authenticate value
CHALLENGED = "challenged"  # (status, WWW-Authenticate value)
CALLBACK = "callback"  # (mode, str | bytes | mapping)
OAUTH1_CALLBACK = "oauth1_callback"  # (expected token or None, URL)
FIELDS = "fields"  # a mapping
STORED = "stored"  # (now, mapping)
BYTES = "bytes"  # bytes
# A compact JWT: (variant, signer, segments), see _jwt.render; the variant picks one of the
# target's fixed settings (expectations, replay window...).
JWT = "jwt"
# A response whose body is bytes or a JWT (signer, segments): (status, content type, body).
SIGNED_RESPONSE = "signed_response"
JSONISH = "jsonish"  # any value parsed JSON can be (and a few it cannot: bytes, NaN)


@dataclass(frozen=True)
class Target:
    """One parser: how to call it, what it may raise, what it must return.

    Attributes:
        name: Short name used on the command line and in the report.
        api: The public (or internal) callable fuzzed.
        kind: The shape of its input (``RESPONSE``, ``HEADER``...).
        run: Calls the parser on one input.
        allowed: Exception classes an input may provoke.
        check: Raises :class:`Violation` if a returned value breaks a promise.
        seeds: Valid and near-valid inputs the mutator starts from.
        shape: What kind of value came back, for the corpus feedback.
    """

    name: str
    api: str
    kind: str
    run: Callable[[Any], Any]
    allowed: tuple[type[BaseException], ...]
    check: Callable[[Any, Any], None]
    seeds: list[Any] = field(default_factory=list)
    shape: Callable[[Any], str] = shape_of
