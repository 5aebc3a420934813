"""``refresh_token()`` without a URL on a session with an issuer, on every driver.

Found writing tests/test_oidc_interop_login.py: ``fetch_token()`` used the discovered token
endpoint, ``refresh_token()`` refused with "no token endpoint set for refreshing" although the
session knew it. Without an issuer the requests-oauthlib behaviour stays: the URL is required.
"""

from __future__ import annotations

import pytest

import oauthkit
from oauthkit import oidc
from tests._drivers2 import DRIVERS, open_session
from tests._routes import Hit, answer_json, serve

TOKEN = {"access_token": "a1", "token_type": "Bearer", "expires_in": 60, "refresh_token": "r1"}


def _token_endpoint(hit: Hit) -> tuple[int, dict[str, str], bytes]:
    assert hit.form == {"grant_type": "refresh_token", "refresh_token": "r1", "client_id": "app"}
    return answer_json({"access_token": "a2", "token_type": "Bearer", "refresh_token": "r2"})


@pytest.mark.parametrize("driver", DRIVERS)
def test_refresh_without_a_url_uses_the_discovered_token_endpoint(driver: str) -> None:
    with serve({"/token": _token_endpoint}) as server:
        issuer = server.base_url
        metadata = oauthkit.ServerMetadata(issuer, {"token_endpoint": server.url("/token")})
        rp = oidc.RelyingParty(oidc.Provider(issuer, metadata=metadata), "app")
        with open_session(driver, client_id="app", token=TOKEN, relying_party=rp) as s:
            refreshed = s.refresh_token(None)
        assert refreshed["access_token"] == "a2"
        assert refreshed["refresh_token"] == "r2"
        assert len(server.to("/token")) == 1


@pytest.mark.parametrize("driver", DRIVERS)
def test_without_an_issuer_the_url_is_still_required(driver: str) -> None:
    with (
        open_session(driver, client_id="app", token=TOKEN) as s,
        pytest.raises(oauthkit.UsageError, match="no token endpoint"),
    ):
        s.refresh_token(None)
