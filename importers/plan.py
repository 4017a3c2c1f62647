"""What an import will do, before it does it: options in, a validated plan out.

An :class:`ImportPlan` holds the validated GeoDataFrames per target layer, every
problem (file, row, column, value, reason), the rejected rows with their own
columns (for --rejects), warnings, a preview of each source table with its
detected column mapping (for the app's Import wizard), and the earlier imports
of the same files (sha256 in import_log).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gis.errors import Problem

REJECT_COLUMNS = ["source_file", "row", "column", "value", "reason"]


@dataclass
class ImportOptions:
    """Options of one import (the CLI flags of `subterra import`)."""

    kind: str = "auto"
    utility: str | None = None
    layer: str | None = None
    src_layer: str | None = None
    src_crs: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)   # field -> source column
    table_mapping: dict[str, dict[str, str]] = field(default_factory=dict)  # table (as problems name it) ->
    #   {field: column}, wins over ``mapping`` for that table; column "" leaves the field unmapped
    roles: dict[str, str] = field(default_factory=dict)     # survey: table -> "points" | "lines" (else by headers)
    xy_order: str = "ne"
    depth_unit: str = "m"
    default_cover: float | None = None
    force: bool = False
    skip_invalid: bool = False
    preview_rows: int = 10


@dataclass
class TablePreview:
    """A source table as the wizard shows it: mapping field -> column, first rows, row count.

    ``preview`` is indexed by the rows' spreadsheet row numbers; ``fields`` are
    the keys a column may be mapped to; ``crs`` is the source CRS found in the
    file (GIS files), None when it has none.
    """

    file: str
    role: str                       # "points", "lines", a layer name ...
    mapping: dict[str, str]
    rows: int
    preview: pd.DataFrame
    encoding: str | None = None
    fields: tuple[str, ...] = ()
    crs: object | None = None


@dataclass
class ImportPlan:
    """A validated import, ready for :func:`importers.commit` (or a dry-run report)."""

    kind: str
    sources: list[str]
    sha256: list[str]
    options: ImportOptions
    layers: dict[str, object] = field(default_factory=dict)        # layer -> GeoDataFrame of valid rows
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False             # a file-level problem: nothing can be imported
    rejected_rows: list[pd.DataFrame] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    tables: list[TablePreview] = field(default_factory=list)
    previous_imports: list[dict] = field(default_factory=list)

    @property
    def accepted(self) -> dict[str, int]:
        """Rows per layer that would be written."""
        return {name: len(gdf) for name, gdf in self.layers.items()}

    @property
    def rejected_count(self) -> int:
        """Number of rejected source rows."""
        return sum(len(r) for r in self.rejected_rows)

    def collect(self, groups: list, tables: list) -> None:
        """Take the problems and rejected rows (with their own columns) of checked table groups.

        ``tables`` are all source tables read; their malformed rows (wrong
        number of fields) are reported and rejected too.
        """
        grouped = set()
        for group in groups:
            for t, check in zip(group.tables, group.checks):
                grouped.add(id(t))
                per_row = check.per_row()
                problems = check.problems() + [b[2] for b in t.bad_rows]
                self.problems.extend(sorted(problems, key=lambda p: p.row or 0))
                if len(per_row):
                    own = t.frame(per_row["index"].to_numpy(dtype="int64"))
                    self.rejected_rows.append(rejected_frame(t.file, per_row, own))
        for t in tables:
            if not t.bad_rows:
                continue
            if id(t) not in grouped:
                self.problems.extend(b[2] for b in t.bad_rows)
            per_row = pd.DataFrame({"row": [b[0] for b in t.bad_rows], "column": "",
                                    "value": [b[2].value for b in t.bad_rows],
                                    "reason": [b[2].reason for b in t.bad_rows]})
            own = pd.DataFrame([b[1] for b in t.bad_rows])
            own.columns = [t.headers[i] if i < len(t.headers) and t.headers[i] else f"field {i + 1}"
                           for i in range(own.shape[1])]
            self.rejected_rows.append(rejected_frame(t.file, per_row, own))

    def rejects_frame(self) -> pd.DataFrame:
        """Every rejected row: source_file, row, column, value, reason, then the row's own columns."""
        if not self.rejected_rows:
            return pd.DataFrame(columns=REJECT_COLUMNS)
        return pd.concat(self.rejected_rows, ignore_index=True, sort=False)


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes (streamed)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def rejected_frame(file: str, per_row: pd.DataFrame, own: pd.DataFrame) -> pd.DataFrame:
    """Rejected rows of one table: the reject columns followed by the row's own columns."""
    head = pd.DataFrame({"source_file": file, "row": per_row["row"].astype(int).to_numpy(),
                         "column": per_row["column"].to_numpy(), "value": per_row["value"].to_numpy(),
                         "reason": per_row["reason"].to_numpy()})
    own = own.reset_index(drop=True)
    own.columns = [c if c not in REJECT_COLUMNS else f"{c} (source)" for c in own.columns]
    return pd.concat([head, own], axis=1)
