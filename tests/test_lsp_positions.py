"""Protocol positions: lines, and code units of the encoding agreed with the client."""

from __future__ import annotations

import pytest

pytest.importorskip("pygls")

from lsprotocol import types

from wuxin_rules.lsp import _Lines


@pytest.mark.parametrize(
    ("encoding", "column"),
    [
        (types.PositionEncodingKind.Utf16, 6),  # 上限 1 + 1, 𝑥 2 (a surrogate pair), " " 1, …
        (types.PositionEncodingKind.Utf8, 12),
        (types.PositionEncodingKind.Utf32, 5),
    ],
)
def test_positions_count_the_units_of_the_agreed_encoding(encoding: str, column: int) -> None:
    text = 'rule r:\n"上限𝑥 "\n'
    lines = _Lines(text, encoding)
    offset = text.index('"\n')  # the closing quote on line 2
    position = lines.position(offset)
    assert (position.line, position.character) == (1, column)
    assert lines.offset(position) == offset
