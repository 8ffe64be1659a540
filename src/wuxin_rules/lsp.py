"""`wuxin lsp`: a Language Server Protocol server over stdio, built on pygls.

Owns the translation between the protocol and `wuxin_rules.symbols`: positions (UTF-16 code
units, as the protocol counts them) to offsets and back, diagnostics with their codes, help
and related places, quick fixes, hover, definition, references, completion, document
symbols, folding, formatting (`wuxin_rules.formatter`, as `wuxin fmt`) and rename. The only
module that imports pygls and lsprotocol (the `lsp` extra). See docs/editors.md.

On every change the document is parsed (one declaration at a time, cached), checked and
indexed, and its errors are published at once; the consistency warnings of `wuxin check`,
which cost more on large policies, follow when typing pauses (`LINT_DELAY`).

May import errors, ast, schema, values, parser, checker, formatter, messages, symbols.
"""

from __future__ import annotations

import asyncio
import bisect
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from wuxin_rules import ast, formatter, messages, parser, wording
from wuxin_rules.checker import BUILTINS
from wuxin_rules.errors import Diagnostic, Severity, WuxinError
from wuxin_rules.messages import english
from wuxin_rules.schema import BUILTIN_TYPES, describe
from wuxin_rules.symbols import Analysis, Index, Loc, Symbol, Workspace, pieces
from wuxin_rules.values import format_value

__all__ = ["LINT_DELAY", "WuxinLanguageServer", "create_server", "serve"]

LINT_DELAY = 0.4
"""Seconds of quiet after a change before the consistency warnings are computed."""

_NAME = re.compile(r"(?!\d)\w+\Z")
_CHAIN_BEFORE_DOT = re.compile(r"((?:(?!\d)\w+\.)+)(\w*)\Z")
_WORD_BEFORE = re.compile(r"(\w*)\Z")
_RULE_PARAMS = re.compile(r"\(([^()]*)\)")
_PARAM = re.compile(r"((?!\d)\w+)\s*:\s*([\w.]+)")
_AGGREGATE_VAR = re.compile(r"\bof\s+((?!\d)\w+)\s+in\s+([\w.]+)")
_TYPE_NAMES = tuple(BUILTIN_TYPES)
_DATE_PARTS = ("year", "month", "day", "quarter")
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}
_SYMBOL_KIND = {
    "enum": types.SymbolKind.Enum,
    "member": types.SymbolKind.EnumMember,
    "record": types.SymbolKind.Struct,
    "field": types.SymbolKind.Field,
    "input": types.SymbolKind.Variable,
    "param": types.SymbolKind.Constant,
    "rule": types.SymbolKind.Function,
    "criterion": types.SymbolKind.Boolean,
    "schedule": types.SymbolKind.Array,
    "stage": types.SymbolKind.Namespace,
    "bands": types.SymbolKind.Enum,
    "band": types.SymbolKind.EnumMember,
    "fixture": types.SymbolKind.Constant,
    "exception": types.SymbolKind.Event,
    "local": types.SymbolKind.Variable,
    "module": types.SymbolKind.Module,
}
_COMPLETION_KIND = {
    "enum": types.CompletionItemKind.Enum,
    "member": types.CompletionItemKind.EnumMember,
    "record": types.CompletionItemKind.Struct,
    "field": types.CompletionItemKind.Field,
    "input": types.CompletionItemKind.Variable,
    "param": types.CompletionItemKind.Constant,
    "rule": types.CompletionItemKind.Function,
    "criterion": types.CompletionItemKind.Function,
    "schedule": types.CompletionItemKind.Function,
    "stage": types.CompletionItemKind.EnumMember,
    "bands": types.CompletionItemKind.Function,
    "band": types.CompletionItemKind.EnumMember,
    "fixture": types.CompletionItemKind.Constant,
    "local": types.CompletionItemKind.Variable,
    "module": types.CompletionItemKind.Module,
}


# ------------------------------------------------------------------------------------------
# Positions: the protocol counts UTF-16 code units within a line


def _units(char: str, encoding: str) -> int:
    """How many code units of the negotiated position encoding `char` takes."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(char.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return 1
    return 2 if ord(char) > 0xFFFF else 1


class _Lines:
    """Offsets (characters) ↔ protocol positions (lines, and code units of the position
    encoding agreed with the client: UTF-16 unless it asked for UTF-8 or UTF-32)."""

    def __init__(self, text: str, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.text[self.starts[line] : offset]
        if prefix.isascii() or self.encoding == types.PositionEncodingKind.Utf32:
            return types.Position(line, len(prefix))
        return types.Position(line, sum(_units(c, self.encoding) for c in prefix))

    def offset(self, position: types.Position) -> int:
        if position.line >= len(self.starts):
            return len(self.text)
        start = self.starts[position.line]
        end = (
            self.starts[position.line + 1] - 1
            if position.line + 1 < len(self.starts)
            else len(self.text)
        )
        units = 0
        for index in range(start, end):
            if units >= position.character:
                return index
            units += _units(self.text[index], self.encoding)
        return end

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))


# ------------------------------------------------------------------------------------------
# The server


class WuxinLanguageServer(LanguageServer):
    """A pygls server holding the editor's documents in a `symbols.Workspace`."""

    def __init__(self) -> None:
        super().__init__("wuxin", _version())
        self.files = Workspace()
        self.analyses: dict[str, Analysis] = {}
        self.lang = "en"
        self._lines: dict[str, _Lines] = {}
        self._pending: dict[str, asyncio.TimerHandle] = {}

    # --- documents ------------------------------------------------------------------------

    def lines(self, file: str, text: str | None = None) -> _Lines:
        if text is None:
            text = self.files.text_of(file) or ""
        encoding = str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)
        cached = self._lines.get(file)
        if cached is None or cached.encoding != encoding or cached.text != text:
            cached = self._lines[file] = _Lines(text, encoding)
        return cached

    def update(self, uri: str, text: str, version: int | None) -> None:
        """Analyse a changed document and publish its errors; warnings follow after a pause."""
        file = _path(uri)
        self.files.open[file] = text
        analysis = self.files.analyse(file, text, lint=False)
        self.analyses[uri] = analysis
        self.publish(uri, analysis, version)
        self._schedule_lint(uri, version)

    def analysis(self, uri: str) -> Analysis:
        found = self.analyses.get(uri)
        if found is None:
            file = _path(uri)
            text = self.files.text_of(file) or ""
            found = self.analyses[uri] = self.files.analyse(file, text, lint=False)
        return found

    def _schedule_lint(self, uri: str, version: int | None) -> None:
        pending = self._pending.pop(uri, None)
        if pending is not None:
            pending.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._pending[uri] = loop.call_later(LINT_DELAY, self._lint, uri, version)

    def _lint(self, uri: str, version: int | None) -> None:
        self._pending.pop(uri, None)
        file = _path(uri)
        text = self.files.open.get(file)
        current = self.analyses.get(uri)
        if text is None or current is None or current.text != text or current.syntax_errors:
            return
        analysis = self.files.analyse(file, text, lint=True)
        self.analyses[uri] = analysis
        self.publish(uri, analysis, version)
        # The open documents that import this one are checked again against its new text.
        for other, before in list(self.analyses.items()):
            if other != uri and any(m.span.source.name == file for m in before.modules.values()):
                again = self.files.analyse(before.file, before.text, lint=True)
                self.analyses[other] = again
                self.publish(other, again, None)

    def publish(self, uri: str, analysis: Analysis, version: int | None) -> None:
        lines = self.lines(analysis.file, analysis.text)
        diagnostics = [self.diagnostic(p, analysis, lines) for p in analysis.problems]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)
        )

    # --- conversions -----------------------------------------------------------------------

    def location(self, loc: Loc) -> types.Location:
        lines = self.lines(loc.file)
        return types.Location(uri=_uri(loc.file), range=lines.range(loc.start, loc.end))

    def diagnostic(self, problem: Any, analysis: Analysis, lines: _Lines) -> types.Diagnostic:
        d = problem.diagnostic
        message = messages.render(d.message, self.lang)
        loc = problem.loc
        if loc is None or loc.file != analysis.file:
            # A problem of another file (an import that does not parse): shown at the top.
            if loc is not None:
                where = self.lines(loc.file).position(loc.start)
                message = f"{loc.file}:{where.line + 1}:{where.character + 1}: {message}"
            loc = Loc(analysis.file, 0, 0)
        extra = [
            f"{messages.word('note', self.lang)}: {messages.render(n, self.lang)}" for n in d.notes
        ]
        if d.help:
            extra.append(
                f"{messages.word('help', self.lang)}: {messages.render(d.help, self.lang)}"
            )
        related = [
            types.DiagnosticRelatedInformation(
                self.location(where), messages.render(text, self.lang)
            )
            for where, text in problem.related
        ]
        # The phrases as data (`{"key", "fields"}`), for a client that renders them itself
        # or keys on them; the message above is already in the client's language.
        data: dict[str, Any] = {"lang": self.lang, **_keyed(d)}
        if problem.fix is not None:
            data.update(title=problem.fix.title, text=problem.fix.text)
        return types.Diagnostic(
            range=lines.range(loc.start, loc.end),
            message="\n".join([message, *extra]),
            severity=_SEVERITY[d.severity],
            code=d.code,
            source="wuxin",
            related_information=related or None,
            data=data,
        )


def _keyed(diagnostic: Diagnostic) -> dict[str, Any]:
    """The diagnostic's message, help and notes as `{"key", "fields"}` (those that are
    catalogue messages)."""
    keyed: dict[str, Any] = {}
    if isinstance(diagnostic.message, messages.Message):
        keyed["message"] = diagnostic.message.to_json()
    if isinstance(diagnostic.help, messages.Message):
        keyed["help"] = diagnostic.help.to_json()
    notes = [note.to_json() for note in diagnostic.notes if isinstance(note, messages.Message)]
    if notes:
        keyed["notes"] = notes
    return keyed


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("wuxin_rules")
    except Exception:
        return "unknown"


def _path(uri: str) -> str:
    path = to_fs_path(uri)
    return str(Path(path).resolve()) if path else uri


def _uri(file: str) -> str:
    return from_fs_path(file) or file


# ------------------------------------------------------------------------------------------
# Features


def create_server() -> WuxinLanguageServer:
    """A server with every feature registered (not yet started)."""
    server = WuxinLanguageServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: WuxinLanguageServer, params: types.InitializeParams) -> None:
        # `"initializationOptions": {"lang": "zh"}` gives the fixed words in Chinese.
        options = params.initialization_options
        if isinstance(options, dict) and options.get("lang") in messages.LANGUAGES:
            ls.lang = options["lang"]

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: WuxinLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
        doc = params.text_document
        ls.update(doc.uri, doc.text, doc.version)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: WuxinLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.update(document.uri, document.source, params.text_document.version)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: WuxinLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
        ls._schedule_lint(params.text_document.uri, None)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: WuxinLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.files.open.pop(_path(uri), None)
        ls.analyses.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: WuxinLanguageServer, params: types.HoverParams) -> types.Hover | None:
        analysis = ls.analysis(params.text_document.uri)
        lines = ls.lines(analysis.file, analysis.text)
        offset = lines.offset(params.position)
        symbol = analysis.index.symbol_at(analysis.file, offset)
        stage = _stage_at(analysis, offset)
        parts = []
        if symbol is not None and symbol.kind != "stage":
            parts.append(_describe(symbol, analysis.index, ls))
        if stage is not None and (symbol is None or symbol.kind == "stage"):
            parts.append(_stage_table(stage, analysis))
        if not parts:
            return None
        target = symbol.loc if symbol is not None and symbol.loc.file == analysis.file else None
        return types.Hover(
            contents=types.MarkupContent(types.MarkupKind.Markdown, "\n\n".join(parts)),
            range=lines.range(target.start, target.end) if target else None,
        )

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(
        ls: WuxinLanguageServer, params: types.DefinitionParams
    ) -> types.Location | None:
        analysis = ls.analysis(params.text_document.uri)
        offset = ls.lines(analysis.file, analysis.text).offset(params.position)
        symbol = analysis.index.symbol_at(analysis.file, offset)
        return ls.location(symbol.loc) if symbol is not None else None

    @server.feature(types.TEXT_DOCUMENT_REFERENCES)
    def references(
        ls: WuxinLanguageServer, params: types.ReferenceParams
    ) -> list[types.Location] | None:
        found = _occurrences(ls, params.text_document.uri, params.position)
        if found is None:
            return None
        symbol, places = found
        if params.context.include_declaration:
            places = [symbol.loc, *places]
        return [ls.location(loc) for loc in places]

    @server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(
        ls: WuxinLanguageServer, params: types.PrepareRenameParams
    ) -> types.Range | None:
        analysis = ls.analysis(params.text_document.uri)
        lines = ls.lines(analysis.file, analysis.text)
        offset = lines.offset(params.position)
        for loc, symbol in _names_at(analysis.index, analysis.file):
            if loc.contains(offset) and symbol.kind != "module":
                return lines.range(loc.start, loc.end)
        return None

    @server.feature(types.TEXT_DOCUMENT_RENAME)
    def rename(ls: WuxinLanguageServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
        new_name = params.new_name
        if not _NAME.match(new_name):
            return None
        found = _occurrences(ls, params.text_document.uri, params.position)
        if found is None or found[0].kind == "module":
            return None  # a module is renamed by moving its file
        # Most keywords are contextual: refuse only a word that cannot name this kind of thing.
        role = {"field": "field", "record": "type", "enum": "type"}.get(found[0].kind, "name")
        if parser.refused_name(new_name, role) is not None:
            return None
        symbol, places = found
        changes: dict[str, list[types.TextEdit]] = {}
        for loc in sorted({symbol.loc, *places}, key=lambda x: (x.file, x.start)):
            edit = types.TextEdit(ls.location(loc).range, new_name)
            changes.setdefault(_uri(loc.file), []).append(edit)
        return types.WorkspaceEdit(changes=changes)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["."])
    )
    def completion(ls: WuxinLanguageServer, params: types.CompletionParams) -> types.CompletionList:
        analysis = ls.analysis(params.text_document.uri)
        lines = ls.lines(analysis.file, analysis.text)
        offset = lines.offset(params.position)
        items = _complete(analysis, offset)
        return types.CompletionList(is_incomplete=False, items=items)

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(
        ls: WuxinLanguageServer, params: types.DocumentSymbolParams
    ) -> list[types.DocumentSymbol]:
        analysis = ls.analysis(params.text_document.uri)
        return _outline(analysis, ls.lines(analysis.file, analysis.text))

    @server.feature(types.TEXT_DOCUMENT_FOLDING_RANGE)
    def folding_range(
        ls: WuxinLanguageServer, params: types.FoldingRangeParams
    ) -> list[types.FoldingRange]:
        analysis = ls.analysis(params.text_document.uri)
        return _folds(analysis, ls.lines(analysis.file, analysis.text))

    @server.feature(types.TEXT_DOCUMENT_FORMATTING)
    def formatting(
        ls: WuxinLanguageServer, params: types.DocumentFormattingParams
    ) -> list[types.TextEdit] | None:
        analysis = ls.analysis(params.text_document.uri)
        try:
            formatted = formatter.format_text(analysis.text, analysis.file)
        except WuxinError:
            return None  # a text that does not parse is left as it is (its errors are shown)
        if formatted == analysis.text:
            return []
        lines = ls.lines(analysis.file, analysis.text)
        return [types.TextEdit(lines.range(0, len(analysis.text)), formatted)]

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    def code_action(
        ls: WuxinLanguageServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        analysis = ls.analysis(params.text_document.uri)
        lines = ls.lines(analysis.file, analysis.text)
        start, end = lines.offset(params.range.start), lines.offset(params.range.end)
        actions = []
        for problem in analysis.problems:
            fix, loc = problem.fix, problem.loc
            if fix is None or loc is None or loc.file != analysis.file:
                continue
            if loc.end < start or loc.start > end:
                continue
            edit = types.TextEdit(lines.range(fix.loc.start, fix.loc.end), fix.text)
            actions.append(
                types.CodeAction(
                    title=fix.title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[ls.diagnostic(problem, analysis, lines)],
                    edit=types.WorkspaceEdit(changes={params.text_document.uri: [edit]}),
                    is_preferred=True,
                )
            )
        return actions

    return server


def serve() -> int:
    """Run the server on stdin and stdout until the client says exit."""
    create_server().start_io()
    return 0


# ------------------------------------------------------------------------------------------
# What each feature computes


def _names_at(index: Index, file: str) -> Iterable[tuple[Loc, Symbol]]:
    for module in index.modules.values():
        if module.file == file:
            yield from module.refs
            yield from ((s.loc, s) for s in module.symbols)


def _occurrences(
    ls: WuxinLanguageServer, uri: str, position: types.Position
) -> tuple[Symbol, list[Loc]] | None:
    """The symbol at `position` and every reference to it under the policy root."""
    analysis = ls.analysis(uri)
    offset = ls.lines(analysis.file, analysis.text).offset(position)
    symbol = analysis.index.symbol_at(analysis.file, offset)
    if symbol is None:
        return None
    if symbol.kind == "local":
        return symbol, analysis.index.references(symbol)
    project = ls.files.project(analysis)
    # The same declaration in the wider index (matched by place).
    wide = project.symbol_at(symbol.loc.file, symbol.loc.start) or symbol
    places = {*project.references(wide), *analysis.index.references(symbol)}
    return symbol, sorted(places, key=lambda loc: (loc.file, loc.start))


def _slice(index: Index, symbol: Symbol, node: Any) -> str:
    """The source text of `node`, a part of `symbol`'s declaration."""
    module = index.modules.get(symbol.module)
    if module is None or node is None:
        return ""
    loc = module.loc(node.span)
    return module.text[loc.start : loc.end] if loc.file == module.file else node.span.text


def _type_text(symbol: Symbol, index: Index) -> str | None:
    node = symbol.node
    if symbol.kind in ("input", "param", "field", "fixture"):
        return _slice(index, symbol, symbol.type_expr)
    if symbol.kind == "criterion":
        return "bool"
    if symbol.kind == "rule":
        if symbol.type_expr is not None:
            return _slice(index, symbol, symbol.type_expr)
        policy = index.policy
        if policy is not None:
            key = symbol.name if symbol.module == policy.name else symbol.qualified
            rule = policy.rules.get(key)
            if rule is not None:
                return describe(rule.type)
        return None
    if symbol.kind == "schedule" and isinstance(node, ast.ScheduleDecl):
        by = f" by {node.period.name}"
        if node.category is not None:
            by += ", " + _slice(index, symbol, node.category)
        return _slice(index, symbol, node.value_type) + by
    if symbol.kind in ("member", "band", "stage"):
        return symbol.container
    if symbol.kind == "local":
        if isinstance(node, ast.Aggregate):
            found = index.type_of_symbol(symbol)
            return _kind_type_text(found)
        return _slice(index, symbol, symbol.type_expr)
    return None


def _kind_type_text(found: Any) -> str | None:
    if not found:
        return None
    if found[0] == "sym" and found[1] is not None:
        return str(found[1].name)
    if found[0] == "list":
        inner = _kind_type_text(found[1])
        return f"list of {inner}" if inner else None
    return "date" if found[0] == "date" else None


def _doc_of(node: Any) -> ast.Doc | None:
    doc = getattr(node, "doc", None)
    return doc if isinstance(doc, ast.Doc) else None


def _describe(symbol: Symbol, index: Index, ls: WuxinLanguageServer) -> str:
    """Hover text: kind, name and label, type, citations and note; a param's value."""
    node = symbol.node
    doc = _doc_of(node)
    label = doc.label.value if doc and doc.label else None
    if isinstance(node, ast.EnumMember | ast.Band) and node.label is not None:
        label = node.label.value
    if isinstance(node, ast.Header) and node.doc.label is not None:
        label = node.doc.label.value
    name = symbol.qualified if symbol.kind in ("member", "field", "stage", "band") else symbol.name
    head = f"**{symbol.kind}** `{name}`"
    if label:
        head += f" — {wording.in_language(label, ls.lang)}"
    lines = [head]
    type_text = _type_text(symbol, index)
    if type_text:
        lines.append(f"type: `{type_text}`")
    if symbol.kind == "param" and isinstance(node, ast.ParamDecl):
        value = _slice(index, symbol, node.default)
        policy = index.policy
        if policy is not None:
            key = policy.param_names.get(symbol.name, symbol.qualified)
            definition = policy.params.get(key) or policy.params.get(symbol.qualified)
            if definition is not None:
                value = format_value(definition.default, definition.type)
        lines.append(f"value: `{value}`" + (" (illustrative)" if node.illustrative else ""))
    if doc is not None and doc.cites:
        lines.append("cites: " + "; ".join(c.value for c in doc.cites))
    if doc is not None and doc.note is not None:
        lines.append(wording.in_language(doc.note.value, ls.lang))
    if symbol.module != index.root_name:
        lines.append(english("module-named", name=symbol.module))
    return "  \n".join(lines)


def _stage_at(analysis: Analysis, offset: int) -> tuple[ast.ScheduleDecl, ast.Stage] | None:
    module = analysis.index.modules.get(analysis.module_name)
    if module is None:
        return None
    for decl in module.module.declarations:
        if isinstance(decl, ast.ScheduleDecl):
            for stage in decl.stages:
                loc = module.loc(stage.span)
                if loc.contains(offset):
                    return decl, stage
    return None


def _stage_table(found: tuple[ast.ScheduleDecl, ast.Stage], analysis: Analysis) -> str:
    """The cells of one stage of a schedule, as a Markdown table."""
    schedule, stage = found
    module = analysis.index.modules[analysis.module_name]

    def text(node: Any) -> str:
        loc = module.loc(node.span)
        return module.text[loc.start : loc.end]

    categories: list[str] = []
    for row in stage.rows:
        for cell in row.cells:
            name = cell.category.name if cell.category else ""
            if name not in categories:
                categories.append(name)
    label = f" — {stage.doc.label.value}" if stage.doc.label else ""
    start = text(stage.start) if stage.start else ""
    title = (
        f"**stage** `{schedule.name.name}.{stage.name.name}`{label}  \n{start} .. {text(stage.end)}"
    )
    header = [schedule.period.name, *(c or schedule.name.name for c in categories)]
    rows = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in stage.rows:
        cells = {(c.category.name if c.category else ""): text(c.value) for c in row.cells}
        rows.append(
            "| "
            + " | ".join([str(row.period.value), *(cells.get(c, "") for c in categories)])
            + " |"
        )
    return title + "\n\n" + "\n".join(rows)


def _item(symbol: Symbol, index: Index, sort: str = "1") -> types.CompletionItem:
    return types.CompletionItem(
        label=symbol.name,
        kind=_COMPLETION_KIND.get(symbol.kind, types.CompletionItemKind.Text),
        detail=_type_text(symbol, index) or symbol.kind,
        documentation=_label_of(symbol),
        sort_text=sort + symbol.name,
    )


def _label_of(symbol: Symbol) -> str | None:
    node = symbol.node
    if isinstance(node, ast.EnumMember | ast.Band):
        return node.label.value if node.label else None
    doc = _doc_of(node)
    return doc.label.value if doc and doc.label else None


def _complete(analysis: Analysis, offset: int) -> list[types.CompletionItem]:
    """Completion at `offset`: the fields, members or module names after `x.`, otherwise
    the names in scope, the types, builtins and keywords."""
    index = analysis.index
    module = index.modules.get(analysis.module_name)
    if module is None:
        return []
    line_start = analysis.text.rfind("\n", 0, offset) + 1
    before = analysis.text[line_start:offset]
    chain = _CHAIN_BEFORE_DOT.search(before)
    if chain is not None:
        parts = chain.group(1).rstrip(".").split(".")
        return _complete_after_dot(analysis, parts, offset)
    items: list[types.CompletionItem] = []
    seen: set[str] = set()

    def add(item: types.CompletionItem) -> None:
        if item.label not in seen:
            seen.add(item.label)
            items.append(item)

    for name, type_text in _locals_at(analysis, offset).items():
        add(
            types.CompletionItem(
                label=name,
                kind=types.CompletionItemKind.Variable,
                detail=type_text,
                sort_text="0" + name,
            )
        )
    for symbol in (*module.top.values(), *module.unqualified.values()):
        add(_item(symbol, index))
    for enum in module.enums():
        owner = index.modules.get(enum.module)
        if owner is not None:
            for (container, _name), member in owner.members.items():
                if container == enum.name and member.kind in ("member", "band"):
                    add(_item(member, index, "2"))
    for alias, target in module.aliases.items():
        add(
            types.CompletionItem(
                label=alias,
                kind=types.CompletionItemKind.Module,
                detail=target,
                sort_text="3" + alias,
            )
        )
    for name in _TYPE_NAMES:
        add(
            types.CompletionItem(
                label=name, kind=types.CompletionItemKind.TypeParameter, sort_text="4" + name
            )
        )
    for builtin in BUILTINS.values():
        if not builtin.component:
            add(
                types.CompletionItem(
                    label=builtin.name,
                    kind=types.CompletionItemKind.Function,
                    detail=builtin.signature,
                    documentation=builtin.summary,
                    sort_text="5" + builtin.name,
                )
            )
    for keyword in sorted(parser.KEYWORDS):
        add(
            types.CompletionItem(
                label=keyword, kind=types.CompletionItemKind.Keyword, sort_text="6" + keyword
            )
        )
    return items


def _declaration_text(analysis: Analysis, offset: int) -> str:
    """The text of the declaration around `offset`, up to `offset`."""
    for piece in pieces(analysis.text):
        if piece.start <= offset <= piece.start + len(piece.text):
            return piece.text[: offset - piece.start]
    return ""


def _locals_at(analysis: Analysis, offset: int) -> dict[str, str]:
    """Rule parameters and aggregate variables written before `offset` in its declaration
    (found in the text, so that they are known while the declaration is half typed)."""
    text = _declaration_text(analysis, offset)
    found: dict[str, str] = {}
    if re.match(r"\s*(rule|criterion)\b", text):
        head = text[: text.find(")") + 1] if ")" in text else text
        params = _RULE_PARAMS.search(head)
        if params is not None:
            for match in _PARAM.finditer(params.group(1)):
                found[match.group(1)] = match.group(2)
    for match in _AGGREGATE_VAR.finditer(text):
        found[match.group(1)] = f"element of {match.group(2)}"
    for match in re.finditer(r"\b(?:given|forall)\s+((?!\d)\w+)\s*:\s*([\w.]+)", text):
        found[match.group(1)] = match.group(2)
    for match in re.finditer(r",\s*((?!\d)\w+)\s*:\s*([\w.]+)", text) if "forall" in text else ():
        found.setdefault(match.group(1), match.group(2))
    return found


def _complete_after_dot(
    analysis: Analysis, parts: Sequence[str], offset: int
) -> list[types.CompletionItem]:
    index = analysis.index
    current = _chain_head(analysis, parts[0], offset)
    for part in parts[1:]:
        current = _step(index, current, part)
    items: list[types.CompletionItem] = []
    if current is None:
        return items
    if current[0] == "module":
        other = index.modules.get(current[1])
        if other is not None:
            items.extend(_item(s, index) for s in other.top.values())
        return items
    if current[0] == "date":
        return [
            types.CompletionItem(label=p, kind=types.CompletionItemKind.Property, detail="int")
            for p in _DATE_PARTS
        ]
    if current[0] == "schedule":  # `target.stage(d)`, `target.stage.launch`
        return [types.CompletionItem(label="stage", kind=types.CompletionItemKind.Property)]
    if current[0] == "members" or current[0] == "sym":
        symbol = current[1]
        if symbol is None:
            return items
        owner = index.modules.get(symbol.module)
        wanted = {
            "record": ("field",),
            "enum": ("member",),
            "bands": ("band",),
            "schedule": ("stage",),  # after `target.stage.`
        }
        if current[0] == "sym" and symbol.kind != "record":
            return items  # a value of an enum has no fields
        if owner is not None:
            for (container, _), member in owner.members.items():
                if container == symbol.name and member.kind in wanted.get(symbol.kind, ()):
                    items.append(_item(member, index))
    return items


def _chain_head(analysis: Analysis, name: str, offset: int) -> Any:
    """What the first name of `a.b.c` is: a module alias, an enum (for its members), or a
    value of some type."""
    index = analysis.index
    module = index.modules[analysis.module_name]
    local = _locals_at(analysis, offset).get(name)
    if local is not None:
        if local.startswith("element of "):
            chain = local.removeprefix("element of ").split(".")
            collection = _chain_head(analysis, chain[0], offset)
            for part in chain[1:]:
                collection = _step(index, collection, part)
            return collection[1] if collection and collection[0] == "list" else None
        found = index.lookup_type(local.split("."), module)
        if local == "date":
            return ("date",)
        return ("sym", found) if found is not None else None
    symbol = module.top.get(name) or module.unqualified.get(name)
    if symbol is None and name in module.aliases:
        return ("module", module.aliases[name])
    if symbol is None:
        return None
    return _value_of(index, symbol)


def _value_of(index: Index, symbol: Symbol) -> Any:
    """What `symbol.` leads to: an enum's or bands' members, a schedule's `stage`, or the
    fields of the symbol's type."""
    if symbol.kind in ("enum", "bands"):
        return ("members", symbol)
    if symbol.kind == "schedule":
        return ("schedule", symbol)
    return index.type_of_symbol(symbol)


def _step(index: Index, current: Any, part: str) -> Any:
    if current is None:
        return None
    if current[0] == "module":
        other = index.modules.get(current[1])
        symbol = other.top.get(part) if other is not None else None
        return _value_of(index, symbol) if symbol is not None else None
    if current[0] == "schedule" and part == "stage":
        return ("members", current[1])
    if current[0] == "sym" and current[1] is not None and current[1].kind == "record":
        owner = index.modules.get(current[1].module)
        field = owner.members.get((current[1].name, part)) if owner is not None else None
        return index.type_of_symbol(field) if field is not None else None
    return None


def _outline(analysis: Analysis, lines: _Lines) -> list[types.DocumentSymbol]:
    module = analysis.index.modules.get(analysis.module_name)
    if module is None:
        return []
    children: dict[str, list[types.DocumentSymbol]] = {}
    tops = []
    for symbol in module.symbols:
        if symbol.kind == "local":
            continue
        item = types.DocumentSymbol(
            name=symbol.name,
            kind=_SYMBOL_KIND.get(symbol.kind, types.SymbolKind.Variable),
            range=lines.range(symbol.extent.start, symbol.extent.end),
            selection_range=lines.range(symbol.loc.start, symbol.loc.end),
            detail=_label_of(symbol),
        )
        if symbol.container is None:
            tops.append((symbol, item))
        else:
            children.setdefault(symbol.container, []).append(item)
    for symbol, item in tops:
        item.children = children.get(symbol.name) or None
    return [item for _, item in tops]


def _folds(analysis: Analysis, lines: _Lines) -> list[types.FoldingRange]:
    module = analysis.index.modules.get(analysis.module_name)
    if module is None:
        return []
    folds = []
    spans: list[Loc] = []
    for decl in module.module.declarations:
        spans.append(module.loc(decl.span))
        if isinstance(decl, ast.ScheduleDecl):
            spans.extend(module.loc(stage.span) for stage in decl.stages)
    spans.extend(analysis.broken)
    for loc in spans:
        text = analysis.text[loc.start : loc.end].rstrip()
        first = lines.position(loc.start).line
        last = lines.position(loc.start + len(text)).line
        if last > first:
            folds.append(types.FoldingRange(start_line=first, end_line=last))
    return folds
