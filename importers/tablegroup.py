"""Several source tables of one role (e.g. point tables of several utilities) seen as one.

Columns are concatenated across the tables by key; flags raised on the
concatenation go back to each table's own checker with that table's header
text as the column name, so problems still name the file, row and column the
user sees.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from importers.checks import TableCheck, select
from importers.table import SourceTable


class TableGroup:
    """Tables with their key -> column mapping, checked together."""

    def __init__(self, tables: list[SourceTable], mappings: list[dict[str, int]]):
        self.tables = tables
        self.mappings = mappings
        self.checks = [TableCheck(t.file, t.rows) for t in tables]
        self.tab = np.concatenate([np.full(t.n, k) for k, t in enumerate(tables)]) if tables else np.zeros(0, int)
        self.n = len(self.tab)
        self._bounds = np.cumsum([0] + [t.n for t in tables])

    def has(self, key: str) -> bool:
        """Whether any table has a column for ``key``."""
        return any(key in m for m in self.mappings)

    def col(self, key: str) -> pa.ChunkedArray:
        """The cells of ``key`` over all tables ("" where a table lacks the column)."""
        chunks = []
        for t, m in zip(self.tables, self.mappings):
            if key in m:
                chunks.extend(t.column(m[key]).chunks)
            elif t.n:
                chunks.append(pa.array([""] * t.n, pa.string()))
        return pa.chunked_array(chunks, pa.string())

    def header(self, k: int, key: str) -> str:
        """The header text of ``key`` in table ``k`` (the key itself when it has none)."""
        m = self.mappings[k]
        return self.tables[k].headers[m[key]] if key in m else key

    @property
    def rows(self) -> np.ndarray:
        """Spreadsheet row numbers over all tables."""
        return np.concatenate([t.rows for t in self.tables]) if self.tables else np.zeros(0, int)

    def flag(self, mask, key: str | None, values, reason) -> int:
        """Flag rows of the concatenation; values/reason per row (length n) or scalar."""
        idx = np.flatnonzero(np.asarray(mask, dtype=bool))
        if len(idx) == 0:
            return 0
        vals = select(values, idx)
        why = reason if isinstance(reason, str) else np.asarray(reason, dtype=object)[idx]
        tabs = self.tab[idx]
        for k in np.unique(tabs):
            sel = tabs == k
            part = lambda v: v if v is None or isinstance(v, str) else v[sel]  # noqa: E731
            self.checks[k].add(idx[sel] - self._bounds[k], None if key is None else self.header(int(k), key),
                               part(vals), part(why))
        return len(idx)

    @property
    def bad(self) -> np.ndarray:
        """Rows of the concatenation with any problem."""
        return np.concatenate([c.bad for c in self.checks]) if self.checks else np.zeros(0, bool)
