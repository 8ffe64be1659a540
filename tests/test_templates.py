"""`wuxin template` (blank facts tables and documents) and `wuxin schema` (JSON Schema)."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from wuxin_rules import api, cli, jsonio, tabular
from wuxin_rules.json_schema import facts_schema

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
TOWN = str(ROOT / "policies" / "drug_free" / "town.policy")
UNITS_JSONL = ROOT / "examples" / "units.jsonl"


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_csv_template_is_read_back_with_no_problem(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run("template", UNIT, "--format", "csv", "--lang", lang, capsys=capsys)
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1][0].startswith("# ")
    assert "int ≥ 0 · S2.1" in rows[1]
    if lang == "zh":
        assert rows[0][4] == "制毒窝点数"
    else:
        assert rows[0][14] == "responsibility.duties_assigned"
    # Filled in with the first unit of the examples, it gives that unit's verdicts.
    unit = json.loads(UNITS_JSONL.read_text(encoding="utf-8").splitlines()[0])
    policy = api.load(UNIT)
    path = tmp_path / "filled.csv"
    values = [
        str(unit["unit"][c.path[1]] if len(c.path) == 2 else unit["unit"][c.path[1]][c.path[2]])
        for c in tabular.layout(policy.checked.inputs).columns
    ]
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([*rows, [v.lower() for v in values]])
    [row] = tabular.read_documents(path, policy.checked.inputs)
    assert row.problems == ()
    expected = policy.evaluate(jsonio.loads(json.dumps(unit))).values()
    assert policy.evaluate(row.document).values() == expected


def test_the_excel_template_has_drop_downs_and_a_sheet_per_list(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "towns.xlsx"
    code, _, _ = run("template", TOWN, "--lang", "zh", "--output", str(path), capsys=capsys)
    assert code == 0
    book = openpyxl.load_workbook(path)
    main, units = book.worksheets
    assert units.title == "下属单位"
    assert units["A1"].value == "town.id"
    lists = [rule.formula1 for rule in main.data_validations.dataValidation]
    assert '"园区,镇,街道,村,社区,机关单位,学校,企业,场所"' in lists
    assert '"是,否"' in lists
    # The blank template reads as a table without rows: every header is understood.
    assert tabular.read_documents(path, api.load(TOWN).checked.inputs) == []


def test_the_json_template_has_every_field() -> None:
    code = cli.main(["template", UNIT, "--format", "json", "--output", "/dev/null"])
    assert code == 0
    from wuxin_rules.templates import json_template

    blank = json_template(api.load(UNIT).checked.inputs)
    assert blank["unit"]["responsibility"]["team_in_place"] is None
    assert len(blank["unit"]) == 15


def test_the_schema_is_a_2020_12_schema_the_examples_satisfy(
    capsys: pytest.CaptureFixture[str],
) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = run("schema", UNIT, capsys=capsys)
    assert code == 0
    schema = json.loads(out)
    assert schema == json.loads(json.dumps(facts_schema(api.load(UNIT).checked), default=str))
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema)
    check = validator(schema)
    for line in UNITS_JSONL.read_text(encoding="utf-8").splitlines():
        check.validate(json.loads(line))
    unit = schema["$defs"]["drug_free.units.Unit"]
    assert unit["properties"]["drug_labs"] == {
        "type": "integer",
        "minimum": 0,
        "title": "制毒窝点数",
        "description": "cites S2.1",
    }
    document = json.loads(UNITS_JSONL.read_text(encoding="utf-8").splitlines()[0])
    document["unit"]["kind"] = "村"  # a label is accepted, as by the facts reader
    document["unit"]["addict_growth_rate"] = "0.010"  # a decimal as text
    check.validate(document)
    document["unit"]["drug_labs"] = -1
    assert not check.is_valid(document)
    document["unit"]["drug_labs"] = Decimal("1.5")
    assert not check.is_valid(json.loads(json.dumps(document, default=float)))


def test_a_csv_template_of_a_list_of_records_writes_its_companion_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "towns.csv"
    code, _, _ = run("template", TOWN, "--format", "csv", "--lang", "zh", "-o", str(path),
                     capsys=capsys)  # fmt: skip
    assert code == 0
    companion = tmp_path / "towns.下属单位.csv"
    with companion.open(encoding="utf-8-sig") as stream:
        header = next(csv.reader(stream))
    assert header[:3] == ["town.id", "单位编号", "单位名称"]
    # The blank pair reads back without a problem (no rows yet).
    assert tabular.read_documents(path, api.load(TOWN).checked.inputs) == []


def test_a_csv_template_s_notes_follow_the_language() -> None:
    """The notes rows of a CSV template and of its list's companion: `may be empty` and the
    link to the main sheet are the catalogue's, in Chinese with --lang zh."""
    from wuxin_rules import templates

    policy = api.loads(
        "record Visit:\n  on: date\nrecord Unit:\n  name: text\n  left: date?\n"
        "  visits: list of Visit\ninput unit: Unit\nrule r: unit.name\n",
        name="p.policy",
    )
    inputs = policy.checked.inputs
    rows: dict[str, list[list[str]]] = {}
    for lang in ("en", "zh"):
        buffer = io.StringIO()
        templates.write_template(inputs, "csv", buffer, lang=lang)
        (companion,) = templates.csv_companions(inputs, lang=lang).values()
        rows[lang] = [list(csv.reader(io.StringIO(buffer.getvalue())))[1], companion[1]]
    assert rows["en"] == [["# text", "date, may be empty"], ["# links to the main sheet", "date"]]
    assert rows["zh"] == [["# text", "date，可以留空"], ["# 对应主表中的一行", "date"]]
