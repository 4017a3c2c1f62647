"""Report files with their map extract: the one call the CLI and the app make.

The map extract is a top view drawn through ``viewers.render`` (the same
scene builders and styles as the app's map); sensitive layers follow the
report's ``include_sensitive`` through the render spec's policy check.
"""
from __future__ import annotations

import os

import numpy as np

from gis.report.mapextract import MapRequest


def render_map(project, request: MapRequest) -> np.ndarray:
    """Pixels of the top view a report's map extract asks for."""
    from viewers.render import RenderSpec, render

    return render(project, RenderSpec(view="top", bbox=request.bbox, size=request.size,
                                      include_sensitive=request.include_sensitive))


def save_report(result, project, path: str | os.PathLike, options=None) -> dict:
    """Build the report of a check run and write it as HTML or PDF (by suffix); what was written."""
    from gis.report import build_report, check_path, write_html

    path = check_path(path)
    report = build_report(result, project, options, render_map=render_map)
    if path.suffix.lower() == ".pdf":
        from viewers.qt_print import write_pdf

        return write_pdf(report, path)
    return write_html(report, path)
