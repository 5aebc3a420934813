"""``python -m oauthkit``: the ``oauthkit`` command."""

from .cli import main

raise SystemExit(main())
