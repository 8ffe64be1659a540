"""Policies over pandas DataFrames and pyarrow Tables: `Policy.evaluate_frame`.

A frame's columns follow the header rules of facts tables (`wuxin_rules.tabular`): a
column is named by a field's dotted path (`applicant.income`, or `income` when the policy
has one input or `input=` names it) or its label. Each row is one facts document; its cells
are read as a table's cells are (enum members by name or label, dates from dates or ISO
text, `None`/NaN/NA as an empty cell). The result is a frame of the same kind with one
column per rule and an `errors` column (None, or the row's problems as text), aligned with
the input's rows (a DataFrame keeps the input's index); one bad row costs only its own
verdicts.

Numbers must be exact: integer and decimal columns (`decimal128`/`decimal256` in Arrow,
`Decimal` objects in pandas) are read as they are. A binary float column is refused with
a `float-facts` error naming it, unless `floats="shortest"`: then each float is read as
the decimal of its shortest text (`0.1` → `0.1`, never `0.1000000000000000055…`).

pandas and pyarrow are optional (`pip install 'wuxin_rules[frames]'`): this module
imports neither unless it is given one of their frames.
An Arrow table whose rules allow it is evaluated on columns by Arrow's compute kernels
(`wuxin_rules.columnar`), only the rows those cannot decide row by row.
May import `errors`, `schema`, `values`, `model`, `facts`, `tabular`, `columnar` and `api`.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from wuxin_rules.errors import Diagnostic, EvaluationError, FactError, UsageError
from wuxin_rules.facts import shortest_decimal
from wuxin_rules.messages import english
from wuxin_rules.schema import EnumType, OptionalType, TextType, Type
from wuxin_rules.tabular import (
    CellProblem,
    Layout,
    ListSheet,
    layout,
    none_for_empty_optional_records,
    read_cell,
)
from wuxin_rules.values import format_number, fraction_to_decimal

if TYPE_CHECKING:  # pragma: no cover
    from wuxin_rules.api import Policy

__all__ = ["evaluate_frame", "evaluate_pandas_on_columns", "require"]


def require(module: str, extra: str, what: str) -> Any:
    """Import `module`, or a `missing-dependency` usage error naming the extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise UsageError(
            Diagnostic(
                "missing-dependency",
                english("frames.needs-cannot-be-imported", what=what, module=module, error=error),
                help=english("frames.install-pip-install-wuxin.help", extra=extra),
            )
        ) from None


def _kind(frame: Any) -> str:
    module = type(frame).__module__.split(".")[0]
    name = type(frame).__name__
    if module == "pandas" and name == "DataFrame":
        return "pandas"
    if module == "pyarrow" and name == "Table":
        return "arrow"
    raise UsageError(
        Diagnostic(
            "unsupported-type",
            english("frames.evaluate-frame-takes-pandas", module=type(frame).__module__, name=name),
            help=english("frames.for-python-dicts-use.help"),
        )
    )


def _is_struct(arrow_type: Any) -> bool:
    pa = require("pyarrow", "frames", "`evaluate_frame`")
    return bool(pa.types.is_struct(arrow_type))


def _float_columns(frame: Any, kind: str) -> list[str]:
    if kind == "pandas":
        return [str(name) for name, dtype in frame.dtypes.items() if dtype.kind == "f"]
    pa = require("pyarrow", "frames", "`evaluate_frame`")
    return [field.name for field in frame.schema if pa.types.is_floating(field.type)]


def _columns(frame: Any, kind: str) -> list[str]:
    return [str(name) for name in (frame.columns if kind == "pandas" else frame.column_names)]


def _cell(value: Any, floats: bool) -> Any:
    """A frame's cell as a table cell: Python scalars, None for missing values."""
    if value is None:
        return None
    kind = type(value)
    if kind is float:
        if value != value:  # NaN: pandas' missing value in a float column
            return None
        return shortest_decimal(value) if floats else value
    if kind in (int, str, bool, Decimal, datetime.date):
        return value
    module = kind.__module__.split(".")[0]
    if module == "numpy":
        return _cell(value.item(), floats)
    if module == "pandas":
        if kind.__name__ in ("NAType", "NaTType"):
            return None
        if kind.__name__ == "Timestamp":
            return value.to_pydatetime()
    if isinstance(value, datetime.date | list | tuple | dict):
        return value
    return value


def _records(frame: Any, kind: str) -> list[dict[str, Any]]:
    if kind == "pandas":
        return frame.to_dict("records")  # type: ignore[no-any-return]
    return frame.to_pylist()  # type: ignore[no-any-return]


_PLAIN = frozenset({int, bool, Decimal, datetime.date})
"""Cell types the facts check takes as they are (a `str` too, for text and enum fields)."""


def _plan(
    positions: dict[str, int], table: Layout
) -> list[tuple[str, tuple[str, ...], Type, bool]]:
    """Per column: its name, the path of its field, its type, and whether a `str` cell is
    taken as it is (text and enum fields; other fields read text as a table cell)."""
    plan = []
    for name, index in positions.items():
        column = table.columns[index]
        inner = column.type.inner if isinstance(column.type, OptionalType) else column.type
        steps = tuple(step for step in column.path if step)
        plan.append((name, steps, column.type, isinstance(inner, TextType | EnumType)))
    return plan


def _document(
    row: dict[str, Any], plan: list[tuple[str, tuple[str, ...], Type, bool]], floats: bool
) -> tuple[dict[str, Any], list[str]]:
    """The facts document of a row, its cells as they are where the facts check takes them
    (it checks them, on the compiled fast path), converted where a frame holds them in
    another form (NumPy scalars, NaN and NA, timestamps, decimal text, floats opted in)."""
    document: dict[str, Any] = {}
    problems: list[str] = []
    for name, steps, type_, text_as_is in plan:
        value = row.get(name)
        kind = type(value)
        if not (kind in _PLAIN or (kind is str and text_as_is)):
            cell = _cell(value, floats)
            if type(cell) is float:
                problems.append(f"{name}: binary floats are not exact")
                continue
            if cell is None:
                value = None
            elif isinstance(cell, datetime.datetime) and cell.time() == datetime.time(0):
                value = cell.date()
            else:
                try:
                    value = _value(cell, type_)
                except CellProblem as problem:
                    problems.append(f"{name}: {problem.message}")
                    continue
        node = document
        for step in steps[:-1]:
            node = node.get(step) or node.setdefault(step, {})
        node[steps[-1]] = value
    return document, problems


def _column(frame: Any, kind: str, name: str) -> list[Any]:
    if kind == "pandas":
        return frame[name].tolist()  # type: ignore[no-any-return]
    return frame.column(name).to_pylist()  # type: ignore[no-any-return]


def _documents(
    frame: Any, kind: str, plan: list[tuple[str, tuple[str, ...], Type, bool]], floats: bool
) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """The facts documents of every row, built column by column: each column's cells
    converted where a frame holds them in another form than the facts check takes (only
    those cells are touched), then each row's records made with `dict(zip(…))`."""
    rows = len(frame)
    problems: list[list[str]] = [[] for _ in range(rows)]
    values: list[list[Any]] = []
    for name, _, type_, text_as_is in plan:
        column = _column(frame, kind, name)
        for index, value in enumerate(column):
            kind_ = type(value)
            if kind_ in _PLAIN or value is None or (kind_ is str and text_as_is):
                continue
            cell = _cell(value, floats)
            if type(cell) is float:
                problems[index].append(f"{name}: binary floats are not exact")
                cell = None
            elif isinstance(cell, datetime.datetime) and cell.time() == datetime.time(0):
                cell = cell.date()
            elif cell is not None and type(cell) not in _PLAIN:
                try:
                    cell = _value(cell, type_)
                except CellProblem as problem:
                    problems[index].append(f"{name}: {problem.message}")
                    cell = None
            column[index] = cell
        values.append(column)
    # Records by path, deepest first: each gets its fields (a slice of the row) and the
    # records below it; the empty path is the document.
    order = sorted(range(len(plan)), key=lambda i: plan[i][1][:-1])
    groups: dict[tuple[str, ...], list[int]] = {}
    for index in order:
        groups.setdefault(plan[index][1][:-1], []).append(index)
    paths = set(groups)
    for path in list(paths):
        paths.update(path[:depth] for depth in range(len(path)))
    layout_: list[tuple[tuple[str, ...], tuple[str, ...], int, int, list[tuple[str, ...]]]] = []
    columns_in_order: list[list[Any]] = []
    for path in sorted(paths, key=len, reverse=True):
        members = groups.get(path, [])
        start = len(columns_in_order)
        columns_in_order.extend(values[i] for i in members)
        names = tuple(plan[i][1][-1] for i in members)
        children = sorted(p for p in paths if len(p) == len(path) + 1 and p[:-1] == path)
        layout_.append((path, names, start, start + len(members), children))
    documents: list[dict[str, Any]] = []
    append = documents.append
    for row in zip(*columns_in_order, strict=True) if columns_in_order else iter([()] * rows):
        made: dict[tuple[str, ...], dict[str, Any]] = {}
        for path, names, start, end, children in layout_:
            record = dict(zip(names, row[start:end], strict=True))
            for child in children:
                record[child[-1]] = made[child]
            made[path] = record
        append(made[()])
    return documents, problems


def _flatten(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _items(
    cell: Any, sheet: ListSheet, floats: bool, name: str, problems: list[str]
) -> list[Any] | None:
    """A list-of-records cell (a list of dicts) as the list's records."""
    if cell is None or (type(cell) is float and cell != cell):
        if sheet.required:
            problems.append(f"{name}: expected a list of records, found an empty cell")
        return None if not sheet.required else []
    if hasattr(cell, "tolist"):
        cell = cell.tolist()  # numpy arrays of dicts from Arrow list columns in pandas
    if not isinstance(cell, list | tuple):
        problems.append(f"{name}: expected a list of records")
        return []
    items = []
    for index, item in enumerate(cell):
        if not isinstance(item, dict):
            problems.append(f"{name}[{index}]: expected a record")
            continue
        flat = _flatten(item)
        positions: dict[str, int] = {}
        for key in flat:
            matches = sheet.layout.resolve(key)
            if len(matches) == 1:
                positions[key] = matches[0]
            else:
                problems.append(f"{name}[{index}].{key}: no such field")
        for column_index, column in enumerate(sheet.layout.columns):
            if column.required and column_index not in positions.values():
                problems.append(f"{name}[{index}]: missing field `{column.name.lstrip('.')}`")
        document, bad = _document(flat, _plan(positions, sheet.layout), floats)
        problems.extend(f"{name}[{index}].{problem}" for problem in bad)
        items.append(document)
    return items


def _value(cell: Any, type_: Type) -> Any:
    inner = type_.inner if isinstance(type_, OptionalType) else type_
    if isinstance(cell, list | tuple) and not isinstance(cell, str):
        # A list column (Arrow list type, or Python lists in pandas): its items as cells.
        from wuxin_rules.schema import ListType

        if isinstance(inner, ListType):
            return tuple(read_cell(item, inner.element) for item in cell)
    if cell is None and isinstance(type_, OptionalType):
        return None
    return read_cell(cell, type_)


def evaluate_frame(
    policy: Policy,
    frame: Any,
    *,
    rules: Sequence[str] | None = None,
    input: str | None = None,
    floats: str | None = None,
) -> Any:
    """The verdicts of every row of `frame` (see the module's docstring)."""
    kind = _kind(frame)
    if kind == "arrow":
        frame = _flattened(frame)
    keys, table, positions, lists = _resolved(policy, frame, kind, rules, input, floats)
    if kind == "arrow" and not lists and len(frame):
        verdicts = _columnar(policy, frame, keys, table, positions, floats)
        if verdicts is not None:
            return verdicts
    return _evaluate_rows(policy, frame, kind, keys, table, positions, lists, floats)


def evaluate_pandas_on_columns(
    policy: Policy,
    frame: Any,
    *,
    rules: Sequence[str] | None = None,
    input: str | None = None,
    floats: str | None = None,
) -> Any:
    """The verdicts of a pandas DataFrame computed on columns by Arrow's kernels, as a
    DataFrame with the frame's index (the values `evaluate_frame` gives, as Python objects
    or NumPy scalars); None when the frame's columns do not convert to flat Arrow columns
    exactly (`Decimal` objects to `decimal128`, pandas' Arrow-backed columns as they are)
    or the rules do not allow columns: then `evaluate_frame` evaluates it row by row.

    Bad columns raise as `evaluate_frame` raises. For `wuxin_rules.dask`, whose partitions
    are pandas DataFrames."""
    if _kind(frame) != "pandas":
        raise UsageError(
            Diagnostic(
                "unsupported-type",
                english("frames.evaluate-pandas-on-columns"),
                help=english("frames.use-evaluate-frame-for.help"),
            )
        )
    keys, table, positions, lists = _resolved(policy, frame, "pandas", rules, input, floats)
    if lists or not len(frame):
        return None
    pa = require("pyarrow", "frames", "`evaluate_frame`")
    try:
        arrow = pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError):
        return None  # mixed or unusual cells: the row path reads each as a table cell
    if arrow.column_names != _columns(frame, "pandas") or any(
        pa.types.is_nested(field.type) for field in arrow.schema
    ):
        return None  # records or lists in cells: their columns would be named otherwise
    verdicts = _columnar(policy, arrow, keys, table, positions, floats)
    if verdicts is None:
        return None
    result = verdicts.to_pandas(integer_object_nulls=True, date_as_object=True)
    result.index = frame.index
    return result


def _flattened(frame: Any) -> Any:
    """Struct columns (records) as one column per field: `responsibility.work_funded`."""
    while any(field.type.num_fields and _is_struct(field.type) for field in frame.schema):
        frame = frame.flatten()
    return frame


def _resolved(
    policy: Policy,
    frame: Any,
    kind: str,
    rules: Sequence[str] | None,
    input: str | None,
    floats: str | None,
) -> tuple[tuple[str, ...], Layout, dict[str, int], dict[str, ListSheet]]:
    """The rules' keys, the facts' layout, each column's field and the list columns; every
    problem of the columns at once as a `FactError`."""
    policy._facts_schema(floats)  # refuses an unknown choice
    reading_floats = floats == "shortest"
    keys = policy.resolve_rules(rules)
    table = layout(policy.checked.inputs, input)
    problems: list[Diagnostic] = []
    positions: dict[str, int] = {}
    seen: dict[int, str] = {}
    lists: dict[str, ListSheet] = {}
    for name in _columns(frame, kind):
        matches = table.resolve(name)
        listed = table.resolve_list(name)
        if not matches and len(listed) == 1:
            lists[name] = table.lists[listed[0]]
            continue
        if len(matches) != 1:
            code = "ambiguous-column" if matches else "unknown-column"
            problems.append(
                Diagnostic(
                    code,
                    english(
                        "frames.column-names-several" if matches else "frames.column-names-none",
                        name=name,
                    ),
                    help=english("frames.name-by-field-s.help"),
                    path=name,
                )
            )
        elif matches[0] in seen:
            problems.append(
                Diagnostic(
                    "duplicate-column",
                    english(
                        "frames.names-field-again", name=name, name2=table.columns[matches[0]].name
                    ),
                    help=english("frames.already-column.help", seen=seen[matches[0]]),
                    path=name,
                )
            )
        else:
            seen[matches[0]] = name
            positions[name] = matches[0]
    for sheet in table.lists:
        if sheet.required and sheet not in lists.values():
            problems.append(
                Diagnostic(
                    "missing-column",
                    english("frames.no-column-for-list", join=".".join(sheet.path)),
                    help=english("frames.add-column-lists-records.help"),
                )
            )
    for index, column in enumerate(table.columns):
        if index not in seen and column.required:
            problems.append(
                Diagnostic(
                    "missing-column",
                    english("cell.no-column", field=column.name),
                    help=english("frames.add-column.help", title=column.title()),
                )
            )
    if not reading_floats:
        for name in _float_columns(frame, kind):
            if name in positions:
                problems.append(
                    Diagnostic(
                        "float-facts",
                        english("frames.column-holds-binary-floats", name=name),
                        help=english("frames.hold-as-decimals-decimal.help"),
                        path=name,
                    )
                )
    if problems:
        raise FactError(problems)
    return keys, table, positions, lists


def _columnar(
    policy: Policy,
    frame: Any,
    keys: tuple[str, ...],
    table: Layout,
    positions: dict[str, int],
    floats: str | None,
) -> Any:
    """The verdicts of an Arrow table computed on columns (`wuxin_rules.columnar`), the rows
    it cannot decide evaluated row by row; None when the rules or columns do not allow it."""
    from wuxin_rules import columnar

    pa = require("pyarrow", "frames", "`evaluate_frame`")
    pc = require("pyarrow.compute", "frames", "`evaluate_frame`")
    try:
        computed = columnar.evaluate_table(
            policy.checked, policy._param_values, frame, keys, table, positions
        )
    except columnar.Unsupported:
        return None
    columns = dict(computed.values)
    errors = pa.nulls(len(frame), pa.string())
    fallback = computed.fallback
    if fallback is not None and fallback.true_count:
        rows = _evaluate_rows(
            policy, frame.filter(fallback), "arrow", keys, table, positions, {}, floats
        )
        for key in keys:
            columns[key] = _replaced(pa, pc, columns[key], fallback, rows.column(key))
        errors = pc.replace_with_mask(errors, fallback, rows.column("errors").combine_chunks())
    # A column of none alone is Arrow's null type, as the row path's lists of None make it.
    arrays = {
        key: pa.nulls(len(frame)) if columns[key].null_count == len(frame) else columns[key]
        for key in keys
    }
    arrays["errors"] = errors
    return pa.table(arrays)


def _replaced(pa: Any, pc: Any, values: Any, mask: Any, replacements: Any) -> Any:
    """`values` with the rows of `mask` replaced, in order, by `replacements` (of the type
    of `values` when they convert exactly, else both as Python values, as the row path
    makes its columns)."""
    replacements = replacements.combine_chunks()
    if replacements.type != values.type:
        try:
            replacements = replacements.cast(values.type)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            merged = values.to_pylist()
            given = iter(replacements.to_pylist())
            for index, replaced in enumerate(mask.to_pylist()):
                if replaced:
                    merged[index] = next(given)
            # As the row path writes them: each decimal in its shortest exact form.
            return _arrow_array(
                pa,
                [fraction_to_decimal(Fraction(v)) if isinstance(v, Decimal) else v for v in merged],
            )
    merged = pc.replace_with_mask(values, mask, replacements)
    if pa.types.is_decimal(merged.type):
        from wuxin_rules.columnar import tightest

        return tightest(merged)  # the type the row path's values make
    return merged


def _evaluate_rows(
    policy: Policy,
    frame: Any,
    kind: str,
    keys: tuple[str, ...],
    table: Layout,
    positions: dict[str, int],
    lists: dict[str, ListSheet],
    floats: str | None,
) -> Any:
    """The verdicts of every row of `frame`, each row made a facts document."""
    reading_floats = floats == "shortest"
    plan = _plan(positions, table)
    documents, row_problems = _documents(frame, kind, plan, reading_floats)
    if lists:
        records = _records(frame, kind)
        for document, row, bad in zip(documents, records, row_problems, strict=True):
            for name, sheet in lists.items():
                items = _items(row.get(name), sheet, reading_floats, name, bad)
                node = document
                steps = [step for step in sheet.path if step]
                for step in steps[:-1]:
                    node = node.setdefault(step, {})
                node[steps[-1]] = items
    if any(not column.required for column in table.columns):
        for document in documents:
            none_for_empty_optional_records(document, table)
    good = [index for index, bad in enumerate(row_problems) if not bad]
    columns: dict[str, list[Any]] = {key: [None] * len(documents) for key in keys}
    errors: list[str | None] = [("; ".join(bad) if bad else None) for bad in row_problems]
    names = {steps: name for name, steps, _, _ in plan}
    try:
        # The fast path checks every document; one bad document stops the batch, and then
        # each is evaluated on its own, so that only the bad ones lose their verdicts.
        results = policy.evaluate_many(
            [documents[index] for index in good], rules=keys, floats=floats
        )
    except FactError:
        results = []
        kept = []
        for index in good:
            try:
                results.append(policy.evaluate(documents[index], rules=keys, floats=floats))
                kept.append(index)
            except FactError as error:
                errors[index] = "; ".join(_located(d, names) for d in error.diagnostics)
        good = kept
    for index, result in zip(good, results, strict=True):
        messages = []
        for key in keys:
            try:
                columns[key][index] = result[key]
            except EvaluationError as error:
                messages.append(f"{key}: {error.diagnostics[0].message}")
        if messages:
            errors[index] = "; ".join(messages)
    return _frame(kind, frame, columns, errors)


def _located(diagnostic: Diagnostic, names: dict[tuple[str, ...], str]) -> str:
    """`income: …`: a facts problem named by the frame's column (else its JSON path)."""
    path = diagnostic.path or "$"
    steps = tuple(re.findall(r"\.(\w+)", path)) if re.fullmatch(r"\$(\.\w+)*", path) else ()
    return f"{names.get(steps, path)}: {diagnostic.message}"


def _frame(kind: str, like: Any, columns: dict[str, list[Any]], errors: list[str | None]) -> Any:
    if kind == "pandas":
        pd = require("pandas", "frames", "`evaluate_frame`")
        data: dict[str, Any] = {key: values for key, values in columns.items()}
        data["errors"] = errors
        return pd.DataFrame(data, index=like.index)
    pa = require("pyarrow", "frames", "`evaluate_frame`")
    arrays = {key: _arrow_array(pa, values) for key, values in columns.items()}
    arrays["errors"] = pa.array(errors, type=pa.string())
    return pa.table(arrays)


def _arrow_array(pa: Any, values: list[Any]) -> Any:
    """An Arrow array of rule values: exact decimals as decimal128 (text where a ratio has
    no finite decimal form), the rest as Arrow infers."""
    if any(isinstance(v, Fraction) for v in values):
        values = [format_number(v) if isinstance(v, Fraction) else v for v in values]
        values = [None if v is None else str(v) for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):  # (ints past 64 bits too)
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
