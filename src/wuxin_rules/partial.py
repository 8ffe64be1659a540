"""What is still missing: evaluating a document with facts missing, in three values.

`evaluate(policy, schema, document, params, keys)` accepts a facts document that lacks some
required facts (an input, a record field, a whole record). The facts that are there are checked
as usual (a wrong one is still a `FactError`); each missing one is *unknown*. Then every rule
is evaluated in three values: a rule the present facts decide gets its value — `and`, `or`,
`all of`, `any of` and `at least N of` are decided by a decided operand (`false and ?` is
false), `if` by its condition — and every other rule is a `Pending` whose `needs` lists the
missing facts it still depends on (an undecided `if` needs its condition's facts and those of
both branches). Supplying the facts a `Pending` lists is enough to decide it.

Everything that is not a question of missing facts is the reference evaluator's: each node
whose operands are known is evaluated by it, on those operands, so the values, the exactness
and the evaluation errors are the same. An error of an operand is the error of the whole, as
in the reference (fail closed), whatever the other operands.

May import `errors`, `schema`, `values`, `model`, `trace` and `evaluator`.
"""

from __future__ import annotations

import contextlib
import datetime
import html
import json
import typing
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import evaluator, model
from wuxin_rules.messages import word
from wuxin_rules.schema import (
    SUM_TAG,
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    IntType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
)
from wuxin_rules.trace import Evaluation, Verdict
from wuxin_rules.visitor import Visitor, unhandled_kind, visits

__all__ = ["MissingFact", "PartialInputs", "Pending", "evaluate"]

Path = tuple[str | int, ...]


@attrs.frozen
class MissingFact:
    """A fact the document does not give: its JSON path and the policy's label for it."""

    path: str
    label: str | None = None


@attrs.frozen
class Pending:
    """The value of a rule the present facts do not decide; `needs` are the missing facts it
    still depends on (supplying them decides it)."""

    needs: tuple[MissingFact, ...]

    def to_json(self) -> dict[str, list[str]]:
        """`{"pending": ["$.applicant.income", …]}`."""
        return {"pending": [fact.path for fact in self.needs]}

    def describe(self, lang: str = "en") -> str:
        """`pending: needs 月收入 ($.applicant.income), …`."""
        facts = ", ".join(
            f"{fact.label} ({fact.path})" if fact.label else fact.path for fact in self.needs
        )
        return word("partial.pending", lang, facts=facts)

    def __repr__(self) -> str:
        return self.describe()

    def _repr_html_(self) -> str:
        return f"<em>{html.escape(self.describe())}</em>"


class PartialInputs(dict[str, Any]):
    """The runtime values of a document with facts missing (each missing one `_Unknown`)."""

    missing: tuple[MissingFact, ...] = ()
    paths: tuple[Path, ...] = ()


@attrs.frozen(eq=False)
class _Unknown:
    """A value that depends on missing facts (`needs`: their paths)."""

    needs: frozenset[Path]


# ------------------------------------------------------------------------------------------
# The document: missing facts found, the rest checked


def evaluate(
    policy: model.CheckedPolicy,
    schema: Any,
    document: Any,
    params: Mapping[str, Any],
    keys: Sequence[str],
    *,
    file: str | None = None,
) -> tuple[PartialInputs, Evaluation]:
    """The values of the document (missing facts unknown) and the verdicts of rules `keys`."""
    inputs = complete(policy, schema, document, file=file)
    walker = _Walker(policy, inputs, params)
    order = {path: index for index, path in enumerate(inputs.paths)}
    labels = dict(zip(inputs.paths, inputs.missing, strict=True))
    verdicts: dict[str, Verdict] = {}
    for key in keys:
        rule = policy.rules[key]
        value: Any = None
        error = None
        try:
            value = walker.rule(key)
        except evaluator.Fault as fault:
            error = fault.diagnostic
        else:
            needs = _needs(value)
            if needs:
                value = Pending(tuple(labels[p] for p in sorted(needs, key=order.__getitem__)))
        verdicts[key] = Verdict(
            key=key,
            name=rule.name,
            kind=rule.kind,
            type=rule.type,
            value=value,
            error=error,
            label=rule.label,
            cites=rule.cites,
            span=rule.span,
        )
    return inputs, Evaluation(verdicts=verdicts, traced=False)


def complete(
    policy: model.CheckedPolicy, schema: Any, document: Any, *, file: str | None = None
) -> PartialInputs:
    """The runtime values of `document`, each missing required fact an unknown value.

    The missing facts are filled with placeholders of their types so that the facts schema
    checks everything else as usual, then replaced by unknowns."""
    missing: list[tuple[Path, str | None]] = []
    filled = document
    if isinstance(document, Mapping):
        filled = dict(document)
        for definition in policy.inputs:
            _fill(filled, definition.name, definition.type, definition.label, (), missing)
    values = schema.validate(filled, file=file)
    result = PartialInputs(values)
    for path, _ in missing:
        _place(result, path, _Unknown(frozenset({path})))
    result.missing = tuple(MissingFact(_json_path(p), label) for p, label in missing)
    result.paths = tuple(p for p, _ in missing)
    return result


def _fill(
    container: dict[str, Any],
    name: str,
    type_: Type,
    label: str | None,
    path: Path,
    missing: list[tuple[Path, str | None]],
) -> None:
    here = (*path, name)
    if isinstance(type_, OptionalType):
        return  # may be left out: not missing
    if name not in container:
        missing.append((here, label))
        container[name] = _placeholder(type_)
        return
    _fill_inside(container, name, type_, here, missing)


def _fill_inside(
    container: Any, key: Any, type_: Type, path: Path, missing: list[tuple[Path, str | None]]
) -> None:
    value = container[key]
    if isinstance(type_, RecordType) and isinstance(value, Mapping):
        copy = dict(value)
        container[key] = copy
        for info in type_.fields:
            _fill(copy, info.name, info.type, info.label, path, missing)
    elif isinstance(type_, SumType) and isinstance(value, Mapping):
        member = type_.member(value.get(SUM_TAG))  # type: ignore[arg-type]
        if member is not None:  # (an unknown member is the facts check's to report)
            copy = dict(value)
            container[key] = copy
            for info in member.fields:
                _fill(copy, info.name, info.type, info.label, path, missing)
    elif isinstance(type_, ListType) and isinstance(value, list | tuple):
        items = list(value)
        container[key] = items
        for index in range(len(items)):
            _fill_inside(items, index, type_.element, (*path, index), missing)


def _placeholder(type_: Type) -> Any:
    """A value of `type_` that the facts check accepts (it is replaced before any use)."""
    if isinstance(type_, IntType | NumberType):
        bound = type_.bound
        candidates = [Fraction(0)]
        if bound is not None:
            for end in (bound.low, bound.high):
                if end is not None:
                    candidates += [end, end + 1, end - 1]
        value = next((c for c in candidates if bound is None or bound.admits(c)), Fraction(0))
        if isinstance(type_, IntType):
            return int(value)
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(type_, BoolType):
        return False
    if isinstance(type_, TextType):
        return ""
    if isinstance(type_, DateType):
        return datetime.date(2000, 1, 1).isoformat()
    if isinstance(type_, DurationType):
        return "PT0S"
    if isinstance(type_, DateTimeType):
        return "2000-01-01T00:00:00Z"
    if isinstance(type_, TimeType):
        return "00:00"
    if isinstance(type_, EnumType):
        return type_.members[0].name
    if isinstance(type_, ListType):
        return []
    if isinstance(type_, RecordType):
        return {
            info.name: _placeholder(info.type)
            for info in type_.fields
            if not isinstance(info.type, OptionalType)
        }
    if isinstance(type_, SumType):
        first = type_.members[0]
        fields = RecordType(first.name, "", first.fields)
        return {SUM_TAG: first.name, **_placeholder(fields)}
    return None


def _place(values: dict[str, Any], path: Path, value: Any) -> None:
    """Put `value` at `path` in the runtime values (records are dicts, lists tuples)."""
    if len(path) == 1:
        values[path[0]] = value  # type: ignore[index]
        return
    head, rest = path[0], path[1:]
    values[head] = _replaced(values[head], rest, value)  # type: ignore[index]


def _replaced(container: Any, path: Path, value: Any) -> Any:
    head = path[0]
    inner = value if len(path) == 1 else _replaced(container[head], path[1:], value)
    if isinstance(container, tuple):
        items = list(container)
        items[int(head)] = inner
        return tuple(items)
    copy = dict(container)
    copy[head] = inner
    return copy


def _json_path(path: Path) -> str:
    text = "$"
    for key in path:
        if isinstance(key, int):
            text += f"[{key}]"
        elif key.isidentifier():
            text += f".{key}"
        else:
            text += f"[{json.dumps(key, ensure_ascii=False)}]"
    return text


def _needs(value: Any) -> frozenset[Path]:
    """The missing facts a value holds (a record or list may hold unknowns inside)."""
    if isinstance(value, _Unknown):
        return value.needs
    if isinstance(value, dict):
        return frozenset().union(*(_needs(v) for v in value.values()))
    if isinstance(value, tuple):
        return frozenset().union(*(_needs(v) for v in value))
    return frozenset()


def _unknown(values: Sequence[Any]) -> _Unknown | None:
    needs = frozenset().union(*(_needs(v) for v in values))
    return _Unknown(needs) if needs else None


# ------------------------------------------------------------------------------------------
# Three-valued evaluation

_CEXPR = typing.get_args(model.CExpr)


class _Walker(Visitor[Any]):
    """Three-valued evaluation: a missing fact's value is an `_Unknown`; what it does not
    decide is left to the reference evaluator, its operands evaluated here."""

    node_kinds = model.EXPRESSIONS

    def __init__(
        self, policy: model.CheckedPolicy, inputs: Mapping[str, Any], params: Mapping[str, Any]
    ) -> None:
        self.policy = policy
        self.inputs = inputs
        self.run = evaluator.Run(policy, inputs, params, False)
        self.memo: dict[str, tuple[Any, evaluator.Fault | None]] = {}

    def rule(self, key: str) -> Any:
        if key not in self.memo:
            try:
                self.memo[key] = (self.value(self.policy.rules[key].body, {}), None)
            except evaluator.Fault as failure:
                self.memo[key] = (None, failure)
        value, fault = self.memo[key]
        if fault is not None:
            raise fault
        return value

    def value(self, expr: model.CExpr, env: Mapping[str, Any]) -> Any:
        """The value of `expr` with the locals `env`: an `_Unknown` naming the facts it
        needs when a missing fact decides it."""
        handler = self.dispatch_table.get(type(expr))
        if handler is None:
            raise unhandled_kind(type(self).__name__, type(expr).__name__)
        return handler(self, expr, env)

    @visits(model.InputRef)
    def _input(self, expr: model.InputRef, env: Mapping[str, Any]) -> Any:
        if expr.name in self.inputs:
            return self.inputs[expr.name]
        return self.reference(expr, env)

    @visits(model.LocalRef)
    def _local(self, expr: model.LocalRef, env: Mapping[str, Any]) -> Any:
        return env[expr.name]

    @visits(model.RuleRef)
    def _rule_ref(self, expr: model.RuleRef, env: Mapping[str, Any]) -> Any:
        return self.rule(expr.key)

    @visits(model.CallRule)
    def _call_rule(self, expr: model.CallRule, env: Mapping[str, Any]) -> Any:
        rule = self.policy.rules[expr.key]
        args = [self.value(arg, env) for arg in expr.args]
        names = [name for name, _ in rule.params or ()]
        return self.value(rule.body, dict(zip(names, args, strict=True)))

    @visits(model.GetField)
    def _get_field(self, expr: model.GetField, env: Mapping[str, Any]) -> Any:
        target = self.value(expr.target, env)
        if isinstance(target, _Unknown):
            return target
        if isinstance(target, dict) and expr.field in target:
            return target[expr.field]
        return self.reference(expr, env, target=target)

    @visits(model.If)
    def _if(self, expr: model.If, env: Mapping[str, Any]) -> Any:
        condition = self.value(expr.condition, env)
        if isinstance(condition, _Unknown):
            return _Unknown(condition.needs | self.needs_of(expr.then, expr.otherwise, env=env))
        return self.value(expr.then if condition else expr.otherwise, env)

    @visits(model.Coalesce)
    def _coalesce(self, expr: model.Coalesce, env: Mapping[str, Any]) -> Any:
        value = self.value(expr.value, env)
        if isinstance(value, _Unknown):
            return _Unknown(value.needs | self.needs_of(expr.fallback, env=env))
        return self.value(expr.fallback, env) if value is None else value

    @visits(model.Not)
    def _not(self, expr: model.Not, env: Mapping[str, Any]) -> Any:
        operand = self.value(expr.operand, env)
        return operand if isinstance(operand, _Unknown) else not operand

    @visits(model.MakeList)
    def _make_list(self, expr: model.MakeList, env: Mapping[str, Any]) -> Any:
        return tuple(self.value(item, env) for item in expr.items)

    @visits(model.MakeRecord)
    def _make_record(self, expr: model.MakeRecord, env: Mapping[str, Any]) -> Any:
        record: dict[str, Any] = {}
        for spread in expr.spreads:
            base = self.value(spread, env)
            if isinstance(base, _Unknown):
                return base
            record.update(base)
        for name, item in expr.fields:
            record[name] = self.value(item, env)
        return record

    @visits(
        model.Const,
        model.ParamRef,
        model.BuiltinCall,
        model.ScheduleLookup,
        model.StageLookup,
        model.BandsLookup,
        model.Negate,
        model.Arith,
        model.Compare,
        model.In,
        model.IsNone,
    )
    def _by_reference(self, expr: model.CExpr, env: Mapping[str, Any]) -> Any:
        return self.reference(expr, env)

    def reference(self, expr: model.CExpr, env: Mapping[str, Any], **known: Any) -> Any:
        """The reference evaluator's value of `expr`, its operands evaluated here (and given
        to it as constants); unknown when an operand holds an unknown."""
        changes: dict[str, Any] = {}
        operands: list[Any] = []
        for field in attrs.fields(type(expr)):
            part = getattr(expr, field.name)
            if isinstance(part, _CEXPR):
                value = known[field.name] if field.name in known else self.value(part, env)
                operands.append(value)
                changes[field.name] = model.Const(value, part.type, part.span)
            elif isinstance(part, tuple) and part and all(isinstance(p, _CEXPR) for p in part):
                values = [self.value(p, env) for p in part]
                operands += values
                changes[field.name] = tuple(
                    model.Const(v, p.type, p.span) for v, p in zip(values, part, strict=True)
                )
        unknown = _unknown(operands)
        if unknown is not None:
            return unknown
        value = self.run.value_of(attrs.evolve(expr, **changes) if changes else expr, {})
        return value

    @visits(model.And, model.Or, model.Compose)
    def logic(self, expr: model.And | model.Or | model.Compose, env: Mapping[str, Any]) -> Any:
        parts = expr.operands if isinstance(expr, model.And | model.Or) else expr.items
        values: list[Any] = []
        fault: evaluator.Fault | None = None
        for part in parts:  # every operand, as the reference does: an error is never hidden
            try:
                values.append(self.value(part, env))
            except evaluator.Fault as failure:
                fault = fault or failure
        needed = 0
        if isinstance(expr, model.Compose) and expr.count is not None:
            needed = self.value(expr.count, env)
        if fault is not None:
            raise fault
        if isinstance(needed, _Unknown):
            return _Unknown(needed.needs | _needs(tuple(values)))
        kind = "and" if isinstance(expr, model.And) else "or"
        if isinstance(expr, model.Compose):
            kind = {"all": "and", "any": "or"}.get(expr.kind, "at_least")
        unknowns = [v for v in values if isinstance(v, _Unknown)]
        holding = sum(1 for v in values if v is True)
        if kind == "and":
            decided: bool | None = False if any(v is False for v in values) else None
            if decided is None and not unknowns:
                decided = True
        elif kind == "or":
            decided = True if holding else (None if unknowns else False)
        else:
            decided = (
                True if holding >= needed else (False if holding + len(unknowns) < needed else None)
            )
        if decided is None:
            return _Unknown(frozenset().union(*(u.needs for u in unknowns)))
        return decided

    @visits(model.Aggregate)
    def aggregate(self, expr: model.Aggregate, env: Mapping[str, Any]) -> Any:
        collection = self.value(expr.collection, env)
        if isinstance(collection, _Unknown):
            return collection
        if collection is None:  # the reference's error for it
            none = model.Const(None, expr.collection.type, expr.collection.span)
            value = self.run.value_of(attrs.evolve(expr, collection=none), dict(env))
            return value
        chosen: list[Any] = []
        unknowns: list[Any] = []
        fault: evaluator.Fault | None = None
        for item in collection:
            local = {**env, expr.var: item}
            try:
                matched: Any = True
                if expr.filter is not None:
                    matched = self.value(expr.filter, local)
                    if isinstance(matched, _Unknown):
                        unknowns.append(matched)
                        unknowns.append(self.needs_value(expr.body, local))
                        continue
                if not matched:
                    continue
                body = item if expr.body is None else self.value(expr.body, local)
                chosen.append(body)
            except evaluator.Fault as failure:
                fault = fault or failure
        if fault is not None:
            raise fault
        unknown = _unknown(unknowns + ([] if expr.kind == "list" else chosen))
        if unknown is not None:
            return unknown
        # Known elements: the reference reduces them (count, sum, rate, … and their errors).
        items = model.MakeList(
            tuple(model.Const(v, expr.body.type if expr.body else expr.type, expr.span)
                  for v in chosen),
            expr.collection.type,
            expr.span,
        )  # fmt: skip
        if expr.kind == "list":
            return tuple(chosen)
        body = model.LocalRef(expr.var, expr.body.type, expr.span) if expr.body else None
        reduced = attrs.evolve(expr, collection=items, filter=None, body=body)
        value = self.run.value_of(reduced, dict(env))
        return value

    def needs_value(self, expr: model.CExpr | None, env: Mapping[str, Any]) -> _Unknown:
        return _Unknown(self.needs_of(expr, env=env) if expr is not None else frozenset())

    def needs_of(self, *exprs: model.CExpr, env: Mapping[str, Any]) -> frozenset[Path]:
        """The missing facts these expressions would read (their errors do not count: a branch
        not taken may fail on facts that choose the other)."""
        needs: frozenset[Path] = frozenset()
        for expr in exprs:
            with contextlib.suppress(evaluator.Fault):
                needs |= _needs(self.value(expr, env))
        return needs
