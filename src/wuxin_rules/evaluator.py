"""The reference evaluator: a checked policy, runtime values and params in, verdicts out.

Owns what every core expression (`model.CExpr`) means at run time: exact arithmetic,
the builtins, schedule and band lookups, aggregates, memoised nullary rules, fail-closed
operators, located evaluation errors and, in tracing mode, the explanation tree of every
verdict. It is a plain tree walker on purpose: it is the reference that faster evaluation
paths are tested against. What each operator and builtin computes, and its errors, are
their entries in the table of semantics (`semantics`), which the compiled paths read too.
May import `source`, `errors`, `schema`, `values`, `model`, `trace`, `sampling` and
`semantics`.

Semantics in brief (docs/internals.md, "Evaluation"):

* Evaluation is total. A runtime fault (division by zero, a value outside every band, an
  invalid date, a `none` where a value is needed, nesting too deep) becomes a located
  `Diagnostic` held by the verdict; every rule that depends on the failed one fails with the
  same diagnostic, and the other rules are still evaluated. Only a bug in wuxin_rules itself
  raises, as `InternalError`.
* Fail closed: `and`, `or`, `not`, compositions and aggregates evaluate every operand (an
  aggregate every element), so an error is never hidden behind a value that would have
  decided the result anyway. `if` and `??` evaluate only the branch they need, and an
  aggregate's `where` filter guards its body the same way (`where x.d != 0 : x.n / x.d`).
  When several operands fail, the first in source order is the error.
* Nullary rules are evaluated at most once per call and only when needed; their outcome
  (value or error, and explanation) is shared by every reference.
* Depth: an expression is at most `parser.MAX_NESTING` levels deep, but chains of rules can
  be long. A reference to a rule not yet evaluated, met deep in the Python stack, is not
  followed there: the rule being evaluated is abandoned, its dependencies are evaluated
  first from the top of the stack, and it is evaluated again (finding them memoised). Calls
  of rules with parameters cannot be memoised; nesting them beyond the stack's headroom is a
  located `too-deep` error.
"""

from __future__ import annotations

import datetime
import inspect
import itertools
import sys
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import model, sampling, semantics
from wuxin_rules.errors import (
    Diagnostic,
    InternalError,
    Label,
    ParamError,
    UsageError,
    WuxinError,
    suggest,
)
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    OptionalType,
    RecordType,
    SumType,
    Type,
    describe,
    strip_optional,
)
from wuxin_rules.source import Span
from wuxin_rules.trace import TABLE_ROW_VARIABLE, Evaluation, Explanation, Verdict
from wuxin_rules.values import format_value, integer_text
from wuxin_rules.visitor import Visitor, unhandled_kind, visits

__all__ = [
    "MAX_LISTED_ELEMENTS",
    "REDUCED",
    "Element",
    "ElementListing",
    "Fault",
    "Run",
    "aggregate_detail",
    "band_text",
    "dated_value",
    "element_type",
    "evaluate",
    "list_elements",
    "schedule_cites",
    "schedule_detail",
]

MAX_LISTED_ELEMENTS = 20
"""An aggregate's explanation lists at most this many elements (the rest are counted)."""

_FRAMES_PER_LEVEL = 4
"""Python frames one level of expression nesting costs at most (`_eval`, a handler, helpers)."""

_STACK_RESERVE = 120
"""Frames kept free below the recursion limit for the handlers' own helpers."""

_DEFER_AT = 40
"""Nesting level from which a reference to a rule not yet evaluated is deferred."""

_NONE_HELP = semantics.NONE_HELP


def evaluate(
    policy: model.CheckedPolicy,
    inputs: Mapping[str, Any],
    *,
    params: Mapping[str, Any] | None = None,
    rules: Sequence[str] | None = None,
    trace: bool = False,
) -> Evaluation:
    """Evaluate rules of a checked policy on one document's runtime values.

    `inputs` holds already-validated runtime values by input name (see `wuxin_rules.values`);
    `params` overrides param defaults by key (short names in `policy.param_names` work too);
    `rules` lists the rule keys to evaluate, in the order the verdicts come back (default:
    `policy.order`). With `trace=True` every verdict carries its explanation tree.

    Evaluation errors do not raise: they are the `error` of the verdicts they affect. Raises
    `UsageError` for a rule that does not exist or takes parameters, `ParamError` for a param
    that does not exist, and `InternalError` for a bug in the evaluator.
    """
    keys = _requested_rules(policy, rules)
    param_values = _param_values(policy, params)
    run = Run(policy, inputs, param_values, trace)
    verdicts: dict[str, Verdict] = {}
    for key in keys:
        rule = policy.rules[key]
        try:
            outcome = run.rule(key)
        except WuxinError:
            raise
        except Exception as error:  # a bug: report it as one, never as a raw exception
            raise _internal(error, f"while evaluating {rule.kind} `{key}`") from error
        verdicts[key] = Verdict(
            key=key,
            name=rule.name,
            kind=rule.kind,
            type=rule.type,
            value=outcome.value,
            error=outcome.error,
            explanation=outcome.explanation,
            label=rule.label,
            cites=rule.cites,
            span=rule.span,
        )
    return Evaluation(verdicts=verdicts, traced=trace)


# ------------------------------------------------------------------------------------------
# Arguments


def _requested_rules(policy: model.CheckedPolicy, rules: Sequence[str] | None) -> tuple[str, ...]:
    if rules is None:
        return tuple(policy.order)
    problems: list[Diagnostic] = []
    keys: list[str] = []
    for key in rules:
        rule = policy.rules.get(key)
        if rule is None:
            problems.append(
                Diagnostic(
                    "unknown-rule",
                    english("has-no-rule", policy=policy.name, name=key),
                    help=suggest(key, policy.rules),
                )
            )
        elif rule.is_function:
            problems.append(
                Diagnostic(
                    "rule-needs-arguments",
                    english("takes-parameters", name=key),
                    help=english("call-it.help"),
                )
            )
        else:
            keys.append(key)
    if problems:
        raise UsageError(problems)
    return tuple(keys)


def _param_values(policy: model.CheckedPolicy, params: Mapping[str, Any] | None) -> dict[str, Any]:
    values = {key: definition.default for key, definition in policy.params.items()}
    problems: list[Diagnostic] = []
    for name, value in (params or {}).items():
        key = name if name in policy.params else policy.param_names.get(name)
        if key is None:
            problems.append(
                Diagnostic(
                    "unknown-param",
                    english("has-no-param", policy=policy.name, name=name),
                    help=suggest(name, [*policy.params, *policy.param_names]),
                )
            )
        elif _holds_float(value):
            problems.append(
                Diagnostic(
                    "bad-param",
                    english("eval.param-binary-float", name=name, value=repr(value)),
                    help=english("eval.pass-exact-value-int.help"),
                )
            )
        else:
            values[key] = value
    if problems:
        raise ParamError(problems)
    return values


def _holds_float(value: Any) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, tuple | list):
        return any(_holds_float(item) for item in value)
    if isinstance(value, dict):
        return any(_holds_float(item) for item in value.values())
    return False


# ------------------------------------------------------------------------------------------
# The run: one document, memoised nullary rules


class Fault(Exception):
    """A located evaluation error on its way up, with the explanation built so far
    (`diagnostic`, `explanation`): what `Run.value_of` raises."""

    def __init__(self, diagnostic: Diagnostic, explanation: Explanation | None) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic
        self.explanation = explanation


class _Defer(Exception):
    """A rule not yet evaluated was referenced too deep in the stack: evaluate it first."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _Outcome:
    """A nullary rule's value or error, and its explanation (shared by every reference)."""

    __slots__ = ("error", "explanation", "value")

    def __init__(self, value: Any, error: Diagnostic | None, explanation: Explanation | None):
        self.value = value
        self.error = error
        self.explanation = explanation


_Result = tuple[Any, Explanation | None]
"""What every handler returns: the value and (when tracing) its explanation."""


class Run(Visitor[_Result]):
    """The state of one evaluation: values, params, memoised rules, the nesting depth.

    `Run(policy, inputs, params, trace)` on validated inputs and param values (by key);
    `value_of(expr, env)` evaluates an expression of the policy in it (what-if answers and
    partial evaluation drive the reference evaluator so)."""

    node_kinds = model.EXPRESSIONS

    def __init__(
        self,
        policy: model.CheckedPolicy,
        inputs: Mapping[str, Any],
        params: Mapping[str, Any],
        trace: bool,
    ) -> None:
        self.policy = policy
        self.inputs = inputs
        self.params = params
        self.trace = trace
        self.memo: dict[str, _Outcome] = {}
        self.active: set[str] = set()
        self.context: list[model.RuleDef] = []
        self.attempts: dict[str, int] = {}
        self.input_defs = {definition.name: definition for definition in policy.inputs}
        self.static_deps: dict[str, tuple[str, ...]] = {}
        self.depth = 0
        headroom = sys.getrecursionlimit() - _stack_depth() - _STACK_RESERVE
        self.max_depth = max(headroom // _FRAMES_PER_LEVEL, 1)
        self.defer_at = min(_DEFER_AT, self.max_depth // 2)

    # -- nullary rules ---------------------------------------------------------------------

    def rule(self, key: str) -> _Outcome:
        """The outcome of a nullary rule, evaluating whatever it needs first (no deep stack)."""
        pending = [key]
        while pending:
            current = pending[-1]
            if current in self.memo:
                pending.pop()
                continue
            self.attempts[current] = self.attempts.get(current, 0) + 1
            if self.attempts[current] > 2:
                # Once its dependencies are memoised a rule never defers again; a third
                # attempt means the rule graph has a cycle the checker let through.
                raise _internal_message(english("eval.rule-depends-on-itself", key=current))
            try:
                self._evaluate_rule(current)
            except _Defer as deferred:
                # The deferred rule goes on top (the deepest need first, so a long chain is
                # walked once); the other dependencies below it, so that the next attempt of
                # `current` finds everything it refers to memoised and cannot defer again.
                missing = [
                    dep
                    for dep in self._static_deps(current)
                    if dep not in self.memo and dep != deferred.key
                ]
                pending.extend(reversed(missing))
                pending.append(deferred.key)
            except RecursionError:
                # The headroom estimate was wrong (a caller deep in its own stack): still a
                # located error, never a crash.
                rule = self.policy.rules[current]
                diagnostic = Diagnostic(
                    "too-deep",
                    english("eval.evaluating-nests-too-deeply", key=rule.key),
                    span=rule.span,
                    help=english("eval.evaluate-from-shallower-call.help"),
                    notes=(english("while-evaluating", what=_describe_rule(rule)),),
                )
                self.memo[current] = _Outcome(
                    None, diagnostic, self._rule_node(rule, None, None, diagnostic)
                )
        return self.memo[key]

    def _evaluate_rule(self, key: str) -> _Outcome:
        rule = self.policy.rules.get(key)
        if rule is None:
            raise _internal_message(english("eval.reference-unknown-rule", key=key))
        if rule.is_function:
            raise _internal_message(english("eval.rule-takes-parameters-but", key=key))
        if key in self.active:
            raise _internal_message(english("eval.rule-depends-on-itself", key=key))
        self.active.add(key)
        # A nullary rule's outcome is shared by every rule that uses it, so its diagnostics
        # name it alone, not whichever rule happened to need it first.
        outer_context, self.context = self.context, [rule]
        try:
            try:
                value, body = self._eval(rule.body, {})
                error = None
            except Fault as fault:
                value, body, error = None, fault.explanation, fault.diagnostic
        finally:
            self.active.discard(key)
            self.context = outer_context
        outcome = _Outcome(value, error, self._rule_node(rule, value, body, error))
        self.memo[key] = outcome
        return outcome

    def _rule_node(
        self,
        rule: model.RuleDef,
        value: Any,
        body: Explanation | None,
        error: Diagnostic | None,
    ) -> Explanation | None:
        if not self.trace:
            return None
        return Explanation(
            kind=rule.kind,
            expr=rule.name,
            value=value,
            type=rule.type,
            span=rule.span,
            children=(body,) if body is not None else (),
            name=rule.key,
            label=rule.label,
            cites=rule.cites,
            error=error,
        )

    def _static_deps(self, key: str) -> tuple[str, ...]:
        """The nullary rules `key` refers to, directly or through the functions it calls."""
        cached = self.static_deps.get(key)
        if cached is not None:
            return cached
        result = rules_used(self.policy, self.policy.rules[key].body)
        self.static_deps[key] = result
        return result

    # -- the walk --------------------------------------------------------------------------

    def value_of(self, expr: model.CExpr, env: Mapping[str, Any]) -> Any:
        """The value of `expr` with the locals `env`, the rules it refers to evaluated (once)
        as needed; an evaluation error raises `Fault`."""
        return self._eval(expr, env)[0]

    def _eval(self, expr: model.CExpr, env: Mapping[str, Any]) -> _Result:
        self.depth += 1
        try:
            if self.depth > self.max_depth:
                raise self._fault(
                    expr,
                    "too-deep",
                    english("evaluation-too-deep", limit=self.max_depth),
                    english("eval.rules-with-parameters-call.help"),
                    (),
                )
            # The table read directly: `visit` would add a frame to every level of the walk.
            handler = self.dispatch_table.get(type(expr))
            if handler is None:
                raise unhandled_kind(type(self).__name__, type(expr).__name__)
            result: _Result = handler(self, expr, env)
            return result
        finally:
            self.depth -= 1

    def _operands(
        self, exprs: Sequence[model.CExpr], env: Mapping[str, Any]
    ) -> tuple[list[Any], list[Explanation], Fault | None]:
        """Evaluate every expression, even after one fails (fail closed)."""
        values: list[Any] = []
        nodes: list[Explanation] = []
        first: Fault | None = None
        for expr in exprs:
            try:
                value, node = self._eval(expr, env)
            except Fault as fault:
                if first is None:
                    first = fault
                value, node = None, fault.explanation
            values.append(value)
            if node is not None:
                nodes.append(node)
        return values, nodes, first

    # -- explanation and error helpers -----------------------------------------------------

    def _node(
        self,
        expr: Any,
        kind: str,
        value: Any,
        children: Sequence[Explanation | None] = (),
        **fields: Any,
    ) -> Explanation | None:
        if not self.trace:
            return None
        span = getattr(expr, "span", None)
        return Explanation(
            kind=kind,
            expr=span.text if span is not None else "",
            value=value,
            type=getattr(expr, "type", None),
            span=span,
            children=tuple(child for child in children if child is not None),
            **fields,
        )

    def _failed(
        self,
        expr: Any,
        kind: str,
        children: Sequence[Explanation | None],
        fault: Fault,
        **fields: Any,
    ) -> Fault:
        """A fault from below, passed up through this node."""
        node = self._node(expr, kind, None, children, error=fault.diagnostic, **fields)
        return Fault(fault.diagnostic, node)

    def _fault(
        self,
        expr: Any,
        code: str,
        message: str,
        help_text: str | None,
        children: Sequence[Explanation | None],
        *,
        kind: str | None = None,
        labels: tuple[Label, ...] = (),
        **fields: Any,
    ) -> Fault:
        """A new fault located at `expr`."""
        diagnostic = self._diagnostic(expr.span, code, message, help_text, labels)
        node = self._node(expr, kind or _kind_of(expr), None, children, error=diagnostic, **fields)
        return Fault(diagnostic, node)

    def _diagnostic(
        self,
        span: Span | None,
        code: str,
        message: str,
        help_text: str | None,
        labels: tuple[Label, ...] = (),
    ) -> Diagnostic:
        notes: list[str] = []
        if self.context:
            notes.append(english("while-evaluating", what=_describe_rule(self.context[-1])))
            outer = self.context[0]
            if outer is not self.context[-1]:
                notes.append(english("called-from", what=_describe_rule(outer)))
        return Diagnostic(
            code, message, span=span, help=help_text, notes=tuple(notes), labels=labels
        )

    def _none_fault(self, expr: Any, operand: Any, children: Sequence[Explanation | None]) -> Fault:
        return self._fault(
            expr,
            "unexpected-none",
            english("value-none", expr=_text(operand)),
            _NONE_HELP,
            children,
        )

    # -- leaves ----------------------------------------------------------------------------

    @visits(model.Const)
    def _const(self, expr: model.Const, env: Mapping[str, Any]) -> _Result:
        return expr.value, self._node(expr, "const", expr.value)

    @visits(model.InputRef)
    def _input(self, expr: model.InputRef, env: Mapping[str, Any]) -> _Result:
        definition = self.input_defs.get(expr.name)
        label = definition.label if definition is not None else None
        if expr.name in self.inputs:
            value = self.inputs[expr.name]
        elif isinstance(expr.type, OptionalType):
            value = None
        else:
            raise self._fault(
                expr,
                "missing-fact",
                english("input-missing", name=expr.name),
                english("supply-in-facts", name=expr.name),
                (),
                name=expr.name,
                label=label,
            )
        return value, self._node(expr, "input", value, name=expr.name, label=label)

    @visits(model.ParamRef)
    def _param(self, expr: model.ParamRef, env: Mapping[str, Any]) -> _Result:
        definition = self.policy.params.get(expr.key)
        if expr.key in self.params:
            value = self.params[expr.key]
        elif definition is not None:
            value = definition.default
        else:
            raise _internal_message(english("eval.reference-unknown-param", key=expr.key))
        return value, self._node(
            expr,
            "param",
            value,
            name=expr.key,
            label=definition.label if definition is not None else None,
            cites=definition.cites if definition is not None else (),
        )

    @visits(model.RuleRef)
    def _rule_ref(self, expr: model.RuleRef, env: Mapping[str, Any]) -> _Result:
        outcome = self.memo.get(expr.key)
        if outcome is None:
            if expr.key in self.active:
                raise _internal_message(english("eval.rule-depends-on-itself", key=expr.key))
            if self.depth > self.defer_at:
                raise _Defer(expr.key)
            outcome = self._evaluate_rule(expr.key)
        node = None
        if self.trace:
            # A node for this reference (its own place in the source), sharing the memoised
            # subtree of the rule's body: the body is explained once however often it is used.
            rule = self.policy.rules[expr.key]
            shared = outcome.explanation
            node = Explanation(
                kind=rule.kind,
                expr=expr.span.text if _has_span(expr) else rule.name,
                value=outcome.value,
                type=expr.type,
                span=getattr(expr, "span", None),
                children=shared.children if shared is not None else (),
                name=rule.key,
                label=rule.label,
                cites=rule.cites,
                error=outcome.error,
            )
        if outcome.error is not None:
            raise Fault(outcome.error, node)
        return outcome.value, node

    @visits(model.LocalRef)
    def _local(self, expr: model.LocalRef, env: Mapping[str, Any]) -> _Result:
        if expr.name not in env:
            raise _internal_message(english("eval.unbound-local", name=expr.name))
        value = env[expr.name]
        return value, self._node(expr, "local", value, name=expr.name)

    @visits(model.GetField)
    def _get_field(self, expr: model.GetField, env: Mapping[str, Any]) -> _Result:
        target, target_node = self._eval_one(expr.target, env, expr, "field")
        extra: dict[str, Any] = {}
        if self.trace:
            record_type = strip_optional(expr.target.type)
            info = (
                record_type.field(expr.field)
                if isinstance(record_type, RecordType | SumType)
                else None
            )
            extra = {
                "name": expr.field,
                "label": info.label if info is not None else None,
                "cites": info.cites if info is not None else (),
            }
        if target is None:
            raise self._none_fault(expr, expr.target, [target_node])
        if not isinstance(target, dict):
            raise _internal_message(english("eval.field-access-on-value", text=_text(expr)))
        if expr.field in target:
            value = target[expr.field]
        elif isinstance(expr.type, OptionalType):
            value = None
        else:
            raise self._fault(
                expr,
                "missing-fact",
                english("field-missing", field=expr.field, record=_text(expr.target)),
                english("supply-in-facts", name=expr.field),
                [target_node],
                **extra,
            )
        return value, self._node(expr, "field", value, [target_node], **extra)

    def _eval_one(
        self, expr: model.CExpr, env: Mapping[str, Any], parent: Any, kind: str, **fields: Any
    ) -> _Result:
        """Evaluate one operand; a fault passes up through a `kind` node for `parent`."""
        try:
            return self._eval(expr, env)
        except Fault as fault:
            raise self._failed(parent, kind, [fault.explanation], fault, **fields) from None

    # -- calls -----------------------------------------------------------------------------

    @visits(model.CallRule)
    def _call_rule(self, expr: model.CallRule, env: Mapping[str, Any]) -> _Result:
        rule = self.policy.rules.get(expr.key)
        if rule is None or rule.params is None:
            raise _internal_message(english("eval.call-not-rule-with", key=expr.key))
        if len(rule.params) != len(expr.args):
            raise _internal_message(
                english("eval.called-with-arguments", key=expr.key, count=len(expr.args))
            )
        fields = {"name": rule.key, "label": rule.label, "cites": rule.cites}
        values, nodes, first = self._operands(expr.args, env)
        arg_nodes: list[Explanation | None] = []
        if self.trace:
            # In tracing mode every argument has a node (faults carry theirs too).
            for (name, type_), arg, value, node in zip(
                rule.params, expr.args, values, nodes, strict=True
            ):
                arg_nodes.append(
                    Explanation(
                        kind="arg",
                        expr=arg.span.text if _has_span(arg) else name,
                        value=value,
                        type=type_,
                        span=getattr(arg, "span", None),
                        children=(node,),
                        name=name,
                        error=node.error,
                    )
                )
        if first is not None:
            raise self._failed(expr, "call", arg_nodes, first, **fields)
        for (_, type_), arg, value in zip(rule.params, expr.args, values, strict=True):
            if value is None and not isinstance(type_, OptionalType):
                raise self._none_fault(expr, arg, arg_nodes)
        local = {name: value for (name, _), value in zip(rule.params, values, strict=True)}
        self.context.append(rule)
        try:
            value, body = self._eval(rule.body, local)
        except Fault as fault:
            raise self._failed(
                expr, "call", [*arg_nodes, fault.explanation], fault, **fields
            ) from None
        finally:
            self.context.pop()
        return value, self._node(expr, "call", value, [*arg_nodes, body], **fields)

    @visits(model.BuiltinCall)
    def _builtin(self, expr: model.BuiltinCall, env: Mapping[str, Any]) -> _Result:
        values, nodes, first = self._operands(expr.args, env)
        if first is not None:
            raise self._failed(expr, "builtin", nodes, first, name=expr.name)
        for arg, value in zip(expr.args, values, strict=True):
            if value is None and not (expr.name in ("min", "max") and len(values) == 1):
                raise self._none_fault(expr, arg, nodes)
        entry = semantics.BUILTINS.get(expr.name)
        if entry is None:
            raise _internal_message(english("eval.unknown-builtin", name=expr.name))
        if expr.name == "sample" and self.trace:
            return self._traced_sample(entry, expr, values, nodes)
        try:
            value = entry.value(expr, values)
        except semantics.SemanticError as error:
            raise self._semantic_fault(error, expr, nodes, "builtin", name=expr.name) from None
        detail = None
        if self.trace and entry.call_detail is not None:
            detail = entry.call_detail(expr, values, value)
        return value, self._node(expr, "builtin", value, nodes, detail=detail, name=expr.name)

    def _traced_sample(
        self,
        entry: semantics.Operation,
        expr: model.BuiltinCall,
        values: list[Any],
        nodes: list[Explanation],
    ) -> _Result:
        """`sample(keys, rate, seed)` explained: the draw, and how to audit it (the keys
        drawn with their ranks, how to redo it); its errors are the entry's."""
        keys, rate, seed = values
        try:
            draw = sampling.draw(keys, rate, seed) if 0 <= rate <= 1 else None
        except sampling.SampleError:
            draw = None
        if draw is None:
            try:
                entry.value(expr, values)
            except semantics.SemanticError as error:
                raise self._semantic_fault(error, expr, nodes, "builtin", name="sample") from None
            raise _internal_message(english("eval.sample-refused-arguments-without"))
        detail, audit, omitted = sample_audit(expr, draw, rate, seed)
        return draw.chosen, self._node(
            expr,
            "builtin",
            draw.chosen,
            [*nodes, *audit],
            detail=detail,
            omitted=omitted,
            name="sample",
        )

    def _semantic_fault(
        self,
        error: semantics.SemanticError,
        expr: Any,
        nodes: list[Explanation],
        kind: str,
        **fields: Any,
    ) -> Fault:
        """An operation's error (from its entry in the table of semantics) as a fault
        located at `expr`."""
        return self._fault(
            expr,
            error.code,
            error.message,
            error.help,
            nodes,
            kind=kind,
            labels=error.labels,
            **fields,
        )

    @visits(model.StageLookup)
    def _stage(self, expr: model.StageLookup, env: Mapping[str, Any]) -> _Result:
        schedule = self.policy.schedules.get(expr.key)
        if schedule is None:
            raise _internal_message(english("eval.reference-unknown-schedule", key=expr.key))
        fields = {"name": f"{schedule.key}.stage", "label": schedule.label, "cites": schedule.cites}
        value, node = self._eval_one(expr.arg, env, expr, "stage", **fields)
        if value is None:
            raise self._none_fault(expr, expr.arg, [node])
        if isinstance(value, datetime.date):
            found = next(
                (
                    s
                    for s in schedule.stages
                    if (s.start is None or s.start <= value) and value <= s.end
                ),
                None,
            )
            what = value.isoformat()
        else:
            found = next((s for s in schedule.stages if value in s.periods), None)
            what = f"{schedule.period_name} {value}"
        result = found.name if found is not None else None
        detail: str | None = None
        if self.trace:
            if found is None:
                detail = english("no-stage", what=what, schedule=schedule.name)
            else:
                label = f' "{found.label}"' if found.label else ""
                start = f"{found.start.isoformat()} " if found.start is not None else ""
                detail = f"{what} → {found.name}{label} ({start}.. {found.end.isoformat()})"
        return result, self._node(expr, "stage", result, [node], detail=detail, **fields)

    @visits(model.ScheduleLookup)
    def _schedule(self, expr: model.ScheduleLookup, env: Mapping[str, Any]) -> _Result:
        schedule = self.policy.schedules.get(expr.key)
        if schedule is None:
            raise _internal_message(english("eval.reference-unknown-schedule", key=expr.key))
        fields = {"name": schedule.key, "label": schedule.label, "cites": schedule.cites}
        values, nodes, first = self._operands(expr.args, env)
        if first is not None:
            raise self._failed(expr, "schedule", nodes, first, **fields)
        for arg, value in zip(expr.args, values, strict=True):
            if value is None:
                raise self._none_fault(expr, arg, nodes)
        period = values[0]
        category = values[1] if len(values) > 1 else None
        if schedule.dated:
            try:
                value = dated_value(schedule, period, category)
            except semantics.SemanticError as error:
                raise self._semantic_fault(error, expr, nodes, "schedule", **fields) from None
        else:
            value = schedule.cells.get((period, category))
        detail = None
        if self.trace:
            detail = schedule_detail(schedule, period, category, value)
            fields["cites"] = schedule_cites(schedule, period)
        return value, self._node(expr, "schedule", value, nodes, detail=detail, **fields)

    @visits(model.BandsLookup)
    def _bands(self, expr: model.BandsLookup, env: Mapping[str, Any]) -> _Result:
        bands = self.policy.bands.get(expr.key)
        if bands is None:
            raise _internal_message(english("eval.reference-unknown-bands", key=expr.key))
        fields: dict[str, Any] = {"name": bands.key, "label": bands.label, "cites": bands.cites}
        number, arg_node = self._eval_one(expr.arg, env, expr, "bands", **fields)
        if number is None:
            raise self._none_fault(expr, expr.arg, [arg_node])
        # Bounds are constants or params: evaluate them all, so a bad bound is never skipped.
        bound_exprs = [bound for band in bands.bands for bound in (band.low, band.high)]
        bounds, bound_nodes, first = self._operands(bound_exprs, {})
        if first is not None:
            raise self._failed(expr, "bands", [arg_node, *bound_nodes], first, **fields)
        matches: list[tuple[model.BandDef, Any, Any, list[Explanation]]] = []
        for index, band in enumerate(bands.bands):
            low, high = bounds[2 * index], bounds[2 * index + 1]
            if low is None or high is None:
                raise self._none_fault(expr, band.low if low is None else band.high, [arg_node])
            if band.holds(low, high, number):
                used = [
                    node
                    for bound, node in zip(
                        (band.low, band.high),
                        _bound_nodes(bound_nodes, index, self.trace),
                        strict=True,
                    )
                    if node is not None and not isinstance(bound, model.Const)
                ]
                matches.append((band, low, high, used))
        shown = format_value(number, expr.arg.type)
        if not matches:
            ranges = ", ".join(
                f"{b.name} {band_text(b, bounds[2 * i], bounds[2 * i + 1], expr.arg.type)}"
                for i, b in enumerate(bands.bands)
            )
            raise self._fault(
                expr,
                "outside-bands",
                english("outside-every-band", expr=_text(expr.arg), value=shown, bands=bands.name),
                english("bands-are", bands=ranges),
                [arg_node],
                kind="bands",
                **fields,
            )
        if len(matches) > 1:
            names = " and ".join(f"`{band.name}`" for band, *_ in matches)
            raise self._fault(
                expr,
                "overlapping-bands",
                english(
                    "eval.lies-bands",
                    text=_text(expr.arg),
                    shown=shown,
                    names=names,
                    name=bands.name,
                ),
                english("eval.band-bounds-overlap-param.help"),
                [arg_node],
                kind="bands",
                **fields,
            )
        band, low, high, used = matches[0]
        detail = None
        if self.trace:
            label = f' "{band.label}"' if band.label else ""
            detail = english(
                "band-detail",
                value=shown,
                range=band_text(band, low, high, expr.arg.type),
                band=f"{band.name}{label}",
            )
        # A declared hole (`80 ..< 90 none`) is no grade: the lookup gives none there.
        value = None if band.is_hole else band.name
        return value, self._node(expr, "bands", value, [arg_node, *used], detail=detail, **fields)

    # -- operators -------------------------------------------------------------------------

    @visits(model.Negate)
    def _negate(self, expr: model.Negate, env: Mapping[str, Any]) -> _Result:
        value, node = self._eval_one(expr.operand, env, expr, "negate")
        if value is None:
            raise self._none_fault(expr, expr.operand, [node])
        result = _NEGATE.value(expr, [value])
        return result, self._node(expr, "negate", result, [node])

    @visits(model.Arith)
    def _arith(self, expr: model.Arith, env: Mapping[str, Any]) -> _Result:
        (left, right), nodes, first = self._operands((expr.left, expr.right), env)
        if first is not None:
            raise self._failed(expr, "arith", nodes, first, name=expr.op)
        for operand, value in ((expr.left, left), (expr.right, right)):
            if value is None:
                raise self._none_fault(expr, operand, nodes)
        entry = semantics.OPERATIONS.get(("arith", expr.op))
        if entry is None:
            raise _internal_message(english("eval.unknown-arithmetic-operator", op=expr.op))
        try:
            result = entry.value(expr, [left, right])
        except semantics.SemanticError as error:
            raise self._semantic_fault(error, expr, nodes, "arith", name=expr.op) from None
        return result, self._node(expr, "arith", result, nodes, name=expr.op)

    @visits(model.Compare)
    def _compare(self, expr: model.Compare, env: Mapping[str, Any]) -> _Result:
        (left, right), nodes, first = self._operands((expr.left, expr.right), env)
        if first is not None:
            raise self._failed(expr, "compare", nodes, first, name=expr.op)
        entry = semantics.OPERATIONS.get(("compare", expr.op))
        if entry is None or entry.detail is None:
            raise _internal_message(english("eval.unknown-comparison", op=expr.op))
        try:
            result = entry.value(expr, [left, right])
        except semantics.SemanticError as error:
            raise self._semantic_fault(error, expr, nodes, "compare", name=expr.op) from None
        detail = entry.detail(expr, left, right, result) if self.trace else None
        return result, self._node(expr, "compare", result, nodes, detail=detail, name=expr.op)

    @visits(model.In)
    def _in(self, expr: model.In, env: Mapping[str, Any]) -> _Result:
        (item, collection), nodes, first = self._operands((expr.item, expr.collection), env)
        if first is not None:
            raise self._failed(expr, "in", nodes, first)
        if collection is None:
            raise self._none_fault(expr, expr.collection, nodes)
        if item is None and not isinstance(element_type(expr.collection.type), OptionalType):
            raise self._none_fault(expr, expr.item, nodes)
        result = (item in collection) != expr.negated
        return result, self._node(expr, "in", result, nodes)

    @visits(model.IsNone)
    def _is_none(self, expr: model.IsNone, env: Mapping[str, Any]) -> _Result:
        value, node = self._eval_one(expr.operand, env, expr, "is_none")
        result = (value is None) != expr.negated
        return result, self._node(expr, "is_none", result, [node])

    @visits(model.Coalesce)
    def _coalesce(self, expr: model.Coalesce, env: Mapping[str, Any]) -> _Result:
        value, node = self._eval_one(expr.value, env, expr, "coalesce")
        if value is not None:
            return value, self._node(expr, "coalesce", value, [node])
        detail = english("fallback-used")
        try:
            fallback, fallback_node = self._eval(expr.fallback, env)
        except Fault as fault:
            raise self._failed(
                expr, "coalesce", [node, fault.explanation], fault, detail=detail
            ) from None
        return fallback, self._node(
            expr, "coalesce", fallback, [node, fallback_node], detail=detail
        )

    @visits(model.Not)
    def _not(self, expr: model.Not, env: Mapping[str, Any]) -> _Result:
        value, node = self._eval_one(expr.operand, env, expr, "not")
        if value is None:
            raise self._none_fault(expr, expr.operand, [node])
        return not value, self._node(expr, "not", not value, [node])

    @visits(model.And, model.Or)
    def _and_or(self, expr: model.And | model.Or, env: Mapping[str, Any]) -> _Result:
        kind = "and" if isinstance(expr, model.And) else "or"
        values, nodes, first = self._operands(expr.operands, env)
        if first is not None:
            raise self._failed(expr, kind, nodes, first)
        for operand, value in zip(expr.operands, values, strict=True):
            if value is None:
                raise self._none_fault(expr, operand, nodes)
        result = all(values) if kind == "and" else any(values)
        detail = semantics.count_detail(kind, values, None) if self.trace else None
        return result, self._node(expr, kind, result, nodes, detail=detail)

    @visits(model.If)
    def _if(self, expr: model.If, env: Mapping[str, Any]) -> _Result:
        condition, condition_node = self._eval_one(expr.condition, env, expr, "if")
        if condition is None:
            raise self._none_fault(expr, expr.condition, [condition_node])
        branch = expr.then if condition else expr.otherwise
        detail = english("then") if condition else english("else")
        try:
            value, branch_node = self._eval(branch, env)
        except Fault as fault:
            raise self._failed(
                expr, "if", [condition_node, fault.explanation], fault, detail=detail
            ) from None
        return value, self._node(expr, "if", value, [condition_node, branch_node], detail=detail)

    @visits(model.Compose)
    def _compose(self, expr: model.Compose, env: Mapping[str, Any]) -> _Result:
        kind = expr.kind
        exprs = list(expr.items)
        if kind == "at_least":
            if expr.count is None:
                raise _internal_message(english("eval.at-least-without-count"))
            exprs.append(expr.count)
        values, nodes, first = self._operands(exprs, env)
        if first is not None:
            raise self._failed(expr, kind, nodes, first)
        for operand, value in zip(exprs, values, strict=True):
            if value is None:
                raise self._none_fault(expr, operand, nodes)
        needed = values.pop() if kind == "at_least" else None
        if kind == "all":
            result = all(values)
        elif kind == "any":
            result = any(values)
        elif kind == "at_least":
            result = sum(1 for value in values if value) >= typing.cast(int, needed)
        else:
            raise _internal_message(english("eval.unknown-composition", kind=kind))
        detail = semantics.count_detail(kind, values, needed) if self.trace else None
        if kind == "at_least" and isinstance(expr.count, model.Const):
            nodes = nodes[: len(values)]  # the literal count is already in the detail
        return result, self._node(expr, kind, result, nodes, detail=detail)

    @visits(model.MakeList)
    def _make_list(self, expr: model.MakeList, env: Mapping[str, Any]) -> _Result:
        values, nodes, first = self._operands(expr.items, env)
        if first is not None:
            raise self._failed(expr, "list", nodes, first)
        result = tuple(values)
        return result, self._node(expr, "list", result, nodes)

    @visits(model.MakeRecord)
    def _make_record(self, expr: model.MakeRecord, env: Mapping[str, Any]) -> _Result:
        exprs = [*expr.spreads, *(value for _, value in expr.fields)]
        values, nodes, first = self._operands(exprs, env)
        if first is not None:
            raise self._failed(expr, "record", nodes, first)
        result: dict[str, Any] = {}
        for spread, value in zip(expr.spreads, values, strict=False):
            if value is None:
                raise self._none_fault(expr, spread, nodes)
            if not isinstance(value, dict):
                raise _internal_message(english("eval.spread-not-record", text=_text(spread)))
            result.update(value)
        for (name, _), value in zip(expr.fields, values[len(expr.spreads) :], strict=True):
            result[name] = value
        return result, self._node(expr, "record", result, nodes)

    # -- aggregates ------------------------------------------------------------------------

    @visits(model.Aggregate)
    def _aggregate(self, expr: model.Aggregate, env: Mapping[str, Any]) -> _Result:
        collection, collection_node = self._eval_one(
            expr.collection, env, expr, "aggregate", name=expr.kind
        )
        if collection is None:
            raise self._none_fault(expr, expr.collection, [collection_node])
        item_type = element_type(expr.collection.type)
        elements: list[Element] = []
        first: Fault | None = None
        for index, item in enumerate(collection):
            element = self._element(expr, env, index, item, item_type)
            # Only the few elements the explanation lists keep a node (built again below):
            # a long list costs memory for its values, never for a tree per element.
            element.node = None
            if element.fault is not None:
                element.fault.explanation = None
                if first is None:
                    first = element.fault
            elements.append(element)
        if first is not None:
            faulted = [e for e in elements if e.fault is not None]
            shown = self._retraced(expr, env, faulted[:MAX_LISTED_ELEMENTS], item_type)
            nodes = [collection_node, *(e.node for e in shown)]
            raise self._failed(expr, "aggregate", nodes, shown[0].fault or first, name=expr.kind)
        chosen = [e for e in elements if e.matched]
        try:
            value = self._reduce(expr, chosen)
        except Fault as fault:
            raise self._failed(
                expr, "aggregate", [collection_node], fault, name=expr.kind
            ) from None
        if not self.trace:
            return value, None
        listing = list_elements(expr, chosen, value)
        listed = self._retraced(expr, env, listing.listed, item_type)
        return value, self._node(
            expr,
            "aggregate",
            value,
            [collection_node, *(e.node for e in listed)],
            name=expr.kind,
            detail=aggregate_detail(expr, elements, chosen, value),
            omitted=listing.omitted,
            omitted_detail=listing.omitted_detail,
        )

    def _retraced(
        self,
        expr: model.Aggregate,
        env: Mapping[str, Any],
        elements: Sequence[Element],
        element_type: Type | None,
    ) -> list[Element]:
        """`elements` evaluated again, with their nodes (evaluation is deterministic, and the
        nullary rules they use are memoised: the same values and the same shared nodes)."""
        if not self.trace:
            return list(elements)
        return [self._element(expr, env, e.index, e.item, element_type) for e in elements]

    def _element(
        self,
        expr: model.Aggregate,
        env: Mapping[str, Any],
        index: int,
        item: Any,
        element_type: Type | None,
    ) -> Element:
        local = dict(env)
        local[expr.var] = item
        nodes: list[Explanation | None] = []
        if self.trace:
            nodes.append(
                Explanation(
                    kind="local", expr=expr.var, value=item, type=element_type, name=expr.var
                )
            )
        matched = True
        fault: Fault | None = None
        body_value: Any = item
        # The filter guards the body, as `if` guards its branches (`where u.total > 0 :
        # u.passed / u.total`); every element is still visited, so no error is skipped.
        if expr.filter is not None:
            try:
                passed, filter_node = self._eval(expr.filter, local)
                if passed is None:
                    fault = self._none_fault(expr.filter, expr.filter, [filter_node])
                    filter_node = fault.explanation
                matched = bool(passed)
            except Fault as failure:
                fault, filter_node = failure, failure.explanation
            if self.trace:
                # Wrapped, so that a filter is never mistaken for the body that follows it.
                nodes.append(
                    Explanation(
                        kind="where",
                        expr=filter_node.expr if filter_node is not None else "",
                        value=matched if fault is None else None,
                        type=expr.filter.type,
                        span=getattr(expr.filter, "span", None),
                        children=(filter_node,) if filter_node is not None else (),
                        error=fault.diagnostic if fault is not None else None,
                    )
                )
            if expr.body is None and expr.kind == "count":
                body_value = matched
        if fault is None and matched and expr.body is not None:
            try:
                body_value, body_node = self._eval(expr.body, local)
            except Fault as failure:
                fault, body_node = failure, failure.explanation
            nodes.append(body_node)
        node = None
        if self.trace:
            node = Explanation(
                kind="element",
                expr=expr.var,
                value=body_value if fault is None else None,
                type=expr.body.type if expr.body is not None else element_type,
                children=tuple(n for n in nodes if n is not None),
                name=expr.var,
                detail=f"#{index + 1}",
                error=fault.diagnostic if fault is not None else None,
            )
        if fault is not None:
            fault = Fault(fault.diagnostic, node)
        return Element(index, matched, body_value, node, fault, expr.body or expr, item)

    def _reduce(self, expr: model.Aggregate, chosen: list[Element]) -> Any:
        kind = expr.kind
        if kind == "count":
            if expr.body is None:
                return len(chosen)
            return sum(1 for element in chosen if self._truth(element))
        if kind == "list":
            return tuple(element.value for element in chosen)
        values = [self._required(element) for element in chosen]
        if kind not in REDUCED:
            raise _internal_message(english("eval.unknown-aggregate", kind=kind))
        return reduce_values(kind, values)

    def _required(self, element: Element) -> Any:
        if element.value is None:
            raise self._none_fault(element.where, element.where, ())
        return element.value

    def _truth(self, element: Element) -> bool:
        return bool(self._required(element))


class Element:
    """One element of an aggregate: whether it passed the filter, its body value, its node."""

    __slots__ = ("fault", "index", "item", "matched", "node", "value", "where")

    def __init__(
        self,
        index: int,
        matched: bool,
        value: Any,
        node: Explanation | None,
        fault: Fault | None,
        where: Any,
        item: Any,
    ) -> None:
        self.index = index
        self.matched = matched
        self.value = value
        self.node = node
        self.fault = fault
        self.where = where
        self.item = item


# ------------------------------------------------------------------------------------------
# Builtins


_NEGATE = semantics.OPERATIONS["negate", "neg"]


def _key_text(key: Any) -> str:
    return f'"{key}"' if isinstance(key, str) else integer_text(key)


# ------------------------------------------------------------------------------------------
# Details: the short notes explanations carry


def rules_used(policy: model.CheckedPolicy, body: model.CExpr) -> tuple[str, ...]:
    """The nullary rules `body` refers to, directly or through the rules with parameters it
    calls, in the order first met (without recursion: bodies may be deep)."""
    found: dict[str, None] = {}
    seen_functions: set[str] = set()
    stack: list[model.CExpr] = [body]
    while stack:
        expr = stack.pop()
        if isinstance(expr, model.RuleRef):
            found.setdefault(expr.key, None)
        elif isinstance(expr, model.CallRule) and expr.key not in seen_functions:
            seen_functions.add(expr.key)
            function = policy.rules.get(expr.key)
            if function is not None:
                stack.append(function.body)
        stack.extend(model.children(expr))
    return tuple(found)


REDUCED = frozenset({"sum", "min", "max", "all", "any", "rate"})
"""The aggregate kinds whose value `reduce_values` computes from the chosen elements."""


def reduce_values(
    kind: str, values: Sequence[Any], total: Callable[[Sequence[Any]], Any] | None = None
) -> Any:
    """The value of a `sum`, `min`, `max`, `all`, `any` or `rate` aggregate of `values` (the
    bodies of the elements that passed the filter, none of them `none`). `total` adds numbers
    up (the compiled code passes its own, for its forms of numbers)."""
    if kind == "sum":
        return sum(values, 0) if total is None else total(values)
    if kind == "min":
        return min(values) if values else None
    if kind == "max":
        return max(values) if values else None
    if kind == "all":
        return all(values)
    if kind == "any":
        return any(values)
    if not values:  # rate
        return None
    return Fraction(sum(1 for value in values if value), len(values))


def sample_audit(
    expr: model.BuiltinCall, draw: sampling.Draw, rate: Any, seed: Any
) -> tuple[str, list[Explanation], int]:
    """How a `sample(keys, rate, seed)` draw is explained: the detail of its node, the nodes
    after its arguments' (the keys drawn, each with its rank, then how to reproduce the
    draw) and how many drawn keys are left out of the list."""
    rate_text = semantics.number_text(rate, semantics.is_percent(expr.args[1].type))
    element = element_type(expr.type)
    seed_text = _key_text(seed)
    detail = english("sample.detail", n=draw.n, rate=rate_text, size=draw.size, seed=seed_text)
    shown = draw.drawn[:MAX_LISTED_ELEMENTS]
    draws = [
        Explanation(
            kind="draw",
            expr=_key_text(item.key),
            value=item.key,
            type=element,
            name=f"#{index}",
            detail=english("sample.rank", rank=item.digest[:16]),
        )
        for index, item in enumerate(shown, start=1)
    ]
    how = Explanation(
        kind="note",
        expr=english(
            "sample.reproduce",
            version=sampling.ENCODING_VERSION,
            seed=seed_text,
            size=draw.size,
        ),
        value=None,
        type=None,
    )
    return detail, [*draws, how], len(draw.drawn) - len(shown)


def aggregate_detail(
    expr: model.Aggregate, elements: list[Element], chosen: list[Element], value: Any
) -> str:
    """The note of an aggregate's node (`2 of 5 (40%)`, `over 3 of 4 elements`) from all its
    elements, those that passed the filter and its value."""
    kind = expr.kind
    total = len(chosen)
    if kind == "rate":
        if value is None:
            return english("no-element-to-rate")
        held = sum(1 for element in chosen if element.value)
        return english("k-rate", held=held, total=total, rate=semantics.number_text(value, True))
    # A collecting decision table's lowered aggregate goes over its rows.
    rows = expr.var == TABLE_ROW_VARIABLE
    if kind == "count":
        return english("k-rows" if rows else "k-elements", count=value, total=len(elements))
    if kind == "all":
        failed = total - sum(1 for element in chosen if element.value)
        return (
            english("all-hold", total=total)
            if not failed
            else english("k-failed", failed=failed, total=total)
        )
    if kind == "any":
        held = sum(1 for element in chosen if element.value)
        return (
            english("k-hold", held=held, total=total) if held else english("none-hold", total=total)
        )
    if expr.filter is not None:
        return english(
            "over-k-rows" if rows else "over-k-elements", count=total, total=len(elements)
        )
    return english("over-elements", count=total)


@attrs.frozen
class ElementListing:
    """The elements an aggregate's explanation lists, and what it says of the others."""

    listed: tuple[Element, ...]
    omitted: int
    omitted_detail: str | None


def list_elements(expr: model.Aggregate, chosen: Sequence[Element], value: Any) -> ElementListing:
    """The elements that decided an aggregate's value first, at most `MAX_LISTED_ELEMENTS`
    in all, then the rest counted: a failed `all of` lists its failed elements (then held
    ones), a held `any of` its held ones, `rate of` the failed first, `min of`/`max of` the
    elements equal to the result first, the others their elements in order. For a boolean
    body the count of the rest says how many of them held and failed. Linear in the number of
    elements; the reference evaluator and the compiled tracer both list with this."""
    kind = expr.kind
    if kind in ("all", "rate"):
        ordered: Iterable[Element] = itertools.chain(
            (e for e in chosen if not e.value), (e for e in chosen if e.value)
        )
    elif kind == "any" and value:
        ordered = (e for e in chosen if e.value)
    elif kind in ("min", "max") and value is not None:
        ordered = itertools.chain(
            (e for e in chosen if e.value == value), (e for e in chosen if e.value != value)
        )
    else:
        ordered = chosen
    listed = tuple(itertools.islice(ordered, MAX_LISTED_ELEMENTS))
    omitted = len(chosen) - len(listed)
    detail = None
    boolean = kind in ("all", "any", "rate") or (kind == "count" and expr.body is not None)
    if omitted and boolean:
        held = sum(1 for e in chosen if e.value) - sum(1 for e in listed if e.value)
        detail = english("k-held-k-failed", held=held, failed=omitted - held)
    return ElementListing(listed, omitted, detail)


def dated_value(schedule: model.ScheduleDef, day: datetime.date, category: Any) -> Any:
    """The value of a schedule `by date` on `day`: its cell in the stage in force (the last
    that starts on or before `day`). Before the first stage: `none` when the values are
    optional, else the error `before-first-date`."""
    stage = schedule.in_force(day)
    if stage is not None:
        return schedule.cells.get((stage.start, category))
    if isinstance(schedule.value_type, OptionalType):
        return None
    first = schedule.dated[0].start.isoformat()
    raise semantics.SemanticError(
        "before-first-date",
        english("before-first-date", schedule=schedule.name, day=day.isoformat(), first=first),
        english("before-first-date.help", type=describe(schedule.value_type)),
    )


def schedule_cites(schedule: model.ScheduleDef, period: Any) -> tuple[str, ...]:
    """The citations of a lookup: the schedule's, then those of the dated stage in force."""
    stage = schedule.in_force(period) if schedule.dated else None
    if stage is None:
        return schedule.cites
    return (*schedule.cites, *(c for c in stage.cites if c not in schedule.cites))


def schedule_detail(schedule: model.ScheduleDef, period: Any, category: Any, value: Any) -> str:
    """The note of a schedule lookup: `2015 × B → 10% (stage s2 "…")`, or for a schedule `by
    date`, `2024-08-01 → 1260 (in force from 2024-07-01 "…")`."""
    key = f"{period} × {category}" if category is not None else f"{period}"
    shown = format_value(value, schedule.value_type)
    if schedule.dated:
        dated = schedule.in_force(period)
        if dated is None:
            first = schedule.dated[0].start.isoformat()
            return english("before-first-date", schedule=schedule.name, day=key, first=first)
        label = f' "{dated.label}"' if dated.label else ""
        return english("dated-cell", key=key, value=shown, start=dated.start, label=label)
    stage = next((s for s in schedule.stages if period in s.periods), None)
    if value is None:
        return english("no-cell", key=key, schedule=schedule.name)
    if stage is None:
        return f"{key} → {shown}"
    label = f" {stage.label}" if stage.label else ""
    return english("stage-cell", key=key, value=shown, stage=f"{stage.name}{label}")


def band_text(band: model.BandDef, low: Any, high: Any, type_: Type) -> str:
    """`60 ..< 80`, `110 <.. 200`: a band's range with its bounds' values."""
    operator = model.range_operator(band.low_inclusive, band.high_inclusive)
    return f"{format_value(low, type_)} {operator} {format_value(high, type_)}"


def _bound_nodes(
    nodes: list[Explanation], index: int, trace: bool
) -> tuple[Explanation | None, Explanation | None]:
    if not trace:
        return None, None
    return nodes[2 * index], nodes[2 * index + 1]


# ------------------------------------------------------------------------------------------
# Small helpers


def element_type(type_: Type | None) -> Type | None:
    """The element type of a (perhaps optional) list type, else None."""
    inner = strip_optional(type_) if type_ is not None else None
    return getattr(inner, "element", None)


def _kind_of(expr: Any) -> str:
    if isinstance(expr, model.Compose):
        return expr.kind
    if isinstance(expr, model.RuleRef):
        return "rule"
    return _KINDS.get(type(expr), "expr")


def _has_span(expr: Any) -> bool:
    return getattr(expr, "span", None) is not None


_text = semantics.written


def _describe_rule(rule: model.RuleDef) -> str:
    label = f' "{rule.label}"' if rule.label else ""
    return english("rule-described", kind=english(rule.kind), key=rule.key, label=label)


def _stack_depth() -> int:
    frame = inspect.currentframe()
    depth = 0
    while frame is not None:
        depth += 1
        frame = frame.f_back
    return depth


def _internal_message(message: str) -> InternalError:
    return InternalError(
        Diagnostic(
            "internal-error",
            english("eval.internal-error-evaluator", message=message),
            help=english("compiler.this-bug-wuxin-rules.help"),
        )
    )


def _internal(error: Exception, where: str) -> InternalError:
    return InternalError(
        Diagnostic(
            "internal-error",
            english("eval.internal-error-evaluator-2", type_name=type(error).__name__, error=error),
            notes=(where,),
            help=english("compiler.this-bug-wuxin-rules.help"),
        )
    )


_KINDS: dict[type, str] = {
    model.Const: "const",
    model.InputRef: "input",
    model.ParamRef: "param",
    model.LocalRef: "local",
    model.GetField: "field",
    model.CallRule: "call",
    model.BuiltinCall: "builtin",
    model.ScheduleLookup: "schedule",
    model.StageLookup: "stage",
    model.BandsLookup: "bands",
    model.Negate: "negate",
    model.Arith: "arith",
    model.Compare: "compare",
    model.In: "in",
    model.IsNone: "is_none",
    model.Coalesce: "coalesce",
    model.Not: "not",
    model.And: "and",
    model.Or: "or",
    model.If: "if",
    model.Aggregate: "aggregate",
    model.MakeList: "list",
    model.MakeRecord: "record",
}
