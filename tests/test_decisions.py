"""Decision tables: the syntax, the checker's proofs (each with a concrete input), evaluation
on every path, explanations naming the row that held, and `wuxin fmt`."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import ast, cli, decisions, evaluator, formatter, parser, trace
from wuxin_rules.api import Result
from wuxin_rules.errors import ParamError, PolicyCheckError, Severity

DISH = """\
policy dish "Dish"

enum Season: Fall, Winter, Spring, Summer

input season: Season
input guests: int >= 0

decision dish "Dish" cites "Camunda dish" -> text:
  hit unique
  input season               | guests => dish
  row   Fall                 | <= 8   => "Spareribs"
  row   Winter               | <= 8   => "Roastbeef"
  row   Spring               | <= 4   => "Dry Aged Gourmet Steak"
  row   Spring               | [5..8] => "Steak"                        "mid-size spring"
  row   Fall, Winter, Spring | > 8    => "Stew"
  row   Summer               | -      => "Light Salad and a nice Steak"
"""


def _load(text: str, **kwargs: Any) -> wuxin_rules.Policy:
    return wuxin_rules.loads(text, name="t.policy", **kwargs)


def _errors(text: str) -> list[Any]:
    with pytest.raises(PolicyCheckError) as caught:
        _load(text)
    return list(caught.value.diagnostics)


def _table(body: str, head: str = "input age: int\n") -> str:
    return 'policy t "T"\n' + head + body


def _all_paths(policy: wuxin_rules.Policy, facts: dict[str, Any], rule: str) -> Any:
    """The value of `rule` on every path (reference, fast path, tracer), checked equal."""
    values = policy.validate(facts)
    keys = (rule,)
    reference = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=keys, trace=False
    )
    traced = evaluator.evaluate(
        policy.checked, values, params=policy._param_values, rules=keys, trace=True
    )
    fast = policy.evaluate(facts, rules=keys)
    explained = policy.evaluate(facts, rules=keys, explain=True)
    expected = reference.verdicts[rule]
    assert traced.verdicts[rule].value == expected.value
    assert fast.verdict(rule).value == expected.value
    assert explained.verdict(rule).value == expected.value
    assert fast.verdict(rule).error == expected.error == explained.verdict(rule).error
    reference_result = Result(policy, values, keys, traced)
    assert json.dumps(explained.to_json(explain=True)) == json.dumps(
        reference_result.to_json(explain=True)
    )
    return expected.value


# ------------------------------------------------------------------------------------------
# Syntax


def test_the_parser_builds_the_table() -> None:
    module = parser.parse(DISH, "dish.policy")
    decl = next(d for d in module.declarations if isinstance(d, ast.DecisionDecl))
    assert decl.name.name == "dish"
    assert decl.hit_policy.kind == "unique"
    assert [o.name for o in decl.outputs] == ["dish"]
    assert len(decl.inputs) == 2 and len(decl.rows) == 6
    spring = decl.rows[3]
    assert spring.label is not None and spring.label.value == "mid-size spring"
    test = spring.cells[1].tests[0]
    assert (test.op, test.low_inclusive, test.high_inclusive) == ("range", True, True)
    assert len(decl.rows[4].cells[0].tests) == 3
    assert decl.rows[5].cells[1].is_any
    assert decl.default is None


def test_hit_policies_and_not_cells_parse() -> None:
    text = _table(
        "decision d -> int:\n  hit collect sum\n  input age => d\n"
        "  row not 1, 2 => 1\n  row (3..5) => 2\n"
    )
    decl = next(
        d for d in parser.parse(text, "t.policy").declarations if isinstance(d, ast.DecisionDecl)
    )
    assert (decl.hit_policy.kind, decl.hit_policy.aggregator) == ("collect", "sum")
    assert decl.rows[0].cells[0].negated
    test = decl.rows[1].cells[0].tests[0]
    assert (test.low_inclusive, test.high_inclusive) == (False, False)


def test_rule_order_is_two_words() -> None:
    text = _table("decision d:\n  hit rule order\n  input age => d\n  row < 5 => 1\n")
    decl = next(
        d for d in parser.parse(text, "t.policy").declarations if isinstance(d, ast.DecisionDecl)
    )
    assert decl.hit_policy.kind == "rule order"


def test_the_table_words_stay_names() -> None:
    """Keywords are contextual: `decision`, `hit` and `row` begin a table's parts only where
    the grammar expects them, and `first`, `unique`, `table`, `output`, … are names too."""
    policy = _load(
        'policy t "T"\ninput first: int\ninput unique: int\nrule table: first + unique\n'
        "rule output: table\n"
    )
    assert policy.evaluate({"first": 1, "unique": 2}).verdict("output").value == 3
    policy = _load('policy t "T"\ninput row: int\ninput hit: int\nrule decision: row + hit\n')
    assert policy.evaluate({"row": 1, "hit": 2}).verdict("decision").value == 3


# ------------------------------------------------------------------------------------------
# Proofs


def test_overlap_of_a_unique_table_names_both_rows_and_an_input() -> None:
    errors = _errors(
        _table("decision d -> int:\n  input age => d\n  row <= 18 => 1\n  row >= 18 => 2\n")
    )
    assert [e.code for e in errors] == ["table-overlap"]
    assert "rows 1 and 2" in errors[0].message
    assert errors[0].notes == ("for example `age = 18`",)


def test_any_allows_overlaps_with_equal_outputs_only() -> None:
    same = "decision d -> int:\n  hit any\n  input age => d\n  row <= 18 => 1\n  row >= 10 => 1\n"
    assert _load(_table(same)).evaluate({"age": 12}).verdict("d").value == 1
    differ = same.replace("row >= 10 => 1", "row >= 10 => 2")
    errors = _errors(_table(differ))
    assert [e.code for e in errors] == ["table-overlap"]
    assert errors[0].notes == ("for example `age = 10`",)


def test_a_gap_is_an_error_with_an_input_no_row_holds_for() -> None:
    errors = _errors(
        _table("decision d -> int:\n  input age => d\n  row < 18 => 1\n  row > 18 => 2\n")
    )
    assert [e.code for e in errors] == ["table-gap"]
    assert errors[0].notes == ("for example `age = 18`",)


def test_an_else_row_closes_the_gap() -> None:
    policy = _load(
        _table(
            "decision d -> int:\n  input age => d\n  row < 18 => 1\n  row > 18 => 2\n  else => 0\n"
        )
    )
    assert _all_paths(policy, {"age": 18}, "d") == 0
    assert _all_paths(policy, {"age": 20}, "d") == 2


def test_the_bound_of_the_column_type_counts() -> None:
    """`int >= 0`: no gap below zero, and a row below zero is unreachable."""
    head = "input age: int >= 0\n"
    assert _load(_table("decision d -> int:\n  input age => d\n  row >= 0 => 1\n", head))
    policy = _load(
        _table(
            "decision d -> int:\n  hit first\n  input age => d\n  row < 0 => 1\n  row - => 2\n",
            head,
        )
    )
    codes = [w.code for w in policy.warnings]
    assert "table-row-unreachable" in codes


def test_gaps_between_decimals_are_found() -> None:
    head = "input share: decimal\n"
    errors = _errors(
        _table(
            "decision d -> int:\n  input share => d\n  row <= 0.5 => 1\n  row > 0.6 => 2\n", head
        )
    )
    assert [e.code for e in errors] == ["table-gap"]
    assert errors[0].notes == ("for example `share = 0.55`",)


def test_a_text_column_has_a_value_no_cell_names() -> None:
    head = "input city: text\n"
    errors = _errors(_table('decision d -> int:\n  input city => d\n  row "A" => 1\n', head))
    assert [e.code for e in errors] == ["table-gap"]
    assert errors[0].notes == ('for example `city = "?"`',)


def test_a_date_column_is_proved_day_by_day() -> None:
    head = "input day: date\n"
    text = _table(
        "decision d -> int:\n  input day => d\n  row < 2024-01-01 => 1\n"
        "  row (2024-01-01..2024-01-03) => 2\n  row >= 2024-01-03 => 3\n",
        head,
    )
    errors = _errors(text)
    assert errors[0].notes == ("for example `day = 2024-01-01`",)


def test_an_empty_range_is_an_unreachable_row() -> None:
    policy = _load(
        _table(
            "decision d -> int:\n  hit first\n  input age => d\n  row [5..3] => 1\n  row - => 2\n"
        )
    )
    assert [(w.code, w.span.line) for w in policy.warnings if w.code.startswith("table")] == [
        ("table-row-unreachable", 6)
    ]


def test_a_row_shadowed_by_an_earlier_row_under_first() -> None:
    policy = _load(
        _table(
            "decision d -> int:\n  hit first\n  input age => d\n  row < 65 => 1\n"
            "  row < 18 => 2\n  row - => 3\n"
        )
    )
    shadowed = [w for w in policy.warnings if w.code == "table-row-shadowed"]
    assert len(shadowed) == 1 and "row 2" in shadowed[0].message
    assert shadowed[0].severity == Severity.WARNING


def test_cells_may_be_params_and_enum_members_but_not_inputs() -> None:
    head = "input age: int\ninput limit: int\nparam adult: int = 18\n"
    policy = _load(
        _table(
            "decision d -> int:\n  input age => d\n  row < adult => 1\n  row >= adult => 2\n", head
        )
    )
    assert _all_paths(policy, {"age": 17, "limit": 0}, "d") == 1
    errors = _errors(
        _table(
            "decision d -> int:\n  input age => d\n  row < limit => 1\n  row >= limit => 2\n", head
        )
    )
    assert [e.code for e in errors] == ["table-cell-not-constant"]


def test_a_param_given_at_load_time_is_proved_with_its_value() -> None:
    head = "input age: int\nparam low: int = 18\nparam high: int = 18\n"
    text = _table(
        "decision d -> int:\n  input age => d\n  row < low => 1\n  row >= high => 2\n", head
    )
    policy = _load(text)
    with pytest.raises(ParamError) as caught:
        _load(text, params={"high": 20})
    assert [d.code for d in caught.value.diagnostics] == ["table-gap"]
    assert caught.value.diagnostics[0].notes == ("for example `age = 18`",)
    with pytest.raises(ParamError):
        policy.with_params({"low": 30})
    assert policy.with_params({"low": 18}).evaluate({"age": 18}).verdict("d").value == 2


def test_a_cell_of_the_wrong_type_is_a_type_error_at_the_cell() -> None:
    errors = _errors(_table('decision d -> int:\n  input age => d\n  row "old" => 1\n'))
    assert errors[0].code == "type-mismatch"
    assert errors[0].span.text == '"old"'


def test_rows_need_one_cell_per_column() -> None:
    errors = _errors(
        _table("decision d -> int:\n  input age | age => d\n  row < 5 => 1\n  row - | - => 2\n")
    )
    assert [e.code for e in errors] == ["table-shape"]


def test_priority_needs_an_enum_output() -> None:
    errors = _errors(
        _table('decision d -> text:\n  hit priority\n  input age => d\n  row - => "x"\n')
    )
    assert [e.code for e in errors] == ["table-priority"]


def test_priority_accepts_an_output_qualified_with_its_enum() -> None:
    # Two enums share `DECLINE` (as in the DMN TCK's lending model): `Routing.DECLINE` is a
    # member of the enum the table returns, and must rank as one.
    policy = _load(
        _table(
            "decision d -> Routing:\n  hit priority\n  input age => d\n"
            "  row - => ACCEPT\n  row < 18 => Routing.DECLINE\n",
            head="enum Risk: DECLINE, LOW\nenum Routing: DECLINE, ACCEPT\ninput age: int\n",
        )
    )
    assert str(_all_paths(policy, {"age": 17}, "d")) == "DECLINE"


# ------------------------------------------------------------------------------------------
# Evaluation


@pytest.mark.parametrize(
    ("season", "guests", "dish"),
    [
        ("Fall", 8, "Spareribs"),
        ("Winter", 3, "Roastbeef"),
        ("Spring", 4, "Dry Aged Gourmet Steak"),
        ("Spring", 5, "Steak"),
        ("Spring", 9, "Stew"),
        ("Summer", 40, "Light Salad and a nice Steak"),
    ],
)
def test_a_unique_table_on_every_path(season: str, guests: int, dish: str) -> None:
    policy = _load(DISH)
    assert _all_paths(policy, {"season": season, "guests": guests}, "dish") == dish


RISK = """\
policy t "T"

enum Risk: high, medium, low

input age: int >= 0
input income: decimal

decision points -> int:
  hit collect sum
  input age      | income  => points
  row   < 25     | -       => 10
  row   [25..60) | < 1000  => 5
  row   -        | >= 5000 => -3

decision risk -> Risk:
  hit priority
  input age  | income => risk
  row   -    | -      => low
  row   < 25 | -      => medium
  row   -    | < 100  => high

decision flags -> list of text:
  hit rule order
  input age  | income => flag
  row   < 25 | -      => "young"
  row   -    | < 100  => "poor"

decision ranked -> list of Risk:
  hit output order
  input age  | income => risk
  row   < 25 | -      => medium
  row   -    | < 100  => high
  row   -    | -      => low

decision n -> int:
  hit collect count
  input age  | income => flag
  row   < 25 | -      => "young"
  row   -    | < 100  => "poor"

decision lowest -> int?:
  hit collect min
  input age  | income => v
  row   < 25 | -      => 3
  row   -    | < 100  => 2

decision highest -> int?:
  hit collect max
  input age  | income => v
  row   < 25 | -      => 3
  row   -    | < 100  => 2

decision first_one -> int:
  hit first
  input age  | income => v
  row   < 25 | -      => 1
  row   -    | < 100  => 2
  else                => 0
"""


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (
            {"age": 20, "income": "50"},
            {
                "points": 10, "risk": "high", "flags": ("young", "poor"),
                "ranked": ("high", "medium", "low"), "n": 2, "lowest": 2, "highest": 3,
                "first_one": 1,
            },
        ),
        (
            {"age": 30, "income": "500"},
            {
                "points": 5, "risk": "low", "flags": (), "ranked": ("low",), "n": 0,
                "lowest": None, "highest": None, "first_one": 0,
            },
        ),
        (
            {"age": 70, "income": "9000"},
            {
                "points": -3, "risk": "low", "flags": (), "ranked": ("low",), "n": 0,
                "lowest": None, "highest": None, "first_one": 0,
            },
        ),
    ],
)  # fmt: skip
def test_every_hit_policy_on_every_path(facts: dict[str, Any], expected: dict[str, Any]) -> None:
    policy = _load(RISK)
    for rule, value in expected.items():
        assert _all_paths(policy, facts, rule) == value, rule


def test_an_error_in_a_column_is_the_same_on_every_path() -> None:
    text = _table(
        "input d: int\ndecision q -> int:\n  input age / d => q\n  row < 1 => 1\n  row >= 1 => 2\n"
    )
    policy = _load(text)
    assert _all_paths(policy, {"age": 3, "d": 0}, "q") is None
    assert policy.evaluate({"age": 3, "d": 0}).verdict("q").error.code == "division-by-zero"


def test_outputs_are_exact() -> None:
    text = _table(
        "decision share -> decimal:\n  input age => share\n  row < 18 => 0.1\n  row >= 18 => 1 / 3\n"
    )
    policy = _load(text)
    assert _all_paths(policy, {"age": 20}, "share") == Fraction(1, 3)
    value = policy.evaluate({"age": 10}).values()["share"]
    assert value == Decimal("0.1")


# ------------------------------------------------------------------------------------------
# Explanations


def test_the_explanation_names_the_row_that_held_and_its_cells() -> None:
    policy = _load(DISH)
    result = policy.evaluate({"season": "Spring", "guests": 6}, explain=True)
    text = result.explain("dish")
    # The row that held, as a line of its own (not nested under the rows tried before it).
    assert '\n  ✓ row Spring | [5..8] => "Steak" "mid-size spring"   → "Steak"\n' in text
    assert "\n      ✓ season Spring == Spring" in text and "\n      ✓ [5..8]" in text
    assert "→ then" not in text and "Winter" not in text
    chinese = result.explain("dish", lang="zh")
    assert '✓ row Spring | [5..8] => "Steak" "mid-size spring"' in chinese
    assert chinese != text
    as_json = json.dumps(result.to_json(explain=True), ensure_ascii=False)
    assert "mid-size spring" in as_json


def test_explanations_know_the_row_variable_of_collecting_tables() -> None:
    assert decisions.ROW_VARIABLE == trace.TABLE_ROW_VARIABLE


def test_a_single_hit_explanation_in_full_lists_the_rows_tried_flat() -> None:
    policy = _load(DISH)
    result = policy.evaluate({"season": "Spring", "guests": 6}, explain=True)
    lines = result.explain("dish", mode="full").splitlines()
    rows = [line for line in lines if line.lstrip("✓✗ ").startswith("row ")]
    # Every row tried is at the same depth, the four before the one that held marked ✗.
    assert len({len(line) - len(line.lstrip()) for line in rows}) == 1
    assert [line.split()[0] for line in rows] == ["✗", "✗", "✗", "✓"]
    assert rows[-1].strip().startswith('✓ row Spring | [5..8] => "Steak"')


def test_the_last_row_of_a_chain_is_shown_by_its_line() -> None:
    policy = _load(DISH)
    text = policy.evaluate({"season": "Summer", "guests": 40}, explain=True).explain("dish")
    assert '✓ row Summer | - => "Light Salad and a nice Steak"' in text


def test_a_collecting_table_explains_each_row_that_held() -> None:
    policy = _load(RISK)
    text = policy.evaluate({"age": 20, "income": "50"}, explain=True).explain("flags")
    assert "hit rule order" in text
    # The rows that held, by their text and with their outputs; no row number variable.
    assert '✓ row < 25 | - => "young"          → "young"' in text
    assert '✓ row - | < 100 => "poor"          → "poor"' in text
    assert "row#" not in text and "#1" not in text
    full = policy.evaluate({"age": 20, "income": "50"}, explain=True).explain("flags", mode="full")
    assert "row#" not in full


# ------------------------------------------------------------------------------------------
# wuxin fmt


def test_fmt_aligns_the_columns_and_is_idempotent() -> None:
    written = (
        'policy t "T"\ninput 城市: text\ninput age: int\n'
        "decision d -> int:\n  hit first\n  input 城市 | age => d\n"
        '  row "北京" | < 18 => 1 "少年"\n  row "x" | - => 2\n  else => 3\n'
    )
    formatted = formatter.format_text(written, "t.policy")
    assert formatter.format_text(formatted, "t.policy") == formatted
    lines = formatted.splitlines()
    body = [line for line in lines if line.startswith(("  input", "  row", "  else"))]
    assert body == [
        "  input 城市   | age  => d",
        '  row   "北京" | < 18 => 1 "少年"',
        '  row   "x"    | -    => 2',
        "  else                => 3",
    ]


def test_fmt_keeps_comments_in_a_table() -> None:
    formatted = formatter.format_text(
        DISH.replace("  row   Summer", "  # summer\n  row   Summer"), "t"
    )
    assert "  # summer\n  row   Summer" in formatted
    assert formatter.format_text(formatted, "t") == formatted


# ------------------------------------------------------------------------------------------
# Editors


def test_an_editor_keeps_a_table_in_one_piece_and_lists_it() -> None:
    """A table's `input … => …` line does not start a declaration: the table is analysed
    whole, and it is a rule in the editor's index."""
    from wuxin_rules.symbols import Workspace, pieces

    cut = pieces(DISH)
    assert sum(1 for piece in cut if piece.text.startswith("decision")) == 1
    assert not any(piece.text.startswith("  input") for piece in cut)
    analysis = Workspace().analyse("dish.policy", DISH, lint=False)
    assert analysis.problems == ()
    assert analysis.policy is not None and "dish" in analysis.policy.rules


def test_the_highlighter_knows_the_table_words() -> None:
    pygments = pytest.importorskip("pygments")
    from pygments.token import Error, Keyword

    from wuxin_rules.highlight import PolicyLexer

    assert pygments
    tokens = list(PolicyLexer().get_tokens(DISH))
    assert not [value for token, value in tokens if token in Error]
    keywords = {value for token, value in tokens if token in Keyword}
    assert {"decision", "hit", "row", "input"} <= keywords


# ------------------------------------------------------------------------------------------
# The published tables of examples/dmn


DMN = Path(__file__).resolve().parent.parent / "examples" / "dmn"


@pytest.mark.parametrize("name", ["dish", "applicant_risk", "scorecard", "lending"])
def test_the_example_tables_pass_their_examples(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = DMN / f"{name}.policy"
    assert cli.main(["test", str(path)]) == 0
    out = capsys.readouterr().out
    assert " 0 failed" in out and "passed" in out
    text = path.read_text(encoding="utf-8")
    assert formatter.format_text(text, str(path)) == text


def test_the_published_pre_bureau_table_has_a_gap_at_130() -> None:
    # The TCK's Pre-bureauRiskCategoryTable reads [120..130) then > 130 for a new customer:
    # without the example's `else => none` row, the checker must find that gap.
    text = (DMN / "lending.policy").read_text(encoding="utf-8")
    else_row = "\n  else                                                       => none\n"
    assert else_row in text
    with pytest.raises(PolicyCheckError) as caught:
        wuxin_rules.loads(text.replace(else_row, "\n"), name="lending.policy")
    (gap,) = caught.value.diagnostics
    assert gap.code == "table-gap"
    assert "`applicant.existing_customer = false`" in str(gap)
    assert "`application_risk_score = 130`" in str(gap)


def _lending_facts(existing_customer: bool) -> dict[str, Any]:
    """The inputs of the TCK's 0004-lending test case 001 (`existing_customer` true there)."""
    return {
        "applicant": {
            "monthly": {"income": 6000, "expenses": 2000, "repayments": 0},
            "age": 35,
            "existing_customer": existing_customer,
            "marital_status": "M",
            "employment_status": "EMPLOYED",
        },
        "bureau": {"credit_score": 649, "bankrupt": False},
        "required_monthly_installment": "1680.880325608555",
    }


@pytest.mark.parametrize(
    ("existing_customer", "expected"),
    [
        # The TCK's expected outputs for case 001.
        (
            True,
            {
                "application_risk_score": 130,
                "pre_bureau_risk_category": "LOW",
                "bureau_call_type": "MINI",
                "post_bureau_risk_category": "LOW",
                "pre_bureau_credit_contingency_factor": Fraction(4, 5),
                "pre_bureau_affordability": True,
                "eligibility": "ELIGIBLE",
                "strategy": "BUREAU",
                "post_bureau_affordability": True,
                "routing": "ACCEPT",
            },
        ),
        # The gap of the published pre-bureau table: DMN's null, carried on.
        (
            False,
            {
                "application_risk_score": 130,
                "pre_bureau_risk_category": None,
                "bureau_call_type": None,
                "pre_bureau_credit_contingency_factor": None,
                "pre_bureau_affordability": False,
                "eligibility": "INELIGIBLE",
                "strategy": "DECLINE",
                "post_bureau_risk_category": "LOW",
            },
        ),
    ],
)
def test_the_lending_tables_on_every_path(
    existing_customer: bool, expected: dict[str, Any]
) -> None:
    policy = wuxin_rules.load(DMN / "lending.policy")
    facts = _lending_facts(existing_customer)
    got = {rule: _all_paths(policy, facts, rule) for rule in expected}
    assert got == expected


def test_the_boundary_bias_draws_near_every_cell() -> None:
    """`strategies.thresholds` holds the constants of every row, the last one too (which the
    lowered rule of a chain leaves out)."""
    from wuxin_rules import strategies

    found = strategies.thresholds(_load(DISH))
    assert found["input season"] == ("Fall", "Spring", "Summer", "Winter")
    assert found["input guests"] == (4, 5, 8)


def test_several_outputs_make_a_record() -> None:
    text = (
        'policy t "T"\nrecord Offer:\n  rate: percent\n  reason: text\ninput size: int >= 0\n'
        "decision offer -> Offer:\n  input size => rate | reason\n"
        '  row < 10 => 5% | "small order"\n  row >= 10 => 10% | "large order"\n'
        "decision offers -> list of Offer:\n  hit collect\n  input size => rate | reason\n"
        '  row < 10 => 5% | "small order"\n  row - => 1% | "any order"\n'
    )
    policy = _load(text)
    assert _all_paths(policy, {"size": 3}, "offer") == {
        "rate": Fraction(1, 20),
        "reason": "small order",
    }
    assert [o["reason"] for o in _all_paths(policy, {"size": 30}, "offers")] == ["any order"]
    assert formatter.format_text(formatter.format_text(text, "t"), "t") == formatter.format_text(
        text, "t"
    )


def test_a_whole_number_column_is_proved_on_whole_numbers() -> None:
    """`< 17.5` and `>= 18` leave no whole number out: no gap, and no `17.75` shown."""
    assert _load(
        _table("decision d -> int:\n  input age => d\n  row < 17.5 => 1\n  row >= 18 => 2\n")
    )
    errors = _errors(
        _table("decision d -> int:\n  input age => d\n  row < 16.5 => 1\n  row >= 18 => 2\n")
    )
    assert errors[0].notes == ("for example `age = 17`",)


def test_a_table_of_more_than_a_hundred_rows_is_refused() -> None:
    rows = "".join(f"  row {i} => {i}\n" for i in range(101))
    errors = _errors(
        _table(f"decision d -> int:\n  hit first\n  input age => d\n{rows}  else => 0\n")
    )
    assert [e.code for e in errors] == ["table-too-long"]
    rows = "".join(f"  row {i} => {i}\n" for i in range(100))
    policy = _load(
        _table(f"decision d -> int:\n  hit first\n  input age => d\n{rows}  else => 0\n")
    )
    assert _all_paths(policy, {"age": 99}, "d") == 99


# ------------------------------------------------------------------------------------------
# `none` in a cell: the column's value is absent


NONE_CELLS = """\
enum Risk: high, low
record A:
  score: int?
  risk: Risk?
input a: A
decision d -> text:
  hit unique
  input a.score | a.risk    => d
  row   none    | -         => "no score"
  row   < 50    | high      => "bad"
  row   < 50    | low, none => "weak"
  row   >= 50   | not high  => "good"
  row   >= 50   | high      => "mixed"
"""


@pytest.mark.parametrize(
    ("score", "risk", "expected"),
    [
        (None, "high", "no score"),
        (10, None, "weak"),  # `none` among a cell's tests
        (10, "high", "bad"),
        (60, None, "good"),  # `not high` holds for none: none is not `high`
        (60, "high", "mixed"),
    ],
)
def test_a_none_cell_holds_when_the_value_is_absent(
    score: int | None, risk: str | None, expected: str
) -> None:
    policy = _load(_table(NONE_CELLS, head=""))
    assert _all_paths(policy, {"a": {"score": score, "risk": risk}}, "d") == expected


def test_the_proofs_treat_none_as_one_more_piece_of_the_domain() -> None:
    head = "enum Risk: high, low\nrecord A:\n  score: int?\n  risk: Risk\ninput a: A\n"
    gap = (
        'decision d -> text:\n  input a.score | a.risk => d\n  row none | high => "a"\n'
        '  row < 50 | - => "b"\n  row >= 50 | - => "c"\n'
    )
    (error,) = _errors(_table(gap, head))
    assert error.code == "table-gap"
    assert "`a.score = none`, `a.risk = low`" in error.notes[0]
    overlap = gap.replace('row < 50 | - => "b"', 'row < 50, none | - => "b"')
    (error,) = _errors(_table(overlap, head))
    assert error.code == "table-overlap" and "`a.score = none`" in error.notes[0]


def test_a_none_cell_in_a_column_that_is_never_none_is_an_error() -> None:
    table = 'decision d -> text:\n  input age => d\n  row none => "x"\n  row - => "y"\n'
    assert [e.code for e in _errors(_table(table))] == ["never-none"]


def test_fmt_keeps_a_none_cell() -> None:
    formatted = formatter.format_text(_table(NONE_CELLS, head=""), "t.policy")
    assert '  row   none    | -         => "no score"\n' in formatted
    assert '  row   < 50    | low, none => "weak"\n' in formatted
    assert formatter.format_text(formatted, "t.policy") == formatted


# ------------------------------------------------------------------------------------------
# Tables with parameters (DMN's business knowledge models)


BAND = """\
enum Risk: high, low
input a: int
input b: int
decision band(score: int, risk: Risk) "Band" -> text:
  hit unique
  input score | risk => band
  row   < 50  | high => "bad"
  row   < 50  | low  => "weak"
  row   >= 50 | -    => "good"
rule first_band: band(a, high)
rule second_band: band(b, low)
"""


@pytest.mark.parametrize(
    ("a", "b", "first", "second"), [(10, 10, "bad", "weak"), (60, 20, "good", "weak")]
)
def test_a_table_with_parameters_is_called_with_different_inputs(
    a: int, b: int, first: str, second: str
) -> None:
    policy = _load(_table(BAND, head=""))
    assert _all_paths(policy, {"a": a, "b": b}, "first_band") == first
    assert _all_paths(policy, {"a": a, "b": b}, "second_band") == second
    text = policy.evaluate({"a": a, "b": b}, explain=True).explain("second_band")
    assert "band(b, low)" in text and "risk = low" in text


def test_a_table_with_parameters_is_proved_over_their_types() -> None:
    gap = _table(BAND.replace('  row   >= 50 | -    => "good"\n', ""), head="")
    (error,) = _errors(gap)
    assert error.code == "table-gap" and "`score = 50`" in error.notes[0]
    cell = _table(BAND.replace("row   < 50  | high", "row   < score | high"), head="")
    assert "table-cell-not-constant" in [e.code for e in _errors(cell)]


def test_fmt_and_doc_show_the_parameters() -> None:
    formatted = formatter.format_text(_table(BAND, head=""), "t.policy")
    assert 'decision band(score: int, risk: Risk) "Band" -> text:\n' in formatted
    assert formatter.format_text(formatted, "t.policy") == formatted


def test_a_cell_of_a_column_that_may_be_none_is_explained_as_its_test() -> None:
    policy = _load(_table(NONE_CELLS, head=""))
    result = policy.evaluate({"a": {"score": 10, "risk": None}}, explain=True)
    text = result.explain("d", mode="full")
    assert "✓ a.score 10 < 50" in text and "→ else" not in text
    assert '✗ row none | - => "no score"' in text
    assert "\n      ✗ high\n" in text  # a test on a value that is none fails


def test_a_row_whose_cells_or_output_fail_is_explained_with_the_error() -> None:
    table = (
        "input b: int\ndecision d -> decimal:\n  input age / b => d\n  row < 1 => 1\n"
        "  row >= 1 => 10 / (age - 5)\n"
    )
    policy = _load(_table(table))
    for facts, row in (({"age": 1, "b": 0}, "row < 1 => 1"), ({"age": 5, "b": 1}, "row >= 1")):
        result = policy.evaluate(facts, explain=True)
        for mode in ("decisive", "full", "failed"):
            text = result.explain("d", mode=mode)
            assert f"✗ {row}" in text and "error[division-by-zero]: division by zero" in text
