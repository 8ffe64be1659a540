"""The embedding API: load a policy once, evaluate it on many facts documents.

```python
import wuxin_rules
policy = wuxin_rules.load("policies/loans/eligibility.policy", params={"max_ratio": "0.4"})
result = policy.evaluate({"applicant": {...}})
result["eligible"]             # a Python value
print(result.explain("eligible"))
```

Owns `load`, `loads`, `Policy` (a checked policy with its param values and facts schema) and
`Result` (the verdicts for one document, explained on demand). May import every stage below
it; imported by `cli` and `__init__` only.
"""

from __future__ import annotations

import decimal
import itertools
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from wuxin_rules import (
    checker,
    compiler,
    counterfactual,
    evaluator,
    loader,
    notebook,
    result_lines,
    trace_compiler,
)
from wuxin_rules import explain as explaining
from wuxin_rules import (
    partial as incomplete,  # (`partial` is also the name of `evaluate`'s flag)
)

# `param_value` is re-exported: it was public here before the checker took it over; the
# file checks were here before `lint` took them over (the command imports only that module).
from wuxin_rules.checker import param_value
from wuxin_rules.errors import (
    Diagnostic,
    EvaluationError,
    ParamError,
    UsageError,
    suggest,
)
from wuxin_rules.facts import FactsSchema, facts_schema, without_floats
from wuxin_rules.lint import check_policy_files, check_policy_paths, lint_policy_paths
from wuxin_rules.messages import english
from wuxin_rules.model import CheckedPolicy, RuleDef
from wuxin_rules.schema import (
    Type,
    describe,
)
from wuxin_rules.trace import Evaluation, Explanation, Verdict
from wuxin_rules.values import format_value, to_json, to_python

__all__ = ["Policy", "Result", "load", "loads"]


def load(
    path: str | os.PathLike[str],
    *,
    params: Mapping[str, Any] | None = None,
    root: str | os.PathLike[str] | None = None,
) -> Policy:
    """Load, parse and check a `.policy` file and the modules it imports.

    `params` overrides declared params by name (`{"max_ratio": "0.4"}`): values may be
    text in the language's literal syntax (`"50%"`, `"0.5"`, `"2015-03-31"`), or Python
    `int`, `Decimal`, `Fraction`, `bool`, `str`, `datetime.date`. Floats are refused.
    `root` is the policy root imports resolve against (default: derived from the header).
    Raises `PolicyError` (syntax or check problems, all at once) or `ParamError`.
    """
    loaded = loader.load_modules(path, root=Path(root) if root is not None else None)
    return Policy(checker.check(loaded), params)


def loads(
    text: str,
    *,
    name: str = "<string>",
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str] | None = None,
) -> Policy:
    """Load a policy from text. `files` maps dotted module names to the texts of imports."""
    loaded = loader.load_modules_from_text(text, name, files=files)
    return Policy(checker.check(loaded), params)


class Policy:
    """A checked policy, ready to evaluate. Immutable: `with_params` returns a new one."""

    def __init__(self, checked: CheckedPolicy, params: Mapping[str, Any] | None = None) -> None:
        self.checked = checked
        self._param_values: dict[str, Any] = {
            key: definition.default for key, definition in checked.params.items()
        }
        if params:
            self._param_values.update(checker.param_values(checked, params))
            problems = [
                problem
                for bands in checked.bands.values()
                for problem in checker.check_bands(bands, self._param_values)
            ]
            problems += checker.decision_problems(checked, self._param_values)
            if problems:
                raise ParamError(problems)
        self._schema = facts_schema(checked)
        self._programs: dict[tuple[str, ...], compiler.Program | None] = {}
        # The same programs with floats read where numbers are declared (`floats="shortest"`).
        self._float_programs: dict[tuple[str, ...], compiler.Program | None] = {}
        self._tracers: dict[tuple[str, ...], trace_compiler.Tracer | None] = {}
        self._stats = compiler.FastPathStats()
        # Why rules did not compile, by (keys, with explanations): the detail of the count.
        self._why_not: dict[tuple[tuple[str, ...], bool], list[str]] = {}

    # -- description ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The policy's dotted module name."""
        return self.checked.name

    @property
    def label(self) -> str | None:
        """The policy's label (its title)."""
        return self.checked.label

    @property
    def inputs(self) -> dict[str, str]:
        """Each input a facts document must supply, with its type as written."""
        return {i.name: describe(i.type) for i in self.checked.inputs}

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """The warnings of the check: names that look alike, mix scripts or are typed in
        full-width letters (`docs/errors.md`). A policy with warnings still works."""
        return tuple(self.checked.warnings)

    @property
    def rules(self) -> tuple[str, ...]:
        """The rules and criteria evaluated by default, in dependency order."""
        return self.checked.order

    @property
    def params(self) -> dict[str, Any]:
        """The value of every param (after overrides), by short name where unambiguous."""
        short = {key: name for name, key in self.checked.param_names.items()}
        types = self.checked.params
        return {
            short.get(key, key): to_python(value, types[key].type if key in types else None)
            for key, value in self._param_values.items()
        }

    def with_params(self, params: Mapping[str, Any]) -> Policy:
        """A copy of this policy with some params overridden."""
        merged: dict[str, Any] = {key: value for key, value in self._param_values.items()}
        policy = Policy.__new__(Policy)
        policy.checked = self.checked
        merged.update(checker.param_values(self.checked, params))
        problems = [
            problem
            for bands in self.checked.bands.values()
            for problem in checker.check_bands(bands, merged)
        ]
        problems += checker.decision_problems(self.checked, merged)
        if problems:
            raise ParamError(problems)
        policy._param_values = merged
        policy._schema = self._schema
        policy._programs = {}
        policy._float_programs = {}
        policy._tracers = {}
        policy._stats = compiler.FastPathStats()
        policy._why_not = {}
        return policy

    @property
    def fast_path_stats(self) -> compiler.FastPathStats:
        """How many documents the compiled fast path handed to the reference evaluator, by
        reason (`"not-compiled"`, `"not-plain"`, `"evaluation-error"`, `"too-deep"`,
        `"internal-error"`; see `wuxin_rules.compiler`), counted since this policy was made
        (or since `fast_path_stats.reset()`). Results are the same either way; the
        reference is only slower. `"internal-error"` means a bug in the generated code:
        please report it, with `fast_path_stats.details`."""
        return self._stats

    # -- evaluation ----------------------------------------------------------------------

    def evaluate(
        self,
        facts: Mapping[str, Any],
        *,
        rules: Sequence[str] | None = None,
        explain: bool = False,
        file: str | None = None,
        partial: bool = False,
        floats: str | None = None,
    ) -> Result:
        """Evaluate the policy on one facts document (one key per declared input).

        `rules` names the rules to evaluate (default: every rule and criterion of the policy
        that takes no parameters). With `explain=True` everything the explanations need is
        recorded during this evaluation and the trees are built from that record when first
        asked for; otherwise `Result.explain` evaluates again, tracing, when first asked.
        Raises `FactError` (all problems, with JSON paths) for facts that do not match the
        inputs; evaluation errors are kept per rule in the `Result`.

        With `partial=True` facts may be missing (see `wuxin_rules.partial`): each rule the
        present facts decide gets its value, every other is a `Pending` listing the missing
        facts it still needs. Explanations and `to_pass` need every fact.

        Binary floats are refused (they are not exact), unless `floats="shortest"`: then
        each float is read as the decimal of its shortest text, `0.1` as `Decimal("0.1")`
        (docs/embedding.md, "Floats").
        """
        keys = self.resolve_rules(rules)
        schema = self._facts_schema(floats)
        if partial:
            if explain:
                raise _needs_every_fact(english("explanations"))
            inputs, evaluation = incomplete.evaluate(
                self.checked, schema, facts, self._param_values, keys, file=file
            )
            return Result(self, inputs, keys, evaluation)
        compiled = self._tracer(keys) if explain else self._program(keys, floats=schema.floats)
        if compiled is not None:
            result = _compiled_result(self, compiled, facts)
            if result is None and explain and schema.floats:
                # The compiled tracer's facts check takes no float: read them first.
                converted = without_floats(facts)
                if converted is not facts:
                    result = _compiled_result(self, compiled, converted)
            if result is not None:
                return result
        else:
            self._not_compiled(keys, explain)
        values = schema.validate(facts, file=file)
        evaluation = evaluator.evaluate(
            self.checked, values, params=self._param_values, rules=keys, trace=explain
        )
        return Result(self, values, keys, evaluation)

    def evaluate_many(
        self,
        documents: Iterable[Mapping[str, Any]],
        *,
        rules: Sequence[str] | None = None,
        explain: bool = False,
        floats: str | None = None,
    ) -> list[Result]:
        """Evaluate many documents; the results are the same as `evaluate` on each, in order.

        This is the fast path for populations: the rules are compiled once (see
        `wuxin_rules.compiler`), plain documents are checked and evaluated by the compiled
        code, and only a document the compiled code cannot decide (an unusual form of a
        fact, a bad fact, an evaluation error) goes through the reference evaluator, which
        gives the very same results. With `explain=True` the compiled tracer (see
        `wuxin_rules.trace_compiler`) also records the value of every explanation node, and
        each result builds its trees from that record when they are first asked for.
        """
        keys = self.resolve_rules(rules)
        schema = self._facts_schema(floats)
        if explain:
            tracer = self._tracer(keys)
            if tracer is None:
                return list(self.iter_evaluate(documents, rules=keys, explain=True, floats=floats))
            return self._many(
                documents, keys, tracer.document_function, tracer.positions, tracer, schema
            )
        program = self._program(keys, floats=schema.floats)
        if program is None:
            return list(self.iter_evaluate(documents, rules=keys, floats=floats))
        return self._many(
            documents, keys, program.evaluate_function, program.positions, None, schema
        )

    def iter_evaluate(
        self,
        documents: Iterable[Mapping[str, Any]],
        *,
        rules: Sequence[str] | None = None,
        explain: bool = False,
        floats: str | None = None,
    ) -> Iterator[Result]:
        """Like `evaluate_many`, one result at a time (for streams larger than memory)."""
        keys = self.resolve_rules(rules)
        schema = self._facts_schema(floats)
        compiled = self._tracer(keys) if explain else self._program(keys, floats=schema.floats)
        reads_floats = explain and schema.floats
        for index, document in enumerate(documents):
            if reads_floats:  # the compiled tracer's facts check takes no float
                document = without_floats(document)
            # The compiled code sets the exact decimal context for this document only:
            # nothing is yielded while it is current.
            if compiled is not None:
                result = _compiled_result(self, compiled, document)
            else:
                result = None
                self._not_compiled(keys, explain)
            yield (
                result
                if result is not None
                else self._reference_result(document, keys, index, explain=explain, schema=schema)
            )

    def _many(
        self,
        documents: Iterable[Mapping[str, Any]],
        keys: tuple[str, ...],
        run: Callable[[Any], tuple[Any, ...]],
        positions: Mapping[str, int],
        tracer: trace_compiler.Tracer | None,
        schema: FactsSchema | None = None,
    ) -> list[Result]:
        """The hot loop of `evaluate_many`: `run` is the compiled program's fused function, or
        the tracer's (then what it returns is the record, which the results keep).

        The generated code runs in the exact decimal context (its `+ - *` are exact only
        there); the caller's context is back for the reference evaluator, for the caller's
        own iterator (a list is walked whole, other iterables a chunk at a time), and after
        the loop, however it ends.
        """
        explain = tracer is not None
        # Floats opted in: the program reads them itself (`compile_program(floats=True)`);
        # the tracer's facts check takes none, so they are read before it runs.
        reads_floats = explain and schema is not None and schema.floats
        stats = self._stats
        results: list[Result] = []
        append = results.append
        new = object.__new__
        saved = decimal.getcontext()
        exact = compiler.EXACT_CONTEXT
        setcontext = decimal.setcontext
        start = 0
        for chunk in _chunks(documents):
            setcontext(exact)
            try:
                for index, given in enumerate(chunk, start):
                    document = without_floats(given) if reads_floats else given
                    try:
                        values = run(document)
                    except Exception as error:  # the reference decides, for a counted reason
                        setcontext(saved)
                        compiler.fallback_reason(error, stats)  # (a bug raises, under test)
                        append(
                            self._reference_result(
                                document, keys, index, explain=explain, schema=schema
                            )
                        )
                        setcontext(exact)
                    else:
                        # `_compiled_result`, inline (a call costs as much as the stores).
                        result = new(Result)
                        result._policy = self
                        result._inputs = document
                        result._keys = keys
                        result._evaluation = None
                        result._fast_values = values
                        result._positions = positions
                        result._trace = tracer  # (then `values` is its record)
                        append(result)
            finally:
                setcontext(saved)
            start += len(chunk)
        return results

    def evaluate_lines(
        self,
        documents: Sequence[Mapping[str, Any]],
        *,
        rules: Sequence[str] | None = None,
        format: str = "json",
    ) -> list[str | None]:
        """Each document's output line as `wuxin eval --format FORMAT` prints it, or None.

        For `format="json"` a line is the text of `jsonio.dumps(evaluate(document,
        rules=rules).to_json())`; for `"text"` the `rule = value "label"` lines of the result.
        None stands for a document the compiled code does not decide (a bad or unusual fact,
        a rule that fails): `evaluate` that one for its result or its located error. The
        documents go through the compiled program in one pass and each line is written
        straight from its values (`wuxin_rules.result_lines`): the fast path of `wuxin eval`.
        """
        if format not in result_lines.FORMATS:
            raise UsageError(
                Diagnostic(
                    "usage",
                    english("unknown-line-format", format=format),
                    help=english("use-json-or-text"),
                )
            )
        keys = self.resolve_rules(rules)
        program = self._program(keys)
        if program is None:
            return [None] * len(documents)
        # One writer per rule set and format, kept with the policy (a copy made by
        # `with_params` starts without, as it starts without programs).
        writers = self.__dict__.setdefault("_line_writers", {})
        write = writers.get((keys, format))
        if write is None:
            described = [(k, self.checked.rules[k].type, self.checked.rules[k].label) for k in keys]
            write = result_lines.line_writer(described, program.positions, format)
            writers[keys, format] = write
        run = program.evaluate_function
        found: list[Any] = []
        saved = decimal.getcontext()
        decimal.setcontext(compiler.EXACT_CONTEXT)
        try:
            for document in documents:
                try:
                    found.append(run(document))
                except Exception:  # not plain, or a rule fails: `evaluate` decides
                    found.append(None)
        finally:
            decimal.setcontext(saved)
        return [None if values is None else write(values) for values in found]

    def _tracer(self, keys: tuple[str, ...]) -> trace_compiler.Tracer | None:
        """The compiled tracer of rules `keys` with this policy's params (built on first use)."""
        if keys not in self._tracers:
            self._tracers[keys] = trace_compiler.compile_tracer(
                self.checked,
                self._param_values,
                keys,
                why_not=self._why_not.setdefault((keys, True), []),
            )
        return self._tracers[keys]

    def _not_compiled(self, keys: tuple[str, ...], explain: bool) -> None:
        """Count one document the reference evaluates because rules `keys` did not compile."""
        why = self._why_not.get((keys, explain))
        self._stats.note(compiler.NOT_COMPILED, why[0] if why else None)

    def _reference_result(
        self,
        document: Any,
        keys: tuple[str, ...],
        index: int,
        *,
        explain: bool = False,
        schema: FactsSchema | None = None,
    ) -> Result:
        """Document `index` of a batch, checked in full and evaluated by the reference."""
        values = (schema or self._schema).validate(document, where=f"$[{index}]")
        evaluation = evaluator.evaluate(
            self.checked, values, params=self._param_values, rules=keys, trace=explain
        )
        return Result(self, values, keys, evaluation)

    def _program(self, keys: tuple[str, ...], floats: bool = False) -> compiler.Program | None:
        """The compiled form of rules `keys` with this policy's params (built on first use);
        with `floats`, the one that reads floats as their shortest decimals."""
        programs = self._float_programs if floats else self._programs
        if keys not in programs:
            programs[keys] = compiler.compile_program(
                self.checked,
                self._param_values,
                keys,
                why_not=self._why_not.setdefault((keys, False), []),
                floats=floats,
            )
        return programs[keys]

    def _facts_schema(self, floats: str | None) -> FactsSchema:
        """The facts schema for the `floats` choice: None refuses floats, "shortest" reads
        each as the decimal of its shortest text."""
        if floats is None:
            return self._schema
        if floats != "shortest":
            raise UsageError(
                Diagnostic(
                    "usage",
                    english("unknown-floats", value=repr(floats)),
                    help=english("floats.help"),
                )
            )
        return facts_schema(self.checked, floats=True)

    def evaluate_frame(
        self,
        frame: Any,
        *,
        rules: Sequence[str] | None = None,
        input: str | None = None,
        floats: str | None = None,
    ) -> Any:
        """Evaluate every row of a pandas DataFrame or a pyarrow Table; returns the same
        kind of frame, one column per rule and an `errors` column, aligned with the rows.

        Column names follow the headers of `wuxin eval` on tables (dotted field paths or
        labels; `input=` names the input when the policy has more than one). A float column
        is refused (`float-facts`) unless `floats="shortest"`. See docs/embedding.md.
        """
        from wuxin_rules import frames

        return frames.evaluate_frame(self, frame, rules=rules, input=input, floats=floats)

    def validate(self, facts: Mapping[str, Any], *, file: str | None = None) -> dict[str, Any]:
        """Check a facts document against the inputs and return its runtime values."""
        return self._schema.validate(facts, file=file)

    def resolve_rules(self, names: Sequence[str] | None) -> tuple[str, ...]:
        """The rule keys for the given names (default: `rules`); unknown names are an error."""
        if names is None:
            return self.checked.order
        keys: list[str] = []
        problems: list[Diagnostic] = []
        for name in names:
            rule = self._find_rule(name)
            if rule is None:
                problems.append(
                    Diagnostic(
                        "unknown-rule",
                        english("has-no-rule", policy=self.name, name=name),
                        help=suggest(name, self.checked.rules) or _rule_list(self.checked),
                    )
                )
            elif rule.is_function:
                problems.append(
                    Diagnostic(
                        "rule-needs-arguments",
                        english("takes-parameters", name=name),
                        help=english("call-it.help"),
                    )
                )
            else:
                keys.append(rule.key)
        if problems:
            raise UsageError(problems)
        return tuple(keys)

    def _find_rule(self, name: str) -> RuleDef | None:
        return self.checked.rules.get(name)

    def __repr__(self) -> str:
        return f"<Policy {self.name} ({len(self.checked.order)} rules)>"


class Result:
    """The verdicts of one evaluation. `result["rule"]` is the rule's value as Python data."""

    __slots__ = (
        "_evaluation",
        "_fast_values",
        "_inputs",
        "_keys",
        "_policy",
        "_positions",
        "_trace",
    )

    def __init__(
        self,
        policy: Policy,
        inputs: Mapping[str, Any],
        keys: tuple[str, ...],
        evaluation: Evaluation | None,
        fast_values: tuple[Any, ...] | None = None,
        positions: Mapping[str, int] | None = None,
    ) -> None:
        # (The fast path builds its results without this method: `_compiled_result` and the loop
        # of `Policy.evaluate_many` set every slot too.)
        self._policy = policy
        # The checked values; from the fast path, the document as given (checked, but its
        # keys maybe in another order, optional fields maybe absent, dates as text), which
        # `_traced` validates in full when an explanation is asked for.
        self._inputs = inputs
        self._keys = keys
        # From the compiled fast path: the values of `keys` (fast form, see `compiler`) and
        # no evaluation yet; verdicts and explanations are built on first request.
        self._evaluation = evaluation
        self._fast_values = fast_values
        self._positions = positions
        # From the compiled tracer: the tracer, `fast_values` being its record (every node's
        # value); the trees are built from it when first asked for.
        self._trace: trace_compiler.Tracer | None = None

    def _evaluated(self) -> Evaluation:
        evaluation = self._evaluation
        if evaluation is None and self._trace is not None:
            return self._traced()  # asked for explanations: verdicts come with their trees
        if evaluation is None:
            rules = self._policy.checked.rules
            verdicts: dict[str, Verdict] = {}
            values, positions = self._fast_values or (), self._positions or {}
            for key in self._keys:
                value = values[positions[key]]
                rule = rules[key]
                verdicts[key] = Verdict(
                    key=key,
                    name=rule.name,
                    kind=rule.kind,
                    type=rule.type,
                    value=compiler.canonical(value),
                    label=rule.label,
                    cites=rule.cites,
                    span=rule.span,
                )
            evaluation = self._evaluation = Evaluation(verdicts=verdicts, traced=False)
        return evaluation

    @property
    def verdicts(self) -> Mapping[str, Verdict]:
        """Every verdict, by rule key."""
        return self._evaluated().verdicts

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        """The evaluation errors of the rules that failed, each fault once (a rule's error is
        also the error of every rule that uses it). Empty when every rule succeeded."""
        if self._evaluation is None:
            return ()  # the fast path only ever holds documents without errors
        return self._evaluation.distinct_errors

    def verdict(self, name: str) -> Verdict:
        """The full verdict of one evaluated rule (value or error, label, citations)."""
        verdicts = self._evaluated().verdicts
        verdict = verdicts.get(name)
        if verdict is None:
            raise UsageError(
                Diagnostic(
                    "unknown-rule",
                    english("not-evaluated", name=name),
                    help=suggest(name, verdicts)
                    or english("evaluated-are.help", names=", ".join(f"`{k}`" for k in verdicts)),
                )
            )
        return verdict

    def __getitem__(self, name: str) -> Any:
        values = self._fast_values
        if values is not None:
            try:
                value = values[self._positions[name]]  # type: ignore[index]
            except KeyError:  # not a rule evaluated here: `verdict` says so
                pass
            else:
                if value is True or value is False:
                    return value
                type_ = self._policy.checked.rules[name].type
                return to_python(compiler.canonical(value), type_)
        verdict = self.verdict(name)
        if verdict.error is not None:
            raise EvaluationError(verdict.error)
        return _python(verdict.value, verdict.type)

    def __contains__(self, name: object) -> bool:
        return name in self._evaluated().verdicts

    def __iter__(self) -> Iterator[str]:
        return iter(self._evaluated().verdicts)

    def __len__(self) -> int:
        return len(self._evaluated().verdicts)

    def keys(self) -> Iterable[str]:
        """The evaluated rule names."""
        return self._evaluated().verdicts.keys()

    def values(self) -> dict[str, Any]:
        """Every successfully evaluated rule's Python value, by name."""
        return {
            key: _python(v.value, v.type) for key, v in self._evaluated().verdicts.items() if v.ok
        }

    def _traced(self) -> Evaluation:
        if isinstance(self._inputs, incomplete.PartialInputs):
            raise _needs_every_fact(english("explanations"))
        # Explanations on demand: the reference evaluator, in tracing mode, on the same values.
        if self._trace is not None:
            tracer, record = self._trace, self._fast_values or ()
            self._trace = None
            try:
                self._evaluation = tracer.evaluation(record)
            except RecursionError:
                # A tree too deep to build from this call's stack: the reference evaluator
                # explains the document instead (counted, as every document it takes over).
                self._policy._stats.note(compiler.TOO_DEEP, "an explanation tree too deep to build")
            except Exception as error:
                # A fault of the tree builder is a bug: an internal error under test, else
                # counted, and the reference explains the document.
                if compiler.strict():
                    raise compiler.internal_error(error, "the compiled tracer") from error
                self._policy._stats.note(
                    compiler.INTERNAL_ERROR, f"{type(error).__name__}: {error}"
                )
        if not self._evaluated().traced:
            if self._fast_values is not None:
                # The fast path kept the document as given: its values as the full check
                # gives them (declared order, dates converted, numbers exact), which it
                # accepts, having accepted them once.
                self._inputs = self._policy._schema.validate(without_floats(self._inputs))
                self._fast_values = None
            self._evaluation = evaluator.evaluate(
                self._policy.checked,
                self._inputs,
                params=self._policy._param_values,
                rules=self._keys,
                trace=True,
            )
        return self._evaluated()

    def explanation(self, name: str) -> Explanation:
        """The explanation tree of a rule's value (built on first request)."""
        self.verdict(name)
        explanation = self._traced().verdicts[name].explanation
        if explanation is None:  # pragma: no cover - traced evaluations always explain
            raise AssertionError("traced verdict without explanation")
        return explanation

    def explain(
        self,
        name: str | None = None,
        *,
        mode: str = "decisive",
        color: bool = False,
        lang: str = "en",
    ) -> str:
        """The explanation as readable text: one rule, or every evaluated rule.

        `lang="zh"` gives the fixed words in Chinese; labels and citations are the policy's.
        The text is an `ExplanationText`, a `str` that a notebook shows as HTML.
        """
        traced = self._traced()
        if name is None:
            text = explaining.render_evaluation(traced, mode=mode, color=color, lang=lang)
        else:
            self.verdict(name)
            verdict = traced.verdicts[name]
            text = explaining.render_text(verdict, mode=mode, color=color, lang=lang)
        # A `str`, shown as HTML in a notebook.
        return notebook.ExplanationText(text)

    def _repr_html_(self) -> str:
        """The verdicts as an HTML table, each explanation folded under its rule (Jupyter)."""
        evaluation = self._evaluated()
        partial = isinstance(self._inputs, incomplete.PartialInputs)
        explain = None if partial else (lambda key: self.explain(key, mode="decisive"))
        title = self._policy.label or self._policy.name
        return notebook.result_html(title, evaluation.verdicts, explain)

    def to_pass(self, name: str, value: bool = True) -> counterfactual.ToPass:
        """What must change for the boolean rule `name` to have `value`: a smallest set of fact
        changes (`FactChange`: JSON path, label, value now, what is needed, a value to set),
        checked by evaluating again, and the other sets of the same size (`alternatives`).
        Facts the policy marks `fixed` are never changed. See `wuxin_rules.counterfactual`."""
        self.verdict(name)
        if isinstance(self._inputs, incomplete.PartialInputs):
            raise _needs_every_fact(english("what must change"))
        return counterfactual.to_pass(
            self._policy.checked, self._checked_inputs(), self._policy._param_values, name, value
        )

    def _checked_inputs(self) -> Mapping[str, Any]:
        """The runtime values of the document (the fast path kept it as given)."""
        if self._fast_values is not None:
            return self._policy._schema.validate(without_floats(self._inputs))
        return self._inputs

    def to_pass_sentences(self, lang: str = "en") -> list[str]:
        """`to_pass_json` as plain sentences, one per rule (`若 负债笔数 为 0（现为 1），…`)."""
        return [
            self.to_pass(key).sentence(lang)
            for key, verdict in self._evaluated().verdicts.items()
            if verdict.ok and verdict.value is False
        ]

    def to_pass_json(self) -> dict[str, Any]:
        """`{rule: [change, …]}` for every evaluated boolean rule that came out false (`null`
        when no change was found): what `wuxin eval --to-pass` adds as `"to_pass"`."""
        return {
            key: self.to_pass(key).to_json()
            for key, verdict in self._evaluated().verdicts.items()
            if verdict.ok and verdict.value is False
        }

    def to_json(self, *, explain: bool = False, to_pass: bool = False) -> dict[str, Any]:
        """`{"rules": {name: value}}` as the CLI prints it, with `"errors"` for failed rules
        and `"explanations"` when `explain` is true, `"to_pass"` (`to_pass_json`) when
        `to_pass` is. Numbers are exact (see `values.to_json`)."""
        if to_pass:
            with_changes = self.to_json(explain=explain)
            with_changes["to_pass"] = self.to_pass_json()
            return with_changes
        if not explain and self._evaluation is None and self._fast_values is not None:
            # Straight from the fast path's values: no verdict objects needed.
            rules = self._policy.checked.rules
            values, positions = self._fast_values, self._positions or {}
            return {
                "rules": {
                    key: to_json(compiler.canonical(values[positions[key]]), rules[key].type)
                    for key in self._keys
                }
            }
        evaluation = self._traced() if explain else self._evaluated()
        data: dict[str, Any] = {
            "rules": {
                key: _json(v.value, v.type) if v.ok else None
                for key, v in evaluation.verdicts.items()
            }
        }
        errors = {
            key: v.error.to_json() for key, v in evaluation.verdicts.items() if v.error is not None
        }
        if errors:
            data["errors"] = errors
        if explain:
            data.update(explaining.evaluation_to_json(evaluation))
        return data

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{key}={_shown(v.value, v.type) if v.ok else 'error'}"
            for key, v in self._evaluated().verdicts.items()
        )
        return f"<Result {shown}>"


def _python(value: Any, type_: Type) -> Any:
    return value if isinstance(value, incomplete.Pending) else to_python(value, type_)


def _shown(value: Any, type_: Type) -> str:
    return repr(value) if isinstance(value, incomplete.Pending) else format_value(value, type_)


def _json(value: Any, type_: Type) -> Any:
    return value.to_json() if isinstance(value, incomplete.Pending) else to_json(value, type_)


def _needs_every_fact(what: str) -> UsageError:
    return UsageError(
        Diagnostic(
            "usage",
            english("api.need-every-fact-this", what=what),
            help=english("supply-missing.help"),
        )
    )


_CHUNK = 256
"""Documents `evaluate_many` takes from an iterator (not a list) at a time: the generated
code runs in the exact decimal context, the caller's iterator in the caller's."""

_new_result = object.__new__


def _chunks(documents: Iterable[Any]) -> Iterable[Sequence[Any]]:
    """A list or tuple whole; any other iterable `_CHUNK` items at a time."""
    if type(documents) is list or type(documents) is tuple:
        return (documents,)
    iterator = iter(documents)
    return iter(lambda: tuple(itertools.islice(iterator, _CHUNK)), ())


def _compiled_result(
    policy: Policy, compiled: compiler.Program | trace_compiler.Tracer, document: Any
) -> Result | None:
    """The result of a compiled program (or tracer) on `document`, or None when the reference
    decides. It keeps the document as given (checked, but its keys maybe in another order,
    dates as text), which `Result._traced` validates in full if it must; a tracer's values
    are its record, from which the trees are built."""
    values = compiled.evaluate(document, policy._stats)
    if values is None:
        return None
    result: Result = _new_result(Result)
    result._policy = policy
    result._inputs = document
    result._keys = compiled.keys
    result._evaluation = None
    result._fast_values = values
    result._positions = compiled.positions
    result._trace = compiled if isinstance(compiled, trace_compiler.Tracer) else None
    return result


# ------------------------------------------------------------------------------------------
# Checking policy files


def _rule_list(checked: CheckedPolicy) -> str:
    return english("rules-are.help", names=", ".join(f"`{name}`" for name in checked.order))


__all__ += [
    "check_policy_files",
    "check_policy_paths",
    "lint_policy_paths",
    "param_value",
]
