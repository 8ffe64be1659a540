"""Checking examples, properties and fixtures into a `Suite` (docs/verification.md).

A policy file may carry its own tests:

```
fixture base_order: Order = {id: "o1", kind: retail, overdue_days: 0, …}

example "逾期的订单不放行":
  given order = {...base_order, overdue_days: 1}
  expect not released
  expect failed_checks == ["C1"]

property "上限不高于平均水平":
  forall o: Order
  holds limit_of(o) <= o.average_amount
```

The policy checker leaves these declarations alone; this module checks them with the checker's
own name resolution and typing (`checker.check_extended`), computes the values of fixtures and
givens (validated against their types, bounds included), and compiles every expectation,
`where` condition and claim into a `Check` (see `suite`). The names an example or a property
binds itself (`given u: Unit = …`, `forall u: Unit`) become inputs of the policy's copy;
fixtures become constants.

`target[name = value, …]` (`released[order = b]`) computes `target` on the facts with those
inputs replaced. It is evaluated before the expression around it (fail closed: its error is
the expression's error) and stands in that expression as an input of its own, whose
explanation node is replaced by the explanation of the computation.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from wuxin_rules import ast, loader, model
from wuxin_rules.checker import Extension, check_extended
from wuxin_rules.errors import (
    Label,
    WuxinError,
    suggest,
)
from wuxin_rules.evaluator import evaluate
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    BOOL,
    OptionalType,
    Type,
)
from wuxin_rules.source import Span
from wuxin_rules.suite import (
    Binder,
    Check,
    Example,
    Expectation,
    Fixture,
    Given,
    Marker,
    Property,
    Suite,
    value_problems,
)
from wuxin_rules.typing_rules import (
    Env,
    ExprTyper,
    assignable,
    describe_type,
    is_invalid,
    quoted,
    snippet,
)

__all__ = [
    "check_suite",
    "load_suite",
    "load_suites",
    "suite_from_text",
]

# ------------------------------------------------------------------------------------------
# Entry points


def check_suite(loaded: loader.LoadedModules) -> Suite:
    """Check loaded modules, then the examples, properties and fixtures of the root module.

    Raises `PolicyCheckError` with every problem (the policy's first, as `check` does).
    """
    found: list[Suite] = []

    def extend(policy: model.CheckedPolicy, extension: Extension) -> None:
        found.append(_SuiteChecker(policy, extension).run())

    check_extended(loaded, extend)
    return found[0]


def load_suite(path: str | os.PathLike[str], *, root: Path | None = None) -> Suite:
    """Load the policy file at `path` with its imports, and check it with its tests."""
    return check_suite(loader.load_modules(path, root=root))


def suite_from_text(
    text: str, name: str = "<string>", *, files: Mapping[str, str] | None = None
) -> Suite:
    """Check a policy given as text, with its tests; `files` maps module names to imports."""
    return check_suite(loader.load_modules_from_text(text, name, files=files))


def load_suites(
    paths: Sequence[str | os.PathLike[str]],
) -> list[tuple[str, Suite | None, WuxinError | None]]:
    """Each `.policy` file under `paths` (folders searched recursively), checked with its
    tests: `(path, suite, None)` or `(path, None, error)`. A missing path is a `UsageError`."""
    results: list[tuple[str, Suite | None, WuxinError | None]] = []
    for file in loader.policy_files(paths):
        try:
            suite = load_suite(file)
        except WuxinError as error:
            results.append((str(file), None, error))
        else:
            results.append((str(file), suite, None))
    return results


# ------------------------------------------------------------------------------------------
# Core expressions: walking and rewriting


def _rewrite_locals(
    expr: Any, replace: Mapping[str, Callable[[model.LocalRef], Any]], hidden: frozenset[str]
) -> Any:
    """Replace references to the names of an example or property (`replace`), except where
    an aggregate variable of the same name hides them."""
    if isinstance(expr, model.LocalRef):
        make = replace.get(expr.name)
        return make(expr) if make is not None and expr.name not in hidden else expr
    inner = hidden | {expr.var} if isinstance(expr, model.Aggregate) else hidden

    def visit(child: Any, scoped: bool) -> Any:
        return _rewrite_locals(child, replace, inner if scoped else hidden)

    return model.map_children(expr, visit)


def _local_names(expr: Any, hidden: frozenset[str] = frozenset()) -> set[str]:
    """The local names `expr` uses that none of its own aggregates binds."""
    found: set[str] = set()
    stack: list[tuple[Any, frozenset[str]]] = [(expr, hidden)]
    while stack:
        node, bound = stack.pop()
        if isinstance(node, model.LocalRef):
            if node.name not in bound:
                found.add(node.name)
            continue
        if isinstance(node, model.Aggregate):
            stack.append((node.collection, bound))
            inner = bound | {node.var}
            stack.extend((c, inner) for c in (node.filter, node.body) if c is not None)
            continue
        stack.extend((child, bound) for child in model.children(node))
    return found


class _Reads:
    """Which inputs an expression reads, through the rules it refers to and calls."""

    def __init__(self, policy: model.CheckedPolicy) -> None:
        self.policy = policy
        self._rules: dict[str, frozenset[str]] = {}

    def of(self, expr: Any) -> set[str]:
        found: set[str] = set()
        for key in self._direct(expr, found):
            found |= self.rule(key)
        return found

    def rule(self, key: str) -> frozenset[str]:
        cached = self._rules.get(key)
        if cached is not None:
            return cached
        # Iterative depth-first walk of the rule graph (acyclic: the checker proved it).
        order: list[str] = []
        pending = [key]
        seen = {key}
        while pending:
            current = pending.pop()
            order.append(current)
            rule = self.policy.rules.get(current)
            if rule is None:
                continue
            for dep in self._direct(rule.body, set()):
                if dep not in seen and dep not in self._rules:
                    seen.add(dep)
                    pending.append(dep)
        for current in reversed(order):
            rule = self.policy.rules.get(current)
            own: set[str] = set()
            deps = self._direct(rule.body, own) if rule is not None else []
            for dep in deps:
                own |= self._rules.get(dep, frozenset())
            self._rules[current] = frozenset(own)
        return self._rules[key]

    @staticmethod
    def _direct(expr: Any, inputs: set[str]) -> list[str]:
        rules: list[str] = []
        stack = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, model.InputRef):
                inputs.add(node.name)
            elif isinstance(node, model.RuleRef | model.CallRule):
                rules.append(node.key)
            stack.extend(model.children(node))
        return rules


# ------------------------------------------------------------------------------------------
# Checking


class _TestTyper(ExprTyper):
    """The checker's expression typer, with `target[name = value]` allowed when `allow_with`."""

    def __init__(self, owner: _SuiteChecker, extension: Extension, module: str) -> None:
        super().__init__(extension.symbol_tables, extension.scope(module))
        self.owner = owner
        self.allow_with = False
        self.outer: Mapping[str, Type] = {}
        """The names bound by the example or property itself (not by aggregates)."""
        self._equalities: list[ast.Compare] = []

    def _compare(self, node: ast.Compare, expected: Type | None, env: Env) -> model.CExpr:
        # In a check, `==` and `!=` may compare a value that may be none: `expect
        # target(2014, g) == 20%` is simply false when the target is none, which is what an
        # example means. Only the comparison's own two operands are let through.
        if not (self.allow_with and node.op in ("==", "!=")):
            return super()._compare(node, expected, env)
        self._equalities.append(node)
        try:
            return super()._compare(node, expected, env)
        finally:
            self._equalities.pop()

    def _both_plain(self, a: model.CExpr, b: model.CExpr) -> bool:
        if self._equalities:
            node = self._equalities[-1]
            own = {
                (node.left.span.start, node.left.span.end),
                (node.right.span.start, node.right.span.end),
            }
            if {(a.span.start, a.span.end), (b.span.start, b.span.end)} == own:
                return True
        return super()._both_plain(a, b)

    def _with_inputs(self, node: ast.WithInputs, expected: Type | None, env: Env) -> model.CExpr:
        if not self.allow_with:
            return super()._with_inputs(node, expected, env)
        target = self.expr(node.target, expected, env)
        bindings: list[tuple[str, model.CExpr, Span]] = []
        first: dict[str, Span] = {}
        broken = is_invalid(target.type)
        for binding in node.bindings:
            name = binding.name.name
            wanted = self.owner.bindable(name)
            if wanted is None:
                self.owner.unknown_binding(binding)
                broken = True
                self.expr(binding.value, None, env)
                continue
            if name in first:
                self.t.error(
                    "duplicate-name",
                    english("given-twice", name=name),
                    binding.name.span,
                    labels=[Label(first[name], english("first-given-here"))],
                    help=english("give-once"),
                )
                broken = True
                continue
            first[name] = binding.name.span
            value = self.expr(binding.value, wanted, env)
            broken = not self.accept(value, wanted) or broken
            bindings.append((name, value, binding.span))
        inner = {
            name
            for name, type_ in env.locals.items()
            if name not in self.outer or self.outer[name] is not type_
        }
        for part in [target, *(value for _, value, _ in bindings)]:
            used = sorted(_local_names(part) & inner)
            if used:
                self.t.error(
                    "with-uses-local",
                    english("uses-bound-by-aggregate", expr=snippet(node.span), name=used[0]),
                    part.span,
                    help=english("with-uses-local.help"),
                )
                broken = True
        if broken:
            return self._invalid(node.span)
        return self.owner.marker(target, bindings, node)


@attrs.define
class _PendingMarker:
    input: str
    target: model.CExpr
    bindings: list[tuple[str, model.CExpr, Span]]
    text: str
    span: Span


class _SuiteChecker:
    """Checks the fixtures, examples and properties of the root module of one policy."""

    def __init__(self, policy: model.CheckedPolicy, extension: Extension) -> None:
        self.policy = policy
        self.ext = extension
        self.t = extension.symbol_tables
        self.module_name = extension.loaded.root_name
        self.module = extension.loaded.root
        self.scope = extension.scope(self.module_name)
        self.typer = _TestTyper(self, extension, self.module_name)
        self.inputs: dict[str, Type] = {}
        for sym in self.t.syms.values():
            if sym.kind == "input":
                self.inputs.setdefault(sym.name, self.t.input_types[sym.key])
        self.fixtures: dict[str, Fixture] = {}
        self.fixture_types: dict[str, Type] = {}
        self.locals: dict[str, Type] = {}
        """The names the example or property being checked binds (not inputs)."""
        self.markers: dict[str, _PendingMarker] = {}
        self.rules: dict[str, model.RuleDef] = {}
        self.reads = _Reads(policy)
        self.counter = itertools.count(1)
        self.types: dict[str, Type] = dict(self.inputs)

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> Suite:
        declarations = self.module.declarations
        self._fixtures([d for d in declarations if isinstance(d, ast.FixtureDecl)])
        examples = [
            example
            for decl in declarations
            if isinstance(decl, ast.ExampleDecl)
            for example in [self._example(decl)]
            if example is not None
        ]
        properties = [
            prop
            for decl in declarations
            if isinstance(decl, ast.PropertyDecl)
            for prop in [self._property(decl)]
            if prop is not None
        ]
        runner = attrs.evolve(self.policy, rules={**self.policy.rules, **self.rules})
        return Suite(
            policy=self.policy,
            runner=runner,
            fixtures=tuple(self.fixtures.values()),
            examples=tuple(examples),
            properties=tuple(properties),
            types=self.types,
        )

    def _errors(self) -> int:
        return len(self.t.diagnostics)

    # -- names -----------------------------------------------------------------------------

    def bindable(self, name: str) -> Type | None:
        """The type of a name `…[name = value]` may give: an input or a bound name."""
        return self.inputs.get(name) or self.locals.get(name)

    def unknown_binding(self, binding: ast.InputBinding) -> None:
        name = binding.name.name
        candidates = [*self.inputs, *self.locals]
        if name in self.fixtures:
            message, help = english("fixture-not-given", name=name), None
        else:
            message, help = english("not-an-input", name=name), suggest(name, candidates)
        self.t.error(
            "unknown-input",
            message,
            binding.name.span,
            help=help
            or (
                english("give-one-input.help", names=quoted(candidates))
                if candidates
                else english("no-inputs-to-give.help")
            ),
        )

    def _own_name(self, ident: ast.Ident, what: str, first: dict[str, Span]) -> bool:
        """Check a name the example, property or fixture binds; False when reported."""
        if self.ext.reserved(ident, what):
            return False
        name = ident.name
        if name in first:
            self.t.duplicate("", ident, first[name])
            return False
        first[name] = ident.span
        sym = self.scope.names.get(name)
        if sym is not None and sym.kind != "input":
            self.t.error(
                "duplicate-name",
                english("already-defined", name=name),
                ident.span,
                labels=[Label(self.scope.spans[name], english("defined-here"))],
                help=english("hide-declaration"),
            )
            return False
        if name in self.fixtures and what != "a fixture":
            self.t.error(
                "duplicate-name",
                english("is-a-fixture", name=name),
                ident.span,
                labels=[Label(self.fixtures[name].span, english("the-fixture"))],
                help=english("hide-fixture"),
            )
            return False
        return True

    # -- typing ----------------------------------------------------------------------------

    def _type(
        self,
        node: ast.Expr,
        expected: Type | None,
        local_types: Mapping[str, Type],
        *,
        allow_with: bool,
    ) -> model.CExpr:
        names = {**self.fixture_types, **local_types}
        self.ext.resolve_names(self.module_name, node, names)
        self.typer.allow_with = allow_with
        self.typer.outer = names
        try:
            return self.typer.expr(node, expected, Env(names))
        finally:
            self.typer.allow_with = False

    def marker(
        self, target: model.CExpr, bindings: list[tuple[str, model.CExpr, Span]], node: ast.Expr
    ) -> model.CExpr:
        """Record `target[…]` and return the input that stands for it."""
        name = f"[{len(self.markers) + 1}]"
        self.markers[name] = _PendingMarker(name, target, bindings, node.span.text, node.span)
        return model.InputRef(name, target.type, node.span)

    def _compile(self, expr: model.CExpr, span: Span, own: Mapping[str, Type]) -> Check:
        """The `Check` of a typed expression: fixtures become constants, the names the
        example or property binds become inputs, every marker becomes a check of its own."""
        replace: dict[str, Callable[[model.LocalRef], Any]] = {}

        def as_constant(fixture: Fixture) -> Callable[[model.LocalRef], Any]:
            return lambda ref: model.Const(fixture.value, fixture.type, ref.span)

        def as_input(ref: model.LocalRef) -> Any:
            return model.InputRef(ref.name, ref.type, ref.span)

        for name, fixture in self.fixtures.items():
            replace[name] = as_constant(fixture)
        for name in own:
            replace[name] = as_input
        body = _rewrite_locals(expr, replace, frozenset())
        direct: set[str] = set()
        standins = [name for name in sorted(_input_names(body)) if name in self.markers]
        markers = []
        for name in standins:
            pending = self.markers.pop(name)
            target = self._compile(pending.target, pending.span, own)
            bindings = tuple(
                (bound, self._compile(value, value_span, own))
                for bound, value, value_span in pending.bindings
            )
            markers.append(Marker(name, target, bindings, pending.text, pending.span))
        reads = self.reads.of(body) - set(standins)
        for marker in markers:
            given = {bound for bound, _ in marker.bindings}
            direct |= marker.target.reads - given
            for _, check in marker.bindings:
                direct |= check.reads
        key = f"check {next(self.counter)}"
        self.rules[key] = model.RuleDef(
            key=key,
            name=snippet(span, 60),
            module=self.module_name,
            kind="rule",
            params=None,
            type=body.type,
            body=body,
            label=None,
            cites=(),
            note=None,
            span=span,
        )
        return Check(
            key=key,
            text=span.text,
            type=body.type,
            markers=tuple(markers),
            reads=frozenset(reads | direct),
            span=span,
        )

    def _constant_value(self, expr: model.CExpr, span: Span, what: str) -> tuple[bool, Any]:
        """The value of a fixture's or given's expression: constants and fixtures only."""
        if _local_names(expr) & (set(self.fixture_types) - set(self.fixtures)):
            return False, None  # built on a fixture with problems, already reported
        check = self._compile(expr, span, {})
        if check.reads:
            self.t.error(
                "not-constant",
                english("not-a-constant", what=what, names=quoted(sorted(check.reads))),
                span,
                help=english("build-from-literals"),
            )
            return False, None
        runner = attrs.evolve(
            self.policy, rules={**self.policy.rules, check.key: self.rules[check.key]}
        )
        verdict = evaluate(runner, {}, rules=[check.key]).verdicts[check.key]
        if verdict.error is not None:
            self.t.diagnostics.append(verdict.error)
            return False, None
        return True, verdict.value

    def _validate(self, name: str, type_: Type, value: Any, span: Span, what: str) -> bool:
        """Report a value outside its type's bounds (the facts loader's own checks)."""
        problems = value_problems(name, type_, value)
        for problem in problems:
            self.t.error(
                "bad-given" if what != "a fixture" else "bad-fixture",
                english("does-not-fit", what=what, name=name, problem=problem.message),
                span,
                notes=[english("at-path", path=problem.path)] if problem.path else [],
                help=problem.help,
            )
        return not problems

    # -- fixtures --------------------------------------------------------------------------

    def _fixtures(self, decls: list[ast.FixtureDecl]) -> None:
        first: dict[str, Span] = {}
        valid = [d for d in decls if self._own_name(d.name, english("a fixture"), first)]
        by_name = {d.name.name: d for d in valid}
        uses = {
            name: [n for n in _ast_names(d.value) if n in by_name and n != name]
            for name, d in by_name.items()
        }
        for name, d in by_name.items():
            if name in _ast_names(d.value):
                uses[name].append(name)
        order, cyclic = _topological(list(by_name), uses)
        for name in cyclic:
            decl = by_name[name]
            self.t.error(
                "fixture-cycle",
                english("fixture-cycle", name=name),
                decl.name.span,
                help=english("fixture-cycle.help"),
            )
        for name in order:
            decl = by_name[name]
            if any(used not in self.fixtures for used in uses[name]):
                # Built on a fixture with problems (already reported): nothing to evaluate.
                self.fixture_types[name] = self.ext.resolve_type(self.module_name, decl.type)
                continue
            before = self._errors()
            declared = self.ext.resolve_type(self.module_name, decl.type)
            typed = self._type(decl.value, declared, {}, allow_with=False)
            self.typer.accept(typed, declared)
            # A fixture built on one that was refused has no value either (its problem is
            # already reported): computing it would meet an unbound name.
            refused = [u for u in uses[name] if u not in self.fixtures]
            if self._errors() != before or is_invalid(declared) or refused:
                self.fixture_types[name] = declared
                continue
            ok, value = self._constant_value(
                typed, decl.value.span, english("fixture-named", name=name)
            )
            if ok and self._validate(name, declared, value, decl.value.span, english("a fixture")):
                self.fixtures[name] = Fixture(name, declared, value, decl.span)
            self.fixture_types[name] = declared

    # -- examples --------------------------------------------------------------------------

    def _example(self, decl: ast.ExampleDecl) -> Example | None:
        before = self._errors()
        first: dict[str, Span] = {}
        givens: list[Given] = []
        own: dict[str, Type] = {}
        for given in decl.given:
            name = given.name.name
            if not self._own_name(given.name, english("a given"), first):
                continue
            local = name not in self.inputs
            if not local:
                type_ = self.inputs[name]
                if given.type is not None:
                    written = self.ext.resolve_type(self.module_name, given.type)
                    if not is_invalid(written) and not _same_type(written, type_):
                        self.t.error(
                            "type-mismatch",
                            english(
                                "input-type-not",
                                name=name,
                                type=describe_type(type_),
                                written=describe_type(written),
                            ),
                            given.type.span,
                            help=english("remove-type-or-bind.help", type=describe_type(written)),
                        )
                        continue
            elif given.type is not None:
                type_ = self.ext.resolve_type(self.module_name, given.type)
            else:
                self.t.error(
                    "unknown-input",
                    english("not-an-input", name=name),
                    given.name.span,
                    help=suggest(name, self.inputs)
                    or (
                        english(
                            "inputs-then-bind-own-name.help", names=quoted(self.inputs), name=name
                        )
                        if self.inputs
                        else english("bind-own-name.help", name=name)
                    ),
                )
                continue
            start = self._errors()
            typed = self._type(given.value, type_, {}, allow_with=False)
            self.typer.accept(typed, type_)
            if self._errors() != start or is_invalid(type_):
                continue
            ok, value = self._constant_value(
                typed, given.value.span, english("the-value-of", name=name)
            )
            if ok and self._validate(name, type_, value, given.value.span, english("the given")):
                givens.append(Given(name, type_, value, local, given.span))
                if local:
                    own[name] = type_
        self.locals = own
        self.types.update(own)
        expectations: list[Expectation] = []
        for expect in decl.expect:
            start = self._errors()
            typed = self._type(expect, BOOL, own, allow_with=True)
            self.typer.accept(
                typed,
                BOOL,
                help=english("suite_checker.expectation-condition-compare-value.help"),
            )
            if self._errors() != start:
                self.markers.clear()
                continue
            expectations.append(Expectation(self._compile(typed, expect.span, own), expect.span))
        self.locals = {}
        if self._errors() != before:
            return None
        given_names = {g.name for g in givens}
        missing: dict[str, str] = {}
        for expectation in expectations:
            for name in sorted(expectation.check.reads - given_names):
                missing.setdefault(name, expectation.check.text)
        for name, where in missing.items():
            if isinstance(self.inputs.get(name), OptionalType):
                continue
            self.t.error(
                "missing-given",
                english("example-missing-given", name=name),
                decl.title.span,
                notes=[english("reads-it", expr=snippet(_span_of(expectations, where)))],
                help=_add_given(name, self.inputs.get(name)),
            )
        if self._errors() != before:
            return None
        return Example(decl.title.value, tuple(givens), tuple(expectations), decl.span)

    # -- properties ------------------------------------------------------------------------

    def _property(self, decl: ast.PropertyDecl) -> Property | None:
        before = self._errors()
        first: dict[str, Span] = {}
        own: dict[str, Type] = {}
        spans: dict[str, Span] = {}
        for binder in decl.binders:
            name = binder.name.name
            if not self._own_name(binder.name, english("a binder"), first):
                continue
            type_ = self.ext.resolve_type(self.module_name, binder.type)
            known = self.inputs.get(name)
            if known is not None and not is_invalid(type_) and not _same_type(type_, known):
                self.t.error(
                    "type-mismatch",
                    english(
                        "binder-type-differs",
                        name=name,
                        known=describe_type(known),
                        type=describe_type(type_),
                    ),
                    binder.type.span,
                    help=english("binder-like-input.help", name=name, type=describe_type(known)),
                )
                continue
            own[name] = type_
            spans[name] = binder.span
        if self._errors() != before:
            return None
        self.locals = {n: t for n, t in own.items() if n not in self.inputs}
        self.types.update(self.locals)
        condition = definitions = None
        if decl.condition is not None:
            typed = self._type(decl.condition, BOOL, own, allow_with=True)
            self.typer.accept(typed, BOOL)
            if self._errors() == before:
                condition, definitions = self._split_condition(typed, decl.condition.span, own)
        claim = None
        typed_claim = self._type(decl.claim, BOOL, own, allow_with=True)
        self.typer.accept(typed_claim, BOOL)
        if self._errors() == before:
            claim = self._compile(typed_claim, decl.claim.span, own)
        self.locals = {}
        if self._errors() != before or claim is None:
            self.markers.clear()
            return None
        definitions = definitions or {}
        binders = tuple(
            Binder(name, type_, name in self.inputs, definitions.get(name), spans[name])
            for name, type_ in own.items()
        )
        bound = set(own)
        for check in [claim, condition, *definitions.values()]:
            if check is None:
                continue
            for name in sorted(check.reads - bound):
                if isinstance(self.inputs.get(name), OptionalType):
                    continue
                known = self.inputs.get(name)
                type_text = f"a `{describe_type(known)}`" if known is not None else ""
                self.t.error(
                    "missing-given",
                    english("property-reads-input", name=name),
                    check.span,
                    help=english("bind-it.help", name=name, type=type_text or "Type"),
                )
                bound.add(name)
        if self._errors() != before:
            return None
        return Property(decl.title.value, binders, condition, claim, decl.span)

    def _split_condition(
        self, typed: model.CExpr, span: Span, own: Mapping[str, Type]
    ) -> tuple[Check | None, dict[str, Check]]:
        """Separate `b == expression` definitions of binders from the filter conditions."""
        parts = list(typed.operands) if isinstance(typed, model.And) else [typed]
        definitions: dict[str, model.CExpr] = {}
        spans: dict[str, Span] = {}
        rest: list[model.CExpr] = []
        for part in parts:
            name = _defined_binder(part, own)
            if name is not None and name not in definitions:
                definitions[name] = part.right  # type: ignore[union-attr]
                spans[name] = part.span
            else:
                rest.append(part)
        # A definition may use drawn binders only, not other definitions (no chains).
        for name in list(definitions):
            if _local_names(definitions[name]) & set(definitions):
                rest.append(next(p for p in parts if _defined_binder(p, own) == name))
                del definitions[name]
        compiled = {
            name: self._compile(expr, spans[name], own) for name, expr in definitions.items()
        }
        if not rest:
            return None, compiled
        if len(rest) == 1:
            return self._compile(rest[0], rest[0].span, own), compiled
        combined = model.And(tuple(rest), BOOL, span)
        return self._compile(combined, span, own), compiled


def _defined_binder(part: model.CExpr, own: Mapping[str, Type]) -> str | None:
    """The binder `b` when `part` is `b == expression` with `b` not in the expression."""
    if not (isinstance(part, model.Compare) and part.op == "=="):
        return None
    left = part.left
    if not isinstance(left, model.LocalRef) or left.name not in own:
        return None
    if left.name in _local_names(part.right):
        return None
    return left.name


def _input_names(expr: Any) -> set[str]:
    found: set[str] = set()
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, model.InputRef):
            found.add(node.name)
        stack.extend(model.children(node))
    return found


def _ast_names(node: ast.Expr) -> set[str]:
    """Every bare name written in a surface expression."""
    found: set[str] = set()
    stack: list[Any] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ast.NameRef):
            found.add(current.name)
            continue
        for field in attrs.fields(type(current)):
            if field.name == "span":
                continue
            value = getattr(current, field.name)
            items = value if isinstance(value, tuple) else (value,)
            stack.extend(item for item in items if attrs.has(type(item)))
    return found


def _topological(names: list[str], uses: Mapping[str, list[str]]) -> tuple[list[str], list[str]]:
    """An order in which each name comes after those it uses, and the names on cycles."""
    order: list[str] = []
    done: set[str] = set()
    remaining = list(names)
    while remaining:
        ready = [n for n in remaining if all(u in done for u in uses[n])]
        if not ready:
            return order, remaining
        for name in ready:
            order.append(name)
            done.add(name)
        remaining = [n for n in remaining if n not in done]
    return order, []


def _same_type(a: Type, b: Type) -> bool:
    return assignable(a, b) and assignable(b, a) and describe_type(a) == describe_type(b)


def _add_given(name: str, type_: Type | None) -> str:
    if type_ is None:
        return english("add", fix=f"given {name} = …")
    return english("add-with-type", fix=f"given {name} = …", type=describe_type(type_))


def _span_of(expectations: Sequence[Expectation], text: str) -> Span:
    for expectation in expectations:
        if expectation.check.text == text:
            return expectation.span
    return expectations[0].span
