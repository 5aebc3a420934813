"""OAuth 2: oauthkit against requests-oauthlib/oauthlib and Authlib, in one run.

Usage::

    python benchmarks/bench_oauth2.py [--quick] [--json out.json] [--cpu N] [--section N]

Sections (issue #3):

1. building an authorization URL with PKCE (S256), next to a stdlib floor that only draws the
   random values, hashes the verifier and URL-encodes the same parameters;
2. parsing a typical JSON token response;
3. bearer overhead per request against a keep-alive loopback server, for requests, httpx and
   httpx's async client, next to a static ``Authorization`` header (the floor);
4. a refresh storm: one session holding an expired token, used by 16 threads (or 200 asyncio
   tasks) at once, against a token endpoint that rotates refresh tokens and revokes the grant
   when a rotated one comes back. Counts, not timings.

Timings are medians of per-call ``perf_counter_ns`` with the garbage collector off and the
contenders interleaved; request overheads are call-by-call differences from a bare client.
Before timing, every section checks that its contenders do the same work.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import json
import os
import secrets
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit

from _harness import (
    Contender,
    OkHandler,
    compare,
    environment,
    fmt_us,
    loopback_server,
    paired_difference,
    pin_cpu,
    render_table,
    speedup,
    write_json,
)

CLIENT_ID, CLIENT_SECRET = "s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw"
AUTHORIZE_URL = "https://server.example.com/authorize"
REDIRECT_URI = "https://client.example.com/callback"
# No "openid": oauthkit would add an OpenID Connect nonce, which the anchors do not send.
SCOPE = "profile email"
ACCESS_TOKEN = "2YotnFZFEjr1zCsicMWpAA.4f1c9b2e7d3a"
REFRESH_TOKEN = "tGzv3JOkF0XG5Qx2TlKWIA.8a6e0d5c"
_CLAIMS = {
    "iss": "https://server.example.com",
    "sub": "24400320",
    "aud": CLIENT_ID,
    "nonce": "n-0S6_WzA2Mj",
    "exp": 1311281970,
    "iat": 1311280970,
    "auth_time": 1311280969,
    "acr": "urn:mace:incommon:iap:silver",
    "email": "janedoe@example.com",
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# The size of a real RS256 ID Token (header, claims, 256-byte signature); nobody validates it.
ID_TOKEN = ".".join(
    [_b64(b'{"alg":"RS256","kid":"1e9gdk7"}'), _b64(json.dumps(_CLAIMS).encode()), _b64(bytes(256))]
)
TOKEN_FIELDS = {
    "access_token": ACCESS_TOKEN,
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": REFRESH_TOKEN,
    "scope": SCOPE,
    "id_token": ID_TOKEN,
}
TOKEN_BODY = json.dumps(TOKEN_FIELDS).encode()
TOKEN_HEADERS = {"Content-Type": "application/json;charset=UTF-8", "Cache-Control": "no-store"}

RO, OAUTHLIB, AUTHLIB, BARE = "requests-oauthlib", "oauthlib", "Authlib", "bare"
STATIC = "static Authorization header (floor)"


@dataclass(frozen=True, slots=True)
class Plan:
    """Iteration counts; ``--quick`` only proves that every row runs."""

    iterations: int  # in-process operations
    warmup: int
    rounds: int
    http_iterations: int  # requests per HTTP contender
    storm_trials: int
    threads: int = 16
    tasks: int = 200
    token_delay: float = 0.05  # seconds the token endpoint takes, as a real one would


FULL = Plan(3000, 200, 5, 2000, 3)
QUICK = Plan(20, 3, 1, 10, 1)


def authlib_httpx() -> Any:
    """Authlib's httpx module, imported without its deprecation warning.

    Authlib prefers the ``httpx2`` package and warns (with an "always" filter of its own) when
    it falls back to ``httpx``; that notice is not a result of this benchmark.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import authlib.integrations.httpx_client as module

    return module


@contextmanager
def insecure_loopback_for_oauthlib() -> Iterator[None]:
    """oauthlib refuses plain http even to 127.0.0.1 unless this variable is set.

    oauthkit allows loopback without it and Authlib does not check, so only requests-oauthlib
    is affected: its transport check then returns at once, which if anything flatters it.
    """
    previous = os.environ.get("OAUTHLIB_INSECURE_TRANSPORT")
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["OAUTHLIB_INSECURE_TRANSPORT"]
        else:
            os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = previous


def _ignore(*_: Any, **__: Any) -> None:
    """A token updater that stores nothing."""


async def _ignore_async(*_: Any, **__: Any) -> None:
    """Authlib's async clients await their ``update_token``."""


def _renewal(token_url: str) -> dict[str, Any]:
    """requests-oauthlib's automatic-renewal arguments, which oauthkit's clients share."""
    return {
        "auto_refresh_url": token_url,
        "auto_refresh_kwargs": {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
        "token_updater": _ignore,
    }


# --- in-process sections (1, 2) -------------------------------------------------------------


def _ignoring_input(op: Callable[[], object]) -> Callable[[object], object]:
    """A timed call for :class:`Contender`, which passes its setup's value (``None`` here)."""
    return lambda _: op()


def _in_process(
    title: str,
    ops: Mapping[str, Callable[[], object]],
    plan: Plan,
    anchors: Mapping[str, str],
    floor: str | None = None,
) -> dict[str, Any]:
    """Time the operations interleaved, print their table, return their JSON.

    Args:
        title: The section heading.
        ops: Row label -> the operation.
        plan: Iteration counts.
        anchors: Label of each anchor row -> the short name of its ratio column.
        floor: Label of the floor row, which gets an "x floor" column.
    """
    stats = compare(
        [Contender(label, _ignoring_input(op)) for label, op in ops.items()],
        iterations=plan.iterations,
        warmup=plan.warmup,
        rounds=plan.rounds,
    )
    rows = []
    for label, s in stats.items():
        row = [label, fmt_us(s.median_us), fmt_us(s.p90_us)]
        row += ["-" if a == label else speedup(stats[a].median_us, s.median_us) for a in anchors]
        if floor is not None:
            row.append("-" if label == floor else f"{s.median_ns / stats[floor].median_ns:.1f}x")
        rows.append(row)
    headers = ["contender", "median µs", "p90 µs", *(f"vs {name}" for name in anchors.values())]
    print(f"\n{title}")
    print(render_table([*headers, "x floor"] if floor else headers, rows))
    return {
        "rows": list(ops),
        "results": {label: s.to_dict() for label, s in stats.items()},
        "speedup_vs": {
            anchor: {
                label: round(stats[anchor].median_ns / s.median_ns, 3)
                for label, s in stats.items()
                if label != anchor
            }
            for anchor in anchors
        },
    }


# --- 1. authorization URL with PKCE ---------------------------------------------------------


def _s256(verifier: str) -> str:
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def floor_authorization_url() -> tuple[str, str]:
    """The least any client can do: two random values, one hash, one ``urlencode``."""
    state = secrets.token_urlsafe(32)
    verifier = secrets.token_urlsafe(32)
    params = [
        ("response_type", "code"),
        ("client_id", CLIENT_ID),
        ("redirect_uri", REDIRECT_URI),
        ("scope", SCOPE),
        ("state", state),
        ("code_challenge", _s256(verifier)),
        ("code_challenge_method", "S256"),
    ]
    return f"{AUTHORIZE_URL}?{urlencode(params)}", verifier


def authorization_ops() -> dict[str, Callable[[], tuple[str, str]]]:
    """Each contender as the call its users make; each returns (URL, code_verifier)."""
    import requests_oauthlib
    from authlib.common.security import generate_token
    from authlib.integrations.requests_client import OAuth2Session as AuthlibSession

    import oauthkit
    from oauthkit.requests import OAuth2Session

    kit = OAuth2Session(CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPE, pkce="S256")
    rol = requests_oauthlib.OAuth2Session(
        CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPE, pkce="S256"
    )
    alb = AuthlibSession(
        CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPE, code_challenge_method="S256"
    )

    def core() -> tuple[str, str]:
        url, flow = oauthkit.build_authorization_url(
            AUTHORIZE_URL, client_id=CLIENT_ID, redirect_uri=REDIRECT_URI, scope=SCOPE
        )
        return url, flow.code_verifier or ""

    def session() -> tuple[str, str]:
        url, _ = kit.authorization_url(AUTHORIZE_URL)
        return url, kit.code_verifier or ""

    def requests_oauthlib_url() -> tuple[str, str]:
        url, _ = rol.authorization_url(AUTHORIZE_URL)
        return url, rol._code_verifier

    def authlib_url() -> tuple[str, str]:
        # Authlib's documented PKCE recipe: the caller makes the verifier and keeps it.
        verifier = generate_token(48)
        url, _ = alb.create_authorization_url(AUTHORIZE_URL, code_verifier=verifier)
        return url, verifier

    return {
        "floor: secrets + sha256 + urlencode": floor_authorization_url,
        "oauthkit build_authorization_url": core,
        "oauthkit OAuth2Session.authorization_url": session,
        "requests-oauthlib OAuth2Session.authorization_url": requests_oauthlib_url,
        "Authlib OAuth2Session.create_authorization_url": authlib_url,
    }


def check_authorization_urls(ops: Mapping[str, Callable[[], tuple[str, str]]]) -> None:
    """Every contender must send the same parameters, with a correct S256 challenge.

    Raises:
        SystemExit: One of them differs, so timing it against the others would mislead.
    """
    expected = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "scope": SCOPE,
        "code_challenge_method": "S256",
    }
    for label, make in ops.items():
        url, verifier = make()
        parts = urlsplit(url)
        params = dict(parse_qsl(parts.query))
        problems = [name for name, value in expected.items() if params.get(name) != value]
        if f"{parts.scheme}://{parts.netloc}{parts.path}" != AUTHORIZE_URL:
            problems.append("endpoint")
        if set(params) != {*expected, "state", "code_challenge"}:
            problems.append(f"parameters {sorted(params)}")
        if not 43 <= len(verifier) <= 128 or params.get("code_challenge") != _s256(verifier):
            problems.append("code_challenge")
        if len(params.get("state", "")) < 20:
            problems.append("state")
        if problems:
            raise SystemExit(f"{label}: unexpected authorization URL ({', '.join(problems)})")


def run_authorization(plan: Plan) -> dict[str, Any]:
    ops = authorization_ops()
    check_authorization_urls(ops)
    labels = list(ops)
    result = _in_process(
        "1. Authorization URL with PKCE (S256): microseconds per URL (state + verifier + URL)",
        ops,
        plan,
        {labels[3]: RO, labels[4]: AUTHLIB},
        floor=labels[0],
    )
    print(
        "  Every contender draws a fresh state and code_verifier, derives the S256 challenge and"
        " encodes the same 7 parameters\n  (checked before timing). Authlib: code_verifier ="
        " generate_token(48), its documented recipe, inside the timed call."
    )
    return result


# --- 2. token-response parsing --------------------------------------------------------------


class _JsonResponse:
    """The two attributes of a response that Authlib's ``parse_response_token`` reads."""

    status_code = 200

    def __init__(self, body: bytes) -> None:
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body)


def parsing_ops() -> dict[str, Callable[[], Any]]:
    from authlib.oauth2.client import OAuth2Client as AuthlibClient
    from oauthlib.oauth2.rfc6749.parameters import parse_token_response as oauthlib_parse

    import oauthkit

    response = oauthkit.HttpResponse(200, TOKEN_HEADERS, TOKEN_BODY)
    text = TOKEN_BODY.decode("utf-8")  # requests-oauthlib passes response.text
    authlib_client = AuthlibClient(None, CLIENT_ID, CLIENT_SECRET, scope=SCOPE)
    authlib_response = _JsonResponse(TOKEN_BODY)
    return {
        "oauthkit parse_token_response": lambda: oauthkit.parse_token_response(
            response, now=time.time(), requested_scope=SCOPE
        ),
        "oauthlib parameters.parse_token_response": lambda: oauthlib_parse(text, scope=SCOPE),
        "Authlib OAuth2Client.parse_response_token": lambda: authlib_client.parse_response_token(
            authlib_response
        ),
    }


def check_token_parsing(ops: Mapping[str, Callable[[], Any]]) -> None:
    """Every parser must read the same token: same values, an expiry about an hour away.

    Raises:
        SystemExit: A parser disagrees.
    """
    for label, parse in ops.items():
        token = parse()
        fields = token.to_dict() if hasattr(token, "to_dict") else dict(token)
        scope = fields.get("scope")
        scope = scope.split() if isinstance(scope, str) else list(scope or [])
        expires_in = float(fields.get("expires_at", 0)) - time.time()
        secrets_read = [fields.get(k) for k in ("access_token", "refresh_token", "id_token")]
        if (
            secrets_read != [ACCESS_TOKEN, REFRESH_TOKEN, ID_TOKEN]
            or scope != SCOPE.split()
            or not 3590 <= expires_in <= 3601
        ):
            raise SystemExit(f"{label}: parsed a different token; not timing")


def run_parsing(plan: Plan) -> dict[str, Any]:
    ops = parsing_ops()
    check_token_parsing(ops)
    labels = list(ops)
    result = _in_process(
        f"2. Token-response parsing: microseconds per response ({len(TOKEN_BODY)}-byte JSON body"
        " with an ID Token)",
        ops,
        plan,
        {labels[1]: OAUTHLIB, labels[2]: AUTHLIB},
    )
    print(
        "  oauthkit: from the driver's HttpResponse (bytes); oauthlib: from response.text, as"
        " requests-oauthlib calls it;\n  Authlib: its client's parse_response_token on a"
        " response whose .json() decodes the same bytes. Each computes expires_at."
    )
    return result


# --- 3. bearer overhead per request ---------------------------------------------------------


class _EchoHandler(OkHandler):
    """``200 ok``, except ``GET /whoami``, which answers with the request's Authorization."""

    def do_GET(self) -> None:
        if self.path != "/whoami":
            self._answer()
            return
        body = (self.headers.get("Authorization") or "-").encode("latin-1")
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _valid_token() -> dict[str, Any]:
    return {
        "access_token": ACCESS_TOKEN,
        "token_type": "Bearer",
        "refresh_token": REFRESH_TOKEN,
        "expires_at": int(time.time()) + 86400,
        "scope": SCOPE.split(),
    }


def _requests_clients(token_url: str) -> dict[str, Any]:
    import requests
    import requests_oauthlib
    from authlib.integrations.requests_client import OAuth2Session as AuthlibSession

    from oauthkit.requests import OAuth2Session

    static = requests.Session()
    static.headers["Authorization"] = f"Bearer {ACCESS_TOKEN}"
    # Every client is set up for automatic renewal, as applications configure them, so each
    # pays for its expiry check.
    clients: dict[str, Any] = {
        BARE: requests.Session(),
        STATIC: static,
        "oauthkit OAuth2Session": OAuth2Session(
            CLIENT_ID, token=_valid_token(), **_renewal(token_url)
        ),
        "requests-oauthlib OAuth2Session": requests_oauthlib.OAuth2Session(
            CLIENT_ID, token=_valid_token(), **_renewal(token_url)
        ),
        "Authlib OAuth2Session": AuthlibSession(
            CLIENT_ID,
            CLIENT_SECRET,
            token=_valid_token(),
            token_endpoint=token_url,
            update_token=_ignore,
        ),
    }
    for session in clients.values():
        # Without this a session with no auth looks up ~/.netrc on every request and the
        # authenticated ones do not, which would hide part of the auth overhead.
        session.trust_env = False
    return clients


def _httpx_clients(token_url: str, *, asynchronous: bool) -> dict[str, Any]:
    import httpx

    from oauthkit.httpx import AsyncOAuth2Client, OAuth2Client

    authlib = authlib_httpx()
    plain = httpx.AsyncClient if asynchronous else httpx.Client
    kit = AsyncOAuth2Client if asynchronous else OAuth2Client
    theirs = authlib.AsyncOAuth2Client if asynchronous else authlib.OAuth2Client
    prefix = "Async" if asynchronous else ""
    return {
        BARE: plain(trust_env=False),
        STATIC: plain(headers={"Authorization": f"Bearer {ACCESS_TOKEN}"}, trust_env=False),
        f"oauthkit {prefix}OAuth2Client": kit(
            CLIENT_ID, token=_valid_token(), trust_env=False, **_renewal(token_url)
        ),
        f"Authlib {prefix}OAuth2Client": theirs(
            CLIENT_ID,
            CLIENT_SECRET,
            token=_valid_token(),
            token_endpoint=token_url,
            update_token=_ignore_async if asynchronous else _ignore,
            trust_env=False,
        ),
    }


def _bearer_group(
    client: str, getters: Mapping[str, Callable[[str], bytes]], base: str, plan: Plan
) -> dict[str, Any]:
    """Check what each contender sends, time them call by call, print the group's table."""
    expected = f"Bearer {ACCESS_TOKEN}".encode()
    for name, get in getters.items():
        seen = get(base + "/whoami")
        if seen != (b"-" if name == BARE else expected):
            raise SystemExit(f"{client} / {name}: sent Authorization {seen[:20]!r}...; not timing")
    url = base + "/api/v1/items?limit=20"
    # One request per contender per round: call k of each runs right after the others', and
    # the overhead is the median of the call-by-call differences from the bare client.
    stats = compare(
        [Contender(name, _ignoring_input(partial(get, url))) for name, get in getters.items()],
        iterations=plan.http_iterations,
        warmup=max(5, plan.http_iterations // 20),
        rounds=plan.http_iterations,
    )
    bare = stats[BARE]
    overheads = {name: paired_difference(s, bare) for name, s in stats.items() if name != BARE}
    anchors = [next((n for n in overheads if n.startswith(p)), None) for p in (RO, AUTHLIB)]
    rows = [
        [
            name,
            f"{s.median_us:+.1f}",
            f"{s.p90_us:+.1f}",
            *(
                "-" if a in (None, name) else speedup(overheads[a].median_us, s.median_us)
                for a in anchors
            ),
        ]
        for name, s in overheads.items()
    ]
    print(f"\n{client}: a request without auth takes {fmt_us(bare.median_us)} µs (median)")
    print(render_table([client, "+µs median", "+µs p90", f"vs {RO}", f"vs {AUTHLIB}"], rows))
    sys.stdout.flush()
    return {
        "client": client,
        "results": {name: s.to_dict() for name, s in stats.items()},
        "overhead": {name: s.to_dict() for name, s in overheads.items()},
    }


def _body_getter(client: Any) -> Callable[[str], bytes]:
    # Read the body, as an application would; the connection goes back to the pool.
    return lambda url: bytes(client.get(url).content)


async def _close_all(clients: Iterable[Any]) -> None:
    await asyncio.gather(*(c.aclose() for c in clients))


def run_bearer(plan: Plan) -> list[dict[str, Any]]:
    print(
        "\n3. Bearer overhead per request: GET to a keep-alive loopback server with a valid"
        " token, automatic renewal configured"
    )
    results: list[dict[str, Any]] = []
    with insecure_loopback_for_oauthlib(), loopback_server(_EchoHandler) as base:
        for client, make in (
            ("requests.Session", _requests_clients),
            ("httpx.Client", lambda url: _httpx_clients(url, asynchronous=False)),
        ):
            clients = make(base + "/token")
            try:
                getters = {name: _body_getter(c) for name, c in clients.items()}
                results.append(_bearer_group(client, getters, base, plan))
            finally:
                for c in clients.values():
                    c.close()
        loop = asyncio.new_event_loop()
        try:

            async def build() -> dict[str, Any]:  # anyio locks want a running loop
                return _httpx_clients(base + "/token", asynchronous=True)

            aclients = loop.run_until_complete(build())

            def async_getter(c: Any) -> Callable[[str], bytes]:
                async def get(url: str) -> bytes:
                    return bytes((await c.get(url)).content)

                return lambda url: loop.run_until_complete(get(url))

            try:
                getters = {name: async_getter(c) for name, c in aclients.items()}
                results.append(_bearer_group("httpx.AsyncClient", getters, base, plan))
            finally:
                loop.run_until_complete(_close_all(aclients.values()))
        finally:
            loop.close()
    print(
        "  +µs = median (and p90) of the call-by-call difference from the same client without"
        " auth, one request of each\n  per round. The floor sets the header once on a plain"
        " client. Async calls go through loop.run_until_complete,\n  whose cost the bare client"
        " pays too. trust_env=False everywhere."
    )
    return results


# --- 4. refresh storm -----------------------------------------------------------------------


@dataclass
class StormServer:
    """A token endpoint that rotates refresh tokens and treats reuse as theft.

    As oidc-provider does (RFC 9700 §4.14): presenting a refresh token that was already
    rotated revokes the whole grant, its access tokens included, and answers ``invalid_grant``.
    """

    delay: float
    token_requests: int = 0
    refresh_token: str = ""
    access: set[str] = field(default_factory=set)
    revoked: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def issue_expired(self) -> dict[str, Any]:
        """The token every driver starts with: valid at the server, expired by its clock."""
        with self.lock:
            self.access = {secrets.token_urlsafe(16)}
            self.refresh_token = secrets.token_urlsafe(16)
            return {
                "access_token": next(iter(self.access)),
                "token_type": "Bearer",
                "refresh_token": self.refresh_token,
                "expires_at": int(time.time()) - 10,
            }

    def token(self, form: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        time.sleep(self.delay)  # outside the lock: concurrent requests overlap, as they would
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") != "refresh_token":
                return 400, {"error": "unsupported_grant_type"}
            if self.revoked or form.get("refresh_token") != self.refresh_token:
                self.revoked = True
                self.access.clear()
                return 400, {"error": "invalid_grant", "error_description": "grant revoked"}
            access = secrets.token_urlsafe(16)
            self.access.add(access)
            self.refresh_token = secrets.token_urlsafe(16)
            return 200, {
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": self.refresh_token,
            }

    def allows(self, authorization: str) -> bool:
        scheme, _, value = authorization.partition(" ")
        with self.lock:
            return scheme.lower() == "bearer" and value in self.access


class _StormHandler(OkHandler):
    """``POST /token`` is the token endpoint; everything else a protected resource."""

    server_state: ClassVar[StormServer]

    def _json(self, status: int, payload: object, challenge: str | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if challenge is not None:
            self.send_header("WWW-Authenticate", challenge)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        form = dict(parse_qsl(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode()))
        if self.path == "/token":
            self._json(*self.server_state.token(form))
        else:
            self.do_GET()

    def do_GET(self) -> None:
        if self.server_state.allows(self.headers.get("Authorization") or ""):
            self._json(200, {"ok": True})
        else:
            self._json(401, {"error": "invalid_token"}, 'Bearer error="invalid_token"')


@contextmanager
def storm_server(delay: float) -> Iterator[tuple[StormServer, str]]:
    state = StormServer(delay)
    handler = type("Handler", (_StormHandler,), {"server_state": state})
    with loopback_server(handler) as base:
        yield state, base


# (token, token endpoint) -> a client holding that token and set up to renew it.
MakeClient = Callable[[dict[str, Any], str], Any]


def _thread_drivers(plan: Plan) -> dict[str, MakeClient]:
    import httpx
    import requests
    import requests_oauthlib
    from authlib.integrations.requests_client import OAuth2Session as AuthlibSession

    from oauthkit.httpx import OAuth2Client
    from oauthkit.requests import OAuth2Session

    authlib = authlib_httpx()
    limits = httpx.Limits(max_connections=plan.threads)

    def pooled(session: Any) -> Any:
        # One connection per thread, and no "pool is full" warnings from urllib3.
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=plan.threads))
        session.trust_env = False
        return session

    return {
        "oauthkit OAuth2Session (requests)": lambda token, url: pooled(
            OAuth2Session(CLIENT_ID, token=token, **_renewal(url))
        ),
        "oauthkit OAuth2Client (httpx)": lambda token, url: OAuth2Client(
            CLIENT_ID, token=token, limits=limits, trust_env=False, **_renewal(url)
        ),
        "requests-oauthlib OAuth2Session": lambda token, url: pooled(
            requests_oauthlib.OAuth2Session(CLIENT_ID, token=token, **_renewal(url))
        ),
        "Authlib OAuth2Session (requests)": lambda token, url: pooled(
            AuthlibSession(
                CLIENT_ID, CLIENT_SECRET, token=token, token_endpoint=url, update_token=_ignore
            )
        ),
        "Authlib OAuth2Client (httpx)": lambda token, url: authlib.OAuth2Client(
            CLIENT_ID,
            CLIENT_SECRET,
            token=token,
            token_endpoint=url,
            update_token=_ignore,
            limits=limits,
            trust_env=False,
        ),
    }


def _task_drivers() -> dict[str, MakeClient]:
    import httpx

    from oauthkit.httpx import AsyncOAuth2Client

    authlib = authlib_httpx()
    limits = httpx.Limits(max_connections=50)
    return {
        "oauthkit AsyncOAuth2Client": lambda token, url: AsyncOAuth2Client(
            CLIENT_ID, token=token, limits=limits, trust_env=False, **_renewal(url)
        ),
        "Authlib AsyncOAuth2Client": lambda token, url: authlib.AsyncOAuth2Client(
            CLIENT_ID,
            CLIENT_SECRET,
            token=token,
            token_endpoint=url,
            update_token=_ignore_async,
            limits=limits,
            trust_env=False,
        ),
    }


def _thread_storm(session: Any, url: str, threads: int) -> int:
    """Send one request from each thread at the same moment; return how many failed."""
    barrier = threading.Barrier(threads)

    def user_request(_: int) -> bool:
        barrier.wait(timeout=30)
        try:
            return bool(session.get(url).status_code == 200)
        except Exception:  # what the user would see: InvalidGrantError, OAuthError...
            return False

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(user_request, range(threads))).count(False)


async def _task_storm(
    make: MakeClient, token: dict[str, Any], token_url: str, url: str, tasks: int
) -> int:
    """Start every task's request at once on one async client; return how many failed."""
    async with make(token, token_url) as client:

        async def user_request() -> bool:
            try:
                return bool((await client.get(url)).status_code == 200)
            except Exception:
                return False

        results = await asyncio.gather(*(user_request() for _ in range(tasks)))
    return list(results).count(False)


def _range(values: Sequence[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}-{high}"


def run_storm(plan: Plan) -> list[dict[str, Any]]:
    drivers = [(n, "threads", plan.threads, m) for n, m in _thread_drivers(plan).items()]
    drivers += [(n, "tasks", plan.tasks, m) for n, m in _task_drivers().items()]
    results: list[dict[str, Any]] = []
    with insecure_loopback_for_oauthlib():
        for name, mode, concurrency, make in drivers:
            trials = []
            for _ in range(plan.storm_trials):
                with storm_server(plan.token_delay) as (server, base):
                    token, token_url, url = server.issue_expired(), f"{base}/token", f"{base}/api"
                    if mode == "threads":
                        with make(token, token_url) as session:
                            failed = _thread_storm(session, url, concurrency)
                    else:
                        failed = asyncio.run(_task_storm(make, token, token_url, url, concurrency))
                    trials.append(
                        {
                            "token_requests": server.token_requests,
                            "failed_requests": failed,
                            "grant_revoked": server.revoked,
                        }
                    )
            results.append(
                {"driver": name, "mode": mode, "concurrency": concurrency, "trials": trials}
            )
    rows = [
        [
            r["driver"],
            f"{r['concurrency']} {r['mode']}",
            _range([t["token_requests"] for t in r["trials"]]),
            _range([t["failed_requests"] for t in r["trials"]]),
            "-".join(sorted({"yes" if t["grant_revoked"] else "no" for t in r["trials"]})),
        ]
        for r in results
    ]
    print(
        "\n4. Refresh storm: one session with an expired token, every user request at once"
        f" ({plan.storm_trials} trial(s); a range when trials differ)"
    )
    headers = ["driver", "concurrency", "token requests", "failed user requests", "grant revoked"]
    print(render_table(headers, rows))
    print(
        f"  The token endpoint answers after {plan.token_delay * 1000:.0f} ms, rotates refresh"
        " tokens and, like oidc-provider, revokes the grant\n  (access tokens included) when a"
        " rotated refresh token comes back. Ideal: 1 token request, 0 failures."
    )
    return results


# --- main -----------------------------------------------------------------------------------

DISTRIBUTIONS = (
    "oauthkit",
    "oauthlib",
    "requests-oauthlib",
    "Authlib",
    "requests",
    "httpx",
    "anyio",
)
SECTIONS: dict[int, tuple[str, Callable[[Plan], Any]]] = {
    1: ("authorization_url", run_authorization),
    2: ("token_parsing", run_parsing),
    3: ("bearer", run_bearer),
    4: ("refresh_storm", run_storm),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few iterations: checks it runs")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--cpu", type=int, metavar="N", help="pin this process to CPU N")
    parser.add_argument(
        "--section",
        type=int,
        choices=sorted(SECTIONS),
        action="append",
        help="run only this section (repeatable); all four by default",
    )
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL

    env = environment(DISTRIBUTIONS)
    env["cpu_affinity"] = pin_cpu(args.cpu) if args.cpu is not None else "not pinned"
    print(f"oauthkit OAuth 2 benchmark{' (--quick: numbers are not meaningful)' * args.quick}")
    print(
        f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs, {env['cpu_affinity']},"
        f" load average {env['load_average']} at start"
    )
    print(", ".join(f"{k} {v}" for k, v in env["versions"].items()))
    print(
        "Timing: per-call perf_counter_ns, median and p90; garbage collector disabled inside"
        " timing loops;\ncontenders interleaved (in-process: in"
        f" {plan.rounds} rounds, rotating who goes first; requests: call by call).\n"
        f"Iterations: {plan.iterations} per in-process contender, {plan.http_iterations}"
        f" requests per HTTP contender, {plan.storm_trials} refresh-storm trial(s) per driver."
    )
    sys.stdout.flush()
    results: dict[str, Any] = {}
    for number in sorted(set(args.section or SECTIONS)):
        key, run = SECTIONS[number]
        results[key] = run(plan)
        sys.stdout.flush()
    if args.json:
        payload = {"quick": args.quick, "environment": env, "plan": asdict(plan), **results}
        write_json(args.json, payload)
        print(f"\nJSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
