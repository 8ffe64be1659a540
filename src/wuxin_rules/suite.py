"""What checking a policy's examples, properties and fixtures produces (docs/verification.md).

`suite_checker` builds a `Suite` from a policy's `fixture`, `example` and `property`
declarations; `examples` runs its examples and `verify` searches its properties. Every
expectation, `where` condition and claim is a `Check`: a synthetic rule of a copy of the policy
(`Suite.runner`), so that the reference evaluator evaluates and explains it like any rule.
`value_problems` is the facts loader's judgement of a given or computed value, shared by the
checker (fixtures, givens) and the runners (bindings, definitions).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from wuxin_rules import model
from wuxin_rules.errors import (
    FactError,
)
from wuxin_rules.facts import FactsSchema
from wuxin_rules.schema import (
    Type,
)
from wuxin_rules.source import Span

__all__ = [
    "Binder",
    "Check",
    "Example",
    "Expectation",
    "Fixture",
    "Given",
    "Marker",
    "Property",
    "Suite",
    "ValueProblem",
    "value_problems",
]

# ------------------------------------------------------------------------------------------
# What checking produces


@attrs.frozen
class Marker:
    """`target[name = value, …]` inside a check: evaluated first, then stands in as `input`."""

    input: str
    target: Check
    bindings: tuple[tuple[str, Check], ...]
    text: str
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Check:
    """A typed expression of an example or property, ready to evaluate.

    `key` is its synthetic rule in `Suite.runner`; `reads` are the inputs (and the names the
    example or property binds) it needs, directly or through the rules it uses.
    """

    key: str
    text: str
    type: Type
    markers: tuple[Marker, ...]
    reads: frozenset[str]
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Fixture:
    """A named constant shared by examples and properties, with its (validated) value."""

    name: str
    type: Type
    value: Any
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Given:
    """A `given` of an example: an input of the policy, or (`local`) a name of its own."""

    name: str
    type: Type
    value: Any
    local: bool
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Expectation:
    """One `expect` of an example."""

    check: Check
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Example:
    """A checked example: its facts (inputs and names of its own) and its expectations."""

    title: str
    givens: tuple[Given, ...]
    expectations: tuple[Expectation, ...]
    span: Span = attrs.field(eq=False, repr=False)

    @property
    def inputs(self) -> dict[str, Any]:
        """The values the expectations are evaluated on, by name."""
        return {given.name: given.value for given in self.givens}


@attrs.frozen
class Binder:
    """`x: T` after `forall`. A binder named like an input gives that input; a binder with a
    `definition` (`where b == {...a, n: a.n + 1}`) is computed from the others, not drawn."""

    name: str
    type: Type
    input: bool
    definition: Check | None
    span: Span = attrs.field(eq=False, repr=False)


@attrs.frozen
class Property:
    """A checked property: binders, an optional condition (without the definitions), a claim."""

    title: str
    binders: tuple[Binder, ...]
    condition: Check | None
    claim: Check
    span: Span = attrs.field(eq=False, repr=False)

    @property
    def drawn(self) -> tuple[Binder, ...]:
        """The binders whose values are generated (those without a definition)."""
        return tuple(b for b in self.binders if b.definition is None)


@attrs.frozen(eq=False)
class Suite:
    """A checked policy with the fixtures, examples and properties of its root module.

    `runner` is the policy with one synthetic rule per `Check`: evaluate checks with
    `evaluate_check`, never the runner's rules directly.
    """

    policy: model.CheckedPolicy
    runner: model.CheckedPolicy
    fixtures: tuple[Fixture, ...]
    examples: tuple[Example, ...]
    properties: tuple[Property, ...]
    types: Mapping[str, Type]
    """The type of every name an example, property or binding may give: inputs and binders."""

    @property
    def name(self) -> str:
        """The root module's name."""
        return self.policy.name

    @property
    def source_name(self) -> str:
        """The file (or text name) of the root module."""
        return self.policy.source_name


@attrs.frozen
class ValueProblem:
    """One reason a value does not fit its type: message, JSON path, help."""

    message: str
    path: str | None
    help: str | None


_SCHEMAS: dict[tuple[str, int], tuple[Type, FactsSchema]] = {}


def _schema_for(name: str, type_: Type) -> FactsSchema:
    """A facts schema with one input `name: type_` (built once per type object: types
    compare without their bounds, so they are keyed by identity and kept alive here)."""
    key = (name, id(type_))
    cached = _SCHEMAS.get(key)
    if cached is None:
        definition = model.InputDef(name, type_, None, None)  # type: ignore[arg-type]
        cached = (type_, FactsSchema([definition]))
        _SCHEMAS[key] = cached
    return cached[1]


def value_problems(name: str, type_: Type, value: Any) -> list[ValueProblem]:
    """The problems the facts loader finds with `value` as a value of `type_` (bounds)."""
    try:
        _schema_for(name, type_).validate({name: value})
    except FactError as error:
        return [ValueProblem(d.message, d.path, d.help) for d in error.diagnostics]
    return []
