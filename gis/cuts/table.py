"""Tables of sections and profiles: flat records for CSV (UTF-8 with BOM) and JSON.

Every record is one row with a ``record`` column naming what it is:
``item`` and ``clearance`` (a section), ``station``, ``segment`` and
``crossing`` (a profile).  Columns are the JSON keys; a cell is empty
where a key does not apply to its record.
"""
from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

from gis.cuts.profile import Profile
from gis.cuts.section import Section


def records(result: Section | Profile) -> list[dict]:
    """The rows of ``result``'s table, in chainage order within each record kind."""
    doc = result.to_dict()
    if isinstance(result, Profile):
        groups = (("station", doc["stations"]), ("segment", doc["segments"]), ("crossing", doc["crossings"]))
    else:
        groups = (("item", doc["items"]), ("clearance", doc["clearances"]))
    rows = []
    for name, items in groups:
        for item in items:
            rows.append({"record": name, **{k: v for k, v in item.items() if not isinstance(v, (list, dict))}})
    return rows


def write_csv(result: Section | Profile, path: str | os.PathLike) -> Path:
    """Write ``result``'s table as CSV, UTF-8 with BOM, atomically (temp file then rename)."""
    rows = records(result)
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    path = Path(path)
    fd, tmp = tempfile.mkstemp(suffix=".csv.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns or ["record"])
            writer.writeheader()
            for row in rows:
                writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
