"""Delivered tables (CSV; Excel .xlsx/.xls and .ods via python-calamine) as text columns with their row numbers.

Every cell is kept as text (NFKC-normalised, trimmed; blank is ""), so the
validators decide what a number is and can quote the original value.  Row
numbers are the spreadsheet's: the header row is usually 1, so the first data
row is 2.  A title row above the header is skipped by finding the header among
the first rows.  Blank rows (e.g. trailing ones) are dropped.
"""
from __future__ import annotations

import codecs
import csv
import functools
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from gis.errors import InputRejected, Problem
from importers.messages import tr

HEADER_SEARCH_ROWS = 20
HeaderScore = Callable[[list[str]], int]


@dataclass
class SourceTable:
    """One table of a source file: header texts, text columns and spreadsheet row numbers."""

    file: str                       # how problems name it: the path as given, "[sheet]" for workbooks
    path: Path
    headers: list[str]
    data: pa.Table                  # one string column per header (named c0, c1 ...)
    rows: np.ndarray                # spreadsheet row number of each data row
    header_row: int
    encoding: str | None = None
    bad_rows: list[tuple[int, list[str], Problem]] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Number of data rows."""
        return self.data.num_rows

    def column(self, index: int) -> pa.ChunkedArray:
        """The text column at ``index``."""
        return self.data.column(index)

    def frame(self, idx: np.ndarray | None = None):
        """Selected rows (all when ``idx`` is None) as a DataFrame with the original headers."""
        data = self.data if idx is None else self.data.take(pa.array(idx, type=pa.int64()))
        df = data.to_pandas()
        df.columns = unique_names(self.headers)
        return df

    def rows_at(self, idx: np.ndarray):
        """Rows at positions ``idx`` as a DataFrame indexed by their spreadsheet row numbers."""
        df = self.frame(idx)
        df.index = pd.Index(self.rows[idx], name="row")
        return df

    def head(self, count: int):
        """The first ``count`` rows, indexed by their spreadsheet row numbers (the wizard's preview)."""
        return self.rows_at(np.arange(min(count, self.n)))

    def around(self, row: int, count: int):
        """About ``count`` rows centred on spreadsheet row ``row``, indexed by row number."""
        pos = int(np.searchsorted(self.rows, row))
        lo = max(0, min(pos - count // 2, self.n - count))
        return self.rows_at(np.arange(lo, min(self.n, lo + count)))


def unique_names(headers: list[str]) -> list[str]:
    """Header texts made unique (a repeated name gets " (2)", " (3)" ...); blanks get a letter name."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(headers):
        name = h or _column_letter(i)
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _column_letter(i: int) -> str:
    letters = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        letters = chr(65 + r) + letters
    return letters


def normalise_text(text: str) -> str:
    """NFKC (full-width to half-width) and trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def _normalise_column(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if pc.all(pc.string_is_ascii(col)).as_py() is not False:
        return pc.ascii_trim_whitespace(col)
    return pc.utf8_trim_whitespace(pc.utf8_normalize(col, "NFKC"))


def _drop_blank_rows(data: pa.Table, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    if data.num_columns == 0 or data.num_rows == 0:
        return data, rows
    filled = np.zeros(data.num_rows, dtype=bool)
    for col in data.columns:
        filled |= pc.not_equal(col, "").to_numpy(zero_copy_only=False)
    if filled.all():
        return data, rows
    keep = np.flatnonzero(filled)
    return data.take(pa.array(keep)), rows[keep]


def _pick_header(candidates: list[list[str]], score: HeaderScore | None) -> int:
    if score is None:
        return 0
    best, best_score = 0, 0
    for i, fields in enumerate(candidates):
        s = score([normalise_text(f) for f in fields])
        if s > best_score:
            best, best_score = i, s
    return best


def _parse_csv(body, names: list[str], skip: int, delimiter: str, threads: bool, bad: list):
    import pyarrow.csv as pacsv

    def invalid(row) -> str:
        bad.append(row)
        return "skip"

    return pacsv.read_csv(
        pa.BufferReader(body),
        read_options=pacsv.ReadOptions(use_threads=threads, skip_rows=skip, column_names=names, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False, newlines_in_values=True,
                                         invalid_row_handler=invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=False, quoted_strings_can_be_null=False))


def _text_body(raw: bytes, file: str) -> tuple[object, str]:
    """The bytes to parse and their encoding: UTF-8 files are used as they are (Arrow checks them)."""
    from importers.encoding import to_utf8

    if raw.startswith(codecs.BOM_UTF8):
        return pa.py_buffer(raw)[len(codecs.BOM_UTF8):], "utf-8-sig"
    head = raw[:65536]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            return to_utf8(raw, file)
    return raw, "utf-8"


def read_csv(path: Path, file: str, score: HeaderScore | None = None) -> SourceTable:
    """Read a CSV (UTF-8, UTF-16 or GBK/GB18030; `,` `;` or tab separated) into a SourceTable.

    Parsing is multi-threaded; a file with malformed rows is parsed again on
    one thread, which numbers them, so each is reported with its row.
    """
    from importers.encoding import to_utf8

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputRejected([Problem(file, None, None, None, tr("file_unreadable", error=exc.strerror))]) from None
    body, encoding = _text_body(raw, file)
    head_text = bytes(memoryview(body)[:65536]).decode("utf-8", errors="ignore")
    delimiter = max((",", "\t", ";"), key=lambda d: head_text.split("\n", 1)[0].count(d))
    candidates = list(csv.reader(io.StringIO(head_text), delimiter=delimiter))[:HEADER_SEARCH_ROWS]
    if not candidates:
        raise InputRejected([Problem(file, None, None, None, tr("file_empty"))])
    header_idx = _pick_header(candidates, score)
    headers = [normalise_text(h) for h in candidates[header_idx]]
    names = [f"c{i}" for i in range(len(headers))]
    rows: list = []
    try:
        try:
            data = _parse_csv(body, names, header_idx + 1, delimiter, True, rows)
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) or encoding != "utf-8":
                raise
            body, encoding = to_utf8(raw, file)     # not UTF-8 after all: find out what it is
            rows.clear()
            data = _parse_csv(body, names, header_idx + 1, delimiter, True, rows)
        if rows:
            rows.clear()
            data = _parse_csv(body, names, header_idx + 1, delimiter, False, rows)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputRejected([Problem(file, None, None, None, tr("file_corrupt", format="CSV", error=exc))]) from None
    bad = []
    for row in rows:
        fields = next(csv.reader([row.text], delimiter=delimiter), [])
        bad.append((row.number, fields, Problem(file, row.number, None, row.text[:80],
                                                tr("row_fields", actual=row.actual_columns,
                                                   expected=row.expected_columns))))
    first = header_idx + 2
    numbers = np.arange(first, first + data.num_rows + len(bad))
    if bad:
        numbers = numbers[~np.isin(numbers, [b[0] for b in bad])]
    data = pa.table([_normalise_column(c) for c in data.columns], names=names)
    data, numbers = _drop_blank_rows(data, numbers)
    return SourceTable(file, path, headers, data, numbers, header_idx + 1, encoding, bad)


def cell_text(value) -> str:
    """A workbook cell as text (whole numbers without ".0", dates as ISO)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        text = value.isoformat()
        return text[:10] if text.endswith("T00:00:00") else text
    return str(value)


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")


@functools.lru_cache(maxsize=1)
def _workbook(path: str, mtime_ns: int, size: int) -> tuple[tuple[str, list[list]], ...]:
    """Every sheet's cell values; cached once so that probing and then reading a workbook parses it once."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(path)
    return tuple((name, book.get_sheet_by_name(name).to_python(skip_empty_area=False)) for name in book.sheet_names)


def workbook_rows(path: Path, file: str, max_rows: int | None = None) -> list[tuple[str, list[list]]]:
    """(sheet name, rows of cell values from row 1 / column A) of every sheet (python-calamine, Rust)."""
    from python_calamine import CalamineError

    try:
        stat = path.stat()
        sheets = _workbook(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError as exc:
        raise InputRejected([Problem(file, None, None, None, tr("file_unreadable", error=exc.strerror))]) from None
    except (CalamineError, ValueError) as exc:
        raise InputRejected([Problem(file, None, None, None,
                                     tr("file_corrupt", format="Excel workbook", error=exc))]) from None
    return [(name, rows[:max_rows] if max_rows else rows) for name, rows in sheets]


def _has_values(rows: list[list]) -> bool:
    return any(v not in ("", None) for row in rows for v in row)


def _text_array(values) -> pa.Array:
    """A column of workbook cells as text: whole columns of one type are converted by Arrow, mixed ones per cell."""
    try:
        arr = pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        arr = None
    if arr is not None and (pa.types.is_string(arr.type) or pa.types.is_null(arr.type)):
        return pc.fill_null(arr.cast(pa.string()), "")
    if arr is not None and (pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type)
                            or pa.types.is_boolean(arr.type)):
        return pc.fill_null(pc.cast(arr, pa.string()), "")
    return pa.array([cell_text(v) for v in values], pa.string())


def read_xlsx(path: Path, file: str, score: HeaderScore | None = None) -> list[SourceTable]:
    """Read every non-empty sheet of a workbook (.xlsx, .xls, .ods ...) into SourceTables (file "name[sheet]")."""
    tables = []
    for title, rows in workbook_rows(path, file):
        head = [[cell_text(v) for v in row] for row in rows[:HEADER_SEARCH_ROWS]]
        if not rows or not any(any(c.strip() for c in r) for r in head) and not _has_values(rows):
            continue
        header_idx = _pick_header(head, score)
        headers = [normalise_text(h) for h in head[header_idx]] if header_idx < len(head) else []
        width = len(headers)
        while width and not headers[width - 1]:
            width -= 1
        headers = headers[:width]
        body = rows[header_idx + 1:]
        cols = list(zip(*body))[:width] if body else [()] * width
        data = pa.table([_normalise_column(pa.chunked_array([_text_array(c)])) for c in cols],
                        names=[f"c{i}" for i in range(width)])
        numbers = np.arange(header_idx + 2, header_idx + 2 + len(body))
        data, numbers = _drop_blank_rows(data, numbers)
        tables.append(SourceTable(f"{file}[{title}]", path, headers, data, numbers, header_idx + 1))
    _workbook.cache_clear()
    if not tables:
        raise InputRejected([Problem(file, None, None, None, tr("file_empty"))])
    return tables


def read_tables(path: Path, file: str, score: HeaderScore | None = None) -> list[SourceTable]:
    """Read a CSV or .xlsx source into its tables; InputRejected if it cannot be read."""
    if not path.exists():
        raise InputRejected([Problem(file, None, None, None, tr("file_missing"))])
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return read_xlsx(path, file, score)
    return [read_csv(path, file, score)]
