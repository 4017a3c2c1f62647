"""One entry point for every chart output: draw a section or profile, or write it as PNG, PDF or CSV."""
from __future__ import annotations

import os
from pathlib import Path

from gis.cuts import Profile, Section, write_csv
from gis.errors import UsageError
from viewers.charts.draw import ChartStyle, Drawn

FORMATS = (".png", ".pdf", ".csv")


def draw_chart(painter, rect, result: Section | Profile, style: ChartStyle | None = None,
               kind: str = "section") -> Drawn:
    """Draw a Profile (纵断面图) or a Section (``kind`` "section" or "line_profile") on white paper in ``rect``."""
    from viewers.charts.draw import PAPER, qcolor
    from viewers.charts.profile_chart import draw_profile
    from viewers.charts.section_chart import draw_section

    painter.fillRect(rect, qcolor(PAPER))
    if isinstance(result, Profile):
        return draw_profile(painter, rect, result, style)
    return draw_section(painter, rect, result, style, kind)


def check_out(path: str | os.PathLike) -> Path:
    """The output path if its suffix is a chart format and its folder exists (UsageError otherwise)."""
    path = Path(path)
    if path.suffix.lower() not in FORMATS:
        raise UsageError(f"--out {path}: the file must end in {', '.join(FORMATS)}")
    if not path.resolve().parent.is_dir():
        raise UsageError(f"--out {path}: folder {path.resolve().parent} does not exist")
    return path


def export_chart(result: Section | Profile, path: str | os.PathLike, style: ChartStyle | None = None,
                 kind: str = "section", size: tuple[int, int] = (1600, 1000), paper: str = "A3") -> Path:
    """Write ``result`` by suffix: .csv (table, UTF-8 with BOM), .png (``size`` px), .pdf (vector, ``paper``)."""
    from viewers.charts.output import save_pdf, save_png

    path = check_out(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return write_csv(result, path)

    def paint(painter, rect):
        draw_chart(painter, rect, result, style, kind)

    if suffix == ".png":
        return save_png(paint, path, size)
    return save_pdf(paint, path, paper, title=path.stem)
