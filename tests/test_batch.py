"""`wuxin_rules.batch`: many documents over N processes, one outcome per record, in order, and
no failure of any kind (a bug, a dead worker, an unpicklable value) loses a record or hangs."""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import wuxin_rules
from wuxin_rules import api, batch, errors, jsonio, sampling
from wuxin_rules.errors import Diagnostic, FactError, InternalError, UsageError, WuxinError

POLICY = """\
policy b "batch"
input x: int "x"
rule double "double": x * 2
criterion big "big": x > 10
rule ratio "ratio": 10 / x
"""


@pytest.fixture(scope="module")
def policy() -> wuxin_rules.Policy:
    return wuxin_rules.loads(POLICY)


def _docs(n: int) -> list[dict[str, Any]]:
    return [{"x": i + 1} for i in range(n)]


def _all_subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


@pytest.mark.parametrize(
    "error_class",
    [WuxinError, *_all_subclasses(WuxinError)],
    ids=lambda c: c.__name__,
)
def test_every_wuxin_error_survives_a_pickle_round_trip(error_class: type[WuxinError]) -> None:
    """What a worker process sends back must come back intact (the `--jobs` hang of issue 10
    was the parent failing to unpickle one of these)."""
    located = wuxin_rules.loads(POLICY)  # a real span, with its source
    try:
        wuxin_rules.loads(POLICY + "rule oops: nothing_here\n")
    except errors.PolicyError as policy_error:
        span_diagnostic = policy_error.diagnostics[0]
    assert span_diagnostic.span is not None and located.name == "b"
    error = error_class(
        [
            span_diagnostic,
            Diagnostic("bad-fact", "a `\\ud800` here", path="$.x", file="f.jsonl:3", notes=("n",)),
        ]
    )
    error.add_note("a note")
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is error_class
    assert [d.to_json() for d in copy.diagnostics] == [d.to_json() for d in error.diagnostics]
    assert copy.diagnostics[1] == error.diagnostics[1]
    assert str(copy) == str(error)
    assert copy.render("zh") == error.render("zh")
    assert copy.__notes__ == ["a note"]


def test_a_sample_error_survives_a_pickle_round_trip() -> None:
    error = sampling.SampleError("invalid-argument", "the message", "the help")
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.help) == ("invalid-argument", "the message", "the help")


@pytest.mark.parametrize("jobs", [1, 2])
def test_outcomes_come_one_per_record_in_input_order(policy: wuxin_rules.Policy, jobs: int) -> None:
    documents: list[Any] = _docs(40)
    documents[7] = {"x": "seven"}  # a bad fact
    documents[20] = {"x": 0}  # a rule fails at run time
    outcomes = list(batch.evaluate_batch(policy, documents, jobs=jobs, chunk_size=3))
    assert [o.where for o in outcomes] == [f"$[{i}]" for i in range(40)]
    assert jsonio.dumps(outcomes[0].value) == '{"rules": {"double": 2, "big": false, "ratio": 10}}'
    assert jsonio.dumps(outcomes[39].value) == (
        '{"rules": {"double": 80, "big": true, "ratio": 0.25}}'
    )
    assert isinstance(outcomes[7].error, FactError) and outcomes[7].value is None
    assert outcomes[7].error.codes == ("bad-fact",)
    assert outcomes[20].failed and outcomes[20].error is None
    assert [o.value for o in outcomes] == [
        o.value for o in batch.evaluate_batch(policy, documents, jobs=1)
    ]


def test_a_policy_source_and_a_render_function(tmp_path: Path) -> None:
    path = tmp_path / "b.policy"
    path.write_text(POLICY, encoding="utf-8")
    source = batch.PolicySource(str(path))
    outcomes = batch.evaluate_batch(
        source, _docs(5), jobs=2, rules=["double"], render=_double, chunk_size=2
    )
    assert [o.value for o in outcomes] == [2, 4, 6, 8, 10]


def _double(result: api.Result) -> Any:
    return result["double"]


def test_wrong_arguments_are_usage_errors_before_any_record_is_read(
    policy: wuxin_rules.Policy,
) -> None:
    def never() -> Iterator[dict[str, Any]]:
        raise AssertionError("no record may be read")
        yield {}

    with pytest.raises(UsageError, match="jobs=0"):
        batch.evaluate_batch(policy, never(), jobs=0)  # at the call, not on the first `next`
    with pytest.raises(UsageError) as caught:
        batch.evaluate_batch(policy, never(), rules=["nope"])
    assert caught.value.codes == ("unknown-rule",)


class _CountingStream(io.StringIO):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.reads = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        self.reads += 1
        return super().readline(size)


@pytest.mark.parametrize(("jobs", "chunk_size"), [(1, 1), (1, batch.CHUNK_SIZE), (2, 256)])
def test_records_are_read_lazily(policy: wuxin_rules.Policy, jobs: int, chunk_size: int) -> None:
    """Constant memory: the first outcome comes before more than a few chunks are read (one
    record with `chunk_size=1` and one process: interactive input)."""
    count = 20 * batch.CHUNK_SIZE
    stream = _CountingStream("".join(f'{{"x": {i + 1}}}\n' for i in range(count)))
    outcomes = batch.evaluate_batch(
        policy, batch.read_json_lines(stream, name="s"), jobs=jobs, chunk_size=chunk_size
    )
    first = next(outcomes)
    assert first.where == "s:1" and first.value is not None
    in_flight = chunk_size if jobs == 1 else (2 * jobs + 1) * chunk_size
    assert stream.reads <= in_flight + 1
    rest = list(outcomes)
    assert len(rest) == count - 1 and rest[-1].where == f"s:{count}"


def test_json_lines_records_keep_bad_lines_located(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b'{"x": 1}\n\n{"x": \n{"x": "\xff"}\n{"x": 4}\n')
    records = list(batch.read_json_lines(path))
    assert [r.where for r in records] == [f"{path}:{n}" for n in (1, 3, 4, 5)]
    assert records[0].json_text == '{"x": 1}\n' and records[0].line == 1
    assert records[2].error is not None and records[2].error.codes == ("bad-encoding",)
    outcomes = list(batch.evaluate_batch(wuxin_rules.loads(POLICY), records))
    assert outcomes[1].error is not None and outcomes[1].error.codes == ("bad-json",)
    assert "mixed.jsonl:3:" in str(outcomes[1].error)
    assert jsonio.dumps(outcomes[3].value) == '{"rules": {"double": 8, "big": false, "ratio": 2.5}}'


# ------------------------------------------------------------------------------------------
# Faults: a bug on one document, a worker that dies, results that do not pickle


@pytest.fixture
def faulty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluation fails (a bug, simulated) on the document with x == 13, and its process
    dies on x == 666. Forked workers inherit the patch."""
    evaluate = api.Policy.evaluate

    def patched(self: api.Policy, facts: Any, **kwargs: Any) -> api.Result:
        if facts.get("x") == 13:
            raise KeyError("injected")
        if facts.get("x") == 666:
            os._exit(70)
        return evaluate(self, facts, **kwargs)

    monkeypatch.setattr(api.Policy, "evaluate", patched)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bug_on_one_document_is_that_documents_error(
    policy: wuxin_rules.Policy, faulty: None, jobs: int
) -> None:
    outcomes = list(batch.evaluate_batch(policy, _docs(30), jobs=jobs, chunk_size=4))
    assert len(outcomes) == 30
    bad = outcomes[12]
    assert bad.internal and isinstance(bad.error, InternalError)
    assert bad.error.codes == ("internal-error",)
    assert bad.error.diagnostics[0].file == "$[12]"
    assert "KeyError: 'injected'" in str(bad.error)
    assert all(o.value is not None for i, o in enumerate(outcomes) if i != 12)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_a_worker_that_dies_loses_only_its_chunk_and_the_run_ends(
    policy: wuxin_rules.Policy, faulty: None
) -> None:
    documents = _docs(40)
    documents[21] = {"x": 666}
    outcomes = list(batch.evaluate_batch(policy, documents, jobs=2, chunk_size=4))
    assert [o.where for o in outcomes] == [f"$[{i}]" for i in range(40)]
    lost = [i for i, o in enumerate(outcomes) if o.internal]
    # x == 13 is the bug of its document; x == 666 loses the chunk that kills its process,
    # evaluated alone again; every other document is evaluated.
    assert lost == [12, 20, 21, 22, 23]
    assert "ended abruptly" in str(outcomes[21].error)
    assert all(o.value is not None for i, o in enumerate(outcomes) if i not in lost)


def test_results_that_do_not_pickle_are_internal_errors(policy: wuxin_rules.Policy) -> None:
    outcomes = list(batch.evaluate_batch(policy, _docs(6), jobs=2, render=_unpicklable))
    assert len(outcomes) == 6 and all(o.internal for o in outcomes)


def _unpicklable(result: api.Result) -> Any:
    return lambda: result


def test_workers_that_spawn_get_the_policy_pickled(
    policy: wuxin_rules.Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where processes do not fork, a loaded policy crosses as its checked model and params."""
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with_params = wuxin_rules.loads(
        'policy p "p"\nparam limit: int = 10 "limit"\ninput x: int "x"\ncriterion above "a": x > limit\n',
        params={"limit": 3},
    )
    outcomes = list(batch.evaluate_batch(with_params, _docs(6), jobs=2, chunk_size=2))
    assert [o.value for o in outcomes] == [{"rules": {"above": i + 1 > 3}} for i in range(6)]


def test_closing_early_stops_the_workers(policy: wuxin_rules.Policy) -> None:
    outcomes = batch.evaluate_batch(policy, _docs(10_000), jobs=2, chunk_size=16)
    assert next(outcomes).where == "$[0]"
    assert multiprocessing.active_children()  # the pool is running
    outcomes.close()
    assert multiprocessing.active_children() == []
