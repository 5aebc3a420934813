"""The words hostile input is made of: member names, numbers, tokens, hosts, header parts.

:mod:`_generate` draws from these: names that some parser looks up (and a few none does),
numbers at the edges of what JSON and floats can hold, byte strings that mean something to a
JSON, form, URL or header parser, and the odd schemes and hosts of callback URLs.
"""

from __future__ import annotations

NAMES = (
    "access_token",
    "token_type",
    "expires_in",
    "expires_at",
    "refresh_token",
    "scope",
    "id_token",
    "error",
    "error_description",
    "error_uri",
    "device_code",
    "user_code",
    "verification_uri",
    "verification_url",
    "verification_uri_complete",
    "interval",
    "active",
    "exp",
    "iat",
    "nbf",
    "aud",
    "sub",
    "iss",
    "client_id",
    "username",
    "jti",
    "oauth_token",
    "oauth_token_secret",
    "oauth_verifier",
    "oauth_callback_confirmed",
    "client_secret",
    "registration_access_token",
    "registration_client_uri",
    "client_id_issued_at",
    "client_secret_expires_at",
    "auth_req_id",
    "token_introspection",
    "code",
    "state",
    "accessToken",
    "x",
    "",
)
ERROR_CODES = ("invalid_grant", "authorization_pending", "slow_down", "INVALID_CLIENT", "", "x")
NUMBERS = (
    "0",
    "-1",
    "3600",
    "1.5",
    "-0",
    "1e308",
    "1.7976931348623157e308",
    "1e999",
    "-1e400",
    "2e-400",
    "1" + "0" * 400,
    "1" * 5000,
    "NaN",
    "Infinity",
    "-Infinity",
    "01",
    "1.",
    "+1",
    "0x10",
    "1_000",
)
SPECIAL = '"\\{}[],:=&%+#?/;@ \t\r\n\x00\x1f\x7f\x85\u2028\ufeff\ufffdé中\U0001f600'
TOKENS = (
    b"NaN",
    b"Infinity",
    b"1e999",
    b"null",
    b"true",
    b'"\\ud800"',
    b"\\u0000",
    b'"access_token":"x",',
    b'"error":"invalid_grant",',
    b'"active":true,',
    b"%",
    b"%zz",
    b"%00",
    b"%ff",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xc0\x80",
    b"://",
    b"#",
    b"?",
    b"\\",
    b"&&",
    b"==",
    b"[" * 64,
    b"]",
    b"{",
    b"}",
    b'"',
    b"'",
    b",",
    b"<",
    b"9" * 400,
    b"Bearer ",
    b'realm="',
    b"error=",
    b"state=",
    b"code=",
    b"iss=https://as.example",
    b"[::1]",
    b"\r\n",
)
CONTENT_TYPES = (
    "",
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/html",
    ";",
    "application/json; charset=utf-16",
)
SCHEMES = ("https://", "http://", "HTTPS://", "com.example.app:/", "//", "/", "?", "#", "", "a:")
HOSTS = (
    "client.example",
    "127.0.0.1:8080",
    "[::1]:8080",
    "[::1",
    "::1]",
    "[v1.x]",
    "user:pw@client.example",
    "client.example\\@evil.example",
    "ｅｘａｍｐｌｅ.com",  # noqa: RUF001  (a netloc NFKC changes)
    "client.example:99999",
    "",
)
CALLBACK_NAMES = ("code", "state", "iss", "error", "error_description", "access_token", "id_token")
HEADER_PARTS = (
    "Bearer",
    "DPoP",
    "Basic",
    " ",
    ",",
    "=",
    '"',
    "\\",
    'realm="a,b"',
    "error=invalid_token",
    'error="invalid_token"',
    'error_description="x\\"y"',
    'scope="a b"',
    "abc==",
    "\t",
)
# Units that Gen.big() repeats: runs of name characters, escapes, separators, quotes, schemes.
RUNS = ("a", "a.", "aZ9_", "%20", "%41", "a=", "a=b=", "eyJ-", '"a', "'a", "Basic ", "+", "a+")
RUNS += ("=", "&", " ", "\\", "[", "{", '"', "a:", "Bearer,", 'realm="')

# Valid responses of each endpoint, for Gen.protocol_object() to break a little.
TEMPLATES = (
    {"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "rt"},
    {"access_token": "at", "token_type": "DPoP", "scope": "a b", "id_token": "h.p.s"},
    {"access_token": "at", "expires_at": 1.7e9, "scope": ["a", "b"], "issued_token_type": "x"},
    {"error": "invalid_grant", "error_description": "expired", "error_uri": "https://e"},
    {"error": "slow_down"},
    {
        "device_code": "dc",
        "user_code": "UC-1",
        "verification_uri": "https://as.example/device",
        "verification_uri_complete": "https://as.example/device?c=UC-1",
        "expires_in": 600,
        "interval": 5,
    },
    {"device_code": "d", "user_code": "u", "verification_url": "v", "expires_in": "900"},
    {"active": True, "scope": "a b", "client_id": "c", "exp": 1.7e9, "iat": 1, "aud": ["x"]},
    {"active": True, "sub": "u", "aud": "x", "nbf": 0, "token_type": "Bearer", "jti": "j"},
    {"active": False},
    {"oauth_token": "t", "oauth_token_secret": "s", "oauth_callback_confirmed": "true"},
)

# --- OpenID Connect: JOSE headers, claims, keys (issue #9) -------------------------------------

ISSUER = "https://as.example"
CLIENT_ID = "client-1"
SUBJECT = "user-42"
NONCE = "n-0S6_WzA2Mj"
OIDC_NOW = 1_700_000_000  # _checks.NOW, as an int for claims
# JWS algorithm names (RFC 7518 §3.1, RFC 8037, RFC 9864) and a few no registry holds.
ALGS = ("RS256", "ES256", "EdDSA", "HS256", "none", "None", "NONE", "PS256", "ES256K", "RS512")
ALGS += ("HS512", "Ed25519", "Ed448", "ES384", "dir", "RSA-OAEP", "", "rs256", "HS256 ")
KIDS = ("rsa-1", "ec-1", "ed-1", "RSA-1", "rsa-1 ", "", "../../etc/passwd", "x" * 300)
TYPS = ("JWT", "jwt", "application/jwt", "logout+jwt", "at+jwt", "JOSE", "", "secevent+jwt")
TYPS += ("token-introspection+jwt", "application/token-introspection+jwt")
# JWS and JWE header members: what oauthkit reads, what it must refuse, what joserfc parses.
JOSE_NAMES = ("alg", "kid", "typ", "cty", "crit", "jku", "jwk", "x5u", "x5c", "x5t", "b64")
JOSE_NAMES += ("enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c", "x")
ENCS = ("A128GCM", "A256GCM", "A128CBC-HS256", "A256CBC-HS512", "A1GCM", "")
# What a JWE protected header holds (RFC 7516 §4.1): key management, content encryption, zip.
JWE_VALUES = ("dir", "ECDH-ES", "ECDH-ES+A128KW", "RSA-OAEP", "A128KW", "DEF", "GZIP", "JWT")
JWE_VALUES += ENCS
CLAIM_NAMES = ("iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "azp", "auth_time", "acr")
CLAIM_NAMES += ("amr", "at_hash", "c_hash", "sid", "jti", "events", "email", "name", "x")
# Values a claim may hold near the edge of what each check accepts.
CLAIM_VALUES = (
    ISSUER,
    ISSUER + "/",
    "https://AS.example",
    "https://evil.example",
    CLIENT_ID,
    [CLIENT_ID],
    [CLIENT_ID, "https://api.example"],
    [CLIENT_ID, "https://evil.example"],
    [],
    [1],
    SUBJECT,
    NONCE,
    NONCE + "\ud800",
    "",
    OIDC_NOW,
    OIDC_NOW + 31,
    OIDC_NOW - 31,
    OIDC_NOW + 600,
    100_000_000_000,
    100_000_000_001,
    -1,
    1.5e300,
    True,
    None,
    "1700000000",
    {"http://schemas.openid.net/event/backchannel-logout": {}},
    {"http://schemas.openid.net/event/backchannel-logout": []},
    "urn:acr:gold",
)
# JWK members (RFC 7517 §4, RFC 7518 §6) with values of the right name and the wrong shape.
JWK_NAMES = ("kty", "use", "key_ops", "alg", "kid", "crv", "n", "e", "x", "y", "d", "k")
JWK_NAMES += ("x5c", "oth", "keys")
JWK_VALUES = ("RSA", "EC", "OKP", "oct", "sig", "enc", ["verify"], ["sign"], "P-256", "P-521")
JWK_VALUES += ("Ed25519", "X25519", "secp256k1", "AQAB", "AA", "", "_-_", "AQ==", "A", 65537)
# An OpenID Provider's metadata (OIDC Discovery 1.0 §3), for Gen.protocol_object() too.
METADATA = {
    "issuer": ISSUER,
    "authorization_endpoint": ISSUER + "/authorize",
    "token_endpoint": ISSUER + "/token",
    "userinfo_endpoint": ISSUER + "/userinfo",
    "jwks_uri": ISSUER + "/jwks",
    "end_session_endpoint": "http://127.0.0.1:8080/logout",
    "scopes_supported": ["openid", "email"],
    "response_types_supported": ["code"],
    "id_token_signing_alg_values_supported": ["RS256", "ES256"],
    "authorization_response_iss_parameter_supported": True,
    "mtls_endpoint_aliases": {"token_endpoint": "https://mtls.as.example/token"},
}
TEMPLATES += (METADATA,)
