"""A fleet on a token store against oidc-provider (issue #11): 8 processes x 4 threads share one
grant whose access tokens live 3 seconds. The peer rotates refresh tokens and revokes the whole
grant when a used one comes back, so a second renewal of any expiry would break every caller.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oauthkit.requests import OAuth2Session
from oauthkit.stores import RedisStore, SQLiteStore, TokenStore
from tests._drivers2 import headless_authorize
from tests.peers.oidc_provider import OidcProviderPeer

SCOPE = ["openid", "offline_access"]
PROCESSES, THREADS, SECONDS = 8, 4, 8.0


def _store(kind: str, where: str, redis_url: str) -> TokenStore:
    if kind == "redis":
        return RedisStore(redis_url, prefix=f"fleet-{Path(where).name}")
    return SQLiteStore(Path(where) / "tokens.db")


def _member(kind: str, where: str, redis_url: str, token_url: str, userinfo: str, out: Any) -> None:
    """One process of the fleet: THREADS sessions calling the userinfo endpoint for SECONDS."""
    store = _store(kind, where, redis_url)
    statuses: list[int] = []
    errors: list[str] = []

    def calls() -> None:
        session = OAuth2Session(
            "public-client",
            auto_refresh_url=token_url,
            token_store=store,
            token_key="fleet",
        )
        session.trust_env = False
        deadline = time.monotonic() + SECONDS
        while time.monotonic() < deadline:
            try:
                statuses.append(session.get(userinfo, timeout=15).status_code)
            except Exception as exc:  # reported to the parent, which fails the test
                errors.append(repr(exc))
            time.sleep(0.02)

    threads = [threading.Thread(target=calls) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(
        json.dumps({"statuses": sorted(set(statuses)), "calls": len(statuses), "errors": errors})
    )


@pytest.mark.peer
@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_fleet_on_a_store_renews_once_per_expiry_against_oidc_provider(
    oidc_peer_factory: Callable[..., OidcProviderPeer],
    kind: str,
    tmp_path: Path,
    redis_url: str,
) -> None:
    peer = oidc_peer_factory(ACCESS_TOKEN_TTL=3)
    token_url = peer.discovery["token_endpoint"]
    userinfo = peer.discovery["userinfo_endpoint"]
    store = _store(kind, str(tmp_path), redis_url)
    # The login, once: the fetched token goes to the store for the whole fleet.
    login = OAuth2Session(
        "public-client",
        redirect_uri=peer.url("/cb"),
        scope=SCOPE,
        pkce="S256",
        token_store=store,
        token_key="fleet",
    )
    login.trust_env = False
    url, _ = login.authorization_url(peer.discovery["authorization_endpoint"])
    first = login.fetch_token(
        token_url, authorization_response=headless_authorize(peer, url), include_client_id=True
    )
    assert first["expires_in"] == 3
    stored = store.load("fleet")
    assert stored is not None
    assert stored.version == 1

    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    members = [
        context.Process(
            target=_member, args=(kind, str(tmp_path), redis_url, token_url, userinfo, out)
        )
        for _ in range(PROCESSES)
    ]
    started = time.monotonic()
    for member in members:
        member.start()
    reports = [json.loads(out.get(timeout=180)) for _ in members]
    for member in members:
        member.join(30)
        assert member.exitcode == 0
    elapsed = time.monotonic() - started

    assert [r["errors"] for r in reports] == [[]] * PROCESSES
    assert {status for r in reports for status in r["statuses"]} == {200}  # grant never revoked
    assert sum(r["calls"] for r in reports) > PROCESSES * THREADS * 10
    final = store.load("fleet")
    assert final is not None
    renewals = final.version - 1
    # 3-second tokens are renewed at half their life: one renewal per 1.5 s of the run at most,
    # for 32 callers in 8 processes
    assert 2 <= renewals <= elapsed / 1.5 + 1, (renewals, elapsed)
