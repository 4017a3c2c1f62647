"""The .inp text format shared by EPANET and SWMM: [SECTIONS] of whitespace-separated rows.

Each wanted section becomes a SourceTable whose columns are the format's
field names and whose row numbers are the file's line numbers (what a text
editor shows), so problems and rejected rows point at the exact line.
Comments start with ";"; a row's surplus tokens are kept in its last field.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from gis.errors import InputRejected, Problem
from importers.messages import tr
from importers.table import SourceTable


def section_names(path: Path, limit: int = 1 << 20) -> set[str]:
    """The [SECTION] names in the first ``limit`` bytes of a file (for probing)."""
    with open(path, "rb") as fh:
        text = fh.read(limit).decode("latin-1")
    return {line.strip()[1:-1].strip().upper() for line in text.splitlines()
            if line.strip().startswith("[") and line.strip().endswith("]")}


def read_inp(path: Path, file: str, schema: dict[str, list[str]]) -> tuple[dict[str, SourceTable], dict[str, str]]:
    """(section -> SourceTable for every section of ``schema``, [OPTIONS] key -> value)."""
    from importers.encoding import to_utf8

    if not path.exists():
        raise InputRejected([Problem(file, None, None, None, tr("file_missing"))])
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputRejected([Problem(file, None, None, None, tr("file_unreadable", error=exc.strerror))]) from None
    body, _ = to_utf8(raw, file)
    rows: dict[str, list[tuple[int, list[str]]]] = {name: [] for name in schema}
    options: dict[str, str] = {}
    current = None
    for number, line in enumerate(body.decode("utf-8").splitlines(), start=1):
        text = line.split(";", 1)[0].strip()
        if not text:
            continue
        if text.startswith("["):
            current = text.strip("[] \t").upper()
            continue
        tokens = text.split()
        if current == "OPTIONS":
            options[tokens[0].upper()] = " ".join(tokens[1:]).upper()
        elif current in rows:
            width = len(schema[current])
            if len(tokens) > width:
                tokens = tokens[:width - 1] + [" ".join(tokens[width - 1:])]
            rows[current].append((number, tokens + [""] * (width - len(tokens))))
    tables = {}
    for name, headers in schema.items():
        found = rows[name]
        columns = [pa.chunked_array([pa.array([r[1][i] for r in found], pa.string())]) for i in range(len(headers))]
        data = pa.table(columns, names=[f"c{i}" for i in range(len(headers))])
        tables[name] = SourceTable(f"{file}[{name}]", path, list(headers), data,
                                   np.array([r[0] for r in found], dtype=np.int64), 0)
    return tables, options
