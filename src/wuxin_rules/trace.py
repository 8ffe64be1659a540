"""Explanations and verdicts as data.

The evaluator produces these; `explain` renders them; the API hands them to users. Data
only, no behaviour beyond simple queries. May import `source`, `errors`, `schema`, `values`
and `model`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction
from typing import Any

import attrs

from wuxin_rules.errors import Diagnostic
from wuxin_rules.schema import Type
from wuxin_rules.source import Span
from wuxin_rules.values import format_number

__all__ = ["TABLE_ROW_VARIABLE", "Evaluation", "Explanation", "Verdict", "display_number"]

DISPLAY_PLACES = 4
"""Decimal places a number is shown with when it does not end or is long (2 for a
percentage, as a percentage): the exact value stays in the tree and in JSON."""


def display_number(value: Fraction | int, percent: bool = False, scale: int | None = None) -> str:
    """A number as an explanation shows it: exact when it is short (`0.0155`, `50%`); a
    number that does not end (400/7 %) or has more than two places beyond the display places
    rounded and marked (`≈ 57.14%`, `≈ 0.3333`); a tiny one to four significant digits."""
    exact = format_number(value, percent=percent, scale=scale)
    digits = exact.rstrip("%").partition(".")[2]
    places = 2 if percent else max(DISPLAY_PLACES, scale or 0)
    if "/" not in exact and len(digits) <= places + 2:
        return exact
    scaled = Fraction(value) * (100 if percent else 1)
    if 0 < abs(scaled) < 1:
        leading = 0  # zeros after the point before the first significant digit
        while abs(scaled) * 10 ** (leading + 1) < 1:
            leading += 1
        places = max(places, leading + 4)
    rounded = round(scaled, places)
    shown = rounded / 100 if percent else rounded
    return "≈ " + format_number(shown, percent=percent)


TABLE_ROW_VARIABLE = "row#"
"""The variable of a collecting decision table's lowered aggregate (`decisions.ROW_VARIABLE`:
the number of a row, not a name an author can write). Its elements are the table's rows,
and explanations show them as rows."""


@attrs.frozen
class Explanation:
    """One evaluated expression and the sub-expressions that decided it.

    `kind` says what was evaluated: `rule`, `criterion`, `call` (a rule with parameters),
    `input`, `field`, `param`, `local`, `const`, `compare`, `arith`, `negate`, `and`, `or`,
    `not`, `all`, `any`, `at_least`, `aggregate`, `if`, `coalesce`, `is_none`, `in`,
    `schedule`, `bands`, `builtin`, `list`, `record`; and two structural kinds: `arg` (an
    argument of a `call`: `name` is the parameter, the child the argument expression; a
    call's last child is the body of the rule it calls) and `element` (one element of an
    aggregate: `name` is the variable, `detail` its position `#3`, the first child a `local`
    node holding the element, then a `where` node wrapping the filter when there is one,
    then the body when the aggregate has one and the element passed the filter).
    `expr` is the source text of the expression (or the rule name); `detail` is a short
    human note such as the margin of a comparison (`short by 0.0155`) or `2 of 3 hold`.
    `omitted` counts children left out to keep the tree small: an aggregate lists at most
    20 elements (`evaluator.MAX_LISTED_ELEMENTS`), those that decided its value first, and
    `omitted_detail` counts the rest by outcome (`399980 held, 3 failed`) when its body is
    a condition. `compare` and `arith` nodes hold their operator in `name`.

    A nullary rule is evaluated once: each reference to it gets a node of its own (kind
    `rule` or `criterion`, the reference's text and span) whose children are the rule's body
    explanation, the same objects for every reference. The tree is therefore a DAG: walk it
    with `walk_unique` (or by identity) to visit a shared subtree once.
    """

    kind: str
    expr: str
    value: Any
    type: Type | None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)
    children: tuple[Explanation, ...] = ()
    name: str | None = None
    label: str | None = None
    cites: tuple[str, ...] = ()
    detail: str | None = None
    error: Diagnostic | None = None
    omitted: int = 0
    omitted_detail: str | None = None

    def walk(self) -> Iterator[Explanation]:
        """This node and every node below it, depth first (iteratively)."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))

    def walk_unique(self) -> Iterator[Explanation]:
        """Like `walk`, but each shared node (a rule referenced twice) and its subtree once."""
        seen: set[int] = set()
        stack = [self]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            yield node
            stack.extend(reversed(node.children))


@attrs.frozen
class Verdict:
    """The outcome of one rule for one facts document: a value or an error, and why."""

    key: str
    name: str
    kind: str
    type: Type
    value: Any
    error: Diagnostic | None = None
    explanation: Explanation | None = None
    label: str | None = None
    cites: tuple[str, ...] = ()
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the rule produced a value (no evaluation error)."""
        return self.error is None


@attrs.frozen
class Evaluation:
    """The verdicts of the requested rules for one facts document, in request order."""

    verdicts: Mapping[str, Verdict]
    traced: bool = False

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The evaluation errors of every verdict that failed."""
        return tuple(v.error for v in self.verdicts.values() if v.error is not None)

    @property
    def distinct_errors(self) -> tuple[Diagnostic, ...]:
        """`errors` without repeats: a rule's error is also the error of every rule using it,
        so print these to report each fault once."""
        seen: list[Diagnostic] = []
        for error in self.errors:
            if not any(error is other or error == other for other in seen):
                seen.append(error)
        return tuple(seen)
