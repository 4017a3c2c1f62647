"""Row problems of one source table, gathered with boolean masks (no per-row Python).

A validator flags every row a rule rejects at once: ``check.flag(mask, column,
values, reason)``.  The flags become gis.errors.Problem objects (file, row as
the user sees it, column, value, reason) only when reported, and give each
table's rejected-row mask for --skip-invalid.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from gis.errors import Problem


@dataclass
class _Flag:
    idx: np.ndarray
    column: str | None
    values: object            # per flagged row (sequence) or one value for all
    reason: object            # str or per flagged row


def select(values, idx: np.ndarray):
    """``values`` at positions ``idx`` (a scalar or None stays as it is)."""
    if values is None or isinstance(values, str):
        return values
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.take(pa.array(idx, type=pa.int64())).to_numpy(zero_copy_only=False).astype(object)
    return np.asarray(values, dtype=object)[idx]


class TableCheck:
    """Flags on the rows of one table (``file`` names it, ``rows`` are its row numbers)."""

    def __init__(self, file: str, rows: np.ndarray):
        self.file = file
        self.rows = rows
        self._flags: list[_Flag] = []

    @property
    def n(self) -> int:
        """Number of rows checked."""
        return len(self.rows)

    def flag(self, mask, column: str | None, values, reason) -> int:
        """Reject the rows where ``mask`` is true; ``values`` and ``reason`` are per row or scalar.

        Returns how many rows were flagged.
        """
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(idx) == 0:
            return 0
        reason_sel = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[idx]
        self.add(idx, column, select(values, idx), reason_sel)
        return len(idx)

    def add(self, idx: np.ndarray, column: str | None, values, reasons) -> None:
        """Record flags on rows ``idx`` with values and reasons already selected (or scalar)."""
        self._flags.append(_Flag(idx, column, values, reasons))

    @property
    def bad(self) -> np.ndarray:
        """Boolean mask of the rows with at least one problem."""
        out = np.zeros(self.n, dtype=bool)
        for f in self._flags:
            out[f.idx] = True
        return out

    def table(self) -> pd.DataFrame:
        """Every flag as a row: index (row position), row, column, value, reason; sorted by row."""
        parts = []
        for f in self._flags:
            k = len(f.idx)
            vals = f.values if not (f.values is None or isinstance(f.values, str)) else [f.values] * k
            reasons = f.reason if not isinstance(f.reason, str) else [f.reason] * k
            parts.append(pd.DataFrame({"index": f.idx, "row": self.rows[f.idx], "column": [f.column] * k,
                                       "value": [None if v is None else str(v) for v in vals],
                                       "reason": list(reasons)}))
        if not parts:
            return pd.DataFrame({"index": [], "row": [], "column": [], "value": [], "reason": []})
        out = pd.concat(parts, ignore_index=True)
        return out.sort_values(["row"], kind="stable").reset_index(drop=True)

    def problems(self) -> list[Problem]:
        """The flags as Problems, by row."""
        t = self.table()
        return [Problem(self.file, int(r), c, v, reason)
                for r, c, v, reason in zip(t["row"], t["column"], t["value"], t["reason"])]

    def per_row(self) -> pd.DataFrame:
        """One line per rejected row: index, row, and its columns, values and reasons joined by "; "."""
        t = self.table()
        if t.empty:
            return t
        t = t.fillna({"column": "", "value": ""})
        return (t.groupby("index", sort=True)
                 .agg(row=("row", "first"), column=("column", "; ".join), value=("value", "; ".join),
                      reason=("reason", "; ".join))
                 .reset_index())
