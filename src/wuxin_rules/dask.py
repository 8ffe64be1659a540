"""Policies over Dask DataFrames, partition by partition: `wuxin_rules.dask.evaluate`.

    import dask.dataframe as dd
    from wuxin_rules import dask as wuxin_dask

    units = dd.read_parquet("units/")           # decimal128 columns, or floats with
    verdicts = wuxin_dask.evaluate(units, "policies/x.policy", rules=["passed"])
    verdicts.to_parquet("verdicts/")

Each partition is a pandas DataFrame, evaluated on columns by Arrow's kernels when it
converts to Arrow exactly (Arrow-backed columns, as `dd.read_parquet` gives them, or
`Decimal` objects) and the rules allow it (`frames.evaluate_pandas_on_columns`), else row by
row by `Policy.evaluate_frame`, with the same values either way (same columns, same float
rule, an `errors` column); so the result is a Dask DataFrame of one column per rule plus
`errors`, partitioned as the input. The policy is loaded and checked once on the
client (so a broken policy fails at once, before any task runs) and once per worker
process, which keeps it with its compiled code for every later partition; only the path,
the params and the options travel with the tasks. The policy files must be readable at
the same path on every worker (a shared file system, or the files shipped with the
workers' image). docs/scale.md shows a 10-million-unit run and the Spark equivalent.

Needs `pip install 'wuxin_rules[dask]'` (dask[dataframe] and distributed).
May import `errors`, `frames` and `api`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from wuxin_rules import api, frames
from wuxin_rules.frames import require

__all__ = ["evaluate"]

_POLICIES: dict[Any, api.Policy] = {}
"""The policies loaded in this process (a worker's), by path, params and root."""
_LOCK = threading.Lock()
COLUMNAR_PARTITIONS = [0]
"""How many partitions this process evaluated on columns (the rest went row by row)."""


def _policy(path: str, params: Mapping[str, Any] | None, root: str | None) -> api.Policy:
    key = (path, tuple(sorted((params or {}).items())), root)
    policy = _POLICIES.get(key)
    if policy is None:
        with _LOCK:  # threads of one worker share one load
            policy = _POLICIES.get(key)
            if policy is None:
                policy = api.load(path, params=params, root=root)
                _POLICIES[key] = policy
    return policy


def _partition(
    frame: Any,
    path: str,
    params: Mapping[str, Any] | None,
    root: str | None,
    keys: tuple[str, ...],
    input: str | None,
    floats: str | None,
) -> Any:
    policy = _policy(path, params, root)
    # On columns when the partition converts to Arrow exactly and the rules allow it (about
    # a thousand times fewer Python steps a row); else row by row, with the same values.
    result = frames.evaluate_pandas_on_columns(
        policy, frame, rules=keys, input=input, floats=floats
    )
    if result is None:
        result = policy.evaluate_frame(frame, rules=keys, input=input, floats=floats)
    else:
        COLUMNAR_PARTITIONS[0] += 1
    return result.astype(object)  # the declared `meta`, whatever pandas infers per partition


def evaluate(
    ddf: Any,
    policy_path: str | os.PathLike[str],
    rules: Sequence[str] | None = None,
    input: str | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    floats: str | None = None,
    root: str | os.PathLike[str] | None = None,
) -> Any:
    """The verdicts of every row of the Dask DataFrame `ddf` as a Dask DataFrame (lazy:
    nothing runs until it is computed or written)."""
    pd = require("pandas", "dask", "`wuxin_rules.dask`")
    require("dask.dataframe", "dask", "`wuxin_rules.dask`")
    path = os.fspath(policy_path)
    root_text = os.fspath(root) if root is not None else None
    policy = _policy(path, params, root_text)  # problems of the policy and params now
    keys = policy.resolve_rules(rules)
    meta = pd.DataFrame({name: pd.Series(dtype=object) for name in (*keys, "errors")})
    return ddf.map_partitions(
        _partition,
        path,
        dict(params) if params else None,
        root_text,
        keys,
        input,
        floats,
        meta=meta,
        align_dataframes=False,
    )
