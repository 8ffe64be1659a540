"""`wuxin eval` on JSON lines: streamed in chunks, `--jobs N` processes, output in input order."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from wuxin_rules import api, cli

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
BATCH = ROOT / "examples" / "units.jsonl"


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


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Many documents (more than one chunk), with a malformed line and a bad fact inside."""
    lines = [line for line in BATCH.read_text(encoding="utf-8").splitlines() if line.strip()]
    body = []
    for index in range(700):
        body.append(lines[index % len(lines)])
        if index == 300:
            body.append('{"unit": ')  # malformed
        if index == 500:
            body.append('{"unit": 1.5}')  # a bad fact
    path = tmp_path_factory.mktemp("batch") / "mixed.jsonl"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def test_jobs_give_the_serial_output_in_input_order(mixed: Path) -> None:
    serial = wuxin("eval", UNIT, str(mixed), "--format", "json", "--rule", "drug_free")
    parallel = wuxin(
        "eval", UNIT, str(mixed), "--format", "json", "--rule", "drug_free", "--jobs", "3"
    )
    assert serial.returncode == parallel.returncode == 1  # the bad lines are input problems
    assert "Traceback" not in serial.stderr + parallel.stderr
    assert parallel.stdout == serial.stdout
    outputs = serial.stdout.splitlines()
    assert len(outputs) == 702  # one line per input line, the bad ones included
    assert "errors" in json.loads(outputs[301]) and "rules" not in json.loads(outputs[301])
    assert "errors" in json.loads(outputs[502])
    # Documents after the bad lines are still evaluated.
    assert all("rules" in json.loads(line) for line in outputs[-10:])
    assert parallel.stderr.count(f"{mixed}:302") == serial.stderr.count(f"{mixed}:302") >= 1


def test_jobs_work_on_standard_input_and_in_text_format() -> None:
    text = BATCH.read_text(encoding="utf-8")
    serial = wuxin("eval", UNIT, "-", "--rule", "drug_free", stdin=text)
    parallel = wuxin("eval", UNIT, "-", "--rule", "drug_free", "--jobs", "2", stdin=text)
    assert parallel.returncode == serial.returncode
    assert parallel.stdout == serial.stdout
    assert "# <stdin>:1" in parallel.stdout


def test_jobs_must_be_positive() -> None:
    process = wuxin("eval", UNIT, str(BATCH), "--jobs", "0")
    assert process.returncode == 2
    assert "--jobs 0" in process.stderr
    assert "Traceback" not in process.stderr


# ------------------------------------------------------------------------------------------
# Faults: every internal error is its document's located error line, never a lost chunk or a
# hang (issue 10). The runs below end by themselves: nothing is killed by hand.

POLICY = """\
policy b "batch"
input x: int "x"
rule double "double": x * 2
"""


@pytest.fixture
def policy_file(tmp_path: Path) -> Path:
    path = tmp_path / "b.policy"
    path.write_text(POLICY, encoding="utf-8")
    return path


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluation raises (a bug, simulated) on the document with x == 300, alone or in a
    chunk through the fast path (which then leaves each record of the chunk to `evaluate`);
    forked workers inherit the patch."""
    evaluate = api.Policy.evaluate
    evaluate_lines = api.Policy.evaluate_lines

    def patched(self: api.Policy, facts: Any, **kwargs: Any) -> api.Result:
        if facts.get("x") == 300:
            raise ZeroDivisionError("injected")
        return evaluate(self, facts, **kwargs)

    def patched_lines(self: api.Policy, documents: Any, **kwargs: Any) -> list[str | None]:
        if any(document.get("x") == 300 for document in documents):
            raise ZeroDivisionError("injected")
        return evaluate_lines(self, documents, **kwargs)

    monkeypatch.setattr(api.Policy, "evaluate", patched)
    monkeypatch.setattr(api.Policy, "evaluate_lines", patched_lines)


def _lines(count: int) -> bytes:
    return "".join(f'{{"x": {i}}}\n' for i in range(1, count + 1)).encode()


@pytest.mark.parametrize("how", ["file", "stdin", "jobs"])
def test_a_bug_on_one_document_is_its_error_line_and_exit_3(
    policy_file: Path,
    tmp_path: Path,
    faulty: None,
    how: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = _lines(600)  # the fault is in the second chunk of 256 lines
    facts = tmp_path / "f.jsonl"
    facts.write_bytes(data)
    argv = ["eval", str(policy_file), str(facts), "--format", "json"]
    if how == "stdin":
        argv[2] = "-"
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    if how == "jobs":
        argv += ["--jobs", "2"]
    code = cli.main(argv)
    captured = capsys.readouterr()
    assert code == cli.ExitCode.INTERNAL
    outputs = captured.out.splitlines()
    assert len(outputs) == 600  # one output line per input line
    name = "<stdin>" if how == "stdin" else str(facts)
    (error,) = json.loads(outputs[299])["errors"]
    assert error["code"] == "internal-error" and error["file"] == f"{name}:300"
    assert "ZeroDivisionError: injected" in error["message"]
    assert json.loads(outputs[298]) == {"rules": {"double": 598}}
    assert json.loads(outputs[300]) == {"rules": {"double": 602}}
    assert f"{name}:300: error[internal-error]" in captured.err
    assert "Traceback" not in captured.err
    assert captured.err.count("error[") == 1
    assert "failed unexpectedly on 1 of 600 documents" in captured.err


def test_a_bug_in_text_format_is_reported_and_the_rest_printed(
    policy_file: Path, tmp_path: Path, faulty: None, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = tmp_path / "f.jsonl"
    facts.write_bytes(_lines(301))
    code = cli.main(["eval", str(policy_file), str(facts), "--jobs", "2", "--lang", "zh"])
    captured = capsys.readouterr()
    assert code == cli.ExitCode.INTERNAL
    assert captured.out.count("# ") == 300  # every document but the faulty one
    assert f"# {facts}:301\ndouble = 602" in captured.out
    assert f"{facts}:300: 错误[internal-error]: 求值此文档时意外出错" in captured.err
    assert "在 301 个文档中的 1 个上意外出错" in captured.err


def test_a_line_that_is_not_utf8_is_its_error_and_the_others_are_evaluated(
    policy_file: Path, tmp_path: Path
) -> None:
    data = b'{"x": 1}\n{"x": 2, "note": "caf\xe9"}\n{"x": 3}\n'
    facts = tmp_path / "latin1.jsonl"
    facts.write_bytes(data)
    for args, stdin in (([str(facts)], None), (["-"], data), ([str(facts), "--jobs", "2"], None)):
        process = subprocess.run(
            [sys.executable, "-m", "wuxin_rules", "eval", str(policy_file), *args, "--format",
             "json"],
            input=stdin,
            capture_output=True,
            timeout=120,
        )  # fmt: skip
        assert process.returncode == 1, process.stderr
        assert b"Traceback" not in process.stderr
        outputs = process.stdout.decode().splitlines()
        assert json.loads(outputs[0]) == {"rules": {"double": 2}}
        (error,) = json.loads(outputs[1])["errors"]
        assert error["code"] == "bad-encoding" and error["file"].endswith(":2")
        assert "byte 22 is `0xe9`" in error["message"]
        assert json.loads(outputs[2]) == {"rules": {"double": 6}}


def test_facts_that_used_to_crash_a_worker_are_located_errors(tmp_path: Path) -> None:
    """A lone surrogate as a `sample` seed and a 4301-digit year: evaluation errors of their
    documents, with --jobs as without (the parent used to hang on the worker's exception)."""
    policy = tmp_path / "s.policy"
    policy.write_text(
        'policy s "s"\ninput x: int "x"\ninput seed: text "seed"\n'
        'rule drawn "drawn": sample(["a", "b"], 50%, seed)\n'
        'rule day "day": date(x * 10, 1, 1)\n'
        'rule last "last": quarter_last_month(x * 10)\n',
        encoding="utf-8",
    )
    facts = tmp_path / "f.jsonl"
    big = "9" * 4300
    facts.write_text(
        '{"x": 1, "seed": "s"}\n{"x": 1, "seed": "\\ud800"}\n'
        f'{{"x": {big}, "seed": "s"}}\n{{"x": 2, "seed": "s"}}\n',
        encoding="utf-8",
    )
    serial = wuxin("eval", str(policy), str(facts), "--format", "json")
    parallel = wuxin("eval", str(policy), str(facts), "--format", "json", "--jobs", "2")
    assert serial.returncode == parallel.returncode == 1, serial.stderr
    assert serial.stdout == parallel.stdout
    outputs = [json.loads(line) for line in serial.stdout.splitlines()]
    assert len(outputs) == 4
    assert outputs[1]["errors"]["drawn"]["code"] == "invalid-argument"
    assert {key: e["code"] for key, e in outputs[2]["errors"].items()} == {
        "day": "invalid-date",
        "last": "invalid-quarter",
    }
    assert outputs[3]["rules"]["day"] == "0020-01-01"
    assert len(outputs[3]["rules"]["drawn"]) == 1
    assert "Traceback" not in serial.stderr + parallel.stderr
