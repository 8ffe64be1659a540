"""What must change: the fewest fact changes that give a boolean rule the value wanted.

`to_pass(policy, inputs, params, key, want)` reads the rule's expression, with the rules it
calls inlined and the document's values at hand, as a formula over *atoms*: comparisons whose
sides are sums and multiples of facts (`a.debt <= a.income × ratio − a.rent`),
comparisons and memberships of one fact with a value (`a.kind in [owner, tenant]`), and facts that
are true or false themselves. `and`, `or`, `not`, `all of`, `any of` and `at least N of` over
the atoms are searched for the fewest atoms whose truth must change (a minimal hitting set:
every false operand of an `all of` that must hold, one of an `any of`); each atom is solved
exactly (with `Fraction`s) for each fact it can change, within the fact's declared bounds;
facts marked `fixed` by the policy, and everything computed without them, are constants. Each
candidate set of changes is then checked by evaluating the rule again with the changes applied,
and the smallest sets that pass are the answer: the first is `changes`, the others of the same
size `alternatives`.

An `if` of truth values is solved in the branch it takes, or with its condition changed in the
other branch (`if d is none then false else d <= deadline`: give `d`, on or before the
deadline). What cannot be solved this way (an aggregate over a list, a schedule, `min` of two
facts) is left as it is: its current value stands, and when nothing else helps no change is
proposed.

May import `errors`, `schema`, `values`, `model`, `evaluator` and `messages`.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import evaluator, model
from wuxin_rules.errors import Diagnostic, UsageError
from wuxin_rules.messages import english, word
from wuxin_rules.schema import (
    BoolType,
    DateType,
    EnumType,
    IntType,
    NumberType,
    RecordType,
    Type,
    strip_optional,
)
from wuxin_rules.values import format_value, to_json
from wuxin_rules.visitor import Visitor, unhandled_kind, visits
from wuxin_rules.wording import in_language

__all__ = ["FactChange", "ToPass", "to_pass"]

_MAX_WAYS = 64
"""Candidate sets of atoms kept at each step of the search (the smallest first)."""

_FLIP = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}
_MIRROR = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

Path = tuple[str, ...]


@attrs.frozen
class FactChange:
    """One fact to change: where it is, what it is now, what it must satisfy, a value that does."""

    path: str
    """The fact's JSON path in the document, `$.applicant.debts`."""
    label: str | None
    now: Any
    needed: str
    """What the value must satisfy, as the policy writes it: `== 0`, `<= 0.0155`, `true`."""
    set: Any
    """A value that satisfies `needed` (runtime form; `to_json` gives JSON)."""
    type: Type = attrs.field(repr=False)
    conditions: tuple[tuple[str, Any], ...] = attrs.field(repr=False, default=())
    """`needed` as data: `(operator, value)` pairs (`in` takes a tuple of values)."""

    def to_json(self) -> dict[str, Any]:
        """`{"path", "label", "now", "needed", "set"}`, numbers exact."""
        return {
            "path": self.path,
            "label": self.label,
            "now": to_json(self.now, self.type),
            "needed": self.needed,
            "set": to_json(self.set, self.type),
        }

    def phrase(self, lang: str = "en") -> str:
        """`负债笔数 为 0（现为 1）` / `负债笔数 is 0 (now 1)`."""
        conditions = list(self.conditions)
        if len(conditions) > 1:
            conditions = [c for c in conditions if c != ("!=", None)]
        dated = isinstance(strip_optional(self.type), DateType)
        parts = [
            word(
                f"to_pass.date{op}" if dated and op in _MIRROR and op not in ("==", "!=")
                else f"to_pass.{op}",
                lang,
                value=_shown(value, self.type, lang),
            )
            for op, value in conditions
        ]  # fmt: skip
        joined = word("to_pass.both", lang).join(parts)
        name = in_language(self.label, lang) or self.path
        return word("to_pass.change", lang, fact=name, condition=joined, now=self._now(lang))

    def _now(self, lang: str) -> str:
        return _shown(self.now, self.type, lang)


@attrs.frozen
class ToPass:
    """What must change for rule `rule` to have the value `value`.

    `changes` is a smallest set of changes (empty when the rule already has the value);
    `alternatives` the other sets of the same size. `found` is false when no set was found.
    """

    rule: str
    label: str | None
    value: bool
    changes: tuple[FactChange, ...]
    alternatives: tuple[tuple[FactChange, ...], ...] = ()
    found: bool = True
    already: bool = False

    def __iter__(self) -> Any:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    def to_json(self) -> list[dict[str, Any]] | None:
        """The changes as JSON objects; `None` when none was found."""
        if not self.found:
            return None
        return [change.to_json() for change in self.changes]

    def _repr_html_(self) -> str:
        return "<p>" + html.escape(self.sentence()).replace("\n", "<br>") + "</p>"

    def sentence(self, lang: str = "en") -> str:
        """The changes as one plain sentence (and one for each alternative)."""
        name = in_language(self.label, lang) or self.rule
        key = "to_pass.then_true" if self.value else "to_pass.then_false"
        wanted = "true" if self.value else "false"
        if self.already:
            return word(f"to_pass.already_{wanted}", lang, rule=name)
        if not self.found:
            return word(f"to_pass.none_{wanted}", lang, rule=name)
        lines = []
        for index, changes in enumerate((self.changes, *self.alternatives)):
            joined = word("to_pass.and", lang).join(c.phrase(lang) for c in changes)
            text = word("to_pass.if", lang, changes=joined) + word(key, lang, rule=name)
            lines.append(text if index == 0 else word("to_pass.or", lang, sentence=text))
        return "\n".join(lines)


def _shown(value: Any, type_: Type | None, lang: str) -> str:
    if value is None:
        return word("to_pass.nothing", lang)
    if isinstance(value, bool):
        return word("to_pass.true" if value else "to_pass.false", lang)
    if isinstance(value, tuple):
        return "[" + ", ".join(_shown(v, _element(type_), lang) for v in value) + "]"
    return format_value(value, type_)


def _element(type_: Type | None) -> Type | None:
    return type_  # the values of `in` are of the fact's type


# ------------------------------------------------------------------------------------------
# The symbolic reading of expressions


@attrs.frozen(eq=False)
class _Fact:
    """A fact of the document (a record or a value), reached from an input."""

    path: Path
    type: Type
    label: str | None
    fixed: bool
    now: Any


@attrs.frozen(eq=False)
class _Record:
    """A record built by the policy (`{...u, x: 1}`): its fields, read symbolically."""

    fields: Mapping[str, Any]
    now: Any


@attrs.frozen(eq=False)
class _Value:
    """A value that no change of facts is traced through (a constant, or opaque)."""

    now: Any


@attrs.frozen(eq=False)
class _Linear:
    """`Σ coeffs[path] × fact + const`: a number that changeable facts move linearly."""

    coeffs: Mapping[Path, Fraction]
    const: Fraction
    now: Any


@attrs.frozen(eq=False)
class _Bool:
    """A truth value: an atom (`atom` set, or opaque), or `not`/`and`/`or`/`at_least`."""

    kind: str
    now: bool
    children: tuple[_Bool, ...] = ()
    count: int = 0
    atom: tuple[Any, ...] | None = None


_Sym = _Fact | _Record | _Value | _Linear | _Bool


class _Reader(Visitor[_Sym]):
    """Reads expressions symbolically against one document (values from the reference)."""

    node_kinds = model.EXPRESSIONS

    def __init__(
        self, policy: model.CheckedPolicy, inputs: Mapping[str, Any], params: Mapping[str, Any]
    ) -> None:
        self.policy = policy
        self.inputs = inputs
        self.run = evaluator.Run(policy, inputs, params, False)
        self.params = self.run.params
        self.input_defs = {i.name: i for i in policy.inputs}
        self.memo: dict[tuple[str, Path | None, bool], tuple[_Sym, frozenset[Path]]] = {}
        self.facts: dict[Path, _Fact] = {}
        # Solving for one fact at a time (`only`), the others as they are: `p / h >= 50%` is
        # linear in `p` though not in `p` and `h` together.
        self.only: Path | None = None
        self.touched: set[Path] = set()  # the changeable facts read since it was last emptied
        # Reading the branch an `if` did not take: its values may not exist (the branch may
        # read the very `none` the condition tests), and are `None` then; every proposal is
        # checked by evaluating again, so a wrong guess here is never returned.
        self.tentative = False

    def now(self, expr: model.CExpr, env: Mapping[str, _Sym]) -> Any:
        try:
            value = self.run.value_of(expr, {name: sym.now for name, sym in env.items()})
        except evaluator.Fault as fault:
            if self.tentative:
                return None
            raise _Unsolvable(fault.diagnostic) from None
        return value

    def read(self, expr: model.CExpr, env: Mapping[str, _Sym]) -> _Sym:
        """`expr` as a symbolic value: its value now and how it depends on the facts."""
        handler = self.dispatch_table.get(type(expr))
        if handler is None:
            raise unhandled_kind(type(self).__name__, type(expr).__name__)
        result: _Sym = handler(self, expr, env)
        return result

    @visits(model.Const)
    def _const(self, expr: model.Const, env: Mapping[str, _Sym]) -> _Sym:
        return _Value(expr.value)

    @visits(model.ParamRef)
    def _param(self, expr: model.ParamRef, env: Mapping[str, _Sym]) -> _Sym:
        return _Value(self.now(expr, env))

    @visits(model.InputRef)
    def _input(self, expr: model.InputRef, env: Mapping[str, _Sym]) -> _Sym:
        definition = self.input_defs.get(expr.name)
        return self._fact(
            (expr.name,),
            expr.type,
            definition.label if definition else None,
            bool(definition and definition.fixed),
            self.inputs.get(expr.name),
        )

    @visits(model.LocalRef)
    def _local(self, expr: model.LocalRef, env: Mapping[str, _Sym]) -> _Sym:
        return env[expr.name]

    @visits(model.RuleRef)
    def _rule_ref(self, expr: model.RuleRef, env: Mapping[str, _Sym]) -> _Sym:
        memo_key = (expr.key, self.only, self.tentative)
        if memo_key not in self.memo:
            outer, self.touched = self.touched, set()
            try:
                sym = self.read(self.policy.rules[expr.key].body, {})
                self.memo[memo_key] = (sym, frozenset(self.touched))
            finally:
                self.touched = outer | self.touched
        sym, touched = self.memo[memo_key]
        self.touched |= touched
        return sym

    @visits(model.CallRule)
    def _call_rule(self, expr: model.CallRule, env: Mapping[str, _Sym]) -> _Sym:
        rule = self.policy.rules[expr.key]
        args = [self.read(arg, env) for arg in expr.args]
        names = [name for name, _ in rule.params or ()]
        return self.read(rule.body, dict(zip(names, args, strict=True)))

    @visits(model.IsNone)
    def _is_none(self, expr: model.IsNone, env: Mapping[str, _Sym]) -> _Sym:
        operand = self.read(expr.operand, env)
        now = bool(self.now(expr, env))
        if isinstance(operand, _Fact) and not operand.fixed:
            op = "!=" if expr.negated else "=="
            return _Bool("atom", now, atom=("compare", operand.path, op, None))
        return _Bool("atom", now)

    @visits(model.Coalesce)
    def _coalesce(self, expr: model.Coalesce, env: Mapping[str, _Sym]) -> _Sym:
        value = self.read(expr.value, env)
        return self.read(expr.fallback, env) if value.now is None else value

    @visits(model.Not)
    def _not(self, expr: model.Not, env: Mapping[str, _Sym]) -> _Sym:
        operand = self.truth(self.read(expr.operand, env))
        return _Bool("not", not operand.now, (operand,))

    @visits(model.And, model.Or)
    def _and_or(self, expr: model.And | model.Or, env: Mapping[str, _Sym]) -> _Sym:
        items = tuple(self.truth(self.read(o, env)) for o in expr.operands)
        kind = "and" if isinstance(expr, model.And) else "or"
        return _Bool(kind, _combine(kind, items, 0), items)

    @visits(model.Compose)
    def _compose(self, expr: model.Compose, env: Mapping[str, _Sym]) -> _Sym:
        items = tuple(self.truth(self.read(o, env)) for o in expr.items)
        count = int(self.now(expr.count, env)) if expr.count is not None else 0
        kind = {"all": "and", "any": "or"}.get(expr.kind, "at_least")
        return _Bool(kind, _combine(kind, items, count), items, count)

    @visits(
        model.BuiltinCall,
        model.ScheduleLookup,
        model.StageLookup,
        model.BandsLookup,
        model.Aggregate,
        model.MakeList,
    )
    def _opaque(self, expr: model.CExpr, env: Mapping[str, _Sym]) -> _Sym:
        """A value read as it is now (no fact it depends on is solved for through it)."""
        now = self.now(expr, env)
        return _Bool("atom", now) if isinstance(now, bool) else _Value(now)

    @visits(model.If)
    def _if(self, expr: model.If, env: Mapping[str, _Sym]) -> _Sym:
        """The branch taken; for a truth value, also the other branch with the condition that
        would take it (`if x is none then false else x <= d`: give `x`, and `x <= d`)."""
        condition = self.read(expr.condition, env)
        taken_expr, other_expr = (
            (expr.then, expr.otherwise) if condition.now else (expr.otherwise, expr.then)
        )
        taken = self.read(taken_expr, env)
        if not isinstance(strip_optional(expr.type), BoolType):
            return taken
        outer, self.tentative = self.tentative, True
        try:
            other = self.truth(self.read(other_expr, env))
        except _Unsolvable:
            return taken
        finally:
            self.tentative = outer
        chosen = self.truth(taken)
        branches = (chosen, other) if condition.now else (other, chosen)
        return _Bool("if", chosen.now, (self.truth(condition), *branches))

    def _fact(self, path: Path, type_: Type, label: str | None, fixed: bool, now: Any) -> _Fact:
        fact = _Fact(path, type_, label, fixed, now)
        self.facts.setdefault(path, fact)
        if not fixed and isinstance(strip_optional(type_), IntType | NumberType):
            self.touched.add(path)
        return fact

    @visits(model.GetField)
    def _field(self, expr: model.GetField, env: Mapping[str, _Sym]) -> _Sym:
        target = self.read(expr.target, env)
        if isinstance(target, _Record):
            field: _Sym = target.fields[expr.field]
            return field
        if isinstance(target, _Fact) and isinstance(target.now, dict):
            record = strip_optional(target.type)
            info = record.field(expr.field) if isinstance(record, RecordType) else None
            return self._fact(
                (*target.path, expr.field),
                expr.type,
                info.label if info is not None else None,
                target.fixed or bool(info and info.fixed),
                target.now.get(expr.field),
            )
        now = self.now(expr, env)
        return _Bool("atom", now) if isinstance(now, bool) else _Value(now)

    @visits(model.MakeRecord)
    def _record(self, expr: model.MakeRecord, env: Mapping[str, _Sym]) -> _Sym:
        fields: dict[str, _Sym] = {}
        for spread in expr.spreads:
            base = self.read(spread, env)
            if isinstance(base, _Record):
                fields.update(base.fields)
            elif isinstance(base, _Fact) and isinstance(base.now, dict):
                record = strip_optional(base.type)
                for name in base.now:
                    info = record.field(name) if isinstance(record, RecordType) else None
                    fields[name] = self._fact(
                        (*base.path, name),
                        info.type if info is not None else base.type,
                        info.label if info is not None else None,
                        base.fixed or bool(info and info.fixed),
                        base.now[name],
                    )
            else:
                return _Value(self.now(expr, env))
        for name, value in expr.fields:
            fields[name] = self.read(value, env)
        return _Record(fields, {name: sym.now for name, sym in fields.items()})

    def truth(self, sym: _Sym) -> _Bool:
        if isinstance(sym, _Bool):
            return sym
        if (
            isinstance(sym, _Fact)
            and not sym.fixed
            and isinstance(strip_optional(sym.type), BoolType)
            and isinstance(sym.now, bool)
        ):
            return _Bool("atom", sym.now, atom=("compare", sym.path, "==", True))
        return _Bool("atom", bool(sym.now))

    def linear(self, sym: _Sym) -> _Linear | None:
        if isinstance(sym, _Linear):
            return sym
        now = sym.now
        if isinstance(now, bool) or not isinstance(now, int | Fraction):
            return None
        if isinstance(sym, _Fact) and not sym.fixed and self.only in (None, sym.path):
            return _Linear({sym.path: Fraction(1)}, Fraction(0), now)
        return _Linear({}, Fraction(now), now)

    @visits(model.Arith, model.Negate)
    def _arith(self, expr: model.Arith | model.Negate, env: Mapping[str, _Sym]) -> _Sym:
        now = self.now(expr, env)
        if isinstance(expr, model.Negate):
            operand = self.linear(self.read(expr.operand, env))
            if operand is None:
                return _Value(now)
            return _scaled(operand, Fraction(-1), now)
        left = self.linear(self.read(expr.left, env))
        right = self.linear(self.read(expr.right, env))
        if left is None or right is None:
            return _Value(now)
        if expr.op in "+-":
            sign = 1 if expr.op == "+" else -1
            coeffs = dict(left.coeffs)
            for path, coeff in right.coeffs.items():
                coeffs[path] = coeffs.get(path, Fraction(0)) + sign * coeff
            return _Linear(
                {p: c for p, c in coeffs.items() if c}, left.const + sign * right.const, now
            )
        if expr.op == "*" and not left.coeffs:
            return _scaled(right, left.const, now)
        if expr.op == "*" and not right.coeffs:
            return _scaled(left, right.const, now)
        if expr.op == "/" and not right.coeffs and right.const:
            return _scaled(left, 1 / right.const, now)
        return _Value(now) if left.coeffs or right.coeffs else _Linear({}, Fraction(now), now)

    @visits(model.Compare)
    def _compare(self, expr: model.Compare, env: Mapping[str, _Sym]) -> _Bool:
        now = bool(self.now(expr, env))
        outer, self.touched = self.touched, set()
        try:
            left, right = self.read(expr.left, env), self.read(expr.right, env)
            read = set(self.touched)
        finally:
            self.touched = outer | self.touched
        left_linear, right_linear = self.linear(left), self.linear(right)
        joint = left_linear is not None and right_linear is not None
        if self.only is None and read and not (joint and _in_terms_of(read, left, right)):
            solos = self._solo(expr, env, read)
            if solos:
                return _Bool("atom", now, atom=("solo", solos, expr.op))
        if left_linear is not None and right_linear is not None:
            coeffs = dict(left_linear.coeffs)
            for path, coeff in right_linear.coeffs.items():
                coeffs[path] = coeffs.get(path, Fraction(0)) - coeff
            coeffs = {p: c for p, c in coeffs.items() if c}
            if not coeffs:
                return _Bool("atom", now)
            const = left_linear.const - right_linear.const
            return _Bool("atom", now, atom=("linear", coeffs, const, expr.op))
        for fact, other, op in ((left, right, expr.op), (right, left, _MIRROR[expr.op])):
            if _changeable(fact) and _constant(other):
                assert isinstance(fact, _Fact)
                return _Bool("atom", now, atom=("compare", fact.path, op, other.now))
        return _Bool("atom", now)

    def _solo(
        self, expr: model.Compare, env: Mapping[str, _Sym], read: set[Path]
    ) -> tuple[tuple[Path, Fraction, Fraction], ...]:
        """`expr` as `coeff × fact + const op 0` for each fact it is linear in alone."""
        solos = []
        for path in sorted(read, key=list(self.facts).index):
            self.only = path
            try:
                left = self.linear(self.read(expr.left, env))
                right = self.linear(self.read(expr.right, env))
            finally:
                self.only = None
            if left is None or right is None:
                continue
            coeff = left.coeffs.get(path, Fraction(0)) - right.coeffs.get(path, Fraction(0))
            if coeff:
                solos.append((path, coeff, left.const - right.const))
        return tuple(solos)

    @visits(model.In)
    def _in(self, expr: model.In, env: Mapping[str, _Sym]) -> _Bool:
        now = bool(self.now(expr, env))
        item, collection = self.read(expr.item, env), self.read(expr.collection, env)
        if _changeable(item) and _constant(collection) and isinstance(collection.now, tuple):
            assert isinstance(item, _Fact)
            op = "not in" if expr.negated else "in"
            return _Bool("atom", now, atom=("compare", item.path, op, collection.now))
        return _Bool("atom", now)


class _Unsolvable(Exception):
    def __init__(self, diagnostic: Diagnostic | None = None) -> None:
        super().__init__()
        self.diagnostic = diagnostic


def _in_terms_of(read: set[Path], *sides: _Sym) -> bool:
    """True when the linear sides account for every changeable fact read (none is hidden
    inside a value no change is traced through)."""
    seen = {p for side in sides if isinstance(side, _Linear) for p in side.coeffs}
    seen |= {side.path for side in sides if isinstance(side, _Fact)}
    return read <= seen


def _scaled(linear: _Linear, factor: Fraction, now: Any) -> _Linear:
    coeffs = {p: c * factor for p, c in linear.coeffs.items() if c * factor}
    return _Linear(coeffs, linear.const * factor, now)


def _changeable(sym: _Sym) -> bool:
    return (
        isinstance(sym, _Fact)
        and not sym.fixed
        and not isinstance(strip_optional(sym.type), RecordType)
    )


def _constant(sym: _Sym) -> bool:
    if isinstance(sym, _Value):
        return True
    if isinstance(sym, _Fact):
        return sym.fixed
    return isinstance(sym, _Linear) and not sym.coeffs


def _combine(kind: str, items: tuple[_Bool, ...], count: int) -> bool:
    if kind == "and":
        return all(i.now for i in items)
    if kind == "or":
        return any(i.now for i in items)
    return sum(1 for i in items if i.now) >= count


# ------------------------------------------------------------------------------------------
# The search: which atoms must change


_Way = frozenset[tuple[Path, str, Any]]
"""A set of conditions `(fact path, operator, value)` that together give the value wanted."""


def _ways(node: _Bool, want: bool) -> list[_Way]:
    """The candidate sets of conditions that give `node` the value `want`, smallest first."""
    if node.now == want:
        return [frozenset()]
    if node.kind == "atom":
        return _atom_ways(node.atom, want) if node.atom is not None else []
    if node.kind == "not":
        return _ways(node.children[0], not want)
    if node.kind == "if":  # the branch taken, or the condition changed and the other branch
        condition, then, otherwise = node.children
        taken, other = (then, otherwise) if condition.now else (otherwise, then)
        stay = _ways(taken, want)
        switch = _product([_ways(condition, not condition.now), _ways(other, want)])
        return _smallest([*stay, *switch])
    children = node.children
    if node.kind == "at_least":
        holding = sum(1 for c in children if c.now)
        if want:
            need, pool = node.count - holding, [c for c in children if not c.now]
        else:
            need, pool = holding - node.count + 1, [c for c in children if c.now]
        ways: list[_Way] = []
        # The first combinations, in clause order: enough for the smallest answer, bounded
        # however many items the composition has.
        for chosen in itertools.islice(itertools.combinations(pool, max(need, 0)), _MAX_WAYS):
            ways += _product([_ways(c, want) for c in chosen])
        return _smallest(ways)
    every = (node.kind == "and") == want  # all of these must change, or any one of them
    changing = [c for c in children if c.now != want]
    if every:
        return _product([_ways(c, want) for c in changing])
    return _smallest([way for c in changing for way in _ways(c, want)])


def _product(options: list[list[_Way]]) -> list[_Way]:
    ways: list[_Way] = [frozenset()]
    for option in options:
        if not option:
            return []
        ways = _smallest([a | b for a in ways for b in option])
    return ways


def _smallest(ways: Iterable[_Way]) -> list[_Way]:
    unique = list(dict.fromkeys(ways))
    unique.sort(key=lambda way: len({condition[0] for condition in way}))
    return unique[:_MAX_WAYS]


def _atom_ways(atom: tuple[Any, ...], want: bool) -> list[_Way]:
    if atom[0] == "compare":
        _, path, op, value = atom
        if op in ("in", "not in"):
            if not want:
                op = "not in" if op == "in" else "in"
        elif not want:
            op = _FLIP[op]
        if isinstance(value, bool) and op == "!=":  # `!= true` reads better as `== false`
            op, value = "==", not value
        return [frozenset({(path, op, value)})]
    if atom[0] == "solo":  # `a·x + c op 0` for each fact alone
        _, solos, op = atom
        if not want:
            op = _FLIP[op]
        return [frozenset({(path, "linear", (((path, coeff),), const, op))})
                for path, coeff, const in solos]  # fmt: skip
    # `Σ a·x + c op 0`: solved for each fact in turn, the others kept as they are.
    _, coeffs, const, op = atom
    if not want:
        op = _FLIP[op]
    terms = tuple(sorted(coeffs.items()))
    return [frozenset({(path, "linear", (terms, const, op))}) for path in coeffs]


# ------------------------------------------------------------------------------------------
# Solving: a value for each fact


def _conditions(
    path: Path, raw: list[tuple[str, Any]], facts: Mapping[Path, _Fact]
) -> list[tuple[str, Any]] | None:
    """The conditions on one fact, linear ones solved for it (the other facts as they are)."""
    result: list[tuple[str, Any]] = []
    for op, value in raw:
        if op != "linear":
            result.append((op, value))
            continue
        terms, const, relation = value
        coeffs = dict(terms)
        rest = const + sum(
            (c * Fraction(facts[p].now) for p, c in coeffs.items() if p != path), Fraction(0)
        )
        coeff = coeffs[path]
        bound = -rest / coeff
        if coeff < 0:
            relation = _MIRROR[relation]
        result.append((relation, bound))
    return [(op, _canonical(v) if isinstance(v, Fraction) else v) for op, v in result]


def _solve(fact: _Fact, conditions: list[tuple[str, Any]]) -> Any:
    """A value of the fact's type that meets every condition, near its value now; or raise."""
    type_ = strip_optional(fact.type)
    candidates: list[Any] = []
    if isinstance(type_, IntType | NumberType):
        candidates = _number_candidates(type_, conditions, fact.now)
    elif isinstance(type_, BoolType):
        candidates = [True, False]
    elif isinstance(type_, EnumType):
        candidates = [m.name for m in type_.members]
    elif isinstance(type_, DateType):
        candidates = _date_candidates(conditions)
    for op, value in conditions:
        if op == "==":
            candidates.insert(0, value)
        elif op == "in":
            candidates[:0] = list(value)
    for candidate in candidates:
        if candidate != fact.now and all(_meets(candidate, op, v) for op, v in conditions):
            if isinstance(type_, IntType | NumberType) and not _admitted(type_, candidate):
                continue
            return candidate
    raise _Unsolvable()


def _meets(value: Any, op: str, bound: Any) -> bool:
    try:
        if op == "in":
            return bool(value in bound)
        if op == "not in":
            return bool(value not in bound)
        if op == "==":
            return bool(value == bound)
        if op == "!=":
            return bool(value != bound)
        if value is None or bound is None:
            return False
        if op == "<":
            return bool(value < bound)
        if op == "<=":
            return bool(value <= bound)
        if op == ">":
            return bool(value > bound)
        return bool(value >= bound)
    except TypeError:
        return False


def _admitted(type_: IntType | NumberType, value: Any) -> bool:
    if isinstance(type_, IntType) and not (
        isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1)
    ):
        return False
    scale = type_.scale if isinstance(type_, NumberType) else None
    if scale is not None and (Fraction(value) * 10**scale).denominator != 1:
        return False
    return type_.bound is None or type_.bound.admits(value)


def _number_candidates(
    type_: IntType | NumberType, conditions: list[tuple[str, Any]], now: Any
) -> list[Any]:
    whole = isinstance(type_, IntType)
    # An amount (`money`) moves by its last place: a candidate of more places is no fact.
    unit = Fraction(1, 10**type_.scale) if isinstance(type_, NumberType) and type_.scale else None
    out: list[Any] = []
    for op, bound in conditions:
        if op not in ("<", "<=", ">", ">=", "!="):
            continue
        bound = Fraction(bound)
        if op == "!=":
            base = Fraction(now) if isinstance(now, int | Fraction) else bound
            step = Fraction(1) if whole else unit or _step(base)
            out += [base + step, base - step]
            continue
        up = op in (">", ">=")
        strict = op in ("<", ">")
        if whole:
            value = math.floor(bound) + 1 if up and strict else math.ceil(bound) if up else None
            if not up:
                value = math.ceil(bound) - 1 if strict else math.floor(bound)
            out.append(value)
        elif unit is not None:
            steps = bound / unit
            if up:
                out.append((math.floor(steps) + 1 if strict else math.ceil(steps)) * unit)
            else:
                out.append((math.ceil(steps) - 1 if strict else math.floor(steps)) * unit)
        else:
            out.append(_nice(bound, up, strict))
    if type_.bound is not None:  # the nearest ends of the declared range
        for end in (type_.bound.low, type_.bound.high):
            if end is not None:
                out.append(int(end) if whole and end.denominator == 1 else end)
    return [_canonical(v) for v in out if v is not None]


def _canonical(value: Fraction | int) -> Fraction | int:
    if isinstance(value, Fraction) and value.denominator == 1:
        return int(value)
    return value


def _places(value: Fraction) -> int | None:
    """Decimal places of a terminating value (None when it repeats or needs more than 12)."""
    for places in range(13):
        if (value * 10**places).denominator == 1:
            return places
    return None


def _step(value: Fraction) -> Fraction:
    places = _places(value)
    return Fraction(1, 10 ** max(places if places is not None else 6, 2))


def _nice(bound: Fraction, up: bool, strict: bool) -> Fraction:
    """The value nearest `bound` on the side wanted, in as few decimal places as the bound."""
    places = _places(bound)
    if places is None:  # a repeating bound: the first value past it in six places
        scale = 10**6
        scaled = bound * scale
        return Fraction(math.ceil(scaled) if up else math.floor(scaled), scale)
    if not strict:
        return bound
    step = Fraction(1, 10 ** max(places, 2))
    return bound + step if up else bound - step


def _date_candidates(conditions: list[tuple[str, Any]]) -> list[Any]:
    import datetime

    out = []
    day = datetime.timedelta(days=1)
    for op, bound in conditions:
        if isinstance(bound, datetime.date):
            out.append(bound + day if op == ">" else bound - day if op == "<" else bound)
    return out


def _needed(conditions: list[tuple[str, Any]], type_: Type) -> str:
    if len(conditions) > 1:  # `!= none` goes without saying next to `<= 2025-12-15`
        conditions = [c for c in conditions if c != ("!=", None)]
    parts = []
    for op, value in conditions:
        if isinstance(value, bool) and op == "==":
            parts.append(format_value(value))
        elif isinstance(value, tuple):
            parts.append(f"{op} [" + ", ".join(format_value(v, type_) for v in value) + "]")
        else:
            parts.append(f"{op} {format_value(value, type_)}")
    return " and ".join(parts)


# ------------------------------------------------------------------------------------------
# The whole


def json_path(path: Path) -> str:
    """`("applicant", "debts")` as `$.applicant.debts` (`$["a b"]` for other keys)."""
    import json

    return "$" + "".join(
        f".{key}" if key.isidentifier() else f"[{json.dumps(key, ensure_ascii=False)}]"
        for key in path
    )


def with_values(inputs: Mapping[str, Any], changes: Mapping[Path, Any]) -> dict[str, Any]:
    """A copy of the runtime values with the facts at `changes` replaced."""
    result = dict(inputs)
    for path, value in changes.items():
        target: dict[str, Any] = result
        for key in path[:-1]:
            target[key] = dict(target[key])
            target = target[key]
        target[path[-1]] = value
    return result


def to_pass(
    policy: model.CheckedPolicy,
    inputs: Mapping[str, Any],
    params: Mapping[str, Any],
    key: str,
    want: bool = True,
) -> ToPass:
    """The smallest sets of changes of the facts in `inputs` that give the boolean rule `key`
    the value `want`, each checked by evaluating again (see the module's docstring)."""
    rule = policy.rules[key]
    if not isinstance(strip_optional(rule.type), BoolType):
        raise UsageError(
            Diagnostic(
                "usage",
                english("counterfactual.not-true-or-false", name=rule.name),
                help=english("counterfactual.ask-what-must-change.help"),
            )
        )
    reader = _Reader(policy, inputs, params)
    try:
        formula = reader.truth(reader.read(rule.body, {}))
    except _Unsolvable as problem:
        raise UsageError(
            Diagnostic(
                "usage",
                english("counterfactual.has-no-value-for", name=rule.name),
                help=problem.diagnostic.message if problem.diagnostic else None,
            )
        ) from None
    if formula.now == want:
        return ToPass(key, rule.label, want, (), already=True)
    found: list[tuple[FactChange, ...]] = []
    for way in _ways(formula, want):
        if found and len({c[0] for c in way}) > len(found[0]):
            break
        changes = _changes(reader, way)
        if changes is None:
            continue
        values = with_values(inputs, {c[0]: c[1].set for c in changes})
        verdict = evaluator.evaluate(policy, values, params=params, rules=[key]).verdicts[key]
        if verdict.error is None and verdict.value is want:
            found.append(tuple(change for _, change in changes))
    if not found:
        return ToPass(key, rule.label, want, (), found=False)
    unique = list(dict.fromkeys(found))
    return ToPass(key, rule.label, want, unique[0], tuple(unique[1:]))


def _changes(reader: _Reader, way: _Way) -> list[tuple[Path, FactChange]] | None:
    grouped: dict[Path, list[tuple[str, Any]]] = {}
    for path, op, value in sorted(way, key=lambda c: _order(reader, c[0])):
        grouped.setdefault(path, []).append((op, value))
    changes = []
    for path, raw in grouped.items():
        fact = reader.facts[path]
        conditions = _conditions(path, raw, reader.facts)
        if conditions is None:
            return None
        try:
            value = _solve(fact, conditions)
        except _Unsolvable:
            return None
        shown = conditions
        change = FactChange(
            path=json_path(path),
            label=fact.label,
            now=fact.now,
            needed=_needed(shown, fact.type),
            set=value,
            type=fact.type,
            conditions=tuple(shown),
        )
        changes.append((path, change))
    return changes


def _order(reader: _Reader, path: Path) -> int:
    """Facts in the order the policy first read them (so changes come in clause order)."""
    return list(reader.facts).index(path)
