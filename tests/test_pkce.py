"""PKCE (RFC 7636): the Appendix B vector as data, verifier generation and validation."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oauthkit._errors import OAuthError, UsageError
from oauthkit._oauth2._pkce import PKCE_METHODS, PkcePair, code_challenge, generate_code_verifier

RFC = json.loads((Path(__file__).parent / "data" / "rfc7636.json").read_text("utf-8"))
VECTORS = RFC["vectors"]
UNRESERVED = re.compile(r"[A-Za-z0-9\-._~]+")


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_appendix_b_challenge(vector: dict[str, Any]) -> None:
    verifier = vector["code_verifier"]
    # The verifier is the base64url encoding of the RFC's 32 random octets (§4.1).
    encoded = base64.urlsafe_b64encode(bytes(vector["verifier_octets"])).rstrip(b"=")
    assert encoded.decode("ascii") == verifier
    assert list(hashlib.sha256(verifier.encode("ascii")).digest()) == vector["sha256_octets"]
    assert code_challenge(verifier, vector["code_challenge_method"]) == vector["code_challenge"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["id"] for v in VECTORS])
def test_s256_is_the_default(vector: dict[str, Any]) -> None:
    assert code_challenge(vector["code_verifier"]) == vector["code_challenge"]


def test_plain_returns_the_verifier() -> None:
    verifier = VECTORS[0]["code_verifier"]
    assert code_challenge(verifier, "plain") == verifier


@pytest.mark.parametrize("method", ["s256", "PLAIN", "S512", ""])
def test_unknown_method_is_refused(method: str) -> None:
    with pytest.raises(UsageError, match="code_challenge_method"):
        code_challenge(VECTORS[0]["code_verifier"], method)


@pytest.mark.parametrize(
    "verifier",
    [
        "a" * 42,  # one short of the minimum (§4.1)
        "a" * 129,  # one over the maximum
        "a" * 42 + "+",  # '+' is not unreserved
        "a" * 42 + "/",
        "a" * 42 + "=",  # padding is not part of base64url verifiers
        "a" * 42 + "é",
        "a" * 42 + " ",
        "",
    ],
)
def test_bad_verifier_is_refused_without_echoing_it(verifier: str) -> None:
    with pytest.raises(UsageError) as info:
        code_challenge(verifier)
    assert "RFC 7636" in str(info.value)
    if verifier:
        assert verifier not in str(info.value)


@pytest.mark.parametrize("verifier", [None, b"a" * 43, 43])
def test_non_string_verifier_is_a_usage_error(verifier: object) -> None:
    with pytest.raises(UsageError):
        code_challenge(verifier)  # type: ignore[arg-type]


@pytest.mark.parametrize("length", [43, 128])
def test_boundary_lengths_are_accepted(length: int) -> None:
    verifier = ("abc-._~XYZ019" * 10)[:length]
    assert len(code_challenge(verifier)) == 43


@pytest.mark.parametrize(("nbytes", "length"), [(32, 43), (33, 44), (64, 86), (96, 128)])
def test_generated_verifier_length(nbytes: int, length: int) -> None:
    verifier = generate_code_verifier(nbytes)
    assert len(verifier) == length
    assert UNRESERVED.fullmatch(verifier)
    code_challenge(verifier)  # valid by construction


def test_generated_verifiers_differ() -> None:
    assert len({generate_code_verifier() for _ in range(20)}) == 20


@pytest.mark.parametrize("nbytes", [31, 97, 0, -1, True, 32.0])
def test_generate_refuses_lengths_outside_the_rfc(nbytes: Any) -> None:
    with pytest.raises(UsageError):
        generate_code_verifier(nbytes)


def test_pkce_pair_generate_with_injected_verifier() -> None:
    vector = VECTORS[0]
    pair = PkcePair.generate(verifier_factory=lambda: vector["code_verifier"])
    assert pair == PkcePair(vector["code_verifier"], vector["code_challenge"], "S256")
    assert pair.authorization_params() == {
        "code_challenge": vector["code_challenge"],
        "code_challenge_method": "S256",
    }


def test_pkce_pair_refuses_a_mismatched_challenge() -> None:
    with pytest.raises(UsageError, match="does not match"):
        PkcePair(VECTORS[0]["code_verifier"], "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cN")


@pytest.mark.parametrize("method", PKCE_METHODS)
def test_pkce_pair_repr_hides_the_verifier(method: str) -> None:
    pair = PkcePair.generate(method)
    assert pair.verifier not in repr(pair)
    assert "***" in repr(pair)
    if method == "S256":
        assert pair.challenge in repr(pair)


@settings(max_examples=200)
@given(st.text(max_size=140))
def test_code_challenge_never_raises_outside_the_tree(verifier: str) -> None:
    try:
        challenge = code_challenge(verifier)
    except OAuthError:
        return
    assert 43 <= len(verifier) <= 128
    assert len(challenge) == 43


@settings(max_examples=100)
@given(st.text(alphabet="ABCXYZabcxyz0189-._~", min_size=43, max_size=128))
def test_s256_matches_the_definition(verifier: str) -> None:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    expected = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    assert code_challenge(verifier, "S256") == expected
