"""The package's dependency direction: syntax → checked model → evaluation → explanation → API/CLI."""

from __future__ import annotations

import ast as pyast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "wuxin_rules"

# Which package modules each module may import (docs/internals.md, "Pipeline and layering").
ALLOWED: dict[str, set[str]] = {
    "source": set(),
    "messages": set(),
    "wording": {"messages"},
    "errors": {"source", "messages"},
    "characters": {"source", "errors", "messages"},
    "ast": {"source"},
    # The one visitor base: dispatch on node kinds through a table built per class.
    "visitor": {"errors"},
    "schema": {"source"},
    "values": {"source", "errors", "schema", "zones"},
    # The grammar and its Lark instance; the diagnosis of syntax errors runs it and reads its
    # parse tables; the parser builds the AST from its trees and calls the diagnosis.
    "grammar": set(),
    "syntax_errors": {"source", "errors", "characters", "grammar"},
    # The direct reader of texts that parse, tried first; Lark reads (and diagnoses) the rest.
    "direct_parser": {"source", "ast", "characters", "grammar", "wording", "zones"},
    # Lark's trees to the AST: the reader of every text the direct reader is unsure of.
    "tree_builder": {
        "source",
        "errors",
        "ast",
        "characters",
        "grammar",
        "syntax_errors",
        "wording",
        "direct_parser",
        # The unknown hit policy of a decision table.
        "messages",
        "zones",
    },
    # The entry points: the direct reader first, `tree_builder` (with Lark) when needed.
    "parser": {"source", "errors", "ast", "grammar", "direct_parser", "tree_builder", "messages"},
    "formatter": {"source", "errors", "ast", "parser", "visitor", "zones"},
    "jsonio": {"source", "errors", "values"},
    "model": {"source", "schema", "ast"},
    "loader": {"source", "errors", "ast", "parser"},
    "typing_rules": {
        "source",
        "errors",
        "ast",
        "schema",
        "values",
        "model",
        "semantics",
        "visitor",
        "zones",
    },
    "tables": {"source", "errors", "ast", "schema", "values", "model", "typing_rules"},
    # Decision tables: lowered to rules on the AST, proved on their constant cells.
    "decisions": {"source", "errors", "ast", "schema", "messages"},
    # Exceptions (default logic): lowered to `if` chains and `fail` on the AST.
    "defaults": {"errors", "ast", "messages"},
    "checker": {
        "source",
        "errors",
        "ast",
        "schema",
        "values",
        "model",
        "parser",
        "loader",
        "typing_rules",
        "tables",
        "decisions",
        "defaults",
        "characters",
        "wording",
        # The full-width hint of a param value given at load time.
        "messages",
        "visitor",
        # A date-time, time or duration param given at load time is read as a fact.
        "facts",
    },
    # Consistency checks read the checked model and the surface syntax of the policy set.
    "consistency": {
        "source",
        "errors",
        "ast",
        "schema",
        "model",
        "parser",
        "loader",
        "semantics",
        "visitor",
    },
    # The file checks of `wuxin check` (re-exported by `api`, imported alone by the CLI).
    "lint": {"errors", "ast", "model", "loader", "checker", "consistency"},
    "facts": {"source", "errors", "schema", "values", "model", "jsonio", "zones"},
    "trace": {"source", "errors", "schema", "values", "model"},
    "sampling": set(),
    "patterns": set(),
    "links": set(),
    "zones": set(),
    # One entry per operator and builtin: value, failure, typing, detail, code.
    "semantics": {
        "source",
        "messages",
        "errors",
        "schema",
        "values",
        "model",
        "trace",
        "sampling",
        "patterns",
        "links",
        "zones",
    },
    "evaluator": {
        "errors",
        "schema",
        "values",
        "model",
        "trace",
        "source",
        "sampling",
        "semantics",
        "visitor",
    },
    "compiler": {"errors", "schema", "values", "model", "semantics", "visitor", "zones"},
    # The compiled tracer extends the compiler's generator and builds `trace` trees.
    "trace_compiler": {
        "errors",
        "schema",
        "values",
        "model",
        "sampling",
        "evaluator",
        "compiler",
        "trace",
        "semantics",
        "visitor",
    },
    "explain": {"source", "errors", "schema", "values", "model", "trace", "messages", "wording"},
    # A policy's own tests: what checking them produces, the checking, and the running.
    "suite": {"source", "errors", "schema", "model", "facts"},
    "suite_checker": {
        "source",
        "errors",
        "ast",
        "schema",
        "model",
        "loader",
        "checker",
        "typing_rules",
        "evaluator",
        "suite",
    },
    # Running examples sits above evaluation and explanation: it runs both.
    "examples": {
        "source",
        "errors",
        "schema",
        "values",
        "trace",
        "evaluator",
        "explain",
        "suite",
        "zones",
    },
    # The hypothesis layer: strategies read only types; verify drives examples with them.
    "strategies": {
        "source",
        "errors",
        "ast",
        "schema",
        "values",
        "model",
        "parser",
        "visitor",
        "zones",
    },
    "verify": {
        "source",
        "errors",
        "schema",
        "values",
        "model",
        "typing_rules",
        "facts",
        "trace",
        "explain",
        "jsonio",
        "examples",
        "strategies",
        "suite",
    },
    # The pytest plugin runs examples, and verifies properties through verify.
    "pytest_plugin": {"source", "errors", "examples", "verify", "suite", "suite_checker"},
    # Policy documents (`wuxin doc`): a checked policy laid out for print, then written out.
    "notation": {"source", "ast", "schema", "values", "visitor", "zones"},
    "document": {"source", "ast", "schema", "values", "model", "notation", "wording"},
    "document_formats": {"notation", "document", "highlight"},
    # Editors: Pygments highlighting (no package import), and the language server on an
    # index built from the parser, loader, checker and consistency checks.
    "highlight": {"semantics", "schema"},
    "symbols": {
        "source",
        "errors",
        "ast",
        "schema",
        "model",
        "characters",
        "parser",
        "loader",
        "checker",
        "consistency",
        "visitor",
    },
    "lsp": {
        "errors",
        "ast",
        "schema",
        "values",
        "parser",
        "checker",
        "formatter",
        "messages",
        "symbols",
        "wording",
    },
    "counterfactual": {
        "errors",
        "schema",
        "values",
        "model",
        "evaluator",
        "messages",
        "wording",
        "visitor",
    },
    "notice": {
        "schema",
        "values",
        "model",
        "trace",
        "messages",
        "evaluator",
        "counterfactual",
        "notation",
        "document",
        "document_formats",
        "wording",
    },
    "notebook": {"values", "trace", "messages"},
    "partial": {
        "errors",
        "schema",
        "values",
        "model",
        "trace",
        "evaluator",
        "messages",
        "visitor",
    },
    # Tables of facts in (CSV, Excel) and of verdicts out; templates and JSON Schemas.
    "tabular": {"source", "errors", "schema", "values", "model", "messages", "zones"},
    "result_tables": {"errors", "schema", "values", "model", "messages", "api"},
    "json_schema": {"schema", "model"},
    # DataFrames and Arrow tables (pandas, pyarrow imported on demand); Dask over them.
    "frames": {"errors", "schema", "values", "model", "facts", "tabular", "columnar", "api"},
    # Arrow tables on columns (Arrow's compute kernels), imported by `frames` on demand.
    "columnar": {"schema", "values", "model", "tabular", "visitor"},
    "dask": {"errors", "frames", "api"},
    # JSON lines through msgspec when installed, checked against jsonio's rules.
    "fastjson": {"errors", "jsonio"},
    # A plain result's output line written straight from the compiled program's values.
    "result_lines": {"schema", "values", "jsonio", "compiler"},
    "templates": {"errors", "schema", "model", "tabular", "messages"},
}
# Modules above the core may import anything below them except the CLI.
TOP = {"api", "batch", "cli", "__init__", "__main__"}

# Third-party libraries and their single owner inside the package.
OWNERS = {
    # `grammar` builds the Lark parser, `tree_builder` transforms its trees, and
    # `syntax_errors` drives Lark's interactive parser and reads its LALR tables to say what
    # was expected. None of them imports it before a text needs it but `tree_builder`,
    # which `parser` imports only then.
    "lark": {"grammar", "tree_builder", "syntax_errors"},
    "cattrs": {"facts"},
    "hypothesis": {"verify", "strategies", "pytest_plugin"},
    "pygls": {"lsp"},
    "lsprotocol": {"lsp"},
    "pygments": {"highlight"},
    "openpyxl": {"tabular", "templates"},
    "msgspec": {"fastjson"},
    "pyarrow": {"frames", "columnar"},
    "pandas": {"frames"},
}


def _imports(path: Path) -> tuple[set[str], set[str]]:
    tree = pyast.parse(path.read_text(encoding="utf-8"))
    internal: set[str] = set()
    external: set[str] = set()
    for node in pyast.walk(tree):
        if isinstance(node, pyast.ImportFrom) and node.module:
            if node.module == "wuxin_rules":
                internal.update(alias.name for alias in node.names)
            elif node.module.startswith("wuxin_rules."):
                internal.add(node.module.split(".")[1])
            elif node.level == 0:
                external.add(node.module.split(".")[0])
        elif isinstance(node, pyast.Import):
            for alias in node.names:
                if alias.name.startswith("wuxin_rules."):
                    internal.add(alias.name.split(".")[1])
                else:
                    external.add(alias.name.split(".")[0])
    return internal, external


MODULES = sorted(p for p in PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_module_imports_only_lower_layers(path: Path) -> None:
    """Each module imports only the package modules its layer allows."""
    name = path.stem
    internal, _ = _imports(path)
    internal.discard(name)
    if name in TOP:
        assert "cli" not in internal or name == "__main__", f"{name} must not import cli"
        return
    assert name in ALLOWED, f"module `{name}` is missing from the layering table"
    # The message catalogue imports nothing from the package: every stage that writes a
    # diagnostic or an explanation names its phrases there (`messages.english(key, …)`).
    unexpected = internal - ALLOWED[name] - {"messages"}
    assert not unexpected, f"{name} imports {sorted(unexpected)}, outside its layer"


@pytest.mark.parametrize("library", sorted(OWNERS))
def test_third_party_libraries_have_one_owner(library: str) -> None:
    """lark, cattrs and hypothesis are each imported by their owning module only."""
    users = {p.stem for p in MODULES if library in _imports(p)[1]}
    assert users <= OWNERS[library], f"{library} imported by {sorted(users - OWNERS[library])}"


def test_no_eval_or_exec_in_the_package() -> None:
    """No module evaluates text as Python: policies and facts are data.

    The one exception is `compiler`, which runs code it generates itself, with every
    identifier made up by it and every literal written by `repr` (the compiled tracer's code
    included); `tests/test_compiler.py` and `tests/test_trace_compiler.py` check that hostile
    policy text cannot get into that code as anything but data.
    """
    for path in MODULES:
        if path.stem == "compiler":
            continue
        tree = pyast.parse(path.read_text(encoding="utf-8"))
        for node in pyast.walk(tree):
            if isinstance(node, pyast.Call) and isinstance(node.func, pyast.Name):
                assert node.func.id not in {"eval", "exec", "compile"}, (
                    f"{path.name} calls {node.func.id}"
                )


def test_no_domain_words_in_the_engine() -> None:
    """The engine stays general: no word of the flagship domain appears in src/."""
    words = ("drug", "town", "village", "禁毒", "无毒")
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8").lower()
        for word in words:
            assert word not in text, f"{path.name} mentions `{word}`"


def test_every_module_has_its_row_in_the_internals_page() -> None:
    """docs/internals.md lists every module of the package with its one job."""
    page = (PACKAGE.parents[1] / "docs" / "internals.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in page.splitlines() if line.startswith("| `")}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert sorted(modules - rows) == []
    assert sorted(modules - set(ALLOWED) - TOP) == []  # and every module has its layer


# ------------------------------------------------------------------------------------------
# Private names stay private

# Today's readers of another module's private names, by (reader, owner): each is to become a
# public interface of its owner, so this list can only shrink (a stale entry fails too).
PRIVATE_READS: dict[tuple[str, str], set[str]] = {}


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _private_reads(source: str) -> dict[tuple[str, str], set[str]]:
    """The private names of package modules that `source` imports or reads, by owner:
    `from wuxin_rules.x import _y`, and `x._y` on a package module bound by an import."""
    tree = pyast.parse(source)
    modules: dict[str, str] = {}  # local name -> package module it is bound to
    found: dict[str, set[str]] = {}
    for node in pyast.walk(tree):
        if isinstance(node, pyast.ImportFrom) and node.module:
            if node.module == "wuxin_rules":
                for alias in node.names:
                    modules[alias.asname or alias.name] = alias.name
                    if _is_private(alias.name):
                        found.setdefault("wuxin_rules", set()).add(alias.name)
            elif node.module.startswith("wuxin_rules."):
                owner = node.module.split(".")[1]
                for alias in node.names:
                    if _is_private(alias.name):
                        found.setdefault(owner, set()).add(alias.name)
        elif isinstance(node, pyast.Import):
            for alias in node.names:
                if alias.name.startswith("wuxin_rules.") and alias.asname:
                    modules[alias.asname] = alias.name.split(".")[1]
    for node in pyast.walk(tree):
        if not (isinstance(node, pyast.Attribute) and _is_private(node.attr)):
            continue
        value = node.value
        if isinstance(value, pyast.Name) and value.id in modules:
            found.setdefault(modules[value.id], set()).add(node.attr)
        elif (
            isinstance(value, pyast.Attribute)
            and isinstance(value.value, pyast.Name)
            and value.value.id == "wuxin_rules"
        ):
            found.setdefault(value.attr, set()).add(node.attr)
    return found


def test_private_reads_are_found() -> None:
    """The check sees each form of reaching into another module."""
    source = (
        "import wuxin_rules.trace\n"
        "import wuxin_rules.facts as f\n"
        "from wuxin_rules import evaluator as ev, model\n"
        "from wuxin_rules.compiler import _EvalCode, compile_program\n"
        "x = ev._Run, model.CheckedPolicy, f._check, wuxin_rules.trace._node, ev.__name__\n"
    )
    assert _private_reads(source) == {
        "compiler": {"_EvalCode"},
        "evaluator": {"_Run"},
        "facts": {"_check"},
        "trace": {"_node"},
    }


def test_no_module_reads_another_modules_private_names() -> None:
    """Modules meet through public names; the readers listed in `PRIVATE_READS` are the
    remaining exceptions, and an exception no longer needed must leave the list."""
    found: dict[tuple[str, str], set[str]] = {}
    for path in MODULES:
        for owner, names in _private_reads(path.read_text(encoding="utf-8")).items():
            if owner != path.stem:
                found[(path.stem, owner)] = names
    new = {key: names - PRIVATE_READS.get(key, set()) for key, names in found.items()}
    assert {key: names for key, names in new.items() if names} == {}, (
        "use or add a public name of the owner instead"
    )
    stale = {key: names - found.get(key, set()) for key, names in PRIVATE_READS.items()}
    assert {key: names for key, names in stale.items() if names} == {}, (
        "no longer read: remove from PRIVATE_READS"
    )
