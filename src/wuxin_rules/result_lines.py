"""A plain result's output line, written straight from the compiled program's values.

`wuxin eval` prints one line per document: `--format json` the text of
`jsonio.dumps(result.to_json())`, `--format text` one `rule = value "label"` line per rule.
For a result of the compiled fast path (every fact plain, no rule failed) `line_writer`
builds, once per rule set, a function from the program's values (fast form, see `compiler`)
to that very text, without the `Result`, its verdicts or the JSON data in between: the
fixed parts (`{"rules": {"name": `, the padded rule names and labels) are made once, and
the common values written directly: `true`/`false`, whole numbers, exact decimals (as
`values.to_json` writes them: plain digits, no trailing zeros, never an exponent), text,
lists of texts.
Any other value (dates, lists, records, percentages in text) goes the general way
(`values.to_json` or `values.format_value` on `compiler.canonical`), so the bytes are the
same as the general path's for every value.

May import `schema`, `values`, `jsonio` and `compiler`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from wuxin_rules import compiler, jsonio
from wuxin_rules.schema import EnumType, ListType, NumberType, OptionalType, Type
from wuxin_rules.values import format_value, integer_text, to_json

__all__ = ["FORMATS", "line_writer"]

FORMATS = ("json", "text")
"""The output formats `line_writer` writes."""

_encode_text: Callable[[str], str] = json.encoder.encode_basestring


class RuleLine:
    """What a rule contributes to a line: its fixed text before the value, its value's place
    among the program's values, its type, and its fixed text after the value."""

    __slots__ = ("after", "before", "position", "type")

    def __init__(self, before: str, position: int, type_: Type, after: str = "") -> None:
        self.before = before
        self.position = position
        self.type = type_
        self.after = after


def line_writer(
    rules: Sequence[tuple[str, Type, str | None]],
    positions: Mapping[str, int],
    format: str = "json",
) -> Callable[[Sequence[Any]], str]:
    """The writer of a plain result's line: `rules` are the evaluated rules in order, each
    `(key, type, label)`; `positions` where each key's value is among the program's values.

    The writer takes those values and returns the line (without its end): for `"json"` the
    text `jsonio.dumps(result.to_json())` gives, for `"text"` the lines `wuxin eval --format
    text` prints for a result without errors (the record's `# where` header aside).
    """
    if format == "json":
        return _json_writer(rules, positions)
    if format == "text":
        return _text_writer(rules, positions)
    raise ValueError(f"unknown line format {format!r}: one of {', '.join(FORMATS)}")


def _json_writer(
    rules: Sequence[tuple[str, Type, str | None]], positions: Mapping[str, int]
) -> Callable[[Sequence[Any]], str]:
    if not rules:
        return lambda values: '{"rules": {}}'
    parts = tuple(
        RuleLine(("" if index else '{"rules": {') + _encode_text(key) + ": ", positions[key], type_)
        for index, (key, type_, _) in enumerate(rules)
    )

    def write(values: Sequence[Any]) -> str:
        out: list[str] = []
        append = out.append
        for part in parts:
            append(part.before)
            value = values[part.position]
            if value is True:
                append("true")
            elif value is False:
                append("false")
            else:
                kind = type(value)
                if kind is Decimal and value.is_finite():
                    append(_decimal_text(value))
                elif kind is int:
                    append(integer_text(value))
                elif kind is str:
                    append(_encode_text(value))
                elif value is None:
                    append("null")
                elif kind is tuple and all(type(item) is str for item in value):
                    # A list of texts or enum members, as `jsonio.dumps` lays one out.
                    append("[" + ", ".join(map(_encode_text, value)) + "]")
                else:
                    append(jsonio.dumps(to_json(compiler.canonical(value), part.type)))
            append(", ")
        out[-1] = "}}"
        return "".join(out)

    return write


def _decimal_text(value: Decimal) -> str:
    """An exact decimal as `values.to_json` writes it: whole numbers as their digits, others
    in plain notation without trailing zeros; `-0` as `0`."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _text_writer(
    rules: Sequence[tuple[str, Type, str | None]], positions: Mapping[str, int]
) -> Callable[[Sequence[Any]], str]:
    width = max((len(key) for key, _, _ in rules), default=0)
    parts = tuple(
        RuleLine(
            key.ljust(width) + " = ",
            positions[key],
            type_,
            f' "{label}"' if label else "",
        )
        for key, type_, label in rules
    )

    # How `values.format_value` shows each rule's values: numbers exact unless percentages
    # (shown ×100 with `%`: the general way), enum members bare, other texts quoted.
    shows = tuple(_text_shown(part.type) for part in parts)

    def write(values: Sequence[Any]) -> str:
        lines: list[str] = []
        for part, (plain_numbers, bare, bare_items) in zip(parts, shows, strict=True):
            value = values[part.position]
            kind = type(value)
            if value is True:
                shown = "true"
            elif value is False:
                shown = "false"
            elif kind is Decimal and plain_numbers and value.is_finite():
                shown = _decimal_text(value)
            elif kind is int and plain_numbers:
                shown = integer_text(value)
            elif kind is str:
                shown = value if bare else f'"{value}"'
            elif value is None:
                shown = "none"
            elif kind is tuple and all(type(item) is str for item in value):
                items = value if bare_items else [f'"{item}"' for item in value]
                shown = "[" + ", ".join(items) + "]"
            else:
                shown = format_value(compiler.canonical(value), part.type)
            lines.append(part.before + shown + part.after)
        return "\n".join(lines)

    return write


def _text_shown(type_: Type) -> tuple[bool, bool, bool]:
    """For `values.format_value`: whether numbers of `type_` show as plain decimals (not a
    percentage), whether its texts show bare (enum members), and its list items."""
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    element = inner.element if isinstance(inner, ListType) else None
    percent = isinstance(inner, NumberType) and inner.kind == "percent"
    return not percent, isinstance(inner, EnumType), isinstance(element, EnumType)
