"""The cross-section chart (横断面图): ground, every cut feature at its depth, labels, clear distances, table."""
from __future__ import annotations

import numpy as np

from gis.cuts.items import SectionItem
from gis.cuts.section import Section
from viewers.charts import draw as d
from viewers.charts.fonts import font
from viewers.charts.layout import ChartFrame, LabelPlacer

SECTION_MIN_FILL = 0.12  # automatic exaggeration of sections: stay at true shape (1) unless the data are flatter
HEADROOM_LINES = 5.0   # room kept above the data for labels, in label lines (at most 30 % of the plot)


def item_rgb(item: SectionItem):
    """Colour of an item (CJJ 61 utility colour for pipes)."""
    return d.rgb_of(item.layer, item.utility, item.subtype, item.category)


def item_title(item: SectionItem, lang: str) -> str:
    """First label line: utility (or name) and size."""
    if item.kind == "pipe":
        return f"{d.utility_name(item.utility, item.subtype, lang)} {item.size_label}".strip()
    if item.kind == "tunnel":
        return f"{item.name or d.tr('tunnel', lang)} {item.size_label}"
    return item.name or item.id


def item_lines(item: SectionItem, lang: str) -> list[str]:
    """Label lines of an item: what it is, its depth and an elevation (by its survey convention)."""
    title = item_title(item, lang)
    if item.kind == "volume":
        return [title, f"{d.tr('top_short', lang)} {d.fmt(item.top_elev)}  "
                       f"{d.tr('bottom_short', lang)} {d.fmt(item.bottom_elev)}"]
    if item.depth_ref == "invert":
        return [title, f"{d.tr('invert_depth', lang)} {d.fmt(item.invert_depth_m)}",
                f"{d.tr('invert_short', lang)} {d.fmt(item.invert_elev)}"]
    return [title, f"{d.tr('cover', lang)} {d.fmt(item.cover_m)}",
            f"{d.tr('top_short', lang)} {d.fmt(item.top_elev)}"]


def data_range(items: list[SectionItem], ground_z, extra=()) -> tuple[float, float]:
    """Elevation range of items, ground and ``extra`` values, with a small margin."""
    zs = [v for it in items for v in (it.top_elev, it.bottom_elev)] + list(extra)
    g = np.asarray(ground_z, dtype=float)
    zs += list(g[np.isfinite(g)])
    zs = [z for z in zs if z is not None and np.isfinite(z)]
    if not zs:
        return 0.0, 10.0
    lo, hi = min(zs), max(zs)
    span = max(hi - lo, 1.0)
    return lo - 0.05 * span, hi + 0.02 * span


def headroom(plot, style: d.ChartStyle) -> float:
    """Device units kept free above the data for labels."""
    return min(0.3 * (plot[3] - plot[1]), HEADROOM_LINES * 1.45 * style.font_px)


def table_rows(section: Section, lang: str) -> list[d.TableRow]:
    """Rows of the section table: feature, ground, top, invert, cover, clear distances, chainage."""
    items = section.items
    horizontal = []
    for c in sorted((c for c in section.clearances if c.direction == "horizontal"), key=lambda c: c.clear_m):
        if all(c.s_to <= h.s_from or c.s_from >= h.s_to for h in horizontal):   # one row: no overlapping spans
            horizontal.append(c)
    horizontal.sort(key=lambda c: c.s_from)
    return [
        d.TableRow(d.tr("feature", lang), [d.Cell(i.s, f"{i.id} {i.size_label}".strip()) for i in items]),
        d.TableRow(d.tr("ground", lang), [d.Cell(i.s, d.fmt(i.ground_elev, 3)) for i in items]),
        d.TableRow(d.tr("top", lang), [d.Cell(i.s, d.fmt(i.top_elev, 3)) for i in items]),
        d.TableRow(d.tr("invert", lang), [d.Cell(i.s, d.fmt(i.invert_elev, 3)) for i in items]),
        d.TableRow(d.tr("cover", lang), [d.Cell(i.s, d.fmt(i.cover_m, 2)) for i in items]),
        d.TableRow(d.tr("clear", lang), [d.Cell(c.s_from, d.fmt(c.clear_m, 2), c.s_to) for c in horizontal],
                   span=True),
        d.TableRow(d.tr("chainage", lang), [d.Cell(i.s, d.chainage_text(i.s)) for i in items]),
    ]


def legend(entries) -> list[tuple[str, tuple[int, int, int]]]:
    """Unique (name, colour) pairs in first-seen order."""
    out: list[tuple[str, tuple[int, int, int]]] = []
    for e in entries:
        if e not in out:
            out.append(e)
    return out


def draw_items(painter, frame: ChartFrame, items: list[SectionItem], drawn: d.Drawn,
               placer: LabelPlacer) -> list[tuple[SectionItem, tuple]]:
    """Every item's apparent outline at its depth; returns (item, box) in drawing order."""
    boxes = []
    for it in sorted(items, key=lambda i: -(i.apparent_width_m * (i.height_m or 0))):   # big ones first
        height = it.height_m if it.height_m else 0.0
        box = d.shape_box(frame, it.s, it.z, it.apparent_width_m, height)
        d.draw_shape(painter, box, it.shape, item_rgb(it), alpha=110 if it.kind == "volume" else 255)
        placer.block(box)
        drawn.shapes.append((box, it.layer, it.id))
        boxes.append((it, box))
    return boxes


def draw_clearances(painter, frame: ChartFrame, section: Section, placer: LabelPlacer, f) -> None:
    """Dimension lines of the clear distances with their values."""
    from PySide6.QtCore import QLineF

    items = {(i.layer, i.id): i for i in section.items}
    for c in section.clearances:
        x0, x1 = frame.x(c.s_from), frame.x(c.s_to)
        y0, y1 = frame.y(c.z_from), frame.y(c.z_to)
        if c.direction == "horizontal":      # extension lines from edges that lie off the dimension's level
            painter.setPen(d.pen(d.DIM, 0.6, dash=True))
            for s, key in ((c.s_from, (c.a_layer, c.a_id)), (c.s_to, (c.b_layer, c.b_id))):
                it = items[key]
                if not it.bottom_elev <= c.z_from <= it.top_elev:
                    painter.drawLine(QLineF(frame.x(s), frame.y(it.z), frame.x(s), y0))
        painter.setPen(d.pen(d.DIM, 0.9))
        painter.drawLine(QLineF(x0, y0, x1, y1))
        tick = 4.0
        if c.direction == "horizontal":
            painter.drawLine(QLineF(x0, y0 - tick, x0, y0 + tick))
            painter.drawLine(QLineF(x1, y1 - tick, x1, y1 + tick))
        else:
            painter.drawLine(QLineF(x0 - tick, y0, x0 + tick, y0))
            painter.drawLine(QLineF(x1 - tick, y1, x1 + tick, y1))
        text = d.fmt(c.clear_m)
        w, h = d.text_size(painter, text, f)
        mx, my = (x0 + x1) / 2, (y0 + y1) / 2
        cands = ([(mx - w / 2, my - h - 2, mx + w / 2, my - 2), (mx - w / 2, my + 2, mx + w / 2, my + h + 2)]
                 if c.direction == "horizontal" else
                 [(mx + 3, my - h / 2, mx + 3 + w, my + h / 2), (mx - 3 - w, my - h / 2, mx - 3, my + h / 2)])
        box = placer.place(cands)
        if box is not None:
            d.draw_text(painter, box[0], box[1], text, f, d.DIM)


def draw_section(painter, rect, section: Section, style: d.ChartStyle | None = None,
                 kind: str = "section") -> d.Drawn:
    """Draw ``section`` into ``rect`` (QRectF) of any QPainter device; returns what was drawn where.

    ``kind`` "section" (横断面图) or "line_profile" (a profile along an
    arbitrary line: the same content, titled as a profile).
    """
    from PySide6.QtCore import QRectF

    style = style or d.ChartStyle()
    lang = style.lang
    rows = table_rows(section, lang) if style.table else []
    plot, table_top, col_w = d.chart_layout(painter, rect, rows, style)
    frame = ChartFrame.fit(plot, (0.0, section.length), data_range(section.items, section.ground_z),
                           style.exaggeration, headroom(plot, style), SECTION_MIN_FILL)
    drawn = d.Drawn(frame)
    title = style.title or d.tr(kind, lang)
    subtitle = (f"{d.tr('length', lang)} {section.length:.2f} m    {d.tr('ve', lang)} ×{frame.exaggeration:g}"
                f"    {len(section.items)} {d.tr('items', lang)}")
    d.draw_title(painter, rect, title, subtitle, style)
    d.draw_legend(painter, rect, legend((item_title(i, lang).split(" ")[0], item_rgb(i)) for i in section.items
                                        if i.kind == "pipe"), style)
    d.draw_grid(painter, frame, style)
    painter.save()
    painter.setClipRect(QRectF(plot[0], plot[1], plot[2] - plot[0], plot[3] - plot[1]))
    d.draw_ground(painter, frame, section.ground_s, section.ground_z)
    placer = LabelPlacer(plot)
    boxes = draw_items(painter, frame, section.items, drawn, placer)
    f = font(style.font_px)
    if style.clearances:
        draw_clearances(painter, frame, section, placer, font(style.font_px * 0.9))
    painter.restore()
    for it, box in sorted(boxes, key=lambda p: p[0].s):
        d.draw_callout(painter, drawn, placer, ((box[0] + box[2]) / 2, box[1]), item_lines(it, lang), f,
                       reach=plot[3] - plot[1])
    if rows:
        d.draw_table(painter, frame, table_top, rect.x() + 2, rows, style)
    return drawn
