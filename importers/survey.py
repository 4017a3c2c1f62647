"""Field survey tables (CSV or .xlsx): point tables and line tables -> pipe_points, pipe_segments.

DATA_MODEL.md "Field survey tables".  Tables are told apart by their headers
(a point table has 物探点号 and X/Y, a line table 起点点号 and 终点点号), so
one .xlsx with both sheets works as well as two CSVs; several tables of each
kind (one per utility) are checked together.  All validation is vectorised:
each rule flags every bad row at once.
"""
from __future__ import annotations

from pathlib import Path

from gis.errors import InputRejected, Problem, UsageError
from gis.progress import Progress
from importers import columns as cols
from importers.messages import tr
from importers.plan import ImportOptions, ImportPlan, TablePreview
from importers.table import SourceTable, read_tables
from importers.tablegroup import TableGroup

SUFFIXES = {".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
ROLES = ("points", "lines")


def _roles(headers: list[str]) -> str | None:
    """"lines" for a table naming line ends, "points" for one with coordinates, else None."""
    keys, _, _ = cols.match(headers, cols.LINE_COLUMNS)
    if "start_point" in keys or "end_point" in keys:
        return "lines"
    keys, _, _ = cols.match(headers, cols.POINT_COLUMNS)
    if {"x", "y"} <= keys.keys() or {"northing", "easting"} <= keys.keys():
        return "points"
    return None


def _header_score(headers: list[str]) -> int:
    return max(cols.score(headers, cols.POINT_COLUMNS), cols.score(headers, cols.LINE_COLUMNS))


def _head_rows(path: Path, source: str) -> list[tuple[str, list[list[str]]]]:
    """(table name as problems give it, its first rows as text) for each table of a CSV or workbook."""
    from importers.table import HEADER_SEARCH_ROWS, WORKBOOK_SUFFIXES, cell_text, normalise_text, workbook_rows

    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return [(f"{source}[{name}]", [[normalise_text(cell_text(v)) for v in row] for row in rows])
                for name, rows in workbook_rows(path, source, HEADER_SEARCH_ROWS)]
    import csv
    import io

    with open(path, "rb") as fh:
        head = fh.read(65536)
    text = head.decode("utf-8", errors="ignore") if _utf8ish(head) else head.decode("gb18030", errors="ignore")
    text = text.lstrip("\ufeff")
    delim = max((",", "\t", ";"), key=lambda d: text.split("\n", 1)[0].count(d))
    return [(source, [[normalise_text(c) for c in r] for r in
                      list(csv.reader(io.StringIO(text), delimiter=delim))[:HEADER_SEARCH_ROWS]])]


def can_read(path: Path) -> int:
    """80 for a CSV/.xlsx whose first rows hold a survey point or line table header, else 0."""
    if path.suffix.lower() not in SUFFIXES or not path.is_file():
        return 0
    for _, heads in _head_rows(path, str(path)):
        for h in heads:
            if any(cols.header_key(c) in ("wkt", "geometry", "geom") for c in h):
                return 0
            if _roles(h):
                return 80
    return 0


def probe_tables(source: str) -> list[tuple[str, str | None]]:
    """Each table of a survey file with the role its headers give it ("points", "lines" or None).

    Tables are named as problems and ``ImportOptions.roles`` name them
    (the path as given; "path[sheet]" for workbook sheets); blank sheets are left out.
    """
    out = []
    for name, heads in _head_rows(Path(source), source):
        if any(any(c for c in row) for row in heads):
            out.append((name, next((r for r in map(_roles, heads) if r), None)))
    return out


def _utf8ish(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        return exc.start > len(data) - 4   # a character cut at the end of the sample


# --------------------------------------------------------------------------------- planning
def plan(project, sources: list[str], options: ImportOptions, progress: Progress) -> ImportPlan:
    """Read, map and validate survey tables into an ImportPlan (nothing is written)."""
    from importers.survey_build import build_lines, build_points

    known = set(cols.POINT_COLUMNS) | set(cols.LINE_COLUMNS)
    for mapping in (options.mapping, *options.table_mapping.values()):
        cols.check_mapping(mapping, known)
    bad_roles = sorted({r for r in options.roles.values()} - set(ROLES))
    if bad_roles:
        raise UsageError(f"unknown table role(s) {', '.join(bad_roles)}; known: {', '.join(ROLES)}")
    result = ImportPlan("survey", [str(s) for s in sources], [], options)
    progress.start(4, "reading")
    tables: list[SourceTable] = []
    for src in sources:
        try:
            tables.extend(read_tables(Path(src), str(src), _header_score))
        except InputRejected as exc:
            result.problems.extend(exc.problems)
            result.fatal = True
    progress.step(1, "checking columns")
    point_tabs, line_tabs = [], []
    for t in tables:
        role = options.roles.get(t.file) or _roles(t.headers)
        if role is None:
            result.problems.append(Problem(t.file, t.header_row, None, None, tr("table_unknown")))
            result.fatal = True
        elif t.n == 0 and not t.bad_rows:
            result.problems.append(Problem(t.file, None, None, None, tr("file_empty")))
            result.fatal = True
        else:
            (point_tabs if role == "points" else line_tabs).append(t)
    groups = {}
    for role, tabs, spec in (("points", point_tabs, cols.POINT_COLUMNS), ("lines", line_tabs, cols.LINE_COLUMNS)):
        mappings = []
        for t in tabs:
            overrides = {k: v for k, v in {**options.mapping, **options.table_mapping.get(t.file, {})}.items()
                         if k in spec}
            found, unused, problems = cols.match(t.headers, spec, overrides, t.file)
            result.problems.extend(problems)
            result.fatal |= bool(problems)
            mappings.append(found)
            if unused:
                result.warnings.append(tr("w_unused_columns", file=t.file, columns=", ".join(unused)))
            result.tables.append(TablePreview(t.file, role, {k: t.headers[i] for k, i in found.items()}, t.n,
                                              t.head(options.preview_rows), t.encoding, tuple(spec)))
            if t.encoding not in (None, "utf-8", "utf-8-sig"):
                result.warnings.append(tr("w_encoding", file=t.file, encoding=t.encoding))
            result.fatal |= _missing_columns(t, found, role, options, result.problems)
        groups[role] = TableGroup(tabs, mappings)
    if result.fatal:
        result.problems.extend(b[2] for t in tables for b in t.bad_rows)
        return result
    progress.step(1, "checking points")
    pts = build_points(project, groups["points"], options, result.warnings)
    progress.step(1, "checking lines")
    lines = build_lines(project, groups["lines"], pts, options, result.warnings)
    progress.step(1, "done")
    result.layers = {"pipe_points": pts.frame(), "pipe_segments": lines.frame()}
    result.collect(list(groups.values()), tables)
    return result


def _missing_columns(t: SourceTable, found: dict[str, int], role: str, options: ImportOptions,
                     problems: list[Problem]) -> bool:
    """Add a problem for each required column the table lacks; True if any."""
    spec = cols.POINT_COLUMNS if role == "points" else cols.LINE_COLUMNS
    need = ["point_id"] if role == "points" else ["start_point", "end_point"]
    missing = [k for k in need if k not in found]
    if role == "points" and not ({"x", "y"} <= found.keys() or {"northing", "easting"} <= found.keys()):
        missing += [k for k in ("x", "y") if k not in found]
    for key in missing:
        problems.append(Problem(t.file, t.header_row, key, None,
                                tr("column_missing", aliases=cols.aliases_text(spec, key))))
    if "utility" not in found and not options.utility:
        problems.append(Problem(t.file, t.header_row, "utility", None, tr("utility_missing")))
        missing.append("utility")
    return bool(missing)
