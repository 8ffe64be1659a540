"""The checker: names, types, the rule graph, schedules and bands, and the checked model."""

from __future__ import annotations

import datetime
import typing
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Golden
from wuxin_rules import checker, loader, model, parser
from wuxin_rules.errors import PolicyCheckError, WuxinError
from wuxin_rules.schema import (
    BOOL,
    DATE,
    DECIMAL,
    INT,
    PERCENT,
    TEXT,
    EnumType,
    ListType,
    OptionalType,
    RecordType,
)
from wuxin_rules.source import Source, Span
from wuxin_rules.typing_rules import describe_type

ROOT = Path(__file__).resolve().parents[1]
AT = Span(Source("<test>", ""), 0, 0)
"""A span for building expected nodes (spans take no part in equality)."""


def check(text: str, files: dict[str, str] | None = None) -> model.CheckedPolicy:
    return checker.check_text(text, "p.policy", files=files)


def problems(text: str, files: dict[str, str] | None = None) -> PolicyCheckError:
    with pytest.raises(PolicyCheckError) as caught:
        check(text, files)
    return caught.value


def rule_type(text: str, name: str) -> str:
    return describe_type(check(text).rules[name].type)


# ------------------------------------------------------------------------------------------
# The flagship and example policies


def test_flagship_policies_check_cleanly() -> None:
    """Every policy under policies/ checks cleanly, from its path and from its loaded modules
    (how long that takes is measured by benchmarks/bench_startup.py, not here)."""
    files = sorted((ROOT / "policies").rglob("*.policy"))
    assert files
    for path in files:
        from_path = checker.check_path(path)
        from_modules = checker.check(loader.load_modules(path))
        assert from_path.name == from_modules.name
        assert from_path.order == from_modules.order, path


def test_flagship_unit_policy_model() -> None:
    """The flagship unit policy: keys, inputs, params and the evaluation order."""
    policy = checker.check_path(ROOT / "policies" / "drug_free" / "unit.policy")
    assert policy.name == "drug_free.unit"
    assert [i.name for i in policy.inputs] == ["unit"]
    assert policy.param_names == {
        "growth_margin": "growth_margin",
        "enforcement_margin": "enforcement_margin",
    }
    assert "drug_free.units.group_of" in policy.rules
    assert policy.rules["drug_free.units.group_of"].module == "drug_free.units"
    assert policy.order[-1] == "group"
    assert all(policy.rules[k].params is None for k in policy.order)
    assert policy.label == "无毒单位评定"
    assert policy.modules[0] is not None


def test_library_example_checks() -> None:
    """The library example of another domain checks, with its dependency order."""
    policy = checker.check_path(ROOT / "examples" / "other" / "library.policy")
    order = list(policy.order)
    assert order.index("on_time_rate") < order.index("punctual") < order.index("may_borrow")
    assert describe_type(policy.rules["on_time_rate"].type) == "percent?"
    assert describe_type(policy.rules["unpaid_fines"].type) == "decimal"


# ------------------------------------------------------------------------------------------
# Exact renderings


def test_unknown_field_rendering() -> None:
    """A misspelt field: the documented message, caret under the field, a did-you-mean."""
    error = problems("record U: drug_labs: int\ninput u: U\ncriterion c: u.drug_lab == 0\n")
    assert str(error) == (
        "p.policy:3:16: error[unknown-name]: unknown field `drug_lab` on `U`\n"
        "  |\n"
        "3 | criterion c: u.drug_lab == 0\n"
        "  |                ^^^^^^^^\n"
        "   = help: did you mean `drug_labs`?"
    )


def test_type_mismatch_rendering() -> None:
    """A criterion that is not a condition: expected `bool`, found `int`."""
    assert str(problems("criterion c: 1 + 2\n")) == (
        "p.policy:1:14: error[type-mismatch]: expected `bool`, found `int`\n"
        "  |\n"
        "1 | criterion c: 1 + 2\n"
        "  |              ^^^^^\n"
        "   = note: criterion `c` is a condition: its value is `bool`\n"
        "   = help: compare the number to make a condition, e.g. `… > 0`"
    )


def test_possibly_none_rendering() -> None:
    """Arithmetic on an optional value is `possibly-none` with the documented help."""
    assert str(problems("input x: int?\nrule r: x + 1\n")) == (
        "p.policy:2:9: error[possibly-none]: `x` may be `none`\n"
        "  |\n"
        "2 | rule r: x + 1\n"
        "  |         ^\n"
        "   = help: handle `none` with `?? default`, `is none`, or `if … is none then … else …`"
    )


def test_duplicate_name_rendering() -> None:
    """A duplicate declaration points at the first one with a label."""
    assert str(problems("rule total: 1\nrule total: 2\n")) == (
        "p.policy:2:6: error[duplicate-name]: `total` is declared twice\n"
        "  |\n"
        "2 | rule total: 2\n"
        "  |      ^^^^^\n"
        "   = first declared here: p.policy:1:6\n"
        "    |\n"
        "  1 | rule total: 1\n"
        "    |      -----\n"
        "   = help: rename one of them: a name stands for one thing"
    )


def test_rule_cycle_rendering() -> None:
    """A rule cycle lists its rules and labels each reference that closes it."""
    assert str(problems("rule a: b\nrule b: a + 1\n")) == (
        "p.policy:1:6: error[rule-cycle]: rule cycle: `a` → `b` → `a`\n"
        "  |\n"
        "1 | rule a: b\n"
        "  |      ^\n"
        "   = `a` uses `b` here: p.policy:1:9\n"
        "    |\n"
        "  1 | rule a: b\n"
        "    |         -\n"
        "   = `b` uses `a` here: p.policy:2:9\n"
        "    |\n"
        "  2 | rule b: a + 1\n"
        "    |         -\n"
        "   = help: a rule cannot depend on itself, even through other rules or calls: compute "
        "the shared part in a rule of its own"
    )


def test_band_gap_rendering() -> None:
    """A band gap names the uncovered interval and the bands on both sides."""
    text = "bands grade over 0 .. 100:\n  90 .. 100 excellent\n  0 ..< 60 failing\n"
    assert str(problems(text)) == (
        "p.policy:2:3: error[band-gap]: `grade` has a gap: no band holds `60 ..< 90`\n"
        "  |\n"
        "2 |   90 .. 100 excellent\n"
        "  |   ^^^^^^^^^^^^^^^^^^^\n"
        "   = `failing` ends here: p.policy:3:3\n"
        "    |\n"
        "  3 |   0 ..< 60 failing\n"
        "    |   ----------------\n"
        "   = help: extend a neighbouring band to cover the gap, or add a band for it"
    )


def test_schedule_not_monotone_rendering() -> None:
    """A broken monotony claim names both cells, with a label on the earlier one."""
    text = (
        "enum G: junior, senior\n"
        "schedule target: percent by year, G monotone nondecreasing in year:\n"
        "  stage one 2015-01-01 .. 2016-12-31:\n"
        "    2015: junior 20%, senior 50%\n"
        "    2016: junior 10%, senior 60%\n"
    )
    assert str(problems(text)) == (
        "p.policy:5:11: error[schedule-not-monotone]: schedule `target` is not nondecreasing in "
        "`year` for `junior`: 20% in 2015, then 10% in 2016\n"
        "  |\n"
        "5 |     2016: junior 10%, senior 60%\n"
        "  |           ^^^^^^^^^^\n"
        "   = 20% in 2015: p.policy:4:11\n"
        "    |\n"
        "  4 |     2015: junior 20%, senior 50%\n"
        "    |           ----------\n"
        "   = help: correct one of the two values, or remove `monotone nondecreasing in year` if "
        "the table is not meant to be nondecreasing"
    )


def test_ambiguous_member_rendering() -> None:
    """A member of two enums with no context to choose is ambiguous, with both fixes."""
    text = "enum Kind: agency, school\nenum Group: agency, other\nrule r: agency\n"
    assert str(problems(text)) == (
        "p.policy:3:9: error[ambiguous-member]: `agency` is a member of several enums: `Kind` "
        "and `Group`\n"
        "  |\n"
        "3 | rule r: agency\n"
        "  |         ^^^^^^\n"
        "   = help: name the enum: `Kind.agency` or `Group.agency`"
    )


# ------------------------------------------------------------------------------------------
# Golden files: golden/check/good/*.policy check cleanly; golden/check/bad/NAME.policy fails
# with exactly the text of NAME.err (`pytest --update-golden` rewrites the .err files).

GOLDEN = Path(__file__).parent / "golden" / "check"
GOOD = sorted((GOLDEN / "good").glob("*.policy"))
BAD = sorted((GOLDEN / "bad").glob("*.policy"))


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def test_golden_check_corpus_is_present() -> None:
    """The corpus has good and bad files (a glob that finds nothing must not pass silently)."""
    assert len(GOOD) >= 1 and len(BAD) >= 8


@pytest.mark.parametrize("path", GOOD, ids=[p.stem for p in GOOD])
def test_golden_good_file_checks(path: Path) -> None:
    """Each good file checks, and every rule of it has a type."""
    policy = checker.check_text(_read(path), path.name)
    assert policy.rules and all(describe_type(r.type) != "?" for r in policy.rules.values())


@pytest.mark.parametrize("path", BAD, ids=[p.stem for p in BAD])
def test_golden_bad_file_reports(path: Path, golden: Golden) -> None:
    """Each bad file's diagnostics render exactly as its `.err` file says."""
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text(_read(path), path.name)
    golden.check(path.with_suffix(".err"), str(caught.value) + "\n")


# ------------------------------------------------------------------------------------------
# One case per diagnostic code

ENUMS = "enum Kind: park, agency\nenum Group: town_level, agency\n"
RECORD = "record U: n: int\n  d: date?\n  k: Kind\ninput u: U\ninput us: list of U\n"

CODES: list[tuple[str, str, str]] = [
    ("duplicate-name", "rule a: 1\ninput a: int", "`a` is declared twice"),
    ("duplicate-name", "enum K: x, x", "member `x` is declared twice"),
    ("duplicate-name", "record R: a: int\n  a: int", "field `a` is declared twice"),
    ("duplicate-name", "rule f(a: int, a: int): a", "parameter `a` is declared twice"),
    ("reserved-name", "rule if: 1", "`if` is a reserved word and cannot name a rule"),
    ("reserved-name", "enum text: a", "`text` is a builtin type and cannot name an enum"),
    ("unknown-name", "rule a: b", "unknown name `b`"),
    ("unknown-name", RECORD + ENUMS + "rule r: u.m", "unknown field `m` on `U`"),
    ("unknown-name", "input d: date\nrule r: d.week", "unknown field `week` on `date`"),
    ("unknown-type", "input x: Unit", "unknown type `Unit`"),
    ("not-a-type", "rule r: 1\ninput x: r", "`r` is a rule, not a type"),
    ("unknown-member", ENUMS + "rule r: Kind.parc", "unknown member `parc` of `Kind`"),
    (
        "unknown-member",
        ENUMS + RECORD + "rule r: u.k == town_level",
        "unknown member `town_level` of `Kind`",
    ),
    ("ambiguous-member", ENUMS + "rule r: agency", "`agency` is a member of several enums"),
    ("not-a-value", ENUMS + "rule r: Kind", "`Kind` is a type, not a value"),
    ("not-a-value", "rule f(x: int): x\nrule r: f", "`f` takes parameters"),
    ("not-callable", "rule a: 1\nrule r: a(2)", "`a` takes no arguments"),
    ("not-callable", "input x: int\nrule r: x(2)", "`x` is not a function"),
    ("recursive-record", "record N: next: list of N\ninput n: N", "recursive record: `N` → `N`"),
    ("type-mismatch", "rule r: 1 + true", "expected a number, found `bool`"),
    ("type-mismatch", 'rule r: "a" < "b"', "`<` compares numbers, dates, date-times, times"),
    ("type-mismatch", 'rule r: 1 == "a"', "cannot compare `int` with `text`"),
    ("possibly-none", "input x: int?\nrule r: x > 1", "`x` may be `none`"),
    ("never-none", "input x: int\nrule r: x ?? 0", "`x` is never `none`"),
    ("none-comparison", "input x: int?\nrule r: x == none", "`==` cannot test for `none`"),
    ("wrong-arity", "rule f(a: int): a\nrule r: f(1, 2)", "`f` takes 1 argument, found 2"),
    ("too-deep", "input x: " + "list of " * 150 + "int", "type nested more than 100 levels"),
    ("bad-bound", "input x: text >= 0", "`text` cannot have a numeric bound"),
    ("bad-bound", "input x: int 5 .. 1", "the bound `5 .. 1` admits no value"),
    ("param-not-constant", "param p: int = 1 + 1", "the default of param `p` must be a constant"),
    (
        "out-of-bounds",
        "param p: percent 0% .. 100% = 120%",
        "`120%` is outside the bound `0% .. 100%`",
    ),
    ("missing-body", "input xs: list of int\nrule r: rate of x in xs", "`rate` needs a condition"),
    (
        "unexpected-body",
        "input xs: list of int\nrule r: count of x in xs : x > 1",
        "`count` takes no",
    ),
    ("empty-list", "rule r: []", "cannot tell the type of an empty list here"),
    (
        "missing-field",
        "record R: a: int\n  b: int?\nrule r -> R: {a: 1}",
        "missing field `b` of `R`",
    ),
    (
        "spread-after-field",
        "record R: a: int\ninput x: R\nrule r -> R: {a: 2, ...x}",
        "the field `a` is given before `...x`",
    ),
    ("bad-category", "schedule s: int by year, int:\n  stage a ..2015-12-31:", "must be an enum"),
    ("rule-cycle", "rule a: a", "rule cycle: `a` → `a`"),
    (
        "schedule-not-monotone",
        "schedule s: int by year monotone nonincreasing in year:\n  stage a ..2016-12-31:\n    2015: 1\n    2016: 2",
        "is not nonincreasing in `year`: 1 in 2015, then 2 in 2016",
    ),
    (
        "duplicate-period",
        "schedule s: int by year:\n  stage a ..2016-12-31:\n    2015: 1\n    2015: 2",
        "period `2015` appears twice",
    ),
    (
        "period-outside-stage",
        "schedule s: int by year:\n  stage a 2015-01-01 .. 2015-12-31:\n    2016: 1",
        "period `2016` lies outside stage `a`",
    ),
    (
        "stage-overlap",
        "schedule s: int by year:\n  stage a ..2015-12-31:\n  stage b 2015-12-31 .. 2016-12-31:",
        "stages `a` and `b` of schedule `s` overlap",
    ),
    (
        "empty-stage",
        "schedule s: int by year:\n  stage a 2016-01-01 .. 2015-12-31:",
        "stage `a` ends before it starts",
    ),
    (
        "duplicate-cell",
        "enum G: x, y\nschedule s: int by year, G:\n  stage a ..2015-12-31:\n    2015: x 1, x 2",
        "`x` appears twice in period `2015`",
    ),
    (
        "missing-category",
        "enum G: x, y\nschedule s: int by year, G:\n  stage a ..2015-12-31:\n    2015: 1",
        "names no category",
    ),
    (
        "unexpected-category",
        "schedule s: int by year:\n  stage a ..2015-12-31:\n    2015: x 1",
        "schedule `s` has no categories",
    ),
    (
        "bad-schedule-type",
        "schedule s: bool by year:\n  stage a ..2015-12-31:",
        "schedule values are numbers",
    ),
    (
        "bad-monotone",
        "schedule s: int by year monotone nondecreasing in month:\n  stage a ..2015-12-31:",
        "`month` is not the period of schedule `s`",
    ),
    ("band-gap", "bands b over 0 .. 10:\n  0 ..< 5 lo\n  6 .. 10 hi", "no band holds `5 ..< 6`"),
    ("band-overlap", "bands b over 0 .. 10:\n  0 .. 5 lo\n  5 .. 10 hi", "both hold `5`"),
    (
        "empty-band",
        "bands b over 0 .. 10:\n  0 .. 10 all_\n  5 ..< 5 none_",
        "band `none_` holds no value",
    ),
    (
        "band-out-of-range",
        "bands b over 0 .. 10:\n  0 .. 11 all_",
        "reaches outside the range `0 .. 10`",
    ),
    (
        "bad-band-bound",
        "rule r: 5\nbands b over 0 .. r:\n  0 .. r all_",
        "`r` is a rule, not a param",
    ),
]


@pytest.mark.parametrize(("code", "text", "message"), CODES, ids=[c[0] for c in CODES])
def test_each_diagnostic_code(code: str, text: str, message: str) -> None:
    """Each problem gets its code, a message, a span in the policy and a help line."""
    error = problems(text)
    found = [d for d in error.diagnostics if d.code == code]
    assert found, error.codes
    diagnostic = found[0]
    assert message in diagnostic.message
    assert diagnostic.span is not None and diagnostic.span.source.name == "p.policy"
    assert diagnostic.help
    assert not diagnostic.message.endswith(".")
    assert diagnostic.message[0].islower() or diagnostic.message[0] == "`"


def test_input_conflict_across_modules() -> None:
    """Two modules declaring one input with different types is `input-conflict`."""
    error = problems(
        "policy a\nimport b\ninput n: int\nrule r: b.s", {"b": "input n: text\nrule s: n"}
    )
    assert error.codes == ("input-conflict",)
    assert error.diagnostics[0].message == "input `n` is `text` here but `int` in module `a`"
    assert error.diagnostics[0].labels[0].text == "declared here"


# ------------------------------------------------------------------------------------------
# All problems at once; passes; knock-on suppression


def test_all_problems_of_a_pass_at_once() -> None:
    """Every name problem is reported in one error, in source order."""
    text = (
        "record U: n: int\n"
        "input u: U\n"
        "rule a: u.n + missing\n"
        "rule a: 2\n"
        "input x: Nothing\n"
        "rule if: 3\n"
        "rule c: u.n + also_missing\n"
    )
    error = problems(text)
    assert error.codes == (
        "unknown-name",
        "duplicate-name",
        "unknown-type",
        "reserved-name",
        "unknown-name",
    )
    assert [d.span.line for d in error.diagnostics if d.span] == [3, 4, 5, 6, 7]
    assert str(error).endswith("\n\n5 errors")


def test_type_problems_wait_for_names() -> None:
    """A later pass does not run when names are wrong: only the name error is reported."""
    error = problems("rule a: 1 + true\nrule b: nope\n")
    assert error.codes == ("unknown-name",)


def test_all_type_problems_at_once() -> None:
    """Every type problem of every rule is reported together."""
    error = problems("rule a: 1 + true\ncriterion b: 3\nrule c: not 1\n")
    assert error.codes == ("type-mismatch", "type-mismatch", "type-mismatch")


def test_knock_on_errors_are_suppressed() -> None:
    """An expression whose operand already failed gets no second error."""
    error = problems(
        "record U: n: int\ninput u: U\ncriterion c: (u.m + 1) * 2 > 3 and abs(u.m) == 0\n"
    )
    assert error.codes == ("unknown-name", "unknown-name")
    error = problems("criterion c: (1 + true) * 2 > 3\n")
    assert error.codes == ("type-mismatch",)


def test_rules_using_a_broken_rule_get_no_second_error() -> None:
    """A rule whose type failed does not make its users fail too."""
    error = problems("rule a: 1 + true\nrule b: a * 2\ncriterion c: b > 1\n")
    assert error.codes == ("type-mismatch",)


def test_passes_table() -> None:
    """The pass table names the seven passes in order."""
    assert [name for name, _ in checker.PASSES] == [
        "check-exceptions",
        "resolve-names",
        "check-types",
        "check-rule-graph",
        "check-tables",
        "check-translations",
        "check-decisions",
    ]


# ------------------------------------------------------------------------------------------
# Names


def test_enum_members_resolve_by_context() -> None:
    """`agency` is in two enums; the expected type of each context picks one."""
    policy = check(
        ENUMS
        + "record U: k: Kind\n  g: Group\ninput u: U\n"
        + "criterion a: u.k == agency\n"
        + "criterion b: agency == u.g\n"
        + "criterion c: u.k in [park, agency]\n"
        + "rule d -> Group: agency\n"
        + "param p: Kind = agency\n"
        + "rule f(g: Group): g\n"
        + "rule e: f(agency)\n"
        + "rule h -> Kind: if u.k == park then agency else park\n"
    )
    kind, group = policy.enums["Kind"], policy.enums["Group"]
    assert policy.rules["a"].body.right == model.Const("agency", kind, AT)
    assert policy.rules["b"].body.left == model.Const("agency", group, AT)
    in_list = policy.rules["c"].body.collection
    assert [item.type for item in in_list.items] == [kind, kind]
    assert policy.rules["d"].body.type == group
    assert policy.params["p"].default == "agency"
    assert policy.rules["e"].body.args[0].type == group
    assert policy.rules["h"].type == kind


def test_unique_member_needs_no_context() -> None:
    """A member of only one visible enum resolves without context."""
    policy = check(ENUMS + "rule r: park\n")
    assert policy.rules["r"].body == model.Const("park", policy.enums["Kind"], AT)


def test_member_of_the_wrong_enum_says_where_it_belongs() -> None:
    """Comparing with a member of another enum names the enum the member is in."""
    error = problems(ENUMS + RECORD + "criterion c: u.k == town_level\n")
    diagnostic = error.diagnostics[0]
    assert diagnostic.notes == ("`town_level` is a member of `Group`",)
    assert diagnostic.help == "the members of `Kind` are `park` and `agency`"


def test_locals_shadow_module_names() -> None:
    """A rule parameter hides a rule of the same name."""
    policy = check("rule x: true\nrule f(x: int): x + 1\n")
    assert policy.rules["f"].body.left == model.LocalRef("x", INT, AT)


def test_builtins_only_in_call_position() -> None:
    """A builtin name outside a call is unknown, with a hint to call it."""
    error = problems("rule r: abs\n")
    assert error.diagnostics[0].help == "`abs` is a builtin function: call it as `abs(n: number)`"


def test_rules_can_shadow_builtins() -> None:
    """A module's own declaration wins over a builtin of the same name."""
    policy = check("rule len(x: int): x * 2\nrule r: len(3)\n")
    assert isinstance(policy.rules["r"].body, model.CallRule)


def test_date_components_are_fields() -> None:
    """`d.year` is a builtin call `year`; `year(d)` is unknown with a hint."""
    policy = check("input d: date\nrule y: d.year\nrule q: d.quarter\n")
    assert policy.rules["y"].body == model.BuiltinCall(
        "year", (model.InputRef("d", DATE, AT),), INT, AT
    )
    error = problems("input d: date\nrule y: year(d)\n")
    assert error.diagnostics[0].help == "the year of a date `d` is written `d.year`"


def test_imports_qualified_unqualified_and_aliased() -> None:
    """`import a.b` gives `b.X`; `as k` gives `k.X`; a name list brings names unqualified."""
    files = {
        "org.units": (
            "policy org.units\nenum Kind: park, agency\nrecord U: kind: Kind\n"
            "param limit: int = 3\nrule big(u: U): u.kind == park\nrule three: limit\n"
        )
    }
    policy = check(
        "policy org.main\nimport org.units (U, big)\nimport org.units as k\n"
        "input u: U\ncriterion a: big(u)\nrule b: units.three + k.limit\n"
        "criterion c: u.kind == k.Kind.agency\n",
        files,
    )
    assert policy.rules["a"].body == model.CallRule(
        "org.units.big", (model.InputRef("u", policy.records["org.units.U"], AT),), BOOL, AT
    )
    assert set(policy.rules) == {"a", "b", "c", "org.units.big", "org.units.three"}
    assert policy.params["org.units.limit"].module == "org.units"
    assert policy.param_names == {"limit": "org.units.limit"}
    assert policy.enums["org.units.Kind"].qualified == "org.units.Kind"


def test_import_errors_are_named() -> None:
    """Unknown imported names, missing declarations and renamed modules get hints."""
    files = {"lib": "rule one: 1\nrule two: 2\n"}
    error = problems("import lib as l (ones)\nrule a: l.too\nrule b: lib.one\n", files)
    assert [d.message for d in error.diagnostics] == [
        "module `lib` has no `ones`",
        "module `lib` has no `too`",
        "unknown name `lib`",
    ]
    assert [d.help for d in error.diagnostics] == [
        "did you mean `one`?",
        "did you mean `two`?",
        "module `lib` is imported as `l`: write `l.…`",
    ]


def test_import_clashing_with_a_declaration() -> None:
    """An imported name that clashes with a declaration is `duplicate-name`."""
    error = problems("import lib (one)\nrule one: 2\n", {"lib": "rule one: 1"})
    assert error.codes == ("duplicate-name",)
    assert error.diagnostics[0].labels[0].text == "first defined here"


def test_examples_and_properties_are_accepted_silently() -> None:
    """`example` and `property` are left to other tools, even with unknown names inside."""
    policy = check(
        "rule a: 1\n"
        'example "e":\n  given x = nothing\n  expect a == unknown\n'
        'property "p":\n  forall n: Nope\n  holds n > a\n'
    )
    assert set(policy.rules) == {"a"}


# ------------------------------------------------------------------------------------------
# Types


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("count of l in us", "int"),
        ("count of l in us where l.n > 0", "int"),
        ("sum of l in us : l.n", "int"),
        ("sum of l in us : l.amount", "decimal"),
        ("sum of l in us : l.share", "decimal"),
        ("sum of n in [1, 2]", "int"),
        ("min of l in us : l.n", "int?"),
        ("max of l in us : l.due", "date?"),
        ("max of l in us : l.share", "percent?"),
        ("all of l in us : l.n > 0", "bool"),
        ("any of l in us : l.n > 0", "bool"),
        ("rate of l in us where l.n > 0 : l.amount > 1", "percent?"),
        ("list of l in us : l.n", "list of int"),
        ("list of l in us where l.n > 0", "list of U"),
    ],
)
def test_aggregate_types(body: str, expected: str) -> None:
    """Each aggregate kind has the result type of the table in internals.md."""
    text = (
        "record U: n: int\n  amount: decimal\n  share: percent\n  due: date\n"
        f"input us: list of U\nrule r: {body}\n"
    )
    assert rule_type(text, "r") == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("1 + 2", "int"),
        ("1 * 2 - 3", "int"),
        ("1 / 1", "decimal"),
        ("1 + 0.5", "decimal"),
        ("10% + 5%", "percent"),
        ("10% * 5%", "decimal"),
        ("2 * 10%", "decimal"),
        ("-(1 + 1)", "int"),
        ("-p", "percent"),
        ("abs(-2.5)", "decimal"),
        ("max(1, 2.5)", "decimal"),
        ("min(d, d)", "date"),
        ("floor(2.5)", "int"),
        ("ceil(p)", "int"),
        ("round(2.55, 1)", "decimal"),
        ("round(p, 2)", "percent"),
        ("len([1, 2])", "int"),
        ("date(2015, 3, 31)", "date"),
        ("days_between(d, d)", "int"),
        ("add_days(d, 3)", "date"),
        ("add_months(d, 1)", "date"),
        ("quarter_last_month(2)", "int"),
        ("d.month", "int"),
        ("if true then 1 else 2.5", "decimal"),
        ("if true then 1 else none", "int?"),
        ("if true then none else none", "none"),
        ("[1, 2.5]", "list of decimal"),
        ("[[1], [2]]", "list of list of int"),
        ('{a: 1, b: "x"}', "{a: int, b: text}"),
        ("1 in [1, 2]", "bool"),
        ("at least p2 of [true, false]", "bool"),
        ("not (1 == 1.0)", "bool"),
    ],
)
def test_expression_types(body: str, expected: str) -> None:
    """Arithmetic, builtins, `if`, lists and records get the documented types."""
    text = f"input d: date\nparam p: percent = 10%\nparam p2: int = 1\nrule r: {body}\n"
    assert rule_type(text, "r") == expected


def test_return_annotation_is_enforced_and_kept() -> None:
    """`-> T` accepts a body that fits (an int for decimal) and gives the rule type T."""
    policy = check("rule r -> decimal: 1\nrule s -> int?: none\n")
    assert policy.rules["r"].type == DECIMAL
    assert policy.rules["s"].type == OptionalType(INT)
    error = problems("rule r -> int: 1.5\n")
    assert error.diagnostics[0].labels[0].text == "declared here"


def test_criteria_must_be_bool() -> None:
    """A criterion declared with another type is an error at the annotation."""
    # The grammar has no `->` on criteria; an AST built by a tool may still carry one.
    module = parser.parse("rule c -> int: 1\n", "p.policy")
    rule = attrs.evolve(module.declarations[0], kind="criterion")
    module = attrs.evolve(module, declarations=(rule,))
    with pytest.raises(PolicyCheckError) as caught:
        checker.check(loader.LoadedModules(module, {"p": module}, "p", None))
    error = caught.value
    assert error.codes == ("type-mismatch",)
    assert error.diagnostics[0].message == "a criterion is `bool`, but `c` is declared `-> int`"


def test_call_arguments_are_checked() -> None:
    """Arguments must fit the parameters; an optional argument is `possibly-none`."""
    error = problems("input x: int?\nrule f(a: int, b: text): a\nrule r: f(x, 3)\n")
    assert error.codes == ("possibly-none", "type-mismatch")
    assert error.diagnostics[1].notes == ("parameter `b` of `f` is `text`",)


def test_schedule_and_bands_calls() -> None:
    """`s(year, category)` is `T?`; `b(number)` is the bands' enum."""
    policy = check(
        "enum G: x, y\nschedule s: percent by year, G:\n  stage a ..2015-12-31:\n    2015: x 1%, y none\n"
        "bands b over 0 .. 10:\n  0 ..< 5 lo\n  5 .. 10 hi\n"
        "rule t: s(2015, x)\nrule g: b(3)\ncriterion h: b(4) == hi\n"
    )
    assert policy.rules["t"].type == OptionalType(PERCENT)
    assert policy.rules["g"].type == policy.bands["b"].type
    assert policy.rules["h"].body.right == model.Const("hi", policy.bands["b"].type, AT)
    assert policy.enums["b"] == policy.bands["b"].type
    error = problems(
        "enum G: x\nschedule s: int by year, G:\n  stage a ..2015-12-31:\nrule t: s(2015)\n"
    )
    assert error.diagnostics[0].message == "`s` takes 2 arguments, found 1"
    assert error.diagnostics[0].help == "call it as `s(year, G)`"


def test_record_literals_match_record_types() -> None:
    """A literal fits a declared record when it has exactly its fields; spreads count."""
    policy = check(
        "record R: a: int\n  b: text?\ninput x: R\n"
        "rule r -> list of R: [{a: 1, b: none}, {...x, a: 2}]\n"
    )
    items = policy.rules["r"].body.items
    assert all(isinstance(i.type, RecordType) and i.type.qualified == "R" for i in items)
    assert items[1].spreads == (model.InputRef("x", policy.records["R"], AT),)
    error = problems("record R: a: int\nrule r -> R: {a: 1, c: 2}\n")
    assert [d.message for d in error.diagnostics] == [
        "unknown field `c` on `R`",
    ]


def test_record_literal_field_access() -> None:
    """Fields of an anonymous record literal are typed."""
    assert rule_type('rule r: {a: 1, b: "x"}.b\n', "r") == "text"


def test_params_keep_constant_defaults() -> None:
    """Param defaults are kept in runtime form: exact numbers, members, lists, none."""
    policy = check(
        "enum K: a, b\nparam p: percent = 12.5%\nparam q: decimal = -0.25\n"
        "param l: list of K = [a, b]\nparam o: int? = none\nparam d: date = 2015-03-31\n"
    )
    assert policy.params["p"].default == Fraction(1, 8)
    assert policy.params["q"].default == Fraction(-1, 4)
    assert policy.params["l"].default == ("a", "b")
    assert policy.params["o"].default is None
    assert policy.params["d"].default == datetime.date(2015, 3, 31)


# ------------------------------------------------------------------------------------------
# `none` and narrowing


NARROW = (
    "record L: due: date\n  back: date?\ninput ls: list of L\ninput x: int?\n"
    "input today: date\nrule maybe: x\nparam pm: int? = none\n"
)


@pytest.mark.parametrize(
    "body",
    [
        "if x is none then 0 else x + 1",
        "if x is not none then x + 1 else 0",
        "if not (x is none) then x + 1 else 0",
        "if maybe is none then 0 else maybe * 2",
        "if pm is none then 0 else pm",
        "if x is not none and pm is not none then x + pm else 0",
        "if x is none or pm is none then 0 else x + pm",
        "sum of l in ls : if l.back is none then 0 else days_between(l.due, l.back)",
        "x ?? 0",
        "(x ?? 0) + 1",
    ],
)
def test_narrowing_makes_optional_values_safe(body: str) -> None:
    """`is none` tests narrow inputs, rules, params, locals and their fields in branches."""
    policy = check(NARROW + f"rule r -> int: {body}\n")
    assert policy.rules["r"].type == INT


@pytest.mark.parametrize(
    "body",
    [
        "if x is none then x + 1 else 0",
        "if x is not none then 0 else x + 1",
        "x is not none and x > 1",
        "if x is none or maybe is none then 0 else pm + 1",
        "count of x in [1] where x > 0",
    ],
)
def test_narrowing_only_where_it_holds(body: str) -> None:
    """A value stays optional in the branch where it may be none (and `and` does not guard)."""
    text = NARROW + f"rule r: {body}\n"
    if body.startswith("count"):
        check(text)  # the aggregate's `x` is a new local that hides the input
        return
    assert "possibly-none" in problems(text).codes


def test_and_guard_slip_gets_a_note() -> None:
    """`x is not none and x > 1` is explained: `and` evaluates both sides."""
    error = problems(NARROW + "criterion c: x is not none and x > 1\n")
    assert error.diagnostics[0].notes[0].startswith("`and` and `or` evaluate every operand")


def test_schedule_lookup_narrows_in_the_else_branch() -> None:
    """`if s(y, g) is none then … else s(y, g) >= …` is safe: a lookup is a path too."""
    check(
        "enum G: x\nschedule s: percent by year, G:\n  stage a ..2015-12-31:\n    2015: x 1%\n"
        "input y: int\ncriterion c(g: G): if s(y, g) is none then false else s(y, g) >= 1%\n"
    )


def test_coalesce_type_and_fallback() -> None:
    """`x ?? d` requires an optional `x` and a fitting `d`; the result is the joined type."""
    assert rule_type("input x: int?\nrule r: x ?? 0.5\n", "r") == "decimal"
    assert rule_type("input x: int?\ninput y: int?\nrule r: x ?? y\n", "r") == "int?"
    error = problems('input x: int?\nrule r: x ?? "a"\n')
    assert error.codes == ("type-mismatch",)


# ------------------------------------------------------------------------------------------
# The rule graph


def test_order_is_dependencies_first_then_declaration() -> None:
    """Root nullary rules come after what they use, else in declaration order."""
    policy = check(
        "rule a: c + b\nrule b: 1\nrule c: d(b)\nrule d(n: int): e + n\nrule e: 2\nrule z: 3\n"
    )
    assert policy.order == ("b", "e", "c", "a", "z")


def test_order_lists_only_root_rules() -> None:
    """Imported rules are keyed `module.rule` and are not in the default order."""
    policy = check("import lib\nrule a: lib.one\n", {"lib": "rule one: 1"})
    assert policy.order == ("a",)
    assert policy.rules["lib.one"].key == "lib.one"


def test_cycles_through_calls_and_modules() -> None:
    """Cycles through function calls and across modules are found."""
    error = problems("rule f(n: int): g + n\nrule g: f(1)\n")
    assert error.diagnostics[0].message == "rule cycle: `f` → `g` → `f`"
    error = problems("import lib\nrule a: 1\n", {"lib": "rule one(x: int): one(x)"})
    assert error.diagnostics[0].message == "rule cycle: `lib.one` → `lib.one`"


def test_long_rule_chains_check() -> None:
    """A chain of 3000 rules checks (no recursion over the rule graph) and keeps its order."""
    count = 3000
    lines = [f"rule r{i}: r{i + 1} + 1" for i in range(count)] + [f"rule r{count}: 0"]
    policy = check("\n".join(lines))
    assert policy.order[0] == f"r{count}" and policy.order[-1] == "r0"


# ------------------------------------------------------------------------------------------
# Schedules


SCHEDULE = (
    "enum G: junior, senior\n"
    'schedule target "目标": percent by year, G monotone nondecreasing in year cites "S4":\n'
    '  stage launch "启动" 2015-04-01 .. 2015-12-31:\n'
    "    2015: junior 20%, senior 50%\n"
    "  stage deepen 2016-01-01 .. 2017-12-31:\n"
    "    2016: junior 35%, senior none\n"
    "    2017: junior 50%, senior 80%\n"
)


def test_schedule_definition() -> None:
    """Cells are keyed `(period, member)`; stages keep dates and periods."""
    schedule = check(SCHEDULE).schedules["target"]
    assert schedule.cells == {
        (2015, "junior"): Fraction(1, 5),
        (2015, "senior"): Fraction(1, 2),
        (2016, "junior"): Fraction(7, 20),
        (2016, "senior"): None,
        (2017, "junior"): Fraction(1, 2),
        (2017, "senior"): Fraction(4, 5),
    }
    assert schedule.monotone == ("nondecreasing",)
    assert schedule.category is not None and schedule.category.name == "G"
    assert schedule.period_name == "year"
    assert schedule.label == "目标" and schedule.cites == ("S4",)
    launch, deepen = schedule.stages
    assert (launch.name, launch.label, launch.start, launch.periods) == (
        "launch",
        "启动",
        datetime.date(2015, 4, 1),
        (2015,),
    )
    assert deepen.periods == (2016, 2017)


def test_monotone_proof_skips_none_cells() -> None:
    """A `none` cell is no value: the proof compares the defined neighbours around it."""
    check(SCHEDULE.replace("senior 80%", "senior 60%"))
    error = problems(SCHEDULE.replace("senior 80%", "senior 40%"))
    assert error.diagnostics[0].message.endswith("for `senior`: 50% in 2015, then 40% in 2017")


def test_nonincreasing_and_uncategorised_schedules() -> None:
    """An uncategorised nonincreasing schedule passes when it falls, fails when it rises."""
    text = "schedule s: int by year monotone nonincreasing in year:\n  stage a ..2017-12-31:\n"
    policy = check(text + "    2015: 3\n    2016: 3\n    2017: 1\n")
    assert policy.schedules["s"].cells == {(2015, None): 3, (2016, None): 3, (2017, None): 1}
    assert policy.schedules["s"].stages[0].start is None
    assert "schedule-not-monotone" in problems(text + "    2015: 3\n    2016: 4\n").codes


def test_schedule_values_fit_their_type() -> None:
    """A decimal cell in an int schedule, or a value outside the bound, is reported."""
    text = "schedule s: int >= 0 by year:\n  stage a ..2016-12-31:\n    2015: 1.5\n    2016: -1\n"
    assert problems(text).codes == ("type-mismatch", "out-of-bounds")


# ------------------------------------------------------------------------------------------
# Bands


def bands(text: str) -> model.BandsDef:
    return check(text).bands["b"]


@pytest.mark.parametrize(
    "body",
    [
        "  0 ..< 60 lo\n  60 ..< 90 mid\n  90 .. 100 hi",
        "  90 .. 100 hi\n  0 ..< 60 lo\n  60 ..< 90 mid",
        "  0 .. 100 all_",
    ],
)
def test_bands_that_cover_exactly_once(body: str) -> None:
    """Bands covering `0 .. 100` once, in any order, pass; the enum lists the bands."""
    defined = bands(f"bands b over 0 .. 100:\n{body}\n")
    assert {m.name for m in defined.type.members} == {
        line.split()[-1] for line in body.splitlines()
    }


@pytest.mark.parametrize(
    ("over", "body", "code", "fragment"),
    [
        ("0 .. 100", "  0 ..< 60 lo\n  60 ..< 100 hi", "band-gap", "the value `100`"),
        ("0 ..< 100", "  0 ..< 60 lo\n  60 ..< 100 hi", None, ""),
        ("0 .. 100", "  0 .. 60 lo\n  60 .. 100 hi", "band-overlap", "both hold `60`"),
        ("0 .. 100", "  0 ..< 60 lo\n  60 .. 100 hi", None, ""),
        ("0 .. 100", "  0 .. 70 lo\n  60 .. 100 hi", "band-overlap", "both hold `60 .. 70`"),
        (
            "0 .. 100",
            "  0 .. 60 lo\n  61 .. 100 hi",
            "band-gap",
            "the values above `60` and below `61`",
        ),
        ("0 .. 100", "  0 ..< 60 lo\n  61 .. 100 hi", "band-gap", "`60 ..< 61`"),
        ("0 .. 100", "  10 .. 100 hi", "band-gap", "`0 ..< 10`"),
        ("0 .. 100", "  0 .. 90 lo", "band-gap", "the values above `90` up to `100`"),
        ("0% .. 100%", "  0% ..< 50% lo\n  50% .. 100% hi", None, ""),
        ("0 .. 1", "  0 ..< 0.5 lo\n  0.5 .. 1 hi", None, ""),
        # An open low end: `<..` excludes it, so the value itself needs another band.
        ("0 .. 100", "  0 .. 60 lo\n  60 <.. 100 hi", None, ""),
        ("0 .. 100", "  0 ..< 60 lo\n  60 <.. 100 hi", "band-gap", "the value `60`"),
        ("0 .. 100", "  0 ..< 60 lo\n  61 <.. 100 hi", "band-gap", "`60 .. 61`"),
        ("0 .. 100", "  0 .. 60 lo\n  60 <..< 70 mid\n  70 .. 100 hi", None, ""),
        ("0 .. 100", "  0 <.. 100 hi", "band-gap", "the value `0`"),
        ("0 <.. 100", "  0 <.. 100 hi", None, ""),
        ("0 <.. 100", "  0 .. 100 hi", "band-out-of-range", "`0 <.. 100`"),
        ("0 <.. 100", "  0 <.. 60 lo\n  50 .. 100 hi", "band-overlap", "both hold `50 .. 60`"),
        ("0 .. 100", "  0 .. 60 lo\n  50 <.. 100 hi", "band-overlap", "both hold `50 <.. 60`"),
        (
            "0 .. 100",
            "  0 .. 50 lo\n  50 <..< 50 hole\n  50 <.. 100 hi",
            "empty-band",
            "`50 <..< 50`",
        ),
        # A declared hole (`none`) covers its range; an undeclared gap is still one.
        ("0 .. 100", "  0 ..< 60 lo\n  60 ..< 70 none\n  70 .. 100 hi", None, ""),
        ("0 .. 100", "  0 ..< 60 lo\n  60 ..< 70 none\n  75 .. 100 hi", "band-gap", "`70 ..< 75`"),
        ("0 .. 100", "  0 .. 60 lo\n  60 ..< 70 none\n  70 .. 100 hi", "band-overlap", "`60`"),
    ],
)
def test_band_edges(over: str, body: str, code: str | None, fragment: str) -> None:
    """`..` includes both ends, `..<` excludes the high one, `<..` the low one; arithmetic is
    exact."""
    text = f"bands b over {over}:\n{body}\n"
    if code is None:
        bands(text)
        return
    error = problems(text)
    assert error.codes == (code,)
    assert fragment in error.diagnostics[0].message


def test_band_bounds_from_params_are_rechecked() -> None:
    """`check_bands` proves coverage again for overridden params; defaults must pass."""
    defined = bands(
        "param top: int = 90\nbands b over 0 .. 100:\n  0 ..< top lo\n  top .. 100 hi\n"
    )
    assert defined.bands[0].high == model.ParamRef("top", INT, AT)
    assert checker.check_bands(defined, {"top": 95}) == []
    broken = check(
        "param top: int = 90\nparam low_top: int = 90\n"
        "bands b over 0 .. 100:\n  0 ..< low_top lo\n  top .. 100 hi\n"
    ).bands["b"]
    found = checker.check_bands(broken, {"top": 95, "low_top": 90})
    assert [d.code for d in found] == ["band-gap"]
    assert "`90 ..< 95`" in found[0].message
    assert "param `top` is 95" in found[0].notes
    missing = checker.check_bands(broken, {"top": 95})
    assert [d.code for d in missing] == ["unknown-param"]


def test_band_bound_param_must_be_numeric() -> None:
    """A param used as a band bound must be a number."""
    error = problems('param t: text = "x"\nbands b over 0 .. 10:\n  0 .. t all_\n')
    assert error.diagnostics[0].message == "param `t` is `text`, not a number"


# ------------------------------------------------------------------------------------------
# The checked model


_CEXPR = typing.get_args(model.CExpr)


def _nodes(node: Any) -> list[Any]:
    found = [node]
    for field in attrs.fields(type(node)):
        value = getattr(node, field.name)
        values = value if isinstance(value, tuple) else (value,)
        for item in values:
            if isinstance(item, tuple):
                item = item[1]
            if isinstance(item, _CEXPR):
                found.extend(_nodes(item))
    return found


def test_every_core_node_has_a_type_and_a_span() -> None:
    """Every CExpr of the flagship policy carries a static type and its source span."""
    policy = checker.check_path(ROOT / "policies" / "drug_free" / "unit.policy")
    count = 0
    for rule in policy.rules.values():
        for node in _nodes(rule.body):
            count += 1
            assert node.type is not None and describe_type(node.type) != "?"
            assert node.span is not None and node.span.text
    assert count > 100


def test_inputs_of_imported_modules_only_when_used() -> None:
    """Inputs: the root's, plus imported ones that rules reached from the root read."""
    files = {"lib": "input used: int\ninput unused: int\nrule u: used\nrule v: unused\n"}
    policy = check("import lib\ninput own: text\nrule a: lib.u\n", files)
    assert [i.name for i in policy.inputs] == ["own", "used"]


def test_checked_policy_tables() -> None:
    """Enums, records, labels and citations are kept in the model."""
    policy = check(
        'policy demo "演示" source "文件" cites "一", "二"\n'
        'enum K "类型": a "甲", b\nrecord R "记录": x: int >= 0 "数量" cites "S1"\n'
        'input r: R "输入"\n'
    )
    assert (policy.label, policy.source, policy.cites) == ("演示", "文件", ("一", "二"))
    assert policy.enums["K"].members[0].label == "甲"
    field = policy.records["R"].fields[0]
    assert (field.label, field.cites, field.type.bound.low) == ("数量", ("S1",), 0)
    assert policy.inputs[0].label == "输入"
    assert isinstance(policy.enums["K"], EnumType)


def test_check_path_with_root(tmp_path: Path) -> None:
    """`check_path` loads from files and resolves imports under the policy root."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "lib.policy").write_text("policy a.lib\nrule one: 1\n", encoding="utf-8")
    main = tmp_path / "a" / "main.policy"
    main.write_text("policy a.main\nimport a.lib\nrule two: lib.one + 1\n", encoding="utf-8")
    policy = checker.check_path(main)
    assert policy.source_name == str(main)
    assert policy.rules["two"].type == INT
    assert checker.check_path(main, root=tmp_path).name == "a.main"


def test_imports_across_files(tmp_path: Path) -> None:
    """Types, functions and inputs cross files; an error in an imported file is located there."""
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "types.policy").write_text(
        "policy shop.types\nenum Tier: gold, plain\nrecord Basket: total: decimal\n  tier: Tier\n"
        "input basket: Basket\ncriterion big(b: Basket): b.total >= 100\nrule tier: basket.tier\n",
        encoding="utf-8",
    )
    main = shop / "discount.policy"
    main.write_text(
        "policy shop.discount\nimport shop.types (Basket, big)\nimport shop.types as t\n"
        "input basket: Basket\nrule discount -> percent: if big(basket) and t.tier == gold "
        "then 10% else 0%\n",
        encoding="utf-8",
    )
    policy = checker.check_path(main)
    assert policy.rules["discount"].type == PERCENT
    assert [i.name for i in policy.inputs] == ["basket"]
    assert policy.rules["shop.types.tier"].type == policy.enums["shop.types.Tier"]
    (shop / "types.policy").write_text(
        "policy shop.types\nrecord Basket: total: decimal\ncriterion big(b: Basket): b.totl > 1\n",
        encoding="utf-8",
    )
    main.write_text("policy shop.discount\nimport shop.types (big)\nrule r: 1\n", encoding="utf-8")
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_path(main)
    span = caught.value.diagnostics[0].span
    assert span is not None and span.source.name == str(shop / "types.policy")
    assert str(caught.value).startswith(f"{shop / 'types.policy'}:3:29: error[unknown-name]")


def test_builtins_table() -> None:
    """`BUILTINS` lists every builtin with its signature; components are field-only."""
    assert set(checker.BUILTINS) >= {"abs", "min", "max", "round", "len", "date", "days_between"}
    assert checker.BUILTINS["year"].component
    assert checker.BUILTINS["round"].min_args == 2
    assert checker.BUILTINS["max"].max_args is None


def test_type_descriptions() -> None:
    """Types are described as authors write them."""
    assert describe_type(ListType(OptionalType(TEXT))) == "list of text?"
    assert describe_type(OptionalType(PERCENT)) == "percent?"
    assert describe_type(BOOL) == "bool"


# ------------------------------------------------------------------------------------------
# Robustness: random policies raise nothing but WuxinError


_NAMES = [
    "a",
    "r0",
    "r1",
    "u",
    "x",
    "xs",
    "K",
    "R",
    "park",
    "agency",
    "f",
    "g",
    "t",
    "p",
    "abs",
    "v",
]
_ATOMS = [
    "1", "0", "2.5", "50%", "-3", "true", "false", "none", '"s"', "2015-03-31", "K.park",
    "u.n", "u.d", "u.k", "u.amount", "v.n", "v.d", "xs", "[]", "t(2015, park)", "g(3)",
    "g(u.n)", "f(u)", "f(v)", "x.year", "u.d.year", "(x ?? 0)", "[park, agency]",
]  # fmt: skip


def _expressions() -> st.SearchStrategy[str]:
    leaves = st.sampled_from(_NAMES + _ATOMS)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        two = st.tuples(inner, inner)
        return st.one_of(
            two.map(lambda p: f"{p[0]} + {p[1]}"),
            two.map(lambda p: f"{p[0]} / {p[1]}"),
            two.map(lambda p: f"{p[0]} == {p[1]}"),
            two.map(lambda p: f"{p[0]} < {p[1]}"),
            two.map(lambda p: f"{p[0]} and {p[1]}"),
            two.map(lambda p: f"{p[0]} ?? {p[1]}"),
            two.map(lambda p: f"{p[0]} in {p[1]}"),
            two.map(lambda p: f"[{p[0]}, {p[1]}]"),
            two.map(lambda p: f"{{a: {p[0]}, ...{p[1]}}}"),
            two.map(lambda p: f"({p[0]}).{p[1]}"),
            two.map(lambda p: f"f({p[0]}, {p[1]})"),
            two.map(lambda p: f"(if {p[0]} then {p[1]} else {p[0]})"),
            two.map(lambda p: f"(count of v in {p[0]} where {p[1]})"),
            two.map(lambda p: f"(sum of v in {p[0]} : {p[1]})"),
            two.map(lambda p: f"(rate of v in {p[0]} : {p[1]})"),
            two.map(lambda p: f"at least {p[0]} of [{p[1]}]"),
            inner.map(lambda e: f"not {e}"),
            inner.map(lambda e: f"-({e})"),
            inner.map(lambda e: f"({e} is none)"),
            inner.map(lambda e: f"all of [{e}]"),
            inner.map(lambda e: f"abs({e})"),
            inner.map(lambda e: f"max({e}, 1)"),
        )

    return st.recursive(leaves, extend, max_leaves=8)


_TYPES = [
    "int",
    "decimal",
    "percent >= 0%",
    "bool",
    "text",
    "date",
    "K",
    "R",
    "list of R",
    "int?",
    "R?",
    "Nope",
]


def _declarations() -> st.SearchStrategy[str]:
    expr = _expressions()
    name = st.sampled_from(_NAMES)
    type_ = st.sampled_from(_TYPES)
    return st.one_of(
        st.just("enum K: park, agency"),
        st.just("enum G: agency, town"),
        st.just("record R: n: int\n  d: date?\n  k: K"),
        st.tuples(name, type_).map(lambda p: f"input {p[0]}: {p[1]}"),
        st.tuples(name, type_, expr).map(lambda p: f"param {p[0]}: {p[1]} = {p[2]}"),
        st.tuples(name, expr).map(lambda p: f"rule {p[0]}: {p[1]}"),
        st.tuples(name, type_, expr).map(lambda p: f"rule {p[0]}(v: {p[1]}): {p[2]}"),
        st.tuples(name, type_, expr).map(lambda p: f"rule {p[0]} -> {p[1]}: {p[2]}"),
        st.tuples(name, expr).map(lambda p: f"criterion {p[0]}: {p[1]}"),
        st.tuples(
            name, st.integers(-5, 105), st.integers(-5, 105), st.sampled_from(["..", "..<"])
        ).map(
            lambda p: f"bands {p[0]} over 0 .. 100:\n  0 {p[3]} {p[1]} lo\n  {p[1]} .. {p[2]} hi"
        ),
        st.tuples(
            name, st.integers(2013, 2018), st.sampled_from(["1", "50%", "none", "-2", "1.5"])
        ).map(
            lambda p: (
                f"schedule {p[0]}: percent by year, K monotone nondecreasing in year:\n"
                f"  stage s 2015-01-01 .. 2016-12-31:\n    {p[1]}: park {p[2]}, agency 10%\n"
                f"    2016: park 20%"
            )
        ),
    )


def _check_any(text: str) -> None:
    """Check `text`: a clean model, or a WuxinError with renderable diagnostics."""
    try:
        policy = check(text)
    except WuxinError as error:
        assert error.diagnostics
        for diagnostic in error.diagnostics:
            assert diagnostic.code and diagnostic.message
            diagnostic.render()
    else:
        for rule in policy.rules.values():
            for node in _nodes(rule.body):
                assert describe_type(node.type) != "?"


@settings(deadline=None)
@given(st.lists(_declarations(), min_size=1, max_size=8))
def test_random_policies_raise_only_wuxin_errors(declarations: list[str]) -> None:
    """Checking arbitrary parseable (or not) policies never raises anything but WuxinError."""
    _check_any("\n".join(declarations) + "\n")


_PRELUDE = """\
enum K: park, agency
enum G: agency, town
record R: n: int
  d: date?
  k: K
  amount: decimal
input u: R
input xs: list of R
input x: int?
param p: int = 3
bands g over 0 .. 100:
  0 ..< 50 lo
  50 .. 100 hi
schedule t: percent by year, K:
  stage s ..2016-12-31:
    2015: park 10%, agency 20%
rule f(v: R): v.n
"""


@settings(deadline=None)
@given(st.lists(_expressions(), min_size=1, max_size=6))
def test_random_rules_over_declared_names_raise_only_wuxin_errors(bodies: list[str]) -> None:
    """Random rule bodies over known names reach the typer; it raises only WuxinError."""
    rules = "".join(f"rule r{i}: {body}\n" for i, body in enumerate(bodies))
    _check_any(_PRELUDE + rules)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 10), st.integers(0, 10), st.booleans(), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    st.booleans(),
    st.booleans(),
)
def test_band_proof_agrees_with_brute_force(
    ranges: list[tuple[int, int, bool, bool]], low_inclusive: bool, high_inclusive: bool
) -> None:
    """`band-gap`/`band-overlap` are reported exactly when some value has no band or two,
    whichever ends the bands and their range include (`..`, `..<`, `<..`, `<..<`)."""
    ranges = [r for r in ranges if r[0] < r[1] or (r[0] == r[1] and r[2] and r[3])]
    if not ranges:
        return

    def op(low: bool, high: bool) -> str:
        return f"{'' if low else '<'}..{'' if high else '<'}"

    lines = [f"  {lo} {op(li, hi_)} {hi} b{i}" for i, (lo, hi, li, hi_) in enumerate(ranges)]
    text = f"bands b over 0 {op(low_inclusive, high_inclusive)} 10:\n" + "\n".join(lines) + "\n"
    points = [Fraction(n, 2) for n in range(0, 21)]

    def holds(point: Fraction, lo: int, hi: int, low_inc: bool, inc: bool) -> bool:
        return (lo < point or (low_inc and point == lo)) and (point < hi or (inc and point == hi))

    in_domain = [p for p in points if (p > 0 or low_inclusive) and (p < 10 or high_inclusive)]
    outside = any(
        (lo == 0 and li and not low_inclusive) or (hi == 10 and inc and not high_inclusive)
        for lo, hi, li, inc in ranges
    )
    counts = [sum(holds(p, *r) for r in ranges) for p in in_domain]
    expected = set()
    if any(c == 0 for c in counts):
        expected.add("band-gap")
    if any(c > 1 for c in counts):
        expected.add("band-overlap")
    if outside:
        expected.add("band-out-of-range")
    try:
        check(text)
        found: set[str] = set()
    except PolicyCheckError as error:
        found = set(error.codes)
    assert found == expected


def test_a_declared_hole_is_no_grade_and_makes_the_lookup_optional() -> None:
    """`60 ..< 70 none`: the enum of the bands has no member `none`, and `grade(x)` is an
    optional grade, so using it as a grade without `??` is `possibly-none`."""
    text = "input x: int\nbands b over 0 .. 100:\n  0 ..< 60 lo\n  60 ..< 70 none\n  70 .. 100 hi\n"
    defined = bands(text)
    assert [m.name for m in defined.type.members] == ["lo", "hi"]
    assert [band.is_hole for band in defined.bands] == [False, True, False]
    check(text + "rule r: (b(x) ?? b.lo) == b.hi\n")
    assert "possibly-none" in problems(text + "rule r: label(b(x))\n").codes
