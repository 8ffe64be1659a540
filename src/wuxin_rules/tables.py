"""Schedules and bands: building their definitions and proving what they promise.

Owns the `check-tables` pass's work: a schedule's stages, periods and cells (each period in
one row, within its stage's dates; stages that do not overlap; categories that are members
of the category enum; values of the declared type) and the proof of its declared
`monotone` claims; bands' bounds (numbers or numeric params) and the proof, with exact
arithmetic, that they cover their range with neither gap nor overlap (`check_bands`, which
the API runs again when params are overridden).

May import `source`, `errors`, `ast`, `schema`, `values`, `model` and `typing_rules`.
"""

from __future__ import annotations

import datetime
import itertools
import typing
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from wuxin_rules import ast, model
from wuxin_rules.errors import Diagnostic, Label, suggest
from wuxin_rules.schema import (
    DECIMAL,
    INT,
    PERCENT,
    EnumType,
    Type,
    is_numeric,
    strip_optional,
)
from wuxin_rules.source import Span
from wuxin_rules.typing_rules import (
    INVALID,
    GlobalName,
    Sym,
    SymbolTables,
    assignable,
    describe_bound,
    describe_type,
    doc_parts,
    is_invalid,
    is_percent,
    outside_bound,
    quoted,
    snippet,
)
from wuxin_rules.values import format_number

__all__ = ["build_bands", "check_bands", "check_schedule"]


_SCHEDULE_LITERALS: Mapping[type, Type] = {
    ast.IntLit: INT,
    ast.DecimalLit: DECIMAL,
    ast.PercentLit: PERCENT,
}


def _stage_range(start: datetime.date | None, end: datetime.date) -> str:
    return f"{start.isoformat() if start else ''} .. {end.isoformat()}".strip()


def check_schedule(t: SymbolTables, sym: Sym) -> model.ScheduleDef:
    """Build a schedule's definition, reporting every problem of its table into `t`."""
    decl: ast.ScheduleDecl = sym.node
    value_type, category = t.schedules[sym.key]
    inner = strip_optional(value_type)
    numeric = is_numeric(inner)
    if not numeric and not is_invalid(inner):
        t.error(
            "bad-schedule-type",
            f"schedule values are numbers, and `{describe_type(value_type)}` is not a number type",
            decl.value_type.span,
            help="declare the values `int`, `decimal` or `percent`",
        )
    period = decl.period.name
    directions = []
    for monotone in decl.monotone:
        if monotone.dimension.name != period:
            t.error(
                "bad-monotone",
                f"`{monotone.dimension.name}` is not the period of schedule `{sym.name}`",
                monotone.dimension.span,
                help=f"write `monotone {monotone.direction} in {period}`",
            )
        elif monotone.direction not in directions:
            directions.append(monotone.direction)
    cells: dict[tuple[int, str | None], Any] = {}
    spans: dict[tuple[int, str | None], Span] = {}
    first_period: dict[int, Span] = {}
    first_stage: dict[str, Span] = {}
    stages: list[tuple[model.StageDef, ast.Stage]] = []
    for stage in decl.stages:
        if stage.name.name in first_stage:
            t.duplicate("stage ", stage.name, first_stage[stage.name.name])
        first_stage.setdefault(stage.name.name, stage.name.span)
        start = stage.start.value if stage.start is not None else None
        end = stage.end.value
        if start is not None and start > end:
            t.error(
                "empty-stage",
                f"stage `{stage.name.name}` ends before it starts",
                stage.start.span.to(stage.end.span) if stage.start is not None else stage.end.span,
                help="write the earlier date first",
            )
        periods = []
        for row in stage.rows:
            number = row.period.value
            if number in first_period:
                t.error(
                    "duplicate-period",
                    f"period `{number}` appears twice in schedule `{sym.name}`",
                    row.period.span,
                    labels=[Label(first_period[number], "first here")],
                    help="give each period one row",
                )
                continue
            first_period[number] = row.period.span
            if (start is not None and number < start.year) or number > end.year:
                t.error(
                    "period-outside-stage",
                    f"period `{number}` lies outside stage `{stage.name.name}`",
                    row.period.span,
                    notes=[f"stage `{stage.name.name}` runs `{_stage_range(start, end)}`"],
                    help="move the row into the stage whose dates cover it, or correct the "
                    "stage's dates",
                )
            periods.append(number)
            _check_row(t, sym, row, inner if numeric else None, category, cells, spans)
        label = stage.doc.label.value if stage.doc.label else None
        stages.append(
            (model.StageDef(stage.name.name, label, start, end, tuple(periods), stage.span), stage)
        )
    _check_stage_overlaps(t, sym, stages)
    if numeric:
        members = [m.name for m in category.members] if category is not None else [None]
        for direction in directions:
            for member in members:
                _prove_monotone(t, sym, direction, member, inner, cells, spans)
    label, cites, _ = doc_parts(decl.doc)
    return model.ScheduleDef(
        sym.key,
        sym.name,
        label,
        cites,
        value_type,
        period,
        category,
        tuple(stage for stage, _ in stages),
        cells,
        tuple(directions),
        decl.span,
    )


def _check_row(
    t: SymbolTables,
    sym: Sym,
    row: ast.ScheduleRow,
    value_type: Type | None,
    category: EnumType | None,
    cells: dict[tuple[int, str | None], Any],
    spans: dict[tuple[int, str | None], Span],
) -> None:
    period = row.period.value
    seen: dict[str, Span] = {}
    broken = False
    for index, cell in enumerate(row.cells):
        member: str | None = None
        if category is None:
            if cell.category is not None:
                t.error(
                    "unexpected-category",
                    f"schedule `{sym.name}` has no categories",
                    cell.category.span,
                    help=f"remove `{cell.category.name}`, or declare the categories: "
                    f"`… by {sym.node.period.name}, SomeEnum`",
                )
                continue
            if index > 0:
                # Without categories a row holds one value; a second one would silently win.
                t.error(
                    "extra-cell",
                    f"period `{period}` of schedule `{sym.name}` has {len(row.cells)} values, "
                    "but a schedule without categories has one per period",
                    row.cells[1].span.to(row.cells[-1].span),
                    labels=[Label(row.cells[0].span, "the value of the period")],
                    help=f"keep one value, or give the schedule categories: `… by "
                    f"{sym.node.period.name}, SomeEnum` and name each cell's category",
                )
                return
        elif cell.category is None:
            example = category.members[0].name if category.members else "category"
            t.error(
                "missing-category",
                f"this cell of schedule `{sym.name}` names no category",
                cell.span,
                help=f"write the category before the value: `{example} {snippet(cell.value.span)}`",
            )
            broken = True
            continue
        else:
            member = cell.category.name
            if category.member(member) is None:
                names = [m.name for m in category.members]
                t.error(
                    "unknown-member",
                    f"unknown member `{member}` of `{category.name}`",
                    cell.category.span,
                    help=suggest(member, names) or f"its members are {quoted(names)}",
                )
                broken = True
                continue
            if member in seen:
                t.error(
                    "duplicate-cell",
                    f"`{member}` appears twice in period `{period}`",
                    cell.category.span,
                    labels=[Label(seen[member], "first here")],
                    help="give each category one value per period",
                )
                continue
            seen[member] = cell.category.span
        value = cell.value
        if isinstance(value, ast.NoneLit):
            number = None
        else:
            literal_type = _SCHEDULE_LITERALS[type(value)]
            # A schedule's cell is a number literal (its kinds are _SCHEDULE_LITERALS's).
            number = typing.cast("Fraction | int", value.value)  # type: ignore[union-attr]
            if value_type is not None and not assignable(literal_type, value_type):
                t.error(
                    "type-mismatch",
                    f"expected `{describe_type(value_type)}`, found `{describe_type(literal_type)}`",
                    value.span,
                    help="round the number, or declare the schedule's values `decimal`",
                )
                continue
            outside = outside_bound(number, value_type) if value_type is not None else None
            if outside is not None:
                percent = is_percent(value_type) if value_type is not None else False
                t.error(
                    "out-of-bounds",
                    f"`{format_number(number, percent=percent)}` is outside the bound "
                    f"`{describe_bound(outside[1], percent)}` of the values of `{sym.name}`",
                    value.span,
                    help="correct the value, or the bound in the schedule's type",
                )
                continue
        cells[(period, member)] = number
        spans[(period, member)] = cell.span
    if category is not None and not broken:
        missing = [m.name for m in category.members if m.name not in seen]
        if missing:
            # A category left out is an error, not a silent `none`: the author says `none`.
            t.error(
                "missing-cell",
                f"period `{period}` of schedule `{sym.name}` gives no value for {quoted(missing)}",
                row.span,
                notes=[f"every row lists each member of `{category.name}`"],
                help="add "
                + ", ".join(f"`{m} …`" for m in missing[:3])
                + (", …" if len(missing) > 3 else "")
                + f", or `{missing[0]} none` where the table has no value",
            )


def _check_stage_overlaps(
    t: SymbolTables, sym: Sym, stages: list[tuple[model.StageDef, ast.Stage]]
) -> None:
    valid = [(s, a) for s, a in stages if s.start is None or s.start <= s.end]
    ordered = sorted(valid, key=lambda pair: (pair[0].start or datetime.date.min, pair[0].end))
    furthest: tuple[model.StageDef, ast.Stage] | None = None
    for stage, node in ordered:
        if furthest is not None and (stage.start is None or stage.start <= furthest[0].end):
            other = furthest[0]
            t.error(
                "stage-overlap",
                f"stages `{other.name}` and `{stage.name}` of schedule `{sym.name}` overlap",
                node.name.span,
                notes=[
                    f"`{other.name}` runs `{_stage_range(other.start, other.end)}`, "
                    f"`{stage.name}` runs `{_stage_range(stage.start, stage.end)}`"
                ],
                labels=[Label(furthest[1].name.span, f"`{other.name}` is here")],
                help="start each stage after the one before it ends",
            )
        if furthest is None or stage.end > furthest[0].end:
            furthest = (stage, node)


def _prove_monotone(
    t: SymbolTables,
    sym: Sym,
    direction: str,
    member: str | None,
    value_type: Type,
    cells: Mapping[tuple[int, str | None], Any],
    spans: Mapping[tuple[int, str | None], Span],
) -> None:
    """Check that consecutive defined cells of one category never go the wrong way."""
    series = sorted(
        (period, value) for (period, m), value in cells.items() if m == member and value is not None
    )
    percent = is_percent(value_type)
    where = f" for `{member}`" if member is not None else ""
    for (p1, v1), (p2, v2) in itertools.pairwise(series):
        if (v2 < v1) if direction == "nondecreasing" else (v2 > v1):
            a, b = format_number(v1, percent=percent), format_number(v2, percent=percent)
            t.error(
                "schedule-not-monotone",
                f"schedule `{sym.name}` is not {direction} in `{sym.node.period.name}`{where}: "
                f"{a} in {p1}, then {b} in {p2}",
                spans[(p2, member)],
                labels=[Label(spans[(p1, member)], f"{a} in {p1}")],
                help=f"correct one of the two values, or remove `monotone {direction} in "
                f"{sym.node.period.name}` if the table is not meant to be {direction}",
            )


def _band_bound(t: SymbolTables, node: ast.Expr) -> model.CExpr | None:
    if isinstance(node, ast.IntLit | ast.DecimalLit | ast.PercentLit):
        return model.Const(node.value, _SCHEDULE_LITERALS[type(node)], node.span)
    res = t.res.get(id(node))
    if not isinstance(res, GlobalName):
        return None
    type_ = t.param_types.get(res.sym.key, INVALID)
    if is_invalid(type_):
        return None
    if not is_numeric(type_):
        t.error(
            "bad-band-bound",
            f"param `{res.sym.name}` is `{describe_type(type_)}`, not a number",
            node.span,
            help="a band bound is a number or a numeric param (`int`, `decimal` or `percent`, "
            "not optional)",
        )
        return None
    return model.ParamRef(res.sym.key, type_, node.span)


def build_bands(t: SymbolTables, sym: Sym) -> model.BandsDef | None:
    """The definition of bands (None when a bound is not a number or a numeric param).

    Coverage is not checked here: `check_bands` does it, for given param values.
    """
    decl: ast.BandsDecl = sym.node
    low, high = _band_bound(t, decl.over.low), _band_bound(t, decl.over.high)
    bands = []
    complete = low is not None and high is not None
    for band in decl.bands:
        band_low, band_high = _band_bound(t, band.range.low), _band_bound(t, band.range.high)
        if band_low is None or band_high is None:
            complete = False
            continue
        label = band.label.value if band.label else None
        bands.append(
            model.BandDef(
                band.name.name,
                label,
                band_low,
                band_high,
                band.range.high_inclusive,
                band.span,
                low_inclusive=band.range.low_inclusive,
            )
        )
    if not complete or low is None or high is None:
        return None
    label, cites, _ = doc_parts(decl.doc)
    return model.BandsDef(
        sym.key,
        sym.name,
        label,
        cites,
        t.enum_types[sym.key],
        low,
        high,
        decl.over.high_inclusive,
        tuple(bands),
        decl.span,
        low_inclusive=decl.over.low_inclusive,
    )


def check_bands(bands: model.BandsDef, param_values: Mapping[str, Any]) -> list[Diagnostic]:
    """Prove that `bands` cover their range exactly once, for the given param values.

    `param_values` maps param keys to values (the defaults, with any overrides); the API
    calls this again when params are overridden at load time. Arithmetic is exact; `..`
    includes both bounds, `..<` excludes the high one, `<..` the low one, `<..<` both.
    Returns the problems (`band-gap`, `band-overlap`, `empty-band`, `band-out-of-range`),
    an empty list when there are none.
    """
    problems: list[Diagnostic] = []

    def value(bound: model.CExpr) -> Any:
        if isinstance(bound, model.Const):
            return bound.value
        if isinstance(bound, model.ParamRef):
            if bound.key not in param_values:
                problems.append(
                    Diagnostic(
                        "unknown-param",
                        f"no value for param `{bound.key}`",
                        span=bound.span,
                        help="pass the value of every param the bands use",
                    )
                )
                return None
            return param_values[bound.key]
        return None

    percent = is_percent(bands.low.type) and is_percent(bands.high.type)

    def num(number: Any) -> str:
        return format_number(number, percent=percent)

    def span_of(low: Any, high: Any, inclusive: bool, low_inclusive: bool = True) -> str:
        return f"{num(low)} {model.range_operator(low_inclusive, inclusive)} {num(high)}"

    low, high = value(bands.low), value(bands.high)
    intervals = []
    for band in bands.bands:
        band_low, band_high = value(band.low), value(band.high)
        if band_low is not None and band_high is not None:
            intervals.append((band_low, band.low_inclusive, band_high, band.high_inclusive, band))
    if problems or low is None or high is None:
        return problems
    whole = span_of(low, high, bands.high_inclusive, bands.low_inclusive)
    limits = (bands.low, bands.high)

    def bounds(*involved: model.BandDef | None) -> list[model.CExpr]:
        return [b for band in involved if band is not None for b in (band.low, band.high)]

    def report(
        code: str,
        message: str,
        span: Span,
        help: str,
        labels: Sequence[Label] = (),
        involved: Sequence[model.CExpr] = (),
    ) -> None:
        # Say which param values made the problem, since an override may have caused it.
        keys = dict.fromkeys(b.key for b in involved if isinstance(b, model.ParamRef))
        notes = tuple(f"param `{key}` is {num(param_values[key])}" for key in keys)
        problems.append(
            Diagnostic(code, message, span=span, notes=notes, labels=tuple(labels), help=help)
        )

    if low > high or (low == high and not (bands.high_inclusive and bands.low_inclusive)):
        report(
            "empty-band",
            f"the range `{whole}` of `{bands.name}` holds no value",
            bands.span,
            "write the smaller bound first",
            involved=limits,
        )
        return problems
    swept = []
    for band_low, low_inclusive, band_high, inclusive, band in intervals:
        if band_low > band_high or (band_low == band_high and not (inclusive and low_inclusive)):
            shown = span_of(band_low, band_high, inclusive, low_inclusive)
            report(
                "empty-band",
                f"band `{band.name}` holds no value: `{shown}`",
                band.span,
                "write the smaller bound first, or `..` to include the high bound",
                involved=bounds(band),
            )
        elif (
            band_low < low
            or (band_low == low and low_inclusive and not bands.low_inclusive)
            or band_high > high
            or (band_high == high and inclusive and not bands.high_inclusive)
        ):
            report(
                "band-out-of-range",
                f"band `{band.name}` reaches outside the range `{whole}` of `{bands.name}`",
                band.span,
                f"keep every band within `{whole}`",
                involved=[*bounds(band), *limits],
            )
            # What it covers inside the range still counts (no knock-on gap or overlap).
            if band_high > high:
                band_high, inclusive = high, bands.high_inclusive
            elif band_high == high:
                inclusive = inclusive and bands.high_inclusive
            if band_low < low:
                band_low, low_inclusive = low, bands.low_inclusive
            elif band_low == low:
                low_inclusive = low_inclusive and bands.low_inclusive
            if band_low < band_high or (band_low == band_high and inclusive and low_inclusive):
                swept.append((band_low, low_inclusive, band_high, inclusive, band))
        else:
            swept.append((band_low, low_inclusive, band_high, inclusive, band))
    # By low end (a band holding its low end first), then high end.
    swept.sort(key=lambda item: (item[0], not item[1], item[2], item[3]))
    # Everything below `cursor` is covered, and `cursor` itself too when `closed` (the low
    # end of a range that excludes it needs no band).
    cursor, closed, last = low, not bands.low_inclusive, None
    for band_low, low_inclusive, band_high, inclusive, band in swept:
        if band_low > cursor or (band_low == cursor and not closed and not low_inclusive):
            gap = _gap(num, cursor, closed, band_low, not low_inclusive)
            report(
                "band-gap",
                f"`{bands.name}` has a gap: no band holds {gap}",
                band.span,
                "extend a neighbouring band to cover the gap, or add a band for it",
                [Label(last.span, f"`{last.name}` ends here")] if last is not None else [],
                involved=bounds(last, band) if last is not None else [bands.low, *bounds(band)],
            )
        elif last is not None and (band_low < cursor or (closed and low_inclusive)):
            if band_high < cursor:
                top, top_closed = band_high, inclusive
            elif band_high > cursor:
                top, top_closed = cursor, closed
            else:
                top, top_closed = cursor, closed and inclusive
            both = (
                f"`{num(band_low)}`"
                if band_low == top
                else f"`{span_of(band_low, top, top_closed, low_inclusive)}`"
            )
            report(
                "band-overlap",
                f"bands `{last.name}` and `{band.name}` of `{bands.name}` overlap: both hold {both}",
                band.span,
                "make each band end where the next begins: `a ..< b` then `b .. c`",
                [Label(last.span, f"`{last.name}` is here")],
                involved=bounds(last, band),
            )
        if band_high > cursor or (band_high == cursor and inclusive and not closed):
            cursor, closed, last = band_high, inclusive, band
    if cursor < high or (cursor == high and bands.high_inclusive and not closed):
        where = last.span if last is not None else bands.span
        report(
            "band-gap",
            f"`{bands.name}` has a gap: no band holds "
            f"{_gap(num, cursor, closed, high, bands.high_inclusive)}",
            where,
            "extend the last band to the end of the range, or add a band for the gap",
            involved=[*bounds(last), bands.high],
        )
    return problems


def _gap(
    num: Callable[[Any], str], low: Any, low_covered: bool, high: Any, high_included: bool
) -> str:
    """The words for an uncovered interval: `60 ..< 90`, `the value 100`, …."""
    if low == high:
        return f"the value `{num(low)}`"
    if not low_covered:
        return f"`{num(low)} {'..' if high_included else '..<'} {num(high)}`"
    if high_included:
        return f"the values above `{num(low)}` up to `{num(high)}`"
    return f"the values above `{num(low)}` and below `{num(high)}`"
