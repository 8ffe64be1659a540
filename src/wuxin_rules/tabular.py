"""Facts from tables: CSV, TSV and Excel sheets read into facts documents, one row each.

A table's first row holds its headers. A header names one leaf field of an input, either
by its dotted path of field names (`applicant.income`, `applicant.address.city`;
the input's name may be left out when the policy has one input, or when `input=` names it)
or by labels as the policy writes them (`月收入`, and `住址.城市`,
the record's label before the field's, where the field's label alone is ambiguous).
Rows whose first non-empty cell starts with `#` are notes (the second row of a template)
and are skipped, as are empty rows.

Each cell is read by the type of its field (`read_cell`): numbers exactly (an Excel number
as the decimal Excel shows, at most 15 significant digits, never the binary float's
digits), enum members by name or label, booleans as `true/false`, `是/否` or Excel
booleans, dates as ISO text or Excel dates, lists of plain values as one cell separated by
`,`, `，`, `、` or `;`; an empty cell is `none` for an optional field and a problem
otherwise. Bounds are checked here too, so that every problem is located at its cell:
`cases.xlsx: 申请人!D7 (月收入)`.

A field that is a list of records is read from a second sheet (Excel) or file (CSV: the
main file's name with the field before the suffix, `shops.staff.csv`), named after the
field's path or label. One of its columns links each row to the row of the main table it
belongs to: its header is the full path (input name included) of a column of the main
table, e.g. `shop.id`; the other headers are the list element's fields.

Owns no evaluation: `read_documents` returns `TableRow`s (a document, or the problems of
the row) for the caller to evaluate. `write_rows` writes result rows as CSV or Excel.
May import `source`, `errors`, `schema`, `values`, `model` and `messages`.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import attrs

from wuxin_rules import model, zones
from wuxin_rules.errors import Diagnostic, FactError, UsageError, os_reason, suggest
from wuxin_rules.messages import english
from wuxin_rules.schema import (
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    IntType,
    ListType,
    NumberType,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
    describe,
)
from wuxin_rules.values import decimal_places, parse_duration

__all__ = [
    "TABLE_SUFFIXES",
    "Column",
    "Layout",
    "Sheet",
    "TableRow",
    "column_letter",
    "layout",
    "read_book",
    "read_cell",
    "read_documents",
    "require_openpyxl",
    "write_rows",
]

TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx")
"""The file suffixes `wuxin eval` reads as tables."""

Cell = str | int | float | bool | datetime.date | datetime.time | Decimal | None
"""A cell as read: text from CSV; Excel's number, boolean, date or text; None when empty."""

_LIST_SEPARATORS = re.compile(r"\s*[,，、;；]\s*")
_TRUE = frozenset({"true", "是"})
_FALSE = frozenset({"false", "否"})
_INT_TEXT = re.compile(r"[+-]?[0-9]{1,4300}")
_DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]{1,4300}(?:\.[0-9]{0,4300})?|\.[0-9]{1,4300})")
_DATE_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PREVIEW = 40


def require_openpyxl(what: str) -> Any:
    """The `openpyxl` module, or a `missing-dependency` usage error naming the extra."""
    try:
        import openpyxl  # type: ignore[import-untyped,unused-ignore]
    except ImportError as error:
        raise UsageError(
            Diagnostic(
                "missing-dependency",
                english("tabular.needs-openpyxl-cannot-be", what=what, error=error),
                help=english("tabular.install-pip-install-wuxin.help"),
            )
        ) from None
    return openpyxl


# ------------------------------------------------------------------------------------------
# Headers: which spellings name which field.


@attrs.frozen
class Column:
    """A leaf field a column may hold: its path of field names (input first) and type."""

    path: tuple[str, ...]
    type: Type
    labels: tuple[str | None, ...]
    """The label of each step of `path` (the input's, then each field's)."""
    required: bool
    """False when the field or a record above it is optional (then the cell may be empty)."""
    cites: tuple[str, ...] = ()
    """The citations of the field."""

    @property
    def name(self) -> str:
        """The dotted path: `applicant.address.city`."""
        return ".".join(self.path)

    def title(self, lang: str = "en", *, with_input: bool = False) -> str:
        """The header a template writes: names in English, labels in Chinese."""
        steps = self.path if with_input else self.path[1:] or self.path
        if lang != "zh":
            return ".".join(steps)
        labels = self.labels if with_input else self.labels[1:] or self.labels
        if labels and labels[-1]:
            return str(labels[-1])
        return ".".join(steps)


@attrs.frozen
class ListSheet:
    """A list-of-records field read from a sheet of its own."""

    path: tuple[str, ...]
    labels: tuple[str | None, ...]
    element: RecordType
    required: bool
    layout: Layout


@attrs.frozen
class Layout:
    """The columns (and list sheets) of a table of one kind of row, with every spelling."""

    columns: tuple[Column, ...]
    lists: tuple[ListSheet, ...]
    spellings: Mapping[str, tuple[int, ...]]
    """Each accepted header text → the indexes of the columns it may name (one unless
    ambiguous)."""
    full_spellings: Mapping[str, tuple[int, ...]]
    """The spellings that include the first step (the input): how a list sheet names the
    main table's column it links to."""
    list_spellings: Mapping[str, tuple[int, ...]]

    def resolve(self, header: str) -> tuple[int, ...]:
        return self.spellings.get(_normal(header), ())

    def resolve_list(self, header: str) -> tuple[int, ...]:
        """The indexes of the list sheets a header (or a frame's column name) may name."""
        return self.list_spellings.get(_normal(header), ())


def _normal(header: str) -> str:
    # Full-width dots and spaces around them are what people type in Chinese headers.
    return re.sub(r"\s*[.．。]\s*", ".", header.strip())


def layout(inputs: Sequence[model.InputDef], input: str | None = None) -> Layout:
    """The layout of a facts table for these inputs (or for the one named `input`)."""
    chosen = list(inputs)
    if input is not None:
        chosen = [i for i in inputs if i.name == input]
        if not chosen:
            names = [i.name for i in inputs]
            raise UsageError(
                Diagnostic(
                    "unknown-input",
                    english("no-input-named", input=input),
                    help=suggest(input, names)
                    or english("facts.inputs-are.help", names=_names(names)),
                )
            )
    steps = [((i.name,), (i.label,), (i.label,), i.type, True) for i in chosen]
    return _layout(steps)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _layout(
    roots: Sequence[tuple[tuple[str, ...], tuple[str | None, ...], tuple[Any, ...], Type, bool]],
) -> Layout:
    columns: list[Column] = []
    lists: list[ListSheet] = []
    alternatives: list[tuple[tuple[str, ...], ...]] = []  # per column: per step, spellings
    list_alternatives: list[tuple[tuple[str, ...], ...]] = []

    def walk(
        path: tuple[str, ...],
        labels: tuple[str | None, ...],
        alts: tuple[tuple[str, ...], ...],
        type_: Type,
        required: bool,
        cites: tuple[str, ...] = (),
    ) -> None:
        inner = type_.inner if isinstance(type_, OptionalType) else type_
        required = required and not isinstance(type_, OptionalType)
        if isinstance(inner, RecordType):
            for field in inner.fields:
                field_type = field.type.inner if isinstance(field.type, OptionalType) else None
                record_label = (
                    field_type.label
                    if isinstance(field_type, RecordType)
                    else (field.type.label if isinstance(field.type, RecordType) else None)
                )
                spelled = tuple(s for s in (field.name, field.label, record_label) if s)
                walk(
                    (*path, field.name),
                    (*labels, field.label),
                    (*alts, spelled),
                    field.type,
                    required,
                    field.cites,
                )
            return
        if isinstance(inner, ListType) and isinstance(_strip(inner.element), RecordType):
            element = _strip(inner.element)
            assert isinstance(element, RecordType)
            sub = _layout([(("",), (None,), (("",),), element, True)])
            lists.append(ListSheet(path, labels, element, required, sub))
            list_alternatives.append(alts)
            return
        element = _strip(inner.element) if isinstance(inner, ListType) else inner
        if isinstance(element, SumType):
            # A member's fields differ from member to member: no one set of columns holds them.
            raise UsageError(
                Diagnostic(
                    "unsupported-type",
                    english("sum.no-table-cell", field=".".join(path), type=element.name),
                    help=english("sum.no-table-cell.help"),
                )
            )
        columns.append(Column(path, type_, labels, required, cites))
        alternatives.append(alts)

    for path, labels, _, type_, required in roots:
        first = tuple(s for s in (path[0], labels[0]) if s)
        if isinstance(_strip(type_), RecordType):
            record = _strip(type_)
            assert isinstance(record, RecordType)
            if record.label and path != ("",):
                first = (*first, record.label)
        walk(path, labels, (first,), type_, required)

    def index(
        alternatives: list[tuple[tuple[str, ...], ...]], full_only: bool
    ) -> dict[str, tuple[int, ...]]:
        # Every tail of the path, each step spelt by its name or a label; a spelling that
        # names several columns is refused only when a header uses it (`resolve`).
        table: dict[str, list[int]] = {}
        for number, alts in enumerate(alternatives):
            spelled: set[str] = set()
            for start in (0,) if full_only else range(len(alts)):
                for combo in itertools.product(*alts[start:]):
                    if combo and all(combo):
                        spelled.add(_normal(".".join(combo)))
            for text in spelled:
                table.setdefault(text, []).append(number)
        return {text: tuple(numbers) for text, numbers in table.items()}

    # A list element's layout has the placeholder step "" first: drop it from spellings.
    return Layout(
        tuple(columns),
        tuple(lists),
        index(alternatives, False),
        index(alternatives, True),
        index(list_alternatives, False),
    )


def _strip(type_: Type) -> Type:
    return type_.inner if isinstance(type_, OptionalType) else type_


# ------------------------------------------------------------------------------------------
# Cells


class CellProblem(Exception):
    """A cell that cannot be read as its field's type."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


def expected(type_: Type) -> str:
    """What a cell of `type_` must hold: `a whole number ≥ 0`, `true/false (是/否)`."""
    inner = _strip(type_)
    match inner:
        case IntType(bound=bound):
            return _bounded(english("a whole number"), bound, False)
        case NumberType(kind="percent", bound=bound):
            return _bounded(english("a percentage"), bound, True)
        case NumberType(bound=bound, scale=int(scale)):
            return _bounded(english("facts.fixed-number", places=scale), bound, False)
        case NumberType(bound=bound):
            return _bounded(english("a decimal number"), bound, False)
        case BoolType():
            return english("true/false (是/否)")
        case DateType():
            return english("a date (YYYY-MM-DD)")
        case DurationType():
            return english("a duration (ISO 8601, such as P1M or P3D)")
        case DateTimeType():
            return english("a date-time (2025-03-01T08:30+08:00)")
        case TimeType():
            return english("a time of day (08:30)")
        case TextType():
            return english("text")
        case EnumType(members=members):
            return english("cell.one-of", members=_member_choices(members))
        case ListType(element=element):
            return english("cell.list-of", type=describe(element))
    return describe(inner)


def _member_choices(members: Sequence[Any]) -> str:
    """The first members of an enum as a cell may spell them: `small/小, big/大, …`."""
    shown = [m.name + (f"/{m.label}" if m.label else "") for m in members[:6]]
    return ", ".join(shown) + (", …" if len(members) > 6 else "")


def _bounded(what: str, bound: Any, percent: bool) -> str:
    if bound is None:
        return what
    text = bound.describe(percent).replace(">=", "≥").replace("<=", "≤")
    if text.startswith("≥ "):
        return english("cell.at-least", what=what, bound=text[2:])
    if text.startswith("≤ "):
        return english("cell.at-most", what=what, bound=text[2:])
    if not text[0].isdigit() and text[0] != "-":
        return english("cell.bounded", what=what, bound=text)
    return english("cell.in", what=what, bound=text)


def _shown(cell: Cell) -> str:
    """The cell as a message quotes it: `"一"`, `3.5`, `TRUE`, `2020-01-01`."""
    if isinstance(cell, str):
        text = cell if len(cell) <= _PREVIEW else cell[: _PREVIEW - 1] + "…"
        return '"' + text.replace('"', '\\"') + '"'
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return _excel_number(cell)
    if isinstance(cell, datetime.datetime):
        return cell.isoformat(sep=" ")
    if isinstance(cell, datetime.date | datetime.time):
        return cell.isoformat()
    return str(cell)


def _excel_number(value: float) -> str:
    """The decimal Excel shows for a number cell: 15 significant digits, no binary tail."""
    text = format(value, ".15g")
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def _cut(text: str) -> str:
    return text if len(text) <= _PREVIEW else text[: _PREVIEW - 1] + "…"


def _empty(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_cell(cell: Cell, type_: Type) -> Any:
    """The facts value of `cell` for a field of `type_` (None for an empty optional cell,
    the empty list for an empty cell of a list).

    Raises `CellProblem` for a cell that does not hold such a value (an empty cell of a
    required field is `missing-fact`; a number outside the bounds `fact-out-of-bounds`).
    """
    if _empty(cell):
        if isinstance(type_, OptionalType):
            return None
        if isinstance(type_, ListType):
            return ()  # an empty cell is the empty list
        raise CellProblem(
            "missing-fact",
            english("tabular.expected-found-empty-cell", expected=expected(type_)),
            english("cell.empty-optional"),
        )
    inner = _strip(type_)
    if isinstance(inner, ListType):
        if isinstance(cell, str):
            parts = [p for p in _LIST_SEPARATORS.split(cell.strip()) if p]
            return tuple(read_cell(part, inner.element) for part in parts)
        return (read_cell(cell, inner.element),)
    return _leaf(cell, inner)


def _leaf(cell: Cell, type_: Type) -> Any:
    def wrong() -> CellProblem:  # built only for a bad cell: the message costs more than a read
        return CellProblem(
            "bad-fact", english("expected-found", expected=expected(type_), found=_shown(cell))
        )

    match type_:
        case IntType(bound=bound):
            number = _number(cell)
            if number is None or (isinstance(number, Decimal) and number != number.to_integral()):
                raise wrong()
            value = int(number)
            _check_bound(value, bound, type_, cell)
            return value
        case NumberType(kind=kind, bound=bound):
            number = _number(cell, percent_text=True)
            if number is None:
                raise CellProblem(
                    "bad-fact",
                    wrong().message,
                    english(
                        "tabular.write-percent.help"
                        if kind == "percent"
                        else "tabular.write-number.help"
                    ),
                )
            places = decimal_places(Fraction(number))
            if type_.scale is not None and (places is None or places > type_.scale):
                # An amount as Excel shows it (its 15-digit decimal), read exactly: a cell
                # of more places than the field's scale is refused, never rounded.
                raise CellProblem(
                    "bad-fact",
                    english("facts.too-many-places", found=_shown(cell), places=type_.scale),
                    english("facts.too-many-places.help", places=type_.scale),
                )
            _check_bound(Fraction(number), bound, type_, cell)
            return number
        case BoolType():
            if isinstance(cell, bool):
                return cell
            if isinstance(cell, str):
                text = cell.strip().lower()
                if text in _TRUE:
                    return True
                if text in _FALSE:
                    return False
            raise CellProblem(
                "bad-fact", wrong().message, english("tabular.write-true-or-false.help")
            )
        case DateType():
            if isinstance(cell, datetime.datetime):
                if cell.time() != datetime.time(0):
                    raise CellProblem(
                        "bad-fact", wrong().message, english("tabular.date-without-time-day.help")
                    )
                return cell.date()
            if isinstance(cell, datetime.date):
                return cell
            if isinstance(cell, str) and _DATE_TEXT.fullmatch(cell.strip()):
                try:
                    return datetime.date.fromisoformat(cell.strip())
                except ValueError:
                    raise CellProblem(
                        "invalid-date", english("not-a-date", date=cell.strip())
                    ) from None
            raise CellProblem(
                "bad-fact", wrong().message, english("tabular.write-date-as-2017.help")
            )
        case DateTimeType():
            # An Excel date-time has no zone: it is refused, with the hint to write the text.
            if isinstance(cell, str):
                try:
                    return zones.parse(cell.strip())
                except zones.ZoneError:
                    pass
            raise CellProblem("bad-fact", wrong().message, english("datetime-fact.help"))
        case TimeType():
            # A spreadsheet's time cell (a `datetime.time`), or the text `08:30`.
            if isinstance(cell, str):
                try:
                    return zones.parse_clock(cell.strip())
                except zones.ZoneError:
                    pass
            elif type(cell) is datetime.time and cell.tzinfo is None:
                return cell.replace(microsecond=0)
            raise CellProblem("bad-fact", wrong().message, english("time-fact.help"))
        case DurationType():
            duration = parse_duration(cell.strip()) if isinstance(cell, str) else None
            if duration is None:
                raise CellProblem("bad-fact", wrong().message, english("duration-fact.help"))
            return duration
        case TextType():
            if isinstance(cell, str):
                return cell
            if isinstance(cell, bool | datetime.date | datetime.time):
                raise wrong()
            if isinstance(cell, float):
                return _excel_number(cell)
            return str(cell)
        case EnumType(members=members, name=name):
            text = _shown(cell) if not isinstance(cell, str) else cell.strip()
            for member in members:
                if text == member.name:
                    return member.name
            by_label = [m.name for m in members if m.label == text]
            if len(by_label) == 1:
                return by_label[0]
            spellings = [m.name for m in members] + [m.label for m in members if m.label]
            raise CellProblem(
                "unknown-member",
                english("unknown-member", member=_cut(text), enum=name),
                suggest(text, spellings)
                or english("cell.write-one-of", members=_member_choices(members)),
            )
    raise CellProblem("bad-fact", wrong().message)


def _number(cell: Cell, *, percent_text: bool = False) -> int | Decimal | None:
    """The exact number in a cell, or None. Text: digits with an optional decimal point
    (and a final `%` where allowed); Excel numbers: their 15-significant-digit decimal."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, Decimal):
        return cell
    if isinstance(cell, float):
        if cell != cell or cell in (float("inf"), float("-inf")):
            return None
        return Decimal(_excel_number(cell))
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    scale = 1
    if percent_text and text.endswith("%"):
        text = text[:-1].rstrip()
        scale = 100
    if _INT_TEXT.fullmatch(text) and scale == 1:
        return int(text)
    if not _DECIMAL_TEXT.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None
    return number / scale if scale != 1 else number


def _check_bound(value: Any, bound: Any, type_: Type, cell: Cell) -> None:
    if bound is not None and not bound.admits(Fraction(value)):
        raise CellProblem(
            "fact-out-of-bounds",
            english("expected-found", expected=expected(type_), found=_shown(cell)),
            english(
                "tabular.field-declared.help",
                type_=describe(type_),
                bound=bound.describe(_is_percent(type_)),
            ),
        )


def _is_percent(type_: Type) -> bool:
    return isinstance(type_, NumberType) and type_.kind == "percent"


# ------------------------------------------------------------------------------------------
# Reading files


@attrs.frozen
class Sheet:
    """One table: its rows of cells, the file it came from and (Excel) its sheet name."""

    file: str
    name: str | None
    rows: tuple[tuple[Cell, ...], ...]

    def where(self, row: int, column: int | None = None) -> str:
        """`Sheet1!D7` (Excel) or `D7` (CSV) for a cell; `Sheet1!7` or `row 7` (a message:
        `第 7 行` in Chinese) for a row."""
        cell = f"{column_letter(column)}{row}" if column is not None else None
        if self.name is None:
            return cell or english("tabular.row", row=row)
        return f"{self.name}!{cell or row}"


def column_letter(index: int) -> str:
    """`A` for 0, `Z` for 25, `AA` for 26: the spreadsheet's name of a column."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def read_book(path: Path, shown: str) -> tuple[Sheet, dict[str, Sheet]]:
    """The main sheet of a table file and its other sheets by name (CSV: the companion
    files `STEM.NAME.csv` beside it)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _read_xlsx(path, shown)
    delimiter = "\t" if suffix == ".tsv" else ","
    main = _read_delimited(path, shown, delimiter)
    others: dict[str, Sheet] = {}
    prefix = path.name[: -len(path.suffix)] + "."
    for companion in sorted(path.parent.glob(f"{glob_escape(prefix)}*{path.suffix}")):
        name = companion.name[len(prefix) : -len(path.suffix)]
        if name:
            others[name] = _read_delimited(
                companion, str(Path(shown).parent / companion.name), delimiter
            )
    return main, others


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _unreadable(shown: str, error: BaseException) -> UsageError:
    reason = os_reason(error, getattr(error, "strerror", None) or str(error))
    return UsageError(
        Diagnostic(
            "unreadable-file",
            english("cannot-read-file", file=shown, reason=reason),
            help=english("check-path-readable"),
        )
    )


def _read_delimited(path: Path, shown: str, delimiter: str) -> Sheet:
    try:
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = tuple(tuple(row) for row in csv.reader(stream, delimiter=delimiter))
    except UnicodeDecodeError as error:
        raise FactError(
            Diagnostic(
                "bad-encoding",
                english("table-not-utf8", file=shown, index=error.start),
                file=shown,
                help=english("save-csv-utf8"),
            )
        ) from None
    except (OSError, csv.Error) as error:
        raise _unreadable(shown, error) from None
    return Sheet(shown, None, rows)


def _read_xlsx(path: Path, shown: str) -> tuple[Sheet, dict[str, Sheet]]:
    openpyxl = require_openpyxl(english("reading Excel files"))
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not xlsx
        raise _unreadable(shown, error) from None
    try:
        sheets = [
            Sheet(
                shown,
                sheet.title,
                tuple(
                    tuple(_xlsx_cell(value) for value in row)
                    for row in sheet.iter_rows(min_row=1, min_col=1, values_only=True)
                ),
            )
            for sheet in book.worksheets
        ]
    finally:
        book.close()
    if not sheets:  # pragma: no cover - openpyxl refuses a workbook without sheets
        raise _unreadable(shown, ValueError("the workbook has no sheet"))
    return sheets[0], {sheet.name or "": sheet for sheet in sheets[1:]}


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(
        value, str | int | float | bool | datetime.date | datetime.time | Decimal
    ):
        return value  # type: ignore[no-any-return,unused-ignore]
    return str(value)


# ------------------------------------------------------------------------------------------
# Rows to documents


@attrs.frozen
class TableRow:
    """One row of the main table: where it is, its document, and its problems (when there
    are any, the document holds only the cells that could be read)."""

    where: str
    document: dict[str, Any]
    problems: tuple[Diagnostic, ...] = ()


def _problem(
    sheet: Sheet, row: int, column: int | None, header: str | None, exc: Any
) -> Diagnostic:
    place = sheet.where(row, column)
    if header:
        place = english("tabular.place-header", place=place, header=header)
    return Diagnostic(exc.code, exc.message, help=exc.help, path=place, file=sheet.file)


def _skipped(row: Sequence[Cell]) -> bool:
    """Empty rows and notes rows (first non-empty cell starting with `#`)."""
    for cell in row:
        if not _empty(cell):
            return isinstance(cell, str) and cell.lstrip().startswith("#")
    return True


def _headers(
    sheet: Sheet, table: Layout, link: Layout | None
) -> tuple[dict[int, int], int | None, list[Diagnostic]]:
    """Column position → column index of `table`; the position of the link column (list
    sheets: a header naming a column of `link`, the main table); problems."""
    problems: list[Diagnostic] = []
    found: dict[int, int] = {}
    link_at: int | None = None
    header_row = sheet.rows[0] if sheet.rows else ()
    seen: dict[int, int] = {}
    for position, cell in enumerate(header_row):
        if _empty(cell):
            continue
        text = str(cell).strip()
        matches = table.resolve(text)
        if not matches and link is not None:
            linked = link.full_spellings.get(_normal(text), ())
            if len(linked) == 1 and link_at is None:
                link_at = position
                continue
        place = sheet.where(1, position)
        if len(matches) > 1:
            names = [table.columns[i].name for i in matches]
            problems.append(
                Diagnostic(
                    "ambiguous-column",
                    english("header-may-name", text=text, names=_names(names)),
                    help=english(
                        "label-before-field.help",
                        example=_example_spelling(table.columns[matches[0]]),
                    ),
                    path=place,
                    file=sheet.file,
                )
            )
            continue
        if not matches:
            spellings = list(table.spellings)
            problems.append(
                Diagnostic(
                    "unknown-column",
                    english("cell.unknown-column", name=text),
                    help=suggest(text, spellings)
                    or english(
                        "cell.header-is.help",
                        example=(
                            table.columns[0].title(with_input=False) if table.columns else "id"
                        ),
                    ),
                    path=place,
                    file=sheet.file,
                )
            )
            continue
        if matches[0] in seen:
            problems.append(
                Diagnostic(
                    "duplicate-column",
                    english("names-field-again", text=text, field=table.columns[matches[0]].name),
                    help=english("already-column", column=column_letter(seen[matches[0]])),
                    path=place,
                    file=sheet.file,
                )
            )
            continue
        seen[matches[0]] = position
        found[position] = matches[0]
    present = set(found.values())
    missing = [
        column
        for index, column in enumerate(table.columns)
        if index not in present and column.required
    ]
    for column in missing:
        label = column.labels[-1]
        problems.append(
            Diagnostic(
                "missing-column",
                english("cell.no-column-labelled", field=_shown_path(column), label=label)
                if label
                else english("cell.no-column", field=_shown_path(column)),
                help=english(
                    "tabular.add-column-labelled.help", field=_shown_path(column), label=label
                )
                if label
                else english("tabular.add-column.help", field=_shown_path(column)),
                path=sheet.where(1),
                file=sheet.file,
            )
        )
    return found, link_at, problems


def _shown_path(column: Column) -> str:
    return ".".join(step for step in column.path if step)


def _example_spelling(column: Column) -> str:
    labels = [label for label in column.labels[1:] if label]
    return ".".join(labels[-2:]) if len(labels) >= 2 else column.name


def _set(document: dict[str, Any], path: Sequence[str], value: Any) -> None:
    for step in path[:-1]:
        document = document.setdefault(step, {})
    document[path[-1]] = value


def _row_document(
    sheet: Sheet,
    number: int,
    row: Sequence[Cell],
    table: Layout,
    found: Mapping[int, int],
    problems: list[Diagnostic],
) -> dict[str, Any]:
    document: dict[str, Any] = {}
    # Empty cells of required fields inside an optional record: fine if the whole record
    # is empty (then it is `none`), a problem otherwise.
    pending: list[tuple[int, Column]] = []
    for position, index in found.items():
        column = table.columns[index]
        cell = row[position] if position < len(row) else None
        steps = [step for step in column.path if step]
        if not column.required and _empty(cell) and not isinstance(column.type, OptionalType):
            pending.append((position, column))
            _set(document, steps, None)
            continue
        try:
            value = read_cell(cell, column.type)
        except CellProblem as exc:
            header = sheet.rows[0][position]
            problems.append(_problem(sheet, number, position, str(header).strip(), exc))
            continue
        _set(document, steps, value)
    none_for_empty_optional_records(document, table)
    for position, column in pending:
        node: Any = document
        for step in [step for step in column.path if step][:-1]:
            node = node.get(step) if isinstance(node, dict) else None
        if isinstance(node, dict):
            try:
                read_cell(None, column.type)
            except CellProblem as exc:
                header = sheet.rows[0][position]
                problems.append(_problem(sheet, number, position, str(header).strip(), exc))
    return document


def none_for_empty_optional_records(document: dict[str, Any], table: Layout) -> None:
    """An optional record whose cells are all empty is `none`."""
    for column in table.columns:
        steps = [step for step in column.path if step]
        node: Any = document
        for step in steps[:-1]:
            if not isinstance(node, dict) or step not in node:
                break
            child = node[step]
            if isinstance(child, dict) and not column.required and _all_none(child):
                node[step] = None
                break
            node = child


def _all_none(record: Mapping[str, Any]) -> bool:
    return all(
        value is None or (isinstance(value, dict) and _all_none(value)) for value in record.values()
    )


def read_documents(
    path: Path,
    inputs: Sequence[model.InputDef],
    *,
    input: str | None = None,
    shown: str | None = None,
) -> list[TableRow]:
    """Every row of the table file `path` as a facts document, with the problems of each
    row located at their cells; problems of the table itself (headers, missing sheets)
    raise `FactError`."""
    name = shown or str(path)
    main, others = read_book(path, name)
    return documents(main, others, layout(inputs, input))


def documents(main: Sheet, others: Mapping[str, Sheet], table: Layout) -> list[TableRow]:
    """The rows of `main` (with the list sheets among `others`) as documents."""
    found, _, problems = _headers(main, table, None)
    children, child_problems, orphans = _list_sheets(main, others, table)
    problems.extend(child_problems)
    if problems:
        raise FactError(problems)
    rows: list[TableRow] = []
    for number, row in enumerate(main.rows[1:], start=2):
        if _skipped(row):
            continue
        cell_problems: list[Diagnostic] = []
        document = _row_document(main, number, row, table, found, cell_problems)
        for field, (link_position, groups) in children.items():
            key = _key(row[link_position]) if link_position < len(row) else ""
            items, item_problems = groups.get(key, ([], []))
            cell_problems.extend(item_problems)
            _set(document, [step for step in field if step], items)
        where = english("tabular.file-place", file=main.file, place=main.where(number))
        rows.append(TableRow(where, document, tuple(cell_problems)))
    return rows + orphans


def _key(cell: Cell) -> str:
    if isinstance(cell, float):
        return _excel_number(cell)
    return "" if cell is None else str(cell).strip()


_Groups = dict[tuple[str, ...], tuple[int, dict[str, tuple[list[Any], list[Diagnostic]]]]]


def _list_sheets(
    main: Sheet, others: Mapping[str, Sheet], table: Layout
) -> tuple[_Groups, list[Diagnostic], list[TableRow]]:
    """For each list field: the main sheet's link position and the list items (with their
    problems) by key; the problems of the sheets' headers; the rows that link to no row."""
    problems: list[Diagnostic] = []
    result: _Groups = {}
    orphans: list[TableRow] = []
    by_spelling = {_normal(name): sheet for name, sheet in others.items()}
    header = main.rows[0] if main.rows else ()
    main_positions = {
        index: position
        for position, cell in enumerate(header)
        if not _empty(cell)
        for index in table.resolve(str(cell))[:1]
    }
    for number, sheet_spec in enumerate(table.lists):
        spellings = [text for text, numbers in table.list_spellings.items() if number in numbers]
        sheet = next((by_spelling[s] for s in spellings if s in by_spelling), None)
        field = _shown_path_steps(sheet_spec.path)
        if sheet is None:
            if sheet_spec.required:
                label = sheet_spec.labels[-1]
                problems.append(
                    Diagnostic(
                        "missing-column",
                        english("tabular.no-sheet-labelled", field=field, label=label)
                        if label
                        else english("tabular.no-sheet", field=field),
                        help=english(
                            "tabular.add-sheet.help",
                            what=(
                                english(
                                    "tabular.sheet-named-labelled",
                                    name=field.split(".")[-1],
                                    label=label,
                                )
                                if label
                                else english("tabular.sheet-named", name=field.split(".")[-1])
                            )
                            if main.name is not None
                            else english(
                                "tabular.the-file",
                                file=_companion(main.file, field.split(".")[-1]),
                            ),
                            example=".".join(table.columns[0].path),
                        ),
                        file=main.file,
                        path=main.where(1),
                    )
                )
            continue
        found, link_at, header_problems = _headers(sheet, sheet_spec.layout, table)
        if link_at is None:
            header_problems.append(
                Diagnostic(
                    "missing-column",
                    english(
                        "no-link-column",
                        sheet=sheet.name or sheet.file,
                        main=main.name or main.file,
                    ),
                    help=english("link-column.help", example=".".join(table.columns[0].path)),
                    file=sheet.file,
                    path=sheet.where(1),
                )
            )
        problems.extend(header_problems)
        if header_problems or link_at is None:
            continue
        link_header = _normal(str(sheet.rows[0][link_at]))
        linked_index = table.full_spellings[link_header][0]
        main_position = main_positions.get(linked_index)
        if main_position is None:
            problems.append(
                Diagnostic(
                    "missing-column",
                    english("main-no-column", header=link_header),
                    help=english("add-to-main"),
                    file=sheet.file,
                    path=sheet.where(1, link_at),
                )
            )
            continue
        keys = {
            _key(row[main_position])
            for row in main.rows[1:]
            if not _skipped(row) and main_position < len(row)
        }
        groups: dict[str, tuple[list[Any], list[Diagnostic]]] = {}
        for row_number, row in enumerate(sheet.rows[1:], start=2):
            if _skipped(row):
                continue
            key = _key(row[link_at]) if link_at < len(row) else ""
            row_problems: list[Diagnostic] = []
            item = _row_document(sheet, row_number, row, sheet_spec.layout, found, row_problems)
            if key not in keys:
                orphans.append(
                    TableRow(
                        english(
                            "tabular.file-place", file=sheet.file, place=sheet.where(row_number)
                        ),
                        {},
                        (
                            Diagnostic(
                                "unknown-key",
                                english("no-main-row", header=link_header, value=_shown(key)),
                                help=english("link-each-row"),
                                file=sheet.file,
                                path=sheet.where(row_number, link_at)
                                + f" ({str(sheet.rows[0][link_at]).strip()})",
                            ),
                            *row_problems,
                        ),
                    )
                )
                continue
            items, item_problems = groups.setdefault(key, ([], []))
            items.append(item)
            item_problems.extend(row_problems)
        result[sheet_spec.path] = (main_position, groups)
    return result, problems, orphans


def _shown_path_steps(path: Sequence[str]) -> str:
    return ".".join(step for step in path if step)


def _companion(file: str, name: str) -> str:
    path = Path(file)
    return str(path.with_name(f"{path.stem}.{name}{path.suffix}"))


# ------------------------------------------------------------------------------------------
# Writing result rows


def write_rows(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], format: str, stream: IO[Any]
) -> None:
    """Rows of text (or numbers, booleans, dates) as CSV (to a text stream) or as an Excel
    workbook (to a binary stream)."""
    if format == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(headers)
        for row in rows:
            writer.writerow(["" if value is None else _text(value) for value in row])
        return
    openpyxl = require_openpyxl("`--format xlsx`")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("results")
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_excel_value(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    stream.write(buffer.getvalue())


def _text(value: Any) -> str:
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _excel_value(value: Any) -> Any:
    # Text for exact numbers: an Excel number cell is a binary float.
    if value is None or isinstance(value, bool | int | str | datetime.date):
        return value
    return str(value)
