"""Coverage-guided fuzzing of one target with atheris (libFuzzer), as a second opinion.

Usage, from the repository root, with atheris installed (``pip install atheris``: a wheel
exists for CPython 3.11 on x86-64 Linux; the campaign does not need it)::

    PYTHONPATH=src python fuzz/atheris_target.py TARGET [libFuzzer options] [CORPUS_DIR]
    PYTHONPATH=src python fuzz/atheris_target.py token_response -runs=200000 \\
        -dict=fuzz/oauth.dict -max_len=4096 -seed=7

libFuzzer owns the process: it runs one target, stops at the first finding (writing the input
as ``crash-<sha1>``) and exits when ``-runs`` is reached, which is why ``campaign.py``, which
runs every target in one process and counts outcomes, has an engine of its own. What atheris
adds is coverage feedback: oauthkit's bytecode is instrumented, so inputs that reach new
branches are kept. Findings are judged exactly as in the campaign (:func:`_engine.execute`);
slow inputs are left to libFuzzer's own ``-timeout``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import atheris

from _checks import CALLBACK_MODES
from _engine import execute
from _model import (
    BYTES,
    CALLBACK,
    CHALLENGED,
    FIELDS,
    HEADER,
    JSONISH,
    JWT,
    OAUTH1_CALLBACK,
    RESPONSE,
    SIGNED_RESPONSE,
    STORED,
)
from _targets import BY_NAME
from _vocabulary import CONTENT_TYPES


def _mapping(data: bytes) -> dict[Any, Any]:
    try:
        value = json.loads(data.decode("utf-8", "replace"))
    except (ValueError, RecursionError):
        return {"access_token": data.decode("latin-1")}
    return value if isinstance(value, dict) else {"access_token": value}


def input_for(kind: str, data: bytes) -> Any:
    """The target's input, read from libFuzzer's bytes."""
    fdp = atheris.FuzzedDataProvider(data)
    if kind in (RESPONSE, CHALLENGED, SIGNED_RESPONSE):
        status = fdp.ConsumeIntInRange(100, 599)
        if kind == CHALLENGED:
            return (status, fdp.ConsumeUnicode(fdp.remaining_bytes()))
        types = (*CONTENT_TYPES, "application/jwt")
        content_type = types[fdp.ConsumeIntInRange(0, len(types) - 1)]
        return (status, content_type, fdp.ConsumeBytes(fdp.remaining_bytes()))
    if kind == JWT:  # (variant, signer, segments): raw text, as it came
        variant = fdp.ConsumeIntInRange(0, 5)
        return (variant, "keep", [fdp.ConsumeUnicode(fdp.remaining_bytes())])
    if kind == HEADER:
        return fdp.ConsumeUnicode(fdp.remaining_bytes())
    if kind == CALLBACK:
        mode = fdp.ConsumeIntInRange(0, len(CALLBACK_MODES) - 1)
        form = fdp.ConsumeIntInRange(0, 2)
        rest = fdp.ConsumeBytes(fdp.remaining_bytes())
        if form == 0:
            return (mode, rest.decode("utf-8", "surrogateescape"))
        return (mode, rest if form == 1 else _mapping(rest))
    if kind == OAUTH1_CALLBACK:
        expected = (None, "t")[fdp.ConsumeIntInRange(0, 1)]
        return (expected, fdp.ConsumeUnicode(fdp.remaining_bytes()))
    if kind in (FIELDS, JSONISH):
        return _mapping(data)
    if kind == STORED:
        now = (None, 1_700_000_000.0, float("nan"))[fdp.ConsumeIntInRange(0, 2)]
        return (now, _mapping(fdp.ConsumeBytes(fdp.remaining_bytes())))
    if kind == BYTES:
        return data
    raise ValueError(kind)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in BY_NAME:
        sys.exit(f"usage: {sys.argv[0]} TARGET [libFuzzer options]; targets: {sorted(BY_NAME)}")
    target = BY_NAME[sys.argv[1]]

    def test_one_input(data: bytes) -> None:
        value = input_for(target.kind, data)
        outcome = execute(target, value, hang_seconds=60.0)
        if outcome.problem is not None:
            raise AssertionError(
                f"{target.name}: {outcome.problem}, {outcome.label} at {outcome.where}: "
                f"{outcome.detail}\ninput: {value!r}"[:2000]
            )

    # oauthkit loads its modules lazily; _targets has loaded every one a target calls, so
    # instrumenting everything loaded now covers the parsers.
    atheris.instrument_all()
    atheris.Setup([sys.argv[0], *sys.argv[2:]], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
