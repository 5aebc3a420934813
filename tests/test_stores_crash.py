"""A fleet on a token store whose processes are killed with SIGKILL (issue #11).

Workers are killed at random moments, many of them inside a renewal (the token server takes
0.3 s to answer), and replaced. Afterwards the store must be readable, the lock free, and the
fleet serving. The one loss no store can prevent, a worker killed after the server rotated the
refresh token and before the save, is counted; a new login recovers the grant.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from oauthkit.requests import OAuth2Session
from oauthkit.stores import RedisStore, SQLiteStore, TokenStore
from tests._routes import Hit, Routes, answer_json, serve

LEASE = 1.5


def _store(kind: str, where: str, redis_url: str) -> TokenStore:
    if kind == "redis":
        return RedisStore(redis_url, prefix=f"crash-{Path(where).name}", lease=LEASE)
    return SQLiteStore(Path(where) / "tokens.db", lease=LEASE)


class SlowRotatingServer:
    """Issues ``at-N``/``rt-N`` after 0.3 s; a refresh token works once."""

    def __init__(self, routes: Routes) -> None:
        self.lock = threading.Lock()
        self.issued = 0
        self.valid: set[str] = set()
        self.refused = 0
        routes.handlers["/token"] = self.token
        routes.handlers["/api"] = lambda hit: answer_json({"ok": True})

    def token(self, hit: Hit) -> tuple[int, dict[str, str], bytes]:
        time.sleep(0.3)  # a window for the killer to land in
        with self.lock:
            refresh = hit.form.get("refresh_token")
            if hit.form.get("grant_type") == "refresh_token":
                if refresh not in self.valid:
                    self.refused += 1
                    return answer_json({"error": "invalid_grant"}, 400)
                self.valid.discard(refresh)
            self.issued += 1
            n = self.issued
            self.valid.add(f"rt-{n}")
        return answer_json({"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "expires_in": 2})


def _session(store: TokenStore, base: str) -> OAuth2Session:
    session = OAuth2Session(
        "app", auto_refresh_url=f"{base}/token", token_store=store, token_key="fleet"
    )
    session.trust_env = False
    return session


def _worker(kind: str, where: str, redis_url: str, base: str, seconds: float, out: Any) -> None:
    store = _store(kind, where, redis_url)
    outcomes = [0, 0]  # served, failed

    def calls() -> None:
        session = _session(store, base)
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                ok = session.get(f"{base}/api", timeout=10).status_code == 200
            except Exception:  # a grant lost to a kill: counted, the run goes on
                ok = False
            outcomes[0 if ok else 1] += 1
            time.sleep(0.01)

    threads = [threading.Thread(target=calls) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(json.dumps(outcomes))


def _login(store: TokenStore, base: str) -> None:
    """A new grant, saved for the fleet (the user signs in again)."""
    _session(store, base).fetch_token(f"{base}/token", code="c", client_secret="pw")


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_fleet_survives_sigkill(kind: str, tmp_path: Path, redis_url: str) -> None:
    rng = random.Random(20261129)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    with serve() as routes:
        server = SlowRotatingServer(routes)
        store = _store(kind, str(tmp_path), redis_url)
        _login(store, routes.base_url)

        def start(seconds: float) -> Any:
            process = context.Process(
                target=_worker, args=(kind, str(tmp_path), redis_url, routes.base_url, seconds, out)
            )
            process.start()
            return process

        workers = [start(60) for _ in range(4)]
        kills = 0
        ends = time.monotonic() + 10
        while time.monotonic() < ends:
            time.sleep(rng.uniform(0.2, 0.6))
            victim = workers.pop(rng.randrange(len(workers)))
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(10)
            kills += 1
            workers.append(start(60))
            assert store.load("fleet") is not None  # never corrupt, whatever was interrupted
        for worker in workers:
            os.kill(worker.pid, signal.SIGKILL)
            worker.join(10)

        # The lease frees a lock a killed holder held.
        with store.lock("fleet", timeout=LEASE + 5):
            stored = store.load("fleet")
        assert stored is not None
        # Tokens the server issued that never reached the store: workers killed between the
        # server's answer and the save. Each one costs the grant, as with any client.
        lost = server.issued - stored.version
        assert 0 <= lost <= kills
        # Whatever was lost, a new login recovers the grant and the fleet serves again.
        _login(store, routes.base_url)
        survivors = [start(4) for _ in range(2)]
        outcomes = [json.loads(out.get(timeout=60)) for _ in survivors]
        for worker in survivors:
            worker.join(30)
    assert kills >= 15
    assert all(failed == 0 and served > 0 for served, failed in outcomes), (outcomes, lost, kills)
