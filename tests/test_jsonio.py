"""Exact JSON: numbers as int/Decimal, located syntax errors, limits, JSON lines, writing."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wuxin_rules import jsonio
from wuxin_rules.errors import FactError, InternalError, UsageError
from wuxin_rules.messages import Message
from wuxin_rules.values import RawNumber, to_json


def _error(text: str, file: str = "f.json") -> FactError:
    with pytest.raises(FactError) as info:
        jsonio.loads(text, file=file)
    return info.value


def _where(error: FactError) -> tuple[str, str, int, int]:
    """(code, message, line, column) of the only diagnostic."""
    assert len(error.diagnostics) == 1
    data = error.diagnostics[0].to_json()
    return data["code"], data["message"], data["line"], data["column"]


def _walk(value: Any) -> list[Any]:
    items = [value]
    if isinstance(value, dict):
        for item in value.values():
            items.extend(_walk(item))
    elif isinstance(value, list):
        for item in value:
            items.extend(_walk(item))
    return items


# ------------------------------------------------------------------------------------------
# Numbers


def test_numbers_are_int_or_exact_decimal() -> None:
    """Whole numbers are ints; every other number is the Decimal of its exact text."""
    data = jsonio.loads('{"a": 3, "b": 0.1, "c": 1.10, "d": 2e3, "e": -0.5E-2, "f": [0.0155]}')
    assert data == {
        "a": 3,
        "b": Decimal("0.1"),
        "c": Decimal("1.10"),
        "d": Decimal("2E+3"),
        "e": Decimal("-0.005"),
        "f": [Decimal("0.0155")],
    }
    assert type(data["a"]) is int
    assert str(data["c"]) == "1.10"
    assert not any(isinstance(item, float) for item in _walk(data))


def test_point_one_plus_point_two_is_exactly_point_three() -> None:
    """Decimals read from JSON add up exactly (no binary float in between)."""
    data = jsonio.loads("[0.1, 0.2]")
    assert Fraction(data[0]) + Fraction(data[1]) == Fraction(3, 10)


@pytest.mark.parametrize(
    ("text", "constant", "column"),
    [("[NaN]", "NaN", 2), ('{"a": Infinity}', "Infinity", 7), ("[1, -Infinity]", "-Infinity", 5)],
)
def test_nan_and_infinity_are_refused(text: str, constant: str, column: int) -> None:
    """`NaN`, `Infinity` and `-Infinity` are not JSON numbers: bad-json at their column."""
    error = _error(text)
    assert _where(error) == ("bad-json", f"`{constant}` is not a JSON number", 1, column)
    assert (
        error.diagnostics[0].help == "write an exact number, or `null` for a missing optional value"
    )


def test_nan_inside_text_is_just_text() -> None:
    """The scan that locates constants skips strings, and text `"NaN"` is fine anyway."""
    assert jsonio.loads('{"NaN": "Infinity"}') == {"NaN": "Infinity"}


def test_integer_over_python_digit_limit_is_bad_json() -> None:
    """A whole number over 4300 digits gives bad-json, not a raw ValueError."""
    error = _error("[" + "7" * 5000 + "]")
    assert _where(error) == ("bad-json", "a number with 5000 digits is too long", 1, 2)


# ------------------------------------------------------------------------------------------
# Syntax errors: file:line:column, offending text, hint


def test_syntax_error_has_line_column_offending_text_and_hint() -> None:
    """A missing comma is reported at its line and column with the token found there."""
    error = _error('{\n  "a": 1\n  "b": 2\n}')
    assert _where(error) == (
        "bad-json",
        'expected `,` or the end of the list or object, found `"b"`',
        3,
        3,
    )
    text = str(error)
    assert text.startswith("f.json:3:3: error[bad-json]:")
    assert '3 |   "b": 2' in text
    assert "  |   ^^^" in text
    assert "help: check for a missing comma or an unclosed bracket before this point" in text


@pytest.mark.parametrize(
    ("text", "message", "column", "help"),
    [
        (
            '{"a": 1,}',
            "expected a key in double quotes, found `}`",
            9,
            "remove the trailing comma",
        ),
        ("[1, 2,]", "expected a JSON value, found `]`", 7, "remove the trailing comma"),
        (
            "{'a': 1}",
            "expected a key in double quotes, found `'a'`",
            2,
            "JSON writes text and keys in double quotes, not single quotes",
        ),
        (
            '{"a": True}',
            "expected a JSON value, found `True`",
            7,
            "write `true`, `false` and `null` in lowercase",
        ),
        (
            '{"a" 1}',
            "expected `:` after the key, found `1`",
            6,
            'write each key and its value as `"key": value`',
        ),
        (
            '{"a": 1} {"b": 2}',
            "expected the end of the document, found `{`",
            10,
            "a facts document holds one JSON value; write several documents as JSON lines, "
            "one per line",
        ),
        (
            '{"a": [1, 2',
            "expected `,` or the end of the list or object, found the end of the input",
            12,
            "the document ends too early: close every `[` and `{`",
        ),
        ('"abc', 'unterminated text `"abc`', 1, 'close the text with a double quote `"`'),
        (
            "   ",
            "expected a JSON value, found the end of the input",
            4,
            "the document is empty: write a JSON object",
        ),
    ],
)
def test_syntax_errors_have_specific_hints(text: str, message: str, column: int, help: str) -> None:
    """Each common JSON mistake gets its own message and hint."""
    error = _error(text)
    assert _where(error) == ("bad-json", message, 1, column)
    assert error.diagnostics[0].help == help


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1,}',
        "{'a': 1}",
        '{"a" 1}',
        '{"a": 1} {"b": 2}',
        '{"a": [1, 2',
        '"abc',
        "   ",
        '{"a": "x\\qy"}',
        '{"a": "x\\u12"}',
        '{"a": "x\ty"}',
    ],
)
def test_syntax_errors_are_rendered_in_chinese_whole(text: str) -> None:
    """A district office reads facts errors in Chinese: the message and the hint of every
    JSON syntax error are the catalogue's, with no English word outside the document's own
    text (in backticks)."""
    diagnostic = _error(text).diagnostics[0]
    assert isinstance(diagnostic.message, Message) and isinstance(diagnostic.help, Message)
    for shown in (diagnostic.message.render("zh"), diagnostic.help.render("zh")):
        outside_code = re.sub(r"`[^`]*`", "", shown)
        assert not re.search(
            r"[A-Za-z]{3,}", outside_code.replace("JSON Lines", "").replace("JSON", "")
        ), shown


def test_syntax_error_without_file_is_named_string() -> None:
    """Text with no file name is reported as `<string>`."""
    with pytest.raises(FactError) as info:
        jsonio.loads("[1,,2]")
    assert str(info.value).startswith(
        "<string>:1:4: error[bad-json]: expected a JSON value, found `,`"
    )


def test_long_minified_line_shows_a_window_around_the_error() -> None:
    """A one-line megabyte document does not print the whole line in the snippet."""
    text = "[" + "1, " * 100_000 + "1 2]"
    error = _error(text)
    assert _where(error)[2:] == (1, 300_004)
    lines = str(error).splitlines()
    assert max(len(line) for line in lines) < 200
    assert any(line.rstrip().endswith("1 2]") for line in lines)
    caret_line = next(line for line in lines if line.strip().startswith("|") and "^" in line)
    code_line = next(line for line in lines if "1 2]" in line)
    assert code_line[caret_line.index("^")] == "2"


# ------------------------------------------------------------------------------------------
# Duplicate keys


def test_duplicate_key_is_located_at_its_second_occurrence() -> None:
    """A key twice in one object is refused where it repeats."""
    error = _error('{"unit": {"drug_labs": 0,\n  "drug_labs": 1}}')
    assert _where(error) == ("duplicate-key", 'duplicate key `"drug_labs"`', 2, 3)
    assert error.diagnostics[0].help == "an object may name each key once: remove one of them"


def test_same_key_in_different_objects_is_fine() -> None:
    """Sibling objects may share key names."""
    assert jsonio.loads('[{"a": 1}, {"a": 2}]') == [{"a": 1}, {"a": 2}]


def test_duplicate_key_written_with_an_escape_is_still_a_duplicate() -> None:
    """`"a"` and `"\\u0061"` are the same key."""
    error = _error('[{"a": 1}, {"a": 1, "\\u0061": 2}]')
    assert _where(error) == ("duplicate-key", 'duplicate key `"a"`', 1, 21)


# ------------------------------------------------------------------------------------------
# Limits


def test_hundred_thousand_deep_document_is_too_deep() -> None:
    """100,000 nested lists give a `too-deep` error, never a RecursionError."""
    error = _error("[" * 100_000 + "]" * 100_000)
    code, message, line, column = _where(error)
    assert (code, message, line) == ("too-deep", "the document nests more than 128 levels deep", 1)
    assert column == jsonio.MAX_DEPTH + 1


def test_unclosed_deep_document_is_too_deep() -> None:
    """Deep and broken input is still a clear too-deep error."""
    assert _where(_error('{"a": ' * 100_000))[0] == "too-deep"


def test_depth_limit_is_exact() -> None:
    """`MAX_DEPTH` levels are accepted; one more is refused."""
    depth = jsonio.MAX_DEPTH
    assert jsonio.loads("[" * depth + "]" * depth) is not None
    assert _where(_error("[" * (depth + 1) + "]" * (depth + 1)))[0] == "too-deep"


def test_brackets_inside_text_do_not_count_as_nesting() -> None:
    """The depth scan is string-aware: `"[[[["` is text, however many brackets."""
    text = json.dumps({"a": "[" * 1000 + "{" * 1000, "b": ['\\"[' * 500]})
    assert jsonio.loads(text)["a"] == "[" * 1000 + "{" * 1000


def test_closing_brackets_inside_text_do_not_hide_real_nesting() -> None:
    """Text full of `]` before the nesting cannot cancel out brackets that really nest."""
    depth = jsonio.MAX_DEPTH + 1
    text = '["' + "]}" * 500 + '", ' + "[" * (depth - 1) + "]" * depth
    error = _error(text)
    assert _where(error)[0::3] == ("too-deep", 2 + 2 * 500 + 3 + depth - 1)


@pytest.mark.parametrize(
    "inner",
    [
        '"a\\\\"',  # an escaped backslash ends the text: the quote after it is real
        '"\\"]]]]\\\\"',  # escaped quote, brackets, escaped backslash
        '"[\\u005d\\n"',
        '"中文]]"',
    ],
)
def test_escapes_inside_text_are_understood_by_the_depth_scan(inner: str) -> None:
    """Escaped quotes and backslashes do not confuse where text starts and ends."""
    depth = jsonio.MAX_DEPTH
    ok = "[" * (depth - 1) + f"[{inner}, {inner}]" + "]" * (depth - 1)
    assert jsonio.loads(ok) is not None
    deep = "[" * depth + f"[{inner}, {inner}]" + "]" * depth
    assert _where(_error(deep))[0] == "too-deep"


def test_wide_but_shallow_document_is_fine() -> None:
    """Many brackets side by side are not deep: `[[], [], …]`."""
    assert len(jsonio.loads("[" + ", ".join(["[]"] * 10_000) + "]")) == 10_000


def test_document_over_the_size_limit_is_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document over `MAX_DOCUMENT_SIZE` characters is refused before parsing."""
    monkeypatch.setattr(jsonio, "MAX_DOCUMENT_SIZE", 10)
    error = _error('{"a": "0123456789"}')
    assert error.codes == ("too-large",)
    assert (
        error.diagnostics[0].message
        == "the document is too large: 19 characters, over the limit of 10"
    )


# ------------------------------------------------------------------------------------------
# Files


def test_load_path_reads_utf8_with_bom(tmp_path: Path) -> None:
    """A file saved with a byte-order mark (as some editors do) reads fine."""
    path = tmp_path / "facts.json"
    path.write_bytes(b"\xef\xbb\xbf" + '{"名称": 0.5}'.encode())
    assert jsonio.load_path(path) == {"名称": Decimal("0.5")}


def test_loads_tolerates_a_bom_too() -> None:
    """Text that still starts with a BOM parses, with columns counted without it."""
    assert jsonio.loads('\ufeff{"a": 1}') == {"a": 1}
    assert _where(_error('\ufeff{"a": x}'))[2:] == (1, 7)


def test_load_path_errors_name_the_file(tmp_path: Path) -> None:
    """Syntax errors in a file are located at `path:line:column`."""
    path = tmp_path / "facts.json"
    path.write_text('{\n  "a": tru\n}', encoding="utf-8")
    with pytest.raises(FactError) as info:
        jsonio.load_path(path)
    assert str(info.value).startswith(
        f"{path}:2:8: error[bad-json]: expected a JSON value, found `tru`"
    )


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist is the caller's mistake: UsageError, not FileNotFoundError."""
    path = tmp_path / "nope.json"
    with pytest.raises(UsageError) as info:
        jsonio.load_path(path)
    assert info.value.codes == ("unreadable-file",)
    assert info.value.diagnostics[0].message == (
        f"cannot read the facts file `{path}`: no such file or directory"
    )


def test_directory_is_a_usage_error(tmp_path: Path) -> None:
    """Reading a directory as facts is a UsageError too."""
    with pytest.raises(UsageError):
        jsonio.load_path(tmp_path)


def test_file_that_is_not_utf8_is_a_fact_error(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 give `bad-encoding` with the byte and line."""
    path = tmp_path / "gbk.json"
    path.write_bytes(b'{\n"a": "' + "名称".encode("gbk") + b'"}')
    with pytest.raises(FactError) as info:
        jsonio.load_path(path)
    diagnostic = info.value.diagnostics[0]
    assert diagnostic.code == "bad-encoding"
    assert diagnostic.message == "the facts file is not UTF-8 text: byte 9 (line 2) is `0xc3`"
    assert diagnostic.file == str(path)


def test_file_over_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file over the limit is refused from its size alone."""
    monkeypatch.setattr(jsonio, "MAX_DOCUMENT_SIZE", 8)
    path = tmp_path / "big.json"
    path.write_text('{"a": "0123456789"}', encoding="utf-8")
    with pytest.raises(FactError) as info:
        jsonio.load_path(path)
    assert info.value.diagnostics[0].message == (
        "the document is too large: 19 bytes, over the limit of 8"
    )


# ------------------------------------------------------------------------------------------
# JSON lines


def test_json_lines_yield_line_numbers_and_skip_blank_lines() -> None:
    """Each non-blank line is one document, numbered by its line in the stream."""
    stream = io.StringIO('{"a": 1}\n\n  \n{"a": 0.5}\r\n[]\n')
    assert list(jsonio.iter_json_lines(stream)) == [
        (1, {"a": 1}),
        (4, {"a": Decimal("0.5")}),
        (5, []),
    ]


def test_json_lines_error_carries_the_stream_line_number() -> None:
    """A bad line is reported at `file:line:column` of the stream, with that line shown."""
    stream = io.StringIO('{"a": 1}\n{"a": 2}\n{"a": 3,}\n{"a": 4}\n')
    lines = jsonio.iter_json_lines(stream, file="batch.jsonl")
    assert next(lines) == (1, {"a": 1})
    assert next(lines) == (2, {"a": 2})
    with pytest.raises(FactError) as info:
        next(lines)
    text = str(info.value)
    assert text.startswith("batch.jsonl:3:9: error[bad-json]: expected a key in double quotes")
    assert '3 | {"a": 3,}' in text
    assert info.value.diagnostics[0].to_json()["line"] == 3


def test_json_lines_on_error_reports_and_goes_on() -> None:
    """With `on_error`, bad lines are handed over and the good ones still come."""
    errors: list[FactError] = []
    stream = io.StringIO('{"a": 1}\nnope\n[1, NaN]\n{"a": 4}\n')
    documents = list(jsonio.iter_json_lines(stream, file="b.jsonl", on_error=errors.append))
    assert documents == [(1, {"a": 1}), (4, {"a": 4})]
    assert [e.diagnostics[0].location() for e in errors] == ["b.jsonl:2:1", "b.jsonl:3:5"]


def test_json_lines_are_read_lazily() -> None:
    """Taking the first document reads only the first line (constant memory)."""

    class Lines(io.StringIO):
        reads = 0

        def readline(self, size: int | None = -1, /) -> str:
            Lines.reads += 1
            return super().readline(size)

    stream = Lines('{"a": 1}\n' * 1000)
    lines = jsonio.iter_json_lines(stream)
    assert next(lines) == (1, {"a": 1})
    assert Lines.reads == 1


def test_json_lines_skip_an_oversized_line_in_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """A line over the limit is a too-large error for that line; the next line still parses."""
    monkeypatch.setattr(jsonio, "MAX_DOCUMENT_SIZE", 16)
    errors: list[FactError] = []
    stream = io.StringIO('{"a": 1}\n[' + "1," * 50 + '1]\n{"b": 2}\n')
    documents = list(jsonio.iter_json_lines(stream, file="b.jsonl", on_error=errors.append))
    assert documents == [(1, {"a": 1}), (3, {"b": 2})]
    assert errors[0].codes == ("too-large",)
    assert errors[0].diagnostics[0].file == "b.jsonl:2"


def test_json_lines_tolerate_a_bom_on_the_first_line() -> None:
    """A BOM before the first document is ignored."""
    assert list(jsonio.iter_json_lines(io.StringIO('\ufeff{"a": 1}\n'))) == [(1, {"a": 1})]


def test_json_lines_deep_line_is_too_deep() -> None:
    """The depth limit applies to each line, with the line's number."""
    stream = io.StringIO('{"a": 1}\n' + "[" * 100_000 + "\n")
    with pytest.raises(FactError) as info:
        list(jsonio.iter_json_lines(stream, file="d.jsonl"))
    assert info.value.codes == ("too-deep",)
    assert info.value.diagnostics[0].location() == "d.jsonl:2:129"


# ------------------------------------------------------------------------------------------
# Writing


def test_dumps_writes_raw_numbers_unquoted_and_decimals_exactly() -> None:
    """RawNumber and Decimal keep every digit; text stays quoted."""
    data = {"rate": RawNumber("0.0155"), "d": Decimal("1.10"), "n": 3, "t": "0.5", "x": None}
    assert jsonio.dumps(data) == '{"rate": 0.0155, "d": 1.10, "n": 3, "t": "0.5", "x": null}'


def test_dumps_round_trips_raw_number_and_decimal() -> None:
    """What dumps writes, loads reads back to the same exact numbers."""
    data = {"a": RawNumber("123456789.123456789123456789"), "b": [Decimal("-0.000001"), True]}
    back = jsonio.loads(jsonio.dumps(data))
    assert back == {"a": Decimal("123456789.123456789123456789"), "b": [Decimal("-0.000001"), True]}
    assert str(back["a"]) == "123456789.123456789123456789"


def test_dumps_of_to_json_output_is_exact() -> None:
    """Runtime values converted by `values.to_json` are written without a float in between."""
    data = to_json({"share": Fraction(9, 10), "third": Fraction(1, 3), "n": 2})
    assert jsonio.dumps(data) == '{"share": 0.9, "third": "1/3", "n": 2}'


def test_dumps_keeps_non_ascii_text() -> None:
    """Chinese labels are written as is, not as `\\u` escapes."""
    assert jsonio.dumps({"名称": "无毒单位"}) == '{"名称": "无毒单位"}'


@pytest.mark.parametrize("indent", [None, 2, 4])
def test_dumps_layout_matches_json_dumps(indent: int | None) -> None:
    """For plain data the text is exactly what `json.dumps(ensure_ascii=False)` gives."""
    data = {"a": [1, [], {}, {"b": [True, False, None]}], "c": '引"号\n', "d": (1, 2)}
    assert jsonio.dumps(data, indent=indent) == json.dumps(data, indent=indent, ensure_ascii=False)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (0.1, "the binary float `0.1` reached the JSON writer"),
        ({"a": [1.5]}, "the binary float `1.5` reached the JSON writer"),
        (Decimal("NaN"), "`NaN` is not a JSON number"),
        (RawNumber("1/3"), "`1/3` is not a JSON number"),
        ({1: 2}, "the key `1` is not text"),
        (Fraction(1, 3), "cannot write a value of Python type `Fraction` as JSON"),
    ],
)
def test_dumps_refuses_floats_and_unknown_values(value: Any, message: str) -> None:
    """A float (or anything not JSON-ready) is a bug in the caller: InternalError."""
    with pytest.raises(InternalError) as info:
        jsonio.dumps(value)
    assert info.value.diagnostics[0].message == message


def test_dumps_refuses_self_referencing_data() -> None:
    """A list that contains itself is an InternalError, not a RecursionError."""
    data: list[Any] = []
    data.append(data)
    with pytest.raises(InternalError):
        jsonio.dumps(data)


_json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_json_data)
def test_dumps_then_loads_is_identity(data: Any) -> None:
    """Writing and reading back gives the same data, digit for digit."""
    back = jsonio.loads(jsonio.dumps(data))
    assert back == data
    assert jsonio.dumps(back) == jsonio.dumps(data)


def _depth(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(item) for item in value.values()), default=0)
    return 0


_bracket_text = st.text(alphabet='[]{}]]}}"\\/ab中\n', max_size=8)
_nested = st.recursive(
    st.integers() | _bracket_text,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(_bracket_text, children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    _nested,
    st.integers(min_value=jsonio.MAX_DEPTH - 8, max_value=jsonio.MAX_DEPTH + 2),
    st.lists(_bracket_text, min_size=1, max_size=5),
)
def test_depth_scan_agrees_with_the_real_depth(value: Any, wrapping: int, texts: list[str]) -> None:
    """Text with brackets, quotes and backslashes at every level: refused exactly when too deep."""
    for level in range(wrapping):
        value = [texts[level % len(texts)], value]
    text = json.dumps(value, ensure_ascii=False)
    if _depth(value) > jsonio.MAX_DEPTH:
        assert _error(text).codes == ("too-deep",)
    else:
        assert jsonio.loads(text) == value


@given(st.text(alphabet='[]{}",:0123456789.eE-+ \\natrufls\u4e2d', max_size=60))
def test_loads_raises_only_fact_errors(text: str) -> None:
    """Whatever the text, loads returns data or raises FactError: no raw exception."""
    try:
        jsonio.loads(text)
    except FactError as error:
        assert error.diagnostics
        assert error.diagnostics[0].span is not None or error.diagnostics[0].file


def test_an_object_written_twice_reads_the_same_as_two_copies() -> None:
    # `dumps` writes a list or record it meets again from its first text (explanations show
    # the same record at many nodes); the text must not depend on that.
    record = {"id": "u1", "n": 3, "share": jsonio.RawNumber("0.25"), "tags": ["a", "b", "c", "d"]}
    shared = {"first": record, "again": [record, record], "last": record["tags"]}
    copies = {
        "first": dict(record),
        "again": [dict(record), dict(record)],
        "last": list(record["tags"]),
    }
    assert jsonio.dumps(shared) == jsonio.dumps(copies)
    assert jsonio.dumps(shared, indent=2) == jsonio.dumps(copies, indent=2)
    assert json.loads(jsonio.dumps(shared)) == json.loads(jsonio.dumps(copies))


def test_a_binary_stream_refuses_only_the_lines_that_are_not_utf8() -> None:
    """Issue 10: one bad byte used to end the whole stream with a traceback."""
    stream = io.BytesIO(b'\xef\xbb\xbf{"a": 1}\n{"a": "\xff"}\n\n{"a": "\xe4\xb8\xad"}\n')
    errors: list[FactError] = []
    lines = list(jsonio.iter_json_lines(stream, file="f.jsonl", on_error=errors.append))
    assert lines == [(1, {"a": 1}), (4, {"a": "中"})]
    (error,) = errors
    assert error.codes == ("bad-encoding",)
    assert error.diagnostics[0].file == "f.jsonl:2"
    assert "byte 8 is `0xff`" in error.diagnostics[0].message
