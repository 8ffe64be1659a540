"""The `wuxin` command, run as a user runs it: in a subprocess, checking output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
FAIL = str(ROOT / "examples" / "village-fail.json")
PASS = str(ROOT / "examples" / "village-pass.json")
BATCH = str(ROOT / "examples" / "units.jsonl")


def wuxin(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wuxin_rules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        cwd=ROOT,
    )


def assert_no_traceback(process: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in process.stderr
    assert "Traceback" not in process.stdout


@pytest.mark.parametrize("command", [[], ["check"], ["eval"]])
def test_every_command_has_help(command: list[str]) -> None:
    """`--help` explains each command with examples and exits 0."""
    process = wuxin(*command, "--help")
    assert process.returncode == 0
    assert "usage: wuxin" in process.stdout
    assert "example" in process.stdout


def test_version_is_printed_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    """`wuxin --version` prints the installed version and exits 0 (looked up only then)."""
    from importlib.metadata import version

    from wuxin_rules.cli import main

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"wuxin {version('wuxin_rules')}\n"
    assert "--version" in wuxin("--help").stdout


def test_check_clean_policies_exits_zero() -> None:
    """`wuxin check` on the flagship folder reports no problems."""
    process = wuxin("check", "policies/")
    assert process.returncode == 0, process.stderr
    assert "no problems" in process.stdout


def test_check_bad_policy_reports_location(tmp_path: Path) -> None:
    """A bad policy gives file:line:col, a caret and exit 1, without a traceback."""
    bad = tmp_path / "bad.policy"
    bad.write_text("input n: int\nrule double: m * 2\n", encoding="utf-8")
    process = wuxin("check", str(bad))
    assert process.returncode == 1
    assert f"{bad}:2:14: error[" in process.stderr
    assert "^" in process.stderr
    assert_no_traceback(process)


def test_check_json_format(tmp_path: Path) -> None:
    """`--format json` prints one object per file with its diagnostics."""
    bad = tmp_path / "bad.policy"
    bad.write_text("rule a: 1 +\n", encoding="utf-8")
    process = wuxin("check", str(bad), "--format", "json")
    assert process.returncode == 1
    record = json.loads(process.stdout.splitlines()[0])
    assert record["ok"] is False
    assert record["diagnostics"][0]["line"] == 2 or record["diagnostics"][0]["line"] == 1


def test_eval_explain_shows_failed_standards() -> None:
    """The main job: an explained verdict naming the failed standards in Chinese labels."""
    process = wuxin("eval", UNIT, FAIL, "--explain")
    assert process.returncode == 0, process.stderr
    out = process.stdout
    assert "drug_free" in out
    assert "无毒单位" in out
    assert "辖区内无制毒窝点" in out
    assert "S2.1" in out and "S2.3" in out
    assert "✗" in out


def test_eval_json_is_one_object_per_document() -> None:
    """JSON lines output: one object per input document, in input order, exact numbers."""
    lines = Path(BATCH).read_text(encoding="utf-8").splitlines()
    process = wuxin("eval", UNIT, BATCH, "--format", "json", "--rule", "drug_free")
    assert process.returncode == 0, process.stderr
    outputs = process.stdout.splitlines()
    assert len(outputs) == len([line for line in lines if line.strip()])
    for line in outputs:
        record = json.loads(line, parse_float=Decimal)
        assert set(record["rules"]) == {"drug_free"}


def test_eval_reads_stdin() -> None:
    """`-` reads JSON lines from standard input."""
    document = json.dumps(json.loads(Path(PASS).read_text(encoding="utf-8")), ensure_ascii=False)
    process = wuxin(
        "eval", UNIT, "-", "--format", "json", "--rule", "drug_free", stdin=document + "\n"
    )
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["rules"]["drug_free"] is True


def test_eval_param_override_changes_the_verdict() -> None:
    """`--param` overrides a threshold without editing the policy."""
    strict = wuxin("eval", UNIT, PASS, "--format", "json", "--param", "enforcement_margin=10000%")
    assert strict.returncode == 0, strict.stderr
    assert json.loads(strict.stdout)["rules"]["drug_free"] is False


def test_eval_bad_param_is_a_clear_error() -> None:
    """An unknown param is reported with a hint and exit 1, no traceback."""
    process = wuxin("eval", UNIT, PASS, "--param", "growth_margn=10%")
    assert process.returncode == 1
    assert "did you mean `growth_margin`?" in process.stderr
    assert_no_traceback(process)


def test_eval_bad_facts_name_the_json_path(tmp_path: Path) -> None:
    """Bad facts give their JSON path and exit 1."""
    facts = json.loads(Path(PASS).read_text(encoding="utf-8"))
    facts["unit"]["responsibility"]["team_in_place"] = "yes"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    process = wuxin("eval", UNIT, str(bad))
    assert process.returncode == 1
    assert "$.unit.responsibility.team_in_place" in process.stderr
    assert_no_traceback(process)


def test_eval_malformed_json_is_located(tmp_path: Path) -> None:
    """A JSON syntax error names the file, line and column."""
    bad = tmp_path / "broken.json"
    bad.write_text('{"unit": {"id": "x",\n  "kind": }\n}', encoding="utf-8")
    process = wuxin("eval", UNIT, str(bad))
    assert process.returncode == 1
    assert f"{bad}:2:" in process.stderr
    assert_no_traceback(process)


def test_missing_files_are_usage_errors() -> None:
    """A missing policy or facts file exits 2 with a clear message."""
    process = wuxin("eval", "nope.policy", PASS)
    assert process.returncode in (1, 2)
    assert "nope.policy" in process.stderr
    assert_no_traceback(process)
    process = wuxin("eval", UNIT, "nope.json")
    assert process.returncode == 2
    assert "nope.json" in process.stderr


def test_unknown_command_suggests_one() -> None:
    """A misspelt command exits 2 and suggests the right one."""
    process = wuxin("chek", "policies/")
    assert process.returncode == 2
    assert "did you mean `check`?" in process.stderr


def test_unknown_rule_is_a_usage_error() -> None:
    """`--rule` with an unknown name exits 2 with a did-you-mean."""
    process = wuxin("eval", UNIT, PASS, "--rule", "drugfree")
    assert process.returncode == 2
    assert "did you mean `drug_free`?" in process.stderr
