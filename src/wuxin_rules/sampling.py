"""Reproducible sampling: the pure algorithm behind the `sample(keys, rate, seed)` builtin.

A draw must come out the same on every run, machine and Python version, and anyone must be
able to redo it by hand from the policy, the facts and this page. So it uses neither
`random` nor `hash()`: every key is ranked by the SHA-256 digest of a canonical encoding of
the seed and the key, and the keys with the lowest ranks are drawn.

The encoding (version 1), byte for byte:

    message = b"wuxin-sample/1\\x00" + field(seed) + field(key)
    field(v) = tag + b":" + length + b":" + body
        tag    = b"t" for a text, b"i" for a whole number
        body   = the text in UTF-8, or the number in decimal ASCII (`-` first when negative)
        length = the number of bytes of body, in decimal ASCII
    rank(key) = SHA-256(message), as 64 lowercase hexadecimal digits

The keys are sorted by (rank, key), the first `ceil(rate × n)` are drawn, and the drawn keys
are returned sorted by key (texts in code-point order, numbers by value). The draw therefore
does not depend on the order the keys come in. Duplicate keys and a rate outside 0..1 are
refused (`SampleError`), because either would make the draw ambiguous.

Imports nothing from the package (standard library and attrs only); the evaluator turns a
`SampleError` into a located evaluation error.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any, TypeAlias

import attrs

from wuxin_rules.messages import english

__all__ = [
    "ENCODING_VERSION",
    "Draw",
    "Key",
    "RankedKey",
    "SampleError",
    "draw",
    "rank",
    "sample_size",
]

ENCODING_VERSION = "wuxin-sample/1"
"""Names the encoding above; it is hashed into every rank, so a change of scheme is visible."""

Key: TypeAlias = str | int
"""A sampling key (or seed): a text or a whole number."""


class SampleError(ValueError):
    """Sampling refused its arguments; `code` is the diagnostic code the evaluator reports."""

    def __init__(self, code: str, message: str, help: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help

    def __reduce__(self) -> tuple[Any, ...]:
        # (`args` holds the message alone: rebuild from all three, so that it pickles.)
        return (type(self), (self.code, self.message, self.help))


@attrs.frozen
class RankedKey:
    """A key and its rank: the hexadecimal SHA-256 digest it is ordered by."""

    key: Key
    digest: str


@attrs.frozen
class Draw:
    """The outcome of a draw and everything needed to audit it.

    `n` keys, `size` of them drawn (`ceil(rate × n)`); `ranked` is every key in rank order
    (the drawn ones first), `chosen` the drawn keys sorted by key.
    """

    n: int
    rate: Fraction
    size: int
    seed: Key
    ranked: tuple[RankedKey, ...]
    chosen: tuple[Key, ...]

    @property
    def drawn(self) -> tuple[RankedKey, ...]:
        """The drawn keys with their ranks, in rank order."""
        return self.ranked[: self.size]


def _field(value: Key) -> bytes:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise TypeError(f"a sampling key or seed is a text or an int, not {type(value).__name__}")
    if isinstance(value, int):
        return _tagged(b"i", _digits(value).encode("ascii"))
    try:
        return _tagged(b"t", value.encode("utf-8"))
    except UnicodeEncodeError as error:
        # A JSON escape such as "\ud800" makes a text with half of a surrogate pair: it
        # is no character, UTF-8 has no bytes for it, and so the draw has no rank for it.
        point = ord(value[error.start])
        raise SampleError(
            "invalid-argument",
            english("surrogate-half", point=f"U+{point:04X}"),
            english("surrogate-half.help", escape=f"\\u{point:04x}"),
        ) from None


def _tagged(tag: bytes, body: bytes) -> bytes:
    return tag + b":" + str(len(body)).encode("ascii") + b":" + body


def _digits(value: int) -> str:
    """The decimal digits of a whole number, however long (`str` refuses more than 4300)."""
    if value.bit_length() < 10_000:
        return int.__repr__(value)
    return format(Decimal(value), "f")


def rank(seed: Key, key: Key) -> str:
    """The rank of `key` under `seed`: the hex SHA-256 digest of the canonical encoding."""
    message = ENCODING_VERSION.encode("ascii") + b"\x00" + _field(seed) + _field(key)
    return hashlib.sha256(message).hexdigest()


def sample_size(rate: Fraction | int, n: int) -> int:
    """`ceil(rate × n)`, exactly: at least one key whenever the rate is above 0 and n is not 0."""
    product = Fraction(rate) * n
    return -((-product.numerator) // product.denominator)


def draw(keys: Sequence[Key], rate: Fraction | int, seed: Key) -> Draw:
    """Draw `ceil(rate × len(keys))` keys, reproducibly from `seed` (see the module docstring).

    Raises `SampleError` (`duplicate-sample-key`, `invalid-sample-rate`) for a key given twice
    or a rate outside 0..1.
    """
    rate = Fraction(rate)
    if not 0 <= rate <= 1:
        raise SampleError(
            "invalid-sample-rate",
            english("sample.sampling-rate-must-lie", rate=_plain(rate)),
            english("sample.write-rate-as-share.help"),
        )
    ordered = sorted(keys)
    for previous, current in itertools.pairwise(ordered):
        if previous == current:
            raise SampleError(
                "duplicate-sample-key",
                english("sample.key-appears-more-than", current=_shown(current)),
                english("sample.sample-distinct-keys-such.help"),
            )
    ranked = sorted((RankedKey(key, rank(seed, key)) for key in ordered), key=_order)
    size = sample_size(rate, len(ordered))
    chosen = tuple(sorted(item.key for item in ranked[:size]))
    return Draw(len(ordered), rate, size, seed, tuple(ranked), chosen)


def _order(item: RankedKey) -> tuple[str, Key]:
    return (item.digest, item.key)


def _plain(value: Fraction) -> str:
    return (
        str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    )


def _shown(key: Key) -> str:
    return f'`"{key}"`' if isinstance(key, str) else f"`{_digits(key)}`"
