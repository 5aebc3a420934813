"""Generating and mutating the OpenID Connect inputs: JWTs, signed responses, JWK Sets.

The three kinds of :mod:`_model` that :mod:`_generate` does not know. A JWT is written as
structure (a JOSE header and a claims set from the valid claims of :mod:`_jwt`, a little
broken, and a signer that signs what was written, so that claim checks are reached), as a
JWE-shaped five-segment string, or as raw text; mutation changes one claim or header member
(mostly to a value near an edge, from :mod:`_vocabulary`), one segment's bytes or text, the
signer, or the number of segments.
"""

from __future__ import annotations

import json
from typing import Any

from _generate import Gen, mutate_bytes, mutate_text, mutate_value
from _jwt import DEFAULT_JWE_HEADER, JWKS, KIDS, SIGNERS, TEMPLATES, b64, render
from _model import JSONISH, JWT, SIGNED_RESPONSE
from _vocabulary import (
    ALGS,
    CLAIM_NAMES,
    CLAIM_VALUES,
    ENCS,
    JOSE_NAMES,
    JWE_VALUES,
    JWK_NAMES,
    JWK_VALUES,
    TYPS,
)
from _vocabulary import KIDS as KID_VALUES

OIDC_KINDS = (JWT, SIGNED_RESPONSE, JSONISH)
VARIANTS = 6  # a target takes the variant modulo the number of settings it has
JWT_TYPES = ("application/jwt", "application/jwt; charset=utf-8", "APPLICATION/JWT", "jwt")
WRAPS = ("", "", "", "", "", "", "+jwe", "+zip")


def _jsonable(value: Any) -> Any:
    return value.decode("latin-1") if isinstance(value, bytes) else repr(value)


def _dumps(value: Any) -> bytes:
    """JSON of a generated value: NaN, 400-digit numbers and lone surrogates included."""
    text = json.dumps(value, default=_jsonable)
    return text.encode("utf-8", "surrogatepass")


def _members(gen: Gen, members: dict[str, Any], names: tuple[str, ...], values: Any) -> bytes:
    """A JSON object of ``members``, broken a little; written by hand, so names can repeat."""
    r = gen.r
    out = []
    for name, value in members.items():
        if r.random() < 0.08:
            continue
        pick = r.random()
        if pick < 0.06:
            text = gen.json_value()
        elif pick < 0.12:
            text = _dumps(r.choice(values)).decode("utf-8", "surrogatepass")
        else:
            text = _dumps(value).decode("utf-8", "surrogatepass")
        out.append((name, text))
    for _ in range(r.choice((0, 0, 0, 1, 2))):
        name = r.choice(names) if r.random() < 0.8 else gen.name()
        text = _dumps(r.choice(values)) if r.random() < 0.6 else gen.json_value().encode()
        out.insert(r.randrange(len(out) + 1), (name, text.decode("utf-8", "surrogatepass")))
    body = ",".join(f"{json.dumps(n)}:{t}" for n, t in out)
    return ("{" + body + "}").encode("utf-8", "surrogatepass")


def _header_values(gen: Gen) -> Any:
    r = gen.r
    return r.choice((r.choice(ALGS), r.choice(KID_VALUES), r.choice(TYPS), r.choice(ENCS)))


def _header_vocabulary(gen: Gen) -> list[Any]:
    r = gen.r
    return [*ALGS, *KID_VALUES, *TYPS, ["exp"], {"kty": "EC"}, gen.py_value(), r.random()]


def jws_token(gen: Gen) -> tuple[str, list[bytes | str]]:
    """A JWS of one kind of claims, signed by the key its header names (mostly)."""
    r = gen.r
    alg = r.choice(("RS256", "ES256", "EdDSA", "HS256")) if r.random() < 0.8 else r.choice(ALGS)
    header: dict[str, Any] = {"alg": alg}
    if r.random() < 0.5:
        header["typ"] = r.choice(("JWT", "JWT", "logout+jwt", r.choice(TYPS)))
    if alg in KIDS and r.random() < 0.7:
        header["kid"] = KIDS[alg]
    signer = alg if alg in SIGNERS and r.random() < 0.85 else r.choice(SIGNERS)
    head = _members(gen, header, JOSE_NAMES, _header_vocabulary(gen))
    claims = _members(gen, dict(r.choice(TEMPLATES)), CLAIM_NAMES, CLAIM_VALUES)
    wrap = r.choice(WRAPS)
    if not wrap or r.random() < 0.5:
        return signer + wrap, [head, claims, b""]
    # The JWE's own protected header, as segment 3 (see _jwt.render).
    outer = {"alg": "dir", "enc": "A128GCM", "cty": "JWT"}
    if wrap == "+zip" or r.random() < 0.1:
        outer["zip"] = "DEF"
    return signer + wrap, [head, claims, b"", _members(gen, outer, JOSE_NAMES, JWE_VALUES)]


def jwe_shaped(gen: Gen) -> tuple[str, list[bytes | str]]:
    """Five segments whose header is a JWE's (RFC 7516 §7.1), the rest random: for joserfc."""
    r = gen.r
    header: dict[str, Any] = {
        "alg": r.choice(("dir", "ECDH-ES", "ECDH-ES+A128KW", "RSA-OAEP", "A128KW", "x")),
        "enc": r.choice(ENCS),
    }
    if r.random() < 0.3:
        header["zip"] = r.choice(("DEF", "GZIP", ""))
    if r.random() < 0.3:
        header["epk"] = {"kty": "EC", "crv": "P-256", "x": b64(r.randbytes(32))}
    if r.random() < 0.02:
        head: bytes | str = gen.deep().encode()  # nesting that JSON readers must bound
    else:
        head = _members(gen, header, JOSE_NAMES, [*ENCS, gen.py_value()])
    sizes = (r.choice((0, 32, 256)), 12, r.randrange(200), 16)
    return "keep", [head, *(r.randbytes(n) for n in sizes)]


def raw_token(gen: Gen) -> tuple[str, list[bytes | str]]:
    r = gen.r
    pick = r.random()
    if pick < 0.4:
        text = ".".join(b64(r.randbytes(r.randrange(40))) for _ in range(r.randint(1, 6)))
    elif pick < 0.7:
        text = gen.text(40)
    elif pick < 0.8:
        text = r.choice(("eyJ", "e30", "e30.e30.", "..", "....", "a.b.c", " e30.e30.e30 "))
    elif pick < 0.9:
        text = render(jws_token(gen)) + r.choice(("", " ", "\n", ".", "=", "==", "\x00"))
    else:
        text = gen.big()
    return "keep", [text]


def token(gen: Gen) -> tuple[str, list[bytes | str]]:
    pick = gen.r.random()
    if pick < 0.78:
        return jws_token(gen)
    if pick < 0.88:
        return jwe_shaped(gen)
    if pick < 0.95:
        return raw_token(gen)
    return gen.r.choice(SIGNERS), [gen.body(), gen.body(), gen.r.randbytes(64)]


def _mutate_json(gen: Gen, part: bytes, index: int) -> bytes:
    r = gen.r
    try:
        value = json.loads(part)
    except (ValueError, RecursionError):
        value = None
    if not isinstance(value, dict):
        return mutate_bytes(r, part)
    if r.random() < 0.6:
        if index == 1:
            value[r.choice(CLAIM_NAMES)] = r.choice(CLAIM_VALUES)
        elif index == 3:
            value[r.choice(JOSE_NAMES)] = r.choice(JWE_VALUES)
        else:
            value[r.choice(JOSE_NAMES)] = _header_values(gen)
    else:
        value = mutate_value(gen, value)
    return _dumps(value)


def mutate_token(gen: Gen, value: Any, donor: Any) -> tuple[str, list[bytes | str]]:
    """A mutant of a JWT ``(signer, segments)``; ``donor`` is another, for splicing."""
    r = gen.r
    signer, segments = value
    segments = list(segments)
    other = list(donor[1]) if isinstance(donor, tuple) and len(donor) == 2 else segments
    pick = r.random()
    if pick < 0.1 or not segments:
        signer = r.choice(SIGNERS) + r.choice(WRAPS)
        return signer, segments or [b"{}", b"{}", b""]
    at = r.randrange(len(segments))
    if pick < 0.55:
        at = r.choice((0, 1, 1, 1, 3)) if len(segments) > 3 else r.choice((0, 1, 1, 1))
        at = min(at, len(segments) - 1)
        part = segments[at]
        segments[at] = (
            _mutate_json(gen, part, at) if isinstance(part, bytes) else mutate_text(r, part)
        )
    elif pick < 0.8:
        part, spare = segments[at], r.choice(other)
        if isinstance(part, bytes):
            segments[at] = mutate_bytes(r, part, spare if isinstance(spare, bytes) else b"")
        else:
            segments[at] = mutate_text(r, part, spare if isinstance(spare, str) else "")
    elif pick < 0.86:  # as base64 text, so that mutations reach the encoding itself
        part = segments[at]
        segments[at] = (
            b64(part) if isinstance(part, bytes) else part.encode("utf-8", "surrogatepass")
        )
    elif pick < 0.94:
        op = r.randrange(3)
        if op == 0 and len(segments) > 1:
            del segments[at]
        elif op == 1:
            segments.insert(r.randrange(len(segments) + 1), segments[at])
        else:
            spare = r.choice((b"", "", b"{}", r.randbytes(16), DEFAULT_JWE_HEADER))
            segments.insert(r.randrange(len(segments) + 1), spare)
    else:
        segments[at] = r.choice(other)
    return signer, segments


def _response_body(gen: Gen) -> tuple[str, list[bytes | str]]:
    return token(gen) if gen.r.random() < 0.9 else raw_token(gen)


def jwks(gen: Gen) -> Any:
    """A JWK Set (RFC 7517 §5): the issuer's, with members dropped, changed or added."""
    r = gen.r
    pick = r.random()
    if pick < 0.05:
        return gen.py_value()
    members = []
    for key in JWKS["keys"]:
        member = {n: v for n, v in key.items() if r.random() > 0.05}
        for _ in range(r.choice((0, 0, 1, 2))):
            member[r.choice(JWK_NAMES)] = r.choice(JWK_VALUES) if r.random() < 0.8 else gen.text()
        members.append(member)
    r.shuffle(members)
    if pick < 0.1:
        return members[0]  # one JWK
    if pick < 0.15:
        return members  # a bare list
    if r.random() < 0.01:
        members *= 40  # past the set's bound on keys
    return {"keys": members}


def generate_oidc(kind: str, gen: Gen) -> Any:
    r = gen.r
    if kind == JWT:
        return (r.randrange(VARIANTS), *token(gen))
    if kind == SIGNED_RESPONSE:
        if r.random() < 0.4:
            return gen.response()
        return (r.choice((200, 200, 200, gen.status())), r.choice(JWT_TYPES), _response_body(gen))
    if kind == JSONISH:
        return jwks(gen)
    raise ValueError(kind)


def mutate_oidc(kind: str, gen: Gen, value: Any, donor: Any) -> Any:
    r = gen.r
    if kind == JWT:
        if r.random() < 0.05:
            return (r.randrange(VARIANTS), *value[1:])
        return (value[0], *mutate_token(gen, value[1:], donor[1:]))
    if kind == SIGNED_RESPONSE:
        status, content_type, body = value
        pick = r.random()
        if pick < 0.08:
            return (gen.status(), content_type, body)
        if pick < 0.16:
            return (status, r.choice((*JWT_TYPES, gen.content_type())), body)
        if isinstance(body, bytes):
            spare = donor[2] if isinstance(donor[2], bytes) else b""
            return (status, content_type, mutate_bytes(r, body, spare))
        if pick < 0.2:  # the rendered token as bytes, for byte-level mutation
            return (status, content_type, render(body).encode("utf-8", "surrogatepass"))
        return (status, content_type, mutate_token(gen, body, donor[2]))
    if kind == JSONISH:
        if isinstance(value, dict) and isinstance(value.get("keys"), list) and value["keys"]:
            keys = list(value["keys"])
            at = r.randrange(len(keys))
            if isinstance(keys[at], dict) and r.random() < 0.5:
                keys[at] = {**keys[at], r.choice(JWK_NAMES): r.choice(JWK_VALUES)}
                return {**value, "keys": keys}
        return mutate_value(gen, value)
    raise ValueError(kind)
