"""Fast, seeded generators of hostile input, and mutators of existing input.

No Hypothesis here: a campaign needs millions of inputs per parser, so generation is plain
:class:`random.Random` calls (a few microseconds each) driven by one seed. :class:`Gen` writes
inputs from scratch, structure first (JSON written as text, so a member can repeat and a number
can be ``NaN``; forms; pages; callback URLs; challenge headers). :func:`mutate_bytes`,
:func:`mutate_text` and :func:`mutate_value` change an existing input the way fuzzers do (bit
flips, inserted tokens, deleted, duplicated and spliced ranges, values of another type), which
finds what no grammar thought of.
"""

from __future__ import annotations

import json
import random
from typing import Any
from urllib.parse import quote

from _vocabulary import (
    CALLBACK_NAMES,
    CONTENT_TYPES,
    ERROR_CODES,
    HEADER_PARTS,
    HOSTS,
    NAMES,
    NUMBERS,
    RUNS,
    SCHEMES,
    SPECIAL,
    TEMPLATES,
    TOKENS,
)


class Gen:
    """Writes inputs from scratch with one :class:`random.Random`."""

    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    def text(self, size: int = 12) -> str:
        r = self.r
        pool = SPECIAL if r.random() < 0.5 else "abcXYZ019-._~"
        return "".join(r.choice(pool) for _ in range(r.randrange(size + 1)))

    def name(self) -> str:
        return self.r.choice(NAMES) if self.r.random() < 0.85 else self.text(6)

    def scalar(self) -> str:
        r = self.r
        pick = r.random()
        if pick < 0.3:
            return r.choice(NUMBERS) if r.random() < 0.5 else str(r.randint(-(10**6), 10**12))
        if pick < 0.7:
            return json.dumps(self.text(), ensure_ascii=r.random() < 0.5)
        if pick < 0.8:
            return json.dumps(r.choice(ERROR_CODES))
        return r.choice(("true", "false", "null", '"\\ud800"', '"open', "nul"))

    def json_value(self, depth: int = 0) -> str:
        r = self.r
        pick = r.random()
        if depth > 4 or pick < 0.6:
            return self.scalar()
        if pick < 0.8:
            return "[" + ",".join(self.json_value(depth + 1) for _ in range(r.randrange(4))) + "]"
        return self.json_object(depth + 1)

    def json_object(self, depth: int = 0) -> str:
        # Written by hand: a member may repeat, which json.dumps cannot produce.
        count = self.r.randrange(9 if depth == 0 else 4)
        members = (f"{json.dumps(self.name())}:{self.json_value(depth)}" for _ in range(count))
        return "{" + ",".join(members) + "}"

    def protocol_object(self) -> str:
        """A valid response of some endpoint (``TEMPLATES``), a little broken: members dropped,
        values replaced, members added, so that parsers get past their first checks."""
        r = self.r
        members = []
        for name, value in r.choice(TEMPLATES).items():
            if r.random() < 0.1:
                continue
            text = self.json_value() if r.random() < 0.2 else json.dumps(value)
            members.append((name, text))
        for _ in range(r.choice((0, 0, 1, 3))):
            members.insert(r.randrange(len(members) + 1), (self.name(), self.json_value()))
        if r.random() < 0.3:  # as a form, as GitHub and OAuth 1.0a servers answer
            return "&".join(
                f"{quote(n, safe='')}={quote(t.strip(chr(34)), safe='')}" for n, t in members
            )
        return "{" + ",".join(f"{json.dumps(n)}:{t}" for n, t in members) + "}"

    def big(self) -> str:
        """10 to 50 kB of one short unit repeated: where a backtracking pattern goes quadratic
        (a run of 40,000 letters took the redaction 30 s)."""
        r = self.r
        unit = r.choice(RUNS) if r.random() < 0.8 else (self.text(3) or "a")
        prefix = r.choice(("", "<html>", "error=invalid_request&error_description=", '{"x": "'))
        return prefix + unit * (r.choice((10_000, 20_000, 50_000)) // len(unit))

    def deep(self) -> str:
        r = self.r
        depth = r.choice((100, 128, 129, 990, 1000, 5000, 100_000)) if r.random() < 0.3 else 0
        depth = depth or r.randint(1, 3000)
        shape = r.randrange(4)
        if shape == 0:
            return "[" * depth + "]" * depth
        if shape == 1:
            return "[" * depth
        if shape == 2:
            return '{"a":' * depth + "1" + "}" * depth
        return (
            '{"access_token":"x","oauth_token":"x","active":true,"x":'
            + "[" * depth
            + ("]" * depth + "}")
        )

    def form(self) -> str:
        r = self.r
        pairs = [
            (self.name() if r.random() < 0.8 else self.text(4), self.text())
            for _ in range(r.randrange(6))
        ]
        if r.random() < 0.5:
            return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)
        return "&".join(f"{k}={v}" for k, v in pairs)

    def body(self) -> bytes:
        r = self.r
        pick = r.random()
        if pick < 0.2:
            text = self.json_object()
        elif pick < 0.45:
            text = self.protocol_object()
        elif pick < 0.55:
            text = self.json_value()
        elif pick < 0.75:
            text = self.form()
        elif pick < 0.8:
            text = f"<html><body>{self.form()}</body></html>"
        elif pick < 0.81:
            text = self.deep() if r.random() < 0.8 else self.big()
        elif pick < 0.9:
            return r.randbytes(r.randrange(64))
        else:
            text = self.text(40)
        data = text.encode("utf-8", "surrogatepass")
        if r.random() < 0.03:
            data = b"\xef\xbb\xbf" + data
        elif r.random() < 0.02:
            data = text.encode("utf-16", "surrogatepass")
        return data

    def status(self) -> int:
        r = self.r
        pick = r.random()
        if pick < 0.4:
            return 200  # most parser code is behind a 2xx
        if pick < 0.7:
            return r.choice((201, 204, 299, 300, 302, 400, 401, 403, 404, 500, 503))
        return r.randint(100, 599)

    def content_type(self) -> str:
        return self.r.choice(CONTENT_TYPES) if self.r.random() < 0.9 else self.text(10)

    def response(self) -> tuple[int, str, bytes]:
        return self.status(), self.content_type(), self.body()

    def query(self) -> str:
        r = self.r
        pairs = []
        for _ in range(r.randrange(6)):
            name = r.choice(CALLBACK_NAMES) if r.random() < 0.8 else self.text(4)
            value = r.choice(("st-8a1f", "https://as.example", "C")) if r.random() < 0.3 else ""
            value = value or self.text()
            pairs.append(f"{name}={quote(value, safe='') if r.random() < 0.5 else value}")
        return "&".join(pairs)

    def url(self) -> str:
        r = self.r
        host = r.choice(HOSTS) if r.random() < 0.8 else self.text(8)
        path = r.choice(("/cb", "", "/a/../cb", "/%2e%2e/cb")) if r.random() < 0.8 else self.text(5)
        fragment = "#" + self.query() if r.random() < 0.3 else ""
        return f"{r.choice(SCHEMES)}{host}{path}?{self.query()}{fragment}"

    def callback(self) -> str | bytes | dict[Any, Any]:
        r = self.r
        pick = r.random()
        if pick < 0.45:
            return self.url()
        if pick < 0.75:
            return self.query()  # a form_post body
        if pick < 0.85:
            return self.query().encode("utf-8", "surrogatepass")
        if pick < 0.9:
            return r.randbytes(r.randrange(40)) if r.random() < 0.98 else self.big()
        return {self.callback_name(): self.py_value() for _ in range(r.randrange(5))}

    def callback_name(self) -> Any:
        r = self.r
        return r.choice(CALLBACK_NAMES) if r.random() < 0.8 else r.choice((self.text(4), 1, None))

    def header(self) -> str:
        r = self.r
        if r.random() < 0.002:
            return self.big()
        if r.random() < 0.2:
            return self.text(40)
        return "".join(
            r.choice(HEADER_PARTS) if r.random() < 0.8 else self.text(4)
            for _ in range(r.randrange(12))
        )

    def py_value(self, depth: int = 0) -> Any:
        r = self.r
        pick = r.random()
        if depth > 3 or pick < 0.7:
            return r.choice(
                (
                    None,
                    True,
                    False,
                    0,
                    -1,
                    3600,
                    10**400,
                    2**1024,
                    1.5,
                    float("nan"),
                    float("inf"),
                    -0.0,
                    1e308,
                    self.text(),
                    "3600",
                    "1e999",
                    "Bearer",
                    "a b",
                    "tok\n",
                    "x",
                    b"bytes",
                )
            )
        if pick < 0.85:
            return [self.py_value(depth + 1) for _ in range(r.randrange(4))]
        return {self.name(): self.py_value(depth + 1) for _ in range(r.randrange(4))}

    def fields(self) -> dict[Any, Any]:
        r = self.r
        data: dict[Any, Any] = {}
        for _ in range(r.randrange(9)):
            data[self.name() if r.random() < 0.95 else r.choice((1, None, b"k"))] = self.py_value()
        if r.random() < 0.5:
            data["access_token"] = r.choice(("at", "a b", "tök", "", self.text()))
        return data


def mutate_bytes(rng: random.Random, data: bytes, other: bytes = b"") -> bytes:
    """``data`` with one to four fuzzer mutations; ``other`` is a splice donor."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        size = len(buf)
        op = rng.randrange(9)
        at = rng.randrange(size + 1)
        if op == 0 and size:
            buf[at % size] ^= 1 << rng.randrange(8)
        elif op == 1 and size:
            buf[at % size] = rng.choice(b'\x00\xff"\\{}[],:=&%+#?/ \n\x80<')
        elif op == 2:
            buf[at:at] = rng.choice(TOKENS)
        elif op == 3:
            buf[at:at] = rng.randbytes(rng.randint(1, 8))
        elif op == 4 and size:
            del buf[at : at + rng.randint(1, max(1, size // 4))]
        elif op == 5 and size:
            start = rng.randrange(size)
            chunk = buf[start : start + rng.randint(1, 32)]
            buf[at:at] = chunk * (rng.choice((1, 2, 16)) if rng.random() < 0.99 else 1000)
        elif op == 6 and other:
            start = rng.randrange(len(other))
            buf[at:at] = other[start : start + rng.randint(1, 64)]
        elif op == 7:
            del buf[at:]
        elif op == 8 and size:
            buf[at:at] = str(rng.choice((10**400, 2**63, -1, 0))).encode()
    return bytes(buf[:200_000])


def mutate_text(rng: random.Random, text: str, other: str = "") -> str:
    """``text`` mutated as UTF-8 bytes; bytes that are not UTF-8 come back as lone surrogates."""
    data = mutate_bytes(
        rng, text.encode("utf-8", "surrogatepass"), other.encode("utf-8", "surrogatepass")
    )
    return data.decode("utf-8", "surrogateescape")


def mutate_value(gen: Gen, value: Any, depth: int = 0) -> Any:
    """A copy of a mapping or list with one member replaced, added, removed or mutated."""
    r = gen.r
    if isinstance(value, dict) and value and depth < 4 and r.random() < 0.8:
        out = dict(value)
        key = r.choice(list(out))
        op = r.randrange(4)
        if op == 0:
            del out[key]
        elif op == 1:
            out[gen.name()] = gen.py_value()
        elif op == 2:
            out[key] = mutate_value(gen, out[key], depth + 1)
        else:
            out[key] = gen.py_value()
        return out
    if isinstance(value, list) and value and depth < 4 and r.random() < 0.8:
        out_list = list(value)
        at = r.randrange(len(out_list))
        out_list[at] = mutate_value(gen, out_list[at], depth + 1)
        return out_list
    if isinstance(value, str) and r.random() < 0.7:
        return mutate_text(r, value)
    return gen.py_value()
