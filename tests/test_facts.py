"""Facts documents validated against declared input types: exact values, JSON-path errors."""

from __future__ import annotations

import datetime
import gc
import types
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wuxin_rules import facts, jsonio, model
from wuxin_rules import schema as s
from wuxin_rules.errors import Diagnostic, FactError
from wuxin_rules.facts import FactsSchema, facts_schema
from wuxin_rules.source import Source

SPAN = Source("<test>", "input").span(0, 5)


def bound(
    low: int | str | None = None, high: int | str | None = None, **kw: bool
) -> s.NumericBound:
    """A NumericBound from ints or decimal strings."""
    return s.NumericBound(
        low=None if low is None else Fraction(low),
        high=None if high is None else Fraction(high),
        **kw,
    )


F = s.FieldInfo
KIND = s.EnumType(
    "Kind",
    "drug_free.units.Kind",
    tuple(
        s.EnumMemberInfo(name)
        for name in (
            "park",
            "town",
            "street",
            "village",
            "community",
            "agency",
            "school",
            "enterprise",
            "venue",
        )
    ),
)
RESPONSIBILITY = s.RecordType(
    "Responsibility",
    "drug_free.units.Responsibility",
    tuple(
        F(name, s.BOOL)
        for name in ("duties_assigned", "team_in_place", "infrastructure_complete", "work_funded")
    ),
)
COUNT = s.IntType(bound(0))
UNIT = s.RecordType(
    "Unit",
    "drug_free.units.Unit",
    (
        F("id", s.TEXT),
        F("name", s.TEXT),
        F("kind", KIND),
        F("year", s.IntType(bound(1, 9999))),
        F("drug_labs", COUNT),
        F("trafficking_groups", COUNT),
        F("addict_growth_rate", s.NumberType("decimal", bound(-1))),
        F("province_addict_growth_rate", s.NumberType("decimal", bound(-1))),
        F("enforcement_rate", s.NumberType("decimal", bound(0))),
        F("province_enforcement_rate", s.NumberType("decimal", bound(0))),
        F("fugitive_key_offenders", COUNT),
        F("venue_drug_cases", COUNT),
        F("uncontrolled_substance_firms", COUNT),
        F("group_drug_use_incidents", COUNT),
        F("responsibility", RESPONSIBILITY),
    ),
)
TOWN = s.RecordType(
    "Town",
    "t.Town",
    (
        F("name", s.TEXT),
        F("units", s.ListType(UNIT)),
        F("founded", s.OptionalType(s.DATE)),
        F("target", s.OptionalType(s.NumberType("percent", bound(0, 1)))),
        F("scores", s.ListType(s.OptionalType(s.IntType(bound(0, 100))))),
    ),
)

UNIT_TEXT = """{"unit": {
  "id": "HZ-001", "name": "仲恺高新区", "kind": "town", "year": 2016,
  "drug_labs": 0, "trafficking_groups": 0,
  "addict_growth_rate": 0.031, "province_addict_growth_rate": -0.02,
  "enforcement_rate": 1.25, "province_enforcement_rate": 0.9,
  "fugitive_key_offenders": 0, "venue_drug_cases": 0,
  "uncontrolled_substance_firms": 0, "group_drug_use_incidents": 0,
  "responsibility": {"duties_assigned": true, "team_in_place": true,
                     "infrastructure_complete": true, "work_funded": false}
}}"""


def unit_schema() -> FactsSchema:
    """The flagship: one input `unit: Unit`."""
    return FactsSchema([model.InputDef("unit", UNIT, "单位", SPAN)])


def town_schema() -> FactsSchema:
    """A town with a list of units, optional fields and a list of optional scores."""
    return FactsSchema([model.InputDef("town", TOWN, None, SPAN)])


def schema_of(**types_: s.Type) -> FactsSchema:
    """A schema with one input per keyword."""
    return FactsSchema([model.InputDef(name, t, None, SPAN) for name, t in types_.items()])


def unit_document() -> dict[str, Any]:
    """A valid flagship document, fresh each time (as `jsonio` reads it)."""
    return jsonio.loads(UNIT_TEXT)  # type: ignore[no-any-return]


def problems(schema: FactsSchema, document: Any, **kw: Any) -> list[Diagnostic]:
    """The diagnostics of a document that must fail."""
    with pytest.raises(FactError) as info:
        schema.validate(document, **kw)
    return list(info.value.diagnostics)


def only(schema: FactsSchema, document: Any) -> tuple[str, str, str | None, str | None]:
    """(code, message, path, help) of the single problem of a document."""
    found = problems(schema, document)
    assert len(found) == 1, [d.message for d in found]
    return found[0].code, found[0].message, found[0].path, found[0].help


# ------------------------------------------------------------------------------------------
# Valid documents


def test_flagship_unit_document_gives_runtime_values() -> None:
    """Records are dicts, decimals exact Fractions, counts ints, members their names."""
    values = unit_schema().validate(unit_document())
    unit = values["unit"]
    assert unit["kind"] == "town"
    assert unit["year"] == 2016 and type(unit["year"]) is int
    assert unit["addict_growth_rate"] == Fraction(31, 1000)
    assert unit["province_addict_growth_rate"] == Fraction(-1, 50)
    assert unit["enforcement_rate"] == Fraction(5, 4)
    assert type(unit["enforcement_rate"]) is Fraction
    assert unit["responsibility"] == {
        "duties_assigned": True,
        "team_in_place": True,
        "infrastructure_complete": True,
        "work_funded": False,
    }
    assert set(unit) == {f.name for f in UNIT.fields}


def test_no_float_in_validated_values() -> None:
    """Nothing validated is a binary float."""

    def walk(value: Any) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)

    walk(unit_schema().validate(unit_document()))


def test_decimals_stay_exact() -> None:
    """`0.1 + 0.2` is exactly `3/10`; an integral decimal becomes an int."""
    schema = schema_of(a=s.DECIMAL, b=s.DECIMAL, c=s.DECIMAL)
    values = schema.validate(jsonio.loads('{"a": 0.1, "b": 0.2, "c": 3.0}'))
    assert values["a"] + values["b"] == Fraction(3, 10)
    assert values["c"] == 3 and type(values["c"]) is int


def test_percent_nine_of_ten_is_exactly_ninety_percent() -> None:
    """`0.9`, `"90%"`, `"9/10"` and `Fraction(9, 10)` are one and the same percent."""
    schema = schema_of(a=s.PERCENT, b=s.PERCENT, c=s.PERCENT, d=s.PERCENT)
    values = schema.validate({"a": Decimal("0.9"), "b": "90%", "c": "9/10", "d": Fraction(9, 10)})
    assert set(values.values()) == {Fraction(9, 10)}


def test_decimal_fields_accept_exact_text() -> None:
    """Decimal text and fractions written as text are read exactly."""
    schema = schema_of(a=s.DECIMAL, b=s.DECIMAL, c=s.DECIMAL)
    assert schema.validate({"a": "0.0155", "b": "-1/3", "c": 7}) == {
        "a": Fraction(155, 10000),
        "b": Fraction(-1, 3),
        "c": 7,
    }


def test_python_decimal_date_and_fraction_are_accepted() -> None:
    """Python callers may pass Decimal, Fraction and datetime.date objects."""
    schema = schema_of(rate=s.DECIMAL, ratio=s.PERCENT, day=s.DATE)
    values = schema.validate(
        {"rate": Decimal("0.031"), "ratio": Fraction(1, 3), "day": datetime.date(2015, 3, 31)}
    )
    assert values == {
        "rate": Fraction(31, 1000),
        "ratio": Fraction(1, 3),
        "day": datetime.date(2015, 3, 31),
    }


def test_dates_from_text() -> None:
    """`"YYYY-MM-DD"` becomes a `datetime.date`."""
    assert schema_of(d=s.DATE).validate({"d": "2015-03-31"}) == {"d": datetime.date(2015, 3, 31)}


def test_lists_become_tuples() -> None:
    """A JSON array (or a Python tuple) becomes a tuple."""
    schema = schema_of(xs=s.ListType(s.INT), ys=s.ListType(s.TEXT))
    assert schema.validate({"xs": [1, 2, 3], "ys": ("a",)}) == {"xs": (1, 2, 3), "ys": ("a",)}


def test_optional_fields_may_be_null_or_missing() -> None:
    """`T?` takes `null`, a missing key (both `None`) or a `T`."""
    schema = town_schema()
    values = schema.validate({"town": {"name": "x", "units": [], "scores": [1, None, 100]}})
    assert values["town"] == {
        "name": "x",
        "units": (),
        "founded": None,
        "target": None,
        "scores": (1, None, 100),
    }
    values = schema.validate(
        {"town": {"name": "x", "units": [], "scores": [], "founded": None, "target": "50%"}}
    )
    assert values["town"]["founded"] is None
    assert values["town"]["target"] == Fraction(1, 2)


def test_optional_input_may_be_missing() -> None:
    """An optional input that the document leaves out is `None`."""
    schema = schema_of(a=s.INT, b=s.OptionalType(s.INT))
    assert schema.validate({"a": 1}) == {"a": 1, "b": None}


def test_record_from_a_python_mapping() -> None:
    """Any Mapping works as a record for Python callers (read-only ones included)."""
    schema = schema_of(r=RESPONSIBILITY)
    inner = types.MappingProxyType(
        {
            "duties_assigned": True,
            "team_in_place": False,
            "infrastructure_complete": True,
            "work_funded": True,
        }
    )
    assert schema.validate(types.MappingProxyType({"r": inner}))["r"]["team_in_place"] is False


def test_validation_does_not_change_the_document() -> None:
    """The caller's dict is left as it was (optional fields are filled in a copy)."""
    document = {"town": {"name": "x", "units": [], "scores": []}}
    town_schema().validate(document)
    assert document == {"town": {"name": "x", "units": [], "scores": []}}


def test_recursive_record_type() -> None:
    """A record that holds a list of itself validates to any depth the data has."""
    fields: list[s.FieldInfo] = []
    node = s.RecordType("Node", "t.Node", ())
    fields.extend([F("value", s.INT), F("children", s.ListType(node))])
    object.__setattr__(node, "fields", tuple(fields))
    schema = schema_of(tree=node)
    tree = {"value": 1, "children": [{"value": 2, "children": [{"value": 3, "children": []}]}]}
    assert schema.validate({"tree": tree})["tree"]["children"][0]["children"][0]["value"] == 3
    bad = {"value": 1, "children": [{"value": 2, "children": [{"value": "x", "children": []}]}]}
    assert only(schema, {"tree": bad})[2] == "$.tree.children[0].children[0].value"


# ------------------------------------------------------------------------------------------
# One test per error code: exact message, path and help


def test_missing_input() -> None:
    """A missing input is `missing-fact` at its path, saying what to add."""
    assert only(unit_schema(), {}) == (
        "missing-fact",
        "missing input `unit`",
        "$.unit",
        'add `"unit"` with a record `Unit`',
    )


def test_misspelt_input_is_missing_with_did_you_mean_and_unknown() -> None:
    """A misspelt top-level key: the missing input names the likely typo, the key suggests it."""
    document = {"unti": unit_document()["unit"]}
    missing, unknown = problems(unit_schema(), document)
    assert (missing.code, missing.message, missing.path, missing.help) == (
        "missing-fact",
        "missing input `unit`",
        "$.unit",
        "did you mean `unit` instead of `unti`?",
    )
    assert (unknown.code, unknown.message, unknown.path, unknown.help) == (
        "unknown-fact",
        "unknown input `unti`",
        "$.unti",
        "did you mean `unit`?",
    )


def test_missing_nested_field() -> None:
    """A field missing from a nested record is located by its full path."""
    document = unit_document()
    del document["unit"]["responsibility"]["team_in_place"]
    assert only(unit_schema(), document) == (
        "missing-fact",
        "missing field `team_in_place` of `Responsibility`",
        "$.unit.responsibility.team_in_place",
        'add `"team_in_place"` with true/false',
    )


def test_unknown_field_with_did_you_mean() -> None:
    """A key the record does not have is `unknown-fact`, with the closest field suggested."""
    document = unit_document()
    document["unit"]["drug_lab"] = 0
    assert only(unit_schema(), document) == (
        "unknown-fact",
        "unknown field `drug_lab` of `Unit`",
        "$.unit.drug_lab",
        "did you mean `drug_labs`?",
    )


def test_unknown_field_without_a_close_match_lists_the_fields() -> None:
    """With nothing close, the help lists the record's fields."""
    schema = schema_of(r=RESPONSIBILITY)
    document = {
        "r": {
            "duties_assigned": True,
            "team_in_place": True,
            "infrastructure_complete": True,
            "work_funded": True,
            "zzz": 1,
        }
    }
    assert only(schema, document)[3] == (
        "`Responsibility` has `duties_assigned`, `team_in_place`, `infrastructure_complete`, `work_funded`"
    )


def test_unknown_key_that_is_not_an_identifier_is_quoted_in_the_path() -> None:
    """Keys with spaces are written `["a b"]` in the path."""
    assert only(schema_of(a=s.INT), {"a": 1, "a b": 2})[2] == '$["a b"]'


def test_wrong_type_whole_number_found_text() -> None:
    """A count written as text is `bad-fact` in the language's words."""
    document = unit_document()
    document["unit"]["drug_labs"] = "3"
    assert only(unit_schema(), document) == (
        "bad-fact",
        'expected a whole number, found text `"3"`',
        "$.unit.drug_labs",
        "write the number without quotes",
    )


def test_out_of_bounds_below() -> None:
    """A negative count is `fact-out-of-bounds`, naming the bound and the type."""
    document = unit_document()
    document["unit"]["drug_labs"] = -1
    assert only(unit_schema(), document) == (
        "fact-out-of-bounds",
        "`-1` is below the bound `>= 0` of `int >= 0`",
        "$.unit.drug_labs",
        "give a number within `>= 0`",
    )


def test_out_of_bounds_above_and_decimal() -> None:
    """Above a range, and a decimal below its bound, are reported exactly."""
    document = unit_document()
    document["unit"]["year"] = 10000
    document["unit"]["addict_growth_rate"] = Decimal("-1.5")
    year, rate = problems(unit_schema(), document)
    assert (year.code, year.message) == (
        "fact-out-of-bounds",
        "`10000` is above the bound `1 .. 9999` of `int 1 .. 9999`",
    )
    assert (rate.path, rate.message) == (
        "$.unit.addict_growth_rate",
        "`-1.5` is below the bound `>= -1` of `decimal >= -1`",
    )


def test_out_of_bounds_on_an_excluded_end() -> None:
    """A value equal to an excluded end is outside the bound."""
    schema = schema_of(x=s.NumberType("decimal", bound(low=0, low_inclusive=False)))
    assert only(schema, {"x": 0})[1] == "`0` is outside the bound `> 0` of `decimal > 0`"
    assert schema.validate({"x": Decimal("0.001")}) == {"x": Fraction(1, 1000)}


def test_fractional_bound_is_exact() -> None:
    """A bound like `0 .. 0.5` compares exactly, Decimals and Fractions alike."""
    schema = schema_of(x=s.NumberType("decimal", bound(0, "0.5")))
    assert schema.validate({"x": Decimal("0.5")}) == {"x": Fraction(1, 2)}
    assert only(schema, {"x": Decimal("0.5000001")})[1] == (
        "`0.5000001` is above the bound `0 .. 0.5` of `decimal 0 .. 0.5`"
    )


def test_unknown_member() -> None:
    """A misspelt enum member suggests the right one and lists every member."""
    document = unit_document()
    document["unit"]["kind"] = "twon"
    [diagnostic] = problems(unit_schema(), document)
    assert (diagnostic.code, diagnostic.message, diagnostic.path, diagnostic.help) == (
        "unknown-member",
        "unknown member `twon` of `Kind`",
        "$.unit.kind",
        "did you mean `town`?",
    )
    assert diagnostic.notes == (
        "the members of `Kind` are `park`, `town`, `street`, `village`, `community`, "
        "`agency`, `school`, `enterprise`, `venue`",
    )


def test_member_that_is_not_text() -> None:
    """A number where a member is expected is `bad-fact`."""
    assert only(schema_of(k=KIND), {"k": 3})[:2] == (
        "bad-fact",
        "expected a member of `Kind`, found whole number `3`",
    )


@pytest.mark.parametrize(
    ("value", "message", "help"),
    [
        ("2015-02-30", "`2015-02-30` is not a valid date", "day is out of range for month"),
        (
            "31/03/2015",
            "`31/03/2015` is not a date in the form `YYYY-MM-DD`",
            'write dates as text `"YYYY-MM-DD"`, for example `"2015-03-31"`',
        ),
        (
            "20150331",
            "`20150331` is not a date in the form `YYYY-MM-DD`",
            'write dates as text `"YYYY-MM-DD"`, for example `"2015-03-31"`',
        ),
    ],
)
def test_invalid_date(value: str, message: str, help: str) -> None:
    """Dates must be real calendar dates written `YYYY-MM-DD`."""
    assert only(schema_of(d=s.DATE), {"d": value}) == ("invalid-date", message, "$.d", help)


def test_date_that_is_not_text() -> None:
    """A number or a datetime where a date is expected is `bad-fact`."""
    assert only(schema_of(d=s.DATE), {"d": 2015})[1] == "expected a date, found whole number `2015`"
    _, message, _, help = only(schema_of(d=s.DATE), {"d": datetime.datetime(2015, 3, 31, 8)})
    assert message == "expected a date, found a date and time `2015-03-31T08:00:00`"
    assert help == "pass the `.date()` of it"


@pytest.mark.parametrize(
    ("value", "message", "help"),
    [
        (
            "yes",
            'expected true/false, found text `"yes"`',
            "write `true` or `false`, without quotes",
        ),
        (
            "true",
            'expected true/false, found text `"true"`',
            "write `true` or `false`, without quotes",
        ),
        (1, "expected true/false, found whole number `1`", "write `true` or `false`, not a number"),
        (0, "expected true/false, found whole number `0`", "write `true` or `false`, not a number"),
        (None, "expected true/false, found none", "only an optional type (`bool?`) admits `null`"),
    ],
)
def test_bool_accepts_only_true_and_false(value: Any, message: str, help: str) -> None:
    """Booleans are `true`/`false` only: not 0/1, not `"yes"`."""
    assert only(schema_of(b=s.BOOL), {"b": value}) == ("bad-fact", message, "$.b", help)


def test_bool_is_not_a_number() -> None:
    """`true` where a whole number or a decimal is expected is refused, not read as 1."""
    schema = schema_of(n=s.INT, d=s.DECIMAL)
    assert [d.message for d in problems(schema, {"n": True, "d": False})] == [
        "expected a whole number, found `true`",
        "expected a decimal number, found `false`",
    ]


def test_text_field_refuses_numbers() -> None:
    """A number where text is expected is `bad-fact` with a quoting hint."""
    assert only(schema_of(t=s.TEXT), {"t": 3}) == (
        "bad-fact",
        "expected text, found whole number `3`",
        "$.t",
        "write text in double quotes",
    )


def test_record_given_a_list() -> None:
    """A list where a record is expected names the record and its fields."""
    document = unit_document()
    document["unit"]["responsibility"] = [True]
    assert only(unit_schema(), document) == (
        "bad-fact",
        "expected a record `Responsibility`, found list `[true]`",
        "$.unit.responsibility",
        "write a JSON object with the fields `duties_assigned`, `team_in_place`, "
        "`infrastructure_complete`, `work_funded`",
    )


def test_document_that_is_not_an_object() -> None:
    """The document itself must be an object of inputs."""
    assert only(unit_schema(), [1, 2]) == (
        "bad-fact",
        "expected a record of inputs, found list `[1, 2]`",
        "$",
        "a facts document is a JSON object with one key per input: `unit`",
    )


def test_list_given_text() -> None:
    """Text where a list is expected is refused with what each item should be."""
    document = {"town": {"name": "x", "units": "none", "scores": []}}
    assert only(town_schema(), document) == (
        "bad-fact",
        'expected a list, found text `"none"`',
        "$.town.units",
        "write a JSON list `[…]`; each item is a record `Unit`",
    )


def test_decimal_text_that_is_not_a_number() -> None:
    """Text that is no exact number is refused, listing the accepted forms."""
    assert only(schema_of(p=s.PERCENT), {"p": "half"}) == (
        "bad-fact",
        'expected a percentage, found text `"half"`',
        "$.p",
        'write an exact number, for example `0.25`, `"0.25"`, `"1/4"`, `"25%"`',
    )
    assert only(schema_of(d=s.DECIMAL), {"d": "1/0"})[0] == "bad-fact"


# ------------------------------------------------------------------------------------------
# Floats, huge numbers, Python oddities


def test_float_is_refused_with_a_hint_to_pass_decimal_or_text() -> None:
    """A binary float from a Python caller is refused; the hint shows the exact way."""
    assert only(schema_of(r=s.DECIMAL), {"r": 0.1}) == (
        "bad-fact",
        "expected a decimal number, found the binary floating-point number `0.1`",
        "$.r",
        'binary floats are not exact: pass `Decimal("0.1")` or the text `"0.1"`',
    )


def test_float_in_a_whole_number_field() -> None:
    """A float where an int is expected points at `int`."""
    assert only(schema_of(n=s.INT), {"n": 3.0})[1:] == (
        "expected a whole number, found the binary floating-point number `3.0`",
        "$.n",
        "binary floats are not exact: pass a Python `int`",
    )


def test_decimal_in_a_whole_number_field() -> None:
    """`2.5` or `3.0` where a whole number is expected is refused (ints are written plainly)."""
    assert only(schema_of(n=s.INT), {"n": Decimal("3.0")})[1:] == (
        "expected a whole number, found decimal number `3.0`",
        "$.n",
        "write a whole number, without a decimal point or exponent",
    )


def test_huge_exponent_is_refused_quickly() -> None:
    """`1E+999999999` would take forever to make exact: it is refused."""
    code, message, _, _ = only(schema_of(d=s.DECIMAL), jsonio.loads('{"d": 1E+999999999}'))
    assert (code, message) == (
        "bad-fact",
        "the number `1E+999999999` is too large or too precise to hold exactly",
    )


def test_decimal_nan_from_python_is_refused() -> None:
    """A Decimal NaN or infinity from Python is not a number."""
    assert only(schema_of(d=s.DECIMAL), {"d": Decimal("NaN")})[1] == (
        "expected a decimal number, found `NaN`"
    )
    assert only(schema_of(d=s.DECIMAL), {"d": Decimal("-Infinity")})[0] == "bad-fact"


def test_python_object_of_another_kind() -> None:
    """A set (no JSON counterpart) is named as a Python value."""
    assert only(schema_of(t=s.TEXT), {"t": {1}})[1] == "expected text, found a Python `set`"


def test_non_text_keys_from_python_are_unknown() -> None:
    """A key that is not text is an unknown input, not a crash."""
    found = problems(schema_of(a=s.INT), {"a": 1, 7: 2})
    assert [(d.code, d.message, d.path) for d in found] == [
        ("unknown-fact", "unknown input `7`", '$["7"]')
    ]


def test_deeply_nested_python_value_is_a_bad_fact_not_a_recursion_error() -> None:
    """A 100,000-deep list where a number is expected is reported with a short preview."""
    value: list[Any] = []
    for _ in range(100_000):
        value = [value]
    [diagnostic] = problems(schema_of(n=s.INT), {"n": value})
    assert diagnostic.code == "bad-fact"
    assert diagnostic.message.startswith("expected a whole number, found list `[[[[")
    assert len(diagnostic.message) < 100


def test_long_text_is_cut_in_messages() -> None:
    """A megabyte of text in the wrong place gives a short message."""
    message = only(schema_of(n=s.INT), {"n": "x" * 1_000_000})[1]
    assert message == 'expected a whole number, found text `"' + "x" * 38 + "…`"


# ------------------------------------------------------------------------------------------
# All problems at once, paths, files


def test_three_bad_fields_give_three_diagnostics() -> None:
    """Every problem of a document is reported in one FactError, in field order."""
    document = unit_document()
    document["unit"]["kind"] = "cty"
    document["unit"]["drug_labs"] = "0"
    document["unit"]["responsibility"]["work_funded"] = "no"
    found = problems(unit_schema(), document)
    assert [(d.code, d.path) for d in found] == [
        ("unknown-member", "$.unit.kind"),
        ("bad-fact", "$.unit.drug_labs"),
        ("bad-fact", "$.unit.responsibility.work_funded"),
    ]


def test_nested_record_inside_a_list_has_an_indexed_path() -> None:
    """A bad field of the fourth unit of a town is at `$.town.units[3].drug_labs`."""
    units = [unit_document()["unit"] for _ in range(5)]
    units[3]["drug_labs"] = -2
    units[1]["kind"] = 5
    document = {"town": {"name": "仲恺", "units": units, "scores": [1, "x"]}}
    found = problems(town_schema(), document)
    assert [(d.code, d.path) for d in found] == [
        ("bad-fact", "$.town.units[1].kind"),
        ("fact-out-of-bounds", "$.town.units[3].drug_labs"),
        ("bad-fact", "$.town.scores[1]"),
    ]


def test_file_and_where_locate_the_diagnostics() -> None:
    """`file` names the facts file; `where` prefixes every path (e.g. a batch index)."""
    document = unit_document()
    document["unit"]["drug_labs"] = "3"
    [diagnostic] = problems(unit_schema(), document, file="facts.json", where="$[7]")
    assert diagnostic.file == "facts.json"
    assert diagnostic.path == "$[7].unit.drug_labs"
    assert diagnostic.location() == "facts.json: $[7].unit.drug_labs"
    assert diagnostic.render().startswith(
        'facts.json: $[7].unit.drug_labs: error[bad-fact]: expected a whole number, found text `"3"`'
    )


def test_deep_json_text_is_too_deep_before_validation() -> None:
    """Deeply nested JSON text is stopped by the reader with `too-deep`."""
    text = '{"unit": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(FactError) as info:
        unit_schema().validate(jsonio.loads(text, file="deep.json"))
    assert info.value.codes == ("too-deep",)
    # The object counts as the first level: the 128th `[` (column 137) is one too many.
    assert info.value.diagnostics[0].location() == "deep.json:1:137"


def test_messages_use_the_language_terms() -> None:
    """No Python type name (int, str, Decimal, dict, NoneType) appears in a message."""
    schema = town_schema()
    document = {
        "town": {
            "name": 1,
            "units": [{"kind": None}],
            "founded": 2015,
            "target": "x",
            "scores": {"a": 1},
        },
        "extra": [],
    }
    for diagnostic in problems(schema, document):
        for word in ("int", "str", "Decimal", "dict", "NoneType", "float", "tuple"):
            assert f"`{word}`" not in diagnostic.message and f" {word} " not in diagnostic.message


# ------------------------------------------------------------------------------------------
# The per-policy cache


def _policy(inputs: tuple[model.InputDef, ...]) -> model.CheckedPolicy:
    return model.CheckedPolicy(
        name="p",
        source_name="p.policy",
        inputs=inputs,
        params={},
        param_names={},
        rules={},
        order=(),
        schedules={},
        bands={},
        enums={},
        records={},
    )


def test_facts_schema_is_built_once_per_policy() -> None:
    """The same policy object gets the same schema; another policy its own."""
    first = _policy((model.InputDef("unit", UNIT, None, SPAN),))
    second = _policy((model.InputDef("unit", UNIT, None, SPAN),))
    assert facts_schema(first) is facts_schema(first)
    assert facts_schema(first) is not facts_schema(second)
    assert facts_schema(first).validate(unit_document())["unit"]["year"] == 2016


def test_facts_schema_is_forgotten_with_its_policy() -> None:
    """The cache does not keep policies alive."""
    policy = _policy((model.InputDef("n", s.INT, None, SPAN),))
    facts_schema(policy)
    key = id(policy)
    assert key in facts._SCHEMAS
    del policy
    gc.collect()
    assert key not in facts._SCHEMAS


def test_bounds_are_part_of_the_schema() -> None:
    """Two int types that differ only in their bounds are validated by their own bounds."""
    schema = schema_of(a=s.IntType(bound(0)), b=s.IntType(bound(5)), c=s.INT)
    assert [d.path for d in problems(schema, {"a": 3, "b": 3, "c": -9})] == ["$.b"]


# ------------------------------------------------------------------------------------------
# Totality


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["x", "park", "2015-03-31", "0.5", "50%", "1/3", "town"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["name", "units", "kind", "drug_labs", "scores", "target", "town", "x"]
            ),
            children,
            max_size=4,
        )
    ),
    max_leaves=15,
)


@given(_json_values)
def test_validate_raises_only_fact_errors(document: Any) -> None:
    """Any JSON-shaped input either validates or raises FactError with located diagnostics."""
    try:
        town_schema_cached.validate(document)
    except FactError as error:
        assert error.diagnostics
        assert all(d.path is not None and d.path.startswith("$") for d in error.diagnostics)


town_schema_cached = town_schema()


def test_percent_bounds_are_shown_as_written() -> None:
    """A percent bound reads `0% .. 100%` (as the author wrote it), not the ratios `0 .. 1`."""
    import wuxin_rules

    policy = wuxin_rules.loads("input share: percent 0% .. 100%\nrule a: share")
    with pytest.raises(FactError) as caught:
        policy.evaluate({"share": Decimal("1.5")})
    diagnostic = caught.value.diagnostics[0]
    assert diagnostic.message == ("`150%` is above the bound `0% .. 100%` of `percent 0% .. 100%`")
    assert diagnostic.help is not None and "`0.5`" in diagnostic.help


def test_unknown_fact_help_marks_a_shortened_field_list() -> None:
    """Listing only the first fields of a large record ends with `…`, so it is not read as all."""
    import wuxin_rules

    fields = "\n".join(f"  f{i}: int" for i in range(10))
    policy = wuxin_rules.loads(f"record R:\n{fields}\ninput r: R\nrule a: r.f0")
    document = {"r": {**{f"f{i}": 0 for i in range(10)}, "zzz": 1}}
    with pytest.raises(FactError) as caught:
        policy.evaluate(document)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "unknown-fact"
    assert diagnostic.help is not None and diagnostic.help.endswith("`f7`, …")
