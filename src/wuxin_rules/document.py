"""The policy document: a checked policy laid out as the text an official prints and signs off.

`build_document(policy, lang)` turns a `CheckedPolicy` into a `Document`, a list of plain
blocks (headings, paragraphs, tables, rule texts) in reading order: title and source, inputs
and the records they hold, enums, params (illustrative defaults marked), schedules grouped by
stage, bands, every criterion and rule with its rule written out (`notation`), the policy's
examples and properties, and a sign-off block. The interpretations the author wrote down come
along: each declaration's `note`, and the comment lines written just above it (or inside it).

Fixed words (headings, column titles) come in Chinese or English (`lang`); labels, citations,
notes and comments always come from the policy. Output formats live in `document_formats`.
May import `source`, `ast`, `schema`, `values`, `model` and `notation`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping, Sequence
from pathlib import PurePath
from typing import Any, overload

import attrs

from wuxin_rules import ast, messages, model, wording
from wuxin_rules.notation import (
    VOCABULARIES,
    Line,
    Segment,
    Vocabulary,
    expression_lines,
    line_text,
    type_line,
    value_text,
)
from wuxin_rules.schema import EnumType, ListType, OptionalType, RecordType, SumMember, Type

__all__ = [
    "LANGUAGES",
    "Cell",
    "Code",
    "Document",
    "Heading",
    "Items",
    "Paragraph",
    "Table",
    "build_document",
]

LANGUAGES = ("zh", "en")

# ------------------------------------------------------------------------------------------
# Fixed words. Everything else in a document is the policy's own text.

WORDS: Mapping[str, Mapping[str, str]] = {
    lang: messages.words_in("doc.", lang) for lang in ("zh", "en")
}
"""The fixed words of a document by language: the `doc.*` words of the one catalogue."""

# What the symbols of the rule texts mean, in each language.
NOTATION: Mapping[str, tuple[tuple[str, str], ...]] = {
    lang: tuple(
        (WORDS[lang][f"notation.{row}.sign"], WORDS[lang][f"notation.{row}.meaning"])
        for row in range(messages.DOCUMENT_NOTATION_ROWS)
    )
    for lang in ("zh", "en")
}


# ------------------------------------------------------------------------------------------
# Blocks


@attrs.frozen
class Heading:
    """A heading of `level` 1–4, with the anchor other parts of the document link to."""

    level: int
    inlines: tuple[Segment, ...]
    anchor: str | None = None


@attrs.frozen
class Paragraph:
    """Running text. `style`: `text`, `meta` (a line of facts under a heading), `note` (an
    interpretation the policy states), `bullet` (an item of one), `verbatim` (a comment line
    laid out by its author) or `section` (the title line of a section comment)."""

    inlines: tuple[Segment, ...]
    style: str = "text"
    lead: bool = attrs.field(default=False, kw_only=True)
    """Part of a section comment (one opened by a `# ----` line): shown before the
    declaration it stands above, not among its interpretations."""
    lang: str | None = attrs.field(default=None, kw_only=True)
    """The language of a comment paragraph written as a translation (`# en: …`) of the one
    before it; None for the paragraphs as written."""


@attrs.frozen
class Cell:
    """A table cell; `rows` > 1 spans the rows below it, whose own cell is then None."""

    inlines: tuple[Segment, ...]
    rows: int = 1


@attrs.frozen
class Table:
    """A table with a header row; `numeric` names the columns to align right."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    numeric: frozenset[int] = frozenset()
    row_anchors: tuple[str | None, ...] = ()
    """The anchor of each row that is a declaration (a param, an input), for links to it."""
    kind: str = ""
    """What the table lists (`fields`, `params`, `schedule`, …), for the layout of its columns."""


@attrs.frozen
class Code:
    """A rule text (or any expression) laid out in lines by `notation`."""

    lines: tuple[tuple[Segment, ...], ...]


@attrs.frozen
class Items:
    """A bulleted list."""

    items: tuple[tuple[Segment, ...], ...]


@attrs.frozen
class Group:
    """Blocks that belong together (one declaration): kept on one page where they fit."""

    blocks: tuple[Block, ...]
    anchor: str | None = None


Block = Heading | Paragraph | Table | Code | Items | Group


@attrs.frozen
class Document:
    """A policy laid out: its title, module name, language and blocks, with what the names
    in its rule texts point at."""

    title: str
    module: str
    lang: str
    blocks: tuple[Block, ...]
    anchors: Mapping[str, str]
    """Name as written in rule texts → anchor of its declaration in this document."""
    titles: Mapping[str, str]
    """Name as written in rule texts → label shown when pointing at it."""


# ------------------------------------------------------------------------------------------
# Comments: the interpretations written above (or inside) a declaration.


@attrs.frozen
class _Comment:
    text: str
    verbatim: bool


_BREAK = "break"  # an empty `#` line: a new paragraph
_BLANK = "blank"  # an empty line: a new comment block
_SEPARATOR = "separator"  # `# -----`: the comment block below opens a section


def _comment_lines(text: str, start: int, end: int) -> list[_Comment | str]:
    """The full-line comments between two offsets, with the breaks between them.

    Only whole comment lines count: a `#` after code on the same line may be inside a text,
    and a line cannot be inside a text (texts do not run over line breaks).
    """
    out: list[_Comment | str] = []
    pieces = text[start:end].split("\n")
    if start > 0 and text[start - 1] != "\n":
        pieces = pieces[1:]  # the rest of a line of code: a `#` there ends that line
    for raw in pieces:
        stripped = raw.strip()
        if not stripped.startswith("#"):
            if not stripped:
                out.append(_BLANK)
            continue
        body = stripped[1:]
        content = body.strip()
        if not content:
            out.append(_BREAK)
        elif set(content) <= set("-=~*_#"):
            out.append(_SEPARATOR)
        else:
            # `#   wuxin eval …` or `#     threshold = …`: laid out by its author, kept as is.
            verbatim = body.startswith("   ")
            out.append(_Comment(body[1:] if body.startswith(" ") else body, verbatim))
    return out


def _comment_blocks(items: list[_Comment | str], lang: str | None) -> list[Paragraph]:
    """Paragraphs of the comment blocks; those of a section comment marked `lead`, its first
    paragraph styled `section`. With `lang`, those a reader of `lang` sees (`_in_language`)."""
    paragraphs: list[Paragraph] = []
    block: list[_Comment | str] = []
    for item in [*items, _BLANK]:
        if item != _BLANK:
            block.append(item)
            continue
        lead = bool(block) and block[0] == _SEPARATOR
        found = _paragraphs([i for i in block if isinstance(i, _Comment) or i == _BREAK])
        if lead:
            found = [
                attrs.evolve(
                    p, style="section" if index == 0 and p.style == "note" else p.style, lead=True
                )
                for index, p in enumerate(found)
            ]
        paragraphs += _in_language(found, lang) if lang is not None else found
        block = []
    return paragraphs


def _paragraphs(comments: list[_Comment | str]) -> list[Paragraph]:
    """Comment lines joined into paragraphs; bullet items and verbatim lines kept apart.

    An indented line right after a bullet line continues the bullet; any other indented line
    is verbatim (a command or a formula the author laid out). A line `en: …` (a language a
    reader can ask for, then `: `) starts a paragraph that translates one before it.
    """
    paragraphs: list[Paragraph] = []
    current: list[str] = []
    bullet = False
    lang: str | None = None  # the language of the paragraph gathered, when a translation

    def flush() -> None:
        if current:
            text = _join(current)
            style = "bullet" if bullet else "note"
            paragraphs.append(Paragraph(_inline_code(text), style, lang=lang))
            current.clear()

    for comment in comments:
        if not isinstance(comment, _Comment):
            flush()
            bullet, lang = False, None
            continue
        text = comment.text
        tag, colon, rest = text.partition(": ")
        if colon and tag in wording.LANGUAGES and not comment.verbatim:
            flush()
            lang, text = tag, rest
            bullet = text.startswith(("* ", "- "))
            current.append(text[2:] if bullet else text)
        elif comment.verbatim and not (bullet and current):
            flush()
            bullet, lang = False, None
            paragraphs.append(Paragraph((Segment(text.strip()),), "verbatim"))
        elif text.startswith(("* ", "- ")):
            flush()
            bullet, lang = True, None
            current.append(text[2:])
        else:
            current.append(text)
    flush()
    return paragraphs


def _in_language(paragraphs: list[Paragraph], lang: str) -> list[Paragraph]:
    """The paragraphs a reader of `lang` sees: each translation into `lang` in place of the
    paragraph it translates, the other translations left out.

    A run of translations translates, in order, as many of the paragraphs written before it
    (since the previous run; verbatim lines, the same in every language, do not count).
    """
    shown: list[Paragraph] = []
    originals: list[int] = []  # where, in `shown`, the paragraphs not yet translated are
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        index += 1
        if paragraph.lang is None:
            if paragraph.style != "verbatim":
                originals.append(len(shown))
            shown.append(paragraph)
            continue
        run = [paragraph]
        while index < len(paragraphs) and paragraphs[index].lang is not None:
            run.append(paragraphs[index])
            index += 1
        mine = [p for p in run if p.lang == lang]
        paired = originals[max(0, len(originals) - len(mine)) :]
        extra = len(mine) - len(paired)  # more translations than paragraphs: shown as they are
        shown += mine[:extra]
        for position, translation in zip(paired, mine[extra:], strict=True):
            original = shown[position]
            shown[position] = attrs.evolve(translation, style=original.style, lead=original.lead)
        originals = []
    return shown


def _inline_code(text: str) -> tuple[Segment, ...]:
    """Text with `backticked` parts marked as code, the way authors write names in comments."""
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: leave the text alone
        return (Segment(text),)
    return tuple(
        Segment(part, "code" if index % 2 else "text") for index, part in enumerate(parts) if part
    )


def _join(lines: list[str]) -> str:
    """Lines of one paragraph joined: no space between two Chinese characters."""
    text = lines[0].strip()
    for line in lines[1:]:
        line = line.strip()
        if text and line and _wide(text[-1]) and _wide(line[0]):
            text += line
        else:
            text += " " + line
    return text


def _wide(char: str) -> bool:
    return (
        "\u2e80" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef" or "\u3000" <= char <= "\u303f"
    )


def attached_comments(
    module: ast.Module, lang: str | None = None
) -> tuple[list[Paragraph], dict[int, list[Paragraph]]]:
    """The comments of a module: those before its header (the introduction), and for each
    declaration (keyed by the start of its span) those above it and inside it. With `lang`,
    as a reader of that language sees them: translations (`# en: …`) in place of what they
    translate, the others left out; without, every paragraph."""
    text = module.span.source.text
    nodes: list[Any] = ([module.header] if module.header else []) + list(module.declarations)
    intro: list[Paragraph] = []
    attached: dict[int, list[Paragraph]] = {}
    previous_end = 0
    for node in nodes:
        above = _comment_blocks(_comment_lines(text, previous_end, node.span.start), lang)
        inside = _comment_blocks(_comment_lines(text, node.span.start, node.span.end), lang)
        if node is module.header:
            intro = above + inside
        else:
            attached[node.span.start] = above + inside
        previous_end = node.span.end
    if module.header is None and nodes:
        # Without a header, the first comment block introduces the file.
        first = nodes[0].span.start
        intro, attached[first] = attached.get(first, []), []
    return intro, attached


# ------------------------------------------------------------------------------------------
# Names: what a name in a rule text refers to.


class _Names:
    """Resolves names as the root module writes them to checked declarations."""

    def __init__(self, policy: model.CheckedPolicy, lang: str) -> None:
        self.policy = policy
        self.lang = lang
        self.root = policy.name
        self.modules: dict[str, ast.Module] = {}
        for module in policy.modules:
            name = module.header.name.dotted if module.header else policy.name
            self.modules.setdefault(name, module)
        root_module = policy.modules[0] if policy.modules else None
        self.prefixes: dict[str, str] = {}
        self.unqualified: dict[str, str] = {}
        if root_module is not None:
            for decl in root_module.declarations:
                if isinstance(decl, ast.ImportDecl):
                    target = decl.module.dotted
                    prefix = decl.alias.name if decl.alias else decl.module.parts[-1].name
                    self.prefixes[prefix] = target
                    for ident in decl.names:
                        self.unqualified[ident.name] = f"{target}.{ident.name}"
        self.declared = frozenset(
            {
                decl.name.name
                for decl in (root_module.declarations if root_module is not None else ())
                if isinstance(getattr(decl, "name", None), ast.Ident)
            }
            | set(self.unqualified)
        )
        """The names the root module declares or imports (they hide builtins of the name)."""

    @overload
    def _t(self, text: str) -> str: ...
    @overload
    def _t(self, text: str | None) -> str | None: ...
    def _t(self, text: str | None) -> str | None:
        """A label or note in the document's language (as written when not translated)."""
        return wording.in_language(text, self.lang)

    def key(self, written: str) -> str | None:
        """The checked key of a name as the root module writes it (`group_of`, `units.Kind`)."""
        if written in self.unqualified:
            return self.unqualified[written]
        prefix, dot, rest = written.partition(".")
        if dot and prefix in self.prefixes:
            return f"{self.prefixes[prefix]}.{rest}"
        return written

    def declaration(self, key: str) -> Any:
        """The checked declaration (rule, param, schedule, bands, enum, record) of a key."""
        for table in (self.policy.rules, self.policy.params, self.policy.schedules,
                      self.policy.bands, self.policy.enums, self.policy.records):  # fmt: skip
            if key in table:
                return table[key]
        return None

    def label(self, written: str) -> str | None:
        """The label a reader should see for a name as written (with its module if imported)."""
        key = self.key(written)
        found = self.declaration(key) if key else None
        if found is None:
            for item in self.policy.inputs:
                if item.name == written:
                    return self._t(item.label)
            return self.member_label(written)
        label = self._t(getattr(found, "label", None))
        module = self.module_of(key) if key else self.root
        if module != self.root:
            return f"{label or written} ({module})"
        return label

    def member_label(self, written: str) -> str | None:
        """The label of an enum member written bare (first visible enum that has it)."""
        name = written.rpartition(".")[2]
        for enum in self.policy.enums.values():
            member = enum.member(name)
            if member is not None and member.label:
                return self._t(member.label)
        return None

    def module_of(self, key: str) -> str:
        """The module a checked key belongs to (the root's keys are bare)."""
        owners = [name for name in self.modules if name != self.root and key.startswith(name + ".")]
        return max(owners, key=len) if owners else self.root

    def ast_decl(self, key: str) -> Any:
        """The surface declaration of a checked key, found in its module."""
        module_name = self.module_of(key)
        short = key if module_name == self.root else key[len(module_name) + 1 :]
        module = self.modules.get(module_name)
        if module is None:
            return None
        for decl in module.declarations:
            name = getattr(decl, "name", None)
            if isinstance(name, ast.Ident) and name.name == short:
                return decl
        return None


# ------------------------------------------------------------------------------------------
# Building


def build_document(policy: model.CheckedPolicy, lang: str = "zh") -> Document:
    """The document of a checked policy, with fixed words in `lang` (`zh` or `en`)."""
    return _Builder(policy, lang).build()


def _written(node: Any) -> str:
    """A node of the policy as written, on one line (a decision table's cell or column)."""
    return " ".join(node.span.text.split())


def _anchor(name: str) -> str:
    return "d-" + name


class _Builder:
    def __init__(self, policy: model.CheckedPolicy, lang: str) -> None:
        if lang not in WORDS:
            raise ValueError(f"unknown language {lang!r}")
        self.policy = policy
        self.lang = lang
        self.w = WORDS[lang]
        self.v: Vocabulary = VOCABULARIES[lang]
        self.names = _Names(policy, lang)
        self.module: ast.Module | None = policy.modules[0] if policy.modules else None
        self.intro, self.comments = (
            attached_comments(self.module, lang) if self.module else ([], {})
        )
        self.anchors: dict[str, str] = {}
        for decl in self._declarations():
            name = getattr(decl, "name", None)
            if isinstance(name, ast.Ident):
                self.anchors[name.name] = _anchor(name.name)

    @overload
    def _t(self, text: str) -> str: ...
    @overload
    def _t(self, text: str | None) -> str | None: ...
    def _t(self, text: str | None) -> str | None:
        """A label or note in the document's language (as written when not translated)."""
        return wording.in_language(text, self.lang)

    @staticmethod
    def _around(template: str, slot: str, inner: Sequence[Segment]) -> tuple[Segment, ...]:
        """`template` with `inner` in place of `slot`: `其余字段同 {b}` around a name."""
        before, _, after = template.partition(slot)
        return tuple(s for s in (Segment(before), *inner, Segment(after)) if s.text)

    def _declarations(self) -> Iterator[Any]:
        if self.module is not None:
            yield from self.module.declarations

    def _of(self, kind: type) -> list[Any]:
        return [d for d in self._declarations() if isinstance(d, kind)]

    # -- the whole ---------------------------------------------------------------------------

    def build(self) -> Document:
        blocks: list[Block] = []
        blocks += self._title()
        for section in (self._inputs, self._records, self._enums, self._params, self._schedules,
                        self._bands, self._decisions, self._rules, self._examples,
                        self._properties):  # fmt: skip
            blocks += section()
        blocks += self._notation()
        blocks += self._signoff()
        anchors: dict[str, str] = {}
        titles: dict[str, str] = {}
        for written in set(self._referenced_names(blocks)):
            key = self.names.key(written) or written
            anchor = self.anchors.get(written) or self.anchors.get(key)
            if anchor is not None:
                anchors[written] = anchor
            label = self.names.label(written)
            if label:
                titles[written] = label
        title = self._t(self.policy.label) or self.policy.name
        return Document(title, self.policy.name, self.lang, tuple(blocks), anchors, titles)

    def _referenced_names(self, blocks: Sequence[Block]) -> Iterator[str]:
        for block in blocks:
            if isinstance(block, Group):
                yield from self._referenced_names(block.blocks)
                continue
            lines: Sequence[Sequence[Segment]] = ()
            if isinstance(block, Code):
                lines = block.lines
            elif isinstance(block, Heading | Paragraph):
                lines = (block.inlines,)
            elif isinstance(block, Items):
                lines = block.items
            elif isinstance(block, Table):
                lines = [cell.inlines for row in block.rows for cell in row if cell is not None]
            for line in lines:
                for segment in line:
                    if segment.role == "name" and segment.ref:
                        yield segment.ref

    def _notes(self, doc: ast.Doc | None, start: int | None) -> list[Block]:
        """The interpretations of a declaration: its `note`, then the comments about it."""
        blocks: list[Block] = []
        if doc is not None and doc.note is not None:
            note = _inline_code(self._t(doc.note.value))
            blocks.append(
                Paragraph((Segment(self.w["note"] + self.w["colon"], "strong"), *note), "note")
            )
        if start is not None:
            blocks += [p for p in self.comments.get(start, []) if not p.lead]
        return blocks

    def _lead(self, node: Any) -> list[Block]:
        """The section comment above a declaration, shown before it."""
        return [p for p in self.comments.get(node.span.start, []) if p.lead]

    def _cites(self, cites: Sequence[str]) -> tuple[Segment, ...]:
        separator = "、" if self.lang == "zh" else ", "
        return (Segment(separator.join(cites)),) if cites else ()

    def _meta(self, pairs: Sequence[tuple[str, Sequence[Segment] | None]]) -> Paragraph:
        """`key: value · key: value` (a key without a value stands alone, as `规则`)."""
        inlines: list[Segment] = []
        for index, (key, value) in enumerate(pairs):
            if index:
                inlines.append(Segment(" · "))
            if value is None:
                inlines.append(Segment(self.w[key], "strong"))
            else:
                inlines += [Segment(self.w[key] + self.w["colon"], "strong"), *value]
        return Paragraph(tuple(inlines), "meta")

    def _paren(self, text: str) -> Segment:
        return Segment(self.w["paren"].format(x=text))

    def _type(self, type_: Type) -> tuple[Segment, ...]:
        def name_of(named: Type) -> str:
            label = self._t(getattr(named, "label", None))
            short = getattr(named, "name", "")
            return label + self.w["paren"].format(x=short).rstrip() if label else short

        return tuple(type_line(type_, self.v, name_of))

    def _code(self, expr: ast.Expr, local_names: frozenset[str] = frozenset()) -> Code:
        lines = expression_lines(
            expr,
            self.v,
            local_names=local_names,
            modules=frozenset(self.names.prefixes),
            declared=self.names.declared,
        )
        return Code(tuple(tuple(line) for line in lines))

    # -- sections ----------------------------------------------------------------------------

    def _title(self) -> list[Block]:
        policy = self.policy
        blocks: list[Block] = [Heading(1, (Segment(self._t(policy.label) or policy.name),), "top")]
        pairs: list[tuple[str, Sequence[Segment]]] = [("module", (Segment(policy.name, "code"),))]
        if policy.source:
            pairs.append(("source", (Segment(policy.source),)))
        if policy.cites:
            pairs.append(("cites", self._cites(policy.cites)))
        pairs.append(("file", (Segment(PurePath(policy.source_name).name, "code"),)))
        blocks.append(self._meta(pairs))
        header = self.module.header if self.module else None
        about = self._notes(header.doc if header else None, None) + self.intro
        if about:
            blocks += [Heading(2, (Segment(self.w["about"]),), "about"), *about]
        return blocks

    def _inputs(self) -> list[Block]:
        if not self.policy.inputs:
            return []
        rows = []
        for item in self.policy.inputs:
            decl = next((d for d in self._of(ast.InputDecl) if d.name.name == item.name), None)
            cites = self._cites([c.value for c in decl.doc.cites]) if decl else ()
            rows.append((
                Cell((Segment(item.name, "code"),)),
                Cell((Segment(self._t(item.label) or ""),)),
                Cell(self._type(item.type)),
                Cell(cites),
            ))  # fmt: skip
        blocks: list[Block] = [
            Heading(2, (Segment(self.w["inputs"]),), "inputs"),
            Table(
                (self.w["name"], self.w["label"], self.w["type"], self.w["cites"]),
                tuple(rows),
                row_anchors=tuple(_anchor(item.name) for item in self.policy.inputs),
                kind="inputs",
            ),
        ]
        for decl in self._of(ast.InputDecl):
            blocks += self._lead(decl) + self._notes(decl.doc, decl.span.start)
        return blocks

    def _shown_records(self) -> list[RecordType]:
        """Records the inputs hold (in the order reached), then this module's other records."""
        seen: dict[str, RecordType] = {}
        queue: list[Type] = [item.type for item in self.policy.inputs]
        while queue:
            type_ = queue.pop(0)
            if isinstance(type_, OptionalType):
                queue.append(type_.inner)
            elif isinstance(type_, ListType):
                queue.append(type_.element)
            elif isinstance(type_, RecordType) and type_.qualified and type_.qualified not in seen:
                seen[type_.qualified] = type_
                queue += [f.type for f in type_.fields]
        for decl in self._of(ast.RecordDecl):
            record = self.policy.records.get(decl.name.name)
            if record is not None and record.qualified not in seen:
                seen[record.qualified] = record
        return list(seen.values())

    def _records(self) -> list[Block]:
        records = self._shown_records()
        if not records:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["records"]),), "records")]
        for record in records:
            decl = self.names.ast_decl(record.qualified)
            group: list[Block] = [
                self._decl_heading(3, self._t(record.label), record.name, record.qualified)
            ]
            pairs: list[tuple[str, Sequence[Segment]]] = []
            if decl is not None and decl.doc.cites:
                pairs.append(("cites", self._cites([c.value for c in decl.doc.cites])))
            module = self.names.module_of(record.qualified)
            if module != self.policy.name:
                pairs.append(("module", (Segment(module, "code"),)))
            if pairs:
                group.append(self._meta(pairs))
            field_notes = (
                {f.name.name: self._t(f.doc.note.value) for f in decl.fields if f.doc.note}
                if decl
                else {}
            )
            rows = tuple(
                (
                    Cell((Segment(f.name, "code"),)),
                    Cell((Segment(self._t(f.label) or ""),)),
                    Cell(self._type(f.type)),
                    Cell(self._cites(f.cites)),
                    Cell(_inline_code(field_notes[f.name]) if f.name in field_notes else ()),
                )
                for f in record.fields
            )
            header: tuple[str, ...] = (
                self.w["field"],
                self.w["label"],
                self.w["type"],
                self.w["cites"],
                self.w["note"],
            )
            if not field_notes:  # no field has a note: leave the column out
                group.append(Table(header[:4], tuple(row[:4] for row in rows), kind="fields"))
            else:
                group.append(Table(header, rows, kind="fields"))
            if decl is not None:
                group += self._notes(
                    decl.doc, decl.span.start if module == self.policy.name else None
                )
                if module != self.policy.name:
                    group += self._foreign_comments(module, decl)
            lead = self._lead(decl) if decl is not None and module == self.policy.name else []
            blocks += [*lead, Group(tuple(group), self._anchor_for(record.qualified))]
        return blocks

    def _foreign_comments(self, module_name: str, decl: Any) -> list[Block]:
        module = self.names.modules.get(module_name)
        if module is None:
            return []
        return [
            p
            for p in attached_comments(module, self.lang)[1].get(decl.span.start, [])
            if not p.lead
        ]

    def _anchor_for(self, key: str) -> str:
        """The anchor of a declaration shown in this document (imported ones get their key)."""
        if self.names.module_of(key) == self.policy.name and "." not in key:
            return _anchor(key)
        anchor = _anchor(key.replace(".", "-"))
        self.anchors.setdefault(key, anchor)
        return anchor

    def _decl_heading(self, level: int, label: str | None, name: str, key: str) -> Heading:
        inlines = [Segment(label), Segment(" ")] if label else []
        return Heading(level, (*inlines, Segment(name, "code")), None)

    def _shown_enums(self) -> list[EnumType]:
        seen: dict[str, EnumType] = {}
        for record in self._shown_records():
            for f in record.fields:
                inner: Type = f.type
                while isinstance(inner, OptionalType | ListType):
                    inner = inner.inner if isinstance(inner, OptionalType) else inner.element
                if isinstance(inner, EnumType):
                    seen.setdefault(inner.qualified, inner)
        for decl in self._of(ast.EnumDecl):
            enum = self.policy.enums.get(decl.name.name)
            if enum is not None:
                seen.setdefault(enum.qualified, enum)
        return list(seen.values())

    def _member_fields(self, member: SumMember) -> tuple[Segment, ...]:
        """`number` Card number (text); `amount` …: the fields a member carries."""
        segments: list[Segment] = []
        for index, field in enumerate(member.fields):
            if index:
                segments.append(Segment("; "))
            segments.append(Segment(field.name, "code"))
            label = self._t(field.label)
            if label:
                segments.append(Segment(" " + label))
            segments += [Segment(" ("), *self._type(field.type), Segment(")")]
        return tuple(segments)

    def _enums(self) -> list[Block]:
        enums = self._shown_enums()
        if not enums:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["enums"]),), "enums")]
        for enum in enums:
            decl = self.names.ast_decl(enum.qualified)
            module = self.names.module_of(enum.qualified)
            group: list[Block] = [
                self._decl_heading(3, self._t(enum.label), enum.name, enum.qualified)
            ]
            pairs: list[tuple[str, Sequence[Segment]]] = []
            if decl is not None and decl.doc.cites:
                pairs.append(("cites", self._cites([c.value for c in decl.doc.cites])))
            if module != self.policy.name:
                pairs.append(("module", (Segment(module, "code"),)))
            if pairs:
                group.append(self._meta(pairs))
            sum_type = self.policy.sums.get(enum.qualified)
            if sum_type is None:
                rows = tuple(
                    (Cell((Segment(m.name, "code"),)), Cell((Segment(self._t(m.label) or ""),)))
                    for m in enum.members
                )
                group.append(Table((self.w["member"], self.w["label"]), rows, kind="enum"))
            else:
                # An enum whose members carry data: each member's fields in a third column.
                carried = tuple(
                    (
                        Cell((Segment(m.name, "code"),)),
                        Cell((Segment(self._t(m.label) or ""),)),
                        Cell(self._member_fields(m)),
                    )
                    for m in sum_type.members
                )
                headings = (self.w["member"], self.w["label"], self.w["fields"])
                group.append(Table(headings, carried, kind="enum"))
            if decl is not None:
                group += self._notes(
                    decl.doc, decl.span.start if module == self.policy.name else None
                )
                if module != self.policy.name:
                    group += self._foreign_comments(module, decl)
            lead = self._lead(decl) if decl is not None and module == self.policy.name else []
            blocks += [*lead, Group(tuple(group), self._anchor_for(enum.qualified))]
        return blocks

    def _params(self) -> list[Block]:
        decls = self._of(ast.ParamDecl)
        if not decls:
            return []
        rows = []
        notes: list[Block] = []
        any_illustrative = False
        for decl in decls:
            param = self.policy.params[decl.name.name]
            value = [Segment(value_text(param.default, param.type, self.v), "literal")]
            if param.illustrative:
                any_illustrative = True
                value += [Segment(" "), Segment(self.w["illustrative"], "mark")]
            rows.append((
                Cell((Segment(param.name, "code"),)),
                Cell((Segment(self._t(param.label) or ""),)),
                Cell(tuple(value)),
                Cell(self._type(param.type)),
                Cell(self._cites(param.cites)),
                Cell(_inline_code(self._t(param.note)) if param.note else ()),
            ))  # fmt: skip
            notes += self.comments.get(decl.span.start, [])
        header = (
            self.w["name"],
            self.w["label"],
            self.w["value"],
            self.w["type"],
            self.w["cites"],
            self.w["note"],
        )
        blocks: list[Block] = [
            Heading(2, (Segment(self.w["params"]),), "params"),
            Table(
                header,
                tuple(rows),
                row_anchors=tuple(_anchor(d.name.name) for d in decls),
                kind="params",
            ),
        ]
        if any_illustrative:
            blocks.append(
                Paragraph(
                    (
                        Segment(self.w["illustrative"], "mark"),
                        Segment(" "),
                        *_inline_code(self.w["illustrative legend"]),
                    ),
                    "meta",
                )
            )
        return blocks + notes

    def _schedules(self) -> list[Block]:
        decls = self._of(ast.ScheduleDecl)
        if not decls:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["schedules"]),), "schedules")]
        for decl in decls:
            schedule = self.policy.schedules[decl.name.name]
            group: list[Block] = [
                self._decl_heading(3, self._t(schedule.label), schedule.name, schedule.key)
            ]
            pairs: list[tuple[str, Sequence[Segment]]] = [("type", self._type(schedule.value_type))]
            if schedule.cites:
                pairs.append(("cites", self._cites(schedule.cites)))
            for direction in schedule.monotone:
                pairs.append(
                    ("monotone", (Segment(self.w[direction].format(p=schedule.period_name)),))
                )
            group.append(self._meta(pairs))
            categories = schedule.category.members if schedule.category else ()
            if schedule.dated:
                group.append(self._dated_table(schedule))
                group += self._notes(decl.doc, decl.span.start)
                blocks += [*self._lead(decl), Group(tuple(group), _anchor(decl.name.name))]
                continue
            header = (self.w["stage"], self.w["dates"], schedule.period_name) + (
                tuple(self._t(m.label) or m.name for m in categories) or (self.w["value"],)
            )
            rows: list[tuple[Cell | None, ...]] = []
            stage_notes: list[tuple[Segment, ...]] = []
            for stage, stage_decl in zip(schedule.stages, decl.stages, strict=True):
                dates = self._stage_dates(stage)
                name = (
                    Segment(self._t(stage.label) or stage.name),
                    Segment(" "),
                    Segment(stage.name, "code"),
                )
                if stage_decl.doc.cites or stage_decl.doc.note:
                    extra = [Segment(self._t(stage.label) or stage.name, "strong")]
                    if stage_decl.doc.cites:
                        extra.append(self._paren("、".join(c.value for c in stage_decl.doc.cites)))
                    if stage_decl.doc.note:
                        extra += [
                            Segment(self.w["colon"]),
                            *_inline_code(self._t(stage_decl.doc.note.value)),
                        ]
                    stage_notes.append(tuple(extra))
                periods = stage.periods
                if not periods:
                    filler = (
                        Cell((Segment(self.w["no rows"]),)),
                        *(Cell(()) for _ in range(len(header) - 3)),
                    )
                    rows.append((Cell(name), Cell(dates), *filler))
                    continue
                for index, period in enumerate(periods):
                    cells: list[Cell | None] = (
                        [Cell(name, len(periods)), Cell(dates, len(periods))]
                        if index == 0
                        else [None, None]
                    )
                    cells.append(Cell((Segment(str(period)),)))
                    for member in categories or (None,):
                        key = member.name if member is not None else None
                        value = schedule.cells.get((period, key))
                        text = (
                            self.w["none cell"]
                            if value is None
                            else value_text(value, schedule.value_type, self.v)
                        )
                        cells.append(Cell((Segment(text, "literal"),)))
                    rows.append(tuple(cells))
            group.append(
                Table(header, tuple(rows), frozenset(range(2, len(header))), kind="schedule")
            )
            if stage_notes:
                group.append(Items(tuple(stage_notes)))
            group += self._notes(decl.doc, decl.span.start)
            blocks += [*self._lead(decl), Group(tuple(group), _anchor(decl.name.name))]
        return blocks

    def _dated_table(self, schedule: model.ScheduleDef) -> Table:
        """A schedule `by date` as a table: a line per value, the dates it is in force (from
        its start to the day before the next start), its label, values and clauses."""
        categories = schedule.category.members if schedule.category else ()
        values = tuple(self._t(m.label) or m.name for m in categories) or (self.w["value"],)
        header = (self.w["in force"], self.w["label"], *values, self.w["cites"])
        rows: list[tuple[Cell | None, ...]] = []
        for index, stage in enumerate(schedule.dated):
            start = stage.start.isoformat()
            if index + 1 < len(schedule.dated):
                end = schedule.dated[index + 1].start - datetime.timedelta(days=1)
                dates = self.w["from to"].format(a=start, b=end.isoformat())
            else:
                dates = self.w["from on"].format(a=start)
            cells: list[Cell | None] = [
                Cell((Segment(dates),)),
                Cell((Segment(self._t(stage.label) or ""),)),
            ]
            for member in categories or (None,):
                value = schedule.cells.get((stage.start, member.name if member else None))
                text = (
                    self.w["none cell"]
                    if value is None
                    else value_text(value, schedule.value_type, self.v)
                )
                cells.append(Cell((Segment(text, "literal"),)))
            cells.append(Cell(self._cites(stage.cites) if stage.cites else ()))
            rows.append(tuple(cells))
        numbers = frozenset(range(2, 2 + len(values)))
        return Table(header, tuple(rows), numbers, kind="schedule")

    def _stage_dates(self, stage: model.StageDef) -> tuple[Segment, ...]:
        if stage.start is None:
            return (Segment(f"{self.w['until']} {stage.end.isoformat()}"),)
        return (
            Segment(self.w["from to"].format(a=stage.start.isoformat(), b=stage.end.isoformat())),
        )

    def _bound(self, expr: model.CExpr) -> tuple[Segment, ...]:
        """A band bound: a number, or a param's name with its value."""
        if isinstance(expr, model.ParamRef):
            param = self.policy.params[expr.key]
            value = value_text(param.default, param.type, self.v)
            short = param.name if param.module == self.policy.name else expr.key
            return (Segment(short, "name", short), self._paren(value))
        if isinstance(expr, model.Const):
            return (Segment(value_text(expr.value, expr.type, self.v), "literal"),)
        return (Segment("?"),)

    def _range(
        self, low: model.CExpr, high: model.CExpr, inclusive: bool, low_inclusive: bool = True
    ) -> tuple[Segment, ...]:
        low_text, high_text = self._bound(low), self._bound(high)
        middle = f" {'≤' if low_inclusive else '<'} x {'≤' if inclusive else '<'} "
        return (*low_text, Segment(middle), *high_text)

    def _bands(self) -> list[Block]:
        decls = self._of(ast.BandsDecl)
        if not decls:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["bands"]),), "bands")]
        for decl in decls:
            bands = self.policy.bands[decl.name.name]
            group: list[Block] = [
                self._decl_heading(3, self._t(bands.label), bands.name, bands.key)
            ]
            pairs: list[tuple[str, Sequence[Segment]]] = [
                (
                    "over",
                    self._range(bands.low, bands.high, bands.high_inclusive, bands.low_inclusive),
                )
            ]
            if bands.cites:
                pairs.append(("cites", self._cites(bands.cites)))
            group.append(self._meta(pairs))
            rows = tuple(
                (
                    Cell(
                        (
                            Segment(
                                self.w["hole"] if band.is_hole else self._t(band.label) or band.name
                            ),
                        )
                    ),
                    Cell((Segment(band.name, "code"),)),
                    Cell(self._range(band.low, band.high, band.high_inclusive, band.low_inclusive)),
                )
                for band in bands.bands
            )
            group.append(
                Table((self.w["grade"], self.w["name"], self.w["range"]), rows, kind="bands")
            )
            group += self._notes(decl.doc, decl.span.start)
            blocks += [*self._lead(decl), Group(tuple(group), _anchor(decl.name.name))]
        return blocks

    def _signature(self, rule: model.RuleDef) -> tuple[Segment, ...]:
        """`name(a: T, b: U)` of a rule or decision table with parameters."""
        signature = [Segment(rule.name, "code"), Segment("(")]
        for index, (name, type_) in enumerate(rule.params or ()):
            if index:
                signature.append(Segment(", "))
            signature += [Segment(name, "code"), Segment(": "), *self._type(type_)]
        signature.append(Segment(")"))
        return tuple(signature)

    def _decisions(self) -> list[Block]:
        """Each decision table as a table: a numbered row per row, a column per input and
        output (headed by the input's text and the output's name), the row's label and
        clauses last."""
        decls = self._of(ast.DecisionDecl)
        if not decls:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["decisions"]),), "decisions")]
        for decl in decls:
            rule = self.policy.rules[decl.name.name]
            group: list[Block] = [self._decl_heading(3, self._t(rule.label), rule.name, rule.key)]
            hit = decl.hit_policy
            words = f"{hit.kind} {hit.aggregator}" if hit.aggregator else hit.kind
            pairs: list[tuple[str, Sequence[Segment] | None]] = [("hit", (Segment(words, "code"),))]
            if rule.params is not None:
                pairs.insert(0, ("rule", self._signature(rule)))
            if rule.cites:
                pairs.append(("cites", self._cites(rule.cites)))
            pairs.append(("result", self._type(rule.type)))
            group.append(self._meta(pairs))
            header = (
                self.w["row"],
                *(_written(column) for column in decl.inputs),
                *(f"→ {name.name}" for name in decl.outputs),
                self.w["label"],
            )
            rows: list[tuple[Cell | None, ...]] = []
            for number, row in enumerate(decl.rows, start=1):
                described = [self._t(row.label.value)] if row.label is not None else []
                described += [f"[{c.value}]" for c in row.cites]
                rows.append(
                    (
                        Cell((Segment(str(number)),)),
                        *(Cell((Segment(_written(cell), "code"),)) for cell in row.cells),
                        *(Cell((Segment(_written(out), "code"),)) for out in row.outputs),
                        Cell((Segment(" ".join(d for d in described if d)),)),
                    )
                )
            if decl.default is not None:
                rows.append(
                    (
                        Cell((Segment(self.w["else row"]),)),
                        *(Cell((Segment("-", "code"),)) for _ in decl.inputs),
                        *(Cell((Segment(_written(out), "code"),)) for out in decl.default),
                        Cell(()),
                    )
                )
            group.append(Table(header, tuple(rows), kind="decision"))
            group += self._notes(decl.doc, decl.span.start)
            blocks += [*self._lead(decl), Group(tuple(group), _anchor(decl.name.name))]
        return blocks

    def _rules(self) -> list[Block]:
        decls = self._of(ast.RuleDecl)
        if not decls:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["rules"]),), "rules")]
        for decl in decls:
            rule = self.policy.rules[decl.name.name]
            group: list[Block] = []
            heading = (Segment(self._t(rule.label)), Segment(" ")) if rule.label else ()
            group.append(Heading(3, (*heading, Segment(rule.name, "code")), None))
            pairs: list[tuple[str, Sequence[Segment] | None]] = [(rule.kind, None)]
            if rule.params is not None:
                pairs = [(rule.kind, self._signature(rule))]
            if rule.cites:
                pairs.append(("cites", self._cites(rule.cites)))
            pairs.append(("result", self._type(rule.type)))
            group.append(self._meta(pairs))
            local_names = frozenset(name for name, _ in rule.params or ())
            group.append(self._code(decl.body, local_names))
            group += self._exceptions(decl, local_names)
            uses = self._uses(rule)
            if uses:
                group.append(
                    Paragraph(
                        (Segment(self.w["uses"] + self.w["colon"].rstrip(), "strong"),), "meta"
                    )
                )
                group.append(Items(tuple(uses)))
            group += self._notes(decl.doc, decl.span.start)
            blocks += [*self._lead(decl), Group(tuple(group), _anchor(decl.name.name))]
        return blocks

    def _exceptions(self, decl: ast.RuleDecl, local_names: frozenset[str]) -> list[Block]:
        """Each exception to a rule: its name, label, citations and what it overrides, then
        its condition and value."""
        blocks: list[Block] = []
        for exception in decl.exceptions:
            label = self._t(exception.doc.label.value) if exception.doc.label else None
            heading: list[Segment] = [Segment(self.w["exception"], "strong"), Segment(" ")]
            if label:
                heading += [Segment(label), Segment(" ")]
            heading.append(Segment(exception.name.name, "code"))
            pairs: list[tuple[str, Sequence[Segment] | None]] = []
            if exception.doc.cites:
                pairs.append(("cites", self._cites([c.value for c in exception.doc.cites])))
            overrides = exception.parent.name if exception.parent is not None else None
            if overrides is not None:
                pairs.append(("overrides", (Segment(overrides, "code"),)))
            blocks.append(Paragraph(tuple(heading), "meta"))
            if pairs:
                blocks.append(self._meta(pairs))
            blocks.append(Paragraph((Segment(self.w["exception-when"], "strong"),), "meta"))
            blocks.append(self._code(exception.condition, local_names))
            blocks.append(Paragraph((Segment(self.w["exception-then"], "strong"),), "meta"))
            blocks.append(self._code(exception.value, local_names))
            if exception.doc.note is not None:
                blocks.append(Paragraph((Segment(self._t(exception.doc.note.value)),), "note"))
        return blocks

    def _uses(self, rule: model.RuleDef) -> list[tuple[Segment, ...]]:
        """What a rule's body refers to, in order of first use, with labels and clauses."""
        items: list[tuple[Segment, ...]] = []
        seen: set[tuple[str, str]] = set()
        for kind, key in _references(rule.body):
            if (kind, key) in seen:
                continue
            seen.add((kind, key))
            written = self._written(key)
            label: str | None
            cites: tuple[str, ...] = ()
            if kind == "input":
                label = next((self._t(i.label) for i in self.policy.inputs if i.name == key), None)
            else:
                found = self.names.declaration(key)
                label = self._t(getattr(found, "label", None))
                cites = tuple(getattr(found, "cites", ()))
            item = [Segment(written, "name", written)]
            if label:
                item.append(Segment(" " + label))
            if cites:
                item.append(self._paren(("、" if self.lang == "zh" else ", ").join(cites)))
            module = self.names.module_of(key) if kind != "input" else self.policy.name
            if module != self.policy.name:
                item.append(Segment(" — " + self.w["imported"].format(m=module), "em"))
            if kind == "param":
                param = self.policy.params[key]
                item.append(
                    Segment(" = " + value_text(param.default, param.type, self.v), "literal")
                )
                if param.illustrative:
                    item += [Segment(" "), Segment(self.w["illustrative"], "mark")]
            items.append(tuple(item))
        return items

    def _written(self, key: str) -> str:
        """How the root module writes the name of a key (its short name when imported as one)."""
        for written, target in self.names.unqualified.items():
            if target == key:
                return written
        module = self.names.module_of(key)
        if module == self.policy.name:
            return key
        for prefix, target in self.names.prefixes.items():
            if target == module:
                return f"{prefix}.{key[len(module) + 1 :]}"
        return key

    def _examples(self) -> list[Block]:
        decls = self._of(ast.ExampleDecl)
        fixtures = self._of(ast.FixtureDecl)
        if not decls and not fixtures:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["examples"]),), "examples")]
        for fixture in fixtures:
            group: list[Block] = [
                Heading(3, (Segment(self.w["fixture"] + " "), Segment(fixture.name.name, "code")))
            ]
            group.append(self._facts(fixture.value, self._record_of(fixture.type), frozenset()))
            group += self._notes(None, fixture.span.start)
            blocks += [*self._lead(fixture), Group(tuple(group), _anchor(fixture.name.name))]
        for index, decl in enumerate(decls, 1):
            group = [Heading(3, (Segment(f"{index}. "), Segment(decl.title.value)))]
            group += self._notes(None, decl.span.start)
            locals_: set[str] = set()
            for given in decl.given:
                group += self._given(given, frozenset(locals_))
                if given.type is not None:
                    locals_.add(given.name.name)
            group.append(
                Paragraph((Segment(self.w["expect"] + self.w["colon"].rstrip(), "strong"),), "meta")
            )
            lines: list[tuple[Segment, ...]] = []
            for expect in decl.expect:
                lines += self._code(expect, frozenset(locals_)).lines
            group.append(Code(tuple(lines)))
            blocks += [*self._lead(decl), Group(tuple(group))]
        return blocks

    def _given(self, given: ast.ExampleGiven, local_names: frozenset[str]) -> list[Block]:
        title = Paragraph(
            (Segment(self.w["given"] + " ", "strong"), Segment(given.name.name, "code")), "meta"
        )
        record: Type | None
        if given.type is not None:
            record = self._record_of(given.type)
        else:
            record = next((i.type for i in self.policy.inputs if i.name == given.name.name), None)
        return [title, self._facts(given.value, record, local_names)]

    def _facts(self, value: ast.Expr, record: Type | None, local_names: frozenset[str]) -> Block:
        """A record literal of a known record type as a table of labelled fields; any other
        value as code."""
        if isinstance(record, RecordType) and isinstance(value, ast.RecordLit):
            rows = tuple(self._fact_rows(value, record, "", "", local_names))
            return Table((self.w["field"], self.w["label"], self.w["value"]), rows, kind="facts")
        return self._code(value, local_names)

    def _record_of(self, type_: ast.TypeExpr) -> RecordType | None:
        """The checked record a written type names, if it names one."""
        if isinstance(type_, ast.TypeRef):
            written = type_.name.dotted
            found = self.names.declaration(self.names.key(written) or written)
            return found if isinstance(found, RecordType) else None
        return None

    def _fact_rows(
        self, value: ast.RecordLit, record: RecordType, prefix: str, label_prefix: str,
        local_names: frozenset[str],
    ) -> Iterator[tuple[Cell, ...]]:  # fmt: skip
        """One row per field of a record literal, nested records flattened (`a.b`)."""
        for item in value.items:
            if isinstance(item, ast.RecordSpread):
                base = self._inline(item.value, local_names)
                yield (
                    Cell((Segment("...", "code"), *base)),
                    # The base keeps its segments: a name stays a name (code, linked).
                    Cell(self._around(self.w["spread"], "{b}", base)),
                    Cell(()),
                )
                continue
            info = record.field(item.name.name)
            path = prefix + item.name.name
            label = (label_prefix + (self._t(info.label) or "")) if info else ""
            inner = info.type if info else None
            if isinstance(inner, RecordType) and isinstance(item.value, ast.RecordLit):
                yield from self._fact_rows(
                    item.value, inner, path + ".", label + " · ", local_names
                )
                continue
            cell = self._inline(item.value, local_names)
            yield (Cell((Segment(path, "code"),)), Cell((Segment(label),)), Cell(cell))

    def _inline(self, expr: ast.Expr, local_names: frozenset[str]) -> tuple[Segment, ...]:
        """An expression on one line, as one piece of code (a value in a table)."""
        code = self._code(expr, local_names)
        return (Segment(" ".join(line_text(list(line)).strip() for line in code.lines), "code"),)

    def _properties(self) -> list[Block]:
        decls = self._of(ast.PropertyDecl)
        if not decls:
            return []
        blocks: list[Block] = [Heading(2, (Segment(self.w["properties"]),), "properties")]
        for index, decl in enumerate(decls, 1):
            group: list[Block] = [Heading(3, (Segment(f"{index}. "), Segment(decl.title.value)))]
            group += self._notes(None, decl.span.start)
            binders = frozenset(b.name.name for b in decl.binders)
            forall: list[Segment] = [Segment(self.w["forall"], "keyword"), Segment(" ")]
            for position, binder in enumerate(decl.binders):
                if position:
                    forall.append(Segment(", "))
                forall += [
                    Segment(binder.name.name, "local"),
                    Segment(": "),
                    *self._surface_type(binder.type),
                ]
            lines: list[tuple[Segment, ...]] = [tuple(forall)]
            if decl.condition is not None:
                lines += _prefixed_lines(self.w["where"], self._code(decl.condition, binders).lines)
            lines += _prefixed_lines(self.w["holds"], self._code(decl.claim, binders).lines)
            group.append(Code(tuple(lines)))
            blocks += [*self._lead(decl), Group(tuple(group))]
        return blocks

    def _surface_type(self, type_: ast.TypeExpr) -> list[Segment]:
        """A type as written (`Unit`, `list of Unit`), resolved to its label where it can be."""
        match type_:
            case ast.OptionalTypeExpr(inner=inner):
                return list(_fill_segments(self.v.words["optional"], self._surface_type(inner)))
            case ast.ListTypeExpr(element=element):
                return list(_fill_segments(self.v.words["list of"], self._surface_type(element)))
            case ast.TypeRef(name=name):
                written = name.dotted
                key = self.names.key(written) or written
                found = self.names.declaration(key)
                if isinstance(found, EnumType | RecordType):
                    return list(self._type(found))
                return [Segment(written)]
        return [Segment("?")]

    def _notation(self) -> list[Block]:
        rows = tuple(
            (Cell((Segment(sign, "code"),)), Cell((Segment(meaning),)))
            for sign, meaning in NOTATION[self.lang]
        )
        return [
            Heading(2, (Segment(self.w["notation"]),), "notation"),
            Table(("", self.w["label"]), rows, kind="notation"),
        ]

    def _signoff(self) -> list[Block]:
        blank = Cell((Segment(""),))
        rows = (
            (
                Cell((Segment(self.w["reviewed by"]),)),
                blank,
                Cell((Segment(self.w["date"]),)),
                blank,
            ),
            (
                Cell((Segment(self.w["approved by"]),)),
                blank,
                Cell((Segment(self.w["date"]),)),
                blank,
            ),
        )
        generated = self.w["generated"].format(f=PurePath(self.policy.source_name).name)
        return [
            Group((
                Heading(2, (Segment(self.w["signoff"]),), "signoff"),
                Table(("", "", "", ""), rows, kind="signoff"),
                Paragraph((Segment(generated),), "meta"),
            ), "signoff-block"),
        ]  # fmt: skip


def _prefixed_lines(word: str, lines: Sequence[Sequence[Segment]]) -> list[tuple[Segment, ...]]:
    prefix = [Segment(word, "keyword"), Segment(" ")]
    pad = Segment(" " * (len(word) * (2 if any(_wide(c) for c in word) else 1) + 1))
    out = [tuple([*prefix, *lines[0]])]
    out += [tuple([pad, *line]) for line in lines[1:]]
    return out


def _fill_segments(template: str, inner: list[Segment]) -> list[Segment]:
    before, _, after = template.partition("{t}")
    return [*([Segment(before)] if before else []), *inner, *([Segment(after)] if after else [])]


def _references(expr: model.CExpr) -> Iterator[tuple[str, str]]:
    """(kind, key) of every declaration an expression refers to, in order of appearance."""
    for node in model.walk(expr):
        match node:
            case model.RuleRef(key=key) | model.CallRule(key=key):
                yield "rule", key
            case model.ParamRef(key=key):
                yield "param", key
            case model.ScheduleLookup(key=key) | model.StageLookup(key=key):
                yield "schedule", key
            case model.BandsLookup(key=key):
                yield "bands", key
            case model.InputRef(name=name):
                yield "input", name


def lines_text(lines: Sequence[Line]) -> str:
    """Lines of segments as plain text."""
    return "\n".join(line_text(list(line)) for line in lines)
