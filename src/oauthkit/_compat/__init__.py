"""requests-oauthlib's API over the core, written once for every driver.

Session state and its I/O-free members (:mod:`._session`, :mod:`._attributes`), the session
methods that do I/O as call builders (:mod:`._calls`), compliance hooks by purpose
(:mod:`._hooks`), and OAuth 1.0a's constructor arguments (:mod:`._oauth1`). The drivers
(:mod:`oauthkit.requests`, :mod:`oauthkit.httpx`) add only how bytes move.
"""

__all__: list[str] = []
