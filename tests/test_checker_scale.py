"""Long chains and large policies check (untimed: how long they take is measured by
benchmarks/bench_check_scale.py).

A chain of rules in one file (`r0: r1 + 1`, `r1: r2 + 1`, …) or of imported modules is as
deep as it is long: every stage that follows the rule graph or the import graph walks it
without recursion, so `check` (with the consistency checks of `wuxin check`), `loads`,
evaluation, `doc` and `fmt` handle at least the chains evaluation handles.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

import wuxin_rules
from wuxin_rules import api, formatter
from wuxin_rules.document import build_document
from wuxin_rules.document_formats import render

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_check_scale import enum_in, many_rules, or_chain, rule_chain


def _lint(path: Path) -> tuple[str, ...]:
    """The codes `wuxin check` reports for `path` (it raises nothing for a good policy)."""
    [(_, error, warnings)] = api.lint_policy_paths([path])
    assert error is None, error
    return tuple(d.code for d in warnings)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / f"{name}.policy"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("length", [500, 5000])
def test_a_chain_of_rules_in_one_file(tmp_path: Path, length: int) -> None:
    """Regression: `wuxin check` hit RecursionError on a chain of 500 rules (the consistency
    check of citations followed the chain recursively)."""
    path = _write(tmp_path, "rule_chain", rule_chain(length))
    codes = _lint(path)
    assert set(codes) == {"uncited-rule"} and len(codes) == length
    policy = wuxin_rules.load(path)
    assert policy.evaluate({"x": 1})["r0"] == length
    assert policy.evaluate({"x": 2}, explain=True)["r0"] == length + 1
    [many] = policy.evaluate_many([{"x": 3}])
    assert many["r0"] == length + 2


def test_a_chain_of_rules_in_the_document_and_the_formatter(tmp_path: Path) -> None:
    text = rule_chain(500)
    policy = wuxin_rules.loads(text, name="rule_chain.policy")
    assert "r499" in render([build_document(policy.checked, "en")], "md")
    formatted = formatter.format_text(text, "rule_chain.policy")
    assert 'rule r0 "r0":\n  r1 + 1\n' in formatted and "rule r499" in formatted
    assert formatter.format_text(formatted, "rule_chain.policy") == formatted


def _import_chain(folder: Path, length: int) -> Path:
    """Modules `m0` … `m{length-1}`; each imports the next and adds one to its rule."""
    for index in range(length):
        if index < length - 1:
            body = f'import m{index + 1}\nrule v "v": m{index + 1}.v + 1\n'
        else:
            body = 'input x: int "x"\nrule v "v": x\n'
        (folder / f"m{index}.policy").write_text(f'policy m{index} "m"\n{body}', encoding="utf-8")
    return folder / "m0.policy"


@pytest.mark.parametrize("length", [500, 5000])
def test_a_chain_of_imports(tmp_path: Path, length: int) -> None:
    """Regression: `wuxin check` hit RecursionError on 500 chained imports."""
    root = _import_chain(tmp_path, length)
    assert _lint(root) == ("uncited-rule",)
    policy = wuxin_rules.load(root)
    assert policy.evaluate({"x": 1})["v"] == length
    assert policy.evaluate({"x": 1}, explain=True)["v"] == length


def test_a_chain_of_rules_with_parameters(tmp_path: Path) -> None:
    """Rules calling rules with parameters, 2,000 deep, check (evaluation may refuse such a
    depth with a located `too-deep` error; the checker must not crash on it)."""
    lines = ['policy calls "calls"', 'input x: int "x"']
    lines += [f'rule r{i}(a: int) "r{i}": r{i + 1}(a) + 1' for i in range(1999)]
    lines += ['rule r1999(a: int) "r1999": a', 'rule top "top": r0(x)']
    path = _write(tmp_path, "calls", "\n".join(lines) + "\n")
    assert "uncited-rule" in _lint(path)


# ------------------------------------------------------------------------------------------
# Wide policies, the benchmark's shapes at a fifth of its sizes (the suite must stay quick;
# benchmarks/bench_check_scale.py runs the full sizes and times them)


def test_a_wide_or_chain_checks(tmp_path: Path) -> None:
    codes = _lint(_write(tmp_path, "or_chain", or_chain(20_000)))
    assert codes == ("uncited-rule",)


def test_many_enum_members_and_a_long_member_list_check(tmp_path: Path) -> None:
    codes = _lint(_write(tmp_path, "enum_in", enum_in(10_000, 5_000)))
    assert codes == ("uncited-rule",)


def test_many_rules_check(tmp_path: Path) -> None:
    codes = _lint(_write(tmp_path, "many_rules", many_rules(6_000)))
    assert len(codes) == 6_000 and set(codes) == {"uncited-rule"}
