"""How long `wuxin lsp` takes per change, on the flagship policies (target: < 100 ms).

Two measurements, medians and 95th percentiles over a run of edits that type one character
after another into a rule's label in the middle of the file (each edit a new text):

* **in process**: `symbols.Workspace.analyse(lint=False)`, the work the server does on a
  change before it publishes the errors (cut into declarations, re-parse the changed one,
  check the policy with its imports, index the names); and the same with `lint=True`, the
  consistency warnings `wuxin check` adds, which the server computes once typing pauses;
* with a syntax error in the edited declaration: the errors then come from parsing the
  whole text (as `wuxin check` reports them), the rest of the policy is still checked;
* **over stdio** (`--stdio`): a real client (pygls's) sends `textDocument/didChange` to a
  `wuxin lsp` process and waits for the `publishDiagnostics` of that version: the delay an
  editor sees, JSON-RPC included.

Run from the repository root, in an environment with the `lsp` extra:

    python benchmarks/bench_lsp.py                  # every flagship policy, 40 edits each
    python benchmarks/bench_lsp.py --stdio          # and the round trip on the largest
    python benchmarks/bench_lsp.py --edits 10 --json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = sorted((ROOT / "policies" / "drug_free").glob("*.policy"))
TARGET_MS = 100.0


def _edits(text: str, count: int, broken: bool = False) -> list[str]:
    """`count` texts, each one more character typed into the label of the middle rule
    (`broken`: with a `(` before the label, a syntax error)."""
    middle = (
        text.index("\ncriterion ", len(text) // 3) if "\ncriterion " in text else len(text) // 2
    )
    quote = text.index('"', middle) + 1
    bad = "(" if broken else ""
    return [text[: quote - 1] + bad + '"' + "x" * n + text[quote:] for n in range(1, count + 1)]


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": p95 * 1000}


def in_process(path: Path, edits: int) -> dict[str, Any]:
    from wuxin_rules.symbols import Workspace

    workspace = Workspace()
    file = str(path.resolve())
    text = path.read_text(encoding="utf-8")
    workspace.open[file] = text
    workspace.analyse(file, text)  # first open: every import parsed once, caches warm
    errors, warnings = [], []
    for edited in _edits(text, edits):
        workspace.open[file] = edited
        start = time.perf_counter()
        analysis = workspace.analyse(file, edited, lint=False)
        errors.append(time.perf_counter() - start)
        assert analysis.policy is not None, "an edit broke the policy"
    for edited in _edits(text, max(3, edits // 4)):
        start = time.perf_counter()
        workspace.analyse(file, edited + " ", lint=True)
        warnings.append(time.perf_counter() - start)
    syntax = []
    for edited in _edits(text, max(3, edits // 4), broken=True):
        start = time.perf_counter()
        analysis = workspace.analyse(file, edited, lint=False)
        syntax.append(time.perf_counter() - start)
        assert analysis.syntax_errors, "the broken edit parsed"
    return {
        "policy": path.name,
        "lines": text.count("\n") + 1,
        "modules": len(analysis.index.modules),
        "change": _summary(errors),
        "change_with_warnings": _summary(warnings),
        "change_with_syntax_error": _summary(syntax),
    }


async def _stdio(path: Path, edits: int) -> dict[str, Any]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench", "1")
    arrived: dict[int, float] = {}
    waiting: dict[int, asyncio.Future[None]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None and params.version not in arrived:
            arrived[params.version] = time.perf_counter()
            future = waiting.get(params.version)
            if future is not None and not future.done():
                future.set_result(None)

    await client.start_io(sys.executable, "-m", "wuxin_rules", "lsp")
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=ROOT.as_uri())
    )
    client.initialized(types.InitializedParams())
    uri = path.resolve().as_uri()
    text = path.read_text(encoding="utf-8")
    loop = asyncio.get_running_loop()
    waiting[0] = loop.create_future()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "wuxin-policy", 0, text))
    )
    await asyncio.wait_for(waiting[0], 60)
    samples = []
    for version, edited in enumerate(_edits(text, edits), start=1):
        waiting[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri),
                [types.TextDocumentContentChangeWholeDocument(text=edited)],
            )
        )
        await asyncio.wait_for(waiting[version], 60)
        samples.append(arrived[version] - start)
        await asyncio.sleep(0.05)  # an author's pause between keystrokes
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"policy": path.name, "round_trip": _summary(samples)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=40, help="edits per policy (default 40)")
    parser.add_argument("--stdio", action="store_true", help="also time a real client over stdio")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"in_process": [in_process(p, args.edits) for p in FLAGSHIP]}
    largest = max(FLAGSHIP, key=lambda p: len(p.read_text(encoding="utf-8")))
    if args.stdio:
        results["stdio"] = asyncio.run(_stdio(largest, args.edits))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"{'policy':<22}{'lines':>6}{'modules':>8}  {'change (median / p95)':>24}"
        f"  {'with warnings':>20}  {'syntax error':>20}"
    )
    for row in results["in_process"]:
        cells = [row["change"], row["change_with_warnings"], row["change_with_syntax_error"]]
        print(
            f"{row['policy']:<22}{row['lines']:>6}{row['modules']:>8}  "
            + "  ".join(f"{c['median_ms']:>10.1f} / {c['p95_ms']:6.1f} ms" for c in cells)
        )
    if args.stdio:
        trip = results["stdio"]["round_trip"]
        print(
            f"\nover stdio, {results['stdio']['policy']}: didChange → publishDiagnostics "
            f"{trip['median_ms']:.1f} ms median, {trip['p95_ms']:.1f} ms p95"
        )
    worst = max(row["change"]["median_ms"] for row in results["in_process"])
    print(f"\ntarget: < {TARGET_MS:.0f} ms per change; worst median {worst:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
