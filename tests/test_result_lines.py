"""Lines written straight from the compiled program's values (`result_lines`,
`Policy.evaluate_lines`) are the very lines the general path writes, and `wuxin eval` prints
the same bytes with the fast path as without it."""

from __future__ import annotations

import datetime
import json
import random
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import wuxin_rules
from wuxin_rules import batch, cli, compiler, jsonio, result_lines
from wuxin_rules.errors import UsageError
from wuxin_rules.schema import (
    BoolType,
    DateType,
    EnumMemberInfo,
    EnumType,
    IntType,
    ListType,
    NumberType,
    OptionalType,
    TextType,
    Type,
)
from wuxin_rules.values import format_value, to_json

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "policies" / "drug_free" / "unit.policy"
SORTING = ROOT / "examples" / "tutorial" / "sorting.policy"
KINDS = ("town", "street", "village", "community", "agency", "school", "enterprise", "venue")


def generated_units(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Units of the flagship policy with exact numbers of varied places, signs and zeros."""
    rng = random.Random(seed)

    def number(low: int, high: int) -> Decimal:
        places = rng.randint(0, 5)
        value = Decimal(rng.randint(low * 10**places, high * 10**places)).scaleb(-places)
        if rng.random() < 0.1:  # trailing zeros too
            return Decimal(f"{value}000" if "." in str(value) else f"{value}.000")
        return value

    units = []
    for index in range(count):
        unit: dict[str, Any] = {
            "id": f"u{index}",
            "name": f'单位{index}"\\',
            "kind": rng.choice(KINDS),
            "year": rng.randint(2015, 2020),
            "addict_growth_rate": number(-1, 1),
            "province_addict_growth_rate": rng.choice((Decimal(0), Decimal("-0.0"), number(-1, 1))),
            "enforcement_rate": number(0, 2),
            "province_enforcement_rate": number(0, 2),
            "responsibility": {
                name: rng.random() < 0.9
                for name in (
                    "duties_assigned",
                    "team_in_place",
                    "infrastructure_complete",
                    "work_funded",
                )
            },
        }
        for name in (
            "drug_labs",
            "trafficking_groups",
            "fugitive_key_offenders",
            "venue_drug_cases",
            "uncontrolled_substance_firms",
            "group_drug_use_incidents",
        ):
            unit[name] = 0 if rng.random() < 0.8 else rng.randint(1, 3)
        units.append({"unit": unit})
    return units


def sorting_documents() -> list[dict[str, Any]]:
    lines = (ROOT / "examples" / "tutorial" / "communities.jsonl").read_text(encoding="utf-8")
    return [jsonio.parse_line(line) for line in lines.splitlines() if line.strip()]


def general_line(policy: wuxin_rules.Policy, document: Any, rules: Any, format: str) -> str:
    """The line of `document` the general path writes (`wuxin eval`'s render)."""
    result = policy.evaluate(document, rules=rules)
    if format == "json":
        return jsonio.dumps(result.to_json())
    render = cli._Render(cli.build_parser().parse_args(["eval", "p", "f"]), color=False)
    return render(result)


@pytest.mark.parametrize("format", result_lines.FORMATS)
@pytest.mark.parametrize(
    ("path", "documents", "rules"),
    [
        (UNIT, generated_units(400), None),
        (UNIT, generated_units(50, seed=8), ["drug_free", "growth_threshold"]),
        (SORTING, sorting_documents(), None),
    ],
)
def test_the_lines_of_the_general_path(
    path: Path, documents: list[Any], rules: Any, format: str
) -> None:
    policy = wuxin_rules.load(path)
    lines = policy.evaluate_lines(documents, rules=rules, format=format)
    assert len(lines) == len(documents)
    decided = 0
    for document, line in zip(documents, lines, strict=True):
        if line is not None:
            decided += 1
            assert line == general_line(policy, document, rules, format)
    assert decided >= len(documents) // 2  # (the fast path took most of them)


def test_a_document_the_program_does_not_decide_is_none() -> None:
    policy = wuxin_rules.load(UNIT)
    good = generated_units(1)[0]
    bad = {"unit": {**good["unit"], "drug_labs": "many"}}
    lines = policy.evaluate_lines([good, bad, [], good], rules=["drug_free"])
    assert lines[1] is None and lines[2] is None
    assert lines[0] == lines[3] == general_line(policy, good, ["drug_free"], "json")


def test_unknown_format_and_rule_are_usage_errors() -> None:
    policy = wuxin_rules.load(UNIT)
    with pytest.raises(UsageError, match="unknown line format"):
        policy.evaluate_lines([], format="csv")
    with pytest.raises(UsageError):
        policy.evaluate_lines([], rules=["no_such_rule"])
    with pytest.raises(ValueError, match="unknown line format"):
        result_lines.line_writer([], {}, "csv")


# ------------------------------------------------------------------------------------------
# The writers on values of every kind the fast path holds

KIND = EnumType("Kind", "p.Kind", (EnumMemberInfo("a"), EnumMemberInfo("b")))
TYPES: list[tuple[Type, st.SearchStrategy[Any]]] = [
    (BoolType(), st.booleans()),
    (IntType(), st.integers()),
    (NumberType(), st.decimals(allow_nan=False, allow_infinity=False) | st.integers()),
    (NumberType("percent"), st.decimals(allow_nan=False, allow_infinity=False) | st.integers()),
    (OptionalType(NumberType()), st.none() | st.decimals(allow_nan=False, allow_infinity=False)),
    (TextType(), st.text()),
    (KIND, st.sampled_from(["a", "b"])),
    (OptionalType(KIND), st.none() | st.sampled_from(["a", "b"])),
    (ListType(TextType()), st.lists(st.text(), max_size=3).map(tuple)),
    (ListType(KIND), st.lists(st.sampled_from(["a", "b"]), max_size=3).map(tuple)),
    (
        ListType(NumberType()),
        st.lists(st.decimals(allow_nan=False, allow_infinity=False), max_size=3).map(tuple),
    ),
    (DateType(), st.dates()),
    (NumberType(), st.fractions()),
]


def general_json(rules: list[tuple[str, Type, str | None]], values: list[Any]) -> str:
    data = {
        key: to_json(compiler.canonical(v), t) for (key, t, _), v in zip(rules, values, strict=True)
    }
    return jsonio.dumps({"rules": data})


def general_text(rules: list[tuple[str, Type, str | None]], values: list[Any]) -> str:
    width = max((len(key) for key, _, _ in rules), default=0)
    return "\n".join(
        f"{key.ljust(width)} = {format_value(compiler.canonical(v), t)}"
        + (f' "{label}"' if label else "")
        for (key, t, label), v in zip(rules, values, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_any_values_written_as_the_general_path_writes_them(data: st.DataObject) -> None:
    chosen = data.draw(st.lists(st.sampled_from(range(len(TYPES))), max_size=6))
    rules = [
        (f"rule_{i}" + "x" * (i % 3), TYPES[kind][0], data.draw(st.none() | st.text(max_size=3)))
        for i, kind in enumerate(chosen)
    ]
    values = [data.draw(TYPES[kind][1]) for kind in chosen]
    # The program's values come in another order than the rules are shown.
    positions = {key: len(rules) - 1 - i for i, (key, _, _) in enumerate(rules)}
    held = list(reversed(values))
    writers: dict[str, Callable[[Any], str]] = {
        format: result_lines.line_writer(rules, positions, format)
        for format in result_lines.FORMATS
    }
    assert writers["json"](held) == general_json(rules, values)
    assert writers["text"](held) == general_text(rules, values)
    json.loads(writers["json"](held))  # (and it is JSON)


def test_numbers_exactly() -> None:
    rules = [("n", NumberType(), None)]
    write = result_lines.line_writer(rules, {"n": 0})
    for text, shown in [
        ("1.50", "1.5"),
        ("-0.000", "0"),
        ("1E+3", "1000"),
        ("1.5E-12", "0.0000000000015"),
        ("123456789012345678901234567890.1234567890", "123456789012345678901234567890.123456789"),
    ]:
        assert write([Decimal(text)]) == '{"rules": {"n": ' + shown + "}}"
    assert write([Fraction(1, 3)]) == '{"rules": {"n": "1/3"}}'
    assert write([datetime.date(2020, 1, 2)]) == '{"rules": {"n": "2020-01-02"}}'


# ------------------------------------------------------------------------------------------
# `wuxin eval`: the same bytes with the fast path as without


@pytest.fixture(scope="module")
def mixed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated units over several chunks, with every kind of bad line among them."""
    lines = [jsonio.dumps(document) for document in generated_units(700, seed=11)]
    bad = {
        3: '{"unit": ',  # malformed
        100: '{"unit": 1.5}',  # a bad fact
        257: '{"unit": {"id": "x", "id": "y"}}',  # a duplicate key
        300: '{"a": 1}, {"b": 2}',  # two documents on a line
        301: '{"unit": "x',  # a text that runs on
        302: 'y"}',
        400: "[1, 2]",
        500: "",  # a blank line
        600: '{"unit": {"kind": "\\u0022"}}',
    }
    body = "\n".join(bad.get(i, line) for i, line in enumerate(lines)).encode("utf-8")
    body += b'\n{"unit": "\xff\xfe"}\n' + lines[0].encode("utf-8") + b"\n"  # not UTF-8
    path = tmp_path_factory.mktemp("fast") / "mixed.jsonl"
    path.write_bytes(body)
    return path


def run(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, fast: bool
) -> tuple[int, str, str]:
    if not fast:
        # The general path: every record read as a text, parsed, evaluated and rendered
        # alone (no chunk decoded from the file's bytes, no lines from the program's values).
        monkeypatch.setattr(
            batch._Worker, "chunk", lambda self, chunk: [self.evaluate(*r) for r in chunk]
        )
        monkeypatch.setattr(
            batch,
            "evaluate_json_lines_file",
            lambda policy, path, *, rules, render: batch.evaluate_batch(
                policy, batch.read_json_lines(path), rules=rules, render=render
            ),
        )
    code = cli.main(argv)
    captured = capsys.readouterr()
    monkeypatch.undo()
    return code, captured.out, captured.err


@pytest.mark.parametrize(
    "options",
    [
        ["--format", "json"],
        ["--format", "text"],
        ["--format", "json", "--rule", "drug_free"],
        ["--format", "json", "--jobs", "2"],
        ["--format", "text", "--lang", "zh"],
        ["--format", "json", "--explain"],
        ["--format", "text", "--explain"],
    ],
)
def test_wuxin_eval_prints_the_same_bytes(
    mixed: Path,
    options: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = ["eval", str(UNIT), str(mixed), *options]
    fast = run(argv, capsys, monkeypatch, fast=True)
    today = run(argv, capsys, monkeypatch, fast=False)
    assert fast == today
    code, out, err = fast
    assert code == cli.ExitCode.PROBLEMS
    assert "Traceback" not in err and "internal" not in err
    if options[1] == "json" and "--explain" not in options:
        outputs = out.splitlines()
        assert len(outputs) == 700 + 2 - 1  # one per non-blank input line
        first = json.loads(outputs[3])["errors"][0]
        assert (first["file"], first["line"]) == (str(mixed), 4)
        # The nine bad lines.
        assert sum("rules" not in json.loads(line) for line in outputs) == 9


@pytest.mark.parametrize("options", [["--format", "json"], ["--format", "text", "--rule", "group"]])
def test_a_file_read_from_its_bytes_gives_the_general_paths_bytes(
    tmp_path: Path,
    options: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `batch.evaluate_json_lines_file`: plain chunks decoded from the file's bytes; chunks
    # with a byte-order mark, CRLF ends, a line of spaces JSON does not skip, a lone
    # surrogate's bytes, a line too long to hold, and a file without a final newline.
    lines = [jsonio.dumps(document).encode() for document in generated_units(900, seed=5)]
    lines[0] = b"\xef\xbb\xbf" + lines[0]
    lines[300] = lines[300] + b"\r"
    lines[301] = "\u3000".encode()
    lines[302] = b'{"unit": "\xed\xa0\x80"}'
    lines[700] = b'{"unit": "' + b"x" * 3000 + b'"}'
    path = tmp_path / "units.jsonl"
    path.write_bytes(b"\n".join(lines))
    monkeypatch.setattr(jsonio, "MAX_DOCUMENT_SIZE", 2000)  # line 701 is too long
    argv = ["eval", str(UNIT), str(path), *options]
    fast = run(argv, capsys, monkeypatch, fast=True)
    monkeypatch.setattr(jsonio, "MAX_DOCUMENT_SIZE", 2000)
    general = run(argv, capsys, monkeypatch, fast=False)
    assert fast == general
    code, out, err = fast
    assert code == cli.ExitCode.PROBLEMS
    assert f"{path}:701" in err and f"{path}:303" in err and "Traceback" not in err
    assert out.count("\n") == (900 - 1 if options[1] == "json" else 2 * (900 - 3))
