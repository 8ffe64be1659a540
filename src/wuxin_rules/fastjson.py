r"""JSON lines read fast and exactly with msgspec, when it is installed (`[fast]` extra).

`parse_line` gives the very document `jsonio.parse_line` gives (dicts, lists, `str`, `int`,
`Decimal` for every number with a fraction or exponent, `bool`, `None`), with the very same
errors: msgspec decodes the line (in C, numbers with a fraction or exponent straight into
`Decimal` from their text, so exactly), and every line that is not plainly good goes to
`jsonio`, which reports it with its `file:line:column`, the offending text and a hint.

msgspec does not refuse what `jsonio` refuses beyond JSON's grammar, so the decoded
document is checked before it is trusted: nesting no deeper than `jsonio.MAX_DEPTH`, whole
numbers of at most 4300 digits, and no duplicate key. msgspec keeps the last of two equal
keys silently; a duplicate shows as fewer key ends (`"…":`) in the decoded document than in
the line. For a short line the decoded document is re-encoded by msgspec and its `":`
counted in C; longer lines are walked in Python. A line with an escape that could hide a
key end (`\u0022`, `\u003a`, escaped whitespace), and a line that fails a check, are read
by `jsonio`, which names the problem.

`parse_lines` reads many lines at once, as `parse_line` reads each: with msgspec, lines that
are all plain are decoded in one call, the lines joined into one JSON array (several times
faster than a call per line). Each element is held to its line first: the array is decoded
as raw elements, whose count and byte lengths must be the lines' (so no line can reach into
the next); then the checks above run over the whole array, the duplicate-key check counting
every `:` (one per key outside texts, whatever the spaces around it). Anything else, and every line
of a chunk where one is not plain, is read line by line.

Without msgspec, `parse_line` is `jsonio.parse_line`. May import `errors` and `jsonio`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wuxin_rules import jsonio
from wuxin_rules.errors import FactError

__all__ = ["available", "decode_plain", "parse_line", "parse_lines"]

_KEY_END = re.compile(r'"\s*:')
_SPACED_KEY_END = re.compile(r'"\s+:')
# Escapes that write a `"`, a `:` or JSON whitespace: they could hide a key end from the
# count (a line with one is read by jsonio).
_HIDING_ESCAPE = re.compile(r"\\u00(?:22|3[aA]|09|0[aAdD]|20)")
# The same, on the bytes of a chunk of lines (`parse_lines`).
_HIDING_ESCAPE_BYTES = re.compile(rb"\\u00(?:22|3[aA]|09|0[aAdD]|20)")
_JSON_SPACE = " \t\r\n"
_MAX_INT_BITS = (10**4300).bit_length()
_UNSET: Any = object()
_decoder: Any = _UNSET
_encode: Any = None
_raw_decoder: Any = None


def _get_decoder() -> Any:
    global _decoder
    if _decoder is _UNSET:
        try:
            import msgspec
        except ImportError:
            _decoder = None
        else:
            _decoder = msgspec.json.Decoder(float_hook=Decimal)
            global _encode, _raw_decoder
            _encode = msgspec.json.Encoder().encode
            _raw_decoder = msgspec.json.Decoder(list[msgspec.Raw])
    return _decoder


def available() -> bool:
    """True when msgspec is installed (then `parse_line` uses it)."""
    return _get_decoder() is not None


def parse_line(text: str, *, file: str | None = None, line: int = 1) -> Any:
    """One line of JSON lines, as `jsonio.parse_line` reads it (same document, same errors)."""
    decoder = _decoder if _decoder is not _UNSET else _get_decoder()
    if decoder is not None:
        body = text.rstrip("\r\n")
        try:
            document = decoder.decode(body)
        except Exception:  # msgspec.DecodeError, or anything else: jsonio says what is wrong
            pass
        else:
            if "\\u" in body and _HIDING_ESCAPE.search(body) is not None:
                return jsonio.parse_line(text, file=file, line=line)
            if _SPACED_KEY_END.search(body) is None:
                key_ends = body.count('":')
            else:
                key_ends = len(_KEY_END.findall(body))
            if len(body) < 4000 and body.count("{") + body.count("[") <= jsonio.MAX_DEPTH:
                # The common line: re-encoded by msgspec (in C), the document has one `":`
                # per key it kept, plus one per `"` followed by `:` inside its strings, which
                # the line has too (as `\":`, since no escape hides one): equal counts mean
                # no key was lost. Short and shallow: no over-long number, no nesting over
                # the limit.
                if _encode(document).count(b'":') == key_ends:
                    return document
            elif _plain(document, key_ends):
                return document
    return jsonio.parse_line(text, file=file, line=line)


def parse_lines(lines: Sequence[tuple[str, str | None, int]]) -> list[Any]:
    """Many lines of JSON lines, each `(text, file, line)`: in their place, each line's
    document as `parse_line` gives it, or the `FactError` it raises (returned, not raised)."""
    decoder = _decoder if _decoder is not _UNSET else _get_decoder()
    if decoder is not None and lines:
        documents = _plain_lines(decoder, [text for text, _, _ in lines])
        if documents is not None:
            return documents
    parsed: list[Any] = []
    for text, file, line in lines:
        try:
            parsed.append(parse_line(text, file=file, line=line))
        except FactError as error:
            parsed.append(error)
    return parsed


def decode_plain(bodies: list[bytes]) -> list[Any] | None:
    """The documents of JSON lines given as bytes (each line stripped of JSON whitespace, and
    not empty), decoded in one call as `parse_lines` decodes plain lines; None without
    msgspec, or unless every line is plain: valid UTF-8 (msgspec checks it), short, shallow,
    without a hidden or duplicate key. Then read the lines as texts (`parse_lines`), which
    names what is wrong. For readers that hold the lines' bytes (`batch`), which need not
    make each line a `str` first."""
    decoder = _decoder if _decoder is not _UNSET else _get_decoder()
    if decoder is None or not bodies:
        return None
    for body in bodies:
        if len(body) >= 4000 or body.count(b"{") + body.count(b"[") > jsonio.MAX_DEPTH:
            return None
    return _plain_bodies(decoder, bodies)


def _plain_lines(decoder: Any, texts: list[str]) -> list[Any] | None:
    """The documents of `texts` decoded in one call, or None unless every line is plain
    (then each is read alone, and jsonio names what is wrong)."""
    encoded: list[bytes] = []
    append = encoded.append
    for text in texts:
        try:
            body = text.strip(_JSON_SPACE).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: jsonio's error
            return None
        # Short and shallow, as in `parse_line`: no over-long number, no nesting too deep.
        if len(body) >= 4000 or body.count(b"{") + body.count(b"[") > jsonio.MAX_DEPTH:
            return None
        append(body)
    return _plain_bodies(decoder, encoded)


def _plain_bodies(decoder: Any, encoded: list[bytes]) -> list[Any] | None:
    """`_plain_lines` once each line is its stripped UTF-8 bytes."""
    data = b"[" + b",".join(encoded) + b"]"
    # (`in` on one byte is a memchr: the regex runs only where a backslash is.)
    if b"\\" in data and _HIDING_ESCAPE_BYTES.search(data) is not None:
        return None
    try:
        elements = _raw_decoder.decode(data)
    except Exception:
        return None
    # One element per line, each exactly its line's bytes: no line is part of another.
    if len(elements) != len(encoded):
        return None
    for element, body in zip(elements, encoded, strict=True):
        if len(element) != len(body):
            return None
    try:
        documents: list[Any] = decoder.decode(data)
    except Exception:
        return None
    # No key lost to a duplicate: outside texts, a `:` follows each key and nothing else,
    # and texts keep theirs when re-encoded (none is hidden in an escape), so a lost key
    # makes its line's count smaller, never larger: equal sums mean equal counts line by
    # line. (Counting `:` alone, not `"` and `:`, spaces between them do not matter.)
    if _encode(documents).count(b":") != data.count(b":"):
        return None
    return documents


def _plain(document: Any, key_ends: int) -> bool:
    """True when `document` is what jsonio would read from a line with `key_ends` matches of
    `"\\s*:`: not too deep, no over-long whole number, no key lost to a duplicate."""
    keys = 0
    stack = [(document, 1)]
    pop = stack.pop
    push = stack.append
    while stack:
        value, depth = pop()
        kind = type(value)
        if kind is dict:
            if depth > jsonio.MAX_DEPTH:
                return False
            keys += len(value)
            for key, item in value.items():
                if '"' in key:
                    keys += len(_KEY_END.findall(key))
                push((item, depth + 1))
        elif kind is list:
            if depth > jsonio.MAX_DEPTH:
                return False
            for item in value:
                push((item, depth + 1))
        elif kind is str:
            if '"' in value:
                keys += len(_KEY_END.findall(value))
        elif kind is int and value.bit_length() > _MAX_INT_BITS - 8:
            return False
    return keys == key_ends
