"""Decision tables: lowering to expressions, and the proofs about their rows.

A `decision` declaration is a named definition with a value, like a rule. The checker checks
it as the rule `lowered` builds from it (an `if` chain for the single-hit policies, an
aggregate over the row numbers for the collecting ones), so every evaluation path (the
reference evaluator, the compiled fast path and the compiled tracer) evaluates it with the
code it already has, and agrees by construction. The parts of the lowered expressions carry
the spans of the cells and rows they come from: an explanation shows the row that held, its
cells and their values.

A table with parameters becomes a rule with parameters. A column with a `none` cell may be
absent: its `none` tests become `is none` (not narrowing the rows after them) and each of
its other tests `if column is none then false else test`, so that, as in DMN, only `-` and
`none` hold for an absent value.

`analyse` proves, on the table's constant cells, that it is well formed for its hit policy:
no two rows overlap where the policy forbids it (unique; any, when their outputs differ),
every input matches a row (unless the table has an `else`), and every row can be the one
chosen. Each claim that fails comes with a concrete input that shows it. The proof is exact:
each cell's test is constant on the pieces the column's constants cut its domain into, so one
value of each piece stands for all of them.
"""

from __future__ import annotations

import datetime
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import ast
from wuxin_rules.errors import Diagnostic, Severity
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    BoolType,
    DateType,
    EnumType,
    IntType,
    NumberType,
    OptionalType,
    TextType,
    Type,
)
from wuxin_rules.source import Span

ROW_VARIABLE = "row#"
"""The aggregate variable of a collecting table's lowered form (the row number): not a name
an author can write, so it can never hide a name the table's inputs use."""

MAX_CASES = 200_000
"""The most input combinations the proofs try; a larger table is left unproved (a warning)."""

SINGLE_HIT = ("unique", "any", "priority", "first")

MAX_ROWS = 100
"""The most rows a table may have: its lowered rule nests one `if` per row, and evaluation
refuses expressions nested much deeper (`too-deep`). A longer table is split in two, the
second one the `else` of the first."""


# ------------------------------------------------------------------------------------------
# Lowering


def lowered_module(module: ast.Module) -> ast.Module:
    """The module with each decision table replaced by the rule it stands for."""
    if not any(isinstance(decl, ast.DecisionDecl) for decl in module.declarations):
        return module
    enums = {d.name.name: d for d in module.declarations if isinstance(d, ast.EnumDecl)}
    declarations = tuple(
        lowered(decl, enums) if isinstance(decl, ast.DecisionDecl) else decl
        for decl in module.declarations
    )
    return attrs.evolve(module, declarations=declarations)


def priority_order(decl: ast.DecisionDecl, enums: Mapping[str, ast.EnumDecl]) -> list[int] | None:
    """The rows' positions, highest priority first (priority and output order): by the place
    of each row's first output among the members of the enum the table returns (a list of
    it, for output order). None when the table returns no enum of its module or a row's
    output is not one of its members."""
    returns = decl.returns
    if isinstance(returns, ast.ListTypeExpr):  # output order: a list of the enum
        returns = returns.element
    if not isinstance(returns, ast.TypeRef) or len(returns.name.parts) != 1:
        return None
    enum = enums.get(returns.name.parts[0].name)
    if enum is None:
        return None
    places = {member.name.name: i for i, member in enumerate(enum.members)}
    keys = []
    for row in decl.rows:
        output = row.outputs[0] if row.outputs else None
        member = _member_written(output, enum.name.name)
        if member not in places:
            return None
        keys.append(places[member])
    return sorted(range(len(decl.rows)), key=lambda i: keys[i])


def _member_written(output: ast.Expr | None, enum: str) -> str | None:
    """The member an output names: bare (`DECLINE`) or qualified with the enum
    (`Routing.DECLINE`, needed where two enums share the member's name); else None."""
    if isinstance(output, ast.NameRef):
        return output.name
    if (
        isinstance(output, ast.FieldAccess)
        and isinstance(output.target, ast.NameRef)
        and output.target.name == enum
    ):
        return output.field.name
    return None


def lowered(decl: ast.DecisionDecl, enums: Mapping[str, ast.EnumDecl]) -> ast.RuleDecl:
    """The rule a decision table stands for (see the module's docstring)."""
    hit = decl.hit_policy
    order = list(range(len(decl.rows)))
    if hit.kind in ("priority", "output order"):
        order = priority_order(decl, enums) or order
    rows = [decl.rows[i] for i in order]
    conditions = [row_condition(decl, row) for row in rows]
    values = [row_value(decl, row.outputs, row.span) for row in rows]
    if hit.kind in SINGLE_HIT:
        body = _chain(decl, [row.span for row in rows], conditions, values)
    else:
        body = _collect(decl, hit, [row.span for row in rows], conditions, values)
    return ast.RuleDecl("rule", decl.name, decl.params, decl.doc, decl.returns, body, decl.span)


def _chain(
    decl: ast.DecisionDecl,
    spans: list[Span],
    conditions: list[ast.Expr],
    values: list[ast.Expr],
) -> ast.Expr:
    """`if row 1 then … else if row 2 then … else (the else row, or the last row: the proofs
    show that a table without `else` leaves no input unmatched). Each `if` carries its row's
    span, so that an explanation shows the row as written."""
    triples = list(zip(spans, conditions, values, strict=True))
    if decl.default is not None:
        tail = row_value(decl, decl.default, decl.default[0].span if decl.default else decl.span)
    else:
        tail = values[-1]
        triples = triples[:-1]
    for span, condition, value in reversed(triples):
        tail = ast.If(condition, value, tail, span)
    return tail


def _collect(
    decl: ast.DecisionDecl,
    hit: ast.HitPolicy,
    spans: list[Span],
    conditions: list[ast.Expr],
    values: list[ast.Expr],
) -> ast.Expr:
    """`KIND of row# in [1, …, n] where <row's condition> : <row's output>`: the outputs of
    the rows that hold, in row order (priority order for `output order`). The aggregate
    carries the span of the `hit` line, each row number the span of its row."""
    var = ast.Ident(ROW_VARIABLE, hit.span)
    numbers = ast.ListLit(tuple(ast.IntLit(i + 1, span) for i, span in enumerate(spans)), hit.span)

    def by_row(items: list[ast.Expr]) -> ast.Expr:
        result = items[-1]
        for index in range(len(items) - 2, -1, -1):
            span = spans[index]
            number = ast.NameRef(ROW_VARIABLE, span)
            test = ast.Compare("==", number, ast.IntLit(index + 1, span), span)
            result = ast.If(test, items[index], result, span)
        return result

    kind = hit.aggregator or "list"
    body = None if kind == "count" else by_row(values)
    return ast.Aggregate(kind, var, numbers, by_row(conditions), body, hit.span)


def tests_none(decl: ast.DecisionDecl, index: int) -> bool:
    """Whether a cell of column `index` tests for `none`: the column's value may then be
    absent, and each of its other tests fails on `none` (as DMN's tests fail on null)."""
    return any(
        test.op == "none"
        for row in decl.rows
        if index < len(row.cells)
        for test in row.cells[index].tests
    )


def row_condition(decl: ast.DecisionDecl, row: ast.TableRow) -> ast.Expr:
    """The condition of a row: its cells' tests, all of which must hold (`-` cells left out)."""
    tests = [
        cell_condition(column, cell, tests_none(decl, index))
        for index, (column, cell) in enumerate(zip(decl.inputs, row.cells, strict=False))
        if not cell.is_any
    ]
    if not tests:
        return ast.BoolLit(True, row.span)
    if len(tests) == 1:
        return tests[0]
    return ast.BoolOp("and", tuple(tests), row.span)


def cell_condition(column: ast.Expr, cell: ast.TableCell, optional: bool = False) -> ast.Expr:
    """One cell's condition on its column: one of its tests holds (none, for `not`). In a
    column that may be `none` (`optional`), each test but `none` fails on `none`."""
    tests = [test_condition(column, test, optional) for test in cell.tests]
    condition = tests[0] if len(tests) == 1 else ast.BoolOp("or", tuple(tests), cell.span)
    return ast.Not(condition, cell.span) if cell.negated else condition


def test_condition(column: ast.Expr, test: ast.CellTest, optional: bool = False) -> ast.Expr:
    if test.op == "none":
        return ast.IsNone(column, False, test.span, narrows=False)
    if optional:
        # `if column is none then false else test`: an `if` (not `and`, which evaluates
        # both sides) so that the test sees the column's value narrowed to a present one.
        present = test_condition(column, test)
        absent = ast.IsNone(column, False, test.span)
        return ast.If(absent, ast.BoolLit(False, test.span), present, test.span)
    if test.op != "range" or test.high is None:
        return ast.Compare(test.op, column, test.value, test.span)
    low = ast.Compare(">=" if test.low_inclusive else ">", column, test.value, test.span)
    high = ast.Compare("<=" if test.high_inclusive else "<", column, test.high, test.high.span)
    return ast.BoolOp("and", (low, high), test.span)


def row_value(decl: ast.DecisionDecl, outputs: Sequence[ast.Expr], span: Span) -> ast.Expr:
    """A row's value: its one output, or a record of its outputs named by the columns."""
    if len(decl.outputs) == 1 and outputs:
        return outputs[0]
    fields = tuple(
        ast.RecordField(name, value, value.span)
        for name, value in zip(decl.outputs, outputs, strict=False)
    )
    return ast.RecordLit(fields, span)


# ------------------------------------------------------------------------------------------
# The shape of a table


def shape_errors(decl: ast.DecisionDecl) -> list[Diagnostic]:
    """Rows with too few or too many cells or outputs; collecting several outputs; too many
    rows."""
    found: list[Diagnostic] = []
    columns, outputs = len(decl.inputs), len(decl.outputs)
    for number, row in enumerate(decl.rows, start=1):
        if len(row.cells) != columns:
            found.append(
                Diagnostic(
                    "table-shape",
                    english("table-shape.cells", row=number, cells=len(row.cells), columns=columns),
                    span=row.span,
                    help=english("table-shape.cells.help"),
                )
            )
        if len(row.outputs) != outputs:
            found.append(
                Diagnostic(
                    "table-shape",
                    english(
                        "table-shape.outputs", row=number, cells=len(row.outputs), columns=outputs
                    ),
                    span=row.span,
                    help=english("table-shape.outputs.help"),
                )
            )
    if decl.default is not None and len(decl.default) != outputs:
        found.append(
            Diagnostic(
                "table-shape",
                english("table-shape.else", cells=len(decl.default), columns=outputs),
                span=decl.default[0].span if decl.default else decl.span,
                help=english("table-shape.outputs.help"),
            )
        )
    if len(decl.rows) > MAX_ROWS:
        found.append(
            Diagnostic(
                "table-too-long",
                english("table-too-long", rows=len(decl.rows), most=MAX_ROWS),
                span=decl.rows[MAX_ROWS].span,
                help=english("table-too-long.help"),
            )
        )
    hit = decl.hit_policy
    if hit.kind not in SINGLE_HIT and decl.default is not None:
        found.append(
            Diagnostic(
                "table-shape",
                english("table-shape.collect-else", hit=_hit_text(hit)),
                span=decl.default[0].span if decl.default else decl.span,
                help=english("table-shape.collect-else.help"),
            )
        )
    if hit.aggregator is not None and outputs != 1:
        found.append(
            Diagnostic(
                "table-shape",
                english("table-shape.aggregate", hit=_hit_text(hit)),
                span=hit.span,
                help=english("table-shape.aggregate.help"),
            )
        )
    return found


def _hit_text(hit: ast.HitPolicy) -> str:
    return f"{hit.kind} {hit.aggregator}" if hit.aggregator else hit.kind


# ------------------------------------------------------------------------------------------
# The proofs


@attrs.frozen
class Test:
    """A cell test on constants: `op` as in `ast.CellTest`; `high` for ranges."""

    op: str
    value: Any
    high: Any = None
    low_inclusive: bool = True
    high_inclusive: bool = True
    params: tuple[str | None, str | None] = (None, None)
    """The keys of the params `value` and `high` are (their values at check time above)."""

    def holds(self, x: Any) -> bool:
        if self.op == "none" or x is None:
            return self.op == "none" and x is None
        if self.op == "range":
            low_ok = self.value <= x if self.low_inclusive else self.value < x
            high_ok = x <= self.high if self.high_inclusive else x < self.high
            return bool(low_ok and high_ok)
        return bool(_COMPARE[self.op](x, self.value))


_COMPARE: Mapping[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


@attrs.frozen
class Cell:
    tests: tuple[Test, ...]
    negated: bool

    def holds(self, x: Any) -> bool:
        if not self.tests:
            return True
        found = any(test.holds(x) for test in self.tests)
        return not found if self.negated else found


@attrs.frozen
class Table:
    """A table reduced to what the proofs need: column types, rows of constant cells (in the
    order the hit policy tries them), each row's output key (equal keys: equal outputs) and
    its number as written."""

    name: str
    hit: str
    types: tuple[Type, ...]
    rows: tuple[tuple[Cell, ...], ...]
    outputs: tuple[Any, ...]
    numbers: tuple[int, ...]
    has_default: bool


def uses_params(table: Table) -> bool:
    """Whether a cell of the table is a param (whose value a load may change)."""
    return any(
        key is not None
        for row in table.rows
        for cell in row
        for t in cell.tests
        for key in t.params
    )


def with_params(table: Table, values: Mapping[str, Any]) -> Table:
    """The table with the param cells given the values `values` (by param key)."""

    def value(test: Test, index: int, current: Any) -> Any:
        key = test.params[index]
        return values.get(key, current) if key is not None else current

    rows = tuple(
        tuple(
            attrs.evolve(
                cell,
                tests=tuple(
                    attrs.evolve(t, value=value(t, 0, t.value), high=value(t, 1, t.high))
                    for t in cell.tests
                ),
            )
            for cell in row
        )
        for row in table.rows
    )
    return attrs.evolve(table, rows=rows)


def representatives(type_: Type, constants: Sequence[Any]) -> list[Any] | None:
    """One value of each piece the constants cut the type's domain into (None: a type the
    proofs do not cover). An optional type has one piece more: `none`."""
    if isinstance(type_, OptionalType):
        inner = representatives(type_.inner, [c for c in constants if c is not None])
        return None if inner is None else [*inner, None]
    if isinstance(type_, BoolType):
        return [False, True]
    if isinstance(type_, EnumType):
        return [member.name for member in type_.members]
    if isinstance(type_, TextType):
        other = "?"
        while other in constants:
            other += "?"
        return [*sorted(set(constants)), other]
    if isinstance(type_, IntType | NumberType | DateType):
        points = sorted(set(constants))
        if isinstance(type_, IntType):
            # A whole-number column changes its cells' results only between whole numbers:
            # `< 17.5` cuts between 17 and 18.
            points = sorted({end for c in points for end in (math.floor(c), math.ceil(c))})
        step: Any
        if isinstance(type_, IntType):
            step = 1
        elif isinstance(type_, DateType):
            step = datetime.timedelta(days=1)
        else:
            step = None
        values: list[Any] = []
        if not points:
            values = [datetime.date(2000, 1, 1) if isinstance(type_, DateType) else 0]
        else:
            values.append(points[0] - (step if step is not None else 1))
            for low, high in itertools.pairwise(points):
                values.append(low)
                between = low + step if step is not None else (low + high) / 2
                if between < high:
                    values.append(between)
            values.append(points[-1])
            values.append(points[-1] + (step if step is not None else 1))
        bound = getattr(type_, "bound", None)
        if bound is not None:
            values = [v for v in values if _within(v, bound)]
            # The ends of a bound are values of the type too.
            for end in (bound.low, bound.high):
                if end is not None and _within(end, bound) and end not in values:
                    values.append(Fraction(end) if not isinstance(type_, IntType) else int(end))
        return values
    return None


def _within(value: Any, bound: Any) -> bool:
    if bound.low is not None and (value < bound.low if bound.low_inclusive else value <= bound.low):
        return False
    return not (
        bound.high is not None
        and (value > bound.high if bound.high_inclusive else value >= bound.high)
    )


@attrs.frozen
class Finding:
    """What a proof found: a code, the rows concerned (numbers as written) and the input
    that shows it (one value per column)."""

    kind: str
    rows: tuple[int, ...]
    case: tuple[Any, ...]


def analyse(table: Table) -> list[Finding]:
    """Overlaps, gaps and rows never chosen, each with the first input that shows it."""
    pieces = [
        representatives(t, [v for row in table.rows for v in _constants(row[i])])
        for i, t in enumerate(table.types)
    ]
    if any(p is None for p in pieces):
        return [Finding("table-not-proved", (), ())]
    size = 1
    for piece in pieces:
        size *= max(1, len(piece or ()))
    if size > MAX_CASES:
        return [Finding("table-not-proved", (), ())]
    findings: list[Finding] = []
    seen: set[tuple[str, tuple[int, ...]]] = set()
    chosen = [False] * len(table.rows)
    matched = [False] * len(table.rows)
    multi = table.hit not in SINGLE_HIT

    def found(kind: str, rows: tuple[int, ...], case: tuple[Any, ...]) -> None:
        key = (kind, rows if kind != "table-gap" else ())
        if key not in seen:
            seen.add(key)
            findings.append(Finding(kind, rows, case))

    for case in itertools.product(*(p or () for p in pieces)):
        hits = [
            i
            for i, row in enumerate(table.rows)
            if all(c.holds(x) for c, x in zip(row, case, strict=True))
        ]
        for i in hits:
            matched[i] = True
        if hits:
            chosen[hits[0]] = True
            if multi:
                for i in hits:
                    chosen[i] = True
        elif not table.has_default and not multi:
            found("table-gap", (), case)
        if len(hits) > 1:
            if table.hit == "unique":
                found("table-overlap", (table.numbers[hits[0]], table.numbers[hits[1]]), case)
            elif table.hit == "any":
                outs = {table.outputs[i] for i in hits}
                if len(outs) > 1:
                    first = hits[0]
                    other = next(i for i in hits if table.outputs[i] != table.outputs[first])
                    found("table-overlap", (table.numbers[first], table.numbers[other]), case)
    for i, number in enumerate(table.numbers):
        if not matched[i]:
            findings.append(Finding("table-row-unreachable", (number,), ()))
        elif not chosen[i] and table.hit in ("first", "priority"):
            findings.append(Finding("table-row-shadowed", (number,), ()))
    return findings


def _constants(cell: Cell) -> list[Any]:
    found = []
    for test in cell.tests:
        if test.op == "none":
            continue
        found.append(test.value)
        if test.op == "range":
            found.append(test.high)
    return found


def finding_diagnostic(
    finding: Finding,
    decl: ast.DecisionDecl,
    columns: Sequence[str],
    shown: Callable[[Any, int], str],
) -> Diagnostic:
    """The diagnostic of a finding: the rows and the input that shows it, as policy text."""
    pairs = zip(columns, finding.case, strict=False)
    case = ", ".join(f"`{column} = {shown(value, i)}`" for i, (column, value) in enumerate(pairs))
    name = decl.name.name
    rows = finding.rows
    if finding.kind == "table-overlap":
        hit = decl.hit_policy.kind
        key = "table-overlap.any" if hit == "any" else "table-overlap"
        return Diagnostic(
            "table-overlap",
            english(key, table=name, first=rows[0], second=rows[1]),
            span=decl.rows[rows[1] - 1].span,
            notes=(english("table-case", case=case),),
            help=english("table-overlap.help"),
        )
    if finding.kind == "table-gap":
        return Diagnostic(
            "table-gap",
            english("table-gap", table=name),
            span=decl.name.span,
            notes=(english("table-case", case=case),),
            help=english("table-gap.help"),
        )
    if finding.kind == "table-row-unreachable":
        return Diagnostic(
            "table-row-unreachable",
            english("table-row-unreachable", table=name, row=rows[0]),
            span=decl.rows[rows[0] - 1].span,
            severity=Severity.WARNING,
            help=english("table-row-unreachable.help"),
        )
    if finding.kind == "table-row-shadowed":
        return Diagnostic(
            "table-row-shadowed",
            english("table-row-shadowed", table=name, row=rows[0], hit=decl.hit_policy.kind),
            span=decl.rows[rows[0] - 1].span,
            severity=Severity.WARNING,
            help=english("table-row-shadowed.help"),
        )
    return Diagnostic(
        "table-not-proved",
        english("table-not-proved", table=name),
        span=decl.name.span,
        severity=Severity.WARNING,
        help=english("table-not-proved.help"),
    )
