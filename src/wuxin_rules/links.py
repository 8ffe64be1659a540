"""Following links between records: the `ancestors` and `reachable` builtins.

A list of records, each with a key field, links records to one another by key: a field
holding one key or none (`parent`: the chain to a root) or a list of keys (`members`: a
graph). The walks here take the records they reach from a start key, each record once,
and always end: every step reaches a record not reached before, so there are at most as
many steps as records. The records are indexed by key once (a dict), so the time and the
memory are linear in the number of records and links, and the walks keep their own stack
(no Python recursion: a chain may be as long as the list).

What the language calls an error is a `LinkError` here: a key held by two records, a link
(or the start) to a key no record has, a walk that comes back to a record on its own path
(a cycle, whose keys are given in order). A diamond — two paths to the same record — is
not a cycle: the record is reached once.

May import nothing of the package (a leaf, like `sampling`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal

__all__ = ["LinkError", "chain", "index", "reach"]

LinkProblem = Literal["duplicate", "dangling", "cycle"]


class LinkError(Exception):
    """Why a walk has no answer. `problem` is `duplicate` (`keys`: the key held twice),
    `dangling` (`keys`: the key no record has, `source`: the key of the record that links to
    it, None for the start) or `cycle` (`keys`: the keys on the cycle in the order followed,
    the first repeated at the end)."""

    def __init__(
        self, problem: LinkProblem, keys: tuple[Hashable, ...], source: Hashable | None = None
    ) -> None:
        super().__init__(problem, keys)
        self.problem: LinkProblem = problem
        self.keys = keys
        self.source = source


def index(records: Sequence[Mapping[str, Any]], key: str) -> dict[Hashable, Mapping[str, Any]]:
    """The records by their `key` field; a `duplicate` error when two share a key."""
    found: dict[Hashable, Mapping[str, Any]] = {}
    for record in records:
        value = record[key]
        if value in found:
            raise LinkError("duplicate", (value,))
        found[value] = record
    return found


def _record(
    by_key: Mapping[Hashable, Mapping[str, Any]], key: Hashable, source: Hashable | None
) -> Mapping[str, Any]:
    record = by_key.get(key)
    if record is None:
        raise LinkError("dangling", (key,), source)
    return record


def chain(
    by_key: Mapping[Hashable, Mapping[str, Any]], start: Hashable, key: str, link: str
) -> tuple[Mapping[str, Any], ...]:
    """The records reached from the record keyed `start` by following its `link` field (one
    key or none) until a record whose link is none: nearest first, without the start."""
    record = _record(by_key, start, None)
    path = [start]
    on_path = {start: 0}
    reached: list[Mapping[str, Any]] = []
    while (target := record[link]) is not None:
        if target in on_path:
            raise LinkError("cycle", (*path[on_path[target] :], target))
        record = _record(by_key, target, record[key])
        on_path[target] = len(path)
        path.append(target)
        reached.append(record)
    return tuple(reached)


def reach(
    by_key: Mapping[Hashable, Mapping[str, Any]], start: Hashable, key: str, links: str
) -> tuple[Mapping[str, Any], ...]:
    """The records reached from the record keyed `start` through its `links` field (a list
    of keys), depth first: each record is followed by what it reaches, links taken in the
    order they are listed, each record given once, without the start."""
    record = _record(by_key, start, None)
    path = [start]
    on_path = {start}
    seen = {start}
    pending: list[Iterator[Hashable]] = [iter(record[links])]
    reached: list[Mapping[str, Any]] = []
    while pending:
        target = next(pending[-1], _DONE)
        if target is _DONE:
            pending.pop()
            on_path.discard(path.pop())
            continue
        if target in on_path:
            raise LinkError("cycle", (*path[path.index(target) :], target))
        if target in seen:
            continue  # reached before by another path: a diamond, not a cycle
        record = _record(by_key, target, path[-1])
        seen.add(target)
        on_path.add(target)
        path.append(target)
        reached.append(record)
        pending.append(iter(record[links]))
    return tuple(reached)


_DONE: Any = object()
