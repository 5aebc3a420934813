"""The ID token attack corpus (issue #9), served by a hostile provider, on every driver.

Each case of ``tests/data/oidc_attacks.py`` runs once per driver through the session API:
``OAuth2Session(client_id, redirect_uri=..., scope=["openid"], issuer=OP)``, ``discover()``,
``authorization_url()``, the provider's redirect back, then ``fetch_token(authorization_response=
...)``, which must raise the case's error with its ``check`` and keep nothing of that response
(``session.token == {}``, ``id_token_claims is None``). The control cases log in, so the provider
is proven to issue tokens oauthkit accepts. In every case the attacker's JWK Set, which a token
may name, is never fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

import oauthkit
from oauthkit import oidc
from tests._drivers2 import DRIVERS, Driver, oauthkit_class, open_session
from tests._hostile_op import (
    ATTACKER_JWKS,
    AUTHORIZE,
    CLIENT_ID,
    CLIENT_SECRET,
    DISCOVERY,
    DROP,
    JWKS,
    SUBJECT,
    TOKEN,
    USERINFO,
    HostileOP,
    Script,
    hostile_op,
)
from tests.data.oidc_attacks import ATTACKS, BY_NAME, FLOWS, Attack


def _session(driver: str, op: HostileOP) -> AbstractContextManager[Driver]:
    return open_session(
        driver,
        client_id=CLIENT_ID,
        redirect_uri=op.redirect_uri,
        scope=["openid"],
        issuer=op.issuer,
        clock=op.clock,
    )


def _login(s: Driver, op: HostileOP) -> dict[str, Any]:
    s.discover()
    url, _ = s.authorization_url()
    return s.fetch_token(authorization_response=op.authorize(url), client_secret=CLIENT_SECRET)


def _refused(s: Driver, op: HostileOP, attack: Attack) -> BaseException:
    """Log in; the session must refuse the token response and keep nothing of it."""
    assert attack.error is not None
    with pytest.raises(attack.error) as caught:
        _login(s, op)
    error = caught.value
    assert oauthkit_class(error) is attack.error
    assert getattr(error, "check", None) == attack.check
    assert s.token == {}
    assert s.id_token_claims is None
    response = op.issued[-1]
    assert response["access_token"] not in str(error)
    assert response["id_token"][-40:] not in str(error)
    return error


def _refused_login(driver: str, op: HostileOP, attack: Attack) -> None:
    with _session(driver, op) as s:
        _refused(s, op, attack)
    assert len(op.hits(TOKEN)) == 1


def _replayed_login(driver: str, op: HostileOP, attack: Attack) -> None:
    with _session(driver, op) as first:
        _login(first, op)
        nonce = first.id_token_claims.nonce
        assert nonce
    with _session(driver, op) as second:
        _refused(second, op, attack)
        assert second.s.relying_party.nonce != nonce
    assert op.issued[1] == op.issued[0]  # the same response, verbatim
    assert len(op.hits(TOKEN)) == 2


def _unknown_kid(driver: str, op: HostileOP, attack: Attack) -> None:
    with _session(driver, op) as s:
        _refused(s, op, attack)
    assert len(op.hits(JWKS)) == 2  # the cached set, then exactly one refetch
    with _session(driver, op) as s:  # the same issuer: the process's one Provider
        error = _refused(s, op, attack)
    assert "refetched less than" in str(error)
    assert len(op.hits(JWKS)) == 2  # within the rate-limit window: no request
    op.now += 61  # the window (60 s) has passed: one refetch again, still refused
    with _session(driver, op) as s:
        _refused(s, op, attack)
    assert len(op.hits(JWKS)) == 3
    assert len(op.hits(TOKEN)) == 3


def _mixed_up_issuer(driver: str, op: HostileOP, attack: Attack) -> None:
    assert attack.error is not None
    with _session(driver, op) as s:
        with pytest.raises(attack.error) as caught:
            s.discover()
        assert oauthkit_class(caught.value) is attack.error
        # the sync sessions load the metadata on demand (and refuse it again); the async one
        # cannot block there, and says the metadata is not loaded
        lazy = driver != "httpx-async"
        with pytest.raises(attack.error if lazy else oauthkit.UsageError):
            s.authorization_url()
        # a callback made up for the occasion: the token endpoint must not be reached anyway
        callback = op.redirect_uri + "?code=made-up&state=made-up"
        with pytest.raises(attack.error):
            s.fetch_token(authorization_response=callback, client_secret=CLIENT_SECRET)
        assert s.token == {}
        assert s.id_token_claims is None
    # nothing the document names was used
    assert op.paths() == [DISCOVERY] * (3 if lazy else 2)
    assert not op.hits(TOKEN)
    assert not op.hits(AUTHORIZE)


def _userinfo_subject(driver: str, op: HostileOP, attack: Attack) -> None:
    assert attack.error is not None
    with _session(driver, op) as s:
        token = _login(s, op)
        assert s.id_token_claims.subject == SUBJECT
        with pytest.raises(attack.error) as caught:
            s.userinfo()
        assert oauthkit_class(caught.value) is attack.error
        assert caught.value.check == attack.check
        assert s.token["access_token"] == token["access_token"]  # the login itself was valid
    assert len(op.hits(USERINFO)) == 1


def _accepted(driver: str, op: HostileOP, attack: Attack) -> None:
    assert attack.error is None
    with _session(driver, op) as s:
        token = _login(s, op)
        claims = s.id_token_claims
        assert isinstance(claims, oidc.IDTokenClaims)
        assert claims.issuer == op.issuer
        assert claims.subject == SUBJECT
        assert claims.audience == (CLIENT_ID,)
        assert claims.header["alg"] == ("ES256" if attack.script.signer == "ec" else "RS256")
        assert token["access_token"] == op.issued[0]["access_token"]
        assert s.token["id_token"] == op.issued[0]["id_token"]
        assert s.userinfo()["sub"] == SUBJECT
    assert len(op.hits(JWKS)) == 1
    assert [hit.headers["authorization"] for hit in op.hits(USERINFO)] == [
        "Bearer " + token["access_token"]
    ]


RUN: dict[str, Callable[[str, HostileOP, Attack], None]] = {
    "login": _refused_login,
    "replay": _replayed_login,
    "unknown-kid": _unknown_kid,
    "discovery": _mixed_up_issuer,
    "userinfo": _userinfo_subject,
    "accepted": _accepted,
}


def test_every_flow_has_a_runner() -> None:
    assert set(RUN) == set(FLOWS)
    assert {attack.flow for attack in ATTACKS} == set(FLOWS)


@pytest.mark.parametrize("driver", DRIVERS)
@pytest.mark.parametrize("attack", ATTACKS, ids=[attack.name for attack in ATTACKS])
def test_attack(attack: Attack, driver: str) -> None:
    with hostile_op(attack.script) as op:
        RUN[attack.flow](driver, op, attack)
        assert not op.hits(ATTACKER_JWKS)


@pytest.mark.parametrize("name", ["hs256-with-rsa-pem", "hs256-with-rsa-jwk"])
def test_hs256_keyed_with_the_public_key_fails_the_client_secret(name: str) -> None:
    """Where the client has a secret and allows HS256, the forgery fails its signature (the
    secret is the only HMAC key, never the provider's public key), while a token keyed with
    the secret passes."""
    with hostile_op(BY_NAME[name].script) as op:
        jwks = {"keys": [op.keys.rsa.as_dict(private=False)]}
        expect = oidc.IDTokenExpectations(
            issuer=op.issuer,
            client_id=CLIENT_ID,
            algorithms=("RS256", "HS256"),
            nonce="n-1",
            client_secret=CLIENT_SECRET,
        )
        forged = op.id_token("n-1", "at-1")
        with pytest.raises(oidc.IDTokenSignatureError) as caught:
            oidc.validate_id_token(forged, jwks=jwks, expect=expect, now=op.now)
        assert caught.value.check == "signature"
        op.script = Script(signer="hs256-secret")
        genuine = op.id_token("n-1", "at-1")
        claims = oidc.validate_id_token(genuine, jwks=jwks, expect=expect, now=op.now)
        assert claims.header["alg"] == "HS256"
        assert claims.subject == SUBJECT


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_logout_token_whose_alg_is_not_a_string(driver: str) -> None:
    """The same header on a back-channel logout token: refused as a LogoutTokenError naming
    ``alg``, where a correct one from the same provider is accepted."""
    events = {oidc.BACKCHANNEL_LOGOUT_EVENT: {}}
    logout = {"events": events, "sid": "sid-1", "jti": "jti-1", "nonce": DROP}
    script = Script(header={"typ": "logout+jwt"}, claims=logout)
    with hostile_op(script) as op, _session(driver, op) as s:
        s.discover()
        claims = s.validate_logout_token(op.id_token("", "at-1"))
        assert claims.sid == "sid-1"
        op.script = Script(header={"typ": "logout+jwt", "alg": ["RS256"]}, claims=logout)
        with pytest.raises(oidc.LogoutTokenError) as caught:
            s.validate_logout_token(op.id_token("", "at-2"))
        assert caught.value.check == "alg"


def test_a_logout_token_passed_off_as_a_signed_userinfo_response() -> None:
    """A signed UserInfo answer whose ``typ`` names another kind of JWT is refused, as an ID
    token's is (RFC 8725 §3.11); the same answer without ``typ`` is read."""
    events = {oidc.BACKCHANNEL_LOGOUT_EVENT: {}}
    with hostile_op(Script()) as op:
        jwks = op.jwks()
        for header, refused in (({"typ": "logout+jwt"}, True), ({}, False)):
            op.script = Script(header=header, claims={"events": events, "nonce": DROP})
            body = op.id_token("", "at-1").encode("ascii")
            response = oauthkit.HttpResponse(200, {"Content-Type": "application/jwt"}, body)
            read = lambda response=response: oidc.parse_userinfo(  # noqa: E731
                response,
                subject=SUBJECT,
                issuer=op.issuer,
                client_id=CLIENT_ID,
                keys=oidc.import_jwks(jwks),
            )
            if refused:
                with pytest.raises(oidc.UserinfoError) as caught:
                    read()
                assert caught.value.check == "format"
            else:
                assert read()["sub"] == SUBJECT


@pytest.mark.parametrize("driver", DRIVERS)
def test_a_restored_session_still_checks_the_userinfo_sub(driver: str) -> None:
    """A session given a saved token (a store, ``token=``) did not validate its ID token
    itself: ``userinfo()`` validates it first (signature, iss, aud, sub; not its times, which
    have usually passed), so the UserInfo ``sub`` is still compared with it."""
    with hostile_op(Script(userinfo_sub="user-2")) as op:
        with _session(driver, op) as first:
            saved = _login(first, op)
        op.now += 1800  # the saved ID token (10 min) has expired since; the access token not
        with open_session(
            driver,
            client_id=CLIENT_ID,
            scope=["openid"],
            issuer=op.issuer,
            clock=op.clock,
            token=saved,
        ) as restored:
            assert restored.id_token_claims is None
            with pytest.raises(oidc.UserinfoSubjectError):
                restored.userinfo()
            assert restored.id_token_claims is not None
            assert restored.id_token_claims.subject == SUBJECT
        op.script = Script()
        with (
            open_session(
                driver,
                client_id=CLIENT_ID,
                scope=["openid"],
                issuer=op.issuer,
                clock=op.clock,
                token={**saved, "id_token": saved["id_token"][:-4] + "AAAA"},
            ) as forged,
            pytest.raises(oidc.IDTokenSignatureError),
        ):
            forged.userinfo()
