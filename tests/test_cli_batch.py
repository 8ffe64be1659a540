"""`wuxin eval` on JSON lines: streamed in chunks, `--jobs N` processes, output in input order."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from wuxin_rules import cli

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


class _CountingStream(io.StringIO):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reads = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.reads += 1
        return super().readline(size)


def test_lines_are_read_one_chunk_at_a_time() -> None:
    """Constant memory: a chunk is handed on before the next lines are read."""
    stream = _CountingStream("".join(f'{{"n": {i}}}\n' for i in range(10 * cli._LINES_PER_CHUNK)))
    chunks = cli._chunks(stream, "big.jsonl")
    first = next(chunks)
    assert isinstance(first, list) and len(first) == cli._LINES_PER_CHUNK
    assert stream.reads <= cli._LINES_PER_CHUNK + 1
    assert first[0] == (1, '{"n": 0}\n')
    rest = list(chunks)
    assert sum(len(chunk) for chunk in rest if isinstance(chunk, list)) == 9 * cli._LINES_PER_CHUNK
    assert rest[-1][-1][0] == 10 * cli._LINES_PER_CHUNK  # line numbers run on across chunks
