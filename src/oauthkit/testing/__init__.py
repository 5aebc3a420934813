"""Testing your own OAuth clients: the pytest plugin serving :mod:`oauthkit.devserver`.

Installed as a ``pytest11`` entry point; see :mod:`._plugin` for the fixtures.
"""

__all__: list[str] = []
