"""Batches: many facts documents evaluated in N processes, one outcome per record, in order.

The engine behind `wuxin eval --jobs N`, public for embedders (docs/embedding.md, section 7).

* Records in (`Record`): a document, the unparsed JSON text of one (parsed by the process that
  evaluates it, so parsing runs in parallel too), or the located error that stopped reading
  it. `read_json_lines` and `read_json_file` make them from files; `records` from documents.
* Outcomes out (`Outcome`), exactly one per record and in input order, whatever happens: the
  rendered result, or the record's error. A bad document is a `FactError`; anything else that
  goes wrong while a document is parsed, checked, evaluated or rendered, a bug, is that
  document's `InternalError` (code `internal-error`), and the batch goes on. When a worker
  process dies (killed, out of memory), the chunks its pool held are evaluated again one at a
  time, each in a pool of its own; the records of a chunk that kills its process again are
  internal errors, and a fresh pool takes the rest. So a batch always ends, with one outcome
  per record.

Results do not cross processes (they hold the policy): a worker hands each result to
`render`, a picklable callable, and sends back what it returns (by default the result's
`to_json`). The policy reaches the workers by inheritance where processes fork, else pickled
as its checked model and params, or as a `PolicySource` to load.

May import everything below the CLI (it sits beside `api`).
"""

from __future__ import annotations

import codecs
import collections
import io
import itertools
import multiprocessing
import os
import traceback
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import IO, Any, Generic, NamedTuple, TypeVar

import attrs

from wuxin_rules import api, fastjson, jsonio
from wuxin_rules.errors import Diagnostic, FactError, InternalError, UsageError, WuxinError
from wuxin_rules.messages import english

__all__ = [
    "CHUNK_SIZE",
    "DecidedLines",
    "Outcome",
    "PolicySource",
    "Record",
    "evaluate_batch",
    "evaluate_json_lines_file",
    "read_json_file",
    "read_json_lines",
    "records",
]

T = TypeVar("T")

CHUNK_SIZE = 256
"""Records handed to a worker at a time. At most `2 × jobs + 1` chunks are in flight, so memory
stays constant however long the input is."""


# `Record` and `Outcome` are named tuples, not attrs classes: one of each is made per document,
# and a frozen attrs instance costs ten times as much to make (a tenth of a document's time).


class Record(NamedTuple):
    """One input record: where it is, and its document, its JSON text or its error.

    `where` names the record in diagnostics and outputs (`facts.jsonl:12`, `facts.json`,
    `$[3]`). Exactly one of `document`, `json_text` and `error` is meant: an `error` wins, then
    a `json_text` (parsed, errors located at `file:line`), else `document`.
    """

    where: str
    document: Any = None
    json_text: str | None = None
    error: WuxinError | None = None
    file: str | None = None
    """For `json_text`: the file its parse errors are located in (default `where`)."""
    line: int = 1
    """For `json_text`: the line of `file` it starts on."""
    path: str = "$"
    """The JSON path of the document inside `file` (`$[3]` for an element of an array): its
    facts' problems are located below it (`facts.json: $[3].unit.id`)."""


class Outcome(NamedTuple, Generic[T]):
    """What became of one record: `value` (what `render` made of its result), or `error`.

    `error` is a `FactError` for a record that could not be read or whose facts do not match
    the inputs, an `InternalError` for a bug met on this record (or a worker that died holding
    it). `failed` says whether some rule of an evaluated document failed at run time (the
    errors are in the result, so in what `render` made of it).
    """

    where: str
    value: T | None = None
    error: WuxinError | None = None
    failed: bool = False

    @property
    def internal(self) -> bool:
        """Whether this record met a bug of wuxin_rules (report it)."""
        return isinstance(self.error, InternalError)


@attrs.frozen
class PolicySource:
    """A policy by file, for processes that load it themselves (as `api.load` takes it)."""

    path: str
    params: Mapping[str, Any] = attrs.field(factory=dict)
    root: str | None = None

    def load(self) -> api.Policy:
        """The policy, loaded and checked (raises `PolicyError` or `ParamError`)."""
        return api.load(self.path, params=dict(self.params) or None, root=self.root)


# ------------------------------------------------------------------------------------------
# Reading records


def records(documents: Iterable[Any]) -> Iterator[Record]:
    """Documents (mappings, as `Policy.evaluate` takes them) as records `$[0]`, `$[1]`, …"""
    for index, document in enumerate(documents):
        yield document if isinstance(document, Record) else Record(f"$[{index}]", document)


def read_json_lines(
    source: str | os.PathLike[str] | IO[str] | IO[bytes], *, name: str | None = None
) -> Iterator[Record]:
    """The records of a JSON-lines file or stream: one per non-blank line, named `name:line`.

    A file (a path, or a binary stream) is read as bytes, each line decoded alone: a line that
    is not UTF-8 is that line's `bad-encoding` error, and the other lines are read on. Lines
    are read lazily, one at a time, and left unparsed (`Record.json_text`); a line over
    `jsonio.MAX_DOCUMENT_SIZE` is its `too-large` error, never held in memory.
    """
    if isinstance(source, str | os.PathLike):
        label = name or os.fspath(source)
        with jsonio.open_json_lines(source) as stream:
            yield from _line_records(stream, label)
    else:
        yield from _line_records(source, name or "<input>")


def _line_records(stream: IO[str] | IO[bytes], name: str, start: int = 1) -> Iterator[Record]:
    for number, text in jsonio.iter_line_texts(stream, file=name, start=start):
        where = f"{name}:{number}"
        if isinstance(text, FactError):
            yield Record(where, error=text)
        else:
            yield Record(where, None, text, None, name, number)  # (positional: faster)


def read_json_file(path: str | os.PathLike[str]) -> Iterator[Record]:
    """The one record of a JSON file holding one document (its error if it cannot be read).

    A missing or unreadable file raises `UsageError`, as `jsonio.load_path` does: that is a
    wrong command, not a bad record.
    """
    name = os.fspath(path)
    try:
        document = jsonio.load_path(Path(name))
    except FactError as error:
        yield Record(name, error=error)
    else:
        yield Record(name, document)


# ------------------------------------------------------------------------------------------
# Evaluating


def evaluate_batch(
    policy: api.Policy | PolicySource,
    items: Iterable[Record | Mapping[str, Any]],
    *,
    jobs: int = 1,
    rules: Sequence[str] | None = None,
    explain: bool = False,
    partial: bool = False,
    render: Callable[[api.Result], T] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Generator[Outcome[T], None, None]:
    """Evaluate every record of `items` and yield its `Outcome`, one per record, in order.

    `items` are `Record`s or documents (which become records `$[0]`, `$[1]`, …) and are read
    lazily. `jobs` > 1 evaluates chunks of `chunk_size` records in that many worker processes
    (each has the policy once). `rules`, `explain` and `partial` are as for `Policy.evaluate`; `render`
    turns each result into the outcome's value in the worker (it must be picklable where
    processes do not fork: a module-level function or an instance of a module-level class);
    by default it is `result.to_json(explain=explain)`. A `render` with a `line_format`
    attribute (`"json"` or `"text"`) promises to return, for a result the compiled program
    decides, the line `Policy.evaluate_lines` writes in that format: then, without `explain`
    and `partial`, each chunk goes through the compiled program in one pass and those lines
    are written straight from its values (`render` is called only for the other records).
    With `jobs=1` records are read and evaluated `chunk_size` at a time too; pass
    `chunk_size=1` to have each outcome as soon as its record is read (interactive input).

    Wrong arguments (an unknown rule, `jobs` < 1) raise `UsageError` at the call, before any
    record is read; so does a `PolicySource` that does not load (its `PolicyError`). After
    that, nothing a record holds raises: it is that record's outcome. Closing the iterator
    early (`close()`, or leaving a `for` loop over it) stops the workers.
    """
    if jobs < 1 or chunk_size < 1:
        raise UsageError(
            Diagnostic(
                "usage",
                english("batch-arguments", found=f"jobs={jobs}, chunk_size={chunk_size}"),
                help=english("batch-arguments.help"),
            )
        )
    worker = _Worker(policy, rules, explain, render, partial)
    worker.prepare()
    return _outcomes(worker, records(items), jobs, chunk_size)


def _outcomes(
    worker: _Worker[T], stream: Iterator[Record], jobs: int, chunk_size: int
) -> Generator[Outcome[T], None, None]:
    if jobs == 1 and chunk_size == 1:
        for record in stream:
            yield worker.one(record)
        return
    chunks = iter(lambda: list(itertools.islice(stream, chunk_size)), [])
    if jobs == 1:
        for chunk in chunks:
            # (A `Record` is the tuple `_wire` makes, in this process: no copy needed.)
            done = worker.chunk(chunk)  # type: ignore[arg-type]
            for record, fields in zip(chunk, done, strict=True):
                yield Outcome(record.where, *fields)
        return
    yield from _pooled(worker, chunks, jobs)


class DecidedLines(NamedTuple):
    """Output lines of records the compiled program decided (`evaluate_json_lines_file`):
    `lines[i]` is the line of the record on line `numbers[i]` of `file`, as its `Outcome`'s
    value would be (every rule succeeded, so none failed)."""

    file: str
    numbers: range
    lines: list[str]


def evaluate_json_lines_file(
    policy: api.Policy,
    path: str | os.PathLike[str],
    *,
    rules: Sequence[str] | None = None,
    render: Callable[[api.Result], str],
) -> Generator[Outcome[str] | DecidedLines, None, None]:
    """`evaluate_batch` over the JSON lines of the file `path`, in this process, for a
    `render` with a `line_format` (`wuxin eval FILE.jsonl`): the same outcomes, in order,
    except that a run of records the compiled program decides comes as one `DecidedLines`.

    The file is read `CHUNK_SIZE` lines at a time as bytes, and a chunk whose lines are all
    plain JSON (`fastjson.decode_plain`) is decoded in one call and goes through the
    compiled program in one pass (`Policy.evaluate_lines`), without making each line a
    `str`, a `Record` and an `Outcome` first. Any other chunk (a blank line, a line that is
    not UTF-8 or not JSON, a duplicate key, …) is read record by record as `read_json_lines`
    reads it, and a record the program does not decide is evaluated alone, so every error
    is the one `evaluate_batch` gives, at the same `file:line`. A line too long to hold
    (`jsonio.MAX_DOCUMENT_SIZE`) sends the rest of the file the general way. Memory stays
    one chunk's. An unknown rule raises `UsageError` here, before the file is opened.
    """
    worker = _Worker(policy, rules, False, render, False)
    worker.prepare()
    line_format = getattr(render, "line_format", None)
    if line_format is None:
        raise UsageError(
            Diagnostic(
                "usage",
                english("batch.evaluate-json-lines-file"),
                help=english("batch.use-evaluate-batch-with.help"),
            )
        )
    return _json_lines_file(worker, os.fspath(path), line_format)


def _json_lines_file(
    worker: _Worker[str], name: str, line_format: str
) -> Generator[Outcome[str] | DecidedLines, None, None]:
    policy = worker.prepare()
    keys = worker._keys
    limit = jsonio.MAX_DOCUMENT_SIZE
    with jsonio.open_json_lines(name) as stream:
        readline = stream.readline
        number = 0  # lines read so far (blank ones too, as `iter_line_texts` counts them)
        while True:
            start = stream.tell()
            raws = [readline(limit + 1) for _ in range(CHUNK_SIZE)]
            while raws and not raws[-1]:
                raws.pop()
            if not raws:
                return
            if any(len(raw) > limit and not raw.endswith(b"\n") for raw in raws):
                # A line too long to hold: the general reader skips it, and reads on.
                stream.seek(start)
                yield from _outcomes(worker, _line_records(stream, name, number + 1), 1, CHUNK_SIZE)
                return
            first = number + 1
            number += len(raws)
            bodies = [raw.strip(b" \t\r\n") for raw in raws]
            documents = None
            if all(bodies) and not (first == 1 and raws[0].startswith(codecs.BOM_UTF8)):
                documents = fastjson.decode_plain(bodies)
            if documents is None:
                chunk = _line_records(io.BytesIO(b"".join(raws)), name, first)
                yield from _outcomes(worker, chunk, 1, CHUNK_SIZE)
                continue
            try:
                found = policy.evaluate_lines(documents, rules=keys, format=line_format)
            except Exception:  # a bug in the fast path: each record alone says what it is
                found = [None] * len(documents)
            numbers = range(first, number + 1)
            if None not in found:
                yield DecidedLines(name, numbers, found)  # type: ignore[arg-type]
                continue
            for line, document, text in zip(numbers, documents, found, strict=True):
                where = f"{name}:{line}"
                if text is not None:
                    yield Outcome(where, text)
                else:
                    yield Outcome(where, *worker.evaluate(where, document, None, None, name, line))


class _Worker(Generic[T]):
    """What evaluating a record needs, once per process (pickled for processes that spawn)."""

    def __init__(
        self,
        policy: api.Policy | PolicySource,
        rules: Sequence[str] | None,
        explain: bool,
        render: Callable[[api.Result], T] | None,
        partial: bool = False,
    ) -> None:
        self.policy = policy
        self.rule_names = None if rules is None else tuple(rules)
        self.explain = explain
        self.partial = partial
        self.render = render
        self._loaded: api.Policy | None = None
        self._keys: tuple[str, ...] = ()

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_loaded"] = None
        if isinstance(self.policy, api.Policy):
            # A loaded policy holds compiled code, which does not pickle: send what it was
            # built from instead.
            state["policy"] = _CheckedPolicy(self.policy.checked, self.policy.params)
        return state

    def prepare(self) -> api.Policy:
        if self._loaded is None:
            policy = self.policy
            loaded = policy if isinstance(policy, api.Policy) else policy.load()
            self._keys = loaded.resolve_rules(self.rule_names)
            self._loaded = loaded
        return self._loaded

    def one(self, record: Record) -> Outcome[T]:
        """The outcome of one record."""
        return Outcome(record.where, *self.evaluate(*record))

    def evaluate(
        self,
        where: str,
        document: Any,
        json_text: str | None,
        error: WuxinError | None,
        file: str | None,
        line: int,
        path: str = "$",
    ) -> _Done:
        """What becomes of a record (its fields as `_wire` gives them): `(value, error,
        failed)`. Nothing raises out of here but an interrupt (a `BaseException` that is not
        an `Exception`)."""
        if error is not None:
            return None, error, False
        try:
            if json_text is not None:
                document = fastjson.parse_line(json_text, file=file or where, line=line)
            policy = self._loaded or self.prepare()
            result = policy.evaluate(
                document, rules=self._keys, explain=self.explain, file=where, partial=self.partial
            )
            render = self.render
            value = render(result) if render is not None else result.to_json(explain=self.explain)
            return value, None, bool(result.errors)
        except FactError as bad:
            return None, _below(bad, path, file) if path != "$" else bad, False
        except Exception as bug:  # a bug: this record's error, and the batch goes on
            return None, internal_error(where, bug), False

    def chunk(self, chunk: list[_Wired]) -> list[_Done]:
        """The outcomes of a chunk of records: its JSON texts read in one go
        (`fastjson.parse_lines`), then, for a `render` with a `line_format`, its documents
        through the compiled program in one pass (`Policy.evaluate_lines`); each record the
        program does not decide, and every record otherwise, evaluated alone."""
        try:
            parsed = self._parsed(chunk)
            lines = self._lines(parsed)
        except Exception:  # a bug in the fast path: each record alone says what it is
            return [self.evaluate(*record) for record in chunk]
        return [
            (line, None, False) if line is not None else self.evaluate(*record)
            for record, line in zip(parsed, lines, strict=True)
        ]

    def _parsed(self, chunk: list[_Wired]) -> list[_Wired]:
        """The chunk with each JSON text replaced by its document, or by its error."""
        texts = [
            (json_text, file or where, line)
            for where, _, json_text, error, file, line, _ in chunk
            if error is None and json_text is not None
        ]
        if not texts:
            return chunk
        documents = iter(fastjson.parse_lines(texts))
        parsed: list[_Wired] = []
        for record in chunk:
            where, document, json_text, error, file, line, path = record
            if error is None and json_text is not None:
                document = next(documents)
                if isinstance(document, FactError):
                    error = _below(document, path, file) if path != "$" else document
                    document = None
                record = (where, document, None, error, file, line, path)
            parsed.append(record)
        return parsed

    def _lines(self, parsed: list[_Wired]) -> list[str | None]:
        """The fast lines of the chunk's documents (None for the others)."""
        line_format = getattr(self.render, "line_format", None)
        if line_format is None or self.explain or self.partial:
            return [None] * len(parsed)
        policy = self._loaded or self.prepare()
        positions = [i for i, record in enumerate(parsed) if record[3] is None]
        found = policy.evaluate_lines(
            [parsed[i][1] for i in positions], rules=self._keys, format=line_format
        )
        lines: list[str | None] = [None] * len(parsed)
        for index, line in zip(positions, found, strict=True):
            lines[index] = line
        return lines


def _below(error: FactError, path: str, file: str | None) -> FactError:
    """`error` of a document found at `path` of `file`: its JSON paths made whole."""
    return FactError(
        [
            attrs.evolve(d, path=path + (d.path or "$")[1:], file=file or d.file)
            for d in error.diagnostics
        ]
    )


_Wired = tuple[str, Any, "str | None", "WuxinError | None", "str | None", int, str]
"""A record on its way to a worker: a plain tuple pickles faster than the named one."""

_Done = tuple[Any, "WuxinError | None", bool]
"""What became of a record, on its way back: `(value, error, failed)` of its `Outcome`."""


def _wire(record: Record) -> _Wired:
    return tuple(record)


@attrs.frozen
class _CheckedPolicy:
    """A loaded policy as it crosses to a process that does not fork."""

    checked: Any
    params: Mapping[str, Any]

    def load(self) -> api.Policy:
        return api.Policy(self.checked, self.params)


def internal_error(where: str, error: BaseException) -> InternalError:
    """A bug met on record `where`, as that record's located `internal-error`."""
    frames = traceback.extract_tb(error.__traceback__)
    notes = []
    if frames:
        last = frames[-1]
        notes.append(
            english(
                "raised-in",
                where=f"{Path(last.filename).name}:{last.lineno}",
                function=last.name,
            )
        )
    return InternalError(
        Diagnostic(
            "internal-error",
            english("document-bug", error=f"{_safe(type(error).__name__)}: {_safe(str(error))}"),
            file=where,
            notes=tuple(notes),
            help=english("document-bug.help"),
        )
    )


def _safe(text: str, limit: int = 300) -> str:
    """`text` short and printable as UTF-8 (an exception may quote a lone surrogate)."""
    if len(text) > limit:
        text = text[:limit] + "…"
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


# ------------------------------------------------------------------------------------------
# The process pool


_WORKER: _Worker[Any] | None = None
"""The worker of this process, in a pool's worker processes."""


def _start(worker: _Worker[Any]) -> None:
    global _WORKER
    _WORKER = worker
    worker.prepare()


def _run_chunk(chunk: list[_Wired]) -> list[_Done]:
    assert _WORKER is not None, "a batch worker runs only in a pool started by `_start`"
    return _WORKER.chunk(chunk)


def _pool(worker: _Worker[Any], jobs: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    # Forked workers inherit the loaded (and compiled) policy; elsewhere it is pickled.
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    return ProcessPoolExecutor(jobs, mp_context=context, initializer=_start, initargs=(worker,))


def _pooled(worker: _Worker[T], chunks: Iterator[list[Record]], jobs: int) -> Iterator[Outcome[T]]:
    """Chunks through a pool, at most `2 × jobs + 1` in flight, outcomes in input order.

    A pool breaks when one of its processes dies: every chunk it held is then evaluated
    again alone, in a pool of its own, so that only the chunk that kills its process again
    loses its values (its records become internal errors); a fresh pool takes the rest.
    """
    pool = _pool(worker, jobs)
    pending: collections.deque[tuple[list[Record], Future[list[_Done]], ProcessPoolExecutor]]
    pending = collections.deque()
    try:
        for chunk in chunks:
            wired = [_wire(record) for record in chunk]
            try:
                future = pool.submit(_run_chunk, wired)
            except BrokenProcessPool:  # a process died since the last chunk was collected
                pool.shutdown(wait=False, cancel_futures=True)
                pool = _pool(worker, jobs)
                future = pool.submit(_run_chunk, wired)
            pending.append((chunk, future, pool))
            while len(pending) > 2 * jobs:
                chunk, future, owner = pending.popleft()
                outcomes, broken = _collect(worker, chunk, future)
                if broken and owner is pool:
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool = _pool(worker, jobs)
                yield from outcomes
        while pending:
            chunk, future, owner = pending.popleft()
            outcomes, _ = _collect(worker, chunk, future)
            yield from outcomes
    finally:
        # (Closed early or interrupted: the chunks not started are dropped, the running ones
        # end, then the processes.)
        pool.shutdown(wait=True, cancel_futures=True)


def _collect(
    worker: _Worker[T], chunk: list[Record], future: Future[list[_Done]]
) -> tuple[list[Outcome[T]], bool]:
    """The outcomes of a chunk sent to a pool, and whether that pool is broken."""
    try:
        done = future.result()
    except BrokenProcessPool:
        return _alone(worker, chunk), True
    except Exception as error:  # the outcomes did not come back (e.g. did not pickle)
        return _lost(chunk, error), False
    return [Outcome(r.where, *fields) for r, fields in zip(chunk, done, strict=True)], False


def _alone(worker: _Worker[T], chunk: list[Record]) -> list[Outcome[T]]:
    """A chunk evaluated again in a pool of one process; if that process dies too, its records
    are internal errors."""
    pool = _pool(worker, 1)
    try:
        done = pool.submit(_run_chunk, [_wire(record) for record in chunk]).result()
    except BrokenProcessPool:
        return _lost(chunk, RuntimeError("the process evaluating it ended abruptly"))
    except Exception as error:
        return _lost(chunk, error)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return [Outcome(r.where, *fields) for r, fields in zip(chunk, done, strict=True)]


def _lost(chunk: list[Record], error: Exception) -> list[Outcome[Any]]:
    return [Outcome(r.where, error=internal_error(r.where, error)) for r in chunk]
