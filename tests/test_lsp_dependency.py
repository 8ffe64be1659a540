"""`wuxin lsp` without pygls: a usage error naming the extra, no traceback."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
sys.modules["pygls"] = None  # as if the `lsp` extra were not installed
sys.modules["lsprotocol"] = None
from wuxin_rules.cli import main
sys.exit(main(["lsp"]))
"""


def test_missing_pygls_is_a_usage_error_naming_the_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    assert "error[missing-dependency]: `wuxin lsp` needs pygls" in result.stderr
    assert "pip install 'wuxin_rules[lsp]'" in result.stderr
    assert "Traceback" not in result.stderr
