"""Running examples and single property cases, and showing values as policy source.

The suite comes from `suite_checker`; searching for counterexamples to properties with
hypothesis is `wuxin_rules.verify`'s. This module never imports hypothesis.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules.errors import (
    Diagnostic,
)
from wuxin_rules.evaluator import evaluate
from wuxin_rules.explain import explanation_to_json, render_text
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    EnumType,
    ListType,
    NumberType,
    RecordType,
    Type,
    fixed_scale,
    strip_optional,
)
from wuxin_rules.suite import Check, Example, Expectation, Marker, Property, Suite, value_problems
from wuxin_rules.trace import Explanation, Verdict
from wuxin_rules.values import Duration, format_number, format_value
from wuxin_rules.zones import clock_text, literal_text

__all__ = [
    "ExampleResult",
    "Failure",
    "Outcome",
    "PropertyCase",
    "evaluate_check",
    "example_result_to_json",
    "format_source",
    "render_example_result",
    "run_example",
    "run_property_case",
]

# ------------------------------------------------------------------------------------------
# Evaluating checks


@attrs.frozen
class Outcome:
    """The value of a check on some inputs, or the error that stopped it; with `trace`, why."""

    value: Any
    error: Diagnostic | None
    verdict: Verdict | None


def evaluate_check(
    suite: Suite, check: Check, inputs: Mapping[str, Any], *, trace: bool = False
) -> Outcome:
    """Evaluate a check on runtime values (its inputs and bound names), markers first."""
    values = dict(inputs)
    replaced: dict[str, Explanation] = {}
    for marker in check.markers:
        bound = dict(inputs)
        args: list[Explanation] = []
        for name, binding in marker.bindings:
            outcome = evaluate_check(suite, binding, inputs, trace=trace)
            if outcome.error is not None:
                return Outcome(None, outcome.error, outcome.verdict)
            problems = value_problems(name, suite.types[name], outcome.value)
            if problems:
                error = Diagnostic(
                    "bad-binding",
                    english(
                        "examples.value-given-does-not", name=name, message=problems[0].message
                    ),
                    span=binding.span,
                    notes=(english("at-path", path=problems[0].path),) if problems[0].path else (),
                    help=english("examples.only-valid-facts-can.help"),
                )
                return Outcome(None, error, None)
            bound[name] = outcome.value
            if trace and outcome.verdict is not None:
                args.append(_arg_node(name, binding, outcome))
        outcome = evaluate_check(suite, marker.target, bound, trace=trace)
        if outcome.error is not None:
            return Outcome(None, outcome.error, outcome.verdict)
        values[marker.input] = outcome.value
        if trace and outcome.verdict is not None:
            replaced[marker.input] = _marker_node(marker, outcome, args)
    evaluation = evaluate(suite.runner, values, rules=[check.key], trace=trace)
    verdict = evaluation.verdicts[check.key]
    if trace and replaced and verdict.explanation is not None:
        verdict = attrs.evolve(verdict, explanation=_replace_nodes(verdict.explanation, replaced))
    return Outcome(verdict.value, verdict.error, verdict if trace else None)


def _body_of(verdict: Verdict) -> Explanation | None:
    node = verdict.explanation
    return node.children[0] if node is not None and node.children else None


def _arg_node(name: str, binding: Check, outcome: Outcome) -> Explanation:
    assert outcome.verdict is not None
    body = _body_of(outcome.verdict)
    return Explanation(
        kind="arg",
        expr=binding.text,
        value=outcome.value,
        type=binding.type,
        span=binding.span,
        children=(body,) if body is not None else (),
        name=name,
    )


def _marker_node(marker: Marker, outcome: Outcome, args: list[Explanation]) -> Explanation:
    assert outcome.verdict is not None
    body = _body_of(outcome.verdict)
    return Explanation(
        kind="call",
        expr=marker.text,
        value=outcome.value,
        type=marker.target.type,
        span=marker.span,
        children=(*args, *((body,) if body is not None else ())),
        name=marker.text,
    )


def _replace_nodes(root: Explanation, replaced: Mapping[str, Explanation]) -> Explanation:
    """The tree of a check with the stand-in input nodes of its markers replaced by their
    explanations.

    Stand-ins only occur in the check's own expression, never inside the rules it uses, so
    the walk descends neither into rules nor into the bodies of calls.
    """

    def visit(node: Explanation) -> Explanation:
        if node.kind == "input" and node.name is not None and node.name in replaced:
            return replaced[node.name]
        if node.kind in ("rule", "criterion") or not node.children:
            return node
        children = node.children
        last = len(children) - 1 if node.kind == "call" else len(children)
        new = [visit(child) if i < last else child for i, child in enumerate(children)]
        if all(a is b for a, b in zip(new, children, strict=True)):
            return node
        return attrs.evolve(node, children=tuple(new))

    return attrs.evolve(root, children=tuple(visit(child) for child in root.children))


# ------------------------------------------------------------------------------------------
# Running examples


@attrs.frozen
class Failure:
    """An expectation that did not hold: what was tested, expected and found, and why."""

    expectation: Expectation
    subject: str
    expected: str
    actual: str
    error: Diagnostic | None
    verdict: Verdict | None


@attrs.frozen
class ExampleResult:
    """The outcome of one example: every expectation that failed (none when it passed)."""

    example: Example
    failures: tuple[Failure, ...]

    @property
    def passed(self) -> bool:
        """True when every expectation held."""
        return not self.failures


def run_example(suite: Suite, example: Example) -> ExampleResult:
    """Evaluate every expectation of an example; explain the ones that do not hold."""
    inputs = example.inputs
    failures = []
    for expectation in example.expectations:
        outcome = evaluate_check(suite, expectation.check, inputs)
        if outcome.error is None and outcome.value is True:
            continue
        traced = evaluate_check(suite, expectation.check, inputs, trace=True)
        failures.append(_failure(expectation, traced))
    return ExampleResult(example, tuple(failures))


def _failure(expectation: Expectation, outcome: Outcome) -> Failure:
    verdict = outcome.verdict
    body = _body_of(verdict) if verdict is not None else None
    text = expectation.check.text
    if outcome.error is not None:
        return Failure(
            expectation,
            text,
            "true",
            f"error[{outcome.error.code}]: {outcome.error.message}",
            outcome.error,
            verdict,
        )
    subject, expected, actual = text, "true", "false"
    if body is not None and body.kind == "compare" and len(body.children) == 2:
        left, right = body.children
        shown = format_value(right.value, right.type)
        subject = left.expr
        expected = shown if body.name == "==" else f"{body.name} {shown}"
        actual = format_value(left.value, left.type)
    elif body is not None and body.kind == "not" and body.children:
        subject, expected, actual = body.children[0].expr, "false", "true"
    elif body is not None and body.kind == "in" and len(body.children) == 2:
        item, collection = body.children
        subject = item.expr
        expected = ("not in " if "not in" in body.expr else "in ") + format_value(
            collection.value, collection.type
        )
        actual = format_value(item.value, item.type)
    return Failure(expectation, " ".join(subject.split()), expected, actual, None, verdict)


def render_example_result(
    result: ExampleResult, *, mode: str = "decisive", color: bool = False, lang: str = "en"
) -> str:
    """A failed example as text: each failed expectation with its location, the expected
    and the actual value, and the explanation (empty for a passed example); the fixed words
    of diagnostics and explanations in `lang`."""
    lines: list[str] = []
    for failure in result.failures:
        expectation = failure.expectation
        lines.append(
            f"{expectation.span.location()}: expect {' '.join(expectation.check.text.split())}"
        )
        if failure.error is not None:
            lines.append(_indent(failure.error.render(lang), 4))
        else:
            lines.append(f"    {failure.subject}")
            lines.append(f"      expected: {failure.expected}")
            lines.append(f"      actual:   {failure.actual}")
        if failure.verdict is not None and failure.error is None:
            verdict = attrs.evolve(
                failure.verdict, key=" ".join(expectation.check.text.split()), label=None
            )
            lines.append("    why:")
            lines.append(_indent(render_text(verdict, mode=mode, color=color, lang=lang), 6))
    return "\n".join(lines)


def example_result_to_json(result: ExampleResult) -> dict[str, Any]:
    """An example's outcome as JSON data (`wuxin test --format json`): where it is, whether
    it passed, and for each failed expectation what was expected and found, and why."""
    example = result.example
    line, column = example.span.source.line_col(example.span.start)
    failures = []
    for failure in result.failures:
        span = failure.expectation.span
        failed_line, failed_column = span.source.line_col(span.start)
        data: dict[str, Any] = {
            "expect": " ".join(failure.expectation.check.text.split()),
            "line": failed_line,
            "column": failed_column,
        }
        if failure.error is not None:
            data["error"] = failure.error.to_json()
        else:
            data.update(subject=failure.subject, expected=failure.expected, actual=failure.actual)
            if failure.verdict is not None and failure.verdict.explanation is not None:
                # The expectation's own node carries an internal name: show it by its text.
                root = attrs.evolve(failure.verdict.explanation, name=None)
                data["explanation"] = explanation_to_json(root)
        failures.append(data)
    return {
        "example": example.title,
        "file": example.span.source.name,
        "line": line,
        "column": column,
        "passed": result.passed,
        "failures": failures,
    }


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.splitlines())


# ------------------------------------------------------------------------------------------
# One case of a property


@attrs.frozen
class PropertyCase:
    """The outcome of a property on one set of binder values.

    `status` is `held`, `failed` (the claim is false, or an error stopped it) or `skipped`
    (the `where` condition does not hold, or a definition gives no valid value).
    """

    status: str
    values: Mapping[str, Any]
    error: Diagnostic | None = None
    verdict: Verdict | None = None


def run_property_case(
    suite: Suite, prop: Property, drawn: Mapping[str, Any], *, trace: bool = False
) -> PropertyCase:
    """Evaluate a property on runtime values of its drawn binders."""
    values = dict(drawn)
    for binder in prop.binders:
        if binder.definition is None:
            continue
        outcome = evaluate_check(suite, binder.definition, values)
        if outcome.error is not None or value_problems(binder.name, binder.type, outcome.value):
            return PropertyCase("skipped", values)
        values[binder.name] = outcome.value
    if prop.condition is not None:
        outcome = evaluate_check(suite, prop.condition, values, trace=trace)
        if outcome.error is not None:
            return PropertyCase("failed", values, outcome.error, outcome.verdict)
        if outcome.value is not True:
            return PropertyCase("skipped", values)
    outcome = evaluate_check(suite, prop.claim, values, trace=trace)
    if outcome.error is not None:
        return PropertyCase("failed", values, outcome.error, outcome.verdict)
    status = "held" if outcome.value is True else "failed"
    return PropertyCase(status, values, None, outcome.verdict)


# ------------------------------------------------------------------------------------------
# Values as policy source


_LINE = 88
"""Values longer than this on one line are laid out over several lines."""


def format_source(value: Any, type_: Type | None, indent: int = 0) -> str:
    """A runtime value written in the policy language, ready to paste after `given x =`."""
    flat = _flat_source(value, type_)
    if len(flat) + indent <= _LINE or not isinstance(value, dict | tuple | list):
        return flat
    inner = strip_optional(type_) if type_ is not None else None
    pad = " " * (indent + 2)
    if isinstance(value, dict):
        fields = {f.name: f.type for f in inner.fields} if isinstance(inner, RecordType) else {}
        width = max((len(k) for k in value), default=0)
        items = [
            f"{pad}{key}: {' ' * (width - len(key))}"
            f"{format_source(item, fields.get(key), indent + 2)},"
            for key, item in value.items()
        ]
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    element = inner.element if isinstance(inner, ListType) else None
    items = [f"{pad}{format_source(item, element, indent + 2)}," for item in value]
    return "[\n" + "\n".join(items) + "\n" + " " * indent + "]"


def _flat_source(value: Any, type_: Type | None) -> str:
    inner = strip_optional(type_) if type_ is not None else None
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):  # a value in the API's form (`to_python`)
        value = Fraction(value)
    if isinstance(value, int | Fraction):
        percent = isinstance(inner, NumberType) and inner.kind == "percent"
        text = format_number(value, percent=percent, scale=fixed_scale(inner))
        if "/" in text:
            fraction = Fraction(value)
            return f"({fraction.numerator} / {fraction.denominator})"
        return text
    if isinstance(value, datetime.datetime):
        return literal_text(value)
    if isinstance(value, datetime.time):
        return clock_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Duration):
        return f"({value.source()})"
    if isinstance(value, str):
        if isinstance(inner, EnumType):
            return value
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(value, dict):
        fields = {f.name: f.type for f in inner.fields} if isinstance(inner, RecordType) else {}
        return (
            "{"
            + ", ".join(f"{k}: {_flat_source(v, fields.get(k))}" for k, v in value.items())
            + "}"
        )
    if isinstance(value, tuple | list):
        element = inner.element if isinstance(inner, ListType) else None
        return "[" + ", ".join(_flat_source(v, element) for v in value) + "]"
    return repr(value)
