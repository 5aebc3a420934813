"""What issue #12's CLI needs from the stores: ``delete`` (a logout) on the SQLite and keyring
stores, and a device-flow token saved to a session's store like a fetched one (on every
driver, against oidc-provider).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oauthkit.stores import SQLiteStore
from tests._drivers2 import DRIVERS, approve_device, open_session
from tests.peers.oidc_provider import OidcProviderPeer
from tests.test_stores import make

TOKEN = {"access_token": "at", "token_type": "Bearer"}


@pytest.mark.parametrize("kind", ["sqlite", "keyring"])
def test_delete_removes_one_key(tmp_path: Path, kind: str) -> None:
    store = make(kind, tmp_path)
    store.save("a", TOKEN, version=None)
    store.save("b", TOKEN, version=None)
    assert store.delete("a") is True  # type: ignore[attr-defined]
    assert store.load("a") is None
    assert store.load("b") is not None
    assert store.delete("a") is False  # type: ignore[attr-defined]
    assert store.save("a", TOKEN, version=None) == 1  # a new login starts over


@pytest.mark.parametrize("kind", ["sqlite", "keyring"])
def test_delete_checks_the_key(tmp_path: Path, kind: str) -> None:
    from oauthkit import UsageError

    with pytest.raises(UsageError):
        make(kind, tmp_path).delete("")  # type: ignore[attr-defined]


@pytest.mark.peer
@pytest.mark.parametrize("driver", DRIVERS)
def test_a_device_flow_token_is_saved_to_the_store(
    oidc_peer: OidcProviderPeer, driver: str, tmp_path: Path
) -> None:
    store = SQLiteStore(tmp_path / "tokens.db")
    with open_session(
        driver,
        client_id="public-client",
        scope=["openid", "offline_access"],
        token_store=store,
        token_key="device",
    ) as s:
        authorization = s.fetch_device_authorization(
            oidc_peer.discovery["device_authorization_endpoint"]
        )
        approve_device(oidc_peer, authorization.user_code)
        token = s.poll_device_token(
            authorization, oidc_peer.discovery["token_endpoint"], sleep=lambda _: None
        )
    record = store.load("device")
    assert record is not None
    assert record.version == 1
    assert record.token["access_token"] == token["access_token"]
    assert record.token["refresh_token"] == token["refresh_token"]
