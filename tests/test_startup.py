"""Start-up: the grammar cache, one parse per module text, and a light `import wuxin_rules`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from wuxin_rules import parser

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, **env},
    )


def test_grammar_cache_lives_in_the_folder_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(parser.CACHE_VARIABLE, str(tmp_path / "cache"))
    path = parser.grammar_cache_path()
    assert path is not None and Path(path).parent == tmp_path / "cache"
    assert (tmp_path / "cache").is_dir()
    monkeypatch.setenv(parser.CACHE_VARIABLE, "off")
    assert parser.grammar_cache_path() is None


def test_a_cached_grammar_parses_as_a_fresh_one(tmp_path: Path) -> None:
    code = (
        "from wuxin_rules import parser; import pathlib; "
        "text = pathlib.Path('policies/drug_free/unit.policy').read_text(encoding='utf-8'); "
        "print(repr(parser.parse(text, 'unit.policy')))"
    )
    fresh = _run(code, **{parser.CACHE_VARIABLE: "off"})
    first = _run(code, **{parser.CACHE_VARIABLE: str(tmp_path)})
    cached = _run(code, **{parser.CACHE_VARIABLE: str(tmp_path)})
    assert fresh.returncode == first.returncode == cached.returncode == 0, cached.stderr
    assert list(tmp_path.glob("grammar-*.lark")), "no cache file was written"
    assert fresh.stdout == first.stdout == cached.stdout


def test_a_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    code = "from wuxin_rules import parser; print(parser.grammar_cache_path())"
    path = Path(_run(code, **{parser.CACHE_VARIABLE: str(tmp_path)}).stdout.strip())
    path.write_bytes(b"not a cache")
    check = subprocess.run(
        [sys.executable, "-m", "wuxin_rules", "check", "policies/"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**os.environ, parser.CACHE_VARIABLE: str(tmp_path)},
    )
    assert check.returncode == 0, check.stderr
    assert "no problems" in check.stdout


def test_import_does_not_load_the_engine() -> None:
    code = (
        "import sys, wuxin_rules; "
        "print(sorted(m for m in ('lark', 'cattrs', 'wuxin_rules.api', 'wuxin_rules.parser') if m in sys.modules)); "
        "wuxin_rules.load; print('wuxin_rules.api' in sys.modules)"
    )
    done = _run(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["[]", "True"]


def test_parse_shares_modules_of_the_same_text() -> None:
    text = (ROOT / "policies" / "drug_free" / "units.policy").read_text(encoding="utf-8")
    assert parser.parse(text, "units.policy") is parser.parse(text, "units.policy")
    assert parser.parse(text, "other.policy") is not parser.parse(text, "units.policy")
