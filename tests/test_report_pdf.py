"""Check reports as PDF (viewers.qt_print): vector CJK text, pages, header/footer, rows never split."""
from __future__ import annotations

import subprocess
import unicodedata

import numpy as np
import pytest

from gis.analysis import clearance
from gis.report import ReportOptions, build_report, companion_csv_path
from tests.conftest import run_cli
from tests.report_cases import clearance_project, many_findings_project
from viewers import qt_print
from viewers.report_output import render_map


def pdf_text(path, page: int | None = None) -> str:
    """pdftotext output, NFKC-normalised (poppler maps some CJK glyphs to Kangxi radicals)."""
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return unicodedata.normalize("NFKC", subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def page_pixels(path, page: int = 1, dpi: int = 60) -> np.ndarray:
    """Page ``page`` rendered by pdftoppm, (h, w, 3) uint8."""
    from PIL import Image

    prefix = path.with_name(f"{path.stem}-p{page}")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                    str(path), str(prefix)], check=True)
    return np.asarray(Image.open(f"{prefix}.png").convert("RGB"))


def pages_of(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture(scope="module")
def small(tmp_path_factory, qapp):
    """Reports of the clearance case in both languages and in English only, as PDF."""
    folder = tmp_path_factory.mktemp("pdf")
    proj = clearance_project(folder / "c.gpkg")
    result = clearance.run(proj)
    paths = {}
    for lang in ("both", "en"):
        report = build_report(result, proj, ReportOptions(lang=lang), render_map=render_map)
        paths[lang] = folder / f"{lang}.pdf"
        qt_print.write_pdf(report, paths[lang])
    yield result, paths
    proj.close()


def test_pdf_embeds_noto_cjk_and_draws_the_chinese_title(small):
    result, paths = small
    fonts = subprocess.run(["pdffonts", str(paths["both"])], capture_output=True, text=True, check=True).stdout
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert cjk and all(" yes " in line for line in cjk)          # embedded
    text = pdf_text(paths["both"], 1)
    assert "管线净距分析报告 Clearance check report" in text       # vector text, not an image
    assert "管线净距分析报告" not in pdf_text(paths["en"], 1)
    # the title line (between the page header band and the overview table): the Chinese title adds ink
    both, en = page_pixels(paths["both"], dpi=100), page_pixels(paths["en"], dpi=100)
    assert both.shape == en.shape
    h = both.shape[0]
    rows = slice(int(h * 0.08), int(h * 0.118))
    ink_both = (both[rows].min(axis=2) < 100).sum()
    ink_en = (en[rows].min(axis=2) < 100).sum()
    assert ink_en > 500 and ink_both > ink_en * 1.5


def test_pdf_pages_have_text_header_and_page_numbers(small):
    result, paths = small
    n = pages_of(paths["both"])
    assert n >= 2
    pixels = page_pixels(paths["both"])
    assert (pixels.min(axis=2) < 128).mean() > 0.005             # the page is not blank
    n_en = pages_of(paths["en"])
    for page in (1, n_en):
        text = pdf_text(paths["en"], page)
        assert f"Page {page} of {n_en}" in text
        assert result.run_id in text and "c.gpkg" in text
    # the bilingual footer: ink at the bottom right of every page
    for page in (1, n):
        pixels = page_pixels(paths["both"], page, dpi=100)
        h, w, _ = pixels.shape
        assert (pixels[int(h * 0.93):, int(w * 0.7):].min(axis=2) < 200).sum() > 100
    full = pdf_text(paths["both"])
    for f in result.findings.itertuples():
        assert f.rule_id in full
    assert "未核实 unverified" in full and "有争议 disputed" in full


def test_pdf_map_extract_has_severity_colours(small):
    from gis.report.style import SEVERITY_COLOURS

    result, paths = small
    for page in range(1, pages_of(paths["both"]) + 1):
        pixels = page_pixels(paths["both"], page, dpi=100).astype(int)
        near = {s: (np.abs(pixels - np.array(c)).sum(axis=2) < 30).sum() for s, c in SEVERITY_COLOURS.items()}
        if near["major"] > 50 and near["minor"] > 20:
            return
    pytest.fail("no page shows the map markers")


def test_plan_pages_cuts_between_spans_and_repeats_headers():
    spans = [(0, 10), (10, 30), (30, 45), (45, 60), (60, 75), (75, 90), (90, 120)]
    pages = qt_print.plan_pages(spans, [(30, 45, 120)], 120, 50)
    cuts = [p.end for p in pages[:-1]]
    assert all(not (top < c < bottom) for c in cuts for top, bottom in spans)
    assert pages[0] == qt_print.Page(0, 45, None)                # (45, 60) would cross 50
    assert pages[1].header == (30, 45) and pages[1].end - pages[1].start <= 50 - 15
    assert pages[-1].end == 120
    # a span taller than a page is cut where the page ends
    tall = qt_print.plan_pages([(0, 5), (5, 130)], [], 130, 50)
    assert [p.end for p in tall] == [5, 55, 105, 130]


def test_pdf_table_rows_are_never_split(tmp_path, qapp):
    from PySide6.QtGui import QTextTable

    proj = many_findings_project(tmp_path / "m.gpkg", n=20)
    result = clearance.run(proj, clearance.ClearanceOptions(write=False))
    report = build_report(result, proj, ReportOptions(max_rows=300))
    out = tmp_path / "m.pdf"
    info = qt_print.write_pdf(report, out)
    assert info["rows"] == 300 and companion_csv_path(out).exists()
    # the same layout write_pdf used, measured here cell by cell
    writer = qt_print.new_writer(tmp_path / "probe.pdf", "probe")
    doc = qt_print.build_document(report, writer, qt_print.chinese_family(), companion_csv_path(out).name)
    band = qt_print._mm(qt_print.BAND_MM)
    pages = qt_print.paginate(doc, writer.height() - 2 * band)
    assert len(pages) == pages_of(out)
    cuts = [p.end for p in pages[:-1]]
    lay = doc.documentLayout()
    table = max((f for f in doc.rootFrame().childFrames() if isinstance(f, QTextTable)), key=lambda t: t.rows())
    assert table.rows() == 301
    for r in range(table.rows()):
        for c in range(table.columns()):
            cell = table.cellAt(r, c)
            block, last = cell.firstCursorPosition().block(), cell.lastCursorPosition().block()
            while True:
                rect = lay.blockBoundingRect(block)
                assert not any(rect.top() < cut < rect.bottom() for cut in cuts), (r, c)
                if block == last:
                    break
                block = block.next()
    # every page after the first of the table starts with the repeated header row
    text_pages = [pdf_text(out, k) for k in range(1, len(pages) + 1)]
    table_pages = [t for t in text_pages if "V-PS-JS" in t]
    assert len(table_pages) > 3
    assert all("严重程度" in t.split("V-PS-JS")[0] for t in table_pages)
    assert sum(t.count("V-PS-JS") for t in text_pages) == 300 + 1      # rows, plus the rules table
    proj.close()


def test_cli_report_pdf(tmp_path):
    path = tmp_path / "c.gpkg"
    clearance_project(path).close()
    out = tmp_path / "报告.pdf"
    res = run_cli("check", "clearance", path, "--report", out, "--report-lang", "zh")
    assert res.returncode == 3, res.stderr
    assert f"report: {out.resolve()}" in res.stdout
    assert pages_of(out) >= 1 and "管线净距分析报告" in pdf_text(out, 1)
    assert not list(tmp_path.glob(".*.tmp"))
