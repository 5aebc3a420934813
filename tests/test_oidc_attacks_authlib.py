"""Correct where others are not: Authlib against the same hostile provider (issue #9).

Authlib's web integrations (Flask, Django, Starlette) log a user in with the same base classes:
``OAuth2Mixin`` loads the metadata from ``server_metadata_url``, builds the authorization URL
with a ``nonce`` and exchanges the code; ``OpenIDMixin.parse_id_token`` verifies the ID token
with the ``jwks_uri`` keys and validates it as a ``CodeIDToken`` with the claims options it
derives (``iss`` must be the metadata's ``issuer``); ``OpenIDMixin.userinfo`` returns the
UserInfo answer. ``_AuthlibApp`` is ``FlaskOAuth2App`` without Flask (which is not installed
here): the same bases and ``requests_client.OAuth2Session``, and ``_authlib_login`` is its
``authorize_redirect`` + ``authorize_access_token`` with the request and session as locals.

Each test asserts what the installed Authlib does, then that oauthkit refuses the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from authlib.common.security import generate_token
from authlib.integrations.base_client import (
    BaseApp,
    FrameworkIntegration,
    OAuth2Mixin,
    OpenIDMixin,
)
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet

import oauthkit
from oauthkit import oidc
from tests._drivers2 import Driver, oauthkit_class, open_session
from tests._hostile_op import (
    AUTHORIZE,
    CLIENT_ID,
    CLIENT_SECRET,
    JWKS,
    OTHER_ISSUER,
    SUBJECT,
    TOKEN,
    USERINFO,
    HostileOP,
    hostile_op,
)
from tests.data.oidc_attacks import BY_NAME, OTHER_CLIENT, Attack


class _Session(AuthlibSession):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trust_env = False  # no proxy for loopback traffic; no protocol change


class _Integration(FrameworkIntegration):
    def update_token(self, *args: Any, **kwargs: Any) -> None:
        pass  # only called after a refresh


class _AuthlibApp(OAuth2Mixin, OpenIDMixin, BaseApp):
    client_cls = _Session


def _authlib_app(op: HostileOP) -> _AuthlibApp:
    return _AuthlibApp(
        _Integration("op"),
        name="op",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        server_metadata_url=op.discovery_url,
        client_kwargs={"scope": "openid"},
    )


def _authlib_login(app: _AuthlibApp, op: HostileOP) -> dict[str, Any]:
    rv = app.create_authorization_url(op.redirect_uri)
    query = parse_qs(urlsplit(op.authorize(rv["url"])).query)
    assert query["state"] == [rv["state"]]
    token: dict[str, Any] = app.fetch_access_token(
        redirect_uri=op.redirect_uri, code=query["code"][0], state=query["state"][0]
    )
    token["userinfo"] = app.parse_id_token(token, nonce=rv["nonce"])
    return token


@contextmanager
def _oauthkit_session(op: HostileOP) -> Iterator[Driver]:
    with open_session(
        "requests",
        client_id=CLIENT_ID,
        redirect_uri=op.redirect_uri,
        scope=["openid"],
        issuer=op.issuer,
        clock=op.clock,
    ) as s:
        yield s


def _oauthkit_login(s: Driver, op: HostileOP) -> dict[str, Any]:
    s.discover()
    url, _ = s.authorization_url()
    return s.fetch_token(authorization_response=op.authorize(url), client_secret=CLIENT_SECRET)


def _oauthkit_refuses(op: HostileOP, attack: Attack) -> None:
    assert attack.error is not None
    with _oauthkit_session(op) as s:
        with pytest.raises(attack.error) as caught:
            _oauthkit_login(s, op)
        assert oauthkit_class(caught.value) is attack.error
        assert getattr(caught.value, "check", None) == attack.check
        assert s.token == {}
        assert s.id_token_claims is None


def test_the_control_passes_both() -> None:
    with hostile_op() as op:
        token = _authlib_login(_authlib_app(op), op)
        assert token["userinfo"]["sub"] == SUBJECT
        with _oauthkit_session(op) as s:
            _oauthkit_login(s, op)
            assert s.id_token_claims.subject == SUBJECT


def test_wrong_aud_with_azp_naming_us() -> None:
    """OIDC Core §3.1.3.7 step 3: ``aud`` must contain the client ID. Authlib checks ``aud``
    only when ``claims_options`` name it, which ``parse_id_token`` does not; its ``azp`` check
    then passes because ``azp`` names the client."""
    attack = BY_NAME["aud-wrong-azp-us"]
    with hostile_op(attack.script) as op:
        token = _authlib_login(_authlib_app(op), op)
        assert token["userinfo"]["aud"] == OTHER_CLIENT  # accepted: a token for someone else
        assert token["userinfo"]["azp"] == CLIENT_ID
        _oauthkit_refuses(op, attack)


def test_a_discovery_document_naming_another_issuer() -> None:
    """OIDC Discovery §4.3 / RFC 8414 §3.3: the ``issuer`` of the document must be the one
    it was fetched for. Authlib loads it as it is, then checks ID tokens against whatever
    issuer it names."""
    attack = BY_NAME["discovery-issuer-mixup"]
    with hostile_op(attack.script) as op:
        token = _authlib_login(_authlib_app(op), op)
        assert token["userinfo"]["iss"] == OTHER_ISSUER  # accepted: another issuer's login
        assert len(op.hits(TOKEN)) == 1
        with _oauthkit_session(op) as s, pytest.raises(oauthkit.IssuerMismatchError):
            s.discover()
        assert len(op.hits(TOKEN)) == 1  # oauthkit never reached the token endpoint


def test_userinfo_about_another_subject() -> None:
    """OIDC Core §5.3.4: the UserInfo ``sub`` must equal the ID token's, or its claims must not
    be used. Authlib's ``userinfo()`` returns them as they come."""
    attack = BY_NAME["userinfo-sub-mismatch"]
    with hostile_op(attack.script) as op:
        app = _authlib_app(op)
        token = _authlib_login(app, op)
        assert token["userinfo"]["sub"] == SUBJECT
        info = app.userinfo(token=token)
        assert info["sub"] == "user-2"  # accepted: another user's claims
        with _oauthkit_session(op) as s:
            _oauthkit_login(s, op)
            with pytest.raises(oidc.UserinfoSubjectError) as caught:
                s.userinfo()
            assert caught.value.check == "sub"


def test_authlib_keeps_the_access_token_of_a_refused_id_token() -> None:
    """Authlib's ``OAuth2Session.fetch_token`` stores the token response before anyone looks
    at its ID token (so does ``authorize_access_token``, which sets ``self.token`` before
    ``parse_id_token``): when the ID token is then refused, the session still holds, and
    sends, the access token that came with it. oauthkit keeps nothing of that response."""
    attack = BY_NAME["nonce-wrong"]
    with hostile_op(attack.script) as op:
        client = _Session(CLIENT_ID, CLIENT_SECRET, scope="openid", redirect_uri=op.redirect_uri)
        nonce = generate_token(20)
        url, _ = client.create_authorization_url(op.url(AUTHORIZE), nonce=nonce)
        token = client.fetch_token(op.url(TOKEN), authorization_response=op.authorize(url))
        keys = KeySet.import_key_set(client.get(op.url(JWKS), withhold_token=True).json())
        decoded = jwt.decode(token["id_token"], keys)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {"iss": {"values": [op.issuer]}},
            {"nonce": nonce, "client_id": CLIENT_ID, "access_token": token["access_token"]},
        )
        with pytest.raises(InvalidClaimError, match="nonce"):
            claims.validate(leeway=120)  # Authlib refuses the ID token...
        access_token = op.issued[0]["access_token"]
        assert client.token["access_token"] == access_token  # ...and keeps its access token
        assert client.get(op.url(USERINFO)).status_code == 200
        assert op.hits(USERINFO)[-1].headers["authorization"] == f"Bearer {access_token}"
        _oauthkit_refuses(op, attack)


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("aud-extra-untrusted", lambda info: info["aud"] == [CLIENT_ID, OTHER_CLIENT]),
        ("typ-logout-jwt", lambda info: "events" in info),
        ("huge-token", lambda info: len(info["padding"]) == 70_000),
        ("deeply-nested-claims", lambda info: "x" in info["profile"]),
    ],
)
def test_more_tokens_authlib_accepts(name: str, evidence: Any) -> None:
    """Found while running the corpus against Authlib: an audience it was not told to trust,
    a logout token passed off as an ID token (no ``typ`` check, RFC 8725 §3.11), and no bound
    on the size or nesting of what it parses."""
    attack = BY_NAME[name]
    with hostile_op(attack.script) as op:
        token = _authlib_login(_authlib_app(op), op)
        assert evidence(token["userinfo"])
        _oauthkit_refuses(op, attack)


def test_authlib_refetches_the_keys_for_every_unknown_kid() -> None:
    """Each token naming an unknown ``kid`` costs Authlib a JWK Set request, without a rate
    limit; oauthkit refetches once, then not again within its window."""
    attack = BY_NAME["kid-unknown"]
    with hostile_op(attack.script) as op:
        app = _authlib_app(op)
        for attempt in range(1, 4):
            with pytest.raises(Exception, match="attacker-1") as caught:
                _authlib_login(app, op)
            assert type(caught.value).__name__ == "InvalidKeyIdError"
            assert len(op.hits(JWKS)) == 1 + attempt  # one forced refetch per forged token
        before = len(op.hits(JWKS))
        for _ in range(3):
            _oauthkit_refuses(op, attack)
        assert len(op.hits(JWKS)) - before == 2  # the first fetch and one refetch
