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
    "errors": {"source", "messages"},
    "characters": {"source", "errors", "messages"},
    "ast": {"source"},
    "schema": {"source"},
    "values": {"source", "errors", "schema"},
    "parser": {"source", "errors", "ast", "characters"},
    "formatter": {"source", "errors", "ast", "parser"},
    "jsonio": {"source", "errors", "values"},
    "model": {"source", "schema", "ast"},
    "loader": {"source", "errors", "ast", "parser"},
    "typing_rules": {"source", "errors", "ast", "schema", "values", "model"},
    "tables": {"source", "errors", "ast", "schema", "values", "model", "typing_rules"},
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
        "characters",
    },
    # Consistency checks read the checked model and the surface syntax of the policy set.
    "consistency": {"source", "errors", "ast", "schema", "model", "parser", "loader"},
    "facts": {"source", "errors", "schema", "values", "model", "jsonio"},
    "trace": {"source", "errors", "schema", "values", "model"},
    "sampling": set(),
    "evaluator": {"errors", "schema", "values", "model", "trace", "source", "sampling"},
    "compiler": {"errors", "schema", "values", "model", "sampling", "evaluator"},
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
    },
    "explain": {"source", "errors", "schema", "values", "model", "trace", "messages"},
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
    "examples": {"source", "errors", "schema", "values", "trace", "evaluator", "explain", "suite"},
    # The hypothesis layer: strategies read only types; verify drives examples with them.
    "strategies": {"source", "errors", "ast", "schema", "values", "model", "parser"},
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
    "notation": {"source", "ast", "schema", "values"},
    "document": {"source", "ast", "schema", "values", "model", "notation"},
    "document_formats": {"notation", "document", "highlight"},
    # Editors: Pygments highlighting (no package import), and the language server on an
    # index built from the parser, loader, checker and consistency checks.
    "highlight": set(),
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
    },
    "counterfactual": {"errors", "schema", "values", "model", "evaluator", "messages"},
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
    },
    "notebook": {"values", "trace", "messages"},
    "partial": {"errors", "schema", "values", "model", "trace", "evaluator", "messages"},
    # Tables of facts in (CSV, Excel) and of verdicts out; templates and JSON Schemas.
    "tabular": {"source", "errors", "schema", "values", "model", "messages"},
    "result_tables": {"errors", "schema", "values", "model", "messages", "api"},
    "json_schema": {"schema", "model"},
    # DataFrames and Arrow tables (pandas, pyarrow imported on demand); Dask over them.
    "frames": {"errors", "schema", "values", "model", "facts", "tabular", "columnar", "api"},
    # Arrow tables on columns (Arrow's compute kernels), imported by `frames` on demand.
    "columnar": {"schema", "values", "model", "tabular"},
    "dask": {"errors", "frames", "api"},
    # JSON lines through msgspec when installed, checked against jsonio's rules.
    "fastjson": {"jsonio"},
    "templates": {"errors", "schema", "model", "tabular", "messages"},
}
# Modules above the core may import anything below them except the CLI.
TOP = {"api", "batch", "cli", "__init__", "__main__"}

# Third-party libraries and their single owner inside the package.
OWNERS = {
    "lark": {"parser"},
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
    unexpected = internal - ALLOWED[name]
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
