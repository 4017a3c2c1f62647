"""Charts of sections and profiles: pixels in PNG and PDF, Chinese labels, CSV tables, layout helpers."""
from __future__ import annotations

import csv
import itertools
import subprocess

import numpy as np
import pytest

from gis.cuts import cross_section, longitudinal_profile, records, write_csv
from tests.profile_fixtures import sewer_run, three_pipes, xy_line

PS_RGB, JS_RGB, RQ_RGB, DL_RGB = (76, 57, 38), (0, 255, 255), (255, 0, 255), (255, 0, 0)
PDF_MARGIN_PX = 10.0 / 25.4 * 96            # viewers.charts.output: 10 mm margins at 96 dpi


@pytest.fixture(scope="module")
def section(tmp_path_factory):
    proj = three_pipes(tmp_path_factory.mktemp("sec") / "three.gpkg")
    sec = cross_section(proj, xy_line((-10, 0), (10, 0)))
    proj.close()
    return sec


@pytest.fixture(scope="module")
def profile(tmp_path_factory):
    proj = sewer_run(tmp_path_factory.mktemp("prof") / "sewer.gpkg")
    prof = longitudinal_profile(proj, ["W1", "W3"])
    proj.close()
    return prof


def _capture(result, **kw):
    """A drawing callable for output.save_* that keeps the Drawn it returns."""
    from viewers.charts.export import draw_chart

    held = {}

    def paint(painter, rect):
        held["drawn"] = draw_chart(painter, rect, result, **kw)

    return paint, held


def _pixels(path) -> np.ndarray:
    from PySide6.QtGui import QImage

    from viewers.charts.output import ensure_app

    ensure_app()
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_RGB888)
    assert not img.isNull(), path
    arr = np.frombuffer(img.constBits(), dtype=np.uint8).reshape(img.height(), img.bytesPerLine())
    return arr[:, : img.width() * 3].reshape(img.height(), img.width(), 3).copy()


def _pdf_pixels(pdf, tmp_path) -> np.ndarray:
    out = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "96", "-png", "-singlefile", str(pdf), str(out)], check=True, timeout=60)
    return _pixels(out.with_suffix(".png"))


def _centre(box):
    return int(round((box[1] + box[3]) / 2)), int(round((box[0] + box[2]) / 2))


def _ink(pixels, box, dx=0.0, dy=0.0) -> float:
    """Share of clearly non-white pixels inside a device box (shifted by dx, dy)."""
    x0, y0, x1, y1 = (int(round(v)) for v in (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy))
    patch = pixels[y0:y1, x0:x1].astype(int)
    return float((patch.min(axis=2) < 160).mean())


def _shape_box(drawn, fid):
    return next(b for b, _, i in drawn.shapes if i == fid)


def test_section_png_has_each_pipe_in_its_utility_colour(section, tmp_path):
    from viewers.charts.output import save_png

    paint, held = _capture(section)
    save_png(paint, tmp_path / "s.png", (1600, 1000))
    px = _pixels(tmp_path / "s.png")
    assert px.shape == (1000, 1600, 3)
    drawn = held["drawn"]
    for fid, rgb in (("A", JS_RGB), ("B", RQ_RGB), ("C", DL_RGB)):
        box = _shape_box(drawn, fid)
        assert tuple(px[_centre(box)]) == rgb, fid
    # circles and the box sit at their chainage and centre elevation
    f = drawn.frame
    for it in section.items:
        box = _shape_box(drawn, it.id)
        assert (box[0] + box[2]) / 2 == pytest.approx(f.x(it.s)) and (box[1] + box[3]) / 2 == pytest.approx(f.y(it.z))
    # true shape at exaggeration 1: the DN300 circle is as tall as wide, the 800x600 box 4:3
    a, c = _shape_box(drawn, "A"), _shape_box(drawn, "C")
    assert f.exaggeration == 1
    assert (a[2] - a[0]) == pytest.approx(a[3] - a[1])
    assert (c[2] - c[0]) / (c[3] - c[1]) == pytest.approx(0.8 / 0.6)
    # the ground line (4.0) is drawn across the plot (except where a label box sits on it)
    y_ground = int(round(f.y(4.0)))
    x0, x1 = int(f.plot[0]) + 5, int(f.plot[2]) - 5
    row = px[y_ground - 1:y_ground + 2, x0:x1].astype(int)
    hit = (np.abs(row - np.array((120, 90, 50))).sum(axis=2) < 60).any(axis=0)
    free = np.ones(x1 - x0, dtype=bool)
    for b, _ in drawn.labels:
        if b[1] - 1 <= y_ground <= b[3] + 1:
            free[max(int(b[0]) - 1 - x0, 0):max(int(b[2]) + 2 - x0, 0)] = False
    assert free.mean() > 0.8 and hit[free].all()


def test_section_labels_are_chinese_do_not_overlap_and_are_drawn(section, tmp_path):
    from PySide6.QtGui import QFontMetricsF

    from viewers.charts.fonts import cjk_family, font
    from viewers.charts.layout import overlaps
    from viewers.charts.output import save_png

    paint, held = _capture(section)
    save_png(paint, tmp_path / "s.png", (1600, 1000))
    drawn = held["drawn"]
    texts = [lines for _, lines in drawn.labels]
    assert ["给水 DN300", "覆土 1.74", "顶 2.66"] in texts
    assert ["电力 800x600", "覆土 0.70", "顶 3.30"] in texts
    assert "CJK" in cjk_family()
    assert all(QFontMetricsF(font(12)).inFontUcs4(ord(ch)) for ch in "给水覆土顶燃气电力横断面")
    boxes = [b for b, _ in drawn.labels] + [b for b, _, _ in drawn.shapes]
    for (a, _), (b, _) in itertools.combinations(drawn.labels, 2):
        assert not overlaps(a, b)
    for (a, _), (b, _, _) in itertools.product(drawn.labels, drawn.shapes):
        assert not overlaps(a, b)
    px = _pixels(tmp_path / "s.png")
    for box in boxes[: len(drawn.labels)]:
        assert _ink(px, box) > 0.04
    assert len(boxes) == 6


def test_section_pdf_is_vector_and_renders_pipes_and_chinese_labels(section, tmp_path):
    from viewers.charts.output import save_pdf

    paint, held = _capture(section)
    pdf = save_pdf(paint, tmp_path / "s.pdf", "A3")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and b"/FontFile" in data            # text kept as text (embedded font)
    px = _pdf_pixels(pdf, tmp_path)
    drawn = held["drawn"]
    m = PDF_MARGIN_PX
    for fid, rgb in (("A", JS_RGB), ("B", RQ_RGB), ("C", DL_RGB)):
        y, x = _centre(_shape_box(drawn, fid))
        got = px[int(round(y + m)), int(round(x + m))].astype(int)
        assert np.abs(got - rgb).max() <= 12, (fid, got)
    for box, lines in drawn.labels:
        assert _ink(px, box, m, m) > 0.04, lines
    # an empty part of the sky stays white
    f = drawn.frame
    assert _ink(px, (f.plot[0] + 5, f.plot[1] + 5, f.plot[0] + 60, f.plot[1] + 20), m, m) == 0


def test_profile_png_draws_run_manholes_and_crossing(profile, tmp_path):
    from viewers.charts.output import save_png

    paint, held = _capture(profile)
    save_png(paint, tmp_path / "p.png", (1600, 1000))
    px = _pixels(tmp_path / "p.png").astype(int)
    drawn = held["drawn"]
    f = drawn.frame
    assert f.exaggeration > 1
    # crown line of S1 at chainage 10 in the drainage colour
    x = int(round(f.x(10.0)))
    y = f.y(2.0 - 0.002 * 10 + (0.4 + 2 * 400 / 12 / 1000) / 2)
    col = px[int(y) - 2:int(y) + 3, x]
    assert (np.abs(col - PS_RGB).sum(axis=1) < 40).any()
    # the water main crossing at chainage 20, centre 3.0, in cyan
    box = _shape_box(drawn, "X1")
    assert (box[0] + box[2]) / 2 == pytest.approx(f.x(20.0)) and (box[1] + box[3]) / 2 == pytest.approx(f.y(3.0))
    assert tuple(px[_centre(box)]) == JS_RGB
    # manholes: white boxes from ground to well bottom, in order, labelled with their ids
    wells = [(b, i) for b, layer, i in drawn.shapes if layer == "pipe_points"]
    assert [i for _, i in wells] == ["W1", "W2", "W3"]
    w2 = wells[1][0]
    assert (w2[1], w2[3]) == pytest.approx((f.y(4.1), f.y(1.5)))
    assert tuple(px[_centre(w2)]) == (255, 255, 255)
    assert [lines for _, lines in drawn.labels if len(lines) == 1] == [["W1"], ["W2"], ["W3"]]
    assert ["给水 DN200", "中心 3.00", "净距 0.71"] in [lines for _, lines in drawn.labels]


def test_profile_pdf_and_english_labels(profile, tmp_path):
    from viewers.charts.draw import ChartStyle
    from viewers.charts.output import save_pdf

    paint, held = _capture(profile, style=ChartStyle(lang="en", exaggeration=10))
    pdf = save_pdf(paint, tmp_path / "p.pdf", "A4")
    px = _pdf_pixels(pdf, tmp_path)
    drawn = held["drawn"]
    assert drawn.frame.exaggeration == 10
    assert ["water supply DN200", "centre 3.00", "clear 0.71"] in [lines for _, lines in drawn.labels]
    y, x = _centre(_shape_box(drawn, "X1"))
    assert np.abs(px[int(round(y + PDF_MARGIN_PX)), int(round(x + PDF_MARGIN_PX))].astype(int) - JS_RGB).max() <= 12


def test_pick_finds_the_feature_under_a_point(section):
    from viewers.charts.export import draw_chart
    from viewers.charts.output import render_image

    held = {}
    render_image(lambda p, r: held.setdefault("d", draw_chart(p, r, section)), (1200, 800))
    drawn = held["d"]
    y, x = _centre(_shape_box(drawn, "B"))
    assert drawn.pick(x, y) == ("pipe_segments", "B")
    assert drawn.pick(drawn.frame.plot[0] + 1, drawn.frame.plot[1] + 1) is None


def test_a_widget_paint_event_draws_the_same_chart(profile):
    """The app's panel is a thin QWidget whose paintEvent calls draw_chart."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QWidget

    from viewers.charts.export import draw_chart
    from viewers.charts.output import ensure_app

    ensure_app()

    class Panel(QWidget):
        drawn = None

        def paintEvent(self, event):  # noqa: N802 - Qt API
            painter = QPainter(self)
            self.drawn = draw_chart(painter, QRectF(self.rect()), profile)
            painter.end()

    panel = Panel()
    panel.resize(1000, 700)
    img = panel.grab().toImage()
    y, x = _centre(_shape_box(panel.drawn, "X1"))
    assert img.pixelColor(x, y).getRgb()[:3] == JS_RGB
    assert img.pixelColor(3, 3).getRgb()[:3] == (255, 255, 255)
    assert [i for _, layer, i in panel.drawn.shapes if layer == "pipe_points"] == ["W1", "W2", "W3"]


@pytest.mark.parametrize("which", ["section", "profile"])
def test_csv_round_trips_with_bom(which, section, profile, tmp_path):
    result = section if which == "section" else profile
    path = write_csv(result, tmp_path / "t.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    expected = records(result)
    assert len(rows) == len(expected)
    for got, want in zip(rows, expected):
        assert {k: v for k, v in got.items() if v != ""} == {k: str(v) for k, v in want.items() if v is not None}
    kinds = [r["record"] for r in rows]
    if which == "profile":
        assert kinds == ["station"] * 3 + ["segment"] * 2 + ["crossing"]
        assert [r["point_id"] for r in rows[:3]] == ["W1", "W2", "W3"]
        assert float(rows[1]["invert_out"]) == pytest.approx(1.70)
    else:
        assert kinds == ["item"] * 3 + ["clearance"] * 2
        assert rows[0]["material"] == "钢"


# ------------------------------------------------------------------ layout (no Qt)
def test_spread_keeps_order_moves_only_what_collides():
    from viewers.charts.layout import spread

    assert spread([10, 50, 90], [8, 8, 8], 0, 100) == [10, 50, 90]
    out = spread([50, 51, 52, 90], [10, 10, 10, 10], 0, 100, gap=2)
    assert out == sorted(out)
    assert all(b - a >= 12 - 1e-9 for a, b in zip(out, out[1:]))
    assert sum(out[:3]) / 3 == pytest.approx(51)                 # the cluster stays centred on its wishes
    assert out[3] == 90
    edge = spread([1, 2], [10, 10], 0, 100, gap=0)
    assert edge == [5, 15]                                        # pushed inside the bounds


def test_frame_fit_and_automatic_exaggeration():
    from viewers.charts.layout import ChartFrame

    f = ChartFrame.fit((100, 50, 1100, 550), (0, 100), (0, 4))
    assert f.sx == pytest.approx(10) and f.exaggeration == 5   # 4 m x 10 px x 5 = 200 px >= 35 % of 500
    assert f.x(0) == 100 and f.x(100) == 1100
    assert (f.y(0) + f.y(4)) / 2 == pytest.approx(300)          # data centred vertically
    tall = ChartFrame.fit((0, 0, 1000, 500), (0, 10), (0, 100), exaggeration=1)
    assert tall.sy == pytest.approx(5) and tall.s0 < 0 and tall.s1 > 10  # widened, not squashed
    assert (tall.x(0) + tall.x(10)) / 2 == pytest.approx(500)


def test_label_placer_avoids_taken_boxes():
    from viewers.charts.layout import LabelPlacer, candidates_around

    placer = LabelPlacer((0, 0, 200, 200))
    placer.block((90, 90, 110, 110))
    first = placer.place(candidates_around(100, 90, 40, 10, 100, 5))
    second = placer.place(candidates_around(100, 90, 40, 10, 100, 5))
    assert first is not None and second is not None and first != second
    assert placer.place([(-5, 0, 10, 10), (95, 95, 100, 100)]) is None
