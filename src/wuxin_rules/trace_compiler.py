"""Compiled tracing: generated code that records the value of every explanation node.

`compile_tracer(policy, params, keys)` turns the requested rules into one generated Python
function that evaluates them the way the reference evaluator does in tracing mode — every
operand of `and`/`or`/`all of`/comparisons evaluated, one branch of `if`, the fallback of
`??` only when needed, every element of an aggregate visited — and keeps each node's value
in a local of its own. It returns the *record*: a tuple of those locals (one nested tuple per
element of an aggregate), the rules' values among them. No explanation object is made while
evaluating; `Tracer.evaluation(record)` builds the very trees the reference builds
(`evaluator.evaluate(..., trace=True)`: same kinds, texts, values, details, spans, shared
rule nodes) from the record and the policy, without evaluating anything again.

So a batch evaluated with explanations costs the compiled evaluation plus the record, and
the trees cost only when someone looks at them. Like the fast evaluator (`compiler`), the
tracer never reports an evaluation error: on any fault it gives up (raises), and the
document is evaluated by the reference evaluator, which explains the error. The generated
code is built by `compiler`'s generator, so the same rules hold for it: every identifier is
one the compiler made, every literal goes through `repr` or sits in the namespace.

It uses only public names: the compiler's generator (`compiler.EvalCode`, `Scope`, `Local`,
`FieldRead`, `FactsCheck`), the evaluator's explanation helpers, the table of semantics.
May import what `compiler` may, and `evaluator`, `compiler` and `trace`. Its generator
replaces the handlers of `EvalCode` whose order of evaluation matters by overriding them, as
any visitor may (`visitor.Visitor`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules import compiler, evaluator, model, sampling, semantics
from wuxin_rules.compiler import (
    ANY_FORM,
    DEC_FORM,
    INT_FORM,
    CannotCompile,
    EvalCode,
    FactsCheck,
    GeneratedCode,
    GiveUp,
    Local,
    Scope,
)
from wuxin_rules.messages import english
from wuxin_rules.schema import IntType, RecordType, SumType, strip_optional
from wuxin_rules.trace import Evaluation, Explanation, Verdict
from wuxin_rules.values import format_value
from wuxin_rules.visitor import Visitor, visits

__all__ = ["Tracer", "compile_tracer"]

_NOT_EVALUATED = object()
"""The value of a node in a branch that was not taken (never part of a tree)."""

_INLINE_CALL_DEPTH = 12
"""Rule calls are inlined at each call site (each has its own nodes); deeper nests of calls
are left to the reference evaluator."""


# ------------------------------------------------------------------------------------------
# Runtime support for the generated tracing code


def _aggregate_value(kind: str, records: list[tuple[Any, ...]], where: int, body: int) -> Any:
    """The value of an aggregate from its elements' records, as the reference reduces it.

    `where` and `body` are the positions of the filter's and the body's values in each
    record (-1 when the aggregate has none); position 0 is the element itself.
    """
    chosen: list[Any] = []
    for record in records:
        if where >= 0:
            passed = record[where]
            if passed is None:
                raise GiveUp  # the reference reports a filter that is none
            if not passed:
                continue
        if body >= 0:
            chosen.append(record[body])
        elif where >= 0 and kind == "count":
            chosen.append(True)
        else:
            chosen.append(record[0])
    if kind == "count":
        if body < 0:
            return len(chosen)
        if None in chosen:
            raise GiveUp
        return sum(1 for value in chosen if value)
    if kind == "list":
        return tuple(chosen)
    if None in chosen or kind not in evaluator.REDUCED:
        raise GiveUp
    return evaluator.reduce_values(kind, chosen, compiler.fast_sum)


_TRACE_RUNTIME: dict[str, Any] = {
    "_NE": _NOT_EVALUATED,
    "_agg": _aggregate_value,
}


# ------------------------------------------------------------------------------------------
# Templates: the static shape of the explanation tree, with the record positions of values


class _FieldOf:
    """Where a field read's value is: field `name` of the record at `parent` (a place in the
    record, or another field). Such values are not recorded twice."""

    __slots__ = ("name", "optional", "parent")

    def __init__(self, parent: int | _FieldOf, name: str, optional: bool) -> None:
        self.parent = parent
        self.name = name
        self.optional = optional


class _Template:
    """One explanation node to be: the expression, where its value sits in the record (its
    frame's position, or None for a constant or a param), the templates of its children in
    the order the reference visits them, and what some kinds need besides."""

    __slots__ = (
        "build",
        "children",
        "expr",
        "extra",
        "shared",
        "slot",
        "span",
        "static",
        "text",
        "type",
    )

    def __init__(
        self, expr: Any, slot: int | _FieldOf | None, children: list[_Template], extra: Any = None
    ) -> None:
        self.expr = expr
        self.slot = slot
        self.children = children
        self.extra = extra
        self.static: Explanation | None = None  # a constant's or a param's node, made once
        self.shared = False
        # What every node of this template shares, looked up once.
        build = _Builder.dispatch_table.get(type(expr))
        if build is None:
            raise CannotCompile(f"no explanation for `{type(expr).__name__}`")
        self.build: Callable[[_Builder, _Template, tuple[Any, ...]], Explanation] = build
        self.span = getattr(expr, "span", None)
        self.text = self.span.text if self.span is not None else ""
        self.type = getattr(expr, "type", None)


class _Frame:
    """The generated function being written: the top-level function or one aggregate's
    element function. `slots` are its recorded locals, in record order."""

    def __init__(self, source: GeneratedCode, first: str | None = None) -> None:
        self.source = source
        self.slots: list[str] = [first] if first is not None else []
        self.index: dict[str, int] = {name: i for i, name in enumerate(self.slots)}
        self.computed: dict[str, str] = {}  # code → the slot that holds its value
        self.reads: list[tuple[str, str]] = []  # (slot, code) of unconditional field reads
        self.fields: dict[str, _FieldOf] = {}  # locals that are fields of a held record
        self.lines: list[str] = []
        self.blocks: list[list[str]] = [self.lines]
        self.indent = 1
        self.conditional: list[str] = []  # slots assigned only in some branches

    def new_slot(self) -> tuple[str, int]:
        name = self.source.fresh("s")
        self.slots.append(name)
        self.index[name] = len(self.slots) - 1
        if len(self.blocks) > 1:
            self.conditional.append(name)
        return name, len(self.slots) - 1

    def new_field(self, place: _FieldOf) -> str:
        """A local for a field read of a record this frame holds: not in the record (the tree
        reads the field from the record's recorded value)."""
        name = self.source.fresh("s")
        self.fields[name] = place
        return name

    def place_of(self, name: str) -> int | _FieldOf | None:
        index = self.index.get(name)
        return index if index is not None else self.fields.get(name)

    def emit(self, line: str) -> None:
        self.blocks[-1].append("    " * self.indent + line)

    def open(self, header: str) -> None:
        self.emit(header)
        self.blocks.append([])
        self.indent += 1

    def close(self) -> None:
        block = self.blocks.pop()
        self.indent -= 1
        self.blocks[-1].extend(block or ["    " * (self.indent + 1) + "pass"])

    def head(self) -> list[str]:
        """The line giving the slots of branches a value (a branch not taken leaves it)."""
        return ["    " + " = ".join(self.conditional) + " = _NE"] if self.conditional else []

    def body(self) -> list[str]:
        return self.head() + self.lines


class _TraceCode(EvalCode):
    """`EvalCode` with every node's value kept: each expression is hoisted into a statement
    of its own (so every operand is evaluated, as in the reference), and the lazy forms
    (`if`, `??`, aggregates, rule calls) get the reference's order of evaluation."""

    def __init__(
        self, source: GeneratedCode, policy: model.CheckedPolicy, params: Mapping[str, Any]
    ) -> None:
        super().__init__(source, policy, params)
        self.root = _Frame(source)
        self.frame = self.root
        self.collected: list[list[_Template]] = [[]]
        self.rule_templates: dict[str, tuple[_Template, str, str]] = {}  # key → (body, slot, rep)
        self.pending_extra: Any = None
        self.result_places: list[int] = []  # where each requested rule's value is in the record
        self.requested: set[str] = set()

    # -- the top-level function -----------------------------------------------------------

    def traced_main(self, keys: Sequence[str]) -> str:
        """`_traced(_i)`, from checked values: the rules' values and the record."""
        self.requested = set(keys)
        self.result_places = []
        for key in keys:
            # (A constant, or a field read, goes into the record too: `positions` points there.)
            self.result_places.append(self._recorded(self.root, self.rule(key)[1]))
        return "\n".join(["def _traced(_i):", *self.root.body(), self._return()])

    def _return(self) -> str:
        return f"    return ({''.join(slot + ', ' for slot in self.root.slots)})"

    def input_locals(self) -> dict[tuple[str | None, str], str]:
        """Where `_traced` reads each field of the inputs (for tier 1, which binds the same
        locals while it checks the document): (the record's local, or None; field) → local."""
        found: dict[tuple[str | None, str], str] = {}
        records: dict[str, str | None] = {"_i": None}
        for slot, code in self.root.reads:
            read = self.field_read(code)
            if read is None or read.optional or read.record not in records:
                continue
            key = (records[read.record], read.field)
            if key not in found:
                found[key] = slot
                records[slot] = slot
        return found

    def fused(self, name: str, facts_name: str, check: list[str] | None, bound: set[str]) -> str:
        """`name(document)`: tier 1 — the plain-layout check `check` binding the locals
        `bound`, then `_traced`'s statements in the same frame — or, for any other document,
        the facts check and `_traced` (tier 2)."""
        lines = [f"def {name}(_i):"]
        if check is None:
            lines.append(f"    return _traced({facts_name}(_i))")
            return "\n".join(lines)
        lines.extend(self.root.head())
        lines.append("    try:")
        lines.extend("        " + line for line in check)
        lines.append("    except _Error:  # not laid out as declared: tier 2")
        lines.append(f"        return _traced({facts_name}(_i))")
        bound_reads = {f"    {slot} = {code}" for slot, code in self.root.reads if slot in bound}
        lines.extend(line for line in self.root.lines if line not in bound_reads)
        lines.append(self._return())
        return "\n".join(lines)

    def rule(self, key: str) -> tuple[_Template, str, str]:
        """The body template, slot and rep of nullary rule `key`, its code written at the top
        level of the top-level function (before the statement being written, wherever that
        is): a rule is evaluated once, and its node shared by every reference."""
        done = self.rule_templates.get(key)
        if done is not None:
            return done
        for dependency in self._dependencies(key):
            if dependency not in self.rule_templates:
                self._write_rule(dependency)
        return self._write_rule(key)

    def _dependencies(self, key: str) -> list[str]:
        """The nullary rules `key` needs, each after those it needs (so that writing them in
        this order never recurses from one rule into another: long chains stay shallow)."""
        order: list[str] = []
        placed: set[str] = {key}
        stack: list[tuple[str, bool]] = [(key, False)]
        while stack:
            current, expanded = stack.pop()
            if expanded:
                if current != key:
                    order.append(current)
                continue
            stack.append((current, True))
            rule = self.policy.rules.get(current)
            if rule is None:
                raise CannotCompile(f"bad reference to `{current}`")
            for needed in reversed(evaluator.rules_used(self.policy, rule.body)):
                if needed not in placed and needed not in self.rule_templates:
                    placed.add(needed)
                    stack.append((needed, False))
        return order

    def _write_rule(self, key: str) -> tuple[_Template, str, str]:
        rule = self.policy.rules.get(key)
        if rule is None or rule.is_function:
            raise CannotCompile(f"bad reference to `{key}`")
        saved_frame, saved_blocks, saved_indent = self.frame, self.root.blocks, self.root.indent
        self.frame = self.root
        # Write at the top level: the still open blocks are added to it when they close.
        self.root.blocks, self.root.indent = [self.root.lines], 1
        self.collected.append([])
        try:
            code, rep = self.expr(rule.body, Scope({}, True, 0, False))
        finally:
            collected = self.collected.pop()
            self.frame = saved_frame
            self.root.blocks, self.root.indent = saved_blocks, saved_indent
        (template,) = collected
        self.rule_templates[key] = (template, code, rep)
        return self.rule_templates[key]

    # -- every expression in a statement of its own ---------------------------------------

    def expr(self, expr: Any, scope: Scope) -> tuple[str, str]:
        if isinstance(expr, model.Const | model.ParamRef):
            code, rep = super().expr(expr, scope)
            template = _Template(expr, None, [])
            # Outside an aggregate a template is built once per tree, so its node can be made
            # once for every tree; inside, each element has a node of its own, as in the
            # reference (`walk_unique` counts them).
            template.shared = self.frame is self.root
            self.collected[-1].append(template)
            return code, rep
        self.collected.append([])
        try:
            code, rep = super().expr(expr, scope)
        finally:
            children = self.collected.pop()
        extra, self.pending_extra = self.pending_extra, None
        frame = self.frame
        # The value of a node already recorded in this frame (a parameter, a rule, a call's
        # body, the same field read again): the node shares its place in the record. Code is
        # pure, so the same code computed unconditionally earlier has the same value.
        code = frame.computed.get(code, code)
        place = frame.place_of(code)
        if place is None:
            field = self.field_read(code) if isinstance(expr, model.GetField) else None
            parent = frame.place_of(field.record) if field is not None else None
            if field is not None and parent is not None:
                # A field of a record this frame holds: its value is in that record already.
                place = _FieldOf(parent, field.field, field.optional)
                name = frame.new_field(place)
            else:
                name, place = frame.new_slot()
            frame.emit(f"{name} = {code}")
            if len(frame.blocks) == 1:
                frame.computed[code] = name
                if isinstance(expr, model.InputRef | model.GetField):
                    frame.reads.append((name, code))
            code = name
        self.collected[-1].append(_Template(expr, place, children, extra))
        return code, rep

    def _recorded(self, frame: _Frame, value: str) -> int:
        """The place in `frame`'s record of `value` (the code of a local of the frame, or any
        code), recording it if it is not yet."""
        place = frame.place_of(value)
        if isinstance(place, int):
            return place
        name, index = frame.new_slot()
        frame.emit(f"{name} = {value}")
        return index

    # -- the forms whose evaluation order matters ------------------------------------------

    @visits(model.RuleRef)
    def _RuleRef(self, expr: model.RuleRef, scope: Scope) -> tuple[str, str]:
        conditional = self.frame is not self.root or len(self.frame.blocks) > 1
        if conditional and expr.key not in self.requested and self.can_fail(expr):
            # Rules are computed once, at the top: one that can fail, used only in a branch
            # or an aggregate's element, would fail where the reference never evaluates it
            # (and every such document would go to the reference).
            raise CannotCompile(f"rule `{expr.key}` can fail and is used under a condition")
        template, code, rep = self.rule(expr.key)
        self.pending_extra = template
        return code, rep

    @visits(model.CallRule)
    def _CallRule(self, expr: model.CallRule, scope: Scope) -> tuple[str, str]:
        rule = self.policy.rules.get(expr.key)
        if rule is None or rule.params is None or len(rule.params) != len(expr.args):
            raise CannotCompile(f"bad call of `{expr.key}`")
        if scope.inline_depth >= _INLINE_CALL_DEPTH:
            raise CannotCompile("rule calls nest too deeply to inline")
        args = [self.expr(arg, scope) for arg in expr.args]
        env = {
            name: Local(code, rep) for (name, _), (code, rep) in zip(rule.params, args, strict=True)
        }
        code, rep = self.expr(rule.body, scope.inlined(env))
        return code, self._number_rep(expr.type) or rep

    @visits(model.If)
    def _If(self, expr: model.If, scope: Scope) -> tuple[str, str]:
        condition, _ = self.expr(expr.condition, scope)
        result = self.src.fresh("t")
        self.frame.open(f"if {condition}:")
        then, then_rep = self.expr(expr.then, scope)
        self.frame.emit(f"{result} = {then}")
        self.frame.close()
        self.frame.open("else:")
        otherwise, otherwise_rep = self.expr(expr.otherwise, scope)
        self.frame.emit(f"{result} = {otherwise}")
        self.frame.close()
        return result, self._number_rep(expr.type) or compiler.widest_form(then_rep, otherwise_rep)

    @visits(model.Coalesce)
    def _Coalesce(self, expr: model.Coalesce, scope: Scope) -> tuple[str, str]:
        value, value_rep = self.expr(expr.value, scope)
        result = self.src.fresh("t")
        self.frame.emit(f"{result} = {value}")
        self.frame.open(f"if {value} is None:")
        fallback, fallback_rep = self.expr(expr.fallback, scope)
        self.frame.emit(f"{result} = {fallback}")
        self.frame.close()
        return result, self._number_rep(expr.type) or compiler.widest_form(value_rep, fallback_rep)

    @visits(model.Aggregate)
    def _Aggregate(self, expr: model.Aggregate, scope: Scope) -> tuple[str, str]:
        collection, collection_rep = self.expr(expr.collection, scope)
        function = self.src.fresh("E")
        var = self.src.fresh("x")
        outer = self.frame
        self.frame = inner = _Frame(self.src, first=var)
        element_scope = Scope(
            {**scope.env, expr.var: Local(var, collection_rep)}, False, scope.inline_depth, False
        )
        where = body = -1
        try:
            if expr.filter is not None:
                passed, _ = self.expr(expr.filter, element_scope)
                where = self._recorded(inner, passed)
            if expr.body is not None:
                if expr.filter is not None:
                    inner.open(f"if {passed}:")
                value, body_rep = self.expr(expr.body, element_scope)
                body = self._recorded(inner, value)
                if expr.filter is not None:
                    inner.close()
            else:
                body_rep = collection_rep
        finally:
            self.frame = outer
        record = "".join(slot + ", " for slot in inner.slots)
        outer.open(f"def {function}({var}):")
        for line in inner.body():
            outer.emit(line.removeprefix("    "))
        outer.emit(f"return ({record})")
        outer.close()
        records, records_index = outer.new_slot()
        outer.emit(f"{records} = [{function}({var}) for {var} in {collection}]")
        self.pending_extra = (records_index, where, body)
        kind = expr.kind
        int_result = self._number_rep(expr.type)
        if kind in ("count", "rate", "all", "any"):
            rep = INT_FORM if kind != "rate" else ANY_FORM
        elif kind == "sum":
            rep = int_result or (ANY_FORM if body_rep == ANY_FORM else DEC_FORM)
        else:
            rep = int_result or body_rep
        code = f"_agg({kind!r}, {records}, {where}, {body})"
        if kind == "sum" and int_result == INT_FORM:
            code = f"int({code})"
        return code, rep


# ------------------------------------------------------------------------------------------
# The program


class Tracer:
    """The compiled tracing form of some rules of a policy with fixed params.

    `evaluate(document)` gives the record (`positions` says where each rule's value is, in fast
    form), or None when the reference evaluator must decide (`document_function`, and `facts_function` then `run`,
    are the raw generated functions: they raise instead, and must run in
    `compiler.EXACT_CONTEXT`);
    `evaluation(record)` builds the traced `Evaluation` the reference would give.
    """

    def __init__(
        self,
        policy: model.CheckedPolicy,
        params: Mapping[str, Any],
        keys: tuple[str, ...],
        facts: Callable[[Any], Any],
        traced: Callable[[Any], tuple[Any, ...]],
        document: Callable[[Any], tuple[Any, ...]],
        templates: dict[str, _Template],
        source: str,
        positions: Sequence[int],
    ) -> None:
        self.policy = policy
        self.params = params
        self.keys = keys
        self.positions = dict(
            zip(keys, positions, strict=True)
        )  # where each value is in the record
        self.facts_function = facts
        self.run = traced
        self.document_function = document
        # What every tree shares, looked up once: input labels, the templates of band bounds.
        self.input_labels = {definition.name: definition.label for definition in policy.inputs}
        self.bound_templates: dict[int, _Template] = {}
        self.source = source
        self._templates = templates

    def evaluate(
        self, document: Any, stats: compiler.FastPathStats | None = None
    ) -> tuple[Any, ...] | None:
        """The record of a plain document on which every rule succeeds (the value of rule
        `key` is `record[positions[key]]`), else None: the reference evaluator decides, and
        the reason is counted in `stats` (see `compiler.fallback_reason`). Runs in
        `compiler.EXACT_CONTEXT`, the context the generated code's arithmetic is exact in;
        the caller's comes back after."""
        return compiler.run_exact(self.document_function, document, stats)  # type: ignore[no-any-return]

    def evaluation(self, record: tuple[Any, ...]) -> Evaluation:
        """The traced evaluation (verdicts with explanation trees) of one record."""
        builder = _Builder(self, record)
        # Every rule's node after those of the rules it refers to, so that building one never
        # recurses into another: a long chain of rules is as deep to build as its deepest body.
        for key in self._templates:
            builder.rule_node(key)
        verdicts: dict[str, Verdict] = {}
        for key in self.keys:
            rule = self.policy.rules[key]
            node = builder.rule_node(key)
            verdicts[key] = Verdict(
                key=key,
                name=rule.name,
                kind=rule.kind,
                type=rule.type,
                value=node.value,
                explanation=node,
                label=rule.label,
                cites=rule.cites,
                span=rule.span,
            )
        return Evaluation(verdicts=verdicts, traced=True)


def compile_tracer(
    policy: model.CheckedPolicy,
    params: Mapping[str, Any],
    keys: Sequence[str],
    why_not: list[str] | None = None,
) -> Tracer | None:
    """Compile the nullary rules `keys` of `policy` with the param values `params` (by key)
    into a tracer, or None when something in them is left to the reference evaluator (and
    then why is added to `why_not` if given)."""
    source = GeneratedCode()
    source.namespace.update(_TRACE_RUNTIME)
    try:
        facts_check = FactsCheck(source, policy.inputs)
        facts_name = facts_check.name
        generator = _TraceCode(source, policy, params)
        source.lines.append(generator.traced_main(tuple(keys)))
        # Records show in explanations, so tier 1 checks their key order too.
        check, bound = facts_check.plain_check(generator.input_locals(), True)
        fused = source.fresh("D")
        source.lines.append(generator.fused(fused, facts_name, check, bound))
        facts, traced, document = source.compile(facts_name, "_traced", fused)
    except CannotCompile as error:
        if why_not is not None:
            why_not.append(str(error))
        return None
    except RecursionError:
        if why_not is not None:
            why_not.append("the policy nests too deeply to compile")
        return None
    # In the order they were written: every rule after the rules it refers to.
    templates = {key: template for key, (template, _, _) in generator.rule_templates.items()}
    return Tracer(
        policy,
        params,
        tuple(keys),
        facts,
        traced,
        document,
        templates,
        source.text,
        generator.result_places,
    )


# ------------------------------------------------------------------------------------------
# Building the trees: what `evaluator.Run` does in tracing mode, from recorded values


class _Builder(Visitor[Explanation]):
    """Explanation trees from a record. A visitor of the core expressions whose handlers take
    the node's template (its expression is `t.expr`) and a frame of the record: each template
    looks its handler up in the table once, when it is made (`_Template.build`), not per
    tree."""

    node_kinds = model.EXPRESSIONS

    def __init__(self, tracer: Tracer, record: tuple[Any, ...]) -> None:
        self.tracer = tracer
        self.policy = tracer.policy
        self.root = record
        self.rules: dict[str, Explanation] = {}
        self.converted: dict[int, tuple[Any, Any]] = {}

    # -- rules -----------------------------------------------------------------------------

    def rule_node(self, key: str) -> Explanation:
        node = self.rules.get(key)
        if node is None:
            rule = self.policy.rules[key]
            body = self.node(self.tracer._templates[key], self.root)
            node = Explanation(
                kind=rule.kind,
                expr=rule.name,
                value=body.value,
                type=rule.type,
                span=rule.span,
                children=(body,),
                name=rule.key,
                label=rule.label,
                cites=rule.cites,
            )
            self.rules[key] = node
        return node

    # -- one node --------------------------------------------------------------------------

    def node(self, template: _Template, frame: tuple[Any, ...]) -> Explanation:
        if template.static is not None:
            return template.static
        node: Explanation = template.build(self, template, frame)
        if template.shared:  # a constant or a param: the same node every time
            template.static = node
        return node

    def value(self, template: _Template, frame: tuple[Any, ...]) -> Any:
        if template.slot is None:
            return self.node(template, frame).value
        return self.at(template.slot, frame)

    def at(self, place: int | _FieldOf, frame: tuple[Any, ...]) -> Any:
        """The value at `place`: recorded, or a field of a recorded record."""
        if type(place) is int:
            return self.canonical(frame[place])
        record = self.at(place.parent, frame)  # type: ignore[union-attr]
        return record.get(place.name) if place.optional else record[place.name]  # type: ignore[union-attr]

    def canonical(self, value: Any) -> Any:
        """`compiler.canonical`, once per object: a record read by many nodes is converted
        once, and its nodes share the converted object (as the reference's do)."""
        kind = type(value)
        if kind is bool or kind is int or kind is str or value is None:
            return value
        entry = self.converted.get(id(value))
        if entry is None:
            entry = self.converted[id(value)] = (value, compiler.canonical(value))
        return entry[1]

    def children(self, template: _Template, frame: tuple[Any, ...]) -> list[Explanation]:
        return [self.node(child, frame) for child in template.children]

    def make(
        self,
        template: _Template,
        frame: tuple[Any, ...],
        kind: str,
        children: Sequence[Explanation] = (),
        *,
        value: Any = _NOT_EVALUATED,
        name: str | None = None,
        label: str | None = None,
        cites: tuple[str, ...] = (),
        detail: str | None = None,
        omitted: int = 0,
        omitted_detail: str | None = None,
    ) -> Explanation:
        """The node of `template` (`evaluator.Run._node`), its value from the record."""
        if value is _NOT_EVALUATED:
            place = template.slot
            value = self.canonical(frame[place]) if type(place) is int else self.at(place, frame)  # type: ignore[arg-type]
        # Positional: this is the hot loop of building trees (the order of `Explanation`'s fields).
        return Explanation(
            kind,
            template.text,
            value,
            template.type,
            template.span,
            tuple(children),
            name,
            label,
            cites,
            detail,
            None,
            omitted,
            omitted_detail,
        )

    # -- per kind, as `evaluator.Run` --------------------------------------------------------

    @visits(model.Const)
    def _const(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        span = getattr(expr, "span", None)
        return Explanation(
            kind="const",
            expr=span.text if span is not None else "",
            value=expr.value,
            type=expr.type,
            span=span,
        )

    @visits(model.ParamRef)
    def _param(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        definition = self.policy.params.get(expr.key)
        default = definition.default if definition is not None else None
        value = self.tracer.params.get(expr.key, default)
        span = getattr(expr, "span", None)
        return Explanation(
            kind="param",
            expr=span.text if span is not None else "",
            value=value,
            type=expr.type,
            span=span,
            name=expr.key,
            label=definition.label if definition is not None else None,
            cites=definition.cites if definition is not None else (),
        )

    @visits(model.InputRef)
    def _input(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        return self.make(
            t, frame, "input", name=t.expr.name, label=self.tracer.input_labels.get(t.expr.name)
        )

    @visits(model.RuleRef)
    def _rule_ref(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        rule = self.policy.rules[expr.key]
        shared = self.rule_node(expr.key)
        span = getattr(expr, "span", None)
        return Explanation(
            kind=rule.kind,
            expr=span.text if span is not None else rule.name,
            value=shared.value,
            type=expr.type,
            span=span,
            children=shared.children,
            name=rule.key,
            label=rule.label,
            cites=rule.cites,
        )

    @visits(model.LocalRef)
    def _local(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        return self.make(t, frame, "local", name=t.expr.name)

    @visits(model.GetField)
    def _get_field(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        record_type = strip_optional(expr.target.type)
        info = (
            record_type.field(expr.field) if isinstance(record_type, RecordType | SumType) else None
        )
        return self.make(
            t,
            frame,
            "field",
            self.children(t, frame),
            name=expr.field,
            label=info.label if info is not None else None,
            cites=info.cites if info is not None else (),
        )

    @visits(model.CallRule)
    def _call_rule(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        rule = self.policy.rules[expr.key]
        assert rule.params is not None
        *arg_templates, body_template = t.children
        arg_nodes = []
        for (name, type_), arg, arg_template in zip(
            rule.params, expr.args, arg_templates, strict=True
        ):
            node = self.node(arg_template, frame)
            span = getattr(arg, "span", None)
            arg_nodes.append(
                Explanation(
                    kind="arg",
                    expr=span.text if span is not None else name,
                    value=node.value,
                    type=type_,
                    span=span,
                    children=(node,),
                    name=name,
                )
            )
        body = self.node(body_template, frame)
        return self.make(
            t, frame, "call", [*arg_nodes, body], name=rule.key, label=rule.label, cites=rule.cites
        )

    @visits(model.BuiltinCall)
    def _builtin(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        nodes = self.children(t, frame)
        if expr.name != "sample":
            node = self.make(t, frame, "builtin", nodes, name=expr.name)
            entry = semantics.BUILTINS[expr.name]
            if entry.call_detail is None:
                return node
            detail = entry.call_detail(expr, [child.value for child in nodes], node.value)
            return attrs.evolve(node, detail=detail)
        keys, rate, seed = (node.value for node in nodes)
        # The record holds the keys drawn; the audit trail (each key's rank) is worked out
        # again from the arguments, as the reference works it out.
        detail, audit, omitted = evaluator.sample_audit(
            expr, sampling.draw(keys, rate, seed), rate, seed
        )
        return self.make(
            t, frame, "builtin", [*nodes, *audit], detail=detail, omitted=omitted, name="sample"
        )

    @visits(model.StageLookup)
    def _stage(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        schedule = self.policy.schedules[expr.key]
        (node,) = self.children(t, frame)
        value = node.value
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
        detail: str
        if found is None:
            detail = english("no-stage", what=what, schedule=schedule.name)
        else:
            label = f' "{found.label}"' if found.label else ""
            start = f"{found.start.isoformat()} " if found.start is not None else ""
            detail = f"{what} → {found.name}{label} ({start}.. {found.end.isoformat()})"
        return self.make(
            t,
            frame,
            "stage",
            [node],
            detail=detail,
            name=f"{schedule.key}.stage",
            label=schedule.label,
            cites=schedule.cites,
        )

    @visits(model.ScheduleLookup)
    def _schedule(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        schedule = self.policy.schedules[expr.key]
        nodes = self.children(t, frame)
        period = nodes[0].value
        category = nodes[1].value if len(nodes) > 1 else None
        value = self.value(t, frame)
        return self.make(
            t,
            frame,
            "schedule",
            nodes,
            detail=evaluator.schedule_detail(schedule, period, category, value),
            name=schedule.key,
            label=schedule.label,
            cites=evaluator.schedule_cites(schedule, period),
        )

    @visits(model.BandsLookup)
    def _bands(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        bands = self.policy.bands[expr.key]
        (arg_node,) = self.children(t, frame)
        number = arg_node.value
        chosen = None
        for band in bands.bands:
            low_node = self._bound(band.low)
            high_node = self._bound(band.high)
            low, high = low_node.value, high_node.value
            if band.holds(low, high, number):
                used = [
                    node
                    for bound, node in ((band.low, low_node), (band.high, high_node))
                    if not isinstance(bound, model.Const)
                ]
                chosen = (band, low, high, used)
                break
        if chosen is None:  # pragma: no cover - the generated code gave up on this
            raise CannotCompile("a value outside every band")
        band, low, high, used = chosen
        label = f' "{band.label}"' if band.label else ""
        shown = format_value(number, expr.arg.type)
        detail = english(
            "band-detail",
            value=shown,
            range=evaluator.band_text(band, low, high, expr.arg.type),
            band=f"{band.name}{label}",
        )
        return self.make(
            t,
            frame,
            "bands",
            [arg_node, *used],
            detail=detail,
            name=bands.key,
            label=bands.label,
            cites=bands.cites,
        )

    def _bound(self, bound: Any) -> Explanation:
        """The node of a band's bound (a constant or a param). A node of its own each time,
        as in the reference: bands inside an aggregate show their bounds for every element."""
        template = self.tracer.bound_templates.get(id(bound))
        if template is None:
            template = self.tracer.bound_templates[id(bound)] = _Template(bound, None, [])
        return self.node(template, ())

    def _simple(kind: str) -> Callable[[_Builder, _Template, tuple[Any, ...]], Explanation]:  # type: ignore[misc]
        def build(self: _Builder, t: _Template, frame: tuple[Any, ...]) -> Explanation:
            return self.make(t, frame, kind, self.children(t, frame))

        return build

    _negate = visits(model.Negate)(_simple("negate"))
    _in = visits(model.In)(_simple("in"))
    _is_none = visits(model.IsNone)(_simple("is_none"))
    _not = visits(model.Not)(_simple("not"))
    _make_list = visits(model.MakeList)(_simple("list"))
    _make_record = visits(model.MakeRecord)(_simple("record"))

    @visits(model.Arith)
    def _arith(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        value = self.value(t, frame)
        if isinstance(value, Fraction) and isinstance(strip_optional(t.expr.type), IntType):
            value = int(value)
        return self.make(t, frame, "arith", self.children(t, frame), value=value, name=t.expr.op)

    @visits(model.Compare)
    def _compare(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        left, right = self.children(t, frame)
        held = self.value(t, frame)
        detail = semantics.margin(expr, left.value, right.value, held)
        return self.make(t, frame, "compare", [left, right], detail=detail, name=expr.op)

    @visits(model.And, model.Or)
    def _and_or(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        kind = "and" if isinstance(t.expr, model.And) else "or"
        nodes = self.children(t, frame)
        detail = semantics.count_detail(kind, [node.value for node in nodes], None)
        return self.make(t, frame, kind, nodes, detail=detail)

    @visits(model.Compose)
    def _compose(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        nodes = self.children(t, frame)
        values = [node.value for node in nodes]
        needed = values.pop() if expr.kind == "at_least" else None
        detail = semantics.count_detail(expr.kind, values, needed)
        if expr.kind == "at_least" and isinstance(expr.count, model.Const):
            nodes = nodes[: len(values)]
        return self.make(t, frame, expr.kind, nodes, detail=detail)

    @visits(model.If)
    def _if(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        condition_t, then_t, otherwise_t = t.children
        condition = self.node(condition_t, frame)
        branch = self.node(then_t if condition.value else otherwise_t, frame)
        return self.make(
            t,
            frame,
            "if",
            [condition, branch],
            detail=english("then") if condition.value else english("else"),
        )

    @visits(model.Coalesce)
    def _coalesce(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        value_t, fallback_t = t.children
        node = self.node(value_t, frame)
        if node.value is not None:
            return self.make(t, frame, "coalesce", [node])
        return self.make(
            t,
            frame,
            "coalesce",
            [node, self.node(fallback_t, frame)],
            detail=english("fallback-used"),
        )

    @visits(model.Aggregate)
    def _aggregate(self, t: _Template, frame: tuple[Any, ...]) -> Explanation:
        expr = t.expr
        records_index, _, _ = t.extra  # (the filter's and the body's places are their templates')
        records = frame[records_index]
        collection_node = self.node(t.children[0], frame)
        inner = t.children[1:]
        filter_t = inner[0] if expr.filter is not None else None
        body_t = inner[-1] if expr.body is not None else None
        # The values of every element from the record; nodes only for the few listed.
        elements: list[evaluator.Element] = []
        for index, record in enumerate(records):
            matched = True
            value: Any = None
            if filter_t is not None:
                matched = bool(self.value(filter_t, record))
                if body_t is None and expr.kind == "count":
                    value = matched
            if matched and body_t is not None:
                value = self.value(body_t, record)
            elif value is None:
                value = self.canonical(record[0])
            elements.append(
                evaluator.Element(index, matched, value, None, None, expr.body or expr, record)
            )
        chosen = [element for element in elements if element.matched]
        value = self.value(t, frame)
        listing = evaluator.list_elements(expr, chosen, value)
        return self.make(
            t,
            frame,
            "aggregate",
            [collection_node, *(self._element(t, e) for e in listing.listed)],
            name=expr.kind,
            detail=evaluator.aggregate_detail(expr, elements, chosen, value),
            omitted=listing.omitted,
            omitted_detail=listing.omitted_detail,
        )

    def _element(self, t: _Template, element: evaluator.Element) -> Explanation:
        """The node of one listed element (`evaluator.Run._element`), from its record."""
        expr = t.expr
        record = element.item
        inner = t.children[1:]
        filter_t = inner[0] if expr.filter is not None else None
        body_t = inner[-1] if expr.body is not None else None
        element_type = evaluator.element_type(expr.collection.type)
        item = self.canonical(record[0])
        nodes = [
            Explanation(kind="local", expr=expr.var, value=item, type=element_type, name=expr.var)
        ]
        if filter_t is not None:
            filter_node = self.node(filter_t, record)
            nodes.append(
                Explanation(
                    kind="where",
                    expr=filter_node.expr,
                    value=element.matched,
                    type=expr.filter.type,
                    span=getattr(expr.filter, "span", None),
                    children=(filter_node,),
                )
            )
        if element.matched and body_t is not None:
            nodes.append(self.node(body_t, record))
        return Explanation(
            kind="element",
            expr=expr.var,
            value=element.value,
            type=expr.body.type if expr.body is not None else element_type,
            children=tuple(nodes),
            name=expr.var,
            detail=f"#{element.index + 1}",
        )
