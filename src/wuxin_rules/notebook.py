"""Verdicts and explanations as HTML, for Jupyter and other notebooks (`_repr_html_`).

A notebook shows an object as HTML when it has a `_repr_html_` method. `Result._repr_html_`
is `result_html`: a table of the verdicts (label, value, citations; a pending rule with the
facts it needs, a failed rule with its error), each rule's explanation folded under it.
`Result.explain` returns an `ExplanationText`: the same text as before (it is a `str`), shown
as HTML in a notebook, true and false marked in colour. Everything is escaped; the HTML has
no script and loads nothing.

May import `values`, `trace` and `messages`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any

from wuxin_rules.messages import word
from wuxin_rules.trace import Verdict
from wuxin_rules.values import format_value

__all__ = ["ExplanationText", "result_html"]

_STYLE = (
    "<style>"
    ".wuxin-result{border-collapse:collapse;font-size:13px}"
    ".wuxin-result th,.wuxin-result td{border:1px solid #ccc;padding:3px 8px;text-align:left;"
    "vertical-align:top}"
    ".wuxin-true{color:#17702b;font-weight:bold}.wuxin-false{color:#b3261e;font-weight:bold}"
    ".wuxin-pending{color:#8a5a00}.wuxin-cites{color:#666;font-size:90%}"
    ".wuxin-explanation{margin:0;font-size:12px;line-height:1.35;white-space:pre-wrap}"
    "</style>"
)


class ExplanationText(str):
    """The text of an explanation (a `str`, as `Result.explain` always returned), shown as
    HTML in a notebook."""

    def _repr_html_(self) -> str:
        return _STYLE + explanation_html(str(self))


def explanation_html(text: str) -> str:
    """An explanation's text in a `<pre>`, each `✓`/`✗` mark coloured."""
    escaped = html.escape(text)
    escaped = escaped.replace("✓", '<span class="wuxin-true">✓</span>')
    escaped = escaped.replace("✗", '<span class="wuxin-false">✗</span>')
    return f'<pre class="wuxin-explanation">{escaped}</pre>'


def result_html(
    title: str,
    verdicts: Mapping[str, Verdict],
    explain: Callable[[str], str] | None,
    *,
    lang: str = "en",
) -> str:
    """The verdicts as a table, each rule's explanation (`explain(key)`, when given) folded
    under its row."""
    header = "".join(
        f"<th>{html.escape(word(f'notebook.{column}', lang))}</th>"
        for column in ("rule", "label", "value", "cites")
    )
    rows = []
    for key, verdict in verdicts.items():
        value = _value_html(verdict, lang)
        cites = html.escape(", ".join(verdict.cites))
        why = ""
        if explain is not None and verdict.error is None:
            why = (
                f"<details><summary>{html.escape(word('notebook.why', lang))}</summary>"
                f"{explanation_html(explain(key))}</details>"
            )
        rows.append(
            f"<tr><td><code>{html.escape(key)}</code></td>"
            f"<td>{html.escape(verdict.label or '')}</td><td>{value}{why}</td>"
            f'<td class="wuxin-cites">{cites}</td></tr>'
        )
    caption = f"<caption>{html.escape(title)}</caption>" if title else ""
    return (
        f'{_STYLE}<table class="wuxin-result">{caption}<thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _value_html(verdict: Verdict, lang: str) -> str:
    value: Any = verdict.value
    if verdict.error is not None:
        return (
            f'<span class="wuxin-false">{html.escape(word("error", lang))}'
            f"[{html.escape(verdict.error.code)}]</span> {html.escape(verdict.error.message)}"
        )
    describe = getattr(value, "describe", None)
    if callable(describe):  # a pending rule
        return f'<span class="wuxin-pending">{html.escape(describe(lang))}</span>'
    if value is True:
        return '<span class="wuxin-true">✓ true</span>'
    if value is False:
        return '<span class="wuxin-false">✗ false</span>'
    return html.escape(format_value(value, verdict.type))
