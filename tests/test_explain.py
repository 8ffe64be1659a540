"""Explanations as text and JSON: golden renderings of real policies, filters, alignment,
colour, errors, shared rules and very deep trees.

Golden files live in tests/golden/explain/: `NAME.policy` is the policy, and each case's
expected output is `NAME.CASE.MODE.txt` (text) or `NAME.CASE.json`. To regenerate them after
an intended change, run `pytest tests/test_explain.py --update-golden` and review `git diff`.
"""

from __future__ import annotations

import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from conftest import Golden
from evalkit import GOLDEN
from wuxin_rules import checker, evaluator, explain, jsonio
from wuxin_rules.errors import UsageError
from wuxin_rules.source import display_width
from wuxin_rules.trace import Evaluation, Explanation, Verdict
from wuxin_rules.values import RawNumber, to_json

# ------------------------------------------------------------------------------------------
# Cases: a policy of tests/golden/explain/ and runtime values for its inputs

UNIT_FAILS = {
    "unit": {
        "drug_labs": 0,
        "trafficking_groups": 0,
        "addict_growth_rate": Fraction("0.031"),
        "province_addict_growth_rate": Fraction("0.031"),
        "responsibility": {"duties_assigned": True, "team_in_place": False},
    }
}
UNIT_PASSES = {
    "unit": {
        "drug_labs": 0,
        "trafficking_groups": 0,
        "addict_growth_rate": Fraction("0.012"),
        "province_addict_growth_rate": Fraction("0.031"),
        "responsibility": {"duties_assigned": True, "team_in_place": True},
    }
}
TOWN = {
    "town": {
        "year": 2017,
        "units": (
            {"name": "甲村", "group": "village_level", "drug_labs": 0, "cases": 0},
            {"name": "乙村", "group": "village_level", "drug_labs": 1, "cases": 0},
            {"name": "丙镇", "group": "town_level", "drug_labs": 0, "cases": 2},
            {"name": "丁社区", "group": "village_level", "drug_labs": 0, "cases": 0},
        ),
    }
}
SCORE_ZERO_CASES = {
    "scores": {"organization": 80, "crackdown": 91, "cases": 0, "solved": 0, "bonus": None}
}
SCORE_OK = {"scores": {"organization": 80, "crackdown": 91, "cases": 10, "solved": 7, "bonus": 3}}

CASES: dict[str, tuple[str, dict[str, Any], tuple[str, ...]]] = {
    "unit.fails": ("unit", UNIT_FAILS, ("decisive", "failed", "full")),
    "unit.passes": ("unit", UNIT_PASSES, ("decisive", "failed")),
    "town.2017": ("town", TOWN, ("decisive", "full")),
    "score.zero_cases": ("score", SCORE_ZERO_CASES, ("decisive",)),
    "score.ok": ("score", SCORE_OK, ("decisive", "failed", "full")),
}


def evaluation(policy_name: str, inputs: dict[str, Any], **kwargs: Any) -> Evaluation:
    """The traced evaluation of a golden policy, checked from its text."""
    text = (GOLDEN / f"{policy_name}.policy").read_text(encoding="utf-8")
    policy = checker.check_text(text, f"{policy_name}.policy")
    return evaluator.evaluate(policy, inputs, trace=True, **kwargs)


GOLDEN_TEXT = [(case, mode) for case, (_, _, modes) in CASES.items() for mode in modes]


@pytest.mark.parametrize(("case", "mode"), GOLDEN_TEXT, ids=[f"{c}.{m}" for c, m in GOLDEN_TEXT])
def test_golden_text(golden: Golden, case: str, mode: str) -> None:
    """Every verdict of a golden case rendered in a mode matches its golden text."""
    policy_name, inputs, _ = CASES[case]
    text = explain.render_evaluation(evaluation(policy_name, inputs), mode=mode)
    golden.check(GOLDEN / f"{case}.{mode}.txt", text + "\n")


GOLDEN_JSON = [
    ("unit.fails", "drug_free"),
    ("score.zero_cases", "solved_enough"),
    ("town.2017", "village_rate"),
]


@pytest.mark.parametrize(("case", "rule"), GOLDEN_JSON, ids=[c for c, _ in GOLDEN_JSON])
def test_golden_json(golden: Golden, case: str, rule: str) -> None:
    """A verdict's JSON (exact numbers, locations, errors) matches its golden file."""
    policy_name, inputs, _ = CASES[case]
    data = explain.verdict_to_json(evaluation(policy_name, inputs).verdicts[rule])
    golden.check(GOLDEN / f"{case}.{rule}.json", jsonio.dumps(data, indent=1) + "\n")


# ------------------------------------------------------------------------------------------
# The text form


def test_the_example_of_the_brief() -> None:
    """The failing unit reads as the design sketch: failed standards expanded with margins."""
    text = explain.render_text(evaluation("unit", UNIT_FAILS).verdicts["drug_free"])
    lines = text.splitlines()
    assert lines[0].startswith('drug_free "无毒单位" = false (2 of 4 failed)  [S2]')
    assert lines[0].endswith("unit.policy:37:1")
    assert lines[1].startswith('  ✓ no_drug_labs "辖区内无制毒窝点"  [S2.1]')
    assert lines[1].endswith("制毒窝点数 = 0")
    assert lines[3].startswith(
        '  ✗ growth_below_province "吸毒人员增幅低于全省平均水平50%"  [S2.3]'
    )
    assert re.match(
        r"^      吸毒人员增幅 0\.031, should be at most 吸毒人员增幅上限 0\.0155 +over by 0\.0155$",
        lines[4],
    )
    assert re.match(
        r'^        growth_threshold "吸毒人员增幅上限" = 0\.0155  \[S2\.3\] +0\.031 - 50% \* abs\(0\.031\)$',
        lines[5],
    )


def test_right_column_is_aligned_by_display_width() -> None:
    """Notes start at the same terminal column whatever the width of the Chinese before them."""
    text = explain.render_text(evaluation("unit", UNIT_FAILS).verdicts["drug_free"])
    notes = [
        "unit.policy:37:1",
        "制毒窝点数 = 0",
        "贩毒团伙数 = 0",
        "0.031 - 50% * abs(0.031)",
    ]
    columns = set()
    for line in text.splitlines():
        for note in notes:
            if line.endswith(note):
                columns.add(display_width(line[: -len(note)]))
    assert len(columns) == 1, columns
    # Counted in characters, the Chinese lines would not line up.
    lengths = {
        len(line) - len(note) for line in text.splitlines() for note in notes if line.endswith(note)
    }
    assert len(lengths) > 1


def test_decisive_lists_what_held_and_expands_what_failed() -> None:
    """`decisive`: failed items expanded, held items one line each, constants hidden."""
    text = explain.render_text(evaluation("unit", UNIT_FAILS).verdicts["drug_free"])
    assert "unit.drug_labs 0 == 0" not in text  # a held item is one line
    assert "✗ unit.responsibility.team_in_place" in text
    assert "\n        0\n" not in text


def test_failed_mode_keeps_only_failures() -> None:
    """`failed`: what held is left out."""
    text = explain.render_text(evaluation("unit", UNIT_FAILS).verdicts["drug_free"], mode="failed")
    assert "✓" not in text
    assert "✗ growth_below_province" in text and "✗ unit.responsibility.team_in_place" in text


def test_full_mode_shows_everything() -> None:
    """`full`: constants and the inputs behind every field are shown too."""
    text = explain.render_text(evaluation("unit", UNIT_FAILS).verdicts["drug_free"], mode="full")
    assert "制毒窝点数 0 == 0" in text
    assert 'growth_margin "低于全省平均水平的幅度" = 50%  [S2.3]' in text
    assert 'unit "被评定单位" = {' in text


def test_true_or_expands_what_held() -> None:
    """For a true `or`, the branch that held is expanded, the other listed."""
    text = explain.render_text(evaluation("score", SCORE_OK).verdicts["not_failing"])
    lines = text.splitlines()
    assert lines[1].startswith("  ✓ not (level == unqualified)")
    # The operand of `not` is a fact under it, not a second verdict (no `✓ not` over `✗`).
    assert lines[2] == "      考核等级 qualified (合格) == unqualified = false"
    assert lines[-1].startswith('  ✗ solved_enough "破案率达标"')


def test_errors_show_at_the_node_that_failed() -> None:
    """An error is shown where it arose, with its location, under the path that led to it."""
    text = explain.render_text(evaluation("score", SCORE_ZERO_CASES).verdicts["two_of_three"])
    assert text.splitlines()[0].startswith(
        'two_of_three "三项中至少两项达标" = error[division-by-zero]'
    )
    assert "✗ error[division-by-zero]: division by zero: `scores.cases` is 0" in text
    assert "score.policy:27:3" in text
    assert '✗ solved_enough "破案率达标" = error[division-by-zero]' in text


def test_untraced_verdict_renders_its_value_or_error() -> None:
    """A verdict without explanation still renders: its header (and error)."""
    text = (GOLDEN / "score.policy").read_text(encoding="utf-8")
    policy = checker.check_text(text, "score.policy")
    result = evaluator.evaluate(policy, SCORE_ZERO_CASES)
    rendered = explain.render_text(result.verdicts["solve_rate"])
    assert rendered.splitlines()[0].startswith('solve_rate "破案率" = error[division-by-zero]')
    assert "✗ error[division-by-zero]: division by zero: `scores.cases` is 0" in rendered
    assert explain.render_text(result.verdicts["total"]).startswith('total "总分" = 85.5  [S3.1]')


def test_colour_only_when_asked() -> None:
    """ANSI codes appear with `color=True` only, and removing them gives the plain text."""
    result = evaluation("unit", UNIT_FAILS)
    plain = explain.render_evaluation(result)
    coloured = explain.render_evaluation(result, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[31m✗\x1b[0m" in coloured and "\x1b[32m✓\x1b[0m" in coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def test_unknown_mode_is_a_usage_error() -> None:
    """A mode that does not exist is refused with a suggestion."""
    verdict = evaluation("unit", UNIT_FAILS).verdicts["drug_free"]
    with pytest.raises(UsageError) as caught:
        explain.render_text(verdict, mode="fail")
    assert caught.value.codes == ("unknown-mode",)
    assert caught.value.diagnostics[0].help == "did you mean `failed`?"


def test_long_aggregates_are_cut_at_twenty_elements() -> None:
    """A rate over 100 elements lists 20 and says how many more there are."""
    units = tuple(
        {"name": f"村{i}", "group": "village_level", "drug_labs": int(i % 10 == 0), "cases": 0}
        for i in range(100)
    )
    result = evaluation("town", {"town": {"year": 2017, "units": units}})
    text = explain.render_text(result.verdicts["village_rate"], mode="full")
    assert "90 of 100 (90%)" in text
    assert "… and 80 more" in text
    assert text.count("#") == 20
    data = explain.explanation_to_json(result.verdicts["village_rate"].explanation)
    assert data["children"][0]["omitted"] == 80


def test_a_rule_used_twice_is_explained_once() -> None:
    """The second reference to a rule says it was explained above instead of repeating it."""
    text = explain.render_text(evaluation("score", SCORE_OK).verdicts["two_of_three"], mode="full")
    assert text.count('total "总分" = 88.5  [S3.1]') == 1
    policy = checker.check_text("input n: int\nrule base: n * 2\nrule r: base + base", "t.policy")
    verdict = evaluator.evaluate(policy, {"n": 3}, trace=True).verdicts["r"]
    full = explain.render_text(verdict, mode="full")
    assert full.count("base = 6") == 2
    assert full.count("(explained above)") == 1
    assert full.count("n * 2 = 6") == 1


def test_wide_dag_of_shared_rules_renders_in_linear_size() -> None:
    """Rules each using the previous one twice (2^40 paths) render once per rule."""
    n = 40
    lines = ["input x: int", "rule r0: x"] + [
        f"rule r{i}: r{i - 1} + r{i - 1}" for i in range(1, n)
    ]
    policy = checker.check_text("\n".join(lines), "dag.policy")
    verdict = evaluator.evaluate(policy, {"x": 1}, rules=[f"r{n - 1}"], trace=True).verdicts[
        f"r{n - 1}"
    ]
    assert verdict.value == 2 ** (n - 1)
    text = explain.render_text(verdict, mode="full")
    assert len(text.splitlines()) < 10 * n
    data = explain.explanation_to_json(verdict.explanation)
    assert len(jsonio.dumps(data)) < 2000 * n


def test_very_deep_trees_render_without_recursion() -> None:
    """A chain of 3000 rules renders as text and JSON (explicit stacks, no RecursionError)."""
    n = 3000
    lines = ["input x: int", "rule r0: x + 1"] + [f"rule r{i}: r{i - 1} + 1" for i in range(1, n)]
    policy = checker.check_text("\n".join(lines), "chain.policy")
    verdict = evaluator.evaluate(policy, {"x": 0}, rules=[f"r{n - 1}"], trace=True).verdicts[
        f"r{n - 1}"
    ]
    text = explain.render_text(verdict, mode="full")
    assert text.splitlines()[0].startswith(f"r{n - 1} = {n}")
    assert "r0 = 1" in text
    data = explain.explanation_to_json(verdict.explanation)
    depth = 0
    node = data
    while node["children"]:
        node = node["children"][0]
        depth += 1
    assert depth > n


def test_source_text_is_shown_on_one_line_without_comments() -> None:
    """A multi-line expression with a comment is shown on one line, comment dropped."""
    result = evaluation("unit", UNIT_FAILS)
    body = result.verdicts["responsibility_in_place"].explanation.children[0]
    assert "#" in body.expr and "\n" in body.expr
    data = explain.explanation_to_json(body)
    assert (
        data["expr"]
        == "all of [ unit.responsibility.duties_assigned, unit.responsibility.team_in_place, ]"
    )


def test_strings_keep_their_spaces_and_hashes() -> None:
    """Cleaning source text leaves string literals alone."""
    assert explain._clean('x == "a  #b"  # note\n  and y') == 'x == "a  #b" and y'


# ------------------------------------------------------------------------------------------
# JSON


def test_json_nodes_carry_values_types_and_locations() -> None:
    """JSON nodes: kind, one-line source, exact value, type, names, labels, cites, file:line:col."""
    verdict = evaluation("unit", UNIT_FAILS).verdicts["growth_below_province"]
    data = explain.verdict_to_json(verdict)
    values = data["values"]
    assert data["rule"] == "growth_below_province" and values[data["value"]] is False
    assert (data["file"], data["line"], data["column"]) == ("unit.policy", 28, 1)
    root = data["explanation"]
    assert root["file"] == "unit.policy"
    compare = root["children"][0]
    assert compare["kind"] == "compare" and compare["name"] == "<="
    assert compare["detail"] == "over by 0.0155"
    assert (compare["line"], compare["column"], compare["end_column"]) == (29, 3, 46)
    assert "file" not in compare  # the root's: a node names its file only where it differs
    left, right = compare["children"]
    assert values[left["value"]] == "0.031" and isinstance(values[left["value"]], RawNumber)
    assert (
        right["kind"] == "rule"
        and right["label"] == "吸毒人员增幅上限"
        and right["cites"] == ["S2.3"]
    )
    assert jsonio.dumps(values[right["value"]]) == "0.0155"


def test_json_writes_each_value_once() -> None:
    """Every node refers to its value in one table: a record read by many nodes, and `true`
    held by many conditions, are each written once (issue: 41 KB for one unit)."""
    verdict = evaluation("unit", UNIT_FAILS).verdicts["drug_free"]
    data = explain.verdict_to_json(verdict)
    values = data["values"]
    dumped = [jsonio.dumps(value) for value in values]
    assert len(dumped) == len(set(dumped))
    records = [value for value in values if isinstance(value, dict) and "drug_labs" in value]
    assert len(records) == 1
    referred = {node["value"] for node in _json_nodes(data["explanation"])}
    assert referred <= set(range(len(values)))
    assert jsonio.dumps(data).count('"drug_labs":') == 1


def test_evaluation_json_shares_one_table_across_verdicts() -> None:
    """`evaluation_to_json`: the verdicts of one document refer to one value table."""
    traced = evaluation("unit", UNIT_FAILS)
    data = explain.evaluation_to_json(traced)
    assert set(data) == {"explanations", "explanation_values"}
    assert set(data["explanations"]) == set(traced.verdicts)
    text = jsonio.dumps(data)
    assert text.count('"drug_labs":') == 1
    for key, verdict in data["explanations"].items():
        assert "values" not in verdict
        expected = to_json(traced.verdicts[key].value, traced.verdicts[key].type)
        assert data["explanation_values"][verdict["value"]] == expected


def _json_nodes(root: dict[str, Any]) -> list[dict[str, Any]]:
    found, stack = [], [root]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node["children"])
    return found


def test_json_of_an_error() -> None:
    """A failed node has no value and carries its diagnostic."""
    verdict = evaluation("score", SCORE_ZERO_CASES).verdicts["solve_rate"]
    data = explain.verdict_to_json(verdict)
    assert data["value"] is None and data["error"]["code"] == "division-by-zero"
    body = data["explanation"]["children"][0]
    assert body["error"]["line"] == 27 and body["value"] is None


def test_json_repeats_a_shared_rule_by_reference() -> None:
    """A rule's body appears in full once; later references are marked `repeated`."""
    policy = checker.check_text("input n: int\nrule base: n * 2\nrule r: base + base", "t.policy")
    verdict = evaluator.evaluate(policy, {"n": 3}, trace=True).verdicts["r"]
    data = explain.explanation_to_json(verdict.explanation)
    first, second = data["children"][0]["children"]
    assert first["children"] and "repeated" not in first
    assert second["repeated"] is True and second["children"] == []


def test_json_of_an_untraced_verdict() -> None:
    """Without tracing, the verdict's JSON has no explanation."""
    policy = checker.check_text("rule r: 1 / 4", "t.policy")
    data = explain.verdict_to_json(evaluator.evaluate(policy, {}).verdicts["r"])
    assert data["explanation"] is None
    assert jsonio.dumps(data["values"][data["value"]]) == "0.25"


def test_hand_made_explanations_render() -> None:
    """Explanations built by other tools (no spans, unknown kinds) still render and serialise."""
    node = Explanation(
        kind="criterion",
        expr="ok",
        value=True,
        type=None,
        children=(
            Explanation(kind="custom", expr="x > 1", value=True, type=None, detail="margin 2"),
        ),
        name="ok",
        label="标签",
    )
    verdict = Verdict(
        key="ok", name="ok", kind="criterion", type=None, value=True, explanation=node, label="标签"
    )  # type: ignore[arg-type]
    text = explain.render_text(verdict, mode="full")
    assert text.splitlines()[0] == 'ok "标签" = true'
    assert "x > 1" in text and "margin 2" in text
    assert explain.explanation_to_json(node)["children"][0]["detail"] == "margin 2"
    assert explain.verdict_to_json(verdict)["explanation"]["label"] == "标签"


# ------------------------------------------------------------------------------------------
# The flagship policy (owned elsewhere, so checked for shape rather than against golden text)

FLAGSHIP = Path(__file__).resolve().parents[1] / "policies" / "drug_free" / "unit.policy"


def test_flagship_explanations_render_in_every_mode() -> None:
    """The drug-free unit policy explains itself: labels, citations and the failing standard."""
    policy = checker.check_path(FLAGSHIP)
    unit = {
        "id": "zk-cj-v01",
        "name": "示例村",
        "kind": "village",
        "year": 2017,
        "drug_labs": 0,
        "trafficking_groups": 0,
        "addict_growth_rate": Fraction("0.031"),
        "province_addict_growth_rate": Fraction("0.031"),
        "enforcement_rate": Fraction("0.95"),
        "province_enforcement_rate": Fraction("0.70"),
        "fugitive_key_offenders": 0,
        "venue_drug_cases": 0,
        "uncontrolled_substance_firms": 0,
        "group_drug_use_incidents": 0,
        "responsibility": {
            "duties_assigned": True,
            "team_in_place": True,
            "infrastructure_complete": True,
            "work_funded": True,
        },
    }
    result = evaluator.evaluate(policy, {"unit": unit}, trace=True)
    verdict = result.verdicts["drug_free"]
    assert verdict.value is False
    for mode in explain.MODES:
        text = explain.render_text(verdict, mode=mode)
        assert text.splitlines()[0].startswith('drug_free "无毒单位" = false')
        assert "over by 0.0155" in text
        assert "[S2.3]" in text
    decisive = explain.render_text(verdict)
    assert "0.031 - 50% * abs(0.031)" in decisive
    assert "✓ no_drug_labs(u)" in decisive
    assert jsonio.dumps(explain.verdict_to_json(verdict))


# -- explanations in the policy's words (issue 14 item 1) --------------------------------------

_WORDS_POLICY = """\
input cap: int? "上限"
input n: int "数量"
input born: int "出生年份"
input share: percent "占比"
rule age "年龄": 2020 - born
rule band "年龄段": if age < 18 then 1 else 2
rule limit "限额": if cap is none then 10 * band else cap
criterion has_cap "设了上限": not (cap is none)
criterion ok "未超限": n <= limit
criterion capped "有上限且未超限": not has_cap or ok
rule ratio "比率": share / 7
"""


def _words(facts: dict[str, Any], rule: str, **options: Any) -> str:
    policy = checker.check_text(_WORDS_POLICY, "words.policy")
    values = {"cap": None, "n": 12, "born": 2010, "share": Fraction(4)}
    values.update(facts)
    verdict = evaluator.evaluate(policy, values, trace=True).verdicts[rule]
    return explain.render_text(verdict, **options)


def test_a_failed_comparison_reads_in_labels_and_words() -> None:
    """`制毒窝点数 1，应为 0`: the label of what was read, its value, what was needed."""
    text = _words({"cap": 5}, "ok", lang="zh")
    assert "数量 12，应不高于 限额 5" in text
    assert "n <= limit" not in text
    english = _words({"cap": 5}, "ok")
    assert "数量 12, should be at most 限额 5" in english


def test_an_if_condition_is_the_branch_taken_not_a_failure() -> None:
    """The condition of an `if` chose a branch: no ✗, even in `failed` mode."""
    for mode in ("decisive", "failed", "full"):
        text = _words({"cap": 5}, "ok", mode=mode)
        assert "cap is none = false" in text, mode
        assert "✗ cap is none" not in text and "✓ cap is none" not in text


def test_not_is_not_followed_by_its_operand_marked_the_other_way() -> None:
    """No double negation: `✗ not has_cap` is followed by the fact `has_cap … = true`."""
    for mode in ("decisive", "failed", "full"):
        lines = _words({"cap": 5}, "capped", mode=mode).splitlines()
        at = next(i for i, line in enumerate(lines) if "✗ not has_cap" in line)
        assert lines[at + 1].strip().startswith('has_cap "设了上限" = true'), mode


def test_decisive_follows_nested_rules_down_to_the_facts() -> None:
    """`限额` comes from `年龄段`, which comes from `年龄`, from the birth year: all shown."""
    text = _words({}, "ok")
    assert 'band "年龄段" = 1' in text
    assert 'age "年龄" = 10' in text and "2020 - 2010" in text


def test_a_repeating_number_is_rounded_and_marked_but_exact_in_json() -> None:
    """4/7 shows as `≈ 0.5714` (and 2/3 as a share `≈ 66.67%`, see the town golden); JSON
    keeps the exact value as text."""
    policy = checker.check_text(_WORDS_POLICY, "words.policy")
    values = {"cap": None, "n": 1, "born": 2000, "share": Fraction(4)}
    verdict = evaluator.evaluate(policy, values, trace=True).verdicts["ratio"]
    text = explain.render_text(verdict)
    assert 'ratio "比率" = ≈ 0.5714' in text
    assert "/" not in text.splitlines()[0]
    data = explain.verdict_to_json(verdict)
    assert data["values"][data["value"]] == "4/7"


def test_text_is_never_cut_inside_a_word() -> None:
    """A long source is cut at a break (`abs(…`), a record after a whole field."""
    cut = explain._cut("unit.province_addict_growth_rate - growth_margin * abs(unit.x)", 50)
    assert cut == "unit.province_addict_growth_rate - growth_margin…"
    assert explain._cut("{drug_labs: 0, trafficking_groups: 0, addict_growth: 1}", 40) == (
        "{drug_labs: 0, trafficking_groups: 0,…"
    )
    # One word longer than the limit is kept whole rather than broken.
    assert explain._cut("一个很长很长很长很长的标签", 10) == "一个很长很长很长很长的标签"
    assert explain._cut("一个很长很长很长很长的标签 和更多", 10) == "一个很长很长很长很长的标签…"


def test_the_flagship_explanation_json_writes_the_unit_once() -> None:
    """Issue 14: the `drug_free` explanation of one unit was 41 KB, the unit record written
    at every node that read it; each value is now written once for the whole line."""
    root = Path(__file__).resolve().parent.parent
    policy = wuxin_rules.load(root / "policies" / "drug_free" / "unit.policy")
    document = jsonio.loads((root / "examples" / "village-fail.json").read_text("utf-8"))
    data = policy.evaluate(document, explain=True).to_json(explain=True)
    text = jsonio.dumps(data)
    assert text.count('"trafficking_groups":') == 1
    assert len(jsonio.dumps(data["explanations"]["drug_free"])) < 25_000


def test_the_rest_of_a_long_list_is_counted_in_both_languages() -> None:
    """Issue 10: the elements that decided first, then the rest counted by outcome."""
    policy = checker.check_text(
        "input xs: list of int\ncriterion ok: all of x in xs : x > 2\nrule m: max of x in xs : x",
        "t.policy",
    )
    traced = evaluator.evaluate(policy, {"xs": list(range(100))}, trace=True)
    english = explain.render_text(traced.verdicts["ok"])
    lines = english.splitlines()
    marked = [line.split()[:2] for line in lines if line.strip()[:3] in ("✗ #", "✓ #")]
    assert marked[:4] == [["✗", "#1"], ["✗", "#2"], ["✗", "#3"], ["✓", "#4"]]  # failed first
    assert lines[-1].strip() == "… and 80 more: 80 held, 0 failed"
    chinese = explain.render_text(traced.verdicts["ok"], lang="zh")
    assert chinese.splitlines()[-1].strip() == "…… 另有 80 项：80项满足，0项未满足"
    # `max of`: the element equal to the result first, the rest only counted.
    largest = explain.render_text(traced.verdicts["m"]).splitlines()
    assert largest[2].split()[0] == "#100" and largest[-1].strip() == "… and 80 more"


def test_a_verdict_tree_is_whole_even_when_an_earlier_verdict_explained_its_rule() -> None:
    """In one line's JSON, a rule explained under an earlier verdict is `repeated` where it
    is referred to, but its own verdict always carries its tree."""
    policy = checker.check_text("input n: int\nrule base: n * 2\nrule r: base + 1", "t.policy")
    traced = evaluator.evaluate(policy, {"n": 3}, rules=["r", "base"], trace=True)
    data = explain.evaluation_to_json(traced)
    base = data["explanations"]["base"]["explanation"]
    assert "repeated" not in base and base["children"]
    under_r = data["explanations"]["r"]["explanation"]["children"][0]["children"][0]
    assert under_r["name"] == "base" and under_r["children"]


def test_the_value_table_is_the_same_whichever_evaluator_shares_objects() -> None:
    """Equal records and lists are one entry whether or not they are one object (the compiled
    tracer shares what the reference evaluator builds again): the JSON never depends on it."""
    from wuxin_rules.explain import ValueTable
    from wuxin_rules.schema import INT, ListType

    list_type = ListType(INT)
    shared, table = (1, 2), ValueTable()
    first, second = table.index(shared, list_type), table.index(shared, list_type)
    again = ValueTable()
    assert again.index((1, 2), list_type) == again.index(tuple([1, 2]), list_type) == first
    assert first == second and table.to_json() == again.to_json() == [[1, 2]]
    assert again.index((2, 1), list_type) == 1
