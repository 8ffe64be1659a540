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
import operator
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from wuxin_rules import compiler, jsonio
from wuxin_rules.schema import EnumType, ListType, NumberType, OptionalType, Type, fixed_scale
from wuxin_rules.values import format_value, integer_text, to_json

__all__ = ["FORMATS", "line_writer"]

FORMATS = ("json", "text")
"""The output formats `line_writer` writes."""

_encode_text: Callable[[str], str] = json.encoder.encode_basestring


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
    # The line with a `%s` for each value (and the fixed text's own `%` doubled).
    template = (
        '{"rules": {'
        + ", ".join(_encode_text(key).replace("%", "%%") + ": %s" for key, _, _ in rules)
        + "}}"
    )
    held = _values_getter([positions[key] for key, _, _ in rules])
    types = tuple(type_ for _, type_, _ in rules)

    def write(values: Sequence[Any]) -> str:
        return template % tuple(
            [
                "true" if value is True else "false" if value is False else _json(value, type_)
                for value, type_ in zip(held(values), types, strict=True)
            ]
        )

    return write


def _values_getter(positions: list[int]) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
    """The values at `positions`, as a tuple (`itemgetter` of one position gives the value)."""
    if len(positions) == 1:
        (position,) = positions
        return lambda values: (values[position],)
    return operator.itemgetter(*positions)


def _json(value: Any, type_: Type) -> str:
    """A value other than `true` and `false`, as `jsonio.dumps(values.to_json(…))` writes it."""
    kind = type(value)
    if fixed_scale(type_) is not None:
        pass  # money: written with exactly its places, by `to_json`
    elif kind is Decimal and value.is_finite():
        return _decimal_text(value)
    elif kind is int:
        return integer_text(value)
    if kind is str:
        return _encode_text(value)
    if value is None:
        return "null"
    if kind is tuple and all(type(item) is str for item in value):
        # A list of texts or enum members, as `jsonio.dumps` lays one out.
        return "[" + ", ".join(map(_encode_text, value)) + "]"
    return jsonio.dumps(to_json(compiler.canonical(value), type_))


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
    if not rules:
        return lambda values: ""
    width = max(len(key) for key, _, _ in rules)
    # The lines with a `%s` for each value (and the fixed text's own `%` doubled).
    template = "\n".join(
        key.ljust(width).replace("%", "%%")
        + " = %s"
        + (f' "{label}"'.replace("%", "%%") if label else "")
        for key, _, label in rules
    )
    held = _values_getter([positions[key] for key, _, _ in rules])
    # How `values.format_value` shows each rule's values: numbers exact unless percentages
    # (shown ×100 with `%`: the general way), enum members bare, other texts quoted.
    shows = tuple((type_, *_text_shown(type_)) for _, type_, _ in rules)

    def write(values: Sequence[Any]) -> str:
        return template % tuple(
            [
                "true" if value is True else "false" if value is False else _text(value, *show)
                for value, show in zip(held(values), shows, strict=True)
            ]
        )

    return write


def _text(value: Any, type_: Type, plain_numbers: bool, bare: bool, bare_items: bool) -> str:
    """A value other than `true` and `false`, as `values.format_value` shows it."""
    kind = type(value)
    if kind is Decimal and plain_numbers and value.is_finite():
        return _decimal_text(value)
    if kind is int and plain_numbers:
        return integer_text(value)
    if kind is str:
        return value if bare else f'"{value}"'
    if value is None:
        return "none"
    if kind is tuple and all(type(item) is str for item in value):
        items = value if bare_items else [f'"{item}"' for item in value]
        return "[" + ", ".join(items) + "]"
    return format_value(compiler.canonical(value), type_)


def _text_shown(type_: Type) -> tuple[bool, bool, bool]:
    """For `values.format_value`: whether numbers of `type_` show as plain decimals (not a
    percentage), whether its texts show bare (enum members), and its list items."""
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    element = inner.element if isinstance(inner, ListType) else None
    percent = isinstance(inner, NumberType) and inner.kind == "percent"
    plain = not percent and fixed_scale(inner) is None  # money shows all its places
    return plain, isinstance(inner, EnumType), isinstance(element, EnumType)
