"""Compact JWTs as fuzz input: fixed keys, and tokens signed (and encrypted) when rendered.

A JWT input is a pair ``(signer, segments)``, which :func:`render` turns into the compact
string a parser gets:

* ``segments`` is a list of ``bytes`` (a decoded segment, JSON for a header or a payload,
  base64url-encoded when rendered) or ``str`` (a segment's text, used as it is: base64 that is
  not, padding, whitespace; a lone ``str`` is a whole token of raw text);
* ``signer`` names who signs: ``RS256``, ``ES256``, ``EdDSA`` (the issuer's keys), ``HS256``
  (the client secret), ``attacker`` (an EC key of the attacker's, named like the issuer's),
  ``hs-pem`` (HMAC keyed with the issuer's public key: RFC 8725 §2.1's key confusion), or
  ``empty``: the signature over the first two segments as rendered then replaces the third.
  Any other name (``keep``) leaves the segments as they are, so a near-valid token can keep
  a signature that no longer matches;
* a signer ending ``+jwe`` then encrypts that JWS for the client (``dir``, ``A128GCM``, a fixed
  key; RFC 7516 §7.1), under the protected header of segment 3 if there is one, else the
  default; ``+zip`` deflates the plaintext first and says so in the default header.

Inputs are thus mutated as structure (a claim changed, the token still validly signed, so the
claim checks behind the signature are reached) and shrunk by the engine as any tuple of lists.
Every key is fixed and every signature deterministic (RFC 6979 ECDSA), so a seed replays the
same inputs. These keys are published test material: never use them anywhere else.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import zlib
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from joserfc import jwe, jwk

from _vocabulary import CLIENT_ID, ISSUER, NONCE, OIDC_NOW, SUBJECT
from oauthkit.oidc import import_jwks

# The issuer's RSA key: two fixed 1024-bit primes.
_P = int(
    "f89eed42e3faf562b661ca8ddc752dd3995c8e78412b90a72c330973db837a4ad4defc40240376bbdc082690"
    "f88851cf2c155ce96a3d725cc655116ec08207c6a7be5ed2d287339b664dc4a0244c8785e2a7016594196d66"
    "1919fac23a53796b651e6a1a6041313675a4af304823270007a8bb162a375caaf8c3a39b1ea4f10f",
    16,
)
_Q = int(
    "cb0313fa68ca7db49646286db564f5c5c2b02464af878be331ea6fe630a4af36cee79e9f302656ad4be8e3b1"
    "54901d6fd830525e0365003be7acdc79cb05cc142d68c1a70cb8fccff8a3fdeb59ed8d4db2be784bcd71dcc3"
    "7e9decf3d484947a5559dd99b1cd2ac174486589a0360598e4711460f4113f0d394a4cd61e148175",
    16,
)


def _rsa(p: int, q: int, e: int = 65537) -> rsa.RSAPrivateKey:
    d = pow(e, -1, (p - 1) * (q - 1))
    public = rsa.RSAPublicNumbers(e, p * q)
    return rsa.RSAPrivateNumbers(
        p, q, d, rsa.rsa_crt_dmp1(d, p), rsa.rsa_crt_dmq1(d, q), rsa.rsa_crt_iqmp(p, q), public
    ).private_key()


def _scalar(label: str) -> int:
    return int.from_bytes(hashlib.sha256(label.encode()).digest(), "big") >> 8


RSA_KEY = _rsa(_P, _Q)
EC_KEY = ec.derive_private_key(_scalar("oauthkit fuzz issuer ec"), ec.SECP256R1())
ED_KEY = ed25519.Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"oauthkit fuzz ed").digest())
ATTACKER_KEY = ec.derive_private_key(_scalar("oauthkit fuzz attacker"), ec.SECP256R1())
CLIENT_SECRET = "fuzz-client-secret-0123456789abcdef"  # long: joserfc warns of short HMAC keys
DIR_KEY = hashlib.sha256(b"oauthkit fuzz dir").digest()[:16]  # the client's A128GCM key
# The client's own keys, for encrypted tokens: the "dir" key, and an EC key for ECDH-ES.
DIR_JWK = jwk.OctKey.import_key(DIR_KEY)
ECDH_JWK = jwk.ECKey.import_key(
    ec.derive_private_key(_scalar("oauthkit fuzz client ecdh"), ec.SECP256R1())
)

_PUBLIC = {
    "RS256": jwk.RSAKey.import_key(RSA_KEY.public_key(), {"kid": "rsa-1", "use": "sig"}),
    "ES256": jwk.ECKey.import_key(EC_KEY.public_key(), {"kid": "ec-1", "use": "sig"}),
    "EdDSA": jwk.OKPKey.import_key(ED_KEY.public_key(), {"kid": "ed-1", "alg": "EdDSA"}),
    "HS256": jwk.OctKey.import_key(CLIENT_SECRET.encode()),
}
KIDS = {"RS256": "rsa-1", "ES256": "ec-1", "EdDSA": "ed-1", "attacker": "ec-1"}
JWKS = {"keys": [_PUBLIC[alg].as_dict(private=False) for alg in ("RS256", "ES256", "EdDSA")]}
"""The issuer's JWK Set, as parsed JSON."""
KEYSET = import_jwks(JWKS)
SIGNERS = ("RS256", "ES256", "EdDSA", "HS256", "attacker", "hs-pem", "empty", "keep")
_RSA_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)
DEFAULT_JWE_HEADER = b'{"alg":"dir","enc":"A128GCM","cty":"JWT"}'
ZIP_JWE_HEADER = b'{"alg":"dir","enc":"A128GCM","zip":"DEF","cty":"JWT"}'


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def left_hash(value: str, alg: str = "RS256") -> str:
    """``at_hash``/``c_hash`` of ``value`` (OIDC Core §3.1.3.6), written independently."""
    digest = (hashlib.sha512 if alg == "EdDSA" else hashlib.sha256)(value.encode()).digest()
    return b64(digest[: len(digest) // 2])


def _raw(der: bytes) -> bytes:
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


@functools.lru_cache(maxsize=4096)
def sign(signer: str, data: bytes) -> bytes | None:
    """The signature of ``data`` by ``signer``; ``None`` to keep the third segment as given."""
    deterministic = ec.ECDSA(hashes.SHA256(), deterministic_signing=True)
    if signer == "RS256":
        return RSA_KEY.sign(data, padding.PKCS1v15(), hashes.SHA256())
    if signer == "ES256":
        return _raw(EC_KEY.sign(data, deterministic))
    if signer == "EdDSA":
        return ED_KEY.sign(data)
    if signer == "HS256":
        return hmac.digest(CLIENT_SECRET.encode(), data, "sha256")
    if signer == "attacker":
        return _raw(ATTACKER_KEY.sign(data, deterministic))
    if signer == "hs-pem":
        return hmac.digest(_RSA_PEM, data, "sha256")
    if signer == "empty":
        return b""
    return None


def encrypt(plaintext: str, header: bytes, *, deflate: bool) -> str:
    """A compact JWE of ``plaintext`` for the client: ``dir`` with A128GCM, deterministic."""
    data = plaintext.encode("utf-8", "surrogatepass")
    if deflate:
        data = zlib.compress(data)[2:-4]  # raw DEFLATE (RFC 1951), as RFC 7516 §4.1.3 says
    head = b64(header)
    iv = hashlib.sha256(data).digest()[:12]
    sealed = AESGCM(DIR_KEY).encrypt(iv, data, head.encode("ascii"))
    return f"{head}..{b64(iv)}.{b64(sealed[:-16])}.{b64(sealed[-16:])}"


def render(token: tuple[str, list[bytes | str]]) -> str:
    """The compact token a parser gets (see the module's docstring)."""
    signer, segments = token
    parts = [b64(s) if isinstance(s, bytes) else str(s) for s in segments]
    base, _, wrap = signer.partition("+")
    if len(parts) >= 2:
        signature = sign(base, f"{parts[0]}.{parts[1]}".encode("utf-8", "surrogatepass"))
        if signature is not None:
            parts[2:3] = [b64(signature)]
    if wrap not in ("jwe", "zip"):
        return ".".join(parts)
    header = segments[3] if len(segments) > 3 and isinstance(segments[3], bytes) else None
    default = ZIP_JWE_HEADER if wrap == "zip" else DEFAULT_JWE_HEADER
    return encrypt(".".join(parts[:3]), header or default, deflate=wrap == "zip")


def _verifies(alg: str, data: bytes, signature: bytes) -> bool:
    if alg == "HS256":
        return hmac.compare_digest(hmac.digest(CLIENT_SECRET.encode(), data, "sha256"), signature)
    try:
        if alg == "RS256":
            RSA_KEY.public_key().verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ES256" and len(signature) == 64:
            r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
            der = encode_dss_signature(r, s)
            EC_KEY.public_key().verify(der, data, ec.ECDSA(hashes.SHA256()))
        elif alg == "EdDSA":
            ED_KEY.public_key().verify(signature, data)
        else:
            return False
    except InvalidSignature:
        return False
    return True


# Unknown JWE header members are ignored (RFC 7516 §4), as oauthkit's decryption ignores them: an
# "iv" beside "dir" is no reason to call a token the issuer signed unsigned (a false finding of
# the jarm target, whose JWE header had {"iv": "X~-"}).
_LENIENT = jwe.JWERegistry(strict_check_header=False)


def verified_alg(text: str, decryption_key: Any) -> str | None:
    """The ``alg`` of ``text`` if its signature verifies with the issuer's key for that alg (or
    the client secret), after decrypting it with ``decryption_key``: an oracle written apart
    from oauthkit's checks, with cryptography. ``None`` when it does not verify."""
    try:
        if text.count(".") == 4:
            plaintext = jwe.decrypt_compact(text, decryption_key, registry=_LENIENT).plaintext
            text = (plaintext or b"").decode("ascii")
        head, body, signature = text.split(".")
        alg = json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["alg"]
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
        return alg if _verifies(alg, f"{head}.{body}".encode("ascii"), raw) else None
    except Exception:
        return None


ACCESS_TOKEN = "at-7Hq2"
CODE = "code-Zx81"
# Valid claims of each kind of token; the at_hash/c_hash of RS256, ES256 and HS256.
ID_CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "sub": SUBJECT,
    "aud": CLIENT_ID,
    "exp": OIDC_NOW + 600,
    "iat": OIDC_NOW,
    "auth_time": OIDC_NOW - 60,
    "nonce": NONCE,
    "acr": "urn:acr:gold",
    "amr": ["pwd"],
    "at_hash": left_hash(ACCESS_TOKEN),
    "c_hash": left_hash(CODE),
    "sid": "sid-1",
}
LOGOUT_CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "aud": [CLIENT_ID],
    "iat": OIDC_NOW,
    "exp": OIDC_NOW + 120,
    "jti": "jti-1",
    "sub": SUBJECT,
    "sid": "sid-1",
    "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
}
USERINFO_CLAIMS: dict[str, Any] = {
    "sub": SUBJECT,
    "iss": ISSUER,
    "aud": CLIENT_ID,
    "email": "u@example.com",
    "name": "Ü. Ser",
}
JARM_CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "aud": CLIENT_ID,
    "exp": OIDC_NOW + 600,
    "code": CODE,
    "state": "st-8a1f",
}
INTROSPECTION_CLAIMS: dict[str, Any] = {
    "iss": ISSUER,
    "aud": CLIENT_ID,
    "iat": OIDC_NOW,
    "token_introspection": {
        "active": True,
        "scope": "a b",
        "client_id": CLIENT_ID,
        "sub": SUBJECT,
        "exp": OIDC_NOW + 600,
    },
}
TEMPLATES = (ID_CLAIMS, LOGOUT_CLAIMS, USERINFO_CLAIMS, JARM_CLAIMS, INTROSPECTION_CLAIMS)
