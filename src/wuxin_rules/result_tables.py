"""Verdicts as table rows: one row per facts document (`wuxin eval --format csv|xlsx`).

A row holds the key columns of the inputs (each input record's top-level text fields, such
as its id and name), the value of every requested rule, the criteria that failed, and a
short reason. Headers are the names, or with `lang="zh"` the policy's labels.
May import `errors`, `schema`, `values`, `model`, `messages` and `api`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from wuxin_rules import api, messages
from wuxin_rules.errors import Diagnostic
from wuxin_rules.schema import OptionalType, RecordType, TextType, Type
from wuxin_rules.values import format_value

__all__ = ["ResultTable"]


def _strip(type_: Type) -> Type:
    return type_.inner if isinstance(type_, OptionalType) else type_


class ResultTable:
    """The headers of a results table for a policy and rules, and the row of each result."""

    def __init__(self, policy: api.Policy, keys: Sequence[str], lang: str = "en") -> None:
        self.policy = policy
        self.keys = tuple(keys)
        self.lang = lang
        checked = policy.checked
        self.key_columns: list[tuple[str, str]] = []  # (input, field)
        headers: list[str] = []
        single = len(checked.inputs) == 1
        for definition in checked.inputs:
            record = _strip(definition.type)
            if not isinstance(record, RecordType):
                continue
            for field in record.fields:
                if isinstance(_strip(field.type), TextType):
                    self.key_columns.append((definition.name, field.name))
                    name = field.name if single else f"{definition.name}.{field.name}"
                    headers.append(field.label if lang == "zh" and field.label else name)
        for key in self.keys:
            rule = checked.rules[key]
            headers.append(rule.label if lang == "zh" and rule.label else key)
        self.criteria = tuple(k for k in self.keys if checked.rules[k].kind == "criterion")
        headers.append(messages.word("failed-criteria", lang))
        headers.append(messages.word("reason", lang))
        self.headers: tuple[str, ...] = tuple(headers)

    def _keys_of(self, document: Mapping[str, Any] | None) -> list[Any]:
        cells: list[Any] = []
        for input_name, field in self.key_columns:
            record = document.get(input_name) if isinstance(document, Mapping) else None
            value = record.get(field) if isinstance(record, Mapping) else None
            cells.append(value if isinstance(value, str) else None)
        return cells

    def row(self, result: api.Result, document: Mapping[str, Any]) -> list[Any]:
        """The row of one evaluated document."""
        cells = self._keys_of(document)
        failed: list[str] = []
        errors: list[str] = []
        for key in self.keys:
            verdict = result.verdict(key)
            if verdict.error is not None:
                cells.append(None)
                errors.append(f"{key}: {messages.render(verdict.error.message, self.lang)}")
                continue
            value = verdict.value
            if value is True or value is False or isinstance(value, str):
                cells.append(value)  # an enum member by its name, a text as it is
            else:
                cells.append(None if value is None else format_value(value, verdict.type))
            if key in self.criteria and value is False:
                label = verdict.label if self.lang == "zh" and verdict.label else key
                failed.append(label)
        cells.append(", ".join(failed))
        if errors:
            reason = "; ".join(errors)
        elif failed:
            space = "" if self.lang == "zh" else " "
            reason = messages.word("fails", self.lang) + space + failed[0]
        else:
            reason = ""
        cells.append(reason)
        return cells

    def bad_row(
        self, document: Mapping[str, Any] | None, problems: Sequence[Diagnostic]
    ) -> list[Any]:
        """The row of a document whose facts are bad: no values, the first problem as reason."""
        cells = self._keys_of(document)
        cells.extend([None] * len(self.keys))
        cells.append("")
        first = problems[0] if problems else None
        reason = ""
        if first is not None:
            where = first.location(self.lang)
            reason = (f"{where}: " if where else "") + messages.render(first.message, self.lang)
            if len(problems) > 1:
                reason += f" (+{len(problems) - 1})"
        cells.append(reason)
        return cells
