"""Issuer metadata and keys, fetched once per process and kept as Cache-Control allows (#9).

A loopback provider counts its requests and answers slowly, so that concurrent sessions pile up
on the process lock: threads on the requests driver, tasks on the async httpx driver. Then the
rest of the cache's contract through real sessions: one provider per issuer, documents given
instead of fetched, ``max-age`` against the session's clock, nothing kept from a mismatched
issuer, and the rate-limited refetch of the keys for an unknown ``kid``. The cache's flows are
driven step by step in ``test_oidc_cache.py``.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any

import pytest
import requests

import oauthkit
import oauthkit.httpx as okhttpx
import oauthkit.requests as okrequests
from oauthkit import HttpResponse, oidc
from oauthkit._oauth2._metadata import RFC8414

from ._drivers2 import Clock, _tls
from ._oidc import CLIENT_ID, ISSUER, NOW, OP, jwks, logout_claims, serve_op, sign

# --- for real: a slow provider on loopback, many sessions at once ------------------------------


def _session(op: OP, **kw: Any) -> okrequests.OAuth2Session:
    kw.setdefault("client_id", CLIENT_ID)
    s = okrequests.OAuth2Session(issuer=op.issuer, **kw)
    s.trust_env = False
    return s


def test_sixteen_threads_discover_with_one_request() -> None:
    with serve_op(delay=0.1) as op:
        barrier = threading.Barrier(16)
        results: list[Any] = []
        errors: list[BaseException] = []

        def discover() -> None:
            with _session(op) as s:
                barrier.wait()
                try:
                    results.append(s.discover())
                except BaseException as exc:  # reported below, not lost in the thread
                    errors.append(exc)

        threads = [threading.Thread(target=discover) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert errors == []
        assert len(results) == 16
        assert op.hits("/.well-known/openid-configuration") == 1
        assert all(r is results[0] for r in results)
        assert results[0].issuer == op.issuer


def test_two_hundred_tasks_discover_with_one_request() -> None:
    with serve_op(delay=0.1) as op:

        async def main() -> list[Any]:
            clients = [
                okhttpx.AsyncOAuth2Client(
                    client_id=CLIENT_ID, issuer=op.issuer, trust_env=False, verify=_tls()
                )
                for _ in range(200)
            ]
            try:
                return list(await asyncio.gather(*(c.discover() for c in clients)))
            finally:
                for c in clients:
                    await c.aclose()

        results = asyncio.run(main())
        assert len(results) == 200
        assert all(r is results[0] for r in results)
        assert op.hits("/.well-known/openid-configuration") == 1


def test_sixteen_threads_validating_fetch_metadata_and_keys_once() -> None:
    with serve_op(delay=0.1) as op:
        barrier = threading.Barrier(16)
        subjects: list[str] = []

        def validate(number: int) -> None:
            token = sign(logout_claims(iss=op.issuer, jti=f"jti-{number}", sub=f"user-{number}"))
            with _session(op, clock=Clock(NOW)) as s:
                barrier.wait()
                subjects.append(s.validate_logout_token(token).subject)

        threads = [threading.Thread(target=validate, args=(n,)) for n in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert sorted(subjects) == sorted(f"user-{n}" for n in range(16))
        assert op.hits("/.well-known/openid-configuration") == op.hits("/jwks") == 1


def test_an_unknown_kid_refetches_the_keys_at_once_then_waits() -> None:
    clock = Clock(NOW)
    with serve_op() as op, _session(op, clock=clock) as s:

        def logout(jti: str, signer: str = "rsa", **header: Any) -> Any:
            token = sign(logout_claims(iss=op.issuer, jti=jti), signer, **header)
            return s.validate_logout_token(token)

        assert logout("1").subject == "user-248289761001"
        op.keys = jwks("rsa-2")  # the provider rotates its key
        assert logout("2", "rsa-2").sid == "sid-1"
        assert op.hits("/jwks") == 2
        with pytest.raises(oidc.LogoutTokenError) as info:
            logout("3")  # the old key, gone: the set was refetched a moment ago
        assert info.value.check == "kid"
        assert "less than 60 s ago" in str(info.value)
        assert op.hits("/jwks") == 2
        clock.advance(60)
        with pytest.raises(oidc.LogoutTokenError) as info:
            logout("3")
        assert info.value.check == "kid"
        assert "less than" not in str(info.value)
        assert op.hits("/jwks") == 3
        assert op.hits("/.well-known/openid-configuration") == 1


def test_sessions_of_one_issuer_share_its_provider() -> None:
    with serve_op() as op, _session(op) as one, _session(op, client_id="other") as two:
        provider = oidc.shared_provider(op.issuer)
        assert one.relying_party.provider is two.relying_party.provider is provider
        assert one.discover() is two.discover() is provider.metadata
        with okhttpx.OAuth2Client(
            client_id=CLIENT_ID, issuer=op.issuer, trust_env=False, verify=_tls()
        ) as three:  # another driver, the same provider
            assert three.relying_party.provider is provider
            assert three.discover() is provider.metadata
        assert op.hits("/.well-known/openid-configuration") == 1
        assert oidc.shared_provider(op.issuer, kind=RFC8414) is not provider


def test_a_provider_given_its_documents_sends_nothing() -> None:
    issuer = ISSUER
    document = {"issuer": issuer, "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/k"}
    metadata = oauthkit.parse_server_metadata(
        HttpResponse(200, {"Content-Type": "application/json"}, json.dumps(document).encode()),
        issuer=issuer,
    )
    provider = oidc.Provider(issuer, metadata=metadata, jwks=jwks("rsa"))
    rp = oidc.RelyingParty(provider, CLIENT_ID)
    with okrequests.OAuth2Session(CLIENT_ID, relying_party=rp, clock=Clock(NOW)) as s:
        s.mount("https://", _Refusing())
        assert s.discover() is metadata
        assert s.validate_logout_token(sign(logout_claims()))["sid"] == "sid-1"
        with pytest.raises(oidc.LogoutTokenError) as info:  # no refetch of given keys
            s.validate_logout_token(sign(logout_claims(jti="jti-2"), "rsa-2"))
        assert info.value.check == "kid"
        provider.clear()
        assert provider.metadata is metadata  # what was given is kept
        assert provider.keys_entry.value is not None


class _Refusing(requests.adapters.BaseAdapter):
    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"nothing should be sent, but {request.url} was")

    def close(self) -> None:
        pass


def test_max_age_is_honoured_with_the_session_clock() -> None:
    clock = Clock(NOW)
    with serve_op(cache_control="public, max-age=300") as op, _session(op, clock=clock) as s:
        first = s.discover()
        clock.advance(299)
        assert s.discover() is first
        assert op.hits("/.well-known/openid-configuration") == 1
        clock.advance(1)
        second = s.discover()
        assert second is not first
        assert second == first
        assert op.hits("/.well-known/openid-configuration") == 2


def test_no_store_fetches_every_time() -> None:
    with serve_op(cache_control="no-store") as op, _session(op, clock=Clock(NOW)) as s:
        s.discover()
        s.discover()
        assert op.hits("/.well-known/openid-configuration") == 2


def test_an_issuer_mismatch_leaves_nothing_cached() -> None:
    with serve_op(named_issuer="https://evil.example") as op, _session(op) as s:
        with pytest.raises(oauthkit.IssuerMismatchError):
            s.discover()
        assert s.relying_party.provider.metadata is None
        op.named_issuer = None
        assert s.discover().issuer == op.issuer
        assert op.hits("/.well-known/openid-configuration") == 2


def test_the_rfc8414_document_is_read_when_the_oidc_one_is_not_found() -> None:
    with serve_op() as op:
        op.routes.handlers["/.well-known/oauth-authorization-server"] = op.routes.handlers.pop(
            "/.well-known/openid-configuration"
        )
        with _session(op) as s:
            assert s.discover().endpoint("jwks_uri") == f"{op.issuer}/jwks"
        assert [hit.path for hit in op.routes.hits] == [
            "/.well-known/openid-configuration",
            "/.well-known/oauth-authorization-server",
        ]
