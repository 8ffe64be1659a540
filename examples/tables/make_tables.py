"""Write the example tables of this folder from `examples/units.jsonl` (needs openpyxl).

    python examples/tables/make_tables.py

* `units.csv`, `units.xlsx`: the units of `units.jsonl`, one per row, headed by the
  policy's labels, with a notes row (skipped when read: it starts with `#`). In the workbook
  numbers are Excel numbers, booleans Excel booleans and kinds their labels (`村`).
* `towns.xlsx` (sheets `园区镇` and `下属单位`) and `towns.csv` + `towns.下属单位.csv`: two
  towns and their units; the column `town.id` of the units links each to its town.

    wuxin eval policies/drug_free/unit.policy examples/tables/units.xlsx
    wuxin eval policies/drug_free/town.policy examples/tables/towns.xlsx --rule meets_targets
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
UNITS = HERE.parent / "units.jsonl"

FIELDS = [
    ("id", "单位编号"), ("name", "单位名称"), ("kind", "单位类型"), ("year", "评定年度"),
    ("drug_labs", "制毒窝点数"), ("trafficking_groups", "贩毒团伙和网络数"),
    ("addict_growth_rate", "辖区吸毒人员增幅"),
    ("province_addict_growth_rate", "全省吸毒人员平均增幅"),
    ("enforcement_rate", "辖区吸贩毒违法犯罪打击水平"),
    ("province_enforcement_rate", "全省吸贩毒违法犯罪平均打击水平"),
    ("fugitive_key_offenders", "在逃涉毒骨干犯罪分子和制毒师傅人数"),
    ("venue_drug_cases", "娱乐场所涉毒案件数"),
    ("uncontrolled_substance_firms", "失管失控的易制毒化学品和麻精药品企业数"),
    ("group_drug_use_incidents", "聚众吸毒事件数"),
    ("responsibility.duties_assigned", "辖区禁毒责任落实"),
    ("responsibility.team_in_place", "队伍机构健全"),
    ("responsibility.infrastructure_complete", "基础设施完善"),
    ("responsibility.work_funded", "工作保障有力"),
]  # fmt: skip
KIND_LABELS = {
    "park": "园区", "town": "镇", "street": "街道", "village": "村", "community": "社区",
    "agency": "机关单位", "school": "学校", "enterprise": "企业", "venue": "场所",
}  # fmt: skip
NOTES = ["# text", "text", "Kind", "int 1 .. 9999"] + [""] * (len(FIELDS) - 4)


def cells(unit: dict[str, object], excel: bool) -> list[object]:
    row: list[object] = []
    for path, _ in FIELDS:
        value: object = unit
        for step in path.split("."):
            assert isinstance(value, dict)
            value = value[step]
        if path == "kind" and excel:
            value = KIND_LABELS[str(value)]
        elif isinstance(value, Decimal):
            value = float(value) if excel else str(value)
        elif isinstance(value, bool) and not excel:
            value = "是" if value else "否"
        row.append(value)
    return row


def units() -> list[dict[str, object]]:
    lines = UNITS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line, parse_float=Decimal)["unit"] for line in lines if line.strip()]


def village(town: str, number: int, drug_free: bool) -> dict[str, object]:
    base = dict(units()[0])  # a unit that is drug-free
    base.update(id=f"{town}-v{number:02}", name=f"{town}村{number}", kind="village", year=2018)
    base["drug_labs"] = 0 if drug_free else 1
    return base


def main() -> None:
    headers = [label for _, label in FIELDS]
    all_units = units()
    with (HERE / "units.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerows([headers, NOTES, *(cells(u, excel=False) for u in all_units)])
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "单位"
    for row in [headers, NOTES, *(cells(u, excel=True) for u in all_units)]:
        sheet.append(row)
    book.save(HERE / "units.xlsx")

    towns = []
    children = []
    for town_id, name, size, failing in (("cj", "陈江镇", 10, 1), ("ld", "沥林镇", 3, 2)):
        town = dict(all_units[0])
        town.update(id=town_id, name=name, kind="town", year=2018)
        towns.append(town)
        children += [(town_id, village(town_id, n, n >= failing)) for n in range(size)]
    child_headers = ["town.id", *headers]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "园区镇"
    for row in [headers, *(cells(t, excel=True) for t in towns)]:
        sheet.append(row)
    sheet = book.create_sheet("下属单位")
    for row in [child_headers, *([t, *cells(u, excel=True)] for t, u in children)]:
        sheet.append(row)
    book.save(HERE / "towns.xlsx")
    with (HERE / "towns.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(
            [headers, *(cells(t, excel=False) for t in towns)]
        )
    with (HERE / "towns.下属单位.csv").open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(
            [child_headers, *([t, *cells(u, excel=False)] for t, u in children)]
        )


if __name__ == "__main__":
    main()
