"""Regression tests for the engine bugs the fuzz tests (`tests/test_fuzz_*.py`) found."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

import wuxin_rules
from wuxin_rules import ast, jsonio, parser
from wuxin_rules.errors import FactError
from wuxin_rules.values import format_number, integer_text

HUGE = 10**5000
"""More digits than Python's `str(int)` accepts (4300)."""

BIG_POLICY = """\
record R: n: int
input r: R
rule cubed -> int: r.n * r.n * r.n
rule third: r.n / 3
rule shown: text(r.n * r.n)
criterion large: r.n * r.n > 5
"""


def test_whole_numbers_of_any_size_are_written_exactly() -> None:
    """`format_number`, `integer_text` and `jsonio.dumps` write 10**5000 digit by digit (they
    raised `ValueError`: Python refuses `str()` of an int of more than 4300 digits)."""
    digits = "1" + "0" * 5000
    assert integer_text(HUGE) == digits
    assert integer_text(-HUGE) == "-" + digits
    assert format_number(HUGE) == digits
    assert format_number(Fraction(1, 3 * HUGE)) == f"1/3{'0' * 5000}"
    assert format_number(Fraction(HUGE, 2), percent=True) == "5" + "0" * 5001 + "%"
    assert jsonio.dumps({"n": HUGE}) == '{"n": ' + digits + "}"
    assert jsonio.loads(jsonio.dumps({"n": 10**4000}))["n"] == 10**4000


def test_values_computed_beyond_4300_digits_are_explained_and_written() -> None:
    """A 4000-digit fact is accepted; cubing it gives 12001 digits, which the verdict, the
    explanation text and the JSON output all carry (evaluating with explanations raised
    `InternalError`, and `to_json` a raw `ValueError`)."""
    policy = wuxin_rules.loads(BIG_POLICY)
    n = 10**4000
    for explain in (False, True):
        result = policy.evaluate({"r": {"n": n}}, explain=explain)
        assert result.errors == ()
        assert result["cubed"] == n**3
        assert result["third"] == Fraction(n, 3)
        assert result["shown"] == integer_text(n * n)
        assert result["large"] is True
        text = jsonio.dumps(result.to_json(explain=True))
        assert f'"cubed": {integer_text(n**3)},' in text
        assert f'"third": "{integer_text(n)}/3"' in text
        assert "large" in result.explain("large")


@pytest.mark.parametrize(
    "value",
    [HUGE, -HUGE, Fraction(1, HUGE), Fraction(HUGE, 7)],
    ids=["huge", "-huge", "1/huge", "huge/7"],
)
def test_numbers_of_more_than_4300_digits_from_python_are_bad_facts(value: object) -> None:
    """An int or Fraction from Python beyond 4300 digits is refused like a JSON number or a
    Decimal of that size (it was accepted, and every later use could fail or take long)."""
    policy = wuxin_rules.loads("record R: n: int\nrecord D: x: decimal\ninput r: R\ninput d: D\n")
    whole = value if isinstance(value, int) else 1
    with pytest.raises(FactError) as caught:
        policy.evaluate({"r": {"n": whole}, "d": {"x": value}})
    assert {(d.code, d.path) for d in caught.value.diagnostics} >= {("bad-fact", "$.d.x")}
    for diagnostic in caught.value.diagnostics:
        assert "too large or too precise" in diagnostic.message
        assert len(diagnostic.message) < 200
    policy.evaluate({"r": {"n": 10**4299}, "d": {"x": Decimal(10) ** 4000}})


def test_out_of_bounds_messages_cut_long_numbers() -> None:
    """A 4000-digit number outside a bound is named by its first digits, not all of them."""
    policy = wuxin_rules.loads("record R: n: int 0 .. 10\ninput r: R\n")
    with pytest.raises(FactError) as caught:
        policy.evaluate({"r": {"n": 10**4000}})
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "fact-out-of-bounds"
    assert diagnostic.message == (
        "`100000000000000000000000000000000000000…` is above the bound `0 .. 10` of `int 0 .. 10`"
    )


def test_a_long_chain_of_and_is_built_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`a and b and … ` with 3000 operands is one node built once (it was rebuilt at every
    operand, each time re-reading every operand's depth: quadratic, minutes for a long chain)."""
    built = []
    original = ast.BoolOp

    class CountingBoolOp(original):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(ast, "BoolOp", CountingBoolOp)
    module = parser.parse("criterion c: " + " and ".join(f"x{i}" for i in range(3000)))
    (decl,) = module.declarations
    assert isinstance(decl.body, original)
    assert len(decl.body.operands) == 3000
    assert len(built) == 1


def test_chains_keep_their_shape_and_their_depth() -> None:
    """`(a and b) and c` is flattened, `a and (b and c)` is not, `and` binds tighter than
    `or`, and an operand nested too deep in a chain is still `too-deep`."""

    def body(text: str) -> object:
        return parser.parse(f"criterion c: {text}").declarations[0].body  # type: ignore[union-attr]

    a, b, c, d = (ast.NameRef(n, None) for n in "abcd")  # type: ignore[arg-type]
    assert body("(a and b) and c") == ast.BoolOp("and", (a, b, c), None)  # type: ignore[arg-type]
    assert body("a and (b and c)") == ast.BoolOp(
        "and",
        (a, ast.BoolOp("and", (b, c), None)),
        None,  # type: ignore[arg-type]
    )
    assert body("a and b or c and d") == ast.BoolOp(
        "or",
        (ast.BoolOp("and", (a, b), None), ast.BoolOp("and", (c, d), None)),  # type: ignore[arg-type]
        None,  # type: ignore[arg-type]
    )
    parser.parse("criterion c: a and b and " + "not " * 98 + "x")
    with pytest.raises(wuxin_rules.PolicyError) as caught:
        parser.parse("criterion c: a and b and " + "not " * 100 + "x")
    assert caught.value.codes == ("too-deep",)


def test_a_fixture_built_on_a_refused_fixture_is_an_error_not_a_crash() -> None:
    """`fixture b = {...a, …}` where `a` does not check reports `a`'s problem (it raised
    `InternalError: unbound local a` while computing `b`)."""
    from wuxin_rules import suite_checker
    from wuxin_rules.errors import PolicyCheckError

    text = (
        "record R: n: int\n"
        "fixture a: R = {n: Missing.x}\n"
        "fixture b: R = {...a, n: 2}\n"
        'example "e":\n'
        "  given k: int = 1\n"
        "  expect b.n == 2\n"
    )
    with pytest.raises(PolicyCheckError) as caught:
        suite_checker.suite_from_text(text, "p.policy")
    assert "unknown-name" in caught.value.codes
    assert "internal-error" not in caught.value.codes
