"""Verifying properties: searching for counterexamples with hypothesis.

`verify_property` draws values for a property's binders from their declared types
(`wuxin_rules.strategies`, with the boundary bias toward the policy's own constants),
evaluates the `where` condition and the claim on each case, and asks hypothesis to find a
case where the claim is false (or cannot be evaluated). Hypothesis then shrinks that case
to a minimal one, which comes back explained and written as an `example` block, ready to
paste into the policy.

A run is reproducible: the same seed draws the same cases (`--seed`), and no example
database is written next to the user's files.

This module, `strategies` and `pytest_plugin` are the only ones that import hypothesis;
`import wuxin_rules` does not import any of them. May import `source`, `errors`, `schema`,
`values`, `model`, `facts`, `trace`, `explain`, `jsonio`, `examples` and `strategies`.
"""

from __future__ import annotations

import builtins
import random
import time
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import HealthCheck, Phase, assume, find, settings
from hypothesis.errors import NoSuchExample, Unsatisfiable
from hypothesis.strategies import SearchStrategy

from wuxin_rules import jsonio, model
from wuxin_rules.errors import Diagnostic, FactError, InternalError
from wuxin_rules.examples import PropertyCase, format_source, run_property_case
from wuxin_rules.explain import render_text
from wuxin_rules.facts import FactsSchema
from wuxin_rules.messages import english
from wuxin_rules.schema import ListType, RecordType, strip_optional
from wuxin_rules.strategies import documents
from wuxin_rules.suite import Property, Suite
from wuxin_rules.values import to_json

__all__ = [
    "DEFAULT_MAX_EXAMPLES",
    "PropertyReport",
    "counterexample_facts",
    "counterexample_source",
    "known_records",
    "new_seed",
    "render_report",
    "verify_property",
    "verify_suite",
]

DEFAULT_MAX_EXAMPLES = 200
"""Cases tried per property when not told otherwise."""

Progress = Callable[[Property, int, int, bool], None]
"""Called as cases are tried: `(property, cases checked, cases wanted, shrinking)`;
`shrinking` is true once a counterexample was found and is being made minimal."""


@attrs.frozen
class PropertyReport:
    """The outcome of verifying one property.

    `status`: `held` (no counterexample in `cases` cases), `failed` (`counterexample` is the
    minimal case found, evaluated with its explanation), `unsatisfied` (no drawn case met the
    `where` condition: the claim was never checked). `skipped` counts the drawn cases the
    condition (or a definition) turned away.
    """

    property: Property
    status: str
    cases: int
    skipped: int
    seed: int
    counterexample: PropertyCase | None = None

    @builtins.property  # the field `property` hides the builtin in the class body
    def ok(self) -> bool:
        """True when the property held."""
        return self.status == "held"


def new_seed() -> int:
    """A fresh seed for a run that was given none (printed, so the run can be repeated)."""
    return random.SystemRandom().randrange(1, 2**31)


def verify_suite(
    suite: Suite,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[PropertyReport]:
    """Verify every property of a suite, in order."""
    return [
        verify_property(suite, prop, max_examples=max_examples, seed=seed, progress=progress)
        for prop in suite.properties
    ]


def verify_property(
    suite: Suite,
    prop: Property,
    *,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int = 0,
    progress: Progress | None = None,
) -> PropertyReport:
    """Search for a counterexample to one property among `max_examples` drawn cases."""
    drawn = {b.name: b.type for b in prop.drawn}
    strategy: SearchStrategy[dict[str, Any]] = documents(suite, drawn, like=known_records(suite))
    schema = FactsSchema([model.InputDef(name, type_, None, None) for name, type_ in drawn.items()])  # type: ignore[arg-type]
    counts = {"tried": 0, "skipped": 0, "checked": 0}
    failing: list[int] = []

    def fails(document: dict[str, Any]) -> bool:
        counts["tried"] += 1
        if progress is not None:
            progress(prop, counts["checked"], max_examples, bool(failing))
        try:
            values = schema.validate(document)
        except FactError as error:  # a strategy that draws invalid facts is a bug
            raise InternalError(
                Diagnostic(
                    "internal-error",
                    english("verify.strategies-drew-facts-that"),
                    notes=tuple(d.message for d in error.diagnostics[:3]),
                )
            ) from error
        case = run_property_case(suite, prop, values)
        if case.status == "skipped":
            counts["skipped"] += 1
            assume(False)
        counts["checked"] += 1
        if case.status == "failed":
            failing.append(counts["checked"])
            return True
        return False

    options = settings(
        max_examples=max_examples,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        # No `explain` phase: it re-runs the test hundreds of times to annotate which parts
        # of the case matter, which the explanation of the case already says.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )
    try:
        found = find(strategy, fails, settings=options, random=random.Random(seed))
    except NoSuchExample:
        status = "held" if counts["checked"] else "unsatisfied"
        return PropertyReport(prop, status, counts["checked"], counts["skipped"], seed)
    except Unsatisfiable:
        return PropertyReport(prop, "unsatisfied", 0, counts["skipped"], seed)
    values = schema.validate(found)
    case = run_property_case(suite, prop, values, trace=True)
    cases = failing[0] if failing else counts["checked"]
    return PropertyReport(prop, "failed", cases, counts["skipped"], seed, case)


_KNOWN_PER_TYPE = 16
"""At most this many known records of one type seed the search."""


def known_records(suite: Suite) -> dict[str, list[Any]]:
    """The records the suite's fixtures and example givens hold, by record type (nested
    records and list elements included): cases are often drawn as one of them with a few
    fields changed, which reaches the policy's interesting cases (a unit that meets every
    standard but one) far more often than independent draws."""
    found: dict[str, list[Any]] = {}
    seen: set[tuple[str, str]] = set()
    values = [(f.value, f.type) for f in suite.fixtures]
    values += [(g.value, g.type) for e in suite.examples for g in e.givens]
    stack = list(reversed(values))
    while stack:
        value, type_ = stack.pop()
        type_ = strip_optional(type_)
        if isinstance(type_, RecordType) and isinstance(value, dict):
            key = (type_.qualified, repr(value))
            bucket = found.setdefault(type_.qualified, [])
            if key not in seen and len(bucket) < _KNOWN_PER_TYPE and type_.qualified:
                seen.add(key)
                bucket.append(value)
            for info in type_.fields:
                if info.name in value:
                    stack.append((value[info.name], info.type))
        elif isinstance(type_, ListType) and isinstance(value, tuple | list):
            stack.extend((item, type_.element) for item in value)
    return {name: items for name, items in found.items() if items}


# ------------------------------------------------------------------------------------------
# Reporting


def counterexample_source(prop: Property, case: PropertyCase) -> str:
    """The counterexample as an `example` block, ready to paste into the policy."""
    lines = [f'example "{prop.title}: counterexample":']
    for binder in prop.binders:
        if binder.name not in case.values:
            continue
        head = (
            f"  given {binder.name}"
            if binder.input
            else f"  given {binder.name}: {_type_text(binder)}"
        )
        value = format_source(case.values[binder.name], binder.type, 2)
        lines.append(f"{head} = {value}")
    lines.append(f"  expect {' '.join(prop.claim.text.split())}")
    return "\n".join(lines)


def counterexample_facts(prop: Property, case: PropertyCase) -> dict[str, Any]:
    """The counterexample's values as a JSON-ready facts document, by binder name."""
    types = {b.name: b.type for b in prop.binders}
    return {name: to_json(value, types.get(name)) for name, value in case.values.items()}


def _input_facts(prop: Property, case: PropertyCase) -> dict[str, Any] | None:
    """The counterexample as a facts document, when every binder it holds is an input."""
    binders = {b.name: b for b in prop.binders}
    names = [n for n in case.values if n in binders and binders[n].definition is None]
    if not names or not all(binders[n].input for n in names):
        return None
    return {n: to_json(case.values[n], binders[n].type) for n in names}


def _type_text(binder: Any) -> str:
    span = getattr(binder, "span", None)
    if span is not None:
        text = span.text
        _, _, written = text.partition(":")
        if written.strip():
            return " ".join(written.split())
    from wuxin_rules.typing_rules import describe_type

    return describe_type(binder.type)


def render_report(
    report: PropertyReport, *, mode: str = "decisive", color: bool = False, lang: str = "en"
) -> str:
    """A property's outcome as text: one line when it held, the counterexample (as an
    example block) and its explanation when it failed (fixed words of diagnostics and
    explanations in `lang`)."""
    prop = report.property
    if report.status == "held":
        extra = (
            f", {report.skipped} drawn cases did not meet the condition" if report.skipped else ""
        )
        return f"✓ {prop.title}  ({report.cases} cases{extra})"
    if report.status == "unsatisfied":
        return (
            f"✗ {prop.title}\n    no drawn case met the `where` condition ({report.skipped} tried): "
            f"the claim was never checked\n    help: loosen the condition, or bind values with "
            f"narrower types (`n: int 0 .. 10`)"
        )
    case = report.counterexample
    assert case is not None
    lines = [
        f"✗ {prop.title}",
        f"    {prop.span.location()}: counterexample after {report.cases} "
        f"case{'s' if report.cases != 1 else ''} (seed {report.seed}), shrunk:",
        "",
        _indent(counterexample_source(prop, case), 4),
        "",
    ]
    facts = _input_facts(prop, case)
    if facts is not None:
        lines += ["    as facts for `wuxin eval`:", "      " + jsonio.dumps(facts), ""]
    if case.error is not None:
        lines.append("    the claim could not be evaluated:")
        lines.append(_indent(case.error.render(lang), 6))
    elif case.verdict is not None:
        lines.append("    why:")
        verdict = attrs.evolve(case.verdict, key=" ".join(prop.claim.text.split()), label=None)
        lines.append(_indent(render_text(verdict, mode=mode, color=color, lang=lang), 6))
    return "\n".join(lines)


def report_to_json(report: PropertyReport) -> dict[str, Any]:
    """A property's outcome as JSON data (`wuxin verify --format json`)."""
    prop = report.property
    data: dict[str, Any] = {
        "property": prop.title,
        "file": prop.span.source.name,
        "line": prop.span.source.line_col(prop.span.start)[0],
        "status": report.status,
        "cases": report.cases,
        "skipped": report.skipped,
        "seed": report.seed,
    }
    case = report.counterexample
    if case is not None:
        data["counterexample"] = counterexample_facts(prop, case)
        data["example"] = counterexample_source(prop, case)
        if case.error is not None:
            data["error"] = case.error.to_json()
    return data


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.splitlines())


class _Timer:
    """Calls `report` at most every `interval` seconds: progress for long runs."""

    def __init__(self, report: Progress, interval: float = 2.0) -> None:
        self.report = report
        self.interval = interval
        self.last = time.monotonic()

    def __call__(self, prop: Property, done: int, total: int, shrinking: bool) -> None:
        now = time.monotonic()
        if now - self.last >= self.interval:
            self.last = now
            self.report(prop, done, total, shrinking)


def throttled(report: Progress, interval: float = 2.0) -> Progress:
    """`report`, called at most once every `interval` seconds (for progress lines)."""
    return _Timer(report, interval)


__all__ += ["report_to_json", "throttled"]
