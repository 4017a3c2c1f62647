"""Reports to PDF with Qt: vector text, a CJK font, page header and footer, rows never split.

The report's HTML (gis.report.html) is laid out once by QTextDocument at the
width of an A4 landscape page on a QPdfWriter.  Page cuts are then chosen
between text lines and between table rows, never through one; a table that
continues on a new page gets its header row repeated.  Each page is drawn
as a slice of the document with its header (title, run id) and footer
(project, time, page n of N).  Works headless: with no display the Qt
platform is ``offscreen`` (viewers.charts.output.ensure_app).
"""
from __future__ import annotations

import bisect
import os
import re
from dataclasses import dataclass
from pathlib import Path

from gis.errors import SubterraError
from gis.report.files import companion_csv_path, write_companion_csv, written
from gis.report.model import Report
from gis.report.text import LABELS, T, pick

MARGINS_MM = (12.0, 10.0, 12.0, 10.0)    # left, top, right, bottom
BAND_MM = 7.0                            # header and footer bands inside the margins
DPI = 300
BASE_PT = 8.0
BAND_PT = 7.0
LATIN_FAMILIES = ("DejaVu Sans", "Noto Sans", "Segoe UI", "Arial", "Helvetica", "Liberation Sans")
"""Tried before the CJK font: Qt's PDF output loses the text of digits drawn in Noto Sans CJK
(pdftotext, search and copy see nothing), so Latin letters and digits come from a Latin font."""
CJK_TEXT = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")
MAP_RESOURCE = "subterra:map.png"
EPS = 0.5                                # device pixels


@dataclass(frozen=True)
class Page:
    """One page: the document slice [start, end) and the table header (top, bottom) repeated above it."""

    start: float
    end: float
    header: tuple[float, float] | None = None


def chinese_family() -> str | None:
    """The CJK family Qt found (viewers.charts.fonts), or None when it cannot draw Chinese."""
    from PySide6.QtGui import QFontDatabase

    from viewers.charts.fonts import cjk_family

    family = cjk_family()
    if QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family):
        return family
    return None


def report_font(point_size: float, cjk: str | None):
    """The report font: a Latin family for letters and digits, then the CJK family for Chinese."""
    from PySide6.QtGui import QFont, QFontDatabase

    families = QFontDatabase.families()
    latin = next((f for f in LATIN_FAMILIES if f in families), None)
    font = QFont()
    font.setFamilies([f for f in (latin, cjk) if f])
    font.setPointSizeF(point_size)
    return font


def _mm(mm: float) -> float:
    return mm / 25.4 * DPI


def new_writer(path: str | os.PathLike, title: str):
    """A QPdfWriter on A4 landscape at DPI with the report margins."""
    from PySide6.QtCore import QMarginsF
    from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter

    writer = QPdfWriter(str(path))
    writer.setResolution(DPI)
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(*MARGINS_MM), QPageLayout.Unit.Millimeter))
    writer.setTitle(title)
    writer.setCreator("Subterra")
    return writer


def build_document(report: Report, writer, family: str | None, csv_name: str | None = None):
    """The report laid out by QTextDocument at the writer's page width (device pixels)."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QTextDocument

    from gis.report.html import QT_CSS, render_html

    width, body = writer.width(), writer.height() - 2 * _mm(BAND_MM)
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(writer)
    doc.setDocumentMargin(0)
    doc.setDefaultFont(report_font(BASE_PT, family))
    image_width = None
    if report.map.png is not None:
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(MAP_RESOURCE),
                        QImage.fromData(report.map.png, "PNG"))
        w, h = report.map.size
        # rich text sizes images in 96-dpi pixels, scaled to the device's resolution
        image_width = int(min(width * 0.72, body * 0.8 * w / h) * 96 / writer.logicalDpiX())
    doc.setHtml(render_html(report, image_src=MAP_RESOURCE if image_width else None,
                            image_width=image_width, csv_name=csv_name, css=QT_CSS))
    doc.setTextWidth(width)
    return doc


def _tables(doc):
    from PySide6.QtGui import QTextTable

    return [f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)]


def row_spans(doc, table) -> list[float]:
    """Row boundaries of a table in document coordinates: top, between each two rows, bottom."""
    lay = doc.documentLayout()
    tops, bottoms = [], []
    for r in range(table.rows()):
        top, bottom = float("inf"), float("-inf")
        for c in range(table.columns()):
            cell = table.cellAt(r, c)
            top = min(top, lay.blockBoundingRect(cell.firstCursorPosition().block()).top())
            bottom = max(bottom, lay.blockBoundingRect(cell.lastCursorPosition().block()).bottom())
        tops.append(top)
        bottoms.append(bottom)
    frame = lay.frameBoundingRect(table)
    inner = [(bottoms[r - 1] + tops[r]) / 2 for r in range(1, table.rows())]
    return [frame.top()] + inner + [frame.bottom()]


def keep_spans(doc) -> tuple[list[tuple[float, float]], list[tuple[float, float, float]]]:
    """Spans no page cut may cross, and (top, header bottom, bottom) of tables with a header row.

    Spans: each text line outside tables (a heading's last line kept with
    what follows), each table row (a header row kept with the first body row).
    """
    spans: list[tuple[float, float]] = []
    headed: list[tuple[float, float, float]] = []
    ranges = []
    for table in _tables(doc):
        ranges.append((table.firstPosition(), table.lastPosition()))
        b = row_spans(doc, table)
        n_head = min(table.format().headerRowCount(), table.rows() - 1)
        first = n_head + 1 if n_head > 0 else 1
        spans.append((b[0], b[first]))
        spans += [(b[r], b[r + 1]) for r in range(first, table.rows())]
        if n_head > 0:
            headed.append((b[0], b[n_head], b[-1]))
    ranges.sort()
    starts = [r[0] for r in ranges]
    keep_next = set()
    block = doc.begin()
    while block.isValid():
        i = bisect.bisect_right(starts, block.position()) - 1
        if i < 0 or block.position() > ranges[i][1]:
            layout, y = block.layout(), block.layout().position().y()
            for k in range(layout.lineCount()):
                line = layout.lineAt(k)
                spans.append((y + line.y(), y + line.y() + line.height()))
            if layout.lineCount() and block.blockFormat().headingLevel() > 0:
                keep_next.add(len(spans) - 1)
        block = block.next()
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    merged: list[list[float]] = []
    glue = False
    for k in order:
        top, bottom = spans[k]
        if glue and merged:
            merged[-1][1] = max(merged[-1][1], bottom)
        else:
            merged.append([top, bottom])
        glue = k in keep_next
    return [tuple(s) for s in merged], headed


def plan_pages(spans, headed, height: float, page_height: float) -> list[Page]:
    """Cut a document of ``height`` into pages of ``page_height`` between ``spans``.

    A cut falls where no span is open (at the top of the next span); a page
    starting inside a table's body repeats that table's header, which
    shortens the page.  A span taller than a page is cut where the page ends.
    """
    breaks = []
    reach = float("-inf")
    for top, bottom in sorted(spans):
        if top >= reach - EPS:
            breaks.append(top)
        reach = max(reach, bottom)
    pages: list[Page] = []
    start = 0.0
    while start < height - EPS:
        header = next(((t, hb) for t, hb, b in headed if hb - EPS <= start < b - EPS and start > t + EPS), None)
        room = page_height - (header[1] - header[0] if header else 0.0)
        if room < page_height / 4:
            header, room = None, page_height
        limit = start + room
        if limit >= height - EPS:
            end = height
        else:
            i = bisect.bisect_right(breaks, limit + EPS) - 1
            end = breaks[i] if i >= 0 and breaks[i] > start + EPS else limit
        pages.append(Page(start, end, header))
        start = end
    return pages or [Page(0.0, max(height, 1.0))]


def paginate(doc, page_height: float) -> list[Page]:
    """The pages of a laid-out document."""
    spans, headed = keep_spans(doc)
    return plan_pages(spans, headed, doc.size().height(), page_height)


def _draw_slice(painter, doc, top: float, bottom: float, y: float, width: float) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QAbstractTextDocumentLayout, QPalette

    painter.save()
    painter.setClipRect(QRectF(0, y, width, bottom - top))
    painter.translate(0, y - top)
    ctx = QAbstractTextDocumentLayout.PaintContext()
    ctx.clip = QRectF(0, top, width, bottom - top)
    ctx.palette.setColor(QPalette.ColorRole.Text, Qt.GlobalColor.black)
    doc.documentLayout().draw(painter, ctx)
    painter.restore()


def _draw_bands(painter, report: Report, family: str | None, page: int, pages: int,
                width: float, height: float) -> None:
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QPen

    lang = report.options.lang
    band = _mm(BAND_MM)
    painter.save()
    painter.setFont(report_font(BAND_PT, family))
    painter.setPen(QPen(QColor(90, 90, 90), 2))
    left, right = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, \
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    top_box, bottom_box = QRectF(0, 0, width, band * 0.8), QRectF(0, height - band * 0.8, width, band * 0.8)
    painter.drawText(top_box, left, pick(report.title, lang))
    painter.drawText(top_box, right, report.run_id)
    painter.drawLine(0, int(band * 0.85), int(width), int(band * 0.85))
    painter.drawLine(0, int(height - band * 0.85), int(width), int(height - band * 0.85))
    painter.drawText(bottom_box, left, f"{report.project['name']} · {report.generated} UTC")
    label = LABELS["page"]
    painter.drawText(bottom_box, right, pick(T(label.zh.format(page=page, pages=pages),
                                               label.en.format(page=page, pages=pages)), lang, " · "))
    painter.restore()


def write_pdf(report: Report, path: str | os.PathLike) -> dict:
    """Write the report as an A4 landscape PDF (and its companion CSV when capped); what was written.

    The file appears complete or not at all (written under a temporary name,
    then renamed).  SubterraError when no CJK font is installed and the
    report has Chinese text.
    """
    from gis.report.html import render_html
    from viewers.charts.output import _atomic, ensure_app

    ensure_app()
    path = Path(path)
    family = chinese_family()
    csv_name = companion_csv_path(path).name if report.capped else None
    if family is None and CJK_TEXT.search(render_html(report, image_src="-", csv_name=csv_name)):
        raise SubterraError("no Chinese font found for the PDF: install fonts-noto-cjk "
                            "(Debian/Ubuntu: apt-get install fonts-noto-cjk)")
    _atomic(path, lambda tmp: _paint(report, tmp, family, csv_name), "PDF report")
    return written(report, path, write_companion_csv(report, path))


def _paint(report: Report, target: str, family: str | None, csv_name: str | None) -> bool:
    """Lay the report out and paint every page into a PDF at ``target``; False if it cannot be opened."""
    from PySide6.QtGui import QPainter

    writer = new_writer(target, pick(report.title, report.options.lang))
    doc = build_document(report, writer, family, csv_name)
    width, height, band = writer.width(), writer.height(), _mm(BAND_MM)
    pages = paginate(doc, height - 2 * band)
    painter = QPainter()
    if not painter.begin(writer):
        return False
    try:
        for n, page in enumerate(pages, start=1):
            if n > 1:
                writer.newPage()
            y = band
            if page.header:
                _draw_slice(painter, doc, page.header[0], page.header[1], y, width)
                y += page.header[1] - page.header[0]
            _draw_slice(painter, doc, page.start, page.end, y, width)
            _draw_bands(painter, report, family, n, len(pages), width, height)
    finally:
        painter.end()
    return True
