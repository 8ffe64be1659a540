"""`wuxin test`, `wuxin verify` and `pytest policies/`, run as a user runs them (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from shopkit import shop_text, write_shop

ROOT = Path(__file__).resolve().parents[1]

WRONG = """
example "wrong limit":
  given order = base
  expect limit == 3
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        cwd=cwd,
    )


def wuxin(*args: str) -> subprocess.CompletedProcess[str]:
    return run("-m", "wuxin_rules", *args)


@pytest.mark.parametrize("command", ["test", "verify"])
def test_help_explains_the_command(command: str) -> None:
    """`--help` describes the command, its options, exit codes and examples."""
    process = wuxin(command, "--help")
    assert process.returncode == 0
    assert f"usage: wuxin {command}" in process.stdout
    assert "exit codes" in process.stdout and "examples:" in process.stdout
    if command == "verify":
        assert "--max-examples" in process.stdout and "--seed" in process.stdout


def test_wuxin_test_passes_on_the_flagship() -> None:
    """Every example of the flagship policies holds: exit 0 and a summary line."""
    process = wuxin("test", "policies/")
    assert process.returncode == 0, process.stdout + process.stderr
    summary = process.stdout.strip().splitlines()[-1]
    assert summary.endswith("passed, 0 failed")
    assert int(summary.split()[0]) >= 40


def test_wuxin_test_reports_a_wrong_example(tmp_path: Path) -> None:
    """A wrong example: exit 1, its location, expected and actual values, and why."""
    path = tmp_path / "order.policy"
    path.write_text(shop_text(extra=WRONG), encoding="utf-8")
    process = wuxin("test", str(tmp_path), "--color", "never")
    assert process.returncode == 1
    out = process.stdout
    line = shop_text(extra=WRONG).splitlines().index("  expect limit == 3") + 1
    assert f"✗ {path}:{line - 2}:1: wrong limit" in out
    assert f"{path}:{line}:10: expect limit == 3" in out
    assert "expected: 3" in out and "actual:   2" in out
    assert "why:" in out
    assert out.strip().splitlines()[-1] == "3 examples: 2 passed, 1 failed"
    assert "Traceback" not in process.stderr


def test_wuxin_test_as_json_lines(tmp_path: Path) -> None:
    """`--format json`: one object per example run, failures with expected, actual and the
    explanation tree; the summary on stderr; the same exit code as text."""
    path = tmp_path / "order.policy"
    text = shop_text(extra=WRONG)
    path.write_text(text, encoding="utf-8")
    process = wuxin("test", str(tmp_path), "--format", "json")
    assert process.returncode == 1
    results = [json.loads(line) for line in process.stdout.splitlines()]
    assert len(results) == 3 and sum(r["passed"] for r in results) == 2
    (wrong,) = [r for r in results if not r["passed"]]
    line = text.splitlines().index("  expect limit == 3") + 1
    assert (wrong["example"], wrong["file"], wrong["line"], wrong["column"]) == (
        "wrong limit",
        str(path),
        line - 2,
        1,
    )
    (failure,) = wrong["failures"]
    assert (failure["expect"], failure["line"], failure["column"]) == ("limit == 3", line, 10)
    assert (failure["subject"], failure["expected"], failure["actual"]) == ("limit", "3", "2")
    tree = failure["explanation"]
    assert tree["expr"] == "limit == 3" and tree["values"][tree["value"]] is False
    assert "name" not in tree
    assert tree["children"][0]["kind"] == "compare"
    assert all(r["failures"] == [] for r in results if r["passed"])
    assert process.stderr.strip() == "3 examples: 2 passed, 1 failed"


def test_summaries_in_chinese(tmp_path: Path) -> None:
    """`--lang zh` gives the summary lines of `test` and `verify` in Chinese too."""
    path = tmp_path / "order.policy"
    path.write_text(shop_text(extra=WRONG), encoding="utf-8")
    tested = wuxin("test", str(tmp_path), "--lang", "zh", "--color", "never")
    assert tested.returncode == 1
    assert tested.stdout.strip().splitlines()[-1] == "3 个示例：2 个通过，1 个未通过"
    none = wuxin("test", str(tmp_path), "--lang", "zh", "--match", "nothing like it")
    assert none.stdout.strip() == "没有找到示例（匹配 `nothing like it`）"
    (tmp_path / "shop").mkdir()
    write_shop(tmp_path / "shop")
    verified = wuxin(
        "verify", str(tmp_path / "shop"), "--lang", "zh", "--max-examples", "10", "--seed", "3"
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    lines = verified.stdout.strip().splitlines()
    assert lines[0] == "以种子 3 验证，每条性质最多 10 个用例"
    assert lines[-1] == "2 条性质：2 条成立，0 条不成立（种子 3；用 --seed 3 可重现）"


def test_wuxin_test_bad_policy_and_missing_path(tmp_path: Path) -> None:
    """A policy that does not check: diagnostics on stderr, exit 1; a missing path: exit 2."""
    (tmp_path / "bad.policy").write_text('example "x":\n  given y = 1\n  expect y\n', "utf-8")
    process = wuxin("test", str(tmp_path))
    assert process.returncode == 1
    assert "bad.policy:2:9" in process.stderr and "Traceback" not in process.stderr
    assert wuxin("test", str(tmp_path / "nothing")).returncode == 2


def test_wuxin_verify_passes_on_a_right_policy_and_is_reproducible(tmp_path: Path) -> None:
    """The shop properties hold; the seed is printed and repeats the run."""
    write_shop(tmp_path)
    first = wuxin("verify", str(tmp_path), "--max-examples", "20", "--seed", "11")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 properties: 2 held, 0 failed (seed 11" in first.stdout
    assert (
        first.stdout
        == wuxin("verify", str(tmp_path), "--max-examples", "20", "--seed", "11").stdout
    )


def test_wuxin_verify_finds_the_naive_limit(tmp_path: Path) -> None:
    """The naive limit: exit 1, a shrunk counterexample as an `example` block with a negative
    average, and its explanation; the same seed prints the same counterexample."""
    write_shop(tmp_path, naive=True)
    args = ("verify", str(tmp_path), "--max-examples", "30", "--seed", "5", "--color", "never")
    process = wuxin(*args)
    assert process.returncode == 1
    out = process.stdout
    assert "✗ limit below average" in out
    assert 'example "limit below average: counterexample":' in out
    assert "  given order = {" in out
    average = next(line for line in out.splitlines() if line.strip().startswith("average:"))
    assert average.split(":", 1)[1].strip().startswith("-")
    assert "why:" in out
    assert out.strip().splitlines()[-1].startswith("2 properties: 1 held, 1 failed (seed 5")
    assert wuxin(*args).stdout == out


def test_wuxin_verify_json_lines(tmp_path: Path) -> None:
    """`--format json` prints one object per property, with the counterexample's facts."""
    write_shop(tmp_path, naive=True)
    process = wuxin(
        "verify", str(tmp_path), "--max-examples", "30", "--seed", "5", "--format", "json"
    )
    assert process.returncode == 1
    reports = [json.loads(line) for line in process.stdout.splitlines()]
    assert [r["status"] for r in reports] == ["failed", "held"]
    assert str(reports[0]["counterexample"]["order"]["average"]).startswith("-")


def test_wuxin_verify_usage_errors() -> None:
    """A bad `--max-examples` is a usage error (exit 2), without a traceback."""
    process = wuxin("verify", "policies/", "--max-examples", "0")
    assert process.returncode == 2
    assert "Traceback" not in process.stderr


def _plugin() -> tuple[str, ...]:
    """`-p wuxin_rules.pytest_plugin` when the entry point is not installed (a source tree)."""
    if any(e.value == "wuxin_rules.pytest_plugin" for e in entry_points(group="pytest11")):
        return ()
    return ("-p", "wuxin_rules.pytest_plugin")


def test_pytest_collects_and_passes_the_flagship() -> None:
    """`pytest policies/` collects every example and property of the flagship and passes."""
    process = run(
        "-m",
        "pytest",
        *_plugin(),
        "policies/",
        "-v",
        "-p",
        "no:cacheprovider",
        "--wuxin-max-examples",
        "5",
    )
    assert process.returncode == 0, process.stdout[-3000:]
    passed = [
        line
        for line in process.stdout.splitlines()
        if line.endswith("PASSED") or " PASSED " in line
    ]
    assert sum("::example: " in line for line in passed) >= 40
    assert sum("::property: " in line for line in passed) >= 15
    assert f"{len(passed)} passed" in process.stdout


def test_pytest_reports_a_failing_example_and_property(tmp_path: Path) -> None:
    """A wrong example and a false property fail as items, with readable reports."""
    (tmp_path / "order.policy").write_text(shop_text(naive=True, extra=WRONG), "utf-8")
    process = run(
        "-m",
        "pytest",
        *_plugin(),
        str(tmp_path),
        "-q",
        "-p",
        "no:cacheprovider",
        "--wuxin-max-examples",
        "30",
        cwd=tmp_path,
    )
    assert process.returncode == 1, process.stdout[-3000:]
    out = process.stdout
    assert "2 failed, 3 passed" in out
    assert "example: wrong limit" in out and "expected: 3" in out
    assert "✗ limit below average" in out and "counterexample" in out


def test_wuxin_test_and_verify_explain_in_the_chosen_language(tmp_path: Path) -> None:
    """`--lang zh` gives the fixed words of a failure's explanation in Chinese (差 5), the
    default English (short by 5); labels are the policy's own either way."""
    policy = tmp_path / "score.policy"
    policy.write_text(
        'input score: int 0 .. 100 "得分" cites "S1"\n'
        'criterion passed "合格" cites "S1": score >= 60\n'
        'example "55分不合格却写成合格":\n  given score = 55\n  expect passed\n'
        'property "总是合格":\n  forall s: int 0 .. 100\n  holds passed[score = s]\n',
        encoding="utf-8",
    )
    english, chinese = wuxin("test", str(policy)), wuxin("test", "--lang", "zh", str(policy))
    assert english.returncode == chinese.returncode == 1
    assert "short by 5" in english.stdout and "差 5" not in english.stdout
    assert "差 5" in chinese.stdout and '"合格"' in chinese.stdout
    found = wuxin("verify", "--lang", "zh", "--seed", "1", "--max-examples", "50", str(policy))
    assert found.returncode == 1
    assert "差" in found.stdout and "short by" not in found.stdout
