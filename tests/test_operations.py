"""The operations of issue 12 that are entries of the semantics table: `mod`, `**`, the text
builtins and `matches`.

`tests/test_semantics.py` holds every entry to the same values, errors and explanations on
every path; here are the meanings themselves (signs, types, limits), how they read and are
written back (precedence, both readers, `wuxin fmt`, `wuxin doc`), and what the checker and
the consistency checks know of them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import (
    checker,
    consistency,
    direct_parser,
    formatter,
    parser,
    patterns,
    semantics,
)
from wuxin_rules.errors import PolicyCheckError
from wuxin_rules.source import Source


def _value(expr: str, types: str = "int", **facts: Any) -> Any:
    """The value of `expr` over inputs `a`, `b` of `types`, on the fast path and the
    reference (which must agree), or the error code."""
    inputs = "".join(f'input {name}: {types} "{name}"\n' for name in ("a", "b"))
    policy = wuxin_rules.loads(f'policy t "t"\n{inputs}rule r "r": {expr}\n', name="t.policy")
    document = {"a": 0, "b": 0, **facts}
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    verdict, traced = fast.verdict("r"), explained.verdict("r")
    assert (verdict.value, verdict.error) == (traced.value, traced.error)
    return verdict.error.code if verdict.error is not None else verdict.value


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(7, 3, 1), (-7, 3, 2), (7, -3, -2), (-7, -3, -1), (6, 3, 0), (0, 5, 0)],
)
def test_mod_takes_the_sign_of_the_divisor(a: int, b: int, expected: int) -> None:
    assert _value("a mod b", a=a, b=b) == expected
    # The identity the flooring division keeps.
    assert b * (a // b) + expected == a


def test_mod_is_exact_on_decimals() -> None:
    assert _value("a mod b", "decimal", a="5.5", b="2") == Decimal("1.5")
    assert _value("a mod b", "decimal", a="-0.1", b="0.03") == Decimal("0.02")
    assert _value("a mod b", "decimal", a="1", b="0.1") == 0


def test_mod_by_zero_fails_like_division() -> None:
    assert _value("a mod b", a=5, b=0) == "division-by-zero"
    assert _value("a mod b", "decimal", a="5.5", b="0.0") == "division-by-zero"
    mod = semantics.OPERATIONS["arith", "mod"]
    policy = wuxin_rules.loads(
        'policy d "d"\ninput x: int "x"\nrule by_seven "x": x mod 7\nrule by_x "x": x mod x\n',
        name="d.policy",
    )
    from wuxin_rules import model

    fails = {k: mod.can_fail(model.children(r.body)) for k, r in policy.checked.rules.items()}
    assert fails == {"by_seven": False, "by_x": True}


def test_power_is_exact_and_typed_by_its_base() -> None:
    assert _value("a ** b", a=2, b=10) == 1024
    assert _value("a ** b", a=-3, b=3) == -27
    assert _value("a ** b", a=0, b=0) == 1
    assert _value("a ** 2", "decimal", a="1.05") == Decimal("1.1025")
    assert _value("a ** 3", "decimal", a="0.1") == Decimal("0.001")
    policy = wuxin_rules.loads(
        'policy t "t"\ninput a: int "a"\ninput d: decimal "d"\n'
        'rule i "i": a ** 2\nrule x "x": d ** 2\nrule p "p": 5% ** 2\n',
        name="t.policy",
    )
    types = {key: str(rule.body.type) for key, rule in policy.checked.rules.items()}
    assert types["i"].startswith("IntType") and types["x"].startswith("NumberType")
    assert policy.evaluate({"a": 3, "d": "2"}).values()["p"] == Fraction(1, 400)


def test_a_huge_power_is_refused_not_computed() -> None:
    """`10 ** 10**9` would run for minutes and take gigabytes: it is an evaluation error."""
    assert _value("a ** b", a=10, b=10**9) == "power-too-large"
    assert _value("a ** 1000000000", "decimal", a="0.5") == "power-too-large"
    assert _value("a ** b", a=2, b=semantics.MAX_POWER_BITS + 1) == "power-too-large"
    assert _value("a ** b", a=2, b=semantics.MAX_POWER_BITS) == 2**semantics.MAX_POWER_BITS
    assert _value("a ** b", a=3, b=int(semantics.MAX_POWER_BITS // 1.58)) == "power-too-large"
    # 0, 1 and -1 stay small whatever the exponent.
    assert _value("a ** b", a=1, b=10**9) == 1
    assert _value("a ** b", a=-1, b=10**9 + 1) == -1
    assert _value("a ** b", a=0, b=10**9) == 0


def test_a_negative_exponent_is_refused() -> None:
    assert _value("a ** b", a=2, b=-1) == "invalid-argument"
    policy = wuxin_rules.loads('policy t "t"\ninput a: int "a"\nrule r "r": a ** -1\n', name="t")
    error = policy.evaluate({"a": 2}).verdict("r").error
    assert error is not None and "1 / a ** n" in (error.help or "")


def test_the_exponent_must_be_whole() -> None:
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text('policy t "t"\ninput d: decimal "d"\nrule r "r": 2 ** d\n', "t.policy")
    text = str(caught.value)
    assert "type-mismatch" in text and "exponent of `**` is a whole number" in text


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("-2 ** 2", -4),
        ("2 ** 3 ** 2", 512),
        ("(2 ** 3) ** 2", 64),
        ("2 * 3 mod 4", 2),
        ("2 + 7 mod 4", 5),
        ("-7 mod 3", 2),
        ("2 ** 2 mod 3", 1),
    ],
)
def test_precedence(expr: str, expected: int) -> None:
    assert _value(expr) == expected


@pytest.mark.parametrize(
    "text",
    ["a mod b * c", "a ** b ** c", "-a ** b", "(a ** b) ** c", "a ** -b", "f(x).y ** 2 mod 3"],
)
def test_both_readers_read_the_same_tree(text: str) -> None:
    source = Source("t", text)
    direct = direct_parser.parse(source, "expr")
    assert direct is not None, "the direct reader reads powers and remainders itself"
    assert direct == parser.parse_with_lark(source, "expr")


def test_the_formatter_keeps_the_parentheses_that_matter() -> None:
    text = (
        'policy t "t"\ninput a: int "a"\ninput b: int "b"\n'
        'rule r "r":\n  (a ** b) ** -2 + -a ** b mod (a mod b) + (2 ** 3) ** 2 + (-a) ** 2\n'
    )
    assert formatter.format_text(text, "t.policy") == text
    result = wuxin_rules.loads(text, name="t.policy").evaluate({"a": 2, "b": 3})
    error = result.verdict("r").error
    assert error is not None and error.code == "invalid-argument"  # `** -2`
    assert "(a ** b) ** -2" in error.message


def test_the_notation_writes_powers_as_in_mathematics() -> None:
    from wuxin_rules import notation

    expr = parser.parse_with_lark(Source("t", "(1 + r) ** -n mod 7 + (-2) ** 2"), "expr")
    lines = notation.expression_lines(expr, notation.EN)
    assert [notation.line_text(line) for line in lines] == ["(1 + r) ^ −n mod 7 + (-2) ^ 2"]
    source = notation.expression_lines(expr, notation.SOURCE)
    assert [notation.line_text(line) for line in source] == ["(1 + r) ** -n mod 7 + (-2) ** 2"]


def test_consistency_knows_a_remainder_is_below_its_divisor() -> None:
    policy = checker.check_text(
        'policy t "t"\ninput x: int "x"\n'
        'criterion never "never" cites "c": x mod 7 >= 7\n'
        'criterion can "can" cites "c": x mod 7 >= 6\n',
        "t.policy",
    )
    found = [d.code for d in consistency.analyse(policy)]
    assert found.count("criterion-always-false") == 1


# ------------------------------------------------------------------------------------------
# Text builtins


def _text_value(expr: str, **facts: Any) -> Any:
    return _value(expr, "text", **{"a": "", "b": "", **facts})


def test_length_counts_code_points() -> None:
    assert _text_value("length(a)", a="家庭人数") == 4
    assert _text_value("length(a)", a="e\u0301") == 2  # an accent typed as its own mark
    assert _text_value("length(a)", a="😀") == 1
    assert _text_value("length(a)", a="") == 0


def test_case_trim_and_tests() -> None:
    assert _text_value("upper(a)", a="straße") == "STRASSE"
    assert _text_value("lower(a)", a="ÀB") == "àb"
    assert _text_value("trim(a)", a="\u3000 ab c\n") == "ab c"
    assert _text_value("contains(a, b)", a="abc", b="") is True
    assert _text_value("contains(a, b)", a="abc", b="C") is False
    assert _text_value("starts_with(a, b)", a="2025-03", b="2025") is True
    assert _text_value("ends_with(a, b)", a="2025-03", b="2025") is False


def test_split_and_join_are_inverse() -> None:
    assert _text_value("split(a, b)", a="a,,b", b=",") == ("a", "", "b")
    assert _text_value("split(a, b)", a="", b=",") == ("",)
    assert _text_value("split(a, b)", a="家庭", b="") == ("家", "庭")
    assert _text_value("join(split(a, b), b) == a", a="x;y;;", b=";") is True


def test_substring_is_by_code_points_and_fails_out_of_range() -> None:
    assert _text_value("substring(a, 5, 7)", a="2025-03") == "03"
    assert _text_value("substring(a, 1, 2)", a="家庭人数") == "庭"
    assert _text_value("substring(a, 7, 7)", a="2025-03") == ""
    for start, end in ((5, 8), (-1, 2), (3, 2)):
        policy = wuxin_rules.loads(
            f'policy t "t"\ninput a: text "a"\nrule r "r": substring(a, {start}, {end})\n',
            name="t.policy",
        )
        error = policy.evaluate({"a": "2025-03"}).verdict("r").error
        assert error is not None and error.code == "index-out-of-range", (start, end)
        assert "of a text of 7" in error.message


def test_the_text_builtins_are_checked() -> None:
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text('policy t "t"\ninput n: int "n"\nrule r "r": upper(n)\n', "t.policy")
    assert "type-mismatch" in str(caught.value)


# ------------------------------------------------------------------------------------------
# Patterns


def test_matches_is_a_whole_match() -> None:
    assert _text_value("matches(a, b)", a="AB-2025-0042", b=r"[A-Z]{2}-\d{4}-\d+") is True
    assert _text_value("matches(a, b)", a="xAB-2025-0042", b=r"[A-Z]{2}-\d{4}-\d+") is False
    assert _text_value("matches(a, b)", a="xAB-2025", b=r".*AB.*") is True
    assert _text_value("matches(a, b)", a="家庭", b=r"\w\w") is True
    assert _text_value("matches(a, b)", a="a.b", b=r"a\.b") is True
    assert _text_value("matches(a, b)", a="axb", b=r"a\.b") is False


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("(a*)*b", "a" * 20_000, False),
        ("(a*)*b", "a" * 20_000 + "b", True),
        ("(a|aa)*c", "a" * 20_000, False),
        ("(x+x+)+y", "x" * 5_000, False),
        ("(.*a){20}", "a" * 2_000 + "b", False),
        ("(\\w+\\s?)+!", "word " * 2_000, False),
    ],
)
def test_pathological_patterns_do_not_backtrack(pattern: str, text: str, expected: bool) -> None:
    """Python's `re` takes exponential time on these (minutes past thirty characters); the
    Pike VM answers in one pass of the text (no timing here: a regression hangs the test)."""
    assert _text_value("matches(a, b)", a=text, b=pattern) is expected


@pytest.mark.parametrize(
    "pattern",
    ["(a", "a)", "^a", "a$", "a**", "a*?", "(?i)a", r"\1", "a{1001}", "[b-a]", "*", "(a{100}){200}",
     "a" * 1001],
)  # fmt: skip
def test_patterns_outside_the_subset_are_refused(pattern: str) -> None:
    assert _text_value("matches(a, b)", a="a", b=pattern) == "invalid-pattern"


def test_a_constant_pattern_of_the_subset_cannot_fail() -> None:
    from wuxin_rules import model

    policy = wuxin_rules.loads(
        'policy t "t"\ninput a: text "a"\ninput p: text "p"\n'
        'rule good "g": matches(a, "[a-z]+")\nrule bad "b": matches(a, "(a")\n'
        'rule supplied "p": matches(a, p)\n',
        name="t.policy",
    )
    entry = semantics.BUILTINS["matches"]
    fails = {k: entry.can_fail(model.children(r.body)) for k, r in policy.checked.rules.items()}
    assert fails == {"good": False, "bad": True, "supplied": True}


_ATOMS = st.sampled_from(["a", "b", ".", "[ab]", "[^a]", "\\d", "(a|b)", "(ab|a)", "[a-c1]"])


@st.composite
def _subset_patterns(draw: st.DrawFn, depth: int = 0) -> str:
    if depth > 2 or draw(st.booleans()):
        text = draw(_ATOMS)
    else:
        parts = draw(st.lists(_subset_patterns(depth + 1), min_size=1, max_size=3))
        text = "(" + draw(st.sampled_from(["", "|"])).join(parts) + ")"
    return text + draw(st.sampled_from(["", "", "*", "+", "?", "{2}", "{0,2}", "{1,}"]))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(pattern=_subset_patterns(), text=st.text(alphabet="ab1c", max_size=8))
def test_patterns_mean_what_python_re_means(pattern: str, text: str) -> None:
    """On ASCII texts and the subset, the linear matcher agrees with `re.fullmatch`."""
    assert patterns.compile_pattern(pattern).fullmatch(text) == (
        re.fullmatch(pattern, text, re.ASCII) is not None
    )


# ------------------------------------------------------------------------------------------
# List builtins

_PEOPLE = (
    'policy t "t"\nrecord P "p":\n  name: text "n"\n  age: int "a"\n  born: date "b"\n'
    '  memo: text? "o"\ninput ps: list of P "ps"\ninput xs: list of int "xs"\n'
)


def _list_values(rules: str, document: dict[str, Any]) -> dict[str, Any]:
    policy = wuxin_rules.loads(_PEOPLE + rules, name="t.policy")
    fast = policy.evaluate(document)
    explained = policy.evaluate(document, explain=True)
    assert fast.to_json() == explained.to_json()
    values: dict[str, Any] = {}
    for key in policy.checked.rules:
        verdict = fast.verdict(key)
        value = verdict.error.code if verdict.error is not None else verdict.value
        values[key] = list(value) if isinstance(value, tuple) else value
    return values


def _person(name: str, age: int) -> dict[str, Any]:
    return {"name": name, "age": age, "born": "2000-01-01", "memo": None}


def test_sort_by_is_stable_and_extremes_take_the_first() -> None:
    people = [_person("x", 5), _person("y", 3), _person("z", 5), _person("w", 3)]
    values = _list_values(
        'rule s "s": list of p in sort_by(ps, "age") : p.name\n'
        'rule young "y": min_by(ps, "age").name\nrule old "o": max_by(ps, "age").name\n'
        'rule by_name "n": list of p in sort_by(ps, "name") : p.name\n',
        {"ps": people, "xs": []},
    )
    assert values == {"s": ["y", "w", "x", "z"], "young": "y", "old": "x",
                      "by_name": ["w", "x", "y", "z"]}  # fmt: skip


def test_taking_from_lists() -> None:
    values = _list_values(
        'rule a "a": first(xs)\nrule b "b": last(xs)\nrule c "c": nth(xs, 2)\n'
        'rule d "d": reverse(xs)\nrule e "e": distinct(xs)\nrule f "f": sort(xs)\n'
        'rule g "g": xs + reverse(xs)\nrule h "h": distinct(ps + ps) == ps\n',
        {"ps": [_person("x", 1), _person("y", 1)], "xs": [3, 1, 3, 2]},
    )
    assert values == {
        "a": 3, "b": 2, "c": 1, "d": [2, 3, 1, 3], "e": [3, 1, 2], "f": [1, 2, 3, 3],
        "g": [3, 1, 3, 2, 2, 3, 1, 3], "h": True,
    }  # fmt: skip


def test_short_and_empty_lists_fail_as_declared() -> None:
    values = _list_values(
        'rule a "a": first(xs)\nrule b "b": last(xs)\nrule c "c": nth(xs, 1)\n'
        'rule d "d": min_by(ps, "age")\nrule e "e": nth(xs, 0)\nrule f "f": sort(xs)\n',
        {"ps": [], "xs": []},
    )
    assert values == {
        "a": "no-element", "b": "no-element", "c": "index-out-of-range", "d": "no-element",
        "e": "index-out-of-range", "f": [],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ('sort_by(ps, "height")', "has no field `height`"),
        ('sort_by(ps, "memo")', "cannot be ordered by its field `memo`"),
        ("sort_by(ps, xs)", "the field to order by is written as a text"),
        ('sort_by(xs, "age")', "expected a list of records"),
        ("sort(ps)", "`sort` orders numbers, texts, dates, date-times or times of day"),
        ("first(1)", "expected a list"),
    ],
)
def test_list_builtins_are_checked(rule: str, expected: str) -> None:
    with pytest.raises(PolicyCheckError) as caught:
        checker.check_text(_PEOPLE + f'rule r "r": {rule}\n', "t.policy")
    assert expected in str(caught.value)
