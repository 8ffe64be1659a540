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


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
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
