"""The longitudinal profile chart (纵断面图): ground, pipe crown and invert, manholes, crossings, table."""
from __future__ import annotations

from gis.cuts.profile import Profile, Station
from viewers.charts import draw as d
from viewers.charts.fonts import font
from viewers.charts.layout import ChartFrame, LabelPlacer
from viewers.charts.section_chart import data_range, headroom, item_rgb, item_title, legend

DEFAULT_WELL_DIAMETER_M = 1.0
END_PAD = 0.03          # share of the run length added before its start and after its end
MIN_WELL_PX = 6.0


def _pair(a: float | None, b: float | None, digits: int = 3) -> str:
    """One value, or "in/out" where a level changes at a station (a drop manhole, a change of size)."""
    vals = [v for v in (a, b) if v is not None]
    if not vals:
        return "–"
    if len(vals) == 2 and abs(vals[0] - vals[1]) >= 0.5 * 10 ** -digits:
        return f"{vals[0]:.{digits}f}/{vals[1]:.{digits}f}"
    return f"{vals[0]:.{digits}f}"


def _depth(st: Station, level: float | None) -> float | None:
    return None if st.ground_elev is None or level is None else st.ground_elev - level


def table_rows(profile: Profile, lang: str) -> list[d.TableRow]:
    """Rows of the 纵断面 table: ground, invert (or crown), depth, size, slope, length, chainage, point, crossings."""
    st, segs = profile.stations, profile.segments
    invert = profile.depth_ref == "invert"
    level_key = "invert" if invert else "crown"
    depth_key = "invert_depth" if invert else "cover"

    def level(s: Station, end: str):
        return getattr(s, f"{level_key}_{end}")

    return [
        d.TableRow(d.tr("ground", lang), [d.Cell(s.s, d.fmt(s.ground_elev, 3)) for s in st]),
        d.TableRow(d.tr(level_key, lang), [d.Cell(s.s, _pair(level(s, "in"), level(s, "out"))) for s in st]),
        d.TableRow(d.tr(depth_key, lang), [d.Cell(s.s, _pair(_depth(s, level(s, "in")), _depth(s, level(s, "out")), 2))
                                           for s in st]),
        d.TableRow(d.tr("size", lang), [d.Cell(g.s_from, " ".join(t for t in (g.size_label, g.material) if t), g.s_to)
                                        for g in segs], span=True),
        d.TableRow(d.tr("slope", lang), [d.Cell(g.s_from, d.fmt(g.slope_permille, 2), g.s_to) for g in segs],
                   span=True),
        d.TableRow(d.tr("distance", lang), [d.Cell(g.s_from, f"{g.length_m:.2f}", g.s_to) for g in segs], span=True),
        d.TableRow(d.tr("chainage", lang), [d.Cell(s.s, d.chainage_text(s.s)) for s in st]),
        d.TableRow(d.tr("point", lang), [d.Cell(s.s, s.point_id) for s in st]),
        d.TableRow(d.tr("crossings", lang), [d.Cell(c.item.s, f"{item_title(c.item, lang)} {c.item.z:.2f}")
                                             for c in profile.crossings]),
    ]


def _well_span(st: Station, profile: Profile) -> tuple[float, float]:
    """(top, bottom) elevation of a manhole: ground to well bottom, else around the pipes at it."""
    levels = [v for v in (st.crown_in, st.crown_out, st.invert_in, st.invert_out) if v is not None]
    top = st.ground_elev if st.ground_elev is not None else max(levels) + 0.3
    bottom = st.well_bottom_elev if st.well_bottom_elev is not None else min(levels) - 0.1
    return top, bottom


def _draw_run(painter, frame: ChartFrame, profile: Profile, drawn: d.Drawn) -> None:
    """Every run segment as a band from crown to outside bottom, with crown and invert lines."""
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtGui import QPolygonF

    for g in profile.segments:
        rgb = d.rgb_of("pipe_segments", g.utility, g.subtype)
        h = g.height_m or 0.0
        hin = g.inner_height_m if g.inner_height_m is not None else h
        xs = [frame.x(s) for s in g.vertex_s]
        top = [QPointF(x, frame.y(z + h / 2)) for x, z in zip(xs, g.vertex_z)]
        bottom = [QPointF(x, frame.y(z - h / 2)) for x, z in zip(xs, g.vertex_z)]
        invert = [QPointF(x, frame.y(z - hin / 2)) for x, z in zip(xs, g.vertex_z)]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(d.qcolor(rgb, 90))
        painter.drawPolygon(QPolygonF(top + bottom[::-1]))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(d.pen(rgb, 2.0))
        painter.drawPolyline(QPolygonF(top))
        painter.drawPolyline(QPolygonF(invert))
        ys = [p.y() for p in top + bottom]
        drawn.shapes.append(((min(xs), min(ys), max(xs), max(ys)), "pipe_segments", g.line_id))


def _draw_stations(painter, frame: ChartFrame, profile: Profile, drawn: d.Drawn,
                   placer: LabelPlacer) -> list[tuple[Station, tuple]]:
    """Manholes as boxes from ground to well bottom; other pipe points as a dashed line down to the crown."""
    from PySide6.QtCore import QLineF

    out = []
    for st in profile.stations:
        x = frame.x(st.s)
        if st.is_well:
            top, bottom = _well_span(st, profile)
            w = max((st.well_diameter_m or DEFAULT_WELL_DIAMETER_M) * frame.sx, MIN_WELL_PX)
            box = (x - w / 2, frame.y(top), x + w / 2, frame.y(bottom))
            d.draw_shape(painter, box, "rect", (255, 255, 255))
            placer.block(box)
            drawn.shapes.append((box, "pipe_points", st.point_id))
        else:
            crowns = [v for v in (st.crown_in, st.crown_out) if v is not None]
            top = st.ground_elev if st.ground_elev is not None else max(crowns)
            painter.setPen(d.pen((130, 130, 130), 0.8, dash=True))
            painter.drawLine(QLineF(x, frame.y(top), x, frame.y(max(crowns))))
            box = (x - 2, frame.y(top), x + 2, frame.y(max(crowns)))
        out.append((st, box))
    return out


def draw_profile(painter, rect, profile: Profile, style: d.ChartStyle | None = None) -> d.Drawn:
    """Draw ``profile`` into ``rect`` (QRectF) of any QPainter device; returns what was drawn where."""
    from PySide6.QtCore import QRectF

    style = style or d.ChartStyle()
    lang = style.lang
    rows = table_rows(profile, lang) if style.table else []
    plot, table_top, _ = d.chart_layout(painter, rect, rows, style)
    extra = [v for g in profile.segments for v in (min(g.vertex_z) - (g.height_m or 0) / 2,
                                                   max(g.vertex_z) + (g.height_m or 0) / 2)]
    extra += [v for st in profile.stations if st.is_well for v in _well_span(st, profile)]
    pad = END_PAD * profile.length
    frame = ChartFrame.fit(plot, (-pad, profile.length + pad),
                           data_range([c.item for c in profile.crossings], profile.ground_z, extra),
                           style.exaggeration, headroom(plot, style))
    drawn = d.Drawn(frame)
    name = d.utility_name(profile.run.utility, profile.segments[0].subtype, lang)
    subtitle = (f"{name}  {profile.run.point_ids[0]} → {profile.run.point_ids[-1]}    "
                f"{d.tr('length', lang)} {profile.length:.2f} m    {d.tr('ve', lang)} ×{frame.exaggeration:g}")
    d.draw_title(painter, rect, style.title or d.tr("profile", lang), subtitle, style)
    entries = [(d.utility_name(g.utility, g.subtype, lang), d.rgb_of("pipe_segments", g.utility, g.subtype))
               for g in profile.segments]
    entries += [(item_title(c.item, lang).split(" ")[0], item_rgb(c.item)) for c in profile.crossings
                if c.item.kind == "pipe"]
    d.draw_legend(painter, rect, legend(entries), style)
    d.draw_grid(painter, frame, style)
    painter.save()
    painter.setClipRect(QRectF(plot[0], plot[1], plot[2] - plot[0], plot[3] - plot[1]))
    d.draw_ground(painter, frame, profile.ground_s, profile.ground_z)
    placer = LabelPlacer(plot)
    stations = _draw_stations(painter, frame, profile, drawn, placer)
    _draw_run(painter, frame, profile, drawn)
    crossings = []
    for c in profile.crossings:
        it = c.item
        box = d.shape_box(frame, it.s, it.z, it.apparent_width_m, it.height_m or 0.0)
        d.draw_shape(painter, box, it.shape, item_rgb(it), alpha=110 if it.kind == "volume" else 255)
        placer.block(box)
        drawn.shapes.append((box, it.layer, it.id))
        crossings.append((c, box))
    painter.restore()
    f = font(style.font_px)
    reach = plot[3] - plot[1]
    for st, box in stations:
        if st.is_well:
            d.draw_callout(painter, drawn, placer, ((box[0] + box[2]) / 2, box[1]), [st.point_id], f, reach=reach)
    for c, box in crossings:
        lines = [item_title(c.item, lang), f"{d.tr('centre', lang)} {c.item.z:.2f}",
                 f"{d.tr('clear_short', lang)} {d.fmt(c.clear_m)}"]
        d.draw_callout(painter, drawn, placer, ((box[0] + box[2]) / 2, box[1]), lines, f, reach=reach)
    if rows:
        d.draw_table(painter, frame, table_top, rect.x() + 2, rows, style)
    return drawn
