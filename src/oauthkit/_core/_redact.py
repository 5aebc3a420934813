"""The one redaction vocabulary: what counts as a secret, and how it is hidden.

Everything that leaves oauthkit as text (exception messages, ``repr``, log lines) goes through
these functions. Secrets are recognised by pattern, not by a list of exact field names, so a
server that says ``accessToken``, ``Refresh-Token`` or nests ``{"data": {"id_token": ...}}``
is redacted as well as one that follows the RFCs:

* a *name* is secret when its last word is ``token``, ``secret``, ``code``, ``verifier``,
  ``assertion``, ``password``, ``key``, ``credential`` or ``hint`` in any case style
  (``access_token``, ``accessToken``, ``client-secret``, ``code_verifier``, ``device_secret``,
  ``issued_token``), or the name is CIBA's ``auth_req_id``;
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

__all__ = [
    "EXCERPT_LIMIT",
    "REDACTED",
    "excerpt",
    "is_secret_name",
    "redact_text",
    "redact_value",
    "scrub",
    "sent_secrets",
]

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
_AUTH_REQ_ID = ["auth", "req", "id"]
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
    if not words:
        return False
    # CIBA's auth_req_id (CIBA Core §7.3) is the credential a client polls with, though its
    # last word is "id"
    return words[-1].lower() in _SECRET_WORDS or [w.lower() for w in words[-3:]] == _AUTH_REQ_ID


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


_SHORTEST_SECRET = 6  # shorter values are not searched for: "1234" would blank every number


def sent_secrets(body: bytes | None, headers: Mapping[str, str]) -> frozenset[str]:
    """The credentials a request carried: the values of its secret form fields and of its
    ``Authorization`` header (for Basic, the decoded secret too).

    A server may echo them in a shape no pattern recognises (``<td>client_secret</td>
    <td>...</td>``); an error about its answer is scrubbed of them (:func:`scrub`).
    """
    found: set[str] = set()
    if body:
        from urllib.parse import parse_qsl

        text = body.decode("utf-8", "replace")
        found.update(v for k, v in parse_qsl(text, keep_blank_values=True) if is_secret_name(k))
    for name, value in headers.items():
        if name.lower() != "authorization":
            continue
        scheme, _, credential = value.partition(" ")
        credential = credential.strip()
        found.add(credential)
        if scheme.lower() == "basic":
            import base64
            import binascii

            try:
                decoded = base64.b64decode(credential, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                continue
            found.add(unquote(decoded.partition(":")[2].replace("+", " ")))
    return frozenset(value for value in found if len(value) >= _SHORTEST_SECRET)


def scrub(text: str, secrets: frozenset[str]) -> str:
    """``text`` without any of ``secrets``, as sent or as a form or a URL encodes them."""
    if not secrets or not text:
        return text
    from urllib.parse import quote, quote_plus

    for secret in sorted(secrets, key=len, reverse=True):
        for shown in {secret, quote_plus(secret), quote(secret, safe="")}:
            text = text.replace(shown, REDACTED)
    return text


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

    Only what could be shown is read: the first ``limit * 4`` characters of a text, as many
    members and characters of a JSON value, and no JSON body over a mebibyte, which shows
    nothing. Redacting costs about a second a megabyte, and a server's body can be tens of
    megabytes. A text cut short loses its last word as well, which could be a credential cut
    in half (a JWT without its signature no longer looks like one).

    Args:
        body: The raw body as received, or an already parsed value.
        limit: Maximum number of characters kept.
    """
    room = limit * _READ_AHEAD
    if isinstance(body, (bytes, bytearray)):
        text = bytes(body[: _JSON_LIMIT + 1]).decode("utf-8", "replace")
    elif isinstance(body, str):
        text = body
    else:
        return _cut(_dump(redact_value(_shrink(body, [room]))), limit)
    text = text.lstrip()
    if text[:1] in ("{", "["):
        if len(body) > _JSON_LIMIT:
            # Only a parsed value is redacted member by member (a secret's value may be an
            # object), and parsing millions of small members takes seconds: show none of it.
            return "(a JSON body too long to show)"
        import json  # only when an error is being described; the signing path never loads it

        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            pass
        else:
            return _cut(_dump(redact_value(_shrink(parsed, [room]))), limit)
    text = _window(text, room)
    if text[:1] == "<":
        import html

        text = html.unescape(text)
    return _cut(redact_text(text), limit)


_READ_AHEAD = 4  # an excerpt reads at most this many times its limit of a text (see excerpt())
_JSON_LIMIT = 1 << 20  # characters of JSON an excerpt parses
_LONG_NAME = 64  # a member name longer than this keeps its ends only
# What a credential can be made of (RFC 6750 b64token, JWT, percent-encoding), and the
# replacement character of a multi-byte sequence cut by a window.
_CREDENTIAL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=%\ufffd"


def _window(text: str, size: int) -> str:
    """The first ``size`` characters of ``text``, without the word the cut may have split."""
    if len(text) <= size:
        return text
    return text[:size].rstrip(_CREDENTIAL_CHARS) + "…"


def _shrink(value: Any, room: list[int], depth: int = _MAX_DEPTH) -> Any:
    """A copy of JSON-like ``value`` with no more than an excerpt can show.

    ``room[0]`` is the number of characters still to spend; every member costs at least one,
    so a list of millions of empty lists costs no more than a short one. Strings are cut with
    :func:`_window`; a long member name keeps its ends, the last word of which decides whether
    it names a secret (:func:`is_secret_name`).
    """
    room[0] -= 1
    if depth <= 0 or room[0] < 0:
        return "…"
    if isinstance(value, str):
        size = room[0]
        room[0] -= len(value)
        return _window(value, size)
    if isinstance(value, Mapping):
        shrunk: dict[Any, Any] = {}
        for key, item in value.items():
            if room[0] <= 0:
                shrunk["…"] = "…"
                break
            name = key
            if isinstance(name, (bytes, bytearray)) and len(name) > _LONG_NAME:
                name = bytes(name).decode("utf-8", "replace")
            if isinstance(name, str) and len(name) > _LONG_NAME:
                name = name[: _LONG_NAME // 4] + "…" + name[-_LONG_NAME // 2 :]
            room[0] -= len(name) if isinstance(name, (str, bytes, bytearray)) else 1
            shrunk[name] = _shrink(item, room, depth - 1)
        return shrunk
    if isinstance(value, (list, tuple)):
        items: list[Any] = []
        for item in value:
            if room[0] <= 0:
                items.append("…")
                break
            items.append(_shrink(item, room, depth - 1))
        return items
    return value


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
