"""The steps that sans-I/O flows yield to the drivers that run them.

A flow that needs I/O (device polling, RFC 8628 §3.4; later refresh-before-use and retries) is
a generator. It yields a step, the driver performs it, and the driver sends back the result:

* :class:`SendRequest` -> the driver sends :attr:`SendRequest.request` and sends back an
  :class:`~oauthkit._http.HttpResponse` with the body read;
* :class:`Sleep` -> the driver waits (``time.sleep`` or ``asyncio.sleep``) and sends back
  ``None``.

When the flow is done, the generator returns its result (``StopIteration.value``). This is the
shape of httpx's ``Auth.auth_flow``: one copy of the protocol logic serves the requests driver,
the sync httpx driver and the async httpx driver, which differ only in how they do I/O.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from .._errors import UsageError
from ._http import HttpRequest

__all__ = ["SendRequest", "Sleep", "Step"]


@dataclass(frozen=True, slots=True)
class SendRequest:
    """Ask the driver to send a request and send back the response, body read.

    Attributes:
        request: The request to send, exactly as built.
    """

    request: HttpRequest

    def __repr__(self) -> str:
        # The request carries client credentials (Authorization header, client_secret,
        # assertions, device codes) in its headers and body; the step's repr shows only
        # where it goes.
        parts = urlsplit(self.request.url)
        return f"SendRequest({self.request.method} {parts.scheme}://{parts.netloc}{parts.path})"


@dataclass(frozen=True, slots=True)
class Sleep:
    """Ask the driver to wait, then send back ``None``.

    Attributes:
        seconds: How long to wait; finite and not negative.

    Raises:
        UsageError: ``seconds`` is negative, infinite or not a number.
    """

    seconds: float

    def __post_init__(self) -> None:
        value = self.seconds
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise UsageError(f"Sleep.seconds must be a number, not {type(value).__name__}")
        if not math.isfinite(value) or value < 0:
            raise UsageError(f"Sleep.seconds must be finite and >= 0, not {value!r}")


Step = SendRequest | Sleep
"""Any step a flow may yield; drivers dispatch on the class."""
