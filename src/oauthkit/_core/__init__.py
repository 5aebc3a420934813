"""The protocol-neutral core: steps and the executor, exchanges, transport rules, values.

Nothing here knows OAuth's grants or an HTTP library. Flows (generators) yield the steps of
:mod:`._steps`; :mod:`._run` answers them with a driver's I/O. Everything else is one rule used
everywhere: parameters (:mod:`._params`), JSON (:mod:`._json`), redaction (:mod:`._redact`),
where credentials may go (:mod:`._transport`), randomness (:mod:`._random`).
"""

__all__: list[str] = []
