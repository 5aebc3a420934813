"""The dev provider's changes to oauthlib's OAuth 2 grants and endpoints.

oauthlib supplies the protocol; these pieces add what it lacks or relax what does not fit a
provider on loopback:

* :class:`CodeGrant`: the authorization code grant (RFC 6749 §4.1) with the ``iss`` response
  parameter (RFC 9207), the ``form_post`` response mode (OAuth 2.0 Form Post Response Mode), and
  PKCE (RFC 7636) checked more strictly than oauthlib does: well-formed values only, and no
  ``code_verifier`` for a code issued without a challenge (RFC 9700 §2.1.1).
* :class:`OpenIDCodeGrant`: oauthlib's OpenID Connect code flow (OpenID Connect Core §3.1)
  around a :class:`CodeGrant`, so ``openid`` requests get all of the above and an ID token.
* :func:`deliver`: the authorization response, success or error, in the requested mode.
* :class:`LoopbackMetadata`: RFC 8414 metadata with an ``http`` issuer, which oauthlib refuses;
  it carries the OpenID Provider members too (OpenID Connect Discovery 1.0 §3).
* :func:`bind_issuer`: the endpoints that name the issuer in what they answer (the metadata and
  the RFC 8628 device authorization endpoint), built once the provider has a port.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from oauthlib.common import add_params_to_uri
from oauthlib.oauth2 import AuthorizationCodeGrant, MetadataEndpoint
from oauthlib.oauth2.rfc6749 import errors as oauth2_errors
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint
from oauthlib.openid.connect.core.grant_types import (
    AuthorizationCodeGrant as OpenIDAuthorizationCodeGrant,
)

from ._oauth2_clients import AUTH_METHODS
from ._oauth2_store import new_user_code
from ._oauth2_validator import DevOAuth2Validator
from ._oidc_metadata import openid_metadata

__all__ = [
    "CodeGrant",
    "IssuerBound",
    "LoopbackMetadata",
    "OpenIDCodeGrant",
    "bind_issuer",
    "deliver",
]

# RFC 7636 §4.1 and §4.2: 43 to 128 unreserved characters.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")


def _form_post_page(action: str, params: list[tuple[str, str]]) -> str:
    """OAuth 2.0 Form Post Response Mode §2: an auto-submitting form to the redirect URI."""
    fields = "".join(
        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params
    )
    return (
        "<!DOCTYPE html><html><head><title>Submit this form</title></head>"
        '<body onload="document.forms[0].submit()">'
        f'<form method="post" action="{html.escape(action)}">{fields}'
        '<noscript><button type="submit">Continue</button></noscript></form></body></html>'
    )


def deliver(
    redirect_uri: str, params: list[tuple[str, str]], response_mode: str | None, issuer: str
) -> tuple[dict[str, str], str | None, int]:
    """An authorization response, success or error, as oauthlib's (headers, body, status).

    ``iss`` is added to every response, errors included (RFC 9207 §2). An unknown
    ``response_mode`` falls back to ``query``, the code flow's default, as oauthlib does.
    """
    params = [(k, str(v)) for k, v in params if v is not None]
    params.append(("iss", issuer))
    if response_mode == "form_post":
        headers = {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}
        return headers, _form_post_page(redirect_uri, params), 200
    location = add_params_to_uri(redirect_uri, params, fragment=response_mode == "fragment")
    return {"Location": location, "Cache-Control": "no-store"}, None, 302


class CodeGrant(AuthorizationCodeGrant):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's code grant, with RFC 9207 ``iss``, ``form_post``, and stricter PKCE.

    Args:
        validator: The provider's request validator.
        issuer: Returns the issuer identifier once the provider is running.
    """

    def __init__(self, validator: DevOAuth2Validator, issuer: Callable[[], str]) -> None:
        super().__init__(validator, post_auth=[_check_challenge], post_token=[self._check_pkce])
        self._issuer = issuer

    def prepare_authorization_response(
        self, request: Any, token: dict[str, str], headers: Any, body: Any, status: Any
    ) -> tuple[dict[str, str], str | None, int]:
        # oauthlib's hook for placing the grant in the redirect: placed here instead, to add
        # iss and the form_post mode that oauthlib does not offer.
        return deliver(
            request.redirect_uri, list(token.items()), request.response_mode, self._issuer()
        )

    def _check_pkce(self, request: Any) -> None:
        verifier = request.code_verifier
        if verifier is None:
            return
        if not _PKCE_VALUE.fullmatch(verifier):
            raise oauth2_errors.InvalidGrantError(
                description="code_verifier must be 43-128 unreserved characters (RFC 7636 4.1)",
                request=request,
            )
        # A verifier for a code issued without a challenge is a PKCE downgrade (RFC 9700
        # §2.1.1); oauthlib would accept it.
        if self.request_validator.get_code_challenge(request.code, request) is None:
            raise oauth2_errors.InvalidGrantError(
                description="code_verifier sent, but the authorization request had no challenge",
                request=request,
            )


class OpenIDCodeGrant(OpenIDAuthorizationCodeGrant):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's OpenID Connect code grant (OpenID Connect Core §3.1) over a :class:`CodeGrant`.

    oauthlib's grant extends a plain OAuth 2 code grant of its own making; this one extends
    the provider's, keeping RFC 9207 ``iss``, ``form_post`` and the stricter PKCE for
    ``openid`` requests. oauthlib still checks the OpenID parameters and builds the ID token,
    asking the validator (:mod:`~oauthkit.devserver._oidc_validator`) what it cannot know.

    Args:
        validator: The provider's request validator, answering the OpenID questions too.
        issuer: Returns the issuer identifier once the provider is running.
    """

    def __init__(self, validator: DevOAuth2Validator, issuer: Callable[[], str]) -> None:
        # oauthlib's own constructor, with the provider's grant as the one it extends.
        self.proxy_target = CodeGrant(validator, issuer)
        self.custom_validators.post_auth.append(self.openid_authorization_validator)
        self.register_token_modifier(self.add_id_token)


def _check_challenge(request: Any) -> dict[str, str]:
    challenge = request.code_challenge
    if challenge is not None and not _PKCE_VALUE.fullmatch(challenge):
        raise oauth2_errors.InvalidRequestError(
            description="code_challenge must be 43-128 unreserved characters (RFC 7636 4.2)",
            request=request,
        )
    return {}


class LoopbackMetadata(MetadataEndpoint):  # type: ignore[misc]  # oauthlib is untyped
    """oauthlib's RFC 8414 metadata, accepting an ``http`` issuer on loopback.

    RFC 8414 §2 wants an ``https`` issuer, and oauthlib enforces it; the provider only listens
    on loopback, where no one else sees the traffic. oauthlib still runs every other issuer
    check (no query, no fragment) on the issuer with its scheme swapped.
    """

    def validate_metadata(self, array: dict[str, Any], key: str, *args: Any, **kwargs: Any) -> None:
        value = array.get(key)
        if kwargs.get("is_issuer") and isinstance(value, str) and value.startswith("http://"):
            array = {key: "https://" + value[len("http://") :]}
        super().validate_metadata(array, key, *args, **kwargs)


class IssuerBound(NamedTuple):
    """The parts that need the issuer, known only once the server has a port."""

    metadata: Any
    device: Any


def bind_issuer(
    issuer: str,
    prefix: str,
    validator: DevOAuth2Validator,
    endpoints: Sequence[Any],
    *,
    device_code_ttl: int,
    device_interval: int,
) -> IssuerBound:
    """Build the metadata (RFC 8414 §2) and device authorization (RFC 8628 §3.1) endpoints.

    Args:
        issuer: The issuer identifier, the provider's base URL.
        prefix: The path, under ``issuer``, of the OAuth 2 routes.
        validator: The provider's request validator.
        endpoints: The oauthlib endpoints the metadata describes.
        device_code_ttl: Seconds a device code lives (RFC 8628 ``expires_in``).
        device_interval: Seconds a device must wait between polls (RFC 8628 ``interval``).

    Returns:
        Both endpoints.
    """
    base = f"{issuer}{prefix}"
    device = DeviceAuthorizationEndpoint(
        validator,
        verification_uri=f"{base}/device",
        expires_in=device_code_ttl,
        interval=device_interval,
        verification_uri_complete=f"{base}/device?user_code={{user_code}}",
        user_code_generator=new_user_code,
    )
    methods = list(AUTH_METHODS)
    claims = {
        "issuer": issuer,
        "authorization_endpoint": f"{base}/authorize",
        "token_endpoint": f"{base}/token",
        "device_authorization_endpoint": f"{base}/device_authorization",
        "revocation_endpoint": f"{base}/revoke",
        "introspection_endpoint": f"{base}/introspect",
        "token_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_methods_supported": methods,
        "introspection_endpoint_auth_methods_supported": methods,
        "response_modes_supported": ["query", "fragment", "form_post"],
        "code_challenge_methods_supported": ["S256", "plain"],
        "authorization_response_iss_parameter_supported": True,
        **openid_metadata(issuer),
    }
    return IssuerBound(LoopbackMetadata(list(endpoints), claims), device)
