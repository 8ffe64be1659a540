"""A policy's own words in more than one language: a label or note with its translations.

`"家庭人数" en "household size"` in a policy gives a `Wording`: the text as written first (the
policy's own language) that also holds its forms in other languages. It is a `str`, the text
as written, so every stage that only carries, compares or prints a label keeps doing so
unchanged (the checker, the evaluator, the compiled engines, JSON); a stage that shows the text
to a reader asks for it in the reader's language with `in_language`, and gets the text as
written when the policy gives no form in that language.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, overload

from wuxin_rules import messages

__all__ = ["LANGUAGES", "Wording", "in_language"]

LANGUAGES = messages.LANGUAGES
"""The language tags a translation may carry: those a reader can ask for with `--lang`."""


class Wording(str):
    """A text as written, with its forms in other languages (`forms`, tag → text)."""

    _forms: tuple[tuple[str, str], ...]

    def __new__(cls, text: str, forms: Iterable[tuple[str, str]] = ()) -> Wording:
        wording = super().__new__(cls, text)
        wording._forms = tuple(forms)
        return wording

    @property
    def text(self) -> str:
        """The text as written, a plain `str`."""
        return str.__str__(self)

    @property
    def forms(self) -> dict[str, str]:
        """The translations by language tag (the first given for a tag, if given twice)."""
        forms: dict[str, str] = {}
        for lang, text in self._forms:
            forms.setdefault(lang, text)
        return forms

    def in_language(self, lang: str) -> str:
        """The text in `lang`: its translation when the policy gives one, else as written."""
        return self.forms.get(lang, self.text)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its forms (the batch engine sends policies to worker processes).
        return (Wording, (self.text, self._forms))


@overload
def in_language(text: str, lang: str) -> str: ...
@overload
def in_language(text: None, lang: str) -> None: ...
@overload
def in_language(text: str | None, lang: str) -> str | None: ...
def in_language(text: str | None, lang: str) -> str | None:
    """`text` (a label or note; None stays None) in `lang`, falling back to it as written."""
    if isinstance(text, Wording):
        return text.in_language(lang)
    return text
