"""The district's spreadsheet: facts in the workbook an office keeps, read and written by the
policy's own labels.

    from workbook import read_workbook, write_workbook
    data = read_workbook(Path("district.xlsx"), policies)     # the shape of district.json
    write_workbook(data, Path("district.xlsx"), policies)      # what generate.py does

Every column header is the label a policy gives the field (`制毒窝点数`, `年初持有"无毒单位"称号`),
taken from the checked policies, never from a table kept here; an enum cell holds the
member's label (`村`, `区禁毒委`), a yes/no cell `是` or `否`. The one header that is no field
is the link from a unit to its town, `所属镇街` (a town's own row names itself; a unit directly
under the district leaves it empty).

This module is the one place that knows the spreadsheet: the engine's own table reader
(facts from CSV and Excel by label) can replace `read_workbook` without touching `run.py`.
Needs openpyxl (`pip install 'wuxin_rules[report]'`).
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import wuxin_rules
from wuxin_rules.schema import (
    BoolType,
    DateType,
    EnumType,
    IntType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    TextType,
    Type,
)

TOWN_COLUMN = "所属镇街"  # the link from a unit to its town: structure, not a field
YES, NO = "是", "否"
LIST_SEPARATOR = "、"
# The fixed time written into the workbook's properties and zip entries, so that the same
# facts give the same bytes.
FIXED_TIME = datetime.datetime(2020, 12, 31, 0, 0, 0)

# Sheet names: what the office calls each register.
UNITS, REPORTS, SCORES, DRAWS, CHECKS, INCIDENTS = (
    "单位", "季度报告", "考核评分", "抽签", "抽查结果", "督导问责",
)  # fmt: skip

# Which fields of which record each sheet holds, by field name (the labels come from the
# policies). A nested record's fields follow in place of the record.
UNIT_FIELDS = (
    "id", "name", "kind", "year", "drug_labs", "trafficking_groups", "addict_growth_rate",
    "province_addict_growth_rate", "enforcement_rate", "province_enforcement_rate",
    "fugitive_key_offenders", "venue_drug_cases", "uncontrolled_substance_firms",
    "group_drug_use_incidents", "responsibility",
)  # fmt: skip
REPORT_FIELDS = ("reporter", "year", "quarter", "submitted_on", "covers")
POOL_FIELDS = ("year", "authority", "seed")
INCIDENT_FIELDS = ("falsification", "severe_group_incident", "media_exposed_major_case", "capped")


class WorkbookError(Exception):
    """Cells or headers of the workbook that do not fit the policies' fields, all at once."""

    def __init__(self, path: Path, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(f"error: {path.name}: {p}" for p in problems))


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise SystemExit(
            "error: reading or writing the district's workbook needs openpyxl: "
            "pip install 'wuxin_rules[report]'"
        ) from None
    return openpyxl


# ------------------------------------------------------------------------------------------
# The fields, from the checked policies


def _input_record(policy: wuxin_rules.Policy, name: str) -> RecordType:
    for item in policy.checked.inputs:
        if item.name == name and isinstance(item.type, RecordType):
            return item.type
    raise KeyError(f"{policy.name} has no record input {name!r}")


def _strip(type_: Type) -> Type:
    return type_.inner if isinstance(type_, OptionalType) else type_


class Column:
    """One column: a field's path below its record, its label and its type."""

    def __init__(self, path: tuple[str, ...], label: str, type_: Type) -> None:
        self.path = path
        self.label = label
        self.type = type_

    def __repr__(self) -> str:
        return f"Column({'.'.join(self.path)}, {self.label})"


def _columns(record: RecordType, names: Sequence[str]) -> list[Column]:
    """The columns of `names` of `record`, a nested record's fields in its place."""
    columns = []
    for name in names:
        info = record.field(name)
        if info is None:
            raise KeyError(f"{record.name} has no field {name!r}")
        inner = _strip(info.type)
        if isinstance(inner, RecordType):
            columns += [
                Column((name, sub.name), sub.label or sub.name, sub.type) for sub in inner.fields
            ]
        else:
            columns.append(Column((name,), info.label or name, info.type))
    return columns


class Layout:
    """Every sheet's columns, from the policies' records."""

    def __init__(self, policies: Mapping[str, wuxin_rules.Policy]) -> None:
        town = _input_record(policies["town"], "town")
        units_type = _strip(town.field("units").type)  # type: ignore[union-attr]
        assert isinstance(units_type, ListType) and isinstance(units_type.element, RecordType)
        unit = units_type.element
        titled = _input_record(policies["titles"], "unit")
        pool = _input_record(policies["spot_check"], "pool")
        report = _input_record(policies["reporting"], "report")
        assessee = _input_record(policies["assessment"], "assessee")
        scores = _strip(assessee.field("scores").type)  # type: ignore[union-attr]
        assert isinstance(scores, RecordType)
        accountable = _input_record(policies["accountability"], "unit")

        self.unit = _columns(unit, UNIT_FIELDS)
        self.title_held = _columns(titled, ("title_held",))[0]
        self.passed = _columns(titled, ("spot_check_passed",))[0]
        self.key = self.unit[:2]  # 单位编号, 单位名称
        self.pool = _columns(pool, POOL_FIELDS)
        self.report = _columns(report, REPORT_FIELDS)
        self.scores_year = _columns(assessee, ("year",))[0]
        self.scores = _columns(scores, [f.name for f in scores.fields])
        self.incident_year = _columns(accountable, ("year",))[0]
        self.incidents = _columns(accountable, INCIDENT_FIELDS)

    def sheets(self) -> dict[str, list[str]]:
        """Each sheet's headers, in order."""
        unit_head = [c.label for c in self.unit]
        return {
            UNITS: [*unit_head[:3], TOWN_COLUMN, *unit_head[3:], self.title_held.label],
            REPORTS: [c.label for c in self.report],
            SCORES: [self.scores_year.label, *(c.label for c in self.key),
                     *(c.label for c in self.scores)],
            DRAWS: [c.label for c in self.pool],
            CHECKS: [self.pool[0].label, *(c.label for c in self.key), self.passed.label],
            INCIDENTS: [self.incident_year.label, *(c.label for c in self.key),
                        *(c.label for c in self.incidents)],
        }  # fmt: skip


# ------------------------------------------------------------------------------------------
# Cells


def _cell_of(value: Any, type_: Type) -> Any:
    """The cell an office would type for a fact value."""
    type_ = _strip(type_)
    if value is None:
        return None
    if isinstance(type_, BoolType):
        return YES if value else NO
    if isinstance(type_, EnumType):
        member = type_.member(value)
        return member.label if member is not None and member.label else value
    if isinstance(type_, ListType):
        return LIST_SEPARATOR.join(str(_cell_of(v, type_.element)) for v in value)
    if isinstance(type_, DateType):
        return datetime.date.fromisoformat(value) if isinstance(value, str) else value
    return value


def _value_of(cell: Any, type_: Type) -> Any:
    """The fact value of a cell; raises ValueError with what was expected."""
    optional = isinstance(type_, OptionalType)
    type_ = _strip(type_)
    if cell is None or cell == "":
        if optional:
            return None
        raise ValueError("a value is needed, found an empty cell")
    if isinstance(type_, BoolType):
        if isinstance(cell, bool):
            return cell
        if cell in (YES, NO):
            return cell == YES
        raise ValueError(f"expected {YES} or {NO}, found {cell!r}")
    if isinstance(type_, IntType):
        if isinstance(cell, bool) or not isinstance(cell, int | float):
            raise ValueError(f"expected a whole number, found {cell!r}")
        number = _decimal(cell)
        if number != number.to_integral_value():
            raise ValueError(f"expected a whole number, found {cell!r}")
        return int(number)
    if isinstance(type_, NumberType):
        if isinstance(cell, bool) or not isinstance(cell, int | float | Decimal):
            raise ValueError(f"expected a number, found {cell!r}")
        return _decimal(cell)
    if isinstance(type_, EnumType):
        for member in type_.members:
            if cell in (member.label, member.name):
                return member.name
        known = "、".join(m.label or m.name for m in type_.members)
        raise ValueError(f"expected one of {known}, found {cell!r}")
    if isinstance(type_, ListType):
        parts = [p.strip() for p in str(cell).split(LIST_SEPARATOR) if p.strip()]
        return [_value_of(p, type_.element) for p in parts]
    if isinstance(type_, DateType):
        if isinstance(cell, datetime.datetime):
            return cell.date().isoformat()
        if isinstance(cell, datetime.date):
            return cell.isoformat()
        try:
            return datetime.date.fromisoformat(str(cell)).isoformat()
        except ValueError:
            raise ValueError(f"expected a date, found {cell!r}") from None
    if isinstance(type_, TextType):
        return str(cell)
    raise ValueError(f"cannot read a cell of type {type_!r}")


def _decimal(number: int | float | Decimal) -> Decimal:
    """A cell's number as the decimal it shows: Excel keeps numbers as binary floats, and the
    shortest text that gives the same float back is what was typed (up to 15 digits)."""
    if isinstance(number, float):
        return Decimal(repr(number))
    return Decimal(number)


# ------------------------------------------------------------------------------------------
# Writing


def write_workbook(
    data: Mapping[str, Any], path: Path, policies: Mapping[str, wuxin_rules.Policy]
) -> None:
    """Write the district's facts (the shape of district.json) as the office's workbook."""
    layout = Layout(policies)
    rows: dict[str, list[list[Any]]] = {name: [] for name in layout.sheets()}
    for year in data["years"]:
        y = year["year"]
        titles = year["titles"]
        for town, units in [(t, [t, *t["units"]]) for t in year["towns"]] + [
            (None, year["district_units"])
        ]:
            for unit in units:
                cells = [_cell_of(_get(unit, c.path), c.type) for c in layout.unit]
                town_cell = town["name"] if town is not None else None
                held = _cell_of(titles[unit["id"]]["title_held"], layout.title_held.type)
                rows[UNITS].append([*cells[:3], town_cell, *cells[3:], held])
                title = titles[unit["id"]]
                if title["spot_checked"]:
                    rows[CHECKS].append([
                        y, unit["id"], unit["name"],
                        _cell_of(title["spot_check_passed"], layout.passed.type),
                    ])  # fmt: skip
                flags = year["incidents"].get(unit["id"])
                if flags:
                    rows[INCIDENTS].append([
                        y, unit["id"], unit["name"],
                        *(_cell_of(flags.get(c.path[0], False), c.type) for c in layout.incidents),
                    ])  # fmt: skip
        for report in year["reports"]:
            rows[REPORTS].append([_cell_of(_get(report, c.path), c.type) for c in layout.report])
        names = {t["id"]: t["name"] for t in year["towns"]}
        for tid, scores in year["scores"].items():
            rows[SCORES].append([y, tid, names[tid], *(scores[c.path[0]] for c in layout.scores)])
        for check in year["spot_checks"]:
            record = {**check, "year": y}
            rows[DRAWS].append([_cell_of(record[c.path[0]], c.type) for c in layout.pool])
    _save(layout, rows, path)


def _get(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for name in path:
        value = value[name]
    return value


def _save(layout: Layout, rows: Mapping[str, list[list[Any]]], path: Path) -> None:
    openpyxl = _openpyxl()
    from openpyxl.styles import Alignment, Font, PatternFill

    book = openpyxl.Workbook()
    book.remove(book.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    formats = {
        label: _number_format(type_)
        for columns in (layout.unit, layout.scores, layout.report)
        for label, type_ in ((c.label, c.type) for c in columns)
    }
    for name, headers in layout.sheets().items():
        sheet = book.create_sheet(name)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font, cell.fill = header_font, header_fill
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows[name]:
            sheet.append(row)
        for index, header in enumerate(headers, 1):
            letter = openpyxl.utils.get_column_letter(index)
            sheet.column_dimensions[letter].width = min(max(8, 2 * len(header) + 2), 24)
            number_format = formats.get(header)
            if number_format:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = number_format
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
    book.properties.creator = "examples/district/generate.py"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_stable(buffer.getvalue()))


def _number_format(type_: Type) -> str | None:
    type_ = _strip(type_)
    if isinstance(type_, DateType):
        return "yyyy-mm-dd"
    if isinstance(type_, NumberType) and not isinstance(type_, IntType):
        return "0.0##"
    return None


def _stable(xlsx: bytes) -> bytes:
    """The same workbook with fixed times (its properties and each zip entry), so that the
    same facts give the same bytes on every run."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = body.decode("utf-8")
                text = re.sub(r"(<dcterms:(created|modified)[^>]*>)[^<]*", rf"\g<1>{stamp}", text)
                body = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, body)
    return out.getvalue()


# ------------------------------------------------------------------------------------------
# Reading


class _Sheet:
    """One sheet's rows as {header: cell}, with the cell's address for errors."""

    def __init__(self, sheet: Any, wanted: Sequence[str], problems: list[str]) -> None:
        self.name = sheet.title
        rows = sheet.iter_rows(values_only=True)
        headers = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        self.index = {h: i for i, h in enumerate(headers) if h}
        self.ok = True
        for header in wanted:
            if header not in self.index:
                problems.append(f"{self.name}!1: no column {header!r} (the columns are "
                                f"{'、'.join(h for h in headers if h) or 'none'})")  # fmt: skip
                self.ok = False
        self.rows = [row for row in rows if any(v not in (None, "") for v in row)]

    @classmethod
    def empty(cls, name: str) -> _Sheet:
        sheet = cls.__new__(cls)
        sheet.name, sheet.index, sheet.ok, sheet.rows = name, {}, False, []
        return sheet

    def records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        for number, row in enumerate(self.rows, 2):
            yield number, {h: (row[i] if i < len(row) else None) for h, i in self.index.items()}

    def address(self, header: str, row: int) -> str:
        from openpyxl.utils import get_column_letter

        return f"{self.name}!{get_column_letter(self.index[header] + 1)}{row} ({header})"


class _Reader:
    def __init__(self, sheet: _Sheet, problems: list[str]) -> None:
        self.sheet = sheet
        self.problems = problems

    def value(self, row: int, cells: Mapping[str, Any], header: str, type_: Type) -> Any:
        try:
            return _value_of(cells[header], type_)
        except ValueError as error:
            self.problems.append(f"{self.sheet.address(header, row)}: {error}")
            return None

    def record(self, row: int, cells: Mapping[str, Any], columns: Sequence[Column]) -> dict[str, Any]:  # fmt: skip
        record: dict[str, Any] = {}
        for column in columns:
            target = record
            for name in column.path[:-1]:
                target = target.setdefault(name, {})
            target[column.path[-1]] = self.value(row, cells, column.label, column.type)
        return record


def read_workbook(path: Path, policies: Mapping[str, wuxin_rules.Policy]) -> dict[str, Any]:
    """The district's facts from its workbook, in the shape of district.json (`years`).

    Raises WorkbookError naming every bad cell (`单位!F7 (制毒窝点数): …`) or missing column."""
    openpyxl = _openpyxl()
    layout = Layout(policies)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise WorkbookError(path, [f"cannot read the workbook: {error}"]) from None
    problems: list[str] = []
    sheets: dict[str, _Sheet] = {}
    for name, headers in layout.sheets().items():
        if name not in book.sheetnames:
            problems.append(f"no sheet {name!r} (the sheets are {'、'.join(book.sheetnames)})")
            continue
        sheets[name] = _Sheet(book[name], headers, problems)
    book.close()
    # A sheet missing a column is left out; the others are read, so that every problem is
    # reported at once.
    for name in layout.sheets():
        if name not in sheets or not sheets[name].ok:
            sheets[name] = _Sheet.empty(name)

    years: dict[int, dict[str, Any]] = {}

    def year_of(y: Any) -> dict[str, Any]:
        return years.setdefault(y, {
            "year": y, "towns": [], "district_units": [], "titles": {}, "spot_checks": [],
            "reports": [], "scores": {}, "incidents": {},
        })  # fmt: skip

    units = _Reader(sheets[UNITS], problems)
    year_column = next(c for c in layout.unit if c.path == ("year",))
    towns_by_name: dict[tuple[Any, str], dict[str, Any]] = {}
    for row, cells in units.sheet.records():
        unit = units.record(row, cells, layout.unit)
        year = year_of(unit["year"])
        town_name = cells.get(TOWN_COLUMN)
        held = units.value(row, cells, layout.title_held.label, layout.title_held.type)
        year["titles"][unit["id"]] = {
            "title_held": held, "spot_checked": False, "spot_check_passed": None,
        }  # fmt: skip
        if town_name in (None, ""):
            year["district_units"].append(unit)
        elif town_name == unit["name"]:
            town = {**unit, "units": []}
            towns_by_name[(unit["year"], unit["name"])] = town
            year["towns"].append(town)
        elif (unit["year"], town_name) in towns_by_name:
            towns_by_name[(unit["year"], town_name)]["units"].append(unit)
        else:
            problems.append(f"{units.sheet.address(TOWN_COLUMN, row)}: no town named "
                            f"{town_name!r} in {year_column.label} {unit['year']} above this row")  # fmt: skip

    checks = _Reader(sheets[CHECKS], problems)
    for row, cells in checks.sheet.records():
        y = checks.value(row, cells, layout.pool[0].label, layout.pool[0].type)
        uid = checks.value(row, cells, layout.key[0].label, layout.key[0].type)
        title = year_of(y)["titles"].get(uid)
        if title is None:
            problems.append(f"{checks.sheet.address(layout.key[0].label, row)}: no unit {uid!r} "
                            f"in the sheet {UNITS} for {y}")  # fmt: skip
            continue
        passed = checks.value(row, cells, layout.passed.label, layout.passed.type)
        title.update(spot_checked=True, spot_check_passed=passed)

    draws = _Reader(sheets[DRAWS], problems)
    for row, cells in draws.sheet.records():
        draw = draws.record(row, cells, layout.pool)
        year_of(draw.pop("year"))["spot_checks"].append(draw)

    reports = _Reader(sheets[REPORTS], problems)
    for row, cells in reports.sheet.records():
        report = reports.record(row, cells, layout.report)
        year_of(report["year"])["reports"].append(report)

    scores = _Reader(sheets[SCORES], problems)
    for row, cells in scores.sheet.records():
        y = scores.value(row, cells, layout.scores_year.label, layout.scores_year.type)
        uid = scores.value(row, cells, layout.key[0].label, layout.key[0].type)
        year_of(y)["scores"][uid] = scores.record(row, cells, layout.scores)

    incidents = _Reader(sheets[INCIDENTS], problems)
    for row, cells in incidents.sheet.records():
        y = incidents.value(row, cells, layout.incident_year.label, layout.incident_year.type)
        uid = incidents.value(row, cells, layout.key[0].label, layout.key[0].type)
        flags = incidents.record(row, cells, layout.incidents)
        year_of(y)["incidents"][uid] = {name: True for name, on in flags.items() if on}

    if problems:
        raise WorkbookError(path, problems)
    return {"years": [years[y] for y in sorted(years)]}
