"""More rows of a planned source table than its preview holds (the Import wizard's jump to a problem).

``rows_around(plan, table, row)`` reads the table again, as the plan's
importer read it, and returns the rows around spreadsheet row ``row``
indexed by their row numbers, so a problem anywhere in a large file can be
shown in context.
"""
from __future__ import annotations

from pathlib import Path

from gis.errors import UsageError
from importers.plan import ImportPlan
from importers.table import SourceTable


def _source_of(plan: ImportPlan, table: str) -> str:
    """The source file of ``table`` (a source path, or "path[sheet]" / "path[SECTION]")."""
    for src in plan.sources:
        if table == src or (table.startswith(src + "[") and table.endswith("]")):
            return src
    raise UsageError(f"{table}: not a table of this import ({', '.join(plan.sources)})")


def _tables(plan: ImportPlan, source: str) -> list[SourceTable]:
    path = Path(source)
    if plan.kind == "survey":
        from importers.survey import _header_score
        from importers.table import read_tables

        return read_tables(path, source, _header_score)
    if plan.kind == "gis":
        from importers.gisfile import attribute_table, first_row, read_source

        gdf, _ = read_source(path, source, plan.options)
        return [attribute_table(gdf, source, path, first_row(path))]
    if plan.kind in ("epanet", "swmm"):
        from importers import epanet, swmm
        from importers.inp import read_inp

        schema = (epanet if plan.kind == "epanet" else swmm).SCHEMA
        return list(read_inp(path, source, schema)[0].values())
    raise UsageError(f"--kind {plan.kind} has no source tables")


def rows_around(plan: ImportPlan, table: str, row: int, count: int = 50):
    """About ``count`` rows of ``table`` centred on spreadsheet row ``row`` (DataFrame indexed by row number).

    InputRejected when the file can no longer be read, UsageError for a table
    the plan does not hold.
    """
    for t in _tables(plan, _source_of(plan, table)):
        if t.file == table:
            return t.around(row, count)
    raise UsageError(f"{table}: no such table in {_source_of(plan, table)}")
