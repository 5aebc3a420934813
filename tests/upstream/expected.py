"""requests-oauthlib 2.0.0's own tests that do not pass on ``oauthkit.requests`` (issue #8).

Each entry names one test (its id below the tests directory) and why it does not pass. The only
acceptable kinds:

* ``internet``: the test needs the internet; it is skipped with its reason;
* ``oauthlib``: it patches an oauthlib internal oauthkit does not call; ``twin`` names the test
  of ours that proves the same behaviour through oauthkit's own seams;
* ``security``: a deliberate difference, listed in the README's "Differences from
  requests-oauthlib"; ``readme`` quotes the words there that explain it.

Every other listed test is a strict ``xfail``: one that starts to pass fails the run until its
entry is removed. ``tests/upstream/conftest.py`` applies this list and checks that every twin
and README quote exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Expected:
    id: str
    kind: Literal["internet", "oauthlib", "security"]
    reason: str
    twin: str | None = None
    readme: str | None = None


# Directories not collected at all, with the reason.
IGNORED = {
    "examples": "drives a Chrome browser through selenium against auth0.com: needs the internet",
}

EXPECTED: list[Expected] = []
