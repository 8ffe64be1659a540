"""A decision notice: one document's verdicts laid out for paper (`wuxin eval --format html|md`).

`build(policy, version, items, lang=, on=)` lays out each evaluated document as a
`document.Document`, which `document_formats` writes as Markdown or as one printable A4 HTML
file (the same machinery as `wuxin doc`). A notice has:

* the title (the policy's label) and a line of facts: the facts document, the policy, its
  version (a SHA-256 of its files) and the date;
* the decision: the last requested true/false rule that no other requested rule uses (the
  conclusion the others lead up to), met or not, with its citations;
* the standards: every other true/false rule, met or not, each with its citations and the
  text it cites (its label, the policy's own words), and for one not met its margins (the
  comparisons that failed and by how much: `short by 0.0295`);
* what must change (`Result.to_pass`) for each conclusion not met;
* the other values (thresholds, lists, grades);
* a sign-off block.

Several documents make a report: a summary table first (for each rule, how many documents
have each value), then one notice per document, each on a new page.

May import `schema`, `values`, `model`, `trace`, `messages`, `evaluator`, `counterfactual`,
`notation`, `document` and `document_formats`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from wuxin_rules import document_formats, evaluator, messages, model
from wuxin_rules.counterfactual import ToPass
from wuxin_rules.document import Block, Cell, Document, Group, Heading, Items, Paragraph, Table
from wuxin_rules.messages import render as render_message
from wuxin_rules.notation import Segment
from wuxin_rules.schema import BoolType, EnumType
from wuxin_rules.trace import Explanation, Verdict
from wuxin_rules.values import format_value
from wuxin_rules.wording import in_language

__all__ = ["FORMATS", "NoticeItem", "build", "policy_version", "render"]

FORMATS = document_formats.FORMATS

_WORDS: Mapping[str, Mapping[str, str]] = {
    lang: messages.words_in("notice.", lang) for lang in ("zh", "en")
}


@attrs.frozen
class NoticeItem:
    """One document's outcome: where it came from, its verdicts (traced, for the margins) and
    what must change for each conclusion not met (`None` when its facts were rejected)."""

    where: str
    verdicts: Mapping[str, Verdict] | None
    to_pass: Mapping[str, ToPass] = attrs.field(factory=dict)
    title: str | None = None
    """A name for the document (its subject), when the facts give one."""


def policy_version(checked: model.CheckedPolicy) -> str:
    """The first 12 hex digits of a SHA-256 over the text of every module of the policy (in
    the order they are loaded; where the files are does not count)."""
    digest = hashlib.sha256()
    for module in checked.modules or ():
        source = getattr(getattr(module, "span", None), "source", None)
        if source is not None:
            digest.update(source.text.encode("utf-8") + b"\0")
    if not checked.modules and checked.source_name and Path(checked.source_name).is_file():
        digest.update(Path(checked.source_name).read_bytes())
    return digest.hexdigest()[:12]


def conclusions(checked: model.CheckedPolicy, keys: Sequence[str]) -> list[str]:
    """The decision: the last requested true/false rule that no other requested rule uses
    (rules come in dependency order, so it is the one the others lead up to)."""
    used: set[str] = set()
    for key in keys:
        used.update(evaluator.rules_used(checked, checked.rules[key].body))
    top = [k for k in keys if isinstance(checked.rules[k].type, BoolType) and k not in used]
    return top[-1:]


def build(
    checked: model.CheckedPolicy,
    keys: Sequence[str],
    items: Sequence[NoticeItem],
    *,
    lang: str = "en",
    on: datetime.date | None = None,
) -> list[Document]:
    """The notices (a summary first when there are several documents)."""
    on = on or datetime.date.today()
    builder = _Notice(checked, keys, lang, on)
    documents = [builder.notice(item) for item in items]
    if len(items) > 1:
        documents.insert(0, builder.summary(items))
    return documents


def render(documents: Sequence[Document], format_: str) -> str:
    """The notices as Markdown or as one printable HTML file."""
    return document_formats.render(documents, format_)


class _Notice:
    def __init__(
        self, checked: model.CheckedPolicy, keys: Sequence[str], lang: str, on: datetime.date
    ) -> None:
        self.checked = checked
        self.keys = list(keys)
        self.lang = lang
        self.w = _WORDS["zh" if lang == "zh" else "en"]
        self.on = on
        self.version = policy_version(checked)
        self.top = conclusions(checked, self.keys)
        self.title = in_language(checked.label, lang) or checked.name

    def _label(self, label: str | None, name: str) -> str:
        """A rule's label in the notice's language (its name when it has none)."""
        return in_language(label, self.lang) or name

    def _meta(self, where: str, *, count: str | None = None) -> Paragraph:
        zh = self.lang == "zh"
        colon, comma = ("：", "，") if zh else (": ", ", ")
        source = self.checked.source or ""
        if source:
            source = f"（{source}）" if zh else f" ({source})"
        policy = Path(self.checked.source_name).name if self.checked.source_name else ""
        return Paragraph(
            (
                *((Segment(count),) if count else
                  (Segment(f"{self.w['facts']}{colon}"),
                   Segment(messages.render(where, self.lang), "code"))),
                Segment(f"  ·  {self.w['policy']}{colon}"), Segment(policy, "code"),
                Segment(f"{source}{comma}{self.w['version']} "), Segment(self.version, "code"),
                Segment(f"  ·  {self.w['date']}{colon}{self.on.isoformat()}"),
            ),
            "meta",
        )  # fmt: skip

    def _value(self, verdict: Verdict) -> str:
        if verdict.error is not None:
            return self.w["error"]
        describe = getattr(verdict.value, "describe", None)
        if callable(describe):
            return str(describe(self.lang))
        if verdict.value is True:
            return "✓ " + self.w["met"]
        if verdict.value is False:
            return "✗ " + self.w["not met"]
        if isinstance(verdict.type, EnumType) and isinstance(verdict.value, str):
            member = verdict.type.member(verdict.value)
            if member is not None and member.label:
                return in_language(member.label, self.lang)
        return format_value(verdict.value, verdict.type)

    def notice(self, item: NoticeItem) -> Document:
        heading = f"{self.title} — {self.w['notice']}"
        blocks: list[Block] = [Heading(1, (Segment(heading),)), self._meta(item.where)]
        if item.title:
            blocks.append(Paragraph((Segment(item.title, "strong"),), "meta"))
        if item.verdicts is None:
            blocks.append(Paragraph((Segment(self.w["rejected"], "strong"),)))
            return self._document(heading, blocks)
        verdicts = item.verdicts
        decision = [
            (Cell((Segment(self._label(verdicts[k].label, k)),)),
             Cell((Segment(self._value(verdicts[k]), "strong"),)),
             Cell((Segment(", ".join(verdicts[k].cites)),)))
            for k in self.top if k in verdicts
        ]  # fmt: skip
        blocks += [
            Heading(2, (Segment(self.w["decision"]),)),
            Table((self.w["label"], self.w["value"], self.w["cites"]), tuple(decision)),
        ]
        decision_margins = [
            m for k in self.top if k in verdicts for m in self._margins(verdicts[k])
        ]
        standards = [
            k
            for k in self.keys
            if k in verdicts and k not in self.top and isinstance(verdicts[k].type, BoolType)
        ]
        if standards:
            rows = []
            for key in standards:
                verdict = verdicts[key]
                margins = self._margins(verdict) if verdict.value is False else []
                text = [Segment(self._label(verdict.label, key))]
                if margins:
                    colon = "：" if self.lang == "zh" else ": "
                    text += [
                        Segment(f"  {self.w['margins']}{colon}"),
                        Segment("; ".join(margins), "em"),
                    ]
                rows.append((
                    Cell((Segment(", ".join(verdict.cites)),)),
                    Cell(tuple(text)),
                    Cell((Segment(self._value(verdict), "strong"),)),
                ))  # fmt: skip
            blocks += [
                Heading(2, (Segment(self.w["standards"]),)),
                Table(
                    (self.w["cites"], self.w["label"], self.w["value"]),
                    tuple(rows),
                    numeric=frozenset({2}),  # (kept on one line)
                ),
            ]
        elif decision_margins:
            blocks += [
                Heading(2, (Segment(self.w["margins"]),)),
                Items(tuple((Segment(m),) for m in decision_margins)),
            ]
        changes = [found for found in item.to_pass.values() if found.changes or not found.found]
        if changes:
            blocks += [
                Heading(2, (Segment(self.w["to pass"]),)),
                Items(
                    tuple(
                        (Segment(line),)
                        for found in changes
                        for line in found.sentence(self.lang).splitlines()
                    )
                ),
            ]
        others = [
            k for k in self.keys if k in verdicts and not isinstance(verdicts[k].type, BoolType)
        ]
        if others:
            rows = [
                (Cell((Segment(self._label(verdicts[k].label, k)),)), Cell((Segment(self._value(verdicts[k])),)),
                 Cell((Segment(", ".join(verdicts[k].cites)),)))
                for k in others
            ]  # fmt: skip
            blocks += [
                Heading(2, (Segment(self.w["other"]),)),
                Table((self.w["label"], self.w["value"], self.w["cites"]), tuple(rows)),
            ]
        blocks.append(self._signoff())
        return self._document(heading, blocks)

    def _margins(self, verdict: Verdict) -> list[str]:
        """The failed comparisons under a rule, each with its margin (`short by 0.0295`)."""
        if verdict.explanation is None:
            return []
        found: list[str] = []
        for node in verdict.explanation.walk_unique():
            if node.kind != "compare" or node.value is not False:
                continue
            if node.detail:
                found.append(f"{_shown_expr(node)} {render_message(node.detail, self.lang)}")
            elif node.children:
                now = format_value(node.children[0].value, node.children[0].type)
                found.append(_shown_expr(node) + self.w["now"].format(value=now))
        return list(dict.fromkeys(found))

    def _signoff(self) -> Group:
        blank = Cell((Segment(""),))
        rows = (
            (Cell((Segment(self.w["assessed by"]),)), blank,
             Cell((Segment(self.w["date"]),)), blank),
            (Cell((Segment(self.w["approved by"] + self.w["seal"]),)), blank,
             Cell((Segment(self.w["date"]),)), blank),
        )  # fmt: skip
        generated = self.w["generated"].format(f=Path(self.checked.source_name or "").name)
        return Group(
            (
                Heading(2, (Segment(self.w["signoff"]),)),
                Table(("", "", "", ""), rows, kind="signoff"),
                Paragraph((Segment(generated),), "meta"),
            ),
            "signoff-block",
        )

    def summary(self, items: Sequence[NoticeItem]) -> Document:
        heading = f"{self.title} — {self.w['report']}"
        counts: dict[str, dict[str, int]] = {}
        rejected = 0
        for item in items:
            if item.verdicts is None:
                rejected += 1
                continue
            for key in self.keys:
                verdict = item.verdicts.get(key)
                if verdict is None or not _summarised(verdict):
                    continue
                shown = self._value(verdict)
                if callable(getattr(verdict.value, "describe", None)):
                    shown = self.w["pending"]
                per_value = counts.setdefault(key, {})
                per_value[shown] = per_value.get(shown, 0) + 1
        rows: list[tuple[Cell | None, ...]] = []
        for key, per_value in counts.items():
            label = self._label(self.checked.rules[key].label, key)
            for index, (shown, count) in enumerate(sorted(per_value.items())):
                first = Cell((Segment(label),), rows=len(per_value)) if index == 0 else None
                rows.append((first, Cell((Segment(shown),)), Cell((Segment(str(count)),))))
        if rejected:
            rows.append((Cell((Segment(self.w["rejected"]),)), Cell((Segment(""),)),
                         Cell((Segment(str(rejected)),))))  # fmt: skip
        blocks: list[Block] = [
            Heading(1, (Segment(heading),)),
            self._meta("", count=self.w["documents"].format(n=len(items))),
            Heading(2, (Segment(self.w["summary"]),)),
            Table(
                (self.w["label"], self.w["value"], self.w["count"]),
                tuple(rows),
                numeric=frozenset({2}),
            ),
        ]
        return self._document(heading, blocks)

    def _document(self, title: str, blocks: list[Block]) -> Document:
        return Document(title, self.checked.name, self.lang, tuple(blocks), {}, {})


def _summarised(verdict: Verdict) -> bool:
    """Rules with few values are counted (true/false, enums); numbers and lists are not."""
    value: Any = verdict.value
    return verdict.error is not None or isinstance(value, bool | str) or hasattr(value, "needs")


def _shown_expr(node: Explanation) -> str:
    text = " ".join(node.expr.split())
    return text if len(text) <= 60 else text[:57] + "…"
