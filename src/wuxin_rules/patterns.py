"""Text patterns matched in linear time: the `matches(t, pattern)` builtin.

A pattern may come from facts, that is from anyone: a backtracking engine (Python's `re`)
takes exponential time on `(a*)*b` against a long run of `a`s, so patterns here are a
bounded subset of regular expressions compiled to a Pike VM (Thompson's construction) and
run over the text once, keeping the set of live states: the time is at most the length of
the text times the size of the pattern, whatever both hold. No engine outside the core is
needed (docs/dependencies.md says why this subset rather than an optional RE2).

The subset: literal characters; `.` (any one code point); classes `[abc]`, `[a-z]`,
`[^…]`; `\\d` (an ASCII digit 0-9), `\\w` (a letter or digit of any script, or `_`), `\\s`
(white space) and their negations `\\D \\W \\S`; `\\` before any other punctuation takes it
literally (`\\.`, `\\-`); groups `( … )`; alternatives `a|b`; repetitions `*`, `+`, `?`,
`{m}`, `{m,}`, `{m,n}` (counts up to `MAX_COUNT`). A pattern matches the *whole* text:
write `.*` around it to find it anywhere. Back-references, look-arounds, anchors and lazy
or possessive repetitions are refused (`PatternError`), as are patterns longer than
`MAX_PATTERN` code points or compiling to more than `MAX_STATES` states.

May import nothing of the package (a leaf, like `sampling`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import attrs

from wuxin_rules.messages import Message, english

__all__ = ["MAX_COUNT", "MAX_PATTERN", "MAX_STATES", "Pattern", "PatternError", "compile_pattern"]

MAX_PATTERN = 1000
"""The longest pattern, in code points."""

MAX_COUNT = 1000
"""The largest count of a counted repetition (`{m,n}`)."""

MAX_STATES = 10_000
"""The most states a compiled pattern may have (counted repetitions are copied out)."""

_SPECIAL = frozenset("()[]{}*+?|^$\\.")


class PatternError(ValueError):
    """A pattern outside the subset: `reason` says what, `position` where (a code point
    index into the pattern)."""

    def __init__(self, reason: Message, position: int) -> None:
        super().__init__(f"{reason} (at {position})")
        self.reason = reason
        self.position = position


Test = Callable[[str], bool]

_CLASSES: dict[str, Test] = {
    "d": lambda c: "0" <= c <= "9",
    "w": lambda c: c.isalnum() or c == "_",
    "s": str.isspace,
}


def _between(low: str, high: str) -> Test:
    return lambda c: low <= c <= high


def _negated(test: Test) -> Test:
    return lambda c: not test(c)


def _escape(letter: str) -> Test | None:
    if letter in _CLASSES:
        return _CLASSES[letter]
    if letter.lower() in _CLASSES and letter.isupper():
        return _negated(_CLASSES[letter.lower()])
    return None


# A parsed pattern: ("char", test) | ("cat", items) | ("alt", items) | ("rep", item, lo, hi)
Node = tuple[object, ...]


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def peek(self) -> str | None:
        return self.text[self.pos] if self.pos < len(self.text) else None

    def fail(self, reason: Message) -> PatternError:
        return PatternError(reason, self.pos)

    def alternatives(self) -> Node:
        items = [self.sequence()]
        while self.peek() == "|":
            self.pos += 1
            items.append(self.sequence())
        return items[0] if len(items) == 1 else ("alt", tuple(items))

    def sequence(self) -> Node:
        items: list[Node] = []
        while self.peek() not in (None, "|", ")"):
            items.append(self.repeated())
        return ("cat", tuple(items))

    def repeated(self) -> Node:
        item = self.atom()
        char = self.peek()
        if char in ("*", "+", "?"):
            self.pos += 1
            lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[char]
        elif char == "{":
            lo, hi = self.counts()
        else:
            return item
        if self.peek() in ("*", "+", "?", "{"):
            raise self.fail(english("pattern.repeat-again"))
        return ("rep", item, lo, hi)

    def counts(self) -> tuple[int, int | None]:
        start = self.pos
        end = self.text.find("}", start)
        if end < 0:
            raise self.fail(english("pattern.count-unclosed"))
        body = self.text[start + 1 : end]
        low, comma, high = body.partition(",")
        if (
            not low.isascii()
            or not low.isdigit()
            or (high and not (high.isascii() and high.isdigit()))
        ):
            raise self.fail(english("pattern.count-form"))
        if len(low) > 4 or len(high) > 4:
            raise self.fail(english("pattern.count-max", max=MAX_COUNT))
        lo = int(low)
        hi: int | None = lo if not comma else (int(high) if high else None)
        if lo > MAX_COUNT or (hi is not None and hi > MAX_COUNT):
            raise self.fail(english("pattern.count-max", max=MAX_COUNT))
        if hi is not None and hi < lo:
            raise self.fail(english("pattern.count-backwards"))
        self.pos = end + 1
        return lo, hi

    def atom(self) -> Node:
        char = self.peek()
        if char is None:  # (unreachable: `sequence` stops first)
            raise self.fail(english("pattern.ends-early"))
        if char == "(":
            self.pos += 1
            if self.peek() == "?":
                raise self.fail(english("pattern.group-flags"))
            inner = self.alternatives()
            if self.peek() != ")":
                raise self.fail(english("pattern.group-unclosed"))
            self.pos += 1
            return inner
        if char == "[":
            return ("char", self.char_class())
        if char == ".":
            self.pos += 1
            return ("char", lambda c: True)
        if char == "\\":
            return ("char", self.escaped(in_class=False))
        if char in "*+?{":
            raise self.fail(english("pattern.nothing-to-repeat", char=char))
        if char in "^$":
            raise self.fail(english("pattern.anchor", char=char))
        if char in ")]}":
            raise self.fail(english("pattern.not-opened", char=char))
        self.pos += 1
        return ("char", char.__eq__)

    def escaped(self, in_class: bool) -> Test:
        self.pos += 1
        letter = self.peek()
        if letter is None:
            raise self.fail(english("pattern.trailing-backslash"))
        self.pos += 1
        test = _escape(letter)
        if test is not None:
            return test
        if letter.isalnum() or not letter.isascii():
            raise self.fail(english("pattern.unknown-escape", letter=letter))
        return letter.__eq__

    def char_class(self) -> Test:
        self.pos += 1
        negate = self.peek() == "^"
        if negate:
            self.pos += 1
        tests: list[Test] = []
        first = True
        while True:
            char = self.peek()
            if char is None:
                raise self.fail(english("pattern.class-unclosed"))
            if char == "]" and not first:
                self.pos += 1
                break
            first = False
            if char == "\\":
                low_test = self.escaped(in_class=True)
                tests.append(low_test)
                continue
            self.pos += 1
            if (
                self.peek() == "-"
                and self.pos + 1 < len(self.text)
                and self.text[self.pos + 1] != "]"
            ):
                high = self.text[self.pos + 1]
                if high == "\\":
                    raise self.fail(english("pattern.range-end"))
                if high < char:
                    raise self.fail(english("pattern.range-backwards", low=char, high=high))
                self.pos += 2
                tests.append(_between(char, high))
            else:
                tests.append(char.__eq__)
        members = tuple(tests)
        if negate:
            return lambda c: not any(test(c) for test in members)
        return lambda c: any(test(c) for test in members)


# The compiled program: ("char", test) | ("split", a, b) | ("jump", a) | ("match",)
Instruction = tuple[object, ...]


def _size(node: Node) -> int:
    kind = node[0]
    if kind == "char":
        return 1
    if kind in ("cat", "alt"):
        items: tuple[Node, ...] = node[1]  # type: ignore[assignment]
        return sum(_size(item) for item in items) + 2 * len(items)
    inner: Node = node[1]  # type: ignore[assignment]
    lo: int = node[2]  # type: ignore[assignment]
    hi: int | None = node[3]  # type: ignore[assignment]
    return (_size(inner) + 2) * max(lo, hi if hi is not None else lo + 1, 1)


class _Emitter:
    def __init__(self) -> None:
        self.program: list[Instruction] = []

    def emit(self, node: Node) -> None:
        program = self.program
        kind = node[0]
        if kind == "char":
            program.append(node)
        elif kind == "cat":
            for item in node[1]:  # type: ignore[attr-defined]
                self.emit(item)
        elif kind == "alt":
            items: tuple[Node, ...] = node[1]  # type: ignore[assignment]
            jumps = []
            for item in items[:-1]:
                split = len(program)
                program.append(("split", split + 1, -1))
                self.emit(item)
                jumps.append(len(program))
                program.append(("jump", -1))
                program[split] = ("split", split + 1, len(program))
            self.emit(items[-1])
            for at in jumps:
                program[at] = ("jump", len(program))
        else:
            inner: Node = node[1]  # type: ignore[assignment]
            lo: int = node[2]  # type: ignore[assignment]
            hi: int | None = node[3]  # type: ignore[assignment]
            for _ in range(lo):
                self.emit(inner)
            if hi is None:
                loop = len(program)
                program.append(("split", loop + 1, -1))
                self.emit(inner)
                program.append(("jump", loop))
                program[loop] = ("split", loop + 1, len(program))
            else:
                ends = []
                for _ in range(hi - lo):
                    ends.append(len(program))
                    program.append(("split", len(program) + 1, -1))
                    self.emit(inner)
                for at in ends:
                    program[at] = ("split", at + 1, len(program))


@attrs.frozen
class Pattern:
    """A compiled pattern: `fullmatch(text)` in time linear in `len(text)`."""

    source: str
    program: tuple[Instruction, ...]

    def fullmatch(self, text: str) -> bool:
        """Whether the whole of `text` matches (a Pike VM: every live state advances over
        each character together, so no input makes it backtrack)."""
        program = self.program
        current = self._closure([0])
        for char in text:
            advanced = [
                pc + 1
                for pc in current
                if program[pc][0] == "char" and program[pc][1](char)  # type: ignore[operator]
            ]
            if not advanced:
                return False
            current = self._closure(advanced)
        return any(program[pc][0] == "match" for pc in current)

    def _closure(self, starts: list[int]) -> list[int]:
        """The states reached from `starts` without reading: the `char` and `match` ones."""
        program = self.program
        seen: set[int] = set()
        found: list[int] = []
        stack = list(reversed(starts))
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            instruction = program[pc]
            kind = instruction[0]
            if kind == "split":
                stack.append(instruction[2])  # type: ignore[arg-type]
                stack.append(instruction[1])  # type: ignore[arg-type]
            elif kind == "jump":
                stack.append(instruction[1])  # type: ignore[arg-type]
            else:
                found.append(pc)
        return found


@functools.lru_cache(maxsize=256)
def compile_pattern(source: str) -> Pattern:
    """The compiled `source`; `PatternError` when it is outside the subset or too large."""
    if len(source) > MAX_PATTERN:
        raise PatternError(english("pattern.too-long", max=MAX_PATTERN), 0)
    parser = _Parser(source)
    tree = parser.alternatives()
    if parser.peek() is not None:
        raise parser.fail(english("pattern.not-opened", char=")"))
    if _size(tree) > MAX_STATES:
        raise PatternError(english("pattern.too-large", states=f"{MAX_STATES:,}"), 0)
    emitter = _Emitter()
    emitter.emit(tree)
    emitter.program.append(("match",))
    return Pattern(source, tuple(emitter.program))
