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
from collections.abc import Mapping
from urllib.parse import unquote

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
# An echoed credential: "Authorization: Bearer abc", "Basic dXNlcjpwYXNz", "DPoP eyJ...", and
# the same inside a form value, where white space is "+" or "%20" and "+/=" are escaped.
_SPACE = r"(?:\s|\+|%(?:20|09|0[AaDd]))"  # white space, also as a form encodes it
_SCHEME_CREDENTIAL = re.compile(rf"(?i)\b(basic|bearer|dpop)({_SPACE}+)([A-Za-z0-9._~+/=%-]+)")
# Three base64url segments starting with a JSON object header: a JWT, whatever it is called.
# The look-behind (rather than \b) keeps each search linear: no match starts inside a run.
_JWT = re.compile(r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
# The "name =", "name:", '"name":' of a named value in free text (forms, logs, broken JSON,
# pages); a name may be percent-encoded and "=" or ":" too, as in a form value that quotes
# another form ("request=client_secret%3D..."). A name never starts inside a run of name
# characters, which keeps a search linear in the text (a run of 40,000 letters took 30 s).
# An escaped character of a name: not "=", ":", "&" or white space, which end the name.
_NAME_ESCAPE = r"%(?!3[AaDd]|26|20|09|0[AaDd])[0-9A-Fa-f]{2}"
_NAME = re.compile(
    rf"""(?x)
    (["']?)(?<![\w.%-])((?:[\w.-]|{_NAME_ESCAPE})+)\1  # a name, maybe quoted
    ({_SPACE}*(?:[=:]|%3[AaDd]){_SPACE}*(?:\[{_SPACE}*)?)  # = or :, and a JSON array opener
    """
)
# The value after a secret name: a quoted string (maybe cut off), or a run.
_VALUE = re.compile(r""""(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^"'&,\s}\];]+""")
_MAX_DEPTH = 8


def is_secret_name(name: object) -> bool:
    """Whether a field named ``name`` holds a credential (see the module docstring)."""
    if not isinstance(name, str):
        return False
    words = _WORDS.findall(name)
    return bool(words) and words[-1].lower() in _SECRET_WORDS


def redact_text(text: str) -> str:
    """``text`` with every credential it shows replaced by ``***``."""
    text = _SCHEME_CREDENTIAL.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    text = _JWT.sub(REDACTED, text)
    out = []
    pos = 0
    # The value of a name that is not secret is searched too: it may quote a whole form.
    while (found := _NAME.search(text, pos)) is not None:
        name = found.group(2)
        out.append(text[pos : found.end()])
        pos = found.end()
        if is_secret_name(unquote(name) if "%" in name else name):
            value = _VALUE.match(text, pos)
            if value is not None:
                mark = value.group()[0] if value.group()[0] in "'\"" else ""
                out.append(f"{mark}{REDACTED}{mark}")
                pos = value.end()
    out.append(text[pos:])
    return "".join(out)


def redact_value(value: Any, depth: int = _MAX_DEPTH) -> Any:
    """A copy of JSON-like ``value`` with secrets hidden at every depth.

    Members of any mapping (not only ``dict``: a ``MappingProxyType`` too) with a secret name
    lose their value whatever its type; strings anywhere are passed through
    :func:`redact_text`, member names included (a text body read as a form makes
    ``Authorization: Basic dXNlcjpwYXNz`` a name). Names that are not text become text JSON
    can hold, so that the copy always serialises.
    """
    if depth <= 0:
        return "…"
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            name = _name(key)
            hidden = isinstance(name, str) and is_secret_name(name) and item is not None
            out[name] = REDACTED if hidden else redact_value(item, depth - 1)
        return out
    if isinstance(value, (list, tuple)):
        return [redact_value(item, depth - 1) for item in value]
    if isinstance(value, str):
        return redact_text(value)
    return value


def excerpt(body: bytes | str | Any, limit: int = EXCERPT_LIMIT) -> str:
    """A short, single-line, credential-free excerpt of a body or value.

    A body that parses as JSON is redacted structurally and re-serialised; anything else is
    redacted as text, an HTML or XML page after its character references are decoded (an
    error page quoting the request shows ``&quot;client_secret&quot;: &quot;...``). Either
    way the result is cut to ``limit`` characters.

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
    elif stripped[:1] == "<":
        import html

        text = html.unescape(text)
    return _cut(redact_text(text), limit)


def _name(key: object) -> object:
    """A member name as JSON can show it: text redacted, bytes decoded, numbers as they are."""
    if isinstance(key, (bytes, bytearray)):
        key = bytes(key).decode("utf-8", "replace")
    if isinstance(key, str):
        return redact_text(key)
    if key is None or isinstance(key, (int, float)):
        return key
    return redact_text(repr(key))


def _dump(value: Any) -> str:
    import json

    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return "<unprintable>"


def _cut(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
