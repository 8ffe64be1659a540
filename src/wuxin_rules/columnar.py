"""Columnar evaluation of Arrow tables: whole columns through Arrow's compute kernels.

`evaluate_table` evaluates the requested rules over every row of a pyarrow Table at once,
when every expression they reach is one this module can compute exactly on columns:
numbers (`int64`, exact `decimal128`/`decimal256`) with `+ - *`, `/` when the quotient is
exact, negation, `abs`, `min`/`max`; comparisons; `and`/`or`/`not`, `all of`/`any of`/
`at least`; `if`, `??`, `is none`, `in` a literal list; enum, text, bool and date values;
params and constants with a finite decimal form; fields of records (struct or dotted
columns); rules and rule calls, inlined. Anything else (aggregates, lists, records as
values, schedules, bands, dates computed, `round`, …) raises `Unsupported`, and the caller
evaluates the whole frame row by row.

Values are never rounded. Decimal precision grows as Arrow's kernels define it (`+`: one
digit; `*`: the sum of both); past 38 digits the operands go to `decimal256`, and past 76 a
column is narrowed to the digits its values actually use, or the policy is `Unsupported`.
An `int64` overflow (Arrow's checked kernels raise) is `Unsupported` too. A quotient is
kept only for the rows where multiplying it back gives the dividend exactly.

Per row, a mask of rows to **fall back** is kept: a row whose facts the facts check would
refuse (a null in a required column, a value outside its declared bound, an unknown enum
member), and a row on which the reference evaluator would report an error (a `none` where
a value is needed, a division by zero, an inexact quotient). Those rows are evaluated by
the row path, so their verdicts and errors are the reference's, never a kernel's; every
other row's value is the reference's value, computed on columns. `and`/`or` evaluate every
operand, as the reference does (fail closed: an error in any operand sends the row back),
and `if`/`??` only the branch each row takes.

pyarrow is imported only by the functions here, which `frames` calls with Arrow tables.
May import `schema`, `values`, `model` and `tabular`.
"""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import model
from wuxin_rules.schema import (
    BoolType,
    DateType,
    EnumType,
    IntType,
    NumberType,
    OptionalType,
    RecordType,
    TextType,
    Type,
    strip_optional,
)
from wuxin_rules.tabular import Layout
from wuxin_rules.values import fraction_to_decimal
from wuxin_rules.visitor import Visitor, visits

__all__ = ["Columns", "Unsupported", "evaluate_table", "tightest"]


class Unsupported(Exception):
    """This policy, these rules or this table cannot be evaluated on columns exactly."""


@attrs.frozen
class Columns:
    """What the columnar path computed: each rule's column (Arrow arrays, one value per
    row), and the rows the row path must evaluate instead (a boolean array, or None)."""

    values: Mapping[str, Any]
    fallback: Any | None


@attrs.frozen
class _Value:
    """A value of every row: `data` an Arrow array or scalar (null is `none`), `bad` the
    rows on which computing it fails (a boolean array without nulls, or None), `kind` one
    of int, decimal, bool, text, date, none."""

    data: Any
    bad: Any | None
    kind: str
    optional: bool
    """True when the static type admits `none` (nulls elsewhere are on bad rows only)."""


@attrs.frozen
class _Record:
    """A record of the input: the path of its fields' columns."""

    path: tuple[str, ...]
    type: RecordType


_Env = Mapping[str, "_Value | _Record"]
_NUMBERS = ("int", "decimal")


def evaluate_table(
    checked: model.CheckedPolicy,
    params: Mapping[str, Any],
    table: Any,
    keys: Sequence[str],
    layout: Layout,
    positions: Mapping[str, int],
) -> Columns:
    """The rules `keys` over every row of the (flattened) Arrow `table`, whose column
    `name` holds the layout's column `positions[name]`; raises `Unsupported`."""
    pa = importlib.import_module("pyarrow")
    run = _Run(checked, params, table, layout, positions)
    try:
        values: dict[str, Any] = {}
        decimals: list[str] = []
        fallback = run.facts_bad
        for key in keys:
            rule = checked.rules[key]
            if rule.is_function:
                raise Unsupported(f"`{key}` takes parameters")
            value = run.rule(key)
            if value.kind == "none" or isinstance(value, _Record):
                raise Unsupported(f"`{key}` is not a column")
            data = value.data
            if isinstance(data, pa.Scalar):
                data = pa.repeat(data, run.rows)
            if isinstance(data, pa.ChunkedArray):
                data = data.combine_chunks()
            values[key] = data
            fallback = run.either(fallback, value.bad)
            if value.kind == "decimal":
                decimals.append(key)
        for key in decimals:
            # The rows of the row path take its values: theirs here must not widen the type.
            data = values[key]
            if fallback is not None:
                data = run.pc.if_else(fallback, pa.scalar(None, data.type), data)
            values[key] = tightest(data)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as error:
        # An overflow, or a kernel missing for these types: the row path decides.
        raise Unsupported(str(error)) from None
    except RecursionError:
        raise Unsupported("expressions nested too deeply for the columnar path") from None
    return Columns(values, fallback)


def tightest(data: Any) -> Any:
    """A decimal column in the fewest places and digits that hold its values exactly, the
    type Arrow infers for the row path's `Decimal`s (`0.02`, not `0.0200`)."""
    pa = importlib.import_module("pyarrow")
    pc = importlib.import_module("pyarrow.compute")
    precision, scale = data.type.precision, data.type.scale

    def of(digits: int, places: int) -> Any:
        digits = max(digits, 1)
        return pa.decimal128(digits, places) if digits <= 38 else pa.decimal256(digits, places)

    def fits(places: int) -> bool:
        try:
            pc.cast(data, of(precision - scale + places, places))
        except pa.ArrowInvalid:
            return False
        return True

    low, high = 0, scale  # the fewest places: the least `places` that fits
    while low < high:
        middle = (low + high) // 2
        if fits(middle):
            high = middle
        else:
            low = middle + 1
    data = pc.cast(data, of(precision - scale + low, low))
    # Arrow gives the row path's Decimals the digits of the longest whole part (one for a
    # zero, none for a fraction below one) plus the places.
    bounds = pc.min_max(data)
    ends = [end for end in (bounds["min"].as_py(), bounds["max"].as_py()) if end is not None]
    largest = max((abs(end) for end in ends), default=Decimal(0))
    if largest >= 1:
        whole = len(str(int(largest)))
    else:
        zero = pc.any(pc.equal(data, pa.scalar(Decimal(0), data.type))).as_py()
        whole = 1 if zero else 0
    return pc.cast(data, of(whole + low, low))


class _Run(Visitor[_Value | _Record]):
    """One evaluation: the table's columns read and checked, the rules compiled to kernels."""

    node_kinds = model.EXPRESSIONS

    def __init__(
        self,
        checked: model.CheckedPolicy,
        params: Mapping[str, Any],
        table: Any,
        layout: Layout,
        positions: Mapping[str, int],
    ) -> None:
        self.pa = importlib.import_module("pyarrow")
        self.pc = importlib.import_module("pyarrow.compute")
        self.checked = checked
        self.params = params
        self.rows = table.num_rows
        self.memo: dict[Any, _Value | _Record] = {}
        self.keep: list[Any] = []  # arguments named in `memo` keys by id: kept alive
        self.fields: dict[tuple[str, ...], _Value] = {}
        self.facts_bad: Any | None = None
        self.inputs = {i.name: i for i in checked.inputs}
        for column in layout.columns:
            steps = tuple(step for step in column.path if step)
            if column.path[0] not in self.inputs or len(steps) != len(column.path):
                raise Unsupported("a list of records")
            self._check_path(steps)
        by_path = {
            tuple(s for s in layout.columns[index].path if s): (name, layout.columns[index])
            for name, index in positions.items()
        }
        for column in layout.columns:
            steps = tuple(step for step in column.path if step)
            if steps in by_path:
                name, _ = by_path[steps]
                self.fields[steps] = self._read(table.column(name), column.type)
            else:  # an optional field the table leaves out: none on every row
                self.fields[steps] = self._absent(column.type)

    # -- reading and checking the table ----------------------------------------------------

    def _check_path(self, steps: tuple[str, ...]) -> None:
        """Refuse an optional record on the way to a field: the row path makes such a record
        `none` when its cells are all empty, which a column of nulls does not say."""
        type_: Type = self.inputs[steps[0]].type
        for step in steps[1:]:
            if isinstance(type_, OptionalType):
                raise Unsupported("an optional record")
            if not isinstance(type_, RecordType):
                raise Unsupported("a field below a value that is not a record")
            info = type_.field(step)
            if info is None:
                raise Unsupported(f"no field `{step}`")
            type_ = info.type

    def _absent(self, type_: Type) -> _Value:
        kind, arrow_type = self._kind(strip_optional(type_))
        return _Value(self.pa.scalar(None, arrow_type), None, kind, True)

    def _kind(self, type_: Type) -> tuple[str, Any]:
        pa = self.pa
        if isinstance(type_, IntType):
            return "int", pa.int64()
        if isinstance(type_, NumberType):
            return "decimal", pa.decimal128(1, 0)
        if isinstance(type_, BoolType):
            return "bool", pa.bool_()
        if isinstance(type_, TextType | EnumType):
            return "text", pa.string()
        if isinstance(type_, DateType):
            return "date", pa.date32()
        raise Unsupported(f"a value of type {type(type_).__name__}")

    def _read(self, column: Any, type_: Type) -> _Value:
        """A column as the facts check would take its cells, the rows it refuses marked."""
        pa, pc = self.pa, self.pc
        optional = isinstance(type_, OptionalType)
        inner = strip_optional(type_)
        kind, _ = self._kind(inner)
        arrow_type = column.type
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        if pa.types.is_null(arrow_type):
            value = self._absent(type_)
            if not optional and self.rows:
                self._refuse(pa.repeat(pa.scalar(True), self.rows))
            return value
        if kind == "int" and pa.types.is_integer(arrow_type):
            data = column if arrow_type == pa.int64() else pc.cast(column, pa.int64())
        elif kind == "decimal" and pa.types.is_integer(arrow_type):
            data = pc.cast(column, pa.decimal128(19, 0))
        elif (
            (kind == "decimal" and pa.types.is_decimal(arrow_type))
            or (kind == "bool" and pa.types.is_boolean(arrow_type))
            or (kind == "date" and pa.types.is_date32(arrow_type))
        ):
            data = column
        elif kind == "text" and (
            pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
        ):
            data = column if pa.types.is_string(arrow_type) else pc.cast(column, pa.string())
        else:
            raise Unsupported(f"a {arrow_type} column for a {kind} field")
        if column.null_count and not optional:
            self._refuse(pc.is_null(data))
        bound = getattr(inner, "bound", None)
        if bound is not None:
            outside = None
            if bound.low is not None:
                low = self._number(bound.low).data
                outside = (pc.less_equal if not bound.low_inclusive else pc.less)(data, low)
            if bound.high is not None:
                high = self._number(bound.high).data
                above = (pc.greater_equal if not bound.high_inclusive else pc.greater)(data, high)
                outside = above if outside is None else pc.or_(outside, above)
            if outside is not None:
                self._refuse(pc.fill_null(outside, False))
        if isinstance(inner, EnumType):
            data = self._members(data, inner)
        return _Value(data, None, kind, optional)

    def _members(self, data: Any, enum: EnumType) -> Any:
        """Enum cells as member names (a unique label names its member, as in the facts
        check); a cell naming no member is refused."""
        pa, pc = self.pa, self.pc
        names = [member.name for member in enum.members]
        known = set(names)
        labelled: dict[str, list[str]] = {}
        for member in enum.members:
            if member.label and member.label not in known:
                labelled.setdefault(member.label, []).append(member.name)
        spellings = names + [label for label, found in labelled.items() if len(found) == 1]
        targets = names + [found[0] for found in labelled.values() if len(found) == 1]
        index = pc.index_in(data, value_set=pa.array(spellings, pa.string()))
        self._refuse(pc.and_(pc.is_null(index), pc.is_valid(data)))
        if len(spellings) == len(names):
            return data
        return pc.take(pa.array(targets, pa.string()), index)

    def _refuse(self, rows: Any) -> None:
        if rows.true_count if hasattr(rows, "true_count") else True:
            self.facts_bad = self.either(self.facts_bad, rows)

    # -- masks -----------------------------------------------------------------------------

    def either(self, a: Any | None, b: Any | None) -> Any | None:
        if a is None:
            return b
        if b is None:
            return a
        return self.pc.or_(a, b)

    def _where(self, condition: Any, bad: Any | None) -> Any | None:
        """`bad` on the rows where `condition` holds (a null condition: no row)."""
        if bad is None:
            return None
        return self.pc.fill_null(self.pc.and_(condition, bad), False)

    def _nulls(self, value: _Value) -> Any | None:
        """The rows where a value that is needed is `none` (the reference's error)."""
        if value.kind == "none":
            return self.pa.repeat(self.pa.scalar(True), self.rows)
        if not value.optional:
            return None
        if isinstance(value.data, self.pa.Scalar):
            if value.data.is_valid:
                return None
            return self.pa.repeat(self.pa.scalar(True), self.rows)
        if not value.data.null_count:
            return None
        return self.pc.is_null(value.data)

    def _needed(self, *values: _Value) -> Any | None:
        bad = None
        for value in values:
            bad = self.either(bad, self.either(value.bad, self._nulls(value)))
        return bad

    # -- constants -------------------------------------------------------------------------

    def _number(self, value: int | Fraction) -> _Value:
        pa = self.pa
        if isinstance(value, Fraction) and value.denominator == 1:
            value = value.numerator
        if isinstance(value, int) and not isinstance(value, bool):
            if -(2**63) <= value < 2**63:
                return _Value(pa.scalar(value, pa.int64()), None, "int", False)
            exact = Decimal(value)
        else:
            found = fraction_to_decimal(value)
            if found is None:
                raise Unsupported(f"the constant {value} has no finite decimal form")
            exact = found
        _, digits, exponent = exact.as_tuple()
        assert isinstance(exponent, int)
        if exponent > 0:
            exact = exact.quantize(Decimal(1))
            digits, exponent = exact.as_tuple().digits, 0
        scale = -exponent
        precision = max(len(digits), scale, 1)
        return _Value(
            pa.scalar(exact, self._decimal_type(precision, scale)), None, "decimal", False
        )

    def _decimal_type(self, precision: int, scale: int) -> Any:
        if precision > 76:
            raise Unsupported("a decimal of more than 76 digits")
        if precision > 38:
            return self.pa.decimal256(precision, scale)
        return self.pa.decimal128(precision, scale)

    def _const(self, value: Any, type_: Type) -> _Value:
        pa = self.pa
        if value is None:
            return _Value(None, None, "none", True)
        if value is True or value is False:
            return _Value(pa.scalar(value, pa.bool_()), None, "bool", False)
        if isinstance(value, int | Fraction):
            return self._number(value)
        if isinstance(value, str):
            return _Value(pa.scalar(value, pa.string()), None, "text", False)
        if type(value) is datetime.date:
            return _Value(pa.scalar(value, pa.date32()), None, "date", False)
        raise Unsupported(f"a constant of type {type(value).__name__}")

    # -- numbers ---------------------------------------------------------------------------

    def _shape(self, data: Any) -> tuple[int, int]:
        arrow_type = data.type
        if self.pa.types.is_decimal(arrow_type):
            return arrow_type.precision, arrow_type.scale
        return 19, 0  # int64

    def _as_decimal(
        self, value: _Value, precision: int | None = None, scale: int = 0, wide: bool = False
    ) -> Any:
        """The value's data as a decimal of `precision` digits and `scale` (its own by
        default), a `decimal256` when `wide`; exact (a cast that would lose digits raises,
        and then `Unsupported`)."""
        own_precision, own_scale = self._shape(value.data)
        if precision is None:
            precision, scale = own_precision, own_scale
        if precision > 76:
            raise Unsupported("a decimal of more than 76 digits")
        if wide:
            target = self.pa.decimal256(precision, scale)
        else:
            target = self._decimal_type(precision, scale)
        if value.data.type == target:
            return value.data
        return self.pc.cast(value.data, target)

    def _narrow(self, value: _Value) -> _Value:
        """A decimal value as the fewest digits its values need (when its type's precision
        has grown past what an operation can hold)."""
        pc = self.pc
        precision, scale = self._shape(value.data)
        if isinstance(value.data, self.pa.Scalar):
            return value
        bounds = pc.min_max(value.data)
        used = 1
        for end in (bounds["min"].as_py(), bounds["max"].as_py()):
            if end is not None:
                used = max(used, len(end.as_tuple().digits))
        used = max(used, scale + 1)
        if used >= precision:
            return value
        return attrs.evolve(value, data=pc.cast(value.data, self._decimal_type(used, scale)))

    def _unify(self, *values: _Value) -> list[Any]:
        """The values' data of one Arrow type (numbers as one decimal type when they
        differ), for kernels that need equal types (`if_else`, `coalesce`, `min`)."""
        kinds = {value.kind for value in values if value.kind != "none"}
        datas = [value.data for value in values]
        typed = [d for d in datas if d is not None]
        if kinds <= {"int", "decimal"} and len({d.type for d in typed}) > 1:
            shapes = [self._shape(d) for d in typed]
            scale = max(s for _, s in shapes)
            whole = max(p - s for p, s in shapes)
            datas = [
                None if value.kind == "none" else self._as_decimal(value, whole + scale, scale)
                for value in values
            ]
            typed = [d for d in datas if d is not None]
        elif len(kinds) > 1:
            raise Unsupported("values of different kinds")
        like = typed[0].type if typed else self.pa.null()
        return [self.pa.scalar(None, like) if d is None else d for d in datas]

    def _arith(self, op: str, left: _Value, right: _Value, type_: Type) -> _Value:
        pc = self.pc
        bad = self._needed(left, right)
        if op not in ("+", "-", "*", "/"):
            raise Unsupported(f"`{op}` on columns")
        if left.kind == "int" and right.kind == "int" and op != "/":
            function = {"+": pc.add_checked, "-": pc.subtract_checked, "*": pc.multiply_checked}
            return _Value(function[op](left.data, right.data), bad, "int", False)
        if isinstance(strip_optional(type_), IntType):
            raise Unsupported("whole-number division")
        (p1, s1), (p2, s2) = self._shape(left.data), self._shape(right.data)
        if op in ("+", "-"):
            scale = max(s1, s2)
            precision = max(p1 - s1, p2 - s2) + scale + 1
        elif op == "*":
            scale, precision = s1 + s2, p1 + p2 + 1
        else:
            scale = max(4, s1 + p2 - s2 + 1)
            precision = p1 - s1 + s2 + scale
        if precision > 76:
            left, right = self._narrow(left), self._narrow(right)
            if (self._shape(left.data), self._shape(right.data)) == ((p1, s1), (p2, s2)):
                self._unsupported_width()
            return self._arith(op, left, right, type_)
        wide = precision > 38
        a = self._as_decimal(left, p1, s1, wide)
        b = self._as_decimal(right, p2, s2, wide)
        function = {"+": pc.add_checked, "-": pc.subtract_checked, "*": pc.multiply_checked}
        if op != "/":
            return _Value(function[op](a, b), bad, "decimal", False)
        zero = pc.equal(b, self.pa.scalar(Decimal(0), b.type))
        divisor = b
        if isinstance(zero, self.pa.Scalar):
            if zero.as_py():
                raise Unsupported("division by the constant 0")
        else:
            zero = pc.fill_null(zero, False)
            if zero.true_count:
                bad = self.either(bad, zero)
                divisor = pc.if_else(zero, self.pa.scalar(Decimal(1), b.type), b)
        quotient = _Value(pc.divide(a, divisor), None, "decimal", False)
        # Arrow's quotient is cut at its scale: keep it only where it is exact, where
        # multiplying it back gives the dividend.
        (pq, sq), (pd, _) = self._shape(quotient.data), self._shape(divisor)
        if pq + pd + 1 > 76:
            quotient = self._narrow(quotient)
            pq, sq = self._shape(quotient.data)
            if pq + pd + 1 > 76:
                self._unsupported_width()
        back = pc.multiply_checked(
            self._as_decimal(quotient, pq, sq, pq + pd + 1 > 38),
            divisor
            if pq + pd + 1 <= 38
            else pc.cast(divisor, self.pa.decimal256(pd, divisor.type.scale)),
        )
        inexact = pc.not_equal(back, a)
        if isinstance(inexact, self.pa.Scalar):
            if inexact.as_py():
                raise Unsupported("a constant quotient without a finite decimal form")
        else:
            bad = self.either(bad, pc.fill_null(inexact, False))
        return _Value(quotient.data, bad, "decimal", False)

    def _unsupported_width(self) -> Any:
        raise Unsupported("a decimal of more than 76 digits")

    # -- expressions -----------------------------------------------------------------------

    def rule(self, key: str) -> _Value:
        found = self.memo.get(key)
        if found is None:
            found = self.memo[key] = self.column_of(self.checked.rules[key].body, {})
        if isinstance(found, _Record):
            raise Unsupported(f"`{key}` is a record")
        return found

    def column_of(self, expr: model.CExpr, env: _Env) -> _Value | _Record:
        return self.visit(expr, env)

    @visits(model.ScheduleLookup, model.StageLookup, model.BandsLookup, model.Aggregate,
            model.MakeList, model.MakeRecord)  # fmt: skip
    def _unsupported(self, expr: model.CExpr, env: _Env) -> _Value | _Record:
        # Not computed on columns (yet): the caller evaluates the table row by row instead.
        raise Unsupported(f"`{type(expr).__name__}` expressions")

    def value(self, expr: model.CExpr, env: _Env) -> _Value:
        found = self.column_of(expr, env)
        if isinstance(found, _Record):
            raise Unsupported("a record used as a value")
        return found

    @visits(model.InputRef)
    def _input(self, expr: model.InputRef, env: _Env) -> _Value | _Record:
        definition = self.inputs.get(expr.name)
        if definition is None:
            raise Unsupported(f"the input `{expr.name}`")
        if isinstance(definition.type, RecordType):
            return _Record((expr.name,), definition.type)
        found = self.fields.get((expr.name,))
        if found is None:
            raise Unsupported(f"the input `{expr.name}` has no column")
        return found

    @visits(model.GetField)
    def _field(self, expr: model.GetField, env: _Env) -> _Value | _Record:
        target = self.column_of(expr.target, env)
        if not isinstance(target, _Record):
            raise Unsupported("a field of a value that is not an input's record")
        path = (*target.path, expr.field)
        info = target.type.field(expr.field)
        if info is not None and isinstance(info.type, RecordType):
            return _Record(path, info.type)
        found = self.fields.get(path)
        if found is None:
            raise Unsupported(f"the field `{'.'.join(path)}`")
        return found

    @visits(model.LocalRef)
    def _local(self, expr: model.LocalRef, env: _Env) -> _Value | _Record:
        if expr.name not in env:
            raise Unsupported(f"the variable `{expr.name}`")
        return env[expr.name]

    @visits(model.ParamRef)
    def _param(self, expr: model.ParamRef, env: _Env) -> _Value:
        if expr.key not in self.params:
            raise Unsupported(f"the param `{expr.key}`")
        return self._const(self.params[expr.key], expr.type)

    @visits(model.RuleRef)
    def _rule_ref(self, expr: model.RuleRef, env: _Env) -> _Value | _Record:
        rule = self.checked.rules[expr.key]
        if rule.is_function:
            raise Unsupported(f"`{expr.key}` as a value")
        self.rule(expr.key)
        return self.memo[expr.key]

    @visits(model.CallRule)
    def _call(self, expr: model.CallRule, env: _Env) -> _Value | _Record:
        rule = self.checked.rules[expr.key]
        if rule.params is None or len(rule.params) != len(expr.args):
            raise Unsupported(f"the call of `{expr.key}`")
        args = [self.column_of(arg, env) for arg in expr.args]
        memo_key = (expr.key, *(arg if isinstance(arg, _Record) else id(arg) for arg in args))
        found = self.memo.get(memo_key)
        if found is not None:
            return found
        self.keep.append(args)
        bad = None
        for (_, type_), arg in zip(rule.params, args, strict=True):
            if isinstance(arg, _Value):
                bad = self.either(bad, arg.bad)
                if not isinstance(type_, OptionalType):
                    bad = self.either(bad, self._nulls(arg))
        local = {name: arg for (name, _), arg in zip(rule.params, args, strict=True)}
        result = self.column_of(rule.body, local)
        if isinstance(result, _Value) and bad is not None:
            result = attrs.evolve(result, bad=self.either(result.bad, bad))
        self.memo[memo_key] = result
        return result

    @visits(model.Const)
    def _constant(self, expr: model.Const, env: _Env) -> _Value:
        return self._const(expr.value, expr.type)

    @visits(model.Negate)
    def _negate(self, expr: model.Negate, env: _Env) -> _Value:
        value = self.value(expr.operand, env)
        if value.kind not in _NUMBERS:
            raise Unsupported("negation of a value that is not a number")
        return _Value(self.pc.negate_checked(value.data), self._needed(value), value.kind, False)

    @visits(model.Arith)
    def _arith_node(self, expr: model.Arith, env: _Env) -> _Value:
        left, right = self.value(expr.left, env), self.value(expr.right, env)
        if left.kind not in _NUMBERS or right.kind not in _NUMBERS:
            raise Unsupported("arithmetic on values that are not numbers")
        return self._arith(expr.op, left, right, expr.type)

    @visits(model.BuiltinCall)
    def _builtin(self, expr: model.BuiltinCall, env: _Env) -> _Value:
        pc = self.pc
        if expr.name == "abs" and len(expr.args) == 1:
            value = self.value(expr.args[0], env)
            if value.kind not in _NUMBERS:
                raise Unsupported("abs of a value that is not a number")
            return _Value(pc.abs_checked(value.data), self._needed(value), value.kind, False)
        if expr.name in ("min", "max") and len(expr.args) >= 2:
            values = [self.value(arg, env) for arg in expr.args]
            if any(value.kind not in _NUMBERS for value in values):
                raise Unsupported(f"{expr.name} of values that are not numbers")
            datas = self._unify(*values)
            function = pc.min_element_wise if expr.name == "min" else pc.max_element_wise
            kind = "int" if all(v.kind == "int" for v in values) else "decimal"
            return _Value(function(*datas, skip_nulls=False), self._needed(*values), kind, False)
        raise Unsupported(f"the builtin `{expr.name}`")

    @visits(model.Compare)
    def _compare(self, expr: model.Compare, env: _Env) -> _Value:
        pc = self.pc
        left, right = self.value(expr.left, env), self.value(expr.right, env)
        if expr.op in ("==", "!="):
            return self._equal(left, right, expr.op == "==")
        bad = self._needed(left, right)
        if isinstance(strip_optional(expr.left.type), EnumType):
            raise Unsupported("an order of enum members")
        if left.kind != right.kind and not {left.kind, right.kind} <= set(_NUMBERS):
            raise Unsupported("a comparison of values of different kinds")
        a, b = self._comparable(left, right)
        function = {
            "<": pc.less,
            "<=": pc.less_equal,
            ">": pc.greater,
            ">=": pc.greater_equal,
        }[expr.op]
        return _Value(function(a, b), bad, "bool", False)

    def _comparable(self, left: _Value, right: _Value) -> tuple[Any, Any]:
        if left.kind in _NUMBERS and right.kind in _NUMBERS and left.kind != right.kind:
            datas = self._unify(left, right)
            return datas[0], datas[1]
        if left.kind == "decimal" and left.data.type != right.data.type:
            datas = self._unify(left, right)
            return datas[0], datas[1]
        return left.data, right.data

    def _equal(self, left: _Value, right: _Value, equal: bool) -> _Value:
        """`==` as the reference computes it: `none == none` holds, `none == x` does not."""
        pc = self.pc
        bad = self.either(left.bad, right.bad)
        if left.kind == "none" or right.kind == "none":
            other = right if left.kind == "none" else left
            if other.kind == "none":
                return self._const(equal, BoolType())
            test = pc.is_null(other.data) if equal else pc.is_valid(other.data)
            return _Value(test, bad, "bool", False)
        if left.kind != right.kind and not {left.kind, right.kind} <= set(_NUMBERS):
            raise Unsupported("an equality of values of different kinds")
        a, b = self._comparable(left, right)
        same = pc.equal(a, b)
        if left.optional or right.optional:
            both = pc.and_(pc.is_valid(a), pc.is_valid(b))
            same = pc.if_else(both, same, pc.and_(pc.is_null(a), pc.is_null(b)))
        return _Value(same if equal else pc.invert(same), bad, "bool", False)

    @visits(model.In)
    def _in(self, expr: model.In, env: _Env) -> _Value:
        pc = self.pc
        item = self.value(expr.item, env)
        collection = expr.collection
        if not isinstance(collection, model.MakeList):
            raise Unsupported("`in` a list that is not written out")
        elements = [self.value(element, env) for element in collection.items]
        bad = item.bad
        element_type = getattr(strip_optional(collection.type), "element", None)
        if not isinstance(element_type, OptionalType):
            bad = self.either(bad, self._nulls(item))
        if all(
            isinstance(e.data, self.pa.Scalar) and e.kind == item.kind == "text" for e in elements
        ):
            found = pc.is_in(item.data, value_set=self.pa.array([e.data.as_py() for e in elements]))
        else:
            found = None
            for element in elements:
                same = self._equal(item, element, True)
                bad = self.either(bad, same.bad)
                found = same.data if found is None else pc.or_(found, same.data)
            if found is None:
                found = self.pa.scalar(False)
        return _Value(pc.invert(found) if expr.negated else found, bad, "bool", False)

    @visits(model.IsNone)
    def _is_none(self, expr: model.IsNone, env: _Env) -> _Value:
        value = self.value(expr.operand, env)
        if value.kind == "none":
            return attrs.evolve(self._const(not expr.negated, BoolType()), bad=value.bad)
        test = self.pc.is_valid(value.data) if expr.negated else self.pc.is_null(value.data)
        return _Value(test, value.bad, "bool", False)

    @visits(model.Coalesce)
    def _coalesce(self, expr: model.Coalesce, env: _Env) -> _Value:
        value = self.value(expr.value, env)
        fallback = self.value(expr.fallback, env)
        if value.kind == "none":
            return fallback
        absent = self.pc.is_null(value.data)
        bad = self.either(value.bad, self._where(absent, fallback.bad))
        if fallback.kind == "none":
            return attrs.evolve(value, bad=bad)
        a, b = self._unify(value, fallback)
        kind = value.kind if value.kind == fallback.kind else "decimal"
        return _Value(self.pc.coalesce(a, b), bad, kind, fallback.optional)

    def _truths(self, values: list[_Value]) -> Any | None:
        for value in values:
            if value.kind != "bool":
                raise Unsupported("logic on values that are not booleans")
        return self._needed(*values)

    @visits(model.Not)
    def _not(self, expr: model.Not, env: _Env) -> _Value:
        value = self.value(expr.operand, env)
        bad = self._truths([value])
        return _Value(self.pc.invert(value.data), bad, "bool", False)

    @visits(model.And, model.Or)
    def _and_or(self, expr: model.And | model.Or, env: _Env) -> _Value:
        values = [self.value(operand, env) for operand in expr.operands]
        bad = self._truths(values)
        combine = self.pc.and_ if isinstance(expr, model.And) else self.pc.or_
        return _Value(_fold(combine, [v.data for v in values]), bad, "bool", False)

    @visits(model.Compose)
    def _compose(self, expr: model.Compose, env: _Env) -> _Value:
        pc = self.pc
        values = [self.value(item, env) for item in expr.items]
        bad = self._truths(values)
        if expr.kind == "all":
            data = _fold(pc.and_, [v.data for v in values]) if values else self.pa.scalar(True)
        elif expr.kind == "any":
            data = _fold(pc.or_, [v.data for v in values]) if values else self.pa.scalar(False)
        elif expr.kind == "at_least" and expr.count is not None:
            count = self.value(expr.count, env)
            if count.kind != "int":
                raise Unsupported("`at least` a count that is not a whole number")
            bad = self.either(bad, self._needed(count))
            held = [pc.cast(v.data, self.pa.int64()) for v in values]
            total = _fold(pc.add, held) if held else self.pa.scalar(0, self.pa.int64())
            data = pc.greater_equal(total, count.data)
        else:
            raise Unsupported(f"`{expr.kind}`")
        return _Value(data, bad, "bool", False)

    @visits(model.If)
    def _if(self, expr: model.If, env: _Env) -> _Value:
        pc = self.pc
        condition = self.value(expr.condition, env)
        if condition.kind != "bool":
            raise Unsupported("a condition that is not a boolean")
        then, otherwise = self.value(expr.then, env), self.value(expr.otherwise, env)
        bad = self.either(
            self._needed(condition),
            self.either(
                self._where(condition.data, then.bad),
                self._where(pc.invert(condition.data), otherwise.bad),
            ),
        )
        kinds = {then.kind, otherwise.kind} - {"none"}
        if not kinds:
            return _Value(None, bad, "none", True)
        a, b = self._unify(then, otherwise)
        kind = kinds.pop() if len(kinds) == 1 else "decimal"
        optional = then.optional or otherwise.optional
        return _Value(pc.if_else(condition.data, a, b), bad, kind, optional)


def _fold(combine: Callable[[Any, Any], Any], datas: list[Any]) -> Any:
    result = datas[0]
    for data in datas[1:]:
        result = combine(result, data)
    return result
