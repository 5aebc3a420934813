"""The OpenID Connect half of a client: what a login sends, what it must get back.

:class:`RelyingParty` is the state an OAuth 2 session gains when it is given an issuer: the
:class:`~oauthkit.oidc.Provider` (metadata and keys, shared per process), the client's
validation settings, the login in progress (its ``nonce``, ``max_age`` and essential ``acr``
values) and the claims of the last ID token it accepted. It is sans-I/O: its flows run on any
driver. The sessions (``OAuth2Session``, ``OAuth2Client``, ``AsyncOAuth2Client``) hold one and
plug :meth:`RelyingParty.accept_flow` into their :class:`~oauthkit.TokenManager`, so that every
token response with an ``id_token`` (the login, a refresh) is validated before its tokens are
kept.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._errors import UsageError
from .._jose._compact import Rejected, is_jwe, peek_alg
from .._jose._keys import ALGORITHM_KEY_TYPES, HMAC_ALGORITHMS
from .._oauth2._metadata import ServerMetadata
from ._claims import IDTokenClaims
from ._errors import LogoutTokenError, id_token_error
from ._id_token import IDTokenExpectations, check_id_token
from ._logout import LogoutTokenClaims, build_end_session_url, check_logout_token
from ._provider import Provider, metadata_flow, shared_provider, validated
from ._userinfo import userinfo_flow

if TYPE_CHECKING:
    from .._core._steps import Flow
    from .._oauth2._manager import TokenManager
    from .._oauth2._token import Token

__all__ = ["KNOWN_ALGORITHMS", "PROMPTS", "RelyingParty", "needs_keys"]

PROMPTS = frozenset({"none", "login", "consent", "select_account", "create"})
"""``prompt`` values (OIDC Core §3.1.2.1; ``create``: Initiating User Registration 1.0)."""
KNOWN_ALGORITHMS = frozenset(ALGORITHM_KEY_TYPES) | HMAC_ALGORITHMS
"""The JWS algorithms a provider's ``*_alg_values_supported`` may offer the client."""
_TIMELESS = 1e12  # a leeway past any NumericDate: the times of a restored ID token are not judged


def _spaced(name: str, value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return " ".join(value)
    raise UsageError(f"{name} must be a string or a list of strings")


class RelyingParty:
    """An OpenID Connect client's settings and login state (sans I/O).

    Args:
        provider: The :class:`Provider`, or an issuer (then the process's shared one).
        client_id: The client's ID.
        algorithms: Accepted ID token algorithms (the registered
            ``id_token_signed_response_alg``); default: the provider's
            ``id_token_signing_alg_values_supported``, else RS256.
        userinfo_algorithms: Accepted algorithms for signed UserInfo responses; default as
            ``algorithms``.
        decryption_keys: The client's private keys for encrypted ID tokens, UserInfo and
            JWT authorization responses (JARM).
        leeway: Seconds of clock skew allowed.
        max_age: Sent with every login; ``auth_time`` is then checked against it.
        require_auth_time: Require ``auth_time`` in ID tokens (``require_auth_time``
            registration).
        acr_values: ``acr`` values required of every ID token (essential).
        trusted_audiences: Audiences besides this client that an ID token may name.
        nonce: The ``nonce`` of a login started by an earlier session (web apps build one per
            HTTP request: keep it with ``state`` and the PKCE verifier).
    """

    def __init__(
        self,
        provider: Provider | str,
        client_id: str,
        *,
        algorithms: Collection[str] | None = None,
        userinfo_algorithms: Collection[str] | None = None,
        decryption_keys: Any = None,
        leeway: float = 30.0,
        max_age: int | None = None,
        require_auth_time: bool = False,
        acr_values: Sequence[str] | None = None,
        trusted_audiences: Collection[str] = (),
        nonce: str | None = None,
    ) -> None:
        self.provider = provider if isinstance(provider, Provider) else shared_provider(provider)
        self.client_id = client_id
        self.algorithms = None if algorithms is None else tuple(algorithms)
        self.userinfo_algorithms = (
            None if userinfo_algorithms is None else tuple(userinfo_algorithms)
        )
        self.decryption_keys = decryption_keys
        # JARM's registered authorization_signed_response_alg; None: the provider's list
        self.authorization_algorithms: tuple[str, ...] | None = None
        self.leeway = leeway
        self.max_age = _max_age(max_age)
        self.require_auth_time = require_auth_time
        self.acr_values = None if acr_values is None else tuple(acr_values)
        self.trusted_audiences = frozenset(trusted_audiences)
        self.nonce = nonce
        self.login_max_age = self.max_age
        self.login_acr: tuple[str, ...] | None = self.acr_values
        self.claims: IDTokenClaims | None = None
        # the provider's: a web app validates logout tokens in a new session per request
        self.replay = self.provider.replay
        self._exchanging = False

    def __repr__(self) -> str:
        return f"RelyingParty({self.provider.issuer!r}, client_id={self.client_id!r})"

    @property
    def issuer(self) -> str:
        """The issuer."""
        return self.provider.issuer

    # -- the authorization request -----------------------------------------------------------

    def authorization_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Check and encode the OpenID Connect parameters of an authorization request
        (OIDC Core §3.1.2.1, §5.5), and remember what the ID token must then satisfy.

        ``prompt``, ``ui_locales``, ``claims_locales`` and ``acr_values`` may be lists;
        ``claims`` a mapping (sent as JSON); ``max_age`` a whole number of seconds.

        Raises:
            UsageError: A ``prompt`` value that is not one of :data:`PROMPTS`, or ``none``
                with another; a negative ``max_age``; ``claims`` that are not a JSON object.
        """
        out = dict(params)
        if "prompt" in out:
            prompt = _spaced("prompt", out["prompt"])
            values = prompt.split()
            if not set(values) <= PROMPTS or ("none" in values and len(values) > 1):
                raise UsageError(f"prompt must be 'none' alone, or of {sorted(PROMPTS - {'none'})}")
            out["prompt"] = prompt
        for name in ("ui_locales", "claims_locales", "acr_values"):
            if name in out:
                out[name] = _spaced(name, out[name])
        max_age = _max_age(out.pop("max_age", self.max_age))
        if max_age is not None:
            out["max_age"] = str(max_age)
        self.login_max_age = max_age
        self.login_acr = self.acr_values
        claims = out.get("claims")
        if claims is not None and not isinstance(claims, str):
            if not isinstance(claims, Mapping):
                raise UsageError("claims must be a mapping (OIDC Core §5.5)")
            acr = (
                claims.get("id_token", {}).get("acr")
                if isinstance(claims.get("id_token"), Mapping)
                else None
            )
            if isinstance(acr, Mapping) and acr.get("essential"):
                # §5.5.1: one value asked for ("value"), or any of several ("values")
                wanted = [acr["value"]] if acr.get("value") is not None else acr.get("values")
                if isinstance(wanted, (list, tuple)) and wanted:
                    self.login_acr = tuple(str(v) for v in wanted)
            out["claims"] = json.dumps(claims, separators=(",", ":"))
        return out

    def login_started(self) -> None:
        """The next token response answers a login (an authorization code exchange): it must
        carry an ID token with this login's ``nonce``."""
        self._exchanging = True

    # -- validating token responses ------------------------------------------------------------

    def id_token_algorithms(self, metadata: ServerMetadata | None) -> tuple[str, ...]:
        """The ID token algorithm allow-list: the client's, the provider's, or RS256."""
        if self.algorithms is not None:
            return self.algorithms
        offered = (
            metadata.supported.get("id_token_signing_alg_values_supported", ()) if metadata else ()
        )
        usable = tuple(a for a in offered if a in KNOWN_ALGORITHMS)
        return usable or ("RS256",)

    def expectations(
        self, manager: TokenManager, token: Token, algorithms: Sequence[str]
    ) -> IDTokenExpectations:
        """What the ID token of ``token`` must satisfy now."""
        login = self._exchanging
        if login and self.nonce is None:
            raise id_token_error(
                "nonce",
                "no nonce is pending: this login's authorization URL was not built by this "
                "session (pass nonce= from the session that built it), or it was already used",
            )
        return IDTokenExpectations(
            issuer=self.issuer,
            client_id=self.client_id,
            algorithms=algorithms,
            nonce=self.nonce if login else None,
            max_age=self.login_max_age if login else None,
            require_auth_time=self.require_auth_time,
            acr_values=self.login_acr if login else None,
            trusted_audiences=self.trusted_audiences,
            leeway=self.leeway,
            client_secret=manager.client_secret,
            access_token=token.access_token,
            previous=None if login else self.claims,
        )

    def accept_flow(
        self, manager: TokenManager, token: Token, previous: Token | None
    ) -> Flow[Token]:
        """Validate the ID token of a new token response; return the token to keep.

        Plugged into ``TokenManager.accept``: it runs before a token becomes current, so a
        refused ID token leaves the session with no token from that response.

        Raises:
            IDTokenError: The ID token failed a check, or a login's response has none.
        """
        login = self._exchanging
        if token.id_token is None:
            if login:
                self._exchanging = False
                raise id_token_error(
                    "format",
                    "the token response of an OpenID Connect login has no id_token (§3.1.3.3)",
                )
            return token
        metadata = yield from metadata_flow(self.provider, manager)
        expect = self.expectations(manager, token, self.id_token_algorithms(metadata))
        id_token = token.id_token
        now = manager.clock()
        try:
            claims = yield from validated(
                self.provider,
                manager,
                lambda keys: check_id_token(id_token, keys, expect, now, self.decryption_keys),
                needs_keys=needs_keys(id_token),
            )
        except Rejected as exc:
            raise id_token_error(exc.check, str(exc)) from None
        finally:
            self._exchanging = False
        if login:
            self.nonce = None  # single-use (§15.5.2)
        self.claims = claims
        return token

    # -- after the login -------------------------------------------------------------------------

    def userinfo_flow(
        self, manager: TokenManager, timeout: float | None = None
    ) -> Flow[dict[str, Any]]:
        """The UserInfo claims (OIDC Core §5.3), their ``sub`` checked against the ID token's."""
        metadata = yield from metadata_flow(self.provider, manager)
        algorithms = self.userinfo_algorithms or self.id_token_algorithms(metadata)
        if self.claims is None:
            yield from self._restore_claims(manager, metadata)
        return (
            yield from userinfo_flow(
                self.provider,
                manager,
                subject=None if self.claims is None else self.claims.subject,
                algorithms=algorithms,
                decryption_keys=self.decryption_keys,
                timeout=timeout,
            )
        )

    def _restore_claims(self, manager: TokenManager, metadata: ServerMetadata) -> Flow[None]:
        """The claims of a token this session did not validate itself (restored from a store
        or given as ``token=``), so that UserInfo's ``sub`` is still checked against them.

        Its signature, ``iss``, ``aud`` and ``sub`` are checked again; its times are not: it
        was validated when issued, and has most likely expired since (ID tokens are short).
        """
        token = manager.token
        id_token = None if token is None else token.id_token
        if id_token is None:
            return
        expect = IDTokenExpectations(
            issuer=self.issuer,
            client_id=self.client_id,
            algorithms=self.id_token_algorithms(metadata),
            trusted_audiences=self.trusted_audiences,
            leeway=_TIMELESS,
            client_secret=manager.client_secret,
        )
        now = manager.clock()
        try:
            self.claims = yield from validated(
                self.provider,
                manager,
                lambda keys: check_id_token(id_token, keys, expect, now, self.decryption_keys),
                needs_keys=needs_keys(id_token),
            )
        except Rejected as exc:
            raise id_token_error(exc.check, str(exc)) from None

    def end_session_url(
        self,
        manager: TokenManager,
        *,
        post_logout_redirect_uri: str | None = None,
        state: str | None = None,
        id_token_hint: str | None = None,
        **params: Any,
    ) -> str:
        """The RP-initiated logout URL, from the known metadata.

        Raises:
            UsageError: The metadata is not loaded yet, or names no ``end_session_endpoint``.
        """
        metadata = self.provider.metadata
        if metadata is None:
            raise UsageError("the provider's metadata is not loaded yet: discover() first")
        endpoint = metadata.endpoint("end_session_endpoint")
        if endpoint is None:
            raise UsageError(f"{self.issuer} names no end_session_endpoint (RP-Initiated Logout)")
        token = manager.token
        hint = id_token_hint or (token.id_token if token is not None else None)
        return build_end_session_url(
            endpoint,
            id_token_hint=hint,
            post_logout_redirect_uri=post_logout_redirect_uri,
            state=state,
            client_id=self.client_id,
            transport=manager.transport,
            **params,
        )

    def logout_token_flow(
        self, manager: TokenManager, logout_token: str
    ) -> Flow[LogoutTokenClaims]:
        """Validate a back-channel logout token with the provider's keys (refetched once for
        an unknown ``kid``); see :func:`~oauthkit.oidc.validate_logout_token`.

        Raises:
            LogoutTokenError: The check that failed.
        """
        metadata = yield from metadata_flow(self.provider, manager)
        from .._jose._verify import check_algorithms

        allowed = check_algorithms(self.id_token_algorithms(metadata), "logout tokens")
        now = manager.clock()
        try:
            return (
                yield from validated(
                    self.provider,
                    manager,
                    lambda keys: check_logout_token(
                        logout_token,
                        keys,
                        issuer=self.issuer,
                        client_id=self.client_id,
                        now=now,
                        algorithms=allowed,
                        leeway=self.leeway,
                        replay=self.replay,
                        client_secret=manager.client_secret,
                    ),
                    needs_keys=needs_keys(logout_token),
                )
            )
        except Rejected as exc:
            raise LogoutTokenError(
                f"logout token rejected ({exc.check}): {exc}", exc.check
            ) from None


def needs_keys(token: str) -> bool:
    """Whether verifying ``token`` needs the provider's keys (not an HMAC-signed JWS)."""
    if is_jwe(token):
        return True
    alg = peek_alg(token)  # None when unreadable: the validation itself reports the format
    # an alg that is a JSON array or object is unhashable: the validation reports it
    return not (isinstance(alg, str) and alg in HMAC_ALGORITHMS)


def _max_age(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise UsageError("max_age must be a whole number of seconds, 0 or more")
    return value
