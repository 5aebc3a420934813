"""The one redaction vocabulary: what counts as a secret, and how it is hidden.

Everything that leaves oauthkit as text (exception messages, ``repr``, log lines) goes through
these functions. Secrets are recognised by pattern, not by a list of exact field names, so a
server that says ``accessToken``, ``Refresh-Token`` or nests ``{"data": {"id_token": ...}}``
is redacted as well as one that follows the RFCs:

* a *name* is secret when its last word is ``token``, ``secret``, ``code``, ``verifier``,
  ``assertion``, ``password``, ``key``, ``credential`` or ``hint`` in any case style
  (``access_token``,
  ``accessToken``, ``client-secret``, ``code_verifier``, ``device_secret``, ``issued_token``);
  ``token_type`` or ``code_challenge_method`` are not, because their last word is not;
* a value after ``Basic``, ``Bearer`` or ``DPoP`` (an echoed ``Authorization`` header) is
  secret, and so is anything shaped like a JWT;
* structured data (a parsed JSON body) is redacted at every depth.

This module imports only the standard library and nothing else of oauthkit, so the error tree
can use it.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing costs milliseconds at import; type checkers read this as True
if TYPE_CHECKING:
    from typing import Any

__all__ = ["EXCERPT_LIMIT", "REDACTED", "excerpt", "is_secret_name", "redact_text", "redact_value"]

REDACTED = "***"
EXCERPT_LIMIT = 200

_SECRET_WORDS = frozenset(
    {
        "token",
        "secret",
        "code",
        "verifier",
        "assertion",
        "password",
        "passwd",
        "key",
        "credential",
        "credentials",
        "jwt",
        "hint",
    }
)
# Word boundaries inside an identifier: separators, and lower-to-upper case changes.
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
# An echoed credential: "Authorization: Bearer abc", "Basic dXNlcjpwYXNz", "DPoP eyJ...".
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(basic|bearer|dpop)(\s+)([A-Za-z0-9._~+/=-]+)")
# Three base64url segments starting with a JSON object header: a JWT, whatever it is called.
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# name = value, name: value, "name": "value" in free text (forms, logs, broken JSON).
_NAMED_VALUE = re.compile(
    r"""(?x)
    (["']?)([A-Za-z_][\w.-]*)\1            # a name, maybe quoted
    (\s*[=:]\s*(?:\[\s*)?)                 # = or :, and a JSON array opener
    ("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^"'&,\s}\];]+)  # the value: quoted, or a run
    """
)
_MAX_DEPTH = 8


def is_secret_name(name: object) -> bool:
    """Whether a field named ``name`` holds a credential (see the module docstring)."""
    if not isinstance(name, str):
        return False
    words = _WORDS.findall(name)
    return bool(words) and words[-1].lower() in _SECRET_WORDS


def _hide(match: re.Match[str]) -> str:
    quote, name, sep, value = match.groups()
    if not is_secret_name(name):
        return match.group(0)
    mark = value[0] if value[:1] in ("'", '"') else ""
    return f"{quote}{name}{quote}{sep}{mark}{REDACTED}{mark}"


def redact_text(text: str) -> str:
    """``text`` with every credential it shows replaced by ``***``."""
    text = _SCHEME_CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    return _NAMED_VALUE.sub(_hide, text)


def redact_value(value: Any, depth: int = _MAX_DEPTH) -> Any:
    """A copy of JSON-like ``value`` with secrets hidden at every depth.

    Mapping members with a secret name lose their value whatever its type; strings anywhere
    are passed through :func:`redact_text`.
    """
    if depth <= 0:
        return "…"
    if isinstance(value, dict):
        return {
            key: REDACTED
            if is_secret_name(key) and item is not None
            else redact_value(item, depth - 1)
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [redact_value(item, depth - 1) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def excerpt(body: bytes | str | Any, limit: int = EXCERPT_LIMIT) -> str:
    """A short, single-line, credential-free excerpt of a body or value.

    A body that parses as JSON is redacted structurally and re-serialised; anything else is
    redacted as text. Either way the result is cut to ``limit`` characters.

    Args:
        body: The raw body as received, or an already parsed value.
        limit: Maximum number of characters kept.
    """
    if isinstance(body, (bytes, bytearray)):
        text = bytes(body).decode("utf-8", "replace")
    elif isinstance(body, str):
        text = body
    else:
        text = _dump(redact_value(body))
        return _cut(text, limit)
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        import json  # only when an error is being described; the signing path never loads it

        try:
            parsed = json.loads(stripped)
        except (ValueError, RecursionError):
            parsed = None
        else:
            text = _dump(redact_value(parsed))
            return _cut(text, limit)
    return _cut(redact_text(text), limit)


def _dump(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        return "<unprintable>"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
