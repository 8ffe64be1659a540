"""The consistency checks: planted inconsistencies are caught and located, the flagship is clean."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wuxin_rules import api, checker, cli, consistency
from wuxin_rules.errors import PolicyCheckError, Severity

ROOT = Path(__file__).resolve().parents[1]

HEAD = """\
policy plant "Planted" source "Rules"

enum Level: low "Low", mid "Mid", high "High"

record Case "A case":
  count : int >= 0        "Count" cites "R1"
  share : decimal -1 .. 1 "Share" cites "R2"
  level : Level           "Level" cites "R3"

input case: Case "The case"

criterion uses "Uses every field" cites "R1":
  case.count == 1 and case.share == 0 and case.level == low

"""
"""A clean policy (line 14 is the first free line): each test plants one declaration below."""


def findings(body: str, *, undecided: bool = False) -> list[str]:
    """The rendered consistency findings of HEAD + body."""
    policy = checker.check_text(HEAD + body, "plant.policy")
    return [d.render() for d in consistency.analyse(policy, undecided=undecided)]


def check_error(body: str) -> str:
    """The rendered check error of HEAD + body (schedules and bands are proven by the checker)."""
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text(HEAD + body, "plant.policy")
    return str(caught.value)


def codes(text: str, **files: str) -> list[str]:
    policy = checker.check_text(text, "p.policy", files=files or None)
    return [d.code for d in consistency.analyse(policy)]


# ------------------------------------------------------------------------------------------
# One planted inconsistency of each kind, with the golden text of its diagnostic


def test_non_monotone_schedule_cell_is_located() -> None:
    """A table declared nondecreasing that falls is an error naming both cells."""
    body = (
        'schedule target "Target": percent by year\n'
        "  monotone nondecreasing in year:\n"
        '  stage one "One" 2015-01-01 .. 2016-12-31:\n'
        "    2015: 50%\n"
        "    2016: 40%\n"
    )
    assert (
        check_error(body)
        == """\
plant.policy:19:11: error[schedule-not-monotone]: schedule `target` is not nondecreasing in `year`: 50% in 2015, then 40% in 2016
   |
19 |     2016: 40%
   |           ^^^
   = 50% in 2015: plant.policy:18:11
     |
  18 |     2015: 50%
     |           ---
   = help: correct one of the two values, or remove `monotone nondecreasing in year` if the table is not meant to be nondecreasing"""
    )


def test_band_gap_is_located() -> None:
    """Bands that leave 80 ..< 90 uncovered are an error at the band after the gap."""
    body = 'bands grade "Grade" over 0 .. 100:\n  90 .. 100 top "Top"\n  0 ..< 80 rest "Rest"\n'
    assert (
        check_error(body)
        == """\
plant.policy:16:3: error[band-gap]: `grade` has a gap: no band holds `80 ..< 90`
   |
16 |   90 .. 100 top "Top"
   |   ^^^^^^^^^^^^^^^^^^^
   = `rest` ends here: plant.policy:17:3
     |
  17 |   0 ..< 80 rest "Rest"
     |   --------------------
   = help: extend a neighbouring band to cover the gap, or add a band for it"""
    )


def test_band_overlap_is_located() -> None:
    """Bands that both hold 80 ..< 90 are an error naming both."""
    body = 'bands grade "Grade" over 0 .. 100:\n  80 .. 100 top "Top"\n  0 ..< 90 rest "Rest"\n'
    assert (
        check_error(body)
        == """\
plant.policy:16:3: error[band-overlap]: bands `rest` and `top` of `grade` overlap: both hold `80 ..< 90`
   |
16 |   80 .. 100 top "Top"
   |   ^^^^^^^^^^^^^^^^^^^
   = `rest` is here: plant.policy:17:3
     |
  17 |   0 ..< 90 rest "Rest"
     |   --------------------
   = help: make each band end where the next begins: `a ..< b` then `b .. c`"""
    )


def test_always_false_criterion_is_located() -> None:
    """`count < 0` on an `int >= 0` can never hold."""
    assert findings('criterion negative "Count below zero" cites "R1":\n  case.count < 0\n') == [
        """\
plant.policy:15:11: warning[criterion-always-false]: criterion `negative` is never true
   |
15 | criterion negative "Count below zero" cites "R1":
   |           ^^^^^^^^
   = note: within the declared types and bounds, `case.count < 0` never holds
   = help: check the condition against the declared types and bounds; a condition that cannot fail (or hold) decides nothing"""
    ]


def test_always_true_criterion_is_located() -> None:
    """Restating the bounds of a `decimal -1 .. 1` can never fail."""
    body = 'criterion in_range "Share within its bounds" cites "R2":\n  case.share >= -1 and case.share <= 1\n'
    assert findings(body) == [
        """\
plant.policy:15:11: warning[criterion-always-true]: criterion `in_range` is always true
   |
15 | criterion in_range "Share within its bounds" cites "R2":
   |           ^^^^^^^^
   = note: within the declared types and bounds, `case.share >= -1 and case.share <= 1` always holds
   = help: check the condition against the declared types and bounds; a condition that cannot fail (or hold) decides nothing"""
    ]


def test_unreachable_branch_is_located() -> None:
    """After `in [low, mid]` and `== high`, no level is left for the last `else`."""
    body = (
        'rule band "Band" cites "R3" -> int:\n'
        "  if case.level in [low, mid] then 1\n"
        "  else if case.level == high then 2\n"
        "  else 3\n"
    )
    assert findings(body) == [
        """\
plant.policy:18:8: warning[unreachable-branch]: this `else` branch is never taken: `case.level == high` always holds
   |
18 |   else 3
   |        ^
   = the condition: plant.policy:17:11
     |
  17 |   else if case.level == high then 2
     |           ------------------
   = note: within the declared types and bounds, and the conditions of the `if`s around it
   = help: remove the branch, or correct the condition"""
    ]


def test_unused_param_is_located() -> None:
    """A param no rule, band, example or property uses."""
    assert findings('param spare: int >= 0 = 7 "Spare" cites "R4"\n') == [
        """\
plant.policy:15:7: warning[unused-param]: param `spare` is never used
   |
15 | param spare: int >= 0 = 7 "Spare" cites "R4"
   |       ^^^^^
   = help: use it in a rule, or remove it"""
    ]


def test_uncited_rule_is_located() -> None:
    """A rule without `cites` that uses nothing cited."""
    assert findings('rule doubled "Doubled":\n  2 * 3\n') == [
        """\
plant.policy:15:6: warning[uncited-rule]: the explanation of rule `doubled` would cite nothing
   |
15 | rule doubled "Doubled":
   |      ^^^^^^^
   = note: neither it nor the rules, params, fields, schedules and bands it uses have `cites`
   = help: add `cites "…"` to `doubled`, naming the clause it encodes"""
    ]


def test_unreachable_then_branch_inside_a_narrowed_branch() -> None:
    """`count > 5` rules out `count < 3` in its own branch (the reasoning narrows)."""
    body = (
        'rule nested "Nested" cites "R1" -> int:\n'
        "  if case.count > 5 then (if case.count < 3 then 1 else 2) else 0\n"
    )
    (only,) = findings(body)
    assert only.splitlines()[0] == (
        "plant.policy:16:50: warning[unreachable-branch]: this `then` branch is never taken: "
        "`case.count < 3` never holds"
    )


# ------------------------------------------------------------------------------------------
# The other unused things


def test_unused_input_import_rule_parameter_and_declaration() -> None:
    """Each kind of unused declaration gets its code, at its name."""
    lib = "policy lib\nenum Colour: red, blue\nrecord Pair: a: int\nrule twice(x: int) -> int: 2 * x\n"
    text = (
        "policy p\n"
        "import lib (Colour, Pair)\n"
        "import lib as other\n"
        "record Unused: n: int\n"
        "input seen: Pair\n"
        "input unseen: Pair\n"
        "rule helper(a: int, b: int) -> int: a + 1\n"
        "rule total -> int: helper(seen.a, 2)\n"
    )
    policy = checker.check_text(text, "p.policy", files={"lib": lib})
    got = [(d.code, d.span.text if d.span else None) for d in consistency.analyse(policy)]
    assert ("unused-import", "Colour") in got
    assert ("unused-import", "lib") in got  # `import lib as other`, `other` never used
    assert ("unused-declaration", "Unused") in got
    assert ("unused-input", "unseen") in got
    assert ("unused-rule-parameter", "b") in got
    assert ("unused-input", "seen") not in got
    assert ("unused-import", "Pair") not in got
    # `helper` is used by `total`; `total` is an output, never unused.
    assert not [g for g in got if g[1] in ("helper", "total") and g[0].startswith("unused")]


def test_uses_in_examples_and_properties_count() -> None:
    """A param or rule only an example or a property uses is not unused."""
    text = (
        'policy p "P" source "S"\n'
        'record R "R": n: int >= 0 "N" cites "C"\n'
        "input r: R\n"
        'param cap: int >= 0 = 3 "Cap" cites "C"\n'
        'rule limit(x: int) "Limit" cites "C" -> int: x + 1\n'
        'criterion small "Small" cites "C": r.n < 10\n'
        'property "limit above its argument":\n'
        "  forall x: int\n"
        "  holds limit(x) > x\n"
        'example "cap":\n'
        "  given r = {n: 1}\n"
        "  expect small and cap == 3\n"
    )
    assert codes(text) == []


def test_uses_by_importing_modules_count(tmp_path: Path) -> None:
    """A shared vocabulary's declarations count as used by the files under the policy root
    that import it, and a module others import is not told its interface is unused."""
    folder = tmp_path / "set"
    folder.mkdir()
    (folder / "words.policy").write_text(
        'policy set.words "Words" source "S"\n'
        'enum Colour "Colour": red "Red", blue "Blue"\n'
        'param shade: int >= 0 = 2 "Shade" cites "C"\n'
        'param never: int >= 0 = 2 "Never" cites "C"\n'
        'rule paint(c: Colour) "Paint" cites "C" -> int: if c == red then shade else 0\n'
        'rule unused_helper(c: Colour) "Helper" cites "C" -> int: 1 + 1\n',
        encoding="utf-8",
    )
    (folder / "use.policy").write_text(
        'policy set.use "Use" source "S"\n'
        "import set.words (Colour, paint)\n"
        'input c: Colour "C"\n'
        'rule painted "Painted" cites "C" -> int: paint(c)\n',
        encoding="utf-8",
    )
    alone = api.lint_policy_paths([folder / "words.policy"])
    ((_, error, found),) = alone
    assert error is None
    assert [(d.code, d.span.text) for d in found] == [
        ("unused-param", "never"),
        ("unused-rule-parameter", "c"),
    ]


# ------------------------------------------------------------------------------------------
# No noise


def test_decided_criteria_that_can_hold_and_fail_give_nothing() -> None:
    """Conditions that can both hold and fail are silent, even tight ones."""
    body = (
        'criterion tight "Tight" cites "R2": case.share > 0 and case.share < 0.0001\n'
        'criterion edge "Edge" cites "R1": case.count == 0\n'
        'criterion member "Member" cites "R3": case.level != high\n'
        'rule pick "Pick" cites "R3" -> int:\n'
        "  if case.level == low then 1 else if case.level == mid then 2 else 3\n"
    )
    assert findings(body, undecided=True) == []


def test_whole_numbers_leave_no_room_between_neighbours() -> None:
    """`0 < n < 1` has no `int`, but has decimals; `!=` at an end of a range narrows it."""
    assert codes(HEAD + 'criterion gap "Gap" cites "R1": case.count > 0 and case.count < 1\n') == [
        "criterion-always-false"
    ]
    assert codes(HEAD + 'criterion ne "Ne" cites "R1": case.count != 0 and case.count == 0\n') == [
        "criterion-always-false"
    ]
    assert (
        codes(HEAD + 'criterion some "Some" cites "R1": case.count != 3 and case.count == 4\n')
        == []
    )


def test_params_range_over_their_declared_type() -> None:
    """A param can be overridden: only its bound, not its default, is known."""
    assert (
        codes(
            HEAD + 'param cap: int >= 0 = 3 "Cap" cites "C"\ncriterion c "C" cites "R1": cap > 2\n'
        )
        == []
    )
    assert codes(
        HEAD + 'param cap: int >= 0 = 3 "Cap" cites "C"\ncriterion c "C" cites "R1": cap >= 0\n'
    ) == ["criterion-always-true"]


def test_reasoning_follows_calls_schedules_and_aggregates() -> None:
    """Calls are followed into their bodies; schedule cells and counts give ranges."""
    body = (
        'rule positive(n: int) "Positive" cites "R1" -> bool: n >= 0\n'
        'criterion through_call "Call" cites "R1": positive(case.count)\n'
        'schedule share_of "Share": percent by year:\n'
        '  stage s "S" 2015-01-01 .. 2016-12-31:\n'
        "    2015: 20%\n"
        "    2016: 40%\n"
        'criterion in_table "Table" cites "R1": (share_of(2015) ?? 30%) <= 40%\n'
        'record Bag "Bag": xs: list of int\n'
        "input bag: Bag\n"
        'criterion counted "Counted" cites "R1": (count of x in bag.xs where x > 1) >= 0\n'
    )
    got = {(d.code, d.span.text) for d in consistency.analyse(checker.check_text(HEAD + body, "p"))}
    assert got == {
        ("criterion-always-true", "through_call"),
        ("criterion-always-true", "in_table"),
        ("criterion-always-true", "counted"),
    }


def test_undecided_criteria_are_notes_only_when_asked() -> None:
    """A comparison of two facts is not decided: a note says so with `undecided`, else silence."""
    body = 'criterion related "Related" cites "R1": case.count > case.share\n'
    assert findings(body) == []
    assert findings(body, undecided=True) == [
        """\
plant.policy:15:11: note[undecided-criterion]: the consistency checks cannot tell whether criterion `related` can both hold and fail
   |
15 | criterion related "Related" cites "R1": case.count > case.share
   |           ^^^^^^^
   = note: the interval reasoning is not complete: it could not decide `case.count > case.share`"""
    ]


def test_the_flagship_policies_have_no_findings() -> None:
    """`policies/` has no warning (a finding there would be fixed, or the check refined)."""
    results = api.lint_policy_paths([ROOT / "policies"])
    assert results
    for path, error, found in results:
        assert error is None, path
        assert [d.render() for d in found] == [], path


def test_every_finding_has_a_documented_code_and_a_help() -> None:
    """Codes are the stable kebab-case ones listed in CODES, each with a help line."""
    text = HEAD + (
        'param spare: int = 1 "S" cites "C"\n'
        "rule doubled: 2 * 3\n"
        'criterion negative "N" cites "R1": case.count < 0\n'
    )
    found = consistency.analyse(checker.check_text(text, "p"))
    assert {d.code for d in found} == {"unused-param", "uncited-rule", "criterion-always-false"}
    for d in found:
        assert d.code in consistency.CODES
        assert d.severity is Severity.WARNING and d.help and d.span is not None


# ------------------------------------------------------------------------------------------
# wuxin check and --strict


def _planted(tmp_path: Path) -> Path:
    path = tmp_path / "plant.policy"
    path.write_text(HEAD + 'param spare: int >= 0 = 7 "Spare" cites "R4"\n', encoding="utf-8")
    return path


def test_wuxin_check_prints_warnings_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --strict, warnings are printed and the exit code stays 0."""
    assert cli.main(["check", str(_planted(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert "warning[unused-param]: param `spare` is never used" in err
    assert out == "checked 1 policy: no errors, 1 warning\n"


def test_wuxin_check_strict_makes_warnings_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With --strict, a warning fails the file: exit 1, and JSON says `ok: false`."""
    path = str(_planted(tmp_path))
    assert cli.main(["check", "--strict", path]) == 1
    _, err = capsys.readouterr()
    assert err.endswith("1 of 1 policy has problems (warnings are errors with --strict)\n")
    assert cli.main(["check", "--strict", "--format", "json", path]) == 1
    line = json.loads(capsys.readouterr().out)
    assert line["ok"] is False
    assert [(d["code"], d["severity"], d["line"]) for d in line["diagnostics"]] == [
        ("unused-param", "warning", 15)
    ]


def test_wuxin_check_strict_is_clean_on_the_flagship(capsys: pytest.CaptureFixture[str]) -> None:
    """`wuxin check --strict policies/` passes."""
    assert cli.main(["check", "--strict", str(ROOT / "policies")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.startswith("checked ") and out.endswith(": no problems\n")


def test_wuxin_check_notes_lists_undecided_criteria(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--notes adds the criteria the reasoning could not decide; they never fail --strict."""
    path = tmp_path / "plant.policy"
    path.write_text(HEAD + 'criterion related "R" cites "R1": case.count > case.share\n', "utf-8")
    assert cli.main(["check", "--strict", "--notes", str(path)]) == 0
    _, err = capsys.readouterr()
    assert "note[undecided-criterion]" in err


def test_notes_show_what_the_check_proved_on_the_flagship(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`wuxin check --notes` names the proofs behind a clean check: the S4 schedule is
    nondecreasing in every group, the S6.2 bands cover 0 .. 100; without --notes, silence."""
    flagship = str(Path(__file__).resolve().parents[1] / "policies" / "drug_free")
    assert cli.main(["check", "--notes", flagship]) == 0
    _, err = capsys.readouterr()
    assert (
        "note[proved-monotone]: proved: schedule `target` is nondecreasing "
        "in `year` for every member of `Group` (30 cells)"
    ) in err
    assert (
        "note[proved-bands]: proved: the bands of `grade_bands` cover `0 .. 100` with no gap and "
        "no overlap"
    ) in err
    assert err.count("note[proved-") == 2  # each proof once, though several files import them
    assert cli.main(["check", flagship]) == 0
    assert "proved" not in capsys.readouterr().err
    assert cli.main(["check", "--notes", "--lang", "zh", flagship]) == 0
    assert (
        "已证明：计划表 `target` 对 `Group` 的每个成员都随 `year` 不减（共 30 格）"
        in capsys.readouterr().err
    )


def test_classes_the_name_walk_skips_can_hold_no_use_of_a_name() -> None:
    """The unused-declaration walk skips labels, notes, citations, qualified and enum member
    names whole (most nodes of a large policy): each such class may hold only texts,
    declaring names and each other, so a field that could hold an expression or a type
    added to one fails here rather than hiding a use."""
    import re

    import attrs

    skipped = {kind.__name__ for kind in consistency._NAMELESS}
    allowed = skipped | {"str", "None", "tuple", "Span", "Ident"}
    for kind in consistency._NAMELESS:
        for field in attrs.fields(kind):
            words = set(re.findall(r"[A-Za-z_]\w*", str(field.type)))
            assert words <= allowed, (kind.__name__, field.name, field.type)
