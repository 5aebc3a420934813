"""OpenID Connect: oauthkit against Authlib, PyJWT and joserfc, in one run.

Usage::

    python benchmarks/bench_oidc.py [--quick] [--json out.json] [--cpu N] [--section N]
                                    [--callgrind]

Sections (issue #9):

1. validating an RS256 ID token (2048-bit key) with the issuer's keys at hand: oauthkit's
   ``validate_id_token`` and its session path, Authlib's OIDC client checks, PyJWT, joserfc
   used directly, next to the floor: the RSA verification alone, with ``cryptography`` on a
   public key loaded once, over the same signing input;
2. a key rotation: 16 threads (or 200 asyncio tasks), each finishing a login at the same moment
   with an ID token signed by a key the cached JWK Set lacks. Counts the JWKS requests the
   provider receives (one is the goal) and the logins that end with validated claims.

Timings are medians of per-call ``perf_counter_ns`` with the garbage collector off and the
contenders interleaved. Before timing, every contender must accept the token and refuse the
same forgeries. ``--callgrind`` adds instruction counts per validation under valgrind, which
a busy machine does not disturb.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from _harness import (
    Contender,
    OkHandler,
    compare,
    environment,
    fmt_us,
    gc_paused,
    pin_cpu,
    render_table,
    speedup,
    write_json,
)

ISSUER = "https://server.example.com"
CLIENT_ID = "s6BhdRkqt3"
CLIENT_SECRET = "7Fjfp0ZBr1KtDRbnfVdmIw"
NONCE = "n-0S6_WzA2Mj"
ACCESS_TOKEN = "SlAV32hkKG.2YotnFZFEjr1zCsicMWpAA"
KID = "1e9gdk7"
LEEWAY = 30

FLOOR = "floor: cryptography RSA verify"
KIT = "oauthkit validate_id_token"
KIT_SESSION = "oauthkit session (RelyingParty)"
AUTHLIB = "Authlib OIDC client checks"
AUTHLIB_JOSE = "Authlib jose.jwt.decode"
PYJWT = "PyJWT jwt.decode"
JOSERFC = "joserfc jwt.decode"
# Label -> short name of its ratio column.
ANCHORS = {AUTHLIB: "Authlib", AUTHLIB_JOSE: "Authlib jose", PYJWT: "PyJWT", JOSERFC: "joserfc"}


@dataclass(frozen=True, slots=True)
class Plan:
    """Iteration counts; ``--quick`` only proves that every row runs."""

    iterations: int
    warmup: int
    rounds: int
    callgrind_calls: int
    threads: int = 16
    tasks: int = 200
    jwks_delay: float = 0.05  # seconds the JWKS endpoint takes, as a real one would


FULL = Plan(4000, 300, 20, 200)
QUICK = Plan(20, 3, 1, 2)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def at_hash(access_token: str) -> str:
    """OIDC Core §3.1.3.6 for RS256: the left half of SHA-256, base64url."""
    return _b64(hashlib.sha256(access_token.encode("ascii")).digest()[:16])


# --- keys and tokens --------------------------------------------------------------------------


@dataclass(frozen=True)
class SigningKey:
    """An RSA key of the provider: the private key, its kid, its public JWK."""

    private: Any
    kid: str

    @classmethod
    def generate(cls, kid: str, pem: bytes | None = None) -> SigningKey:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        if pem is not None:
            return cls(serialization.load_pem_private_key(pem, None), kid)
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048), kid)

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()

        def unsigned(value: int) -> str:
            return _b64(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        return {
            "kty": "RSA",
            "kid": self.kid,
            "use": "sig",
            "alg": "RS256",
            "n": unsigned(numbers.n),
            "e": unsigned(numbers.e),
        }

    def sign(self, claims: Mapping[str, Any], **header: Any) -> str:
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        head = {"alg": "RS256", "kid": self.kid, "typ": "JWT", **header}
        signing_input = ".".join(
            _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (head, claims)
        )
        signature = self.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64(signature)}"


def id_token_claims(
    now: float, *, issuer: str = ISSUER, nonce: str = NONCE, access_token: str = ACCESS_TOKEN
) -> dict[str, Any]:
    """A realistic ID token of the code flow: the required claims, a nonce, ``at_hash``,
    ``auth_time`` and a few profile claims (about 1 KB once signed)."""
    issued = int(now)
    return {
        "iss": issuer,
        "sub": "248289761001",
        "aud": CLIENT_ID,
        "exp": issued + 3600,
        "iat": issued,
        "auth_time": issued - 40,
        "nonce": nonce,
        "at_hash": at_hash(access_token),
        "name": "Jane Doe",
        "given_name": "Jane",
        "family_name": "Doe",
        "email": "janedoe@example.com",
        "email_verified": True,
        "locale": "en-US",
    }


# --- 1. ID token validation -------------------------------------------------------------------


@dataclass(frozen=True)
class Validation:
    """The token every contender validates, and the keys they were given once."""

    key: SigningKey
    token: str
    jwks: dict[str, Any]


def validation_ops(setup: Validation) -> dict[str, Callable[[str], Mapping[str, Any]]]:
    """Each contender as its users call it, on a token given as argument.

    What a login provides (nonce, access token) is passed per call; what lasts (the issuer's
    imported keys, a client's settings) is built once, here.
    """
    import joserfc.jwt
    import jwt as pyjwt
    from authlib.oidc.core import CodeIDToken
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding
    from joserfc.jwk import KeySet as JoseKeySet
    from joserfc.jws import JWSRegistry

    import oauthkit
    from oauthkit import oidc
    from oauthkit.requests import OAuth2Session

    with warnings.catch_warnings():  # "authlib.jose module is deprecated, use joserfc"
        warnings.simplefilter("ignore")
        from authlib.jose import JsonWebKey
        from authlib.jose import jwt as authlib_jwt

    public_key = setup.key.private.public_key()
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    kit_keys = oidc.import_jwks(setup.jwks)
    jose_keys = JoseKeySet.import_key_set(setup.jwks)
    authlib_keys = JsonWebKey.import_key_set(setup.jwks)

    def floor(token: str) -> Mapping[str, Any]:
        # What no validator can skip: split, decode the signature, one RSA verification.
        signing_input, _, signature = token.rpartition(".")
        public_key.verify(
            base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
            signing_input.encode(),
            pkcs1,
            sha256,
        )
        return {}

    def kit(token: str) -> Mapping[str, Any]:
        expect = oidc.IDTokenExpectations(
            issuer=ISSUER, client_id=CLIENT_ID, nonce=NONCE, access_token=ACCESS_TOKEN
        )
        return oidc.validate_id_token(token, jwks=kit_keys, expect=expect, now=time.time())

    metadata = oauthkit.ServerMetadata(
        issuer=ISSUER, supported={"id_token_signing_alg_values_supported": ("RS256",)}
    )
    provider = oidc.Provider(ISSUER, metadata=metadata, jwks=kit_keys)
    relying_party = oidc.RelyingParty(provider, CLIENT_ID, leeway=LEEWAY)
    session = OAuth2Session(CLIENT_ID, relying_party=relying_party, scope="openid")
    core = session._oauth.core

    responses: dict[str, oauthkit.Token] = {}

    def kit_session(token: str) -> Mapping[str, Any]:
        # What fetch_token does with a token response it has read (parsing it is not timed):
        # the RelyingParty's check (nonce, max_age, previous claims) with the Provider's
        # cached metadata and keys, as a flow run by the requests driver.
        response = responses.get(token)
        if response is None:
            response = responses[token] = oauthkit.Token(ACCESS_TOKEN, id_token=token)
        relying_party.nonce = NONCE
        relying_party.login_started()
        session._execute(relying_party.accept_flow(core, response, None))
        claims = relying_party.claims
        assert claims is not None
        return claims

    registry = JWSRegistry(algorithms=["RS256"], strict_check_header=False)

    def authlib(token: str) -> Mapping[str, Any]:
        # authlib.integrations.base_client.OpenIDMixin.parse_id_token (Authlib 1.9), with the
        # key set imported and the JWSRegistry built once instead of on every call.
        decoded = joserfc.jwt.decode(token, jose_keys, registry=registry)
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {"iss": {"values": [ISSUER]}},
            {"nonce": NONCE, "client_id": CLIENT_ID, "access_token": ACCESS_TOKEN},
        )
        claims.validate(leeway=LEEWAY)
        return claims

    def authlib_jose(token: str) -> Mapping[str, Any]:
        # The older API (authlib.jose, deprecated for joserfc): jwt.decode with CodeIDToken.
        claims = authlib_jwt.decode(
            token,
            authlib_keys,
            claims_cls=CodeIDToken,
            claims_options={
                "iss": {"essential": True, "value": ISSUER},
                "aud": {"essential": True, "value": CLIENT_ID},
                "nonce": {"essential": True, "value": NONCE},
            },
            claims_params={"nonce": NONCE, "client_id": CLIENT_ID, "access_token": ACCESS_TOKEN},
        )
        claims.validate(leeway=LEEWAY)
        return claims

    def pyjwt_decode(token: str) -> Mapping[str, Any]:
        claims: dict[str, Any] = pyjwt.decode(
            token,
            public_key,  # what PyJWKClient's cache hands over
            algorithms=["RS256"],
            audience=CLIENT_ID,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
        nonce = claims.get("nonce")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce, NONCE):
            raise ValueError("nonce mismatch")
        return claims

    def joserfc_decode(token: str) -> Mapping[str, Any]:
        decoded = joserfc.jwt.decode(token, jose_keys, algorithms=["RS256"])
        joserfc.jwt.JWTClaimsRegistry(
            leeway=LEEWAY,
            iss={"essential": True, "value": ISSUER},
            aud={"essential": True, "value": CLIENT_ID},
            sub={"essential": True},
            nonce={"essential": True, "value": NONCE},
        ).validate(decoded.claims)
        return decoded.claims

    return {
        FLOOR: floor,
        KIT: kit,
        KIT_SESSION: kit_session,
        AUTHLIB: authlib,
        AUTHLIB_JOSE: authlib_jose,
        PYJWT: pyjwt_decode,
        JOSERFC: joserfc_decode,
    }


def forgeries(setup: Validation) -> dict[str, str]:
    """Tokens every contender must refuse, by what is wrong with them."""
    now = time.time()
    good = id_token_claims(now)
    head, signature = setup.token.split(".")[0], setup.token.split(".")[2]
    changed = _b64(json.dumps({**good, "sub": "attacker"}).encode())
    return {
        "a signature by another key": SigningKey.generate(setup.key.kid).sign(good),
        "claims changed after signing": f"{head}.{changed}.{signature}",
        "another issuer": setup.key.sign({**good, "iss": "https://evil.example.com"}),
        "another audience": setup.key.sign({**good, "aud": "another-client"}),
        "an expiry an hour ago": setup.key.sign({**good, "exp": int(now) - 3600}),
        "another nonce": setup.key.sign({**good, "nonce": "n-replayed"}),
        "no nonce": setup.key.sign({k: v for k, v in good.items() if k != "nonce"}),
    }


def _accepts(op: Callable[[str], Any], token: str) -> bool:
    try:
        op(token)
    except Exception:  # each library raises its own classes
        return False
    return True


def _on(token: str, op: Callable[[str], Any]) -> Callable[[object], Any]:
    """A timed call for :class:`Contender` (which passes its setup's value, ``None`` here)."""
    return lambda _: op(token)


def check_validation(setup: Validation, ops: Mapping[str, Callable[[str], Any]]) -> None:
    """Every validator must accept the token with the same claims and refuse each forgery.

    Raises:
        SystemExit: One of them does not, so timing it against the others would mislead.
    """
    expected = json.loads(base64.urlsafe_b64decode(setup.token.split(".")[1] + "=="))
    forged = forgeries(setup)
    problems = []
    for label, op in ops.items():
        if label == FLOOR:
            continue
        claims = dict(op(setup.token))
        if claims != expected:
            problems.append(f"{label}: claims {sorted(claims)} differ")
        problems += [f"{label} accepts {what}" for what, t in forged.items() if _accepts(op, t)]
    if problems:
        raise SystemExit("the validators do not do the same work:\n  " + "\n  ".join(problems))


def run_validation(plan: Plan, setup: Validation) -> dict[str, Any]:
    ops = validation_ops(setup)
    check_validation(setup, ops)
    token = setup.token
    stats = compare(
        [Contender(label, _on(token, op)) for label, op in ops.items()],
        iterations=plan.iterations,
        warmup=plan.warmup,
        rounds=plan.rounds,
    )
    floor = stats[FLOOR].median_ns
    rows = []
    for label, s in stats.items():
        row = [label, fmt_us(s.median_us), fmt_us(s.p90_us)]
        row.append("-" if label == FLOOR else f"{s.median_ns / floor:.2f}x")
        row += ["-" if a == label else speedup(stats[a].median_us, s.median_us) for a in ANCHORS]
        rows.append(row)
    headers = [
        "contender",
        "median µs",
        "p90 µs",
        "x floor",
        *(f"vs {n}" for n in ANCHORS.values()),
    ]
    print(
        f"\n1. ID token validation: RS256, 2048-bit key, {len(token)}-character token,"
        " keys imported once"
    )
    print(render_table(headers, rows))
    print(
        "  Every contender checks the signature, iss, aud, exp and nonce (checked above with"
        " forged tokens);\n  oauthkit and Authlib also check at_hash, iat and auth_time's type."
        " The nonce and access token are\n  passed per call (a new login each time); keys and"
        " client settings are built once. The floor splits the\n  token, decodes the signature"
        " and verifies it with cryptography on a public key loaded once."
    )
    return {
        "rows": list(ops),
        "token_length": len(token),
        "results": {label: s.to_dict() for label, s in stats.items()},
        "x_floor": {label: round(s.median_ns / floor, 3) for label, s in stats.items()},
        "speedup_vs": {
            anchor: {
                label: round(stats[anchor].median_ns / s.median_ns, 3)
                for label, s in stats.items()
                if label != anchor
            }
            for anchor in ANCHORS
        },
    }


# --- instruction counts (--callgrind) ---------------------------------------------------------

_COLLECTED = re.compile(r"Collected\s*:\s*([\d,]+)|refs:\s*([\d,]+)")


def _callgrind_child(label: str, calls: int, pem_path: str) -> None:
    """Build every contender, warm each up, then call ``label`` ``calls`` times."""
    key = SigningKey.generate(KID, Path(pem_path).read_bytes())
    setup = Validation(key, key.sign(id_token_claims(time.time())), {"keys": [key.jwk()]})
    ops = validation_ops(setup)
    for op in ops.values():
        op(setup.token)
        op(setup.token)
    op = ops[label]
    with gc_paused():  # as in the timed runs: no collection of the whole heap on the way
        for _ in range(calls):
            op(setup.token)


def _instructions(valgrind: str, args: list[str]) -> int:
    done = subprocess.run(
        [
            valgrind,
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            __file__,
            *args,
        ],
        env={**os.environ, "PYTHONHASHSEED": "0"},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    for match in _COLLECTED.finditer(done.stderr):
        return int((match.group(1) or match.group(2)).replace(",", ""))
    raise RuntimeError("no instruction count in valgrind's output")


def run_callgrind(plan: Plan, setup: Validation) -> dict[str, Any] | None:
    valgrind = shutil.which("valgrind")
    if valgrind is None:
        print("\n(valgrind not found: no instruction counts)")
        return None
    from cryptography.hazmat.primitives import serialization

    pem = setup.key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    counts: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        pem_path = Path(workdir) / "key.pem"
        pem_path.write_bytes(pem)
        base = _instructions(valgrind, ["--_calls", FLOOR, "0", str(pem_path)])
        for label in validation_ops(setup):
            total = _instructions(
                valgrind, ["--_calls", label, str(plan.callgrind_calls), str(pem_path)]
            )
            counts[label] = (total - base) / plan.callgrind_calls
    floor = counts[FLOOR]
    rows = [
        [
            label,
            f"{count / 1000:,.0f}",
            "-" if label == FLOOR else f"{count / floor:.2f}x",
            f"{(count - floor) / 1000:+,.0f}",
        ]
        for label, count in counts.items()
    ]
    print(f"\n1b. Instructions per validation (callgrind, {plan.callgrind_calls} calls)")
    print(render_table(["contender", "k instructions", "x floor", "k over floor"], rows))
    print(
        "  (instructions with N calls - instructions with none) / N, same process set-up;"
        " no timing noise,\n  but an instruction of the RSA arithmetic takes less time than one"
        " of the interpreter's."
    )
    return {"calls": plan.callgrind_calls, "instructions": counts}


# --- 2. key rotation storm ----------------------------------------------------------------------


@dataclass
class RotatingProvider:
    """A provider's discovery, JWKS and token endpoints, counting what they receive.

    The token endpoint holds each answer until ``expected`` token requests have arrived, then
    answers them all at once: every client then holds its ID token at the same moment.
    """

    base: str = ""
    jwks_delay: float = 0.05
    keys: list[dict[str, str]] = field(default_factory=list)
    responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # code -> token response
    expected: int = 1
    jwks_requests: int = 0
    metadata_requests: int = 0
    token_requests: int = 0
    released_late: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    def metadata(self) -> dict[str, Any]:
        with self.lock:
            self.metadata_requests += 1
        return {
            "issuer": self.base,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self) -> dict[str, Any]:
        time.sleep(self.jwks_delay)
        with self.lock:
            self.jwks_requests += 1
            return {"keys": list(self.keys)}

    def token(self, code: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_requests += 1
            self.arrived.notify_all()
            if not self.arrived.wait_for(lambda: self.token_requests >= self.expected, 10):
                self.released_late += 1
            response = self.responses.get(code)
        if response is None:
            return 400, {"error": "invalid_grant"}
        return 200, response

    def reset(self, expected: int) -> None:
        with self.lock:
            self.jwks_requests = self.metadata_requests = self.token_requests = 0
            self.released_late = 0
            self.expected = expected


class _ProviderHandler(OkHandler):
    state: ClassVar[RotatingProvider]

    def _json(self, status: int, payload: object) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/.well-known/openid-configuration":
            self._json(200, self.state.metadata())
        elif self.path == "/jwks":
            self._json(200, self.state.jwks())
        else:
            self._json(404, {"error": "not_found"})

    def do_POST(self) -> None:
        from urllib.parse import parse_qsl

        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()))
        self._json(*self.state.token(form.get("code", "")))


class _Server(ThreadingHTTPServer):
    # 200 clients connect at once: with the default backlog of 5, the kernel drops most of
    # their SYNs and they retry a second or more later, no longer together.
    request_queue_size = 1024
    daemon_threads = True
    block_on_close = False


@contextmanager
def rotating_provider(jwks_delay: float) -> Iterator[RotatingProvider]:
    """:func:`_harness.loopback_server` with a backlog for hundreds of clients at once."""
    state = RotatingProvider(jwks_delay=jwks_delay)
    server = _Server(("127.0.0.1", 0), type("Handler", (_ProviderHandler,), {"state": state}))
    thread = threading.Thread(target=server.serve_forever, name="bench-provider", daemon=True)
    thread.start()
    try:
        state.base = f"http://127.0.0.1:{server.server_address[1]}"
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class Login:
    """What one client needs to finish a login: the code and the nonce it sent."""

    code: str
    nonce: str


def prepare_logins(
    provider: RotatingProvider, key: SigningKey, count: int, prefix: str
) -> list[Login]:
    """Token responses for ``count`` logins, their ID tokens signed with ``key``."""
    now = time.time()
    logins = []
    for index in range(count):
        login = Login(f"{prefix}-code-{index}", f"{prefix}-nonce-{index}")
        access = f"{prefix}-access-{index}"
        claims = id_token_claims(now, issuer=provider.base, nonce=login.nonce, access_token=access)
        provider.responses[login.code] = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": 3600,
            "id_token": key.sign(claims),
        }
        logins.append(login)
    return logins


def _sync_login(kind: str, provider: RotatingProvider, login: Login) -> bool:
    from oauthkit.httpx import OAuth2Client
    from oauthkit.requests import OAuth2Session

    options = {"issuer": provider.base, "scope": "openid", "nonce": login.nonce}
    if kind == "requests":
        session: Any = OAuth2Session(CLIENT_ID, **options)
        session.trust_env = False
    else:
        session = OAuth2Client(CLIENT_ID, trust_env=False, **options)
    with session:
        session.fetch_token(f"{provider.base}/token", code=login.code, client_secret=CLIENT_SECRET)
        return session.id_token_claims is not None


def _thread_storm(kind: str, provider: RotatingProvider, logins: Sequence[Login]) -> int:
    """Finish every login from its own thread and session; return how many validated."""

    def one(login: Login) -> bool:
        try:
            return _sync_login(kind, provider, login)
        except Exception:  # what the user would see: an IDTokenError, a timeout...
            return False

    with ThreadPoolExecutor(len(logins)) as pool:
        return sum(pool.map(one, logins))


async def _task_storm(provider: RotatingProvider, logins: Sequence[Login]) -> int:
    """Finish every login from its own task and client; return how many validated."""
    import httpx

    from oauthkit.httpx import AsyncOAuth2Client

    # One connection pool for the process, as a web app shares one; room for every task.
    transport = httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=len(logins) + 10))

    async def one(login: Login) -> bool:
        client = AsyncOAuth2Client(
            CLIENT_ID,
            issuer=provider.base,
            scope="openid",
            nonce=login.nonce,
            transport=transport,
            trust_env=False,
        )
        try:
            await client.fetch_token(
                f"{provider.base}/token", code=login.code, client_secret=CLIENT_SECRET
            )
        except Exception:
            return False
        return client.id_token_claims is not None

    try:
        results = await asyncio.gather(*(one(login) for login in logins))
    finally:
        await transport.aclose()
    return sum(results)


DRIVERS = {
    "oauthkit OAuth2Session (requests)": ("requests", "threads"),
    "oauthkit OAuth2Client (httpx)": ("httpx", "threads"),
    "oauthkit AsyncOAuth2Client (httpx)": ("httpx-async", "tasks"),
}


def rotation_storm(driver: str, plan: Plan) -> dict[str, Any]:
    """One storm: a provider, its first key cached by a first login, then a rotation."""
    kind, mode = DRIVERS[driver]
    concurrency = plan.threads if mode == "threads" else plan.tasks
    first, rotated = SigningKey.generate("key-1"), SigningKey.generate("key-2")
    with rotating_provider(plan.jwks_delay) as provider:
        provider.keys = [first.jwk()]
        [warm] = prepare_logins(provider, first, 1, "first")
        if not _sync_login("requests", provider, warm):  # caches the metadata and key-1
            raise SystemExit("the first login failed")
        provider.keys = [first.jwk(), rotated.jwk()]  # the rotation: key-2 is published
        logins = prepare_logins(provider, rotated, concurrency, "storm")
        provider.reset(expected=concurrency)
        if mode == "threads":
            validated = _thread_storm(kind, provider, logins)
        else:
            validated = asyncio.run(_task_storm(provider, logins))
        return {
            "driver": driver,
            "mode": mode,
            "concurrency": concurrency,
            "jwks_requests": provider.jwks_requests,
            "metadata_requests": provider.metadata_requests,
            "validated": validated,
            "released_late": provider.released_late,
        }


def run_storm(plan: Plan) -> list[dict[str, Any]]:
    results = [rotation_storm(driver, plan) for driver in DRIVERS]
    rows = [
        [
            r["driver"],
            f"{r['concurrency']} {r['mode']}",
            str(r["jwks_requests"]),
            str(r["metadata_requests"]),
            f"{r['validated']}/{r['concurrency']}",
        ]
        for r in results
    ]
    print(
        "\n2. Key rotation: every client finishes its login at once, with an ID token signed by"
        " a key the cached JWK Set lacks"
    )
    headers = ["driver", "concurrency", "JWKS requests", "metadata requests", "logins validated"]
    print(render_table(headers, rows))
    late = sum(r["released_late"] for r in results)
    print(
        "  One session (or client) per login, sharing the process's Provider for the issuer;"
        " a first login cached\n  the metadata and the first key. The token endpoint answers"
        " every login together; the JWKS endpoint\n  takes"
        f" {plan.jwks_delay * 1000:.0f} ms. Ideal: 1 JWKS request, 0 metadata requests, every"
        " login validated."
        + (f"\n  ({late} token answers were released by timeout, not together.)" if late else "")
    )
    return results


# --- main -----------------------------------------------------------------------------------

DISTRIBUTIONS = (
    "oauthkit",
    "Authlib",
    "PyJWT",
    "joserfc",
    "cryptography",
    "requests",
    "httpx",
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks it runs")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--cpu", type=int, metavar="N", help="pin this process to CPU N")
    parser.add_argument(
        "--section",
        type=int,
        choices=(1, 2),
        action="append",
        help="run only this section (repeatable); both by default",
    )
    parser.add_argument(
        "--callgrind", action="store_true", help="also count instructions under valgrind"
    )
    parser.add_argument("--_calls", nargs=3, help=argparse.SUPPRESS)  # a --callgrind child
    args = parser.parse_args(argv)
    if args._calls:
        label, calls, pem_path = args._calls
        _callgrind_child(label, int(calls), pem_path)
        return 0
    plan = QUICK if args.quick else FULL

    env = environment(DISTRIBUTIONS)
    env["cpu_affinity"] = pin_cpu(args.cpu) if args.cpu is not None else "not pinned"
    print(
        f"oauthkit OpenID Connect benchmark{' (--quick: numbers are not meaningful)' * args.quick}"
    )
    print(
        f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs, {env['cpu_affinity']},"
        f" load average {env['load_average']} at start"
    )
    print(", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    print(
        "Timing: per-call perf_counter_ns, median and p90; garbage collector disabled inside"
        f" timing loops;\ncontenders interleaved in {plan.rounds} rounds, rotating who goes first."
        f" Iterations: {plan.iterations} per contender."
    )
    sys.stdout.flush()
    sections = set(args.section or (1, 2))
    results: dict[str, Any] = {}
    if 1 in sections:
        key = SigningKey.generate(KID)
        setup = Validation(key, key.sign(id_token_claims(time.time())), {"keys": [key.jwk()]})
        results["validation"] = run_validation(plan, setup)
        sys.stdout.flush()
        if args.callgrind:
            results["instructions"] = run_callgrind(plan, setup)
            sys.stdout.flush()
    if 2 in sections:
        results["rotation_storm"] = run_storm(plan)
    if args.json:
        payload = {"quick": args.quick, "environment": env, "plan": asdict(plan), **results}
        write_json(args.json, payload)
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
