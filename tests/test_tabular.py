"""Facts from tables (`wuxin_rules.tabular`, `wuxin eval` on .csv/.tsv/.xlsx and JSON arrays)
and verdicts back into tables (`--format csv|xlsx`)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from wuxin_rules import api, cli, tabular
from wuxin_rules.errors import FactError, UsageError

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parents[1]
UNIT = str(ROOT / "policies" / "drug_free" / "unit.policy")
TOWN = str(ROOT / "policies" / "drug_free" / "town.policy")
UNITS_JSONL = ROOT / "examples" / "units.jsonl"
TABLES = ROOT / "examples" / "tables"

POLICY = """
policy shop
enum Size "尺码": small "小", large "大"
record Address "地址": city: text "城市"
                     postcode: text? "邮编"
record Customer "顾客"
  : name: text "姓名"
    size: Size "尺码"
    age: int >= 0 "年龄"
    rate: percent 0% .. 100% "折扣"
    member: bool "会员"
    since: date? "入会日期"
    tags: list of text "标签"
    home: Address "住址"
    work: Address? "单位地址"
input customer: Customer "顾客"
rule adult "成年" cites "S1": customer.age >= 18
criterion big "大号" cites "S1": customer.size == large
"""

HEADERS = ["name", "尺码", "age", "rate", "会员", "since", "tags", "住址.城市", "home.postcode",
           "单位地址.城市", "work.邮编"]  # fmt: skip


def run(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = cli.main(["eval", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    first = True
    for name, rows in sheets.items():
        sheet = book.active if first else book.create_sheet(name)
        sheet.title = name
        first = False
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def shop() -> api.Policy:
    return api.loads(POLICY, name="shop.policy")


def documents(policy: api.Policy, path: Path) -> list[tabular.TableRow]:
    return tabular.read_documents(path, policy.checked.inputs, shown=path.name)


# ------------------------------------------------------------------------------------------
# Cells and headers


def test_headers_by_path_and_label_give_the_same_document(shop: api.Policy, tmp_path: Path) -> None:
    by_label = write_csv(
        tmp_path / "a.csv",
        [HEADERS, ["Li", "大", "30", "12.5%", "是", "2020-01-31", "a, b、c", "惠州", "", "", ""]],
    )
    by_path = write_csv(
        tmp_path / "b.csv",
        [
            [
                "customer.name",
                "size",
                "age",
                "customer.rate",
                "member",
                "since",
                "tags",
                "home.city",
                "home.postcode",
                "work.city",
                "work.postcode",
            ],
            ["Li", "large", "30", "0.125", "true", "2020-01-31", "a,b,c", "惠州", "", "", ""],
        ],
    )
    [first] = documents(shop, by_label)
    [second] = documents(shop, by_path)
    assert first.problems == second.problems == ()
    assert first.document == second.document
    customer = first.document["customer"]
    assert customer["size"] == "large"
    assert customer["rate"] == Decimal("0.125")
    assert customer["member"] is True
    assert customer["since"] == datetime.date(2020, 1, 31)
    assert customer["tags"] == ("a", "b", "c")
    assert customer["home"] == {"city": "惠州", "postcode": None}
    assert customer["work"] is None  # an optional record whose cells are all empty
    assert shop.evaluate(first.document)["big"] is True


def test_every_bad_cell_is_reported_at_its_cell_and_good_rows_are_kept(
    shop: api.Policy, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "c.csv",
        [
            HEADERS,
            ["A", "小", "一", "5%", "是", "", "x", "惠州", "", "", ""],
            ["B", "medium", "20", "120%", "maybe", "2020-02-30", "x", "", "", "", ""],
            ["C", "small", "40", "5%", "否", "", "x", "惠州", "", "", ""],
        ],
    )
    rows = documents(shop, path)
    assert [bool(row.problems) for row in rows] == [True, True, False]
    places = [f"{d.path}: {d.code}: {d.message}" for row in rows for d in row.problems]
    assert places == [
        'C2 (age): bad-fact: expected a whole number ≥ 0, found "一"',
        "B3 (尺码): unknown-member: unknown member `medium` of `Size`",
        'D3 (rate): fact-out-of-bounds: expected a percentage in the range 0% .. 100%, found "120%"',
        'E3 (会员): bad-fact: expected true/false (是/否), found "maybe"',
        "F3 (since): invalid-date: `2020-02-30` is not a date of the calendar",
        "H3 (住址.城市): missing-fact: expected text, found an empty cell",
    ]
    assert all(d.file == "c.csv" for row in rows for d in row.problems)
    assert rows[2].document["customer"]["name"] == "C"


@pytest.mark.parametrize(
    ("header", "code"),
    [("nmae", "unknown-column"), ("city", "ambiguous-column"), ("姓名", "duplicate-column")],
)
def test_header_problems_are_reported_together(
    shop: api.Policy, tmp_path: Path, header: str, code: str
) -> None:
    path = write_csv(tmp_path / "h.csv", [[*HEADERS, header], ["x"] * 12])
    with pytest.raises(FactError) as caught:
        documents(shop, path)
    [problem] = caught.value.diagnostics
    assert problem.code == code
    assert problem.path == "L1"
    if code == "unknown-column":
        assert "`name`" in (problem.help or "")


def test_a_missing_required_column_is_named_with_its_label(
    shop: api.Policy, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "m.csv", [HEADERS[1:], ["x"] * 10])
    with pytest.raises(FactError) as caught:
        documents(shop, path)
    [problem] = caught.value.diagnostics
    assert problem.code == "missing-column"
    assert "`customer.name` (姓名)" in problem.message


def test_notes_rows_and_empty_rows_are_skipped_and_tsv_is_read(
    shop: api.Policy, tmp_path: Path
) -> None:
    row = ["Li", "small", "3", "1%", "false", "", "", "惠州", "", "", ""]
    path = write_csv(
        tmp_path / "t.tsv",
        [HEADERS, ["# text", "Size"] + [""] * 9, [""] * 11, row, row],
        delimiter="\t",
    )
    rows = documents(shop, path)
    assert [r.where for r in rows] == ["t.tsv: row 4", "t.tsv: row 5"]
    assert rows[0].document["customer"]["tags"] == ()


def test_enum_labels_shared_by_two_members_name_neither() -> None:
    policy = api.loads(
        'policy p\nenum E: a "同", b "同", c "丙"\ninput e: E\nrule r: e == c\n', name="p.policy"
    )
    assert tabular.read_cell("丙", policy.checked.inputs[0].type) == "c"
    with pytest.raises(tabular.CellProblem):
        tabular.read_cell("同", policy.checked.inputs[0].type)
    # The same for JSON facts: a label is a member when it names one member.
    assert policy.evaluate({"e": "丙"})["r"] is True
    assert policy.evaluate_many([{"e": "丙"}])[0]["r"] is True
    with pytest.raises(FactError):
        policy.evaluate({"e": "同"})


def test_json_facts_take_an_enum_member_by_its_label() -> None:
    facts = json.loads(
        (ROOT / "examples" / "village-fail.json").read_text(encoding="utf-8"),
        parse_float=Decimal,
    )
    facts["unit"]["kind"] = "村"
    policy = api.load(UNIT)
    assert policy.evaluate(facts)["group"] == "village_level"
    assert policy.evaluate(facts, explain=True)["group"] == "village_level"


# ------------------------------------------------------------------------------------------
# Excel


def test_excel_cells_are_read_exactly(shop: api.Policy, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "x.xlsx",
        {
            "顾客": [
                HEADERS,
                # 0.1 + 0.2 is the float 0.30000000000000004; Excel shows 0.3.
                [
                    "Li",
                    "大",
                    30.0,
                    0.1 + 0.2,
                    True,
                    datetime.datetime(2020, 1, 31),
                    7,
                    "惠州",
                    12345,
                    None,
                    None,
                ],
                [
                    "Wu",
                    "small",
                    2.5,
                    0.5,
                    False,
                    datetime.datetime(2020, 1, 31, 8),
                    "",
                    "惠州",
                    None,
                    None,
                    None,
                ],
            ]
        },
    )
    good, bad = documents(shop, path)
    customer = good.document["customer"]
    assert customer["age"] == 30 and type(customer["age"]) is int
    assert customer["rate"] == Decimal("0.3")
    assert customer["member"] is True
    assert customer["since"] == datetime.date(2020, 1, 31)
    assert customer["tags"] == ("7",)
    assert customer["home"]["postcode"] == "12345"
    assert [f"{d.path}: {d.message}" for d in bad.problems] == [
        "顾客!C3 (age): expected a whole number ≥ 0, found 2.5",
        "顾客!F3 (since): expected a date (YYYY-MM-DD), found 2020-01-31 08:00:00",
    ]


def test_a_list_of_records_comes_from_a_second_sheet(tmp_path: Path) -> None:
    policy = api.load(TOWN)
    rows = tabular.read_documents(TABLES / "towns.xlsx", policy.checked.inputs, shown="towns.xlsx")
    assert [row.problems for row in rows] == [(), ()]
    towns = [row.document["town"] for row in rows]
    assert [len(town["units"]) for town in towns] == [10, 3]
    assert towns[0]["units"][0]["kind"] == "village"
    results = policy.evaluate_many([row.document for row in rows])
    assert [r["meets_targets"] for r in results] == [True, False]
    # The CSV form of the same tables gives the same documents.
    csv_rows = tabular.read_documents(TABLES / "towns.csv", policy.checked.inputs)
    assert [row.document for row in csv_rows] == [row.document for row in rows]


def test_list_rows_that_link_to_no_row_are_reported_and_the_rest_evaluated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = openpyxl.load_workbook(TABLES / "towns.xlsx")
    sheet = book.worksheets[1]
    sheet.append(["t99", *[cell.value for cell in sheet[2]][1:]])
    orphan_row = sheet.max_row
    book.save(tmp_path / "towns.xlsx")
    code, out, err = run(TOWN, str(tmp_path / "towns.xlsx"), "--rule", "meets_targets",
                         "--format", "json", capsys=capsys)  # fmt: skip
    assert code == 1
    assert f"下属单位!A{orphan_row} (town.id): error[unknown-key]" in err
    assert [json.loads(line).get("rules") for line in out.splitlines()] == [
        {"meets_targets": True},
        {"meets_targets": False},
        None,
    ]


def test_a_missing_list_sheet_is_named(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(TABLES / "towns.xlsx")
    del book[book.sheetnames[1]]
    book.save(tmp_path / "towns.xlsx")
    with pytest.raises(FactError) as caught:
        tabular.read_documents(tmp_path / "towns.xlsx", api.load(TOWN).checked.inputs)
    [problem] = caught.value.diagnostics
    assert problem.code == "missing-column"
    assert "`town.units` (下属单位)" in problem.message


def test_missing_openpyxl_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(UsageError) as caught:
        tabular.require_openpyxl("reading Excel files")
    assert caught.value.diagnostics[0].code == "missing-dependency"
    assert "wuxin_rules[excel]" in (caught.value.diagnostics[0].help or "")


# ------------------------------------------------------------------------------------------
# The command line


def test_the_issue_example_is_located_as_a_spreadsheet_user_finds_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = openpyxl.load_workbook(TABLES / "units.xlsx")
    sheet = source.worksheets[0]
    sheet["E7"] = "一"
    source.save(tmp_path / "units.xlsx")
    code, out, err = run(UNIT, str(tmp_path / "units.xlsx"), "--rule", "drug_free",
                         capsys=capsys)  # fmt: skip
    assert code == 1
    assert (
        f"{tmp_path / 'units.xlsx'}: 单位!E7 (制毒窝点数): error[bad-fact]: "
        'expected a whole number ≥ 0, found "一"'
    ) in err
    evaluated = [line for line in out.splitlines() if line.startswith("#")]
    assert len(evaluated) == sheet.max_row - 3  # headers, notes, the bad row


def test_tables_give_the_verdicts_of_the_same_json_lines(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = ["--rule", "drug_free", "--rule", "failed_standards", "--format", "json"]
    code, from_jsonl, _ = run(UNIT, str(UNITS_JSONL), *args, capsys=capsys)
    assert code == 0
    for name in ("units.csv", "units.xlsx"):
        code, from_table, err = run(UNIT, str(TABLES / name), *args, capsys=capsys)
        assert (code, err) == (0, "")
        assert from_table == from_jsonl


def test_json_arrays_are_one_document_per_element(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = UNITS_JSONL.read_text(encoding="utf-8").splitlines()[:3]
    documents = [json.loads(line) for line in lines]
    documents[1]["unit"]["drug_labs"] = -1
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(documents, ensure_ascii=False), encoding="utf-8")
    code, out, err = run(UNIT, str(path), "--rule", "drug_free", capsys=capsys)
    assert code == 1
    assert f"{path}: $[1].unit.drug_labs: error[fact-out-of-bounds]" in err
    assert [line for line in out.splitlines() if line.startswith("#")] == [
        f"# {path}: $[0]",
        f"# {path}: $[2]",
    ]


def test_results_as_csv_with_labels(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(UNIT, str(UNITS_JSONL), "--rule", "drug_free", "--rule", "standard_1",
                       "--format", "csv", "--lang", "zh", capsys=capsys)  # fmt: skip
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == [
        "单位编号",
        "单位名称",
        "无毒单位",
        "辖区内无制毒窝点",
        "未满足的条件",
        "原因",
    ]
    documents = [json.loads(line) for line in UNITS_JSONL.read_text(encoding="utf-8").splitlines()]
    assert [row[0] for row in rows[1:]] == [d["unit"]["id"] for d in documents]
    failing = [row for row in rows[1:] if row[2] == "false"]
    assert failing and all(row[4] and row[5].startswith("未满足：") for row in failing)


def test_results_as_xlsx(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out_path = tmp_path / "verdicts.xlsx"
    code, _, _ = run(UNIT, str(TABLES / "units.csv"), "--rule", "growth_threshold",
                     "--format", "xlsx", "--output", str(out_path), capsys=capsys)  # fmt: skip
    assert code == 0
    sheet = openpyxl.load_workbook(out_path).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["id", "name", "growth_threshold", "failed criteria", "reason"]
    # An exact decimal is written as text: an Excel number would be a binary float.
    assert rows[1][2] == "0.0155"
