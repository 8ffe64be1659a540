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
from wuxin_rules.messages import english
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
    beyond_scale,
    describe_bound,
    describe_type,
    doc_parts,
    is_invalid,
    is_percent,
    outside_bound,
    quoted,
    snippet,
)
from wuxin_rules.values import decimal_places, format_number

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
            english("schedule-values", type=describe_type(value_type)),
            decl.value_type.span,
            help=english("declare-number-values"),
        )
    period = decl.period.name
    directions = []
    for monotone in decl.monotone:
        if monotone.dimension.name != period:
            t.error(
                "bad-monotone",
                english("not-the-period", name=monotone.dimension.name, schedule=sym.name),
                monotone.dimension.span,
                help=english("write", fix=f"monotone {monotone.direction} in {period}"),
            )
        elif monotone.direction not in directions:
            directions.append(monotone.direction)
    cells: dict[tuple[Any, str | None], Any] = {}
    spans: dict[tuple[Any, str | None], Span] = {}
    dated = _check_dated(t, sym, value_type, category, cells, spans) if decl.dated else ()
    first_period: dict[int, Span] = {}
    first_stage: dict[str, Span] = {}
    stages: list[tuple[model.StageDef, ast.Stage]] = []
    for stage in decl.stages:
        if stage.name.name in first_stage:
            t.duplicate(english("stage"), stage.name, first_stage[stage.name.name])
        first_stage.setdefault(stage.name.name, stage.name.span)
        start = _day(stage.start) if stage.start is not None else None
        end = _day(stage.end)
        if start is not None and start > end:
            t.error(
                "empty-stage",
                english("stage-ends-before", stage=stage.name.name),
                stage.start.span.to(stage.end.span) if stage.start is not None else stage.end.span,
                help=english("earlier-first"),
            )
        periods = []
        for row in stage.rows:
            number = row.period.value
            if number in first_period:
                t.error(
                    "duplicate-period",
                    english("period-twice", period=number, schedule=sym.name),
                    row.period.span,
                    labels=[Label(first_period[number], english("first-here"))],
                    help=english("one-row-per-period"),
                )
                continue
            first_period[number] = row.period.span
            if (start is not None and number < start.year) or number > end.year:
                t.error(
                    "period-outside-stage",
                    english("period-outside-stage", period=number, stage=stage.name.name),
                    row.period.span,
                    notes=[
                        english("stage-runs", stage=stage.name.name, range=_stage_range(start, end))
                    ],
                    help=english("move-row"),
                )
            periods.append(number)
            row_type = inner if numeric else None
            _check_row(t, sym, number, row.cells, row.span, row_type, category, cells, spans)
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
        dated,
    )


def _check_dated(
    t: SymbolTables,
    sym: Sym,
    value_type: Type,
    category: EnumType | None,
    cells: dict[tuple[Any, str | None], Any],
    spans: dict[tuple[Any, str | None], Span],
) -> tuple[model.DatedDef, ...]:
    """The stages of a schedule `by date`: their starts strictly increasing (a stage out of
    order is an error at its date, not a silent reordering: the order is how the regulation
    reads), their cells as a year schedule's, `none` only when the values are optional."""
    decl: ast.ScheduleDecl = sym.node
    if decl.period.name != "date":
        t.error(
            "bad-schedule-period",
            english("dated-needs-by-date", schedule=sym.name, period=decl.period.name),
            decl.period.span,
            help=english("dated-needs-by-date.help"),
        )
    inner = strip_optional(value_type)
    row_type = inner if is_numeric(inner) else None
    optional = value_type != inner
    stages: list[model.DatedDef] = []
    previous: ast.DatedValue | None = None
    for value in decl.dated:
        start = _day(value.start)
        if previous is not None and start <= _day(previous.start):
            t.error(
                "dated-out-of-order",
                english(
                    "dated-out-of-order",
                    start=start.isoformat(),
                    previous=_day(previous.start).isoformat(),
                    schedule=sym.name,
                ),
                value.start.span,
                labels=[Label(previous.start.span, english("dated-previous"))],
                help=english("dated-out-of-order.help"),
            )
            continue
        previous = value
        if not optional:
            for cell in value.cells:
                if isinstance(cell.value, ast.NoneLit):
                    t.error(
                        "type-mismatch",
                        english(
                            "expected-type-found",
                            expected=describe_type(value_type),
                            found="none",
                        ),
                        cell.value.span,
                        help=english("dated-none.help", type=describe_type(value_type)),
                    )
        _check_row(t, sym, start, value.cells, value.span, row_type, category, cells, spans)
        label, cites, _ = doc_parts(value.doc)
        stages.append(model.DatedDef(start, label, cites, value.span))
    return tuple(stages)


def _check_row(
    t: SymbolTables,
    sym: Sym,
    period: Any,
    row_cells: Sequence[ast.ScheduleCell],
    row_span: Span,
    value_type: Type | None,
    category: EnumType | None,
    cells: dict[tuple[Any, str | None], Any],
    spans: dict[tuple[Any, str | None], Span],
) -> None:
    """The cells of one row (a period's, or a dated stage's: `period` is then its start)."""
    seen: dict[str, Span] = {}
    broken = False
    for index, cell in enumerate(row_cells):
        member: str | None = None
        if category is None:
            if cell.category is not None:
                t.error(
                    "unexpected-category",
                    english("has-no-categories", schedule=sym.name),
                    cell.category.span,
                    help=english(
                        "remove-or-declare-categories",
                        category=cell.category.name,
                        fix=f"… by {sym.node.period.name}, SomeEnum",
                    ),
                )
                continue
            if index > 0:
                # Without categories a row holds one value; a second one would silently win.
                t.error(
                    "extra-cell",
                    english("extra-cell", period=period, schedule=sym.name, count=len(row_cells)),
                    row_cells[1].span.to(row_cells[-1].span),
                    labels=[Label(row_cells[0].span, english("value-of-period"))],
                    help=english("extra-cell.help", fix=f"… by {sym.node.period.name}, SomeEnum"),
                )
                return
        elif cell.category is None:
            example = category.members[0].name if category.members else "category"
            t.error(
                "missing-category",
                english("names-no-category", schedule=sym.name),
                cell.span,
                help=english("category-first", fix=f"{example} {snippet(cell.value.span)}"),
            )
            broken = True
            continue
        else:
            member = cell.category.name
            if category.member(member) is None:
                names = [m.name for m in category.members]
                t.error(
                    "unknown-member",
                    english("unknown-member", member=member, enum=category.name),
                    cell.category.span,
                    help=suggest(member, names) or english("members-are", members=quoted(names)),
                )
                broken = True
                continue
            if member in seen:
                t.error(
                    "duplicate-cell",
                    english("appears-twice-in-period", member=member, period=period),
                    cell.category.span,
                    labels=[Label(seen[member], english("first-here"))],
                    help=english("one-value-per-period"),
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
                    english(
                        "expected-type-found",
                        expected=describe_type(value_type),
                        found=describe_type(literal_type),
                    ),
                    value.span,
                    help=english("tables.round-number-or-declare.help"),
                )
                continue
            outside = outside_bound(number, value_type) if value_type is not None else None
            if outside is not None:
                percent = is_percent(value_type) if value_type is not None else False
                t.error(
                    "out-of-bounds",
                    english(
                        "outside-values-bound",
                        value=format_number(number, percent=percent),
                        bound=describe_bound(outside[1], percent),
                        name=sym.name,
                    ),
                    value.span,
                    help=english("tables.correct-value-or-bound.help"),
                )
                continue
            too_precise = beyond_scale(number, value_type) if value_type is not None else None
            if too_precise is not None and value_type is not None:
                # A cell is a constant: written as the regulation states it, not rounded.
                t.error(
                    "needs-rounding",
                    english(
                        "scale-too-many",
                        expr=value.span.text,
                        places=decimal_places(number),
                        type=describe_type(value_type),
                    ),
                    value.span,
                    help=english("scale-constant.help", places=too_precise[1]),
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
                english("no-value-for", period=period, schedule=sym.name, members=quoted(missing)),
                row_span,
                notes=[english("every-member", enum=category.name)],
                help=english(
                    "add-or-none",
                    cells=", ".join(f"`{m} …`" for m in missing[:3])
                    + (", …" if len(missing) > 3 else ""),
                    none=f"{missing[0]} none",
                ),
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
                english("stages-overlap", first=other.name, second=stage.name, schedule=sym.name),
                node.name.span,
                notes=[
                    english(
                        "stages-run",
                        first=other.name,
                        first_range=_stage_range(other.start, other.end),
                        second=stage.name,
                        second_range=_stage_range(stage.start, stage.end),
                    )
                ],
                labels=[
                    Label(
                        furthest[1].name.span, english("confusable-names.label", other=other.name)
                    )
                ],
                help=english("stage-after"),
            )
        if furthest is None or stage.end > furthest[0].end:
            furthest = (stage, node)


def _prove_monotone(
    t: SymbolTables,
    sym: Sym,
    direction: str,
    member: str | None,
    value_type: Type,
    cells: Mapping[tuple[Any, str | None], Any],
    spans: Mapping[tuple[Any, str | None], Span],
) -> None:
    """Check that consecutive defined cells of one category never go the wrong way."""
    series = sorted(
        (period, value) for (period, m), value in cells.items() if m == member and value is not None
    )
    percent = is_percent(value_type)
    for (p1, v1), (p2, v2) in itertools.pairwise(series):
        if (v2 < v1) if direction == "nondecreasing" else (v2 > v1):
            a, b = format_number(v1, percent=percent), format_number(v2, percent=percent)
            t.error(
                "schedule-not-monotone",
                english(
                    "not-monotone.member" if member is not None else "not-monotone",
                    schedule=sym.name,
                    direction=english(
                        "nondecreasing" if direction == "nondecreasing" else "nonincreasing"
                    ),
                    period=sym.node.period.name,
                    member=member,
                    first=a,
                    p1=p1,
                    second=b,
                    p2=p2,
                )
                if member is not None
                else english(
                    "not-monotone",
                    schedule=sym.name,
                    direction=english(
                        "nondecreasing" if direction == "nondecreasing" else "nonincreasing"
                    ),
                    period=sym.node.period.name,
                    first=a,
                    p1=p1,
                    second=b,
                    p2=p2,
                ),
                spans[(p2, member)],
                labels=[Label(spans[(p1, member)], english("value-in", value=a, period=p1))],
                help=english(
                    "correct-or-remove-monotone",
                    clause=f"monotone {direction} in {sym.node.period.name}",
                    direction=english(
                        "nondecreasing" if direction == "nondecreasing" else "nonincreasing"
                    ),
                ),
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
            english("tables.param-not-number", name=res.sym.name, type_=describe_type(type_)),
            node.span,
            help=english("tables.band-bound-number-or.help"),
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
                        english("tables.no-value-for-param", key=bound.key),
                        span=bound.span,
                        help=english("tables.pass-value-every-param.help"),
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
        notes = tuple(
            english("param-is-value", name=key, value=num(param_values[key])) for key in keys
        )
        problems.append(
            Diagnostic(code, message, span=span, notes=notes, labels=tuple(labels), help=help)
        )

    if low > high or (low == high and not (bands.high_inclusive and bands.low_inclusive)):
        report(
            "empty-band",
            english("range-empty", range=whole, bands=bands.name),
            bands.span,
            english("tables.write-smaller-bound-first.help"),
            involved=limits,
        )
        return problems
    swept = []
    for band_low, low_inclusive, band_high, inclusive, band in intervals:
        if band_low > band_high or (band_low == band_high and not (inclusive and low_inclusive)):
            shown = span_of(band_low, band_high, inclusive, low_inclusive)
            report(
                "empty-band",
                english("band-empty", band=band.name, range=shown),
                band.span,
                english("empty-band.help"),
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
                english("band-outside", band=band.name, range=whole, bands=bands.name),
                band.span,
                english("keep-within", range=whole),
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
                english("gap", bands=bands.name, values=gap),
                band.span,
                english("gap.help"),
                [Label(last.span, english("ends-here", band=last.name))]
                if last is not None
                else [],
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
                english(
                    "overlap", first=last.name, second=band.name, bands=bands.name, values=both
                ),
                band.span,
                english("overlap.help"),
                [Label(last.span, english("confusable-names.label", other=last.name))],
                involved=bounds(last, band),
            )
        if band_high > cursor or (band_high == cursor and inclusive and not closed):
            cursor, closed, last = band_high, inclusive, band
    if cursor < high or (cursor == high and bands.high_inclusive and not closed):
        where = last.span if last is not None else bands.span
        report(
            "band-gap",
            english(
                "gap",
                bands=bands.name,
                values=_gap(num, cursor, closed, high, bands.high_inclusive),
            ),
            where,
            english("tables.extend-last-band-end.help"),
            involved=[*bounds(last), bands.high],
        )
    return problems


def _gap(
    num: Callable[[Any], str], low: Any, low_covered: bool, high: Any, high_included: bool
) -> str:
    """The words for an uncovered interval: `60 ..< 90`, `the value 100`, …."""
    if low == high:
        return english("the-value", value=num(low))
    if not low_covered:
        return f"`{num(low)} {'..' if high_included else '..<'} {num(high)}`"
    if high_included:
        return english("values-above-up-to", low=num(low), high=num(high))
    return english("values-above-below", low=num(low), high=num(high))


def _day(literal: ast.DateLit) -> datetime.date:
    """A stage's end: the grammar reads only a date there (`DATE`), never a time of day."""
    assert isinstance(literal.value, datetime.date)
    return literal.value
