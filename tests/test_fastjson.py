"""`fastjson.parse_line` (msgspec) reads exactly what `jsonio.parse_line` reads, and fails
exactly as it fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wuxin_rules import fastjson, jsonio
from wuxin_rules.errors import FactError

pytest.importorskip("msgspec")

ROOT = Path(__file__).resolve().parents[1]


def both(text: str) -> tuple[object, object]:
    """(what jsonio gives, what fastjson gives): a document or the rendered error."""
    outcomes = []
    for parse in (jsonio.parse_line, fastjson.parse_line):
        try:
            outcomes.append(("ok", parse(text, file="x.jsonl", line=7)))
        except FactError as error:
            outcomes.append(("error", error.render()))
    return outcomes[0], outcomes[1]


def test_msgspec_is_used() -> None:
    assert fastjson.available()


TEXTS = [
    *(ROOT / "examples" / "units.jsonl").read_text(encoding="utf-8").splitlines(),
    '{"a": 0.1, "b": 1e400, "c": -0.0, "d": 12345678901234567890123}\n',
    '{"a": 1, "a": 2}',  # duplicate: msgspec would keep the last silently
    '{"a" : 1, "a": 2}',
    '{"a": {"b": 1, "b": 1}}',
    '{"x": "say \\": here", "a": 1, "a": 2}',  # a key end inside a string, and a duplicate
    '{"x": "say \\": here"}',
    '{"a\\"": 1, "k\\":v": 2}',
    '{"a": 1, "a": 2, "x": "\\u0022:"}',  # an escape that hides a key end, and a duplicate
    '{"a": 1, "a": 2, "x": "\\" :"}',
    '{"名": "\\u6751", "名": 1}',
    '{"a": NaN}',
    '{"a": Infinity}',
    '{"a": 1,}',
    '{"a": "unterminated}',
    '{"a": ' + "1" * 5000 + "}",
    "[" * 128 + "]" * 128,
    "[" * 129 + "]" * 129,
    '{"a": 1} {"b": 2}',
    '\ufeff{"a": 1}',
    '"\\ud800"',
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_same_document_or_the_same_error(text: str) -> None:
    expected, got = both(text)
    assert got == expected
    if expected[0] == "ok":
        assert json.dumps(got[1], default=repr) == json.dumps(expected[1], default=repr)


@settings(max_examples=300, deadline=None)
@given(
    st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.decimals(allow_nan=False, allow_infinity=False)
        | st.text(),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=12,
    )
)
def test_any_json_value_reads_the_same(value: object) -> None:
    text = jsonio.dumps(value)
    expected, got = both(text)
    assert got == expected


def chunk_outcomes(texts: list[str]) -> tuple[list[object], list[object]]:
    """(what `parse_line` gives line by line, what `parse_lines` gives): documents or the
    rendered errors, each line numbered from 1."""
    expected: list[object] = []
    for number, text in enumerate(texts, 1):
        try:
            expected.append(("ok", jsonio.parse_line(text, file="c.jsonl", line=number)))
        except FactError as error:
            expected.append(("error", error.render()))
    got = fastjson.parse_lines([(text, "c.jsonl", n) for n, text in enumerate(texts, 1)])
    shown = [("error", g.render()) if isinstance(g, FactError) else ("ok", g) for g in got]
    return expected, shown


def test_many_lines_read_as_each_alone() -> None:
    good = (ROOT / "examples" / "units.jsonl").read_text(encoding="utf-8").splitlines()
    assert chunk_outcomes(good) == chunk_outcomes(good)  # (deterministic)
    expected, got = chunk_outcomes(good)
    assert got == expected and all(kind == "ok" for kind, _ in got)
    # Every troublesome line among good ones: each read, or refused, as alone.
    for text in TEXTS:
        expected, got = chunk_outcomes([*good[:3], text, *good[3:6]])
        assert got == expected
        assert json.dumps(got, default=repr) == json.dumps(expected, default=repr)


@pytest.mark.parametrize(
    "texts",
    [
        # A line that splits in two, and two lines that join into one: joined into one
        # array, the count of elements would still match.
        ['{"a": 1}, {"b": 2}', '{"c": "x', 'y"}'],
        ["1, 2", '"abc', 'def"'],
        ['{"a": [1', "2]}", "3 4"],
        ['{"a":', "1}", "[1] [2]"],
        ["[", "]"],
        ['{"a": 1', "}"],
        ['  {"a": 1}  ', '\t{"b": 2}\r'],
        ['{"a": 1, "a": 2}', '{"b": 1}'],
        ['{"a" : 1}', '{"a" : 1, "a": 2}'],
        ['{"x": "\\u0022:"}', '{"a": 1}'],
        # Colons in texts, keys spaced from theirs, and a colon hidden in an escape.
        ['{"t": "12:30", "a" :1, "a"\t: 2, "u": "x:y"}', '{"t": "12:30", "a" : 1}'],
        ['{"t": "\\u003a", "a": 1, "a": 2}', '{"t": "\\u003A"}', '{"k:": 1, "k:": 2}'],
        ['{"a": {"b": 1, "b": 2}, "c": ":"}', '{"a": {"b": 1}, "c": "::"}'],
    ],
)
def test_no_line_reaches_into_another(texts: list[str]) -> None:
    expected, got = chunk_outcomes(texts)
    assert got == expected


def test_no_lines() -> None:
    assert fastjson.parse_lines([]) == []


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.recursive(
                st.none()
                | st.booleans()
                | st.integers()
                | st.decimals(allow_nan=False, allow_infinity=False)
                | st.text(),
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.text(max_size=4), inner, max_size=3)
                ),
                max_leaves=8,
            ).map(jsonio.dumps),
            st.text(alphabet='{}[]":, 1a\\', max_size=12),
        ),
        max_size=8,
    )
)
def test_any_lines_read_as_each_alone(texts: list[str]) -> None:
    expected, got = chunk_outcomes([text for text in texts if "\n" not in text])
    assert got == expected
