"""Hypothesis strategies built from a policy's declared types (public API).

For users who write their own hypothesis tests against a policy:

```python
from hypothesis import given
import wuxin_rules
from wuxin_rules import strategies

policy = wuxin_rules.load("policies/shop/order.policy")

@given(strategies.facts(policy, fixed={"order.kind": "retail"}))
def test_no_overdue_order_is_released(facts):
    result = policy.evaluate(facts)
    if facts["order"]["overdue_days"] > 0:
        assert result["released"] is False
```

* `facts(policy)` draws whole facts documents (one key per input); `values(policy, "Unit")`
  draws values of one type (a record, an enum, a type expression such as `"int >= 0"`).
* Values are what `Policy.evaluate` accepts: `int`, `decimal.Decimal` for decimals and
  percentages (never a float), `bool`, `str` for text and enum members, `datetime.date`,
  `dict` for records, `list` for lists, `None` for an absent optional.
* Bounds (`int >= 0`, `decimal -1 .. 1`), enums, optionals, nested records and lists are
  respected: every drawn document passes the facts check.
* `fixed={"order.kind": "retail", "order.year": st.integers(2015, 2020)}` fixes fields (a
  value, or a strategy of your own); a path starts with the input name (for `values`, at the
  value itself), `.` enters a record field, `[]` every element of a list.
* Boundary bias (`thresholds=True`, the default): numbers, dates and texts that the policy
  compares with constants (`o.overdue_days == 0`, `year >= 2017`, schedule periods, band
  bounds) are drawn often at and next to those constants, where policies break; `bias`
  adds boundary values of your own by path.
* Linked records: a list of records that `ancestors`/`reachable` follows is drawn with
  distinct keys (mostly), links mostly to keys of the same list, and the start drawn near
  those keys, so that walks reach records and meet cycles (a `fixed` path inside the list
  turns this off for it).
* Near known cases: `like={"Order": [order, …]}` draws records of that type often as one of
  the given values with a few fields redrawn, which reaches cases that independent draws
  almost never do (an order that passes every check but one). `wuxin verify` passes the
  records of a policy's fixtures and example givens this way.

Owns nothing but strategies; the only modules that import hypothesis are this one,
`verify` and `pytest_plugin`. May import `source`, `errors`, `schema`, `values`, `model`,
`parser`, `typing_rules` and `checker`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from wuxin_rules import model, zones
from wuxin_rules.errors import Diagnostic, UsageError, WuxinError, suggest
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    BUILTIN_TYPES,
    SUM_TAG,
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    IntType,
    ListType,
    NoneType,
    NumberType,
    NumericBound,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
)
from wuxin_rules.values import SECONDS_PER_DAY, Duration, fraction_to_decimal, to_python
from wuxin_rules.visitor import Visitor, visits

__all__ = ["documents", "facts", "thresholds", "values"]

PLACES = 4
"""Decimal places of drawn decimals (and the step of boundary values next to a constant)."""

_TEXT_ALPHABET = "abcxyz019 示例村镇"
"""Texts are drawn from a few letters, digits, a space and CJK, to keep counterexamples
short and printable."""

_DATES = (datetime.date(1990, 1, 1), datetime.date(2040, 12, 31))
"""The range of drawn dates when the policy gives none."""


def facts(
    policy: Any,
    *,
    fixed: Mapping[str, Any] | None = None,
    thresholds: bool = True,
    bias: Mapping[str, Iterable[Any]] | None = None,
    max_list: int = 4,
    like: Mapping[str, Iterable[Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Whole facts documents for `policy` (a `wuxin_rules.Policy`, a checked policy or a
    test suite): one key per declared input, every value valid for its type.

    `fixed` fixes values by path (`"unit.kind"`), `bias` adds boundary values by path,
    `thresholds` turns the bias toward the policy's own constants on or off, `max_list`
    bounds the length of drawn lists. `like` maps a record type (`"Order"`) to known values
    of it: records of that type are then often drawn as one of them with a few fields
    redrawn (cases near realistic ones). An unknown path or type is a `UsageError`.
    """
    checked = _checked(policy)
    types = {i.name: i.type for i in checked.inputs}
    return documents(
        policy,
        types,
        fixed=fixed,
        thresholds=thresholds,
        bias=bias,
        max_list=max_list,
        like=like,
    )


def documents(
    policy: Any,
    types: Mapping[str, Type],
    *,
    fixed: Mapping[str, Any] | None = None,
    thresholds: bool = True,
    bias: Mapping[str, Iterable[Any]] | None = None,
    max_list: int = 4,
    like: Mapping[str, Iterable[Any]] | None = None,
) -> SearchStrategy[dict[str, Any]]:
    """Documents with one key per entry of `types` (a name and its type): what `facts`
    draws for the policy's inputs, and `wuxin verify` for the binders of a property."""
    checked = _checked(policy)
    builder = _Builder(checked, fixed, bias, thresholds, max_list, like)
    parts = {name: builder.build(type_, name) for name, type_ in types.items()}
    builder.finish()
    return st.fixed_dictionaries(parts)


def values(
    policy: Any,
    type_: str | Type,
    *,
    fixed: Mapping[str, Any] | None = None,
    thresholds: bool = True,
    bias: Mapping[str, Iterable[Any]] | None = None,
    max_list: int = 4,
    like: Mapping[str, Iterable[Any]] | None = None,
) -> SearchStrategy[Any]:
    """Values of one type of `policy`: a record or enum name (`"Unit"`, `"units.Unit"`), a
    type expression (`"int >= 0"`, `"list of Unit"`) or a `schema` type.

    Paths in `fixed` and `bias` start at the value itself: `{"kind": "retail"}`.
    """
    checked = _checked(policy)
    resolved = type_ if not isinstance(type_, str) else _resolve(checked, type_)
    builder = _Builder(checked, fixed, bias, thresholds, max_list, like)
    strategy = builder.build(resolved, "")
    builder.finish()
    return strategy


def thresholds(policy: Any) -> dict[str, tuple[Any, ...]]:
    """The constants the policy compares each field with, by `Record.field` (and `input
    name` for inputs that are not records): what the boundary bias draws near."""
    found = _Thresholds(_checked(policy)).collect()
    return {key: tuple(sorted(items, key=_sort_key)) for key, items in found.items()}


# ------------------------------------------------------------------------------------------
# Finding the policy, the type


def _checked(policy: Any) -> model.CheckedPolicy:
    """The checked policy behind a `Policy`, a `Suite` (with its checks) or itself."""
    if isinstance(policy, model.CheckedPolicy):
        return policy
    runner = getattr(policy, "runner", None)
    if isinstance(runner, model.CheckedPolicy):
        return runner
    checked = getattr(policy, "checked", None)
    if isinstance(checked, model.CheckedPolicy):
        return checked
    raise UsageError(
        Diagnostic(
            "not-a-policy",
            english("strategies.expected-policy-found", type_name=type(policy).__name__),
            help=english("strategies.pass-what-wuxin-rules.help"),
        )
    )


def _resolve(checked: model.CheckedPolicy, text: str) -> Type:
    named = _named_type(checked, text.strip())
    if named is not None:
        return named
    # A type expression: parse it as the type of a binder of a tiny property.
    from wuxin_rules import parser

    try:
        module = parser.parse(f'property "t": forall x: {text} holds true')
    except WuxinError:
        raise _unknown_type(checked, text) from None
    decl = module.declarations[0]
    return _type_of(checked, decl.binders[0].type, text)  # type: ignore[union-attr]


def _type_of(checked: model.CheckedPolicy, texpr: Any, text: str) -> Type:
    from wuxin_rules import ast

    if isinstance(texpr, ast.ListTypeExpr):
        return ListType(_type_of(checked, texpr.element, text))
    if isinstance(texpr, ast.OptionalTypeExpr):
        return OptionalType(_type_of(checked, texpr.inner, text))
    name = texpr.name.dotted
    base = BUILTIN_TYPES.get(name) or _named_type(checked, name)
    if base is None:
        raise _unknown_type(checked, name)
    bound = texpr.bound
    if bound is None:
        return base
    numeric = NumericBound(bound.low, bound.low_inclusive, bound.high, bound.high_inclusive)
    if isinstance(base, IntType):
        return IntType(numeric)
    if isinstance(base, NumberType):
        return NumberType(base.kind, numeric, scale=base.scale)
    raise _unknown_type(checked, text)


def _named_type(checked: model.CheckedPolicy, name: str) -> Type | None:
    if name in BUILTIN_TYPES:
        return BUILTIN_TYPES[name]
    table: dict[str, Type] = {**checked.records, **checked.enums}
    if name in table:
        return table[name]
    matches = [t for key, t in table.items() if key.rsplit(".", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        names = ", ".join(f"`{key}`" for key in table if key.rsplit(".", 1)[-1] == name)
        raise UsageError(
            Diagnostic(
                "ambiguous-type",
                english("strategies.names-several-types", name=name, names=names),
                help=english("strategies.write-qualified-name.help"),
            )
        )
    return None


def _unknown_type(checked: model.CheckedPolicy, name: str) -> UsageError:
    known = [*BUILTIN_TYPES, *checked.records, *checked.enums]
    return UsageError(
        Diagnostic(
            "unknown-type",
            english("unknown-type", name=name),
            help=suggest(name, known) or english("give-type.help"),
        )
    )


# ------------------------------------------------------------------------------------------
# Thresholds


_LINKED_KEYS: tuple[int | str, ...] = (1, 2, 3, 4, "a", "b", "c", "d")
"""The keys of records linked by `ancestors`/`reachable`: the records of a drawn list mostly
take distinct keys of this pool (those of their key field's type), and the start is drawn
near them, so that the start is often one of the list's keys."""


def _key_pool(type_: Type) -> tuple[Any, ...]:
    """The keys of `_LINKED_KEYS` (or the members of an enum) a key field of `type_` holds."""
    if isinstance(type_, EnumType):
        return tuple(member.name for member in type_.members)
    if isinstance(type_, TextType):
        return tuple(k for k in _LINKED_KEYS if isinstance(k, str))
    if isinstance(type_, IntType):
        return tuple(k for k in _LINKED_KEYS if isinstance(k, int) and _admits(type_.bound, k))
    return ()


def _sort_key(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


class _Thresholds(Visitor[None]):
    """Walks every rule body for comparisons of a field with a constant."""

    node_kinds = model.EXPRESSIONS

    def __init__(self, checked: model.CheckedPolicy) -> None:
        self.checked = checked
        self.found: dict[str, set[Any]] = {}
        self.links: dict[str, list[tuple[str, str, bool]]] = {}
        """Record types followed by `ancestors`/`reachable`: for each call, their key field,
        their link field and whether it holds a list of keys."""

    def collect(self) -> dict[str, set[Any]]:
        for rule in self.checked.rules.values():
            for expr in model.walk(rule.body):
                self.visit(expr)
        for table in self.checked.decisions.values():
            self._decision(table)
        return self.found

    def _decision(self, table: Any) -> None:
        """The constants of a decision table's cells, near which its column's field is drawn
        (every cell: the lowered rule leaves out the last row of a chain)."""
        for index, column in enumerate(table.columns):
            key = self._key(column)
            for row in table.table.rows:
                for test in row[index].tests:
                    self._add(key, test.value)
                    self._add(key, test.high)

    def _add(self, key: str | None, value: Any) -> None:
        # A value of an enum that carries data (a `dict`) is no threshold: its members are
        # all drawn anyway.
        if key is not None and value is not None and not isinstance(value, bool | dict):
            self.found.setdefault(key, set()).add(value)

    @visits(model.Compare)
    def _compare(self, expr: model.Compare) -> None:
        for path, other in ((expr.left, expr.right), (expr.right, expr.left)):
            key = self._key(path)
            if key is not None:
                self._add(key, self._constant(other))
            year = self._year_of(path)
            if year is not None:
                constant = self._constant(other)
                if isinstance(constant, int) and 1 <= constant <= 9998:
                    self._add(year, datetime.date(constant, 1, 1))
                    self._add(year, datetime.date(constant, 12, 31))

    @visits(model.In)
    def _in(self, expr: model.In) -> None:
        if isinstance(expr.collection, model.MakeList):
            key = self._key(expr.item)
            for item in expr.collection.items:
                self._add(key, self._constant(item))

    @visits(model.ScheduleLookup)
    def _schedule(self, expr: model.ScheduleLookup) -> None:
        schedule = self.checked.schedules.get(expr.key)
        key = self._key(expr.args[0]) if expr.args else None
        if schedule is not None and key is not None:
            periods = [p for stage in schedule.stages for p in stage.periods]
            for period in periods:
                self._add(key, period)
            for stage in schedule.stages:
                self._add(key, stage.end)
                self._add(key, stage.start)
            for dated in schedule.dated:
                # The first day a value is in force, and the last day of the one before.
                self._add(key, dated.start)
                self._add(key, dated.start - datetime.timedelta(days=1))

    @visits(model.BandsLookup)
    def _bands(self, expr: model.BandsLookup) -> None:
        bands = self.checked.bands.get(expr.key)
        key = self._key(expr.arg)
        if bands is not None and key is not None:
            for band in bands.bands:
                self._add(key, self._constant(band.low))
                self._add(key, self._constant(band.high))

    @visits(model.BuiltinCall)
    def _builtin(self, expr: model.BuiltinCall) -> None:
        """`ancestors`/`reachable` over records keyed by a field: keys, links and the start
        are drawn often from a few shared values, so that drawn records link to one another
        (chains, diamonds, cycles, a key held twice) rather than only to keys none has."""
        if expr.name not in ("ancestors", "reachable") or len(expr.args) != 4:
            return
        listed, start, key, link = expr.args
        record = listed.type.element if isinstance(listed.type, ListType) else None
        if not (isinstance(record, RecordType) and record.qualified):
            return
        if not (isinstance(key, model.Const) and isinstance(link, model.Const)):
            return
        found = (key.value, link.value, expr.name == "reachable")
        followed = self.links.setdefault(record.qualified, [])
        if found not in followed:
            followed.append(found)
        for value in _LINKED_KEYS:
            for field in (key.value, link.value):
                self._add(f"{record.qualified}.{field}", value)
            self._add(self._key(start), value)

    @visits(model.Const, model.InputRef, model.ParamRef, model.RuleRef, model.LocalRef,
            model.GetField, model.CallRule, model.StageLookup, model.Negate,
            model.Arith, model.IsNone, model.Coalesce, model.Not, model.And, model.Or, model.If,
            model.Compose, model.Aggregate, model.MakeList, model.MakeRecord)  # fmt: skip
    def _no_boundary(self, expr: model.CExpr) -> None:
        # Compares no field with a constant by itself (its sub-expressions are walked too).
        return None

    def _key(self, expr: Any) -> str | None:
        """`Record.field` for a field of a record, `input name` for a plain input."""
        if isinstance(expr, model.GetField):
            target = expr.target.type
            target = target.inner if isinstance(target, OptionalType) else target
            if isinstance(target, RecordType | SumType) and target.qualified:
                return f"{target.qualified}.{expr.field}"
            return None
        if isinstance(expr, model.InputRef) and not isinstance(expr.type, RecordType):
            return f"input {expr.name}"
        if isinstance(expr, model.Coalesce):
            return self._key(expr.value)
        return None

    def _year_of(self, expr: Any) -> str | None:
        if isinstance(expr, model.BuiltinCall) and expr.name == "year" and expr.args:
            return self._key(expr.args[0])
        return None

    def _constant(self, expr: Any) -> Any:
        """The value of an expression made of constants and params (their defaults)."""
        if isinstance(expr, model.Const):
            return expr.value
        if isinstance(expr, model.ParamRef):
            definition = self.checked.params.get(expr.key)
            return definition.default if definition is not None else None
        if isinstance(expr, model.Negate):
            value = self._constant(expr.operand)
            return (
                -value
                if isinstance(value, int | Fraction) and not isinstance(value, bool)
                else None
            )
        if isinstance(expr, model.Arith):
            left, right = self._constant(expr.left), self._constant(expr.right)
            if not all(
                isinstance(v, int | Fraction) and not isinstance(v, bool) for v in (left, right)
            ):
                return None
            if expr.op == "+":
                return left + right
            if expr.op == "-":
                return left - right
            if expr.op == "*":
                return left * right
            if expr.op != "/":
                return None  # `mod`, `**`: not a bound worth drawing values around
            return Fraction(left) / right if right != 0 else None
        return None


# ------------------------------------------------------------------------------------------
# Building strategies


class _Builder:
    def __init__(
        self,
        checked: model.CheckedPolicy,
        fixed: Mapping[str, Any] | None,
        bias: Mapping[str, Iterable[Any]] | None,
        use_thresholds: bool,
        max_list: int,
        like: Mapping[str, Iterable[Any]] | None = None,
    ) -> None:
        self.checked = checked
        self.like: dict[str, list[Any]] = {}
        for name, known in (like or {}).items():
            record = _named_type(checked, name)
            if not isinstance(record, RecordType):
                raise _unknown_type(checked, name)
            self.like.setdefault(record.qualified, []).extend(to_python(v) for v in known)
        self.fixed = dict(fixed or {})
        self.bias = {path: tuple(items) for path, items in (bias or {}).items()}
        finder = _Thresholds(checked)
        found = finder.collect()
        self.thresholds = found if use_thresholds else {}
        self.links = finder.links
        self.max_list = max_list
        self.used: set[str] = set()
        self.paths: list[str] = []

    def finish(self) -> None:
        """Report the paths of `fixed` and `bias` that name nothing."""
        unknown = [p for p in [*self.fixed, *self.bias] if p not in self.used]
        if unknown:
            raise UsageError(
                [
                    Diagnostic(
                        "unknown-path",
                        english("strategies.names-no-value-drawn", path=path),
                        help=suggest(path, self.paths) or english("paths-like.help"),
                    )
                    for path in unknown
                ]
            )

    def build(self, type_: Type, path: str, key: str | None = None) -> SearchStrategy[Any]:
        if path:
            self.paths.append(path)
        if path in self.fixed:
            self.used.add(path)
            value = self.fixed[path]
            return value if isinstance(value, SearchStrategy) else st.just(value)
        extra = self.bias.get(path, ())
        if path in self.bias:
            self.used.add(path)
        if isinstance(type_, OptionalType):
            inner = self.build(type_.inner, path, key)
            return st.one_of(st.none(), inner)
        if isinstance(type_, RecordType):
            fields = {
                f.name: self.build(f.type, _join(path, f.name), f"{type_.qualified}.{f.name}")
                for f in type_.fields
            }
            general = st.fixed_dictionaries(fields)
            known = self.like.get(type_.qualified)
            if not known:
                return general
            # Keep fixed fields (and those with fixed paths inside) drawn, never from `known`.
            drawn = frozenset(
                name
                for name in fields
                if any(
                    p == _join(path, name)
                    or p.startswith(_join(path, name) + ".")
                    or p.startswith(_join(path, name) + "[")
                    for p in self.fixed
                )
            )
            return st.one_of(_near(known, general, list(fields), drawn), general)
        if isinstance(type_, SumType):
            # Each member with its fields drawn (a field's thresholds are shared by the
            # members that have a field of that name).
            return st.one_of(
                *(
                    st.fixed_dictionaries(
                        {
                            SUM_TAG: st.just(member.name),
                            **{
                                f.name: self.build(
                                    f.type, _join(path, f.name), f"{type_.qualified}.{f.name}"
                                )
                                for f in member.fields
                            },
                        }
                    )
                    for member in type_.members
                )
            )
        if isinstance(type_, ListType):
            elements = self.build(type_.element, path + "[]", key)
            element = type_.element
            linked = self.links.get(element.qualified) if isinstance(element, RecordType) else None
            if linked is None or any(p.startswith(path + "[]") for p in self.fixed):
                return st.lists(elements, max_size=self.max_list)
            key_field = element.field(linked[0][0]) if isinstance(element, RecordType) else None
            pool = _key_pool(key_field.type) if key_field is not None else ()
            return _relinked(elements, self.max_list, pool, tuple(linked))
        if key is None and path and "." not in path and "[" not in path:
            key = f"input {path}"
        near = [*self.thresholds.get(key or "", ()), *extra]
        return _leaf(type_, near)


def _relinked(
    elements: SearchStrategy[dict[str, Any]],
    max_size: int,
    pool: tuple[Any, ...],
    followed: tuple[tuple[str, str, bool], ...],
) -> SearchStrategy[list[dict[str, Any]]]:
    """Lists of up to `max_size` records whose links mostly name keys of records of the same
    list (`none` too, for a single link), so that `ancestors`/`reachable` meet chains,
    diamonds and cycles: most lists take distinct keys of `pool` (where the start is drawn near), one
    link in five keeps its drawn value (often a key no record has), and one list in five
    keeps records that share a key."""

    @st.composite
    def relink(draw: st.DrawFn) -> list[dict[str, Any]]:
        # Every size as likely (lists drawn as usual are mostly empty or short).
        size = draw(st.integers(0, max_size))
        records = [dict(draw(elements)) for _ in range(size)]
        first_key = followed[0][0]  # (the pool is of its type)
        rekeyed = draw(st.integers(0, 4)) > 0
        if pool and rekeyed:
            order = draw(st.permutations(pool))
            records = records[: len(order)]
            for record, new_key in zip(records, order, strict=False):
                record[first_key] = new_key
        if draw(st.integers(0, 4)):  # mostly one record per key (a key held twice is an error)
            by_key = {record[first_key]: record for record in reversed(records)}
            records = [record for record in records if by_key[record[first_key]] is record]
        for key, link, many in followed:
            keys = [record[key] for record in records]
            for record in records:
                if not keys or draw(st.integers(0, 4)) == 0:
                    continue
                if many:
                    record[link] = draw(st.lists(st.sampled_from(keys), max_size=3))
                else:
                    record[link] = draw(st.one_of(st.none(), st.sampled_from(keys)))
        return records

    return relink()


_CHANGED = 3
"""At most this many fields of a known record are redrawn (`like`)."""


def _near(
    known: list[Any],
    general: SearchStrategy[dict[str, Any]],
    names: list[str],
    drawn: frozenset[str],
) -> SearchStrategy[dict[str, Any]]:
    """One of the `known` records with up to `_CHANGED` fields taken from `general` (and
    the `drawn` ones always)."""

    def combine(parts: tuple[dict[str, Any], dict[str, Any], frozenset[str]]) -> dict[str, Any]:
        base, fresh, changed = parts
        return {
            name: fresh[name]
            if name in changed or name in drawn or name not in base
            else base[name]
            for name in names
        }

    changed = st.frozensets(st.sampled_from(names), max_size=min(_CHANGED, len(names)))
    return st.tuples(st.sampled_from(known), general, changed).map(combine)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _leaf(type_: Type, near: list[Any]) -> SearchStrategy[Any]:
    if isinstance(type_, BoolType):
        return st.booleans()
    if isinstance(type_, EnumType):
        return st.sampled_from([m.name for m in type_.members])
    if isinstance(type_, TextType):
        texts = sorted({t for t in near if isinstance(t, str)})
        general = st.text(alphabet=_TEXT_ALPHABET, max_size=8)
        return st.one_of(general, st.sampled_from(texts)) if texts else general
    if isinstance(type_, DateType):
        return _dates([d for d in near if isinstance(d, datetime.date)])
    if isinstance(type_, DurationType):
        return _durations([d for d in near if isinstance(d, Duration)])
    if isinstance(type_, DateTimeType):
        return _datetimes([t for t in near if isinstance(t, datetime.datetime)])
    if isinstance(type_, TimeType):
        return _clocks([t for t in near if type(t) is datetime.time])
    if isinstance(type_, IntType):
        return _integers(type_.bound, [n for n in near if _is_number(n)])
    if isinstance(type_, NumberType):
        places = PLACES if type_.scale is None else type_.scale
        return _decimals(type_.bound, [n for n in near if _is_number(n)], places)
    if isinstance(type_, NoneType):
        return st.none()
    raise UsageError(
        Diagnostic("unsupported-type", english("strategies.cannot-draw-values", type_=repr(type_)))
    )  # pragma: no cover - every type of the language is handled above


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Fraction | Decimal) and not isinstance(value, bool)


def _admits(bound: NumericBound | None, value: Fraction | int) -> bool:
    return bound is None or bound.admits(value)


def _integers(bound: NumericBound | None, near: list[Any]) -> SearchStrategy[int]:
    low = high = None
    if bound is not None:
        if bound.low is not None:
            low = _ceil(bound.low) + (
                1 if not bound.low_inclusive and bound.low == _ceil(bound.low) else 0
            )
        if bound.high is not None:
            high = _floor(bound.high) - (
                1 if not bound.high_inclusive and bound.high == _floor(bound.high) else 0
            )
    general = st.integers(min_value=low, max_value=high)
    points: set[int] = set()
    for value in near:
        for candidate in (_floor(value) - 1, _floor(value), _ceil(value), _ceil(value) + 1):
            points.add(candidate)
    for end in (low, high):
        if end is not None:
            points.update((end, end + 1, end - 1))
    points.add(0)
    chosen = sorted(p for p in points if (low is None or p >= low) and (high is None or p <= high))
    return st.one_of(general, st.sampled_from(chosen)) if chosen else general


def _decimals(
    bound: NumericBound | None, near: list[Any], places: int = PLACES
) -> SearchStrategy[Decimal]:
    """Decimals of `places` places (a money amount's 2: drawn on its scale), inside `bound`,
    and often next to the constants in `near` (a step of one last place away)."""
    low = high = None
    step = Fraction(1, 10**places)
    if bound is not None:
        low = _quantize_up(bound.low, places) if bound.low is not None else None
        high = _quantize_down(bound.high, places) if bound.high is not None else None
    general = st.decimals(
        min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False
    )
    if bound is not None:
        general = general.filter(lambda d: bound.admits(Fraction(d)))
    points: set[Fraction] = {Fraction(0)}
    for value in near:
        center = Fraction(value)
        points.update((center - step, center, center + step))
    if bound is not None:
        for end in (bound.low, bound.high):
            if end is not None:
                points.update((end - step, end, end + step))
    chosen = sorted(
        decimal
        for p in points
        if _admits(bound, p) and (p * 10**places).denominator == 1
        for decimal in [fraction_to_decimal(p)]
        if decimal is not None
    )
    return st.one_of(general, st.sampled_from(chosen)) if chosen else general


_MONTH_ENDS = tuple(
    datetime.date(year, month, 28) + datetime.timedelta(days=extra)
    for year in (2023, 2024)
    for month in (1, 2, 3, 12)
    for extra in range(4)
    if (datetime.date(year, month, 28) + datetime.timedelta(days=extra)).month == month
)
"""Days where moving by months clamps: the ends of long and short months, 29 February."""


def _dates(near: list[datetime.date]) -> SearchStrategy[datetime.date]:
    general = st.dates(min_value=_DATES[0], max_value=_DATES[1])
    points: set[datetime.date] = set(_MONTH_ENDS)
    for day in near:
        for delta in (-1, 0, 1):
            try:
                points.add(day + datetime.timedelta(days=delta))
            except OverflowError:
                continue
    return st.one_of(general, st.sampled_from(sorted(points)))


_CHANGES = (
    ("Europe/Paris", datetime.datetime(2024, 3, 31, 2, 30)),  # skipped: clocks go forward
    ("Europe/Paris", datetime.datetime(2024, 10, 27, 2, 30)),  # repeated: clocks go back
    ("America/New_York", datetime.datetime(2024, 3, 10, 2, 0)),
    ("Europe/Paris", datetime.datetime(2024, 2, 29, 23, 59)),
)
"""Local times where daylight-saving changes make the wall clock skip or repeat an hour."""


def _datetimes(given: list[datetime.datetime]) -> SearchStrategy[datetime.datetime]:
    """Date-times in IANA zones (when the system has the database) and at fixed offsets,
    whole seconds, with the hours around daylight-saving changes among them."""
    offsets = st.integers(min_value=-14 * 4, max_value=14 * 4).map(
        lambda quarters: datetime.timezone(datetime.timedelta(minutes=15 * quarters))
    )
    places: list[SearchStrategy[datetime.tzinfo]] = [offsets]
    near: list[datetime.datetime] = list(given)
    if zones.has_database():
        places.append(st.sampled_from([zones.zone(n) for n in _ZONE_NAMES]))
        for name, local in _CHANGES:
            for minutes in (-90, -30, 0, 30, 90):
                near.append(
                    zones.resolve(local + datetime.timedelta(minutes=minutes), zones.zone(name))
                )
    general = st.builds(
        lambda local, tz: zones.resolve(local, tz),
        st.datetimes(
            min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2040, 12, 31)
        ).map(lambda moment: moment.replace(microsecond=0)),
        st.one_of(places),
    )
    return st.one_of(general, st.sampled_from(near)) if near else general


def _clocks(near: list[datetime.time]) -> SearchStrategy[datetime.time]:
    """Times of day in whole seconds, midnight and the last second before it among them
    (where `±` wraps), and the given ones with a minute either side."""
    points = {datetime.time(0, 0), datetime.time(23, 59, 59), datetime.time(23, 30)}
    for clock in near:
        seconds = clock.hour * 3600 + clock.minute * 60 + clock.second
        for delta in (-60, -1, 0, 1, 60):
            moved = (seconds + delta) % 86_400
            points.add(datetime.time(moved // 3600, moved // 60 % 60, moved % 60))
    general = st.times().map(lambda clock: clock.replace(microsecond=0))
    return st.one_of(general, st.sampled_from(sorted(points)))


_ZONE_NAMES = ("UTC", "Asia/Shanghai", "Europe/Paris", "America/New_York")


def _durations(near: list[Duration]) -> SearchStrategy[Duration]:
    """Durations of months, of whole days, of hours and of both parts, zero and negative
    ones among them (small: dates moved by them stay inside the calendar)."""
    months = st.integers(min_value=-30, max_value=30)
    days = st.integers(min_value=-400, max_value=400).map(lambda n: n * SECONDS_PER_DAY)
    seconds = st.one_of(days, st.integers(min_value=-(10**6), max_value=10**6))
    general = st.one_of(
        st.builds(Duration, months, st.just(0)),
        st.builds(Duration, st.just(0), days),
        st.builds(Duration, months, seconds),
    )
    return st.one_of(general, st.sampled_from(near)) if near else general


def _floor(value: Any) -> int:
    fraction = Fraction(value)
    return fraction.numerator // fraction.denominator


def _ceil(value: Any) -> int:
    return -_floor(-Fraction(value))


def _quantize_up(value: Fraction, places: int = PLACES) -> Decimal:
    scaled = -((-value.numerator * 10**places) // value.denominator)
    return Decimal(scaled).scaleb(-places)


def _quantize_down(value: Fraction, places: int = PLACES) -> Decimal:
    scaled = (value.numerator * 10**places) // value.denominator
    return Decimal(scaled).scaleb(-places)
