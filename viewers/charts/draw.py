"""Shared QPainter drawing of section and profile charts: frame, grid, ground, labels, table, legend.

Everything is drawn in the painter's device units (pixels of a QImage,
1/96 inch on the PDF page), so one routine serves PNG, PDF and a widget.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from gis.utilities import colour as utility_colour
from gis.utilities import resolve
from viewers import styles
from viewers.charts.fonts import font
from viewers.charts.layout import ChartFrame, LabelPlacer, Rect, spread, thin, tick_step, ticks

PAPER = (255, 255, 255)
INK = (40, 40, 40)
GRID = (225, 225, 225)
SOIL = (246, 240, 228)
GROUND_LINE = (120, 90, 50)
DIM = (70, 70, 160)
TEXT_PAD = 3.0

TEXTS = {
    "section": ("横断面图", "Cross-section"),
    "profile": ("纵断面图", "Longitudinal profile"),
    "line_profile": ("沿线纵断面图", "Profile along a line"),
    "length": ("长度", "length"),
    "ve": ("竖向放大", "V.E."),
    "elev": ("高程(m)", "Elev. (m)"),
    "chainage_m": ("里程(m)", "Chainage (m)"),
    "chainage": ("桩号", "Chainage"),
    "feature": ("编号/规格", "Feature"),
    "ground": ("地面高程", "Ground"),
    "top": ("管顶高程", "Top"),
    "invert": ("管底高程", "Invert"),
    "crown": ("管顶高程", "Crown"),
    "cover": ("覆土", "Cover"),
    "invert_depth": ("管底埋深", "Invert depth"),
    "clear": ("净距", "Clear"),
    "clear_short": ("净距", "clear"),
    "size": ("管径", "Size"),
    "slope": ("坡度(‰)", "Slope (‰)"),
    "distance": ("距离(m)", "Length (m)"),
    "point": ("点号", "Point"),
    "crossings": ("交叉管线", "Crossings"),
    "depth": ("埋深", "depth"),
    "top_short": ("顶", "top"),
    "bottom_short": ("底", "bottom"),
    "invert_short": ("管底", "invert"),
    "centre": ("中心", "centre"),
    "tunnel": ("地铁隧道", "metro tunnel"),
    "items": ("个要素", "features"),
}


def tr(key: str, lang: str) -> str:
    """The zh or en text of ``key``."""
    zh, en = TEXTS[key]
    return zh if lang.startswith("zh") else en


@dataclass
class ChartStyle:
    """How a chart is drawn: language, vertical exaggeration (None: automatic), sizes, parts shown."""

    lang: str = "zh"
    exaggeration: float | None = None
    title: str | None = None
    font_px: float = 12.0
    table: bool = True
    clearances: bool = True


@dataclass
class Drawn:
    """What a chart drew: its frame (chainage/elevation <-> device), each feature's box (for picking), labels."""

    frame: ChartFrame
    shapes: list[tuple[Rect, str, str]] = field(default_factory=list)    # (box, layer, id)
    labels: list[tuple[Rect, list[str]]] = field(default_factory=list)   # (box, text lines)

    def pick(self, x: float, y: float) -> tuple[str, str] | None:
        """(layer, id) of the feature drawn at device point (x, y), the last drawn on top."""
        for (x0, y0, x1, y1), layer, fid in reversed(self.shapes):
            if x0 <= x <= x1 and y0 <= y <= y1:
                return layer, fid
        return None


@dataclass
class Cell:
    """One table cell: at chainage ``s0`` (a point) or spanning ``s0``..``s1``."""

    s0: float
    text: str
    s1: float | None = None


@dataclass
class TableRow:
    """A table row under the chart: label and cells (point cells are written upright, turned 90 degrees)."""

    label: str
    cells: list[Cell]
    span: bool = False


# ------------------------------------------------------------------ basics
def qcolor(rgb, alpha: int = 255):
    """QColor from 0-255 RGB."""
    from PySide6.QtGui import QColor

    return QColor(int(rgb[0]), int(rgb[1]), int(rgb[2]), alpha)


def pen(rgb, width: float = 1.0, dash: bool = False):
    """A QPen."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPen

    p = QPen(qcolor(rgb))
    p.setWidthF(width)
    if dash:
        p.setStyle(Qt.PenStyle.DashLine)
    return p


def text_size(painter, text: str, f) -> tuple[float, float]:
    """(width, height) of one line of ``text`` in font ``f`` on the painter's device."""
    from PySide6.QtGui import QFontMetricsF

    m = QFontMetricsF(f, painter.device())
    return m.horizontalAdvance(text), m.height()


def draw_text(painter, x: float, y: float, text: str, f, rgb=INK, align: str = "left") -> None:
    """One line of text with its top-left (or top-centre / top-right) at (x, y)."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFontMetricsF

    m = QFontMetricsF(f, painter.device())
    w = m.horizontalAdvance(text)
    if align == "center":
        x -= w / 2
    elif align == "right":
        x -= w
    painter.setFont(f)
    painter.setPen(pen(rgb))
    painter.drawText(QPointF(x, y + m.ascent()), text)


def draw_text_up(painter, x: float, y_bottom: float, text: str, f, rgb=INK) -> None:
    """Text turned 90 degrees (reading upwards), centred on x, starting at y_bottom."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QFontMetricsF

    m = QFontMetricsF(f, painter.device())
    painter.save()
    painter.translate(x, y_bottom)
    painter.rotate(-90)
    painter.setFont(f)
    painter.setPen(pen(rgb))
    painter.drawText(QPointF(0, m.ascent() - m.height() / 2), text)
    painter.restore()


def rgb_of(layer: str, utility: str | None, subtype: str | None, category: str | None = None):
    """Drawing colour: CJJ 61 utility colour for pipes, the style registry's colour for other layers."""
    if layer == "pipe_segments":
        for code, sub in ((utility, subtype), (utility, None)):
            try:
                return utility_colour(code or "", sub)
            except KeyError:
                continue
        return styles.UNKNOWN_UTILITY_RGB
    st = styles.style(layer)
    return st.kind_rgb.get(category, st.rgb) if category else st.rgb


def utility_name(utility: str | None, subtype: str | None, lang: str) -> str:
    """Display name of a utility (its sub-type's name when it has one)."""
    zh = lang.startswith("zh")
    try:
        util, sub = resolve(subtype) if subtype else resolve(utility or "")
    except KeyError:
        try:
            util, sub = resolve(utility or "")
        except KeyError:
            return utility or "?"
    if sub:
        st = next(s for s in util.subtypes if s.code == sub)
        return st.zh if zh else st.en
    return util.name(lang)


def fmt(v: float | None, digits: int = 2) -> str:
    """A number for a chart (an en dash when missing)."""
    return "–" if v is None else f"{v:.{digits}f}"


def chainage_text(s: float) -> str:
    """Chainage in the K+ notation of Chinese drawings: 0+040.00."""
    km = int(s // 1000)
    return f"{km}+{s - km * 1000:06.2f}"


# ------------------------------------------------------------------ layout
def table_height(painter, rows: list[TableRow], style: ChartStyle) -> tuple[list[float], float]:
    """Height of every row and of the whole table."""
    f = font(style.font_px * 0.9)
    _, line_h = text_size(painter, "0", f)
    heights = []
    for row in rows:
        if row.span or not row.cells:
            heights.append(line_h + 2 * TEXT_PAD + 2)
        else:
            widest = max(text_size(painter, c.text, f)[0] for c in row.cells)
            heights.append(min(max(widest, line_h) + 2 * TEXT_PAD + 4, 12 * style.font_px))
    return heights, sum(heights)


def chart_layout(painter, rect, rows: list[TableRow], style: ChartStyle) -> tuple[Rect, float, float]:
    """(plot rectangle, table top, label column width) inside ``rect`` (a QRectF)."""
    f = font(style.font_px)
    line_h = text_size(painter, "0", f)[1]
    labels = [r.label for r in rows] + [tr("elev", style.lang), "-0000.0"]
    col_w = max(text_size(painter, t, f)[0] for t in labels) + 3 * TEXT_PAD
    title_h = text_size(painter, "0", font(style.font_px * 1.5, bold=True))[1] + 2 * line_h + 10
    _, table_h = table_height(painter, rows, style) if rows else ([], 0.0)
    axis_h = line_h + 8
    x0 = rect.x() + col_w
    x1 = rect.x() + rect.width() - 16
    y0 = rect.y() + title_h
    y1 = rect.y() + rect.height() - table_h - axis_h - 6
    return (x0, y0, x1, max(y1, y0 + 40)), max(y1, y0 + 40) + axis_h, col_w


# ------------------------------------------------------------------ parts
def draw_title(painter, rect, title: str, subtitle: str, style: ChartStyle) -> None:
    """Title and subtitle at the top left."""
    big = font(style.font_px * 1.5, bold=True)
    small = font(style.font_px)
    x, y = rect.x() + 8, rect.y() + 4
    draw_text(painter, x, y, title, big)
    draw_text(painter, x, y + text_size(painter, title, big)[1] + 1, subtitle, small, (90, 90, 90))


def draw_legend(painter, rect, entries: list[tuple[str, tuple[int, int, int]]], style: ChartStyle) -> None:
    """Colour swatches with names, right-aligned in the title band."""
    from PySide6.QtCore import QRectF

    f = font(style.font_px)
    x = rect.x() + rect.width() - 16
    y = rect.y() + 6
    _, h = text_size(painter, "0", f)
    for name, rgb in reversed(entries):
        w = text_size(painter, name, f)[0]
        x -= w
        draw_text(painter, x, y, name, f)
        x -= 20
        painter.setPen(pen(INK, 0.6))
        painter.setBrush(qcolor(rgb))
        painter.drawRect(QRectF(x, y + h * 0.2, 16, h * 0.6))
        x -= 14


def draw_grid(painter, frame: ChartFrame, style: ChartStyle) -> None:
    """Grid, plot border, elevation ticks on the left and chainage ticks under the plot."""
    from PySide6.QtCore import QLineF, QRectF, Qt

    f = font(style.font_px * 0.9)
    x0, y0, x1, y1 = frame.plot
    zstep = tick_step(frame.z1 - frame.z0, y1 - y0, 3 * style.font_px)
    sstep = tick_step(frame.s1 - frame.s0, x1 - x0, 6 * style.font_px)
    painter.setPen(pen(GRID, 0.8))
    for z in ticks(frame.z0, frame.z1, zstep):
        y = frame.y(z)
        painter.setPen(pen(GRID, 0.8))
        painter.drawLine(QLineF(x0, y, x1, y))
        draw_text(painter, x0 - TEXT_PAD, y - text_size(painter, "0", f)[1] / 2, f"{z:g}", f, align="right")
    for s in ticks(frame.s0, frame.s1, sstep):
        x = frame.x(s)
        painter.setPen(pen(GRID, 0.8))
        painter.drawLine(QLineF(x, y0, x, y1))
        draw_text(painter, x, y1 + 2, f"{s:g}", f, align="center")
    draw_text(painter, x0 - TEXT_PAD, y0 - text_size(painter, "0", f)[1] - 2, tr("elev", style.lang), f,
              align="right")
    draw_text(painter, x0 - TEXT_PAD, y1 + 2, tr("chainage_m", style.lang), f, align="right")
    painter.setPen(pen(INK, 1.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(QRectF(x0, y0, x1 - x0, y1 - y0))


def draw_ground(painter, frame: ChartFrame, s, z) -> None:
    """Soil below the ground line and the line itself (gaps where the ground is unknown)."""
    import numpy as np
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QPolygonF

    s = np.asarray(s, dtype=float)
    z = np.asarray(z, dtype=float)
    ok = np.isfinite(z)
    if ok.sum() < 1:
        return
    # runs of known ground
    idx = np.flatnonzero(ok)
    breaks = np.flatnonzero(np.diff(idx) > 1)
    bottom = frame.plot[3]
    for run in np.split(idx, breaks + 1):
        xs = [frame.x(v) for v in s[run]]
        ys = [frame.y(v) for v in z[run]]
        if len(run) == 1:
            xs, ys = [xs[0] - 2, xs[0] + 2], [ys[0], ys[0]]
        soil = QPolygonF([QPointF(x, y) for x, y in zip(xs, ys)] + [QPointF(xs[-1], bottom), QPointF(xs[0], bottom)])
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(qcolor(SOIL))
        painter.drawPolygon(soil)
        painter.setPen(pen(GROUND_LINE, 2.0))
        painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys)]))


def draw_callout(painter, drawn: Drawn, placer: LabelPlacer, anchor: tuple[float, float], lines: list[str], f,
                 rgb=INK, reach: float = 400.0) -> Rect | None:
    """A text box placed clear of other labels and features, with a leader line to ``anchor``.

    Recorded in ``drawn.labels``; None (nothing drawn) when no free place was found.
    """
    from PySide6.QtCore import QLineF, QPointF, QRectF

    from viewers.charts.layout import candidates_around

    sizes = [text_size(painter, t, f) for t in lines]
    w = max(sz[0] for sz in sizes) + 2 * TEXT_PAD
    h = sum(sz[1] for sz in sizes) + 2 * TEXT_PAD
    box = placer.place(candidates_around(anchor[0], anchor[1], w, h, reach, h / 2))
    if box is None:
        return None
    bx = min(max(anchor[0], box[0]), box[2])
    by = box[3] if anchor[1] >= box[3] else box[1]
    painter.setPen(pen((120, 120, 120), 0.7))
    painter.drawLine(QLineF(QPointF(*anchor), QPointF(bx, by)))
    painter.setPen(pen((200, 200, 200), 0.5))
    painter.setBrush(qcolor((255, 255, 255), 225))
    painter.drawRect(QRectF(box[0], box[1], box[2] - box[0], box[3] - box[1]))
    y = box[1] + TEXT_PAD
    for text, (_, th) in zip(lines, sizes):
        draw_text(painter, box[0] + TEXT_PAD, y, text, f, rgb)
        y += th
    drawn.labels.append((box, list(lines)))
    return box


def draw_table(painter, frame: ChartFrame, top: float, left: float, rows: list[TableRow],
               style: ChartStyle) -> None:
    """The table under the chart: one row per entry, cells at their chainage (spread apart when crowded)."""
    from PySide6.QtCore import QLineF, QRectF, Qt
    from PySide6.QtGui import QFontMetricsF

    f = font(style.font_px * 0.9)
    fl = font(style.font_px)
    heights, total = table_height(painter, rows, style)
    x0, _, x1, _ = frame.plot
    _, line_h = text_size(painter, "0", f)
    painter.setPen(pen(INK, 1.0))
    painter.drawLine(QLineF(left, top, x1, top))
    y = top
    metrics = QFontMetricsF(f, painter.device())
    painter.save()
    painter.setClipRect(QRectF(left, top, x1 - left + 1, total + 1))
    for row, h in zip(rows, heights):
        draw_text(painter, left + TEXT_PAD, y + (h - text_size(painter, row.label, fl)[1]) / 2, row.label, fl)
        cells = [c for c in row.cells if frame.s0 - 1e-9 <= c.s0 <= frame.s1 + 1e-9]
        if row.span:
            for c in cells:
                a, b = frame.x(c.s0), frame.x(c.s1 if c.s1 is not None else c.s0)
                painter.setPen(pen(INK, 0.6))
                painter.drawLine(QLineF(a, y, a, y + h))
                painter.drawLine(QLineF(b, y, b, y + h))
                text = metrics.elidedText(c.text, Qt.TextElideMode.ElideRight, max(b - a - 2, 0))
                if text:
                    draw_text(painter, (a + b) / 2, y + (h - line_h) / 2, text, f, align="center")
        elif cells:
            cells = [cells[k] for k in thin(len(cells), line_h + 1.0, x1 - x0)]
            want = [frame.x(c.s0) for c in cells]
            at = spread(want, [line_h] * len(cells), x0, x1, 1.0)
            for c, w0, x in zip(cells, want, at):
                painter.setPen(pen((150, 150, 150), 0.6))
                painter.drawLine(QLineF(w0, y, x, y + 3))
                text = metrics.elidedText(c.text, Qt.TextElideMode.ElideRight, h - 2 * TEXT_PAD - 4)
                draw_text_up(painter, x, y + h - TEXT_PAD, text, f)
        y += h
        painter.setPen(pen(INK, 0.8 if y < top + total - 0.5 else 1.0))
        painter.drawLine(QLineF(left, y, x1, y))
    painter.restore()
    painter.setPen(pen(INK, 1.0))
    painter.drawLine(QLineF(left, top, left, top + total))
    painter.drawLine(QLineF(x1, top, x1, top + total))
    painter.drawLine(QLineF(x0, top, x0, top + total))


def shape_box(frame: ChartFrame, s: float, z: float, width: float, height: float,
              min_px: float = 4.0) -> Rect:
    """Device box of a section outline centred at (s, z), at least ``min_px`` each way."""
    w = max(width * frame.sx, min_px)
    h = max(height * frame.sy, min_px)
    x, y = frame.x(s), frame.y(z)
    return (x - w / 2, y - h / 2, x + w / 2, y + h / 2)


def draw_shape(painter, box: Rect, shape: str, rgb, outline=INK, alpha: int = 255) -> None:
    """A filled ellipse (round section) or rectangle in ``box``."""
    from PySide6.QtCore import QRectF

    r = QRectF(box[0], box[1], box[2] - box[0], box[3] - box[1])
    painter.setPen(pen(outline, 0.8))
    painter.setBrush(qcolor(rgb, alpha))
    if shape == "circle":
        painter.drawEllipse(r)
    else:
        painter.drawRect(r)
