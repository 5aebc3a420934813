"""The dev provider's OAuth 1.0a endpoints, on oauthlib's server (RFC 5849).

Routes, all under ``/oauth1``:

* ``POST request_token``: temporary credentials, §2.1.
* ``GET authorize``: resource-owner authorization, §2.2. There is no resource owner to ask, so
  every pending request token is approved at once: a 302 to its callback with ``oauth_token``
  and ``oauth_verifier``, or, for ``oob``, a JSON body carrying the verifier.
* ``POST access_token``: token credentials, §2.3.
* ``GET|POST|PUT|PATCH|DELETE resource``: a protected resource, §3.2, that echoes as JSON what
  it verified, so a test can see that its parameters were signed and delivered.

Refusals say why. The token endpoints answer 401 with ``oauth_problem`` (the OAuth Problem
Reporting extension's vocabulary, e.g. ``signature_invalid``, ``nonce_used``) and malformed
requests 400 with oauthlib's ``error``; the resource endpoint answers the same in JSON.

oauthlib verifies the RSA methods through PyJWT, which oauthkit does not depend on. The
endpoints here verify them with ``cryptography`` instead, over oauthlib's own signature base
string (§3.4.1), and leave the HMAC methods and PLAINTEXT to oauthlib.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from oauthlib.oauth1 import (
    AccessTokenEndpoint,
    AuthorizationEndpoint,
    RequestTokenEndpoint,
    ResourceEndpoint,
)
from oauthlib.oauth1.rfc5849 import errors as oauth1_errors
from oauthlib.oauth1.rfc5849 import signature as oauth1_signature
from oauthlib.oauth1.rfc5849.endpoints.base import BaseEndpoint

from .._core._http import HttpRequest, HttpResponse
from ._oauth1_validator import DevRequestValidator
from ._server import Router, json_response, text_response
from ._store import AccessTokenRecord, OAuth1Store, new_secret

__all__ = ["PREFIX", "OAuth1Endpoints", "generate_rsa_key_pair"]

PREFIX = "/oauth1"
_FORM = "application/x-www-form-urlencoded"
_RSA_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "RSA-SHA1": hashes.SHA1,
    "RSA-SHA256": hashes.SHA256,
    "RSA-SHA512": hashes.SHA512,
}
_BODY_HASHES = {"SHA256": hashlib.sha256, "SHA512": hashlib.sha512}
# Which failed check explains a refusal, in the order a client should fix them.
_PROBLEMS = (
    ("nonce", "nonce_used", "this nonce was already used with this timestamp and token"),
    ("client", "consumer_key_unknown", "no client is registered under oauth_consumer_key"),
    ("resource_owner", "token_rejected", "oauth_token is unknown, used, or not this client's"),
    ("verifier", "verifier_invalid", "oauth_verifier does not match the approved request token"),
    ("callback", "parameter_rejected", "oauth_callback must be 'oob' or an absolute http(s) URL"),
    ("realm", "permission_denied", "the token does not cover the requested realm"),
    ("body_hash", "body_hash_invalid", "oauth_body_hash does not match the request body"),
    ("signature", "signature_invalid", "the signature does not verify"),
)
_UNPARSEABLE = (
    "parameter_rejected",
    "missing or malformed oauth_* parameters, an unsupported signature method, a version other "
    "than 1.0, or a timestamp more than 600 s away from the server's clock",
)


def generate_rsa_key_pair(key_size: int = 2048) -> tuple[str, str]:
    """Generate an RSA key pair for a test client.

    Returns:
        ``(private_pem, public_pem)``: PKCS#8 and SubjectPublicKeyInfo PEM text.
    """
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_size)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def _verify_rsa(request: Any, public_pem: str | None, algorithm: hashes.HashAlgorithm) -> bool:
    """RSASSA-PKCS1-v1_5 verification of §3.4.3, over oauthlib's base string."""
    if not public_pem or not request.signature:
        return False
    try:
        base_string = oauth1_signature.signature_base_string(
            request.http_method,
            oauth1_signature.base_string_uri(request.uri),
            oauth1_signature.normalize_parameters(request.params),
        )
        signature = base64.b64decode(request.signature, validate=True)
        key = serialization.load_pem_public_key(public_pem.encode("ascii"))
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        key.verify(signature, base_string.encode("ascii"), padding.PKCS1v15(), algorithm)
    except (InvalidSignature, binascii.Error, UnicodeError, ValueError):
        return False
    return True


class _CryptographyRSA(BaseEndpoint):  # type: ignore[misc]  # oauthlib is untyped
    """Verifies the RSA methods with ``cryptography``; defers every other method to oauthlib."""

    def _check_signature(self, request: Any, is_token_request: bool = False) -> bool:
        hash_factory = _RSA_HASHES.get(request.signature_method)
        if hash_factory is None:
            return bool(super()._check_signature(request, is_token_request))
        public_pem = self.request_validator.get_rsa_key(request.client_key, request)
        return _verify_rsa(request, public_pem, hash_factory())


class _RequestTokenEndpoint(_CryptographyRSA, RequestTokenEndpoint):  # type: ignore[misc]
    pass


class _AccessTokenEndpoint(_CryptographyRSA, AccessTokenEndpoint):  # type: ignore[misc]
    pass


class _ResourceEndpoint(_CryptographyRSA, ResourceEndpoint):  # type: ignore[misc]
    pass


def _problem(validator_log: dict[str, bool]) -> tuple[str, str]:
    for check, problem, advice in _PROBLEMS:
        if validator_log.get(check) is False:
            return problem, advice
    return _UNPARSEABLE


def _form_refusal(problem: str, advice: str) -> HttpResponse:
    body = urlencode({"oauth_problem": problem, "oauth_problem_advice": advice})
    return text_response(401, body, _FORM)


def _json_refusal(problem: str, advice: str) -> HttpResponse:
    return json_response(401, {"error": "unauthorized", "oauth_problem": problem, "detail": advice})


def _error_text(exc: Any) -> tuple[str, str]:
    description = exc.description
    if not isinstance(description, str):  # oauthlib passes a tuple in one message
        description = " ".join(str(part) for part in description)
    return str(exc.error), description


def _header(request: HttpRequest, name: str) -> str:
    lowered = name.lower()
    for key, value in request.headers.items():
        if key.lower() == lowered:
            return value
    return ""


def _is_form(request: HttpRequest) -> bool:
    return _FORM in _header(request, "Content-Type").lower()


def _oauthlib_request(request: HttpRequest) -> tuple[str, str, str, dict[str, str]]:
    """(url, method, body text, headers) as oauthlib's endpoints take them.

    Raises:
        UnicodeDecodeError: A form body is not UTF-8.
    """
    headers = dict(request.headers)
    is_form = _is_form(request)
    body = request.body.decode("utf-8") if is_form and request.body else ""
    return request.url, request.method, body, headers


def _signature_type(request: HttpRequest) -> str:
    if _header(request, "Authorization").lower().startswith("oauth "):
        return "AUTH_HEADER"
    if any(k == "oauth_signature" for k, _ in parse_qsl(urlsplit(request.url).query)):
        return "QUERY"
    return "BODY"


class OAuth1Endpoints:
    """The OAuth 1.0a half of the dev provider.

    Args:
        store: Where clients and tokens live.
        token_generator: Makes tokens, secrets and verifiers.
    """

    def __init__(self, store: OAuth1Store, token_generator: Callable[[], str] = new_secret) -> None:
        self._store = store
        self._new = token_generator
        # Checking a request token and retiring it must be one step, or two racing exchanges
        # of the same token could both succeed (§2.3: the temporary credentials are used once).
        self._exchange_lock = threading.Lock()
        validator = DevRequestValidator(store)
        self._request_token = _RequestTokenEndpoint(validator, token_generator)
        self._authorize = AuthorizationEndpoint(validator, token_generator)
        self._access_token = _AccessTokenEndpoint(validator, token_generator)
        self._resource = _ResourceEndpoint(validator, token_generator)

    def mount(self, router: Router) -> None:
        """Add the ``/oauth1/...`` routes to ``router``."""
        router.add(f"{PREFIX}/request_token", self.request_token, ("POST", "GET"))
        router.add(f"{PREFIX}/authorize", self.authorize, ("GET",))
        router.add(f"{PREFIX}/access_token", self.access_token, ("POST", "GET"))
        router.add(f"{PREFIX}/resource", self.resource, ("GET", "POST", "PUT", "PATCH", "DELETE"))

    def issue_access_token(self, client_key: str, realms: tuple[str, ...] = ()) -> dict[str, str]:
        """Mint token credentials for ``client_key`` without running the flow.

        Returns:
            ``oauth_token`` and ``oauth_token_secret``, as the access-token endpoint sends them.
        """
        key, secret = self._new(), self._new()
        self._store.add_access_token(key, AccessTokenRecord(client_key, secret, realms))
        return {"oauth_token": key, "oauth_token_secret": secret}

    # -- §2.1 and §2.3 ----------------------------------------------------------------------

    def request_token(self, request: HttpRequest) -> HttpResponse:
        """Issue temporary credentials (RFC 5849 §2.1)."""
        endpoint = self._request_token
        return self._token_response(
            request,
            endpoint,
            endpoint.validate_request_token_request,
            lambda oreq: str(endpoint.create_request_token(oreq, {})),
        )

    def access_token(self, request: HttpRequest) -> HttpResponse:
        """Exchange an approved request token for token credentials (RFC 5849 §2.3)."""
        endpoint = self._access_token

        def issue(oreq: Any) -> str:
            body = str(endpoint.create_access_token(oreq, {}))
            validator = endpoint.request_validator
            validator.invalidate_request_token(oreq.client_key, oreq.resource_owner_key, oreq)
            return body

        with self._exchange_lock:
            return self._token_response(
                request, endpoint, endpoint.validate_access_token_request, issue
            )

    def _token_response(
        self,
        request: HttpRequest,
        endpoint: Any,
        validate: Callable[[Any], tuple[bool, Any]],
        issue: Callable[[Any], str],
    ) -> HttpResponse:
        # The endpoints' create_*_response methods answer a refusal with an empty 401; running
        # their public validate/create halves separately keeps validator_log for the reason.
        try:
            url, method, body, headers = _oauthlib_request(request)
            oreq = endpoint._create_request(url, method, body, headers)
            valid, oreq = validate(oreq)
            if not valid:
                return _form_refusal(*_problem(oreq.validator_log))
            return text_response(200, issue(oreq), _FORM)
        except oauth1_errors.OAuth1Error as exc:
            error, description = _error_text(exc)
            payload = urlencode({"error": error, "error_description": description})
            return text_response(exc.status_code, payload, _FORM)
        except (ValueError, UnicodeDecodeError):
            return text_response(400, "error=invalid_request", _FORM)

    # -- §2.2 -------------------------------------------------------------------------------

    def authorize(self, request: HttpRequest) -> HttpResponse:
        """Approve a request token on the resource owner's behalf (RFC 5849 §2.2)."""
        query = dict(parse_qsl(urlsplit(request.url).query))
        record = self._store.request_token(query.get("oauth_token", ""))
        realms = list(record.realms) if record is not None else None
        try:
            headers, body, status = self._authorize.create_authorization_response(
                request.url, http_method="GET", realms=realms
            )
        except oauth1_errors.OAuth1Error as exc:
            error, description = _error_text(exc)
            return json_response(
                exc.status_code, {"error": error, "error_description": description}
            )
        except ValueError:
            return json_response(400, {"error": "invalid_request"})
        if status == 302:
            return HttpResponse(302, {"Location": headers["Location"], "Cache-Control": "no-store"})
        # oob (§2.1): no callback to redirect to, so the verifier is shown instead.
        return json_response(200, dict(parse_qsl(body)))

    # -- §3.2 -------------------------------------------------------------------------------

    def resource(self, request: HttpRequest) -> HttpResponse:
        """A protected resource that reports what it verified (RFC 5849 §3.2)."""
        try:
            url, method, body, headers = _oauthlib_request(request)
        except UnicodeDecodeError:
            return json_response(
                400, {"error": "invalid_request", "detail": "form body is not UTF-8"}
            )
        try:
            valid, oreq = self._resource.validate_protected_resource_request(
                url, http_method=method, body=body, headers=headers
            )
        except ValueError:
            valid, oreq = False, None
        if oreq is None:
            return _json_refusal(*_UNPARSEABLE)
        log = dict(oreq.validator_log)
        body_hash = oreq.oauth_params.get("oauth_body_hash")
        if valid and body_hash is not None:
            log["body_hash"] = self._body_hash_matches(request, oreq.signature_method, body_hash)
            valid = log["body_hash"]
        if not valid:
            return _json_refusal(*_problem(log))
        return json_response(200, self._echo(request, oreq, body_hash is not None))

    @staticmethod
    def _body_hash_matches(request: HttpRequest, signature_method: str, received: str) -> bool:
        # OAuth Request Body Hash §3.2: never with a form body; SHA-1 unless the signature
        # method names a longer hash.
        if _is_form(request):
            return False
        hasher = _BODY_HASHES.get(signature_method.rpartition("-")[2], hashlib.sha1)
        expected = base64.b64encode(hasher(request.body or b"").digest()).decode("ascii")
        return hmac.compare_digest(expected, received)

    @staticmethod
    def _echo(request: HttpRequest, oreq: Any, body_hash_checked: bool) -> dict[str, object]:
        def strip(pairs: list[tuple[str, str]]) -> list[list[str]]:
            return [[k, v] for k, v in pairs if not k.startswith("oauth_")]

        query = parse_qsl(urlsplit(request.url).query, keep_blank_values=True)
        content_type = _header(request, "Content-Type")
        is_form = _is_form(request)
        form = parse_qsl(oreq.body or "", keep_blank_values=True) if is_form else []
        echo: dict[str, object] = {
            "method": request.method,
            "client_key": oreq.client_key,
            "token": oreq.resource_owner_key,
            "signature_method": oreq.signature_method,
            "signature_type": _signature_type(request),
            "query": strip(query),
            "form": strip(form),
        }
        if body_hash_checked:
            echo["body_hash"] = "verified"
        if request.body and not is_form:
            echo["content_type"] = content_type
            echo["body"] = request.body.decode("utf-8", "replace")[:2000]
        return echo
