"""Check reports (HTML and PDF, bilingual): summary, map extract, findings with rule sources, owners.

Pure Python (no Qt, no VTK).  Public API:

- ``build_report(result, project, ReportOptions(...), render_map=...) -> Report``:
  the content of one check run.  ``render_map`` draws the top view behind the
  map extract (``viewers.report_output.render_map``).
- ``write_html(report, path) -> dict``: one self-contained HTML file; with a
  capped table (over ``options.max_rows`` findings) also REPORT.findings.csv.
- PDF: ``viewers.qt_print.write_pdf(report, path)``.  One call for files of
  either kind, map included: ``viewers.report_output.save_report``.

Findings on sensitive layers are withheld unless ``include_sensitive``
(``gis.policy.withhold_sensitive``); their use is then audited.
"""
from __future__ import annotations

_LAZY = {"build_report": "gis.report.build", "check_path": "gis.report.files",
         "companion_csv_path": "gis.report.files", "write_companion_csv": "gis.report.files",
         "write_html": "gis.report.files", "render_html": "gis.report.html", "MAX_ROWS": "gis.report.model",
         "Report": "gis.report.model", "ReportOptions": "gis.report.model"}
__all__ = sorted(_LAZY)


def __getattr__(name: str):
    """The public API, imported on first use (the app's findings panel needs only style and text)."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'gis.report' has no attribute {name!r}")
