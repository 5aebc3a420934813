"""The JARM parsers return a value or raise their documented error, whatever they read.

* :func:`~oauthkit._oauth2._jarm.read_jarm_response`: the ``response`` JWT or ``None``, else an
  :class:`~oauthkit.OAuthError` (``CallbackError``, ``JARMFormatError``, ``UsageError``);
* :func:`~oauthkit.oidc.validate_jarm_response`: the parameters as strings, else an
  ``OAuthError``; for a really signed JWT over mutated claims, a
  :class:`~oauthkit.oidc.JARMError` naming a check.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oauthkit import OAuthError, oidc
from oauthkit._oauth2._jarm import read_jarm_response

from ._hostile import callback_mappings, callback_texts, json_text, names, odd_text
from ._oidc import CLIENT_ID, ISSUER, NOW, sign

FUZZ = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
EXPECT = oidc.JARMExpectations(issuer=ISSUER, client_id=CLIENT_ID)
KEYS = oidc.import_jwks({"keys": []})
JARM_NAMES = ("iss", "aud", "exp", "iat", "code", "state", "error", "response", "expires_in")
SPECIAL = (ISSUER, CLIENT_ID, NOW, NOW + 60, NOW - 3600, [CLIENT_ID], None, True, 1e400)


def _signed_keys() -> Any:
    from ._oidc import jwks

    return oidc.import_jwks(jwks("rsa"))


SIGNED_KEYS = _signed_keys()

callbacks = st.one_of(
    callback_texts,
    callback_mappings,
    st.binary(max_size=80),
    st.builds(lambda jwt, rest: f"https://rp.example/cb?response={jwt}{rest}", odd_text, odd_text),
    st.builds(lambda jwt: {"response": jwt}, odd_text | st.integers() | st.none()),
)


@FUZZ
@given(callbacks)
def test_reading_a_callback_returns_the_jwt_or_raises_oauth_error(callback: Any) -> None:
    try:
        token = read_jarm_response(callback)
    except OAuthError:
        return
    assert token is None or isinstance(token, str)


@FUZZ
@given(callbacks | odd_text)
def test_validating_junk_raises_oauth_error(callback: Any) -> None:
    try:
        params = oidc.validate_jarm_response(callback, jwks=KEYS, expect=EXPECT, now=NOW)
    except OAuthError:
        return
    raise AssertionError(f"junk accepted: {params!r}")  # nothing verifies with no keys


def _payload(changes: list[tuple[str, str | None]]) -> str:
    """The claims as JSON text: a valid response's, with members replaced by raw JSON text
    (maybe not JSON at all) or removed (``None``)."""
    members: dict[str, str | None] = {
        "iss": json.dumps(ISSUER),
        "aud": json.dumps(CLIENT_ID),
        "exp": json.dumps(NOW + 60),
        "code": '"c"',
    }
    members.update(changes)
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in members.items() if v is not None) + "}"


special = st.sampled_from(SPECIAL).map(lambda v: json.dumps(v, allow_nan=True))
values = special | json_text | odd_text.map(json.dumps) | st.integers().map(str) | st.none()
mutations = st.lists(st.tuples(st.sampled_from(JARM_NAMES) | names, values), max_size=5)


@FUZZ
@given(mutations)
def test_a_signed_response_gives_string_parameters_or_a_named_check(
    changes: list[tuple[str, str | None]],
) -> None:
    jwt = sign(_payload(changes))
    refused: oidc.JARMError | None = None
    try:
        params = oidc.validate_jarm_response(jwt, jwks=SIGNED_KEYS, expect=EXPECT, now=NOW)
    except oidc.JARMError as exc:
        refused = exc
    if refused is not None:
        assert refused.check in {"format", "iss", "aud", "exp"}, (refused.check, str(refused))
        assert jwt not in str(refused)
        return
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
    assert not {"aud", "exp", "iat", "nbf", "jti"} & set(params)
    assert params["iss"] == ISSUER
