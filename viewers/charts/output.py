"""Chart output with no display: a Qt application when needed, PNG (QImage) and vector PDF (QPdfWriter)."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

_APP = None
PDF_DPI = 96            # PDF user units per inch: the page is laid out like a 96-dpi image
PDF_MARGIN_MM = 10.0
PAPERS = ("A4", "A3", "A2", "A1", "A0")


def ensure_app():
    """The running QApplication, or a new one (offscreen platform when there is no display)."""
    global _APP
    from PySide6.QtCore import QCoreApplication

    app = QCoreApplication.instance()
    if app is not None:
        return app
    no_display = not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")
    if no_display and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    _APP = QApplication([])
    return _APP


def _atomic(path: Path, write: Callable[[str], bool], what: str) -> Path:
    from gis.errors import SubterraError

    fd, tmp = tempfile.mkstemp(suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    try:
        if not write(tmp):
            raise SubterraError(f"{path}: could not write the {what}")
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def render_image(draw: Callable, size: tuple[int, int]):
    """A white QImage of ``size`` with ``draw(painter, QRectF)`` painted on it."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QColor, QImage, QPainter

    ensure_app()
    img = QImage(int(size[0]), int(size[1]), QImage.Format.Format_ARGB32)
    img.fill(QColor(255, 255, 255))
    painter = QPainter(img)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        draw(painter, QRectF(0, 0, size[0], size[1]))
    finally:
        painter.end()
    return img


def save_png(draw: Callable, path: str | os.PathLike, size: tuple[int, int]) -> Path:
    """Paint with ``draw`` into a PNG of ``size`` pixels at ``path`` (atomic)."""
    img = render_image(draw, size)
    return _atomic(Path(path), lambda tmp: img.save(tmp, "PNG"), "PNG image")


def check_paper(paper: str) -> None:
    """UsageError unless ``paper`` is one of PAPERS."""
    from gis.errors import UsageError

    if paper.upper() not in PAPERS:
        raise UsageError(f"--paper {paper!r}: one of {', '.join(PAPERS)}")


def save_pdf(draw: Callable, path: str | os.PathLike, paper: str = "A3", title: str = "") -> Path:
    """Paint with ``draw`` on one landscape page of a vector PDF at ``path`` (atomic)."""
    from PySide6.QtCore import QMarginsF, QRectF
    from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

    check_paper(paper)
    ensure_app()
    page = QPageSize(getattr(QPageSize.PageSizeId, paper.upper()))

    def write(tmp: str) -> bool:
        writer = QPdfWriter(tmp)
        writer.setResolution(PDF_DPI)
        writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Landscape,
                                         QMarginsF(*(PDF_MARGIN_MM,) * 4), QPageLayout.Unit.Millimeter))
        writer.setTitle(title)
        writer.setCreator("Subterra")
        painter = QPainter()
        if not painter.begin(writer):
            return False
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            draw(painter, QRectF(0, 0, writer.width(), writer.height()))
        finally:
            painter.end()
        return True

    return _atomic(Path(path), write, "PDF")
