"""Writing a policy `Document` as Markdown or as one self-contained HTML file.

The HTML is meant for paper: inline CSS only (no script, no font, no image, no link to
anything outside the file, so opening it fetches nothing), an A4 `@page`, table headers that
repeat on every page, rows and rule texts that do not break across pages. Several documents
can share one file (`render_html([a, b])`), each starting on a new page.

Rule texts in HTML are coloured by Pygments when it is installed (the `highlight` extra:
`wuxin_rules.highlight`); without it they keep their plain keyword and literal marks.

May import `source`, `notation`, `document` and `highlight`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from wuxin_rules.document import (
    Block,
    Cell,
    Code,
    Document,
    Group,
    Heading,
    Items,
    Paragraph,
    Table,
)
from wuxin_rules.notation import Segment

try:
    from wuxin_rules import highlight
except ImportError:  # Pygments is optional: the HTML is complete without its colours
    highlight = None  # type: ignore[assignment]

__all__ = ["FORMATS", "render", "render_html", "render_markdown"]

FORMATS = ("md", "html")


def render(documents: Sequence[Document], format_: str) -> str:
    """`documents` in `format_` (`md` or `html`), one after the other."""
    if format_ == "md":
        return "\n\n---\n\n".join(render_markdown(document) for document in documents)
    if format_ == "html":
        return render_html(documents)
    raise ValueError(f"unknown format {format_!r}")


# ------------------------------------------------------------------------------------------
# Markdown


def render_markdown(document: Document) -> str:
    """The document as Markdown (GitHub flavour: pipe tables, fenced rule texts)."""
    parts = [_md_block(block) for block in document.blocks]
    return "\n\n".join(part for part in parts if part) + "\n"


def _md_block(block: Block) -> str:
    match block:
        case Group(blocks=blocks):
            return "\n\n".join(part for part in (_md_block(b) for b in blocks) if part)
        case Heading(level=level, inlines=inlines):
            return "#" * level + " " + _md_inlines(inlines)
        case Paragraph(inlines=inlines, style="verbatim"):
            return "    " + "".join(s.text for s in inlines)
        case Paragraph(inlines=inlines, style="note"):
            return "> " + _md_inlines(inlines)
        case Paragraph(inlines=inlines, style="bullet"):
            return "> • " + _md_inlines(inlines)
        case Paragraph(inlines=inlines, style="section"):
            return "---\n\n**" + _md_inlines(inlines).strip() + "**"
        case Paragraph(inlines=inlines):
            return _md_inlines(inlines)
        case Items(items=items):
            return "\n".join("- " + _md_inlines(item) for item in items)
        case Code(lines=lines):
            body = "\n".join("".join(s.text for s in line).rstrip() for line in lines)
            fence = "```"
            while fence in body:
                fence += "`"
            return f"{fence}\n{body}\n{fence}"
        case Table(header=header, rows=rows):
            return _md_table(header, rows)
    raise AssertionError(f"unknown block {block!r}")


def _md_table(header: Sequence[str], rows: Sequence[Sequence[Cell | None]]) -> str:
    lines = ["| " + " | ".join(_md_cell_text(h) or " " for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        cells = [_md_inlines(cell.inlines, table=True) if cell is not None else "" for cell in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _md_cell_text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_inlines(inlines: Sequence[Segment], table: bool = False) -> str:
    out: list[str] = []
    code: list[str] = []

    def flush_code() -> None:
        if code:
            out.append(_md_code("".join(code)))
            code.clear()

    for segment in inlines:
        if segment.role == "code":
            code.append(segment.text)
            continue
        flush_code()
        text = _md_escape(segment.text)
        if segment.role == "strong" and text.strip():
            out.append(f"**{text.strip()}**" + (" " if text.endswith(" ") else ""))
        elif segment.role == "em" and text.strip():
            lead = text[: len(text) - len(text.lstrip())]
            out.append(f"{lead}*{text.strip()}*")
        elif segment.role == "mark":
            out.append(f"**〔{text}〕**")
        elif segment.role in ("name", "local", "field") and _is_identifier(segment.text):
            out.append(_md_code(segment.text))
        else:
            out.append(text)
    flush_code()
    text = "".join(out)
    if table:
        text = text.replace("|", "\\|").replace("\n", " ")
    return text


def _is_identifier(text: str) -> bool:
    return all(part.isidentifier() for part in text.split("."))


def _md_code(text: str) -> str:
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _md_escape(text: str) -> str:
    # Only what Markdown would otherwise take as markup inside running text.
    for char in ("\\", "*", "_", "`", "<", "[", "]"):
        text = text.replace(char, "\\" + char)
    return text


# ------------------------------------------------------------------------------------------
# HTML

_CSS = """\
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
  @bottom-center { content: counter(page) " / " counter(pages); font-size: 8.5pt; color: #555; } }
:root { --ink: #1a1a1a; --rule: #888; --soft: #f4f4f1; --mark: #8a1c1c; }
html { color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 178mm; padding: 12mm 0;
  font-family: "Songti SC", "STSong", "SimSun", "Noto Serif CJK SC", "Source Han Serif SC",
    "Noto Serif", serif;
  font-size: 10.5pt; line-height: 1.55; }
article + article { break-before: page; }
h1 { font-size: 18pt; text-align: center; margin: 0 0 4mm; letter-spacing: 0.05em; }
h2 { font-size: 13pt; border-bottom: 1px solid var(--rule); padding-bottom: 1mm;
  margin: 7mm 0 3mm; break-after: avoid; }
h3 { font-size: 11pt; margin: 5mm 0 1.5mm; break-after: avoid; }
h1, h2, h3 { font-family: "Heiti SC", "STHeiti", "SimHei", "Noto Sans CJK SC",
  "Source Han Sans SC", sans-serif; }
p { margin: 1.2mm 0; }
p.meta { color: #333; }
p.section { font-weight: bold; border-top: 1px dashed var(--rule); padding-top: 2mm;
  margin-top: 5mm; break-after: avoid; }
h1 + p.meta { text-align: center; }
p.note, blockquote { margin: 1.5mm 0 1.5mm 0; padding: 0.5mm 0 0.5mm 3mm;
  border-left: 2px solid var(--rule); color: #333; }
pre.verbatim { margin: 1mm 0 1mm 3mm; }
code, pre { font-family: "Menlo", "Consolas", "DejaVu Sans Mono", "Noto Sans Mono CJK SC",
  monospace; font-size: 9pt; }
pre.rule { background: var(--soft); border: 1px solid #ddd; padding: 2mm 3mm; margin: 1.5mm 0;
  white-space: pre-wrap; break-inside: avoid; }
pre .kw { font-weight: bold; }
pre .lit { color: #0b4f8a; }
a { color: inherit; text-decoration: none; border-bottom: 1px dotted var(--rule); }
abbr { text-decoration: none; border-bottom: 1px dotted #bbb; }
table { border-collapse: collapse; width: 100%; margin: 1.5mm 0 2.5mm; font-size: 9.5pt; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid var(--rule); padding: 1mm 1.8mm; vertical-align: top; text-align: left; }
th { background: var(--soft); font-weight: bold; }
td.num { text-align: right; white-space: nowrap; }
.mark { color: var(--mark); border: 1px solid var(--mark); border-radius: 2px;
  padding: 0 0.8mm; font-size: 8.5pt; white-space: nowrap; }
p.meta { break-after: avoid; }
code { overflow-wrap: normal; word-break: keep-all; hyphens: none; }
table.params td:nth-child(2), table.fields td:nth-child(2), table.inputs td:nth-child(2),
table.facts td:nth-child(2) { min-width: 8em; }
table.schedule td:nth-child(2) { white-space: nowrap; }
table.notation td:first-child { white-space: nowrap; }
section.signoff { break-inside: avoid; margin-top: 10mm; }
table.signoff td { height: 10mm; }
table.signoff td:nth-child(odd) { width: 18%; }
table.signoff thead { display: none; }
ul { margin: 1mm 0 2mm; padding-left: 6mm; }
table.params td:nth-child(4), table.fields td:nth-child(3) { min-width: 6em; }
@media print { body { padding: 0; max-width: none; } a, abbr { border-bottom: none; } }
"""


def render_html(documents: Sequence[Document]) -> str:
    """The documents as one HTML file that fetches nothing and prints on A4."""
    if not documents:
        raise ValueError("no document to render")
    lang = "zh-CN" if documents[0].lang == "zh" else "en"
    title = html.escape(" · ".join(d.title for d in documents))
    articles = "\n".join(_html_article(document, index) for index, document in enumerate(documents))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>\n{_CSS}{_highlight_css()}{_running_title(documents)}"
        "</style>\n"
        "</head>\n<body>\n"
        f"{articles}\n</body>\n</html>\n"
    )


def _highlight_css() -> str:
    """The colours of the Pygments classes in rule texts (nothing without Pygments)."""
    return highlight.style_css("pre.rule") if highlight is not None else ""


def _running_title(documents: Sequence[Document]) -> str:
    """The title at the top of every printed page (when the file holds one document)."""
    if len(documents) != 1:
        return ""
    return (
        f"@page {{ @top-right {{ content: {_css_string(documents[0].title)}; "
        "font-size: 8.5pt; color: #555; } }\n"
    )


def _css_string(text: str) -> str:
    """`text` as a CSS string: every character that could end it (or the style) escaped."""
    out = []
    for char in text:
        if char.isalnum() or char in " -_.,:;()（）、，：·—〔〕":
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return '"' + "".join(out) + '"'


class _Html:
    def __init__(self, document: Document, prefix: str) -> None:
        self.document = document
        self.prefix = prefix

    def anchor(self, name: str) -> str:
        return html.escape(self.prefix + name, quote=True)

    def block(self, block: Block) -> str:
        match block:
            case Group(blocks=blocks, anchor=anchor):
                inner = "\n".join(self.block(b) for b in blocks)
                ident = f' id="{self.anchor(anchor)}"' if anchor else ""
                kind = "signoff" if anchor == "signoff-block" else "decl"
                return f'<section class="{kind}"{ident}>\n{inner}\n</section>'
            case Heading(level=level, inlines=inlines, anchor=anchor):
                ident = f' id="{self.anchor(anchor)}"' if anchor else ""
                return f"<h{level}{ident}>{self.inlines(inlines)}</h{level}>"
            case Paragraph(inlines=inlines, style="verbatim"):
                return (
                    f'<pre class="verbatim">{html.escape("".join(s.text for s in inlines))}</pre>'
                )
            case Paragraph(inlines=inlines, style="bullet"):
                return f'<p class="note bullet">• {self.inlines(inlines)}</p>'
            case Paragraph(inlines=inlines, style=style):
                return f'<p class="{style}">{self.inlines(inlines)}</p>'
            case Items(items=items):
                return (
                    "<ul>\n"
                    + "\n".join(f"<li>{self.inlines(item)}</li>" for item in items)
                    + "\n</ul>"
                )
            case Code(lines=lines):
                body = "\n".join(self.code_line(line).rstrip() for line in lines)
                return f'<pre class="rule">{body}</pre>'
            case Table():
                return self.table(block)
        raise AssertionError(f"unknown block {block!r}")

    def table(self, table: Table) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in table.header)
        rows = []
        anchors = list(table.row_anchors) + [None] * (len(table.rows) - len(table.row_anchors))
        for row, anchor in zip(table.rows, anchors, strict=True):
            cells = []
            for index, cell in enumerate(row):
                if cell is None:
                    continue
                attributes = ' class="num"' if index in table.numeric else ""
                if cell.rows > 1:
                    attributes += f' rowspan="{cell.rows}"'
                cells.append(f"<td{attributes}>{self.inlines(cell.inlines)}</td>")
            ident = f' id="{self.anchor(anchor)}"' if anchor else ""
            rows.append(f"<tr{ident}>" + "".join(cells) + "</tr>")
        body = "\n".join(rows)
        kind = f' class="{table.kind}"' if table.kind else ""
        return f"<table{kind}>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"

    def code_line(self, line: Sequence[Segment]) -> str:
        """One line of a rule text: the marked segments as `inlines`, and the rest (names,
        operators, punctuation) split into the runs the Pygments lexer gives classes."""
        if highlight is None:
            return self.inlines(line, pre=True)
        classes = highlight.token_classes("".join(s.text for s in line))
        out, at = [], 0
        for segment in line:
            end = at + len(segment.text)
            if segment.role in ("keyword", "literal") or not segment.text:
                out.append(self.inlines([segment], pre=True))
            else:
                runs = _runs(segment.text, classes[at:end])
                if segment.role == "name" and segment.ref:
                    out.append(self.name(segment, runs, True))
                else:
                    out.append(runs)
            at = end
        return "".join(out)

    def inlines(self, inlines: Sequence[Segment], pre: bool = False) -> str:
        """Segments as HTML; `pre` inside a rule text (no `<code>`: the block is code)."""
        out = []
        for segment in inlines:
            text = html.escape(segment.text, quote=False)
            role = segment.role
            if role == "name" and segment.ref:
                out.append(self.name(segment, text, pre))
            elif role == "keyword":
                out.append(f'<span class="kw">{text}</span>')
            elif role == "literal" and pre:
                out.append(f'<span class="lit">{text}</span>')
            elif role in ("code", "local", "field") and not pre:
                out.append(f"<code>{_breakable(text)}</code>")
            elif role == "strong":
                out.append(f"<strong>{text}</strong>")
            elif role == "em":
                out.append(f"<em>{text}</em>")
            elif role == "mark":
                out.append(f'<span class="mark">{text}</span>')
            else:
                out.append(text)
        return "".join(out).replace("<code></code>", "")

    def name(self, segment: Segment, text: str, pre: bool) -> str:
        assert segment.ref is not None
        title = self.document.titles.get(segment.ref)
        title_attribute = f' title="{html.escape(title, quote=True)}"' if title else ""
        if not pre and _is_identifier(segment.text):
            text = f"<code>{_breakable(text)}</code>"
        anchor = self.document.anchors.get(segment.ref)
        if anchor is not None:
            return f'<a href="#{self.anchor(anchor)}"{title_attribute}>{text}</a>'
        if title:
            return f"<abbr{title_attribute}>{text}</abbr>"
        return text


_JOINS = re.compile(r"(?<=\w)([_.])(?=\w)")


def _breakable(code: str) -> str:
    """Escaped code that a narrow column may break only after a `_` or `.` inside a name
    (`max_<wbr>area_<wbr>per_<wbr>person`), never inside a word: the style keeps words whole."""
    return _JOINS.sub(r"\1<wbr>", code)


def _runs(text: str, classes: Sequence[str]) -> str:
    """`text` escaped, each run of characters of one class in a `<span>` of that class."""
    out, start = [], 0
    for index in range(1, len(text) + 1):
        if index == len(text) or classes[index] != classes[start]:
            piece = html.escape(text[start:index], quote=False)
            out.append(
                f'<span class="{classes[start]}">{piece}</span>' if classes[start] else piece
            )
            start = index
    return "".join(out)


def _html_article(document: Document, index: int) -> str:
    # Several documents in one file: anchors are prefixed so that they stay unique.
    writer = _Html(document, f"p{index}-" if index else "")
    body = "\n".join(writer.block(block) for block in document.blocks)
    return f"<article>\n{body}\n</article>"
