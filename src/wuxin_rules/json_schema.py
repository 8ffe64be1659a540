"""The facts a policy needs as a JSON Schema (draft 2020-12): `wuxin schema POLICY`.

Each input is a property of the document; records are `$defs` (their `title` the record's
label), each field a property whose `title` is the field's label and `description` its
citations; enums list their members' names and labels (both are accepted); bounds are
`minimum`/`maximum` (`exclusiveMinimum`/`exclusiveMaximum` for `>`/`<`); decimals and
percentages are JSON numbers or decimal text (`"0.045"`, `"1/3"`, and `"4.5%"` for a
percentage); dates are text of `format: date`; an optional field may be missing or `null`.
May import `schema` and `model`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from wuxin_rules import model
from wuxin_rules.schema import (
    SUM_TAG,
    BoolType,
    DateTimeType,
    DateType,
    DurationType,
    EnumType,
    IntType,
    ListType,
    NoneType,
    NumberType,
    NumericBound,
    OptionalType,
    RecordType,
    SumType,
    TextType,
    TimeType,
    Type,
)

__all__ = ["DIALECT", "facts_schema"]

DIALECT = "https://json-schema.org/draft/2020-12/schema"

_DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$|^-?[0-9]+/[0-9]+$"
_PERCENT_PATTERN = r"^-?[0-9]+(\.[0-9]+)?%$|" + _DECIMAL_PATTERN


def facts_schema(policy: model.CheckedPolicy) -> dict[str, Any]:
    """The JSON Schema of a facts document of `policy`."""
    definitions: dict[str, Any] = {}
    properties = {
        definition.name: _titled(
            _type(definition.type, definitions), definition.label, None, definition.type
        )
        for definition in policy.inputs
    }
    document: dict[str, Any] = {
        "$schema": DIALECT,
        "title": policy.label or policy.name,
        "description": f"the facts of the policy `{policy.name}`: one property per input",
        "type": "object",
        "properties": properties,
        "required": [d.name for d in policy.inputs if not isinstance(d.type, OptionalType)],
        "additionalProperties": False,
    }
    if definitions:
        document["$defs"] = dict(sorted(definitions.items()))
    return document


def _titled(schema: dict[str, Any], label: str | None, cites: Any, type_: Type) -> dict[str, Any]:
    result = dict(schema)
    if label:
        result["title"] = label
    if cites:
        result["description"] = "cites " + ", ".join(cites)
    return result


def _type(type_: Type, definitions: dict[str, Any]) -> dict[str, Any]:
    match type_:
        case OptionalType(inner=inner):
            return {"anyOf": [_type(inner, definitions), {"type": "null"}]}
        case IntType(bound=bound):
            return {"type": "integer", **_bounds(bound, percent=False)}
        case NumberType(bound=bound, scale=int(scale)):
            step = _number(Fraction(1, 10**scale))
            places = f"(\\.[0-9]{{1,{scale}}}0*)?" if scale else "(\\.0*)?"
            return {
                "anyOf": [
                    {"type": "number", "multipleOf": step, **_bounds(bound, percent=False)},
                    {"type": "string", "pattern": f"^-?[0-9]+{places}$"},
                ],
                # The schema's own description, for JSON Schema tools: not a diagnostic.
                "description": f"an exact amount of at most {scale} decimal places",
            }
        case NumberType(kind=kind, bound=bound):
            percent = kind == "percent"
            number = {"type": "number", **_bounds(bound, percent=False)}
            text = {
                "type": "string",
                "pattern": _PERCENT_PATTERN if percent else _DECIMAL_PATTERN,
            }
            # The schema's own description, for JSON Schema tools: not a diagnostic.
            description = (
                'a percentage: 0.045 or the text "4.5%"' if percent else "an exact decimal"
            )
            return {"anyOf": [number, text], "description": description}
        case BoolType():
            return {"type": "boolean"}
        case TextType():
            return {"type": "string"}
        case DateType():
            return {"type": "string", "format": "date"}
        case DurationType():
            return {"type": "string", "format": "duration"}
        case DateTimeType():
            return {"type": "string", "format": "date-time"}
        case TimeType():
            return {"type": "string", "format": "time"}
        case NoneType():
            return {"type": "null"}
        case EnumType(members=members, name=name, label=label):
            key = _key(type_.qualified or name)
            if key not in definitions:
                labels = [m.label for m in members if m.label]
                accepted = [m.name for m in members] + [
                    text for text in labels if labels.count(text) == 1
                ]
                definitions[key] = {
                    "title": label or name,
                    "description": "a member by its name or its label: "
                    + ", ".join(m.name + (f" ({m.label})" if m.label else "") for m in members),
                    "enum": list(dict.fromkeys(accepted)),
                }
            return {"$ref": f"#/$defs/{key}"}
        case RecordType():
            if not type_.qualified:
                return _record(type_, definitions)
            key = _key(type_.qualified)
            if key not in definitions:
                definitions[key] = {}  # a record that contains itself refers to its key
                definitions[key] = _record(type_, definitions)
            return {"$ref": f"#/$defs/{key}"}
        case SumType():
            key = _key(type_.qualified)
            if key not in definitions:
                definitions[key] = {}
                definitions[key] = _sum(type_, definitions)
            return {"$ref": f"#/$defs/{key}"}
        case ListType(element=element):
            return {"type": "array", "items": _type(element, definitions)}
    raise AssertionError(f"unknown type {type_!r}")  # pragma: no cover


def _record(type_: RecordType, definitions: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "object",
        "properties": {
            field.name: _titled(
                _type(field.type, definitions), field.label, field.cites, field.type
            )
            for field in type_.fields
        },
        "required": [f.name for f in type_.fields if not isinstance(f.type, OptionalType)],
        "additionalProperties": False,
    }
    if type_.label or type_.name:
        record = {"title": type_.label or type_.name, **record}
    return record


def _sum(type_: SumType, definitions: dict[str, Any]) -> dict[str, Any]:
    """`oneOf` the members: each an object with the member's name as the `const` of `kind`
    (the property OpenAPI's `discriminator` would name; not written, as draft 2020-12 has no
    such keyword) and exactly its fields; a member that carries nothing may also be its bare
    name."""
    choices: list[dict[str, Any]] = []
    for member in type_.members:
        fields = RecordType(member.name, "", member.fields, member.label)
        record = _record(fields, definitions)
        tag = {"const": member.name}
        record["properties"] = {SUM_TAG: tag, **record["properties"]}
        record["required"] = [SUM_TAG, *record["required"]]
        choices.append(record)
        if not member.fields:
            choices.append({"title": member.label or member.name, "const": member.name})
    return {
        "title": type_.label or type_.name,
        "description": f"one member of {type_.name}, named by `{SUM_TAG}`",
        "oneOf": choices,
    }


def _key(qualified: str) -> str:
    return qualified.replace("/", "_")


def _bounds(bound: NumericBound | None, *, percent: bool) -> dict[str, Any]:
    del percent  # a percentage's bound is held as the ratio, as the JSON number is
    if bound is None:
        return {}
    result: dict[str, Any] = {}
    if bound.low is not None:
        result["minimum" if bound.low_inclusive else "exclusiveMinimum"] = _number(bound.low)
    if bound.high is not None:
        result["maximum" if bound.high_inclusive else "exclusiveMaximum"] = _number(bound.high)
    return result


def _number(value: Any) -> Any:
    from decimal import Decimal

    if value.denominator == 1:
        return int(value.numerator)
    return Decimal(value.numerator) / Decimal(value.denominator)
