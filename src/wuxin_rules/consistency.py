"""Consistency checks: what a policy that passes every check may still get wrong.

The checker proves that a policy makes sense; these checks look for what makes sense but is
probably a mistake, and report it as warnings (`wuxin check` prints them; `--strict` makes
them errors):

* `unused-param`, `unused-input`, `unused-import`, `unused-rule-parameter`,
  `unused-declaration` (a rule with parameters, a record, an enum, a schedule or bands that
  nothing uses). Uses are counted in every rule, type, band bound, example, property and
  fixture of the module and of every module that imports it (the modules loaded, and every
  `.policy` file under the policy root), so a shared vocabulary is not reported unused.
  A rule without parameters is an output of its module and is never unused.
* `criterion-always-true`, `criterion-always-false`: a criterion that, within the declared
  types (bounds included), can never be false or never be true.
* `unreachable-branch`: an `if` branch whose condition rules it out within the declared types.
* `uncited-rule`: a rule whose explanation would cite nothing: neither it nor anything its
  explanation shows (the rules, params, record fields, schedules and bands it uses) has
  `cites`.

The value reasoning is an abstract interpretation of the checked model: numbers as
intervals (exact fractions; whole numbers for `int`), enums and bools as sets of possible
members, `none` as a flag. Conditions narrow the values of the facts, params, rule
parameters and rules they test (`if x > 5 then … else …` knows `x <= 5` in the `else`
branch), calls are followed into the rules they call, and schedules give the range of their
cells. It is sound (a warning is a proof) but not complete: a condition that relates two
computed values, text, dates, lists or arithmetic over several facts is usually not decided,
and then nothing is reported. `analyse(..., undecided=True)` also reports those criteria as
notes (`undecided-criterion`), saying what the reasoning could not follow.

Values are assumed to respect their declared types, bounds included: facts and params are
validated against them, while a record a rule builds is not (docs/language.md, "Bounds").

May import `source`, `errors`, `ast`, `schema`, `model`, `parser` and `loader`.
"""

from __future__ import annotations

import math
import os
import typing
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, ClassVar

import attrs

from wuxin_rules import ast, model, semantics
from wuxin_rules.errors import Diagnostic, Label, Severity, WuxinError
from wuxin_rules.loader import SUFFIX
from wuxin_rules.messages import english
from wuxin_rules.parser import parse
from wuxin_rules.schema import (
    BoolType,
    EnumType,
    IntType,
    NumberType,
    OptionalType,
    Type,
)
from wuxin_rules.source import Span, read_policy
from wuxin_rules.visitor import Visitor, unhandled_kind, visits

__all__ = ["CODES", "analyse", "modules_under"]

CODES = (
    "unused-param",
    "unused-input",
    "unused-import",
    "unused-rule-parameter",
    "unused-declaration",
    "criterion-always-true",
    "criterion-always-false",
    "unreachable-branch",
    "exceptions-always-conflict",
    "uncited-rule",
    "undecided-criterion",
    "proved-monotone",
    "proved-bands",
)
"""The codes of the findings, all of severity warning except the notes (`undecided-criterion`,
and the proofs `proved-monotone` and `proved-bands` that `--notes` lists)."""


def analyse(
    policy: model.CheckedPolicy,
    *,
    universe: Iterable[ast.Module] = (),
    undecided: bool = False,
) -> list[Diagnostic]:
    """The consistency findings of the root module of `policy`, in source order.

    `universe` holds further parsed modules whose uses count (the other files of the policy
    set, which may import the root); the modules of `policy` always count. With `undecided`,
    criteria the reasoning cannot decide are reported as notes too.
    """
    modules = {_module_name(m): m for m in (*policy.modules, *universe)}
    root = policy.modules[0] if policy.modules else None
    if root is None:
        return []
    findings: list[Diagnostic] = []
    graph = _RuleGraph(policy)
    findings.extend(_unused(policy, root, modules))
    values = _Values(policy, undecided)
    findings.extend(values.run(graph.reporting_order(policy.name), graph.branches))
    findings.extend(_uncited(policy, graph))
    if undecided:
        findings.extend(_proofs(policy))
    return sorted(findings, key=lambda d: d.span.start if d.span is not None else -1)


def _proofs(policy: model.CheckedPolicy) -> list[Diagnostic]:
    """What the checker proved of the root module's schedules and bands, as notes: a policy
    that checks has every declared `monotone` property and gap-free, overlap-free bands (the
    checker refuses it otherwise), and an author asking for notes is shown that it did."""
    proofs: list[Diagnostic] = []
    for schedule in policy.schedules.values():
        if "." in schedule.key:  # an imported module's: proved where it is declared
            continue
        for direction in schedule.monotone:
            cells = sum(1 for value in schedule.cells.values() if value is not None)
            if schedule.category is not None:
                message = english(
                    "proved-monotone-each"
                    if direction == "nondecreasing"
                    else "proved-monotone-each-down",
                    name=schedule.name,
                    period=schedule.period_name,
                    category=schedule.category.name,
                    cells=cells,
                )
            else:
                message = english(
                    "proved-monotone" if direction == "nondecreasing" else "proved-monotone-down",
                    name=schedule.name,
                    period=schedule.period_name,
                    cells=cells,
                )
            proofs.append(
                Diagnostic("proved-monotone", message, span=schedule.span, severity=Severity.NOTE)
            )
    for bands in policy.bands.values():
        if "." in bands.key:
            continue
        operator = model.range_operator(bands.low_inclusive, bands.high_inclusive)
        domain = f"{_text(bands.low)} {operator} {_text(bands.high)}"
        proofs.append(
            Diagnostic(
                "proved-bands",
                english("proved-bands", name=bands.name, domain=domain),
                span=bands.span,
                severity=Severity.NOTE,
            )
        )
    return proofs


def modules_under(
    policy_root: str | os.PathLike[str] | None, parsed: Mapping[str, ast.Module] | None = None
) -> list[ast.Module]:
    """Every `.policy` file under `policy_root` that parses (the others are left out: their
    problems are reported when they are checked themselves). `parsed` holds modules already
    parsed, by file name, which are not read again."""
    if policy_root is None:
        return []
    parsed = parsed or {}
    found = []
    for file in sorted(Path(policy_root).rglob("*" + SUFFIX)):
        if str(file) in parsed:
            found.append(parsed[str(file)])
            continue
        try:
            found.append(parse(read_policy(file), str(file)))
        except (OSError, UnicodeDecodeError, WuxinError):
            continue
    return found


def _conflict_of(expr: model.If) -> model.BuiltinCall | None:
    """The `fail` of an `if` that the lowering of a rule's exceptions wrote to report two
    exceptions that both apply (`wuxin_rules.defaults`), or None for any other `if`. Its
    branches say nothing an author wrote: that it is never taken is what a policy wants,
    and that it is always taken is a conflict whatever the facts."""
    then = expr.then
    if not (isinstance(then, model.BuiltinCall) and then.name == "fail" and then.args):
        return None
    message = then.args[0]
    if isinstance(message, model.Const) and getattr(message.value, "key", None) == (
        "exception-conflict"
    ):
        return then
    return None


def _warning(code: str, message: str, span: Span, help: str, **extra: Any) -> Diagnostic:
    return Diagnostic(code, message, span=span, severity=Severity.WARNING, help=help, **extra)


# ------------------------------------------------------------------------------------------
# Unused declarations


def _module_name(module: ast.Module) -> str:
    if module.header is not None:
        return ".".join(part.name for part in module.header.name.parts)
    return Path(module.span.source.name).stem


_NOT_A_NODE = ("not a node",)
_HOLDS_NO_NODE = frozenset((
    "str", "str | None", "int", "bool", "datetime.date", "Fraction", "Fraction | None", "Source",
    "Ident", "Ident | None", "Doc",
))  # fmt: skip
"""The annotations of syntax node fields that hold plain values (names, literal values, the
source) or no use of a name (a declaring name, a label and its citations): not walked, since
a body of 100,000 comparisons has a value like these in each, and every declaration a doc."""
_AST_FIELDS: dict[type, tuple[str, ...]] = {}
_NAMELESS = frozenset((ast.Doc, ast.Text, ast.Translation, ast.QualifiedName))
"""Syntax classes made only of texts and declaring names: no use of a name under them (a
label, note and citations on every declaration are most of a large policy's nodes). An enum's
member is walked: the fields it may carry name types."""


def _ast_fields(kind: type) -> tuple[str, ...]:
    """The fields of a surface syntax node class that may hold nodes (not its span), looked
    up once per class: the walk below visits every node of a policy, which may have hundreds
    of thousands. (The checked model's children are `model.children`.)"""
    fields = _AST_FIELDS.get(kind)
    if fields is None:
        if kind in _NAMELESS:
            fields = ()
        elif attrs.has(kind) and kind is not Span:
            fields = tuple(
                f.name
                for f in attrs.fields(kind)
                if f.name != "span" and f.type not in _HOLDS_NO_NODE
            )
        else:
            fields = ()
        fields = fields or _NOT_A_NODE  # a name, a literal: nothing under it to walk
        _AST_FIELDS[kind] = fields
    return fields


def _names_used(node: Any, found: set[str] | None = None) -> set[str]:
    """Every name an AST node uses: names in expressions, fields accessed (`alias.X`), and
    the parts of type names. Declaring names (idents) are not uses."""
    found = set() if found is None else found
    stack = [node]
    pop, push = stack.pop, stack.extend
    # By exact class (the node classes have no subclasses): the cheapest test per node.
    while stack:
        item = pop()
        if item is None:  # an optional part left out (most rules' parameters and `->`)
            continue
        kind = type(item)
        if kind is tuple:
            push(item)
            continue
        if kind is ast.NameRef:
            found.add(item.name)
            continue
        if kind is ast.FieldAccess:
            found.add(item.field.name)
        elif kind is ast.TypeRef:
            found.update(part.name for part in item.name.parts)
        fields = _AST_FIELDS.get(kind) or _ast_fields(kind)
        if fields is not _NOT_A_NODE:
            push([getattr(item, name) for name in fields])
    return found


def _declarations_used(module: ast.Module) -> set[str]:
    return _names_used(tuple(d for d in module.declarations if not isinstance(d, ast.ImportDecl)))


def _imports_of(module: ast.Module) -> Iterator[ast.ImportDecl]:
    return (d for d in module.declarations if isinstance(d, ast.ImportDecl))


_KIND_NOUNS = {
    ast.RecordDecl: "record",
    ast.EnumDecl: "enum",
    ast.ScheduleDecl: "schedule",
    ast.BandsDecl: "bands",
}


def _member_names(decl: Any) -> set[str]:
    """The names a declaration brings besides its own: enum members, band names."""
    if isinstance(decl, ast.EnumDecl):
        return {m.name.name for m in decl.members}
    if isinstance(decl, ast.BandsDecl):
        return {b.name.name for b in decl.bands if b.name.name != model.HOLE}
    return set()


def _unused(
    policy: model.CheckedPolicy, root: ast.Module, modules: Mapping[str, ast.Module]
) -> list[Diagnostic]:
    name = _module_name(root)
    own = _declarations_used(root)
    # What the modules that import this one use of it (by name: a conservative count). A
    # module that others import is their vocabulary: its rules with parameters, types,
    # schedules and bands are its interface, and are not reported unused.
    elsewhere: set[str] = set()
    imported = False
    for other_name, other in modules.items():
        if other_name == name:
            continue
        for imp in _imports_of(other):
            if ".".join(p.name for p in imp.module.parts) == name:
                imported = True
                elsewhere.update(n.name for n in imp.names)
                elsewhere.update(_declarations_used(other))
    used = own | elsewhere
    findings: list[Diagnostic] = []
    for decl in root.declarations:
        if isinstance(decl, ast.ParamDecl) and decl.name.name not in used:
            findings.append(
                _warning(
                    "unused-param",
                    english("never-used", what=english("param"), name=decl.name.name),
                    decl.name.span,
                    english("use-in-rule"),
                )
            )
        elif isinstance(decl, ast.InputDecl) and decl.name.name not in own:
            findings.append(
                _warning(
                    "unused-input",
                    english("never-read", name=decl.name.name),
                    decl.name.span,
                    english("still-give"),
                )
            )
        elif isinstance(decl, ast.RuleDecl) and decl.params is not None:
            if not imported and decl.name.name not in used:
                findings.append(
                    _warning(
                        "unused-declaration",
                        english("never-used", what=english(decl.kind), name=decl.name.name),
                        decl.name.span,
                        english("call-or-remove"),
                    )
                )
            body = _names_used(decl.body)
            for parameter in decl.params:
                if parameter.name.name not in body:
                    findings.append(
                        _warning(
                            "unused-rule-parameter",
                            english(
                                "parameter-never-used",
                                name=parameter.name.name,
                                rule=decl.name.name,
                            ),
                            parameter.name.span,
                            english("use-in-body"),
                        )
                    )
        elif type(decl) in _KIND_NOUNS and not imported:
            declared: Any = decl
            if not ({declared.name.name} | _member_names(decl)) & used:
                findings.append(
                    _warning(
                        "unused-declaration",
                        english(
                            "never-used",
                            what=english(_KIND_NOUNS[type(decl)]),
                            name=declared.name.name,
                        ),
                        declared.name.span,
                        english("use-or-remove"),
                    )
                )
    for imp in _imports_of(root):
        source = modules.get(".".join(p.name for p in imp.module.parts))
        brought = {}
        if source is not None:
            for decl in source.declarations:
                if hasattr(decl, "name") and isinstance(decl.name, ast.Ident):
                    brought[decl.name.name] = _member_names(decl)
        prefix = imp.alias.name if imp.alias is not None else imp.module.parts[-1].name
        for ident in imp.names:
            # An imported enum is also used by its members, written bare.
            if ident.name in own or brought.get(ident.name, set()) & own:
                continue
            findings.append(
                _warning(
                    "unused-import",
                    english("imported-never-used", what=f"`{ident.name}`"),
                    ident.span,
                    english("remove-from-import", name=ident.name),
                )
            )
        if not imp.names and prefix not in own:
            module = ".".join(p.name for p in imp.module.parts)
            findings.append(
                _warning(
                    "unused-import",
                    english("imported-never-used", what=english("module-named", name=module)),
                    imp.module.span,
                    english("remove-import"),
                )
            )
    return findings


# ------------------------------------------------------------------------------------------
# Rules whose explanation would cite nothing


def _uncited(policy: model.CheckedPolicy, graph: _RuleGraph) -> list[Diagnostic]:
    # In dependency order, whether a rule cites is known before any rule that uses it asks.
    cited: dict[str, bool] = {}
    known = cited.get
    uses, cites_directly, rules = graph.uses, graph.cites_directly, policy.rules
    for key in graph.order:
        cited[key] = bool(rules[key].cites) or cites_directly[key] or any(map(known, uses[key]))

    # A policy without a citation has a warning on each of its rules (thousands, in a
    # generated one): the note, the severity and the words are made once.
    findings = []
    nothing_cited = (english("nothing-cited"),)
    module, warning = policy.name, Severity.WARNING
    for key, rule in rules.items():
        if cited[key] or rule.module != module:
            continue
        name = rule.name
        findings.append(
            Diagnostic(
                "uncited-rule",
                english(
                    "criterion-cites-nothing" if rule.kind == "criterion" else "rule-cites-nothing",
                    name=name,
                ),
                span=_name_span(rule),
                severity=warning,
                help=english("add-cites", name=name),
                notes=nothing_cited,
            )
        )
    return findings


_SILENT_LEAVES = frozenset((model.Const, model.InputRef, model.LocalRef))
"""The checked model's leaves that neither use a rule nor may cite."""


class _RuleGraph:
    """What the rules of a policy use, from one walk of each body: the rules it refers to or
    calls, and whether anything else it uses (a param, a schedule, bands, a field) cites."""

    def __init__(self, policy: model.CheckedPolicy) -> None:
        self.policy = policy
        self.uses: dict[str, list[str]] = {}
        self.cites_directly: dict[str, bool] = {}
        self.branches: set[str] = set()  # the rules whose bodies hold an `if`
        self.order = self._dependency_order()

    def reporting_order(self, module: str) -> list[str]:
        """The rules `_Values` must interpret, in dependency order: those of `module` that
        may report (a criterion; a body with an `if`, whose branches may be never taken) and
        every rule they use. The others report nothing, and no rule that reports asks their
        values: a policy of thousands of rules and no criterion interprets none of them."""
        policy = self.policy
        wanted = [
            key
            for key, rule in policy.rules.items()
            if rule.module == module and (rule.kind == "criterion" or key in self.branches)
        ]
        needed = set(wanted)
        while wanted:
            for used in self.uses[wanted.pop()]:
                if used not in needed:
                    needed.add(used)
                    wanted.append(used)
        return [key for key in self.order if key in needed]

    def _dependency_order(self) -> list[str]:
        """Every rule key, each after the rules its body uses (an iterative depth-first walk:
        a chain of rules may be as long as the policy)."""
        uses = self.uses  # filled as rules are reached
        order: list[str] = []
        for root in self.policy.rules:
            if root in uses:
                continue
            stack = [(root, False)]
            while stack:
                key, expanded = stack.pop()
                if expanded:
                    order.append(key)
                    continue
                if key in uses:  # done, or on the current path (a cycle: the checker forbids)
                    continue
                uses[key], self.cites_directly[key], branches = self._walk(
                    self.policy.rules[key].body
                )
                if branches:
                    self.branches.add(key)
                stack.append((key, True))
                stack.extend((used, False) for used in uses[key] if used not in uses)
        return order

    def _walk(self, body: Any) -> tuple[list[str], bool, bool]:
        """The rules a body uses, whether anything else it uses cites, whether it has an `if`."""
        policy = self.policy
        used: list[str] = []
        cites = False
        branches = False
        stack: list[Any] = [body]
        pop, push = stack.pop, stack.extend
        # By exact class (the model's classes have no subclasses): the cheapest test per node.
        while stack:
            item = pop()
            kind = type(item)
            if kind in _SILENT_LEAVES:
                continue  # most nodes of a large body: a constant, an input
            if kind is model.RuleRef or kind is model.CallRule:
                used.append(item.key)
            elif kind is model.If:
                branches = True
            elif cites:
                pass
            elif kind is model.ParamRef:
                cites = bool(policy.params[item.key].cites)
            elif kind is model.ScheduleLookup or kind is model.StageLookup:
                cites = bool(policy.schedules[item.key].cites)
            elif kind is model.BandsLookup:
                cites = bool(policy.bands[item.key].cites)
            elif kind is model.GetField:
                record = item.target.type
                record = record.inner if isinstance(record, OptionalType) else record
                info = record.field(item.field) if hasattr(record, "field") else None
                cites = info is not None and bool(info.cites)
            if model.CHILD_FIELDS[kind]:  # most nodes of a large body are leaves
                push(model.children(item))
        return used, cites, branches


def _name_span(rule: model.RuleDef) -> Span:
    """The span of the rule's name in its declaration (the whole declaration if not found)."""
    if rule.name_span is not None:
        return rule.name_span
    # Searched in the source without cutting the declaration out of it (a declaration may
    # be a million characters long; thousands of warnings each want a name's span).
    text, start, end = rule.span.source.text, rule.span.start, rule.span.end
    after = start + len(rule.kind)
    if text.startswith(rule.kind, start, end):
        index = text.find(rule.name, after, end)
        if index >= 0 and not text[after:index].strip():
            return Span(rule.span.source, index, index + len(rule.name))
    return rule.span


# ------------------------------------------------------------------------------------------
# Abstract values


@attrs.frozen
class _Num:
    """Numbers between `lo` and `hi` (None: unbounded), whole numbers when `integer`."""

    lo: Fraction | None
    lo_in: bool
    hi: Fraction | None
    hi_in: bool
    integer: bool

    def normal(self) -> _Num | None:
        """The same set with inclusive whole bounds for integers; None when empty."""
        lo, lo_in, hi, hi_in = self.lo, self.lo_in, self.hi, self.hi_in
        if self.integer:
            if lo is not None:
                lo = Fraction(
                    math.floor(lo) + 1 if lo.denominator == 1 and not lo_in else math.ceil(lo)
                )
                lo_in = True
            if hi is not None:
                hi = Fraction(
                    math.ceil(hi) - 1 if hi.denominator == 1 and not hi_in else math.floor(hi)
                )
                hi_in = True
        if lo is not None and hi is not None and (lo > hi or (lo == hi and not (lo_in and hi_in))):
            return None
        return _Num(lo, lo_in, hi, hi_in, self.integer)

    @property
    def point(self) -> Fraction | None:
        if self.lo is not None and self.lo == self.hi:
            return self.lo
        return None


@attrs.frozen
class _Set:
    """One of the given members (enum member names, or `True`/`False` for bools)."""

    items: frozenset[Any]


class _Top:
    """Any value of the type (what the reasoning does not follow)."""

    def __repr__(self) -> str:
        return "TOP"


TOP = _Top()
_BOOLS = _Set(frozenset({True, False}))


@attrs.frozen
class _Val:
    """What a value may be: `some` describes the values that are not none (None: there are
    none), `none` whether it may be none. `exact` says that the set is exactly what can occur
    and that it depends on nothing else (a fact, a param, a parameter, a constant)."""

    some: _Num | _Set | _Top | None
    none: bool = False
    exact: bool = False

    @property
    def empty(self) -> bool:
        return self.some is None and not self.none

    def can(self, truth: bool) -> bool:
        some = self.some
        return isinstance(some, _Top) or (isinstance(some, _Set) and truth in some.items)


_EMPTY = _Val(None)
_ANY = _Val(TOP)


def _bools(*values: bool, exact: bool = False) -> _Val:
    return _Val(_Set(frozenset(values)) if values else None, exact=exact)


def _join(a: _Val, b: _Val) -> _Val:
    if a.empty:
        return attrs.evolve(b, exact=False)
    if b.empty:
        return attrs.evolve(a, exact=False)
    some: Any
    if a.some is None or b.some is None:
        some = a.some if b.some is None else b.some
    elif isinstance(a.some, _Set) and isinstance(b.some, _Set):
        some = _Set(a.some.items | b.some.items)
    elif isinstance(a.some, _Num) and isinstance(b.some, _Num):
        some = _hull(a.some, b.some)
    else:
        some = TOP
    return _Val(some, a.none or b.none)


def _hull(a: _Num, b: _Num) -> _Num:
    if a.lo is None or b.lo is None:
        lo, lo_in = None, True
    elif a.lo == b.lo:
        lo, lo_in = a.lo, a.lo_in or b.lo_in
    else:
        lo, lo_in = (a.lo, a.lo_in) if a.lo < b.lo else (b.lo, b.lo_in)
    if a.hi is None or b.hi is None:
        hi, hi_in = None, True
    elif a.hi == b.hi:
        hi, hi_in = a.hi, a.hi_in or b.hi_in
    else:
        hi, hi_in = (a.hi, a.hi_in) if a.hi > b.hi else (b.hi, b.hi_in)
    return _Num(lo, lo_in, hi, hi_in, a.integer and b.integer)


def _meet_num(a: _Num, b: _Num) -> _Num | None:
    if a.lo is None:
        lo, lo_in = b.lo, b.lo_in
    elif b.lo is None or a.lo > b.lo:
        lo, lo_in = a.lo, a.lo_in
    elif a.lo == b.lo:
        lo, lo_in = a.lo, a.lo_in and b.lo_in
    else:
        lo, lo_in = b.lo, b.lo_in
    if a.hi is None:
        hi, hi_in = b.hi, b.hi_in
    elif b.hi is None or a.hi < b.hi:
        hi, hi_in = a.hi, a.hi_in
    elif a.hi == b.hi:
        hi, hi_in = a.hi, a.hi_in and b.hi_in
    else:
        hi, hi_in = b.hi, b.hi_in
    return _Num(lo, lo_in, hi, hi_in, a.integer or b.integer).normal()


def _num(
    lo: Fraction | int | None = None,
    hi: Fraction | int | None = None,
    integer: bool = False,
    lo_in: bool = True,
    hi_in: bool = True,
) -> _Num:
    return _Num(
        Fraction(lo) if lo is not None else None,
        lo_in,
        Fraction(hi) if hi is not None else None,
        hi_in,
        integer,
    )


def _domain(type_: Type | None, exact: bool) -> _Val:
    """Every value of a declared type, bounds included."""
    none = False
    if isinstance(type_, OptionalType):
        type_, none = type_.inner, True
    some: Any = TOP
    if isinstance(type_, IntType | NumberType):
        bound = type_.bound
        integer = isinstance(type_, IntType)
        if bound is None:
            some = _num(integer=integer)
        else:
            some = _Num(bound.low, bound.low_inclusive, bound.high, bound.high_inclusive, integer)
            some = some.normal()
            if some is None:
                return _Val(None, none, exact)
    elif isinstance(type_, BoolType):
        some = _BOOLS
    elif isinstance(type_, EnumType):
        some = _Set(frozenset(m.name for m in type_.members))
    return _Val(some, none, exact and not isinstance(some, _Top))


def _constant(value: Any, type_: Type) -> _Val:
    if value is None:
        return _Val(None, True, exact=True)
    if isinstance(value, bool):
        return _bools(value, exact=True)
    if isinstance(value, int | Fraction):
        number = Fraction(value)
        return _Val(_Num(number, True, number, True, number.denominator == 1), exact=True)
    if isinstance(type_, EnumType) and isinstance(value, str):
        return _Val(_Set(frozenset({value})), exact=True)
    return _Val(TOP, exact=False)


# Interval arithmetic (sound for every pair of values in the two intervals).


def _add(a: _Num, b: _Num, sign: int) -> _Num:
    if sign < 0:
        b = _neg(b)
    lo = None if a.lo is None or b.lo is None else a.lo + b.lo
    hi = None if a.hi is None or b.hi is None else a.hi + b.hi
    return _Num(lo, a.lo_in and b.lo_in, hi, a.hi_in and b.hi_in, a.integer and b.integer)


def _neg(a: _Num) -> _Num:
    return _Num(
        -a.hi if a.hi is not None else None,
        a.hi_in,
        -a.lo if a.lo is not None else None,
        a.lo_in,
        a.integer,
    )


def _mul(a: _Num, b: _Num) -> _Num:
    integer = a.integer and b.integer
    if a.lo is None or a.hi is None or b.lo is None or b.hi is None:
        # Unbounded: only the sign is known, when both signs are.
        a_pos, b_pos = a.lo is not None and a.lo >= 0, b.lo is not None and b.lo >= 0
        a_neg, b_neg = a.hi is not None and a.hi <= 0, b.hi is not None and b.hi <= 0
        if (a_pos and b_pos) or (a_neg and b_neg):
            return _num(0, None, integer)
        if (a_pos and b_neg) or (a_neg and b_pos):
            return _num(None, 0, integer)
        return _num(integer=integer)
    products = [x * y for x in (a.lo, a.hi) for y in (b.lo, b.hi)]
    return _num(min(products), max(products), integer)


def _abs(a: _Num) -> _Num:
    if a.lo is not None and a.lo >= 0:
        return a
    if a.hi is not None and a.hi <= 0:
        return _neg(a)
    high = None if a.lo is None or a.hi is None else max(-a.lo, a.hi)
    return _num(0, high, a.integer)


def _min_max(values: Sequence[_Num], largest: bool) -> _Num:
    def pick(bounds: list[Fraction | None], unbounded_wins: bool) -> Fraction | None:
        if any(b is None for b in bounds):
            if unbounded_wins:
                return None
            known = [b for b in bounds if b is not None]
            return (max if largest else min)(known) if known else None
        return (max if largest else min)(b for b in bounds if b is not None)

    lows = [v.lo for v in values]
    highs = [v.hi for v in values]
    # min: the low is the least low (unbounded if any is), the high the least high.
    lo = pick(lows, unbounded_wins=not largest)
    hi = pick(highs, unbounded_wins=largest)
    return _num(lo, hi, all(v.integer for v in values))


# ------------------------------------------------------------------------------------------
# Comparisons on abstract values


def _can_lt(a: _Num, b: _Num, or_equal: bool) -> bool:
    """Some x in a and y in b with x < y (x <= y when `or_equal`)."""
    if a.lo is None or b.hi is None:
        return True
    if a.lo < b.hi:
        return True
    return or_equal and a.lo == b.hi and a.lo_in and b.hi_in


def _can_eq(a: _Num, b: _Num) -> bool:
    return _meet_num(a, b) is not None


def _compare(op: str, a: Any, b: Any) -> tuple[bool, bool]:
    """(can be true, can be false) of `a op b` for two non-none abstract values."""
    if isinstance(a, _Num) and isinstance(b, _Num):
        if op == "<":
            return _can_lt(a, b, False), _can_lt(b, a, True)
        if op == "<=":
            return _can_lt(a, b, True), _can_lt(b, a, False)
        if op == ">":
            return _can_lt(b, a, False), _can_lt(a, b, True)
        if op == ">=":
            return _can_lt(b, a, True), _can_lt(a, b, False)
        same_point = a.point is not None and a.point == b.point
        equal = _can_eq(a, b), not same_point
        return equal if op == "==" else (equal[1], equal[0])
    if isinstance(a, _Set) and isinstance(b, _Set) and op in ("==", "!="):
        same_point = len(a.items) == 1 and a.items == b.items
        equal = bool(a.items & b.items), not same_point
        return equal if op == "==" else (equal[1], equal[0])
    return True, True


_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def _restrict(value: Any, op: str, point: Any) -> tuple[Any, bool]:
    """The part of `value` (a `_Num` or `_Set`) for which `value op point` holds (None when
    nothing does), and whether it is exactly that part. `point` is the constant's `_Num` (a
    single number) or `_Set` (one item)."""
    if isinstance(value, _Num) and isinstance(point, _Num) and point.point is not None:
        p = point.point
        if op == "==":
            return _meet_num(value, _num(p, p)), True
        if op == "!=":
            # An interval with a hole is no interval: only a hole at an end is exact.
            if value.point == p:
                return None, True
            if value.integer and p.denominator == 1:
                if value.lo == p:
                    return _meet_num(value, _num(p + 1, None, True)), True
                if value.hi == p:
                    return _meet_num(value, _num(None, p - 1, True)), True
            inside = _meet_num(value, _num(p, p)) is not None
            return value, not inside
        bound = {
            "<": _num(None, p, hi_in=False),
            "<=": _num(None, p),
            ">": _num(p, None, lo_in=False),
            ">=": _num(p, None),
        }[op]
        return _meet_num(value, bound), True
    if isinstance(value, _Set) and isinstance(point, _Set) and op in ("==", "!="):
        items = value.items & point.items if op == "==" else value.items - point.items
        return (_Set(items) if items else None), True
    return value, False


# ------------------------------------------------------------------------------------------
# The interpretation


_CEXPR_TYPES: tuple[type, ...] = typing.get_args(model.CExpr)


class _Budget(Exception):
    """The reasoning took too many steps for one rule: it gives up (and reports nothing)."""


_STEPS = 50_000
_DEPTH = 12
_IMPOSSIBLE = "!"
"""The key an environment holds when its narrowings contradict each other."""
_Env = Mapping[str, _Val]


@attrs.frozen
class _Frame:
    """What the locals of the rule being interpreted stand for: the key of a path (a fact,
    a param, a caller's path) or of a value stored in the environment."""

    locals: Mapping[str, str]
    report: bool
    depth: int


_KEYED = frozenset((model.InputRef, model.ParamRef, model.RuleRef, model.LocalRef, model.GetField))
"""The node classes that may have a key (`_Values.key`), by exact class (the model's classes
have no subclasses)."""


class _Values(Visitor[_Val]):
    """Criteria that never / always hold, and `if` branches never taken."""

    node_kinds = model.EXPRESSIONS
    not_visited: ClassVar[Mapping[type, str]] = {
        kind: "a value fixed for one evaluation: `interval` answers it by its key, from the "
        "environment or the rule's value, before it dispatches"
        for kind in (model.InputRef, model.ParamRef, model.RuleRef)
    }

    def __init__(self, policy: model.CheckedPolicy, undecided: bool) -> None:
        self.policy = policy
        self.undecided = undecided
        self.findings: list[Diagnostic] = []
        self.reported: set[tuple[int, int]] = set()
        self.steps = 0
        self.calls: dict[Any, tuple[_Val, str | None]] = {}
        self.narrowed: dict[Any, tuple[_Env, bool]] = {}
        self.blocker: str | None = None
        self.silent = False  # whether the rule interpreted cannot report before it ends
        # The value of each nullary rule of the root module interpreted from the top, in no
        # environment, with its blocker: a reference to it in no environment (the common
        # case) is that value, so that a chain of rules is interpreted once, not once per
        # rule that reaches it (down to `_DEPTH`).
        self.top: dict[str, tuple[_Val, str | None]] = {}
        # The value of each whole-number constant met (values are frozen, so shared): the
        # `+ 1` of thousands of rules is one `Fraction`, not one each.
        self.whole: dict[int, _Val] = {}

    def run(self, order: Sequence[str], branches: Collection[str]) -> list[Diagnostic]:
        """The findings of the rules of the root module (`order`: every rule key, each after
        the rules it uses; `branches`: the rules whose bodies have an `if`)."""
        for key in order:
            rule = self.policy.rules[key]
            if rule.module != self.policy.name:
                continue
            self.steps = 0
            self.blocker = None
            # A body without an `if` reports nothing until it is interpreted to the end (the
            # bodies of the rules it calls never report): one bound to run out of steps may
            # stop as soon as that is certain.
            self.silent = key not in branches
            locals_: dict[str, str] = {}
            env: dict[str, _Val] = {}
            for name, type_ in rule.params or ():  # (none for most rules)
                locals_[name] = f"arg:{name}"
                env[f"arg:{name}"] = _domain(type_, True)
            try:
                value = self.interval(rule.body, env, _Frame(locals_, True, 0))
            except (_Budget, RecursionError):
                continue
            if not rule.params:
                self.top[key] = (value, self.blocker)
            if rule.kind == "criterion" and not value.empty:
                self._criterion(rule, value)
        return self.findings

    def _criterion(self, rule: model.RuleDef, value: _Val) -> None:
        true, false = value.can(True), value.can(False)
        if not true or not false:
            self.findings.append(
                _warning(
                    "criterion-always-true" if true else "criterion-always-false",
                    english("always-true" if true else "never-true", name=rule.name),
                    _name_span(rule),
                    english("check-condition"),
                    notes=(
                        english("always-holds" if true else "never-holds", expr=_text(rule.body)),
                    ),
                )
            )
        elif self.undecided and not value.exact:
            reason = (
                english("not-complete", expr=self.blocker)
                if self.blocker
                else english("same-computed-values")
            )
            self.findings.append(
                Diagnostic(
                    "undecided-criterion",
                    english("cannot-tell", what=english("criterion-named", name=rule.name)),
                    span=_name_span(rule),
                    severity=Severity.NOTE,
                    notes=(reason,),
                )
            )

    # -- paths --------------------------------------------------------------------------

    def key(self, expr: Any, frame: _Frame) -> str | None:
        """The key of a value fixed for one evaluation (a fact, param, parameter, rule, or a
        field of one); None for computed values."""
        if type(expr) not in _KEYED:
            return None  # most nodes: asked of every node the interpretation visits
        if isinstance(expr, model.InputRef):
            return f"input:{expr.name}"
        if isinstance(expr, model.ParamRef):
            return f"param:{expr.key}"
        if isinstance(expr, model.RuleRef):
            return f"rule:{expr.key}"
        if isinstance(expr, model.LocalRef):
            return frame.locals.get(expr.name)
        if isinstance(expr, model.GetField):
            target = self.key(expr.target, frame)
            return f"{target}.{expr.field}" if target is not None else None
        return None

    @staticmethod
    def _free(key: str) -> bool:
        return key.startswith(("input:", "param:", "arg:", "elem:"))

    # -- evaluation ---------------------------------------------------------------------

    def interval(self, expr: Any, env: _Env, frame: _Frame) -> _Val:
        self.steps += 1
        if self.steps > _STEPS:
            raise _Budget
        if _IMPOSSIBLE in env:
            return _EMPTY  # an impossible case: nothing in it happens
        key = self.key(expr, frame)
        if key is not None:
            if key in env:
                return env[key]
            if isinstance(expr, model.RuleRef):
                known = self.top.get(expr.key) if not env else None
                if known is not None:
                    self.blocker = self.blocker or known[1]
                    return known[0]
                return self._rule(expr.key, (), env, frame)
            if key.startswith("tmp"):
                return _domain(expr.type, False)
            return _domain(expr.type, self._free(key))
        method = self.dispatch_table.get(type(expr))
        if method is None:
            raise unhandled_kind(type(self).__name__, type(expr).__name__)
        result: _Val = method(self, expr, env, frame)
        return result

    @visits(model.LocalRef, model.GetField, model.StageLookup, model.MakeList, model.MakeRecord)
    def _computed(self, expr: Any, env: _Env, frame: _Frame) -> _Val:
        """Any value of its type (a local or field with no key: an element's, or of a
        computed record), its sub-expressions interpreted for what they report."""
        self._children(expr, env, frame)
        return _domain(expr.type, False)

    def _children(self, expr: Any, env: _Env, frame: _Frame) -> None:
        """Interpret the sub-expressions (for what they report), discarding their values."""
        for field in attrs.fields(type(expr)):
            item = getattr(expr, field.name)
            for part in item if isinstance(item, tuple) else (item,):
                if isinstance(part, tuple):
                    part = part[-1]  # (name, expr) pairs of record literals
                if isinstance(part, _CEXPR_TYPES):
                    self.interval(part, env, frame)

    @visits(model.Const)
    def _Const(self, expr: model.Const, env: _Env, frame: _Frame) -> _Val:
        value = expr.value
        if type(value) is int:  # its value depends on nothing else (`_constant`)
            known = self.whole.get(value)
            if known is None:
                known = self.whole[value] = _constant(value, expr.type)
            return known
        return _constant(value, expr.type)

    def _rule(self, key: str, args: Sequence[Any], env: _Env, frame: _Frame) -> _Val:
        rule = self.policy.rules[key]
        if frame.depth >= _DEPTH:
            self.blocker = self.blocker or f"{rule.name}(…)"
            for arg in args:
                self.interval(arg, env, frame)
            return _domain(rule.type, False)
        locals_: dict[str, str] = {}
        inner = dict(env)
        for (name, _), arg in zip(rule.params or (), args, strict=False):
            value = self.interval(arg, env, frame)
            path = self.key(arg, frame)
            if path is None:
                # A computed argument: a key of this call's own (callers are shallower).
                path = f"tmp{frame.depth + 1}:{name}"
                inner[path] = value
            else:
                # The argument's value as the caller knows it (its declared type may be
                # tighter than the parameter's: an `int >= 0` passed as an `int`).
                inner.setdefault(path, value)
            if value.empty:
                inner[_IMPOSSIBLE] = _EMPTY
            locals_[name] = path
        # Calls are interpreted again and again (every narrowing looks inside them): the same
        # call in the same environment gives the same value.
        memo = (key, tuple(locals_.items()), frozenset(inner.items()), frame.depth)
        if memo in self.calls:
            value, blocker = self.calls[memo]
            self.blocker = self.blocker or blocker
            return value
        before = self.blocker
        value = self.interval(rule.body, inner, _Frame(locals_, False, frame.depth + 1))
        self.calls[memo] = (value, self.blocker if before is None else None)
        return value

    @visits(model.CallRule)
    def _CallRule(self, expr: model.CallRule, env: _Env, frame: _Frame) -> _Val:
        return self._rule(expr.key, expr.args, env, frame)

    @visits(model.Negate)
    def _Negate(self, expr: model.Negate, env: _Env, frame: _Frame) -> _Val:
        value = self.interval(expr.operand, env, frame)
        if isinstance(value.some, _Num):
            return _Val(_neg(value.some), value.none, value.exact)
        return value

    @visits(model.Arith)
    def _Arith(self, expr: model.Arith, env: _Env, frame: _Frame) -> _Val:
        left, right = self.interval(expr.left, env, frame), self.interval(expr.right, env, frame)
        if left.empty or right.empty or left.some is None or right.some is None:
            return _EMPTY
        a, b = left.some, right.some
        if not (isinstance(a, _Num) and isinstance(b, _Num)):
            return _domain(expr.type, False)
        if expr.op in ("+", "-"):
            return _Val(_add(a, b, 1 if expr.op == "+" else -1))
        if expr.op == "*":
            return _Val(_mul(a, b))
        if expr.op == "mod":
            # The remainder has the divisor's sign and is smaller than it: `x mod 7` is in
            # [0, 7), `x mod -7` in (-7, 0].
            integer = isinstance(expr.type, IntType)
            if b.lo is not None and b.lo > 0 and b.hi is not None:
                return _Val(_num(0, b.hi, integer, hi_in=False))
            if b.hi is not None and b.hi < 0 and b.lo is not None:
                return _Val(_num(b.lo, 0, integer, lo_in=False))
            return _domain(expr.type, False)
        if expr.op == "**":
            return _domain(expr.type, False)
        # `/`: only bounds when the divisor keeps away from zero (and is bounded).
        if b.lo is not None and b.hi is not None and (b.lo > 0 or b.hi < 0):
            reciprocal = sorted((1 / b.lo, 1 / b.hi))
            return _Val(_mul(a, _num(reciprocal[0], reciprocal[1])))
        return _domain(expr.type, False)

    @visits(model.BuiltinCall)
    def _BuiltinCall(self, expr: model.BuiltinCall, env: _Env, frame: _Frame) -> _Val:
        args = [self.interval(arg, env, frame) for arg in expr.args]
        nums = [a.some for a in args]
        if any(a.empty for a in args):
            return _EMPTY
        numeric = all(isinstance(n, _Num) for n in nums)
        name = expr.name
        if name == "abs" and numeric:
            return _Val(_abs(nums[0]))  # type: ignore[arg-type]
        if name in ("min", "max") and numeric and nums:
            return _Val(_min_max(nums, name == "max"))  # type: ignore[arg-type]
        if name in ("floor", "ceil") and numeric:
            n: _Num = nums[0]  # type: ignore[assignment]
            rounding = math.floor if name == "floor" else math.ceil
            lo = rounding(n.lo) if n.lo is not None else None
            hi = rounding(n.hi) if n.hi is not None else None
            # An excluded whole bound is not reached: floor(x) for x < 1 is at most 0.
            if name == "floor" and hi is not None and not n.hi_in and n.hi == hi:
                hi -= 1
            if name == "ceil" and lo is not None and not n.lo_in and n.lo == lo:
                lo += 1
            return _Val(_num(lo, hi, True))
        digits = expr.args[1] if name == "round" else None
        if (
            isinstance(digits, model.Const)
            and type(digits.value) is int
            and -100 <= digits.value <= 100  # (others fail when evaluated)
            and isinstance(nums[0], _Num)  # (the mode is a text)
        ):
            # Rounded to a constant number of places by any mode: between the input's ends
            # taken down and up to that many places (a whole step may be added or lost).
            n = nums[0]
            step = Fraction(1, 10) ** digits.value
            low = math.floor(n.lo / step) * step if n.lo is not None else None
            high = math.ceil(n.hi / step) * step if n.hi is not None else None
            return _Val(_num(low, high, isinstance(expr.type, IntType)))
        entry = semantics.BUILTINS.get(name)
        if entry is not None and entry.result_range is not None:
            return _Val(_num(*entry.result_range, True))
        return _domain(expr.type, False)

    @visits(model.ScheduleLookup)
    def _ScheduleLookup(self, expr: model.ScheduleLookup, env: _Env, frame: _Frame) -> _Val:
        for arg in expr.args:
            self.interval(arg, env, frame)
        values = [v for v in self.policy.schedules[expr.key].cells.values() if v is not None]
        if not values:
            return _Val(None, True)
        is_int = all(Fraction(v).denominator == 1 for v in values)
        return _Val(_num(min(values), max(values), is_int), True)

    @visits(model.BandsLookup)
    def _BandsLookup(self, expr: model.BandsLookup, env: _Env, frame: _Frame) -> _Val:
        self.interval(expr.arg, env, frame)
        return _domain(expr.type, False)

    @visits(model.Compare)
    def _Compare(self, expr: model.Compare, env: _Env, frame: _Frame) -> _Val:
        left, right = self.interval(expr.left, env, frame), self.interval(expr.right, env, frame)
        if left.some is None or right.some is None:
            return _EMPTY
        true, false = _compare(expr.op, left.some, right.some)
        # Exact when a free value is compared with a constant (the interval is the truth).
        exact = (left.exact and _is_point(right)) or (right.exact and _is_point(left))
        if not exact:
            self.blocker = self.blocker or _text(expr)
        values = [t for t, possible in ((True, true), (False, false)) if possible]
        return _bools(*values, exact=exact)

    @visits(model.In)
    def _In(self, expr: model.In, env: _Env, frame: _Frame) -> _Val:
        item = self.interval(expr.item, env, frame)
        listed = self._listed(expr.collection, env, frame)
        if item.some is None:
            return _EMPTY
        if listed is None or not isinstance(item.some, _Set):
            self.blocker = self.blocker or _text(expr)
            return _bools(True, False)
        inside, outside = bool(item.some.items & listed), bool(item.some.items - listed)
        if expr.negated:
            inside, outside = outside, inside
        values = [t for t, possible in ((True, inside), (False, outside)) if possible]
        return _bools(*values, exact=item.exact)

    def _listed(self, collection: Any, env: _Env, frame: _Frame) -> frozenset[Any] | None:
        """The members of a list literal of enum constants; None for any other list."""
        self.interval(collection, env, frame)
        return self._listed_quiet(collection)

    @visits(model.IsNone)
    def _IsNone(self, expr: model.IsNone, env: _Env, frame: _Frame) -> _Val:
        value = self.interval(expr.operand, env, frame)
        if value.empty:
            return _EMPTY
        is_none, is_some = value.none, value.some is not None
        if expr.negated:
            is_none, is_some = is_some, is_none
        values = [t for t, possible in ((True, is_none), (False, is_some)) if possible]
        key = self.key(expr.operand, frame)
        return _bools(*values, exact=value.exact or (key is not None and self._free(key)))

    @visits(model.Coalesce)
    def _Coalesce(self, expr: model.Coalesce, env: _Env, frame: _Frame) -> _Val:
        value = self.interval(expr.value, env, frame)
        if value.empty:
            return _EMPTY
        fallback = self.interval(expr.fallback, env, frame) if value.none else _EMPTY
        present = _Val(value.some, False) if value.some is not None else _EMPTY
        return _join(present, fallback) if value.none else present

    @visits(model.Not)
    def _Not(self, expr: model.Not, env: _Env, frame: _Frame) -> _Val:
        value = self.interval(expr.operand, env, frame)
        if value.some is None:
            return _EMPTY
        return _bools(*(not t for t in (True, False) if value.can(t)), exact=value.exact)

    @visits(model.And)
    def _And(self, expr: model.And, env: _Env, frame: _Frame) -> _Val:
        return self._all(expr.operands, env, frame)

    @visits(model.Or)
    def _Or(self, expr: model.Or, env: _Env, frame: _Frame) -> _Val:
        return self._any(expr.operands, env, frame)

    def _all(self, operands: Sequence[Any], env: _Env, frame: _Frame) -> _Val:
        return self._combine(operands, env, frame, decided=False)

    def _any(self, operands: Sequence[Any], env: _Env, frame: _Frame) -> _Val:
        return self._combine(operands, env, frame, decided=True)

    def _combine(self, operands: Sequence[Any], env: _Env, frame: _Frame, *, decided: bool) -> _Val:
        """`all` (`decided` False) or `any` (`decided` True) of `operands`: one operand alone
        can give `decided`; the other value needs every operand to give it together."""
        # Every operand is evaluated whatever the others give (fail closed), so what each
        # reports is found in the unnarrowed environment; whether all can give the other
        # value together is found by narrowing with each operand in turn.
        if self.silent and self.steps + len(operands) > _STEPS:
            raise _Budget  # each operand takes a step at least (an `or` of 100,000 terms)
        base = [self.interval(op, env, frame) for op in operands]
        if any(v.some is None for v in base):
            return _EMPTY
        alone = any(v.can(decided) for v in base)
        alone_exact = any(v.exact and v.can(decided) for v in base) or all(v.exact for v in base)
        together, together_exact = self._together(operands, base, env, frame, not decided)
        possible = {decided: alone, not decided: together}
        values = [t for t in (True, False) if possible[t]]
        return _bools(*values, exact=alone_exact and together_exact)

    def _together(
        self, operands: Sequence[Any], base: Sequence[_Val], env: _Env, frame: _Frame, truth: bool
    ) -> tuple[bool, bool]:
        """Whether every operand can be `truth` at once, and whether that answer is exact."""
        quiet = attrs.evolve(frame, report=False)
        exact = True
        current = env
        for index, operand in enumerate(operands):
            value = base[index] if current is env else self.interval(operand, current, quiet)
            if not value.can(truth):
                return False, exact and value.exact
            exact = exact and value.exact
            current, narrowed = self.narrow(operand, current, frame, truth)
            exact = exact and narrowed
        return True, exact

    @visits(model.Compose)
    def _Compose(self, expr: model.Compose, env: _Env, frame: _Frame) -> _Val:
        if expr.kind == "all":
            return self._all(expr.items, env, frame)
        if expr.kind == "any":
            return self._any(expr.items, env, frame)
        count = self.interval(expr.count, env, frame) if expr.count is not None else _ANY
        base = [self.interval(item, env, frame) for item in expr.items]
        if any(v.some is None for v in base) or count.some is None:
            return _EMPTY
        needed = count.some.point if isinstance(count.some, _Num) else None
        if needed is None:
            return _bools(True, False)
        can_true = sum(1 for v in base if v.can(True))
        can_false = sum(1 for v in base if v.can(False))
        true = can_true >= needed
        false = len(base) - can_false < needed
        return _bools(*(t for t, possible in ((True, true), (False, false)) if possible))

    @visits(model.If)
    def _If(self, expr: model.If, env: _Env, frame: _Frame) -> _Val:
        condition = self.interval(expr.condition, env, frame)
        if condition.some is None:
            return _EMPTY
        result = _EMPTY
        exact = condition.exact
        conflict = _conflict_of(expr)
        for truth, branch in ((True, expr.then), (False, expr.otherwise)):
            if not condition.can(truth):
                if conflict is None:
                    self._unreachable(expr, branch, truth, frame)
                elif not truth:
                    self._always_conflict(conflict, frame)
                # (A conflict that can never happen is what a policy wants: no finding.)
                continue
            narrowed, narrowed_exact = self.narrow(expr.condition, env, frame, truth)
            value = self.interval(branch, narrowed, frame)
            exact = exact and narrowed_exact and value.exact
            result = _join(result, value) if not result.empty else value
        return attrs.evolve(result, exact=exact and isinstance(result.some, _Set))

    def _always_conflict(self, conflict: model.BuiltinCall, frame: _Frame) -> None:
        """Two exceptions of a rule that apply together wherever the first applies: the rule
        has no value there (`exception-conflict`), whatever the facts."""
        message = conflict.args[0]
        span = conflict.span
        if not frame.report or (span.start, span.end) in self.reported:
            return
        self.reported.add((span.start, span.end))
        assert isinstance(message, model.Const)
        fields = message.value.fields
        self.findings.append(
            _warning(
                "exceptions-always-conflict",
                english(
                    "exceptions-always-conflict", first=fields["first"], second=fields["second"]
                ),
                span,
                english("exception-conflict.help"),
            )
        )

    def _unreachable(self, expr: model.If, branch: Any, truth: bool, frame: _Frame) -> None:
        if not frame.report:
            return
        span = getattr(branch, "span", None)
        if span is None or (span.start, span.end) in self.reported:
            return
        self.reported.add((span.start, span.end))
        which = "then" if truth else "else"
        holds = english("never holds") if truth else english("always holds")
        self.findings.append(
            _warning(
                "unreachable-branch",
                english(
                    "branch-never-taken", which=which, condition=_text(expr.condition), holds=holds
                ),
                span,
                english("remove-branch"),
                labels=(Label(expr.condition.span, english("the-condition")),),
                notes=(english("conditions-around"),),
            )
        )

    @visits(model.Aggregate)
    def _Aggregate(self, expr: model.Aggregate, env: _Env, frame: _Frame) -> _Val:
        self.interval(expr.collection, env, frame)
        element_key = f"elem:{expr.var}@{id(expr)}"
        locals_ = {**frame.locals, expr.var: element_key}
        inner = _Frame(locals_, frame.report, frame.depth)
        collection_type = expr.collection.type
        if isinstance(collection_type, OptionalType):
            collection_type = collection_type.inner
        element_type = getattr(collection_type, "element", None)
        element_env = dict(env)
        element_env[element_key] = _domain(element_type, True)
        body_env: _Env = element_env
        filtered = _bools(True)
        if expr.filter is not None:
            filtered = self.interval(expr.filter, element_env, inner)
            body_env, _ = self.narrow(expr.filter, element_env, inner, True)
        body = _EMPTY
        if expr.body is not None and filtered.can(True):
            body = self.interval(expr.body, body_env, inner)
        elif expr.body is None:
            body = body_env.get(element_key, _ANY)
        kind = expr.kind
        if kind in ("count", "len"):
            return _Val(_num(0, None, True))
        if kind == "rate":
            return _Val(_num(0, 1), True)
        if kind in ("min", "max") and isinstance(body.some, _Num):
            return _Val(body.some, True)
        if kind == "all":
            return _bools(True, *((False,) if body.can(False) else ()))
        if kind == "any":
            return _bools(False, *((True,) if body.can(True) else ()))
        if kind == "sum" and isinstance(body.some, _Num):
            # A sum of values that are all >= 0 (<= 0) is too; 0 for no element.
            some = body.some
            if some.lo is not None and some.lo >= 0:
                return _Val(_num(0, None, some.integer))
            if some.hi is not None and some.hi <= 0:
                return _Val(_num(None, 0, some.integer))
        return _domain(expr.type, False)

    # -- narrowing ----------------------------------------------------------------------

    def narrow(self, cond: Any, env: _Env, frame: _Frame, truth: bool) -> tuple[_Env, bool]:
        """The environment in which `cond` is `truth`, and whether it says exactly that."""
        if frame.report:
            # What narrowing evaluates is evaluated again where it belongs: report nothing.
            frame = attrs.evolve(frame, report=False)
        if isinstance(cond, model.Not):
            return self.narrow(cond.operand, env, frame, not truth)
        conjunction = (
            (
                isinstance(cond, model.And)
                or (isinstance(cond, model.Compose) and cond.kind == "all")
            )
            and truth
        ) or (
            (isinstance(cond, model.Or) or (isinstance(cond, model.Compose) and cond.kind == "any"))
            and not truth
        )
        if conjunction:
            parts = cond.operands if isinstance(cond, model.And | model.Or) else cond.items
            exact = True
            for part in parts:
                env, part_exact = self.narrow(part, env, frame, truth)
                exact = exact and part_exact
            return env, exact
        if isinstance(cond, model.And | model.Or | model.Compose):
            parts = cond.operands if isinstance(cond, model.And | model.Or) else cond.items
            return env, len(parts) == 1 and self.narrow(parts[0], env, frame, truth)[1]
        key = self.key(cond, frame)
        if key is not None:
            env = self._set(env, key, _bools(truth), self.interval(cond, env, frame))
            if isinstance(cond, model.RuleRef) and frame.depth < _DEPTH:
                body = self.policy.rules[cond.key].body
                return self._narrow_body(body, {}, env, frame, truth)
            return env, self._free(key)
        if isinstance(cond, model.CallRule) and frame.depth < _DEPTH:
            rule = self.policy.rules[cond.key]
            locals_ = {}
            for (name, _), arg in zip(rule.params or (), cond.args, strict=False):
                path = self.key(arg, frame)
                if path is None:
                    return env, False
                locals_[name] = path
            return self._narrow_body(rule.body, locals_, env, frame, truth)
        if isinstance(cond, model.Compare):
            return self._narrow_compare(cond, env, frame, truth)
        if isinstance(cond, model.In):
            key = self.key(cond.item, frame)
            listed = self._listed_quiet(cond.collection)
            if key is None or listed is None:
                return env, False
            inside = truth != cond.negated
            current = self.interval(cond.item, env, frame)
            if not isinstance(current.some, _Set):
                return env, False
            items = current.some.items & listed if inside else current.some.items - listed
            return self._put(env, key, current, _Set(items) if items else None), self._free(key)
        if isinstance(cond, model.IsNone):
            key = self.key(cond.operand, frame)
            if key is None:
                return env, False
            current = self.interval(cond.operand, env, frame)
            absent = truth != cond.negated
            value = (
                _Val(None, current.none, current.exact)
                if absent
                else _Val(current.some, False, current.exact)
            )
            return _with(env, key, value), self._free(key)
        return env, False

    def _narrow_body(
        self, body: Any, locals_: Mapping[str, str], env: _Env, frame: _Frame, truth: bool
    ) -> tuple[_Env, bool]:
        """Narrow by the body of a rule (a call's parameters standing for the caller's paths)."""
        memo = (id(body), tuple(locals_.items()), frozenset(env.items()), frame.depth, truth)
        if memo not in self.narrowed:
            inner = _Frame(locals_, False, frame.depth + 1)
            self.narrowed[memo] = self.narrow(body, env, inner, truth)
        return self.narrowed[memo]

    @staticmethod
    def _listed_quiet(collection: Any) -> frozenset[Any] | None:
        if not isinstance(collection, model.MakeList):
            return None
        items = set()
        for item in collection.items:
            if not isinstance(item, model.Const) or not isinstance(item.type, EnumType):
                return None
            items.add(item.value)
        return frozenset(items)

    def _narrow_compare(
        self, cond: model.Compare, env: _Env, frame: _Frame, truth: bool
    ) -> tuple[_Env, bool]:
        op = cond.op if truth else _NEGATE[cond.op]
        left, right = cond.left, cond.right
        left_key, right_key = self.key(left, frame), self.key(right, frame)
        right_value = self.interval(right, env, frame)
        left_value = self.interval(left, env, frame)
        if left_key is not None and _is_point(right_value):
            current, point, key = left_value, right_value, left_key
        elif right_key is not None and _is_point(left_value):
            current, point, key, op = right_value, left_value, right_key, _FLIP[op]
        else:
            return env, False
        if current.some is None or isinstance(current.some, _Top):
            return env, False
        restricted, exact = _restrict(current.some, op, point.some)
        return self._put(env, key, current, restricted), exact and self._free(key)

    @staticmethod
    def _put(env: _Env, key: str, current: _Val, some: Any) -> _Env:
        return _with(env, key, _Val(some, False, current.exact))

    @staticmethod
    def _set(env: _Env, key: str, value: _Val, current: _Val) -> _Env:
        if isinstance(current.some, _Set) and isinstance(value.some, _Set):
            items = current.some.items & value.some.items
            return _with(env, key, _Val(_Set(items) if items else None, False, current.exact))
        return env


def _with(env: _Env, key: str, value: _Val) -> _Env:
    """`env` with `key` narrowed to `value` (marked impossible when nothing is left)."""
    changed = {**env, key: value}
    if value.empty:
        changed[_IMPOSSIBLE] = _EMPTY
    return changed


def _is_point(value: _Val) -> bool:
    some = value.some
    if value.none:
        return False
    if isinstance(some, _Num):
        return some.point is not None
    return isinstance(some, _Set) and len(some.items) == 1


def _text(expr: Any) -> str:
    span = getattr(expr, "span", None)
    return " ".join(span.text.split()) if span is not None else "…"
