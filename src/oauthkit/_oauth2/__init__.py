"""OAuth 2 sans I/O: the token manager, grants, client authentication and parsers.

:class:`~oauthkit.TokenManager` (:mod:`._manager`) holds one client's configuration and
token and hands out the flows of :mod:`._flows` and :mod:`._protected`; the builders and
parsers are pure functions of values. Public names are exported by :mod:`oauthkit`.
"""

__all__: list[str] = []
