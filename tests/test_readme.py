"""The README's code runs: each example, with its example.com URLs and credentials pointed at
the dev provider (a real OAuth 2 server, oauthlib's server side)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from oauthkit.devserver import DevProvider

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text("utf-8"), flags=re.DOTALL)


@pytest.fixture(scope="module")
def provider() -> Iterator[DevProvider]:
    with DevProvider() as p:
        yield p


def _block(marker: str) -> str:
    [block] = [b for b in BLOCKS if marker in b]
    return block


def test_a_renewing_auth_for_any_requests_session(provider: DevProvider) -> None:
    code = (
        _block("OAuth2Auth(manager)")
        .replace("https://auth.example.com/token", provider.token_endpoint)
        .replace("https://api.example.com/me", provider.oauth2_resource_url)
        .replace('"my-service"', repr(provider.oauth2_client_id))
        .replace('"my-secret"', repr(provider.oauth2_client_secret))
    )
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    response = namespace["response"]
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    manager = namespace["manager"]
    assert manager.token is not None  # type: ignore[attr-defined]
