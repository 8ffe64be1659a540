"""Blank facts templates to fill in: `wuxin template POLICY --format xlsx|csv|json`.

A table template has the headers `wuxin eval` reads (dotted paths in English, the policy's
labels with `lang="zh"`), then a notes row starting with `#` (skipped when the table is
read) giving each field's type, bounds and citations. The Excel template adds drop-down
lists for enums (members by label in Chinese, by name in English) and booleans, and one
sheet per list of records, whose first column links each row to a row of the main sheet.
The JSON template is a document with every field present and `null`, lists empty.
May import `errors`, `schema`, `model`, `tabular` and `messages`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import IO, Any

from wuxin_rules import messages, model
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    SUM_TAG,
    BoolType,
    EnumType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    SumType,
    Type,
    describe,
)
from wuxin_rules.tabular import Column, Layout, ListSheet, layout

__all__ = ["FORMATS", "csv_companions", "json_template", "table_headers", "write_template"]

FORMATS = ("xlsx", "csv", "json")


def _strip(type_: Type) -> Type:
    return type_.inner if isinstance(type_, OptionalType) else type_


def table_headers(table: Layout, lang: str) -> list[str]:
    """One header per column: the shortest spelling that names it alone."""
    headers = []
    for column in table.columns:
        steps = [step for step in column.path if step]
        below_input = column.path[0] != "" and _single_input(table) and len(steps) > 1
        names = steps[1:] if below_input else steps
        candidates: list[str] = []
        if lang == "zh":
            labels = [label for label in column.labels[len(column.path) - len(names) :]]
            for size in range(1, len(labels) + 1):
                tail = labels[-size:]
                if all(tail):
                    candidates.append(".".join(str(label) for label in tail))
        candidates.append(".".join(names) if names else ".".join(steps))
        candidates.append(".".join(steps))
        chosen = next((c for c in candidates if len(table.resolve(c)) == 1), candidates[-1])
        headers.append(chosen)
    return headers


def _single_input(table: Layout) -> bool:
    firsts = {column.path[0] for column in table.columns} | {s.path[0] for s in table.lists}
    return len(firsts) == 1


def _note(column: Column, lang: str) -> str:
    type_ = column.type
    inner = _strip(type_)
    bound = getattr(inner, "bound", None)
    text = describe(inner)
    if bound is not None:
        percent = isinstance(inner, NumberType) and inner.kind == "percent"
        text += " " + bound.describe(percent).replace(">=", "≥").replace("<=", "≤")
    if isinstance(inner, EnumType):
        text += ": " + ", ".join(m.label or m.name for m in inner.members)
    if isinstance(inner, BoolType):
        text += ": 是/否"
    if isinstance(inner, ListType):
        text += messages.render(english("template.separated-by-commas"), lang)
    if isinstance(type_, OptionalType) or not column.required:
        text += messages.render(english("template.may-be-empty"), lang)
    cites = _cites(column)
    return text + (f" · {cites}" if cites else "")


def _cites(column: Column) -> str:
    return ", ".join(column.cites) if column.cites else ""


def _rows(table: Layout, lang: str) -> list[list[str]]:
    notes = [_note(column, lang) for column in table.columns]
    if notes:
        notes[0] = "# " + notes[0]
    return [table_headers(table, lang), notes]


def write_template(
    inputs: Sequence[model.InputDef],
    format: str,
    stream: IO[Any],
    *,
    lang: str = "en",
    input: str | None = None,
) -> None:
    """Write the blank template (`format` csv to a text stream, xlsx to a binary one)."""
    table = layout(inputs, input)
    rows = _rows(table, lang)
    if format == "csv":
        csv.writer(stream, lineterminator="\n").writerows(rows)
        return
    from wuxin_rules.tabular import require_openpyxl

    openpyxl = require_openpyxl("`wuxin template --format xlsx`")
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped,unused-ignore]
        DataValidation,
    )

    book = openpyxl.Workbook()
    sheet = book.active
    first = table.columns[0] if table.columns else None
    sheet.title = _sheet_title(first.labels[0] if first and lang == "zh" else None, "facts")
    _fill(sheet, table, rows, lang, DataValidation)
    for listed in table.lists:
        child_rows = _list_rows(table, listed, lang)
        child = book.create_sheet(_sheet_title(_list_title(listed, lang), "list"))
        _fill(child, listed.layout, child_rows, lang, DataValidation, offset=1)
    buffer = io.BytesIO()
    book.save(buffer)
    stream.write(buffer.getvalue())


def _list_rows(table: Layout, listed: ListSheet, lang: str) -> list[list[str]]:
    """The header and notes rows of a list's sheet: the link column first."""
    rows = _rows(listed.layout, lang)
    link = ".".join(table.columns[0].path) if table.columns else "id"
    rows[0].insert(0, link)
    rows[1].insert(0, "# " + messages.render(english("template.links-to-main"), lang))
    if len(rows[1]) > 1:
        rows[1][1] = rows[1][1].removeprefix("# ")
    return rows


def csv_companions(
    inputs: Sequence[model.InputDef], *, lang: str = "en", input: str | None = None
) -> dict[str, list[list[str]]]:
    """For a CSV template: each list of records' file, by the name that goes between the
    main file's stem and `.csv` (`shops.csv` → `shops.NAME.csv`), with its rows."""
    table = layout(inputs, input)
    return {_list_title(listed, lang): _list_rows(table, listed, lang) for listed in table.lists}


def _list_title(listed: ListSheet, lang: str) -> str:
    label = listed.labels[-1]
    return str(label) if lang == "zh" and label else listed.path[-1]


def _sheet_title(text: str | None, fallback: str) -> str:
    # Excel forbids some characters in sheet names and allows 31 characters.
    if not text:
        return fallback
    cleaned = "".join(c for c in text if c not in "[]:*?/\\")
    return cleaned[:31] or fallback


def _fill(
    sheet: Any, table: Layout, rows: list[list[str]], lang: str, validation: Any, offset: int = 0
) -> None:
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped,unused-ignore]

    for row in rows:
        sheet.append(row)
    for position, column in enumerate(table.columns, start=1 + offset):
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(12, min(40, 2 * len(rows[0][position - 1])))
        inner = _strip(column.type)
        choices: list[str] | None = None
        if isinstance(inner, EnumType):
            choices = [(m.label or m.name) if lang == "zh" else m.name for m in inner.members]
        elif isinstance(inner, BoolType):
            choices = ["是", "否"] if lang == "zh" else ["true", "false"]
        if choices is None:
            continue
        formula = '"' + ",".join(c.replace('"', "") for c in choices) + '"'
        if len(formula) > 255:  # Excel's limit for a list written in the rule
            continue
        rule = validation(type="list", formula1=formula, allow_blank=True)
        sheet.add_data_validation(rule)
        rule.add(f"{letter}3:{letter}10000")


def json_template(inputs: Sequence[model.InputDef]) -> dict[str, Any]:
    """A facts document with every field present: `null` leaves, empty lists."""
    return {definition.name: _blank(definition.type) for definition in inputs}


def _blank(type_: Type) -> Any:
    inner = _strip(type_)
    if isinstance(inner, RecordType):
        return {field.name: _blank(field.type) for field in inner.fields}
    if isinstance(inner, SumType):
        # The first member with its fields: `kind` says which member, to be changed at need.
        first = inner.members[0]
        return {SUM_TAG: first.name, **{field.name: _blank(field.type) for field in first.fields}}
    if isinstance(inner, ListType):
        return []
    return None
