"""Report files: the HTML page, the companion CSV of a capped table, atomic writes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gis.errors import UsageError
from gis.report.model import Report

HTML_SUFFIXES = (".html", ".htm")
PDF_SUFFIXES = (".pdf",)


def check_path(path: str | os.PathLike) -> Path:
    """The report path, if it names an .html/.htm/.pdf file in an existing folder (UsageError otherwise)."""
    path = Path(path)
    if path.suffix.lower() not in HTML_SUFFIXES + PDF_SUFFIXES:
        raise UsageError(f"--report {path}: use a .html or .pdf file")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"--report {path}: folder {path.parent} does not exist")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def companion_csv_path(path: str | os.PathLike) -> Path:
    """Where the full findings list of a capped report goes: REPORT.findings.csv next to it."""
    path = Path(path)
    return path.with_name(path.stem + ".findings.csv")


def write_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_companion_csv(report: Report, path: str | os.PathLike) -> Path | None:
    """The full findings list (UTF-8 with BOM, same sensitive policy as the report) when the table is capped.

    Written with pyarrow's CSV writer: a million rows in seconds, where pandas takes a minute.
    """
    if not report.capped:
        return None
    import pyarrow as pa
    from pyarrow import csv

    out = companion_csv_path(path)
    table = pa.Table.from_pandas(report.findings.assign(run_id=report.run_id), preserve_index=False)
    sink = pa.BufferOutputStream()
    sink.write(b"\xef\xbb\xbf")
    csv.write_csv(table, sink)
    return write_atomic(out, sink.getvalue().to_pybytes())


def write_html(report: Report, path: str | os.PathLike) -> dict:
    """Write the report as one HTML file (and its companion CSV when capped); what was written."""
    from gis.report.html import render_html

    path = Path(path)
    text = render_html(report, csv_name=companion_csv_path(path).name if report.capped else None)
    csv = write_companion_csv(report, path)
    write_atomic(path, text.encode("utf-8"))
    return written(report, path, csv)


def written(report: Report, path: Path, csv: Path | None) -> dict:
    """What a report writer wrote, for --json and the app's status line."""
    return {"path": str(path.resolve()), "csv": str(csv.resolve()) if csv else None,
            "rows": int(len(report.rows)), "findings": int(report.total),
            "withheld": int(report.withheld["findings"]), "sensitive_included": list(report.sensitive_included)}
