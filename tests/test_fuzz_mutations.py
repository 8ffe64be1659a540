"""The engine fuzzed with broken versions of the real policies: tokens deleted, duplicated or
swapped, texts truncated, characters inserted, expressions nested deeply. Parsing, checking
and the consistency checks raise nothing but `WuxinError`."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fuzzing import flagship_texts, fuzz_settings, only_wuxin_errors
from wuxin_rules import checker, consistency, loader
from wuxin_rules.errors import WuxinError
from wuxin_rules.parser import KEYWORDS

TEXTS = flagship_texts()
MODULES = sorted(TEXTS)


def _imported(root: str) -> list[str]:
    """The modules `root` imports, transitively (a broken one is one the root reads)."""
    found: list[str] = []
    pending = [root]
    while pending:
        for name in re.findall(r"^import\s+([\w.]+)", TEXTS[pending.pop()], re.M):
            if name in TEXTS and name not in found and name != root:
                found.append(name)
                pending.append(name)
    return found


IMPORTED = {name: _imported(name) for name in MODULES}

_TOKEN = re.compile(
    r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\s+|\w+|\.\.<|\.\.\.|\.\.|[=!<>]=|->|\?\?|.', re.S
)

INSERTED = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ":",
        ",",
        ".",
        "..",
        "?",
        "??",
        "#",
        "\n",
        "-",
        "%",
        "\\",
        "0",
        "9" * 40,
        "1e9",
        "０",
        "：",
        "，",
        "％",
        "（",
        "\u3000",
        "\x00",
        "\ud800",
        "\u202e",
        "\ufeff",
        "é",
        "名",
        "if",
        "then",
        "else",
        "rule",
        "criterion",
        "none",
        "not",
        "all of",
        "count of",
        "import drug_free.nowhere",
        "policy x",
        "2015-02-30",
        "99999-01-01",
    ]
)
"""Characters and words a mutation inserts: punctuation, full-width forms, controls, a lone
surrogate, keywords, huge numbers, impossible dates."""


def tokens(text: str) -> list[str]:
    """The text cut into words, numbers, strings, comments, spaces and punctuation."""
    return _TOKEN.findall(text)


ALL_KINDS = ("delete", "duplicate", "swap", "insert", "replace", "truncate", "nest")


@st.composite
def mutated(
    draw: st.DrawFn, kinds: tuple[str, ...] = ALL_KINDS, most: int = 4
) -> tuple[str, str, dict[str, str]]:
    """(root module, its text, the texts of the other modules), one of them broken by up to
    `most` mutations of the given kinds."""
    root = draw(st.sampled_from(MODULES))
    target = draw(st.sampled_from([root, root, *IMPORTED[root]]))
    parts = tokens(TEXTS[target])
    for _ in range(draw(st.integers(1, most))):
        kind = draw(st.sampled_from(kinds))
        # Mostly at a token that means something (not white space or a comment).
        meaningful = [k for k, part in enumerate(parts) if part.strip() and part[0] != "#"]
        i = draw(st.sampled_from(meaningful) if meaningful else st.integers(0, len(parts) - 1))
        if kind == "delete":
            del parts[i]
        elif kind == "duplicate":
            parts.insert(i, parts[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
        elif kind == "insert":
            parts.insert(i, draw(INSERTED))
        elif kind == "replace":
            # Another word of the same text: names, types, keywords and numbers mixed up
            # (mostly still parses, and the checker has to say what is wrong).
            def same_kind(part: str, word: str = parts[i]) -> bool:
                if word.isdigit():
                    return part.isdigit()
                return part.isidentifier() and part not in KEYWORDS and word not in KEYWORDS

            words = [part for part in parts if same_kind(part)]
            if words and (parts[i].isdigit() or parts[i].isidentifier()):
                parts[i] = draw(st.sampled_from(words))
        elif kind == "truncate":
            parts = parts[:i]
        else:
            # Deep nesting at a token: parentheses, `not`s, lists or unary minus.
            depth = draw(st.sampled_from([50, 99, 100, 101, 300, 3000]))
            opener, closer = draw(
                st.sampled_from([("(", ")"), ("not ", ""), ("[", "]"), ("-", "")])
            )
            parts[i] = opener * depth + parts[i] + closer * depth
        if not parts:
            break
    files = dict(TEXTS)
    files[target] = "".join(parts)
    return root, files.pop(root), files


@pytest.mark.parametrize(
    ("kinds", "most", "examples"),
    [(ALL_KINDS, 4, 150), (("replace",), 3, 100)],
    ids=["any", "words-mixed-up"],
)
def test_mutated_policies_raise_nothing_but_wuxin_errors(
    kinds: tuple[str, ...], most: int, examples: int
) -> None:
    """Broken flagship policies give located `WuxinError`s, never another exception (with
    words mixed up, most still parse and reach the checker)."""
    outcomes: Counter[str] = Counter()

    @fuzz_settings(examples)
    @given(mutated(kinds, most))
    def run(case: tuple[str, str, dict[str, str]]) -> None:
        root, text, files = case
        description = f"root {root}:\n{text}"

        def check() -> object:
            loaded = loader.load_modules_from_text(text, f"{root}.policy", files=files)
            checked = checker.check(loaded)
            consistency.analyse(checked, undecided=True)
            return checked

        result = only_wuxin_errors(check, description)
        if isinstance(result, WuxinError):
            outcomes[type(result).__name__] += 1
            assert result.diagnostics, "a WuxinError without diagnostics"
            for diagnostic in result.diagnostics:
                assert diagnostic.code and diagnostic.message
        else:
            outcomes["checked"] += 1

    run()
    print(f"\nmutated policies: {dict(outcomes)}")
    assert sum(outcomes.values()) > 0


def test_huge_flat_chains_and_deep_nesting_give_answers_or_too_deep() -> None:
    """Long flat chains are accepted; nesting beyond the limit is `too-deep`, never a crash."""
    head = "record R: n: int\ninput r: R\n"
    chains = {
        "and": "criterion c: " + " and ".join(["r.n > 0"] * 3000),
        "or": "criterion c: " + " or ".join(["r.n > 0"] * 3000),
        "list": "rule c: [" + ", ".join(["r.n"] * 3000) + "]",
        "parentheses": "criterion c: " + "(" * 3000 + "r.n > 0" + ")" * 3000,
    }
    for name, body in chains.items():
        result = only_wuxin_errors(lambda body=body: checker.check_text(head + body), name)
        assert not isinstance(result, WuxinError), (name, result)
    nested = {
        "not": "criterion c: " + "not " * 3000 + "r.n > 0",
        "plus": "rule c: " + " + ".join(["r.n"] * 3000),
        "if": "rule c: " + "if r.n > 0 then 1 else " * 3000 + "0",
        "list": "rule c: " + "[" * 3000 + "1" + "]" * 3000,
        "record": "rule c: " + "{a: " * 3000 + "1" + "}" * 3000,
        "call": "rule c: " + "abs(" * 3000 + "1" + ")" * 3000,
        "field": "rule c: r" + ".n" * 3000,
        "aggregate": "rule c: " + "count of x in [1] where (" * 300 + "true" + ")" * 300,
    }
    for name, body in nested.items():
        result = only_wuxin_errors(lambda body=body: checker.check_text(head + body), name)
        assert isinstance(result, WuxinError) and result.codes == ("too-deep",), (name, result)
