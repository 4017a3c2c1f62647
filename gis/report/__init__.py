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
from gis.report.build import build_report
from gis.report.files import check_path, companion_csv_path, write_companion_csv, write_html
from gis.report.html import render_html
from gis.report.model import MAX_ROWS, Report, ReportOptions

__all__ = ["MAX_ROWS", "Report", "ReportOptions", "build_report", "check_path", "companion_csv_path",
           "render_html", "write_companion_csv", "write_html"]
