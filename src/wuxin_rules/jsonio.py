"""Exact JSON reading and writing: facts documents in, results out, never a binary float.

Owns how JSON text becomes data and data becomes JSON text:

* `loads` / `load_path` read one document. Numbers come out as `int` or `decimal.Decimal`
  (exactly as written); `NaN`, `Infinity` and duplicate keys are errors. Every problem is a
  `FactError` whose diagnostic points at `file:line:column` with the offending text and a hint.
* `iter_json_lines` streams JSON lines (one document per non-blank line) in constant memory;
  from a binary stream (`open_json_lines`) each line is decoded alone, so a line that is not
  UTF-8 is that line's `bad-encoding`.
* `dumps` writes `values.RawNumber` unquoted (exact decimals), `Decimal` exactly, and refuses
  floats.

Limits, so that hostile or broken input is an error and never a crash or a hang:

* `MAX_DOCUMENT_SIZE` (64 MiB) per document: characters of text, or bytes of a file. It
  applies to each line of a JSON-lines stream; the stream as a whole has no limit.
* `MAX_DEPTH` (128) levels of `[`/`{` nesting. A linear, string-aware pre-scan refuses deeper
  documents with `too-deep` before `json` recurses, so Python's recursion limit is never hit.
* Whole numbers of more than 4300 digits (Python's own limit) are `bad-json`.

May import `source`, `errors` and `values`.
"""

from __future__ import annotations

import codecs
import itertools
import json
import os
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import IO, Any

import attrs

from wuxin_rules.errors import Diagnostic, FactError, InternalError, UsageError, os_reason
from wuxin_rules.messages import english
from wuxin_rules.source import Source, Span
from wuxin_rules.values import RawNumber, integer_text

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_SIZE",
    "dumps",
    "iter_json_lines",
    "iter_line_texts",
    "load_path",
    "loads",
    "open_json_lines",
    "parse_line",
]

MAX_DOCUMENT_SIZE = 64 * 1024 * 1024
"""Largest single document: 64 MiB of text (of UTF-8 bytes for a file). A facts document is
a handful of records; batches belong in JSON lines, where the limit applies to each line."""

MAX_DEPTH = 128
"""Deepest `[`/`{` nesting accepted in a document (facts nest a few levels at most)."""


# ------------------------------------------------------------------------------------------
# Reading


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _BadConstant(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _LongInteger(Exception):
    def __init__(self, digits: str) -> None:
        super().__init__(digits[:20])
        self.digits = digits


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return result


def _constant(name: str) -> Any:
    raise _BadConstant(name)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        # Python refuses to convert integers longer than `sys.get_int_max_str_digits()`.
        raise _LongInteger(text) from None


_DECODER = json.JSONDecoder(
    parse_float=Decimal,
    parse_int=_integer,
    parse_constant=_constant,
    object_pairs_hook=_object,
)

# Strings (possibly unterminated: they then run to the end), brackets, colons and the
# non-JSON constants. Matching strings first is what makes every scan string-aware.
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[\[\]{}:]|NaN|-?Infinity', re.DOTALL)
_NOT_STRUCTURE = bytes(set(range(256)) - set(b'"[]{}'))
_DEPTH_STEP = [{ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}.get(b, 0) for b in range(256)]


@attrs.frozen(eq=False, slots=False)
class _LineSource(Source):
    """One line of a JSON-lines stream, reported with its line number in the stream.

    Only the line's text is held, so an error on line ten million costs no more than one
    on line one.
    """

    first_line: int = 1

    def line_col(self, offset: int) -> tuple[int, int]:
        line, column = super().line_col(offset)
        return line + self.first_line - 1, column

    def line_text(self, line: int) -> str:
        return super().line_text(line - self.first_line + 1)

    def offset_of(self, line: int, column: int) -> int:
        return super().offset_of(line - self.first_line + 1, column)


def loads(text: str, *, file: str | None = None) -> Any:
    """Parse one JSON document exactly: numbers are `int` or `Decimal`, never floats.

    Raises `FactError` (`bad-json`, `duplicate-key`, `too-deep`, `too-large`) located at
    `file:line:column` with the offending text and a hint. A leading byte-order mark is ignored.
    """
    return _parse(text, file or "<string>", 1)


def _unreadable(name: str, error: OSError) -> UsageError:
    """A facts file that cannot be opened or read: a wrong command, not a bad document."""
    reason = os_reason(error, (error.strerror or type(error).__name__).lower())
    return UsageError(
        Diagnostic(
            "unreadable-file",
            english("cannot-read-facts", name=name, reason=reason),
            file=name,
            help=english("check-path-permissions"),
        )
    )


def load_path(path: str | os.PathLike[str]) -> Any:
    """Read and parse the JSON document in the UTF-8 file `path` (a byte-order mark is fine).

    A missing or unreadable file is a `UsageError`; a file that is not UTF-8, not JSON or over
    the limits is a `FactError`.
    """
    name = os.fspath(path)
    try:
        with open(name, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_DOCUMENT_SIZE:
                raise FactError(_too_large(name, size, "bytes"))
            data = handle.read(MAX_DOCUMENT_SIZE + 1)
    except FactError:
        raise
    except OSError as exc:
        raise _unreadable(name, exc) from None
    if len(data) > MAX_DOCUMENT_SIZE:  # the file grew while we read it
        raise FactError(_too_large(name, len(data), "bytes"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FactError(
            Diagnostic(
                "bad-encoding",
                english(
                    "facts-not-utf8",
                    index=exc.start + 1,
                    line=line,
                    byte=format(data[exc.start], "02x"),
                ),
                file=name,
                help=english("save-utf8"),
            )
        ) from None
    return _parse(text, name, 1)


def iter_json_lines(
    stream: IO[str] | IO[bytes],
    *,
    file: str | None = None,
    on_error: Callable[[FactError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Parse a JSON-lines stream lazily: yield `(line number, document)` per non-blank line.

    Memory stays constant however long the stream is: one line is read at a time, and a line
    over `MAX_DOCUMENT_SIZE` is skipped in chunks, not held. A bad line raises `FactError`
    (with its line number) and ends the iteration, unless `on_error` is given: then the error
    is passed to it and the iteration goes on with the next line.
    """
    name = file or "<input>"
    for number, text in iter_line_texts(stream, file=file):
        try:
            if isinstance(text, FactError):
                raise text
            document = _parse(text, name, number)
        except FactError as error:
            if on_error is None:
                raise
            on_error(error)
            continue
        yield number, document


def open_json_lines(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a JSON-lines file for `iter_line_texts`, in binary: each line is decoded alone, so
    that a byte that is not UTF-8 makes only its own line an error.

    A missing or unreadable file is a `UsageError`.
    """
    name = os.fspath(path)
    try:
        return open(name, "rb")
    except OSError as exc:
        raise _unreadable(name, exc) from None


def iter_line_texts(
    stream: IO[str] | IO[bytes], *, file: str | None = None, start: int = 1
) -> Iterator[tuple[int, str | FactError]]:
    """The lines of a JSON-lines stream unparsed, for parsing elsewhere (`wuxin eval --jobs`).

    Yields `(line number, text)` for every non-blank line, or `(line number, FactError)` for
    a line over `MAX_DOCUMENT_SIZE` (`too-large`, skipped in chunks, never held) or, from a
    binary stream (`open_json_lines`, standard input's `buffer`), a line that is not UTF-8
    (`bad-encoding`); reading one line at a time as `iter_json_lines` does. A byte-order mark
    is ignored. `parse_line` turns a text into its document. `start` is the number of the
    stream's first line (a stream that begins inside a file).
    """
    name = file or "<input>"
    for number in itertools.count(start):
        raw = stream.readline(MAX_DOCUMENT_SIZE + 1)
        if not raw:
            return
        newline: str | bytes = "\n"
        if isinstance(raw, bytes):
            newline = b"\n"
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
        elif number == 1 and raw.startswith("\ufeff"):
            raw = raw[1:]
        if len(raw) > MAX_DOCUMENT_SIZE and not raw.endswith(newline):  # type: ignore[arg-type]
            size = len(raw)
            while True:
                chunk = stream.readline(1 << 20)
                size += len(chunk)
                if not chunk or chunk.endswith(newline):  # type: ignore[arg-type]
                    break
            unit = "bytes" if isinstance(raw, bytes) else "characters"
            yield number, FactError(_too_large(f"{name}:{number}", size, unit))
            continue
        if isinstance(raw, bytes):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield number, FactError(_not_utf8(f"{name}:{number}", raw, exc.start))
                continue
        else:
            line = raw
        if not line.isspace():
            yield number, line


def _not_utf8(where: str, line: bytes, index: int) -> Diagnostic:
    return Diagnostic(
        "bad-encoding",
        english("line-not-utf8", index=index + 1, byte=f"0x{line[index]:02x}"),
        file=where,
        help=english("line-not-utf8.help"),
    )


def parse_line(text: str, *, file: str | None = None, line: int = 1) -> Any:
    """One line of a JSON-lines stream (from `iter_line_texts`) parsed exactly, errors located
    at `file:line` (the line's end is not part of the document, so a line cut short is
    reported on that line, not at the start of the next)."""
    return _parse(text.rstrip("\r\n"), file or "<input>", line)


def _parse(text: str, name: str, first_line: int) -> Any:
    if len(text) > MAX_DOCUMENT_SIZE:
        raise FactError(_too_large(name, len(text), "characters"))
    if text.startswith("\ufeff"):
        text = text[1:]
    too_deep = _too_deep_at(text)
    if too_deep is not None:
        raise FactError(
            _located(
                text,
                name,
                first_line,
                too_deep,
                too_deep + 1,
                "too-deep",
                english("document-too-deep", limit=MAX_DEPTH),
                english("jsonio.facts-nest-records-and.help"),
            )
        )
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        raise FactError(_syntax_error(text, name, first_line, exc)) from None
    except _DuplicateKey as exc:
        offset = _duplicate_offset(text, exc.key)
        key_text = json.dumps(exc.key, ensure_ascii=False)
        raise FactError(
            _located(
                text,
                name,
                first_line,
                offset,
                offset + len(key_text),
                "duplicate-key",
                english("jsonio.duplicate-key", key_text=key_text),
                english("jsonio.object-may-name-each.help"),
            )
        ) from None
    except _BadConstant as exc:
        offset = _constant_offset(text, exc.name)
        raise FactError(
            _located(
                text,
                name,
                first_line,
                offset,
                offset + len(exc.name),
                "bad-json",
                english("jsonio.not-json-number", value=exc.name),
                english("jsonio.write-exact-number-or.help"),
            )
        ) from None
    except _LongInteger as exc:
        offset = max(text.find(exc.digits), 0)
        raise FactError(
            _located(
                text,
                name,
                first_line,
                offset,
                offset + len(exc.digits),
                "bad-json",
                english("jsonio.number-with-digits-too", count=len(exc.digits.lstrip("-"))),
                english("jsonio.whole-numbers-may-have.help"),
            )
        ) from None
    except RecursionError:
        # INVARIANT: unreachable after the depth pre-scan; kept so that no input can ever
        # surface a RecursionError.
        raise FactError(
            Diagnostic("too-deep", english("document-too-deep", limit=MAX_DEPTH), file=name)
        ) from None


def _too_deep_at(text: str) -> int | None:
    """The offset of the first bracket deeper than `MAX_DEPTH`, or None. Linear time.

    Brackets inside text do not count. The check runs at C speed (about a tenth of the time
    `json` takes to parse): escaped backslashes and quotes are removed, every byte but quotes
    and brackets is deleted (UTF-8 multi-byte characters never contain ASCII bytes), and what
    lies between the quotes is text.
    """
    # Fast path: few brackets cannot nest deep (brackets inside text only add to the count).
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    plain = text.replace("\\\\", "").replace('\\"', "") if "\\" in text else text
    structure = plain.encode("utf-8", "surrogatepass").translate(None, _NOT_STRUCTURE)
    # A text without brackets is now `""`: drop those pairs. Quotes remain only when some
    # text holds a bracket; then every other run between quotes is text.
    outside = structure.replace(b'""', b"")
    if b'"' in outside:
        outside = b"".join(structure.split(b'"')[::2])
    if (
        len(outside) <= MAX_DEPTH
        or max(itertools.accumulate(map(_DEPTH_STEP.__getitem__, outside))) <= MAX_DEPTH
    ):
        return None
    # Error path only: find where, token by token (None if the text is broken anyway: the
    # parser will then say how).
    depth = 0
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in ("]", "}"):
            depth -= 1
    return None


def _duplicate_offset(text: str, key: str) -> int:
    """The offset of the second occurrence of `key` in one object (error path only)."""
    objects: list[set[str] | None] = []
    last_string: re.Match[str] | None = None
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in ("{", "["):
            objects.append(set() if token == "{" else None)
        elif token in ("}", "]"):
            if objects:
                objects.pop()
        elif token == ":":
            keys = objects[-1] if objects else None
            if keys is not None and last_string is not None:
                try:
                    name = json.loads(last_string.group())
                except ValueError:
                    continue
                if name in keys and name == key:
                    return last_string.start()
                keys.add(name)
        elif token.startswith('"'):
            last_string = match
    return 0


def _constant_offset(text: str, constant: str) -> int:
    for match in _TOKEN.finditer(text):
        if match.group() == constant:
            return match.start()
    return 0


_UNTERMINATED = "jsonio.unterminated-text"

# json's messages (prefix) → the keys of our message and hint.
_SYNTAX: tuple[tuple[str, str, str], ...] = (
    ("Expecting value", "jsonio.expected-value", "jsonio.expected-value.help"),
    ("Expecting ',' delimiter", "jsonio.expected-comma", "jsonio.expected-comma.help"),
    ("Expecting ':' delimiter", "jsonio.expected-colon", "jsonio.expected-colon.help"),
    (
        "Expecting property name enclosed in double quotes",
        "jsonio.expected-key",
        "jsonio.expected-key.help",
    ),
    ("Unterminated string", _UNTERMINATED, "jsonio.unterminated-text.help"),
    ("Invalid control character", "jsonio.control-character", "jsonio.control-character.help"),
    ("Invalid \\escape", "jsonio.invalid-escape", "jsonio.invalid-escape.help"),
    ("Invalid \\uXXXX escape", "jsonio.invalid-escape", "jsonio.invalid-u-escape.help"),
    ("Extra data", "jsonio.expected-end", "jsonio.expected-end.help"),
)

_PROBLEMS = frozenset(("jsonio.control-character", "jsonio.invalid-escape"))
"""The keys that say what is wrong rather than what was expected."""

_WORD = re.compile(r"[^\s,:\[\]{}]{1,24}|\S")


def _syntax_error(text: str, name: str, first_line: int, exc: json.JSONDecodeError) -> Diagnostic:
    pos = min(exc.pos, len(text))
    known = next((row for row in _SYNTAX if exc.msg.startswith(row[0])), None)
    # json has no other messages today; should one appear, its own words are shown.
    key = known[1] if known is not None else None
    help_text: str = english(known[2] if known is not None else "jsonio.check-syntax.help")
    word_match = _WORD.match(text, pos)
    word = word_match.group() if word_match else ""
    end = pos + len(word)
    found: str
    if not text.strip():
        found, help_text = english("jsonio.end-of-input"), english("jsonio.empty-document.help")
    elif not word:
        found = english("jsonio.end-of-input")
        if key != _UNTERMINATED:
            help_text = english("jsonio.document-ends-too-early.help", brace="{")
    else:
        found = f"`{word}`"  # the document's own text, as written
        before = text[:pos].rstrip()
        if word in ("]", "}") and before.endswith(","):
            help_text = english("jsonio.remove-trailing-comma.help")
        elif word.startswith("'"):
            help_text = english("jsonio.json-writes-text-and.help")
        elif word in ("True", "False", "None", "TRUE", "FALSE", "NULL", "Null"):
            help_text = english("jsonio.write-true-false-and.help")
    message: str
    if key == _UNTERMINATED:
        preview = text[pos : pos + 24].split("\n", 1)[0]
        message = english(_UNTERMINATED, preview=preview)
        end = pos + len(preview)
    elif key in _PROBLEMS:
        message = english("jsonio.problem-found", problem=english(key), found=found)
    elif key is not None:
        message = english("expected-found", expected=english(key), found=found)
    else:
        message = english("jsonio.json-says", detail=exc.msg, found=found)
    return _located(text, name, first_line, pos, end, "bad-json", message, help_text)


def _located(
    text: str,
    name: str,
    first_line: int,
    start: int,
    end: int,
    code: str,
    message: str,
    help_text: str,
) -> Diagnostic:
    source: Source = Source(name, text) if first_line == 1 else _LineSource(name, text, first_line)
    start = max(0, min(start, len(text)))
    return Diagnostic(
        code,
        message,
        span=Span(source, start, max(start, min(end, len(text)))),
        help=help_text,
    )


def _too_large(name: str, size: int, unit: str) -> Diagnostic:
    return Diagnostic(
        "too-large",
        english("document-too-large", size=size, unit=unit, limit=MAX_DOCUMENT_SIZE),
        file=name,
        help=english("split-json-lines"),
    )


# ------------------------------------------------------------------------------------------
# Writing

_RAW_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_encode_text: Callable[[str], str] = json.encoder.encode_basestring
_MAX_WRITE_DEPTH = 2 * MAX_DEPTH  # results nest as deep as their types: a few levels


def dumps(data: Any, *, indent: int | None = None) -> str:
    """JSON text for `data`: the output of `values.to_json`, or plain JSON-ready data.

    Writes `RawNumber` unquoted and `Decimal` exactly, `str` without escaping non-ASCII,
    lists, tuples and dicts with text keys. A float, a NaN or any other object is a bug in the
    caller: `InternalError`. The layout matches `json.dumps` with the same `indent`.
    """
    parts: list[str] = []
    # Compact text of a list or record is the same wherever it appears: an object met again
    # (an explanation shows the same record at many nodes) is written from its first text.
    memo: dict[int, tuple[Any, str]] | None = {} if indent is None else None
    try:
        _write(data, parts, None if indent is None else " " * indent, 0, memo)
    except RecursionError:  # only if the caller's stack was already nearly full
        raise _unwritable(english("jsonio.data-nests-too-deep")) from None
    return "".join(parts)


_MEMO_SIZE = 4
"""Lists and records with at least this many items are written once per `dumps` call."""


def _write(
    value: Any,
    out: list[str],
    indent: str | None,
    level: int,
    memo: dict[int, tuple[Any, str]] | None,
) -> None:
    kind = type(value)
    if kind is str:  # the commonest values first: they need no memo
        out.append(_encode_text(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif (
        memo is not None
        and (kind is dict or kind is list or kind is tuple)
        and len(value) >= _MEMO_SIZE
    ):
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            out.append(known[1])
            return
        start = len(out)
        _write_item(value, kind, out, indent, level, memo)
        memo[id(value)] = (value, "".join(out[start:]))
    else:
        _write_item(value, kind, out, indent, level, memo)


def _write_item(
    value: Any,
    kind: type,
    out: list[str],
    indent: str | None,
    level: int,
    memo: dict[int, tuple[Any, str]] | None,
) -> None:
    """Everything but texts, `null`, `true` and `false`, which `_write` has written."""
    if kind is RawNumber:
        if _RAW_NUMBER.fullmatch(value) is None:
            raise _unwritable(english("jsonio.not-json-number", value=value))
        out.append(str.__str__(value))
    elif kind is int:
        out.append(integer_text(value))
    elif kind is Decimal:
        if not value.is_finite():
            raise _unwritable(english("jsonio.not-json-number", value=value))
        out.append(str(value))
    elif kind is list or kind is tuple:
        if level >= _MAX_WRITE_DEPTH:
            raise _unwritable(english("jsonio.data-nests-too-deep"))
        if not value:
            out.append("[]")
            return
        if indent is None:
            out.append("[")
            for index, item in enumerate(value):
                if index:
                    out.append(", ")
                _write(item, out, indent, level + 1, memo)
            out.append("]")
        else:
            inner = "\n" + indent * (level + 1)
            out.append("[")
            for index, item in enumerate(value):
                out.append("," + inner if index else inner)
                _write(item, out, indent, level + 1, memo)
            out.append("\n" + indent * level + "]")
    elif kind is dict:
        if level >= _MAX_WRITE_DEPTH:
            raise _unwritable(english("jsonio.data-nests-too-deep"))
        if not value:
            out.append("{}")
            return
        inner = "" if indent is None else "\n" + indent * (level + 1)
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if not isinstance(key, str):
                raise _unwritable(english("jsonio.key-not-text", key=repr(key)))
            if index:
                out.append(", " if indent is None else ",")
            out.append(inner)
            out.append(_encode_text(key))
            out.append(": ")
            _write(item, out, indent, level + 1, memo)
        if indent is not None:
            out.append("\n" + indent * level)
        out.append("}")
    elif isinstance(value, str):
        out.append(_encode_text(str(value)))
    elif isinstance(value, int) and not isinstance(value, bool):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        raise _unwritable(english("jsonio.binary-float-reached-json", value=repr(value)))
    else:
        raise _unwritable(
            english("jsonio.cannot-write-value-python", type_name=type(value).__name__)
        )


def _unwritable(message: str) -> InternalError:
    return InternalError(
        Diagnostic(
            "unwritable-json",
            message,
            help=english("convert-results"),
        )
    )
