"""`wuxin lsp` driven over stdio by a real LSP client (pygls's own `LanguageClient`).

One server for the module: initialize, then each test opens or changes documents and asks
for what an editor asks; the fixture's teardown sends shutdown and exit. The client runs on
an event loop of the module's own, turned while a test waits for an answer.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

pytest.importorskip("pygls")

from lsprotocol import types
from pygls.lsp.client import LanguageClient

T = TypeVar("T")

TYPES = """\
policy shop.types "Types"

enum Kind "Kind of order":
  retail "零售",
  wholesale "批发"

record Order "Order":
  amount: decimal >= 0 "Amount"
  kind: Kind "Kind"
"""

MAIN = """\
policy shop.main "Main"

import shop.types (Order, Kind)

input order: Order "The order"

param limit: decimal = 100 "Limit" cites "Rule 1"

criterion big "Big order" cites "Rule 2":
  order.amount > limit

criterion wholesale_big "Big wholesale order" cites "Rule 3":
  big and order.kind == wholesale

schedule quota "Quota": decimal by year, Kind cites "Rule 4":
  stage first "First" 2020-01-01 .. 2021-12-31:
    2020: retail 10, wholesale 20
    2021: retail 11, wholesale 21
"""


class Client:
    """A pygls client talking to `wuxin lsp`, with the diagnostics it was sent."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.lsp = LanguageClient("wuxin-tests", "1")
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self.published = asyncio.Event()

        @self.lsp.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.diagnostics[params.uri] = list(params.diagnostics)
            self.published.set()

    def run(self, work: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(work, timeout=30))

    def __getattr__(self, name: str) -> Any:
        """`client.text_document_hover(params)` waits for the answer of `…_hover_async`;
        notifications (`text_document_did_open`, …) are sent as they are."""
        asynchronous = getattr(self.lsp, name + "_async", None)
        if asynchronous is not None:
            return lambda params: self.run(asynchronous(params))
        return getattr(self.lsp, name)

    def wait_for(
        self, uri: str, wanted: Callable[[list[types.Diagnostic]], bool]
    ) -> list[types.Diagnostic]:
        """The document's diagnostics once `wanted(diagnostics)` holds."""

        async def wait() -> list[types.Diagnostic]:
            while True:
                found = self.diagnostics.get(uri)
                if found is not None and wanted(found):
                    return found
                self.published.clear()
                await self.published.wait()

        return self.run(wait())


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lsp") / "shop"
    folder.mkdir()
    (folder / "types.policy").write_text(TYPES, encoding="utf-8")
    (folder / "main.policy").write_text(MAIN, encoding="utf-8")
    return folder


def _start(root: Path, options: Any = None) -> Client:
    client = Client()
    client.run(client.lsp.start_io(sys.executable, "-m", "wuxin_rules", "lsp"))
    result = client.initialize(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=root.parent.as_uri(),
            initialization_options=options,
        )
    )
    assert result.server_info is not None and result.server_info.name == "wuxin"
    client.initialized(types.InitializedParams())
    return client


def _stop(client: Client) -> None:
    client.shutdown(None)
    client.exit(None)
    client.run(client.lsp.stop())
    client.loop.close()


@pytest.fixture(scope="module")
def client(root: Path) -> Iterator[Client]:
    client = _start(root)
    yield client
    _stop(client)


def _uri(path: Path) -> str:
    return path.resolve().as_uri()


def _position(text: str, needle: str, shift: int = 0) -> types.Position:
    offset = text.index(needle) + shift
    line = text.count("\n", 0, offset)
    return types.Position(line, offset - (text.rfind("\n", 0, offset) + 1))


def _open(client: Client, path: Path, text: str, version: int = 1) -> str:
    uri = _uri(path)
    client.diagnostics.pop(uri, None)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "wuxin-policy", version, text))
    )
    return uri


def _change(client: Client, uri: str, text: str, version: int) -> None:
    client.diagnostics.pop(uri, None)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def test_open_valid_document_has_no_errors_and_warnings_follow(client: Client, root: Path) -> None:
    uri = _open(client, root / "main.policy", MAIN)
    found = client.wait_for(uri, lambda ds: any(d.code == "unused-declaration" for d in ds))
    assert [d.code for d in found] == ["unused-declaration"]
    assert found[0].severity == types.DiagnosticSeverity.Warning
    assert "help: use it, or remove it" in found[0].message


def test_change_reports_every_problem_with_codes_help_and_quick_fixes(
    client: Client, root: Path
) -> None:
    uri = _open(client, root / "main.policy", MAIN)
    client.wait_for(uri, lambda ds: True)
    broken = MAIN.replace("order.amount > limit", "order.amount > limt").replace(
        "param limit: decimal = 100", "param limit decimal = 100"
    )
    _change(client, uri, broken, 2)
    found = client.wait_for(uri, lambda ds: len(ds) >= 1)
    codes = {d.code for d in found}
    # The syntax error of `param` does not hide the rest: `limt` is still found unknown…
    # …only when `limit` is declared; with the param broken, the unknown name is not shown.
    assert "missing-colon" in codes
    colon = next(d for d in found if d.code == "missing-colon")
    assert colon.range.start == _position(broken, " decimal = 100")
    assert "help: " in colon.message

    fixed_param = broken.replace("param limit decimal", "param limit: decimal")
    _change(client, uri, fixed_param, 3)
    found = client.wait_for(uri, lambda ds: any(d.code == "unknown-name" for d in ds))
    unknown = next(d for d in found if d.code == "unknown-name")
    assert unknown.range.start == _position(fixed_param, "limt")
    assert "did you mean `limit`?" in unknown.message
    # The phrases travel as data too: the key and fields a client can render or key on.
    assert unknown.data["lang"] == "en"
    assert unknown.data["message"] == {"key": "unknown-name", "fields": {"name": "limt"}}
    assert unknown.data["help"]["key"] == "did-you-mean"
    actions = client.text_document_code_action(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), unknown.range, types.CodeActionContext([unknown])
        )
    )
    assert actions is not None
    [action] = [a for a in actions if isinstance(a, types.CodeAction)]
    assert action.title == "Change to `limit`"
    assert action.edit is not None and action.edit.changes is not None
    [edit] = action.edit.changes[uri]
    assert edit.new_text == "limit" and edit.range == unknown.range

    # The missing colon gets its fix too.
    _change(client, uri, broken.replace("limt", "limit"), 4)
    found = client.wait_for(uri, lambda ds: any(d.code == "missing-colon" for d in ds))
    colon = next(d for d in found if d.code == "missing-colon")
    actions = client.text_document_code_action(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri), colon.range, types.CodeActionContext([colon])
        )
    )
    assert actions is not None
    [action] = actions
    assert isinstance(action, types.CodeAction) and action.edit and action.edit.changes
    [edit] = action.edit.changes[uri]
    assert edit.new_text == ":"
    assert edit.range.start == _position(broken, " decimal = 100")

    # The outline still lists the declarations after the broken one.
    outline = client.text_document_document_symbol(
        types.DocumentSymbolParams(types.TextDocumentIdentifier(uri))
    )
    assert outline is not None
    names = [s.name for s in outline if isinstance(s, types.DocumentSymbol)]
    assert names == ["order", "big", "wholesale_big", "quota"]
    _change(client, uri, MAIN, 5)


def test_full_width_punctuation_is_fixed_to_half_width(client: Client, root: Path) -> None:
    text = MAIN.replace(
        'criterion big "Big order" cites "Rule 2":', 'criterion big "Big order" cites "Rule 2"：'
    )
    uri = _open(
        client, root / "scratch.policy", text.replace("policy shop.main", "policy shop.scratch")
    )
    found = client.wait_for(uri, lambda ds: any(d.code == "full-width-character" for d in ds))
    diagnostic = next(d for d in found if d.code == "full-width-character")
    actions = client.text_document_code_action(
        types.CodeActionParams(
            types.TextDocumentIdentifier(uri),
            diagnostic.range,
            types.CodeActionContext([diagnostic]),
        )
    )
    assert actions is not None
    [action] = actions
    assert isinstance(action, types.CodeAction) and action.edit and action.edit.changes
    assert [e.new_text for e in action.edit.changes[uri]] == [":"]
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


def test_hover_shows_kind_type_label_citations_and_values(client: Client, root: Path) -> None:
    uri = _open(client, root / "main.policy", MAIN)

    def hover(needle: str, shift: int = 0) -> str:
        result = client.text_document_hover(
            types.HoverParams(types.TextDocumentIdentifier(uri), _position(MAIN, needle, shift))
        )
        assert result is not None and isinstance(result.contents, types.MarkupContent)
        return result.contents.value

    param = hover("> limit", 3)
    assert "**param** `limit` — Limit" in param
    assert "type: `decimal`" in param and "value: `100`" in param and "cites: Rule 1" in param
    member = hover("== wholesale", 4)
    assert "**member** `shop.types.Kind.wholesale` — 批发" in member
    criterion = hover("big and", 0)
    assert "**criterion** `big` — Big order" in criterion and "cites: Rule 2" in criterion
    field = hover("order.amount", 7)
    assert "**field** `shop.types.Order.amount` — Amount" in field
    assert "type: `decimal >= 0`" in field
    cells = hover("2021: retail", 2)
    assert "**stage** `quota.first` — First" in cells
    assert "| year | retail | wholesale |" in cells and "| 2021 | 11 | 21 |" in cells


def test_hover_shows_a_translated_label_and_note_in_the_client_s_language(
    client: Client, root: Path
) -> None:
    """The server speaks English unless asked otherwise: a label or note the policy
    translates (`"大订单" en "Big order"`) is shown in English, an untranslated one as written."""
    text = (
        "policy shop.bilingual\n\n"
        'param cap: int = 5 "上限" en "Cap" note "示例值" en "illustrative"\n\n'
        'rule doubled "加倍": cap * 2\n'
    )
    path = root / "bilingual.policy"
    path.write_text(text, encoding="utf-8")
    uri = _open(client, path, text)

    def hover(needle: str, shift: int = 0) -> str:
        result = client.text_document_hover(
            types.HoverParams(types.TextDocumentIdentifier(uri), _position(text, needle, shift))
        )
        assert result is not None and isinstance(result.contents, types.MarkupContent)
        return result.contents.value

    param = hover("cap * 2", 1)
    assert "**param** `cap` — Cap" in param and "illustrative" in param
    assert "上限" not in param and "示例值" not in param
    assert "**rule** `doubled` — 加倍" in hover("doubled", 2)


def test_definition_and_references_across_an_import(client: Client, root: Path) -> None:
    uri = _open(client, root / "main.policy", MAIN)
    types_uri = _uri(root / "types.policy")
    result = client.text_document_definition(
        types.DefinitionParams(types.TextDocumentIdentifier(uri), _position(MAIN, 'Order "The', 1))
    )
    assert isinstance(result, types.Location)
    assert result.uri == types_uri
    assert result.range.start == _position(TYPES, 'Order "Order"')
    # From the imported module, references reach the module that imports it.
    refs = client.text_document_references(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(types_uri),
            position=_position(TYPES, "amount:"),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert refs is not None

    def place(uri: str, at: types.Position) -> tuple[str, int, int]:
        return uri, at.line, at.character

    assert {place(r.uri, r.range.start) for r in refs} == {
        place(types_uri, _position(TYPES, "amount:")),
        place(uri, _position(MAIN, "amount >", 0)),
    }


def test_completion_after_a_dot_and_in_expressions(client: Client, root: Path) -> None:
    typing = MAIN.replace("order.amount > limit", "order.")
    uri = _open(client, root / "main.policy", MAIN)
    _change(client, uri, typing, 10)
    at = _position(typing, "order.\n", 6)
    result = client.text_document_completion(
        types.CompletionParams(types.TextDocumentIdentifier(uri), at)
    )
    assert isinstance(result, types.CompletionList)
    assert sorted(item.label for item in result.items) == ["amount", "kind"]
    # `Kind.` lists the members; a bare position lists names, types and keywords.
    members = typing.replace("order.\n", "Kind.\n")
    _change(client, uri, members, 11)
    result = client.text_document_completion(
        types.CompletionParams(types.TextDocumentIdentifier(uri), _position(members, "Kind.\n", 5))
    )
    assert isinstance(result, types.CompletionList)
    assert sorted(item.label for item in result.items) == ["retail", "wholesale"]
    # A schedule: `quota.stage`, then its stages.
    steps = (("quota.", ["stage"]), ("quota.stage.", ["first"]))
    for version, (typed, expected) in enumerate(steps, start=13):
        text = typing.replace("order.\n", typed + "\n")
        _change(client, uri, text, version)
        result = client.text_document_completion(
            types.CompletionParams(
                types.TextDocumentIdentifier(uri), _position(text, typed + "\n", len(typed))
            )
        )
        assert isinstance(result, types.CompletionList)
        assert [item.label for item in result.items] == expected
    _change(client, uri, MAIN, 15)
    result = client.text_document_completion(
        types.CompletionParams(types.TextDocumentIdentifier(uri), _position(MAIN, "big and", 0))
    )
    assert isinstance(result, types.CompletionList)
    labels = {item.label for item in result.items}
    assert {"limit", "big", "order", "wholesale", "Order", "decimal", "if", "count"} <= labels


def test_formatting_goes_through_the_formatter(client: Client, root: Path) -> None:
    from wuxin_rules.formatter import format_text

    messy = MAIN.replace(
        'criterion big "Big order" cites "Rule 2":\n  order.amount > limit',
        'criterion big "Big order" cites "Rule 2":   order.amount>limit',
    )
    uri = _open(client, root / "main.policy", MAIN)
    _change(client, uri, messy, 20)
    edits = client.text_document_formatting(
        types.DocumentFormattingParams(
            types.TextDocumentIdentifier(uri),
            types.FormattingOptions(tab_size=2, insert_spaces=True),
        )
    )
    assert edits is not None
    [edit] = edits
    assert edit.new_text == format_text(messy) and edit.new_text != messy
    _change(client, uri, MAIN, 21)


def test_rename_changes_the_declaration_and_every_use(client: Client, root: Path) -> None:
    uri = _open(client, root / "main.policy", MAIN)
    result = client.text_document_rename(
        types.RenameParams(
            types.TextDocumentIdentifier(uri), _position(MAIN, "limit:", 1), new_name="ceiling"
        )
    )
    assert result is not None and result.changes is not None
    assert list(result.changes) == [uri]
    starts = sorted((e.range.start.line, e.range.start.character) for e in result.changes[uri])
    expected = [_position(MAIN, "limit:"), _position(MAIN, "limit\n")]
    assert starts == sorted((p.line, p.character) for p in expected)
    assert all(e.new_text == "ceiling" for e in result.changes[uri])
    # A rename across files: the enum member used in main.policy.
    types_uri = _uri(root / "types.policy")
    result = client.text_document_rename(
        types.RenameParams(
            types.TextDocumentIdentifier(types_uri),
            _position(TYPES, 'wholesale "'),
            new_name="bulk",
        )
    )
    assert result is not None and result.changes is not None
    assert len(result.changes[types_uri]) == 1
    assert len(result.changes[uri]) == 3  # `== wholesale` and two schedule cells
    # A name that is not a name is refused.
    refused = client.text_document_rename(
        types.RenameParams(
            types.TextDocumentIdentifier(uri), _position(MAIN, "limit:"), new_name="if"
        )
    )
    assert refused is None
    module = client.text_document_rename(
        types.RenameParams(
            types.TextDocumentIdentifier(uri), _position(MAIN, "shop.types", 6), new_name="x"
        )
    )
    assert module is None


def test_folding_ranges_cover_declarations_and_stages(client: Client, root: Path) -> None:
    uri = _open(client, root / "main.policy", MAIN)
    folds = client.text_document_folding_range(
        types.FoldingRangeParams(types.TextDocumentIdentifier(uri))
    )
    assert folds is not None
    ranges = {(f.start_line, f.end_line) for f in folds}
    big = _position(MAIN, "criterion big").line
    stage = _position(MAIN, "stage first").line
    assert (big, big + 1) in ranges and (stage, stage + 2) in ranges


def test_a_change_to_an_imported_module_rechecks_the_importer(client: Client, root: Path) -> None:
    main = _open(client, root / "main.policy", MAIN)
    client.wait_for(main, lambda ds: all(d.code != "unknown-field" for d in ds))
    types_uri = _open(client, root / "types.policy", TYPES)
    _change(client, types_uri, TYPES.replace("amount:", "total:"), 2)
    client.diagnostics.pop(main, None)
    found = client.wait_for(main, lambda ds: any(d.severity == 1 for d in ds))
    errors = [d for d in found if d.severity == types.DiagnosticSeverity.Error]
    assert errors and "amount" in errors[0].message
    _change(client, types_uri, TYPES, 3)
    client.wait_for(main, lambda ds: all(d.severity != 1 for d in ds))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(types_uri))
    )


def test_diagnostics_render_in_the_client_s_language_and_carry_their_keys(root: Path) -> None:
    """With `"lang": "zh"` the diagnostics read in Chinese; their `data` carries the same
    keys and fields as in English, so a client can render them in its own language."""
    client = _start(root, {"lang": "zh"})
    try:
        text = MAIN.replace("order.amount > limit", "order.amount > limt")
        uri = _open(client, root / "main.policy", text)
        found = client.wait_for(uri, lambda ds: any(d.code == "unknown-name" for d in ds))
        unknown = next(d for d in found if d.code == "unknown-name")
        assert unknown.message.startswith("未知的名称 `limt`")
        assert "帮助: " in unknown.message or "帮助：" in unknown.message
        assert unknown.data["lang"] == "zh"
        assert unknown.data["message"] == {"key": "unknown-name", "fields": {"name": "limt"}}
    finally:
        _stop(client)
